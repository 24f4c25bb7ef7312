/*
 * test_metrics_api.c -- GET /metrics on a real server: the format (checked
 * by Prometheus's own promtool), every family present, each one moved by
 * the event it counts (requests, a sync against the simulator with a 429
 * on the way, the report cache, the queue and freshness the sampler reads),
 * the static bearer token, and scrapes that never wait on a locked
 * database.  Expected figures come from the test's own actions and from
 * the database, never from the metrics code.
 */
#include "check.h"
#include "harness.h"
#include "upstreams.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SECRET "metrics-api-secret-0123456789abcdef0123"
#define METRICS_TOKEN "metrics-token-9f8e7d6c5b4a"
#define EF_KEY "ef-metrics-0123456789"
#define RT_KEY "rt-metrics-0123456789"

static struct sr_th_server srv;
static struct sr_sim sim;
static char conninfo[1024];
static char *admin;
static bool up;

static char *
scrape (int port, const char *headers, int *status)
{
  struct sr_th_response r;
  char *body = NULL;

  *status = -1;
  if (!sr_th_http (port, "GET", "/metrics", headers, NULL, 0, &r))
    return NULL;
  *status = r.status;
  if (200 == r.status)
    body = strdup (r.body);
  sr_th_response_clean (&r);
  return body;
}

/* The value of series @a series ("name{a=\"b\"}" or "name") in @a text,
 * -1 when absent. */
static double
value_of (const char *text, const char *series)
{
  size_t n = strlen (series);

  for (const char *p = text; NULL != p && '\0' != *p;) {
    if (0 == strncmp (p, series, n) && ' ' == p[n])
      return strtod (p + n + 1, NULL);
    p = strchr (p, '\n');
    p = NULL != p ? p + 1 : NULL;
  }
  return -1;
}

static double
scrape_value (const char *series)
{
  int status;
  char *text = scrape (srv.port, NULL, &status);
  double v = NULL != text ? value_of (text, series) : -1;

  free (text);
  return v;
}

/* Poll /metrics until @a series is at least @a want (the sampler reads
 * the database once a second here), or 30 s. */
static double
await_value (const char *series, double want)
{
  double t0 = sr_th_now (), v = -1;

  while (sr_th_now () - t0 < 30) {
    v = scrape_value (series);
    if (v >= want)
      return v;
    (void) poll (NULL, 0, 100);   /* re-check interval, not a wait */
  }
  fprintf (stderr, "%s stayed at %g, wanted >= %g\n", series, v, want);
  return v;
}

static void
start_env (struct sr_th_env *env)
{
  sr_th_env_add (env, "DATABASE_URL", conninfo);
  sr_th_env_add (env, "SIGNALROOM_JWT_SECRET", SECRET);
  sr_th_env_add (env, "SIGNALROOM_METRICS_DB_INTERVAL", "1");
  sr_th_env_add (env, "SIGNALROOM_UPSTREAM_BACKOFF_MS", "10");
  sr_th_env_add (env, "LOG_LEVEL", "info");
}

SR_TEST (test_start)
{
  struct sr_th_env env = { 0 };

  if (!sr_th_create_db ("sr_metrics_api", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  REQUIRE (sr_sim_start (&sim, EF_KEY, RT_KEY));
  start_env (&env);
  sr_sim_env (&sim, &env, EF_KEY, RT_KEY);
  sr_th_env_add (&env, "SIGNALROOM_SCHEDULER", "false");
  sr_th_env_add (&env, "SIGNALROOM_WORKERS", "1");
  REQUIRE (sr_th_server_start (&srv, &env));
  REQUIRE (sr_th_await_ready (srv.port, 30));
  admin = sr_th_jwt (SECRET, "service_role", "authenticated", 3600);
  REQUIRE (NULL != admin);
  up = true;
}

/* Prometheus's own parser on the live output. */
SR_TEST (test_format_passes_promtool)
{
  char path[] = "/tmp/sr-metrics-XXXXXX", cmd[256];
  int status, fd;
  char *text;
  FILE *f;

  REQUIRE (up);
  text = scrape (srv.port, NULL, &status);
  CHECK_INT_EQ (status, 200);
  REQUIRE (NULL != text);
  fd = mkstemp (path);
  REQUIRE (fd >= 0);
  f = fdopen (fd, "w");
  REQUIRE (NULL != f);
  fputs (text, f);
  fclose (f);
  snprintf (cmd, sizeof (cmd), "promtool check metrics < %s", path);
  CHECK_INT_EQ (system (cmd), 0);
  unlink (path);
  free (text);
}

/* Every family of tests/ops/metric_names.txt has its TYPE line. */
SR_TEST (test_every_family_present)
{
  char line[256], want[300];
  int status, n = 0;
  char *text;
  FILE *f = fopen (SR_SOURCE_DIR "/tests/ops/metric_names.txt", "r");

  REQUIRE (up);
  REQUIRE (NULL != f);
  text = scrape (srv.port, NULL, &status);
  REQUIRE (NULL != text);
  while (NULL != fgets (line, sizeof (line), f)) {
    line[strcspn (line, "\r\n")] = '\0';
    if ('\0' == line[0] || '#' == line[0])
      continue;
    snprintf (want, sizeof (want), "\n# TYPE %s ", line);
    if (NULL == strstr (text, want))
      fprintf (stderr, "family %s missing\n", line);
    CHECK (NULL != strstr (text, want));
    n++;
  }
  fclose (f);
  CHECK (n >= 30);
  free (text);
}

SR_TEST (test_http_counts_by_template)
{
  const char *healthz = "signalroom_http_requests_total{route=\"/healthz\","
                        "method=\"GET\",status=\"200\"}";
  const char *unmatched = "signalroom_http_requests_total{route="
                          "\"unmatched\",method=\"GET\",status=\"404\"}";
  const char *run = "signalroom_http_requests_total{route=\"/v1/syncs/"
                    "{id}\",method=\"GET\",status=\"404\"}";
  double h0, u0, r0;
  json_t *j = NULL;

  REQUIRE (up);
  h0 = scrape_value (healthz);
  u0 = scrape_value (unmatched);
  r0 = scrape_value (run);
  for (int i = 0; i < 3; i++)
    CHECK_INT_EQ (sr_th_api (srv.port, NULL, "GET", "/healthz", NULL, NULL),
                  200);
  CHECK_INT_EQ (sr_th_api (srv.port, NULL, "GET", "/no/such/path/123", NULL,
                           NULL), 404);
  CHECK_INT_EQ (sr_th_api (srv.port, admin, "GET", "/v1/syncs/987654", NULL,
                           &j), 404);
  json_decref (j);
  /* h0 may be -1 (never asked): the count starts at 0 then. */
  CHECK (scrape_value (healthz) == (h0 < 0 ? 0 : h0) + 3);
  CHECK (scrape_value (unmatched) == (u0 < 0 ? 0 : u0) + 1);
  /* the template, never the id */
  CHECK (scrape_value (run) == (r0 < 0 ? 0 : r0) + 1);
  CHECK (scrape_value ("signalroom_http_requests_total{route=\"/v1/syncs/"
                       "987654\",method=\"GET\",status=\"404\"}") < 0);
  CHECK (scrape_value ("signalroom_http_request_duration_seconds_count"
                       "{route=\"/healthz\"}") >= 3);
}

/* One Everflow sync, its first request answered 429: the upstream,
 * retry, wait, rows, job and run families move, rows by the database's
 * own count. */
SR_TEST (test_sync_moves_its_families)
{
  PGconn *pg;
  json_t *r = NULL;
  int status;
  double rows, want_rows;
  char id_series[160];

  REQUIRE (up);
  CHECK (sr_sim_post (sim.everflow_port, "/_sim/faults",
                      "{\"faults\":[{\"status\":429,\"retry_after\":1,"
                      "\"count\":1}]}", &status));
  CHECK_INT_EQ (sr_th_api (srv.port, admin, "POST", "/v1/syncs",
                           "{\"source\":\"everflow\",\"from\":\"2025-06-01\","
                           "\"to\":\"2025-06-03\"}", &r), 202);
  json_decref (r);
  CHECK (await_value ("signalroom_sync_runs_total{source=\"everflow\","
                      "outcome=\"succeeded\"}", 1) >= 1);
  CHECK (scrape_value ("signalroom_sync_run_duration_seconds_count"
                       "{source=\"everflow\"}") >= 1);
  CHECK (scrape_value ("signalroom_upstream_requests_total{upstream="
                       "\"everflow\",status_class=\"4xx\"}") >= 1);
  CHECK (scrape_value ("signalroom_upstream_requests_total{upstream="
                       "\"everflow\",status_class=\"2xx\"}") >= 1);
  CHECK (scrape_value ("signalroom_upstream_retries_total{upstream="
                       "\"everflow\",status_class=\"2xx\"}") < 0);
  CHECK (scrape_value ("signalroom_upstream_retries_total{upstream="
                       "\"everflow\"}") >= 1);
  /* Retry-After: 1 second waited, counted in seconds. */
  CHECK (scrape_value ("signalroom_upstream_wait_seconds_total{upstream="
                       "\"everflow\"}") >= 1.0);
  CHECK (scrape_value ("signalroom_job_attempts_total{kind=\"sync\","
                       "outcome=\"succeeded\"}") >= 1);
  pg = PQconnectdb (conninfo);
  REQUIRE (CONNECTION_OK == PQstatus (pg));
  want_rows = strtod (sr_th_pg_value (pg, "SELECT count(*) FROM "
                                      "everflow.daily_stats"), NULL);
  PQfinish (pg);
  rows = scrape_value ("signalroom_rows_total{source=\"everflow\",table="
                       "\"everflow.daily_stats\",action=\"inserted\"}");
  CHECK (want_rows > 0);
  CHECK (rows == want_rows);
  /* A source never loaded has no freshness series (not 1970, not NaN). */
  CHECK (-1 == scrape_value ("signalroom_source_last_success_timestamp_"
                             "seconds{source=\"s3_exports\"}"));
  CHECK (-1 == scrape_value ("signalroom_source_newest_complete_day_"
                             "timestamp_seconds{source=\"redtrack\"}"));
  /* Freshness: the success is seen by the sampler, as a recent time. */
  CHECK (await_value ("signalroom_source_last_success_timestamp_seconds"
                      "{source=\"everflow\"}", (double) time (NULL) - 120)
         > 0);
  snprintf (id_series, sizeof (id_series), "signalroom_jobs{state="
            "\"queued\"}");
  CHECK (scrape_value (id_series) >= 0);
  CHECK (scrape_value ("signalroom_db_connections{state=\"open\"}") >= 1);
}

SR_TEST (test_report_cache_hit_and_miss)
{
  const char *target = "/v1/reports/daily-summary?brand=CCW&date=2025-06-02";
  const char *hit = "signalroom_report_cache_requests_total{result=\"hit\"}";
  const char *miss = "signalroom_report_cache_requests_total"
                     "{result=\"miss\"}";
  double h0, m0;

  REQUIRE (up);
  h0 = scrape_value (hit);
  m0 = scrape_value (miss);
  CHECK_INT_EQ (sr_th_api (srv.port, admin, "GET", target, NULL, NULL), 200);
  CHECK_INT_EQ (sr_th_api (srv.port, admin, "GET", target, NULL, NULL), 200);
  CHECK (scrape_value (miss) == (m0 < 0 ? 0 : m0) + 1);
  CHECK (scrape_value (hit) == (h0 < 0 ? 0 : h0) + 1);
}

/* Dead letters and the queue, from the database: a job that fails for
 * good (a 401 from Everflow is not retried). */
SR_TEST (test_dead_letter_seen)
{
  json_t *r = NULL;
  int status;

  REQUIRE (up);
  CHECK (sr_sim_post (sim.everflow_port, "/_sim/faults",
                      "{\"faults\":[{\"status\":401,\"count\":1}]}",
                      &status));
  CHECK_INT_EQ (sr_th_api (srv.port, admin, "POST", "/v1/syncs",
                           "{\"source\":\"everflow\",\"from\":\"2025-06-04\","
                           "\"to\":\"2025-06-04\"}", &r), 202);
  json_decref (r);
  CHECK (await_value ("signalroom_dead_letters", 1) == 1);
  CHECK (await_value ("signalroom_jobs{state=\"dead\"}", 1) == 1);
  CHECK (await_value ("signalroom_sync_runs_total{source=\"everflow\","
                      "outcome=\"failed\"}", 1) == 1);
  CHECK (scrape_value ("signalroom_job_attempts_total{kind=\"sync\","
                       "outcome=\"failed\"}") >= 1);
}

/* A locked queue table stalls the sampler's read; scrapes go on at once,
 * with the last values, and the sampled-at time stops. */
SR_TEST (test_scrapes_never_wait_on_the_database)
{
  PGconn *pg;
  PGresult *res;
  double t0, worst = 0;

  REQUIRE (up);
  pg = PQconnectdb (conninfo);
  REQUIRE (CONNECTION_OK == PQstatus (pg));
  res = PQexec (pg, "BEGIN; LOCK TABLE signalroom.jobs IN ACCESS "
                "EXCLUSIVE MODE");
  CHECK (PGRES_COMMAND_OK == PQresultStatus (res));
  PQclear (res);
  for (int i = 0; i < 20; i++) {
    int status;
    char *text;

    t0 = sr_th_now ();
    text = scrape (srv.port, NULL, &status);
    CHECK_INT_EQ (status, 200);
    if (sr_th_now () - t0 > worst)
      worst = sr_th_now () - t0;
    free (text);
    (void) poll (NULL, 0, 100);    /* spread over two sample intervals */
  }
  CHECK (worst < 0.5);
  res = PQexec (pg, "ROLLBACK");
  PQclear (res);
  PQfinish (pg);
}

/* A job whose lease another instance took while it ran: its writes roll
 * back, and the loss is counted. */
SR_TEST (test_lease_lost_counted)
{
  PGconn *pg;
  PGresult *res;
  json_t *r = NULL;
  int status;

  REQUIRE (up);
  CHECK (sr_sim_post (sim.everflow_port, "/_sim/faults",
                      "{\"faults\":[{\"delay_ms\":2500,\"count\":1}]}",
                      &status));
  CHECK_INT_EQ (sr_th_api (srv.port, admin, "POST", "/v1/syncs",
                           "{\"source\":\"everflow\",\"from\":\"2025-06-07\","
                           "\"to\":\"2025-06-07\"}", &r), 202);
  json_decref (r);
  pg = PQconnectdb (conninfo);
  REQUIRE (CONNECTION_OK == PQstatus (pg));
  REQUIRE (sr_th_pg_await_true (pg, "SELECT count(*) = 1 FROM "
                                "signalroom.jobs WHERE status = 'running'",
                                20));
  res = PQexec (pg, "UPDATE signalroom.jobs SET lease_owner = "
                "'another-instance:1' WHERE status = 'running'");
  CHECK (PGRES_COMMAND_OK == PQresultStatus (res));
  PQclear (res);
  PQfinish (pg);
  CHECK (await_value ("signalroom_job_leases_lost_total", 1) == 1);
  CHECK (scrape_value ("signalroom_job_attempts_total{kind=\"sync\","
                       "outcome=\"lease_lost\"}") == 1);
}

/* The sampler's read failing (a table it reads gone for a moment): the
 * error is counted and the last values stay. */
SR_TEST (test_sample_error_counted)
{
  PGconn *pg;
  PGresult *res;
  double before;

  REQUIRE (up);
  before = scrape_value ("signalroom_metrics_db_sample_errors_total");
  pg = PQconnectdb (conninfo);
  REQUIRE (CONNECTION_OK == PQstatus (pg));
  res = PQexec (pg, "ALTER TABLE signalroom.dead_letters RENAME TO "
                "dead_letters_away");
  CHECK (PGRES_COMMAND_OK == PQresultStatus (res));
  PQclear (res);
  CHECK (await_value ("signalroom_metrics_db_sample_errors_total",
                      (before < 0 ? 0 : before) + 1) >= 1);
  CHECK (scrape_value ("signalroom_dead_letters") == 1);   /* kept */
  res = PQexec (pg, "ALTER TABLE signalroom.dead_letters_away RENAME TO "
                "dead_letters");
  CHECK (PGRES_COMMAND_OK == PQresultStatus (res));
  PQclear (res);
  PQfinish (pg);
}

/* A sample stuck behind a lock must not hold the shutdown: stopping
 * cancels it.  (Found by test_http_pool under TSan, where the stall test's
 * lock happened to catch a sample.) */
SR_TEST (test_stop_cancels_a_stuck_sample)
{
  struct sr_th_server s3;
  struct sr_th_env env = { 0 };
  PGconn *locker, *observer;
  PGresult *res;
  double secs = 99;
  int code = -1;

  REQUIRE (up);
  start_env (&env);
  sr_th_env_add (&env, "SIGNALROOM_WORKERS", "0");
  REQUIRE (sr_th_server_start (&s3, &env));
  locker = PQconnectdb (conninfo);
  observer = PQconnectdb (conninfo);
  REQUIRE (CONNECTION_OK == PQstatus (locker)
           && CONNECTION_OK == PQstatus (observer));
  res = PQexec (locker, "BEGIN; LOCK TABLE signalroom.runs IN ACCESS "
                "EXCLUSIVE MODE");
  CHECK (PGRES_COMMAND_OK == PQresultStatus (res));
  PQclear (res);
  /* the samplers (of both servers, once a second) now wait on the lock */
  CHECK (sr_th_pg_await_true (observer, "SELECT count(*) >= 2 FROM "
                              "pg_stat_activity WHERE wait_event_type = "
                              "'Lock' AND query LIKE '-- The metrics the "
                              "database holds%'", 20));
  CHECK (sr_th_server_stop (&s3, SIGTERM, 30000, &code, &secs));
  CHECK_INT_EQ (code, 0);
  CHECK (secs < 5);
  res = PQexec (locker, "ROLLBACK");
  PQclear (res);
  PQfinish (locker);
  PQfinish (observer);
}

#define FIRED "signalroom_schedule_ticks_total{schedule=\"metrics-test\"," \
              "outcome=\"fired\"}"
#define SKIPPED "signalroom_schedule_ticks_total{schedule=\"metrics-test\"," \
                "outcome=\"skipped\"}"

/* With SIGNALROOM_METRICS_TOKEN: that bearer token or 401; the token
 * never reaches the log.  This instance fires its schedules: ticks. */
SR_TEST (test_token_and_schedule_ticks)
{
  struct sr_th_server s2;
  struct sr_th_env env = { 0 };
  int status;
  char *text, *log;
  struct sr_th_response r;
  PGconn *pg;
  PGresult *res;

  REQUIRE (up);
  /* A schedule with ticks due now: every minute, last decided an hour ago
   * (its catch-up fires the newest tick and skips the rest). */
  pg = PQconnectdb (conninfo);
  REQUIRE (CONNECTION_OK == PQstatus (pg));
  res = PQexec (pg, "UPDATE signalroom.schedules SET enabled = false; "
                "INSERT INTO signalroom.schedules (name, cron, source, "
                "last_tick_at) VALUES ('metrics-test', '* * * * *', "
                "'everflow', now() - interval '1 hour')");
  CHECK (PGRES_COMMAND_OK == PQresultStatus (res));
  PQclear (res);
  PQfinish (pg);
  start_env (&env);
  sr_th_env_add (&env, "SIGNALROOM_METRICS_TOKEN", METRICS_TOKEN);
  sr_th_env_add (&env, "SIGNALROOM_WORKERS", "0");
  sr_th_env_add (&env, "SIGNALROOM_SCHEDULER", "true");  /* tests: off */
  REQUIRE (sr_th_server_start (&s2, &env));
  CHECK (NULL == scrape (s2.port, NULL, &status));
  CHECK_INT_EQ (status, 401);
  REQUIRE (sr_th_http (s2.port, "GET", "/metrics",
                       "Authorization: Bearer wrong-token\r\n", NULL, 0,
                       &r));
  CHECK_INT_EQ (r.status, 401);
  CHECK (NULL != sr_th_header (&r, "WWW-Authenticate"));
  sr_th_response_clean (&r);
  text = scrape (s2.port, "Authorization: Bearer " METRICS_TOKEN "\r\n",
                 &status);
  CHECK_INT_EQ (status, 200);
  free (text);
  /* The scheduler's first round decides the due ticks (catch-up). */
  for (double t0 = sr_th_now (); sr_th_now () - t0 < 30;) {
    text = scrape (s2.port, "Authorization: Bearer " METRICS_TOKEN "\r\n",
                   &status);
    if (NULL != text && value_of (text, FIRED) >= 1) {
      free (text);
      text = NULL;
      break;
    }
    free (text);
    (void) poll (NULL, 0, 100);
  }
  text = scrape (s2.port, "Authorization: Bearer " METRICS_TOKEN "\r\n",
                 &status);
  /* the newest due tick fired, the older ones of the hour skipped */
  CHECK (NULL != text && value_of (text, FIRED) >= 1);
  CHECK (NULL != text && value_of (text, SKIPPED) >= 50);
  CHECK (sr_th_server_stop (&s2, SIGTERM, 20000, NULL, NULL));
  free (text);
  log = sr_th_server_log (&s2);
  CHECK (NULL != log && NULL == strstr (log, METRICS_TOKEN));
  free (log);
}

SR_TEST (test_stop)
{
  int code = -1;

  if (!up)
    return;
  CHECK (sr_th_server_stop (&srv, SIGTERM, 20000, &code, NULL));
  CHECK_INT_EQ (code, 0);
  sr_sim_stop (&sim);
  free (admin);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_start),
              SR_TEST_ENTRY (test_format_passes_promtool),
              SR_TEST_ENTRY (test_every_family_present),
              SR_TEST_ENTRY (test_http_counts_by_template),
              SR_TEST_ENTRY (test_sync_moves_its_families),
              SR_TEST_ENTRY (test_report_cache_hit_and_miss),
              SR_TEST_ENTRY (test_dead_letter_seen),
              SR_TEST_ENTRY (test_scrapes_never_wait_on_the_database),
              SR_TEST_ENTRY (test_sample_error_counted),
              SR_TEST_ENTRY (test_lease_lost_counted),
              SR_TEST_ENTRY (test_stop_cancels_a_stuck_sample),
              SR_TEST_ENTRY (test_token_and_schedule_ticks),
              SR_TEST_ENTRY (test_stop))
