/*
 * test_http_pool.c -- database-bound requests and the HTTP threads: a
 * database stall must not take /healthz with it, a full queue answers 503
 * at once, a restarted PostgreSQL costs no request an error, and SIGTERM
 * during a stall still ends the process.
 *
 * The stall is real: a second session holds an ACCESS EXCLUSIVE lock on
 * the table GET /v1/syncs reads; waits end on pg_stat_activity (polled
 * with a deadline) and on sockets, never on sleeps.
 */
#include "check.h"
#include "harness.h"
#include "rawhttp.h"

#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SECRET "pool-secret-0123456789abcdef0123456789"

static const char *
state_path (const char *name)
{
  static char path[1024];
  const char *base = getenv ("SR_TEST_STATE");

  snprintf (path, sizeof (path), "%s/%s", base ? base : "teststate", name);
  return path;
}

static const char *
jstr (json_t *o, const char *key)
{
  return json_string_value (json_object_get (o, key));
}

/* Backends of this database waiting on a lock.  @a pg must not be in a
 * transaction: pg_stat_activity is read once per transaction. */
static int
lock_waiters (PGconn *pg)
{
  return atoi (sr_th_pg_value (pg, "SELECT count(*) FROM pg_stat_activity "
                               "WHERE wait_event_type = 'Lock' AND datname "
                               "= current_database()"));
}

/* Poll until at least @a n backends wait on a lock, up to @a secs. */
static bool
wait_lock_waiters (PGconn *pg, int n, double secs)
{
  double end = sr_th_now () + secs;

  while (sr_th_now () < end) {
    if (lock_waiters (pg) >= n)
      return true;
    (void) poll (NULL, 0, 50);   /* re-check interval, not a wait */
  }
  return false;
}

/* One GET on its own thread, for requests that block. */
struct call {
  int port;
  char target[256];
  char headers[2048];
  int timeout_ms;
  pthread_t thread;
  int status;
  char code[64];
  double secs;
};

static void *
call_run (void *cls)
{
  struct call *c = cls;
  struct sr_th_response r;
  json_t *body;

  c->status = sr_rh_get (c->port, c->target, c->headers, c->timeout_ms, &r,
                         &c->secs);
  body = json_loads (r.body ? r.body : "", 0, NULL);
  snprintf (c->code, sizeof (c->code), "%s",
            jstr (body, "code") ? jstr (body, "code") : "");
  json_decref (body);
  sr_th_response_clean (&r);
  return NULL;
}

static void
call_start (struct call *c, int port, const char *target, const char *tok,
            const char *request_id)
{
  memset (c, 0, sizeof (*c));
  c->port = port;
  c->timeout_ms = 60000;
  snprintf (c->target, sizeof (c->target), "%s", target);
  snprintf (c->headers, sizeof (c->headers),
            "Authorization: Bearer %s\r\nX-Request-Id: %s\r\n", tok,
            request_id);
  if (0 != pthread_create (&c->thread, NULL, call_run, c))
    c->status = -1;
}

static bool
start_server (struct sr_th_server *s, const char *conninfo,
              const char *api_threads, const char *api_queue,
              const char *grace)
{
  struct sr_th_env env = { 0 };

  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  sr_th_env_add (&env, "SIGNALROOM_JWT_SECRET", SECRET);
  sr_th_env_add (&env, "SIGNALROOM_WORKERS", "0");
  sr_th_env_add (&env, "LOG_LEVEL", "debug");
  if (NULL != api_threads)
    sr_th_env_add (&env, "SIGNALROOM_API_THREADS", api_threads);
  if (NULL != api_queue)
    sr_th_env_add (&env, "SIGNALROOM_API_QUEUE", api_queue);
  if (NULL != grace)
    sr_th_env_add (&env, "SIGNALROOM_SHUTDOWN_GRACE", grace);
  if (!sr_th_server_start (s, &env))
    return false;
  return NULL != sr_th_server_wait_log (s, 30000,
                                        "\"msg\":\"migrations current\"",
                                        NULL);
}

/* ------------------------------------------------------------------ */
/* Defect 3: a database stall does not freeze the HTTP threads         */

SR_TEST (test_stall_keeps_healthz)
{
  struct sr_th_server s;
  struct call calls[8];
  char conninfo[1024];
  char *tok = sr_th_jwt (SECRET, "service_role", "authenticated", 600);
  PGconn *locker, *observer;
  int code = -1;

  if (!sr_th_create_db ("sr_http_pool_stall", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  /* Four API threads, whatever the machine's cores (the default follows
   * them for a local database). */
  REQUIRE (start_server (&s, conninfo, "4", NULL, NULL));
  locker = sr_th_pg (conninfo);
  observer = sr_th_pg (conninfo);
  sr_th_pg_value (locker, "BEGIN");
  sr_th_pg_value (locker, "LOCK TABLE signalroom.runs IN ACCESS EXCLUSIVE "
                  "MODE");
  for (int i = 0; i < 8; i++) {
    char rid[32];

    snprintf (rid, sizeof (rid), "stalled-%d", i);
    call_start (&calls[i], s.port, "/v1/syncs", tok, rid);
  }
  /* Every thread that can run a database request is now stuck. */
  CHECK (wait_lock_waiters (observer, 4, 30));
  for (int i = 0; i < 5; i++) {
    struct sr_th_response r;
    double secs = 0;

    CHECK_INT_EQ (sr_rh_get (s.port, "/healthz", NULL, 2000, &r, &secs),
                  200);
    sr_th_response_clean (&r);
  }
  /* ... and so are the database requests, still. */
  CHECK (lock_waiters (observer) >= 4);
  sr_th_pg_value (locker, "COMMIT");
  for (int i = 0; i < 8; i++) {
    pthread_join (calls[i].thread, NULL);
    CHECK_INT_EQ (calls[i].status, 200);
  }
  PQfinish (locker);
  PQfinish (observer);
  CHECK (sr_th_server_stop (&s, SIGTERM, 15000, &code, NULL));
  CHECK_INT_EQ (code, 0);
  free (tok);
}

SR_TEST (test_full_queue_answers_busy)
{
  struct sr_th_server s;
  struct call running, queued;
  struct sr_th_response r;
  char conninfo[1024];
  char auth[2048];
  char *tok = sr_th_jwt (SECRET, "service_role", "authenticated", 600);
  PGconn *locker, *observer;
  double secs = 99;
  json_t *body;
  int code = -1;

  if (!sr_th_create_db ("sr_http_pool_busy", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  REQUIRE (start_server (&s, conninfo, "1", "1", NULL));
  locker = sr_th_pg (conninfo);
  observer = sr_th_pg (conninfo);
  sr_th_pg_value (locker, "BEGIN");
  sr_th_pg_value (locker, "LOCK TABLE signalroom.runs IN ACCESS EXCLUSIVE "
                  "MODE");
  call_start (&running, s.port, "/v1/syncs", tok, "busy-running");
  CHECK (wait_lock_waiters (observer, 1, 30));
  call_start (&queued, s.port, "/v1/syncs", tok, "busy-queued");
  CHECK (NULL != sr_th_server_wait_log (&s, 10000, "\"request_id\":"
                                        "\"busy-queued\"",
                                        "\"msg\":\"request queued\"", NULL));
  /* One running, one waiting: the next is refused at once. */
  snprintf (auth, sizeof (auth), "Authorization: Bearer %s\r\n", tok);
  CHECK_INT_EQ (sr_rh_get (s.port, "/v1/syncs", auth, 5000, &r, &secs), 503);
  CHECK (secs < 2.0);
  body = json_loads (r.body ? r.body : "", 0, NULL);
  CHECK_STR_EQ (jstr (body, "code"), "server_busy");
  CHECK_STR_EQ (sr_th_header (&r, "Content-Type"), "application/problem+json");
  CHECK (NULL != sr_th_header (&r, "Retry-After"));
  json_decref (body);
  sr_th_response_clean (&r);
  /* Requests that need no database are not in that queue. */
  CHECK_INT_EQ (sr_rh_get (s.port, "/v1/me", auth, 2000, &r, NULL), 200);
  sr_th_response_clean (&r);
  sr_th_pg_value (locker, "COMMIT");
  pthread_join (running.thread, NULL);
  pthread_join (queued.thread, NULL);
  CHECK_INT_EQ (running.status, 200);
  CHECK_INT_EQ (queued.status, 200);
  PQfinish (locker);
  PQfinish (observer);
  CHECK (sr_th_server_stop (&s, SIGTERM, 15000, &code, NULL));
  CHECK_INT_EQ (code, 0);
  free (tok);
}

/* SIGTERM while database requests are stuck: the process still ends
 * shortly after its grace period, with exit status 0. */
SR_TEST (test_stop_during_stall)
{
  struct sr_th_server s;
  struct call calls[3];
  char conninfo[1024];
  char *tok = sr_th_jwt (SECRET, "service_role", "authenticated", 600);
  PGconn *locker, *observer;
  double secs = 99;
  int code = -1;

  if (!sr_th_create_db ("sr_http_pool_term", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  REQUIRE (start_server (&s, conninfo, "1", "4", "1"));
  locker = sr_th_pg (conninfo);
  observer = sr_th_pg (conninfo);
  sr_th_pg_value (locker, "BEGIN");
  sr_th_pg_value (locker, "LOCK TABLE signalroom.runs IN ACCESS EXCLUSIVE "
                  "MODE");
  for (int i = 0; i < 3; i++) {
    char rid[32];

    snprintf (rid, sizeof (rid), "term-%d", i);
    call_start (&calls[i], s.port, "/v1/syncs", tok, rid);
  }
  CHECK (wait_lock_waiters (observer, 1, 30));
  CHECK (NULL != sr_th_server_wait_log (&s, 10000, "\"request_id\":"
                                        "\"term-",
                                        "\"msg\":\"request queued\"", NULL));
  CHECK (sr_th_server_stop (&s, SIGTERM, 15000, &code, &secs));
  CHECK_INT_EQ (code, 0);
  CHECK (secs < 1 + 8.0);
  sr_th_pg_value (locker, "COMMIT");
  for (int i = 0; i < 3; i++)
    pthread_join (calls[i].thread, NULL);
  PQfinish (locker);
  PQfinish (observer);
  free (tok);
}

/* ------------------------------------------------------------------ */
/* Defect 8: stale connections after a PostgreSQL restart              */

SR_TEST (test_restart_costs_no_request)
{
  const char *dir = state_path ("http_pool_restart");
  struct sr_th_server s;
  struct call calls[16];
  char conninfo[512];
  char auth[2048];
  char *tok = sr_th_jwt (SECRET, "service_role", "authenticated", 600);
  int code = -1, failed = 0;

  REQUIRE (sr_th_cluster_start (dir, conninfo, sizeof (conninfo)));
  REQUIRE (start_server (&s, conninfo, NULL, NULL, NULL));
  /* Give every thread that serves database requests its connection. */
  for (int i = 0; i < 16; i++) {
    char rid[32];

    snprintf (rid, sizeof (rid), "warm-%d", i);
    call_start (&calls[i], s.port, "/v1/syncs", tok, rid);
  }
  for (int i = 0; i < 16; i++) {
    pthread_join (calls[i].thread, NULL);
    CHECK_INT_EQ (calls[i].status, 200);
  }
  REQUIRE (sr_th_cluster_stop (dir));
  REQUIRE (sr_th_cluster_start (dir, conninfo, sizeof (conninfo)));
  /* Every connection those threads hold is dead now; no request may
   * pay for that with an error. */
  snprintf (auth, sizeof (auth), "Authorization: Bearer %s\r\n", tok);
  for (int i = 0; i < 12; i++) {
    struct sr_th_response r;
    int st = sr_rh_get (s.port, "/v1/syncs", auth, 10000, &r, NULL);

    if (200 != st) {
      failed++;
      fprintf (stderr, "after restart: %d %s\n", st, r.body ? r.body : "");
    }
    sr_th_response_clean (&r);
  }
  for (int i = 0; i < 16; i++) {
    char rid[32];

    snprintf (rid, sizeof (rid), "after-%d", i);
    call_start (&calls[i], s.port, "/v1/syncs", tok, rid);
  }
  for (int i = 0; i < 16; i++) {
    pthread_join (calls[i].thread, NULL);
    if (200 != calls[i].status)
      failed++;
  }
  CHECK_INT_EQ (failed, 0);
  CHECK (sr_th_server_stop (&s, SIGTERM, 15000, &code, NULL));
  CHECK_INT_EQ (code, 0);
  sr_th_cluster_destroy (dir);
  free (tok);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_stall_keeps_healthz),
              SR_TEST_ENTRY (test_full_queue_answers_busy),
              SR_TEST_ENTRY (test_stop_during_stall),
              SR_TEST_ENTRY (test_restart_costs_no_request))
