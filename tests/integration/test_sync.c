/*
 * test_sync.c -- Everflow and Redtrack syncs end to end: the real binary
 * (`signalroom sync`), the upstream simulators, a real PostgreSQL, and
 * crafted data with known answers.
 */
#include "check.h"
#include "harness.h"
#include "upstreams.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define EF_KEY "ef-key-0123456789abcdef"
#define RT_KEY "rt-key-0123456789abcdef"

static struct sr_sim sim;
static char conninfo[1024];
static PGconn *pg;
static bool up;

static void
base_env (struct sr_th_env *env)
{
  sr_th_env_add (env, "DATABASE_URL", conninfo);
  sr_sim_env (&sim, env, EF_KEY, RT_KEY);
  sr_th_env_add (env, "SIGNALROOM_UPSTREAM_BACKOFF_MS", "20");
  sr_th_env_add (env, "SIGNALROOM_UPSTREAM_TIMEOUT", "2");
}

/* Run `signalroom sync SOURCE FROM TO` (with one extra variable when
 * @a name is not NULL); parse its JSON line. */
static json_t *
sync_run_with (const char *name, const char *value, const char *source,
               const char *from, const char *to, int *code, char **err_out)
{
  struct sr_th_env env = { 0 };
  const char *argv[] = { "sync", source, "--from", from, "--to", to, NULL };
  char *out, *err;
  json_t *j;

  /* The extra variable first: the child's getenv() takes the first of
   * two same-named entries, so it overrides base_env()'s value. */
  if (NULL != name)
    sr_th_env_add (&env, name, value);
  base_env (&env);
  *code = sr_th_run (&env, argv, &out, &err);
  j = json_loads (out, 0, NULL);
  if (NULL == j)
    fprintf (stderr, "sync printed no JSON: stdout=%s stderr=%s\n", out, err);
  /* The keys never reach the output or the log, even in errors. */
  CHECK (NULL == strstr (out, EF_KEY) && NULL == strstr (err, EF_KEY));
  CHECK (NULL == strstr (out, RT_KEY) && NULL == strstr (err, RT_KEY));
  free (out);
  if (NULL != err_out)
    *err_out = err;
  else
    free (err);
  return j;
}

static json_t *
sync_run (const char *source, const char *from, const char *to, int *code,
          char **err_out)
{
  return sync_run_with (NULL, NULL, source, from, to, code, err_out);
}

static json_int_t
jint (json_t *o, const char *path1, const char *path2)
{
  json_t *v = json_object_get (o, path1);

  if (NULL != path2)
    v = json_object_get (v, path2);
  return json_integer_value (v);
}

static const char *
jstr (json_t *o, const char *key)
{
  return json_string_value (json_object_get (o, key));
}

static void
sim_data (int port, const char *json)
{
  int status = 0;

  CHECK (sr_sim_post (port, "/_sim/data", json, &status));
  CHECK_INT_EQ (status, 200);
}

static void
reset (void)
{
  int status = 0;

  CHECK (sr_sim_post (sim.everflow_port, "/_sim/reset", "{}", &status));
  CHECK (sr_sim_post (sim.redtrack_port, "/_sim/reset", "{}", &status));
  sr_th_pg_value (pg, "TRUNCATE everflow.daily_stats, redtrack.daily_spend");
}

static const char *
q (const char *sql)
{
  return sr_th_pg_value (pg, sql);
}

SR_TEST (test_start)
{
  struct sr_th_env env = { 0 };
  const char *const argv[] = { "migrate", NULL };

  if (!sr_th_create_db ("sr_sync", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  REQUIRE (sr_sim_start (&sim, EF_KEY, RT_KEY));
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  REQUIRE (0 == sr_th_run (&env, argv, NULL, NULL));
  pg = sr_th_pg (conninfo);
  up = true;
}

#define EF_ROW(date, aff, afflabel, adv, advlabel, clicks, cv, rev, pay)    \
  "{\"date\":\"" date "\",\"affiliate_id\":" #aff ",\"affiliate_label\":\"" \
  afflabel "\",\"advertiser_id\":" #adv ",\"advertiser_label\":\"" advlabel \
  "\",\"clicks\":" #clicks ",\"conversions\":" #cv ",\"revenue\":\"" rev    \
  "\",\"payout\":\"" pay "\"}"

SR_TEST (test_everflow_dates_across_dst)
{
  json_t *r;
  int code;

  REQUIRE (up);
  reset ();
  sim_data (sim.everflow_port,
            "{\"rows\":["
            EF_ROW ("2025-03-08", 11, "Blue Bench Media LLC", 1, "CCW", 10, 1,
                    "30.00", "20.00") ","
            EF_ROW ("2025-03-09", 11, "Blue Bench Media LLC", 1, "CCW", 20, 2,
                    "60.00", "40.00") ","
            EF_ROW ("2025-03-10", 11, "Blue Bench Media LLC", 1, "CCW", 30, 3,
                    "90.00", "60.00") ","
            EF_ROW ("2025-11-01", 11, "Blue Bench Media LLC", 1, "CCW", 40, 4,
                    "120.00", "80.00") ","
            EF_ROW ("2025-11-02", 11, "Blue Bench Media LLC", 1, "CCW", 50, 5,
                    "150.00", "100.00") ","
            EF_ROW ("2025-11-03", 11, "Blue Bench Media LLC", 1, "CCW", 60, 6,
                    "180.00", "120.00") "]}");
  r = sync_run ("everflow", "2025-03-08", "2025-03-10", &code, NULL);
  CHECK_INT_EQ (code, 0);
  CHECK_STR_EQ (jstr (r, "status"), "succeeded");
  CHECK_INT_EQ (jint (r, "rows", "inserted"), 3);
  json_decref (r);
  r = sync_run ("everflow", "2025-11-01", "2025-11-03", &code, NULL);
  CHECK_INT_EQ (code, 0);
  json_decref (r);
  /* Each row is filed under its own New York day, conversions intact. */
  CHECK_STR_EQ (q ("SELECT string_agg(date || ':' || conversions, ',' "
                   "ORDER BY date) FROM everflow.daily_stats"),
                "2025-03-08:1,2025-03-09:2,2025-03-10:3,"
                "2025-11-01:4,2025-11-02:5,2025-11-03:6");
  /* Money kept exact. */
  CHECK_STR_EQ (q ("SELECT sum(payout)::text FROM everflow.daily_stats"),
                "420.00");
}

SR_TEST (test_everflow_cap_splitting)
{
  struct sr_buf_rows {
    char text[16384];
  } b;
  json_t *r;
  int code, status, len = 0;
  char *err;

  REQUIRE (up);
  reset ();
  /* 3 days x 2 advertisers x 3 affiliates = 18 rows; cap 5: the window
   * splits to days (6 rows each, still capped), then per advertiser. */
  len += snprintf (b.text + len, sizeof (b.text) - (size_t) len, "{\"rows\":[");
  for (int d = 1; d <= 3; d++)
    for (int adv = 1; adv <= 2; adv++)
      for (int aff = 1; aff <= 3; aff++)
        len += snprintf (b.text + len, sizeof (b.text) - (size_t) len,
                         "%s{\"date\":\"2025-06-0%d\",\"affiliate_id\":%d,"
                         "\"affiliate_label\":\"Aff %d\",\"advertiser_id\":%d,"
                         "\"advertiser_label\":\"%s\",\"clicks\":%d,"
                         "\"conversions\":%d,\"revenue\":\"%d.50\","
                         "\"payout\":\"%d.25\"}",
                         (1 == d && 1 == adv && 1 == aff) ? "" : ",", d, aff,
                         aff, adv, 1 == adv ? "CCW" : "EXP", d * 100 + aff,
                         d + aff, d * 10, d * 5);
  snprintf (b.text + len, sizeof (b.text) - (size_t) len, "]}");
  sim_data (sim.everflow_port, b.text);
  CHECK (sr_sim_post (sim.everflow_port, "/_sim/config", "{\"row_cap\":5}",
                      &status));
  r = sync_run ("everflow", "2025-06-01", "2025-06-03", &code, NULL);
  CHECK_INT_EQ (code, 0);
  CHECK_INT_EQ (jint (r, "rows", "inserted"), 18);
  CHECK_INT_EQ (jint (r, "fetched", NULL), 18);
  /* Every piece over the cap is split: days 1-3 (capped), day 1 (capped:
   * its advertiser list, then advertisers 1 and 2), days 2-3 (capped),
   * day 2 and day 3 (each like day 1): 1 + 4 + 1 + 4 + 4 = 14 requests,
   * as the simulator counted them too. */
  CHECK_INT_EQ (jint (r, "requests", NULL), 14);
  CHECK_INT_EQ (sr_sim_request_count (sim.everflow_port), 14);
  json_decref (r);
  CHECK_STR_EQ (q ("SELECT count(*) || ':' || sum(clicks) FROM "
                   "everflow.daily_stats"), "18:3636");

  /* A single day and advertiser over the cap cannot be fetched whole:
   * the sync fails, says so, and leaves the stored rows alone. */
  CHECK (sr_sim_post (sim.everflow_port, "/_sim/config", "{\"row_cap\":2}",
                      &status));
  r = sync_run ("everflow", "2025-06-01", "2025-06-03", &code, &err);
  CHECK_INT_EQ (code, 1);
  CHECK_STR_EQ (jstr (r, "status"), "failed");
  CHECK_CONTAINS (jstr (r, "error"), "everflow 2025-06-01..2025-06-03");
  CHECK_CONTAINS (jstr (r, "error"), "10,000-row cap");
  CHECK_CONTAINS (jstr (r, "error"), "advertiser 1");
  json_decref (r);
  free (err);
  CHECK_STR_EQ (q ("SELECT count(*) FROM everflow.daily_stats"), "18");
}

SR_TEST (test_restatement_replaces_window)
{
  json_t *r;
  int code;

  REQUIRE (up);
  reset ();
  sim_data (sim.everflow_port,
            "{\"rows\":["
            EF_ROW ("2025-05-01", 11, "Blue Bench Media LLC", 1, "CCW", 10, 1,
                    "30.00", "20.00") ","
            EF_ROW ("2025-05-02", 11, "Blue Bench Media LLC", 1, "CCW", 20, 2,
                    "60.00", "40.00") ","
            EF_ROW ("2025-05-02", 12, "Venture Beyond", 1, "CCW", 5, 1,
                    "35.00", "25.00") ","
            EF_ROW ("2025-05-05", 12, "Venture Beyond", 1, "CCW", 7, 1,
                    "35.00", "25.00") "]}");
  r = sync_run ("everflow", "2025-05-01", "2025-05-05", &code, NULL);
  CHECK_INT_EQ (jint (r, "rows", "inserted"), 4);
  json_decref (r);
  /* Upstream restates: 05-01 changes, Venture Beyond's 05-02 row
   * vanishes, a new affiliate appears, 05-05 stays the same. */
  sim_data (sim.everflow_port,
            "{\"rows\":["
            EF_ROW ("2025-05-01", 11, "Blue Bench Media LLC", 1, "CCW", 10, 2,
                    "60.00", "40.00") ","
            EF_ROW ("2025-05-02", 11, "Blue Bench Media LLC", 1, "CCW", 20, 2,
                    "60.00", "40.00") ","
            EF_ROW ("2025-05-02", 13, "ProfitFuel", 1, "CCW", 9, 3,
                    "90.00", "66.60") ","
            EF_ROW ("2025-05-05", 12, "Venture Beyond", 1, "CCW", 7, 1,
                    "35.00", "25.00") "]}");
  /* A window that covers 05-01..05-02 only: 05-05 is outside it. */
  r = sync_run ("everflow", "2025-05-01", "2025-05-02", &code, NULL);
  CHECK_INT_EQ (code, 0);
  CHECK_INT_EQ (jint (r, "rows", "inserted"), 1);
  CHECK_INT_EQ (jint (r, "rows", "updated"), 1);
  CHECK_INT_EQ (jint (r, "rows", "deleted"), 1);
  json_decref (r);
  CHECK_STR_EQ (q ("SELECT string_agg(date || '/' || affiliate_id || '/' || "
                   "conversions || '/' || payout, ',' ORDER BY date, "
                   "affiliate_id) FROM everflow.daily_stats"),
                "2025-05-01/11/2/40.00,2025-05-02/11/2/40.00,"
                "2025-05-02/13/3/66.60,2025-05-05/12/1/25.00");
  /* The same data again changes nothing. */
  r = sync_run ("everflow", "2025-05-01", "2025-05-02", &code, NULL);
  CHECK_INT_EQ (jint (r, "rows", "inserted") + jint (r, "rows", "updated")
                + jint (r, "rows", "deleted"), 0);
  json_decref (r);
}

SR_TEST (test_everflow_one_advertiser)
{
  json_t *r;
  int code;

  REQUIRE (up);
  reset ();
  sim_data (sim.everflow_port,
            "{\"rows\":["
            EF_ROW ("2025-05-20", 11, "Blue Bench Media LLC", 1, "CCW", 10, 1,
                    "30.00", "20.00") ","
            EF_ROW ("2025-05-20", 11, "Blue Bench Media LLC", 2, "EXP", 10, 2,
                    "30.00", "20.00") ","
            EF_ROW ("2025-05-20", 12, "Venture Beyond", 2, "EXP", 10, 3,
                    "30.00", "20.00") "]}");
  json_decref (sync_run ("everflow", "2025-05-20", "2025-05-20", &code,
                         NULL));
  REQUIRE (0 == code);
  /* Upstream drops every CCW row and one EXP row; a sync of EXP alone
   * replaces EXP's rows and leaves CCW's as they were. */
  sim_data (sim.everflow_port,
            "{\"rows\":["
            EF_ROW ("2025-05-20", 12, "Venture Beyond", 2, "EXP", 10, 4,
                    "30.00", "20.00") "]}");
  r = sync_run_with ("EVERFLOW_ADVERTISER_ID", "2", "everflow", "2025-05-20",
                     "2025-05-20", &code, NULL);
  CHECK_INT_EQ (code, 0);
  CHECK_INT_EQ (jint (r, "rows", "deleted"), 1);
  CHECK_INT_EQ (jint (r, "rows", "updated"), 1);
  json_decref (r);
  CHECK_STR_EQ (q ("SELECT string_agg(advertiser_id || '/' || affiliate_id "
                   "|| '/' || conversions, ',' ORDER BY advertiser_id, "
                   "affiliate_id) FROM everflow.daily_stats"),
                "1/11/1,2/12/4");
  /* The filter went to Everflow in its documented shape. */
  {
    char *log = sr_sim_get (sim.everflow_port, "/_sim/requests");

    CHECK_CONTAINS (log, "\"resource_type\":\"advertiser\"");
    CHECK_CONTAINS (log, "\"filter_id_value\":\"2\"");
    free (log);
  }
}

#define RT_ROW(date, sid, name, alias, clicks, conv, cost)                   \
  "{\"date\":\"" date "\",\"source_id\":\"" sid "\",\"source\":\"" name      \
  "\",\"source_alias\":\"" alias "\",\"clicks\":" #clicks                    \
  ",\"conversions\":" #conv ",\"total_conversions\":50,\"cost\":\"" cost "\"}"

SR_TEST (test_redtrack_conversions_and_skips)
{
  json_t *r;
  int code;

  REQUIRE (up);
  reset ();
  sim_data (sim.redtrack_port,
            "{\"rows\":["
            RT_ROW ("2025-05-01", "66c79f91be26fd4634569658", "Facebook CCW",
                    "facebook", 1000, 0, "1000.00") ","
            RT_ROW ("2025-05-01", "62b29551c6880d00014d8c73", "Google Ads CCW",
                    "google", 300, null, "234.56") ","
            RT_ROW ("2025-05-01", "", "(none)", "", 12, 1, "0") ","
            "{\"date\":\"2025-05-01\",\"source_id\":\"aaaaaaaaaaaaaaaaaaaaaaaa\","
            "\"source\":\"Tigresh Facebook CCW\",\"source_alias\":\"facebook\","
            "\"clicks\":40,\"total_conversions\":9,\"cost\":\"99.99\"}"
            "]}");
  r = sync_run ("redtrack", "2025-05-01", "2025-05-01", &code, NULL);
  CHECK_INT_EQ (code, 0);
  CHECK_INT_EQ (jint (r, "rows", "inserted"), 3);
  CHECK_INT_EQ (jint (r, "rows", "skipped"), 1);
  CHECK_INT_EQ (jint (r, "details", "skipped_without_source_id"), 1);
  json_decref (r);
  /* conversions 0, null and absent are all 0: never total_conversions. */
  CHECK_STR_EQ (q ("SELECT string_agg(source_name || ':' || conversions || "
                   "':' || cost, ',' ORDER BY source_name) FROM "
                   "redtrack.daily_spend"),
                "Facebook CCW:0:1000.00,Google Ads CCW:0:234.56,"
                "Tigresh Facebook CCW:0:99.99");
}

SR_TEST (test_redtrack_paging)
{
  char *text = malloc (400000);
  int len = 0;
  json_t *r;
  int code;

  REQUIRE (up && NULL != text);
  reset ();
  len += snprintf (text, 400000, "{\"rows\":[");
  for (int i = 0; i < 1203; i++)
    len += snprintf (text + len, 400000 - (size_t) len,
                     "%s{\"date\":\"2025-05-03\",\"source_id\":\"%024x\","
                     "\"source\":\"S%d\",\"source_alias\":\"facebook\","
                     "\"clicks\":%d,\"conversions\":1,\"total_conversions\":1,"
                     "\"cost\":\"1.01\"}", i ? "," : "", i + 1, i, 5000 - i);
  snprintf (text + len, 400000 - (size_t) len, "]}");
  sim_data (sim.redtrack_port, text);
  free (text);
  r = sync_run ("redtrack", "2025-05-03", "2025-05-03", &code, NULL);
  CHECK_INT_EQ (code, 0);
  CHECK_INT_EQ (jint (r, "rows", "inserted"), 1203);
  CHECK_INT_EQ (jint (r, "requests", NULL), 2);
  json_decref (r);
  CHECK_STR_EQ (q ("SELECT count(DISTINCT source_id) || ':' || sum(cost) "
                   "FROM redtrack.daily_spend"), "1203:1215.03");
}

/* Pacing as Redtrack sees it: the gaps between the requests' arrival at
 * the simulator, not our own count.  120 a minute is one per 0.5 s. */
SR_TEST (test_redtrack_pacing_seen_by_upstream)
{
  char *log;
  json_t *r, *reqs;
  int code;
  double prev = -1, min_gap = 1e9;
  size_t n;

  REQUIRE (up);
  reset ();
  r = sync_run_with ("REDTRACK_REQUESTS_PER_MINUTE", "120", "redtrack",
                     "2025-05-20", "2025-05-24", &code, NULL);
  CHECK_INT_EQ (code, 0);
  json_decref (r);
  log = sr_sim_get (sim.redtrack_port, "/_sim/requests");
  REQUIRE (NULL != log);
  r = json_loads (log, 0, NULL);
  free (log);
  reqs = json_object_get (r, "requests");
  n = json_array_size (reqs);
  CHECK_INT_EQ (n, 5);   /* one a day, no page beyond the first */
  for (size_t i = 0; i < n; i++) {
    double t = json_real_value (json_object_get (json_array_get (reqs, i),
                                                 "t"));

    if (prev >= 0 && t - prev < min_gap)
      min_gap = t - prev;
    prev = t;
  }
  /* At least the interval (less a little for the two clocks' reading
   * points), and not absurdly more. */
  CHECK (min_gap >= 0.45);
  CHECK (min_gap < 5.0);
  json_decref (r);
}

/* Without dates, the CLI syncs the trailing SIGNALROOM_RESYNC_DAYS days
 * ending today in the reporting time zone (today computed here by
 * PostgreSQL, not by signalroom). */
SR_TEST (test_default_window_is_trailing_resync_days)
{
  struct sr_th_env env = { 0 };
  const char *argv[] = { "sync", "everflow", NULL };
  char *out, *err, today[16], first[16];
  json_t *r;

  REQUIRE (up);
  reset ();
  snprintf (today, sizeof (today), "%s",
            q ("SELECT (now() AT TIME ZONE 'America/New_York')::date"));
  snprintf (first, sizeof (first), "%s",
            q ("SELECT (now() AT TIME ZONE 'America/New_York')::date - 4"));
  base_env (&env);
  sr_th_env_add (&env, "SIGNALROOM_RESYNC_DAYS", "5");
  CHECK_INT_EQ (sr_th_run (&env, argv, &out, &err), 0);
  r = json_loads (out, 0, NULL);
  CHECK_STR_EQ (jstr (r, "from"), first);
  CHECK_STR_EQ (jstr (r, "to"), today);
  json_decref (r);
  free (out);
  free (err);
  /* And the default of 3 days. */
  memset (&env, 0, sizeof (env));
  base_env (&env);
  CHECK_INT_EQ (sr_th_run (&env, argv, &out, &err), 0);
  r = json_loads (out, 0, NULL);
  snprintf (first, sizeof (first), "%s",
            q ("SELECT (now() AT TIME ZONE 'America/New_York')::date - 2"));
  CHECK_STR_EQ (jstr (r, "from"), first);
  CHECK_STR_EQ (jstr (r, "to"), today);
  json_decref (r);
  free (out);
  free (err);
}

static void
load_mapping_file (void)
{
  struct sr_th_env env = { 0 };
  const char *argv[] = { "mapping", "load",
                         SR_SOURCE_DIR "/tests/data/internal-affiliates.csv",
                         NULL };
  char *out;

  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  CHECK_INT_EQ (sr_th_run (&env, argv, &out, NULL), 0);
  CHECK_CONTAINS (out, "\"rows\":18");
  free (out);
}

SR_TEST (test_performance_and_cpa)
{
  json_t *r;
  int code;

  REQUIRE (up);
  reset ();
  load_mapping_file ();
  /* CCW on 2025-05-10.  Internal: G2 - Meta (Everflow has it twice, once
   * with a trailing space) with spend from two mapped Facebook sources.
   * External: Blue Bench.  BHS is mapped but external. */
  sim_data (sim.everflow_port,
            "{\"rows\":["
            EF_ROW ("2025-05-10", 1, "G2 - Meta", 1, "CCW", 900, 30,
                    "1500.00", "0") ","
            EF_ROW ("2025-05-10", 17, "G2 - Meta ", 1, "CCW", 90, 7,
                    "350.00", "0") ","
            EF_ROW ("2025-05-10", 11, "Blue Bench Media LLC", 1, "CCW", 500,
                    17, "850.00", "555.55") ","
            EF_ROW ("2025-05-10", 5, "BHS", 1, "CCW", 50, 4, "200.00",
                    "100.00") ","
            EF_ROW ("2025-05-10", 12, "Venture Beyond", 1, "CCW", 5, 0,
                    "0", "0") "]}");
  sim_data (sim.redtrack_port,
            "{\"rows\":["
            RT_ROW ("2025-05-10", "66c79f91be26fd4634569658", "Facebook CCW",
                    "facebook", 1000, 20, "1000.00") ","
            RT_ROW ("2025-05-10", "628fd466f765760001f37209",
                    "Facebook AWF CCW", "facebook", 200, 5, "234.56") ","
            RT_ROW ("2025-05-10", "68a3991afcfc495698310fee",
                    "Facebook CCW BHS", "facebook", 100, 3, "77.77") ","
            RT_ROW ("2025-05-10", "aaaaaaaaaaaaaaaaaaaaaaaa",
                    "Tigresh Facebook CCW", "facebook", 40, 1, "210.72") ","
            RT_ROW ("2025-05-10", "68ae2e73d5616519ce48e5e3", "Facebook CTI",
                    "facebook", 10, 0, "12.34") ","
            RT_ROW ("2025-05-10", "6883b1f8b5c72b423a7543a8",
                    "Google Ads AWF2 SB", "google", 10, 0, "45.00") "]}");
  r = sync_run ("everflow", "2025-05-10", "2025-05-10", &code, NULL);
  CHECK_INT_EQ (code, 0);
  json_decref (r);
  r = sync_run ("redtrack", "2025-05-10", "2025-05-10", &code, NULL);
  CHECK_INT_EQ (code, 0);
  json_decref (r);

  /* Trailing-space labels are one affiliate; its cost is the spend of
   * its mapped sources, counted once: 1234.56 / 37 = 33.366 -> 33.37. */
  CHECK_STR_EQ (q ("SELECT conversions || '|' || redtrack_cost || '|' || "
                   "cost || '|' || cpa || '|' || is_internal FROM "
                   "daily_performance WHERE date = '2025-05-10' AND "
                   "advertiser_id = 1 AND affiliate_label = 'G2 - Meta'"),
                "37|1234.56|1234.56|33.37|true");
  CHECK_STR_EQ (q ("SELECT count(*) FROM daily_performance WHERE "
                   "affiliate_label LIKE 'G2 - Meta%'"), "1");
  /* External: payout / conversions = 555.55 / 17 = 32.679 -> 32.68. */
  CHECK_STR_EQ (q ("SELECT cost || '|' || cpa || '|' || is_internal FROM "
                   "daily_performance WHERE affiliate_label = "
                   "'Blue Bench Media LLC'"), "555.55|32.68|false");
  /* BHS is mapped but external: cost is its payout, not its spend. */
  CHECK_STR_EQ (q ("SELECT cost || '|' || redtrack_cost || '|' || cpa FROM "
                   "daily_performance WHERE affiliate_label = 'BHS'"),
                "100.00|77.77|25.00");
  /* No conversions: CPA 0, not a division by zero. */
  CHECK_STR_EQ (q ("SELECT cpa FROM daily_performance WHERE "
                   "affiliate_label = 'Venture Beyond'"), "0");
  /* Internal spend on a day Everflow shows nothing for the affiliate
   * still counts (SB - Google: 45.00, 0 conversions). */
  CHECK_STR_EQ (q ("SELECT conversions || '|' || cost || '|' || cpa FROM "
                   "daily_performance WHERE affiliate_label = 'SB - Google'"),
                "0|45.00|0");
  /* Spend no internal affiliate's cost includes, with the reason. */
  CHECK_STR_EQ (q ("SELECT string_agg(source_name || '=' || cost || '=' || "
                   "reason, ';' ORDER BY source_name) FROM unmapped_spend"),
                "Facebook CCW BHS=77.77=mapped to an external affiliate: its "
                "cost is the Everflow payout;"
                "Facebook CTI=12.34=mapping has no Everflow affiliate;"
                "Tigresh Facebook CCW=210.72=source not in the affiliate "
                "mapping");
  /* Nothing is lost: every cent of spend is in exactly one place. */
  CHECK_STR_EQ (q ("SELECT (SELECT sum(redtrack_cost) FROM daily_performance "
                   "WHERE is_internal) + (SELECT sum(cost) FROM "
                   "unmapped_spend) = (SELECT sum(cost) FROM "
                   "redtrack.daily_spend)"), "t");
}

/*
 * Both brands on the same two days, each brand's figures asserted on its
 * own: the mapping sends "Facebook EXP" to G2 - Meta for EXP (advertiser
 * 2) and "Facebook CCW"/"Facebook AWF CCW" to G2 - Meta for CCW, so an
 * affiliate label shared across brands must never mix their spend.  Every
 * expected figure below is worked out by hand from the rows.
 */
SR_TEST (test_two_brands_same_affiliate)
{
  json_t *r;
  int code;

  REQUIRE (up);
  reset ();
  load_mapping_file ();
  sim_data (sim.everflow_port,
            "{\"rows\":["
            EF_ROW ("2025-06-01", 1, "G2 - Meta", 1, "CCW", 400, 10,
                    "500.00", "0") ","
            EF_ROW ("2025-06-01", 1, "G2 - Meta", 2, "EXP", 200, 4,
                    "300.00", "0") ","
            EF_ROW ("2025-06-01", 6, "SB - Google", 1, "CCW", 30, 3,
                    "90.00", "0") ","
            EF_ROW ("2025-06-02", 1, "G2 - Meta", 1, "CCW", 300, 7,
                    "350.00", "0") ","
            EF_ROW ("2025-06-02", 1, "G2 - Meta", 2, "EXP", 100, 2,
                    "150.00", "0") "]}");
  sim_data (sim.redtrack_port,
            "{\"rows\":["
            RT_ROW ("2025-06-01", "66c79f91be26fd4634569658", "Facebook CCW",
                    "facebook", 900, 9, "300.00") ","
            RT_ROW ("2025-06-01", "628fd466f765760001f37209",
                    "Facebook AWF CCW", "facebook", 100, 1, "33.33") ","
            RT_ROW ("2025-06-01", "67c097f0aee15ff71f3f99aa", "Facebook EXP",
                    "facebook", 500, 4, "120.00") ","
            /* Mapped to SB - Google but with no advertiser: no brand's
             * cost, listed as unmapped with that reason. */
            RT_ROW ("2025-06-01", "6807cdb766fd1829467446e8",
                    "Google Ads Auto Insurance Stephanie", "google", 50, 0,
                    "45.67") ","
            RT_ROW ("2025-06-02", "66c79f91be26fd4634569658", "Facebook CCW",
                    "facebook", 800, 7, "100.05") ","
            RT_ROW ("2025-06-02", "67c097f0aee15ff71f3f99aa", "Facebook EXP",
                    "facebook", 300, 2, "50.01") "]}");
  r = sync_run ("everflow", "2025-06-01", "2025-06-02", &code, NULL);
  CHECK_INT_EQ (code, 0);
  json_decref (r);
  r = sync_run ("redtrack", "2025-06-01", "2025-06-02", &code, NULL);
  CHECK_INT_EQ (code, 0);
  json_decref (r);

  /* CCW: (300.00 + 33.33) / 10 = 33.333 -> 33.33; then 100.05 / 7 =
   * 14.2928... -> 14.29. */
  CHECK_STR_EQ (q ("SELECT string_agg(date || '|' || conversions || '|' || "
                   "cost || '|' || cpa, ';' ORDER BY date) FROM "
                   "daily_performance WHERE advertiser_id = 1 AND "
                   "affiliate_label = 'G2 - Meta'"),
                "2025-06-01|10|333.33|33.33;2025-06-02|7|100.05|14.29");
  /* EXP: 120.00 / 4 = 30.00; 50.01 / 2 = 25.005, exactly half a cent,
   * rounded half up in decimal -> 25.01 (binary floating point would
   * give 25.00). */
  CHECK_STR_EQ (q ("SELECT string_agg(date || '|' || conversions || '|' || "
                   "cost || '|' || cpa, ';' ORDER BY date) FROM "
                   "daily_performance WHERE advertiser_id = 2 AND "
                   "affiliate_label = 'G2 - Meta'"),
                "2025-06-01|4|120.00|30.00;2025-06-02|2|50.01|25.01");
  /* One row per brand, day and affiliate: nothing joined twice. */
  CHECK_STR_EQ (q ("SELECT count(*) || '|' || count(DISTINCT (date, "
                   "advertiser_id, affiliate_label)) FROM daily_performance"),
                "5|5");
  /* The no-advertiser source costs no brand anything. */
  CHECK_STR_EQ (q ("SELECT conversions || '|' || cost || '|' || cpa || '|' "
                   "|| is_internal FROM daily_performance WHERE "
                   "affiliate_label = 'SB - Google'"), "3|0|0.00|true");
  CHECK_STR_EQ (q ("SELECT cost || '=' || reason FROM unmapped_spend"),
                "45.67=mapping has no Everflow advertiser");
  /* Every cent of spend lands in exactly one place. */
  CHECK_STR_EQ (q ("SELECT (SELECT sum(redtrack_cost) FROM daily_performance "
                   "WHERE is_internal) || '|' || (SELECT sum(cost) FROM "
                   "unmapped_spend) || '|' || (SELECT sum(cost) FROM "
                   "redtrack.daily_spend)"), "603.39|45.67|649.06");
}

SR_TEST (test_faults_leave_window_intact)
{
  static const char *const faults[] = {
    "{\"faults\":[{\"status\":401}]}",
    "{\"faults\":[{\"malformed\":true}]}",
    "{\"faults\":[{\"truncate\":true,\"count\":10}]}",
    "{\"faults\":[{\"short_body\":true}]}",
    "{\"faults\":[{\"wrong_types\":true}]}",
    "{\"faults\":[{\"missing_fields\":true}]}",
    "{\"faults\":[{\"status\":503,\"count\":10}]}",
    "{\"faults\":[{\"delay_ms\":4000,\"count\":10}]}",
  };
  static const char *const expect[] = {
    "HTTP 401", "not valid JSON", "partial file", "not valid JSON",
    "not a count",
    "no columns/reporting", "HTTP 503", "Timeout"
  };
  int code, status;

  REQUIRE (up);
  reset ();
  sim_data (sim.everflow_port,
            "{\"rows\":["
            EF_ROW ("2025-04-01", 11, "Blue Bench Media LLC", 1, "CCW", 10, 1,
                    "30.00", "20.00") "]}");
  json_decref (sync_run ("everflow", "2025-04-01", "2025-04-01", &code,
                         NULL));
  REQUIRE (0 == code);
  sim_data (sim.everflow_port,
            "{\"rows\":["
            EF_ROW ("2025-04-01", 11, "Blue Bench Media LLC", 1, "CCW", 10, 9,
                    "30.00", "99.00") "]}");
  for (size_t i = 0; i < sizeof (faults) / sizeof (faults[0]); i++) {
    json_t *r;

    CHECK (sr_sim_post (sim.everflow_port, "/_sim/faults", faults[i],
                        &status));
    r = sync_run ("everflow", "2025-04-01", "2025-04-01", &code, NULL);
    CHECK_INT_EQ (code, 1);
    CHECK_STR_EQ (jstr (r, "status"), "failed");
    CHECK_CONTAINS (jstr (r, "error"), "everflow 2025-04-01..2025-04-01");
    CHECK_CONTAINS (jstr (r, "error"), expect[i]);
    json_decref (r);
    /* The stored window is the old one, whole. */
    CHECK_STR_EQ (q ("SELECT count(*) || ':' || sum(conversions) FROM "
                     "everflow.daily_stats"), "1:1");
    CHECK (sr_sim_post (sim.everflow_port, "/_sim/reset", "{}", &status));
    sim_data (sim.everflow_port,
              "{\"rows\":["
              EF_ROW ("2025-04-01", 11, "Blue Bench Media LLC", 1, "CCW", 10,
                      9, "30.00", "99.00") "]}");
  }
}

SR_TEST (test_redtrack_bad_bodies)
{
  static const char *const faults[] = {
    "{\"faults\":[{\"malformed\":true}]}",
    "{\"faults\":[{\"short_body\":true}]}",
    "{\"faults\":[{\"wrong_types\":true}]}",
    "{\"faults\":[{\"missing_fields\":true}]}",
  };
  static const char *const expect[] = {
    "not valid JSON", "not valid JSON", "source_id is not a string",
    "clicks is missing"
  };
  int code, status;

  REQUIRE (up);
  reset ();
  sim_data (sim.redtrack_port,
            "{\"rows\":["
            RT_ROW ("2025-04-03", "66c79f91be26fd4634569658", "Facebook CCW",
                    "facebook", 10, 1, "10.00") ","
            RT_ROW ("2025-04-03", "62b29551c6880d00014d8c73", "Google Ads CCW",
                    "google", 5, 1, "5.00") "]}");
  json_decref (sync_run ("redtrack", "2025-04-03", "2025-04-03", &code,
                         NULL));
  REQUIRE (0 == code);
  for (size_t i = 0; i < sizeof (faults) / sizeof (faults[0]); i++) {
    json_t *r;

    CHECK (sr_sim_post (sim.redtrack_port, "/_sim/faults", faults[i],
                        &status));
    r = sync_run ("redtrack", "2025-04-03", "2025-04-03", &code, NULL);
    CHECK_INT_EQ (code, 1);
    CHECK_CONTAINS (jstr (r, "error"), "redtrack 2025-04-03..2025-04-03");
    CHECK_CONTAINS (jstr (r, "error"), expect[i]);
    json_decref (r);
    CHECK_STR_EQ (q ("SELECT count(*) || ':' || sum(cost) FROM "
                     "redtrack.daily_spend"), "2:15.00");
  }
}

SR_TEST (test_transient_errors_retried)
{
  json_t *r;
  int code, status;

  REQUIRE (up);
  reset ();
  sim_data (sim.redtrack_port,
            "{\"rows\":["
            RT_ROW ("2025-04-02", "66c79f91be26fd4634569658", "Facebook CCW",
                    "facebook", 10, 1, "10.00") "]}");
  /* Two 5xx, then a 429 that names its wait: the sync gets there. */
  CHECK (sr_sim_post (sim.redtrack_port, "/_sim/faults",
                      "{\"faults\":[{\"status\":502,\"count\":2},"
                      "{\"status\":429,\"retry_after\":1}]}", &status));
  r = sync_run ("redtrack", "2025-04-02", "2025-04-02", &code, NULL);
  CHECK_INT_EQ (code, 0);
  CHECK_INT_EQ (jint (r, "requests", NULL), 4);
  CHECK_INT_EQ (jint (r, "retries", NULL), 3);
  CHECK (jint (r, "duration_ms", NULL) >= 1000);
  json_decref (r);
  CHECK_STR_EQ (q ("SELECT count(*) FROM redtrack.daily_spend"), "1");

  /* A bad key is not retried. */
  CHECK (sr_sim_post (sim.redtrack_port, "/_sim/faults",
                      "{\"faults\":[{\"status\":401}]}", &status));
  r = sync_run ("redtrack", "2025-04-02", "2025-04-02", &code, NULL);
  CHECK_INT_EQ (code, 1);
  CHECK_INT_EQ (jint (r, "requests", NULL), 1);
  CHECK_CONTAINS (jstr (r, "error"), "redtrack 2025-04-02..2025-04-02");
  CHECK_CONTAINS (jstr (r, "error"), "api_key=REDACTED");
  json_decref (r);
}

SR_TEST (test_unconfigured_source)
{
  struct sr_th_env env = { 0 };
  const char *argv[] = { "sync", "everflow", "--from", "2025-01-01", "--to",
                         "2025-01-01", NULL };
  char *out;
  json_t *r;

  REQUIRE (up);
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  CHECK_INT_EQ (sr_th_run (&env, argv, &out, NULL), 1);
  r = json_loads (out, 0, NULL);
  CHECK_CONTAINS (jstr (r, "error"), "EVERFLOW_API_KEY");
  json_decref (r);
  free (out);
}

SR_TEST (test_stop)
{
  REQUIRE (up);
  PQfinish (pg);
  sr_sim_stop (&sim);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_start),
              SR_TEST_ENTRY (test_everflow_dates_across_dst),
              SR_TEST_ENTRY (test_everflow_cap_splitting),
              SR_TEST_ENTRY (test_restatement_replaces_window),
              SR_TEST_ENTRY (test_everflow_one_advertiser),
              SR_TEST_ENTRY (test_redtrack_conversions_and_skips),
              SR_TEST_ENTRY (test_redtrack_paging),
              SR_TEST_ENTRY (test_redtrack_pacing_seen_by_upstream),
              SR_TEST_ENTRY (test_default_window_is_trailing_resync_days),
              SR_TEST_ENTRY (test_performance_and_cpa),
              SR_TEST_ENTRY (test_two_brands_same_affiliate),
              SR_TEST_ENTRY (test_faults_leave_window_intact),
              SR_TEST_ENTRY (test_redtrack_bad_bodies),
              SR_TEST_ENTRY (test_transient_errors_retried),
              SR_TEST_ENTRY (test_unconfigured_source),
              SR_TEST_ENTRY (test_stop))
