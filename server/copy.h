/*
 * copy.h -- bulk loading with COPY ... FROM STDIN (text format).
 *
 * Rows are written into a bounded buffer in PostgreSQL's text COPY format
 * (tab-separated, \N for NULL, backslash escapes) and sent with
 * PQputCopyData: the fastest way into the server, and one round trip
 * whatever the row count.
 */
#ifndef SR_COPY_H
#define SR_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "buf.h"
#include "status.h"

/** Append a text field (escaped), then a tab, or a newline when @a last. */
enum sr_status sr_copy_text (struct sr_buf *b, const char *s, size_t len,
                             bool last);

/** Append a NULL field. */
enum sr_status sr_copy_null (struct sr_buf *b, bool last);

/** Append an integer field. */
enum sr_status sr_copy_int (struct sr_buf *b, int64_t v, bool last);

/**
 * Run @a copy_sql (a COPY ... FROM STDIN) and send @a data.
 * @param[out] rows  rows the server loaded
 */
enum sr_status sr_copy_in (PGconn *conn, const char *name,
                           const char *copy_sql, const char *data,
                           size_t len, uint64_t *rows, char *err,
                           size_t errlen);

#endif /* SR_COPY_H */
