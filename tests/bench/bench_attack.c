/*
 * bench_attack.c -- liveness of `signalroom serve` under the two attacks
 * of issue 8, measured for the binary in SR_BINARY on the database in
 * SR_BENCH_CONNINFO (a fresh one: it is migrated here).
 *
 * (a) connection exhaustion: N_SLOW slowloris sockets (a request head
 *     that never ends, one more header byte every 5 s) and N_IDLE idle
 *     keep-alive sockets (one request, then silence) are held for
 *     ATTACK_S seconds; the attacker re-opens a socket the server cut
 *     about 5 s later (argument 3; spread over 0.5 to 1.5 times that,
 *     per socket, unless argument 4 is "sync": then every socket cut in
 *     the same instant comes back in the same instant, a burst of ~1000
 *     new connections).  Meanwhile /healthz is probed
 *     every PROBE_MS on a new connection (2 s timeout).  Reported: probe
 *     latencies (p50, p99, max) and failures, and how long the attack's
 *     sockets lived before the server cut them (or that they were never
 *     cut).
 * (b) database stall: a session holds ACCESS EXCLUSIVE on the table
 *     GET /v1/syncs reads for STALL_S seconds while 8 such requests (sent
 *     200 ms apart) wait on it and /healthz is probed as in (a).  Reported: probe
 *     figures, and each /v1/syncs status and latency.
 *
 * The server runs with its defaults (plus a JWT secret and no job
 * workers), so the figures are what an unconfigured deployment gets.
 * Output: readable lines, then one JSON line per phase for scripts.
 */
#include "harness.h"
#include "rawhttp.h"

#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SECRET "bench-secret-0123456789abcdef0123456789"
#define N_SLOW 300
#define N_IDLE 1000
#define N_CROWD (N_SLOW + N_IDLE)
#define ATTACK_S 60.0
#define STALL_S 25.0
#define PROBE_MS 250
#define PROBE_TIMEOUT_MS 2000
#define SLOW_BYTE_EVERY_S 5.0
#define N_SYNCS 8

static const char *label = "server";
static double attack_s = ATTACK_S;
static double reopen_s = 5.0;
static bool reopen_sync;

/* When socket @a i, cut at @a now, comes back. */
static double
reopen_at (size_t i, double now)
{
  if (reopen_sync)
    return now + reopen_s;
  /* A fixed spread per socket (no random state to seed). */
  return now + reopen_s * (0.5 + (double) ((i * 7919u) % 1000u) / 1000.0);
}

/* ---- probing ---- */

struct probes {
  int port;
  atomic_bool stop;
  pthread_t thread;
  double lat[4096];
  size_t n, failed;
  size_t over_100ms;
  double t0;                  /* when probing started */
  double worst, worst_at;     /* the slowest probe, and when it began */
};

static void *
probe_run (void *cls)
{
  struct probes *p = cls;

  p->t0 = sr_th_now ();
  while (!atomic_load (&p->stop) && p->n < 4096) {
    struct sr_th_response r;
    double secs = 0;
    double began = sr_th_now () - p->t0;
    int st = sr_rh_get (p->port, "/healthz", NULL, PROBE_TIMEOUT_MS, &r,
                        &secs);

    if (200 != st) {
      p->failed++;
      secs = PROBE_TIMEOUT_MS / 1000.0;   /* a failure counts as the max */
    }
    if (secs > 0.1)
      p->over_100ms++;
    if (secs > p->worst) {
      p->worst = secs;
      p->worst_at = began;
    }
    p->lat[p->n++] = secs;
    sr_th_response_clean (&r);
    (void) poll (NULL, 0, PROBE_MS);       /* probe interval */
  }
  return NULL;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
pct (double *v, size_t n, double q)
{
  size_t i;

  if (0 == n)
    return 0;
  qsort (v, n, sizeof (double), cmp_double);
  i = (size_t) (q * (double) (n - 1) + 0.5);
  return v[i];
}

static json_t *
probe_report (const char *phase, struct probes *p)
{
  double p50 = pct (p->lat, p->n, 0.50);
  double p99 = pct (p->lat, p->n, 0.99);
  double max = p->n ? p->lat[p->n - 1] : 0;

  printf ("  [%s] %s: /healthz probes %zu, failed %zu, over 100 ms %zu; "
          "p50 %.1f ms, p99 %.1f ms, max %.1f ms (at %.1f s)\n", label,
          phase, p->n, p->failed, p->over_100ms, p50 * 1e3, p99 * 1e3,
          max * 1e3, p->worst_at);
  return json_pack ("{s:i, s:i, s:i, s:f, s:f, s:f, s:f}", "probes",
                    (int) p->n, "failed", (int) p->failed, "over_100ms",
                    (int) p->over_100ms, "p50_ms", p50 * 1e3, "p99_ms",
                    p99 * 1e3, "max_ms", max * 1e3, "max_at_s", p->worst_at);
}

/* ---- (a) the crowd ---- */

struct crowd {
  int port;
  atomic_bool stop;
  pthread_t thread;
  int fd[N_CROWD];
  double opened[N_CROWD];     /* when this incarnation connected */
  double next_byte[N_CROWD];  /* slowloris: when to send the next byte */
  double retry_at[N_CROWD];   /* closed: when to open it again */
  bool served[N_CROWD];       /* idle: its one response came */
  double life[2][65536];      /* lifetimes of cut sockets, per kind */
  size_t n_life[2];
  size_t refused[2];          /* could not even be opened (and served) */
  size_t held_end[2];         /* still open when the attack ended */
  double oldest_end[2];       /* age of the oldest of those */
};

static int
kind_of (size_t i)
{
  return i < N_SLOW ? 0 : 1;
}

static void
crowd_open (struct crowd *c, size_t i, double now)
{
  static const char slow_head[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n"
                                  "X-Slow: ";
  static const char idle_req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  int fd = sr_rh_connect (c->port);
  bool ok = fd >= 0;

  /* Nothing here waits for the server: an idle socket's response is
   * read by the poll loop (a server at its limit may leave the connection
   * in the listen backlog for a long time). */
  if (ok && 0 == kind_of (i))
    ok = sr_rh_send (fd, slow_head, sizeof (slow_head) - 1);
  else if (ok)
    ok = sr_rh_send (fd, idle_req, sizeof (idle_req) - 1);
  c->served[i] = false;
  if (!ok) {
    if (fd >= 0)
      close (fd);
    c->fd[i] = -1;
    c->refused[kind_of (i)]++;
    c->retry_at[i] = reopen_at (i, now);
    return;
  }
  c->fd[i] = fd;
  c->opened[i] = now;
  c->next_byte[i] = now + SLOW_BYTE_EVERY_S * (double) (i % 50) / 50.0;
}

static void
crowd_lost (struct crowd *c, size_t i, double now)
{
  int k = kind_of (i);

  /* An idle socket closed before its response was never really held. */
  if (1 == k && !c->served[i]) {
    close (c->fd[i]);
    c->fd[i] = -1;
    c->refused[k]++;
    c->retry_at[i] = reopen_at (i, now);
    return;
  }
  close (c->fd[i]);
  c->fd[i] = -1;
  if (c->n_life[k] < 65536)
    c->life[k][c->n_life[k]++] = now - c->opened[i];
  c->retry_at[i] = reopen_at (i, now);
}

static void *
crowd_run (void *cls)
{
  struct crowd *c = cls;
  static struct pollfd pfd[N_CROWD];

  for (size_t i = 0; i < N_CROWD; i++)
    crowd_open (c, i, sr_th_now ());
  while (!atomic_load (&c->stop)) {
    double now = sr_th_now ();
    int n;

    for (size_t i = 0; i < N_CROWD; i++) {
      pfd[i].fd = c->fd[i];
      pfd[i].events = POLLIN;
      pfd[i].revents = 0;
    }
    n = poll (pfd, N_CROWD, 100);
    now = sr_th_now ();
    for (size_t i = 0; n > 0 && i < N_CROWD; i++) {
      char buf[4096];
      ssize_t got;

      if (0 == pfd[i].revents || c->fd[i] < 0)
        continue;
      /* Data is an idle socket's response (its lifetime counts from
       * there); end of stream is the server cutting the socket. */
      got = recv (c->fd[i], buf, sizeof (buf), MSG_DONTWAIT);
      if (got > 0 && 1 == kind_of (i)) {
        if (!c->served[i])
          c->opened[i] = now;
        c->served[i] = true;
      } else if (got <= 0) {
        crowd_lost (c, i, now);
      }
    }
    for (size_t i = 0; i < N_CROWD; i++) {
      if (c->fd[i] < 0) {
        if (now >= c->retry_at[i])
          crowd_open (c, i, now);
      } else if (0 == kind_of (i) && now >= c->next_byte[i]) {
        if (sr_rh_send (c->fd[i], "a", 1))
          c->next_byte[i] = now + SLOW_BYTE_EVERY_S;
        else
          crowd_lost (c, i, now);
      }
    }
  }
  for (size_t i = 0; i < N_CROWD; i++)
    if (c->fd[i] >= 0 && (0 == kind_of (i) || c->served[i])) {
      int k = kind_of (i);
      double age = sr_th_now () - c->opened[i];

      c->held_end[k]++;
      if (age > c->oldest_end[k])
        c->oldest_end[k] = age;
      close (c->fd[i]);
    } else if (c->fd[i] >= 0) {
      c->refused[1]++;     /* still waiting for its response */
      close (c->fd[i]);
    }
  return NULL;
}

static json_t *
life_report (struct crowd *c, int k, const char *name)
{
  double p50 = pct (c->life[k], c->n_life[k], 0.50);
  double max = c->n_life[k] ? c->life[k][c->n_life[k] - 1] : 0;

  printf ("  [%s] %s sockets: %zu cut by the server (lived p50 %.1f s, max "
          "%.1f s), %zu refused or unserved, %zu still held at the end "
          "(oldest %.1f s)\n", label, name, c->n_life[k], p50, max,
          c->refused[k], c->held_end[k], c->oldest_end[k]);
  return json_pack ("{s:i, s:f, s:f, s:i, s:i, s:f}", "cut",
                    (int) c->n_life[k], "lived_p50_s", p50, "lived_max_s",
                    max, "refused", (int) c->refused[k], "held_at_end",
                    (int) c->held_end[k], "oldest_at_end_s",
                    c->oldest_end[k]);
}

static json_t *
phase_flood (int port)
{
  static struct crowd c;
  struct probes *p = calloc (1, sizeof (*p));
  json_t *out;

  memset (&c, 0, sizeof (c));
  c.port = port;
  p->port = port;
  atomic_init (&c.stop, false);
  atomic_init (&p->stop, false);
  pthread_create (&c.thread, NULL, crowd_run, &c);
  pthread_create (&p->thread, NULL, probe_run, p);
  {
    double end = sr_th_now () + attack_s;

    while (sr_th_now () < end)
      (void) poll (NULL, 0, 200);   /* the attack's duration */
  }
  atomic_store (&p->stop, true);
  pthread_join (p->thread, NULL);
  atomic_store (&c.stop, true);
  pthread_join (c.thread, NULL);
  printf ("  [%s] (a) %d slowloris + %d idle keep-alive sockets for %.0f s "
          "(cut ones re-opened after %s%.0f s)\n", label, N_SLOW, N_IDLE,
          attack_s, reopen_sync ? "" : "about ", reopen_s);
  out = json_pack ("{s:s, s:o, s:o, s:o}", "phase", "flood",
                   "healthz", probe_report ("(a)", p),
                   "slowloris", life_report (&c, 0, "slowloris"),
                   "idle", life_report (&c, 1, "idle keep-alive"));
  free (p);
  return out;
}

/* ---- (b) database stall ---- */

struct sync_call {
  int port;
  char headers[2048];
  pthread_t thread;
  int status;
  double secs;
};

static void *
sync_run (void *cls)
{
  struct sync_call *s = cls;
  struct sr_th_response r;

  s->status = sr_rh_get (s->port, "/v1/syncs", s->headers, 120000, &r,
                         &s->secs);
  sr_th_response_clean (&r);
  return NULL;
}

static json_t *
phase_stall (int port, const char *conninfo)
{
  struct probes *p = calloc (1, sizeof (*p));
  struct sync_call calls[N_SYNCS];
  char *tok = sr_th_jwt (SECRET, "service_role", "authenticated", 3600);
  PGconn *locker = sr_th_pg (conninfo);
  json_t *syncs = json_array ();
  json_t *out;
  double t0;

  sr_th_pg_value (locker, "BEGIN");
  sr_th_pg_value (locker, "LOCK TABLE signalroom.runs IN ACCESS EXCLUSIVE "
                  "MODE");
  t0 = sr_th_now ();
  p->port = port;
  atomic_init (&p->stop, false);
  pthread_create (&p->thread, NULL, probe_run, p);
  for (int i = 0; i < N_SYNCS; i++) {
    calls[i] = (struct sync_call) { .port = port };
    snprintf (calls[i].headers, sizeof (calls[i].headers),
              "Authorization: Bearer %s\r\n", tok);
    pthread_create (&calls[i].thread, NULL, sync_run, &calls[i]);
    /* Spread out, as real requests arrive: started in one instant, one
     * MHD thread of an old binary would accept them all and block alone
     * while the others kept answering. */
    (void) poll (NULL, 0, 200);
  }
  while (sr_th_now () - t0 < STALL_S)
    (void) poll (NULL, 0, 200);     /* the stall's duration */
  sr_th_pg_value (locker, "COMMIT");
  PQfinish (locker);
  for (int i = 0; i < N_SYNCS; i++) {
    pthread_join (calls[i].thread, NULL);
    json_array_append_new (syncs, json_pack ("{s:i, s:f}", "status",
                                             calls[i].status, "seconds",
                                             calls[i].secs));
  }
  atomic_store (&p->stop, true);
  pthread_join (p->thread, NULL);
  printf ("  [%s] (b) %.0f s lock on signalroom.runs, %d concurrent GET "
          "/v1/syncs\n", label, STALL_S, N_SYNCS);
  {
    json_t *probe = probe_report ("(b)", p);

    printf ("  [%s] (b) GET /v1/syncs:", label);
    for (int i = 0; i < N_SYNCS; i++)
      printf (" %d/%.1fs", calls[i].status, calls[i].secs);
    printf ("\n");
    out = json_pack ("{s:s, s:o, s:o}", "phase", "db_stall", "healthz",
                     probe, "syncs", syncs);
  }
  free (tok);
  free (p);
  return out;
}

int
main (int argc, char **argv)
{
  const char *conninfo = getenv ("SR_BENCH_CONNINFO");
  struct sr_th_env env = { 0 };
  struct sr_th_server srv;
  json_t *a, *b;
  char *line;
  int code = -1;

  if (argc > 1)
    label = argv[1];
  if (argc > 2)     /* seconds of attack, for quick looks */
    attack_s = atof (argv[2]);
  if (argc > 3)
    reopen_s = atof (argv[3]);
  if (argc > 4)
    reopen_sync = 0 == strcmp (argv[4], "sync");
  if (NULL == conninfo) {
    fprintf (stderr, "bench_attack: set SR_BENCH_CONNINFO (and SR_BINARY)\n");
    return 2;
  }
  signal (SIGPIPE, SIG_IGN);
  if (sr_rh_raise_nofile () < N_CROWD + 256) {
    fprintf (stderr, "bench_attack: needs %d open files\n", N_CROWD + 256);
    return 2;
  }
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  sr_th_env_add (&env, "SIGNALROOM_JWT_SECRET", SECRET);
  sr_th_env_add (&env, "SIGNALROOM_WORKERS", "0");
  if (!sr_th_server_start (&srv, &env)
      || NULL == sr_th_server_wait_log (&srv, 60000, "migrations current",
                                        NULL)) {
    fprintf (stderr, "bench_attack: %s did not start\n", sr_th_binary ());
    return 1;
  }
  printf ("  [%s] %s\n", label, sr_th_binary ());
  fflush (stdout);
  a = phase_flood (srv.port);
  fflush (stdout);
  b = phase_stall (srv.port, conninfo);
  (void) sr_th_server_stop (&srv, SIGTERM, 30000, &code, NULL);
  line = json_dumps (a, JSON_COMPACT);
  printf ("BENCH %s %s\n", label, line);
  free (line);
  line = json_dumps (b, JSON_COMPACT);
  printf ("BENCH %s %s\n", label, line);
  free (line);
  json_decref (a);
  json_decref (b);
  return 0;
}
