/*
 * collector.c -- see collector.h.
 */
#include "collector.h"
#include "harness.h"

#include <ctype.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SR_OTLP_START_TIMEOUT_S 15.0
#define SR_OTLP_STOP_TIMEOUT_S 10.0
#define SR_OTLP_POLL_MS 50

/* The port from the collector's first stdout line, or 0. */
static int
read_port (int fd)
{
  json_t *root = sr_th_read_first_json (fd, SR_OTLP_START_TIMEOUT_S,
                                        "collector");
  json_t *port = json_object_get (root, "otlp");
  int n = json_is_integer (port) ? (int) json_integer_value (port) : 0;

  json_decref (root);
  return n > 0 ? n : 0;
}

bool
sr_otlp_start (struct sr_otlp *c, const char *const *extra_args)
{
  const char *src = getenv ("SR_SOURCE_DIR");
  char script[4096];
  const char *argv[40];
  size_t n = 0;
  int pipefd[1];

  memset (c, 0, sizeof (*c));
#ifdef SR_SOURCE_DIR
  if (NULL == src)
    src = SR_SOURCE_DIR;
#endif
  if (NULL == src
      || (size_t) snprintf (script, sizeof (script),
                            "%s/tests/upstreams/otlp_collector.py", src)
         >= sizeof (script)) {
    fprintf (stderr, "collector: SR_SOURCE_DIR is not set\n");
    return false;
  }
  argv[n++] = "python3";
  argv[n++] = script;
  argv[n++] = "--port";
  argv[n++] = "0";
  for (size_t i = 0; NULL != extra_args && NULL != extra_args[i]; i++) {
    if (n + 1 >= sizeof (argv) / sizeof (argv[0])) {
      fprintf (stderr, "collector: too many arguments\n");
      return false;
    }
    argv[n++] = extra_args[i];
  }
  argv[n] = NULL;
  c->pid = sr_th_spawn (argv, &pipefd[0]);
  if (c->pid < 0) {
    c->pid = 0;
    return false;
  }
  c->port = read_port (pipefd[0]);
  if (0 != close (pipefd[0]))
    perror ("collector: close");
  if (c->pid > 0 && 0 == c->port)
    (void) sr_otlp_stop_status (c, SIGKILL);
  return c->port > 0;
}

int
sr_otlp_stop_status (struct sr_otlp *c, int sig)
{
  int rc = sr_th_stop_child (c->pid, sig, SR_OTLP_STOP_TIMEOUT_S);

  c->pid = 0;
  c->port = 0;
  return rc;
}

void
sr_otlp_stop (struct sr_otlp *c)
{
  if (c->pid > 0)
    (void) sr_otlp_stop_status (c, SIGTERM);
}

void
sr_otlp_env (const struct sr_otlp *c, struct sr_th_env *env)
{
  char url[64];

  snprintf (url, sizeof (url), "http://127.0.0.1:%d", c->port);
  sr_th_env_add (env, "OTEL_EXPORTER_OTLP_ENDPOINT", url);
  /* partial batches go out at once: tests wait on spans, not on a timer */
  sr_th_env_add (env, "OTEL_BSP_SCHEDULE_DELAY", "50");
}

bool
sr_otlp_post (const struct sr_otlp *c, const char *path, const char *json,
              int *status)
{
  return sr_th_post_json (c->port, path, json, status, "collector");
}

json_t *
sr_otlp_spans (const struct sr_otlp *c, const char *trace_id)
{
  static const char hex[] = "0123456789ABCDEF";
  char target[256] = "/_sim/spans";
  size_t n = strlen (target);
  json_t *root, *spans;

  if (NULL != trace_id) {
    n += (size_t) snprintf (target + n, sizeof (target) - n, "?trace_id=");
    for (const unsigned char *p = (const unsigned char *) trace_id; *p; p++) {
      if (n + 4 > sizeof (target))
        return NULL;
      if (NULL != strchr ("-._~", *p) || (*p < 0x80 && 0 != isalnum (*p)))
        target[n++] = (char) *p;
      else {
        target[n++] = '%';
        target[n++] = hex[*p >> 4];
        target[n++] = hex[*p & 15];
      }
    }
    target[n] = '\0';
  }
  root = sr_th_get_json (c->port, target);
  spans = json_object_get (root, "spans");
  spans = json_is_array (spans) ? json_incref (spans) : NULL;
  json_decref (root);
  return spans;
}

int
sr_otlp_request_count (const struct sr_otlp *c, int *accepted)
{
  json_t *root = sr_th_get_json (c->port, "/_sim/requests");
  json_t *count, *ok;
  int n = -1;

  if (NULL != accepted)
    *accepted = -1;
  count = json_object_get (root, "count");
  ok = json_object_get (root, "accepted");
  if (json_is_integer (count) && json_is_integer (ok)) {
    n = (int) json_integer_value (count);
    if (NULL != accepted)
      *accepted = (int) json_integer_value (ok);
  }
  json_decref (root);
  return n;
}

json_t *
sr_otlp_await_spans (const struct sr_otlp *c, const char *trace_id,
                     size_t at_least, double timeout_s)
{
  double deadline = sr_th_now () + timeout_s;
  json_t *spans = NULL;

  for (;;) {
    json_t *now = sr_otlp_spans (c, trace_id);

    if (NULL != now) {
      json_decref (spans);
      spans = now;
      if (json_array_size (spans) >= at_least)
        break;
    }
    if (0 == sr_th_ms_until (deadline))
      break;
    (void) poll (NULL, 0, SR_OTLP_POLL_MS < sr_th_ms_until (deadline)
                          ? SR_OTLP_POLL_MS : sr_th_ms_until (deadline));
  }
  return spans;
}
