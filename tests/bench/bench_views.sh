#!/usr/bin/env bash
# bench_views.sh -- full scans of the typed order views, before and after
# the parallel-safe conversions (migration 0008).
#
#   tests/bench/bench_views.sh CONNINFO
#
# Runs on the database bench_s3.sh has just loaded (its 650k order rows).
# The "before" views are built here, in a scratch schema, from the
# conversion 0006 shipped: a PL/pgSQL function with an EXCEPTION block.
# Those can only run serially (a parallel plan fails with "cannot start
# subtransactions during a parallel operation", which is the bug), so
# they are timed with parallel workers off, and the parallel attempt is
# shown failing.  The current views are timed with the planner's own
# choice (parallel allowed, as in production) and serially.  Each figure is
# the median of three runs in this same process, alternating.
set -euo pipefail
DB=$1
psql_q() { psql "$DB" -X -v ON_ERROR_STOP=1 -Atq "$@"; }

ROWS_CREATE=$(psql_q -c "SELECT count(*) FROM s3_exports.orders_create")
ROWS_UPDATE=$(psql_q -c "SELECT count(*) FROM s3_exports.orders_update")

psql_q <<'SQL'
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS bench_before CASCADE;
CREATE SCHEMA bench_before;
CREATE FUNCTION bench_before.to_order_time(d text, t text) RETURNS timestamp
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  m text[];
  h int;
BEGIN
  IF d !~ '^[0-9]{2}/[0-9]{2}/[0-9]{4}$' THEN
    RETURN NULL;
  END IF;
  m := regexp_match(coalesce(t, ''), '^([0-9]{1,2}):([0-9]{2}) ?([AaPp])[Mm]$');
  IF m IS NULL THEN
    RETURN make_date(substr(d, 7, 4)::int, substr(d, 1, 2)::int,
                     substr(d, 4, 2)::int)::timestamp;
  END IF;
  h := m[1]::int;
  IF h < 1 OR h > 12 OR m[2]::int > 59 THEN
    RETURN NULL;
  END IF;
  h := h % 12 + CASE WHEN upper(m[3]) = 'P' THEN 12 ELSE 0 END;
  RETURN make_timestamp(substr(d, 7, 4)::int, substr(d, 1, 2)::int,
                        substr(d, 4, 2)::int, h, m[2]::int, 0);
EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
  RETURN NULL;
END $$;
-- The current views' text with only the time conversion swapped.
DO $$
DECLARE v text;
BEGIN
  FOREACH v IN ARRAY ARRAY['orders_create_typed', 'orders_update_typed'] LOOP
    EXECUTE format('CREATE VIEW bench_before.%I AS %s', v,
      replace(pg_get_viewdef(format('s3_exports.%I', v)::regclass),
              'signalroom.to_order_time', 'bench_before.to_order_time'));
  END LOOP;
  EXECUTE 'CREATE VIEW bench_before.orders_current AS ' ||
    replace(pg_get_viewdef('s3_exports.orders_current'::regclass),
            's3_exports.', 'bench_before.');
END $$;
ANALYZE s3_exports.orders_create, s3_exports.orders_update;
SQL

# One timed query: prints milliseconds (server-side execution via
# EXPLAIN ANALYZE would change the plan's cost; psql's \timing is the
# round trip, which for a one-row answer is the query).
timed() {  # schema view parallel(on|off)
  local settings="" query
  [ "$3" = off ] && settings="SET max_parallel_workers_per_gather = 0;"
  query="SELECT count(ordered_at), sum(total_amount), count(*) FILTER (WHERE refunded) FROM $1.$2"
  psql "$DB" -X -v ON_ERROR_STOP=1 -q -c "$settings" -c '\timing on' \
    -c "$query" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
}
median3() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
workers() {  # schema view: the workers the planner chose
  psql_q -c "EXPLAIN SELECT count(ordered_at) FROM $1.$2" \
    | sed -n 's/.*Workers Planned: \([0-9]*\).*/\1/p' | head -1
}

declare -A T
for view in orders_create_typed orders_current; do
  for pass in 1 2 3; do
    T[$view,before,$pass]=$(timed bench_before "$view" off)
    T[$view,after_serial,$pass]=$(timed s3_exports "$view" off)
    T[$view,after,$pass]=$(timed s3_exports "$view" on)
  done
done
# The bug itself: the old views under the planner's own (parallel) plan.
if err=$(psql "$DB" -X -v ON_ERROR_STOP=1 -q -c \
    "SELECT count(ordered_at) FROM bench_before.orders_current" 2>&1 >/dev/null); then
  BEFORE_PARALLEL="ran (the planner chose a serial plan)"
else
  BEFORE_PARALLEL="fails: $(printf '%s' "$err" | head -1 | sed 's/^ERROR: *//')"
fi
psql_q -c "SET client_min_messages = warning" -c "DROP SCHEMA bench_before CASCADE"

echo "Order views: orders_create $ROWS_CREATE rows, orders_update $ROWS_UPDATE rows"
echo "(query: count(ordered_at), sum(total_amount), refunded count over the view; median of 3, ms)"
echo
echo "| view | before (0006, serial only) | after, serial | after, parallel allowed (workers) | before / after |"
echo "|---|---|---|---|---|"
for view in orders_create_typed orders_current; do
  b=$(median3 "${T[$view,before,1]}" "${T[$view,before,2]}" "${T[$view,before,3]}")
  s=$(median3 "${T[$view,after_serial,1]}" "${T[$view,after_serial,2]}" "${T[$view,after_serial,3]}")
  a=$(median3 "${T[$view,after,1]}" "${T[$view,after,2]}" "${T[$view,after,3]}")
  awk -v v="$view" -v b="$b" -v s="$s" -v a="$a" -v w="$(workers s3_exports "$view")" \
    'BEGIN { printf "| %s | %.0f | %.0f | %.0f (%s) | %.1fx |\n", v, b, s, a, (w == "" ? 0 : w), b / a }'
done
echo
echo "before, parallel plan allowed: $BEFORE_PARALLEL"
