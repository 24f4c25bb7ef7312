/*
 * test_anomalies.c -- anomaly detection end to end: loads through the
 * real binary (`signalroom sync`) from the Everflow/Redtrack simulator and
 * the signature-checking S3 server into a real PostgreSQL, the alerts
 * they queue in the outbox, the API, and the scheduler's deadline.
 *
 * The data is crafted: five weeks of ordinary variation, then one day off
 * its band.  The band the detector should use is computed here, from the
 * same formulas that made the data, not read back from the database.
 */
#include "check.h"
#include "harness.h"
#include "s3server.h"
#include "upstreams.h"

#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EF_KEY "ef-anom-key-0123456789"
#define RT_KEY "rt-anom-key-0123456789"
#define AK "AKIDSIGNALROOMANOM"
#define SK "secret-signalroom-anomalies-0123"
#define BUCKET "anomaly-test-bucket"
#define SECRET "anom-secret-0123456789abcdef0123456789"
#define SMS_TO "+15550001111"

/* The thresholds' defaults (README): what "normal" means below. */
#define MAD_K 3.5
#define MIN_CHANGE 10.0
#define MIN_SHARE 0.2

/* Day 0 of the crafted series is Monday 2026-10-05; days 0..34 are five
 * normal weeks, day 35 (Monday 2026-11-09) is the one the tests bend. */
#define N_NORMAL 35

static struct sr_sim sim;
static struct sr_s3srv s3;
static struct sr_th_server srv;
static char conninfo[1024];
static PGconn *pg;
static bool up;

static const char *
q (const char *sql)
{
  return sr_th_pg_value (pg, sql);
}

static void
base_env (struct sr_th_env *env)
{
  sr_th_env_add (env, "DATABASE_URL", conninfo);
  sr_sim_env (&sim, env, EF_KEY, RT_KEY);
  sr_s3srv_env (&s3, env, AK, SK, BUCKET, "orders-create");
  sr_th_env_add (env, "SIGNALROOM_UPSTREAM_BACKOFF_MS", "20");
  /* `serve` writes these into signalroom.notify_settings at start */
  sr_th_env_add (env, "SLACK_CHANNEL_ID", "C0ANOMALY");
  sr_th_env_add (env, "ALERT_SMS_TO", SMS_TO);
}

/* `signalroom sync SOURCE [--from FROM --to TO]`: its exit code. */
static int
sync_run (const char *source, const char *from, const char *to)
{
  struct sr_th_env env = { 0 };
  const char *argv[] = { "sync", source, "--from", from, "--to", to, NULL };
  char *out = NULL, *err = NULL;
  int code;

  if (NULL == from)
    argv[2] = NULL;
  base_env (&env);
  code = sr_th_run (&env, argv, &out, &err);
  if (0 != code)
    fprintf (stderr, "sync %s: %d\n%s\n%s\n", source, code, out, err);
  free (out);
  free (err);
  return code;
}

/* ---- the crafted series ---------------------------------------------- */

static void
day_text (int i, char out[11])
{
  /* 2026-10-05 + i, within October to December 2026 */
  static const int month_days[] = { 31, 30, 31 };
  int d = 5 + i, m = 0;

  while (m < 2 && d > month_days[m]) {
    d -= month_days[m];
    m++;
  }
  snprintf (out, 11, "2026-%02d-%02d", 10 + m, d);
}

/* Ordinary variation: conversions within +-4 of a brand's base, revenue
 * $50 a conversion plus up to $60, payout (the cost of an external
 * affiliate) $20 a conversion. */
static double
conv (int brand, int i)
{
  return (brand ? 60 : 100) + ((i * 7 + brand * 5 + (i * i) % 5) % 9) - 4;
}

static double
revenue (int brand, int i)
{
  return conv (brand, i) * 50 + ((i * 3 + brand) % 7) * 10;
}

static double
payout (int brand, int i)
{
  return conv (brand, i) * 20;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median4 (double v[4])
{
  qsort (v, 4, sizeof (v[0]), cmp_double);
  return (v[1] + v[2]) / 2;
}

/* The rule, written out independently of the SQL: outside the band of
 * the four previous same weekdays of day @a i. */
static bool
outside_band (double (*f) (int, int), int brand, int i, double value,
              double *median)
{
  double h[4], dev[4], m, mad;

  for (int k = 0; k < 4; k++)
    h[k] = f (brand, i - 7 * (k + 1));
  m = median4 (h);
  for (int k = 0; k < 4; k++)
    dev[k] = fabs (h[k] - m);
  mad = median4 (dev);
  if (NULL != median)
    *median = m;
  return fabs (value - m) > MAD_K * 1.4826 * mad
         && fabs (value - m) >= MIN_CHANGE
         && fabs (value - m) >= MIN_SHARE * fabs (m);
}

/* One day of one brand off its ordinary figures. */
struct bend {
  int day, brand;
  double conv;                /* conversions */
  double money;               /* revenue and payout multiplied by this */
};

/* Everflow rows of days [first, last]: CCW (advertiser 1) and EXP (2), one
 * external affiliate each, ordinary but for @a b (NULL: none). */
static void
post_everflow (int first, int last, const struct bend *bend)
{
  size_t cap = 256 + (size_t) (last - first + 1) * 2 * 300;
  char *body = malloc (cap);
  size_t len;
  int status = 0;

  REQUIRE (NULL != body);
  len = (size_t) snprintf (body, cap, "{\"rows\":[");
  for (int i = first; i <= last; i++)
    for (int b = 0; b < 2; b++) {
      char day[11];
      bool bent = NULL != bend && i == bend->day && b == bend->brand;
      double c = bent ? bend->conv : conv (b, i);
      double money = bent ? bend->money : 1;

      day_text (i, day);
      len += (size_t) snprintf (
        body + len, cap - len,
        "%s{\"date\":\"%s\",\"affiliate_id\":%d,\"affiliate_label\":\"%s\","
        "\"advertiser_id\":%d,\"advertiser_label\":\"%s\",\"clicks\":1000,"
        "\"conversions\":%.0f,\"revenue\":\"%.2f\",\"payout\":\"%.2f\"}",
        len > 9 ? "," : "", day, 11 + b, b ? "Green Field" : "Blue Bench",
        1 + b, b ? "EXP" : "CCW", c, revenue (b, i) * money,
        payout (b, i) * money);
    }
  snprintf (body + len, cap - len, "]}");
  CHECK (sr_sim_post (sim.everflow_port, "/_sim/data", body, &status));
  CHECK_INT_EQ (status, 200);
  free (body);
}

/* Redtrack: one unmapped source spending $40 a day (under the $100 a day
 * that alerts), so every day has Redtrack rows and cost is checked. */
static void
post_redtrack (int first, int last)
{
  size_t cap = 256 + (size_t) (last - first + 1) * 300;
  char *body = malloc (cap);
  size_t len;
  int status = 0;

  REQUIRE (NULL != body);
  len = (size_t) snprintf (body, cap, "{\"rows\":[");
  for (int i = first; i <= last; i++) {
    char day[11];

    day_text (i, day);
    len += (size_t) snprintf (
      body + len, cap - len,
      "%s{\"date\":\"%s\",\"source_id\":\"66c79f91be26fd4634569658\","
      "\"source\":\"Facebook CCW\",\"source_alias\":\"facebook\","
      "\"clicks\":500,\"conversions\":5,\"total_conversions\":5,"
      "\"cost\":\"40.00\"}", i > first ? "," : "", day);
  }
  snprintf (body + len, cap - len, "]}");
  CHECK (sr_sim_post (sim.redtrack_port, "/_sim/data", body, &status));
  CHECK_INT_EQ (status, 200);
  free (body);
}

/* Monday of week six: CCW's conversions fall to 40, its money does not
 * move (so exactly one figure leaves its band). */
static const struct bend ccw_drop = { N_NORMAL, 0, 40, 1 };

static const char *
n_anomalies (void)
{
  return q ("SELECT count(*) FROM signalroom.anomalies");
}

static const char *
n_notifications (void)
{
  return q ("SELECT count(*) FROM signalroom.notifications");
}

SR_TEST (test_start)
{
  struct sr_th_env env = { 0 };
  const char *const argv[] = { "migrate", NULL };

  if (!sr_th_create_db ("sr_anomalies", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  REQUIRE (sr_sim_start_with (&sim, EF_KEY, RT_KEY,
                              (const char *[]) { "--data", "empty", NULL }));
  /* Redtrack's day-by-day requests without the simulator's rate limit
   * (pacing is test_sync's subject, not this one's). */
  REQUIRE (sr_sim_post (sim.redtrack_port, "/_sim/config",
                        "{\"rate_limit\":0}", NULL));
  REQUIRE (sr_s3srv_start (&s3, AK, SK, BUCKET));
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  REQUIRE (0 == sr_th_run (&env, argv, NULL, NULL));
  pg = sr_th_pg (conninfo);
  /* What `serve` writes at start from the same settings (the command line
   * loads below read them from the database and write none). */
  q ("UPDATE signalroom.notify_settings SET slack_channel = 'C0ANOMALY', "
     "alert_sms_to = '{" SMS_TO "}'");
  up = true;
}

SR_TEST (test_quiet_on_normal_weeks)
{
  char first[11], last[11];

  REQUIRE (up);
  /* The data is normal by the rule, computed here: no day of the fifth
   * week (the first with four weeks behind it) leaves its band. */
  for (int i = 28; i < N_NORMAL; i++)
    for (int b = 0; b < 2; b++) {
      CHECK (!outside_band (conv, b, i, conv (b, i), NULL));
      CHECK (!outside_band (revenue, b, i, revenue (b, i), NULL));
      CHECK (!outside_band (payout, b, i, payout (b, i), NULL));
    }
  day_text (0, first);
  day_text (N_NORMAL - 1, last);
  post_everflow (0, N_NORMAL - 1, NULL);
  post_redtrack (0, N_NORMAL - 1);
  CHECK_INT_EQ (sync_run ("everflow", first, last), 0);
  CHECK_INT_EQ (sync_run ("redtrack", first, last), 0);
  /* Loaded, and the detector looked at every figure: conversions,
   * revenue and cost of both brands on all seven days of week five. */
  CHECK_STR_EQ (q ("SELECT count(*) FROM reports.performance_totals"),
                "70");
  CHECK_STR_EQ (n_anomalies (), "0");
  CHECK_STR_EQ (n_notifications (), "0");
}

SR_TEST (test_band_alerts_once)
{
  char day[11], sql[512], expected[32];
  double median;
  const char *id;
  json_t *payload, *button;

  REQUIRE (up);
  CHECK (outside_band (conv, 0, N_NORMAL, 40, &median));
  CHECK (!outside_band (revenue, 0, N_NORMAL, revenue (0, N_NORMAL), NULL));
  CHECK (!outside_band (payout, 0, N_NORMAL, payout (0, N_NORMAL), NULL));
  CHECK (!outside_band (conv, 1, N_NORMAL, conv (1, N_NORMAL), NULL));
  day_text (N_NORMAL, day);
  post_everflow (0, N_NORMAL, &ccw_drop);
  post_redtrack (0, N_NORMAL);
  CHECK_INT_EQ (sync_run ("everflow", day, day), 0);
  CHECK_INT_EQ (sync_run ("redtrack", day, day), 0);
  CHECK_STR_EQ (n_anomalies (), "1");
  snprintf (expected, sizeof (expected), "%.2f", median);
  CHECK_STR_EQ (q ("SELECT kind || '/' || source || '/' || brand || '/' || "
                   "day || '/' || metric || '/' || observed || '/' || "
                   "status || '/' || critical FROM signalroom.anomalies"),
                "metric_band/everflow/CCW/2026-11-09/conversions/40/open/"
                "false");
  CHECK_STR_EQ (q ("SELECT round(expected, 2)::text FROM "
                   "signalroom.anomalies"), expected);
  /* One Slack message, keyed by the anomaly, with its id and the button;
   * no SMS (not critical). */
  id = q ("SELECT id::text FROM signalroom.anomalies");
  {
    char id_copy[24];

    snprintf (id_copy, sizeof (id_copy), "%s", id);
    CHECK_STR_EQ (n_notifications (), "1");
    CHECK_STR_EQ (q ("SELECT channel || '/' || target || '/' || kind || '/' "
                     "|| critical FROM signalroom.notifications"),
                  "slack/C0ANOMALY/anomaly/false");
    snprintf (sql, sizeof (sql), "SELECT idempotency_key = 'anomaly:%s' "
              "FROM signalroom.notifications", id_copy);
    CHECK_STR_EQ (q (sql), "t");
    payload = json_loads (q ("SELECT payload::text FROM "
                             "signalroom.notifications"), 0, NULL);
    REQUIRE (NULL != payload);
    CHECK_CONTAINS (json_string_value (json_object_get (payload, "text")),
                    "CCW conversions out of range");
    snprintf (sql, sizeof (sql), "*Anomaly %s: ", id_copy);
    CHECK_CONTAINS (json_string_value (json_object_get (payload, "text")),
                    sql);
    CHECK_CONTAINS (json_string_value (json_object_get (payload, "text")),
                    "was 40");
    button = json_array_get (json_object_get (json_array_get (
                               json_object_get (payload, "blocks"), 1),
                             "elements"), 0);
    CHECK_STR_EQ (json_string_value (json_object_get (button, "action_id")),
                  "ack_anomaly");
    CHECK_STR_EQ (json_string_value (json_object_get (button, "value")),
                  id_copy);
    json_decref (payload);
  }
}

SR_TEST (test_rerun_adds_nothing)
{
  char first[11], last[11];

  REQUIRE (up);
  /* The whole window again, both sources: the same condition is found
   * and neither recorded nor alerted twice. */
  day_text (0, first);
  day_text (N_NORMAL, last);
  CHECK_INT_EQ (sync_run ("everflow", first, last), 0);
  CHECK_INT_EQ (sync_run ("redtrack", first, last), 0);
  CHECK_STR_EQ (n_anomalies (), "1");
  CHECK_STR_EQ (n_notifications (), "1");
}

SR_TEST (test_no_band_without_four_weeks)
{
  char day[11];

  REQUIRE (up);
  /* Day 21 (Monday of week four) has three same weekdays behind it; EXP's
   * conversions collapse there.  With four behind it (as day 35 shows for
   * CCW) that would alert; with three it must not. */
  CHECK (outside_band (conv, 1, 28, 5, NULL));
  day_text (21, day);
  post_everflow (0, N_NORMAL, &(struct bend) { 21, 1, 5, 1 });
  CHECK_INT_EQ (sync_run ("everflow", day, day), 0);
  CHECK_STR_EQ (q ("SELECT count(*) FROM reports.performance_totals WHERE "
                   "advertiser_id = 2 AND date = '2026-10-26' AND "
                   "conversions = 5"), "1");
  CHECK_STR_EQ (n_anomalies (), "1");
  /* Put day 21 back for the tests that follow. */
  post_everflow (0, N_NORMAL, &ccw_drop);
  CHECK_INT_EQ (sync_run ("everflow", day, day), 0);
}

SR_TEST (test_money_bands)
{
  struct bend b = { N_NORMAL + 1, 1, conv (1, N_NORMAL + 1), 0.4 };
  char day[11];
  double rev_median, cost_median;
  char sql[256];

  REQUIRE (up);
  /* Tuesday of week six: EXP's conversions as usual, its revenue and its
   * payout (an external affiliate's cost) at 40 %. */
  CHECK (!outside_band (conv, 1, N_NORMAL + 1, conv (1, N_NORMAL + 1),
                        NULL));
  CHECK (outside_band (revenue, 1, N_NORMAL + 1,
                       revenue (1, N_NORMAL + 1) * 0.4, &rev_median));
  CHECK (outside_band (payout, 1, N_NORMAL + 1,
                       payout (1, N_NORMAL + 1) * 0.4, &cost_median));
  post_everflow (0, N_NORMAL + 1, &b);
  day_text (N_NORMAL + 1, day);
  /* Everflow first: revenue alerts; cost waits, Redtrack lacks the day. */
  CHECK_INT_EQ (sync_run ("everflow", day, day), 0);
  CHECK_STR_EQ (q ("SELECT string_agg(source || '/' || brand || '/' || "
                   "metric, ',' ORDER BY metric) FROM signalroom.anomalies "
                   "WHERE day = '2026-11-10'"), "everflow/EXP/revenue");
  post_redtrack (0, N_NORMAL + 1);
  CHECK_INT_EQ (sync_run ("redtrack", day, day), 0);
  snprintf (sql, sizeof (sql), "SELECT string_agg(source || '/' || brand "
            "|| '/' || metric || '/' || round(observed, 2) || '/' || "
            "round(expected, 2), ',' ORDER BY metric) FROM "
            "signalroom.anomalies WHERE day = '2026-11-10'");
  {
    char want[160];

    snprintf (want, sizeof (want), "redtrack/EXP/cost/%.2f/%.2f,"
              "everflow/EXP/revenue/%.2f/%.2f",
              payout (1, N_NORMAL + 1) * 0.4, cost_median,
              revenue (1, N_NORMAL + 1) * 0.4, rev_median);
    CHECK_STR_EQ (q (sql), want);
  }
  /* Each alerted once. */
  CHECK_STR_EQ (q ("SELECT count(*) FROM signalroom.notifications n JOIN "
                   "signalroom.anomalies a ON n.idempotency_key = "
                   "'anomaly:' || a.id WHERE a.day = '2026-11-10'"), "2");
}

SR_TEST (test_no_rows)
{
  const char *today;
  char today_copy[11];

  REQUIRE (up);
  /* A loaded day without a row, from each source. */
  CHECK_INT_EQ (sync_run ("everflow", "2026-09-01", "2026-09-01"), 0);
  CHECK_INT_EQ (sync_run ("redtrack", "2026-09-01", "2026-09-01"), 0);
  CHECK_STR_EQ (q ("SELECT string_agg(source || '/' || day, ',' ORDER BY "
                   "source) FROM signalroom.anomalies WHERE kind = "
                   "'no_rows'"),
                "everflow/2026-09-01,redtrack/2026-09-01");
  CHECK_STR_EQ (q ("SELECT count(*) FROM signalroom.notifications n JOIN "
                   "signalroom.anomalies a ON n.idempotency_key = "
                   "'anomaly:' || a.id WHERE a.kind = 'no_rows' AND "
                   "n.payload->>'text' LIKE '%returned no rows%'"), "2");
  /* Today is not over: no rows yet is no anomaly. */
  today = q ("SELECT (now() AT TIME ZONE 'America/New_York')::date::text");
  snprintf (today_copy, sizeof (today_copy), "%s", today);
  CHECK_INT_EQ (sync_run ("everflow", today_copy, today_copy), 0);
  CHECK_STR_EQ (q ("SELECT count(*) FROM signalroom.anomalies WHERE kind = "
                   "'no_rows'"), "2");
}

SR_TEST (test_unmapped_spend_escaped)
{
  int status = 0;
  json_t *payload;
  const char *text;

  REQUIRE (up);
  /* $150 + $30.25 unmapped on one day (over $100), $80 on the next (not);
   * the larger source's name is hostile. */
  CHECK (sr_sim_post (sim.redtrack_port, "/_sim/data",
                      "{\"rows\":["
                      "{\"date\":\"2026-09-02\",\"source_id\":"
                      "\"aaaaaaaaaaaaaaaaaaaaaaaa\",\"source\":"
                      "\"<!channel> Bad & <b>Co</b> @here\","
                      "\"source_alias\":\"x\",\"clicks\":1,"
                      "\"conversions\":1,\"total_conversions\":1,"
                      "\"cost\":\"150.00\"},"
                      "{\"date\":\"2026-09-02\",\"source_id\":"
                      "\"bbbbbbbbbbbbbbbbbbbbbbbb\",\"source\":\"Other\","
                      "\"source_alias\":\"x\",\"clicks\":1,"
                      "\"conversions\":1,\"total_conversions\":1,"
                      "\"cost\":\"30.25\"},"
                      "{\"date\":\"2026-09-03\",\"source_id\":"
                      "\"aaaaaaaaaaaaaaaaaaaaaaaa\",\"source\":\"Quiet\","
                      "\"source_alias\":\"x\",\"clicks\":1,"
                      "\"conversions\":1,\"total_conversions\":1,"
                      "\"cost\":\"80.00\"}]}", &status));
  CHECK_INT_EQ (status, 200);
  CHECK_INT_EQ (sync_run ("redtrack", "2026-09-02", "2026-09-03"), 0);
  CHECK_STR_EQ (q ("SELECT string_agg(day || '/' || observed || '/' || "
                   "expected, ',') FROM signalroom.anomalies WHERE kind = "
                   "'unmapped_spend'"), "2026-09-02/180.25/100");
  payload = json_loads (q ("SELECT n.payload::text FROM "
                           "signalroom.notifications n JOIN "
                           "signalroom.anomalies a ON n.idempotency_key = "
                           "'anomaly:' || a.id WHERE a.kind = "
                           "'unmapped_spend'"), 0, NULL);
  REQUIRE (NULL != payload);
  text = json_string_value (json_object_get (payload, "text"));
  CHECK_CONTAINS (text, "$180.25 of Redtrack spend on 2026-09-02");
  CHECK_CONTAINS (text, "&lt;!channel&gt; Bad &amp; &lt;b&gt;Co&lt;/b&gt; "
                  "@\xe2\x81\xa0here ($150.00)");
  CHECK (NULL == strstr (text, "<!channel>"));
  CHECK (NULL == strstr (text, "<b>"));
  CHECK (NULL == strstr (text, "@here"));
  /* The block the client renders carries the same escaped text. */
  CHECK_STR_EQ (json_string_value (json_object_get (json_object_get (
                  json_array_get (json_object_get (payload, "blocks"), 0),
                  "text"), "text")), text);
  json_decref (payload);
}

/* ---- order exports ---------------------------------------------------- */

#define OHDR "orders_id,order_date,order_time,order_status,total_amount," \
  "product_category\r\n"

/* The same with a column the first files did not have. */
#define OHDR9 "orders_id,order_date,order_time,order_status,total_amount," \
  "product_category,Affiliate Sub ID 9\r\n"

static int next_order = 5000000;

/* An orders-create file for @a day (YYYY-MM-DD) with @a ccw and @a exp
 * orders of that day, @a bad unreadable rows, and @a header. */
static void
put_orders (const char *day, const char *tag, const char *header, int ccw,
            int exp, int bad)
{
  char key[128], mdy[11];
  size_t cap = 256 + (size_t) (ccw + exp + bad) * 80, len;
  char *csv = malloc (cap);

  REQUIRE (NULL != csv);
  snprintf (mdy, sizeof (mdy), "%.2s/%.2s/%.4s", day + 5, day + 8, day);
  len = (size_t) snprintf (csv, cap, "%s", header);
  for (int i = 0; i < ccw + exp; i++)
    len += (size_t) snprintf (csv + len, cap - len,
                              "%d,%s,10:00 AM,NEW,50.00,%s%s\r\n",
                              next_order++, mdy, i < ccw ? "CCW" : "EXP",
                              NULL != strstr (header, "Sub ID") ? ",s" : "");
  for (int i = 0; i < bad; i++)
    len += (size_t) snprintf (csv + len, cap - len, "%d,%s\r\n",
                              next_order++, mdy);
  snprintf (key, sizeof (key), "orders-create/report_%sT0600_%s.csv", day,
            tag);
  CHECK (sr_s3srv_put (&s3, AK, SK, BUCKET, key, csv, len));
  free (csv);
}

SR_TEST (test_order_exports)
{
  static const char *const mondays[] = { "2026-10-05", "2026-10-12",
                                         "2026-10-19", "2026-10-26" };
  static const int ccw[] = { 40, 44, 36, 42 }, exp[] = { 30, 32, 28, 31 };
  double h[4], dev[4], m, mad;
  char expected[32];

  REQUIRE (up);
  CHECK_STR_EQ (q ("DELETE FROM signalroom.anomalies; "
                   "DELETE FROM signalroom.notifications; SELECT 1"), "1");
  /* Four Mondays of orders, then a fifth: CCW falls to 12, EXP stays
   * ordinary.  The band, here: */
  for (int k = 0; k < 4; k++)
    h[k] = ccw[k];
  m = median4 (h);
  for (int k = 0; k < 4; k++)
    dev[k] = fabs (ccw[k] - m);
  mad = median4 (dev);
  CHECK (fabs (12 - m) > MAD_K * 1.4826 * mad && fabs (12 - m) >= MIN_SHARE
         * m && fabs (12 - m) >= MIN_CHANGE);
  for (int k = 0; k < 4; k++)
    h[k] = exp[k];
  m = median4 (h);
  for (int k = 0; k < 4; k++)
    dev[k] = fabs (exp[k] - m);
  CHECK (fabs (31 - m) <= MAD_K * 1.4826 * median4 (dev));
  for (int k = 0; k < 4; k++)
    put_orders (mondays[k], "w", OHDR, ccw[k], exp[k], 0);
  CHECK_INT_EQ (sync_run ("s3_exports", NULL, NULL), 0);
  CHECK_STR_EQ (n_anomalies (), "0");
  put_orders ("2026-11-02", "w", OHDR, 12, 31, 0);
  CHECK_INT_EQ (sync_run ("s3_exports", NULL, NULL), 0);
  for (int k = 0; k < 4; k++)
    h[k] = ccw[k];
  snprintf (expected, sizeof (expected), "%.2f", median4 (h));
  CHECK_STR_EQ (q ("SELECT string_agg(kind || '/' || source || '/' || brand "
                   "|| '/' || day || '/' || metric || '/' || observed, ',') "
                   "FROM signalroom.anomalies"),
                "metric_band/s3_exports/CCW/2026-11-02/orders/12");
  CHECK_STR_EQ (q ("SELECT round(expected, 2)::text FROM "
                   "signalroom.anomalies"), expected);

  /* The next day's file has a column the prefix did not have. */
  put_orders ("2026-11-03", "h", OHDR9, 5, 5, 0);
  CHECK_INT_EQ (sync_run ("s3_exports", NULL, NULL), 0);
  CHECK_STR_EQ (q ("SELECT day || '/' || metric || '/' || (detail->>'added') "
                   "|| '/' || (detail->>'removed') || '/' || "
                   "(detail->>'previous_key') FROM signalroom.anomalies "
                   "WHERE kind = 'header_change'"),
                "2026-11-03/orders-create/[\"affiliate_sub_id_9\"]/[]/"
                "orders-create/report_2026-11-02T0600_w.csv");

  /* 3 of 10 rows unreadable: over 5 %.  And a file of a header only. */
  put_orders ("2026-11-04", "q", OHDR9, 4, 3, 3);
  put_orders ("2026-11-05", "e", OHDR9, 0, 0, 0);
  CHECK_INT_EQ (sync_run ("s3_exports", NULL, NULL), 0);
  CHECK_STR_EQ (q ("SELECT string_agg(kind || '/' || day || '/' || observed, "
                   "',' ORDER BY kind) FROM signalroom.anomalies WHERE kind "
                   "IN ('quarantine_burst', 'no_rows')"),
                "no_rows/2026-11-05/0,quarantine_burst/2026-11-04/0.3000");
  /* Four anomalies, four Slack messages; a forced reload of every file
   * finds them again and adds nothing. */
  CHECK_STR_EQ (n_anomalies (), "4");
  CHECK_STR_EQ (n_notifications (), "4");
  {
    struct sr_th_env env = { 0 };
    const char *argv[] = { "sync", "s3_exports", "--force", NULL };
    char *out = NULL, *err = NULL;

    base_env (&env);
    CHECK_INT_EQ (sr_th_run (&env, argv, &out, &err), 0);
    free (out);
    free (err);
  }
  CHECK_STR_EQ (q ("SELECT count(*) FROM signalroom.s3_objects"), "8");
  CHECK_STR_EQ (n_anomalies (), "4");
  CHECK_STR_EQ (n_notifications (), "4");
}

/* ---- the API and the scheduler's deadline ------------------------------ */

SR_TEST (test_server_start)
{
  struct sr_th_env env = { 0 };

  REQUIRE (up);
  /* Quiet schedules: the seeded ones would fire at test time. */
  q ("UPDATE signalroom.schedules SET enabled = false");
  base_env (&env);
  sr_th_env_add (&env, "SIGNALROOM_JWT_SECRET", SECRET);
  sr_th_env_add (&env, "SIGNALROOM_SCHEDULER", "true");
  sr_th_env_add (&env, "SIGNALROOM_SCHEDULER_INTERVAL_MS", "100");
  REQUIRE (sr_th_server_start (&srv, &env));
}

SR_TEST (test_api_list_and_ack)
{
  char *service = sr_th_jwt (SECRET, "service_role", "authenticated", 3600);
  char *user = sr_th_jwt (SECRET, "authenticated", "authenticated", 3600);
  char target[128], id[24];
  json_t *r = NULL, *list, *again = NULL;

  REQUIRE (up && NULL != service && NULL != user);
  /* Filters: kind, source, brand, days. */
  CHECK_INT_EQ (sr_th_api (srv.port, user, "GET", "/v1/anomalies?kind="
                           "metric_band&brand=CCW&from=2026-11-01&to="
                           "2026-11-30", NULL, &r), 200);
  list = json_object_get (r, "anomalies");
  CHECK_INT_EQ (json_array_size (list), 1);
  CHECK_STR_EQ (json_string_value (json_object_get (json_array_get (list, 0),
                                                    "source")),
                "s3_exports");
  CHECK_STR_EQ (json_string_value (json_object_get (json_array_get (list, 0),
                                                    "status")), "open");
  snprintf (id, sizeof (id), "%" JSON_INTEGER_FORMAT,
            json_integer_value (json_object_get (json_array_get (list, 0),
                                                 "id")));
  json_decref (r);
  /* Pages: newest first, a cursor while a page is full. */
  CHECK_INT_EQ (sr_th_api (srv.port, user, "GET", "/v1/anomalies?limit=3",
                           NULL, &r), 200);
  CHECK_INT_EQ (json_array_size (json_object_get (r, "anomalies")), 3);
  snprintf (target, sizeof (target), "/v1/anomalies?limit=3&cursor=%"
            JSON_INTEGER_FORMAT,
            json_integer_value (json_object_get (r, "next_cursor")));
  json_decref (r);
  CHECK_INT_EQ (sr_th_api (srv.port, user, "GET", target, NULL, &r), 200);
  CHECK_INT_EQ (json_array_size (json_object_get (r, "anomalies")), 1);
  CHECK (json_is_null (json_object_get (r, "next_cursor")));
  json_decref (r);
  CHECK_INT_EQ (sr_th_api (srv.port, user, "GET", "/v1/anomalies?source="
                           "s3_exports&kind=no_rows", NULL, &r), 200);
  CHECK_INT_EQ (json_array_size (json_object_get (r, "anomalies")), 1);
  CHECK_STR_EQ (json_string_value (json_object_get (json_array_get (
                  json_object_get (r, "anomalies"), 0), "metric")),
                "orders-create");
  json_decref (r);
  CHECK_INT_EQ (sr_th_api (srv.port, user, "GET", "/v1/anomalies?source="
                           "everflow", NULL, &r), 200);
  CHECK_INT_EQ (json_array_size (json_object_get (r, "anomalies")), 0);
  json_decref (r);
  CHECK_INT_EQ (sr_th_api (srv.port, user, "GET", "/v1/anomalies?kind=nope",
                           NULL, &r), 400);
  json_decref (r);
  CHECK_INT_EQ (sr_th_api (srv.port, NULL, "GET", "/v1/anomalies", NULL,
                           &r), 401);
  json_decref (r);

  /* Acknowledging: service_role only; who is recorded; again is a no-op. */
  snprintf (target, sizeof (target), "/v1/anomalies/%s/ack", id);
  CHECK_INT_EQ (sr_th_api (srv.port, user, "POST", target, NULL, &r), 403);
  json_decref (r);
  CHECK_STR_EQ (q ("SELECT count(*) FROM signalroom.anomalies WHERE status "
                   "= 'acknowledged'"), "0");
  CHECK_INT_EQ (sr_th_api (srv.port, service, "POST", target, NULL, &r), 200);
  CHECK_STR_EQ (json_string_value (json_object_get (r, "status")),
                "acknowledged");
  CHECK_STR_EQ (json_string_value (json_object_get (r, "acknowledged_by")),
                "test-user");
  CHECK_INT_EQ (sr_th_api (srv.port, service, "POST", target, NULL, &again),
                200);
  CHECK (json_equal (r, again));
  json_decref (r);
  json_decref (again);
  CHECK_STR_EQ (q ("SELECT count(*) FROM signalroom.anomalies WHERE status "
                   "= 'acknowledged'"), "1");
  CHECK_INT_EQ (sr_th_api (srv.port, service, "POST",
                           "/v1/anomalies/999999/ack", NULL, &r), 404);
  json_decref (r);
  /* Open ones no longer list it. */
  CHECK_INT_EQ (sr_th_api (srv.port, user, "GET", "/v1/anomalies?status="
                           "open&kind=metric_band", NULL, &r), 200);
  CHECK_INT_EQ (json_array_size (json_object_get (r, "anomalies")), 0);
  json_decref (r);
  free (service);
  free (user);
}

SR_TEST (test_missing_at_deadline)
{
  REQUIRE (up);
  /* redtrack-daily waits for S3 (seeded) and redtrack-intraday, neither
   * of which has run today, and has no time left to wait: it runs anyway, and the day's data is
   * missing at its deadline -- critical, so Slack and an SMS. */
  q ("INSERT INTO signalroom.schedule_after VALUES ('redtrack-daily', "
     "'redtrack-intraday') ON CONFLICT DO NOTHING");
  q ("UPDATE signalroom.schedules SET cron = '* * * * *', enabled = true, "
     "wait_minutes = 0, last_tick_at = now() - interval '70 seconds' "
     "WHERE name = 'redtrack-daily'");
  REQUIRE (sr_th_pg_await_true (pg, "SELECT count(*) > 0 FROM "
                                "signalroom.anomalies WHERE kind = "
                                "'missing_at_deadline'", 30));
  q ("UPDATE signalroom.schedules SET enabled = false");
  CHECK_STR_EQ (q ("SELECT source || '/' || metric || '/' || critical || '/' "
                   "|| (day = (now() AT TIME ZONE 'America/New_York')::date) "
                   "FROM signalroom.anomalies WHERE kind = "
                   "'missing_at_deadline'"),
                "redtrack-intraday, s3-daily/redtrack-daily/true/true");
  CHECK_STR_EQ (q ("SELECT string_agg(n.channel || '/' || n.target || '/' || "
                   "n.critical, ',' ORDER BY n.channel) FROM "
                   "signalroom.notifications n JOIN signalroom.anomalies a "
                   "ON n.idempotency_key LIKE 'anomaly:' || a.id || '%' "
                   "WHERE a.kind = 'missing_at_deadline'"),
                "slack/C0ANOMALY/true,sms/" SMS_TO "/true");
  CHECK_STR_EQ (q ("SELECT left(n.payload->>'body', 60) FROM "
                   "signalroom.notifications n WHERE n.channel = 'sms'"),
                "[ALERT] Data missing at its deadline: redtrack-intraday, s3-");
  CHECK_STR_EQ (q ("SELECT length(n.payload->>'body') <= 160 FROM "
                   "signalroom.notifications n WHERE n.channel = 'sms'"),
                "t");
}

SR_TEST (test_stop)
{
  if (srv.pid > 0)
    CHECK (sr_th_server_stop (&srv, SIGTERM, 10000, NULL, NULL));
  sr_sim_stop (&sim);
  sr_s3srv_stop (&s3);
  if (NULL != pg)
    PQfinish (pg);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_start),
              SR_TEST_ENTRY (test_quiet_on_normal_weeks),
              SR_TEST_ENTRY (test_band_alerts_once),
              SR_TEST_ENTRY (test_rerun_adds_nothing),
              SR_TEST_ENTRY (test_no_band_without_four_weeks),
              SR_TEST_ENTRY (test_money_bands),
              SR_TEST_ENTRY (test_no_rows),
              SR_TEST_ENTRY (test_unmapped_spend_escaped),
              SR_TEST_ENTRY (test_order_exports),
              SR_TEST_ENTRY (test_server_start),
              SR_TEST_ENTRY (test_api_list_and_ack),
              SR_TEST_ENTRY (test_missing_at_deadline),
              SR_TEST_ENTRY (test_stop))

/* end of test_anomalies.c */
