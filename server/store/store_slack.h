/*
 * store_slack.h -- Slack slash commands (signalroom.slack_commands,
 * migration 0020), the runs they queued, and the outbox's one write
 * (signalroom.enqueue_notification, migration 0017) for the messages
 * this part queues.
 *
 * Threading: the caller's connection, the caller's thread.
 */
#ifndef SR_STORE_SLACK_H
#define SR_STORE_SLACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "status.h"

/** A slash command as remembered. */
struct sr_slack_command_row {
  int64_t id;
  bool is_new;            /* false: a retry of a command seen before */
  char status[16];        /* running, deferred, done */
  json_t *reply;          /* done: the answer given (owned), else NULL */
};

/**
 * Remember a command by @a body_sha256 before it runs (autocommit, so a
 * retry arriving meanwhile sees it).  @a out->id 0 when a concurrent
 * request of the same body has not committed yet (treat as running).
 */
enum sr_status sr_store_slack_command_begin (PGconn *conn,
                                             const char *body_sha256,
                                             const char *user_id,
                                             const char *channel_id,
                                             const char *text,
                                             const char *response_url,
                                             struct sr_slack_command_row *out,
                                             char *err, size_t errlen);

/** Record a try's outcome: @a status "done" with @a reply (borrowed), or
 * "deferred" with NULL. */
enum sr_status sr_store_slack_command_finish (PGconn *conn, int64_t id,
                                              const char *status,
                                              const json_t *reply, char *err,
                                              size_t errlen);

/** A deferred command claimed for the follow-up (strings owned here). */
struct sr_slack_claimed {
  int64_t id;
  char user_id[64];
  char channel_id[64];
  char text[1024];
  char response_url[1024];
};

/**
 * Lease the oldest deferred command for @a lease_s seconds.
 * @param[out] found  false when none waits
 */
enum sr_status sr_store_slack_command_claim (PGconn *conn,
                                             unsigned int lease_s,
                                             struct sr_slack_claimed *out,
                                             bool *found, char *err,
                                             size_t errlen);

/** Limit this transaction's statements and lock waits to @a ms. */
enum sr_status sr_store_slack_budget (PGconn *conn, unsigned long ms,
                                      char *err, size_t errlen);

/** Post run @a run_id's outcome to @a response_url when it ends. */
enum sr_status sr_store_slack_run_reply (PGconn *conn, int64_t run_id,
                                         int64_t command_id,
                                         const char *response_url, char *err,
                                         size_t errlen);

/**
 * signalroom.enqueue_notification(@a key, @a channel, @a target, @a kind,
 * @a payload, @a critical): @a target NULL means the configured Slack
 * channel; see 0017 for '@report'/'@alert' SMS targets.
 * @param[out] added  rows queued (0: the key was seen before); may be NULL
 */
enum sr_status sr_store_notify_enqueue (PGconn *conn, const char *key,
                                        const char *channel,
                                        const char *target, const char *kind,
                                        const json_t *payload, bool critical,
                                        int *added, char *err, size_t errlen);

/**
 * Counts for /signalroom status.
 * @param[out] open_anomalies  -1 while the anomalies table does not exist
 */
enum sr_status sr_store_slack_status_counts (PGconn *conn,
                                             int64_t *open_anomalies,
                                             int64_t *dead_letters,
                                             char *err, size_t errlen);

#endif /* SR_STORE_SLACK_H */
