#!/usr/bin/env bash
# bench_attack.sh -- /healthz liveness under a connection flood and under a
# database stall (issue 8), for one or more signalroom binaries in the same
# run, each on a fresh database of one private PostgreSQL.
#
#   tests/bench/bench_attack.sh BUILD_DIR [BASELINE_BINARY...]
#
# BUILD_DIR holds this tree's binary and tests/bench_attack; each
# BASELINE_BINARY (e.g. an older commit built elsewhere) is measured first,
# then BUILD_DIR/signalroom.  With SR_BENCH_PGBASE set (a libpq conninfo
# for database "postgres", as tests/bench/run.sh passes) that cluster is
# used; otherwise one is started and destroyed here.  Each binary takes
# about 90 s: (a) 60 s of 300 slowloris + 1,000 idle keep-alive sockets,
# (b) a 25 s lock on the table GET /v1/syncs reads.  See bench_attack.c.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
shift || true
CLIENT="$BUILD/tests/bench_attack"
[ -x "$CLIENT" ] || { echo "bench_attack.sh: build first ($CLIENT missing)" >&2; exit 1; }

if [ -z "${SR_BENCH_PGBASE:-}" ]; then
  STATE="$BUILD/benchpg-attack"
  "$ROOT/tests/tools/pgcluster.sh" start "$STATE"
  trap '"$ROOT/tests/tools/pgcluster.sh" destroy "$STATE"' EXIT
  SR_BENCH_PGBASE=$(cat "$STATE/conninfo")
fi

n=0
for bin in "$@" "$BUILD/signalroom"; do
  n=$((n + 1))
  db="sr_bench_attack_$n"
  psql "$SR_BENCH_PGBASE" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  if [ "$bin" = "$BUILD/signalroom" ]; then label=this; else label="baseline$n"; fi
  echo "-- $label: $bin"
  SR_BINARY="$bin" SR_SOURCE_DIR="$ROOT" \
    SR_BENCH_CONNINFO="${SR_BENCH_PGBASE/dbname=postgres/dbname=$db}" \
    "$CLIENT" "$label"
done
