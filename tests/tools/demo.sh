#!/usr/bin/env bash
# demo.sh -- `make demo`: a private PostgreSQL and signalroom, side by side.
#
#   tests/tools/demo.sh BUILD_DIR
#
# Everything lives under .demo/ in the repository (ignored by git).  The
# server listens on SIGNALROOM_LISTEN (default 127.0.0.1:8080).  Ctrl-C
# (or SIGTERM) stops signalroom and PostgreSQL; `make clean` deletes .demo.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
BIN="$BUILD/signalroom"
DEMO="$ROOT/.demo"
PGSTATE="$DEMO/pg"
LISTEN=${SIGNALROOM_LISTEN:-127.0.0.1:8080}
mkdir -p "$DEMO"

[ -x "$BIN" ] || { echo "demo: $BIN not built (make build)" >&2; exit 1; }

server_pid=""
stop_all() {
  trap - INT TERM EXIT
  echo
  echo "demo: stopping"
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  "$ROOT/tests/tools/pgcluster.sh" stop "$PGSTATE" || true
  echo "demo: stopped (data kept in .demo; make clean removes it)"
  exit 0
}
trap stop_all INT TERM EXIT

echo "demo: starting PostgreSQL"
"$ROOT/tests/tools/pgcluster.sh" start "$PGSTATE" tcp
PGPORT=$(cat "$PGSTATE/port")
PGHOST=127.0.0.1
psql -h "$PGHOST" -p "$PGPORT" -U postgres -Atqc \
  "SELECT 1 FROM pg_database WHERE datname = 'signalroom'" | grep -q 1 \
  || psql -h "$PGHOST" -p "$PGPORT" -U postgres -qc "CREATE DATABASE signalroom"

if [ ! -s "$DEMO/jwt_secret" ]; then
  od -An -N32 -tx1 /dev/urandom | tr -d ' \n' > "$DEMO/jwt_secret"
fi
export DATABASE_URL="postgresql://postgres@$PGHOST:$PGPORT/signalroom"
export SIGNALROOM_JWT_SECRET
SIGNALROOM_JWT_SECRET=$(cat "$DEMO/jwt_secret")
export SIGNALROOM_LISTEN="$LISTEN"

echo "demo: migrating"
"$BIN" migrate

TOKEN_READ=$("$BIN" token --role authenticated --ttl 86400)
TOKEN_ADMIN=$("$BIN" token --role service_role --ttl 86400)

echo "demo: starting signalroom on $LISTEN (log: .demo/signalroom.log)"
"$BIN" serve 2> "$DEMO/signalroom.log" &
server_pid=$!
for _ in $(seq 1 100); do
  if grep -q '"msg":"listening"' "$DEMO/signalroom.log" 2>/dev/null; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    cat "$DEMO/signalroom.log" >&2
    echo "demo: signalroom did not start" >&2
    exit 1
  fi
  sleep 0.1
done
URL="http://$LISTEN"

echo
echo "== signalroom is running =="
echo "  curl -s $URL/healthz"
echo "  curl -s $URL/readyz"
echo "  curl -s $URL/openapi.yaml"
echo "  curl -s -H 'Authorization: Bearer $TOKEN_READ' $URL/v1/me"
echo "  curl -s -H 'Authorization: Bearer $TOKEN_ADMIN' $URL/v1/config"
echo "  psql -h $PGHOST -p $PGPORT -U postgres signalroom"
echo
echo "  (tokens: .demo/token_read, .demo/token_admin; log: .demo/signalroom.log)"
printf '%s\n' "$TOKEN_READ" > "$DEMO/token_read"
printf '%s\n' "$TOKEN_ADMIN" > "$DEMO/token_admin"
echo
for path in /healthz /readyz; do
  printf 'GET %-9s -> ' "$path"
  curl -s "$URL$path"
  echo
done
echo
echo "Ctrl-C stops everything."
wait "$server_pid"
