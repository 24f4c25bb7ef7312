/*
 * test_readiness.c -- /readyz says what failed and nothing more (it is
 * public); GET /v1/health (service_role) and the log say why.
 */
#include "check.h"
#include "harness.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SECRET "readiness-secret-0123456789abcdef012345"
/* Names that must not leak through the public route. */
#define DB_NAME "sr_ready_hidden_dbname"
#define DB_USER "sr_ready_hidden_user"

static struct sr_th_server srv;
static char conninfo[1024];
static int dead_port;
static bool up;

/* A loopback port nothing listens on (bound, then released). */
static int
closed_port (void)
{
  struct sockaddr_in a = { .sin_family = AF_INET };
  socklen_t len = sizeof (a);
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  int port = 0;

  a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (fd >= 0 && 0 == bind (fd, (struct sockaddr *) &a, sizeof (a))
      && 0 == getsockname (fd, (struct sockaddr *) &a, &len))
    port = ntohs (a.sin_port);
  if (fd >= 0)
    close (fd);
  return port;
}

static json_t *
get (const char *target, const char *token, struct sr_th_response *r)
{
  char headers[1024] = "";

  if (NULL != token)
    snprintf (headers, sizeof (headers), "Authorization: Bearer %s\r\n",
              token);
  if (!sr_th_http (srv.port, "GET", target, headers, NULL, 0, r))
    return NULL;
  return json_loads (r->body, 0, NULL);
}

static bool
start (const char *db_url)
{
  struct sr_th_env env = { 0 };

  sr_th_env_add (&env, "DATABASE_URL", db_url);
  sr_th_env_add (&env, "SIGNALROOM_JWT_SECRET", SECRET);
  sr_th_env_add (&env, "SIGNALROOM_WORKERS", "0");
  sr_th_env_add (&env, "SIGNALROOM_SCHEDULER", "false");
  return sr_th_server_start (&srv, &env);
}

SR_TEST (test_start)
{
  char url[256];

  if (!sr_th_create_db ("sr_readiness", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  dead_port = closed_port ();
  REQUIRE (dead_port > 0);
  snprintf (url, sizeof (url), "host=127.0.0.1 port=%d dbname=" DB_NAME
            " user=" DB_USER " connect_timeout=2", dead_port);
  REQUIRE (start (url));
  up = true;
}

SR_TEST (test_database_down)
{
  struct sr_th_response r;
  char *token = sr_th_jwt (SECRET, "service_role", "authenticated", 600);
  char port[16];
  json_t *j;

  REQUIRE (up);
  snprintf (port, sizeof (port), "%d", dead_port);
  for (int probe = 0; probe < 3; probe++) {
    j = get ("/readyz", NULL, &r);
    CHECK_INT_EQ (r.status, 503);
    CHECK_STR_EQ (json_string_value (json_object_get (j, "code")),
                  "database_unavailable");
    CHECK (NULL == strstr (r.body, DB_NAME));
    CHECK (NULL == strstr (r.body, DB_USER));
    CHECK (NULL == strstr (r.body, "127.0.0.1"));
    CHECK (NULL == strstr (r.body, port));
    CHECK (NULL == strstr (r.body, "refused"));
    json_decref (j);
    sr_th_response_clean (&r);
  }
  /* The operator's view has the reason. */
  j = get ("/v1/health", token, &r);
  CHECK_INT_EQ (r.status, 200);
  CHECK (json_is_false (json_object_get (j, "ready")));
  CHECK_CONTAINS (json_string_value (json_object_get (
                    json_object_get (j, "database"), "error")), port);
  json_decref (j);
  sr_th_response_clean (&r);
  /* Not for readers, nor for anyone without a token. */
  free (token);
  token = sr_th_jwt (SECRET, "authenticated", "authenticated", 600);
  j = get ("/v1/health", token, &r);
  CHECK_INT_EQ (r.status, 403);
  json_decref (j);
  sr_th_response_clean (&r);
  j = get ("/v1/health", NULL, &r);
  CHECK_INT_EQ (r.status, 401);
  json_decref (j);
  sr_th_response_clean (&r);
  free (token);
  /* The log says it once, with the reason, not once per probe. */
  CHECK (NULL != sr_th_server_wait_log (&srv, 5000, "\"not ready\"", port,
                                        NULL));
  CHECK_INT_EQ (sr_th_server_count_log (&srv, "\"msg\":\"not ready\""), 1);
}

SR_TEST (test_database_up)
{
  struct sr_th_response r;
  char *token = sr_th_jwt (SECRET, "service_role", "authenticated", 600);
  int code;
  json_t *j, *db;

  REQUIRE (up);
  CHECK (sr_th_server_stop (&srv, SIGTERM, 20000, &code, NULL));
  up = start (conninfo);
  REQUIRE (up);
  /* Migrations run in the background at start: poll readiness. */
  for (double t0 = sr_th_now (); sr_th_now () - t0 < 20;) {
    j = get ("/readyz", NULL, &r);
    json_decref (j);
    code = r.status;
    sr_th_response_clean (&r);
    if (200 == code)
      break;
    (void) poll (NULL, 0, 50);   /* re-check interval, not a wait */
  }
  CHECK_INT_EQ (code, 200);
  j = get ("/v1/health", token, &r);
  CHECK_INT_EQ (r.status, 200);
  CHECK (json_is_true (json_object_get (j, "ready")));
  db = json_object_get (j, "database");
  CHECK (json_is_true (json_object_get (db, "reachable")));
  CHECK_STR_EQ (json_string_value (json_object_get (db, "name")),
                "sr_readiness");
  CHECK (NULL == json_object_get (db, "error"));
  CHECK_INT_EQ (json_integer_value (json_object_get (
                  json_object_get (j, "schema"), "pending")), 0);
  json_decref (j);
  sr_th_response_clean (&r);
  free (token);
}

SR_TEST (test_stop)
{
  int code;

  if (up)
    CHECK (sr_th_server_stop (&srv, SIGTERM, 20000, &code, NULL));
}

/* While migrations are pending (here: held behind the migration lock, as
 * another instance migrating would hold it), routes that use the database
 * answer 503 schema_outdated with Retry-After -- not a 500 from a half-
 * built schema -- while /healthz and the readiness routes answer; once the
 * schema is current, the same request runs. */
SR_TEST (test_requests_wait_for_migrations)
{
  struct sr_th_server s2;
  struct sr_th_env env = { 0 };
  struct sr_th_response r;
  char fresh[1024];
  char *token = sr_th_jwt (SECRET, "service_role", "authenticated", 600);
  PGconn *lock;
  PGresult *res;
  json_t *j;

  REQUIRE (sr_th_create_db ("sr_readiness_fresh", fresh, sizeof (fresh)));
  lock = PQconnectdb (fresh);
  REQUIRE (CONNECTION_OK == PQstatus (lock));
  res = PQexec (lock, "BEGIN; SELECT pg_advisory_xact_lock("
                "6000855520389845569)");      /* migrations_lock.sql */
  CHECK (PGRES_TUPLES_OK == PQresultStatus (res));
  PQclear (res);
  sr_th_env_add (&env, "DATABASE_URL", fresh);
  sr_th_env_add (&env, "SIGNALROOM_JWT_SECRET", SECRET);
  sr_th_env_add (&env, "SIGNALROOM_WORKERS", "0");
  REQUIRE (sr_th_server_start (&s2, &env));
  j = NULL;
  {
    char headers[1024];

    snprintf (headers, sizeof (headers), "Authorization: Bearer %s\r\n",
              token);
    REQUIRE (sr_th_http (s2.port, "GET", "/v1/syncs/1", headers, NULL, 0,
                         &r));
    CHECK_INT_EQ (r.status, 503);
    CHECK_STR_EQ (sr_th_header (&r, "Retry-After"), "1");
    j = json_loads (r.body, 0, NULL);
    CHECK_STR_EQ (json_string_value (json_object_get (j, "code")),
                  "schema_outdated");
    json_decref (j);
    sr_th_response_clean (&r);
  }
  REQUIRE (sr_th_http (s2.port, "GET", "/healthz", NULL, NULL, 0, &r));
  CHECK_INT_EQ (r.status, 200);
  sr_th_response_clean (&r);
  REQUIRE (sr_th_http (s2.port, "GET", "/readyz", NULL, NULL, 0, &r));
  CHECK_INT_EQ (r.status, 503);       /* it ran: it reports the schema */
  j = json_loads (r.body, 0, NULL);
  CHECK_STR_EQ (json_string_value (json_object_get (j, "code")),
                "schema_outdated");
  json_decref (j);
  sr_th_response_clean (&r);
  res = PQexec (lock, "COMMIT");       /* the migrator goes on */
  PQclear (res);
  PQfinish (lock);
  CHECK (sr_th_await_ready (s2.port, 30));
  CHECK_INT_EQ (sr_th_api (s2.port, token, "GET", "/v1/syncs/1", NULL,
                           NULL), 404);
  CHECK (sr_th_server_stop (&s2, SIGTERM, 20000, NULL, NULL));
  free (token);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_start),
              SR_TEST_ENTRY (test_database_down),
              SR_TEST_ENTRY (test_database_up),
              SR_TEST_ENTRY (test_stop),
              SR_TEST_ENTRY (test_requests_wait_for_migrations))
