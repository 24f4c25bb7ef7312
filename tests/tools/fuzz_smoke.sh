#!/usr/bin/env bash
# fuzz_smoke.sh -- build the CSV parser's libFuzzer target with clang and
# run it briefly (make test); a crash or a broken invariant fails.
#
#   tests/tools/fuzz_smoke.sh SOURCE_ROOT WORK_DIR [SECONDS]
#
# The target (tests/fuzz/fuzz_csv.c) parses each input three ways and
# aborts when they disagree or a record breaks the parser's contract.  A
# small seed corpus of real export shapes starts it off; what it finds new
# stays in WORK_DIR/corpus between runs.
set -euo pipefail
ROOT=$1
WORK=$2
SECONDS_TO_RUN=${3:-15}
CC=${SR_FUZZ_CC:-clang}
command -v "$CC" >/dev/null || { echo "fuzz_smoke: $CC not found (make install-deps)" >&2; exit 1; }
mkdir -p "$WORK/corpus"
B="$ROOT/server/base"
"$CC" -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=undefined -I"$B" "$ROOT/tests/fuzz/fuzz_csv.c" \
  "$B/csv.c" "$B/utf8.c" "$B/buf.c" "$B/mem.c" -ljansson -o "$WORK/fuzz_csv"
# Seeds: the real header line, quoting, CRLF, a BOM, an embedded newline.
printf '%s' "$(head -c 4000 "$ROOT/tests/data/orders-export-header.csv")" > "$WORK/corpus/seed-header"
printf '\xef\xbb\xbfa,b\r\n"x,1","y""z"\r\n"multi\nline",2' > "$WORK/corpus/seed-quotes"
printf 'a,b,c\n1,2\n3,4,5,6\n"unterminated' > "$WORK/corpus/seed-bad"
cd "$WORK"
./fuzz_csv -max_total_time="$SECONDS_TO_RUN" -max_len=4096 -print_final_stats=1 \
  corpus 2>&1 | tail -15
