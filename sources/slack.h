/*
 * slack.h -- Slack's Web API for the outbox: chat.postMessage, replies to
 * a slash command's response_url, and conversations.history to learn
 * whether a message in doubt already arrived.
 *
 * Slack's quirks, as upstream-apis.md §4 has them: a logical error is
 * HTTP 200 with {"ok": false, "error": "..."}; some errors (a channel
 * that does not exist, a bot not in it, bad auth, a message too long,
 * bad blocks) never get better, others (ratelimited, internal_error) may;
 * 429 comes with Retry-After.  Every message carries Slack message
 * metadata {"event_type": "signalroom_notification", "event_payload":
 * {"key": <idempotency key>}} so it can be found again.
 *
 * Every call makes one attempt at a post (a repeat is the outbox's
 * decision, after asking); the history look-up retries like any GET.
 * The bot token is sent as a Bearer header and never logged.
 * Threading: the caller's struct sr_upstream, one thread.
 */
#ifndef SR_SLACK_H
#define SR_SLACK_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "config.h"
#include "delivery.h"
#include "status.h"
#include "upstream.h"

/** The metadata event_type of every message signalroom posts. */
#define SR_SLACK_EVENT_TYPE "signalroom_notification"

/**
 * chat.postMessage @a payload ({text, blocks, ...}; borrowed) to
 * @a channel with the metadata for @a key.  SENT: out->response is
 * {"channel", "ts"}.
 */
void sr_slack_post (struct sr_upstream *u, const struct sr_config *cfg,
                    const char *channel, const json_t *payload,
                    const char *key, struct sr_delivery *out);

/** POST @a payload (borrowed) to a slash command's @a url (no auth: the
 * URL is the credential).  SENT: out->response is {"status": 200}. */
void sr_slack_reply (struct sr_upstream *u, const char *url,
                     const json_t *payload, struct sr_delivery *out);

/**
 * Look through @a channel's history since @a oldest (Unix seconds) for
 * the message signalroom posted with @a key.
 * @param[out] found     whether it is there
 * @param[out] response  when found, {"channel", "ts"} (new reference)
 * @return SR_OK (looked), SR_E_UPSTREAM (could not tell)
 */
enum sr_status sr_slack_find (struct sr_upstream *u,
                              const struct sr_config *cfg,
                              const char *channel, const char *key,
                              double oldest, bool *found, json_t **response,
                              char *err, size_t errlen);

#endif /* SR_SLACK_H */
