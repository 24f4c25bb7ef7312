/*
 * bench_jobs.c -- the job queue: claim-and-complete throughput of empty
 * jobs with 1 and 3 instances on one database (target >= 500 jobs/s), and
 * the latency from POST /v1/syncs to a worker starting the job (target
 * p50 < 50 ms with LISTEN/NOTIFY), with polling alone as the baseline.
 */
#include "harness.h"
#include "upstreams.h"

#include <jansson.h>
#include <stdbool.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET "bench-jobs-secret-0123456789abcdef0123"
#define EF_KEY "bench-ef-key-0123456789"
#define N_JOBS 5000
#define JOBS_PER_RUN 50
#define WORKERS "2"     /* SIGNALROOM_WORKERS of every instance */
#define N_LATENCY 40

static const char *conninfo;
static struct sr_sim sim;
static PGconn *pg;

static const char *
q (const char *sql)
{
  return sr_th_pg_value (pg, sql);
}

static void
start (struct sr_th_server *srv, int n, const char *poll_ms, bool notify,
       bool need_port)
{
  for (int i = 0; i < n; i++) {
    struct sr_th_env env = { 0 };
    char url[128];

    sr_th_env_add (&env, "DATABASE_URL", conninfo);
    sr_th_env_add (&env, "SIGNALROOM_JWT_SECRET", SECRET);
    sr_th_env_add (&env, "LOG_LEVEL", need_port ? "info" : "warn");
    sr_th_env_add (&env, "SIGNALROOM_POLL_MS", poll_ms);
    sr_th_env_add (&env, "SIGNALROOM_WORKERS", WORKERS);
    sr_th_env_add (&env, "SIGNALROOM_LISTEN_NOTIFY", notify ? "true" : "false");
    sr_th_env_add (&env, "EVERFLOW_API_KEY", EF_KEY);
    snprintf (url, sizeof (url), "http://127.0.0.1:%d", sim.everflow_port);
    sr_th_env_add (&env, "EVERFLOW_BASE_URL", url);
    if (need_port ? !sr_th_server_start (&srv[i], &env)
        : !sr_th_process_start (&srv[i], &env,
                                (const char *const[]) { "serve", NULL })) {
      fprintf (stderr, "cannot start an instance\n");
      exit (1);
    }
  }
  /* Ready when every instance's workers are connected (at warn level
   * the "listening" line is not logged, so ask the database). */
  {
    double t0 = sr_th_now ();
    char sql[256];

    snprintf (sql, sizeof (sql), "SELECT count(DISTINCT client_port) >= %d "
              "FROM pg_stat_activity WHERE application_name = 'signalroom' "
              "AND backend_type = 'client backend'", n * 3);
    while (sr_th_now () - t0 < 20 && 0 != strcmp ("t", q (sql)))
      (void) poll (NULL, 0, 20);
  }
}

static void
stop (struct sr_th_server *srv, int n)
{
  for (int i = 0; i < n; i++)
    (void) sr_th_server_stop (&srv[i], SIGTERM, 20000, NULL, NULL);
}

static double
throughput (int instances)
{
  struct sr_th_server srv[3];
  double t0, t1;
  char sql[512];

  q ("TRUNCATE signalroom.dead_letters, signalroom.jobs, "
     "signalroom.schedule_ticks, signalroom.runs RESTART IDENTITY CASCADE");
  start (srv, instances, "1000", true, false);
  /* N_JOBS empty jobs in runs of JOBS_PER_RUN, queued in one statement. */
  snprintf (sql, sizeof (sql),
            "WITH r AS (INSERT INTO signalroom.runs (source) SELECT 'noop' "
            "FROM generate_series(1, %d) RETURNING id) INSERT INTO "
            "signalroom.jobs (run_id, kind, source) SELECT r.id, 'noop', "
            "'noop' FROM r, generate_series(1, %d)", N_JOBS / JOBS_PER_RUN,
            JOBS_PER_RUN);
  t0 = sr_th_now ();
  q (sql);
  q ("SELECT signalroom.notify_jobs()");
  snprintf (sql, sizeof (sql), "SELECT count(*) = %d FROM signalroom.jobs "
            "WHERE status = 'succeeded'", N_JOBS);
  while (0 != strcmp ("t", q (sql)) && sr_th_now () - t0 < 120)
    (void) poll (NULL, 0, 5);
  t1 = sr_th_now ();
  if (0 != strcmp ("t", q (sql))
      || 0 != strcmp ("1", q ("SELECT max(attempts) FROM signalroom.jobs"))) {
    fprintf (stderr, "jobs did not all run exactly once\n");
    exit (1);
  }
  stop (srv, instances);
  return (double) N_JOBS / (t1 - t0);
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* POST a one-day run, then read how long until a worker started it. */
static void
latency (const char *poll_ms, bool notify, double *p50, double *p95)
{
  struct sr_th_server srv[1];
  double lat[N_LATENCY];
  char *token = sr_th_jwt (SECRET, "service_role", "authenticated", 3600);
  char headers[1024];

  q ("TRUNCATE signalroom.dead_letters, signalroom.jobs, "
     "signalroom.schedule_ticks, signalroom.runs RESTART IDENTITY CASCADE");
  start (srv, 1, poll_ms, notify, true);
  snprintf (headers, sizeof (headers), "Authorization: Bearer %s\r\n"
            "Content-Type: application/json\r\n", token);
  for (int i = 0; i < N_LATENCY; i++) {
    struct sr_th_response r;
    char body[128], sql[256];
    json_t *run;
    double t0;

    snprintf (body, sizeof (body), "{\"source\":\"everflow\",\"from\":"
              "\"2025-01-%02d\",\"to\":\"2025-01-%02d\"}", 1 + i % 28,
              1 + i % 28);
    t0 = sr_th_now ();
    if (!sr_th_http (srv[0].port, "POST", "/v1/syncs", headers, body,
                     strlen (body), &r) || 202 != r.status) {
      fprintf (stderr, "POST failed: %d %s\n", r.status, r.body);
      exit (1);
    }
    run = json_loads (r.body, 0, NULL);
    snprintf (sql, sizeof (sql), "SELECT count(*) = 1 FROM signalroom.jobs "
              "WHERE run_id = %" JSON_INTEGER_FORMAT " AND started_at IS NOT "
              "NULL", json_integer_value (json_object_get (run, "id")));
    while (0 != strcmp ("t", q (sql)) && sr_th_now () - t0 < 10)
      (void) poll (NULL, 0, 1);
    /* Measured by the database itself: run created -> job claimed. */
    snprintf (sql, sizeof (sql), "SELECT extract(epoch FROM j.started_at - "
              "r.created_at) FROM signalroom.jobs j JOIN signalroom.runs r "
              "ON r.id = j.run_id WHERE r.id = %" JSON_INTEGER_FORMAT,
              json_integer_value (json_object_get (run, "id")));
    lat[i] = atof (q (sql)) * 1000.0;
    json_decref (run);
    sr_th_response_clean (&r);
    /* Let the job finish before the next POST (same source, overlaps). */
    snprintf (sql, sizeof (sql), "SELECT count(*) = 0 FROM signalroom.runs "
              "WHERE status IN ('queued', 'running')");
    while (0 != strcmp ("t", q (sql)) && sr_th_now () - t0 < 20)
      (void) poll (NULL, 0, 2);
  }
  qsort (lat, N_LATENCY, sizeof (double), cmp_double);
  *p50 = lat[N_LATENCY / 2];
  *p95 = lat[N_LATENCY * 95 / 100];
  stop (srv, 1);
  free (token);
}

int
main (void)
{
  struct sr_th_env env = { 0 };
  const char *const migrate[] = { "migrate", NULL };
  double one, three, p50, p95, poll50, poll95;

  conninfo = getenv ("SR_BENCH_CONNINFO");
  if (NULL == conninfo || !sr_sim_start (&sim, EF_KEY, "unused-rt-key-0123"))
    return 1;
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  if (0 != sr_th_run (&env, migrate, NULL, NULL))
    return 1;
  pg = sr_th_pg (conninfo);
  q ("UPDATE signalroom.schedules SET enabled = false");
  sr_sim_post (sim.everflow_port, "/_sim/data", "{\"rows\":[]}", NULL);
  one = throughput (1);
  three = throughput (3);
  latency ("1000", true, &p50, &p95);
  latency ("1000", false, &poll50, &poll95);
  printf ("Job queue: %d empty jobs (%d runs of %d), %s workers per "
          "instance\n\n", N_JOBS, N_JOBS / JOBS_PER_RUN, JOBS_PER_RUN,
          WORKERS);
  printf ("| instances | jobs/s |\n|---|---|\n");
  printf ("| 1 | %.0f |\n| 3 | %.0f |\n\n", one, three);
  printf ("target >= 500 jobs/s\n\n");
  printf ("POST /v1/syncs -> worker claims the job (%d runs, database clock)"
          "\n\n", N_LATENCY);
  printf ("| wake-up | p50 ms | p95 ms |\n|---|---|---|\n");
  printf ("| LISTEN/NOTIFY (polling every 1 s as fallback) | %.1f | %.1f |\n",
          p50, p95);
  printf ("| baseline: polling every 1 s only (SIGNALROOM_LISTEN_NOTIFY="
          "false) | %.1f | %.1f |\n\n", poll50, poll95);
  printf ("target p50 < 50 ms with LISTEN/NOTIFY\n\n");
  sr_sim_stop (&sim);
  PQfinish (pg);
  return 0;
}
