/*
 * delivery.c -- see delivery.h.
 */
#include "delivery.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

/* end of delivery.c */
