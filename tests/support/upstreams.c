/*
 * upstreams.c -- see upstreams.h.
 */
#include "upstreams.h"
#include "harness.h"

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SR_SIM_START_TIMEOUT_S 15.0
#define SR_SIM_STOP_TIMEOUT_S 10.0

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

/* The ports from the simulator's first stdout line. */
static bool
read_ports (int fd, struct sr_sim *sim)
{
  json_t *root = sr_th_read_first_json (fd, SR_SIM_START_TIMEOUT_S,
                                        "upstreams");
  json_t *ef = json_object_get (root, "everflow");
  json_t *rt = json_object_get (root, "redtrack");

  if (json_is_integer (ef) && json_is_integer (rt)) {
    sim->everflow_port = (int) json_integer_value (ef);
    sim->redtrack_port = (int) json_integer_value (rt);
  }
  json_decref (root);
  return sim->everflow_port > 0 && sim->redtrack_port > 0;
}

bool
sr_sim_start_with (struct sr_sim *sim, const char *everflow_key,
                   const char *redtrack_key, const char *const *extra)
{
  char script[4096];
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
  if (!read_ports (pipefd[0], sim)) {
    (void) sr_th_stop_child (sim->pid, SIGKILL, SR_SIM_STOP_TIMEOUT_S);
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

int
sr_sim_stop_status (struct sr_sim *sim, int sig)
{
  int rc;

  if (sim->pid <= 0)
    return -1;
  rc = sr_th_stop_child (sim->pid, sig, SR_SIM_STOP_TIMEOUT_S);
  sim->pid = 0;
  return rc;
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
  return sr_th_post_json (port, path, json, status, "upstreams");
}

char *
sr_sim_get (int port, const char *path)
{
  return sr_th_get_body (port, path);
}

int
sr_sim_request_count (int port)
{
  json_t *root = sr_th_get_json (port, "/_sim/requests");
  json_t *count = json_object_get (root, "count");
  int n = json_is_integer (count) ? (int) json_integer_value (count) : -1;

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
