/*
 * s3_exports.c -- Sticky.io order exports from S3 into s3_exports.<prefix>.
 *
 * Per prefix: list the objects, compare each with what was loaded before
 * (signalroom.s3_objects: key and ETag), and load the new and changed ones
 * -- or, with force, every one whose file-name date is in the window.  An
 * unchanged object is never downloaded again.
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
#include "copy.h"
#include "csv.h"
#include "dates.h"
#include "db.h"
#include "export_names.h"
#include "log.h"
#include "mem.h"
#include "clock.h"
#include "s3_client.h"
#include "s3_exports.h"
#include "store_s3.h"
#include "tx.h"
#include "source.h"
#include "upstream.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RECORD (4u * 1024u * 1024u)
#define QUARANTINE_MAX_ROWS 100000u
#define QUARANTINE_MAX_BYTES (16u * 1024u * 1024u)
#define MAX_FAILURES_LISTED 20
#define META_FIELDS 4     /* _file_name, _row_id, _file_date, _client_id */


struct bad_row {
  uint64_t line;
  char *reason;
  char *raw;
  size_t raw_len;
};

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
  struct bad_row *bad;
  size_t n_bad;
  size_t bad_bytes;
  char refused[600];       /* not loadable at all: why */
  char err[1024];          /* failed (database, network): why */
  enum sr_status st;
};

/* Totals over a run. */
struct totals {
  pthread_mutex_t lock;      /* workers account under it */
  uint64_t listed, loaded, unchanged, failed, refused, outside, ignored;
  uint64_t quarantined;
  json_t *failures;
  json_t *new_columns;
  char first_error[900];
};

/* One object to load. */
struct work {
  char *prefix;
  char table[SR_IDENT_MAX];
  struct sr_s3_object obj;
};

/* The objects of a run, shared by the workers. */
struct queue {
  struct work *items;
  size_t n, cap, next;
  pthread_mutex_t lock;
  struct sr_sync_ctx *sync;
  struct totals *totals;
  struct sr_sync_result *res;
  bool own_connections;      /* workers open their own (else: sync's) */
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

static enum sr_status
quarantine (struct load *l, const struct sr_csv_record *rec,
            const char *reason)
{
  struct bad_row *b;

  if (l->n_bad >= QUARANTINE_MAX_ROWS
      || l->bad_bytes + rec->raw_len > QUARANTINE_MAX_BYTES)
    return refuse (l, "more than %u bad rows or %u MiB of them: not a "
                   "loadable export", QUARANTINE_MAX_ROWS,
                   QUARANTINE_MAX_BYTES >> 20);
  if (0 == l->n_bad % 64)
    l->bad = sr_xrealloc (l->bad, (l->n_bad + 64) * sizeof (*l->bad));
  b = &l->bad[l->n_bad++];
  b->line = rec->line;
  b->reason = sr_xstrdup (reason);
  b->raw = sr_xmalloc (rec->raw_len ? rec->raw_len : 1);
  memcpy (b->raw, rec->raw, rec->raw_len);
  b->raw_len = rec->raw_len;
  l->bad_bytes += rec->raw_len;
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
  st = sr_store_s3_prepare_table (l->sync->conn, l->table, l->columns_json,
                                  &l->new_columns, &copy_sql, err,
                                  sizeof (err));
  if (SR_OK != st)
    return load_fail (l, st, "preparing the table: %s", err);
  /* The earlier version's rows go only now, after the table is settled:
   * holding no lock on the table while ensure_export_table may wait for
   * its advisory lock keeps concurrent loaders free of deadlocks. */
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
  struct sr_copy_stream cs;
  char err[600];
  uint64_t rows;
  enum sr_status st;

  if (0 == l->n_bad)
    return SR_OK;
  st = sr_store_s3_quarantine_begin (&cs, l->sync->conn, err, sizeof (err));
  for (size_t i = 0; SR_OK == st && i < l->n_bad; i++) {
    const struct bad_row *b = &l->bad[i];

    st = sr_copy_bin_tuple (&cs, 6);
    if (SR_OK == st)
      st = sr_copy_bin_bytes (&cs, l->bucket, strlen (l->bucket));
    if (SR_OK == st)
      st = sr_copy_bin_bytes (&cs, l->key, strlen (l->key));
    if (SR_OK == st)
      st = sr_copy_bin_bytes (&cs, etag, strlen (etag));
    if (SR_OK == st)
      st = sr_copy_bin_int8 (&cs, (int64_t) b->line);
    if (SR_OK == st)
      st = sr_copy_bin_bytes (&cs, b->reason, strlen (b->reason));
    if (SR_OK == st)
      st = sr_copy_bin_bytes (&cs, b->raw, b->raw_len);
    if (SR_OK == st)
      st = sr_copy_stream_flush (&cs, false, err, sizeof (err));
  }
  if (SR_OK == st)
    st = sr_copy_stream_end (&cs, &rows, err, sizeof (err));
  else
    sr_copy_stream_abort (&cs, "quarantine write failed");
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
    .rows_rejected = l->n_bad, .columns = l->columns_json,
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

static void
load_clean (struct load *l)
{
  if (l->copy_open)
    sr_copy_stream_abort (&l->copy, "load abandoned");
  sr_csv_free (l->csv);
  free (l->columns);
  json_decref (l->columns_json);
  json_decref (l->new_columns);
  for (size_t i = 0; i < l->n_bad; i++) {
    free (l->bad[i].reason);
    free (l->bad[i].raw);
  }
  free (l->bad);
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
  st = sr_s3_get (s3, l->key, on_data, l, etag, &bytes, res, err,
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
  if (0 == l->good && l->n_bad > 0)
    return refuse (l, "not a CSV export: none of its %zu rows could be read",
                   l->n_bad);
  if (l->n_bad > 100 && l->n_bad > l->good)
    return refuse (l, "not a CSV export: %zu of %" PRIu64 " rows are "
                   "unreadable", l->n_bad, l->n_bad + l->good);
  if (l->copy_open) {
    l->copy_open = false;
    st = sr_copy_stream_end (&l->copy, &rows, err, sizeof (err));
    if (SR_OK != st)
      return load_fail (l, st, "%s", err);
  }
  if ('\0' == etag[0])
    snprintf (etag, sizeof (etag), "%s", obj->etag);
  st = write_quarantine (l, etag);
  if (SR_OK == st)
    st = record_state (l, obj, etag);
  return st;
}

static void
note_failure (struct totals *t, const char *key, const char *why)
{
  if (json_array_size (t->failures) < MAX_FAILURES_LISTED)
    json_array_append_new (t->failures, json_pack ("{s:s, s:s}", "key", key,
                                                   "error", why));
  if ('\0' == t->first_error[0])
    snprintf (t->first_error, sizeof (t->first_error), "%s: %s", key, why);
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

/* Load one object; @a res is the caller's own (its request counters are
 * not shared), the rest is accounted in @a t under its lock. */
static void
load_object (struct sr_sync_ctx *sync, struct sr_s3 *s3, const char *prefix,
             const char *table, const struct sr_s3_object *obj, bool force,
             struct totals *t, struct sr_sync_result *res)
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
    note_failure (t, obj->key, l.refused);
  } else if (SR_OK != st) {
    t->failed++;
    note_failure (t, obj->key, l.err);
  } else {
    t->loaded++;
    t->quarantined += l.n_bad;
    res->inserted += l.good;
    res->deleted += deleted;
    res->skipped += l.n_bad;
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
            (json_int_t) l.n_bad, "replaced", (json_int_t) deleted);
  load_clean (&l);
}

static bool
loadable_key (const char *key)
{
  size_t n = strlen (key);

  return (n > 4 && 0 == strcmp (key + n - 4, ".csv"))
         || (n > 7 && 0 == strcmp (key + n - 7, ".csv.gz"));
}

/* Keys already loaded (key -> etag) for one prefix. */
static enum sr_status
known_objects (struct sr_sync_ctx *sync, const char *prefix, json_t **out,
               char *err, size_t errlen)
{
  return sr_store_s3_known (sync->conn, sync->cfg->s3_bucket_name, prefix,
                            out, err, errlen);
}

static void
enqueue (struct queue *q, const char *prefix, const char *table,
         const struct sr_s3_object *obj)
{
  struct work *w;

  if (q->n == q->cap) {
    q->cap = q->cap ? 2 * q->cap : 64;
    q->items = sr_xrealloc (q->items, q->cap * sizeof (*q->items));
  }
  w = &q->items[q->n++];
  w->prefix = sr_xstrdup (prefix);
  snprintf (w->table, sizeof (w->table), "%s", table);
  w->obj = *obj;
  w->obj.key = sr_xstrdup (obj->key);
}

typedef void (*object_cb) (void *cls, const char *prefix, const char *table,
                           const struct sr_s3_object *obj);

static void
enqueue_cb (void *cls, const char *prefix, const char *table,
            const struct sr_s3_object *obj)
{
  enqueue (cls, prefix, table, obj);
}

static enum sr_status
sync_prefix (struct sr_sync_ctx *sync, struct sr_s3 *s3, const char *prefix,
             int32_t from, int32_t to, struct totals *t, object_cb cb,
             void *cb_cls, struct sr_sync_result *res)
{
  char table[SR_IDENT_MAX];
  char list_prefix[512];
  char err[900];
  struct sr_s3_list list = { 0 };
  json_t *known = NULL;
  enum sr_status st;

  if (!sr_export_table_name (prefix, table))
    return sr_sync_fail (res, SR_E_CONFIG, "S3_PREFIXES entry \"%s\" gives "
                         "no usable table name", prefix);
  snprintf (list_prefix, sizeof (list_prefix), "%s%s", prefix,
            '/' == prefix[strlen (prefix) - 1] ? "" : "/");
  st = sr_s3_list (s3, list_prefix,
                   (unsigned int) sync->cfg->s3_list_page_size, &list, res,
                   err, sizeof (err));
  if (SR_OK != st)
    return sr_sync_fail (res, st, "%s", err);
  st = known_objects (sync, prefix, &known, err, sizeof (err));
  if (SR_OK != st) {
    sr_s3_list_clean (&list);
    json_decref (known);
    return sr_sync_fail (res, st, "%s", err);
  }
  for (size_t i = 0; i < list.n; i++) {
    const struct sr_s3_object *obj = &list.items[i];
    const char *seen = json_string_value (json_object_get (known, obj->key));
    int32_t day;
    bool dated = sr_export_file_date (obj->key, &day);

    t->listed++;
    if (!loadable_key (obj->key)) {
      t->ignored++;
      continue;
    }
    if (sync->explicit_window && (!dated || day < from || day > to)) {
      t->outside++;
      continue;
    }
    if (!sync->force && NULL != seen && 0 == strcmp (seen, obj->etag)) {
      t->unchanged++;
      continue;
    }
    cb (cb_cls, prefix, table, obj);
  }
  sr_s3_list_clean (&list);
  json_decref (known);
  return SR_OK;
}

/* Every configured prefix, trimmed, to @a fn; stops at the first error. */
static enum sr_status
each_prefix (struct sr_sync_ctx *sync, struct sr_s3 *s3, int32_t f,
             int32_t e, struct totals *t, object_cb cb, void *cls,
             struct sr_sync_result *res)
{
  const char *p = sync->cfg->s3_prefixes;
  enum sr_status st = SR_OK;

  while (SR_OK == st && '\0' != *p) {
    size_t n = strcspn (p, ",");
    char prefix[256];
    size_t a = 0;

    while (a < n && ' ' == p[a])
      a++;
    while (n > a && ' ' == p[n - 1])
      n--;
    if (n > a && n - a < sizeof (prefix)) {
      memcpy (prefix, p + a, n - a);
      prefix[n - a] = '\0';
      st = sync_prefix (sync, s3, prefix, f, e, t, cb, cls, res);
    }
    p += strcspn (p, ",");
    if (',' == *p)
      p++;
  }
  return st;
}

/* A worker: its own connection and S3 client, objects off the queue until
 * none is left.  With one worker this runs on the caller's thread and
 * connection. */
static void *
worker (void *cls)
{
  struct queue *q = cls;
  struct sr_sync_ctx mine = *q->sync;
  struct sr_sync_result stats;
  struct sr_s3 *s3 = sr_s3_new (mine.cfg);
  bool own_conn = q->own_connections;
  char err[600];

  sr_s3_set_stop (s3, mine.stop);
  memset (&stats, 0, sizeof (stats));
  if (own_conn && SR_OK != sr_db_connect (&mine.conn, err, sizeof (err))) {
    pthread_mutex_lock (&q->totals->lock);
    note_failure (q->totals, "(worker)", err);
    q->totals->failed++;
    pthread_mutex_unlock (&q->totals->lock);
    sr_s3_free (s3);
    return NULL;
  }
  for (;;) {
    struct work *w = NULL;

    pthread_mutex_lock (&q->lock);
    if (q->next < q->n && !sr_stop_requested (mine.stop))
      w = &q->items[q->next++];
    pthread_mutex_unlock (&q->lock);
    if (NULL == w)
      break;
    load_object (&mine, s3, w->prefix, w->table, &w->obj, mine.force,
                 q->totals, &stats);
  }
  pthread_mutex_lock (&q->totals->lock);
  q->res->inserted += stats.inserted;
  q->res->deleted += stats.deleted;
  q->res->skipped += stats.skipped;
  q->res->requests += stats.requests;
  q->res->retries += stats.retries;
  pthread_mutex_unlock (&q->totals->lock);
  if (own_conn)
    PQfinish (mine.conn);
  sr_s3_free (s3);
  return NULL;
}

/* Load the queued objects on up to S3_LOAD_CONCURRENCY connections: one
 * PostgreSQL backend forms the tuples of one COPY, so files in parallel is
 * what uses more than one core of the server. */
static void
run_queue (struct queue *q)
{
  size_t n = q->sync->cfg->s3_load_concurrency;
  pthread_t threads[16];
  size_t started = 0;

  if (n > q->n)
    n = q->n;
  if (n > sizeof (threads) / sizeof (threads[0]))
    n = sizeof (threads) / sizeof (threads[0]);
  if (n <= 1) {
    (void) worker (q);
    return;
  }
  q->own_connections = true;
  for (size_t i = 0; i < n; i++)
    if (0 == pthread_create (&threads[started], NULL, worker, q))
      started++;
  if (0 == started) {
    q->own_connections = false;
    (void) worker (q);
  }
  for (size_t i = 0; i < started; i++)
    pthread_join (threads[i], NULL);
}

static void
queue_clean (struct queue *q)
{
  for (size_t i = 0; i < q->n; i++) {
    free (q->items[i].prefix);
    free (q->items[i].obj.key);
  }
  free (q->items);
  pthread_mutex_destroy (&q->lock);
}

static enum sr_status
s3_sync (struct sr_sync_ctx *sync, const char *from, const char *to,
         struct sr_sync_result *res)
{
  struct totals t = { .failures = json_array (),
                      .new_columns = json_object () };
  struct queue q = { .sync = sync, .totals = &t, .res = res };
  struct sr_s3 *s3 = sr_s3_new (sync->cfg);
  int32_t f = 0, e = 0;
  enum sr_status st = SR_OK;

  sr_s3_set_stop (s3, sync->stop);
  pthread_mutex_init (&t.lock, NULL);
  pthread_mutex_init (&q.lock, NULL);

  if (sync->explicit_window && (!sr_date_parse (from, &f)
                                || !sr_date_parse (to, &e) || f > e))
    st = sr_sync_fail (res, SR_E_INVALID, "invalid window");
  if (SR_OK == st)
    st = each_prefix (sync, s3, f, e, &t, enqueue_cb, &q, res);
  if (SR_OK == st)
    run_queue (&q);
  res->fetched = t.listed;
  res->details = json_pack (
    "{s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:I, s:o, s:o}", "files",
    "listed", (json_int_t) t.listed, "loaded", (json_int_t) t.loaded,
    "unchanged", (json_int_t) t.unchanged, "refused",
    (json_int_t) t.refused, "failed", (json_int_t) t.failed,
    "outside_window", (json_int_t) t.outside, "ignored",
    (json_int_t) t.ignored, "quarantined_rows", (json_int_t) t.quarantined,
    "new_columns", t.new_columns, "problems", t.failures);
  if (SR_OK == st && t.failed + t.refused > 0)
    st = sr_sync_fail (res, t.failed > 0 ? SR_E_UPSTREAM : SR_E_INVALID,
                       "%" PRIu64 " of %" PRIu64 " objects not loaded; first: "
                       "%s", t.failed + t.refused,
                       t.failed + t.refused + t.loaded, t.first_error);
  sr_s3_free (s3);
  queue_clean (&q);
  pthread_mutex_destroy (&t.lock);
  return st;
}

struct plan_cls {
  sr_s3_plan_cb cb;
  void *cls;
  enum sr_status st;
};

static void
plan_cb (void *cls, const char *prefix, const char *table,
         const struct sr_s3_object *obj)
{
  struct plan_cls *pc = cls;
  json_t *meta;

  (void) table;
  if (SR_OK != pc->st)
    return;
  meta = json_pack ("{s:s, s:s, s:I, s:s}", "prefix", prefix, "etag",
                    obj->etag, "size", (json_int_t) obj->size,
                    "last_modified", obj->last_modified);
  pc->st = pc->cb (pc->cls, obj->key, meta);
  json_decref (meta);
}

enum sr_status
sr_s3_exports_plan (struct sr_sync_ctx *sync, const char *from,
                    const char *to, sr_s3_plan_cb cb, void *cls,
                    struct sr_sync_result *res)
{
  struct totals t = { .failures = json_array (),
                      .new_columns = json_object () };
  struct plan_cls pc = { .cb = cb, .cls = cls, .st = SR_OK };
  struct sr_s3 *s3 = sr_s3_new (sync->cfg);
  int32_t f = 0, e = 0;
  enum sr_status st = SR_OK;

  sr_s3_set_stop (s3, sync->stop);
  pthread_mutex_init (&t.lock, NULL);
  if (sync->explicit_window && (!sr_date_parse (from, &f)
                                || !sr_date_parse (to, &e) || f > e))
    st = sr_sync_fail (res, SR_E_INVALID, "invalid window");
  if (SR_OK == st)
    st = each_prefix (sync, s3, f, e, &t, plan_cb, &pc, res);
  if (SR_OK == st)
    st = pc.st;
  res->fetched = t.listed;
  res->details = json_pack ("{s:I, s:I, s:I, s:I}", "listed",
                            (json_int_t) t.listed, "unchanged",
                            (json_int_t) t.unchanged, "outside_window",
                            (json_int_t) t.outside, "ignored",
                            (json_int_t) t.ignored);
  json_decref (t.failures);
  json_decref (t.new_columns);
  pthread_mutex_destroy (&t.lock);
  sr_s3_free (s3);
  return st;
}

enum sr_status
sr_s3_exports_load (struct sr_sync_ctx *sync, const char *key,
                    const json_t *meta, struct sr_sync_result *res)
{
  struct totals t = { .failures = json_array (),
                      .new_columns = json_object () };
  struct sr_s3_object obj = { 0 };
  const char *prefix = json_string_value (json_object_get (meta, "prefix"));
  char table[SR_IDENT_MAX];
  struct sr_s3 *s3;
  enum sr_status st = SR_OK;

  if (NULL == prefix || !sr_export_table_name (prefix, table))
    return sr_sync_fail (res, SR_E_INVALID, "object job for %s has no "
                         "usable prefix", key);
  obj.key = (char *) key;
  snprintf (obj.etag, sizeof (obj.etag), "%s",
            json_string_value (json_object_get (meta, "etag"))
            ? json_string_value (json_object_get (meta, "etag")) : "");
  obj.size = (uint64_t) json_integer_value (json_object_get (meta, "size"));
  snprintf (obj.last_modified, sizeof (obj.last_modified), "%s",
            json_string_value (json_object_get (meta, "last_modified"))
            ? json_string_value (json_object_get (meta, "last_modified"))
            : "");
  pthread_mutex_init (&t.lock, NULL);
  s3 = sr_s3_new (sync->cfg);
  sr_s3_set_stop (s3, sync->stop);
  load_object (sync, s3, prefix, table, &obj, sync->force, &t, res);
  if (t.failed + t.refused > 0)
    st = sr_sync_fail (res, t.failed > 0 ? SR_E_UPSTREAM : SR_E_INVALID,
                       "%s", t.first_error);
  res->details = json_pack ("{s:s, s:I, s:o}", "object", key,
                            "quarantined_rows", (json_int_t) t.quarantined,
                            "new_columns", t.new_columns);
  json_decref (t.failures);
  pthread_mutex_destroy (&t.lock);
  sr_s3_free (s3);
  return st;
}

const struct sr_source sr_source_s3_exports = {
  .name = "s3_exports",
  .sync = s3_sync,
};

/* end of s3_exports.c */
