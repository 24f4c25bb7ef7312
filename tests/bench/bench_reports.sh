#!/usr/bin/env bash
# bench_reports.sh -- the report API under load, each figure beside the
# baseline it is judged by, measured in this same run.
#
#   tests/bench/bench_reports.sh BUILD_DIR PG_BASE_CONNINFO
#
# Data: one year of Everflow (150 affiliates x 9 advertisers x 365 days),
# Redtrack (60 sources x 365 days, 40 of them mapped) and 2 million
# orders (20% of them updated later), made in SQL and counted by
# reports.rebuild_orders -- this measures reading, not loading (bench_s3.sh
# measures loading).  Two servers: one with the report cache, one without
# (every request a miss).  Load from wrk (Debian), 64 connections; the
# database baseline is pgbench running the endpoint's own SQL file at the
# same concurrency.
set -euo pipefail
BUILD=$(cd "$1" && pwd)
BASE=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DB="${BASE/dbname=postgres/dbname=sr_bench_reports}"
SECS=${SR_BENCH_SECONDS:-5}
CONNS=64
SECRET=bench-reports-secret-0123456789abcdef0123
WORK=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
psql_q() { psql "$DB" -X -v ON_ERROR_STOP=1 -Atq "$@"; }

# SR_BENCH_REUSE=1 keeps the data of an earlier run (while tuning).
if [ -z "${SR_BENCH_REUSE:-}" ]; then
psql "$BASE" -Xq -c "DROP DATABASE IF EXISTS sr_bench_reports WITH (FORCE)" \
  -c "CREATE DATABASE sr_bench_reports"
DATABASE_URL="$DB" LOG_LEVEL=warn "$BUILD/signalroom" migrate >/dev/null

t0=$(date +%s.%N)
psql_q >/dev/null <<'SQL'
SET client_min_messages = warning;
INSERT INTO everflow.daily_stats (date, affiliate_id, affiliate_label,
       advertiser_id, advertiser_label, clicks, conversions, revenue, payout,
       profit, _client_id)
SELECT current_date - 1 - d, a,
       CASE a WHEN 1 THEN 'G2 - Meta' WHEN 2 THEN 'G2 - Google'
              WHEN 3 THEN 'SB - Meta' WHEN 4 THEN 'SB - Google'
              ELSE 'Affiliate ' || a END,
       adv, 'Advertiser ' || adv, 50 + (a * 7 + d) % 90, (a * 3 + d) % 23,
       ((a * 3 + d) % 23) * 41.50, ((a * 3 + d) % 23) * 22.25,
       ((a * 3 + d) % 23) * 19.25, '713'
  FROM generate_series(0, 364) d, generate_series(1, 150) a,
       generate_series(1, 9) adv;
INSERT INTO signalroom.affiliate_mapping (client_id, redtrack_source_id,
       redtrack_source_name, everflow_affiliate_label, everflow_advertiser_id,
       everflow_advertiser_label, line)
SELECT '713', 'src' || s, 'Source ' || s,
       (ARRAY['G2 - Meta', 'G2 - Google', 'SB - Meta', 'SB - Google'])[1 + s % 4],
       1 + s % 2, 'Advertiser ' || (1 + s % 2), s
  FROM generate_series(1, 40) s;
INSERT INTO redtrack.daily_spend (date, source_id, source_name, source_alias,
       clicks, conversions, cost, _client_id)
SELECT current_date - 1 - d, 'src' || s, 'Source ' || s, 'facebook', 100, 3,
       ((s * 13 + d * 7) % 500) + 0.37, '713'
  FROM generate_series(0, 364) d, generate_series(1, 60) s;
SELECT reports.refresh_performance('713', '-infinity', 'infinity');
INSERT INTO s3_exports.orders_create (orders_id, order_date, order_time,
       order_status, total_amount, billing_state, billing_email, campaign_id,
       affid, gateway_alias, product_category, chargeback_flag, refund_flag,
       _file_name, _row_id, _file_date, _client_id)
SELECT g::text, to_char(current_date - 1 - g % 365, 'MM/DD/YYYY'),
       (1 + g % 12) || ':' || lpad((g % 60)::text, 2, '0') || ' PM',
       CASE WHEN g % 3 = 0 THEN 'DECLINED' ELSE 'NEW' END,
       (9.95 + g % 150)::text,
       CASE WHEN g % 97 = 0 THEN '' WHEN g % 5 = 0 THEN lower(s.code)
            ELSE s.code END,
       'customer' || g % 700000 || '@example.com', (g % 30)::text,
       (g % 15)::text, 'gateway-' || g % 6,
       CASE WHEN g % 7 = 0 THEN 'EXP' ELSE 'CCW' END,
       CASE WHEN g % 301 = 0 THEN 'YES' ELSE 'NO' END, 'NO',
       'orders-create/day-' || g % 365 || '.csv', g,
       current_date - 1 - g % 365, '713'
  FROM generate_series(1, 2000000) g
  JOIN (SELECT code, row_number() OVER (ORDER BY code) - 1 AS i
          FROM signalroom.us_states) s ON s.i = g % 51;
INSERT INTO s3_exports.orders_update
SELECT * FROM s3_exports.orders_create WHERE _row_id % 5 = 0;
UPDATE s3_exports.orders_update
   SET order_status = 'REFUNDED', refund_flag = 'YES',
       _file_name = replace(_file_name, 'create', 'update'),
       _file_date = _file_date + 3;
SELECT reports.rebuild_orders('713');
VACUUM ANALYZE;
SQL
t1=$(date +%s.%N)
printf 'data: %s Everflow rows, %s Redtrack rows, %s orders (%s kept), made in %.0f s\n' \
  "$(psql_q -c 'SELECT count(*) FROM everflow.daily_stats')" \
  "$(psql_q -c 'SELECT count(*) FROM redtrack.daily_spend')" \
  "$(psql_q -c 'SELECT count(*) FROM s3_exports.orders_create')" \
  "$(psql_q -c 'SELECT count(*) FROM reports.orders_latest')" \
  "$(echo "$t1 - $t0" | bc)"
fi

start_server() {  # name cache_mb [api_threads] -> sets PORT_<name>
  local log="$WORK/$1.log"
  SIGNALROOM_LISTEN=127.0.0.1:0 DATABASE_URL="$DB" SIGNALROOM_JWT_SECRET=$SECRET \
    SIGNALROOM_WORKERS=0 SIGNALROOM_SCHEDULER=false \
    SIGNALROOM_REPORT_CACHE_MB=$2 SIGNALROOM_API_QUEUE=1024 \
    env ${3:+SIGNALROOM_API_THREADS=$3} \
    "$BUILD/signalroom" serve 2> "$log" &
  pids+=($!)
  for _ in $(seq 1 200); do
    port=$(sed -n 's/.*"msg":"listening".*"port":\([0-9]*\).*/\1/p' "$log" | head -1)
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || { cat "$log" >&2; exit 1; }
  eval "PORT_$1=$port"
}
start_server cached 256
start_server uncached 0
# The database shares this machine's cores, so by default there is one API
# thread (database connection) per core; 4, the default against a remote
# database, for comparison.
start_server uncached_4 0 4
TOKEN=$(SIGNALROOM_JWT_SECRET=$SECRET DATABASE_URL="$DB" "$BUILD/signalroom" token --role authenticated)
YDAY=$(psql_q -c "SELECT current_date - 1")
FROM=$(psql_q -c "SELECT current_date - 30")
curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" \
  "http://127.0.0.1:$PORT_cached/v1/reports/leaderboard?brand=CCW&from=$FROM&to=$YDAY" || true
# Both servers know the data version once the first report is in.
curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" \
  "http://127.0.0.1:$PORT_cached/v1/reports/daily-summary?brand=CCW&date=$YDAY"

# wrk: requests/s and p99 (ms) of one URL, or of URLs with a random day.
cat > "$WORK/days.lua" <<'LUA'
local base = os.getenv("SR_PATH")
request = function()
  local back = math.random(2, 330)
  local d = os.date("!%Y-%m-%d", os.time() - 86400 * back)
  local f = os.date("!%Y-%m-%d", os.time() - 86400 * (back + 29))
  local path = base:gsub("FROMDAY", f):gsub("DAY", d)
  return wrk.format("GET", path, wrk.headers)
end
LUA
wrk_run() {  # port path [lua]
  local out
  out=$(SR_PATH="$2" wrk -t2 -c$CONNS -d${SECS}s --latency \
    -H "Authorization: Bearer $TOKEN" ${3:+-s "$3"} "http://127.0.0.1:$1$2")
  local rps p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000}
              else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}
              print v}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  echo "${rps:-0} ${p99:-0} ${non2xx:-0}"
}
# pgbench: transactions/s of the endpoint's SQL file, parameters bound.
pgbench_run() {  # clients sql-file substitutions...
  local f="$WORK/pgb.sql" sql clients=$1
  sql=$(grep -v '^--' "$ROOT/sql/queries/$2")
  shift 2
  printf '\\set d random(2, 330)\n' > "$f"
  for s in "$@"; do sql=${sql//${s%%=*}/${s#*=}}; done
  printf '%s;\n' "$sql" >> "$f"
  # prepared, as the service runs its report reads (SIGNALROOM_DB_PREPARE)
  pgbench -n -M prepared -c "$clients" -j 2 -T "$SECS" -f "$f" "$DB" 2>/dev/null \
    | awk '/^tps/ {print int($3)}'
}

row() { printf '| %s | %s | %s | %s |\n' "$@"; }
echo
echo "| what (64 connections, ${SECS} s each) | req/s | p99 ms | non-2xx |"
echo "|---|---|---|---|"
read -r h_rps h_p99 h_bad < <(wrk_run "$PORT_cached" /healthz)
row "GET /healthz (baseline)" "$h_rps" "$h_p99" "$h_bad"

DS="/v1/reports/daily-summary?brand=CCW&date=DAY"
LB="/v1/reports/leaderboard?brand=CCW&from=FROMDAY&to=DAY"
read -r ds_rps ds_p99 ds_bad < <(wrk_run "$PORT_uncached" "$DS" "$WORK/days.lua")
row "daily-summary, cache miss (a random day each)" "$ds_rps" "$ds_p99" "$ds_bad"
DS_SUBST=("\$1='713'" "\$2='CCW'" "\$3::date=(current_date - :d::int)" "\$4::int=10")
ds_pg=$(pgbench_run $CONNS report_daily_summary.sql "${DS_SUBST[@]}")
ds_pg4=$(pgbench_run 4 report_daily_summary.sql "${DS_SUBST[@]}")
row "pgbench: report_daily_summary.sql, same days, 64 clients (baseline)" "$ds_pg" "" ""
row "pgbench: the same, 4 clients" "$ds_pg4" "" ""
read -r lb_rps lb_p99 lb_bad < <(wrk_run "$PORT_uncached" "$LB" "$WORK/days.lua")
row "leaderboard (30 days), cache miss" "$lb_rps" "$lb_p99" "$lb_bad"
LB_SUBST=("\$1='713'" "\$2='CCW'" "\$3::date=(current_date - :d::int - 29)"
          "\$4::date=(current_date - :d::int)" "\$5::text='conversions'"
          "\$6::text='desc'" "\$7::int=50")
lb_pg=$(pgbench_run $CONNS report_leaderboard.sql "${LB_SUBST[@]}")
lb_pg4=$(pgbench_run 4 report_leaderboard.sql "${LB_SUBST[@]}")
row "pgbench: report_leaderboard.sql, 64 clients (baseline)" "$lb_pg" "" ""
row "pgbench: the same, 4 clients" "$lb_pg4" "" ""
read -r dc_rps dc_p99 dc_bad < <(wrk_run "$PORT_uncached_4" "$DS" "$WORK/days.lua")
row "daily-summary, cache miss, 4 API threads (the remote-database default)" "$dc_rps" "$dc_p99" "$dc_bad"
read -r lc_rps lc_p99 lc_bad < <(wrk_run "$PORT_uncached_4" "$LB" "$WORK/days.lua")
row "leaderboard, cache miss, 4 API threads" "$lc_rps" "$lc_p99" "$lc_bad"
read -r w_rps w_p99 w_bad < <(wrk_run "$PORT_cached" "${DS/DAY/$YDAY}")
row "daily-summary, cache warm" "$w_rps" "$w_p99" "$w_bad"
LBW=${LB/FROMDAY/$FROM}
read -r wl_rps wl_p99 wl_bad < <(wrk_run "$PORT_cached" "${LBW/DAY/$YDAY}")
row "leaderboard, cache warm" "$wl_rps" "$wl_p99" "$wl_bad"

# The heat map over a year, cache miss, against the old QUERIES.sql state
# query over the raw order table (median of 3, ms, from psql): one client
# asking for year-long maps ending on a random one of the last 30 days,
# each a new parameter set, for the median and p99 of its latency.
cat > "$WORK/year.lua" <<'LUA'
local base = os.getenv("SR_PATH")
request = function()
  local back = math.random(1, 30)
  local to = os.date("!%Y-%m-%d", os.time() - 86400 * back)
  local from = os.date("!%Y-%m-%d", os.time() - 86400 * (back + 364))
  return wrk.format("GET", base .. "&from=" .. from .. "&to=" .. to,
                    wrk.headers)
end
done = function(summary, latency, requests)
  io.write(string.format("HM %.2f %.2f %d\n", latency:percentile(50) / 1000,
                         latency:percentile(99) / 1000,
                         summary.errors.status))
end
LUA
read -r _ hm_med hm_p99 hm_bad < <(SR_PATH="/v1/reports/state-heatmap?brand=CCW" \
  wrk -t1 -c1 -d${SECS}s -H "Authorization: Bearer $TOKEN" -s "$WORK/year.lua" \
  "http://127.0.0.1:$PORT_uncached/" | grep '^HM ')
old_ms=()
for _ in 1 2 3; do
  old_ms+=("$(psql "$DB" -X -Atq -c '\timing on' -c "
    SELECT billing_state, count(DISTINCT orders_id),
           count(DISTINCT billing_email),
           round(sum(total_amount::numeric), 2),
           round(avg(total_amount::numeric), 2)
      FROM s3_exports.orders_create
     WHERE order_status = 'NEW' AND total_amount::numeric > 85
     GROUP BY billing_state ORDER BY 4 DESC" | awk '/^Time:/ {print $2}')")
done
med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
old_med=$(med "${old_ms[@]}")
echo
echo "| state heat map, a year, cache miss | median ms | p99 ms | non-2xx |"
echo "|---|---|---|---|"
echo "| GET /v1/reports/state-heatmap (wrk, 1 connection, a new range each) | $hm_med | $hm_p99 | $hm_bad |"
echo "| old QUERIES.sql state query over the raw orders (baseline, psql) | $old_med | | |"
echo
awk -v ds="$ds_rps" -v dsp="$ds_pg" -v lb="$lb_rps" -v lbp="$lb_pg" \
    -v dsp4="$ds_pg4" -v lbp4="$lb_pg4" -v dsq="$ds_p99" -v lbq="$lb_p99" \
    -v wq="$w_p99" -v dcq="$dc_p99" -v lcq="$lc_p99" \
    -v w="$w_rps" -v h="$h_rps" -v hm="$hm_med" -v hmq="$hm_p99" \
    -v old="$old_med" 'BEGIN {
  printf "daily-summary miss / pgbench: %.2fx at 64 clients, %.2fx at 4 (target >= 0.70); p99 %s ms (%s ms with 4 API threads) (target <= 50)\n", ds / dsp, ds / dsp4, dsq, dcq
  printf "leaderboard miss / pgbench: %.2fx at 64 clients, %.2fx at 4 (target >= 0.70); p99 %s ms (%s ms with 4 API threads) (target <= 50)\n", lb / lbp, lb / lbp4, lbq, lcq
  printf "warm daily-summary / healthz: %.2fx (target >= 0.50, and >= 10000 req/s, p99 <= 5 ms: %s ms)\n", w / h, wq
  printf "heat map: %.0fx faster than the old query (target >= 100x); p99 %s ms (target <= 50)\n", old / hm, hmq
}'
