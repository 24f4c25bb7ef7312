/*
 * harness.c -- see harness.h.
 */
#include "harness.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jwt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void
die (const char *what)
{
  fprintf (stderr, "harness: %s\n", what);
  exit (1);
}

static void *
xrealloc (void *p, size_t n)
{
  void *q = realloc (p, n);

  if (NULL == q)
    die ("out of memory");
  return q;
}

static char *
xstrdup (const char *s)
{
  char *d = strdup (s);

  if (NULL == d)
    die ("out of memory");
  return d;
}

double
sr_th_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

const char *
sr_th_binary (void)
{
  const char *b = getenv ("SR_BINARY");

  return b ? b : "./signalroom";
}

int
sr_th_migrations (int *latest_version)
{
  const char *src = getenv ("SR_SOURCE_DIR");
  char path[1024];
  DIR *d;
  struct dirent *e;
  int n = 0;

  *latest_version = 0;
  snprintf (path, sizeof (path), "%s/sql/migrations", src ? src : ".");
  d = opendir (path);
  if (NULL == d)
    die ("cannot list sql/migrations (SR_SOURCE_DIR)");
  while (NULL != (e = readdir (d))) {
    size_t len = strlen (e->d_name);

    if (len > 9 && 0 == strcmp (e->d_name + len - 4, ".sql")
        && '_' == e->d_name[4]) {
      int v = (int) strtol (e->d_name, NULL, 10);

      n++;
      if (v > *latest_version)
        *latest_version = v;
    }
  }
  closedir (d);
  return n;
}

/* ---- PostgreSQL ---- */

static bool
read_file_line (const char *path, char *out, size_t len)
{
  FILE *f = fopen (path, "r");
  size_t n;

  if (NULL == f)
    return false;
  if (NULL == fgets (out, (int) len, f)) {
    fclose (f);
    return false;
  }
  fclose (f);
  n = strcspn (out, "\n");
  out[n] = '\0';
  return true;
}

static void
replace_dbname (const char *base, const char *name, char *out, size_t len)
{
  /* base is "host=... port=... user=postgres dbname=postgres" */
  const char *d = strstr (base, "dbname=");
  size_t prefix = d ? (size_t) (d - base) : strlen (base);

  snprintf (out, len, "%.*sdbname=%s", (int) prefix, base, name);
}

PGconn *
sr_th_pg (const char *conninfo)
{
  PGconn *c = PQconnectdb (conninfo);

  if (CONNECTION_OK != PQstatus (c)) {
    fprintf (stderr, "harness: cannot connect to %s: %s\n", conninfo,
             PQerrorMessage (c));
    exit (1);
  }
  return c;
}

bool
sr_th_pg_await_true (PGconn *c, const char *sql, double seconds)
{
  double t0 = sr_th_now ();

  while (sr_th_now () - t0 < seconds) {
    if (0 == strcmp ("t", sr_th_pg_value (c, sql)))
      return true;
    (void) poll (NULL, 0, 50);   /* re-check interval, not a wait */
  }
  return false;
}

const char *
sr_th_pg_value (PGconn *c, const char *sql)
{
  static char value[4096];
  PGresult *r = PQexec (c, sql);

  value[0] = '\0';
  if (PGRES_TUPLES_OK != PQresultStatus (r)
      && PGRES_COMMAND_OK != PQresultStatus (r)) {
    fprintf (stderr, "harness: SQL failed: %s: %s\n", sql,
             PQresultErrorMessage (r));
    PQclear (r);
    exit (1);
  }
  if (PQntuples (r) > 0 && PQnfields (r) > 0)
    snprintf (value, sizeof (value), "%s", PQgetvalue (r, 0, 0));
  PQclear (r);
  return value;
}

bool
sr_th_create_db (const char *name, char *conninfo, size_t len)
{
  const char *dir = getenv ("SR_TEST_PGDIR");
  char path[1024];
  char base[1024];
  char sql[256];
  PGconn *c;

  if (NULL == dir) {
    fprintf (stderr, "harness: SR_TEST_PGDIR unset (run through ctest)\n");
    return false;
  }
  snprintf (path, sizeof (path), "%s/conninfo", dir);
  if (!read_file_line (path, base, sizeof (base)))
    die ("the PostgreSQL fixture left no conninfo (did pg_start fail?)");
  c = sr_th_pg (base);
  snprintf (sql, sizeof (sql), "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)",
            name);
  sr_th_pg_value (c, sql);
  snprintf (sql, sizeof (sql), "CREATE DATABASE \"%s\"", name);
  sr_th_pg_value (c, sql);
  PQfinish (c);
  replace_dbname (base, name, conninfo, len);
  return true;
}

static int
run_script (const char *verb, const char *state_dir)
{
  const char *src = getenv ("SR_SOURCE_DIR");
  char script[1024];
  pid_t pid;
  int status;

  snprintf (script, sizeof (script), "%s/tests/tools/pgcluster.sh",
            src ? src : ".");
  pid = fork ();
  if (0 == pid) {
    execl (script, script, verb, state_dir, (char *) NULL);
    _exit (127);
  }
  if (pid < 0 || pid != waitpid (pid, &status, 0))
    return -1;
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

bool
sr_th_cluster_start (const char *state_dir, char *conninfo, size_t len)
{
  char path[1024];

  if (0 != run_script ("start", state_dir))
    return false;
  snprintf (path, sizeof (path), "%s/conninfo", state_dir);
  return read_file_line (path, conninfo, len);
}

bool
sr_th_cluster_stop (const char *state_dir)
{
  return 0 == run_script ("stop", state_dir);
}

void
sr_th_cluster_destroy (const char *state_dir)
{
  (void) run_script ("destroy", state_dir);
}

/* ---- the binary ---- */

void
sr_th_env_add (struct sr_th_env *env, const char *name, const char *value)
{
  char *kv;

  if (env->n >= sizeof (env->storage) / sizeof (env->storage[0]))
    die ("too many environment variables");
  kv = env->storage[env->n];
  if ((size_t) snprintf (kv, sizeof (env->storage[0]), "%s=%s", name, value)
      >= sizeof (env->storage[0]))
    die ("environment variable too long");
  env->vars[env->n++] = kv;
  env->vars[env->n] = NULL;
}

/* Sanitizer reports of the child go to its stderr, which the harness
 * captures: look for them there, or they would pass unseen. */
static bool
has_sanitizer_report (const char *log)
{
  return NULL != log && (NULL != strstr (log, "ERROR: AddressSanitizer")
                         || NULL != strstr (log, "WARNING: ThreadSanitizer")
                         || NULL != strstr (log, "ERROR: LeakSanitizer")
                         || NULL != strstr (log, "runtime error:"));
}

/* The child's environment: the test's variables, plus PATH, TZDIR and the
 * sanitizer options, so a sanitizer build reports into the same log. */
static char **
child_env (const struct sr_th_env *env, bool add_listen)
{
  static const char *const pass[] = { "PATH", "TZDIR", "ASAN_OPTIONS",
                                      "UBSAN_OPTIONS", "LSAN_OPTIONS",
                                      "TSAN_OPTIONS" };
  static char pass_buf[sizeof (pass) / sizeof (pass[0])][4096];
  char **out = calloc (env->n + 12, sizeof (char *));
  size_t k = 0;
  bool has_listen = false;
  bool has_scheduler = false;

  if (NULL == out)
    die ("out of memory");
  for (size_t i = 0; i < env->n; i++) {
    out[k++] = (char *) env->vars[i];
    if (0 == strncmp (env->vars[i], "SIGNALROOM_LISTEN=", 18))
      has_listen = true;
    if (0 == strncmp (env->vars[i], "SIGNALROOM_SCHEDULER=", 21))
      has_scheduler = true;
  }
  for (size_t i = 0; i < sizeof (pass) / sizeof (pass[0]); i++) {
    const char *v = getenv (pass[i]);

    if (NULL != v) {
      snprintf (pass_buf[i], sizeof (pass_buf[i]), "%s=%s", pass[i], v);
      out[k++] = pass_buf[i];
    }
  }
  if (add_listen && !has_listen)
    out[k++] = "SIGNALROOM_LISTEN=127.0.0.1:0";
  /* The seeded schedules would fire in every test's server; only the tests
   * about schedules turn them on. */
  if (!has_scheduler)
    out[k++] = "SIGNALROOM_SCHEDULER=false";
  out[k] = NULL;
  return out;
}

static void *
read_stderr (void *cls)
{
  struct sr_th_server *srv = cls;
  char buf[4096];

  for (;;) {
    ssize_t n = read (srv->stderr_fd, buf, sizeof (buf));

    if (n < 0 && EINTR == errno)
      continue;
    pthread_mutex_lock (&srv->lock);
    if (n <= 0) {
      srv->eof = true;
      pthread_cond_broadcast (&srv->changed);
      pthread_mutex_unlock (&srv->lock);
      break;
    }
    srv->log = xrealloc (srv->log, srv->log_len + (size_t) n + 1);
    memcpy (srv->log + srv->log_len, buf, (size_t) n);
    srv->log_len += (size_t) n;
    srv->log[srv->log_len] = '\0';
    pthread_cond_broadcast (&srv->changed);
    pthread_mutex_unlock (&srv->lock);
    /* Echo, so a failing test shows the server's side in ctest output. */
    if (getenv ("SR_TEST_VERBOSE"))
      (void) !write (STDERR_FILENO, buf, (size_t) n);
  }
  return NULL;
}

/* Find a complete line holding every needle; copy it into @a out. */
static bool
find_line (const char *log, const char *const *needles, size_t n_needles,
           char *out, size_t outlen)
{
  const char *p = log;

  while (NULL != p && '\0' != *p) {
    const char *nl = strchr (p, '\n');
    size_t len;
    bool all = true;

    if (NULL == nl)
      return false; /* incomplete line: wait for the rest */
    len = (size_t) (nl - p);
    for (size_t i = 0; i < n_needles && all; i++)
      all = NULL != memmem (p, len, needles[i], strlen (needles[i]));
    if (all) {
      snprintf (out, outlen, "%.*s", (int) len, p);
      return true;
    }
    p = nl + 1;
  }
  return false;
}

const char *
sr_th_server_wait_log (struct sr_th_server *srv, int timeout_ms, ...)
{
  static char line[8192];
  const char *needles[8];
  size_t n = 0;
  struct timespec deadline;
  va_list ap;
  bool found = false;

  va_start (ap, timeout_ms);
  for (const char *s = va_arg (ap, const char *); NULL != s && n < 8;
       s = va_arg (ap, const char *))
    needles[n++] = s;
  va_end (ap);
  clock_gettime (CLOCK_REALTIME, &deadline);
  deadline.tv_sec += timeout_ms / 1000;
  deadline.tv_nsec += (long) (timeout_ms % 1000) * 1000000L;
  if (deadline.tv_nsec >= 1000000000L) {
    deadline.tv_sec++;
    deadline.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock (&srv->lock);
  for (;;) {
    found = NULL != srv->log
            && find_line (srv->log, needles, n, line, sizeof (line));
    if (found || srv->eof)
      break;
    if (ETIMEDOUT == pthread_cond_timedwait (&srv->changed, &srv->lock,
                                             &deadline))
      break;
  }
  if (!found && NULL != srv->log)
    found = find_line (srv->log, needles, n, line, sizeof (line));
  pthread_mutex_unlock (&srv->lock);
  return found ? line : NULL;
}

size_t
sr_th_server_count_log (struct sr_th_server *srv, const char *needle)
{
  size_t count = 0;

  pthread_mutex_lock (&srv->lock);
  for (const char *p = srv->log; NULL != p && NULL != (p = strstr (p, needle));
       p += strlen (needle))
    count++;
  pthread_mutex_unlock (&srv->lock);
  return count;
}

char *
sr_th_server_log (struct sr_th_server *srv)
{
  char *copy;

  pthread_mutex_lock (&srv->lock);
  copy = xstrdup (srv->log ? srv->log : "");
  pthread_mutex_unlock (&srv->lock);
  return copy;
}

bool
sr_th_process_start (struct sr_th_server *srv, const struct sr_th_env *env,
                     const char *const *argv)
{
  int pipefd[2];
  char **envp;
  const char *args[16];
  size_t n = 0;

  memset (srv, 0, sizeof (*srv));
  args[n++] = sr_th_binary ();
  for (size_t i = 0; NULL != argv[i] && n < 15; i++)
    args[n++] = argv[i];
  args[n] = NULL;
  if (0 != pipe2 (pipefd, O_CLOEXEC))
    die ("pipe");
  pthread_mutex_init (&srv->lock, NULL);
  pthread_cond_init (&srv->changed, NULL);
  envp = child_env (env, true);
  srv->pid = fork ();
  if (0 == srv->pid) {
    /* Never outlive the test: a crashed test must not leave servers. */
    prctl (PR_SET_PDEATHSIG, SIGKILL);
    dup2 (pipefd[1], STDERR_FILENO);
    execve (args[0], (char *const *) args, envp);
    _exit (127);
  }
  free (envp); /* the strings belong to @a env and child_env */
  close (pipefd[1]);
  if (srv->pid < 0)
    die ("fork");
  srv->stderr_fd = pipefd[0];
  if (0 != pthread_create (&srv->reader, NULL, read_stderr, srv))
    die ("pthread_create");
  return true;
}

/* `serve` answers 503 schema_outdated until its migrator has seen the
 * schema current, usually within milliseconds of listening: wait that out
 * (up to 10 s), so a test's first request is not refused.  A database
 * that is down (or a test holding the migrations back) ends or outlasts
 * the wait: the test then sees what a client would. */
static void
await_schema_known (int port)
{
  for (double t0 = sr_th_now (); sr_th_now () - t0 < 10;) {
    struct sr_th_response r;
    bool pending = sr_th_http (port, "GET", "/readyz", NULL, NULL, 0, &r)
                   && 503 == r.status && NULL != r.body
                   && NULL != strstr (r.body, "\"schema_outdated\"");

    sr_th_response_clean (&r);
    if (!pending)
      return;
    (void) poll (NULL, 0, 20);   /* re-check interval, not a wait */
  }
}

bool
sr_th_server_start (struct sr_th_server *srv, const struct sr_th_env *env)
{
  const char *const argv[] = { "serve", NULL };
  const char *line;

  sr_th_process_start (srv, env, argv);
  line = sr_th_server_wait_log (srv, 20000, "\"msg\":\"listening\"", NULL);
  if (NULL == line) {
    char *log = sr_th_server_log (srv);

    fprintf (stderr, "harness: server did not start; its log:\n%s\n", log);
    free (log);
    kill (srv->pid, SIGKILL);
    waitpid (srv->pid, NULL, 0);
    pthread_join (srv->reader, NULL);
    close (srv->stderr_fd);
    srv->pid = 0;
    return false;
  }
  {
    const char *p = strstr (line, "\"port\":");

    srv->port = p ? atoi (p + 7) : 0;
  }
  if (srv->port > 0)
    await_schema_known (srv->port);
  return srv->port > 0;
}

bool
sr_th_server_stop (struct sr_th_server *srv, int sig, int timeout_ms,
                   int *exit_code, double *seconds)
{
  double t0 = sr_th_now ();
  int status = 0;
  bool exited = false;

  if (srv->pid <= 0)
    return false;
  kill (srv->pid, sig);
  /* The reader sees EOF when the process closes stderr, i.e. exits. */
  pthread_mutex_lock (&srv->lock);
  {
    struct timespec deadline;

    clock_gettime (CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    while (!srv->eof)
      if (ETIMEDOUT == pthread_cond_timedwait (&srv->changed, &srv->lock,
                                               &deadline))
        break;
    exited = srv->eof;
  }
  pthread_mutex_unlock (&srv->lock);
  if (!exited)
    kill (srv->pid, SIGKILL);
  waitpid (srv->pid, &status, 0);
  if (NULL != seconds)
    *seconds = sr_th_now () - t0;
  pthread_join (srv->reader, NULL);
  close (srv->stderr_fd);
  srv->pid = 0;
  if (NULL != exit_code)
    *exit_code = WIFEXITED (status) ? WEXITSTATUS (status)
                 : 128 + WTERMSIG (status);
  if (has_sanitizer_report (srv->log)) {
    fprintf (stderr, "harness: sanitizer report from the server:\n%s\n",
             srv->log);
    exited = false;
  }
  free (srv->log);
  srv->log = NULL;
  pthread_cond_destroy (&srv->changed);
  pthread_mutex_destroy (&srv->lock);
  return exited;
}

static char *
slurp_fd (int fd)
{
  char *buf = NULL;
  size_t len = 0;
  char chunk[4096];
  ssize_t n;

  while ((n = read (fd, chunk, sizeof (chunk))) > 0 || (n < 0 && EINTR == errno)) {
    if (n < 0)
      continue;
    buf = xrealloc (buf, len + (size_t) n + 1);
    memcpy (buf + len, chunk, (size_t) n);
    len += (size_t) n;
  }
  if (NULL == buf)
    buf = xstrdup ("");
  else
    buf[len] = '\0';
  return buf;
}

int
sr_th_run (const struct sr_th_env *env, const char *const *argv, char **out,
           char **err)
{
  int outp[2], errp[2];
  char **envp = child_env (env, false);
  const char *args[16];
  size_t n = 0;
  pid_t pid;
  int status;
  char *o, *e;

  args[n++] = sr_th_binary ();
  for (size_t i = 0; NULL != argv[i] && n < 15; i++)
    args[n++] = argv[i];
  args[n] = NULL;
  if (0 != pipe2 (outp, O_CLOEXEC) || 0 != pipe2 (errp, O_CLOEXEC))
    die ("pipe");
  pid = fork ();
  if (0 == pid) {
    dup2 (outp[1], STDOUT_FILENO);
    dup2 (errp[1], STDERR_FILENO);
    execve (args[0], (char *const *) args, envp);
    _exit (127);
  }
  free (envp);
  close (outp[1]);
  close (errp[1]);
  /* stderr is small (a few log lines); read stdout then stderr. */
  o = slurp_fd (outp[0]);
  e = slurp_fd (errp[0]);
  close (outp[0]);
  close (errp[0]);
  waitpid (pid, &status, 0);
  if (has_sanitizer_report (e)) {
    fprintf (stderr, "harness: sanitizer report from %s:\n%s\n", argv[0], e);
    status = 99 << 8;
  }
  if (out)
    *out = o;
  else
    free (o);
  if (err)
    *err = e;
  else
    free (e);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

/* ---- HTTP ---- */

bool
sr_th_http_raw (int port, const char *raw, size_t len,
                struct sr_th_response *resp)
{
  struct sockaddr_in sa = { 0 };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  char *buf = NULL;
  size_t got = 0;
  size_t off = 0;
  char *sep;

  memset (resp, 0, sizeof (*resp));
  if (fd < 0)
    return false;
  sa.sin_family = AF_INET;
  sa.sin_port = htons ((uint16_t) port);
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (0 != connect (fd, (struct sockaddr *) &sa, sizeof (sa))) {
    close (fd);
    return false;
  }
  while (off < len) {
    ssize_t w = send (fd, raw + off, len - off, MSG_NOSIGNAL);

    if (w <= 0)
      break; /* the server may answer and close before reading it all */
    off += (size_t) w;
  }
  for (;;) {
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    char chunk[8192];
    ssize_t n;

    if (poll (&pfd, 1, 30000) <= 0)
      break;
    n = recv (fd, chunk, sizeof (chunk), 0);
    if (n <= 0)
      break;
    buf = xrealloc (buf, got + (size_t) n + 1);
    memcpy (buf + got, chunk, (size_t) n);
    got += (size_t) n;
    buf[got] = '\0';
  }
  close (fd);
  if (NULL == buf)
    return false;
  sep = strstr (buf, "\r\n\r\n");
  if (NULL == sep || 0 != strncmp (buf, "HTTP/1.", 7)) {
    free (buf);
    return false;
  }
  resp->status = atoi (buf + 9);
  resp->head = strndup (buf, (size_t) (sep - buf));
  resp->body_len = got - (size_t) (sep + 4 - buf);
  resp->body = malloc (resp->body_len + 1);
  if (NULL == resp->head || NULL == resp->body)
    die ("out of memory");
  memcpy (resp->body, sep + 4, resp->body_len);
  resp->body[resp->body_len] = '\0';
  free (buf);
  return true;
}

bool
sr_th_http (int port, const char *method, const char *target,
            const char *headers, const char *body, size_t body_len,
            struct sr_th_response *resp)
{
  size_t cap = strlen (method) + strlen (target)
               + (headers ? strlen (headers) : 0) + body_len + 256;
  char *raw = malloc (cap);
  int n;
  bool ok;

  if (NULL == raw)
    die ("out of memory");
  n = snprintf (raw, cap, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Connection: close\r\n%s", method, target,
                headers ? headers : "");
  if (NULL != body)
    n += snprintf (raw + n, cap - (size_t) n, "Content-Length: %zu\r\n",
                   body_len);
  n += snprintf (raw + n, cap - (size_t) n, "\r\n");
  if (NULL != body) {
    memcpy (raw + n, body, body_len);
    n += (int) body_len;
  }
  ok = sr_th_http_raw (port, raw, (size_t) n, resp);
  free (raw);
  return ok;
}

int
sr_th_api (int port, const char *token, const char *method,
           const char *target, const char *json_body, json_t **out)
{
  struct sr_th_response r;
  char headers[4096];
  int n = 0, status;

  if (NULL != out)
    *out = NULL;
  headers[0] = '\0';
  if (NULL != token)
    n = snprintf (headers, sizeof (headers), "Authorization: Bearer %s\r\n",
                  token);
  if (NULL != json_body && n >= 0 && (size_t) n < sizeof (headers))
    snprintf (headers + n, sizeof (headers) - (size_t) n,
              "Content-Type: application/json\r\n");
  if (!sr_th_http (port, method, target, headers, json_body,
                   json_body ? strlen (json_body) : 0, &r))
    return -1;
  status = r.status;
  if (NULL != out && NULL != r.body)
    *out = json_loadb (r.body, r.body_len, 0, NULL);
  sr_th_response_clean (&r);
  return status;
}

const char *
sr_th_header (const struct sr_th_response *resp, const char *name)
{
  static char value[1024];
  size_t nlen = strlen (name);

  if (NULL == resp->head)
    return NULL;
  for (const char *p = strstr (resp->head, "\r\n"); NULL != p;
       p = strstr (p, "\r\n")) {
    p += 2;
    if (0 == strncasecmp (p, name, nlen) && ':' == p[nlen]) {
      const char *v = p + nlen + 1;
      size_t vlen;

      while (' ' == *v)
        v++;
      vlen = strcspn (v, "\r");
      snprintf (value, sizeof (value), "%.*s", (int) vlen, v);
      return value;
    }
  }
  return NULL;
}

void
sr_th_response_clean (struct sr_th_response *resp)
{
  free (resp->head);
  free (resp->body);
  memset (resp, 0, sizeof (*resp));
}

/* ---- tokens ---- */

char *
sr_th_jwt (const char *secret, const char *role, const char *aud,
           long exp_in)
{
  jwt_t *jwt = NULL;
  char *token;
  char *copy;

  if (0 != jwt_new (&jwt))
    die ("jwt_new");
  if (NULL != role)
    jwt_add_grant (jwt, "role", role);
  if (NULL != aud)
    jwt_add_grant (jwt, "aud", aud);
  jwt_add_grant (jwt, "sub", "test-user");
  jwt_add_grant_int (jwt, "exp", (long) time (NULL) + exp_in);
  jwt_add_grant_int (jwt, "iat", (long) time (NULL));
  if (0 != jwt_set_alg (jwt, JWT_ALG_HS256, (const unsigned char *) secret,
                        (int) strlen (secret)))
    die ("jwt_set_alg");
  token = jwt_encode_str (jwt);
  jwt_free (jwt);
  if (NULL == token)
    die ("jwt_encode_str");
  copy = xstrdup (token);
  free (token);
  return copy;
}


/* ---- simulators ---- */

int
sr_th_ms_until (double deadline)
{
  double left = deadline - sr_th_now ();

  return left <= 0 ? 0 : (int) (left * 1000.0) + 1;
}

json_t *
sr_th_read_first_json (int fd, double timeout_s, const char *who)
{
  double deadline = sr_th_now () + timeout_s;
  char line[256];
  size_t got = 0;
  json_t *root;

  line[0] = '\0';
  while (NULL == strchr (line, '\n') && got + 1 < sizeof (line)) {
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    int rc = poll (&pfd, 1, sr_th_ms_until (deadline));
    ssize_t n;

    if (rc < 0 && EINTR == errno)
      continue;
    if (rc <= 0)
      break; /* timeout */
    n = read (fd, line + got, sizeof (line) - got - 1);
    if (n < 0 && EINTR == errno)
      continue;
    if (n <= 0)
      break; /* exited before printing its ports */
    got += (size_t) n;
    line[got] = '\0';
  }
  root = json_loads (line, JSON_DISABLE_EOF_CHECK, NULL);
  if (!json_is_object (root)) {
    fprintf (stderr, "%s: did not start (first line: \"%s\")\n", who, line);
    json_decref (root);
    return NULL;
  }
  return root;
}

bool
sr_th_post_json (int port, const char *path, const char *json, int *status,
                 const char *who)
{
  struct sr_th_response resp;
  bool ok;

  if (NULL != status)
    *status = 0;
  if (!sr_th_http (port, "POST", path, "Content-Type: application/json\r\n",
                   json, strlen (json), &resp))
    return false;
  if (NULL != status)
    *status = resp.status;
  ok = 200 == resp.status;
  if (!ok && 0 == strncmp (path, "/_sim/", 6))
    fprintf (stderr, "%s: POST %s -> %d %s\n", who, path, resp.status,
             resp.body ? resp.body : "");
  sr_th_response_clean (&resp);
  return ok;
}

char *
sr_th_get_body (int port, const char *target)
{
  struct sr_th_response resp;
  char *body = NULL;

  if (!sr_th_http (port, "GET", target, NULL, NULL, 0, &resp))
    return NULL;
  if (200 == resp.status) {
    body = resp.body;
    resp.body = NULL;
  }
  sr_th_response_clean (&resp);
  return body;
}

json_t *
sr_th_get_json (int port, const char *target)
{
  char *body = sr_th_get_body (port, target);
  json_t *root = NULL != body ? json_loads (body, 0, NULL) : NULL;

  free (body);
  return root;
}

pid_t
sr_th_spawn (const char *const *argv, int *stdout_fd)
{
  int pipefd[2];
  pid_t parent = getpid (), pid;

  if (0 != pipe2 (pipefd, O_CLOEXEC)) {
    perror ("spawn: pipe2");
    return -1;
  }
  pid = fork ();
  if (0 == pid) {
    /* Never outlive the test, even when it crashes. */
    if (0 != prctl (PR_SET_PDEATHSIG, SIGKILL) || getppid () != parent)
      _exit (127);
    if (dup2 (pipefd[1], STDOUT_FILENO) < 0)
      _exit (127);
    /* One line per request is noise in test and benchmark output; keep
     * it for debugging only. */
    if (NULL == getenv ("SR_TEST_VERBOSE")) {
      int devnull = open ("/dev/null", O_WRONLY);

      if (devnull < 0 || dup2 (devnull, STDERR_FILENO) < 0)
        _exit (127);
    }
    execvp (argv[0], (char *const *) argv);
    _exit (127);
  }
  if (0 != close (pipefd[1]))
    perror ("spawn: close");
  if (pid < 0) {
    perror ("spawn: fork");
    if (0 != close (pipefd[0]))
      perror ("spawn: close");
    return -1;
  }
  *stdout_fd = pipefd[0];
  return pid;
}

bool
sr_th_await_ready (int port, double seconds)
{
  for (double t0 = sr_th_now (); sr_th_now () - t0 < seconds;) {
    struct sr_th_response r;
    bool ok = sr_th_http (port, "GET", "/readyz", NULL, NULL, 0, &r)
              && 200 == r.status;

    sr_th_response_clean (&r);
    if (ok)
      return true;
    (void) poll (NULL, 0, 50);   /* re-check interval, not a wait */
  }
  return false;
}

int
sr_th_stop_child (pid_t pid, int sig, double timeout_s)
{
  double deadline = sr_th_now () + timeout_s;
  int status = 0;
  pid_t w;

  if (pid <= 0)
    return -1;
  if (0 != kill (pid, sig))
    perror ("stop: kill");
  /* Poll for the exit: a bounded wait, then SIGKILL. */
  while (0 == (w = waitpid (pid, &status, WNOHANG))) {
    if (sr_th_now () >= deadline) {
      fprintf (stderr, "stop: child ignored signal %d; killing it\n", sig);
      if (0 != kill (pid, SIGKILL))
        perror ("stop: kill");
      w = waitpid (pid, &status, 0);
      break;
    }
    (void) poll (NULL, 0, 10);
  }
  if (w < 0 && EINTR == errno)
    w = waitpid (pid, &status, 0);
  if (w < 0) {
    perror ("stop: waitpid");
    return -1;
  }
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

/* end of harness.c */
