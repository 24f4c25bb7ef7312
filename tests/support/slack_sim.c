/*
 * slack_sim.c -- see slack_sim.h.
 */
#include "slack_sim.h"
#include "harness.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SR_SLACK_SIM_START_TIMEOUT_S 15.0
#define SR_SLACK_SIM_STOP_TIMEOUT_S 10.0
#define SR_SLACK_SIM_POLL_MS 50

/* The ports from the simulator's first stdout line; false when it did
 * not print them in time. */
static bool
read_ports (int fd, struct sr_slack_sim *s)
{
  json_t *root = sr_th_read_first_json (fd, SR_SLACK_SIM_START_TIMEOUT_S,
                                        "slack_sim");
  json_t *slack = json_object_get (root, "slack");
  json_t *twilio = json_object_get (root, "twilio");

  if (json_is_integer (slack) && json_is_integer (twilio)
      && json_integer_value (slack) > 0 && json_integer_value (twilio) > 0) {
    s->slack_port = (int) json_integer_value (slack);
    s->twilio_port = (int) json_integer_value (twilio);
  }
  json_decref (root);
  return s->slack_port > 0;
}

bool
sr_slack_sim_start (struct sr_slack_sim *s, const char *bot_token,
                    const char *twilio_sid, const char *twilio_token,
                    const char *const *extra_args)
{
  const char *src = getenv ("SR_SOURCE_DIR");
  char script[4096];
  const char *argv[48];
  size_t n = 0;
  int out_fd;

  memset (s, 0, sizeof (*s));
#ifdef SR_SOURCE_DIR
  if (NULL == src)
    src = SR_SOURCE_DIR;
#endif
  if (NULL == src
      || (size_t) snprintf (script, sizeof (script),
                            "%s/tests/upstreams/slack_twilio.py", src)
         >= sizeof (script)) {
    fprintf (stderr, "slack_sim: SR_SOURCE_DIR is not set\n");
    return false;
  }
  argv[n++] = "python3";
  argv[n++] = script;
  argv[n++] = "--slack-port";
  argv[n++] = "0";
  argv[n++] = "--twilio-port";
  argv[n++] = "0";
  /* A NULL credential is left out: the simulator then takes it from its
   * environment or refuses to start. */
  if (NULL != bot_token) {
    argv[n++] = "--bot-token";
    argv[n++] = bot_token;
  }
  if (NULL != twilio_sid) {
    argv[n++] = "--twilio-sid";
    argv[n++] = twilio_sid;
  }
  if (NULL != twilio_token) {
    argv[n++] = "--twilio-token";
    argv[n++] = twilio_token;
  }
  for (size_t i = 0; NULL != extra_args && NULL != extra_args[i]; i++) {
    if (n + 1 >= sizeof (argv) / sizeof (argv[0])) {
      fprintf (stderr, "slack_sim: too many arguments\n");
      return false;
    }
    argv[n++] = extra_args[i];
  }
  argv[n] = NULL;
  s->pid = sr_th_spawn (argv, &out_fd);
  if (s->pid < 0) {
    s->pid = 0;
    return false;
  }
  (void) read_ports (out_fd, s);
  if (0 != close (out_fd))
    perror ("slack_sim: close");
  if (s->pid > 0 && 0 == s->slack_port)
    (void) sr_slack_sim_stop_status (s, SIGKILL);
  return s->slack_port > 0;
}

int
sr_slack_sim_stop_status (struct sr_slack_sim *s, int sig)
{
  int rc = sr_th_stop_child (s->pid, sig, SR_SLACK_SIM_STOP_TIMEOUT_S);

  s->pid = 0;
  s->slack_port = 0;
  s->twilio_port = 0;
  return rc;
}

void
sr_slack_sim_stop (struct sr_slack_sim *s)
{
  if (s->pid > 0)
    (void) sr_slack_sim_stop_status (s, SIGTERM);
}

bool
sr_slack_sim_post (int port, const char *path, const char *json, int *status)
{
  return sr_th_post_json (port, path, json, status, "slack_sim");
}

json_t *
sr_slack_sim_messages (int port)
{
  json_t *root = sr_th_get_json (port, "/_sim/messages");
  json_t *messages = json_object_get (root, "messages");

  messages = json_is_array (messages) ? json_incref (messages) : NULL;
  json_decref (root);
  return messages;
}

int
sr_slack_sim_request_count (int port)
{
  json_t *root = sr_th_get_json (port, "/_sim/requests");
  json_t *count = json_object_get (root, "count");
  int n = json_is_integer (count) ? (int) json_integer_value (count) : -1;

  json_decref (root);
  return n;
}

json_t *
sr_slack_sim_await_messages (int port, size_t at_least, double timeout_s)
{
  double deadline = sr_th_now () + timeout_s;
  json_t *messages = NULL;

  for (;;) {
    json_t *now = sr_slack_sim_messages (port);

    if (NULL != now) {
      json_decref (messages);
      messages = now;
      if (json_array_size (messages) >= at_least)
        break;
    }
    if (0 == sr_th_ms_until (deadline))
      break;
    (void) poll (NULL, 0, SR_SLACK_SIM_POLL_MS < sr_th_ms_until (deadline)
                          ? SR_SLACK_SIM_POLL_MS : sr_th_ms_until (deadline));
  }
  return messages;
}

void
sr_slack_sim_env (const struct sr_slack_sim *s, struct sr_th_env *env,
                  const char *bot_token, const char *twilio_sid,
                  const char *twilio_token, const char *from_number)
{
  char url[64];

  snprintf (url, sizeof (url), "http://127.0.0.1:%d/api", s->slack_port);
  sr_th_env_add (env, "SLACK_API_BASE_URL", url);
  sr_th_env_add (env, "SLACK_BOT_TOKEN", bot_token);
  snprintf (url, sizeof (url), "http://127.0.0.1:%d", s->twilio_port);
  sr_th_env_add (env, "TWILIO_BASE_URL", url);
  sr_th_env_add (env, "TWILIO_ACCOUNT_SID", twilio_sid);
  sr_th_env_add (env, "TWILIO_AUTH_TOKEN", twilio_token);
  sr_th_env_add (env, "TWILIO_FROM_NUMBER", from_number);
}
