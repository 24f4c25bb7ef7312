/*
 * store_windows.h -- writing upstream data: one window, one transaction.
 *
 * Every source stores the same way, in one transaction holding a
 * per-table advisory lock: the rows of a date window are COPYed into a
 * temporary staging table (dropped at COMMIT), then one statement
 * (sql/queries/<table>_replace_window.sql) deletes what vanished upstream,
 * updates what changed and inserts what is new.  Either the whole window
 * is replaced or nothing changes.
 */
#ifndef SR_STORE_WINDOWS_H
#define SR_STORE_WINDOWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "buf.h"
#include "store_anomalies.h"

#include "status.h"

struct sr_write_counts {
  uint64_t deleted;
  uint64_t inserted;
  uint64_t updated;
};

/**
 * Work to do in the same transaction as the data, just before COMMIT: the
 * job queue finishes the job there, so data and job state commit together
 * (and a job whose lease was lost rolls its data back).
 */
struct sr_commit_hook {
  enum sr_status (*fn) (void *cls, PGconn *conn,
                        const struct sr_write_counts *written, char *err,
                        size_t errlen);
  void *cls;
};

/** Run @a hook (NULL: nothing to do). */
enum sr_status sr_commit_hook_run (const struct sr_commit_hook *hook,
                                   PGconn *conn,
                                   const struct sr_write_counts *written,
                                   char *err, size_t errlen);

/** The statements of one table's window replacement. */
struct sr_store_sql {
  const char *table;          /* for the lock and messages */
  const char *source;         /* the source's name, for the anomalies */
  const char *create_staging; /* CREATE TEMP TABLE ... ON COMMIT DROP */
  const char *copy;           /* COPY staging (...) FROM STDIN */
  const char *replace;        /* $1 from, $2 to, $3 client [, $4 scope]
                               * -> deleted, inserted, updated */
  bool scoped;                /* replace takes $4 (NULL: whole window) */
};

/** The window replacement of each source table (sql/queries/). */
extern const struct sr_store_sql sr_store_everflow_daily_stats;
extern const struct sr_store_sql sr_store_redtrack_daily_spend;

/**
 * Replace [from, to] of @a client_id with the rows in @a copy_data (COPY
 * text format, in the staging table's column order).  @a scope narrows a
 * scoped replacement (e.g. one advertiser); NULL replaces everything.
 * With @a check, the window's days are checked for anomalies
 * (store_anomalies.h) in the same transaction; NULL: not checked.
 */
enum sr_status sr_store_replace_window (PGconn *conn,
                                        const struct sr_store_sql *sql,
                                        const char *from, const char *to,
                                        const char *client_id,
                                        const char *scope,
                                        const struct sr_buf *copy_data,
                                        const struct sr_commit_hook *hook,
                                        const struct sr_anomaly_limits *check,
                                        struct sr_write_counts *out,
                                        char *err, size_t errlen);

#endif /* SR_STORE_WINDOWS_H */
