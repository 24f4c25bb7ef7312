/*
 * bench_sync.c -- Everflow and Redtrack syncs against the simulators.
 *
 * 1. A 10,000-row Everflow window (one day, AFFILIATES x ADVERTISERS), end to end: `signalroom sync everflow` as a process
 *    (start, connect, fetch, parse, validate, store, exit).  Baseline in
 *    the same run: the bare HTTP fetch of the same report from the
 *    simulator.  Runs: first load (10,000 inserts), unchanged re-run (0
 *    writes), full restatement (10,000 updates).
 * 2. A 60-day Redtrack backfill (60 requests), unpaced, and paced against
 *    a simulator enforcing 20 requests per 6 s with the client set to the
 *    same rate: the 429 count shows whether pacing keeps under the limit.
 */
#include "harness.h"
#include "upstreams.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EF_KEY "bench-ef-key-0123456789"
#define RT_KEY "bench-rt-key-0123456789"
#define RUNS 5
#define ADVERTISERS 5
#define AFFILIATES 2000
#define EF_ROWS (ADVERTISERS * AFFILIATES)
/* The paced Redtrack run: the simulator's limit and the client's rate. */
#define SIM_LIMIT 20
#define SIM_WINDOW_S 6
#define CLIENT_RPM "200"

static struct sr_sim sim;
static const char *conninfo;

static void
env_for (struct sr_th_env *env, const char *rpm)
{
  char url[128];

  sr_th_env_add (env, "DATABASE_URL", conninfo);
  sr_th_env_add (env, "LOG_LEVEL", "warn");
  sr_th_env_add (env, "EVERFLOW_API_KEY", EF_KEY);
  snprintf (url, sizeof (url), "http://127.0.0.1:%d", sim.everflow_port);
  sr_th_env_add (env, "EVERFLOW_BASE_URL", url);
  sr_th_env_add (env, "REDTRACK_API_KEY", RT_KEY);
  snprintf (url, sizeof (url), "http://127.0.0.1:%d", sim.redtrack_port);
  sr_th_env_add (env, "REDTRACK_BASE_URL", url);
  sr_th_env_add (env, "REDTRACK_REQUESTS_PER_MINUTE", rpm);
}

/* Run one sync; @return wall seconds, fill the printed result. */
static double
run_sync (const char *source, const char *from, const char *to,
          const char *rpm, json_t **result)
{
  struct sr_th_env env = { 0 };
  const char *argv[] = { "sync", source, "--from", from, "--to", to, NULL };
  char *out, *err;
  double t0 = sr_th_now ();
  int code;

  env_for (&env, rpm);
  code = sr_th_run (&env, argv, &out, &err);
  t0 = sr_th_now () - t0;
  *result = json_loads (out, 0, NULL);
  if (0 != code || NULL == *result) {
    fprintf (stderr, "sync failed (%d): %s %s\n", code, out, err);
    exit (1);
  }
  free (out);
  free (err);
  return t0;
}

static char *
everflow_rows (int salt)
{
  size_t cap = 4u * 1024 * 1024;
  char *b = malloc (cap);
  size_t n = 0;

  if (NULL == b)
    exit (1);
  n += (size_t) snprintf (b, cap, "{\"rows\":[");
  for (int adv = 1; adv <= ADVERTISERS; adv++)
    for (int aff = 1; aff <= AFFILIATES; aff++)
      n += (size_t) snprintf (
        b + n, cap - n,
        "%s{\"date\":\"2025-10-15\",\"affiliate_id\":%d,\"affiliate_label\":"
        "\"Affiliate %d\",\"advertiser_id\":%d,\"advertiser_label\":"
        "\"Brand %d\",\"clicks\":%d,\"conversions\":%d,\"revenue\":\"%d.%02d\","
        "\"payout\":\"%d.%02d\"}", (1 == adv && 1 == aff) ? "" : ",",
        aff, aff, adv, adv, aff * 7 + salt, aff % 13 + salt,
        aff % 900 + salt, aff % 100, aff % 500, (aff + salt) % 100);
  snprintf (b + n, cap - n, "]}");
  return b;
}

static double
median (double *v, int n)
{
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
      double t = v[j];

      v[j] = v[j - 1];
      v[j - 1] = t;
    }
  return v[n / 2];
}

static int
count_429 (int port)
{
  char *log = sr_sim_get (port, "/_sim/requests");
  int n = 0;

  for (const char *p = log; NULL != p && NULL != (p = strstr (p, "\"status\": 429"));
       p++)
    n++;
  for (const char *p = log; NULL != p && NULL != (p = strstr (p, "\"status\":429"));
       p++)
    n++;
  free (log);
  return n;
}

static void
bench_everflow (void)
{
  static const char body[] =
    "{\"from\":\"2025-10-15\",\"to\":\"2025-10-15\",\"timezone_id\":80,"
    "\"currency_id\":\"USD\",\"columns\":[{\"column\":\"affiliate\"},"
    "{\"column\":\"advertiser\"},{\"column\":\"date\"}],"
    "\"query\":{\"filters\":[],\"exclusions\":[]}}";
  double fetch[RUNS], first, same[RUNS], changed;
  char *details;
  json_t *r;
  char *rows = everflow_rows (0);
  int status;
  size_t bytes = 0;

  if (!sr_sim_post (sim.everflow_port, "/_sim/data", rows, &status))
    exit (1);
  free (rows);
  for (int i = 0; i < RUNS; i++) {
    struct sr_th_response resp;
    double t0 = sr_th_now ();

    if (!sr_th_http (sim.everflow_port, "POST",
                     "/v1/networks/reporting/entity/table",
                     "X-Eflow-API-Key: " EF_KEY "\r\n"
                     "Content-Type: application/json\r\n", body,
                     sizeof (body) - 1, &resp) || 200 != resp.status)
      exit (1);
    fetch[i] = sr_th_now () - t0;
    bytes = resp.body_len;
    sr_th_response_clean (&resp);
  }
  first = run_sync ("everflow", "2025-10-15", "2025-10-15", "6000", &r);
  if (EF_ROWS != json_integer_value (json_object_get (json_object_get (r,
                                                                     "rows"),
                                                    "inserted")))
    exit (1);
  json_decref (r);
  for (int i = 0; i < RUNS; i++) {
    same[i] = run_sync ("everflow", "2025-10-15", "2025-10-15", "6000", &r);
    json_decref (r);
  }
  rows = everflow_rows (1);
  if (!sr_sim_post (sim.everflow_port, "/_sim/data", rows, &status))
    exit (1);
  free (rows);
  /* The simulator renders a new report once (seconds, in Python) and
   * caches it; render it before the clock starts. */
  {
    struct sr_th_response resp;

    if (!sr_th_http (sim.everflow_port, "POST",
                     "/v1/networks/reporting/entity/table",
                     "X-Eflow-API-Key: " EF_KEY "\r\n"
                     "Content-Type: application/json\r\n", body,
                     sizeof (body) - 1, &resp) || 200 != resp.status)
      exit (1);
    sr_th_response_clean (&resp);
  }
  changed = run_sync ("everflow", "2025-10-15", "2025-10-15", "6000", &r);
  if (EF_ROWS != json_integer_value (json_object_get (json_object_get (r,
                                                                     "rows"),
                                                    "updated")))
    exit (1);
  details = json_dumps (json_object_get (r, "details"), JSON_COMPACT);
  json_decref (r);
  printf ("Everflow, one %d-row window (%zu-byte response), end to end "
          "(target < 0.5 s)\n\n", EF_ROWS, bytes);
  printf ("| run | wall s |\n|---|---|\n");
  printf ("| baseline: bare HTTP fetch of the report (median of %d) | %.3f |\n",
          RUNS, median (fetch, RUNS));
  printf ("| first load, %d inserts | %.3f |\n", EF_ROWS, first);
  printf ("| unchanged re-run, 0 writes (median of %d) | %.3f |\n", RUNS,
          median (same, RUNS));
  printf ("| restatement, %d updates | %.3f |\n\n", EF_ROWS, changed);
  printf ("In-process split of the restatement run: %s\n\n", details);
  free (details);
}

static void
bench_redtrack (void)
{
  json_t *r;
  double unpaced, paced;
  int status, four29_unpaced, four29;
  unsigned long requests;
  char limit[96];

  sr_sim_post (sim.redtrack_port, "/_sim/reset", "{}", &status);
  sr_sim_post (sim.redtrack_port, "/_sim/config", "{\"rate_limit\":0}",
               &status);
  unpaced = run_sync ("redtrack", "2025-08-01", "2025-09-29", "6000", &r);
  four29_unpaced = count_429 (sim.redtrack_port);
  requests = (unsigned long) json_integer_value (json_object_get (r,
                                                                  "requests"));
  printf ("Redtrack, 60-day backfill (%lu requests, %" JSON_INTEGER_FORMAT
          " rows)\n\n", requests,
          json_integer_value (json_object_get (json_object_get (r, "rows"),
                                               "inserted")));
  json_decref (r);
  sr_sim_post (sim.redtrack_port, "/_sim/reset", "{}", &status);
  snprintf (limit, sizeof (limit), "{\"rate_limit\":%d,\"rate_window_s\":%d}",
            SIM_LIMIT, SIM_WINDOW_S);
  sr_sim_post (sim.redtrack_port, "/_sim/config", limit, &status);
  paced = run_sync ("redtrack", "2025-08-01", "2025-09-29", CLIENT_RPM, &r);
  four29 = count_429 (sim.redtrack_port);
  printf ("| run | wall s | 429s |\n|---|---|---|\n");
  printf ("| unpaced (simulator limit off) | %.3f | %d |\n", unpaced,
          four29_unpaced);
  printf ("| paced: simulator %d per %d s, client %s/min | %.3f | %d |\n",
          SIM_LIMIT, SIM_WINDOW_S, CLIENT_RPM, paced, four29);
  printf ("(computed, not run: at Redtrack's documented 20/min the pacing "
          "floor is %lu x 3 s = %lu s)\n\n", requests - 1,
          (requests - 1) * 3);
  json_decref (r);
}

int
main (void)
{
  struct sr_th_env env = { 0 };
  const char *const migrate[] = { "migrate", NULL };

  conninfo = getenv ("SR_BENCH_CONNINFO");
  if (NULL == conninfo || !sr_sim_start (&sim, EF_KEY, RT_KEY))
    return 1;
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  if (0 != sr_th_run (&env, migrate, NULL, NULL))
    return 1;
  bench_everflow ();
  bench_redtrack ();
  sr_sim_stop (&sim);
  return 0;
}
