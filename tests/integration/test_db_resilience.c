/*
 * test_db_resilience.c -- the job queue and the API when the database
 * misbehaves: an outage in the middle of a run (the database stopped and
 * started again, as an operator's pg_ctl would), a lock held for longer
 * than an API request may wait, and the first start on an empty database.
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

#define SECRET "resilience-secret-0123456789abcdef0123"
#define EF_KEY "ef-resilience-key-0123456789"
#define RT_KEY "rt-resilience-key-0123456789"

#define EF_ROW(date, cv)                                                     \
  "{\"date\":\"" date "\",\"affiliate_id\":11,\"affiliate_label\":\"Blue "    \
  "Bench Media LLC\",\"advertiser_id\":1,\"advertiser_label\":\"CCW\","       \
  "\"clicks\":10,\"conversions\":" #cv ",\"revenue\":\"30.00\","              \
  "\"payout\":\"20.00\"}"

static const char *
state_dir (const char *name)
{
  static char path[1024];
  const char *base = getenv ("SR_TEST_STATE");

  snprintf (path, sizeof (path), "%s/%s", base ? base : "teststate", name);
  return path;
}

static void
add_common_env (struct sr_th_env *env, const char *conninfo,
                const struct sr_sim *sim)
{
  char url[128];

  sr_th_env_add (env, "DATABASE_URL", conninfo);
  sr_th_env_add (env, "SIGNALROOM_JWT_SECRET", SECRET);
  sr_th_env_add (env, "SIGNALROOM_SCHEDULER", "false");
  sr_th_env_add (env, "SIGNALROOM_POLL_MS", "200");
  sr_th_env_add (env, "SIGNALROOM_RETRY_BASE_MS", "50");
  sr_th_env_add (env, "SIGNALROOM_UPSTREAM_ATTEMPTS", "1");
  if (NULL != sim) {
    sr_th_env_add (env, "EVERFLOW_API_KEY", EF_KEY);
    snprintf (url, sizeof (url), "http://127.0.0.1:%d", sim->everflow_port);
    sr_th_env_add (env, "EVERFLOW_BASE_URL", url);
  }
}

/* One API call as service_role; @a out gets the parsed body (may be NULL);
 * @a ctype, when given, the Content-Type. */
static int
api (int port, const char *method, const char *target, const char *body,
     json_t **out, char *ctype, size_t ctype_len)
{
  char *tok = sr_th_jwt (SECRET, "service_role", "authenticated", 600);
  struct sr_th_response r;
  char headers[2048];
  int status;

  snprintf (headers, sizeof (headers), "Authorization: Bearer %s\r\n%s", tok,
            body ? "Content-Type: application/json\r\n" : "");
  free (tok);
  if (NULL != out)
    *out = NULL;
  if (!sr_th_http (port, method, target, headers, body,
                   body ? strlen (body) : 0, &r))
    return -1;
  status = r.status;
  if (NULL != out)
    *out = json_loads (r.body, 0, NULL);
  if (NULL != ctype) {
    const char *ct = sr_th_header (&r, "Content-Type");

    snprintf (ctype, ctype_len, "%s", ct ? ct : "");
  }
  sr_th_response_clean (&r);
  return status;
}

/* Poll the run through the API until it is no longer queued or running,
 * or @a seconds pass.  @return the run (caller frees) or NULL. */
static json_t *
await_run (int port, json_int_t id, double seconds)
{
  char target[64];
  double t0 = sr_th_now ();

  snprintf (target, sizeof (target), "/v1/syncs/%" JSON_INTEGER_FORMAT, id);
  while (sr_th_now () - t0 < seconds) {
    json_t *run = NULL;

    if (200 == api (port, "GET", target, NULL, &run, NULL, 0)) {
      const char *st = json_string_value (json_object_get (run, "status"));

      if (NULL != st && 0 != strcmp (st, "queued")
          && 0 != strcmp (st, "running"))
        return run;
    }
    json_decref (run);
    (void) poll (NULL, 0, 100);   /* re-check interval, not a wait */
  }
  return NULL;
}

/* Poll @a sql on @a pg until it returns @a want, or @a seconds pass. */
static bool
await_value (PGconn *pg, const char *sql, const char *want, double seconds)
{
  double t0 = sr_th_now ();

  while (sr_th_now () - t0 < seconds) {
    if (0 == strcmp (sr_th_pg_value (pg, sql), want))
      return true;
    (void) poll (NULL, 0, 50);    /* re-check interval, not a wait */
  }
  fprintf (stderr, "gave up waiting for %s = %s (last: %s)\n", sql, want,
           sr_th_pg_value (pg, sql));
  return false;
}

static json_int_t
run_id_of (json_t *r)
{
  return json_integer_value (json_object_get (r, "id"));
}

static bool
log_has_errors (struct sr_th_server *srv)
{
  char *log = sr_th_server_log (srv);
  bool bad = NULL != strstr (log, "\"level\":\"error\"");

  if (bad)
    fprintf (stderr, "error lines in the log:\n%s\n", log);
  free (log);
  return bad;
}

/*
 * Issue 8, defect 1: PostgreSQL stops for a few seconds while two workers
 * wait on a slow upstream.  Their data transactions fail, and so does
 * recording the failure.  When the database is back the run must still
 * reach a final state and a new overlapping run must be accepted -- well
 * before the 60 s lease could have expired on its own, and without a
 * restart of signalroom.
 */
static struct sr_th_server outage_srv;
static bool outage_srv_up;
static struct sr_sim outage_sim;

static void
outage_mid_run (const char *dir)
{
  struct sr_th_env env = { 0 };
  struct sr_th_server *srv = &outage_srv;
  struct sr_sim *sim = &outage_sim;
  const char *const migrate[] = { "migrate", NULL };
  char conninfo[512];
  json_t *r, *run;
  json_int_t id;
  int status, code = -1;
  size_t failed;
  PGconn *pg;
  double t0;

  REQUIRE (sr_th_cluster_start (dir, conninfo, sizeof (conninfo)));
  REQUIRE (sr_sim_start (&outage_sim, EF_KEY, RT_KEY));
  add_common_env (&env, conninfo, sim);
  sr_th_env_add (&env, "SIGNALROOM_WORKERS", "2");
  sr_th_env_add (&env, "SIGNALROOM_LEASE_SECONDS", "60");
  REQUIRE (0 == sr_th_run (&env, migrate, NULL, NULL));
  CHECK (sr_sim_post (sim->everflow_port, "/_sim/data",
                      "{\"rows\":[" EF_ROW ("2025-06-01", 1) ","
                      EF_ROW ("2025-06-02", 2) "," EF_ROW ("2025-06-03", 3)
                      "," EF_ROW ("2025-06-04", 4) ","
                      EF_ROW ("2025-06-05", 5) "]}", &status));
  /* As the tester did: 3 s of delay on 5 requests. */
  CHECK (sr_sim_post (sim->everflow_port, "/_sim/faults",
                      "{\"faults\":[{\"delay_ms\":3000,\"count\":5}]}",
                      &status));
  REQUIRE (sr_th_server_start (&outage_srv, &env));
  outage_srv_up = true;
  CHECK_INT_EQ (api (srv->port, "POST", "/v1/syncs",
                     "{\"source\":\"everflow\",\"from\":\"2025-06-01\","
                     "\"to\":\"2025-06-05\"}", &r, NULL, 0), 202);
  id = run_id_of (r);
  json_decref (r);
  pg = sr_th_pg (conninfo);
  /* Both workers inside their delayed request: stop the database. */
  REQUIRE (await_value (pg, "SELECT count(*) FROM signalroom.jobs WHERE "
                        "status = 'running'", "2", 20));
  PQfinish (pg);
  REQUIRE (sr_th_cluster_stop (dir));
  /* The requests return, the writes fail (the database is gone). */
  REQUIRE (NULL != sr_th_server_wait_log (srv, 20000, "sync failed",
                                          "everflow", NULL));
  /* Usually both; one when the other's request came back before the
   * database had stopped. */
  t0 = sr_th_now ();
  while (sr_th_server_count_log (srv, "\"msg\":\"sync failed\"") < 2
         && sr_th_now () - t0 < 10)
    (void) poll (NULL, 0, 50);    /* re-check interval, not a wait */
  failed = sr_th_server_count_log (srv, "\"msg\":\"sync failed\"");
  REQUIRE (sr_th_cluster_start (dir, conninfo, sizeof (conninfo)));
  /* 45 s: less than the lease, so no lease expiry can be what ends it. */
  run = await_run (srv->port, id, 45);
  if (NULL == run) {
    pg = sr_th_pg (conninfo);
    fprintf (stderr, "jobs: %s\n", sr_th_pg_value (
               pg, "SELECT string_agg(id || ' ' || status || ' ' || attempts "
               "|| ' ' || coalesce(lease_until::text, '-'), '; ' ORDER BY id)"
               " FROM signalroom.jobs"));
    PQfinish (pg);
  }
  REQUIRE (NULL != run);
  CHECK_STR_EQ (json_string_value (json_object_get (run, "status")),
                "succeeded");
  json_decref (run);
  /* The workers put their jobs back themselves once the database answered
   * (no lease had to run out). */
  if (sr_th_server_count_log (srv, "job outcome recorded once the "
                              "database answered again") < failed) {
    char *log = sr_th_server_log (srv);

    fprintf (stderr, "the log:\n%s\n", log);
    free (log);
    CHECK (false);
  }
  pg = sr_th_pg (conninfo);
  CHECK_STR_EQ (sr_th_pg_value (pg, "SELECT count(*) || ':' || "
                                "sum(conversions) FROM everflow.daily_stats"),
                "5:15");
  PQfinish (pg);
  /* Nothing holds the window any more: an overlapping run is accepted. */
  CHECK_INT_EQ (api (srv->port, "POST", "/v1/syncs",
                     "{\"source\":\"everflow\",\"from\":\"2025-06-03\","
                     "\"to\":\"2025-06-04\"}", &r, NULL, 0), 202);
  run = await_run (srv->port, run_id_of (r), 45);
  json_decref (r);
  REQUIRE (NULL != run);
  CHECK_STR_EQ (json_string_value (json_object_get (run, "status")),
                "succeeded");
  json_decref (run);
  outage_srv_up = false;
  CHECK (sr_th_server_stop (&outage_srv, SIGTERM, 20000, &code, NULL));
  CHECK_INT_EQ (code, 0);
}

SR_TEST (test_outage_mid_run)
{
  const char *dir = state_dir ("resilience-outage");

  outage_mid_run (dir);
  /* Also when a REQUIRE gave up. */
  if (outage_srv_up)
    (void) sr_th_server_stop (&outage_srv, SIGKILL, 10000, NULL, NULL);
  sr_sim_stop (&outage_sim);
  sr_th_cluster_destroy (dir);
}

/*
 * Issue 8, defect 3: an API request blocked behind a lock answers 503
 * database_timeout within SIGNALROOM_DB_STATEMENT_TIMEOUT_MS instead of
 * holding its thread; a job's load waiting longer than that is not cut.
 */
SR_TEST (test_lock_held)
{
  struct sr_th_env env = { 0 };
  struct sr_th_server srv;
  struct sr_sim sim;
  char conninfo[512], ctype[128];
  json_t *r, *run;
  json_int_t id;
  int status, code = -1;
  PGconn *pg, *holder;
  double t0, took;

  if (!sr_th_create_db ("sr_resilience_lock", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  REQUIRE (sr_sim_start (&sim, EF_KEY, RT_KEY));
  add_common_env (&env, conninfo, &sim);
  sr_th_env_add (&env, "SIGNALROOM_WORKERS", "1");
  sr_th_env_add (&env, "SIGNALROOM_DB_STATEMENT_TIMEOUT_MS", "1000");
  REQUIRE (sr_th_server_start (&srv, &env));
  REQUIRE (NULL != sr_th_server_wait_log (&srv, 30000, "migrations current",
                                          NULL));
  CHECK_INT_EQ (api (srv.port, "GET", "/v1/syncs", NULL, NULL, NULL, 0), 200);

  /* Someone holds the runs table.  (Their session ends by itself after
   * 10 s, so a server without timeouts answers late rather than never.) */
  holder = sr_th_pg (conninfo);
  sr_th_pg_value (holder, "BEGIN");
  sr_th_pg_value (holder, "SET LOCAL idle_in_transaction_session_timeout "
                  "= '10s'");
  sr_th_pg_value (holder, "LOCK TABLE signalroom.runs IN ACCESS EXCLUSIVE "
                  "MODE");
  t0 = sr_th_now ();
  status = api (srv.port, "GET", "/v1/syncs", NULL, &r, ctype,
                sizeof (ctype));
  took = sr_th_now () - t0;
  CHECK_INT_EQ (status, 503);
  CHECK_STR_EQ (ctype, "application/problem+json");
  CHECK_STR_EQ (json_string_value (json_object_get (r, "code")),
                "database_timeout");
  CHECK (took >= 0.9);
  CHECK (took < 6.0);      /* the timeout is 1 s; generous for a busy box */
  fprintf (stderr, "answered %d after %.2f s\n", status, took);
  json_decref (r);
  PQclear (PQexec (holder, "ROLLBACK"));   /* its session may have ended */
  PQfinish (holder);
  /* The same thread's connection is fine afterwards. */
  for (int i = 0; i < 8; i++)
    CHECK_INT_EQ (api (srv.port, "GET", "/v1/syncs", NULL, NULL, NULL, 0),
                  200);

  /* A load that waits 2.5 s on a lock (more than the API's 1 s) is not
   * cancelled: jobs have their own, longer, limits. */
  CHECK (sr_sim_post (sim.everflow_port, "/_sim/data",
                      "{\"rows\":[" EF_ROW ("2025-07-01", 4) "]}", &status));
  holder = sr_th_pg (conninfo);
  sr_th_pg_value (holder, "BEGIN");
  sr_th_pg_value (holder, "SET LOCAL idle_in_transaction_session_timeout "
                  "= '60s'");
  sr_th_pg_value (holder, "LOCK TABLE everflow.daily_stats IN ACCESS "
                  "EXCLUSIVE MODE");
  CHECK_INT_EQ (api (srv.port, "POST", "/v1/syncs",
                     "{\"source\":\"everflow\",\"from\":\"2025-07-01\","
                     "\"to\":\"2025-07-01\"}", &r, NULL, 0), 202);
  id = run_id_of (r);
  json_decref (r);
  pg = sr_th_pg (conninfo);
  CHECK (await_value (pg, "SELECT count(*) FROM pg_stat_activity WHERE "
                      "application_name = 'signalroom' AND wait_event_type "
                      "= 'Lock' AND clock_timestamp() - query_start > "
                      "interval '2500 ms'", "1", 30));
  sr_th_pg_value (holder, "COMMIT");
  PQfinish (holder);
  run = await_run (srv.port, id, 30);
  REQUIRE (NULL != run);
  CHECK_STR_EQ (json_string_value (json_object_get (run, "status")),
                "succeeded");
  CHECK_INT_EQ (json_integer_value (json_object_get (run, "attempts")), 1);
  json_decref (run);
  CHECK_STR_EQ (sr_th_pg_value (pg, "SELECT sum(conversions) FROM "
                                "everflow.daily_stats WHERE date = "
                                "'2025-07-01'"), "4");
  PQfinish (pg);
  CHECK (sr_th_server_stop (&srv, SIGTERM, 20000, &code, NULL));
  CHECK_INT_EQ (code, 0);
  sr_sim_stop (&sim);
}

/* Queue one empty job straight into the table and wait until it is done. */
static bool
noop_job_done (const char *conninfo)
{
  PGconn *pg = sr_th_pg (conninfo);
  bool ok;

  sr_th_pg_value (pg, "WITH r AS (INSERT INTO signalroom.runs (source) "
                  "VALUES ('noop') RETURNING id) INSERT INTO "
                  "signalroom.jobs (run_id, kind, source) SELECT id, "
                  "'noop', 'noop' FROM r");
  sr_th_pg_value (pg, "SELECT signalroom.notify_jobs()");
  ok = await_value (pg, "SELECT count(*) FROM signalroom.jobs WHERE kind = "
                    "'noop' AND status = 'succeeded'", "1", 60);
  PQfinish (pg);
  return ok;
}

/*
 * Issue 8, defect 14: the first start on an empty database logs no error
 * (the job threads and the scheduler wait for the schema), with automatic
 * migration and without it (then they wait for `signalroom migrate`).
 */
SR_TEST (test_fresh_database_is_quiet)
{
  struct sr_th_env env = { 0 };
  struct sr_th_server srv;
  char conninfo[512];
  int code = -1;

  if (!sr_th_create_db ("sr_resilience_fresh", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  add_common_env (&env, conninfo, NULL);
  sr_th_env_add (&env, "SIGNALROOM_SCHEDULER", "true");
  sr_th_env_add (&env, "SIGNALROOM_SCHEDULER_INTERVAL_MS", "100");
  REQUIRE (sr_th_server_start (&srv, &env));
  REQUIRE (NULL != sr_th_server_wait_log (&srv, 30000, "migrations current",
                                          NULL));
  CHECK (noop_job_done (conninfo));
  CHECK (!log_has_errors (&srv));
  CHECK (sr_th_server_stop (&srv, SIGTERM, 20000, &code, NULL));
  CHECK_INT_EQ (code, 0);
}

SR_TEST (test_fresh_database_migrated_later)
{
  struct sr_th_env env = { 0 };
  struct sr_th_server srv;
  const char *const migrate[] = { "migrate", NULL };
  char conninfo[512];
  int code = -1;

  if (!sr_th_create_db ("sr_resilience_later", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  add_common_env (&env, conninfo, NULL);
  sr_th_env_add (&env, "SIGNALROOM_SCHEDULER", "true");
  sr_th_env_add (&env, "SIGNALROOM_SCHEDULER_INTERVAL_MS", "100");
  sr_th_env_add (&env, "SIGNALROOM_AUTO_MIGRATE", "false");
  REQUIRE (sr_th_server_start (&srv, &env));
  REQUIRE (NULL != sr_th_server_wait_log (&srv, 10000, "workers started",
                                          NULL));
  REQUIRE (0 == sr_th_run (&env, migrate, NULL, NULL));
  CHECK (noop_job_done (conninfo));
  CHECK (!log_has_errors (&srv));
  CHECK (sr_th_server_stop (&srv, SIGTERM, 20000, &code, NULL));
  CHECK_INT_EQ (code, 0);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_outage_mid_run),
              SR_TEST_ENTRY (test_lock_held),
              SR_TEST_ENTRY (test_fresh_database_is_quiet),
              SR_TEST_ENTRY (test_fresh_database_migrated_later))
