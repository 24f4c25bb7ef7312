/*
 * test_schedules.c -- schedules fired by three instances sharing one
 * database: each tick once, catch-up after downtime, dependencies.
 * (Cron evaluation across DST is unit-tested in test_cron.)
 */
#include "check.h"
#include "harness.h"
#include "upstreams.h"

#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define SECRET "sched-secret-0123456789abcdef0123456789"
#define EF_KEY "ef-sched-key-0123456789"
#define RT_KEY "rt-sched-key-0123456789"
#define N_INSTANCES 3

static struct sr_th_server srv[N_INSTANCES];
static struct sr_sim sim;
static char conninfo[1024];
static PGconn *pg;
static char *token;
static bool up;

static const char *
q (const char *sql)
{
  return sr_th_pg_value (pg, sql);
}

/* Poll @a sql until it returns "t" (or 30 s). */
static bool
await_true (const char *sql)
{
  return sr_th_pg_await_true (pg, sql, 30);
}

/* GET /v1/schedules: the schedule called @a name (new reference). */
static json_t *
schedule_named (const char *name)
{
  json_t *all = NULL, *list, *found = NULL;

  if (200 != sr_th_api (srv[1].port, token, "GET", "/v1/schedules", NULL,
                        &all)) {
    json_decref (all);
    return NULL;
  }
  list = json_object_get (all, "schedules");
  for (size_t i = 0; NULL == found && i < json_array_size (list); i++) {
    json_t *s = json_array_get (list, i);

    if (0 == strcmp (name, json_string_value (json_object_get (s, "name"))))
      found = json_incref (s);
  }
  json_decref (all);
  return found;
}

static int
patch (const char *name, const char *body, json_t **out)
{
  struct sr_th_response r;
  char headers[2048], target[128];
  int status;

  snprintf (headers, sizeof (headers), "Authorization: Bearer %s\r\n"
            "Content-Type: application/json\r\n", token);
  snprintf (target, sizeof (target), "/v1/schedules/%s", name);
  if (!sr_th_http (srv[0].port, "PATCH", target, headers, body, strlen (body),
                   &r))
    return -1;
  status = r.status;
  if (NULL != out)
    *out = json_loads (r.body, 0, NULL);
  sr_th_response_clean (&r);
  return status;
}

SR_TEST (test_start)
{
  struct sr_th_env env = { 0 };
  const char *const argv[] = { "migrate", NULL };

  if (!sr_th_create_db ("sr_schedules", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  REQUIRE (sr_sim_start (&sim, EF_KEY, RT_KEY));
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  REQUIRE (0 == sr_th_run (&env, argv, NULL, NULL));
  pg = sr_th_pg (conninfo);
  /* Start from quiet schedules: the seeded ones would fire at test time. */
  q ("UPDATE signalroom.schedules SET enabled = false");
  token = sr_th_jwt (SECRET, "service_role", "authenticated", 3600);
  sr_th_env_add (&env, "SIGNALROOM_JWT_SECRET", SECRET);
  sr_th_env_add (&env, "SIGNALROOM_SCHEDULER", "true");
  sr_th_env_add (&env, "SIGNALROOM_SCHEDULER_INTERVAL_MS", "100");
  sr_th_env_add (&env, "SIGNALROOM_POLL_MS", "100");
  sr_sim_env (&sim, &env, EF_KEY, RT_KEY);
  for (int i = 0; i < N_INSTANCES; i++)
    REQUIRE (sr_th_server_start (&srv[i], &env));
  up = true;
}

SR_TEST (test_patch_validation)
{
  json_t *r;

  REQUIRE (up);
  CHECK_INT_EQ (patch ("everflow-intraday", "{\"cron\":\"61 * * * *\"}", &r),
                400);
  CHECK_CONTAINS (json_string_value (json_object_get (r, "detail")),
                  "minute");
  json_decref (r);
  /* Every field valid, yet no day ever matches: refused, not stored with
   * next_at null. */
  CHECK_INT_EQ (patch ("everflow-daily", "{\"cron\":\"0 0 31 2 *\"}", &r),
                400);
  CHECK_STR_EQ (json_string_value (json_object_get (r, "field")), "cron");
  CHECK_CONTAINS (json_string_value (json_object_get (r, "detail")),
                  "never fires");
  json_decref (r);
  CHECK_INT_EQ (patch ("everflow-intraday", "{\"enabled\":\"yes\"}", &r),
                400);
  json_decref (r);
  CHECK_INT_EQ (patch ("everflow-intraday", "{\"speed\":1}", &r), 400);
  json_decref (r);
  CHECK_INT_EQ (patch ("no-such-schedule", "{\"enabled\":true}", &r), 404);
  json_decref (r);
  CHECK_INT_EQ (patch ("everflow-intraday", "{\"after\":\"nothing\"}", &r),
                400);
  CHECK_CONTAINS (json_string_value (json_object_get (r, "detail")),
                  "no schedule named nothing");
  json_decref (r);
  /* Waiting on oneself, directly or through another, would never end. */
  CHECK_INT_EQ (patch ("everflow-intraday",
                       "{\"after\":\"everflow-intraday\"}", &r), 400);
  CHECK_CONTAINS (json_string_value (json_object_get (r, "detail")), "cycle");
  json_decref (r);
  CHECK_INT_EQ (patch ("s3-daily", "{\"after\":\"everflow-daily\"}", &r),
                400);
  CHECK_CONTAINS (json_string_value (json_object_get (r, "detail")), "cycle");
  json_decref (r);
  CHECK_STR_EQ (q ("SELECT count(*) FROM signalroom.schedule_after "
                   "WHERE schedule_name = 's3-daily'"), "0");
}

SR_TEST (test_each_tick_fires_once)
{
  json_t *r;

  REQUIRE (up);
  CHECK_INT_EQ (patch ("everflow-intraday",
                       "{\"cron\":\"* * * * *\",\"enabled\":true,"
                       "\"catch_up_minutes\":10}", &r), 200);
  CHECK (json_is_true (json_object_get (r, "enabled")));
  CHECK (json_is_string (json_object_get (r, "next_at")));
  json_decref (r);
  /* As if every instance had been down for 3 minutes. */
  q ("UPDATE signalroom.schedules SET last_tick_at = now() - interval "
     "'3 minutes 30 seconds' WHERE name = 'everflow-intraday'");
  REQUIRE (await_true ("SELECT count(*) > 0 FROM signalroom.schedule_ticks "
                       "WHERE schedule_name = 'everflow-intraday' AND "
                       "outcome = 'fired'"));
  REQUIRE (await_true ("SELECT count(*) >= 3 FROM signalroom.schedule_ticks "
                       "WHERE schedule_name = 'everflow-intraday'"));
  /* Three instances raced for every tick: one run per fired tick, and
   * the missed ticks before the latest were recorded, not run. */
  CHECK_STR_EQ (q ("SELECT (SELECT count(*) FROM signalroom.runs WHERE "
                   "schedule_name = 'everflow-intraday') = (SELECT count(*) "
                   "FROM signalroom.schedule_ticks WHERE schedule_name = "
                   "'everflow-intraday' AND outcome = 'fired')"), "t");
  CHECK_STR_EQ (q ("SELECT count(*) >= 2 FROM signalroom.schedule_ticks "
                   "WHERE schedule_name = 'everflow-intraday' AND outcome = "
                   "'skipped' AND note LIKE 'missed;%'"), "t");
  /* The run covers "today" in the reporting time zone. */
  CHECK_STR_EQ (q ("SELECT bool_and(window_from = window_to AND window_to = "
                   "(now() AT TIME ZONE 'America/New_York')::date) FROM "
                   "signalroom.runs WHERE schedule_name = "
                   "'everflow-intraday'"), "t");
  CHECK_INT_EQ (patch ("everflow-intraday", "{\"enabled\":false}", &r), 200);
  json_decref (r);
}

SR_TEST (test_old_ticks_skipped)
{
  json_t *r;

  REQUIRE (up);
  CHECK_INT_EQ (patch ("redtrack-intraday",
                       "{\"cron\":\"* * * * *\",\"enabled\":true,"
                       "\"catch_up_minutes\":5}", &r), 200);
  json_decref (r);
  q ("UPDATE signalroom.schedules SET last_tick_at = now() - interval "
     "'20 minutes' WHERE name = 'redtrack-intraday'");
  REQUIRE (await_true ("SELECT count(*) > 0 FROM signalroom.schedule_ticks "
                       "WHERE schedule_name = 'redtrack-intraday' AND "
                       "outcome = 'fired'"));
  CHECK_STR_EQ (q ("SELECT count(*) >= 13 FROM signalroom.schedule_ticks "
                   "WHERE schedule_name = 'redtrack-intraday' AND note = "
                   "'missed, older than the catch-up window'"), "t");
  CHECK_INT_EQ (patch ("redtrack-intraday", "{\"enabled\":false}", &r), 200);
  json_decref (r);
}

SR_TEST (test_dependency)
{
  json_t *r;

  REQUIRE (up);
  /* Everflow after S3, waiting up to an hour: S3 has not run today. */
  CHECK_INT_EQ (patch ("everflow-daily",
                       "{\"cron\":\"* * * * *\",\"enabled\":true,"
                       "\"wait_minutes\":60,\"window_days\":1}", &r), 200);
  json_decref (r);
  q ("UPDATE signalroom.schedules SET last_tick_at = now() - interval "
     "'70 seconds' WHERE name = 'everflow-daily'");
  /* The scheduler looked (it holds the tick open: last_tick_at moved to
   * just before it) and did not fire. */
  REQUIRE (await_true ("SELECT last_tick_at > now() - interval '70 seconds' "
                       "FROM signalroom.schedules WHERE name = "
                       "'everflow-daily'"));
  /* 70 seconds may span two minute marks; the older one is then recorded
   * as collapsed into the newer, which is right. Nothing may have fired. */
  CHECK_STR_EQ (q ("SELECT count(*) FROM signalroom.schedule_ticks WHERE "
                   "schedule_name = 'everflow-daily' AND outcome = "
                   "'fired'"), "0");
  /* S3's run of the day succeeds: the waiting tick fires. */
  q ("WITH r AS (INSERT INTO signalroom.runs (source, status, "
     "schedule_name) VALUES ('s3_exports', 'succeeded', 's3-daily') "
     "RETURNING id) INSERT INTO signalroom.schedule_ticks (schedule_name, "
     "tick_at, outcome, run_id) SELECT 's3-daily', date_trunc('minute', "
     "now()) - interval '1 minute', 'fired', id FROM r");
  REQUIRE (await_true ("SELECT count(*) > 0 FROM signalroom.schedule_ticks "
                       "WHERE schedule_name = 'everflow-daily' AND outcome = "
                       "'fired' AND note IS NULL"));
  /* Its dependency failed and no waiting time is left: it runs anyway and
   * says so. */
  q ("UPDATE signalroom.runs SET status = 'failed' WHERE schedule_name = "
     "'redtrack-intraday'");
  CHECK_INT_EQ (patch ("redtrack-daily",
                       "{\"cron\":\"* * * * *\",\"enabled\":true,"
                       "\"wait_minutes\":0,\"after\":\"redtrack-intraday\"}",
                       &r), 200);
  json_decref (r);
  q ("UPDATE signalroom.schedules SET last_tick_at = now() - interval "
     "'70 seconds' WHERE name = 'redtrack-daily'");
  REQUIRE (await_true ("SELECT count(*) > 0 FROM signalroom.schedule_ticks "
                       "WHERE schedule_name = 'redtrack-daily' AND outcome = "
                       "'fired' AND note LIKE '%(failed); ran anyway'"));
  {
    size_t alerts = 0;

    for (int i = 0; i < N_INSTANCES; i++)
      alerts += sr_th_server_count_log (&srv[i], "schedule ran without its "
                                        "dependency");
    CHECK (alerts >= 1);
  }
  CHECK_INT_EQ (patch ("everflow-daily", "{\"enabled\":false}", &r), 200);
  json_decref (r);
  CHECK_INT_EQ (patch ("redtrack-daily", "{\"enabled\":false}", &r), 200);
  json_decref (r);
}

/* After downtime both a dependency and its dependent are overdue: the
 * dependency fires first, and the dependent gives it the full wait counted
 * from when the scheduler came back, not from the long-past tick. */
SR_TEST (test_catch_up_waits_for_dependency)
{
  char cron[64], body[256], sql[256];
  long before;
  json_t *r;

  REQUIRE (up);
  q ("DELETE FROM signalroom.schedule_ticks WHERE schedule_name IN "
     "('s3-daily', 'everflow-daily')");
  before = strtol (q ("SELECT coalesce(max(id), 0) FROM signalroom.runs"),
                   NULL, 10);
  snprintf (sql, sizeof (sql), "SELECT count(*) FROM signalroom.runs WHERE "
            "schedule_name = 'everflow-daily' AND id > %ld", before);
  /* Both were due at the same minute, 8 minutes ago; the wait is 5. */
  snprintf (cron, sizeof (cron), "%s * * *",
            q ("SELECT to_char((now() - interval '8 minutes') AT TIME ZONE "
               "'America/New_York', 'FMMI FMHH24')"));
  snprintf (body, sizeof (body), "{\"cron\":\"%s\",\"enabled\":true,"
            "\"wait_minutes\":5,\"after\":\"s3-daily\"}", cron);
  CHECK_INT_EQ (patch ("everflow-daily", body, &r), 200);
  json_decref (r);
  snprintf (body, sizeof (body), "{\"cron\":\"%s\",\"enabled\":true}",
            cron);
  CHECK_INT_EQ (patch ("s3-daily", body, &r), 200);
  json_decref (r);
  q ("UPDATE signalroom.schedules SET last_tick_at = now() - interval "
     "'15 minutes' WHERE name IN ('s3-daily', 'everflow-daily')");
  /* S3 is not configured here, so its run fails at once; Everflow waits. */
  REQUIRE (await_true ("SELECT count(*) = 1 FROM signalroom.runs WHERE "
                       "schedule_name = 's3-daily' AND status = 'failed'"));
  CHECK_STR_EQ (q ("SELECT error FROM signalroom.runs WHERE schedule_name "
                   "= 's3-daily' AND status = 'failed'"),
                "s3_exports: not configured: set AWS_ACCESS_KEY_ID, "
                "AWS_SECRET_ACCESS_KEY, S3_BUCKET_NAME, S3_PREFIXES");
  /* A configuration error is not retried: one attempt, a dead letter. */
  CHECK_STR_EQ (q ("SELECT string_agg(j.attempts || '/' || j.status || '/' "
                   "|| (SELECT count(*) FROM signalroom.dead_letters d "
                   "WHERE d.job_id = j.id), ',') FROM signalroom.jobs j "
                   "JOIN signalroom.runs r ON r.id = j.run_id WHERE "
                   "r.schedule_name = 's3-daily' AND r.status = 'failed'"),
                "1/dead/1");
  REQUIRE (await_true ("SELECT count(*) = 1 FROM signalroom.schedule_ticks "
                       "WHERE schedule_name = 'everflow-daily' AND outcome = "
                       "'waiting' AND note LIKE 'waiting for s3-daily%'"));
  CHECK_STR_EQ (q (sql), "0");
  /* The API shows the held tick, so an operator sees why nothing ran. */
  {
    json_t *s = schedule_named ("everflow-daily");
    json_t *tick = json_array_get (json_object_get (s, "recent_ticks"), 0);

    REQUIRE (NULL != s);
    CHECK_STR_EQ (json_string_value (json_object_get (tick, "outcome")),
                  "waiting");
    CHECK_CONTAINS (json_string_value (json_object_get (tick, "note")),
                    "waiting for s3-daily");
    CHECK (json_is_null (json_object_get (tick, "run_id")));
    json_decref (s);
  }
  /* Someone fixes S3 within the wait: Everflow fires, with no alert. */
  q ("UPDATE signalroom.runs SET status = 'succeeded' WHERE schedule_name "
     "= 's3-daily' AND status = 'failed'");
  REQUIRE (await_true ("SELECT count(*) = 1 FROM signalroom.schedule_ticks "
                       "WHERE schedule_name = 'everflow-daily' AND outcome = "
                       "'fired' AND note IS NULL AND run_id IS NOT NULL"));
  CHECK_STR_EQ (q (sql), "1");
  CHECK_INT_EQ (patch ("everflow-daily", "{\"enabled\":false}", &r), 200);
  json_decref (r);
  CHECK_INT_EQ (patch ("s3-daily", "{\"enabled\":false}", &r), 200);
  json_decref (r);
}

/* The names a schedule waits for, as GET /v1/schedules shows them
 * ("a,b"; "?" when it is not an array of strings). */
static const char *
after_of (const char *name)
{
  static char out[256];
  json_t *s = schedule_named (name), *after = json_object_get (s, "after");
  size_t i;
  json_t *e;

  snprintf (out, sizeof (out), "%s", json_is_array (after) ? "" : "?");
  json_array_foreach (after, i, e) {
    size_t used = strlen (out);

    snprintf (out + used, sizeof (out) - used, "%s%s", i ? "," : "",
              json_is_string (e) ? json_string_value (e) : "?");
  }
  json_decref (s);
  return out;
}

/* Record that schedule @a name fired at @a tick_sql with a run of
 * @a status (as if it had run; nothing is executed). */
static void
fake_fired (const char *name, const char *status, const char *tick_sql)
{
  char sql[768];

  snprintf (sql, sizeof (sql), "WITH r AS (INSERT INTO signalroom.runs "
            "(source, status, schedule_name) VALUES ('everflow', '%s', '%s') "
            "RETURNING id) INSERT INTO signalroom.schedule_ticks "
            "(schedule_name, tick_at, outcome, run_id) SELECT '%s', %s, "
            "'fired', id FROM r", status, name, name, tick_sql);
  q (sql);
}

/* A schedule waits for a set: the API shows it as an array, PATCH
 * replaces it as a whole (a lone name as before), and no edge may close
 * a cycle -- refused by the API and by the database itself. */
SR_TEST (test_after_set)
{
  json_t *r;
  PGresult *res;

  REQUIRE (up);
  /* Earlier tests left their own edges: start from the seeded ones. */
  q ("UPDATE signalroom.schedules SET wait_minutes = 60 WHERE name = "
     "'everflow-daily'");
  q ("DELETE FROM signalroom.schedule_after WHERE schedule_name = "
     "'redtrack-daily'");
  q ("INSERT INTO signalroom.schedule_after VALUES ('redtrack-daily', "
     "'s3-daily')");
  CHECK_STR_EQ (after_of ("daily-report"), "everflow-daily,redtrack-daily");
  CHECK_STR_EQ (after_of ("everflow-daily"), "s3-daily");
  CHECK_STR_EQ (after_of ("everflow-intraday"), "");
  /* Two edges: everflow-daily -> daily-report -> everflow-daily.  The
   * whole PATCH is refused, the set it had stays. */
  CHECK_INT_EQ (patch ("everflow-daily", "{\"wait_minutes\":5,\"after\":"
                       "[\"s3-daily\",\"daily-report\"]}", &r), 400);
  CHECK_CONTAINS (json_string_value (json_object_get (r, "detail")), "cycle");
  CHECK_CONTAINS (json_string_value (json_object_get (r, "detail")),
                  "everflow-daily -> daily-report -> everflow-daily");
  json_decref (r);
  CHECK_STR_EQ (after_of ("everflow-daily"), "s3-daily");
  CHECK_STR_EQ (q ("SELECT wait_minutes FROM signalroom.schedules WHERE "
                   "name = 'everflow-daily'"), "60");
  /* Three edges, through the seeded chain. */
  CHECK_INT_EQ (patch ("s3-daily", "{\"after\":[\"daily-report\"]}", &r),
                400);
  CHECK_CONTAINS (json_string_value (json_object_get (r, "detail")),
                  "s3-daily -> daily-report -> everflow-daily -> s3-daily");
  json_decref (r);
  /* The database refuses it without the API too. */
  res = PQexec (pg, "INSERT INTO signalroom.schedule_after VALUES "
                "('redtrack-daily', 'daily-report')");
  CHECK_STR_EQ (PQresultErrorField (res, PG_DIAG_SQLSTATE), "SR002");
  CHECK_CONTAINS (PQresultErrorField (res, PG_DIAG_MESSAGE_PRIMARY),
                  "redtrack-daily -> daily-report -> redtrack-daily");
  PQclear (res);
  /* An unknown name among known ones: refused by name, nothing changes. */
  CHECK_INT_EQ (patch ("redtrack-daily", "{\"after\":[\"everflow-daily\","
                       "\"nothing\"]}", &r), 400);
  CHECK_CONTAINS (json_string_value (json_object_get (r, "detail")),
                  "no schedule named nothing");
  json_decref (r);
  CHECK_STR_EQ (after_of ("redtrack-daily"), "s3-daily");
  CHECK_INT_EQ (patch ("redtrack-daily", "{\"after\":[\"\"]}", &r), 400);
  json_decref (r);
  CHECK_INT_EQ (patch ("redtrack-daily", "{\"after\":{}}", &r), 400);
  json_decref (r);
  /* Replaced as a whole, answered with the new set. */
  CHECK_INT_EQ (patch ("redtrack-daily", "{\"after\":[\"everflow-daily\","
                       "\"s3-daily\",\"everflow-daily\"]}", &r), 200);
  CHECK_INT_EQ (json_array_size (json_object_get (r, "after")), 2);
  json_decref (r);
  CHECK_STR_EQ (after_of ("redtrack-daily"), "everflow-daily,s3-daily");
  CHECK_INT_EQ (patch ("redtrack-daily", "{\"after\":[\"everflow-intraday\"]}",
                       &r), 200);
  json_decref (r);
  CHECK_STR_EQ (after_of ("redtrack-daily"), "everflow-intraday");
  CHECK_INT_EQ (patch ("redtrack-daily", "{\"after\":[]}", &r), 200);
  json_decref (r);
  CHECK_STR_EQ (after_of ("redtrack-daily"), "");
  CHECK_INT_EQ (patch ("redtrack-daily", "{\"after\":\"s3-daily\"}", &r), 200);
  json_decref (r);
  CHECK_STR_EQ (after_of ("redtrack-daily"), "s3-daily");
  /* Other fields leave the set alone. */
  CHECK_INT_EQ (patch ("daily-report", "{\"wait_minutes\":60}", &r), 200);
  json_decref (r);
  CHECK_STR_EQ (after_of ("daily-report"), "everflow-daily,redtrack-daily");
}

/* Wait until no daily_report run is active (a new tick would otherwise be
 * skipped as overlapping). */
static bool
reports_idle (void)
{
  return await_true ("SELECT count(*) = 0 FROM signalroom.runs WHERE "
                     "source = 'daily_report' AND status IN ('queued', "
                     "'running')");
}

/* daily-report waits for both daily syncs: one success is not enough. */
SR_TEST (test_waits_for_every_dependency)
{
  json_t *r;

  REQUIRE (up);
  q ("DELETE FROM signalroom.schedule_ticks WHERE schedule_name IN "
     "('everflow-daily', 'redtrack-daily', 'daily-report')");
  CHECK_INT_EQ (patch ("daily-report", "{\"cron\":\"* * * * *\","
                       "\"enabled\":true,\"wait_minutes\":60}", &r), 200);
  json_decref (r);
  fake_fired ("everflow-daily", "succeeded",
              "date_trunc('minute', now()) - interval '1 minute'");
  q ("UPDATE signalroom.schedules SET last_tick_at = now() - interval "
     "'70 seconds' WHERE name = 'daily-report'");
  REQUIRE (await_true ("SELECT count(*) > 0 FROM signalroom.schedule_ticks "
                       "WHERE schedule_name = 'daily-report' AND outcome = "
                       "'waiting' AND note LIKE 'waiting for everflow-daily, "
                       "redtrack-daily (up to 60 minutes)'"));
  /* Looked at again and again by three instances: still held. */
  REQUIRE (await_true ("SELECT last_tick_at > now() - interval '70 seconds' "
                       "FROM signalroom.schedules WHERE name = "
                       "'daily-report'"));
  CHECK_STR_EQ (q ("SELECT count(*) FROM signalroom.schedule_ticks WHERE "
                   "schedule_name = 'daily-report' AND outcome = 'fired'"),
                "0");
  fake_fired ("redtrack-daily", "succeeded",
              "date_trunc('minute', now()) - interval '1 minute'");
  REQUIRE (await_true ("SELECT count(*) > 0 FROM signalroom.schedule_ticks "
                       "WHERE schedule_name = 'daily-report' AND outcome = "
                       "'fired' AND note IS NULL AND run_id IS NOT NULL"));
  CHECK_INT_EQ (patch ("daily-report", "{\"enabled\":false}", &r), 200);
  json_decref (r);
  REQUIRE (reports_idle ());

  /* No wait left, one dependency failed: it runs, and the note names the
   * one that had not succeeded, not the one that had. */
  q ("DELETE FROM signalroom.schedule_ticks WHERE schedule_name IN "
     "('everflow-daily', 'redtrack-daily', 'daily-report')");
  fake_fired ("everflow-daily", "succeeded",
              "date_trunc('minute', now()) - interval '1 minute'");
  fake_fired ("redtrack-daily", "failed",
              "date_trunc('minute', now()) - interval '1 minute'");
  CHECK_INT_EQ (patch ("daily-report", "{\"enabled\":true,"
                       "\"wait_minutes\":0}", &r), 200);
  json_decref (r);
  q ("UPDATE signalroom.schedules SET last_tick_at = now() - interval "
     "'70 seconds' WHERE name = 'daily-report'");
  REQUIRE (await_true ("SELECT count(*) > 0 FROM signalroom.schedule_ticks "
                       "WHERE schedule_name = 'daily-report' AND outcome = "
                       "'fired'"));
  CHECK_STR_EQ (q ("SELECT note FROM signalroom.schedule_ticks WHERE "
                   "schedule_name = 'daily-report' AND outcome = 'fired'"),
                "redtrack-daily had not succeeded after 0 minutes "
                "(failed); ran anyway");
  CHECK_INT_EQ (patch ("daily-report", "{\"enabled\":false,\"cron\":"
                       "\"30 7 * * *\",\"wait_minutes\":60}", &r), 200);
  json_decref (r);
  REQUIRE (reports_idle ());
}

/* The seeded schedule as it is: at 07:30 in the reporting time zone,
 * once both daily syncs of that day succeeded, a daily_report run of the
 * day before.  The latest 07:30 is brought within reach by giving the
 * scheduler a catch-up window that covers it (its real clock, no fake). */
SR_TEST (test_daily_report_schedule)
{
  char t730[40], sql[512], ef[96], rt[96];
  json_t *r;

  REQUIRE (up);
  q ("DELETE FROM signalroom.schedule_ticks WHERE schedule_name IN "
     "('everflow-daily', 'redtrack-daily', 'daily-report')");
  CHECK_STR_EQ (q ("SELECT cron || ' ' || source || ' ' || window_days || "
                   "' ' || wait_minutes FROM signalroom.schedules WHERE "
                   "name = 'daily-report'"), "30 7 * * * daily_report 0 60");
  /* The latest 07:30 in New York, as epoch seconds. */
  snprintf (t730, sizeof (t730), "%s",
            q ("SELECT extract(epoch FROM ((CASE WHEN (now() AT TIME ZONE "
               "'America/New_York')::time >= '07:30' THEN (now() AT TIME "
               "ZONE 'America/New_York')::date ELSE (now() AT TIME ZONE "
               "'America/New_York')::date - 1 END) + time '07:30') AT TIME "
               "ZONE 'America/New_York')::bigint"));
  snprintf (ef, sizeof (ef), "to_timestamp(%s) - interval '30 minutes'",
            t730);
  snprintf (rt, sizeof (rt), "to_timestamp(%s) - interval '25 minutes'",
            t730);
  fake_fired ("everflow-daily", "succeeded", ef);
  CHECK_INT_EQ (patch ("daily-report", "{\"enabled\":true,"
                       "\"catch_up_minutes\":1500}", &r), 200);
  json_decref (r);
  snprintf (sql, sizeof (sql), "UPDATE signalroom.schedules SET "
            "last_tick_at = to_timestamp(%s) - interval '1 minute' WHERE "
            "name = 'daily-report'", t730);
  q (sql);
  /* Redtrack's daily sync has not run that day: held at 07:30. */
  snprintf (sql, sizeof (sql), "SELECT count(*) = 1 FROM "
            "signalroom.schedule_ticks WHERE schedule_name = 'daily-report' "
            "AND outcome = 'waiting' AND tick_at = to_timestamp(%s)", t730);
  REQUIRE (await_true (sql));
  fake_fired ("redtrack-daily", "succeeded", rt);
  snprintf (sql, sizeof (sql), "SELECT count(*) = 1 FROM "
            "signalroom.schedule_ticks t JOIN signalroom.runs r ON r.id = "
            "t.run_id WHERE t.schedule_name = 'daily-report' AND "
            "t.outcome = 'fired' AND t.note IS NULL AND t.tick_at = "
            "to_timestamp(%s) AND r.source = 'daily_report'", t730);
  REQUIRE (await_true (sql));
  /* Its window: the day before 07:30's day, one day. */
  snprintf (sql, sizeof (sql), "SELECT r.window_from = r.window_to AND "
            "r.window_to = (to_timestamp(%s) AT TIME ZONE "
            "'America/New_York')::date - 1 FROM signalroom.schedule_ticks t "
            "JOIN signalroom.runs r ON r.id = t.run_id WHERE "
            "t.schedule_name = 'daily-report' AND t.outcome = 'fired'", t730);
  CHECK_STR_EQ (q (sql), "t");
  CHECK_INT_EQ (patch ("daily-report", "{\"enabled\":false,"
                       "\"catch_up_minutes\":360}", &r), 200);
  json_decref (r);
  REQUIRE (reports_idle ());
  /* Run by a worker: a snapshot per brand for that day. */
  snprintf (sql, sizeof (sql), "SELECT count(*) FROM reports.snapshots s "
            "JOIN signalroom.runs r ON r.id = s.run_id JOIN "
            "signalroom.schedule_ticks t ON t.run_id = r.id WHERE "
            "t.schedule_name = 'daily-report' AND t.tick_at = to_timestamp(%s)"
            " AND r.status = 'succeeded' AND s.date = r.window_to", t730);
  CHECK_STR_EQ (q (sql), "2");
}

SR_TEST (test_stop)
{
  REQUIRE (up);
  for (int i = 0; i < N_INSTANCES; i++) {
    int code = -1;

    CHECK (sr_th_server_stop (&srv[i], SIGTERM, 20000, &code, NULL));
    CHECK_INT_EQ (code, 0);
  }
  sr_sim_stop (&sim);
  PQfinish (pg);
  free (token);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_start),
              SR_TEST_ENTRY (test_patch_validation),
              SR_TEST_ENTRY (test_each_tick_fires_once),
              SR_TEST_ENTRY (test_old_ticks_skipped),
              SR_TEST_ENTRY (test_dependency),
              SR_TEST_ENTRY (test_catch_up_waits_for_dependency),
              SR_TEST_ENTRY (test_after_set),
              SR_TEST_ENTRY (test_waits_for_every_dependency),
              SR_TEST_ENTRY (test_daily_report_schedule),
              SR_TEST_ENTRY (test_stop))
