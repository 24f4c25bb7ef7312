/*
 * store_s3.h -- the S3 export loader's SQL: export tables that fit each
 * file's header, a file's rows replaced as a whole, the quarantine, and
 * which version (ETag) of each object was loaded.
 *
 * Export table and column names come from file headers; they are quoted
 * by the database (format('%I'), sql/migrations/0006), never pasted into
 * SQL here.  Every call runs on the caller's connection, inside the
 * object's transaction where it says so.  Threading: the caller's thread.
 */
#ifndef SR_STORE_S3_H
#define SR_STORE_S3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "copy.h"
#include "status.h"

/** The state of one object after a load (signalroom.s3_objects). */
struct sr_store_s3_record {
  const char *bucket, *key, *prefix, *table, *etag;
  uint64_t size;
  const char *last_modified;     /* may be NULL */
  const char *file_date;         /* YYYY-MM-DD or NULL */
  uint64_t rows_loaded, rows_rejected;
  const json_t *columns;         /* array of column names */
  const json_t *new_columns;     /* the columns this file added */
};

/** Keys loaded before from @a prefix, as {key: etag} (new reference). */
enum sr_status sr_store_s3_known (PGconn *conn, const char *bucket,
                                  const char *prefix, json_t **out,
                                  char *err, size_t errlen);

/**
 * In the object's transaction: lock the object (concurrent loaders of it
 * wait), then read the ETag loaded last.
 * @param[out] etag  "" when it was never loaded
 */
enum sr_status sr_store_s3_lock_object (PGconn *conn, const char *bucket,
                                        const char *key, char *etag,
                                        size_t etag_len, char *err,
                                        size_t errlen);

/**
 * Make s3_exports.<table> fit @a columns (created or widened as needed).
 * @param[out] new_columns  the columns added (new reference)
 * @param[out] copy_sql     the COPY statement for them (caller frees)
 */
enum sr_status sr_store_s3_prepare_table (PGconn *conn, const char *table,
                                          const json_t *columns,
                                          json_t **new_columns,
                                          char **copy_sql, char *err,
                                          size_t errlen);

/** Remove the rows and the quarantine of an earlier version of @a key. */
enum sr_status sr_store_s3_remove_version (PGconn *conn, const char *table,
                                           const char *bucket,
                                           const char *key,
                                           uint64_t *deleted, char *err,
                                           size_t errlen);

/** Open the binary COPY into signalroom.s3_quarantine (6 columns: bucket,
 * key, etag, line, reason, raw). */
enum sr_status sr_store_s3_quarantine_begin (struct sr_copy_stream *cs,
                                             PGconn *conn, char *err,
                                             size_t errlen);

/** Record what was loaded from the object. */
enum sr_status sr_store_s3_record (PGconn *conn,
                                   const struct sr_store_s3_record *rec,
                                   char *err, size_t errlen);

#endif /* SR_STORE_S3_H */
