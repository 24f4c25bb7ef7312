/*
 * upstreams.h -- run the Everflow/Redtrack simulator
 * (tests/upstreams/simulator.py) from a C test and talk to its control
 * API.  See tests/upstreams/README.md for what the simulator does.
 *
 * The simulator is found through SR_SOURCE_DIR (ctest sets it); python3
 * comes from PATH.  Its stderr (one line per request, keys masked) goes
 * to the test's stderr, so ctest --output-on-failure shows it.
 */
#ifndef SR_TEST_UPSTREAMS_H
#define SR_TEST_UPSTREAMS_H

#include <stdbool.h>
#include <sys/types.h>

struct sr_sim {
  pid_t pid;
  int everflow_port;
  int redtrack_port;
};

/**
 * Start the simulator on two free ports of 127.0.0.1 with demo data
 * (seed 42) and wait (poll, 15 s at most) for its port line.
 * @return false with a message on stderr when it did not come up
 */
bool sr_sim_start (struct sr_sim *sim, const char *everflow_key,
                   const char *redtrack_key);

/**
 * Like sr_sim_start() with more command-line arguments, e.g.
 * { "--data", "empty", NULL } or { "--seed", "7", NULL }.
 * @param extra NULL-terminated, or NULL
 */
bool sr_sim_start_with (struct sr_sim *sim, const char *everflow_key,
                        const char *redtrack_key, const char *const *extra);

struct sr_th_env;

/** Point a signalroom at the simulator: both API keys and base URLs, and
 * no Redtrack pacing beyond the simulator's own limit (it is local). */
void sr_sim_env (const struct sr_sim *sim, struct sr_th_env *env,
                 const char *everflow_key, const char *redtrack_key);

/** SIGTERM and wait; safe on a never-started or stopped @a sim. */
void sr_sim_stop (struct sr_sim *sim);

/**
 * SIGTERM, wait up to 10 s (then SIGKILL).
 * @return the exit status, 128 + signal when killed, -1 when not running
 */
int sr_sim_stop_status (struct sr_sim *sim, int sig);

/**
 * POST @a json to control path @a path (e.g. "/_sim/faults").
 * @param[out] status HTTP status, 0 when no response (may be NULL)
 * @return true when the answer was 200
 */
bool sr_sim_post (int port, const char *path, const char *json,
                  int *status);

/** GET @a path; @return the body of a 200 answer (caller frees) or NULL. */
char *sr_sim_get (int port, const char *path);

/** @return "count" of GET /_sim/requests, or -1 on error. */
int sr_sim_request_count (int port);

#endif /* SR_TEST_UPSTREAMS_H */
