/*
 * bench_http.c -- request throughput and latency of the real server.
 *
 * Starts `signalroom serve` on the database given in SR_BENCH_CONNINFO,
 * then drives it from T client threads, each with one keep-alive
 * connection sending back-to-back requests for D seconds.  Reports
 * requests/s and latency percentiles per endpoint.  /healthz (no database)
 * is the baseline for /readyz (two queries on the thread's connection) and
 * for an authenticated route (JWT verification).
 */
#include "harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SECRET "bench-secret-0123456789abcdef0123456789"
#define MAX_SAMPLES 2000000

struct client {
  int port;
  const char *request;
  double seconds;
  double *lat;          /* per-request latency, seconds */
  size_t n;
  size_t errors;
};

static int
connect_to (int port)
{
  struct sockaddr_in sa = { 0 };
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  int one = 1;

  sa.sin_family = AF_INET;
  sa.sin_port = htons ((uint16_t) port);
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (fd < 0 || 0 != connect (fd, (struct sockaddr *) &sa, sizeof (sa)))
    return -1;
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof (one));
  return fd;
}

/* Read one response; @return its status or -1. */
static int
read_response (int fd, char *buf, size_t cap)
{
  size_t got = 0;
  char *end = NULL;
  long body;
  const char *cl;

  while (NULL == end) {
    ssize_t n = recv (fd, buf + got, cap - 1 - got, 0);

    if (n <= 0)
      return -1;
    got += (size_t) n;
    buf[got] = '\0';
    end = strstr (buf, "\r\n\r\n");
  }
  cl = strcasestr (buf, "Content-Length:");
  body = cl ? atol (cl + 15) : 0;
  while ((long) got - (end + 4 - buf) < body) {
    ssize_t n = recv (fd, buf + got, cap - 1 - got, 0);

    if (n <= 0)
      return -1;
    got += (size_t) n;
  }
  return atoi (buf + 9);
}

static void *
run_client (void *cls)
{
  struct client *c = cls;
  char buf[65536];
  int fd = connect_to (c->port);
  double end = sr_th_now () + c->seconds;
  size_t len = strlen (c->request);

  while (fd >= 0 && c->n < MAX_SAMPLES) {
    double t0 = sr_th_now ();

    if (t0 >= end)
      break;
    if ((ssize_t) len != send (fd, c->request, len, MSG_NOSIGNAL)
        || 200 != read_response (fd, buf, sizeof (buf))) {
      c->errors++;
      close (fd);
      fd = connect_to (c->port);
      continue;
    }
    c->lat[c->n++] = sr_th_now () - t0;
  }
  if (fd >= 0)
    close (fd);
  return NULL;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
bench (int port, const char *name, const char *request, int threads,
       double seconds)
{
  struct client cs[16];
  pthread_t th[16];
  double *all;
  size_t total = 0, errors = 0;

  for (int i = 0; i < threads; i++) {
    cs[i] = (struct client) { .port = port, .request = request,
                              .seconds = seconds };
    cs[i].lat = malloc (sizeof (double) * MAX_SAMPLES);
    pthread_create (&th[i], NULL, run_client, &cs[i]);
  }
  for (int i = 0; i < threads; i++) {
    pthread_join (th[i], NULL);
    total += cs[i].n;
    errors += cs[i].errors;
  }
  all = malloc (sizeof (double) * (total ? total : 1));
  for (int i = 0, k = 0; i < threads; i++) {
    memcpy (all + k, cs[i].lat, cs[i].n * sizeof (double));
    k += (int) cs[i].n;
    free (cs[i].lat);
  }
  qsort (all, total, sizeof (double), cmp_double);
  printf ("| %-23s | %7d | %10.0f | %8.1f | %8.1f | %8.1f | %6zu |\n", name,
          threads, (double) total / seconds,
          total ? all[total / 2] * 1e6 : 0.0,
          total ? all[(size_t) ((double) total * 0.99)] * 1e6 : 0.0,
          total ? all[total - 1] * 1e6 : 0.0, errors);
  free (all);
}

int
main (void)
{
  const char *conninfo = getenv ("SR_BENCH_CONNINFO");
  const char *secs_env = getenv ("SR_BENCH_SECONDS");
  double secs = secs_env ? atof (secs_env) : 3.0;
  struct sr_th_env env = { 0 };
  struct sr_th_server srv;
  char *token;
  char req_auth[2048];
  int code;

  if (NULL == conninfo) {
    fprintf (stderr, "SR_BENCH_CONNINFO unset (run through tests/bench/run.sh)\n");
    return 1;
  }
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  sr_th_env_add (&env, "SIGNALROOM_JWT_SECRET", SECRET);
  if (!sr_th_server_start (&srv, &env)
      || NULL == sr_th_server_wait_log (&srv, 20000, "migrations current",
                                        NULL))
    return 1;
  /* Access lines at info would make this a benchmark of the log pipe. */
  {
    struct sr_th_response r;
    char hdr[2048];

    token = sr_th_jwt (SECRET, "service_role", "authenticated", 3600);
    snprintf (hdr, sizeof (hdr), "Authorization: Bearer %s\r\n"
              "Content-Type: application/json\r\n", token);
    free (token);
    if (!sr_th_http (srv.port, "PUT", "/v1/log-level", hdr,
                     "{\"level\":\"warn\"}", 16, &r) || 200 != r.status) {
      fprintf (stderr, "could not lower the log level\n");
      return 1;
    }
    sr_th_response_clean (&r);
  }
  token = sr_th_jwt (SECRET, "authenticated", "authenticated", 3600);
  snprintf (req_auth, sizeof (req_auth),
            "GET /v1/me HTTP/1.1\r\nHost: b\r\nAuthorization: Bearer %s\r\n\r\n",
            token);
  printf ("HTTP server, %.0f s per row, keep-alive clients on loopback "
          "(%ld online cores shared by client and server)\n\n", secs,
          sysconf (_SC_NPROCESSORS_ONLN));
  printf ("| endpoint               | clients |    req/s   | p50 us   | p99 us   | max us   | errors |\n");
  printf ("|------------------------|---------|------------|----------|----------|----------|--------|\n");
  bench (srv.port, "GET /healthz (baseline)",
         "GET /healthz HTTP/1.1\r\nHost: b\r\n\r\n", 1, secs);
  bench (srv.port, "GET /healthz (baseline)",
         "GET /healthz HTTP/1.1\r\nHost: b\r\n\r\n", 4, secs);
  bench (srv.port, "GET /readyz (2 queries)",
         "GET /readyz HTTP/1.1\r\nHost: b\r\n\r\n", 1, secs);
  bench (srv.port, "GET /readyz (2 queries)",
         "GET /readyz HTTP/1.1\r\nHost: b\r\n\r\n", 4, secs);
  bench (srv.port, "GET /v1/me (JWT HS256)", req_auth, 4, secs);
  free (token);
  if (!sr_th_server_stop (&srv, SIGTERM, 20000, &code, NULL) || 0 != code) {
    fprintf (stderr, "server did not stop cleanly (exit %d)\n", code);
    return 1;
  }
  return 0;
}
