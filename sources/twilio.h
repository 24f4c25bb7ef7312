/*
 * twilio.h -- Twilio's Messages API for the outbox: send one SMS, and list
 * the messages sent to a number to learn whether one in doubt arrived.
 *
 * Twilio's quirks, as upstream-apis.md §5 has them: POST
 * /2010-04-01/Accounts/{sid}/Messages.json with a form body and basic
 * auth answers 201 with the message's sid; errors are JSON {code,
 * message, more_info, status}; 429 (code 20429) and 5xx may be retried,
 * any other 4xx (a bad number, an opted-out recipient, bad credentials)
 * will not get better.  A send makes one attempt (a repeat is the
 * outbox's decision, after asking); a listing retries like any GET.  The
 * auth token is sent in a header and never logged.
 * Threading: the caller's struct sr_upstream, one thread.
 */
#ifndef SR_TWILIO_H
#define SR_TWILIO_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "config.h"
#include "delivery.h"
#include "status.h"
#include "upstream.h"

/** @return true when the Twilio options (SID, token, sender) are set. */
bool sr_twilio_configured (const struct sr_config *cfg);

/** Send @a body to @a to from TWILIO_FROM_NUMBER.  SENT: out->response
 * is {"sid"}. */
void sr_twilio_send (struct sr_upstream *u, const struct sr_config *cfg,
                     const char *to, const char *body,
                     struct sr_delivery *out);

/**
 * Look for a message with @a body sent to @a to from our number and
 * created at @a since or later (Unix seconds; the listing is asked from
 * that UTC day on), whose sid is not in @a skip (an array of sids already
 * recorded for other rows; borrowed, may be NULL).
 * @param[out] found     whether it is there
 * @param[out] response  when found, {"sid"} (new reference)
 * @return SR_OK (looked), SR_E_UPSTREAM (could not tell)
 */
enum sr_status sr_twilio_find (struct sr_upstream *u,
                               const struct sr_config *cfg, const char *to,
                               const char *body, time_t since,
                               const json_t *skip, bool *found,
                               json_t **response, char *err, size_t errlen);

#endif /* SR_TWILIO_H */
