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
sim_pid=""
s3_pid=""
otlp_pid=""
slack_pid=""
# Ctrl-C is the normal way out (exit 0); a failed step keeps its status.
stop_all() {
  local rc=${1:-0}
  trap - INT TERM EXIT
  echo
  echo "demo: stopping"
  # signalroom first, so it stops while what it talks to is still there.
  for pid in "$server_pid" "$s3_pid" "$slack_pid" "$otlp_pid" "$sim_pid"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  "$ROOT/tests/tools/pgcluster.sh" stop "$PGSTATE" || true
  echo "demo: stopped (data kept in .demo; make clean removes it)"
  exit "$rc"
}
trap 'stop_all 0' INT TERM
trap 'stop_all $?' EXIT

# Wait until a simulator wrote its ports (its first line) to FILE; if it
# died first, show its log and stop.
await_port_file() {  # file pid log
  for _ in $(seq 1 100); do
    [ -s "$1" ] && return 0
    kill -0 "$2" 2>/dev/null || { cat "$3" >&2; exit 1; }
    sleep 0.1
  done
}

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

# The upstream simulators stand in for Everflow and Redtrack: deterministic
# data for any date, two brands, the agency's real affiliate mapping.
echo "demo: starting the Everflow and Redtrack simulators"
python3 "$ROOT/tests/upstreams/simulator.py" --everflow-port 0 \
  --redtrack-port 0 --everflow-key demo-everflow-key \
  --redtrack-key demo-redtrack-key > "$DEMO/simulator.ports" \
  2> "$DEMO/simulator.log" &
sim_pid=$!
await_port_file "$DEMO/simulator.ports" "$sim_pid" "$DEMO/simulator.log"
EF_PORT=$(sed 's/.*"everflow": *\([0-9]*\).*/\1/' "$DEMO/simulator.ports")
RT_PORT=$(sed 's/.*"redtrack": *\([0-9]*\).*/\1/' "$DEMO/simulator.ports")
export EVERFLOW_API_KEY=demo-everflow-key
export EVERFLOW_BASE_URL="http://127.0.0.1:$EF_PORT"
export REDTRACK_API_KEY=demo-redtrack-key
export REDTRACK_BASE_URL="http://127.0.0.1:$RT_PORT"
# The real Redtrack allows 20 requests a minute; the demo's simulator is
# told to allow more so a two-week backfill takes seconds, not a minute.
curl -s -X POST -d '{"rate_limit":600}' "$REDTRACK_BASE_URL/_sim/config" >/dev/null
export REDTRACK_REQUESTS_PER_MINUTE=600

echo "demo: loading the affiliate mapping (tests/data/internal-affiliates.csv)"
"$BIN" mapping load "$ROOT/tests/data/internal-affiliates.csv"
TO=$(TZ=America/New_York date +%F)
FROM=$(TZ=America/New_York date -d "$TO - 13 days" +%F)
for src in everflow redtrack; do
  echo "demo: sync $src $FROM..$TO"
  "$BIN" sync "$src" --from "$FROM" --to "$TO" 2>> "$DEMO/sync.log"
done
# Sticky.io's exports: a local S3 server that checks signatures, two weeks
# of generated order files (create and update), loaded by signalroom.
echo "demo: starting the local S3 server with two weeks of order exports"
S3_AK=demo-access-key
S3_SK=demo-secret-key-0123456789
if [ ! -d "$DEMO/exports" ]; then
  python3 "$ROOT/tests/upstreams/gen_orders.py" --demo "$DEMO/exports" \
    --days 14 --end "$TO" --rows-per-file 2000 > /dev/null
fi
rm -rf "$DEMO/s3data"
node --openssl-legacy-provider "$ROOT/tests/upstreams/s3/start-s3.js" \
  "$DEMO/s3data" 0 "$S3_AK" "$S3_SK" sticky-demo > "$DEMO/s3.port" \
  2> "$DEMO/s3.log" &
s3_pid=$!
await_port_file "$DEMO/s3.port" "$s3_pid" "$DEMO/s3.log"
S3_PORT=$(sed 's/[^0-9]//g' "$DEMO/s3.port")
for f in "$DEMO"/exports/*/*.csv; do
  key="${f#"$DEMO"/exports/}"
  curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" --user "$S3_AK:$S3_SK" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -T "$f" \
    "http://127.0.0.1:$S3_PORT/sticky-demo/$key" > /dev/null
done
export AWS_ACCESS_KEY_ID=$S3_AK AWS_SECRET_ACCESS_KEY=$S3_SK
export S3_BUCKET_NAME=sticky-demo S3_PREFIXES=orders-create,orders-update,prospects-create
export S3_ENDPOINT_URL="http://127.0.0.1:$S3_PORT"
echo "demo: sync s3_exports"
"$BIN" sync s3_exports 2>> "$DEMO/sync.log"

YESTERDAY=$(TZ=America/New_York date -d "$TO - 1 day" +%F)
# The example queries (tests/tools/demo-queries/, also run by
# test_parallel_views with parallel plans forced).  ANALYZE first, as
# autovacuum would: the planner then knows the tables are large and may
# choose parallel plans, which is how these queries run in production.
psql -h "$PGHOST" -p "$PGPORT" -U postgres -d signalroom -qc "ANALYZE"
for f in "$ROOT"/tests/tools/demo-queries/*.sql; do
  echo
  echo "== $(sed -n 's/^-- title: //p' "$f" | head -1) =="
  PGTZ=America/New_York psql -h "$PGHOST" -p "$PGPORT" -U postgres \
    -d signalroom -P pager=off -v ON_ERROR_STOP=1 -f "$f"
done

TOKEN_READ=$("$BIN" token --role authenticated --ttl 86400)
TOKEN_ADMIN=$("$BIN" token --role service_role --ttl 86400)

# Traces go to the OTLP collector simulator (an OpenTelemetry collector,
# Jaeger or Tempo in production: OTEL_EXPORTER_OTLP_ENDPOINT).
echo "demo: starting the OTLP trace collector simulator"
python3 "$ROOT/tests/upstreams/otlp_collector.py" --port 0 \
  > "$DEMO/otlp.port" 2> "$DEMO/otlp.log" &
otlp_pid=$!
await_port_file "$DEMO/otlp.port" "$otlp_pid" "$DEMO/otlp.log"
OTLP_URL="http://127.0.0.1:$(sed 's/.*"otlp": *\([0-9]*\).*/\1/' "$DEMO/otlp.port")"
export OTEL_EXPORTER_OTLP_ENDPOINT="$OTLP_URL"
export OTEL_SERVICE_NAME=signalroom-demo
export OTEL_BSP_SCHEDULE_DELAY=200       # show traces at once, not in 5 s
export SIGNALROOM_METRICS_DB_INTERVAL=2   # the queue and freshness, fresher

# Slack's Web API and response_url, and Twilio's Messages API, simulated:
# every message signalroom sends is recorded there for the demo to show.
echo "demo: starting the Slack and Twilio simulator"
DEMO_BOT=xoxb-demo-bot-token DEMO_SID=ACdemo0000000000000000000000000001
DEMO_TWTOKEN=demo-twilio-token
python3 "$ROOT/tests/upstreams/slack_twilio.py" --bot-token "$DEMO_BOT" \
  --twilio-sid "$DEMO_SID" --twilio-token "$DEMO_TWTOKEN" \
  > "$DEMO/slack.ports" 2> "$DEMO/slack.log" &
slack_pid=$!
await_port_file "$DEMO/slack.ports" "$slack_pid" "$DEMO/slack.log"
SLACK_PORT=$(sed 's/.*"slack": *\([0-9]*\).*/\1/' "$DEMO/slack.ports")
TWILIO_PORT=$(sed 's/.*"twilio": *\([0-9]*\).*/\1/' "$DEMO/slack.ports")
SLACK_SIM="http://127.0.0.1:$SLACK_PORT"
TWILIO_SIM="http://127.0.0.1:$TWILIO_PORT"
export SLACK_API_BASE_URL="$SLACK_SIM/api" SLACK_BOT_TOKEN="$DEMO_BOT"
export SLACK_CHANNEL_ID=C0DEMOOPS SLACK_ADMIN_USERS=U0DEMOADMIN
export TWILIO_BASE_URL="$TWILIO_SIM" TWILIO_ACCOUNT_SID="$DEMO_SID"
export TWILIO_AUTH_TOKEN="$DEMO_TWTOKEN" TWILIO_FROM_NUMBER=+15550100000
export ALERT_SMS_TO=+15550100001 REPORT_SMS_TO=+15550100002
export ALERT_SMS_AFTER_FAILURES=1          # text on the second failed run
if [ ! -s "$DEMO/slack_secret" ]; then
  od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > "$DEMO/slack_secret"
fi
export SLACK_SIGNING_SECRET
SLACK_SIGNING_SECRET=$(cat "$DEMO/slack_secret")

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
echo "  curl -s -H 'Authorization: Bearer $TOKEN_ADMIN' $URL/v1/health"
echo "  curl -s -H 'Authorization: Bearer $TOKEN_READ' $URL/v1/mappings/affiliates"
echo "  psql -h $PGHOST -p $PGPORT -U postgres signalroom -c 'SELECT * FROM daily_performance ORDER BY date DESC LIMIT 20'"
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

# The same sync again, this time through the job queue: an `all` run of
# yesterday split into one job per source and day.  If the scheduler's
# catch-up already queued an overlapping run, follow that one instead.
echo
echo "== POST /v1/syncs {\"source\":\"all\"} (yesterday, through the job queue) =="
json_field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval("d"+sys.argv[1]))' "$1"; }
DEMO_TRACE=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
queue_yesterday() {  # source: POST /v1/syncs for yesterday, print the reply
  curl -s -X POST -H "Authorization: Bearer $TOKEN_ADMIN" \
    -H 'Content-Type: application/json' \
    -H "traceparent: 00-$DEMO_TRACE-00f067aa0ba902b7-01" \
    -d "{\"source\":\"$1\",\"from\":\"$YESTERDAY\",\"to\":\"$YESTERDAY\"}" \
    "$URL/v1/syncs"
}
reply=$(queue_yesterday all)
if run_path=$(printf '%s' "$reply" | json_field '["href"]' 2>/dev/null); then
  echo "  overlaps an active run: following $run_path"
else
  run_path="/v1/syncs/$(printf '%s' "$reply" | json_field '["id"]')"
  echo "  queued: $run_path"
fi
follow_run() {  # run path: wait until it ends
  local status=queued
  for _ in $(seq 1 600); do
    status=$(curl -s -H "Authorization: Bearer $TOKEN_ADMIN" "$URL$1" \
      | json_field '["status"]')
    case "$status" in queued|running) sleep 0.2 ;; *) break ;; esac
  done
}
follow_run "$run_path"
curl -s -H "Authorization: Bearer $TOKEN_ADMIN" "$URL$run_path" \
  | python3 -c 'import json,sys
r = json.load(sys.stdin)
print("  run %s: %s" % (r["id"], r["status"]))
for c in r["children"] or [r]:
    print("    %-10s %-9s jobs %s/%s  %s" % (c["source"], c["status"],
          c["jobs"]["succeeded"], c["jobs"]["total"], json.dumps(c["tables"])))'
# The run's trace: the request, then on a worker each job with its
# upstream calls and statements, all under the caller's trace id.
echo
echo "== Its trace at the collector (traceparent 00-$DEMO_TRACE-...) =="
for _ in $(seq 1 50); do   # the exporter sends at least once a second
  n=$(curl -s "$OTLP_URL/_sim/spans?trace_id=$DEMO_TRACE" | json_field '["spans"].__len__()')
  [ "${n:-0}" -gt 3 ] && break
  sleep 0.2
done
curl -s "$OTLP_URL/_sim/spans?trace_id=$DEMO_TRACE" | python3 -c 'import json,sys,collections
spans = json.load(sys.stdin)["spans"]
names = collections.Counter(s["name"] for s in spans)
print("  %d spans:" % len(spans), ", ".join("%s x%d" % kv for kv in sorted(names.items())))'
echo "  curl -s '$OTLP_URL/_sim/spans?trace_id=$DEMO_TRACE'"
echo
echo "== GET /metrics (Prometheus; docker/ has the Grafana dashboard and alert rules) =="
curl -s "$URL/metrics" | grep -E '^signalroom_(sync_runs_total|jobs|rows_total|upstream_requests_total|source_last_success_timestamp_seconds|otel_spans_exported_total)' | head -20
if curl -s "$URL/metrics" | promtool check metrics; then
  echo "  promtool check metrics: the live exposition is valid"
fi
echo "  curl -s $URL/metrics"
echo
echo "  curl -s -H 'Authorization: Bearer $TOKEN_ADMIN' $URL/v1/sources"
echo "  curl -s -H 'Authorization: Bearer $TOKEN_ADMIN' $URL/v1/syncs"
echo "  curl -s -H 'Authorization: Bearer $TOKEN_ADMIN' $URL/v1/schedules"
# Reports: what dashboards, Slack and scripts read.  A long-lived read-only
# token is what a Retool REST resource would hold.
TOKEN_DASH=$("$BIN" token --role authenticated --ttl 31536000 --sub retool)
printf '%s\n' "$TOKEN_DASH" > "$DEMO/token_dashboard"
echo
echo "== Reports (GET /v1/reports lists them; token: .demo/token_dashboard) =="
echo "-- signalroom report daily-summary --brand CCW --date $YESTERDAY --format table"
"$BIN" report daily-summary --brand CCW --date "$YESTERDAY" --format table
echo "-- signalroom report orders/status-breakdown --brand CCW --format table"
"$BIN" report orders/status-breakdown --brand CCW --format table
echo "-- GET /v1/reports/leaderboard?brand=CCW&sort=cpa&limit=5"
curl -s -H "Authorization: Bearer $TOKEN_DASH" \
  "$URL/v1/reports/leaderboard?brand=CCW&sort=cpa&limit=5" | head -c 600
echo
echo
R="curl -s -H 'Authorization: Bearer \$(cat .demo/token_dashboard)'"
# The 07:30 daily report, run now for yesterday: each brand's summary kept
# as a snapshot, so "what did the morning report say" survives restatements.
echo "== The daily report (schedule daily-report at 07:30 after both daily syncs) =="
reply=$(queue_yesterday daily_report)
if snap_run=$(printf '%s' "$reply" | json_field '["id"]' 2>/dev/null); then
  follow_run "/v1/syncs/$snap_run"
fi
echo "-- GET /v1/reports/snapshots?brand=CCW&date=$YESTERDAY&latest=true"
curl -s -H "Authorization: Bearer $TOKEN_DASH" \
  "$URL/v1/reports/snapshots?brand=CCW&date=$YESTERDAY&latest=true" | head -c 600
echo
echo
# Slack and SMS.  A failing Everflow (the simulator answers 401 twice)
# raises one alert, then a critical text on the second failed run; the next
# good run posts the recovery.  The daily report above queued each brand's
# summary for the channel and its one-line text.  A signed slash command
# is answered at once.  Every message goes through the outbox.
echo "== Slack and SMS (alerts, the daily summary, a slash command) =="
curl -s -X POST -d '{"faults":[{"status":401,"count":2}]}' \
  "$EVERFLOW_BASE_URL/_sim/faults" > /dev/null
for attempt in 1 2 3; do
  reply=$(queue_yesterday everflow)
  if run=$(printf '%s' "$reply" | json_field '["id"]' 2>/dev/null); then
    follow_run "/v1/syncs/$run"
    printf '  everflow run %s: %s\n' "$run" "$(curl -s -H "Authorization: Bearer $TOKEN_ADMIN" \
      "$URL/v1/syncs/$run" | json_field '["status"]')"
  fi
done
slack_command() {  # text: POST a signed /signalroom command, print the reply
  local ts body sig
  ts=$(date +%s)
  body="team_id=T0DEMO&channel_id=C0DEMOOPS&user_id=U0DEMOADMIN&user_name=demo&command=%2Fsignalroom&text=$1&response_url=$(printf '%s' "$SLACK_SIM/response/demo-$ts-$RANDOM" | sed 's/:/%3A/g; s#/#%2F#g')&trigger_id=demo.$ts.$RANDOM"
  sig=$(printf 'v0:%s:%s' "$ts" "$body" | openssl dgst -sha256 -hmac "$SLACK_SIGNING_SECRET" -r | cut -d' ' -f1)
  curl -s -X POST -H 'Content-Type: application/x-www-form-urlencoded' \
    -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: v0=$sig" \
    --data-raw "$body" "$URL/v1/slack/commands"
}
echo "-- /signalroom report ccw yesterday (signed with SLACK_SIGNING_SECRET)"
slack_command "report%20ccw%20yesterday" | json_field '["text"]' | sed 's/^/  /'
echo "-- /signalroom status"
slack_command "status" | json_field '["text"]' | sed 's/^/  /'
echo "-- the same command, unsigned: $(curl -s -o /dev/null -w '%{http_code}' -X POST \
  -H 'Content-Type: application/x-www-form-urlencoded' --data-raw 'text=status' \
  "$URL/v1/slack/commands")"
for _ in $(seq 1 100); do   # until the outbox has sent what it holds
  left=$(curl -s -H "Authorization: Bearer $TOKEN_ADMIN" \
    "$URL/v1/notifications?status=queued&limit=1" | json_field '["notifications"].__len__()')
  [ "${left:-1}" = 0 ] && break
  sleep 0.2
done
echo "-- what the Slack simulator received ($SLACK_SIM/_sim/messages)"
curl -s "$SLACK_SIM/_sim/messages" | python3 -c 'import json,sys
for m in json.load(sys.stdin)["messages"]:
    first = (m.get("text") or "").strip().splitlines()[:2]
    print("  %-16s %-10s %s" % (m["via"], m.get("channel") or "-", " / ".join(first)[:110]))'
echo "  (a day's summary is posted once: a later demo run of the same day posts none)"
echo "-- what the Twilio simulator received"
curl -s "$TWILIO_SIM/_sim/messages" | python3 -c 'import json,sys
for m in json.load(sys.stdin)["messages"]:
    print("  to %s: %s" % (m["to"], m["body"][:120]))'
echo "-- GET /v1/notifications (the outbox: every message, its state and attempts)"
curl -s -H "Authorization: Bearer $TOKEN_ADMIN" "$URL/v1/notifications?limit=50" \
  | python3 -c 'import json,sys,collections
n = json.load(sys.stdin)["notifications"]
c = collections.Counter((x["channel"], x["kind"], x["status"]) for x in n)
for (ch, kind, st), k in sorted(c.items()):
    print("  %-12s %-17s %-7s x%d" % (ch, kind, st, k))'
echo "-- GET /v1/anomalies?status=open"
curl -s -H "Authorization: Bearer $TOKEN_ADMIN" "$URL/v1/anomalies?status=open&limit=5" | head -c 600
echo
echo
echo "  curl -s $SLACK_SIM/_sim/messages"
echo "  curl -s -H 'Authorization: Bearer $TOKEN_ADMIN' $URL/v1/notifications"
echo "  curl -s -H 'Authorization: Bearer $TOKEN_ADMIN' $URL/v1/anomalies"
echo
echo "  $R '$URL/v1/reports'"
echo "  $R '$URL/v1/reports/snapshots?latest=true'"
echo "  $R '$URL/v1/reports/daily-summary?brand=CCW&date=$YESTERDAY'"
echo "  $R '$URL/v1/reports/daily-summary?brand=EXP&date=today'"
echo "  $R '$URL/v1/reports/leaderboard?brand=CCW&from=$YESTERDAY&to=$YESTERDAY&sort=profit'"
echo "  $R '$URL/v1/reports/state-heatmap?brand=CCW&metric=revenue'"
echo "  $R '$URL/v1/reports/orders/daily-trend?brand=CCW&format=csv'"
echo "  $R -H 'Accept: text/csv' '$URL/v1/reports/unmapped-spend'"
echo "  psql -h $PGHOST -p $PGPORT -U postgres signalroom -c 'SELECT * FROM reports.daily_summary ORDER BY date DESC LIMIT 5'"
echo
echo "Ctrl-C stops everything."
wait "$server_pid"
