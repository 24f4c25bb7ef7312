/*
 * s3_exports.c -- the S3 order-export source: the objects to load (s3_plan.c)
 * loaded one by one (s3_load.c), in parallel on S3_LOAD_CONCURRENCY
 * connections when run from the command line; under `serve` each object
 * is a job of the worker pool instead.
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
#include "s3_exports.h"
#include "s3_internal.h"
#include "dates.h"
#include "db.h"
#include "export_names.h"
#include "mem.h"
#include "upstream.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  struct sr__s3_totals *totals;
  struct sr_sync_result *res;
  bool own_connections;      /* workers open their own (else: sync's) */
};

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

static void
enqueue_cb (void *cls, const char *prefix, const char *table,
            const struct sr_s3_object *obj)
{
  enqueue (cls, prefix, table, obj);
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
    sr__s3_note_failure (q->totals, "(worker)", err);
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
    sr__s3_load_object (&mine, s3, w->prefix, w->table, &w->obj, mine.force,
                 q->totals, &stats);
  }
  pthread_mutex_lock (&q->totals->lock);
  q->res->inserted += stats.inserted;
  q->res->deleted += stats.deleted;
  q->res->skipped += stats.skipped;
  q->res->http.requests += stats.http.requests;
  q->res->http.retries += stats.http.retries;
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
  struct sr__s3_totals t = { .failures = json_array (),
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
    st = sr__s3_each_prefix (sync, s3, f, e, &t, enqueue_cb, &q, res);
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

enum sr_status
sr_s3_exports_load (struct sr_sync_ctx *sync, const char *key,
                    const json_t *meta, struct sr_sync_result *res)
{
  struct sr__s3_totals t = { .failures = json_array (),
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
  sr__s3_load_object (sync, s3, prefix, table, &obj, sync->force, &t, res);
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
