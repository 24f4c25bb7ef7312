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

/*
 * Streaming binary COPY: rows are encoded into a buffer that is flushed to
 * the server every @e flush_at bytes, so memory stays bounded whatever the
 * row count.  Binary format spares the server the text parsing that makes
 * CSV COPY cost a core per 100 MB/s.  One stream per connection at a time.
 */
struct sr_copy_stream {
  PGconn *conn;
  struct sr_buf buf;
  size_t flush_at;
  uint64_t tuples;
  bool open;
};

/** Start @a copy_sql (... FROM STDIN (FORMAT binary)) on @a conn. */
enum sr_status sr_copy_stream_begin (struct sr_copy_stream *cs, PGconn *conn,
                                     const char *copy_sql, char *err,
                                     size_t errlen);

/** Start a tuple of @a n_fields fields. */
enum sr_status sr_copy_bin_tuple (struct sr_copy_stream *cs,
                                  uint16_t n_fields);

/** A text (or bytea) field of @a len bytes. */
enum sr_status sr_copy_bin_bytes (struct sr_copy_stream *cs, const void *p,
                                  size_t len);

/** A NULL field. */
enum sr_status sr_copy_bin_null (struct sr_copy_stream *cs);

/** An int8 field. */
enum sr_status sr_copy_bin_int8 (struct sr_copy_stream *cs, int64_t v);

/** A date field, given as days since 1970-01-01. */
enum sr_status sr_copy_bin_date (struct sr_copy_stream *cs, int32_t day);

/** Send what is buffered if it passed flush_at. */
enum sr_status sr_copy_stream_flush (struct sr_copy_stream *cs, bool force,
                                     char *err, size_t errlen);

/**
 * Finish: trailer, end of data, the server's verdict.
 * @param[out] rows  rows the server stored
 */
enum sr_status sr_copy_stream_end (struct sr_copy_stream *cs, uint64_t *rows,
                                   char *err, size_t errlen);

/** Abandon the COPY (the server discards it); safe to call twice. */
void sr_copy_stream_abort (struct sr_copy_stream *cs, const char *why);

#endif /* SR_COPY_H */
