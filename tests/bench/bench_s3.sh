#!/usr/bin/env bash
# bench_s3.sh -- S3 order exports: signalroom against the COPY floor.
#
#   tests/bench/bench_s3.sh BUILD_DIR BASE_CONNINFO
#
# About 650k rows of every export column in CREATE_FILES + UPDATE_FILES
# files over two prefixes, generated once into BUILD_DIR/bench-s3 and
# uploaded to the local signature-checking S3 server (the figures printed
# are counted from the files, not assumed).  Measured in the same run:
#   floors:     psql \copy of the same files (CSV HEADER) into a table with
#               the same columns and the same unique index, one file at a
#               time, and in two sessions at once (signalroom loads two
#               objects at once, so the one-session floor would flatter it);
#   signalroom: `signalroom sync s3_exports` from S3, end to end (list,
#               download, parse, COPY, state), wall time and peak RSS;
#   re-run:     the same command with nothing new.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "$1" && pwd)
BASE=$2
WORK="$BUILD/bench-s3"
BIN="$BUILD/signalroom"
AK=AKIDBENCH
SK=bench-secret-0123456789abcdef
BUCKET=sticky-bench
CREATE_FILES=18
UPDATE_FILES=17
ROWS_CREATE=18572
ROWS_UPDATE=18571

mkdir -p "$WORK/files"
gen() {  # prefix index rows kind
  local day out
  day=$(date -u -d "2025-10-01 + $2 days" +%F)
  out="$WORK/files/$1/report_${day}T0600_b$2.csv"
  if [ ! -s "$out" ]; then
    mkdir -p "$WORK/files/$1"
    python3 "$ROOT/tests/upstreams/gen_orders.py" --out "$out" --rows "$3" \
      --date "$day" --seed "$2" --kind "$4" \
      --first-order-id $((1000000 + $2 * 20000)) 2>/dev/null
  fi
}
for i in $(seq 0 $((CREATE_FILES - 1))); do gen orders-create "$i" $ROWS_CREATE create; done
for i in $(seq 0 $((UPDATE_FILES - 1))); do gen orders-update "$i" $ROWS_UPDATE update; done
TOTAL_ROWS=$((CREATE_FILES * ROWS_CREATE + UPDATE_FILES * ROWS_UPDATE))
TOTAL_BYTES=$(cat "$WORK"/files/*/*.csv | wc -c)
N_FILES=$(ls "$WORK"/files/*/*.csv | wc -l)
N_COLUMNS=$(head -1 "$ROOT/tests/data/orders-export-header.csv" | tr -d '\r' | awk -F, '{ print NF }')

# The S3 server, fresh each run.
rm -rf "$WORK/s3data"
node --openssl-legacy-provider "$ROOT/tests/upstreams/s3/start-s3.js" \
  "$WORK/s3data" 0 "$AK" "$SK" "$BUCKET" > "$WORK/s3.port" 2> /dev/null &
S3PID=$!
PGSTATE=""
cleanup() { kill "$S3PID" 2>/dev/null || true; wait "$S3PID" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 200); do [ -s "$WORK/s3.port" ] && break; sleep 0.05; done
PORT=$(sed 's/[^0-9]//g' "$WORK/s3.port")
ENDPOINT="http://127.0.0.1:$PORT"
for f in "$WORK"/files/*/*.csv; do
  key="${f#"$WORK"/files/}"
  curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AK:$SK" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -T "$f" \
    "$ENDPOINT/$BUCKET/$key" > /dev/null
done

db() { echo "${BASE/dbname=postgres/dbname=$1}"; }
for d in sr_bench_s3 sr_bench_floor; do
  psql "$BASE" -qc "DROP DATABASE IF EXISTS $d WITH (FORCE)" -c "CREATE DATABASE $d" 2>/dev/null
  DATABASE_URL=$(db $d) "$BIN" migrate > /dev/null 2>&1
done

# Floor: the same columns and unique index, loaded by the server's own
# CSV parser, no S3 in the way.  The CSV has no provenance columns, so the
# floor's rows leave them NULL: each of its rows is about 60 bytes smaller
# and its index entries are NULL keys, which skip the uniqueness check --
# the floor is, if anything, lighter than the real load.
COLS=$(head -1 "$ROOT/tests/data/orders-export-header.csv" | tr -d '\r' \
  | python3 -c 'import sys,re
print(",".join(re.sub(r"[^a-z0-9]+","_",c.strip().lower()).strip("_") for c in sys.stdin.read().split(",")))')
psql "$(db sr_bench_floor)" -q <<SQL
CREATE TABLE floor_create (LIKE s3_exports.orders_create INCLUDING DEFAULTS INCLUDING INDEXES);
CREATE TABLE floor_update (LIKE s3_exports.orders_update INCLUDING DEFAULTS INCLUDING INDEXES);
ALTER TABLE floor_create ALTER _file_name DROP NOT NULL, ALTER _row_id DROP NOT NULL,
  ALTER _client_id DROP NOT NULL;
ALTER TABLE floor_update ALTER _file_name DROP NOT NULL, ALTER _row_id DROP NOT NULL,
  ALTER _client_id DROP NOT NULL;
-- Scratch tables: their vacuum after each floor run would land at random
-- in a later timed run, the floor's or signalroom's.
ALTER TABLE floor_create SET (autovacuum_enabled = off);
ALTER TABLE floor_update SET (autovacuum_enabled = off);
CHECKPOINT;
SQL
# Rounds of each, alternating, medians reported: this 2-core machine
# is noisy, and the two loads compete for the same cores.
# Every timed run starts with nothing left to write: the checkpoint hands
# the dirty pages to the kernel, `sync` writes them out.  Otherwise one
# run's 500 MB of pages were written back during the next one, and a run
# measured whatever the run before it had left.
settle() { psql "$1" -qc "CHECKPOINT"; sync; }
floor_truncate() {
  psql "$(db sr_bench_floor)" -qc "TRUNCATE floor_create, floor_update"
  settle "$(db sr_bench_floor)"
}
copy_files() {  # every Nth file from offset K: N K
  local i=0 f table
  for f in "$WORK"/files/orders-create/*.csv "$WORK"/files/orders-update/*.csv; do
    if [ $((i % $1)) = "$2" ]; then
      case "$f" in */orders-create/*) table=floor_create ;; *) table=floor_update ;; esac
      psql "$(db sr_bench_floor)" -qc "\\copy $table ($COLS) FROM '$f' CSV HEADER"
    fi
    i=$((i + 1))
  done
}
floor_run() {  # sessions (1 or 2)
  local t0 t1 pids=()
  floor_truncate
  t0=$(date +%s.%N)
  for k in $(seq 0 $(($1 - 1))); do copy_files "$1" "$k" & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p"; done
  t1=$(date +%s.%N)
  n=$(psql "$(db sr_bench_floor)" -Atc "SELECT (SELECT count(*) FROM floor_create) + (SELECT count(*) FROM floor_update)")
  [ "$n" = "$TOTAL_ROWS" ] || { echo "floor loaded $n rows, expected $TOTAL_ROWS" >&2; exit 1; }
  echo "$t1 - $t0" | bc -l
}
# SR_BENCH_ROUNDS alternating rounds (odd; 3 unless told), medians.
ROUNDS=${SR_BENCH_ROUNDS:-3}
median() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }
run_sync() {
  env -i PATH="$PATH" DATABASE_URL="$(db sr_bench_s3)" LOG_LEVEL=warn \
    AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK S3_BUCKET_NAME=$BUCKET \
    S3_PREFIXES=orders-create,orders-update S3_ENDPOINT_URL="$ENDPOINT" \
    S3_LOAD_CONCURRENCY="${S3_LOAD_CONCURRENCY:-2}" \
    /usr/bin/time -f "%e %M %U %S" -o "$WORK/time.out" "$BIN" sync s3_exports \
    > "$WORK/sync.out" 2> "$WORK/sync.err" || { cat "$WORK/sync.out" "$WORK/sync.err"; exit 1; }
  read -r WALL RSS_KB CPU_U CPU_S < "$WORK/time.out"; echo "sync: wall $WALL s, user $CPU_U s, sys $CPU_S s" >&2
}
fresh_db() {
  psql "$BASE" -qc "DROP DATABASE IF EXISTS sr_bench_s3 WITH (FORCE)" -c "CREATE DATABASE sr_bench_s3" 2>/dev/null
  DATABASE_URL=$(db sr_bench_s3) "$BIN" migrate > /dev/null 2>&1
  settle "$BASE"
}
FLOORS=(); FLOORS2=(); WALLS=(); RSSES=()
for i in $(seq 1 "$ROUNDS"); do
  FLOORS+=("$(floor_run 1)")
  FLOORS2+=("$(floor_run 2)")
  fresh_db
  run_sync
  LOADED=$(psql "$(db sr_bench_s3)" -Atc "SELECT (SELECT count(*) FROM s3_exports.orders_create) + (SELECT count(*) FROM s3_exports.orders_update)")
  [ "$LOADED" = "$TOTAL_ROWS" ] || { echo "loaded $LOADED rows, expected $TOTAL_ROWS"; exit 1; }
  WALLS+=("$WALL"); RSSES+=("$RSS_KB")
done
FLOOR=$(median "${FLOORS[@]}")
FLOOR2=$(median "${FLOORS2[@]}")
FIRST_WALL=$(median "${WALLS[@]}")
FIRST_RSS=$(printf '%s\n' "${RSSES[@]}" | sort -g | tail -1)
echo "floor runs: ${FLOORS[*]}; two-session floor runs: ${FLOORS2[*]}; signalroom runs: ${WALLS[*]}" >&2
run_sync
RERUN_WALL=$WALL
RERUN_RSS=$RSS_KB

awk -v rows="$TOTAL_ROWS" -v bytes="$TOTAL_BYTES" -v floor="$FLOOR" \
    -v floor2="$FLOOR2" -v files="$N_FILES" -v cols="$N_COLUMNS" \
    -v wall="$FIRST_WALL" -v rss="$FIRST_RSS" -v rerun="$RERUN_WALL" \
    -v rrss="$RERUN_RSS" -v conc="${S3_LOAD_CONCURRENCY:-2}" -v rounds="$ROUNDS" 'BEGIN {
  printf "S3 exports: %d rows x %d columns, %d files, %.1f MB\n\n", rows, cols, files, bytes / 1e6;
  printf "| run | wall s | rows/s | MB/s | peak RSS MiB |\n|---|---|---|---|---|\n";
  printf "| floor: psql \\copy (CSV HEADER) of the same files, same table shape, one session, median of %d | %.2f | %.0f | %.1f | |\n", rounds, floor, rows / floor, bytes / 1e6 / floor;
  printf "| floor: the same in two sessions at once, median of %d | %.2f | %.0f | %.1f | |\n", rounds, floor2, rows / floor2, bytes / 1e6 / floor2;
  printf "| signalroom sync s3_exports (from S3, end to end, %d objects at once), median of %d | %.2f | %.0f | %.1f | %.1f (max) |\n", conc, rounds, wall, rows / wall, bytes / 1e6 / wall, rss / 1024;
  printf "| re-run, nothing new | %.2f | | | %.1f |\n\n", rerun, rrss / 1024;
  printf "ratio to the one-session floor: %.2fx; to the two-session floor: %.2fx (target <= 1.00x); peak RSS target <= 64 MiB; re-run target < 2 s\n", wall / floor, wall / floor2;
}'
