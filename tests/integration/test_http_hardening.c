/*
 * test_http_hardening.c -- `signalroom serve` against what an attacker
 * sends: slowloris and idle connection floods, thousands of query
 * parameters, ambiguous request framing, duplicated parameters and
 * headers, oversized chunked bodies, log floods, and the start-up errors
 * a misconfiguration meets.
 *
 * One server for most of the file (started by the first test, stopped by
 * the last), with short deadlines so that "cut off" happens within
 * seconds: SIGNALROOM_HTTP_HEADER_TIMEOUT=2, SIGNALROOM_HTTP_BODY_TIMEOUT=3.
 * Timing checks are generous (several seconds of slack) because the
 * machine is shared; the figures that matter are measured by
 * tests/bench/bench_attack.sh, not asserted here.
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
#define HEADER_TIMEOUT_S 2
#define BODY_TIMEOUT_S 3
/* Seconds beyond a deadline within which a cut must have happened. */
#define SLACK_S 3.0

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
  sr_th_env_add (env, "SIGNALROOM_HTTP_HEADER_TIMEOUT", "2");
  sr_th_env_add (env, "SIGNALROOM_HTTP_BODY_TIMEOUT", "3");
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
/* Defect 2: connection exhaustion                                     */

#define N_SLOW 300
#define N_IDLE 100

/* A crowd of hostile sockets, kept up by one thread: slowloris sockets
 * trickle a header byte every 250 ms and never finish the head; idle ones
 * send one keep-alive request and then say nothing.  A socket the server
 * closes is opened again at the next tick, as a real attacker would. */
struct crowd {
  int port;
  atomic_bool stop;
  pthread_t thread;
  int fd[N_SLOW + N_IDLE];
  double since[N_SLOW + N_IDLE];   /* connect (slow) or response (idle) */
  bool served[N_SLOW + N_IDLE];    /* idle: its response came */
  double max_slow_life;            /* longest a slowloris socket lived */
  double max_idle_life;            /* longest an idle socket lived */
  size_t slow_cut, idle_cut;
  size_t unserved;                 /* idle sockets that got no response */
};

static void
crowd_open (struct crowd *c, size_t i)
{
  static const char slow_head[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n"
                                  "X-Slow: ";
  static const char idle_req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  int fd = sr_rh_connect (c->port);

  c->fd[i] = -1;
  c->served[i] = false;
  if (fd < 0)
    return;
  /* No waiting here: an idle socket's response is read by the poll loop
   * (a server at its limit may leave it in the listen backlog). */
  if (!sr_rh_send (fd, i < N_SLOW ? slow_head : idle_req,
                   i < N_SLOW ? sizeof (slow_head) - 1
                   : sizeof (idle_req) - 1)) {
    close (fd);
    return;
  }
  c->fd[i] = fd;
  c->since[i] = sr_th_now ();
}

static void
crowd_closed (struct crowd *c, size_t i)
{
  double life = sr_th_now () - c->since[i];

  close (c->fd[i]);
  c->fd[i] = -1;
  if (i >= N_SLOW && !c->served[i]) {
    c->unserved++;
    return;
  }
  if (i < N_SLOW) {
    c->slow_cut++;
    if (life > c->max_slow_life)
      c->max_slow_life = life;
  } else {
    c->idle_cut++;
    if (life > c->max_idle_life)
      c->max_idle_life = life;
  }
}

static void *
crowd_run (void *cls)
{
  struct crowd *c = cls;
  static struct pollfd pfd[N_SLOW + N_IDLE];

  for (size_t i = 0; i < N_SLOW + N_IDLE; i++)
    crowd_open (c, i);
  while (!atomic_load (&c->stop)) {
    double tick_end = sr_th_now () + 0.25;

    for (size_t i = 0; i < N_SLOW + N_IDLE; i++) {
      pfd[i].fd = c->fd[i];
      pfd[i].events = POLLIN;
      pfd[i].revents = 0;
    }
    /* Closures during the tick (a slowloris socket never gets data). */
    while (sr_th_now () < tick_end) {
      int n = poll (pfd, N_SLOW + N_IDLE,
                    (int) ((tick_end - sr_th_now ()) * 1000) + 1);

      if (n <= 0)
        continue;
      for (size_t i = 0; i < N_SLOW + N_IDLE; i++) {
        char buf[4096];
        ssize_t got;

        if (0 == pfd[i].revents || c->fd[i] < 0)
          continue;
        /* Data: an idle socket's response (its life starts there); end
         * of stream: the server cut the socket. */
        got = recv (c->fd[i], buf, sizeof (buf), MSG_DONTWAIT);
        if (got > 0 && i >= N_SLOW) {
          if (!c->served[i])
            c->since[i] = sr_th_now ();
          c->served[i] = true;
        } else if (got <= 0) {
          crowd_closed (c, i);
          pfd[i].fd = -1;
        }
      }
    }
    for (size_t i = 0; i < N_SLOW + N_IDLE; i++) {
      if (c->fd[i] < 0)
        crowd_open (c, i);
      else if (i < N_SLOW && !sr_rh_send (c->fd[i], "a", 1))
        crowd_closed (c, i);
    }
  }
  /* Sockets still open count with their age so far. */
  for (size_t i = 0; i < N_SLOW + N_IDLE; i++) {
    if (c->fd[i] < 0)
      continue;
    if (i >= N_SLOW && !c->served[i]) {
      c->unserved++;
      close (c->fd[i]);
      continue;
    }
    {
      double life = sr_th_now () - c->since[i];

      if (i < N_SLOW && life > c->max_slow_life)
        c->max_slow_life = life;
      if (i >= N_SLOW && life > c->max_idle_life)
        c->max_idle_life = life;
    }
    close (c->fd[i]);
  }
  return NULL;
}

SR_TEST (test_connection_flood)
{
  static struct crowd c;
  size_t probes = 0, failed = 0;
  double worst = 0, t_end;

  REQUIRE (up);
  memset (&c, 0, sizeof (c));
  c.port = srv.port;
  atomic_init (&c.stop, false);
  REQUIRE (0 == pthread_create (&c.thread, NULL, crowd_run, &c));
  /* Probe liveness for three header deadlines while the crowd holds
   * (and re-opens) its sockets. */
  t_end = sr_th_now () + 3 * HEADER_TIMEOUT_S + 1;
  while (sr_th_now () < t_end) {
    struct sr_th_response r;
    double secs = 0;
    int st = sr_rh_get (srv.port, "/healthz", NULL, 2000, &r, &secs);

    probes++;
    if (200 != st)
      failed++;
    if (secs > worst)
      worst = secs;
    sr_th_response_clean (&r);
    (void) poll (NULL, 0, 100);   /* probe interval, not a wait */
  }
  atomic_store (&c.stop, true);
  pthread_join (c.thread, NULL);
  fprintf (stderr, "flood: %zu probes, %zu failed, worst %.3f s; slowloris "
           "cut %zu (longest life %.1f s), idle cut %zu (longest %.1f s), "
           "%zu idle unserved\n", probes, failed, worst, c.slow_cut,
           c.max_slow_life, c.idle_cut, c.max_idle_life, c.unserved);
  CHECK (probes >= 20);
  CHECK_INT_EQ (failed, 0);
  /* Every slowloris socket was cut at the header deadline ... */
  CHECK (c.slow_cut >= N_SLOW);
  CHECK (c.max_slow_life <= HEADER_TIMEOUT_S + SLACK_S);
  /* ... and no idle connection outlived it either. */
  CHECK (c.max_idle_life <= HEADER_TIMEOUT_S + SLACK_S);
  CHECK (NULL != sr_th_server_wait_log (&srv, 20000,
                                        "\"msg\":\"http summary\"",
                                        "\"cut_at_header_deadline\":", NULL));
}

/* A body trickled slower than its deadline allows is cut off too. */
SR_TEST (test_slow_body_cut)
{
  char *tok = sr_th_jwt (SECRET, "service_role", "authenticated", 600);
  char head[2048];
  double t0;
  int fd, n;
  bool closed = false;

  REQUIRE (up);
  n = snprintf (head, sizeof (head),
                "PUT /v1/log-level HTTP/1.1\r\nHost: x\r\n"
                "Authorization: Bearer %s\r\n"
                "Content-Type: application/json\r\nContent-Length: 200\r\n"
                "\r\n{", tok);
  fd = sr_rh_connect (srv.port);
  REQUIRE (fd >= 0);
  REQUIRE (sr_rh_send (fd, head, (size_t) n));
  t0 = sr_th_now ();
  while (sr_th_now () - t0 < BODY_TIMEOUT_S + SLACK_S + 2) {
    struct pollfd p = { .fd = fd, .events = POLLIN };

    /* One body byte every 250 ms keeps an idle timer happy forever. */
    if (poll (&p, 1, 250) > 0 || !sr_rh_send (fd, " ", 1)) {
      closed = sr_rh_read_to_close (fd, 1000, NULL, NULL);
      break;
    }
  }
  CHECK (closed);
  CHECK (sr_th_now () - t0 <= BODY_TIMEOUT_S + SLACK_S);
  close (fd);
  free (tok);
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
  /* The tester's request: 963 parameters, a 3.9 KB target.  It used to
   * get no answer at all (libmicrohttpd ran out of its pool splitting
   * the query); now the query is cut unread and the answer is at once. */
  n = (size_t) snprintf (target, 16384, "/healthz?");
  for (int i = 0; i < 963; i++)
    n += (size_t) snprintf (target + n, 16384 - n, "%sp%d=v", i ? "&" : "",
                            i);
  CHECK_INT_EQ (sr_rh_get (srv.port, target, NULL, 5000, &r, &secs), 414);
  check_problem (&r, 414, "uri_too_long");
  CHECK_CONTAINS (r.body, "the query has 963 parameters; at most 64");
  CHECK (secs < 2.0);
  sr_th_response_clean (&r);

  /* As many as are read: each one is still checked. */
  n = (size_t) snprintf (target, 16384, "/healthz?");
  for (int i = 0; i < 64; i++)
    n += (size_t) snprintf (target + n, 16384 - n, "%sp%d=v", i ? "&" : "",
                            i);
  CHECK_INT_EQ (sr_rh_get (srv.port, target, NULL, 5000, &r, &secs), 400);
  check_problem (&r, 400, "unknown_parameter");
  body = json_loads (r.body, 0, NULL);
  CHECK_STR_EQ (jstr (body, "parameter"), "p0");
  json_decref (body);
  sr_th_response_clean (&r);

  /* Targets of nothing but parameters, within the 8 KiB limit and far
   * beyond it (about 17 KiB of "a&a&..." used to hang): all answered. */
  {
    static const size_t lens[] = { 8190, 17000, 40000, 200000 };

    for (size_t k = 0; k < sizeof (lens) / sizeof (lens[0]); k++) {
      char *t = malloc (lens[k] + 16);
      size_t m;

      REQUIRE (NULL != t);
      m = (size_t) snprintf (t, lens[k] + 16, "/healthz?");
      while (m + 2 < lens[k])
        m += (size_t) snprintf (t + m, lens[k] + 16 - m, "a&");
      t[m - 1] = '\0';
      CHECK_INT_EQ (sr_rh_get (srv.port, t, NULL, 5000, &r, &secs), 414);
      CHECK (secs < 2.0);
      sr_th_response_clean (&r);
      free (t);
    }
  }

  /* The largest head our limits allow (an 8 KiB target with the most
   * parameters read, 16 KiB of headers) is ours to answer; thousands of
   * empty header lines are libmicrohttpd's (431, its own page). */
  n = (size_t) snprintf (target, 16384, "/healthz?");
  for (int i = 0; i < 63; i++)
    n += (size_t) snprintf (target + n, 16384 - n, "a&");
  while (n + 1 < 8192)
    n += (size_t) snprintf (target + n, 16384 - n, "b");
  {
    static const struct {
      const char *line;
      int lines;
      int status;
      const char *code;
    } cases[] = {
      { "X-Pad: 0123456789012345678901234567890123456789012345678901234567"
        "89012345678901234567890123456789012345678901234567890\r\n", 120,
        400, "unknown_parameter" },
      { "a:\r\n", 200, 400, "unknown_parameter" },
      { "a:\n", 200, 400, "unknown_parameter" },
      { "a:\r\n", 3400, 431, NULL },
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
      if (NULL != cases[k].code)
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
/* Defect 13: a chunked body far over the cap gets 413, not a reset     */

SR_TEST (test_chunked_body_over_cap)
{
  char *tok = sr_th_jwt (SECRET, "service_role", "authenticated", 600);
  static char chunk[65536 + 16];
  struct sr_th_response r;
  char head[2048];
  int fd, n;
  bool sent = true;

  REQUIRE (up);
  n = snprintf (head, sizeof (head),
                "PUT /v1/mappings/affiliates HTTP/1.1\r\nHost: x\r\n"
                "Connection: close\r\nAuthorization: Bearer %s\r\n"
                "Content-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n",
                tok);
  fd = sr_rh_connect (srv.port);
  REQUIRE (fd >= 0);
  REQUIRE (sr_rh_send (fd, head, (size_t) n));
  memcpy (chunk, "10000\r\n", 7);
  memset (chunk + 7, 'x', 65536);
  memcpy (chunk + 7 + 65536, "\r\n", 2);
  /* 3 MiB: three times the route's cap. */
  for (int i = 0; i < 48 && sent; i++)
    sent = sr_rh_send (fd, chunk, 7 + 65536 + 2);
  CHECK (sent);
  CHECK (sr_rh_send (fd, "0\r\n\r\n", 5));
  CHECK_INT_EQ (sr_rh_read_one (fd, 10000, &r), 413);
  check_problem (&r, 413, "payload_too_large");
  sr_th_response_clean (&r);
  close (fd);
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

/* ------------------------------------------------------------------ */
/* Defect 7: a refusal flood does not flood the log                    */

#define FLOOD 3000

/* Sum of the dropped counts the summaries report so far. */
static long
summary_total (struct sr_th_server *s)
{
  char *log = sr_th_server_log (s);
  long last = 0;

  for (char *line = strtok (log, "\n"); NULL != line;
       line = strtok (NULL, "\n")) {
    json_t *j;

    if (NULL == strstr (line, "\"msg\":\"http summary\""))
      continue;
    j = json_loads (line, 0, NULL);
    if (NULL != j)
      last = (long) json_integer_value (json_object_get (
                                          j, "refused_not_logged_total"));
    json_decref (j);
  }
  free (log);
  return last;
}

SR_TEST (test_refusal_flood_log_limited)
{
  struct sr_th_server s;
  struct sr_th_env env = { 0 };
  const char req[] = "GET /v1/me HTTP/1.1\r\nHost: x\r\n\r\n";
  char *batch = malloc (100 * sizeof (req));
  size_t answered = 0, logged = 0;
  double t0, flood_s, deadline;
  long dropped = -1;
  int code = -1;

  REQUIRE (NULL != batch);
  if (!sr_th_create_db ("sr_http_flood", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  server_env (&env);
  sr_th_env_add (&env, "SIGNALROOM_AUTO_MIGRATE", "false");
  REQUIRE (sr_th_server_start (&s, &env));
  for (size_t i = 0; i < 100; i++)
    memcpy (batch + i * (sizeof (req) - 1), req, sizeof (req) - 1);
  t0 = sr_th_now ();
  /* 30 pipelined batches of 100 unauthenticated requests. */
  for (int k = 0; k < FLOOD / 100; k++) {
    int fd = sr_rh_connect (s.port);

    if (fd < 0)
      break;
    if (sr_rh_send (fd, batch, 100 * (sizeof (req) - 1)))
      for (int i = 0; i < 100; i++) {
        struct sr_th_response r;

        if (401 == sr_rh_read_one (fd, 5000, &r))
          answered++;
        sr_th_response_clean (&r);
      }
    close (fd);
  }
  flood_s = sr_th_now () - t0;
  CHECK_INT_EQ (answered, FLOOD);
  /* Every refusal is either a log line or counted in a summary; wait
   * until the summaries account for all of them. */
  deadline = sr_th_now () + 30;
  while (sr_th_now () < deadline) {
    logged = sr_th_server_count_log (&s, "\"status\":401");
    dropped = summary_total (&s);
    if ((long) logged + dropped == FLOOD)
      break;
    (void) sr_th_server_wait_log (&s, 2000, "\"msg\":\"http summary\"",
                                  "\"refused_not_logged_total\":", NULL);
    (void) poll (NULL, 0, 200);   /* re-check interval, not a wait */
  }
  fprintf (stderr, "flood: %d refusals in %.2f s: %zu logged, %ld counted "
           "in summaries\n", FLOOD, flood_s, logged, dropped);
  CHECK_INT_EQ ((long) logged + dropped, FLOOD);
  /* A burst, then a trickle: far fewer lines than requests. */
  CHECK (logged <= 100 + (size_t) (20 * (flood_s + 1)));
  CHECK (sr_th_server_stop (&s, SIGTERM, 15000, &code, NULL));
  CHECK_INT_EQ (code, 0);
  free (batch);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_start),
              SR_TEST_ENTRY (test_connection_flood),
              SR_TEST_ENTRY (test_slow_body_cut),
              SR_TEST_ENTRY (test_many_query_parameters),
              SR_TEST_ENTRY (test_ambiguous_framing),
              SR_TEST_ENTRY (test_lax_parsing_refused),
              SR_TEST_ENTRY (test_chunked_body_over_cap),
              SR_TEST_ENTRY (test_bind_failure_names_address),
              SR_TEST_ENTRY (test_jwt_key_path_errors),
              SR_TEST_ENTRY (test_stop),
              SR_TEST_ENTRY (test_refusal_flood_log_limited))
