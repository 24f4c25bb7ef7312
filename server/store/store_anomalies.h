/*
 * store_anomalies.h -- anomalies: found in the loaded data by the load
 * that made them visible, listed and acknowledged.
 *
 * Detection is SQL (sql/migrations/0021_anomalies.sql): it runs in the
 * caller's transaction, so an anomaly and its Slack message (and SMS,
 * for a critical one) commit with the data that showed it, or not at
 * all.  A condition is recorded once; finding it again adds nothing.
 * Threading: the caller's connection.
 */
#ifndef SR_STORE_ANOMALIES_H
#define SR_STORE_ANOMALIES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "config.h"
#include "status.h"

/** The thresholds, as the text the SQL binds (from the configuration). */
struct sr_anomaly_limits {
  char mad_threshold[32];     /* ANOMALY_MAD_THRESHOLD */
  char min_change[32];        /* ANOMALY_MIN_CHANGE */
  char min_share[32];         /* ANOMALY_MIN_CHANGE_SHARE */
  char unmapped_spend[32];    /* ANOMALY_UNMAPPED_SPEND, dollars a day */
  char quarantine_rate[32];   /* ANOMALY_QUARANTINE_RATE */
  char timezone[64];          /* SIGNALROOM_TIMEZONE: which days are done */
};

/** Fill @a out from @a cfg. */
void sr_anomaly_limits_of (const struct sr_config *cfg,
                           struct sr_anomaly_limits *out);

/**
 * After an Everflow or Redtrack load replaced [from, to] of @a client:
 * no rows on a complete day, the brands' figures out of their band,
 * unmapped Redtrack spend.  @a added (may be NULL): anomalies recorded.
 */
enum sr_status sr_store_anomalies_detect_window (
  PGconn *conn, const struct sr_anomaly_limits *lim, const char *source,
  const char *client, const char *from, const char *to, int *added,
  char *err, size_t errlen);

/**
 * After an order export's state was recorded (signalroom.s3_objects): no
 * rows, a header change against the prefix's previous file, a quarantine
 * burst, the brands' orders of its day out of their band.
 */
enum sr_status sr_store_anomalies_detect_file (
  PGconn *conn, const struct sr_anomaly_limits *lim, const char *bucket,
  const char *key, const char *client, int *added, char *err,
  size_t errlen);

/**
 * A schedule ran at its deadline without its dependencies (@a missing,
 * comma-separated, in @a states): a critical anomaly for @a day.
 * @a id: the new anomaly, 0 when it had been raised already.
 */
enum sr_status sr_store_anomaly_missing (PGconn *conn, const char *missing,
                                         const char *day,
                                         const char *schedule,
                                         const char *states,
                                         long wait_minutes, int64_t *id,
                                         char *err, size_t errlen);

/** Filters of a page; NULL members: any. */
struct sr_anomaly_filter {
  const char *status;
  const char *kind;
  const char *source;
  const char *brand;
  const char *from;
  const char *to;
  int64_t before_id;          /* keyset cursor, 0: from the newest */
  unsigned int limit;
};

/** A page of anomalies, newest first (@a out: a new JSON array). */
enum sr_status sr_store_anomalies_list (PGconn *conn,
                                        const struct sr_anomaly_filter *f,
                                        json_t **out, char *err,
                                        size_t errlen);

/**
 * Acknowledge anomaly @a id for @a who; one already acknowledged stays as
 * it was.  @a out: the anomaly (new reference), NULL when there is none.
 */
enum sr_status sr_store_anomaly_ack (PGconn *conn, int64_t id,
                                     const char *who, json_t **out,
                                     char *err, size_t errlen);

#endif /* SR_STORE_ANOMALIES_H */
