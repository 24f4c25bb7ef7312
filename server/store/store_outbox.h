/*
 * store_outbox.h -- the notification outbox (sql/migrations/0017, 0019):
 * claiming due rows with a lease, renewing it before a send, recording
 * what the send came to, and the list GET /v1/notifications shows.
 *
 * Rows are written by producers through signalroom.enqueue_notification;
 * delivery is server/jobs/outbox.c.  Each call is one statement, so a
 * claim (with its counted attempt) is committed when it returns.
 * Threading: the caller's connection.
 */
#ifndef SR_STORE_OUTBOX_H
#define SR_STORE_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "status.h"

/** One claimed notification; the strings and payload are owned. */
struct sr_outbox_row {
  int64_t id;
  char *key;               /* idempotency key */
  char *channel;           /* "slack", "sms", "response_url" */
  char *target;            /* channel id, E.164 number or URL */
  char *kind;
  json_t *payload;         /* {text, blocks} or {body} */
  int attempts;            /* this one included */
  int max_attempts;
  bool in_doubt;           /* may have arrived: ask before sending */
  double created_at;       /* Unix seconds */
};

/**
 * Claim up to @a limit due rows of @a channels (a PostgreSQL array text,
 * e.g. "{slack,response_url}") for @a owner for @a lease_s seconds.
 * @param[out] rows  array of @a n (free with sr_store_outbox_rows_free)
 */
enum sr_status sr_store_outbox_claim (PGconn *conn, const char *owner,
                                      unsigned int lease_s,
                                      unsigned int limit,
                                      const char *channels,
                                      struct sr_outbox_row **rows, size_t *n,
                                      char *err, size_t errlen);

void sr_store_outbox_rows_free (struct sr_outbox_row *rows, size_t n);

/** Extend the lease of row @a id; @a ours false: it is not ours any more. */
enum sr_status sr_store_outbox_renew (PGconn *conn, int64_t id,
                                      const char *owner,
                                      unsigned int lease_s, bool *ours,
                                      char *err, size_t errlen);

/**
 * Record @a outcome ("sent", "retry", "dead") of row @a id.
 * @param error     the failure, or NULL
 * @param response  the upstream's answer (borrowed), or NULL
 * @param[out] ours false: another instance owns the row (nothing changed)
 */
enum sr_status sr_store_outbox_finish (PGconn *conn, int64_t id,
                                       const char *owner, const char *outcome,
                                       const char *error,
                                       const json_t *response, double retry_s,
                                       bool in_doubt, bool *ours, char *err,
                                       size_t errlen);

/** The Twilio sids recorded for other texts to row @a id's number since it
 * was queued (new reference, an array). */
enum sr_status sr_store_outbox_known_sids (PGconn *conn, int64_t id,
                                           json_t **out, char *err,
                                           size_t errlen);

/** A page of the outbox, newest first; @a status, @a channel, @a kind
 * filter when not NULL. */
enum sr_status sr_store_notifications (PGconn *conn, int64_t before_id,
                                       unsigned int limit, const char *status,
                                       const char *channel, const char *kind,
                                       json_t **out, char *err,
                                       size_t errlen);

#endif /* SR_STORE_OUTBOX_H */
