/*
 * upstream.c -- see upstream.h.
 */
#include "upstream.h"
#include "backoff.h"
#include "log.h"
#include "mem.h"
#include "metrics.h"
#include "trace.h"
#include "clock.h"
#include "version.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Retry-After beyond this is treated as "not today": fail instead of
 * holding a worker for longer. */
#define RETRY_AFTER_MAX_S 300
#define BACKOFF_MAX_US (60ull * 1000000ull)

struct sr_upstream {
  CURL *curl;
  const struct sr_config *cfg;
  const atomic_int *stop;         /* borrowed; NULL: never */
};

/* How often a stoppable wait looks at its flag. */
#define STOP_POLL_US 100000u

struct transfer {
  struct sr_buf *body;
  bool too_large;
  double retry_after_s;           /* < 0: none */
};

void
sr_sleep_us (uint64_t us)
{
  struct timespec ts = { .tv_sec = (time_t) (us / 1000000u),
                         .tv_nsec = (long) (us % 1000000u) * 1000L };

  while (0 != nanosleep (&ts, &ts) && EINTR == errno)
    ;
}

bool
sr_stop_requested (const atomic_int *stop)
{
  return NULL != stop && 0 != atomic_load (stop);
}

bool
sr_sleep_unless_stopped (uint64_t us, const atomic_int *stop)
{
  /* The flag is set by another thread that has no way to wake this one
   * (it is a plain atomic, shared with libcurl's progress callback), so
   * the wait looks at it in short steps. */
  while (us > 0) {
    uint64_t step = us < STOP_POLL_US ? us : STOP_POLL_US;

    if (sr_stop_requested (stop))
      return false;
    sr_sleep_us (step);
    us -= step;
  }
  return !sr_stop_requested (stop);
}

int
sr_upstream_on_progress (void *cls, curl_off_t dltotal, curl_off_t dlnow,
                         curl_off_t ultotal, curl_off_t ulnow)
{
  (void) dltotal;
  (void) dlnow;
  (void) ultotal;
  (void) ulnow;
  return sr_stop_requested (cls) ? 1 : 0;   /* 1: CURLE_ABORTED_BY_CALLBACK */
}

void
sr_upstream_set_stop (struct sr_upstream *u, const atomic_int *stop)
{
  u->stop = stop;
}

void
sr_pacer_init (struct sr_pacer *p, unsigned long per_minute)
{
  p->interval_us = per_minute ? 60000000ull / per_minute : 0;
  p->next_us = 0;
}

void
sr_upstream_note_request (const char *upstream, long status,
                          unsigned int attempt)
{
  const char *values[] = { upstream, sr_metrics_status_class (status) };

  sr_metric_add (&sr_m_upstream_requests, values, 1);
  if (attempt > 1)
    sr_metric_add (&sr_m_upstream_retries, values, 1);
}

void
sr_upstream_note_wait (const char *upstream, uint64_t us)
{
  sr_metric_add (&sr_m_upstream_wait, (const char *[]) { upstream }, us);
}

static void
pacer_wait (struct sr_pacer *p, const char *upstream, const atomic_int *stop)
{
  uint64_t now;

  if (NULL == p || 0 == p->interval_us)
    return;
  now = sr_now_us ();
  if (p->next_us > now) {
    sr_upstream_note_wait (upstream, p->next_us - now);
    (void) sr_sleep_unless_stopped (p->next_us - now, stop);
  }
  now = sr_now_us ();
  p->next_us = (p->next_us > now ? p->next_us : now) + p->interval_us;
}

struct sr_upstream *
sr_upstream_new (const struct sr_config *cfg)
{
  struct sr_upstream *u = sr_xcalloc (1, sizeof (*u));

  u->cfg = cfg;
  u->curl = curl_easy_init ();
  if (NULL == u->curl) {
    sr_log (SR_LOG_ERROR, "curl_easy_init failed", NULL);
    abort (); /* only fails when out of memory: the mem.h policy */
  }
  return u;
}

void
sr_upstream_free (struct sr_upstream *u)
{
  if (NULL == u)
    return;
  curl_easy_cleanup (u->curl);
  free (u);
}

void
sr_upstream_response_clean (struct sr_upstream_response *resp)
{
  sr_buf_clean (&resp->body);
  resp->status = 0;
}

static size_t
on_body (char *data, size_t size, size_t nmemb, void *cls)
{
  struct transfer *t = cls;
  size_t n = size * nmemb;

  if (SR_OK != sr_buf_append (t->body, data, n)) {
    t->too_large = true;
    return 0; /* makes curl stop with CURLE_WRITE_ERROR */
  }
  return n;
}

static size_t
on_header (char *data, size_t size, size_t nmemb, void *cls)
{
  struct transfer *t = cls;
  size_t n = size * nmemb;

  if (n > 12 && 0 == strncasecmp (data, "Retry-After:", 12)) {
    char value[64];
    size_t len = n - 12;
    char *end;
    double secs;

    if (len >= sizeof (value))
      len = sizeof (value) - 1;
    memcpy (value, data + 12, len);
    value[len] = '\0';
    errno = 0;
    secs = strtod (value, &end);
    while (' ' == *end || '\r' == *end || '\n' == *end)
      end++;
    if (0 == errno && '\0' == *end && secs >= 0) {
      t->retry_after_s = secs;
    } else {
      time_t when = curl_getdate (value, NULL);  /* an HTTP-date */

      if (when > 0)
        t->retry_after_s = difftime (when, sr_wall_now ()) > 0
                           ? difftime (when, sr_wall_now ()) : 0;
    }
  }
  return n;
}

void
sr_upstream_excerpt (const struct sr_buf *b, char *out, size_t len)
{
  size_t o = 0;

  for (size_t i = 0; i < b->len && o + 1 < len && i < 300; i++) {
    unsigned char c = (unsigned char) b->data[i];

    out[o++] = (c >= 0x20 && c < 0x7f) ? (char) c : ' ';
  }
  out[o] = '\0';
}

uint64_t
sr_upstream_backoff_us (const struct sr_config *cfg, unsigned int attempt)
{
  const struct sr_backoff b = {
    .base_us = (uint64_t) cfg->upstream_backoff_ms * 1000u,
    .max_us = BACKOFF_MAX_US,
  };

  return sr_backoff_delay_us (&b, attempt, 0, sr_backoff_jitter ());
}

static bool
retryable_status (long status)
{
  return 408 == status || 429 == status || status >= 500;
}

/* The request's headers, and a traceparent naming the current span (the
 * attempt's) so the upstream's traces can join ours. */
static struct curl_slist *
make_headers (const struct sr_upstream_request *rq, bool *oom_out)
{
  char tp[SR_TRACEPARENT_LEN + 1], line[SR_TRACEPARENT_LEN + 16];
  struct curl_slist *hdrs = NULL;
  bool oom = false;

  for (const char *const *h = rq->headers; !oom && NULL != h && NULL != *h;
       h++) {
    struct curl_slist *n = curl_slist_append (hdrs, *h);

    oom = NULL == n;
    hdrs = oom ? hdrs : n;
  }
  sr_trace_outgoing (tp);
  if (!oom && '\0' != tp[0]) {
    struct curl_slist *n;

    snprintf (line, sizeof (line), "traceparent: %s", tp);
    n = curl_slist_append (hdrs, line);
    oom = NULL == n;
    hdrs = oom ? hdrs : n;
  }
  *oom_out = oom;
  if (oom) {
    curl_slist_free_all (hdrs);
    return NULL;
  }
  return hdrs;
}

void
sr_upstream_span_begin (struct sr_span *span, const char *upstream,
                        const char *method, const char *url,
                        unsigned int attempt)
{
  /* no URL to take apart when nothing is traced */
  CURLU *h = sr_trace_enabled () ? curl_url () : NULL;
  char *host = NULL, *port = NULL;

  sr_span_begin (span, method, SR_SPAN_CLIENT);
  sr_span_set_str (span, "http.request.method", method);
  sr_span_set_str (span, "url.full", url);
  sr_span_set_str (span, "signalroom.upstream", upstream);
  /* server.address and server.port are required on HTTP client spans */
  if (NULL != h && CURLUE_OK == curl_url_set (h, CURLUPART_URL, url, 0)
      && CURLUE_OK == curl_url_get (h, CURLUPART_HOST, &host, 0)
      && CURLUE_OK == curl_url_get (h, CURLUPART_PORT, &port,
                                    CURLU_DEFAULT_PORT)) {
    sr_span_set_str (span, "server.address", host);
    sr_span_set_int (span, "server.port", strtol (port, NULL, 10));
  }
  curl_free (host);
  curl_free (port);
  curl_url_cleanup (h);
  if (attempt > 1)
    sr_span_set_int (span, "http.request.resend_count", attempt - 1);
}

void
sr_upstream_span_end (struct sr_span *span, long status, CURLcode rc,
                      bool failed)
{
  char code[24];

  if (status > 0)
    sr_span_set_int (span, "http.response.status_code", status);
  sr_span_set_error (span, failed);
  if (failed) {
    if (status > 0)
      snprintf (code, sizeof (code), "%ld", status);
    sr_span_set_str (span, "error.type",
                     status > 0 ? code
                     : CURLE_OPERATION_TIMEDOUT == rc ? "timeout"
                     : curl_easy_strerror (rc));
  }
  sr_span_finish (span);
}

enum sr_status
sr_upstream_fetch (struct sr_upstream *u,
                   const struct sr_upstream_request *rq,
                   struct sr_upstream_response *resp,
                   struct sr_upstream_stats *stats, char *err, size_t errlen)
{
  const struct sr_config *cfg = u->cfg;
  struct curl_slist *hdrs = NULL;
  char safe_url[1024];
  char user_agent[64];
  char why[512] = "";
  enum sr_status st = SR_E_UPSTREAM;
  unsigned int attempts = rq->attempts > 0
                          ? rq->attempts : (unsigned int) cfg->upstream_attempts;
  unsigned int made = 0;
  bool transient = false;     /* the last failure may pass with time */
  struct sr_span span;
  bool oom = false;
  double last_retry_after = 0;

  if (errlen > 0)
    err[0] = '\0';
  if (rq->secret_url)
    snprintf (safe_url, sizeof (safe_url), "(a secret URL)");
  else
    sr_log_redact_url (rq->url, safe_url, sizeof (safe_url));
  snprintf (user_agent, sizeof (user_agent), "signalroom/%s", SR_VERSION);
  sr_buf_init (&resp->body, rq->max_response);
  resp->status = 0;
  for (unsigned int attempt = 1; attempt <= attempts; attempt++) {
    struct transfer t = { .body = &resp->body, .retry_after_s = -1 };
    CURLcode rc;
    uint64_t wait_us;

    pacer_wait (rq->pacer, rq->name, u->stop);
    if (sr_stop_requested (u->stop)) {
      snprintf (why, sizeof (why), "stopped (the job was cancelled or "
                "lost its lease)");
      transient = false;
      break;
    }
    sr_buf_reset (&resp->body);
    /* One client span per attempt; the upstream sees it as our parent. */
    sr_upstream_span_begin (&span, rq->name, rq->method, safe_url, attempt);
    curl_slist_free_all (hdrs);
    hdrs = make_headers (rq, &oom);
    if (oom) {
      sr_span_finish (&span);
      snprintf (err, errlen, "%s: out of memory building headers", rq->name);
      return SR_E_INTERNAL;
    }
    curl_easy_reset (u->curl);
    curl_easy_setopt (u->curl, CURLOPT_URL, rq->url);
    curl_easy_setopt (u->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt (u->curl, CURLOPT_TIMEOUT, (long) cfg->upstream_timeout_s);
    curl_easy_setopt (u->curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt (u->curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt (u->curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt (u->curl, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt (u->curl, CURLOPT_USERAGENT, user_agent);
    curl_easy_setopt (u->curl, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt (u->curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt (u->curl, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt (u->curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt (u->curl, CURLOPT_HEADERDATA, &t);
    if (NULL != u->stop) {
      curl_easy_setopt (u->curl, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt (u->curl, CURLOPT_XFERINFOFUNCTION,
                        sr_upstream_on_progress);
      curl_easy_setopt (u->curl, CURLOPT_XFERINFODATA, u->stop);
    }
    if (0 == strcmp (rq->method, "POST")) {
      curl_easy_setopt (u->curl, CURLOPT_POST, 1L);
      curl_easy_setopt (u->curl, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
    }
    made = attempt;
    stats->requests++;
    if (attempt > 1)
      stats->retries++;
    rc = curl_easy_perform (u->curl);
    curl_easy_getinfo (u->curl, CURLINFO_RESPONSE_CODE, &resp->status);
    sr_upstream_note_request (rq->name, CURLE_OK == rc ? resp->status : 0,
                              attempt);
    sr_upstream_span_end (&span, CURLE_OK == rc ? resp->status : 0, rc,
                          CURLE_OK != rc || resp->status < 200
                          || resp->status >= 400);
    if (t.too_large) {
      snprintf (err, errlen, "%s: response from %s %s is over %zu bytes",
                rq->name, rq->method, safe_url, rq->max_response);
      st = SR_E_UPSTREAM;
      break;
    }
    transient = false;
    if (CURLE_ABORTED_BY_CALLBACK == rc) {
      snprintf (why, sizeof (why), "stopped during the transfer (the job "
                "was cancelled or lost its lease)");
      break;
    }
    if (CURLE_OK != rc) {
      snprintf (why, sizeof (why), "%s", curl_easy_strerror (rc));
      transient = true;
    } else if (resp->status >= 200 && resp->status < 300) {
      st = SR_OK;
      break;
    } else {
      char body[320];

      sr_upstream_excerpt (&resp->body, body, sizeof (body));
      snprintf (why, sizeof (why), "HTTP %ld: %s", resp->status, body);
      if (!retryable_status (resp->status))
        break;
      transient = true;
      last_retry_after = t.retry_after_s > 0 ? t.retry_after_s : 0;
      if (429 == resp->status && t.retry_after_s > RETRY_AFTER_MAX_S) {
        snprintf (why, sizeof (why), "HTTP 429 with Retry-After %.0f s",
                  t.retry_after_s);
        break;
      }
    }
    if (attempt == attempts)
      break;
    wait_us = t.retry_after_s >= 0
              ? (uint64_t) (t.retry_after_s * 1e6) : sr_upstream_backoff_us (cfg, attempt);
    sr_log (SR_LOG_WARN, "upstream request failed, retrying",
            "{s:s, s:s, s:s, s:i, s:I}", "upstream", rq->name, "url",
            safe_url, "error", why, "attempt", (int) attempt, "retry_in_ms",
            (json_int_t) (wait_us / 1000));
    sr_upstream_note_wait (rq->name, wait_us);
    if (!sr_sleep_unless_stopped (wait_us, u->stop)) {
      snprintf (why, sizeof (why), "stopped while waiting to retry (the "
                "job was cancelled or lost its lease)");
      transient = false;
      break;
    }
  }
  curl_slist_free_all (hdrs);
  if (SR_OK != st) {
    /* Tell the job queue whether a later attempt may succeed. */
    stats->retryable = transient;
    stats->retry_after_s = last_retry_after;
  }
  if (SR_OK != st && '\0' == err[0])
    snprintf (err, errlen, "%s: %s %s failed after %u attempt(s): %s",
              rq->name, rq->method, safe_url, made, why);
  return st;
}

/* end of upstream.c */
