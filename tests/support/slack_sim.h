/*
 * slack_sim.h -- run the Slack and Twilio simulator
 * (tests/upstreams/slack_twilio.py) from a C test and read back the
 * messages it accepted.  See tests/upstreams/README.md for what it does.
 *
 * One process serves two ports: Slack's Web API (chat.postMessage,
 * conversations.history, auth.test) and response_url endpoints on one, Twilio's Messages API on
 * the other; each port has its own control API under /_sim/.  The script
 * is found through SR_SOURCE_DIR (ctest sets it); python3 comes from
 * PATH.  Its stderr (one line per API request, no token or header value)
 * is dropped unless SR_TEST_VERBOSE is set, like the other simulators'.
 */
#ifndef SR_TEST_SLACK_SIM_H
#define SR_TEST_SLACK_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

struct sr_slack_sim {
  pid_t pid;
  int slack_port;
  int twilio_port;
};

/**
 * Start the simulator on two free ports of 127.0.0.1 and wait (poll, 15 s
 * at most) for its port line.
 * @param bot_token the Bearer token Slack's Web API requires
 * @param twilio_sid, twilio_token Twilio's basic-auth credentials (the
 *        SID is also the account in the Messages path)
 * @param extra_args more arguments, NULL-terminated, or NULL
 * @return false with a message on stderr when it did not come up
 */
bool sr_slack_sim_start (struct sr_slack_sim *s, const char *bot_token,
                         const char *twilio_sid, const char *twilio_token,
                         const char *const *extra_args);

/** SIGTERM and wait; safe on a never-started or stopped @a s. */
void sr_slack_sim_stop (struct sr_slack_sim *s);

/**
 * Send @a sig, wait up to 10 s (then SIGKILL).
 * @return the exit status, 128 + signal when killed, -1 when not running
 */
int sr_slack_sim_stop_status (struct sr_slack_sim *s, int sig);

/**
 * POST @a json (Content-Type: application/json) to @a path on @a port
 * (s.slack_port or s.twilio_port), e.g. "/_sim/faults".
 * @param[out] status HTTP status, 0 when no response (may be NULL)
 * @return true when the answer was 200 (a control call that was not is
 *         reported on stderr with the simulator's message)
 */
bool sr_slack_sim_post (int port, const char *path, const char *json,
                        int *status);

/**
 * Every message the service on @a port accepted (GET /_sim/messages), in
 * arrival order.
 * @return the "messages" array (new reference) or NULL on error
 */
json_t *sr_slack_sim_messages (int port);

/** @return "count" of GET /_sim/requests on @a port (every API request,
 *          faulted and refused ones included), or -1 on error. */
int sr_slack_sim_request_count (int port);

/**
 * Poll (every 50 ms) until the service on @a port has accepted at least
 * @a at_least messages or @a timeout_s passes.
 * @return the last "messages" array read (new reference; shorter than
 *         @a at_least on timeout), NULL when the simulator never answered
 */
json_t *sr_slack_sim_await_messages (int port, size_t at_least,
                                     double timeout_s);

struct sr_th_env;

/**
 * Point signalroom at @a s: SLACK_API_BASE_URL and TWILIO_BASE_URL, the
 * bot token, Twilio's SID, token and @a from_number (E.164).
 */
void sr_slack_sim_env (const struct sr_slack_sim *s, struct sr_th_env *env,
                       const char *bot_token, const char *twilio_sid,
                       const char *twilio_token, const char *from_number);

#endif /* SR_TEST_SLACK_SIM_H */
