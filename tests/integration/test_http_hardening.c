/*
 * test_http_hardening.c -- `signalroom serve` against what an attacker
 * sends: thousands of query parameters, ambiguous request framing,
 * duplicated parameters and headers, and the start-up errors a
 * misconfiguration meets.
 *
 * One server for most of the file (started by the first test, stopped by
 * the last).  Timing checks are generous because the machine is shared.
 */
#include "check.h"
#include "harness.h"
#include "rawhttp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECRET "hardening-secret-0123456789abcdef0123"

static struct sr_th_server srv;
static char conninfo[1024];
static bool up;

static const char *
jstr (json_t *o, const char *key)
{
  return json_string_value (json_object_get (o, key));
}

/* Assert a problem+json envelope with @a status and @a code. */
static void
check_problem (const struct sr_th_response *r, int status, const char *code)
{
  json_t *body = json_loads (r->body ? r->body : "", 0, NULL);

  CHECK_INT_EQ (r->status, status);
  CHECK_STR_EQ (sr_th_header (r, "Content-Type"), "application/problem+json");
  CHECK (NULL != body);
  CHECK_STR_EQ (jstr (body, "code"), code);
  CHECK_STR_EQ (jstr (body, "request_id"), sr_th_header (r, "X-Request-Id"));
  json_decref (body);
}

static const char *
state_path (const char *name)
{
  static char path[1024];
  const char *base = getenv ("SR_TEST_STATE");

  snprintf (path, sizeof (path), "%s/%s", base ? base : "teststate", name);
  return path;
}

static void
server_env (struct sr_th_env *env)
{
  sr_th_env_add (env, "DATABASE_URL", conninfo);
  sr_th_env_add (env, "SIGNALROOM_JWT_SECRET", SECRET);
  sr_th_env_add (env, "SIGNALROOM_WORKERS", "0");
}

SR_TEST (test_start)
{
  struct sr_th_env env = { 0 };

  if (!sr_th_create_db ("sr_http_hardening", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  (void) sr_rh_raise_nofile ();
  server_env (&env);
  sr_th_env_add (&env, "LOG_LEVEL", "debug");
  REQUIRE (sr_th_server_start (&srv, &env));
  up = true;
  REQUIRE (NULL != sr_th_server_wait_log (&srv, 20000,
                                          "\"msg\":\"migrations current\"",
                                          NULL));
}

/* ------------------------------------------------------------------ */
/* Defect 4: thousands of query parameters                             */

SR_TEST (test_many_query_parameters)
{
  struct sr_th_response r;
  char *target = malloc (16384);
  char *raw = malloc (65536);
  size_t n = 0;
  double secs = 0;
  json_t *body;

  REQUIRE (up && NULL != target && NULL != raw);
  /* The tester's request: 963 parameters, a 3.9 KB target. */
  n = (size_t) snprintf (target, 16384, "/healthz?");
  for (int i = 0; i < 963; i++)
    n += (size_t) snprintf (target + n, 16384 - n, "%sp%d=v", i ? "&" : "",
                            i);
  CHECK_INT_EQ (sr_rh_get (srv.port, target, NULL, 5000, &r, &secs), 400);
  check_problem (&r, 400, "unknown_parameter");
  body = json_loads (r.body, 0, NULL);
  CHECK_STR_EQ (jstr (body, "parameter"), "p0");
  json_decref (body);
  CHECK (secs < 2.0);
  sr_th_response_clean (&r);

  /* The worst our limits allow: an 8 KiB target of nothing but
   * parameters, plus 16 KiB (as we count them: name, value and 4 bytes a
   * line) of the shortest header lines, either line ending. */
  n = (size_t) snprintf (target, 16384, "/healthz?");
  while (n + 2 < 8192)
    n += (size_t) snprintf (target + n, 16384 - n, "a&");
  target[n - 1] = '\0';
  CHECK_INT_EQ (sr_rh_get (srv.port, target, NULL, 5000, &r, &secs), 400);
  check_problem (&r, 400, "unknown_parameter");
  sr_th_response_clean (&r);
  {
    static const struct {
      const char *line;
      int lines;
      int status;
      const char *code;
    } cases[] = {
      { "a:\r\n", 3271, 400, "unknown_parameter" },
      { "a:\n", 3271, 400, "unknown_parameter" },
      { "a:\r\n", 3400, 431, "headers_too_large" },  /* just over */
    };

    for (size_t k = 0; k < sizeof (cases) / sizeof (cases[0]); k++) {
      size_t len = (size_t) snprintf (raw, 65536, "GET %s HTTP/1.1\r\n"
                                      "Host: x\r\nConnection: close\r\n",
                                      target);

      for (int i = 0; i < cases[k].lines; i++)
        len += (size_t) snprintf (raw + len, 65536 - len, "%s",
                                  cases[k].line);
      len += (size_t) snprintf (raw + len, 65536 - len, "\r\n");
      CHECK_INT_EQ (sr_rh_request (srv.port, raw, len, 5000, &r, &secs),
                    cases[k].status);
      check_problem (&r, cases[k].status, cases[k].code);
      CHECK (secs < 2.0);
      sr_th_response_clean (&r);
    }
  }
  free (target);
  free (raw);
}

/* ------------------------------------------------------------------ */
/* Defect 5: ambiguous framing                                         */

/* Send @a raw on a fresh connection; expect one 400 invalid_header with
 * Connection: close, then the connection closed, nothing else answered. */
static void
expect_refused_and_closed (const char *raw)
{
  struct sr_th_response r;
  int fd = sr_rh_connect (srv.port);
  char *rest = NULL;

  REQUIRE (fd >= 0);
  (void) sr_rh_send (fd, raw, strlen (raw));
  CHECK_INT_EQ (sr_rh_read_one (fd, 5000, &r), 400);
  check_problem (&r, 400, "invalid_header");
  CHECK_STR_EQ (sr_th_header (&r, "Connection"), "close");
  CHECK (sr_rh_read_to_close (fd, 5000, &rest, NULL));
  /* The smuggled request got no answer. */
  CHECK (NULL != rest && NULL == strstr (rest, "HTTP/1."));
  free (rest);
  sr_th_response_clean (&r);
  close (fd);
}

SR_TEST (test_ambiguous_framing)
{
  char *tok = sr_th_jwt (SECRET, "service_role", "authenticated", 600);
  char raw[4096];

  REQUIRE (up);
  /* Content-Length and chunked: a proxy using the length would forward
   * the rest as a second request. */
  snprintf (raw, sizeof (raw),
            "PUT /v1/log-level HTTP/1.1\r\nHost: x\r\n"
            "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
            "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
            "10\r\n{\"level\":\"info\"}\r\n0\r\n\r\n"
            "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", tok);
  expect_refused_and_closed (raw);
  /* Two different lengths. */
  snprintf (raw, sizeof (raw),
            "PUT /v1/log-level HTTP/1.1\r\nHost: x\r\n"
            "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
            "Content-Length: 16\r\nContent-Length: 52\r\n\r\n"
            "{\"level\":\"info\"}GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
            tok);
  expect_refused_and_closed (raw);
  /* A transfer coding we do not speak. */
  snprintf (raw, sizeof (raw),
            "PUT /v1/log-level HTTP/1.1\r\nHost: x\r\n"
            "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: xchunked\r\n\r\n"
            "10\r\n{\"level\":\"info\"}\r\n0\r\n\r\n", tok);
  expect_refused_and_closed (raw);
  free (tok);
}

/* ------------------------------------------------------------------ */
/* Defect 12: lax parsing                                              */

static void
expect_bad (const char *target, const char *headers, const char *code,
            const char *parameter)
{
  struct sr_th_response r;
  json_t *body;

  CHECK_INT_EQ (sr_rh_get (srv.port, target, headers, 5000, &r, NULL), 400);
  check_problem (&r, 400, code);
  body = json_loads (r.body ? r.body : "", 0, NULL);
  if (NULL != parameter)
    CHECK_STR_EQ (jstr (body, "parameter"), parameter);
  json_decref (body);
  sr_th_response_clean (&r);
}

SR_TEST (test_lax_parsing_refused)
{
  char *tok = sr_th_jwt (SECRET, "service_role", "authenticated", 600);
  char auth[2048], two[4096];
  struct sr_th_response r;

  REQUIRE (up);
  snprintf (auth, sizeof (auth), "Authorization: Bearer %s\r\n", tok);
  /* The well-formed request works ... */
  CHECK_INT_EQ (sr_rh_get (srv.port, "/v1/syncs?date=2026-01-01", auth,
                           5000, &r, NULL), 200);
  sr_th_response_clean (&r);
  /* ... an encoded NUL no longer cuts a value (or a name) short ... */
  expect_bad ("/v1/syncs?date=2026-01-01%00x", auth, "invalid_parameter",
              "date");
  expect_bad ("/v1/syncs?da%00te=2026-01-01", auth, "invalid_parameter",
              NULL);
  /* ... a name without a value is not "absent" ... */
  expect_bad ("/v1/syncs?source", auth, "invalid_parameter", "source");
  expect_bad ("/v1/syncs?limit=", auth, "invalid_parameter", "limit");
  /* ... and a parameter given twice is not "the first one". */
  expect_bad ("/v1/syncs?source=everflow&source=redtrack", auth,
              "invalid_parameter", "source");
  expect_bad ("/v1/syncs?limit=5&limit=5", auth, "invalid_parameter",
              "limit");
  /* Two Authorization headers, either order. */
  snprintf (two, sizeof (two), "%sAuthorization: Bearer x.y.z\r\n", auth);
  expect_bad ("/v1/syncs", two, "invalid_header", NULL);
  snprintf (two, sizeof (two), "Authorization: Bearer x.y.z\r\n%s", auth);
  expect_bad ("/v1/syncs", two, "invalid_header", NULL);
  /* Two Content-Types on a body. */
  {
    char raw[4096];
    int n = snprintf (raw, sizeof (raw),
                      "PUT /v1/log-level HTTP/1.1\r\nHost: x\r\n"
                      "Connection: close\r\n%s"
                      "Content-Type: application/json\r\n"
                      "Content-Type: text/plain\r\nContent-Length: 16\r\n\r\n"
                      "{\"level\":\"info\"}", auth);

    CHECK_INT_EQ (sr_rh_request (srv.port, raw, (size_t) n, 5000, &r, NULL),
                  400);
    check_problem (&r, 400, "invalid_header");
    sr_th_response_clean (&r);
  }
  free (tok);
}

/* ------------------------------------------------------------------ */
/* Defect 11: start-up messages that say what is wrong                 */

SR_TEST (test_bind_failure_names_address)
{
  const char *const argv[] = { "serve", NULL };
  struct sockaddr_in sa = { 0 };
  socklen_t slen = sizeof (sa);
  struct sr_th_env env = { 0 };
  char listen_at[64];
  char *out = NULL, *err = NULL;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  REQUIRE (up && fd >= 0);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  REQUIRE (0 == bind (fd, (struct sockaddr *) &sa, sizeof (sa)));
  REQUIRE (0 == listen (fd, 1));
  REQUIRE (0 == getsockname (fd, (struct sockaddr *) &sa, &slen));
  snprintf (listen_at, sizeof (listen_at), "127.0.0.1:%u",
            (unsigned int) ntohs (sa.sin_port));
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  sr_th_env_add (&env, "SIGNALROOM_LISTEN", listen_at);
  CHECK_INT_EQ (sr_th_run (&env, argv, &out, &err), 1);
  CHECK_CONTAINS (err, listen_at);
  CHECK_CONTAINS (err, "Address already in use");
  CHECK (NULL == strstr (err, "port 0"));
  free (out);
  free (err);
  close (fd);
}

SR_TEST (test_jwt_key_path_errors)
{
  const char *const argv[] = { "serve", NULL };
  char dir[1024], empty[1100];
  FILE *f;

  REQUIRE (up);
  snprintf (dir, sizeof (dir), "%s", state_path ("hardening-keys"));
  (void) mkdir (state_path (""), 0755);
  (void) mkdir (dir, 0755);
  snprintf (empty, sizeof (empty), "%s/empty.pem", dir);
  f = fopen (empty, "w");
  REQUIRE (NULL != f);
  fclose (f);
  {
    static const struct {
      const char *what;
      const char *says;
    } cases[] = { { "dir", "is a directory" }, { "empty", "is empty" } };

    for (size_t i = 0; i < 2; i++) {
      struct sr_th_env env = { 0 };
      char *out = NULL, *err = NULL;
      const char *path = 0 == i ? dir : empty;

      sr_th_env_add (&env, "DATABASE_URL", conninfo);
      sr_th_env_add (&env, "SIGNALROOM_JWT_PUBLIC_KEY", path);
      CHECK_INT_EQ (sr_th_run (&env, argv, &out, &err), 1);
      CHECK_CONTAINS (err, cases[i].says);
      CHECK_CONTAINS (err, path);
      CHECK (NULL == strstr (err, "set SIGNALROOM_JWT_SECRET or"));
      free (out);
      free (err);
    }
  }
}

SR_TEST (test_stop)
{
  int code = -1;

  REQUIRE (up);
  CHECK (sr_th_server_stop (&srv, SIGTERM, 15000, &code, NULL));
  CHECK_INT_EQ (code, 0);
  up = false;
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_start),
              SR_TEST_ENTRY (test_many_query_parameters),
              SR_TEST_ENTRY (test_ambiguous_framing),
              SR_TEST_ENTRY (test_lax_parsing_refused),
              SR_TEST_ENTRY (test_bind_failure_names_address),
              SR_TEST_ENTRY (test_jwt_key_path_errors),
              SR_TEST_ENTRY (test_stop))
