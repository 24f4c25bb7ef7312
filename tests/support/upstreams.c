/*
 * upstreams.c -- see upstreams.h.
 */
#include "upstreams.h"
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SR_SIM_START_TIMEOUT_MS 15000
#define SR_SIM_STOP_TIMEOUT_MS 10000

static long long
now_ms (void)
{
  struct timespec ts;

  if (0 != clock_gettime (CLOCK_MONOTONIC, &ts))
    return 0;
  return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool
script_path (char *out, size_t len)
{
  const char *src = getenv ("SR_SOURCE_DIR");
  int n;

#ifdef SR_SOURCE_DIR
  if (NULL == src)
    src = SR_SOURCE_DIR;
#endif
  if (NULL == src) {
    fprintf (stderr, "upstreams: SR_SOURCE_DIR is not set\n");
    return false;
  }
  n = snprintf (out, len, "%s/tests/upstreams/simulator.py", src);
  return n > 0 && (size_t) n < len;
}

/* Read up to the first newline of @a fd into @a buf within @a timeout_ms. */
static bool
read_first_line (int fd, char *buf, size_t len, int timeout_ms)
{
  long long deadline = now_ms () + timeout_ms;
  size_t got = 0;

  buf[0] = '\0';
  while (got + 1 < len) {
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    long long left = deadline - now_ms ();
    int rc;
    ssize_t n;

    if (left <= 0)
      return false;
    rc = poll (&pfd, 1, (int) left);
    if (rc < 0 && EINTR == errno)
      continue;
    if (rc <= 0)
      return false;
    n = read (fd, buf + got, len - got - 1);
    if (n < 0 && EINTR == errno)
      continue;
    if (n <= 0)
      return false; /* exited before printing its ports */
    got += (size_t) n;
    buf[got] = '\0';
    if (NULL != strchr (buf, '\n'))
      return true;
  }
  return false;
}

static bool
parse_ports (const char *line, struct sr_sim *sim)
{
  json_error_t err;
  json_t *root = json_loads (line, JSON_DISABLE_EOF_CHECK, &err);
  json_t *ef, *rt;
  bool ok;

  if (NULL == root)
    return false;
  ef = json_object_get (root, "everflow");
  rt = json_object_get (root, "redtrack");
  ok = json_is_integer (ef) && json_is_integer (rt);
  if (ok) {
    sim->everflow_port = (int) json_integer_value (ef);
    sim->redtrack_port = (int) json_integer_value (rt);
    ok = sim->everflow_port > 0 && sim->redtrack_port > 0;
  }
  json_decref (root);
  return ok;
}

bool
sr_sim_start_with (struct sr_sim *sim, const char *everflow_key,
                   const char *redtrack_key, const char *const *extra)
{
  char script[4096];
  char line[512];
  const char *argv[48];
  size_t n = 0;
  int pipefd[1];

  memset (sim, 0, sizeof (*sim));
  if (!script_path (script, sizeof (script)))
    return false;
  argv[n++] = "python3";
  argv[n++] = script;
  argv[n++] = "--everflow-port";
  argv[n++] = "0";
  argv[n++] = "--redtrack-port";
  argv[n++] = "0";
  argv[n++] = "--everflow-key";
  argv[n++] = everflow_key;
  argv[n++] = "--redtrack-key";
  argv[n++] = redtrack_key;
  for (size_t i = 0; NULL != extra && NULL != extra[i]; i++) {
    if (n + 1 >= sizeof (argv) / sizeof (argv[0])) {
      fprintf (stderr, "upstreams: too many arguments\n");
      return false;
    }
    argv[n++] = extra[i];
  }
  argv[n] = NULL;
  sim->pid = sr_th_spawn (argv, &pipefd[0]);
  if (sim->pid < 0) {
    sim->pid = 0;
    return false;
  }
  if (!read_first_line (pipefd[0], line, sizeof (line),
                        SR_SIM_START_TIMEOUT_MS)
      || !parse_ports (line, sim)) {
    fprintf (stderr, "upstreams: simulator did not start (first line: "
             "\"%s\")\n", line);
    if (0 != kill (sim->pid, SIGKILL))
      perror ("upstreams: kill");
    if (waitpid (sim->pid, NULL, 0) < 0)
      perror ("upstreams: waitpid");
    sim->pid = 0;
    if (0 != close (pipefd[0]))
      perror ("upstreams: close");
    return false;
  }
  /* It prints nothing more on stdout. */
  if (0 != close (pipefd[0]))
    perror ("upstreams: close");
  return true;
}

bool
sr_sim_start (struct sr_sim *sim, const char *everflow_key,
              const char *redtrack_key)
{
  return sr_sim_start_with (sim, everflow_key, redtrack_key, NULL);
}

/* Wait for @a pid up to @a timeout_ms: a pidfd becomes readable on exit. */
static bool
wait_exit (pid_t pid, int timeout_ms)
{
  int fd = pidfd_open (pid, 0);
  long long deadline = now_ms () + timeout_ms;
  bool exited = false;

  if (fd < 0)
    return true; /* no pidfd here: fall back to a plain waitpid */
  for (;;) {
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    long long left = deadline - now_ms ();
    int rc;

    if (left <= 0)
      break;
    rc = poll (&pfd, 1, (int) left);
    if (rc < 0 && EINTR == errno)
      continue;
    exited = rc > 0;
    break;
  }
  if (0 != close (fd))
    perror ("upstreams: close");
  return exited;
}

int
sr_sim_stop_status (struct sr_sim *sim, int sig)
{
  int status = 0;

  if (sim->pid <= 0)
    return -1;
  if (0 != kill (sim->pid, sig))
    perror ("upstreams: kill");
  if (!wait_exit (sim->pid, SR_SIM_STOP_TIMEOUT_MS)) {
    fprintf (stderr, "upstreams: simulator ignored signal %d; killing it\n",
             sig);
    if (0 != kill (sim->pid, SIGKILL))
      perror ("upstreams: kill");
  }
  while (waitpid (sim->pid, &status, 0) < 0) {
    if (EINTR != errno) {
      perror ("upstreams: waitpid");
      sim->pid = 0;
      return -1;
    }
  }
  sim->pid = 0;
  return WIFEXITED (status) ? WEXITSTATUS (status)
         : 128 + WTERMSIG (status);
}

void
sr_sim_stop (struct sr_sim *sim)
{
  if (sim->pid > 0)
    (void) sr_sim_stop_status (sim, SIGTERM);
}

bool
sr_sim_post (int port, const char *path, const char *json, int *status)
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
  if (!ok)
    fprintf (stderr, "upstreams: POST %s -> %d %s\n", path, resp.status,
             resp.body ? resp.body : "");
  sr_th_response_clean (&resp);
  return ok;
}

char *
sr_sim_get (int port, const char *path)
{
  struct sr_th_response resp;
  char *body = NULL;

  if (!sr_th_http (port, "GET", path, NULL, NULL, 0, &resp))
    return NULL;
  if (200 == resp.status) {
    body = resp.body;
    resp.body = NULL;
  }
  sr_th_response_clean (&resp);
  return body;
}

int
sr_sim_request_count (int port)
{
  char *body = sr_sim_get (port, "/_sim/requests");
  json_t *root;
  json_t *count;
  int n = -1;

  if (NULL == body)
    return -1;
  root = json_loads (body, 0, NULL);
  free (body);
  if (NULL == root)
    return -1;
  count = json_object_get (root, "count");
  if (json_is_integer (count))
    n = (int) json_integer_value (count);
  json_decref (root);
  return n;
}

void
sr_sim_env (const struct sr_sim *sim, struct sr_th_env *env,
            const char *everflow_key, const char *redtrack_key)
{
  char url[64];

  sr_th_env_add (env, "EVERFLOW_API_KEY", everflow_key);
  snprintf (url, sizeof (url), "http://127.0.0.1:%d", sim->everflow_port);
  sr_th_env_add (env, "EVERFLOW_BASE_URL", url);
  sr_th_env_add (env, "REDTRACK_API_KEY", redtrack_key);
  snprintf (url, sizeof (url), "http://127.0.0.1:%d", sim->redtrack_port);
  sr_th_env_add (env, "REDTRACK_BASE_URL", url);
  sr_th_env_add (env, "REDTRACK_REQUESTS_PER_MINUTE", "6000");
}
