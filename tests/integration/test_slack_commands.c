/*
 * test_slack_commands.c -- POST /v1/slack/commands against the real
 * binary and PostgreSQL: refusals that run nothing, a retry that runs
 * once, the figures of report and leaderboard on crafted data (expected
 * numbers worked out by hand below), sync for admins only with its
 * outcome queued for response_url, a slow command that acknowledges in
 * time and follows up, the daily summary queued once per brand and day,
 * and the C escaping rule equal to the SQL one.
 *
 * Requests are signed here with OpenSSL's HMAC directly (not the
 * server's code), so a broken verifier cannot agree with itself.
 */
#include "check.h"
#include "harness.h"
#include "slack_text.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <time.h>

#define SECRET "slack-commands-test-signing-secret"
#define JWT_SECRET "slack-commands-jwt-secret-0123456789abcdef"
#define HOOK "http://127.0.0.1:9/hooks/T1/"

static struct sr_th_server srv;
static PGconn *pg;
static char *token;
static char day[11];     /* yesterday in New York: the crafted day */
static char db[1024];    /* the test database's conninfo */
static bool up;
static int seq;          /* makes every body (trigger_id) unique */

static bool
run (const char *sql)
{
  PGresult *r = PQexec (pg, sql);
  bool ok = PGRES_COMMAND_OK == PQresultStatus (r)
            || PGRES_TUPLES_OK == PQresultStatus (r);

  if (!ok)
    fprintf (stderr, "%s: %s", sql, PQerrorMessage (pg));
  PQclear (r);
  return ok;
}

static const char *
q (const char *sql)
{
  return sr_th_pg_value (pg, sql);
}

/* A form body as Slack sends it; @a text already form-encoded. */
static void
body_of (char *out, size_t len, const char *user, const char *channel,
         const char *text)
{
  int n = ++seq;

  snprintf (out, len, "token=x&team_id=T1&channel_id=%s&user_id=%s"
            "&command=%%2Fsignalroom&text=%s&response_url=http%%3A%%2F%%2F"
            "127.0.0.1%%3A9%%2Fhooks%%2FT1%%2F%d&trigger_id=%d.%ld",
            channel, user, text, n, n, (long) time (NULL));
}

static void
sign (const char *ts, const char *body, size_t len, char out[80])
{
  unsigned char mac[32];
  unsigned int n = 0;
  char msg[16384];
  int m = snprintf (msg, sizeof (msg), "v0:%s:", ts);

  memcpy (msg + m, body, len);
  HMAC (EVP_sha256 (), SECRET, (int) strlen (SECRET),
        (const unsigned char *) msg, (size_t) m + len, mac, &n);
  strcpy (out, "v0=");
  for (unsigned int i = 0; i < n; i++)
    snprintf (out + 3 + 2 * i, 3, "%02x", mac[i]);
}

/* POST @a body signed (or as @a ts_override / @a sig_override say). */
static int
post (const char *body, size_t len, const char *ctype, const char *ts,
      const char *sig, const char *extra, json_t **doc, double *seconds)
{
  struct sr_th_response r = { 0 };
  char headers[1024];
  double t0 = sr_th_now ();
  int status;

  snprintf (headers, sizeof (headers), "Content-Type: %s\r\n%s%s%s%s%s%s%s",
            ctype, ts ? "X-Slack-Request-Timestamp: " : "", ts ? ts : "",
            ts ? "\r\n" : "", sig ? "X-Slack-Signature: " : "",
            sig ? sig : "", sig ? "\r\n" : "", extra ? extra : "");
  if (!sr_th_http (srv.port, "POST", "/v1/slack/commands", headers, body,
                   len, &r))
    return 0;
  if (NULL != seconds)
    *seconds = sr_th_now () - t0;
  status = r.status;
  if (NULL != doc)
    *doc = json_loadb (r.body, r.body_len, 0, NULL);
  sr_th_response_clean (&r);
  return status;
}

/* A signed command; @return its reply's text (static) or "". */
static const char *
command (const char *user, const char *channel, const char *text,
         json_t **doc_out, double *seconds)
{
  static char out[16384];
  char body[2048], ts[24], sig[80];
  json_t *doc = NULL;

  body_of (body, sizeof (body), user, channel, text);
  snprintf (ts, sizeof (ts), "%ld", (long) time (NULL));
  sign (ts, body, strlen (body), sig);
  out[0] = '\0';
  if (200 == post (body, strlen (body), "application/x-www-form-urlencoded",
                   ts, sig, NULL, &doc, seconds) && NULL != doc)
    snprintf (out, sizeof (out), "%s", json_string_value (
                json_object_get (doc, "text")));
  if (NULL != doc_out)
    *doc_out = doc;
  else
    json_decref (doc);
  return out;
}

SR_TEST (test_start)
{
  struct sr_th_env env = { 0 };
  char conninfo[1024], sql[2048];

  if (!sr_th_create_db ("sr_slack_commands", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  sr_th_env_add (&env, "SIGNALROOM_JWT_SECRET", JWT_SECRET);
  sr_th_env_add (&env, "SIGNALROOM_WORKERS", "1");
  sr_th_env_add (&env, "SIGNALROOM_POLL_MS", "100");
  sr_th_env_add (&env, "SIGNALROOM_SCHEDULER", "false");
  sr_th_env_add (&env, "SLACK_SIGNING_SECRET", SECRET);
  sr_th_env_add (&env, "SLACK_ADMIN_USERS", "UBOSS, UADMIN");
  sr_th_env_add (&env, "SLACK_ADMIN_CHANNELS", "COPS");
  /* Where the daily post and its text go (serve writes them into
   * signalroom.notify_settings before it reports ready). */
  sr_th_env_add (&env, "SLACK_CHANNEL_ID", "CREPORT");
  sr_th_env_add (&env, "REPORT_SMS_TO", "+15550001111");
  REQUIRE (sr_th_server_start (&srv, &env));
  REQUIRE (NULL != sr_th_server_wait_log (&srv, 20000, "migrations current",
                                          NULL));
  pg = sr_th_pg (conninfo);
  snprintf (db, sizeof (db), "%s", conninfo);
  token = sr_th_jwt (JWT_SECRET, "service_role", "authenticated", 600);
  REQUIRE (NULL != token);
  snprintf (day, sizeof (day), "%s", q ("SELECT ((now() AT TIME ZONE "
                                        "'America/New_York')::date - 1)"
                                        "::text"));
  /* CCW on the day: G2 - Meta is internal (cost = its mapped Redtrack
   * spend 123.45), the two others external (cost = payout). */
  snprintf (sql, sizeof (sql),
            "BEGIN;"
            " INSERT INTO signalroom.affiliate_mapping (client_id,"
            " redtrack_source_id, redtrack_source_name, everflow_affiliate_id,"
            " everflow_affiliate_label, everflow_advertiser_id,"
            " everflow_advertiser_label, line) VALUES ('713', 'src1',"
            " 'Meta src', 1, 'G2 - Meta', 1, 'CCW', 1);"
            " INSERT INTO redtrack.daily_spend (date, source_id, source_name,"
            " source_alias, clicks, conversions, cost, _client_id) VALUES"
            " ('%s', 'src1', 'Meta src', 'meta', 100, 9, 123.45, '713');"
            " INSERT INTO everflow.daily_stats (date, affiliate_id,"
            " affiliate_label, advertiser_id, advertiser_label, clicks,"
            " conversions, revenue, payout, profit, _client_id) VALUES"
            " ('%s', 1, 'G2 - Meta', 1, 'CCW', 50, 10, 500, 0, 500, '713'),"
            " ('%s', 2, 'Blue <b>Bench</b> & @channel', 1, 'CCW', 40, 4, 200,"
            " 66.66, 133.34, '713'),"
            " ('%s', 3, 'ProfitFuel', 1, 'CCW', 30, 2, 80, 30.01, 49.99,"
            " '713');"
            " SELECT reports.refresh_performance('713', '%s', '%s'); COMMIT",
            day, day, day, day, day, day);
  REQUIRE (run (sql));
  up = true;
}

/* Refused requests: the right status, and no command row, run or
 * notification appears. */
SR_TEST (test_refusals_run_nothing)
{
  char body[2048], big[9 * 1024 + 1], ts[24], old[24], sig[80], bad[80];
  size_t len;

  REQUIRE (up);
  body_of (body, sizeof (body), "UBOSS", "COPS", "sync+daily_report");
  len = strlen (body);
  snprintf (ts, sizeof (ts), "%ld", (long) time (NULL));
  snprintf (old, sizeof (old), "%ld", (long) time (NULL) - 301);
  sign (ts, body, len, sig);
  /* A changed byte of the body. */
  body[len - 1] ^= 1;
  CHECK_INT_EQ (post (body, len, "application/x-www-form-urlencoded", ts,
                      sig, NULL, NULL, NULL), 401);
  body[len - 1] ^= 1;
  /* A changed byte of the signature. */
  snprintf (bad, sizeof (bad), "%s", sig);
  bad[10] = 'f' == bad[10] ? 'e' : 'f';
  CHECK_INT_EQ (post (body, len, "application/x-www-form-urlencoded", ts,
                      bad, NULL, NULL, NULL), 401);
  /* Old timestamp, correctly signed for it. */
  sign (old, body, len, bad);
  CHECK_INT_EQ (post (body, len, "application/x-www-form-urlencoded", old,
                      bad, NULL, NULL, NULL), 401);
  CHECK_INT_EQ (post (body, len, "application/x-www-form-urlencoded", NULL,
                      sig, NULL, NULL, NULL), 400);
  CHECK_INT_EQ (post (body, len, "application/x-www-form-urlencoded", ts,
                      NULL, NULL, NULL, NULL), 401);
  CHECK_INT_EQ (post (body, len, "application/x-www-form-urlencoded",
                      "12x4", sig, NULL, NULL, NULL), 400);
  CHECK_INT_EQ (post ("{\"text\":\"status\"}", 17, "application/json", ts,
                      sig, NULL, NULL, NULL), 415);
  memset (big, 'a', sizeof (big) - 1);
  big[sizeof (big) - 1] = '\0';
  memcpy (big, "text=", 5);
  sign (ts, big, strlen (big), bad);
  CHECK_INT_EQ (post (big, strlen (big), "application/x-www-form-urlencoded",
                      ts, bad, NULL, NULL, NULL), 413);
  CHECK_STR_EQ (q ("SELECT count(*) FROM signalroom.slack_commands"), "0");
  CHECK_STR_EQ (q ("SELECT count(*) FROM signalroom.runs"), "0");
  /* And the same body, signed right, goes through. */
  CHECK_INT_EQ (post (body, len, "application/x-www-form-urlencoded", ts,
                      sig, NULL, NULL, NULL), 200);
  CHECK_STR_EQ (q ("SELECT count(*) FROM signalroom.slack_commands"), "1");
  REQUIRE (sr_th_pg_await_true (pg, "SELECT count(*) = 1 FROM "
                                "signalroom.runs WHERE status IN "
                                "('succeeded', 'failed')", 20));
}

/*
 * The report on the crafted day.  By hand: total 10 + 4 + 2 = 16
 * conversions, cost 123.45 + 66.66 + 30.01 = 220.12, CPA 13.7575 ->
 * 13.76; internal 10, 123.45, 12.345 -> 12.35; external 6, 96.67,
 * 16.1116 -> 16.11; top G2 - Meta 10 @ 12.35, Blue 4 @ 16.665 -> 16.67,
 * ProfitFuel 2 @ 15.005 -> 15.01.
 */
SR_TEST (test_report_figures)
{
  char text[256], want[256];
  json_t *doc = NULL;
  const char *got;

  REQUIRE (up);
  snprintf (text, sizeof (text), "report+ccw+%s", day);
  got = command ("UANY", "CANY", text, &doc, NULL);
  CHECK_STR_EQ (json_string_value (json_object_get (doc, "response_type")),
                "in_channel");
  CHECK (json_array_size (json_object_get (doc, "blocks")) >= 5);
  json_decref (doc);
  CHECK_CONTAINS (got, "*Overall Performance*\n> Conversions: *16*\n"
                  "> Spend: *$220.12*\n> CPA: *$13.76*");
  CHECK_CONTAINS (got, "*Internal (Paid Media)*\n> Conversions: 10 | "
                  "Spend: $123.45 | CPA: $12.35");
  CHECK_CONTAINS (got, "*External (Affiliates)*\n> Conversions: 6 | "
                  "Payout: $96.67 | CPA: $16.11");
  CHECK_CONTAINS (got, "*Top Performers*\n:large_blue_circle: *G2 - Meta* - "
                  "10 conv @ $12.35\n:white_circle: *Blue &lt;b&gt;Bench"
                  "&lt;/b&gt; &amp; @\xE2\x81\xA0" "channel* - 4 conv @ "
                  "$16.67\n:white_circle: *ProfitFuel* - 2 conv @ $15.01");
  CHECK (NULL == strstr (got, "<b>"));
  snprintf (want, sizeof (want), "Daily CCW Report - ");
  CHECK_CONTAINS (got, want);

  /* The day first, the brand after: the same figures. */
  snprintf (text, sizeof (text), "report+%s+Ccw", day);
  CHECK_CONTAINS (command ("UANY", "CANY", text, NULL, NULL),
                  "> Spend: *$220.12*\n> CPA: *$13.76*");
  snprintf (text, sizeof (text), "leaderboard+ccw+%s", day);
  got = command ("UANY", "CANY", text, NULL, NULL);
  CHECK_CONTAINS (got, "1. :large_blue_circle: *G2 - Meta* - 10 conv, "
                  "$123.45 cost, $12.35 CPA");
  CHECK_CONTAINS (got, "3. :white_circle: *ProfitFuel* - 2 conv, $30.01 "
                  "cost, $15.01 CPA");
  CHECK_CONTAINS (command ("UANY", "CANY", "status", NULL, NULL),
                  "*Dead letters*: 0");
  CHECK_CONTAINS (command ("UANY", "CANY", "report+ccw+2026-13-45", NULL,
                           NULL), "date must be YYYY-MM-DD");
  CHECK_CONTAINS (command ("UANY", "CANY", "report+nosuch", NULL, NULL),
                  "I don't know the brand `NOSUCH`");
  CHECK_CONTAINS (command ("UANY", "CANY", "frobnicate+%3C%21here%3E", NULL,
                           NULL), "I don't know `frobnicate`");
  CHECK_CONTAINS (command ("UANY", "CANY", "", NULL, NULL), "`status`");
}

/*
 * States on the crafted day, from the order rollup: by revenue of NEW
 * orders CA 1234.56, FL 300.00 (3 NEW + 1 DECLINED: 75.0%), TX 250.50,
 * NY 99.99, GA 10.00 (1 of 2 approved: 50.0%), OH 5.25, WA 0 (2
 * declined): the top five, then the two left, lowest first.
 */
SR_TEST (test_states_figures)
{
  char sql[2048], text[64];
  const char *got;

  REQUIRE (up);
  snprintf (sql, sizeof (sql),
            "INSERT INTO reports.order_rollup (client_id, product_category,"
            " dim, day, value, status, orders, revenue, chargebacks, refunds)"
            " SELECT '713', 'CCW', 'state', '%s', v, st, n, rev, 0, 0 FROM"
            " (VALUES ('CA', 'NEW', 5, 1234.56), ('FL', 'NEW', 3, 300.00),"
            " ('FL', 'DECLINED', 1, 0), ('TX', 'NEW', 2, 250.50),"
            " ('NY', 'NEW', 1, 99.99), ('GA', 'NEW', 1, 10.00),"
            " ('GA', 'DECLINED', 1, 0), ('OH', 'NEW', 1, 5.25),"
            " ('WA', 'DECLINED', 2, 0)) AS x (v, st, n, rev)", day);
  REQUIRE (run (sql));
  snprintf (text, sizeof (text), "states+CCW+%s+%s", day, day);
  got = command ("UANY", "CANY", text, NULL, NULL);
  CHECK_CONTAINS (got, "*Top*\n"
                  "1. CA (California) - $1,234.56 revenue, 5 orders, 100.0% "
                  "approved\n"
                  "2. FL (Florida) - $300.00 revenue, 4 orders, 75.0% "
                  "approved\n"
                  "3. TX (Texas) - $250.50 revenue, 2 orders, 100.0% "
                  "approved\n"
                  "4. NY (New York) - $99.99 revenue, 1 orders, 100.0% "
                  "approved\n"
                  "5. GA (Georgia) - $10.00 revenue, 2 orders, 50.0% "
                  "approved\n*Bottom*\n"
                  "7. WA (Washington) - $0.00 revenue, 2 orders, 0.0% "
                  "approved\n"
                  "6. OH (Ohio) - $5.25 revenue, 1 orders, 100.0% approved");
  CHECK (NULL == strstr (got, "AZ ("));
}

/* A non-admin may not sync: refused, nothing queued. */
SR_TEST (test_sync_needs_an_admin)
{
  char before[32];

  REQUIRE (up);
  snprintf (before, sizeof (before), "%s",
            q ("SELECT count(*) FROM signalroom.runs"));
  CHECK_CONTAINS (command ("UOTHER", "COTHER", "sync+daily_report", NULL,
                           NULL), "admins only");
  CHECK_STR_EQ (q ("SELECT count(*) FROM signalroom.runs"), before);
  CHECK_STR_EQ (q ("SELECT count(*) FROM signalroom.slack_run_replies r"
                   " JOIN signalroom.slack_commands c ON c.id = r.command_id"
                   " WHERE c.user_id = 'UOTHER'"), "0");
}

/* An admin's sync queues a run once, however often Slack retries, and
 * its outcome is queued for the response_url when it ends. */
SR_TEST (test_admin_sync_runs_once_and_reports_back)
{
  char body[2048], ts[24], sig[80], sql[512], runs[32];
  json_t *a = NULL, *b = NULL;
  long run_id;

  REQUIRE (up);
  snprintf (runs, sizeof (runs), "%s",
            q ("SELECT count(*) FROM signalroom.runs"));
  body_of (body, sizeof (body), "UADMIN", "CANY", "sync+daily_report");
  snprintf (ts, sizeof (ts), "%ld", (long) time (NULL));
  sign (ts, body, strlen (body), sig);
  CHECK_INT_EQ (post (body, strlen (body), "application/x-www-form-urlencoded",
                      ts, sig, NULL, &a, NULL), 200);
  CHECK_INT_EQ (post (body, strlen (body), "application/x-www-form-urlencoded",
                      ts, sig, "X-Slack-Retry-Num: 1\r\n", &b, NULL), 200);
  REQUIRE (NULL != a && NULL != b);
  CHECK_CONTAINS (json_string_value (json_object_get (a, "text")),
                  "Queued run ");
  CHECK_STR_EQ (json_string_value (json_object_get (a, "text")),
                json_string_value (json_object_get (b, "text")));
  /* The retry was answered from the first try, not run again (the log is
   * read from the server's pipe as it comes: wait for the line first). */
  CHECK (NULL != sr_th_server_wait_log (&srv, 10000, "slack command retry "
                                        "not run again", NULL));
  CHECK_INT_EQ (sr_th_server_count_log (&srv, "slack command retry not run "
                                        "again"), 1);
  json_decref (a);
  json_decref (b);
  snprintf (sql, sizeof (sql), "SELECT count(*) - %s FROM signalroom.runs",
            runs);
  CHECK_STR_EQ (q (sql), "1");
  run_id = atol (q ("SELECT max(run_id) FROM signalroom.slack_run_replies"));
  snprintf (sql, sizeof (sql), "SELECT count(*) = 1 FROM "
            "signalroom.notifications WHERE idempotency_key = 'slack-run:%ld'"
            " AND channel = 'response_url' AND kind = 'command_reply' AND"
            " target LIKE '" HOOK "%%' AND payload->>'text' LIKE"
            " '%%Sync run %ld (daily_report) succeeded%%'", run_id, run_id);
  CHECK (sr_th_pg_await_true (pg, sql, 30));
}

/* A run that fails says why, escaped. */
SR_TEST (test_failed_run_reply_is_escaped)
{
  REQUIRE (up);
  REQUIRE (run ("INSERT INTO signalroom.runs (id, source, status) VALUES"
                " (9001, 'everflow', 'running');"
                " INSERT INTO signalroom.slack_run_replies SELECT 9001,"
                " min(id), 'https://hooks.example/x' FROM"
                " signalroom.slack_commands;"
                " UPDATE signalroom.runs SET status = 'failed', error ="
                " '<!channel> upstream & @here broke' WHERE id = 9001"));
  CHECK_STR_EQ (q ("SELECT payload->>'text' FROM signalroom.notifications"
                   " WHERE idempotency_key = 'slack-run:9001'"),
                ":x: Sync run 9001 (everflow) failed: &lt;!channel&gt; "
                "upstream &amp; @\xE2\x81\xA0" "here broke");
  /* status shows that run, escaped the same way. */
  CHECK_CONTAINS (command ("UANY", "CANY", "status", NULL, NULL),
                  "- *everflow*: data through never; last run 9001 failed: "
                  "&lt;!channel&gt; upstream &amp; @\xE2\x81\xA0" "here broke");
}

/* The database is held (a lock on the brands): the command acknowledges
 * within Slack's 3 s and its answer follows through the outbox. */
SR_TEST (test_slow_command_follows_up)
{
  char text[64];
  double seconds = 99;
  const char *got;
  PGresult *r;

  REQUIRE (up);
  r = PQexec (pg, "BEGIN; LOCK TABLE signalroom.brands IN ACCESS EXCLUSIVE"
              " MODE");
  REQUIRE (PGRES_COMMAND_OK == PQresultStatus (r));
  PQclear (r);
  snprintf (text, sizeof (text), "report+ccw+%s", day);
  got = command ("USLOW", "CANY", text, NULL, &seconds);
  CHECK_CONTAINS (got, "Working on it");
  CHECK (seconds < 3.0);
  CHECK_STR_EQ (q ("SELECT count(*) FROM signalroom.notifications WHERE"
                   " kind = 'command_reply' AND idempotency_key LIKE"
                   " 'slack-command:%'"), "0");
  REQUIRE (run ("ROLLBACK"));
  CHECK (sr_th_pg_await_true (pg, "SELECT count(*) = 1 FROM"
                              " signalroom.notifications n JOIN"
                              " signalroom.slack_commands c ON"
                              " n.idempotency_key = 'slack-command:' || c.id"
                              " WHERE c.user_id = 'USLOW' AND c.status ="
                              " 'done' AND n.channel = 'response_url' AND"
                              " n.target = c.response_url AND"
                              " n.payload->>'text' LIKE"
                              " '%Spend: *$220.12*%'", 20));
}

/* A command whose API thread vanished (still 'running' a minute on) is
 * answered by the follow-up through its response_url. */
SR_TEST (test_orphaned_command_is_answered)
{
  REQUIRE (up);
  REQUIRE (run ("INSERT INTO signalroom.slack_commands (id, body_sha256,"
                " user_id, channel_id, command_text, response_url,"
                " created_at) VALUES (9100, 'orphan', 'UGONE', 'CANY',"
                " 'help', 'https://hooks.example/orphan',"
                " now() - interval '2 minutes')"));
  CHECK (sr_th_pg_await_true (pg, "SELECT count(*) = 1 FROM"
                              " signalroom.notifications WHERE"
                              " idempotency_key = 'slack-command:9100' AND"
                              " target = 'https://hooks.example/orphan' AND"
                              " payload->>'text' LIKE '%`status`%'", 20));
  CHECK_STR_EQ (q ("SELECT status FROM signalroom.slack_commands WHERE"
                   " id = 9100"), "done");
}

/* The daily report queues the summary and its text once per brand and
 * day, with the figures above; a second run of the day adds nothing. */
SR_TEST (test_daily_summary_posted_once)
{
  char sql[1024], want[256];
  int st;

  REQUIRE (up);
  snprintf (sql, sizeof (sql), "{\"source\":\"daily_report\",\"from\":\"%s\","
            "\"to\":\"%s\"}", day, day);
  st = sr_th_api (srv.port, token, "POST", "/v1/syncs", sql, NULL);
  CHECK (202 == st || 409 == st);
  REQUIRE (sr_th_pg_await_true (pg, "SELECT count(*) = 0 FROM"
                                " signalroom.runs WHERE status IN"
                                " ('queued', 'running')", 30));
  st = sr_th_api (srv.port, token, "POST", "/v1/syncs", sql, NULL);
  CHECK_INT_EQ (st, 202);
  REQUIRE (sr_th_pg_await_true (pg, "SELECT count(*) = 0 FROM"
                                " signalroom.runs WHERE status IN"
                                " ('queued', 'running')", 30));
  snprintf (sql, sizeof (sql), "SELECT count(*) FROM signalroom.notifications"
            " WHERE idempotency_key = 'daily_summary:CCW:%s' AND channel ="
            " 'slack' AND target = 'CREPORT'", day);
  CHECK_STR_EQ (q (sql), "1");
  snprintf (sql, sizeof (sql), "SELECT payload->>'text' FROM"
            " signalroom.notifications WHERE idempotency_key ="
            " 'daily_summary:CCW:%s'", day);
  CHECK_CONTAINS (q (sql), "> Spend: *$220.12*\n> CPA: *$13.76*");
  CHECK_CONTAINS (q (sql), "> Conversions: 6 | Payout: $96.67 | CPA: "
                  "$16.11");
  snprintf (sql, sizeof (sql), "SELECT payload->>'body' FROM"
            " signalroom.notifications WHERE idempotency_key ="
            " 'daily_summary_sms:CCW:%s:+15550001111'", day);
  snprintf (want, sizeof (want), "CCW %.2s/%.2s: 16 conv, $220.12 spend, "
            "$13.76 CPA. Top: G2 - Meta (10)", day + 5, day + 8);
  CHECK_STR_EQ (q (sql), want);
  snprintf (sql, sizeof (sql), "SELECT count(*) FROM signalroom.notifications"
            " WHERE idempotency_key LIKE 'daily_summary%%:EXP:%s%%'", day);
  CHECK_STR_EQ (q (sql), "2");
}

/*
 * The intraday snapshot: nothing while it is off (the first server); a
 * second instance with it on, in a zone where it is now noon, queues
 * each brand's summary of today so far for the channel.  Today there:
 * CCW 7 conversions, payout 70.70 -> CPA 10.10.
 */
SR_TEST (test_intraday_snapshot)
{
  struct sr_th_server noon = { 0 };
  struct sr_th_env env = { 0 };
  char zone[32], today[11], sql[1024];
  int offset = 12 - atoi (q ("SELECT extract(hour FROM now() AT TIME ZONE"
                             " 'UTC')::int"));

  REQUIRE (up);
  CHECK_STR_EQ (q ("SELECT count(*) FROM signalroom.notifications WHERE"
                   " kind = 'intraday_summary'"), "0");
  /* Etc/GMT-N is UTC+N (POSIX signs). */
  if (offset > 0)
    snprintf (zone, sizeof (zone), "Etc/GMT-%d", offset);
  else if (offset < 0)
    snprintf (zone, sizeof (zone), "Etc/GMT+%d", -offset);
  else
    snprintf (zone, sizeof (zone), "Etc/GMT");
  snprintf (sql, sizeof (sql), "SELECT (now() AT TIME ZONE '%s')::date::text",
            zone);
  snprintf (today, sizeof (today), "%s", q (sql));
  snprintf (sql, sizeof (sql),
            "BEGIN; INSERT INTO everflow.daily_stats (date, affiliate_id,"
            " affiliate_label, advertiser_id, advertiser_label, clicks,"
            " conversions, revenue, payout, profit, _client_id) VALUES"
            " ('%s', 4, 'Noon Media', 1, 'CCW', 9, 7, 99, 70.70, 28.30,"
            " '713') ON CONFLICT DO NOTHING;"
            " SELECT reports.refresh_performance('713', '%s', '%s'); COMMIT",
            today, today, today);
  REQUIRE (run (sql));
  sr_th_env_add (&env, "DATABASE_URL", db);
  sr_th_env_add (&env, "SIGNALROOM_WORKERS", "0");
  sr_th_env_add (&env, "SIGNALROOM_POLL_MS", "100");
  sr_th_env_add (&env, "SIGNALROOM_SCHEDULER", "false");
  sr_th_env_add (&env, "SIGNALROOM_TIMEZONE", zone);
  sr_th_env_add (&env, "EVERFLOW_TIMEZONE_ID", "1");
  sr_th_env_add (&env, "SLACK_INTRADAY_SNAPSHOT", "true");
  sr_th_env_add (&env, "SLACK_CHANNEL_ID", "CREPORT");
  REQUIRE (sr_th_server_start (&noon, &env));
  snprintf (sql, sizeof (sql), "SELECT count(*) = 2 FROM"
            " signalroom.notifications WHERE kind = 'intraday_summary' AND"
            " channel = 'slack' AND target = 'CREPORT' AND idempotency_key IN"
            " ('intraday:CCW:%s:12', 'intraday:EXP:%s:12')", today, today);
  CHECK (sr_th_pg_await_true (pg, sql, 20));
  snprintf (sql, sizeof (sql), "SELECT payload->>'text' FROM"
            " signalroom.notifications WHERE idempotency_key ="
            " 'intraday:CCW:%s:12'", today);
  CHECK_CONTAINS (q (sql), "Intraday CCW Report - ");
  CHECK_CONTAINS (q (sql), ", 12:00*");
  CHECK_CONTAINS (q (sql), "> Conversions: *7*\n> Spend: *$70.70*\n"
                  "> CPA: *$10.10*");
  CHECK (sr_th_server_stop (&noon, 15, 20000, NULL, NULL));
}

/* sr_slack_escape and signalroom.slack_escape agree on hostile text. */
SR_TEST (test_escape_rule_matches_sql)
{
  static const char *const hostile[] = {
    "<!channel> hi", "a & b <c>", "@here @HERE @Everyone @channels",
    "@@channel", "&amp;", "mail@example.com", "<https://x|y>",
    "@chan nel", "\xC3\xA9t\xC3\xA9 @here", "",
  };

  REQUIRE (up);
  for (size_t i = 0; i < sizeof (hostile) / sizeof (hostile[0]); i++) {
    const char *params[1] = { hostile[i] };
    PGresult *r = PQexecParams (pg, "SELECT signalroom.slack_escape($1)", 1,
                                NULL, params, NULL, NULL, 0);
    char *mine = sr_slack_escape_dup (hostile[i]);

    CHECK (PGRES_TUPLES_OK == PQresultStatus (r));
    if (PGRES_TUPLES_OK == PQresultStatus (r))
      CHECK_STR_EQ (mine, PQgetvalue (r, 0, 0));
    free (mine);
    PQclear (r);
  }
}

SR_TEST (test_stop)
{
  if (srv.pid > 0)
    CHECK (sr_th_server_stop (&srv, 15, 20000, NULL, NULL));
  if (NULL != pg)
    PQfinish (pg);
  free (token);
}

/* ---- POST /v1/slack/interactions: an anomaly's Acknowledge button ---- */

/* Percent-encode @a in as a form value. */
static void
form_encode (const char *in, char *out, size_t len)
{
  size_t o = 0;

  for (; *in && o + 4 < len; in++) {
    unsigned char c = (unsigned char) *in;

    if (isalnum (c) || '-' == c || '_' == c || '.' == c || '~' == c)
      out[o++] = (char) c;
    else
      o += (size_t) snprintf (out + o, len - o, "%%%02X", c);
  }
  out[o] = '\0';
}

/* A click: Slack's block_actions payload for the ack_anomaly button of
 * anomaly @a id by @a user, signed (or not); @return the HTTP status. */
static int
click (const char *type, const char *user, const char *id, bool signed_ok)
{
  struct sr_th_response r = { 0 };
  char json[1024], body[4096], ts[24], sig[80], headers[512];
  int status;

  snprintf (json, sizeof (json),
            "{\"type\":\"%s\",\"user\":{\"id\":\"%s\",\"username\":\"u\"},"
            "\"trigger_id\":\"1.2.3\",\"response_url\":\"http://127.0.0.1:9/"
            "actions/T1/%s/%s\",\"actions\":[{\"type\":\"button\","
            "\"action_id\":\"ack_anomaly\",\"block_id\":\"b\",\"value\":\"%s\","
            "\"action_ts\":\"1\"}]}", type, user, id, user, id);
  strcpy (body, "payload=");
  form_encode (json, body + 8, sizeof (body) - 8);
  snprintf (ts, sizeof (ts), "%ld", (long) time (NULL));
  sign (ts, body, strlen (body), sig);
  if (!signed_ok)
    sig[5] = '0' == sig[5] ? '1' : '0';
  snprintf (headers, sizeof (headers), "Content-Type: application/"
            "x-www-form-urlencoded\r\nX-Slack-Request-Timestamp: %s\r\n"
            "X-Slack-Signature: %s\r\n", ts, sig);
  if (!sr_th_http (srv.port, "POST", "/v1/slack/interactions", headers, body,
                   strlen (body), &r))
    return 0;
  status = r.status;
  sr_th_response_clean (&r);
  return status;
}

SR_TEST (test_acknowledge_button)
{
  char id[24], other[24], sql[512], want[256];

  REQUIRE (up);
  snprintf (id, sizeof (id), "%s", q ("SELECT signalroom.raise_anomaly("
            "'no_rows', 'everflow', '', DATE '2026-01-05', '', 0, NULL, "
            "'{}', false, 'No rows', 'Everflow had no rows')"));
  snprintf (other, sizeof (other), "%s", q ("SELECT signalroom."
            "raise_anomaly('no_rows', 'redtrack', '', DATE '2026-01-05', '',"
            " 0, NULL, '{}', false, 'No rows', 'Redtrack had no rows')"));
  REQUIRE ('\0' != id[0] && '\0' != other[0]);

  /* Forged: refused, nothing acknowledged, nothing queued. */
  CHECK_INT_EQ (click ("block_actions", "UBOSS", id, false), 401);
  snprintf (sql, sizeof (sql), "SELECT status FROM signalroom.anomalies "
            "WHERE id = %s", id);
  CHECK_STR_EQ (q (sql), "open");

  /* Slack's click: acknowledged for the Slack user, confirmed once. */
  CHECK_INT_EQ (click ("block_actions", "UBOSS", id, true), 200);
  snprintf (sql, sizeof (sql), "SELECT status || '/' || acknowledged_by "
            "FROM signalroom.anomalies WHERE id = %s", id);
  CHECK_STR_EQ (q (sql), "acknowledged/slack:UBOSS");
  snprintf (sql, sizeof (sql), "SELECT count(*) || '/' || min(target) || "
            "'/' || min(payload->>'text') FROM signalroom.notifications "
            "WHERE idempotency_key = 'slack-ack:%s:UBOSS' AND channel = "
            "'response_url'", id);
  snprintf (want, sizeof (want), "1/http://127.0.0.1:9/actions/T1/%s/"
            "UBOSS/:white_check_mark: Anomaly #%s acknowledged by "
            "<@UBOSS>.", id, id);
  CHECK_STR_EQ (q (sql), want);
  /* Slack's retry of the same click: no second confirmation. */
  CHECK_INT_EQ (click ("block_actions", "UBOSS", id, true), 200);
  CHECK_STR_EQ (q (sql), want);
  /* Someone else clicks later: told who did it first. */
  CHECK_INT_EQ (click ("block_actions", "UADMIN", id, true), 200);
  snprintf (sql, sizeof (sql), "SELECT payload->>'text' FROM "
            "signalroom.notifications WHERE idempotency_key = "
            "'slack-ack:%s:UADMIN'", id);
  CHECK_CONTAINS (q (sql), "already acknowledged by slack:UBOSS");

  /* Another kind of interaction, or a user id that is not Slack's: left
   * alone (200, as Slack expects), nothing acknowledged. */
  CHECK_INT_EQ (click ("view_submission", "UBOSS", other, true), 200);
  CHECK_INT_EQ (click ("block_actions", "U<b>", other, true), 200);
  snprintf (sql, sizeof (sql), "SELECT status FROM signalroom.anomalies "
            "WHERE id = %s", other);
  CHECK_STR_EQ (q (sql), "open");
  /* An id that does not exist: said so, nothing else. */
  CHECK_INT_EQ (click ("block_actions", "UBOSS", "99999999", true), 200);
  CHECK_CONTAINS (q ("SELECT payload->>'text' FROM signalroom.notifications"
                     " WHERE idempotency_key = 'slack-ack:99999999:UBOSS'"),
                  "was not found");
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_start),
              SR_TEST_ENTRY (test_refusals_run_nothing),
              SR_TEST_ENTRY (test_report_figures),
              SR_TEST_ENTRY (test_states_figures),
              SR_TEST_ENTRY (test_sync_needs_an_admin),
              SR_TEST_ENTRY (test_admin_sync_runs_once_and_reports_back),
              SR_TEST_ENTRY (test_failed_run_reply_is_escaped),
              SR_TEST_ENTRY (test_slow_command_follows_up),
              SR_TEST_ENTRY (test_orphaned_command_is_answered),
              SR_TEST_ENTRY (test_daily_summary_posted_once),
              SR_TEST_ENTRY (test_intraday_snapshot),
              SR_TEST_ENTRY (test_escape_rule_matches_sql),
              SR_TEST_ENTRY (test_acknowledge_button),
              SR_TEST_ENTRY (test_stop))
