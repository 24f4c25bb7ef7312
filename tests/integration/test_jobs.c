/*
 * test_jobs.c -- the job queue with three `signalroom serve` instances on
 * one database: exactly-once execution, retries, dead letters, an instance
 * killed mid-job, and the runs API.
 */
#include "check.h"
#include "harness.h"
#include "upstreams.h"

#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET "jobs-secret-0123456789abcdef0123456789"
#define EF_KEY "ef-jobs-key-0123456789"
#define RT_KEY "rt-jobs-key-0123456789"
#define N_INSTANCES 3

static struct sr_th_server srv[N_INSTANCES];
static bool alive[N_INSTANCES];
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

static bool
start_instance (int i)
{
  struct sr_th_env env = { 0 };

  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  sr_th_env_add (&env, "SIGNALROOM_JWT_SECRET", SECRET);
  sr_th_env_add (&env, "SIGNALROOM_WORKERS", "2");
  sr_th_env_add (&env, "SIGNALROOM_LEASE_SECONDS", "3");
  sr_th_env_add (&env, "SIGNALROOM_POLL_MS", "200");
  sr_th_env_add (&env, "SIGNALROOM_RETRY_BASE_MS", "50");
  sr_th_env_add (&env, "SIGNALROOM_UPSTREAM_ATTEMPTS", "1");
  sr_th_env_add (&env, "SIGNALROOM_SHUTDOWN_GRACE", "2");
  sr_sim_env (&sim, &env, EF_KEY, RT_KEY);
  alive[i] = sr_th_server_start (&srv[i], &env);
  return alive[i];
}

static int
api (int i, const char *method, const char *target, const char *body,
     const char *extra_headers, json_t **out)
{
  struct sr_th_response r;
  char headers[2048];
  int status;

  snprintf (headers, sizeof (headers),
            "Authorization: Bearer %s\r\n%s%s", token,
            body ? "Content-Type: application/json\r\n" : "",
            extra_headers ? extra_headers : "");
  if (!sr_th_http (srv[i].port, method, target, headers, body,
                   body ? strlen (body) : 0, &r))
    return -1;
  status = r.status;
  if (NULL != out)
    *out = json_loads (r.body, 0, NULL);
  sr_th_response_clean (&r);
  return status;
}

/* Poll the run through the API until it is finished (or 60 s). */
static json_t *
await_run (json_int_t id)
{
  char target[64];
  double t0 = sr_th_now ();

  snprintf (target, sizeof (target), "/v1/syncs/%" JSON_INTEGER_FORMAT, id);
  while (sr_th_now () - t0 < 60) {
    json_t *run = NULL;
    const char *st;
    int any = 0;

    while (any < N_INSTANCES - 1 && !alive[any])
      any++;   /* ask an instance that is up */
    if (200 == api (any, "GET", target, NULL, NULL, &run)) {
      st = json_string_value (json_object_get (run, "status"));
      if (0 != strcmp (st, "queued") && 0 != strcmp (st, "running"))
        return run;
    }
    json_decref (run);
    (void) poll (NULL, 0, 50);   /* re-check interval, not a wait */
  }
  return NULL;
}

static json_int_t
jint (json_t *o, const char *a, const char *b)
{
  json_t *v = json_object_get (o, a);

  return json_integer_value (NULL != b ? json_object_get (v, b) : v);
}

SR_TEST (test_start)
{
  struct sr_th_env env = { 0 };
  const char *const argv[] = { "migrate", NULL };

  if (!sr_th_create_db ("sr_jobs", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  REQUIRE (sr_sim_start (&sim, EF_KEY, RT_KEY));
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  REQUIRE (0 == sr_th_run (&env, argv, NULL, NULL));
  pg = sr_th_pg (conninfo);
  token = sr_th_jwt (SECRET, "service_role", "authenticated", 3600);
  for (int i = 0; i < N_INSTANCES; i++)
    REQUIRE (start_instance (i));
  up = true;
}

/* Idle instances are quiet: each worker asks for a job once per poll
 * interval and the keeper renews leases a few times per lease, about 33
 * transactions a second for three instances here.  (A heartbeat that did
 * not sleep once made an idle instance run over a thousand a second.) */
SR_TEST (test_idle_instances_are_quiet)
{
  const char *sql = "SELECT xact_commit + xact_rollback FROM "
                    "pg_stat_database WHERE datname = current_database()";
  long before, after;

  REQUIRE (up);
  q ("SELECT pg_stat_clear_snapshot()");
  before = strtol (q (sql), NULL, 10);
  (void) poll (NULL, 0, 3000);   /* the window measured, not a wait */
  q ("SELECT pg_stat_clear_snapshot()");
  after = strtol (q (sql), NULL, 10);
  /* The workers do poll: 3 instances x 2 workers at SIGNALROOM_POLL_MS
   * 200 over 3 s is about 90 claims (plus heartbeats); this test's own
   * queries are a handful, so at least 45 means the service polled. */
  CHECK (after - before >= 45);
  CHECK (after - before < 400);
  if (after - before >= 400)
    fprintf (stderr, "idle transactions in 3 s: %ld\n", after - before);
}

SR_TEST (test_api_validation)
{
  static const struct {
    const char *body;
    const char *why;
  } bad[] = {
    { "{\"source\":\"facebook\"}", "unknown source" },
    { "{\"source\":\"everflow\",\"from\":\"2025-13-01\",\"to\":\"2025-12-01\"}",
      "dates" },
    { "{\"source\":\"everflow\",\"from\":\"2025-12-02\",\"to\":\"2025-12-01\"}",
      "from is after to" },
    { "{\"source\":\"everflow\",\"from\":\"2024-01-01\",\"to\":\"2025-01-01\"}",
      "at most 366" },
    { "{\"source\":\"everflow\",\"from\":\"2025-12-01\"}", "both from and to" },
    { "{\"source\":\"everflow\",\"speed\":\"fast\"}", "unknown field" },
    { "{\"source\":\"s3_exports\"}", "AWS_ACCESS_KEY_ID" },
    { "not json", "not valid JSON" },
    { "[1]", "must be an object" },
  };
  json_t *r;

  REQUIRE (up);
  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
    CHECK_INT_EQ (api (0, "POST", "/v1/syncs", bad[i].body, NULL, &r), 400);
    CHECK_CONTAINS (json_string_value (json_object_get (r, "detail")),
                    bad[i].why);
    json_decref (r);
  }
  CHECK_INT_EQ (api (0, "GET", "/v1/syncs/999999", NULL, NULL, &r), 404);
  json_decref (r);
  CHECK_INT_EQ (api (0, "GET", "/v1/syncs?status=weird", NULL, NULL, &r),
                400);
  json_decref (r);
}

SR_TEST (test_noop_jobs_run_exactly_once)
{
  int distinct = 0;

  REQUIRE (up);
  /* 200 empty jobs in one run, queued straight into the table. */
  q ("WITH r AS (INSERT INTO signalroom.runs (source) VALUES ('noop') "
     "RETURNING id) INSERT INTO signalroom.jobs (run_id, kind, source) "
     "SELECT r.id, 'noop', 'noop' FROM r, generate_series(1, 200)");
  q ("SELECT signalroom.notify_jobs()");
  {
    double t0 = sr_th_now ();

    while (sr_th_now () - t0 < 60
           && 0 != strcmp ("200", q ("SELECT count(*) FROM signalroom.jobs "
                                     "WHERE kind = 'noop' AND status = "
                                     "'succeeded'")))
      (void) poll (NULL, 0, 20);
  }
  CHECK_STR_EQ (q ("SELECT count(*) || '/' || sum(attempts) || '/' || "
                   "max(attempts) FROM signalroom.jobs WHERE kind = 'noop'"),
                "200/200/1");
  CHECK_STR_EQ (q ("SELECT status FROM signalroom.runs WHERE source = "
                   "'noop'"), "succeeded");
  /* Shared by the instances (the pid is part of the lease owner). */
  distinct = atoi (q ("SELECT count(DISTINCT split_part(result->>'by', ':', "
                      "2)) FROM signalroom.jobs WHERE kind = 'noop'"));
  CHECK (distinct >= 2);
}

#define EF_ROW(date, cv)                                                     \
  "{\"date\":\"" date "\",\"affiliate_id\":11,\"affiliate_label\":\"Blue "    \
  "Bench Media LLC\",\"advertiser_id\":1,\"advertiser_label\":\"CCW\","       \
  "\"clicks\":10,\"conversions\":" #cv ",\"revenue\":\"30.00\","              \
  "\"payout\":\"20.00\"}"

SR_TEST (test_run_of_days)
{
  json_t *r, *run;
  int status;
  json_int_t id;

  REQUIRE (up);
  CHECK (sr_sim_post (sim.everflow_port, "/_sim/data",
                      "{\"rows\":[" EF_ROW ("2025-06-01", 1) ","
                      EF_ROW ("2025-06-02", 2) "," EF_ROW ("2025-06-03", 3)
                      "]}", &status));
  CHECK_INT_EQ (api (1, "POST", "/v1/syncs",
                     "{\"source\":\"everflow\",\"from\":\"2025-06-01\","
                     "\"to\":\"2025-06-03\"}", "Idempotency-Key: abc-1\r\n",
                     &r), 202);
  id = jint (r, "id", NULL);
  CHECK_INT_EQ (jint (r, "jobs", "total"), 3);
  json_decref (r);
  /* The same key again: the same run, not a second one. */
  CHECK_INT_EQ (api (2, "POST", "/v1/syncs",
                     "{\"source\":\"everflow\",\"from\":\"2025-06-01\","
                     "\"to\":\"2025-06-03\"}", "Idempotency-Key: abc-1\r\n",
                     &r), 200);
  CHECK_INT_EQ (jint (r, "id", NULL), id);
  json_decref (r);
  run = await_run (id);
  REQUIRE (NULL != run);
  CHECK_STR_EQ (json_string_value (json_object_get (run, "status")),
                "succeeded");
  CHECK_INT_EQ (jint (run, "jobs", "succeeded"), 3);
  CHECK_INT_EQ (json_integer_value (json_object_get (json_object_get (
                                                       json_object_get (
                                                         run, "tables"),
                                                       "everflow.daily_stats"),
                                                     "inserted")), 3);
  json_decref (run);
  CHECK_STR_EQ (q ("SELECT string_agg(date || ':' || conversions, ',' ORDER "
                   "BY date) FROM everflow.daily_stats"),
                "2025-06-01:1,2025-06-02:2,2025-06-03:3");
  /* The sources report their freshness. */
  CHECK_INT_EQ (api (0, "GET", "/v1/sources", NULL, NULL, &r), 200);
  {
    size_t i;
    json_t *s;
    bool saw = false;

    json_array_foreach (json_object_get (r, "sources"), i, s)
      if (0 == strcmp ("everflow", json_string_value (json_object_get (s,
                                                                     "source"))))
      {
        saw = true;
        CHECK_STR_EQ (json_string_value (json_object_get (s, "last_day")),
                      "2025-06-03");
        CHECK (json_is_true (json_object_get (s, "configured")));
      }
    CHECK (saw);
  }
  json_decref (r);
}

SR_TEST (test_overlap_and_cancel)
{
  json_t *r;
  json_int_t id;
  int status;

  REQUIRE (up);
  /* A slow upstream keeps the first run active. */
  CHECK (sr_sim_post (sim.redtrack_port, "/_sim/faults",
                      "{\"faults\":[{\"delay_ms\":1000,\"count\":20}]}",
                      &status));
  CHECK_INT_EQ (api (0, "POST", "/v1/syncs",
                     "{\"source\":\"redtrack\",\"from\":\"2025-07-01\","
                     "\"to\":\"2025-07-20\"}", NULL, &r), 202);
  id = jint (r, "id", NULL);
  json_decref (r);
  CHECK_INT_EQ (api (1, "POST", "/v1/syncs",
                     "{\"source\":\"redtrack\",\"from\":\"2025-07-15\","
                     "\"to\":\"2025-07-25\"}", NULL, &r), 409);
  CHECK_INT_EQ (jint (r, "run_id", NULL), id);
  CHECK_CONTAINS (json_string_value (json_object_get (r, "href")),
                  "/v1/syncs/");
  json_decref (r);
  {
    char target[64];

    snprintf (target, sizeof (target),
              "/v1/syncs/%" JSON_INTEGER_FORMAT "/cancel", id);
    CHECK_INT_EQ (api (2, "POST", target, NULL, NULL, &r), 200);
    json_decref (r);
    r = await_run (id);
    REQUIRE (NULL != r);
    CHECK_STR_EQ (json_string_value (json_object_get (r, "status")),
                  "cancelled");
    CHECK (jint (r, "jobs", "cancelled") >= 10);
    json_decref (r);
    CHECK_INT_EQ (api (2, "POST", target, NULL, NULL, &r), 409);
    json_decref (r);
  }
}

SR_TEST (test_retry_succeeds_on_fourth_attempt)
{
  json_t *r, *run;
  int status;

  REQUIRE (up);
  CHECK (sr_sim_post (sim.everflow_port, "/_sim/faults",
                      "{\"faults\":[{\"status\":503,\"count\":3}]}",
                      &status));
  CHECK_INT_EQ (api (0, "POST", "/v1/syncs",
                     "{\"source\":\"everflow\",\"from\":\"2025-06-02\","
                     "\"to\":\"2025-06-02\"}", NULL, &r), 202);
  run = await_run (jint (r, "id", NULL));
  json_decref (r);
  REQUIRE (NULL != run);
  CHECK_STR_EQ (json_string_value (json_object_get (run, "status")),
                "succeeded");
  CHECK_INT_EQ (jint (run, "attempts", NULL), 4);
  json_decref (run);
}

SR_TEST (test_dead_letter_and_retry)
{
  json_t *r, *run, *dl;
  int status;
  json_int_t run_id;

  REQUIRE (up);
  CHECK (sr_sim_post (sim.everflow_port, "/_sim/faults",
                      "{\"faults\":[{\"status\":502,\"count\":5}]}",
                      &status));
  CHECK_INT_EQ (api (0, "POST", "/v1/syncs",
                     "{\"source\":\"everflow\",\"from\":\"2025-06-03\","
                     "\"to\":\"2025-06-03\"}", NULL, &r), 202);
  run_id = jint (r, "id", NULL);
  json_decref (r);
  run = await_run (run_id);
  REQUIRE (NULL != run);
  CHECK_STR_EQ (json_string_value (json_object_get (run, "status")),
                "failed");
  CHECK_INT_EQ (jint (run, "attempts", NULL), 5);
  CHECK_INT_EQ (jint (run, "jobs", "dead"), 1);
  CHECK_CONTAINS (json_string_value (json_object_get (run, "error")),
                  "HTTP 502");
  json_decref (run);
  CHECK_INT_EQ (api (1, "GET", "/v1/dead-letters", NULL, NULL, &r), 200);
  dl = json_array_get (json_object_get (r, "dead_letters"), 0);
  CHECK_INT_EQ (jint (dl, "run_id", NULL), run_id);
  CHECK_INT_EQ (jint (dl, "attempts", NULL), 5);
  CHECK_STR_EQ (json_string_value (json_object_get (json_object_get (dl,
                                                                     "request"),
                                                    "from")), "2025-06-03");
  CHECK_CONTAINS (json_string_value (json_object_get (dl, "error")),
                  "HTTP 502");
  {
    char target[64];
    json_t *again;

    snprintf (target, sizeof (target),
              "/v1/dead-letters/%" JSON_INTEGER_FORMAT "/retry",
              jint (dl, "id", NULL));
    CHECK_INT_EQ (api (2, "POST", target, NULL, NULL, &again), 202);
    json_decref (again);
    CHECK_INT_EQ (api (2, "POST", target, NULL, NULL, &again), 409);
    json_decref (again);
  }
  json_decref (r);
  run = await_run (run_id);
  REQUIRE (NULL != run);
  CHECK_STR_EQ (json_string_value (json_object_get (run, "status")),
                "succeeded");
  json_decref (run);
}

SR_TEST (test_killed_instance_job_finishes_elsewhere)
{
  json_t *r, *run;
  int status, code;
  json_int_t id;
  int victim = -1;
  double t0;

  REQUIRE (up);
  /* One slow job: whoever claims it holds it for 4 s. */
  CHECK (sr_sim_post (sim.everflow_port, "/_sim/data",
                      "{\"rows\":[" EF_ROW ("2025-06-10", 7) "]}", &status));
  CHECK (sr_sim_post (sim.everflow_port, "/_sim/faults",
                      "{\"faults\":[{\"delay_ms\":4000}]}", &status));
  CHECK_INT_EQ (api (0, "POST", "/v1/syncs",
                     "{\"source\":\"everflow\",\"from\":\"2025-06-10\","
                     "\"to\":\"2025-06-10\"}", NULL, &r), 202);
  id = jint (r, "id", NULL);
  json_decref (r);
  /* Find the instance holding it (its pid is in the lease owner)... */
  t0 = sr_th_now ();
  while (victim < 0 && sr_th_now () - t0 < 20) {
    char sql[200];
    const char *pid;

    snprintf (sql, sizeof (sql), "SELECT coalesce(split_part(lease_owner, "
              "':', 2), '') FROM signalroom.jobs WHERE run_id = %"
              JSON_INTEGER_FORMAT " AND status = 'running'", id);
    pid = q (sql);
    for (int i = 0; i < N_INSTANCES && '\0' != pid[0]; i++)
      if (srv[i].pid == (pid_t) atoi (pid))
        victim = i;
    if (victim < 0)
      (void) poll (NULL, 0, 20);
  }
  REQUIRE (victim >= 0);
  /* ... and kill it mid-job. */
  CHECK (sr_th_server_stop (&srv[victim], SIGKILL, 10000, &code, NULL));
  alive[victim] = false;
  run = await_run (id);
  if (NULL == run)
    fprintf (stderr, "job state: %s\n",
             q ("SELECT string_agg(id || ' ' || status || ' ' || attempts || "
                "' ' || coalesce(lease_owner, '-') || ' ' || coalesce("
                "lease_until::text, '-') || ' ' || coalesce(last_error, '-') "
                "|| ' now ' || now(), '; ') FROM signalroom.jobs WHERE kind = "
                "'sync' AND window_from = '2025-06-10'"));
  REQUIRE (NULL != run);
  CHECK_STR_EQ (json_string_value (json_object_get (run, "status")),
                "succeeded");
  CHECK_INT_EQ (jint (run, "attempts", NULL), 2);
  json_decref (run);
  CHECK_STR_EQ (q ("SELECT count(*) || ':' || sum(conversions) FROM "
                   "everflow.daily_stats WHERE date = '2025-06-10'"), "1:7");
  REQUIRE (start_instance (victim));
}

SR_TEST (test_sigterm_hands_back_running_job)
{
  json_t *r, *run;
  int status, code = -1, victim = -1;
  json_int_t id;
  double t0, secs = 99;

  REQUIRE (up);
  CHECK (sr_sim_post (sim.everflow_port, "/_sim/data",
                      "{\"rows\":[" EF_ROW ("2025-06-20", 9) "]}", &status));
  CHECK (sr_sim_post (sim.everflow_port, "/_sim/faults",
                      "{\"faults\":[{\"delay_ms\":6000}]}", &status));
  CHECK_INT_EQ (api (1, "POST", "/v1/syncs",
                     "{\"source\":\"everflow\",\"from\":\"2025-06-20\","
                     "\"to\":\"2025-06-20\"}", NULL, &r), 202);
  id = jint (r, "id", NULL);
  json_decref (r);
  t0 = sr_th_now ();
  while (victim < 0 && sr_th_now () - t0 < 20) {
    char sql[200];
    const char *pid;

    snprintf (sql, sizeof (sql), "SELECT coalesce(split_part(lease_owner, "
              "':', 2), '') FROM signalroom.jobs WHERE run_id = %"
              JSON_INTEGER_FORMAT " AND status = 'running'", id);
    pid = q (sql);
    for (int i = 0; i < N_INSTANCES && '\0' != pid[0]; i++)
      if (alive[i] && srv[i].pid == (pid_t) atoi (pid))
        victim = i;
    if (victim < 0)
      (void) poll (NULL, 0, 20);
  }
  REQUIRE (victim >= 0);
  /* The grace (2 s) runs out before the job would: it is handed back,
   * the instance exits 0 at once, another instance does the job. */
  {
    char sql[300];
    pid_t pid = srv[victim].pid;

    CHECK (sr_th_server_stop (&srv[victim], SIGTERM, 20000, &code, &secs));
    alive[victim] = false;
    CHECK_INT_EQ (code, 0);
    CHECK (secs < 5.0);
    /* At once, well inside the 3 s lease: the stopped instance owns the
     * job no more (it is queued, already another instance's, or even done
     * by it: the delay was for the first request only), and the attempt
     * it did not finish was given back. */
    snprintf (sql, sizeof (sql), "SELECT (status = 'queued' AND lease_owner "
              "IS NULL AND attempts = 0) OR (status = 'running' AND "
              "split_part(lease_owner, ':', 2) <> '%d' AND attempts = 1) "
              "OR (status = 'succeeded' AND attempts = 1) FROM "
              "signalroom.jobs WHERE run_id = %" JSON_INTEGER_FORMAT,
              (int) pid, id);
    if (0 != strcmp ("t", q (sql)))
      fprintf (stderr, "job after SIGTERM: %s\n",
               q ("SELECT string_agg(status || ' ' || attempts || ' ' || "
                  "coalesce(lease_owner, '-') || ' ' || coalesce(last_error, "
                  "'-'), '; ') FROM signalroom.jobs WHERE window_from = "
                  "'2025-06-20'"));
    CHECK_STR_EQ (q (sql), "t");
  }
  run = await_run (id);
  REQUIRE (NULL != run);
  CHECK_STR_EQ (json_string_value (json_object_get (run, "status")),
                "succeeded");
  /* Handed back, not expired: the job counts the one attempt that ran to
   * its end (an expired lease would have left two). */
  CHECK_INT_EQ (jint (run, "attempts", NULL), 1);
  json_decref (run);
  CHECK_STR_EQ (q ("SELECT count(*) || ':' || sum(conversions) FROM "
                   "everflow.daily_stats WHERE date = '2025-06-20'"), "1:9");
  REQUIRE (start_instance (victim));
}

/* Cancel reaches a job that is already running: the worker is told at its
 * next heartbeat, aborts the upstream request it is waiting on (30 s of
 * delay), and the job and the run end cancelled long before that request
 * would have returned.  The window is free again at once. */
SR_TEST (test_cancel_running_job)
{
  json_t *r, *run = NULL;
  json_int_t id;
  int status;
  double t0, took;
  char target[64], sql[200];

  REQUIRE (up);
  CHECK (sr_sim_post (sim.everflow_port, "/_sim/data",
                      "{\"rows\":[" EF_ROW ("2025-08-01", 5) "]}", &status));
  CHECK (sr_sim_post (sim.everflow_port, "/_sim/faults",
                      "{\"faults\":[{\"delay_ms\":30000}]}", &status));
  CHECK_INT_EQ (api (0, "POST", "/v1/syncs",
                     "{\"source\":\"everflow\",\"from\":\"2025-08-01\","
                     "\"to\":\"2025-08-01\"}", NULL, &r), 202);
  id = jint (r, "id", NULL);
  json_decref (r);
  snprintf (sql, sizeof (sql), "SELECT status FROM signalroom.jobs WHERE "
            "run_id = %" JSON_INTEGER_FORMAT, id);
  t0 = sr_th_now ();
  while (0 != strcmp ("running", q (sql)) && sr_th_now () - t0 < 20)
    (void) poll (NULL, 0, 20);   /* re-check interval, not a wait */
  REQUIRE (0 == strcmp ("running", q (sql)));
  snprintf (target, sizeof (target),
            "/v1/syncs/%" JSON_INTEGER_FORMAT "/cancel", id);
  t0 = sr_th_now ();
  CHECK_INT_EQ (api (1, "POST", target, NULL, NULL, &r), 200);
  json_decref (r);
  snprintf (target, sizeof (target), "/v1/syncs/%" JSON_INTEGER_FORMAT, id);
  while (sr_th_now () - t0 < 20) {
    const char *st;

    json_decref (run);
    run = NULL;
    if (200 == api (2, "GET", target, NULL, NULL, &run)
        && NULL != (st = json_string_value (json_object_get (run, "status")))
        && 0 != strcmp (st, "queued") && 0 != strcmp (st, "running"))
      break;
    (void) poll (NULL, 0, 50);   /* re-check interval, not a wait */
  }
  took = sr_th_now () - t0;
  REQUIRE (NULL != run);
  CHECK_STR_EQ (json_string_value (json_object_get (run, "status")),
                "cancelled");
  CHECK_INT_EQ (jint (run, "jobs", "cancelled"), 1);
  CHECK (took < 20.0);   /* the upstream would have answered after 30 s */
  json_decref (run);
  CHECK_STR_EQ (q (sql), "cancelled");
  CHECK_STR_EQ (q ("SELECT count(*) FROM everflow.daily_stats WHERE date = "
                   "'2025-08-01'"), "0");
  /* Nothing holds the window now. */
  CHECK_INT_EQ (api (0, "POST", "/v1/syncs",
                     "{\"source\":\"everflow\",\"from\":\"2025-08-01\","
                     "\"to\":\"2025-08-01\"}", NULL, &r), 202);
  run = await_run (jint (r, "id", NULL));
  json_decref (r);
  REQUIRE (NULL != run);
  CHECK_STR_EQ (json_string_value (json_object_get (run, "status")),
                "succeeded");
  json_decref (run);
}

/* Everflow requests the simulator received for @a day (its own log). */
static int
requests_for_day (const char *day)
{
  char *log = sr_sim_get (sim.everflow_port, "/_sim/requests");
  json_t *j = log ? json_loads (log, 0, NULL) : NULL;
  json_t *reqs = json_object_get (j, "requests");
  int n = 0;

  for (size_t i = 0; i < json_array_size (reqs); i++) {
    const char *from = json_string_value (json_object_get (
      json_object_get (json_array_get (reqs, i), "body"), "from"));

    if (NULL != from && 0 == strcmp (from, day))
      n++;
  }
  json_decref (j);
  free (log);
  return NULL == j ? -1 : n;
}

/* A job that takes 2.5 leases on a live instance is not taken over: the
 * heartbeat keeps its lease moving, so it runs once, with one upstream
 * request. */
SR_TEST (test_job_longer_than_lease_runs_once)
{
  json_t *r, *run;
  int status;
  json_int_t id;
  char sql[256], first[64] = "";
  bool advanced = false;
  double t0;

  REQUIRE (up);
  CHECK (sr_sim_post (sim.everflow_port, "/_sim/reset", "{}", &status));
  CHECK (sr_sim_post (sim.everflow_port, "/_sim/data",
                      "{\"rows\":[" EF_ROW ("2025-07-01", 4) "]}", &status));
  /* SIGNALROOM_LEASE_SECONDS is 3 here. */
  CHECK (sr_sim_post (sim.everflow_port, "/_sim/faults",
                      "{\"faults\":[{\"delay_ms\":7500}]}", &status));
  CHECK_INT_EQ (api (0, "POST", "/v1/syncs",
                     "{\"source\":\"everflow\",\"from\":\"2025-07-01\","
                     "\"to\":\"2025-07-01\"}", NULL, &r), 202);
  id = jint (r, "id", NULL);
  json_decref (r);
  snprintf (sql, sizeof (sql), "SELECT CASE WHEN status = 'running' THEN "
            "lease_until::text ELSE '' END FROM signalroom.jobs WHERE "
            "run_id = %" JSON_INTEGER_FORMAT, id);
  /* The lease seen first, then a later one while still running. */
  for (t0 = sr_th_now (); sr_th_now () - t0 < 20 && !advanced;) {
    const char *now_lease = q (sql);

    if ('\0' == first[0])
      snprintf (first, sizeof (first), "%s", now_lease);
    else if ('\0' != now_lease[0] && 0 != strcmp (first, now_lease))
      advanced = true;
    if (!advanced)
      (void) poll (NULL, 0, 50);   /* re-check interval, not a wait */
  }
  CHECK (advanced);
  run = await_run (id);
  REQUIRE (NULL != run);
  CHECK_STR_EQ (json_string_value (json_object_get (run, "status")),
                "succeeded");
  CHECK_INT_EQ (jint (run, "attempts", NULL), 1);
  json_decref (run);
  CHECK_INT_EQ (requests_for_day ("2025-07-01"), 1);
  CHECK_STR_EQ (q ("SELECT count(*) || ':' || sum(conversions) FROM "
                   "everflow.daily_stats WHERE date = '2025-07-01'"), "1:4");
}

/* What retrying cannot fix fails at once: one attempt, then a dead
 * letter -- an authentication failure here (configuration errors are in
 * test_schedules: an S3 run with no S3 settings). */
SR_TEST (test_auth_failure_fails_at_once)
{
  json_t *r, *run;
  int status;
  json_int_t id;
  char sql[256];

  REQUIRE (up);
  CHECK (sr_sim_post (sim.everflow_port, "/_sim/reset", "{}", &status));
  CHECK (sr_sim_post (sim.everflow_port, "/_sim/faults",
                      "{\"faults\":[{\"status\":401,\"count\":5}]}",
                      &status));
  CHECK_INT_EQ (api (0, "POST", "/v1/syncs",
                     "{\"source\":\"everflow\",\"from\":\"2025-07-02\","
                     "\"to\":\"2025-07-02\"}", NULL, &r), 202);
  id = jint (r, "id", NULL);
  json_decref (r);
  run = await_run (id);
  REQUIRE (NULL != run);
  CHECK_STR_EQ (json_string_value (json_object_get (run, "status")),
                "failed");
  CHECK_INT_EQ (jint (run, "attempts", NULL), 1);
  CHECK_INT_EQ (jint (run, "jobs", "dead"), 1);
  json_decref (run);
  CHECK_INT_EQ (requests_for_day ("2025-07-02"), 1);
  snprintf (sql, sizeof (sql), "SELECT count(*) || ':' || min(attempts) FROM "
            "signalroom.dead_letters WHERE run_id = %" JSON_INTEGER_FORMAT,
            id);
  CHECK_STR_EQ (q (sql), "1:1");
}

/* Only the lease holder may finish a job: a worker that lost its lease
 * (frozen past it, the job taken over) must not overwrite the state of
 * the instance that now runs it, nor commit its rows.  Checked on the
 * database function itself, with a job no instance here can claim. */
SR_TEST (test_finish_requires_the_lease)
{
  char sql[512], job[32];
  PGresult *res;

  REQUIRE (up);
  snprintf (job, sizeof (job), "%s",
            q ("WITH r AS (INSERT INTO signalroom.runs (source, status) "
               "VALUES ('noop', 'running') RETURNING id) INSERT INTO "
               "signalroom.jobs (run_id, kind, source, status, attempts, "
               "lease_owner, lease_until) SELECT id, 'noop', 'noop', "
               "'running', 1, 'test-owner-a', now() + interval '1 hour' "
               "FROM r RETURNING id"));
  REQUIRE ('\0' != job[0]);
  snprintf (sql, sizeof (sql), "SELECT signalroom.finish_job(%s, "
            "'test-owner-b', 'succeeded', '{}', NULL, 0, NULL, NULL)", job);
  res = PQexec (pg, sql);
  CHECK (PGRES_FATAL_ERROR == PQresultStatus (res));
  CHECK_STR_EQ (PQresultErrorField (res, PG_DIAG_SQLSTATE), "SR001");
  PQclear (res);
  snprintf (sql, sizeof (sql), "SELECT status || '/' || lease_owner FROM "
            "signalroom.jobs WHERE id = %s", job);
  CHECK_STR_EQ (q (sql), "running/test-owner-a");
  snprintf (sql, sizeof (sql), "SELECT signalroom.finish_job(%s, "
            "'test-owner-a', 'succeeded', '{}', NULL, 0, NULL, NULL)", job);
  CHECK_STR_EQ (q (sql), "succeeded");
}

/* The claim statement (sql/queries/jobs_claim.sql) begun before a run
 * commits, and its claim_job reaching the run's job after: the job still
 * gets the run's traceparent.  It did not when the claim read the run
 * under the statement's own snapshot (the run was invisible to it), and
 * the job then started a trace of its own.  The statement is held on an
 * advisory lock between its start and its claim, in a database no
 * instance works on. */
SR_TEST (test_claim_sees_the_runs_traceparent)
{
  static const char tp[] = "00-4bf92f3577b34da6a3ce929d0e0e4736-"
                           "00f067aa0ba902b7-01";
  char db[1024], path[1024], sql[4096], *claim = NULL;
  const char *migrate[] = { "migrate", NULL };
  const char *params[] = { "test-claimer", "60" };
  struct sr_th_env env = { 0 };
  PGconn *a = NULL, *b = NULL;
  PGresult *res;
  FILE *f;
  size_t n;

  REQUIRE (sr_th_create_db ("sr_jobs_claim_race", db, sizeof (db)));
  sr_th_env_add (&env, "DATABASE_URL", db);
  REQUIRE (0 == sr_th_run (&env, migrate, NULL, NULL));
  snprintf (path, sizeof (path), "%s/sql/queries/jobs_claim.sql",
            getenv ("SR_SOURCE_DIR"));
  f = fopen (path, "r");
  REQUIRE (NULL != f);
  claim = calloc (1, 2048);
  n = fread (claim, 1, 2047, f);
  fclose (f);
  REQUIRE (n > 0 && n < 2047);
  /* The lock is taken first: the claim refers to it (a lateral join). */
  snprintf (sql, sizeof (sql), "WITH gate AS MATERIALIZED (SELECT "
            "pg_advisory_xact_lock(4242), 1 AS one) SELECT x.* FROM gate, "
            "LATERAL (SELECT * FROM (%s) AS c WHERE gate.one = 1) AS x", claim);
  free (claim);
  a = sr_th_pg (db);
  b = sr_th_pg (db);
  REQUIRE (NULL != a && NULL != b);
  PQclear (PQexec (a, "BEGIN"));
  REQUIRE (0 == strcmp ("1", sr_th_pg_value (a, "SELECT 1 FROM (SELECT "
                        "pg_advisory_xact_lock(4242)) AS l")));
  snprintf (path, sizeof (path), "SELECT set_config('signalroom.traceparent',"
            " '%s', true) <> ''", tp);
  CHECK_STR_EQ (sr_th_pg_value (a, path), "t");
  CHECK (NULL != strstr (sr_th_pg_value (a, "SELECT signalroom.create_run("
                         "'noop', '{\"noop\": [\"2025-01-01\", "
                         "\"2025-01-01\"]}', false, NULL, 'test', NULL, "
                         "NULL)::text"), "run_id"));
  REQUIRE (1 == PQsendQueryParams (b, sql, 2, NULL, params, NULL, NULL, 0));
  /* b's statement has begun (its snapshot taken) and waits on the lock */
  snprintf (path, sizeof (path), "SELECT EXISTS (SELECT 1 FROM pg_locks "
            "WHERE locktype = 'advisory' AND NOT granted AND pid = %d)",
            PQbackendPID (b));
  CHECK (sr_th_pg_await_true (a, path, 30));
  PQclear (PQexec (a, "COMMIT"));
  res = PQgetResult (b);
  CHECK_INT_EQ (PQresultStatus (res), PGRES_TUPLES_OK);
  CHECK_INT_EQ (PQntuples (res), 1);
  if (1 == PQntuples (res))
    CHECK_STR_EQ (PQgetvalue (res, 0, PQnfields (res) - 1), tp);
  PQclear (res);
  while (NULL != (res = PQgetResult (b)))
    PQclear (res);
  PQfinish (a);
  PQfinish (b);
}

SR_TEST (test_stop)
{
  REQUIRE (up);
  for (int i = 0; i < N_INSTANCES; i++)
    if (alive[i]) {
      int code = -1;

      CHECK (sr_th_server_stop (&srv[i], SIGTERM, 20000, &code, NULL));
      CHECK_INT_EQ (code, 0);
    }
  sr_sim_stop (&sim);
  PQfinish (pg);
  free (token);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_start),
              SR_TEST_ENTRY (test_idle_instances_are_quiet),
              SR_TEST_ENTRY (test_api_validation),
              SR_TEST_ENTRY (test_noop_jobs_run_exactly_once),
              SR_TEST_ENTRY (test_run_of_days),
              SR_TEST_ENTRY (test_overlap_and_cancel),
              SR_TEST_ENTRY (test_retry_succeeds_on_fourth_attempt),
              SR_TEST_ENTRY (test_dead_letter_and_retry),
              SR_TEST_ENTRY (test_killed_instance_job_finishes_elsewhere),
              SR_TEST_ENTRY (test_sigterm_hands_back_running_job),
              SR_TEST_ENTRY (test_cancel_running_job),
              SR_TEST_ENTRY (test_job_longer_than_lease_runs_once),
              SR_TEST_ENTRY (test_auth_failure_fails_at_once),
              SR_TEST_ENTRY (test_finish_requires_the_lease),
              SR_TEST_ENTRY (test_claim_sees_the_runs_traceparent),
              SR_TEST_ENTRY (test_stop))
