/*
 * store_s3.c -- see store_s3.h.
 */
#include "store_s3.h"
#include "db.h"
#include "sql_embedded.h"
#include "mem.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum sr_status
sr_store_s3_known (PGconn *conn, const char *bucket, const char *prefix,
                   json_t **out, char *err, size_t errlen)
{
  const char *params[2] = { bucket, prefix };
  PGresult *r;
  enum sr_status st = sr_db_exec (conn, "s3_objects_known",
                                  sr_sql_s3_objects_known, 2, params, &r,
                                  err, errlen);

  *out = json_object ();
  if (SR_OK != st)
    return st;
  for (int i = 0; i < PQntuples (r); i++)
    json_object_set_new (*out, PQgetvalue (r, i, 0),
                         json_string (PQgetvalue (r, i, 1)));
  PQclear (r);
  return SR_OK;
}

enum sr_status
sr_store_s3_lock_object (PGconn *conn, const char *bucket, const char *key,
                         char *etag, size_t etag_len, char *err,
                         size_t errlen)
{
  const char *params[2] = { bucket, key };
  PGresult *r;
  enum sr_status st = sr_db_run (conn, "s3_object_lock",
                                 sr_sql_s3_object_lock, 2, params, err,
                                 errlen);

  etag[0] = '\0';
  if (SR_OK == st)
    st = sr_db_exec (conn, "s3_object_etag", sr_sql_s3_object_etag, 2,
                     params, &r, err, errlen);
  if (SR_OK != st)
    return st;
  if (1 == PQntuples (r))
    snprintf (etag, etag_len, "%s", PQgetvalue (r, 0, 0));
  PQclear (r);
  return SR_OK;
}

enum sr_status
sr_store_s3_prepare_table (PGconn *conn, const char *table,
                           const json_t *columns, json_t **new_columns,
                           char **copy_sql, char *err, size_t errlen)
{
  char *json = json_dumps (columns, JSON_COMPACT);
  const char *params[2] = { table, json };
  PGresult *r;
  enum sr_status st;

  *new_columns = NULL;
  *copy_sql = NULL;
  st = sr_db_exec (conn, "s3_ensure_table", sr_sql_s3_ensure_table, 2,
                   params, &r, err, errlen);
  if (SR_OK == st) {
    *new_columns = json_loads (PQgetvalue (r, 0, 0), 0, NULL);
    PQclear (r);
    st = sr_db_exec (conn, "s3_copy_statement", sr_sql_s3_copy_statement, 2,
                     params, &r, err, errlen);
  }
  if (SR_OK == st) {
    *copy_sql = sr_xstrdup (PQgetvalue (r, 0, 0));
    PQclear (r);
  }
  free (json);
  return st;
}

enum sr_status
sr_store_s3_remove_version (PGconn *conn, const char *table,
                            const char *bucket, const char *key,
                            uint64_t *deleted, char *err, size_t errlen)
{
  const char *del_params[2] = { table, key };
  const char *params[2] = { bucket, key };
  PGresult *r;
  enum sr_status st = sr_db_exec (conn, "s3_export_delete",
                                  sr_sql_s3_export_delete, 2, del_params, &r,
                                  err, errlen);

  if (SR_OK != st)
    return st;
  *deleted = strtoull (PQgetvalue (r, 0, 0), NULL, 10);
  PQclear (r);
  return sr_db_run (conn, "s3_quarantine_clear", sr_sql_s3_quarantine_clear,
                    2, params, err, errlen);
}

enum sr_status
sr_store_s3_quarantine_begin (struct sr_copy_stream *cs, PGconn *conn,
                              char *err, size_t errlen)
{
  return sr_copy_stream_begin (cs, conn, sr_sql_s3_quarantine_copy, err,
                               errlen);
}

enum sr_status
sr_store_s3_record (PGconn *conn, const struct sr_store_s3_record *rec,
                    char *err, size_t errlen)
{
  char size[24], good[24], bad[24];
  char *cols = json_dumps (rec->columns, JSON_COMPACT);
  char *added = NULL != rec->new_columns
                ? json_dumps (rec->new_columns, JSON_COMPACT)
                : sr_xstrdup ("[]");
  const char *params[12] = {
    rec->bucket, rec->key, rec->prefix, rec->table, rec->etag, size,
    rec->last_modified, rec->file_date, good, bad, cols, added,
  };
  enum sr_status st;

  snprintf (size, sizeof (size), "%" PRIu64, rec->size);
  snprintf (good, sizeof (good), "%" PRIu64, rec->rows_loaded);
  snprintf (bad, sizeof (bad), "%" PRIu64, rec->rows_rejected);
  st = sr_db_run (conn, "s3_object_record", sr_sql_s3_object_record, 12,
                  params, err, errlen);
  free (cols);
  free (added);
  return st;
}

/* end of store_s3.c */
