/*
 * s3_load.c -- one Sticky.io order export from S3 into s3_exports.<prefix>.
 *
 * One object, one transaction, under an advisory lock on the object:
 * re-check its state (another instance may just have loaded it), delete the
 * rows of its earlier version, stream it -- GetObject, gunzip, CSV parser,
 * binary COPY, 1 MiB at a time, never the whole file in memory --, put the
 * rows that cannot be loaded in signalroom.s3_quarantine with their line,
 * bytes and reason, record the new state, commit.  A process killed at any
 * point leaves the object loaded completely or not at all, and the next
 * run finishes the job; a re-run never duplicates a row.
 *
 * The header decides the columns: matched by name (order does not
 * matter), a new name adds a text column to the table, a missing one is
 * NULL for that file, a duplicate refuses the file.  A file that is not
 * CSV (a bad header line, no readable row) is refused whole.
 */
#include "s3_internal.h"
#include "s3_quarantine.h"
#include "clock.h"
#include "copy.h"
#include "csv.h"
#include "dates.h"
#include "export_names.h"
#include "log.h"
#include "mem.h"
#include "metrics.h"
#include "order_latest.h"
#include "store_anomalies.h"
#include "store_s3.h"
#include "tx.h"
#include "upstream.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RECORD (4u * 1024u * 1024u)
#define META_FIELDS 4     /* _file_name, _row_id, _file_date, _client_id */

/* Everything about loading one object. */
struct load {
  struct sr_sync_ctx *sync;
  const char *bucket;
  const char *prefix;
  const char *table;
  const char *key;
  bool has_day;
  int32_t day;
  struct sr_csv *csv;
  char (*columns)[SR_IDENT_MAX];
  size_t n_columns;
  json_t *columns_json;
  json_t *new_columns;
  struct sr_copy_stream copy;
  bool copy_open;
  uint64_t good;
  uint64_t deleted;        /* rows of the object's earlier version */
  struct sr_s3_quarantine bad; /* rows that could not be loaded */
  struct sr_order_latest *orders; /* the order reports' rows, or NULL */
  char refused[600];       /* not loadable at all: why */
  char err[1024];          /* failed (database, network): why */
  enum sr_status st;
};

static enum sr_status
load_fail (struct load *l, enum sr_status st, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));

static enum sr_status
load_fail (struct load *l, enum sr_status st, const char *fmt, ...)
{
  va_list ap;

  if (SR_OK == l->st) {
    va_start (ap, fmt);
    vsnprintf (l->err, sizeof (l->err), fmt, ap);
    va_end (ap);
    l->st = st;
  }
  return st;
}

static enum sr_status
refuse (struct load *l, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

static enum sr_status
refuse (struct load *l, const char *fmt, ...)
{
  va_list ap;

  if ('\0' == l->refused[0]) {
    va_start (ap, fmt);
    vsnprintf (l->refused, sizeof (l->refused), fmt, ap);
    va_end (ap);
  }
  return SR_E_INVALID;
}

/* A row that cannot be loaded: kept for the quarantine, unless there are
 * so many the object is no export at all. */
static enum sr_status
quarantine (struct load *l, const struct sr_csv_record *rec,
            const char *reason)
{
  if (!sr_s3_quarantine_add (&l->bad, rec->line, reason, rec->raw,
                             rec->raw_len))
    return refuse (l, "more than %u bad rows or %u MiB of them: not a "
                   "loadable export", SR_S3_QUARANTINE_MAX_ROWS,
                   SR_S3_QUARANTINE_MAX_BYTES >> 20);
  return SR_OK;
}

/* The header line: name the columns, make the table fit, open the COPY. */
static enum sr_status
take_header (struct load *l, const struct sr_csv_record *rec)
{
  char err[600];
  char *copy_sql = NULL;
  enum sr_status st;

  if (rec->n_fields < 2)
    return refuse (l, "not a CSV export: the header line has one field");
  l->columns = sr_xcalloc (rec->n_fields, sizeof (*l->columns));
  l->n_columns = rec->n_fields;
  l->columns_json = json_array ();
  for (size_t i = 0; i < rec->n_fields; i++) {
    if (!sr_export_column_name (rec->fields[i].ptr, rec->fields[i].len,
                                l->columns[i]))
      return refuse (l, "header column %zu (\"%.*s\") gives no usable "
                     "column name", i + 1,
                     (int) (rec->fields[i].len > 60 ? 60
                            : rec->fields[i].len), rec->fields[i].ptr);
    if ('_' == l->columns[i][0] && (0 == strcmp (l->columns[i], "_file_name")
                                    || 0 == strcmp (l->columns[i], "_row_id")
                                    || 0 == strcmp (l->columns[i],
                                                    "_file_date")
                                    || 0 == strcmp (l->columns[i],
                                                    "_client_id")
                                    || 0 == strcmp (l->columns[i],
                                                    "_loaded_at")))
      return refuse (l, "header column %zu is named like a provenance "
                     "column (%s)", i + 1, l->columns[i]);
    for (size_t k = 0; k < i; k++)
      if (0 == strcmp (l->columns[k], l->columns[i]))
        return refuse (l, "duplicate header name: columns %zu and %zu are "
                       "both %s", k + 1, i + 1, l->columns[i]);
    json_array_append_new (l->columns_json, json_string (l->columns[i]));
  }
  l->orders = sr_order_latest_new (l->table, l->key, l->has_day, l->day,
                                   (size_t) l->sync->cfg->s3_rollup_buffer_mb
                                   << 20);
  if (NULL != l->orders)
    sr_order_latest_header (l->orders, (const char (*)[SR_IDENT_MAX])
                            l->columns, l->n_columns);
  st = sr_store_s3_prepare_table (l->sync->conn, l->table, l->columns_json,
                                  &l->new_columns, &copy_sql, err,
                                  sizeof (err));
  if (SR_OK != st)
    return load_fail (l, st, "preparing the table: %s", err);
  /* The earlier version's rows go only now, after the table is settled:
   * holding no lock on the table while ensure_export_table may wait for
   * its advisory lock keeps concurrent loaders free of deadlocks. */
  st = NULL == l->orders ? SR_OK
       : sr_order_latest_note_previous (l->orders, l->sync->conn, err,
                                        sizeof (err));
  if (SR_OK == st)
    st = sr_store_s3_remove_version (l->sync->conn, l->table, l->bucket,
                                     l->key, &l->deleted, err, sizeof (err));
  if (SR_OK == st)
    st = sr_copy_stream_begin (&l->copy, l->sync->conn, copy_sql, err,
                               sizeof (err));
  free (copy_sql);
  if (SR_OK != st)
    return load_fail (l, st, "%s", err);
  l->copy_open = true;
  return SR_OK;
}

static enum sr_status
take_row (struct load *l, const struct sr_csv_record *rec)
{
  struct sr_copy_stream *cs = &l->copy;
  const char *client = l->sync->cfg->client_id;
  char err[600];
  enum sr_status st;

  if (rec->n_fields != l->n_columns) {
    char why[96];

    snprintf (why, sizeof (why), "expected %zu fields, found %zu",
              l->n_columns, rec->n_fields);
    return quarantine (l, rec, why);
  }
  st = sr_copy_bin_tuple (cs, (uint16_t) (l->n_columns + META_FIELDS));
  for (size_t i = 0; SR_OK == st && i < rec->n_fields; i++)
    st = sr_copy_bin_bytes (cs, rec->fields[i].ptr, rec->fields[i].len);
  if (SR_OK == st)
    st = sr_copy_bin_bytes (cs, l->key, strlen (l->key));
  if (SR_OK == st)
    st = sr_copy_bin_int8 (cs, (int64_t) rec->index - 1);
  if (SR_OK == st)
    st = l->has_day ? sr_copy_bin_date (cs, l->day) : sr_copy_bin_null (cs);
  if (SR_OK == st)
    st = sr_copy_bin_bytes (cs, client, strlen (client));
  if (SR_OK == st)
    st = sr_copy_stream_flush (cs, false, err, sizeof (err));
  else
    snprintf (err, sizeof (err), "row at line %" PRIu64 " too large",
              rec->line);
  if (SR_OK != st)
    return load_fail (l, st, "%s", err);
  if (NULL != l->orders)
    sr_order_latest_row (l->orders, rec, (int64_t) rec->index - 1);
  l->good++;
  return SR_OK;
}

static enum sr_status
on_record (void *cls, enum sr_csv_event ev, const struct sr_csv_record *rec,
           const char *reason)
{
  struct load *l = cls;

  if (0 == rec->index) {
    if (SR_CSV_BAD_RECORD == ev)
      return refuse (l, "not a CSV export: the header line is unreadable "
                     "(%s)", reason);
    return take_header (l, rec);
  }
  if (SR_CSV_BAD_RECORD == ev)
    return quarantine (l, rec, reason);
  return take_row (l, rec);
}

static enum sr_status
on_data (void *cls, const char *data, size_t len)
{
  struct load *l = cls;

  return sr_csv_feed (l->csv, data, len);
}

static enum sr_status
write_quarantine (struct load *l, const char *etag)
{
  char err[600];
  enum sr_status st = sr_s3_quarantine_write (&l->bad, l->sync->conn,
                                              l->bucket, l->key, etag, err,
                                              sizeof (err));

  if (SR_OK != st)
    return load_fail (l, st, "quarantine: %s", err);
  return SR_OK;
}

static enum sr_status
record_state (struct load *l, const struct sr_s3_object *obj,
              const char *etag)
{
  char day[SR_DATE_LEN], err[600];
  struct sr_store_s3_record rec = {
    .bucket = l->bucket, .key = l->key, .prefix = l->prefix,
    .table = l->table, .etag = etag, .size = obj->size,
    .last_modified = obj->last_modified,
    .file_date = l->has_day ? day : NULL, .rows_loaded = l->good,
    .rows_rejected = l->bad.n, .columns = l->columns_json,
    .new_columns = l->new_columns,
  };
  enum sr_status st;

  if (l->has_day)
    sr_date_format (l->day, day);
  st = sr_store_s3_record (l->sync->conn, &rec, err, sizeof (err));
  if (SR_OK != st)
    return load_fail (l, st, "recording the object: %s", err);
  return SR_OK;
}

/* What the file shows (store_anomalies.h), committed with it. */
static enum sr_status
detect_anomalies (struct load *l)
{
  struct sr_anomaly_limits limits;
  char err[600];
  enum sr_status st;

  sr_anomaly_limits_of (l->sync->cfg, &limits);
  st = sr_store_anomalies_detect_file (l->sync->conn, &limits, l->bucket,
                                       l->key, l->sync->cfg->client_id, NULL,
                                       err, sizeof (err));
  if (SR_OK != st)
    return load_fail (l, st, "anomalies: %s", err);
  return SR_OK;
}

static void
load_clean (struct load *l)
{
  if (l->copy_open)
    sr_copy_stream_abort (&l->copy, "load abandoned");
  sr_csv_free (l->csv);
  free (l->columns);
  json_decref (l->columns_json);
  json_decref (l->new_columns);
  sr_s3_quarantine_clean (&l->bad);
  sr_order_latest_free (l->orders);
}

/* Steps inside the object's transaction; @return whether to commit. */
static enum sr_status
load_in_tx (struct load *l, struct sr_s3 *s3, const struct sr_s3_object *obj,
            bool force, bool *unchanged, struct sr_sync_result *res)
{
  char err[900];
  char etag[80] = "", loaded[80];
  uint64_t bytes = 0, rows = 0;
  enum sr_status st;

  *unchanged = false;
  st = sr_store_s3_lock_object (l->sync->conn, l->bucket, l->key, loaded,
                                sizeof (loaded), err, sizeof (err));
  if (SR_OK != st)
    return load_fail (l, st, "%s", err);
  *unchanged = !force && 0 == strcmp (loaded, obj->etag);
  if (*unchanged)
    return SR_OK;
  l->csv = sr_csv_new (MAX_RECORD, on_record, l);
  st = sr_s3_get (s3, l->key, on_data, l, etag, &bytes, &res->http, err,
                  sizeof (err));
  if ('\0' != l->refused[0] || SR_OK != l->st)
    return SR_E_INVALID;
  if (SR_OK != st)
    return load_fail (l, st, "%s", err);
  /* An unterminated quote at the end was quarantined like any bad row;
   * the rest of the file is good. */
  st = sr_csv_finish (l->csv);
  if ('\0' != l->refused[0] || SR_OK != l->st)
    return SR_E_INVALID;
  if (0 == sr_csv_records (l->csv) + sr_csv_bad_records (l->csv))
    return refuse (l, "the object is empty (no header line)");
  if (0 == l->good && l->bad.n > 0)
    return refuse (l, "not a CSV export: none of its %zu rows could be read",
                   l->bad.n);
  if (l->bad.n > 100 && l->bad.n > l->good)
    return refuse (l, "not a CSV export: %zu of %" PRIu64 " rows are "
                   "unreadable", l->bad.n, l->bad.n + l->good);
  if (l->copy_open) {
    l->copy_open = false;
    st = sr_copy_stream_end (&l->copy, &rows, err, sizeof (err));
    if (SR_OK != st)
      return load_fail (l, st, "%s", err);
  }
  if ('\0' == etag[0])
    snprintf (etag, sizeof (etag), "%s", obj->etag);
  st = write_quarantine (l, etag);
  if (SR_OK == st && NULL != l->orders) {
    st = sr_order_latest_finish (l->orders, l->sync->conn,
                                 l->sync->cfg->client_id, err, sizeof (err));
    if (SR_OK != st)
      load_fail (l, st, "order reports: %s", err);
  }
  if (SR_OK == st)
    st = record_state (l, obj, etag);
  if (SR_OK == st)
    st = detect_anomalies (l);
  return st;
}

struct object_tx {
  struct load *l;
  struct sr_s3 *s3;
  const struct sr_s3_object *obj;
  bool force;
  bool unchanged;
  struct sr_sync_result *res;
};

/* Inside the object's transaction: load it, then the caller's commit
 * hook (the job's completion) when something was written.  On failure the
 * COPY is closed so the rollback can go through. */
static enum sr_status
object_tx_work (void *cls, PGconn *conn, char *err, size_t errlen)
{
  struct object_tx *o = cls;
  struct load *l = o->l;
  enum sr_status st = load_in_tx (l, o->s3, o->obj, o->force, &o->unchanged,
                                  o->res);

  if (SR_OK == st && !o->unchanged && NULL != l->sync->commit_hook) {
    struct sr_write_counts wc = { .deleted = l->deleted,
                                  .inserted = l->good };

    st = sr_commit_hook_run (l->sync->commit_hook, conn, &wc, err, errlen);
    if (SR_OK != st)
      load_fail (l, st, "%s", err);
  }
  if (SR_OK != st && l->copy_open) {
    sr_copy_stream_abort (&l->copy, "load failed");
    l->copy_open = false;
  }
  if (SR_OK != st)
    snprintf (err, errlen, "%s", '\0' != l->refused[0] ? l->refused : l->err);
  return st;
}

void
sr__s3_note_failure (struct sr__s3_totals *t, const char *key, const char *why)
{
  if (json_array_size (t->failures) < SR__S3_MAX_FAILURES_LISTED)
    json_array_append_new (t->failures, json_pack ("{s:s, s:s}", "key", key,
                                                   "error", why));
  if ('\0' == t->first_error[0])
    snprintf (t->first_error, sizeof (t->first_error), "%s: %s", key, why);
}

/* A committed object's rows in the metrics, under its table's name. */
static void
count_rows (const char *table, uint64_t good, uint64_t deleted,
            uint64_t bad)
{
  char qualified[96];
  const char *ins[] = { "s3_exports", qualified, "inserted" };
  const char *del[] = { "s3_exports", qualified, "deleted" };
  const char *rej[] = { "s3_exports", qualified, "rejected" };

  snprintf (qualified, sizeof (qualified), "s3_exports.%s", table);
  sr_metric_add (&sr_m_rows, ins, good);
  if (deleted > 0)
    sr_metric_add (&sr_m_rows, del, deleted);
  if (bad > 0) {
    sr_metric_add (&sr_m_rows, rej, bad);
    sr_metric_add (&sr_m_quarantined_rows,
                   (const char *[]) { "s3_exports" }, bad);
  }
}

/* Load one object; @a res is the caller's own (its request counters are
 * not shared), the rest is accounted in @a t under its lock. */
void
sr__s3_load_object (struct sr_sync_ctx *sync, struct sr_s3 *s3, const char *prefix,
             const char *table, const struct sr_s3_object *obj, bool force,
             struct sr__s3_totals *t, struct sr_sync_result *res)
{
  struct load l = { .sync = sync, .bucket = sync->cfg->s3_bucket_name,
                    .prefix = prefix, .table = table, .key = obj->key };
  char err[600];
  bool unchanged = false;
  uint64_t deleted = 0;
  enum sr_status st;

  l.has_day = sr_export_file_date (obj->key, &l.day);
  {
    struct object_tx o = { .l = &l, .s3 = s3, .obj = obj, .force = force,
                           .res = res };

    /* The object streams from S3 into COPY: the transaction cannot be
     * replayed, so one attempt (a failed load is retried as a job). */
    st = sr_tx_run (sync->conn, obj->key, 1, object_tx_work, &o, err,
                    sizeof (err));
    unchanged = o.unchanged;
    if (SR_OK != st && '\0' == l.refused[0])
      load_fail (&l, st, "%s", err);
  }
  deleted = l.deleted;
  pthread_mutex_lock (&t->lock);
  if (unchanged) {
    t->unchanged++;
  } else if ('\0' != l.refused[0]) {
    t->refused++;
    sr__s3_note_failure (t, obj->key, l.refused);
  } else if (SR_OK != st) {
    t->failed++;
    sr__s3_note_failure (t, obj->key, l.err);
  } else {
    t->loaded++;
    t->quarantined += l.bad.n;
    res->inserted += l.good;
    res->deleted += deleted;
    res->skipped += l.bad.n;
    count_rows (table, l.good, deleted, l.bad.n);
    if (NULL != l.new_columns && json_array_size (l.new_columns) > 0)
      json_object_set (t->new_columns, obj->key, l.new_columns);
  }
  pthread_mutex_unlock (&t->lock);
  if ('\0' != l.refused[0])
    sr_log (SR_LOG_ERROR, "s3 object refused", "{s:s, s:s}", "key",
            obj->key, "error", l.refused);
  else if (SR_OK != st && !unchanged)
    sr_log (SR_LOG_ERROR, "s3 object failed", "{s:s, s:s}", "key",
            obj->key, "error", l.err);
  else if (!unchanged)
    sr_log (SR_LOG_INFO, "s3 object loaded",
            "{s:s, s:s, s:I, s:I, s:I}", "key", obj->key, "table", table,
            "rows", (json_int_t) l.good, "quarantined",
            (json_int_t) l.bad.n, "replaced", (json_int_t) deleted);
  load_clean (&l);
}

/* end of s3_load.c */
