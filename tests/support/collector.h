/*
 * collector.h -- run the OTLP/HTTP JSON trace collector simulator
 * (tests/upstreams/otlp_collector.py) from a C test and read back the
 * spans it received.  See tests/upstreams/README.md for what it does.
 *
 * The script is found through SR_SOURCE_DIR (ctest sets it); python3
 * comes from PATH.  Its stderr (one line per export, no header values)
 * is dropped unless SR_TEST_VERBOSE is set, like the other simulator's.
 */
#ifndef SR_TEST_COLLECTOR_H
#define SR_TEST_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

struct sr_otlp {
  pid_t pid;
  int port;
};

/**
 * Start the collector on a free port of 127.0.0.1 and wait (poll, 15 s
 * at most) for its port line.
 * @param extra_args more arguments, NULL-terminated (e.g. { "--require-header",
 *        "Authorization=Bearer t", NULL }), or NULL
 * @return false with a message on stderr when it did not come up
 */
bool sr_otlp_start (struct sr_otlp *c, const char *const *extra_args);

/** SIGTERM and wait; safe on a never-started or stopped @a c. */
void sr_otlp_stop (struct sr_otlp *c);

/**
 * Send @a sig, wait up to 10 s (then SIGKILL).
 * @return the exit status, 128 + signal when killed, -1 when not running
 */
int sr_otlp_stop_status (struct sr_otlp *c, int sig);

struct sr_th_env;

/** Point a signalroom at the collector: OTEL_EXPORTER_OTLP_ENDPOINT. */
void sr_otlp_env (const struct sr_otlp *c, struct sr_th_env *env);

/**
 * POST @a json (Content-Type: application/json) to @a path, a control
 * path such as "/_sim/faults" or "/v1/traces" itself.
 * @param[out] status HTTP status, 0 when no response (may be NULL)
 * @return true when the answer was 200 (a control call that was not is
 *         reported on stderr with the collector's message)
 */
bool sr_otlp_post (const struct sr_otlp *c, const char *path,
                   const char *json, int *status);

/**
 * The recorded spans (GET /_sim/spans), in arrival order.
 * @param trace_id only this trace's spans, or NULL for all
 * @return the "spans" array (new reference) or NULL on error
 */
json_t *sr_otlp_spans (const struct sr_otlp *c, const char *trace_id);

/**
 * @param[out] accepted exports answered 200 (may be NULL)
 * @return /v1/traces requests received, faulted ones included, or -1
 */
int sr_otlp_request_count (const struct sr_otlp *c, int *accepted);

/**
 * Poll (every 50 ms) until at least @a at_least spans of @a trace_id
 * (NULL: of any trace) are recorded or @a timeout_s passes.
 * @return the last "spans" array read (new reference; shorter than
 *         @a at_least on timeout), NULL when the collector never answered
 */
json_t *sr_otlp_await_spans (const struct sr_otlp *c, const char *trace_id,
                             size_t at_least, double timeout_s);

#endif /* SR_TEST_COLLECTOR_H */
