/*
 * harness.h -- integration-test support: a real PostgreSQL, the real
 * signalroom binary, and raw HTTP.
 *
 * PostgreSQL: ctest's "pg" fixture starts a private cluster
 * (tests/tools/pgcluster.sh) and passes its state directory in
 * SR_TEST_PGDIR.  Each test creates its own database on it, so tests run
 * in parallel without sharing state.  A test that needs to stop and start
 * the server itself makes a private cluster with sr_th_cluster_*.
 *
 * The binary: sr_th_server_start() forks `signalroom serve` with an
 * explicit environment, reads its stderr on a thread (every line kept),
 * and waits -- on a condition variable, never a sleep -- for the
 * "listening" line to learn the port.  Tests can then wait for any log
 * line the same way.
 *
 * HTTP: requests are written byte for byte on a socket, so tests can send
 * what no well-behaved client would (invalid UTF-8, huge headers).
 */
#ifndef SR_TEST_HARNESS_H
#define SR_TEST_HARNESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>
#include <libpq-fe.h>

/* ---- PostgreSQL ---- */

/**
 * Create (drop first if present) database @a name on the fixture cluster.
 * @param[out] conninfo libpq key=value string for it
 * @return false with a message on stderr when there is no fixture (the
 *         caller then SR_SKIPs; under ctest the fixture always exists)
 */
bool sr_th_create_db (const char *name, char *conninfo, size_t len);

/** Connect to @a conninfo or abort the test binary with a message. */
PGconn *sr_th_pg (const char *conninfo);

/** Run @a sql and return the first column of the first row ("" if none;
 * static buffer, overwritten by the next call). */
const char *sr_th_pg_value (PGconn *c, const char *sql);

/** Poll @a sql until it returns "t" (true) or @a seconds pass. */
bool sr_th_pg_await_true (PGconn *c, const char *sql, double seconds);

/** A private cluster this test controls (state dir under the build). */
bool sr_th_cluster_start (const char *state_dir, char *conninfo, size_t len);
bool sr_th_cluster_stop (const char *state_dir);
void sr_th_cluster_destroy (const char *state_dir);

/* ---- the signalroom binary ---- */

struct sr_th_env {
  const char *vars[32];     /* "NAME=value", NULL-terminated */
  size_t n;
  char storage[31][1024];   /* owns the strings vars points at */
};

void sr_th_env_add (struct sr_th_env *env, const char *name,
                    const char *value);

struct sr_th_server {
  pid_t pid;
  int port;
  int stderr_fd;
  pthread_t reader;
  pthread_mutex_t lock;
  pthread_cond_t changed;
  char *log;                /* every line so far */
  size_t log_len;
  bool eof;
};

/**
 * Start `signalroom serve` with exactly @a env (plus PATH and TZDIR) and
 * wait up to 20 s for it to listen.  SIGNALROOM_LISTEN defaults to
 * 127.0.0.1:0.
 */
bool sr_th_server_start (struct sr_th_server *srv,
                         const struct sr_th_env *env);

/**
 * Start the binary with @a argv (argv[0] is the subcommand) in the
 * background, its stderr collected like a server's; no waiting.  Stop it
 * with sr_th_server_stop().
 */
bool sr_th_process_start (struct sr_th_server *srv,
                          const struct sr_th_env *env,
                          const char *const *argv);

/**
 * Wait until the log holds a line containing every one of the
 * NULL-terminated substrings, or @a timeout_ms passes.
 * @return the matching line (static buffer) or NULL
 */
const char *sr_th_server_wait_log (struct sr_th_server *srv,
                                   int timeout_ms, ...);

/** Count log lines containing @a needle. */
size_t sr_th_server_count_log (struct sr_th_server *srv,
                               const char *needle);

/** Copy of the whole log so far (caller frees). */
char *sr_th_server_log (struct sr_th_server *srv);

/**
 * Send @a sig, wait for exit (up to @a timeout_ms; then SIGKILL).
 * Returns false (and prints the log) when the process did not exit in
 * time or its log holds a sanitizer report.
 * @param[out] exit_code  exit status, or 128+signal
 * @param[out] seconds    time from the signal to the exit
 */
bool sr_th_server_stop (struct sr_th_server *srv, int sig, int timeout_ms,
                        int *exit_code, double *seconds);

/**
 * Run the binary with @a argv (argv[0] is the subcommand) and @a env,
 * capture stdout and stderr, wait for it.  @return its exit status, or
 * 99 when stderr holds a sanitizer report (printed).
 */
int sr_th_run (const struct sr_th_env *env, const char *const *argv,
               char **out, char **err);

/**
 * Start @a argv (argv[0] looked up in PATH) as a child that dies with the
 * test (PR_SET_PDEATHSIG), its stdout into a pipe whose read end (close-on-
 * exec) goes to *@a stdout_fd, its stderr dropped unless SR_TEST_VERBOSE
 * is set: how a test runs a simulator that announces its port on stdout.
 * @return the child's pid, or -1 (message on stderr)
 */
pid_t sr_th_spawn (const char *const *argv, int *stdout_fd);

/**
 * Send @a sig to child @a pid and reap it, SIGKILL after @a timeout_s.
 * @return its exit status, 128 + signal when killed, -1 on error
 */
int sr_th_stop_child (pid_t pid, int sig, double timeout_s);

/**
 * The first stdout line of a spawned simulator (sr_th_spawn's @a fd), as
 * JSON: its ports.  Waits up to @a timeout_s.  @return a new reference, or
 * NULL ("@a who: did not start" and the line on stderr)
 */
json_t *sr_th_read_first_json (int fd, double timeout_s, const char *who);

/**
 * POST @a json to a simulator.  A control call (/_sim/...) that fails is
 * told on stderr, as "@a who: POST path -> status body".
 * @param[out] status  the HTTP status, 0 when none came (may be NULL)
 * @return true on 200
 */
bool sr_th_post_json (int port, const char *path, const char *json,
                      int *status, const char *who);

/** GET @a target; its body (caller frees) when it was a 200, else NULL. */
char *sr_th_get_body (int port, const char *target);

/** GET @a target; its JSON answer (a new reference) when it was a 200,
 * else NULL. */
json_t *sr_th_get_json (int port, const char *target);

/** Milliseconds from now to @a deadline (sr_th_now seconds), at least 0. */
int sr_th_ms_until (double deadline);

/** Poll GET /readyz on @a port until 200 or @a seconds pass. */
bool sr_th_await_ready (int port, double seconds);

/* ---- HTTP ---- */

struct sr_th_response {
  int status;               /* 0: no parseable response */
  char *head;               /* status line and headers */
  char *body;
  size_t body_len;
};

/**
 * Send @a raw (a complete request) to 127.0.0.1:@a port, read the whole
 * response (the request should say Connection: close).
 */
bool sr_th_http_raw (int port, const char *raw, size_t len,
                     struct sr_th_response *resp);

/**
 * Build and send a request.  @a headers is "Name: value\r\n"... or NULL;
 * a Content-Length is added when @a body is not NULL.
 */
bool sr_th_http (int port, const char *method, const char *target,
                 const char *headers, const char *body, size_t body_len,
                 struct sr_th_response *resp);

/**
 * One JSON API call: `Authorization: Bearer @a token` unless NULL, a JSON
 * body unless NULL.
 * @param[out] out  the answer parsed (NULL when it is not JSON); may be NULL
 * @return the HTTP status, -1 when no answer came
 */
int sr_th_api (int port, const char *token, const char *method,
               const char *target, const char *json_body, json_t **out);

/** @return header @a name's value (static buffer) or NULL. */
const char *sr_th_header (const struct sr_th_response *resp,
                          const char *name);

void sr_th_response_clean (struct sr_th_response *resp);

/* ---- tokens ---- */

/**
 * Mint an HS256 token: role, aud, exp = now + @a exp_in (seconds), sub.
 * @a role or @a aud NULL omits the claim.  Caller frees.
 */
char *sr_th_jwt (const char *secret, const char *role, const char *aud,
                 long exp_in);

/**
 * The migrations in the source tree: how many, and the newest version
 * (from the NNNN_ prefix).  Tests compare against these so adding a
 * migration does not mean editing them.
 */
int sr_th_migrations (int *latest_version);

/** Path of the binary under test (SR_BINARY). */
const char *sr_th_binary (void);

/** Monotonic seconds. */
double sr_th_now (void);

#endif /* SR_TEST_HARNESS_H */
