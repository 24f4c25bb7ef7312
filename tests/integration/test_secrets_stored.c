/*
 * test_secrets_stored.c -- a secret an upstream echoes back is masked in
 * what signalroom stores (runs, jobs, dead letters) and serves through the
 * API, not only in its log.
 *
 * Everflow's simulator is told to answer a 401 whose body quotes the API
 * key, as some real APIs do ("invalid key abc..."); the failed run is
 * then read back through every route that shows upstream text, and
 * straight from the tables.
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

#define SECRET "stored-secret-0123456789abcdef0123456789"
#define EF_KEY "ef-echoed-key-5f3a9c0d1e"
#define RT_KEY "rt-echoed-key-77b2e4a6c8"

static struct sr_th_server srv;
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

/* GET @a target as text (caller frees), and the status. */
static char *
get (const char *target, int *status)
{
  json_t *j;
  char *text;

  *status = sr_th_api (srv.port, token, "GET", target, NULL, &j);
  text = NULL != j ? json_dumps (j, 0) : strdup ("");
  json_decref (j);
  return text;
}

SR_TEST (test_start)
{
  struct sr_th_env env = { 0 };
  const char *const argv[] = { "migrate", NULL };
  char url[128];

  if (!sr_th_create_db ("sr_secrets", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  REQUIRE (sr_sim_start (&sim, EF_KEY, RT_KEY));
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  REQUIRE (0 == sr_th_run (&env, argv, NULL, NULL));
  pg = sr_th_pg (conninfo);
  token = sr_th_jwt (SECRET, "service_role", "authenticated", 3600);
  memset (&env, 0, sizeof (env));
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  sr_th_env_add (&env, "SIGNALROOM_JWT_SECRET", SECRET);
  sr_th_env_add (&env, "SIGNALROOM_POLL_MS", "100");
  sr_th_env_add (&env, "SIGNALROOM_SCHEDULER", "false");
  sr_th_env_add (&env, "EVERFLOW_API_KEY", EF_KEY);
  snprintf (url, sizeof (url), "http://127.0.0.1:%d", sim.everflow_port);
  sr_th_env_add (&env, "EVERFLOW_BASE_URL", url);
  REQUIRE (sr_th_server_start (&srv, &env));
  up = true;
}

SR_TEST (test_echoed_key_is_masked_everywhere)
{
  static const char *const routes[] = {
    "/v1/syncs", "/v1/dead-letters", "/v1/sources",
  };
  char target[64];
  json_t *created, *run = NULL;
  json_int_t id;
  int status;
  double t0;

  REQUIRE (up);
  REQUIRE (sr_sim_post (sim.everflow_port, "/_sim/faults",
                        "{\"faults\":[{\"status\":401,\"body\":"
                        "\"{\\\"error\\\":\\\"API key " EF_KEY
                        " is not valid for this network\\\"}\"}]}", NULL));
  CHECK_INT_EQ (sr_th_api (srv.port, token, "POST", "/v1/syncs",
                           "{\"source\":\"everflow\",\"from\":"
                           "\"2025-03-04\",\"to\":\"2025-03-04\"}",
                           &created), 202);
  id = json_integer_value (json_object_get (created, "id"));
  json_decref (created);
  REQUIRE (id > 0);
  snprintf (target, sizeof (target), "/v1/syncs/%" JSON_INTEGER_FORMAT, id);
  /* A 401 fails at once: the run ends after one attempt. */
  for (t0 = sr_th_now (); sr_th_now () - t0 < 30;) {
    char *body = get (target, &status);

    run = body ? json_loads (body, 0, NULL) : NULL;
    free (body);
    if (NULL != run && 0 == strcmp ("failed", json_string_value (
                                      json_object_get (run, "status"))))
      break;
    json_decref (run);
    run = NULL;
    (void) poll (NULL, 0, 50);   /* re-check interval, not a wait */
  }
  REQUIRE (NULL != run);
  {
    char *text = json_dumps (run, 0);

    /* The upstream's words are kept (someone must see why it failed),
     * the key is not. */
    CHECK_CONTAINS (text, "is not valid for this network");
    CHECK_CONTAINS (text, "[REDACTED]");
    CHECK (NULL == strstr (text, EF_KEY));
    free (text);
  }
  json_decref (run);
  for (size_t i = 0; i < sizeof (routes) / sizeof (routes[0]); i++) {
    char *body = get (routes[i], &status);

    CHECK_INT_EQ (status, 200);
    CHECK (NULL != body && NULL == strstr (body, EF_KEY));
    if (0 == strcmp (routes[i], "/v1/dead-letters"))
      CHECK_CONTAINS (body, "[REDACTED]");
    free (body);
  }
  /* And in the tables, for whoever reads them with SQL. */
  CHECK_STR_EQ (q ("SELECT count(*) FROM signalroom.dead_letters"), "1");
  CHECK_STR_EQ (q ("SELECT count(*) FROM signalroom.runs r WHERE "
                   "r::text LIKE '%" EF_KEY "%'"), "0");
  CHECK_STR_EQ (q ("SELECT count(*) FROM signalroom.jobs j WHERE "
                   "j::text LIKE '%" EF_KEY "%'"), "0");
  CHECK_STR_EQ (q ("SELECT count(*) FROM signalroom.dead_letters d WHERE "
                   "d::text LIKE '%" EF_KEY "%'"), "0");
  CHECK_STR_EQ (q ("SELECT count(*) FROM signalroom.dead_letters d WHERE "
                   "d.error LIKE '%[REDACTED]%'"), "1");
  CHECK (0 == sr_th_server_count_log (&srv, EF_KEY));
}

SR_TEST (test_stop)
{
  int code;

  if (up)
    CHECK (sr_th_server_stop (&srv, SIGTERM, 20000, &code, NULL));
  sr_sim_stop (&sim);
  if (NULL != pg)
    PQfinish (pg);
  free (token);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_start),
              SR_TEST_ENTRY (test_echoed_key_is_masked_everywhere),
              SR_TEST_ENTRY (test_stop))
