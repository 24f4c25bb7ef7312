#!/usr/bin/env bash
# run.sh -- `make bench`: every benchmark, against a private PostgreSQL.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
STATE="$BUILD/benchpg"

"$ROOT/tests/tools/pgcluster.sh" start "$STATE"
trap '"$ROOT/tests/tools/pgcluster.sh" destroy "$STATE"' EXIT
BASE=$(cat "$STATE/conninfo")
psql "$BASE" -qc "DROP DATABASE IF EXISTS sr_bench WITH (FORCE)" -c "CREATE DATABASE sr_bench"
export SR_BENCH_CONNINFO="${BASE/dbname=postgres/dbname=sr_bench}"
export SR_BINARY="$BUILD/signalroom"
export SR_SOURCE_DIR="$ROOT"
echo "== CSV parser =="
"$BUILD/tests/bench_csv"
echo
echo "== HTTP server =="
"$BUILD/tests/bench_http"
echo
echo "== HTTP under attack: connection flood, database stall =="
# SR_BENCH_ATTACK_BASELINE: binaries to measure first, in the same run
# (e.g. an older commit built elsewhere); unset: this build only.
SR_BENCH_PGBASE="$BASE" "$ROOT/tests/bench/bench_attack.sh" "$BUILD" ${SR_BENCH_ATTACK_BASELINE:-}
echo
echo "== Everflow and Redtrack syncs =="
psql "$BASE" -qc "DROP DATABASE IF EXISTS sr_bench WITH (FORCE)" -c "CREATE DATABASE sr_bench"
"$BUILD/tests/bench_sync"
echo
echo "== Job queue =="
psql "$BASE" -qc "DROP DATABASE IF EXISTS sr_bench_jobs WITH (FORCE)" -c "CREATE DATABASE sr_bench_jobs"
SR_BENCH_CONNINFO="${BASE/dbname=postgres/dbname=sr_bench_jobs}" "$BUILD/tests/bench_jobs"
echo
echo "== S3 order exports =="
"$ROOT/tests/bench/bench_s3.sh" "$BUILD" "$BASE"
echo
echo "== Order views (on the S3 benchmark's 650k rows) =="
"$ROOT/tests/bench/bench_views.sh" "${BASE/dbname=postgres/dbname=sr_bench_s3}"
echo
echo "== Metrics: the exposition of a busy instance, one update =="
"$BUILD/tests/bench_metrics"
echo
echo "== One traced request's server span =="
"$BUILD/tests/bench_spans"
echo
echo "== Metrics and tracing: their cost, /metrics itself =="
"$ROOT/tests/bench/bench_obs.sh" "$BUILD" "$BASE"
echo
echo "== Reports (a year of data, 2 million orders) =="
"$ROOT/tests/bench/bench_reports.sh" "$BUILD" "$BASE"
