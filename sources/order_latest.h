/*
 * order_latest.h -- the order reports kept by the S3 loader, one object at
 * a time, in the object's transaction.
 *
 * While the file streams, each row the COPY took gives up the fields the
 * reports use (order_fields.h); the last row of each order is kept in
 * memory, up to a byte cap.  At the end, under the reports' lock: the kept
 * rows of the file's earlier version go, the orders' kept rows are read,
 * the file's rows that outrank them replace them (or are added), orders
 * the new version dropped fall back to their other export rows, and the
 * counts change by the sum of minus every row replaced and plus every row
 * kept (order_delta.h).  A file over the cap is counted by the database
 * instead (reports.orders_file_loaded): slower, the same result.
 */
#ifndef SR_ORDER_LATEST_H
#define SR_ORDER_LATEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "csv.h"
#include "export_names.h"
#include "status.h"

struct sr_order_latest;

/**
 * Start collecting the rows of @a file (an object key, borrowed until
 * free) for export table @a table.  @return NULL when the table has no
 * order reports (anything but orders_create and orders_update).
 */
struct sr_order_latest *sr_order_latest_new (const char *table,
                                             const char *file,
                                             bool has_file_date,
                                             int32_t file_date,
                                             size_t cap_bytes);

/** The file's header, as export column names. */
void sr_order_latest_header (struct sr_order_latest *ol,
                             const char (*columns)[SR_IDENT_MAX],
                             size_t n_columns);

/** A row the COPY took; @a row_id is its _row_id. */
void sr_order_latest_row (struct sr_order_latest *ol,
                          const struct sr_csv_record *rec, int64_t row_id);

/** Before the file's earlier version leaves the export table: note its
 * orders (their kept rows may be that version's). */
enum sr_status sr_order_latest_note_previous (struct sr_order_latest *ol,
                                              PGconn *conn, char *err,
                                              size_t errlen);

/** Bring the order reports up to date with the file, on @a conn inside
 * the object's transaction. */
enum sr_status sr_order_latest_finish (struct sr_order_latest *ol,
                                       PGconn *conn, const char *client,
                                       char *err, size_t errlen);

void sr_order_latest_free (struct sr_order_latest *ol);

#endif /* SR_ORDER_LATEST_H */
