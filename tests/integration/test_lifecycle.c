/*
 * test_lifecycle.c -- start-up, configuration errors, migrations,
 * graceful shutdown, and living through a database outage.
 */
#include "check.h"
#include "harness.h"

#include <jansson.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define SECRET "lifecycle-secret-0123456789abcdef0123"

static const char *
state_dir (const char *name)
{
  static char path[1024];
  const char *base = getenv ("SR_TEST_STATE");

  snprintf (path, sizeof (path), "%s/%s", base ? base : "teststate", name);
  return path;
}

/* Count lines of @a text. */
static size_t
count_lines (const char *text)
{
  size_t n = 0;

  for (const char *p = text; *p; p++)
    if ('\n' == *p)
      n++;
  return n;
}

SR_TEST (test_config_errors)
{
  static const struct {
    const char *name;
    const char *value;
  } cases[] = {
    { "SIGNALROOM_WORKERS", "abc" },
    { "SIGNALROOM_WORKERS", "65" },
    { "SIGNALROOM_LISTEN", "8080" },
    { "SIGNALROOM_TIMEZONE", "Mars/Olympus_Mons" },
    { "LOG_LEVEL", "chatty" },
    { "SIGNALROOM_JWT_SECRET", "too-short" },
    { "SIGNALROOM_JWT_PUBLIC_KEY", "/nonexistent/key.pem" },
    { "SIGNALROOM_AUTO_MIGRATE", "perhaps" },
  };
  const char *const argv[] = { "serve", NULL };
  char conninfo[512];

  if (!sr_th_create_db ("sr_lifecycle_cfg", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  /* Nothing at all: the database is the one thing without a default. */
  {
    struct sr_th_env env = { 0 };
    char *out, *err;

    CHECK_INT_EQ (sr_th_run (&env, argv, &out, &err), 1);
    CHECK_INT_EQ (count_lines (err), 1);
    CHECK_CONTAINS (err, "\"msg\":\"invalid configuration\"");
    CHECK_CONTAINS (err, "DATABASE_URL");
    free (out);
    free (err);
  }
  for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++) {
    struct sr_th_env env = { 0 };
    char *out, *err;

    sr_th_env_add (&env, "DATABASE_URL", conninfo);
    sr_th_env_add (&env, cases[i].name, cases[i].value);
    CHECK_INT_EQ (sr_th_run (&env, argv, &out, &err), 1);
    CHECK_INT_EQ (count_lines (err), 1);
    CHECK_CONTAINS (err, cases[i].name);
    /* The secret's value must not be echoed even when it is the bad one. */
    if (0 == strcmp (cases[i].name, "SIGNALROOM_JWT_SECRET"))
      CHECK (NULL == strstr (err, cases[i].value));
    free (out);
    free (err);
  }
}

SR_TEST (test_cli_help_and_usage)
{
  struct sr_th_env env = { 0 };
  const char *const help[] = { "--help", NULL };
  const char *const serve_help[] = { "serve", "--help", NULL };
  const char *const migrate_help[] = { "migrate", "-h", NULL };
  const char *const bogus[] = { "frobnicate", NULL };
  const char *const bad_arg[] = { "serve", "--port=1", NULL };
  const char *const version[] = { "version", NULL };
  char *out, *err;

  CHECK_INT_EQ (sr_th_run (&env, help, &out, &err), 0);
  CHECK_CONTAINS (out, "serve");
  CHECK_CONTAINS (out, "migrate");
  free (out);
  free (err);
  CHECK_INT_EQ (sr_th_run (&env, serve_help, &out, &err), 0);
  CHECK_CONTAINS (out, "usage: signalroom serve");
  free (out);
  free (err);
  CHECK_INT_EQ (sr_th_run (&env, migrate_help, &out, &err), 0);
  CHECK_CONTAINS (out, "usage: signalroom migrate");
  free (out);
  free (err);
  CHECK_INT_EQ (sr_th_run (&env, bogus, &out, &err), 2);
  CHECK_CONTAINS (err, "unknown command");
  free (out);
  free (err);
  CHECK_INT_EQ (sr_th_run (&env, bad_arg, &out, &err), 2);
  CHECK_CONTAINS (err, "--port=1");
  free (out);
  free (err);
  CHECK_INT_EQ (sr_th_run (&env, version, &out, &err), 0);
  CHECK_CONTAINS (out, "signalroom 0.");
  CHECK_CONTAINS (out, "libmicrohttpd");
  free (out);
  free (err);
}

SR_TEST (test_migrate_command)
{
  struct sr_th_env env = { 0 };
  const char *const argv[] = { "migrate", NULL };
  char conninfo[512];
  char *out, *err;
  PGconn *c;

  if (!sr_th_create_db ("sr_lifecycle_migrate", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  int latest;
  int count = sr_th_migrations (&latest);
  char want[96];

  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  CHECK_INT_EQ (sr_th_run (&env, argv, &out, &err), 0);
  snprintf (want, sizeof (want), "{\"applied\":%d,\"schema_version\":%d}\n",
            count, latest);
  CHECK_STR_EQ (out, want);
  free (out);
  free (err);
  CHECK_INT_EQ (sr_th_run (&env, argv, &out, &err), 0);
  snprintf (want, sizeof (want), "{\"applied\":0,\"schema_version\":%d}\n",
            latest);
  CHECK_STR_EQ (out, want);
  free (out);
  free (err);

  /* A migration edited after it was applied is refused, not skipped. */
  c = sr_th_pg (conninfo);
  sr_th_pg_value (c, "UPDATE signalroom.schema_migrations SET checksum = "
                  "'0000' WHERE version = 1");
  CHECK_INT_EQ (sr_th_run (&env, argv, &out, &err), 1);
  CHECK_CONTAINS (err, "0001_schemas was changed after it was applied");
  free (out);
  free (err);
  PQfinish (c);
}

SR_TEST (test_migrate_concurrently)
{
  enum { N = 6 };
  struct sr_th_env env = { 0 };
  char conninfo[512];
  pid_t kids[N];
  int ok = 0;
  PGconn *c;

  if (!sr_th_create_db ("sr_lifecycle_race", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  for (int i = 0; i < N; i++) {
    kids[i] = fork ();
    if (0 == kids[i]) {
      const char *const argv[] = { "migrate", NULL };

      _exit (sr_th_run (&env, argv, NULL, NULL));
    }
  }
  for (int i = 0; i < N; i++) {
    int status;

    waitpid (kids[i], &status, 0);
    if (WIFEXITED (status) && 0 == WEXITSTATUS (status))
      ok++;
  }
  CHECK_INT_EQ (ok, N);
  c = sr_th_pg (conninfo);
  {
    int latest;
    char want[16];

    snprintf (want, sizeof (want), "%d", sr_th_migrations (&latest));
    CHECK_STR_EQ (sr_th_pg_value (c, "SELECT count(*) FROM "
                                  "signalroom.schema_migrations"), want);
  }
  PQfinish (c);
}

/* Open a connection and send @a partial without finishing the request. */
static int
open_partial (int port, const char *partial)
{
  struct sockaddr_in sa = { 0 };
  int fd = socket (AF_INET, SOCK_STREAM, 0);

  sa.sin_family = AF_INET;
  sa.sin_port = htons ((uint16_t) port);
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (fd < 0 || 0 != connect (fd, (struct sockaddr *) &sa, sizeof (sa)))
    return -1;
  if ((ssize_t) strlen (partial) != send (fd, partial, strlen (partial),
                                          MSG_NOSIGNAL)) {
    close (fd);
    return -1;
  }
  return fd;
}

static char *
read_all (int fd)
{
  static char buf[16384];
  size_t got = 0;

  for (;;) {
    struct pollfd p = { .fd = fd, .events = POLLIN };
    ssize_t n;

    if (poll (&p, 1, 15000) <= 0)
      break;
    n = recv (fd, buf + got, sizeof (buf) - 1 - got, 0);
    if (n <= 0)
      break;
    got += (size_t) n;
  }
  buf[got] = '\0';
  return buf;
}

SR_TEST (test_sigterm_finishes_in_flight)
{
  struct sr_th_env env = { 0 };
  struct sr_th_server srv;
  char conninfo[512];
  char *tok = sr_th_jwt (SECRET, "service_role", "authenticated", 600);
  char head[4096];
  char *resp;
  int fd, code = -1;
  double secs = 99;

  if (!sr_th_create_db ("sr_lifecycle_term", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  sr_th_env_add (&env, "SIGNALROOM_JWT_SECRET", SECRET);
  sr_th_env_add (&env, "LOG_LEVEL", "debug");
  REQUIRE (sr_th_server_start (&srv, &env));
  snprintf (head, sizeof (head),
            "PUT /v1/log-level HTTP/1.1\r\nHost: x\r\n"
            "X-Request-Id: in-flight-1\r\nAuthorization: Bearer %s\r\n"
            "Content-Type: application/json\r\nContent-Length: 17\r\n\r\n"
            "{\"level\"", tok);
  fd = open_partial (srv.port, head);
  REQUIRE (fd >= 0);
  REQUIRE (NULL != sr_th_server_wait_log (&srv, 10000, "request started",
                                          "in-flight-1", NULL));
  kill (srv.pid, SIGTERM);
  REQUIRE (NULL != sr_th_server_wait_log (&srv, 10000,
                                          "stopped accepting connections",
                                          "\"in_flight\":1", NULL));
  /* The server no longer accepts ... */
  {
    struct sr_th_response r;

    CHECK (!sr_th_http (srv.port, "GET", "/healthz", NULL, NULL, 0, &r));
    sr_th_response_clean (&r);
  }
  /* ... but the request it was in the middle of completes. */
  CHECK (9 == send (fd, ":\"debug\"}", 9, MSG_NOSIGNAL));
  resp = read_all (fd);
  close (fd);
  CHECK (0 == strncmp (resp, "HTTP/1.1 200", 12));
  CHECK_CONTAINS (resp, "Connection: close");
  CHECK_CONTAINS (resp, "\"level\":\"debug\"");
  CHECK (sr_th_server_stop (&srv, SIGTERM, 10000, &code, &secs));
  CHECK_INT_EQ (code, 0);
  free (tok);
}

SR_TEST (test_sigterm_grace_runs_out)
{
  struct sr_th_env env = { 0 };
  struct sr_th_server srv;
  char conninfo[512];
  char *tok = sr_th_jwt (SECRET, "service_role", "authenticated", 600);
  char head[4096];
  int fd, code = -1;
  double secs = 99;

  if (!sr_th_create_db ("sr_lifecycle_grace", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  sr_th_env_add (&env, "SIGNALROOM_JWT_SECRET", SECRET);
  sr_th_env_add (&env, "SIGNALROOM_SHUTDOWN_GRACE", "1");
  sr_th_env_add (&env, "LOG_LEVEL", "debug");
  REQUIRE (sr_th_server_start (&srv, &env));
  snprintf (head, sizeof (head),
            "PUT /v1/log-level HTTP/1.1\r\nHost: x\r\n"
            "X-Request-Id: stuck-1\r\nAuthorization: Bearer %s\r\n"
            "Content-Type: application/json\r\nContent-Length: 17\r\n\r\n",
            tok);
  fd = open_partial (srv.port, head);
  REQUIRE (fd >= 0);
  REQUIRE (NULL != sr_th_server_wait_log (&srv, 10000, "request started",
                                          "stuck-1", NULL));
  /* A client that never finishes cannot hold the process hostage. */
  CHECK (sr_th_server_stop (&srv, SIGTERM, 10000, &code, &secs));
  CHECK_INT_EQ (code, 0);
  CHECK (secs >= 0.9 && secs < 5.0);
  close (fd);
  free (tok);
}

SR_TEST (test_no_jwt_key_closes_protected_routes)
{
  struct sr_th_env env = { 0 };
  struct sr_th_server srv;
  struct sr_th_response r;
  char conninfo[512];
  char *tok = sr_th_jwt (SECRET, "service_role", "authenticated", 600);
  char hdr[2048];
  json_t *body;
  int code;

  if (!sr_th_create_db ("sr_lifecycle_nokey", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  REQUIRE (sr_th_server_start (&srv, &env));
  CHECK (NULL != sr_th_server_wait_log (&srv, 5000, "no JWT key configured",
                                        NULL));
  snprintf (hdr, sizeof (hdr), "Authorization: Bearer %s\r\n", tok);
  REQUIRE (sr_th_http (srv.port, "GET", "/v1/me", hdr, NULL, 0, &r));
  CHECK_INT_EQ (r.status, 503);
  body = json_loads (r.body, 0, NULL);
  CHECK_STR_EQ (json_string_value (json_object_get (body, "code")),
                "auth_not_configured");
  json_decref (body);
  sr_th_response_clean (&r);
  REQUIRE (sr_th_http (srv.port, "GET", "/healthz", NULL, NULL, 0, &r));
  CHECK_INT_EQ (r.status, 200);
  sr_th_response_clean (&r);
  CHECK (sr_th_server_stop (&srv, SIGINT, 10000, &code, NULL));
  CHECK_INT_EQ (code, 0);
  free (tok);
}

static int
readyz (int port, char *code, size_t len)
{
  struct sr_th_response r;
  int status;
  json_t *body;

  if (!sr_th_http (port, "GET", "/readyz", NULL, NULL, 0, &r))
    return -1;
  status = r.status;
  body = json_loads (r.body, 0, NULL);
  snprintf (code, len, "%s",
            json_string_value (json_object_get (body, status == 200
                                                ? "status" : "code"))
            ? json_string_value (json_object_get (body, status == 200
                                                  ? "status" : "code"))
            : "");
  json_decref (body);
  sr_th_response_clean (&r);
  return status;
}

SR_TEST (test_database_outage)
{
  const char *dir = state_dir ("outage");
  struct sr_th_env env = { 0 };
  struct sr_th_server srv;
  char conninfo[512];
  char code[64];
  int exit_code = -1;

  REQUIRE (sr_th_cluster_start (dir, conninfo, sizeof (conninfo)));
  REQUIRE (sr_th_cluster_stop (dir));
  /* Database down at start: serve comes up anyway and says why. */
  {
    char with_pw[600];

    snprintf (with_pw, sizeof (with_pw), "%s password=never-logged-password",
              conninfo);
    sr_th_env_add (&env, "DATABASE_URL", with_pw);
  }
  REQUIRE (sr_th_server_start (&srv, &env));
  CHECK_INT_EQ (readyz (srv.port, code, sizeof (code)), 503);
  CHECK_STR_EQ (code, "database_unavailable");
  CHECK (NULL != sr_th_server_wait_log (&srv, 10000,
                                        "migration attempt failed", NULL));
  /* Database back: migrations apply by themselves, then ready. */
  REQUIRE (sr_th_cluster_start (dir, conninfo, sizeof (conninfo)));
  CHECK (NULL != sr_th_server_wait_log (&srv, 60000, "migrations current",
                                        NULL));
  CHECK_INT_EQ (readyz (srv.port, code, sizeof (code)), 200);
  CHECK_STR_EQ (code, "ready");
  /* Outage while running, then recovery on the very first probe. */
  REQUIRE (sr_th_cluster_stop (dir));
  CHECK_INT_EQ (readyz (srv.port, code, sizeof (code)), 503);
  CHECK_STR_EQ (code, "database_unavailable");
  REQUIRE (sr_th_cluster_start (dir, conninfo, sizeof (conninfo)));
  CHECK_INT_EQ (readyz (srv.port, code, sizeof (code)), 200);
  CHECK_INT_EQ (readyz (srv.port, code, sizeof (code)), 200);
  /* The job threads are back too: the listener listens again (it is
   * the session whose last statement was LISTEN) and a job is done. */
  {
    PGconn *pg = sr_th_pg (conninfo);
    double t0 = sr_th_now ();
    bool listening = false, done = false;

    REQUIRE (NULL != pg);
    sr_th_pg_value (pg, "WITH r AS (INSERT INTO signalroom.runs (source) "
                    "VALUES ('noop') RETURNING id) INSERT INTO "
                    "signalroom.jobs (run_id, kind, source) SELECT id, "
                    "'noop', 'noop' FROM r RETURNING id");
    while ((!listening || !done) && sr_th_now () - t0 < 60) {
      listening = 0 == strcmp ("t", sr_th_pg_value (
                                 pg, "SELECT count(*) = 1 FROM "
                                 "pg_stat_activity WHERE application_name "
                                 "= 'signalroom' AND query = 'LISTEN "
                                 "signalroom_jobs'"));
      done = 0 == strcmp ("succeeded", sr_th_pg_value (
                            pg, "SELECT status FROM signalroom.jobs WHERE "
                            "kind = 'noop'"));
      if (!listening || !done)
        (void) poll (NULL, 0, 100);   /* re-check interval, not a wait */
    }
    CHECK (listening);
    CHECK (done);
    PQfinish (pg);
  }
  {
    char *log = sr_th_server_log (&srv);

    CHECK (NULL == strstr (log, "never-logged-password"));
    free (log);
  }
  CHECK (sr_th_server_stop (&srv, SIGTERM, 10000, &exit_code, NULL));
  CHECK_INT_EQ (exit_code, 0);
  sr_th_cluster_destroy (dir);
}

SR_TEST (test_supabase_variables)
{
  const char *fixture = getenv ("SR_TEST_PGDIR");
  struct sr_th_env env = { 0 };
  struct sr_th_server srv;
  char conninfo[512];
  char host[512];
  char code[64];
  int exit_code = -1;

  if (!sr_th_create_db ("sr_lifecycle_supabase", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  /* conninfo is "host=DIR port=P user=postgres dbname=..." */
  REQUIRE (1 == sscanf (conninfo, "host=%511s", host));
  sr_th_env_add (&env, "SUPABASE_DB_HOST", host);
  sr_th_env_add (&env, "SUPABASE_DB_PORT", "5432");
  sr_th_env_add (&env, "SUPABASE_DB_NAME", "sr_lifecycle_supabase");
  sr_th_env_add (&env, "SUPABASE_DB_USER", "postgres");
  sr_th_env_add (&env, "SUPABASE_DB_PASSWORD", "pw-that-must-not-appear");
  sr_th_env_add (&env, "SUPABASE_DB_SSLMODE", "disable");
  REQUIRE (sr_th_server_start (&srv, &env));
  CHECK (NULL != sr_th_server_wait_log (&srv, 20000, "migrations current",
                                        NULL));
  CHECK_INT_EQ (readyz (srv.port, code, sizeof (code)), 200);
  {
    char *log = sr_th_server_log (&srv);

    CHECK_CONTAINS (log, "\"database\":\"SUPABASE_DB_*\"");
    CHECK (NULL == strstr (log, "pw-that-must-not-appear"));
    free (log);
  }
  CHECK (sr_th_server_stop (&srv, SIGTERM, 10000, &exit_code, NULL));
  CHECK_INT_EQ (exit_code, 0);
  (void) fixture;
}

SR_TEST (test_port_in_use)
{
  struct sr_th_env env = { 0 };
  struct sr_th_env env2 = { 0 };
  struct sr_th_server srv;
  const char *const argv[] = { "serve", NULL };
  char conninfo[512];
  char listen[64];
  char *out, *err;
  int code;

  if (!sr_th_create_db ("sr_lifecycle_port", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  REQUIRE (sr_th_server_start (&srv, &env));
  snprintf (listen, sizeof (listen), "127.0.0.1:%d", srv.port);
  sr_th_env_add (&env2, "DATABASE_URL", conninfo);
  sr_th_env_add (&env2, "SIGNALROOM_LISTEN", listen);
  CHECK_INT_EQ (sr_th_run (&env2, argv, &out, &err), 1);
  CHECK_CONTAINS (err, "cannot listen");
  free (out);
  free (err);
  CHECK (sr_th_server_stop (&srv, SIGTERM, 10000, &code, NULL));
  CHECK_INT_EQ (code, 0);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_config_errors),
              SR_TEST_ENTRY (test_cli_help_and_usage),
              SR_TEST_ENTRY (test_migrate_command),
              SR_TEST_ENTRY (test_migrate_concurrently),
              SR_TEST_ENTRY (test_sigterm_finishes_in_flight),
              SR_TEST_ENTRY (test_sigterm_grace_runs_out),
              SR_TEST_ENTRY (test_no_jwt_key_closes_protected_routes),
              SR_TEST_ENTRY (test_database_outage),
              SR_TEST_ENTRY (test_supabase_variables),
              SR_TEST_ENTRY (test_port_in_use))
