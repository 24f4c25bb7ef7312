/*
 * upstream.h -- the one way signalroom calls an upstream HTTP API.
 *
 * One struct sr_upstream wraps one libcurl easy handle (connections are
 * kept alive between calls) and belongs to one thread.  sr_upstream_fetch()
 * applies the whole policy in one place:
 *   - timeouts (SIGNALROOM_UPSTREAM_TIMEOUT), no redirects, http(s) only;
 *   - a ceiling on the response size, enforced while it streams in;
 *   - retries (SIGNALROOM_UPSTREAM_ATTEMPTS in all) on network errors,
 *     timeouts, 408, 429 and 5xx, with exponential backoff and jitter;
 *     a Retry-After header wins over the backoff;
 *   - any other 4xx fails at once (a bad key will not get better);
 *   - optional pacing, for APIs with a requests-per-minute limit;
 *   - an optional stop flag (sr_upstream_set_stop): once it is non-zero no
 *     request starts, a transfer in progress aborts (libcurl's progress
 *     callback, called about once a second even while nothing arrives),
 *     and back-off and pacing waits end early.
 * Error messages name the upstream, the redacted URL, the status and an
 * excerpt of the body.  URLs are redacted (api_key=REDACTED) before they
 * reach a log line or an error; header values are never logged.
 */
#ifndef SR_UPSTREAM_H
#define SR_UPSTREAM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "buf.h"
#include "config.h"
#include "upstream_stats.h"
#include "status.h"

struct sr_upstream;

/** Spaces requests @a interval apart (requests-per-minute limits). */
struct sr_pacer {
  uint64_t interval_us;
  uint64_t next_us;
};

void sr_pacer_init (struct sr_pacer *p, unsigned long per_minute);

struct sr_upstream_request {
  const char *name;               /* "everflow": for messages */
  const char *method;             /* "GET" or "POST" */
  const char *url;                /* may hold a secret in its query */
  const char *const *headers;     /* "Name: value", NULL-terminated */
  const char *body;               /* POST body, NUL-terminated, or NULL */
  size_t max_response;            /* bytes */
  struct sr_pacer *pacer;         /* NULL: no pacing */
  unsigned int attempts;          /* 0: SIGNALROOM_UPSTREAM_ATTEMPTS; 1 for
                                   * a request that must not be repeated
                                   * blindly (a message that may have
                                   * arrived although no answer came) */
  bool secret_url;                /* the URL itself is a credential (a
                                   * Slack response_url): it never reaches
                                   * a log line, a span or an error */
};

struct sr_upstream_response {
  long status;
  struct sr_buf body;             /* released by sr_upstream_response_clean */
};

/** A client for this thread (never NULL: out of memory aborts). */
struct sr_upstream *sr_upstream_new (const struct sr_config *cfg);

void sr_upstream_free (struct sr_upstream *u);

/** Watch @a stop (borrowed; NULL: never stop) from now on. */
void sr_upstream_set_stop (struct sr_upstream *u, const atomic_int *stop);

/** @return true when @a stop (may be NULL) says stop. */
bool sr_stop_requested (const atomic_int *stop);

/**
 * Sleep @a us microseconds, or less when @a stop (may be NULL) turns
 * non-zero meanwhile (looked at every 100 ms).
 * @return false when it ended because of @a stop
 */
bool sr_sleep_unless_stopped (uint64_t us, const atomic_int *stop);

/** libcurl's CURLOPT_XFERINFOFUNCTION that aborts a transfer once the
 * flag in @a cls (a const atomic_int *, may be NULL) is non-zero. */
int sr_upstream_on_progress (void *cls, curl_off_t dltotal,
                             curl_off_t dlnow, curl_off_t ultotal,
                             curl_off_t ulnow);

/**
 * Perform @a rq with the retry policy.  On SR_OK the response is 2xx.
 * @param[in,out] res  requests and retries are counted here
 * @param[out] err     on failure, one line (upstream, URL, status, body)
 * @return SR_OK, SR_E_UPSTREAM (gave up or refused), SR_E_TOO_LARGE
 */
enum sr_status sr_upstream_fetch (struct sr_upstream *u,
                                  const struct sr_upstream_request *rq,
                                  struct sr_upstream_response *resp,
                                  struct sr_upstream_stats *stats, char *err,
                                  size_t errlen);

void sr_upstream_response_clean (struct sr_upstream_response *resp);

/**
 * The wait before retry @a attempt (1-based): SIGNALROOM_UPSTREAM_BACKOFF_MS
 * doubling per attempt, at most 60 s, plus up to 25% jitter so callers
 * that failed together do not retry together.
 */
uint64_t sr_upstream_backoff_us (const struct sr_config *cfg,
                                 unsigned int attempt);

/** A printable one-line excerpt of a response body, for messages. */
void sr_upstream_excerpt (const struct sr_buf *b, char *out, size_t len);

/** Sleep @a us microseconds (restarting after signals). */
void sr_sleep_us (uint64_t us);

/**
 * Count one request to @a upstream in the metrics (metrics.h): its status
 * class (@a status 0: no HTTP answer), and a retry when @a attempt > 1.
 */
void sr_upstream_note_request (const char *upstream, long status,
                               unsigned int attempt);

struct sr_span;

/**
 * Begin @a span, the client span of one HTTP attempt (trace.h's
 * sr_span_begin): the semantic conventions' method, url.full (@a url, with
 * any key already redacted), server.address and server.port (from @a url),
 * and http.request.resend_count from the second @a attempt on.
 */
void sr_upstream_span_begin (struct sr_span *span, const char *upstream,
                             const char *method, const char *url,
                             unsigned int attempt);

/**
 * End @a span: the answer's @a status (0: none) and, when @a failed,
 * error status with error.type -- the status code, or for no answer
 * "timeout" or libcurl's text for @a rc.
 */
void sr_upstream_span_end (struct sr_span *span, long status, CURLcode rc,
                           bool failed);

/** Count @a us waited before a request to @a upstream (pacing,
 * Retry-After, back-off). */
void sr_upstream_note_wait (const char *upstream, uint64_t us);

#endif /* SR_UPSTREAM_H */
