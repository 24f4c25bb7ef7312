/*
 * store_dead_letters.h -- dead letters: jobs and notifications that failed for good, listed and queued again.
 *
 * The logic is in SQL functions (sql/migrations); these wrappers bind
 * parameters and read typed rows.  Threading: the caller's connection.
 */
#ifndef SR_STORE_DEAD_LETTERS_H
#define SR_STORE_DEAD_LETTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "status.h"

/** A page of dead letters, newest first. */
enum sr_status sr_store_dead_letters (PGconn *conn, int64_t before_id,
                                      unsigned int limit, json_t **out,
                                      char *err, size_t errlen);

/**
 * Queue a dead letter's job or notification again.  @a queued_id: the new
 * job, or the notification queued again when @a notification; 0 when
 * there is no such dead letter; -1 when it was retried already.
 */
enum sr_status sr_store_dead_letter_retry (PGconn *conn, int64_t id,
                                           int64_t *queued_id,
                                           bool *notification, char *err,
                                           size_t errlen);

#endif /* SR_STORE_DEAD_LETTERS_H */
