/*
 * store_orders.h -- reports.orders_latest and reports.order_rollup as the
 * S3 loader keeps them: each order once in its latest row, and the daily
 * counts, adjusted in the load's own transaction.
 *
 * The loader decides which rows lead (sources/order_latest.c); this module
 * only reads and writes.  Every call runs on the caller's connection inside
 * the object's transaction, after sr_store_orders_lock().  Threading: the
 * caller's thread.
 */
#ifndef SR_STORE_ORDERS_H
#define SR_STORE_ORDERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "buf.h"
#include "status.h"

/* One order in the form the reports keep it (signalroom.order_export_rows
 * describes each field).  Strings are borrowed from whoever filled it. */
struct sr_order_row {
  int64_t order_id;
  const char *category;          /* never NULL */
  bool has_day;
  int32_t day;                   /* days since 1970-01-01 */
  const char *status;            /* never NULL */
  const char *total;             /* decimal text, or NULL */
  const char *state;             /* two capitals, or NULL */
  const char *customer;          /* or NULL */
  const char *campaign;          /* never NULL */
  const char *affiliate;         /* never NULL */
  const char *gateway;           /* never NULL */
  bool chargeback;
  bool refunded;
  /* where it came from: what decides which row of an order leads */
  bool has_file_date;
  int32_t file_date;
  int rank;                      /* 1 orders_create, 2 orders_update */
  const char *file;
  int64_t row;
  bool replaced;                 /* by sr_store_orders_replace's file */
};

/** Called for each row a statement gives back; the row is valid only
 * during the call.  A status other than SR_OK stops the walk. */
typedef enum sr_status (*sr_order_row_cb) (void *cls,
                                           const struct sr_order_row *row);

/** One writer of the order reports at a time (until the transaction
 * ends): an order in two files, a count row of two files' orders. */
enum sr_status sr_store_orders_lock (PGconn *conn, char *err, size_t errlen);

/** The order ids of export @a file's rows now in @a table, ascending,
 * into @a *ids (free()) -- before a new version replaces them. */
enum sr_status sr_store_orders_of_file (PGconn *conn, const char *table,
                                        const char *file, int64_t **ids,
                                        size_t *n, char *err, size_t errlen);

/** Remove the kept rows @a file's earlier version left (its order ids
 * were @a ids), giving each. */
enum sr_status sr_store_orders_take_file (PGconn *conn, const char *file,
                                          const int64_t *ids, size_t n,
                                          sr_order_row_cb cb, void *cls,
                                          char *err, size_t errlen);

/** The kept rows of the @a n orders @a ids (ascending) of one file, in no
 * particular order, each with whether @a file_row's file outranks it (then
 * it is removed, in the same statement).  With @a by_run, one scan of the
 * ids from the first to the last finds them (for a file whose orders come
 * in a run of ids) instead of a probe per order. */
enum sr_status sr_store_orders_replace (PGconn *conn, const int64_t *ids,
                                        size_t n, bool by_run,
                                        const struct sr_order_row *file_row,
                                        sr_order_row_cb cb, void *cls,
                                        char *err, size_t errlen);

/** Keep @a n rows (none of their orders may be kept already). */
enum sr_status sr_store_orders_insert (PGconn *conn, const char *client,
                                       const struct sr_order_row *const *rows,
                                       size_t n, char *err, size_t errlen);

/** Orders @a ids lost their row: keep each one's best remaining export
 * row, if any, giving each row kept. */
enum sr_status sr_store_orders_fall_back (PGconn *conn, const int64_t *ids,
                                          size_t n, sr_order_row_cb cb,
                                          void *cls, char *err,
                                          size_t errlen);

/** Add the counts in @a delta_json (reports.orders_delta_apply's format)
 * to reports.order_rollup and mark the order data changed. */
enum sr_status sr_store_orders_apply_delta (PGconn *conn, const char *client,
                                            const char *delta_json,
                                            char *err, size_t errlen);

/** The SQL path for a whole file (reports.orders_file_loaded). */
enum sr_status sr_store_orders_file_loaded (PGconn *conn, const char *table,
                                            const char *file, char *err,
                                            size_t errlen);

#endif
