/*
 * test_alerts.c -- the alert policy (sql/migrations/0018_alerts.sql)
 * through the real failure path: `signalroom serve` runs Everflow and
 * Redtrack syncs against the simulator, which answers 401 (a failure that
 * is not retried), and the outbox rows the triggers queue are checked.
 * Delivery is not part of this: a row in signalroom.notifications is the
 * record of what will be sent, exactly once.
 *
 * Time is never waited for: "hours later" is made by moving the recorded
 * last_alert_at / failing_since back.  Each test builds on the state the
 * previous one left (the order in SR_TEST_MAIN matters).
 */
#include "check.h"
#include "harness.h"
#include "upstreams.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET "alerts-secret-0123456789abcdef0123456789"
#define EF_KEY "ef-alerts-key-0123456789"
#define RT_KEY "rt-alerts-key-0123456789"
#define CHANNEL "C0ALERTS1"
#define STORM 100
#define SMS_AFTER 3
/* What the simulator answers: 401 with a body that tries to mention the
 * whole channel; it reaches the run's error through the excerpt. */
#define HOSTILE_401 "{\"faults\":[{\"status\":401,\"count\":100000,"       \
  "\"body\":\"{\\\"error\\\":\\\"<!channel> @here bad key & more\\\"}\"}]}"

static struct sr_th_server srv;
static struct sr_sim sim;
static char conninfo[1024];
static PGconn *pg;
static char *token;
static int quiet_from, quiet_to;
static bool up;

/* The first value of a query built like printf (static buffer). */
static const char *
vq (const char *fmt, va_list ap)
{
  char sql[2048];

  vsnprintf (sql, sizeof (sql), fmt, ap);
  return sr_th_pg_value (pg, sql);
}

static const char *
qf (const char *fmt, ...)
{
  const char *v;
  va_list ap;

  va_start (ap, fmt);
  v = vq (fmt, ap);
  va_end (ap);
  return v;
}

/* The same, as a number. */
static long
qn (const char *fmt, ...)
{
  long v;
  va_list ap;

  va_start (ap, fmt);
  v = atol (vq (fmt, ap));
  va_end (ap);
  return v;
}

/* POST /v1/syncs for one day of @a source; @return the run id or 0. */
static long
create_run (const char *source, const char *day)
{
  char body[256];
  json_t *r = NULL;
  long id = 0;

  snprintf (body, sizeof (body), "{\"source\":\"%s\",\"from\":\"%s\","
            "\"to\":\"%s\"}", source, day, day);
  if (202 == sr_th_api (srv.port, token, "POST", "/v1/syncs", body, &r))
    id = (long) json_integer_value (json_object_get (r, "id"));
  json_decref (r);
  return id;
}

/* Wait (60 s at most) until run @a id ended; @return its status. */
static const char *
await_end (long id)
{
  char sql[256];

  snprintf (sql, sizeof (sql), "SELECT status NOT IN ('queued', 'running') "
            "FROM signalroom.runs WHERE id = %ld", id);
  if (!sr_th_pg_await_true (pg, sql, 60))
    return "(still running)";
  return qf ("SELECT status FROM signalroom.runs WHERE id = %ld", id);
}

/* One run of @a source for @a day, to its end; @return its status. */
static const char *
run_once (const char *source, const char *day)
{
  long id = create_run (source, day);

  return id > 0 ? await_end (id) : "(not created)";
}

/* Outbox rows of one kind and channel whose key starts with @a prefix. */
static long
rows (const char *channel, const char *kind, const char *prefix)
{
  return qn ("SELECT count(*) FROM signalroom.notifications WHERE channel = "
             "'%s' AND kind = '%s' AND idempotency_key LIKE '%s%%'", channel,
             kind, prefix);
}

SR_TEST (test_start)
{
  struct sr_th_env env = { 0 };
  char quiet[16];

  if (!sr_th_create_db ("sr_alerts", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  pg = sr_th_pg (conninfo);
  /* Quiet hours that hold now and the next hour, whatever the time of
   * day the test runs: from this local hour for two hours. */
  quiet_from = atoi (sr_th_pg_value (pg, "SELECT extract(hour FROM now() AT "
                                     "TIME ZONE 'America/New_York')::int"));
  quiet_to = (quiet_from + 2) % 24;
  snprintf (quiet, sizeof (quiet), "%d-%d", quiet_from, quiet_to);
  REQUIRE (sr_sim_start (&sim, EF_KEY, RT_KEY));
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  sr_th_env_add (&env, "SIGNALROOM_JWT_SECRET", SECRET);
  sr_th_env_add (&env, "SIGNALROOM_WORKERS", "2");
  sr_th_env_add (&env, "SIGNALROOM_SCHEDULER", "false");
  sr_th_env_add (&env, "SIGNALROOM_POLL_MS", "100");
  sr_th_env_add (&env, "SIGNALROOM_UPSTREAM_ATTEMPTS", "1");
  sr_th_env_add (&env, "SIGNALROOM_RETRY_BASE_MS", "20");
  /* S3 configured (an `all` run needs every source) but unreachable. */
  sr_th_env_add (&env, "AWS_ACCESS_KEY_ID", "AKIDALERTS");
  sr_th_env_add (&env, "AWS_SECRET_ACCESS_KEY", "alerts-secret-0123456789");
  sr_th_env_add (&env, "S3_BUCKET_NAME", "alerts");
  sr_th_env_add (&env, "S3_PREFIXES", "orders-create");
  sr_th_env_add (&env, "S3_ENDPOINT_URL", "http://127.0.0.1:9");
  sr_th_env_add (&env, "SLACK_CHANNEL_ID", CHANNEL);
  sr_th_env_add (&env, "ALERT_SMS_TO", "+15551230001, +15551230002");
  sr_th_env_add (&env, "ALERT_REMIND_HOURS", "1.5");
  sr_th_env_add (&env, "ALERT_SMS_AFTER_FAILURES", "3");
  sr_th_env_add (&env, "ALERT_SMS_QUIET_HOURS", quiet);
  sr_sim_env (&sim, &env, EF_KEY, RT_KEY);
  REQUIRE (sr_th_server_start (&srv, &env));
  token = sr_th_jwt (SECRET, "service_role", "authenticated", 3600);
  CHECK (sr_th_await_ready (srv.port, 30));
  /* Written by `serve` once the schema is current. */
  CHECK (sr_th_pg_await_true (pg, "SELECT slack_channel = '" CHANNEL "' "
                              "FROM signalroom.notify_settings", 30));
  /* Channel and numbers but no credentials: said at start. */
  CHECK (NULL != sr_th_server_wait_log (&srv, 10000, "texts will wait in "
                                        "the outbox", NULL));
  CHECK_INT_EQ (sr_th_server_count_log (&srv, "Slack messages will wait in "
                                        "the outbox"), 1);
  CHECK_INT_EQ (sr_th_server_count_log (&srv, "texts will wait in the "
                                        "outbox"), 1);
  CHECK (sr_sim_post (sim.everflow_port, "/_sim/faults", HOSTILE_401, NULL));
  CHECK (sr_sim_post (sim.redtrack_port, "/_sim/faults", HOSTILE_401, NULL));
  up = !sr_test_failures_;
}

/* The environment reached the one settings row SQL acts on. */
SR_TEST (test_settings_written)
{
  char want[256];

  REQUIRE (up);
  snprintf (want, sizeof (want), CHANNEL "|{+15551230001,+15551230002}|{}|"
            "1.5|3|%d-%d|America/New_York", quiet_from, quiet_to);
  CHECK_STR_EQ (qf ("SELECT slack_channel || '|' || alert_sms_to::text || "
                    "'|' || report_sms_to::text || '|' || remind_hours || "
                    "'|' || sms_after_failures || '|' || quiet_from || '-' "
                    "|| quiet_to || '|' || timezone FROM "
                    "signalroom.notify_settings"), want);
}

/* 100 failed runs: one Slack alert, one text per number, no reminder. */
SR_TEST (test_storm_alerts_once)
{
  char day[16];
  long created = 0;

  REQUIRE (up);
  for (int i = 0; i < STORM; i++) {
    snprintf (day, sizeof (day), "%s",
              qf ("SELECT (date '2025-01-01' + %d)::text", i));
    created += create_run ("everflow", day) > 0;
  }
  CHECK_INT_EQ (created, STORM);
  CHECK (sr_th_pg_await_true (pg, "SELECT count(*) = 100 FROM "
                              "signalroom.runs WHERE source = 'everflow' "
                              "AND status = 'failed'", 120));
  CHECK_INT_EQ (qn ("SELECT count(*) FROM signalroom.dead_letters WHERE "
                    "source = 'everflow'"), STORM);
  CHECK_INT_EQ (rows ("slack", "alert", "alert:everflow:sync:"), 1);
  CHECK_INT_EQ (rows ("slack", "reminder", "alert:everflow:"), 0);
  /* The alert names one of the failed runs, its source, kind and its one
   * dead letter, in the old layout. */
  CHECK_INT_EQ (qn ("SELECT count(*) FROM signalroom.notifications n JOIN "
                    "signalroom.runs r ON n.payload->>'text' LIKE "
                    "'%%run: ' || r.id || E'\\n%%' WHERE n.kind = 'alert' "
                    "AND n.channel = 'slack' AND r.status = 'failed' AND "
                    "r.source = 'everflow' AND n.target = '" CHANNEL "'"), 1);
  CHECK_STR_EQ (qf ("SELECT split_part(payload->>'text', E'\\n', 1) FROM "
                    "signalroom.notifications WHERE kind = 'alert' AND "
                    "channel = 'slack'"),
                ":rotating_light: *Pipeline failed: everflow sync*");
  CHECK_INT_EQ (qn ("SELECT count(*) FROM signalroom.notifications WHERE "
                    "kind = 'alert' AND channel = 'slack' AND payload->>"
                    "'text' LIKE E'%%source: everflow\\nkind: sync\\nrun: "
                    "%%\\ndead letters: 1```\\n\\n_Source: signalroom_ | _%%'"),
                1);
  /* More than SMS_AFTER consecutive failures: one text per number, sent
   * at once although it is the quiet hours (critical). */
  CHECK_INT_EQ (rows ("sms", "alert", "alert:everflow:sync:"), 2);
  CHECK_INT_EQ (qn ("SELECT count(*) FROM signalroom.notifications WHERE "
                    "channel = 'sms' AND kind = 'alert' AND critical AND "
                    "run_after = created_at AND target IN ('+15551230001', "
                    "'+15551230002') AND payload->>'body' LIKE "
                    "'[ALERT] everflow sync failing: %%' AND "
                    "length(payload->>'body') <= 160"), 2);
  CHECK_INT_EQ (qn ("SELECT consecutive_failed_runs FROM "
                    "signalroom.alert_state WHERE failure_key = "
                    "'everflow:sync'"), STORM);
}

/* Upstream text cannot mention the channel nor form a link. */
SR_TEST (test_error_text_escaped)
{
  const char *text;

  REQUIRE (up);
  text = qf ("SELECT payload->>'text' FROM signalroom.notifications WHERE "
             "kind = 'alert' AND channel = 'slack' AND idempotency_key LIKE "
             "'alert:everflow:sync:%%'");
  CHECK_CONTAINS (text, "&lt;!channel&gt;");
  CHECK_CONTAINS (text, "@\xe2\x81\xa0here");   /* U+2060 after the @ */
  CHECK_CONTAINS (text, "bad key &amp; more");
  CHECK (NULL == strstr (text, "<!channel>"));
  CHECK (NULL == strstr (text, "@here"));
  CHECK (NULL == strstr (text, " & "));
}

/* Reminders only at the configured pace (1.5 h here). */
SR_TEST (test_reminders_at_pace)
{
  long before;

  REQUIRE (up);
  /* 1 h 29 min since the alert: a failure does not remind. */
  qf ("UPDATE signalroom.alert_state SET last_alert_at = now() - interval "
      "'89 minutes' WHERE failure_key = 'everflow:sync'");
  CHECK_STR_EQ (run_once ("everflow", "2025-06-01"), "failed");
  CHECK_INT_EQ (rows ("slack", "reminder", "alert:everflow:sync:"), 0);
  /* 1 h 31 min, and failing for 6 h 30 min: one reminder saying so. */
  qf ("UPDATE signalroom.alert_state SET last_alert_at = now() - interval "
      "'91 minutes', failing_since = failing_since - interval '6 hours 30 "
      "minutes' WHERE failure_key = 'everflow:sync'");
  CHECK_STR_EQ (run_once ("everflow", "2025-06-02"), "failed");
  CHECK_INT_EQ (rows ("slack", "reminder", "alert:everflow:sync:"), 1);
  CHECK_CONTAINS (qf ("SELECT payload->>'text' FROM "
                      "signalroom.notifications WHERE kind = 'reminder'"),
                  "Failing for 6 h 30 min: 102 failed run(s), 102 dead "
                  "letter(s). Last error: ");
  CHECK_STR_EQ (qf ("SELECT split_part(payload->>'text', E'\\n', 1) FROM "
                    "signalroom.notifications WHERE kind = 'reminder'"),
                ":warning: *Still failing: everflow sync*");
  /* Right after it: nothing more. */
  CHECK_STR_EQ (run_once ("everflow", "2025-06-03"), "failed");
  CHECK_INT_EQ (rows ("slack", "reminder", "alert:everflow:sync:"), 1);
  /* Another 1.5 h: the second reminder. */
  qf ("UPDATE signalroom.alert_state SET last_alert_at = now() - interval "
      "'90 minutes' WHERE failure_key = 'everflow:sync'");
  CHECK_STR_EQ (run_once ("everflow", "2025-06-04"), "failed");
  CHECK_INT_EQ (rows ("slack", "reminder", "alert:everflow:sync:"), 2);
  CHECK_INT_EQ (rows ("slack", "alert", "alert:everflow:sync:"), 1);
  CHECK_INT_EQ (rows ("sms", "alert", "alert:everflow:sync:"), 2);
  /* The episode's messages share the alert's key. */
  CHECK_INT_EQ (qn ("SELECT count(*) FROM signalroom.notifications r, "
                    "signalroom.notifications a WHERE a.kind = 'alert' AND "
                    "a.channel = 'slack' AND a.idempotency_key LIKE "
                    "'alert:everflow:%%' AND r.idempotency_key IN "
                    "(a.idempotency_key || ':reminder:1', a.idempotency_key "
                    "|| ':reminder:2')"), 2);
  /* The last run's end replayed (as a dead-letter retry that fails
   * again would), reminder due or not: not counted, nothing queued. */
  before = qn ("SELECT count(*) FROM signalroom.notifications");
  qf ("UPDATE signalroom.alert_state SET last_alert_at = now() - interval "
      "'3 hours' WHERE failure_key = 'everflow:sync'");
  qf ("UPDATE signalroom.runs SET status = 'running' WHERE id = (SELECT "
      "max(id) FROM signalroom.runs WHERE source = 'everflow')");
  qf ("UPDATE signalroom.runs SET status = 'failed' WHERE id = (SELECT "
      "max(id) FROM signalroom.runs WHERE source = 'everflow')");
  CHECK_INT_EQ (qn ("SELECT count(*) FROM signalroom.notifications"), before);
  CHECK_INT_EQ (qn ("SELECT consecutive_failed_runs FROM "
                    "signalroom.alert_state WHERE failure_key = "
                    "'everflow:sync'"), STORM + 4);
}

/* The text goes after SMS_AFTER + 1 consecutive failures, not before,
 * and once. */
SR_TEST (test_sms_after_n_plus_one)
{
  char day[16];

  REQUIRE (up);
  for (int i = 1; i <= SMS_AFTER + 2; i++) {
    snprintf (day, sizeof (day), "2025-03-%02d", i);
    CHECK_STR_EQ (run_once ("redtrack", day), "failed");
    CHECK_INT_EQ (rows ("sms", "alert", "alert:redtrack:sync:"),
                  i <= SMS_AFTER ? 0 : 2);
    CHECK_INT_EQ (rows ("slack", "alert", "alert:redtrack:sync:"), 1);
  }
}

/* A run of two days whose both jobs die: one failed run (two dead
 * letters), and no message (the episode alerted and texted already). */
SR_TEST (test_run_and_its_dead_letters_one_failure)
{
  json_t *r = NULL;
  long id = 0, before;

  REQUIRE (up);
  before = qn ("SELECT count(*) FROM signalroom.notifications");
  CHECK_INT_EQ (sr_th_api (srv.port, token, "POST", "/v1/syncs",
                           "{\"source\":\"redtrack\",\"from\":"
                           "\"2025-04-01\",\"to\":\"2025-04-02\"}", &r),
                202);
  id = (long) json_integer_value (json_object_get (r, "id"));
  json_decref (r);
  REQUIRE (id > 0);
  CHECK_STR_EQ (await_end (id), "failed");
  CHECK_INT_EQ (qn ("SELECT count(*) FROM signalroom.dead_letters WHERE "
                    "run_id = %ld", id), 2);
  CHECK_STR_EQ (qf ("SELECT consecutive_failed_runs || '/' || dead_letters "
                    "FROM signalroom.alert_state WHERE failure_key = "
                    "'redtrack:sync'"), "6/7");
  CHECK_INT_EQ (qn ("SELECT count(*) FROM signalroom.notifications"), before);
}

/* One success: one recovery with the downtime and the failures; the
 * recovery text is not critical, so it waits for the quiet hours' end. */
SR_TEST (test_recovery_once)
{
  char want[128];
  long failed;

  REQUIRE (up);
  failed = qn ("SELECT count(*) FROM signalroom.runs WHERE source = "
               "'everflow' AND status = 'failed'");
  qf ("UPDATE signalroom.alert_state SET failing_since = now() - interval "
      "'5 hours 7 minutes' WHERE failure_key = 'everflow:sync'");
  CHECK (sr_sim_post (sim.everflow_port, "/_sim/reset", "{}", NULL));
  CHECK_STR_EQ (run_once ("everflow", "2025-06-05"), "succeeded");
  CHECK_INT_EQ (rows ("slack", "recovery", "alert:everflow:sync:"), 1);
  snprintf (want, sizeof (want), "Down for 5 h 7 min (%ld failed run(s), "
            "%ld dead letter(s)).", failed, failed);
  CHECK_CONTAINS (qf ("SELECT payload->>'text' FROM "
                      "signalroom.notifications WHERE kind = 'recovery' AND "
                      "channel = 'slack'"), want);
  CHECK_STR_EQ (qf ("SELECT split_part(payload->>'text', E'\\n', 1) FROM "
                    "signalroom.notifications WHERE kind = 'recovery' AND "
                    "channel = 'slack'"),
                ":information_source: *Recovered: everflow sync*");
  CHECK_STR_EQ (qf ("SELECT failing_since IS NULL AND "
                    "consecutive_failed_runs = 0 AND NOT sms_sent FROM "
                    "signalroom.alert_state WHERE failure_key = "
                    "'everflow:sync'"), "t");
  /* The text, held until the end of the quiet hours (local quiet_to). */
  CHECK_INT_EQ (qn ("SELECT count(*) FROM signalroom.notifications WHERE "
                    "channel = 'sms' AND kind = 'recovery' AND NOT critical "
                    "AND run_after > created_at AND run_after <= created_at "
                    "+ interval '2 hours' AND to_char(run_after AT TIME ZONE "
                    "'America/New_York', 'HH24:MI:SS') = lpad('%d', 2, '0') "
                    "|| ':00:00' AND payload->>'body' = '[INFO] everflow "
                    "sync recovered: down for 5 h 7 min'", quiet_to), 2);
  /* Redtrack still fails: its episode is untouched. */
  CHECK_STR_EQ (qf ("SELECT failing_since IS NOT NULL FROM "
                    "signalroom.alert_state WHERE failure_key = "
                    "'redtrack:sync'"), "t");
  /* A second success adds nothing. */
  CHECK_STR_EQ (run_once ("everflow", "2025-06-06"), "succeeded");
  CHECK_INT_EQ (rows ("slack", "recovery", "alert:everflow:"), 1);
  CHECK_INT_EQ (rows ("sms", "recovery", "alert:everflow:"), 2);
  /* A new failure is a new episode: a new alert. */
  CHECK (sr_sim_post (sim.everflow_port, "/_sim/faults", HOSTILE_401, NULL));
  CHECK_STR_EQ (run_once ("everflow", "2025-06-07"), "failed");
  CHECK_INT_EQ (rows ("slack", "alert", "alert:everflow:sync:"), 2);
}

/* An `all` run's children alert for their sources; the parent does not
 * alert again, and a cancelled run is no failure. */
SR_TEST (test_parent_and_cancelled)
{
  json_t *r = NULL;
  long parent = 0, before, probe;

  REQUIRE (up);
  before = qn ("SELECT count(*) FROM signalroom.notifications");
  CHECK_INT_EQ (sr_th_api (srv.port, token, "POST", "/v1/syncs",
                           "{\"source\":\"all\",\"from\":\"2025-08-01\","
                           "\"to\":\"2025-08-01\"}", &r), 202);
  parent = (long) json_integer_value (json_object_get (r, "id"));
  json_decref (r);
  REQUIRE (parent > 0);
  CHECK_STR_EQ (await_end (parent), "failed");
  /* S3 cannot be reached: its plan fails, a new episode of its own;
   * Everflow and Redtrack were failing already (no new message). */
  CHECK_INT_EQ (rows ("slack", "alert", "alert:s3_exports:plan:"), 1);
  CHECK_INT_EQ (qn ("SELECT count(*) FROM signalroom.notifications"),
                before + 1);
  CHECK_INT_EQ (qn ("SELECT count(*) FROM signalroom.alert_state WHERE "
                    "source = 'all'"), 0);
  /* Cancelled: no state, no message (checked on the trigger itself). */
  before = qn ("SELECT count(*) FROM signalroom.notifications");
  probe = qn ("INSERT INTO signalroom.runs (source, status) VALUES "
              "('cancel_probe', 'running') RETURNING id");
  REQUIRE (probe > 0);
  CHECK_STR_EQ (qf ("UPDATE signalroom.runs SET status = 'cancelled' WHERE "
                    "id = %ld RETURNING status", probe), "cancelled");
  CHECK_INT_EQ (qn ("SELECT count(*) FROM signalroom.alert_state WHERE "
                    "source = 'cancel_probe'"), 0);
  CHECK_INT_EQ (qn ("SELECT count(*) FROM signalroom.notifications"), before);
}

/* quiet_until across both DST changes of 2026 in New York (22-7). */
SR_TEST (test_quiet_until_dst)
{
  REQUIRE (up);
  qf ("BEGIN");
  qf ("UPDATE signalroom.notify_settings SET quiet_from = 22, quiet_to = 7, "
      "timezone = 'America/New_York'");
  /* 22:30 EST the evening before spring forward: 07:00 EDT = 11:00 UTC. */
  CHECK_STR_EQ (qf ("SELECT signalroom.quiet_until('2026-03-08 03:30+00') "
                    "= '2026-03-08 11:00+00'"), "t");
  /* 23:30 EDT the evening before fall back: 07:00 EST = 12:00 UTC. */
  CHECK_STR_EQ (qf ("SELECT signalroom.quiet_until('2026-11-01 03:30+00') "
                    "= '2026-11-01 12:00+00'"), "t");
  /* 08:00 EDT: not quiet. */
  CHECK_STR_EQ (qf ("SELECT signalroom.quiet_until('2026-03-08 12:00+00') "
                    "IS NULL"), "t");
  qf ("ROLLBACK");
}

SR_TEST (test_stop)
{
  int code = -1;

  if (srv.pid > 0)
    CHECK (sr_th_server_stop (&srv, 15, 20000, &code, NULL));
  sr_sim_stop (&sim);
  if (NULL != pg)
    PQfinish (pg);
  free (token);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_start),
              SR_TEST_ENTRY (test_settings_written),
              SR_TEST_ENTRY (test_storm_alerts_once),
              SR_TEST_ENTRY (test_error_text_escaped),
              SR_TEST_ENTRY (test_reminders_at_pace),
              SR_TEST_ENTRY (test_sms_after_n_plus_one),
              SR_TEST_ENTRY (test_run_and_its_dead_letters_one_failure),
              SR_TEST_ENTRY (test_recovery_once),
              SR_TEST_ENTRY (test_parent_and_cancelled),
              SR_TEST_ENTRY (test_quiet_until_dst),
              SR_TEST_ENTRY (test_stop))
