/*
 * delivery.h -- what one attempt to deliver a notification came to, as the
 * Slack and Twilio clients (slack.h, twilio.h) report it to the outbox
 * (server/jobs/outbox.c), which decides what the row becomes.
 *
 * Ownership: the outcome owns its response; sr_delivery_clean releases it.
 * Threading: none of its own.
 */
#ifndef SR_DELIVERY_H
#define SR_DELIVERY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "upstream.h"

enum sr_delivery_result {
  SR_DELIVERY_SENT,        /* the upstream accepted it */
  SR_DELIVERY_RETRY,       /* may pass with time: 429, 5xx, network */
  SR_DELIVERY_PERMANENT    /* will not get better: bad channel, auth, ... */
};

struct sr_delivery {
  enum sr_delivery_result result;
  /* No answer (or a 5xx) came after the request went out, so the message
   * may have arrived: ask the upstream before sending it again. */
  bool in_doubt;
  double retry_after_s;    /* the upstream's Retry-After, 0: none */
  json_t *response;        /* owned; SENT: {channel, ts} or {sid} */
  char error[512];         /* "" when sent; never holds a secret */
};

/** Release what @a d owns and reset it. */
void sr_delivery_clean (struct sr_delivery *d);

/** Set @a d to @a result with a printf-style error line. */
void sr_delivery_fail (struct sr_delivery *d, enum sr_delivery_result result,
                       const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));

/**
 * Classify a failed sr_upstream_fetch (@a resp->status 0: no answer came):
 * 429 waits out the Retry-After in @a stats, 408 and 5xx are retried (in
 * doubt when @a doubt_5xx), no answer is retried in doubt, any other
 * status fails for good.  @a what names the call; @a fetch_err (may be
 * NULL: a URL that is itself a secret) explains a missing answer, the
 * body excerpt any other.
 */
void sr_delivery_from_response (struct sr_delivery *d, const char *what,
                                const struct sr_upstream_response *resp,
                                const struct sr_upstream_stats *stats,
                                const char *fetch_err, bool doubt_5xx);

/* The most a notification upstream's answer may be: Slack's history pages
 * and Twilio's message lists are the largest. */
#define SR_DELIVERY_MAX_RESPONSE (4u * 1024u * 1024u)

/**
 * POST @a body to @a url exactly once: a message that got no answer may
 * have arrived, so repeating it is the outbox's decision, after asking.
 * @a secret_url: the URL is a credential, shown nowhere (upstream.h).
 * @param[out] resp  released by the caller (sr_upstream_response_clean)
 * @return as sr_upstream_fetch
 */
enum sr_status sr_delivery_post (struct sr_upstream *u, const char *name,
                                 const char *url, bool secret_url,
                                 const char *const *headers,
                                 const char *body,
                                 struct sr_upstream_response *resp,
                                 struct sr_upstream_stats *stats, char *err,
                                 size_t errlen);

/**
 * GET @a url (retried like any read) and parse the answer.
 * @return the JSON (new reference), NULL with @a err on failure
 */
json_t *sr_delivery_get_json (struct sr_upstream *u, const char *name,
                              const char *url, const char *const *headers,
                              char *err, size_t errlen);

#endif /* SR_DELIVERY_H */
