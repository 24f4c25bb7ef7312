/*
 * test_parallel_views.c -- every view and every example query runs under
 * parallel plans, on loaded and analysed tables, the way production runs
 * them; and the order-time conversion gives what an independent,
 * exception-based reference gives.
 *
 * The views are listed from the catalog, so a view added later is covered
 * without editing this file.  Parallel plans are forced with the planner
 * settings a large table would lead to anyway, plus force_parallel_mode
 * (debug_parallel_query from PostgreSQL 16), which runs every parallel-safe
 * plan in a worker: a function that claims PARALLEL SAFE but cannot run
 * there fails here.
 */
#include "check.h"
#include "harness.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

static char conninfo[1024];
static PGconn *pg;
static bool up;

/* Run @a sql; on error print it with the statement and return false. */
static bool
run (const char *sql)
{
  PGresult *r = PQexec (pg, sql);
  ExecStatusType st = PQresultStatus (r);
  bool ok = (PGRES_COMMAND_OK == st || PGRES_TUPLES_OK == st);

  if (!ok)
    fprintf (stderr, "SQL failed: %s\n  in: %.600s\n", PQerrorMessage (pg),
             sql);
  PQclear (r);
  return ok;
}

static const char *
q (const char *sql)
{
  return sr_th_pg_value (pg, sql);
}

/* The whole plan of @a query as one string (static buffer). */
static const char *
plan (const char *query)
{
  static char text[16384];
  char sql[1024];
  PGresult *r;
  size_t used = 0;

  snprintf (sql, sizeof (sql), "EXPLAIN (VERBOSE) %s", query);
  r = PQexec (pg, sql);
  text[0] = '\0';
  for (int i = 0; PGRES_TUPLES_OK == PQresultStatus (r)
       && i < PQntuples (r) && used < sizeof (text) - 1; i++)
    used += (size_t) snprintf (text + used, sizeof (text) - used, "%s\n",
                               PQgetvalue (r, i, 0));
  PQclear (r);
  return text;
}

SR_TEST (test_start)
{
  struct sr_th_env env = { 0 };
  const char *const argv[] = { "migrate", NULL };

  if (!sr_th_create_db ("sr_parallel", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  REQUIRE (0 == sr_th_run (&env, argv, NULL, NULL));
  pg = sr_th_pg (conninfo);
  up = true;
}

/*
 * Order dates and times as exports hold them, junk included.  Every
 * combination of these goes through the conversion.
 */
static const char *const dates[] = {
  "12/01/2025", "01/31/2025", "02/28/2025", "02/29/2024", "02/29/2000",
  "02/29/2025", "02/29/2100", "02/30/2024", "04/31/2025", "06/30/2025",
  "09/31/2025", "11/30/2025", "12/31/9999", "01/01/0001", "01/01/0000",
  "00/10/2025", "13/01/2025", "10/00/2025", "10/32/2025", "1/02/2025",
  "2025-01-02", "01/02/25", " 01/02/2025", "01/02/2025 ", "", "ab/cd/efgh",
  NULL
};
static const char *const times[] = {
  "12:00 AM", "12:59 AM", "1:05 pm", "01:05 PM", "11:59 PM", "12:30 PM",
  "9:07AM", "09:07 am", "13:00 PM", "0:10 AM", "00:10 AM", "9:60 AM",
  "99:99 PM", "10:5 AM", "10:05", "noon", "", " 9:07 AM", "9:07 AM ", NULL
};

static void
sql_literal (char *out, size_t len, const char *v)
{
  if (NULL == v)
    snprintf (out, len, "NULL");
  else
    snprintf (out, len, "'%s'", v);
}

/* A few conversions worked out by hand. */
SR_TEST (test_order_time_known_answers)
{
  static const char *const cases[][3] = {
    { "02/29/2024", "1:05 pm", "2024-02-29 13:05:00" },
    { "12/31/2025", "12:00 AM", "2025-12-31 00:00:00" },
    { "12/31/2025", "12:30 PM", "2025-12-31 12:30:00" },
    { "07/04/2025", "11:59 PM", "2025-07-04 23:59:00" },
    { "07/04/2025", "9:07AM", "2025-07-04 09:07:00" },
    { "07/04/2025", "", "2025-07-04 00:00:00" },
    { "07/04/2025", "noon", "2025-07-04 00:00:00" },
    { "02/29/2000", NULL, "2000-02-29 00:00:00" },
    { "02/29/2100", "1:05 PM", "null" },
    { "02/29/2025", "1:05 PM", "null" },
    { "04/31/2025", "1:05 PM", "null" },
    { "01/01/0000", "1:05 PM", "null" },
    { "13/01/2025", "1:05 PM", "null" },
    { "07/04/2025", "13:00 PM", "null" },
    { "07/04/2025", "0:10 AM", "null" },
    { "07/04/2025", "9:60 AM", "null" },
    { "2025-07-04", "9:07 AM", "null" },
  };
  char sql[512], d[64], t[64];

  REQUIRE (up);
  for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++)
  {
    sql_literal (d, sizeof (d), cases[i][0]);
    sql_literal (t, sizeof (t), cases[i][1]);
    snprintf (sql, sizeof (sql), "SELECT coalesce(signalroom.to_order_time"
              "(%s, %s)::text, 'null')", d, t);
    CHECK_STR_EQ (q (sql), cases[i][2]);
  }
}

/*
 * The reference: the straightforward implementation that lets
 * make_date()/make_timestamp() reject bad dates and catches the error.
 * It is correct but cannot run in a parallel worker (it needs a
 * subtransaction), which is why the product does not use it.
 */
static const char reference_fn[] =
  "CREATE FUNCTION pg_temp.ref_order_time(d text, t text) RETURNS timestamp"
  " LANGUAGE plpgsql AS $$ DECLARE m text[]; h int; BEGIN"
  "  IF d !~ '^[0-9]{2}/[0-9]{2}/[0-9]{4}$' THEN RETURN NULL; END IF;"
  "  m := regexp_match(coalesce(t, ''),"
  "                    '^([0-9]{1,2}):([0-9]{2}) ?([AaPp])[Mm]$');"
  "  IF m IS NULL THEN RETURN make_date(substr(d, 7, 4)::int,"
  "    substr(d, 1, 2)::int, substr(d, 4, 2)::int)::timestamp; END IF;"
  "  h := m[1]::int;"
  "  IF h < 1 OR h > 12 OR m[2]::int > 59 THEN RETURN NULL; END IF;"
  "  h := h % 12 + CASE WHEN upper(m[3]) = 'P' THEN 12 ELSE 0 END;"
  "  RETURN make_timestamp(substr(d, 7, 4)::int, substr(d, 1, 2)::int,"
  "    substr(d, 4, 2)::int, h, m[2]::int, 0);"
  " EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN"
  "  RETURN NULL; END $$";

SR_TEST (test_order_time_matches_reference)
{
  char sql[1024], d[64], t[64];

  REQUIRE (up);
  REQUIRE (run ("SET max_parallel_workers_per_gather = 0"));
  REQUIRE (run (reference_fn));
  REQUIRE (run ("CREATE TEMP TABLE cases (d text, t text)"));
  for (size_t i = 0; i < sizeof (dates) / sizeof (dates[0]); i++)
    for (size_t j = 0; j < sizeof (times) / sizeof (times[0]); j++)
    {
      sql_literal (d, sizeof (d), dates[i]);
      sql_literal (t, sizeof (t), times[j]);
      snprintf (sql, sizeof (sql), "INSERT INTO cases VALUES (%s, %s)", d, t);
      REQUIRE (run (sql));
    }
  /* Every calendar position of four kinds of year, at two times. */
  REQUIRE (run ("INSERT INTO cases SELECT lpad(m::text, 2, '0') || '/' || "
                "lpad(dd::text, 2, '0') || '/' || y, t FROM "
                "generate_series(0, 13) m, generate_series(0, 32) dd, "
                "unnest('{0000,0001,1900,2000,2023,2024,2100,9999}'::text[]) y, "
                "unnest('{\"11:45 PM\",\"\"}'::text[]) t"));
  /* 27 x 20 listed pairs, 14 x 33 x 8 x 2 calendar positions. */
  CHECK_STR_EQ (q ("SELECT count(*) FROM cases"), "7932");
  CHECK_STR_EQ (q ("SELECT count(*) FROM cases WHERE "
                   "signalroom.to_order_time(d, t) IS DISTINCT FROM "
                   "pg_temp.ref_order_time(d, t)"), "0");
  /* The comparison is not vacuous: both kinds of answer occur. */
  CHECK (0 < atoi (q ("SELECT count(*) FROM cases WHERE "
                      "pg_temp.ref_order_time(d, t) IS NULL")));
  CHECK (0 < atoi (q ("SELECT count(*) FROM cases WHERE "
                      "pg_temp.ref_order_time(d, t) IS NOT NULL")));
  REQUIRE (run ("DROP TABLE cases"));
  REQUIRE (run ("RESET max_parallel_workers_per_gather"));
}

/*
 * Rows in every table the views read: order exports (junk cells among
 * them), Everflow and Redtrack days for both brands, a mapping.  Dates are
 * relative to today so the example queries find them.
 */
static const char *const load[] = {
  "INSERT INTO s3_exports.orders_create (orders_id, order_date, order_time,"
  " order_status, total_amount, product_price, refund_amount, refund_flag,"
  " chargeback_flag, void_flag, fraud_flag, is_recurring, is_test_cc,"
  " product_category, affid, billing_state, _file_name, _row_id,"
  " _file_date, _client_id)"
  " SELECT CASE WHEN g % 997 = 0 THEN 'x' || g ELSE g::text END,"
  "  CASE WHEN g % 101 = 0 THEN '02/30/2025'"
  "       ELSE to_char(current_date - g % 10, 'MM/DD/YYYY') END,"
  "  CASE WHEN g % 89 = 0 THEN '13:00 PM' ELSE (g % 12 + 1) || ':'"
  "       || lpad((g % 60)::text, 2, '0') || CASE WHEN g % 2 = 0"
  "       THEN ' AM' ELSE ' PM' END END,"
  "  CASE WHEN g % 3 = 0 THEN 'DECLINED' ELSE 'NEW' END,"
  "  CASE WHEN g % 211 = 0 THEN 'n/a' ELSE (g % 90 + 9.95)::text END,"
  "  '9.95', '', CASE WHEN g % 7 = 0 THEN 'YES' ELSE 'NO' END, 'NO', 'NO',"
  "  'NO', 'NO', 'NO', CASE WHEN g % 2 = 0 THEN 'CCW' ELSE 'EXP' END,"
  "  (g % 40)::text, 'TX', 'orders-create/f' || g / 5000 || '.csv', g,"
  "  current_date - g % 10, '713'"
  " FROM generate_series(1, 30000) g",
  "INSERT INTO s3_exports.orders_update SELECT * FROM s3_exports.orders_create"
  " WHERE _row_id % 4 = 0",
  "UPDATE s3_exports.orders_update SET order_status = 'REFUNDED',"
  " refund_flag = 'YES', _file_name = replace(_file_name, 'create', 'update')",
  "INSERT INTO s3_exports.prospects_create SELECT * FROM"
  " s3_exports.orders_create WHERE _row_id % 3 = 0",
  "INSERT INTO everflow.daily_stats (date, affiliate_id, affiliate_label,"
  " advertiser_id, advertiser_label, clicks, conversions, revenue, payout,"
  " profit, _client_id)"
  " SELECT current_date - d, a, CASE a % 4 WHEN 0 THEN 'G2 - Meta '"
  "   WHEN 1 THEN 'SB - Google' ELSE 'Affiliate ' || a END, adv,"
  "   CASE adv WHEN 1 THEN 'CCW' ELSE 'EXP' END, 100, a % 9, 50.00, 30.00,"
  "   20.00, '713'"
  " FROM generate_series(0, 60) d, generate_series(1, 60) a,"
  "  generate_series(1, 2) adv",
  "INSERT INTO signalroom.affiliate_mapping (client_id, redtrack_source_id,"
  " redtrack_source_name, everflow_affiliate_id, everflow_affiliate_label,"
  " everflow_advertiser_id, everflow_advertiser_label, line)"
  " SELECT '713', 's' || s, 'Source ' || s, s,"
  "  CASE s % 3 WHEN 0 THEN 'G2 - Meta' WHEN 1 THEN 'SB - Google' END,"
  "  CASE WHEN s % 5 <> 0 THEN s % 2 + 1 END, 'CCW', s"
  " FROM generate_series(1, 40) s",
  "INSERT INTO reports.snapshots (report, brand, date, data)"
  " SELECT 'daily-summary', b, current_date - d, ('{\"brand\": \"' || b"
  "  || '\"}')::jsonb FROM generate_series(1, 5) d, unnest(ARRAY['CCW', 'EXP']) b",
  "INSERT INTO redtrack.daily_spend (date, source_id, source_name,"
  " source_alias, clicks, conversions, cost, _client_id)"
  " SELECT current_date - d, 's' || s, 'Source ' || s, '', 10, 1,"
  "  (s * 1.17)::numeric(12,2), '713'"
  " FROM generate_series(0, 60) d, generate_series(1, 50) s",
  /* What the loads do in their transactions (the rows above were put in
   * behind their back): the report rollups follow. */
  "SELECT reports.refresh_performance('713', '-infinity', 'infinity')",
  "DO $$ DECLARE f record; BEGIN"
  " FOR f IN SELECT DISTINCT 'orders_create' AS t, _file_name AS n"
  "  FROM s3_exports.orders_create UNION ALL SELECT DISTINCT"
  "  'orders_update', _file_name FROM s3_exports.orders_update ORDER BY 2"
  " LOOP PERFORM reports.orders_file_loaded(f.t, f.n); END LOOP; END $$",
  "ANALYZE",
};

static bool
force_parallel (void)
{
  bool pg16 = atoi (q ("SHOW server_version_num")) >= 160000;

  return run ("SET parallel_setup_cost = 0")
         && run ("SET parallel_tuple_cost = 0")
         && run ("SET min_parallel_table_scan_size = 0")
         && run ("SET min_parallel_index_scan_size = 0")
         && run ("SET max_parallel_workers_per_gather = 2")
         && run (pg16 ? "SET debug_parallel_query = on"
                 : "SET force_parallel_mode = on");
}

SR_TEST (test_load)
{
  REQUIRE (up);
  for (size_t i = 0; i < sizeof (load) / sizeof (load[0]); i++)
    CHECK (run (load[i]));
  CHECK_STR_EQ (q ("SELECT count(*) FROM s3_exports.orders_create"), "30000");
}

/*
 * Every view in our schemas, each of its columns computed (the whole-row
 * reference makes the view produce every column; count(*) alone would let
 * the planner skip the conversions).
 */
SR_TEST (test_every_view_under_forced_parallel)
{
  PGresult *views;
  int n;

  REQUIRE (up);
  REQUIRE (force_parallel ());
  views = PQexec (pg, "SELECT format('SELECT count(*) FROM %I.%I v WHERE "
                  "v::text IS NOT NULL', schemaname, viewname), "
                  "schemaname || '.' || viewname FROM pg_views WHERE "
                  "schemaname IN ('public', 'signalroom', 's3_exports', "
                  "'everflow', 'redtrack', 'reports') ORDER BY 2");
  REQUIRE (PGRES_TUPLES_OK == PQresultStatus (views));
  n = PQntuples (views);
  /* The five of 0004-0006 and 0005 at least; more as views are added. */
  CHECK (n >= 7);
  for (int i = 0; i < n; i++)
  {
    const char *sql = PQgetvalue (views, i, 0);

    if (!run (sql))
      fprintf (stderr, "  view %s fails under a parallel plan\n",
               PQgetvalue (views, i, 1));
    else if (0 == atoi (q (sql)))
    {
      /* A view with no rows here proves nothing: give it data in load[]. */
      fprintf (stderr, "  view %s has no rows\n", PQgetvalue (views, i, 1));
      CHECK (false);
    }
  }
  PQclear (views);
  /* The test is only worth something if the plans really are parallel. */
  CHECK_CONTAINS (plan ("SELECT count(ordered_at) FROM "
                        "s3_exports.orders_current"), "Gather");
  CHECK_CONTAINS (plan ("SELECT count(ordered_at) FROM "
                        "s3_exports.orders_create_typed"),
                  "Parallel Seq Scan");
  CHECK (run ("RESET ALL"));
}

/* Functions in our schemas that catch errors cannot be parallel safe. */
SR_TEST (test_no_parallel_safe_function_catches_errors)
{
  REQUIRE (up);
  CHECK_STR_EQ (q ("SELECT coalesce(string_agg(p.oid::regprocedure::text, "
                   "', '), 'none') FROM pg_proc p JOIN pg_namespace n ON "
                   "n.oid = p.pronamespace JOIN pg_language l ON l.oid = "
                   "p.prolang WHERE n.nspname IN ('public', 'signalroom', "
                   "'s3_exports', 'everflow', 'redtrack', 'reports') AND l.lanname = "
                   "'plpgsql' AND p.proparallel = 's' AND p.prosrc ~* "
                   "'\\mexception\\s+when\\M'"), "none");
  /* And the conversions the views use are inlined, not called per row. */
  {
    const char *p = plan ("SELECT ordered_at FROM "
                          "s3_exports.orders_create_typed");

    CHECK_CONTAINS (p, "make_timestamp");
    CHECK (NULL == strstr (p, "to_order_time"));
  }
}

static int
name_cmp (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/*
 * The queries `make demo` shows, after ANALYZE, with the planner's own
 * choice and with parallel plans forced; each must return rows.
 */
SR_TEST (test_demo_queries_after_analyze)
{
  char dir[1024], path[2048];
  char *names[64];
  size_t n = 0;
  DIR *d;
  struct dirent *e;

  REQUIRE (up);
  snprintf (dir, sizeof (dir), "%s/tests/tools/demo-queries", SR_SOURCE_DIR);
  d = opendir (dir);
  REQUIRE (NULL != d);
  while (NULL != (e = readdir (d)) && n < 64)
    if (NULL != strstr (e->d_name, ".sql"))
      names[n++] = strdup (e->d_name);
  closedir (d);
  qsort (names, n, sizeof (names[0]), name_cmp);
  CHECK (n >= 3);
  for (int pass = 0; pass < 2; pass++)
  {
    CHECK (run ("RESET ALL"));
    if (1 == pass)
      CHECK (force_parallel ());
    for (size_t i = 0; i < n; i++)
    {
      char *sql;
      PGresult *r;

      snprintf (path, sizeof (path), "%s/%s", dir, names[i]);
      sql = sr_test_slurp (path);
      REQUIRE (NULL != sql);
      r = PQexec (pg, sql);
      if (PGRES_TUPLES_OK != PQresultStatus (r))
        fprintf (stderr, "%s (pass %d): %s\n", names[i], pass,
                 PQerrorMessage (pg));
      CHECK (PGRES_TUPLES_OK == PQresultStatus (r));
      CHECK (PQntuples (r) > 0);
      PQclear (r);
      free (sql);
    }
  }
  for (size_t i = 0; i < n; i++)
    free (names[i]);
  CHECK (run ("RESET ALL"));
}

/*
 * The order counts kept file by file (reports.orders_file_loaded) equal a
 * count made from scratch through orders_current, another code path (the
 * typed views and DISTINCT ON); so do the kept performance rows and
 * public.daily_performance.  Then a re-export that drops orders from an
 * update file: those orders fall back to their create rows.
 */
static const char rollup_diff[] =
  "WITH cur AS (SELECT _client_id AS c, coalesce(product_category, '') AS pc,"
  " coalesce(ordered_at::date, _file_date) AS day,"
  " upper(btrim(order_status)) AS st, total_amount AS t,"
  " coalesce(refunded, false) AS rf FROM s3_exports.orders_current),"
  " fresh AS (SELECT c, pc, day, st, count(*) AS n, sum(coalesce(t, 0)) AS rev,"
  " count(*) FILTER (WHERE rf) AS refunds FROM cur WHERE day IS NOT NULL"
  " GROUP BY 1, 2, 3, 4),"
  " kept AS (SELECT client_id, product_category, day, status, orders,"
  " revenue, refunds FROM reports.order_rollup WHERE dim = 'total')"
  " SELECT (SELECT count(*) FROM kept) || ' ' || (SELECT count(*) FROM"
  " ((SELECT * FROM fresh EXCEPT SELECT * FROM kept) UNION ALL"
  " (SELECT * FROM kept EXCEPT SELECT * FROM fresh)) AS x)";

/* The rows kept and how many differ from the fresh count ("kept diff"). */
static bool
rollup_matches (void)
{
  long kept = -1, differ = -1;

  if (2 != sscanf (q (rollup_diff), "%ld %ld", &kept, &differ))
    return false;
  if (0 != differ)
    fprintf (stderr, "order rollup: %ld of %ld rows differ from a fresh "
             "count\n", differ, kept);
  return kept > 0 && 0 == differ;
}

SR_TEST (test_rollups_equal_full_recompute)
{
  REQUIRE (up);
  CHECK (run ("RESET ALL"));
  CHECK (rollup_matches ());
  CHECK_STR_EQ (q ("SELECT count(*) FROM ((SELECT date, advertiser_id,"
                   " affiliate_label, conversions, cost, is_internal,"
                   " _client_id FROM public.daily_performance EXCEPT"
                   " SELECT date, advertiser_id, affiliate_label,"
                   " conversions, cost, is_internal, client_id FROM"
                   " reports.performance_days) UNION ALL (SELECT date,"
                   " advertiser_id, affiliate_label, conversions, cost,"
                   " is_internal, client_id FROM reports.performance_days"
                   " EXCEPT SELECT date, advertiser_id, affiliate_label,"
                   " conversions, cost, is_internal, _client_id FROM"
                   " public.daily_performance)) AS x"), "0");
  /* The per-day totals are the sums of public.daily_performance. */
  CHECK_STR_EQ (q ("SELECT count(*) FROM ((SELECT _client_id, advertiser_id,"
                   " date, is_internal, sum(conversions), sum(cost),"
                   " sum(everflow_revenue) FROM public.daily_performance"
                   " GROUP BY 1, 2, 3, 4 EXCEPT SELECT client_id,"
                   " advertiser_id, date, is_internal, conversions, cost,"
                   " revenue FROM reports.performance_totals) UNION ALL"
                   " (SELECT client_id, advertiser_id, date, is_internal,"
                   " conversions, cost, revenue FROM"
                   " reports.performance_totals EXCEPT SELECT _client_id,"
                   " advertiser_id, date, is_internal, sum(conversions),"
                   " sum(cost), sum(everflow_revenue) FROM"
                   " public.daily_performance GROUP BY 1, 2, 3, 4)) x"), "0");
  /* Every state dimension sums to the total. */
  CHECK_STR_EQ (q ("SELECT count(*) FROM (SELECT day, status, sum(orders)"
                   " FILTER (WHERE dim = 'state') AS s, sum(orders) FILTER"
                   " (WHERE dim = 'total') AS t FROM reports.order_rollup"
                   " GROUP BY 1, 2) x WHERE s IS DISTINCT FROM t"), "0");
  CHECK (run ("DELETE FROM s3_exports.orders_update WHERE _file_name ="
              " 'orders-update/f1.csv' AND _row_id % 8 = 0"));
  CHECK_STR_EQ (q ("SELECT reports.orders_file_loaded('orders_update',"
                   " 'orders-update/f1.csv') > 0"), "t");
  CHECK (rollup_matches ());
  /* A rebuild from scratch keeps exactly what the loads kept. */
  CHECK (run ("CREATE TEMP TABLE kept AS SELECT * FROM reports.order_rollup"));
  CHECK_STR_EQ (q ("SELECT reports.rebuild_orders('713') > 0"), "t");
  CHECK_STR_EQ (q ("SELECT count(*) FROM ((SELECT * FROM kept EXCEPT"
                   " SELECT * FROM reports.order_rollup) UNION ALL (SELECT *"
                   " FROM reports.order_rollup EXCEPT SELECT * FROM kept)) x"),
                "0");
  CHECK (rollup_matches ());
}

SR_TEST (test_stop)
{
  if (NULL != pg)
    PQfinish (pg);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_start),
              SR_TEST_ENTRY (test_order_time_known_answers),
              SR_TEST_ENTRY (test_order_time_matches_reference),
              SR_TEST_ENTRY (test_load),
              SR_TEST_ENTRY (test_every_view_under_forced_parallel),
              SR_TEST_ENTRY (test_no_parallel_safe_function_catches_errors),
              SR_TEST_ENTRY (test_demo_queries_after_analyze),
              SR_TEST_ENTRY (test_rollups_equal_full_recompute),
              SR_TEST_ENTRY (test_stop))
