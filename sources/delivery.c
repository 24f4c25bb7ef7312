/*
 * delivery.c -- see delivery.h.
 */
#include "delivery.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* What a post answers is small (Slack echoes the message). */
#define POST_MAX_RESPONSE (256u * 1024u)

void
sr_delivery_clean (struct sr_delivery *d)
{
  json_decref (d->response);
  memset (d, 0, sizeof (*d));
}

void
sr_delivery_fail (struct sr_delivery *d, enum sr_delivery_result result,
                  const char *fmt, ...)
{
  va_list ap;

  d->result = result;
  va_start (ap, fmt);
  vsnprintf (d->error, sizeof (d->error), fmt, ap);
  va_end (ap);
}

void
sr_delivery_from_response (struct sr_delivery *d, const char *what,
                           const struct sr_upstream_response *resp,
                           const struct sr_upstream_stats *stats,
                           const char *fetch_err, bool doubt_5xx)
{
  long status = resp->status;
  double retry_after_s = stats->retry_after_s;
  char excerpt[320];
  const char *detail = excerpt;

  sr_upstream_excerpt (&resp->body, excerpt, sizeof (excerpt));
  if (0 == status)
    detail = NULL != fetch_err ? fetch_err
                               : "the connection failed or timed out";
  d->retry_after_s = retry_after_s > 0 ? retry_after_s : 0;
  if (0 == status) {
    /* The request may have reached the upstream before the connection
     * broke or the time ran out. */
    d->in_doubt = true;
    sr_delivery_fail (d, SR_DELIVERY_RETRY, "%s: no answer: %s", what,
                      detail);
  } else if (429 == status || 408 == status) {
    sr_delivery_fail (d, SR_DELIVERY_RETRY, "%s: HTTP %ld: %s", what, status,
                      detail);
  } else if (status >= 500) {
    d->in_doubt = doubt_5xx;
    sr_delivery_fail (d, SR_DELIVERY_RETRY, "%s: HTTP %ld: %s", what, status,
                      detail);
  } else {
    sr_delivery_fail (d, SR_DELIVERY_PERMANENT, "%s: HTTP %ld: %s", what,
                      status, detail);
  }
}

enum sr_status
sr_delivery_post (struct sr_upstream *u, const char *name, const char *url,
                  bool secret_url, const char *const *headers,
                  const char *body,
                  struct sr_upstream_response *resp,
                  struct sr_upstream_stats *stats, char *err, size_t errlen)
{
  const struct sr_upstream_request rq = {
    .name = name, .method = "POST", .url = url, .headers = headers,
    .body = body, .max_response = POST_MAX_RESPONSE, .attempts = 1,
    .secret_url = secret_url,
  };

  return sr_upstream_fetch (u, &rq, resp, stats, err, errlen);
}

json_t *
sr_delivery_get_json (struct sr_upstream *u, const char *name,
                      const char *url, const char *const *headers, char *err,
                      size_t errlen)
{
  const struct sr_upstream_request rq = {
    .name = name, .method = "GET", .url = url, .headers = headers,
    .max_response = SR_DELIVERY_MAX_RESPONSE,
  };
  struct sr_upstream_stats stats = { 0 };
  struct sr_upstream_response resp;
  json_t *out = NULL;

  if (SR_OK == sr_upstream_fetch (u, &rq, &resp, &stats, err, errlen)) {
    out = json_loadb (resp.body.data, resp.body.len, 0, NULL);
    if (NULL == out)
      snprintf (err, errlen, "%s: the answer is not JSON", name);
  }
  sr_upstream_response_clean (&resp);
  return out;
}

/* end of delivery.c */
