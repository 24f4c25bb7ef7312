/*
 * order_latest.c -- see order_latest.h.
 */
#include "order_latest.h"
#include "mem.h"
#include "order_delta.h"
#include "order_fields.h"
#include "store_orders.h"

#include <obstack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define obstack_chunk_alloc sr_xmalloc
#define obstack_chunk_free free

/* The export columns the reports read. */
enum col {
  COL_ID, COL_CATEGORY, COL_DATE, COL_TIME, COL_STATUS, COL_TOTAL, COL_STATE,
  COL_EMAIL, COL_CAMPAIGN, COL_AFFID, COL_GATEWAY, COL_CHARGEBACK,
  COL_REFUND, N_COLS
};
static const char *const col_names[N_COLS] = {
  "orders_id", "product_category", "order_date", "order_time",
  "order_status", "total_amount", "billing_state", "billing_email",
  "campaign_id", "affid", "gateway_alias", "chargeback_flag", "refund_flag"
};

/* A file whose order ids span at most this many times its number of
 * orders reads the kept rows with one scan of that run of ids (an export
 * of a day's new orders: consecutive ids) instead of a probe per order:
 * the scan costs a fraction of a probe per row, so reading a few rows of
 * other orders on the way is still cheaper. */
#define RUN_SPREAD 4

/* What becomes of a file's row once the kept rows are known. */
enum fate { FATE_ADD, FATE_REPLACE, FATE_OUTRANKED };

struct sr_order_latest {
  const char *table;
  const char *file;
  int rank;
  bool has_file_date;
  int32_t file_date;
  size_t cap;
  size_t bytes;
  bool spilled;                  /* over the cap: the database counts */
  int col[N_COLS];               /* index in the header, or -1 */
  struct obstack strings;
  struct sr_order_row *rows;     /* in file order */
  size_t n, alloc;
  /* at finish */
  struct sr_order_row **uniq;    /* one per order, by order_id */
  unsigned char *fate;
  size_t n_uniq;
  int64_t *previous;             /* the earlier version's orders */
  size_t n_previous;
  int64_t *dropped;              /* orders the earlier version kept */
  size_t n_dropped, dropped_alloc;
  struct sr_order_delta *delta;
};

struct sr_order_latest *
sr_order_latest_new (const char *table, const char *file, bool has_file_date,
                     int32_t file_date, size_t cap_bytes)
{
  struct sr_order_latest *ol;
  int rank;

  if (0 == strcmp (table, "orders_create"))
    rank = 1;
  else if (0 == strcmp (table, "orders_update"))
    rank = 2;
  else
    return NULL;
  ol = sr_xcalloc (1, sizeof (*ol));
  ol->table = table;
  ol->file = file;
  ol->rank = rank;
  ol->has_file_date = has_file_date;
  ol->file_date = file_date;
  ol->cap = cap_bytes;
  for (int i = 0; i < N_COLS; i++)
    ol->col[i] = -1;
  obstack_init (&ol->strings);
  return ol;
}

void
sr_order_latest_header (struct sr_order_latest *ol,
                        const char (*columns)[SR_IDENT_MAX], size_t n_columns)
{
  for (int c = 0; c < N_COLS; c++)
    for (size_t i = 0; i < n_columns; i++)
      if (0 == strcmp (columns[i], col_names[c])) {
        ol->col[c] = (int) i;
        break;
      }
}

static void
cell (const struct sr_order_latest *ol, const struct sr_csv_record *rec,
      enum col c, const char **p, size_t *len)
{
  if (ol->col[c] < 0) {
    *p = "";
    *len = 0;
  } else {
    *p = rec->fields[ol->col[c]].ptr;
    *len = rec->fields[ol->col[c]].len;
  }
}

static char *
keep (struct sr_order_latest *ol, const char *p, size_t len)
{
  ol->bytes += len + 1;
  return obstack_copy0 (&ol->strings, p, len);
}

/* A trimmed cell, or @a otherwise when it is empty (coalesce(nullif(...))). */
static const char *
trimmed_or (struct sr_order_latest *ol, const struct sr_csv_record *rec,
            enum col c, const char *otherwise)
{
  const char *p;
  size_t len;

  cell (ol, rec, c, &p, &len);
  sr_of_trim (&p, &len);
  return 0 == len ? otherwise : keep (ol, p, len);
}

static void
spill (struct sr_order_latest *ol)
{
  ol->spilled = true;
  free (ol->rows);
  ol->rows = NULL;
  ol->n = ol->alloc = 0;
  obstack_free (&ol->strings, NULL);
  obstack_init (&ol->strings);
}

static void
fill_row (struct sr_order_latest *ol, const struct sr_csv_record *rec,
          struct sr_order_row *o)
{
  const char *p, *t;
  size_t len, tlen;
  char state[3];

  cell (ol, rec, COL_CATEGORY, &p, &len);
  o->category = keep (ol, p, len);
  cell (ol, rec, COL_DATE, &p, &len);
  cell (ol, rec, COL_TIME, &t, &tlen);
  o->has_day = sr_of_order_day (p, len, t, tlen, &o->day);
  if (!o->has_day && ol->has_file_date) {
    o->has_day = true;
    o->day = ol->file_date;
  }
  cell (ol, rec, COL_STATUS, &p, &len);
  sr_of_trim (&p, &len);
  o->status = keep (ol, p, len);
  sr_of_ascii_upper ((char *) o->status, len);
  cell (ol, rec, COL_TOTAL, &p, &len);
  o->total = sr_of_total (&p, &len) ? keep (ol, p, len) : NULL;
  cell (ol, rec, COL_STATE, &p, &len);
  o->state = sr_of_state (p, len, state) ? keep (ol, state, 2) : NULL;
  o->customer = trimmed_or (ol, rec, COL_EMAIL, NULL);
  if (NULL != o->customer)
    sr_of_ascii_lower ((char *) o->customer, strlen (o->customer));
  o->campaign = trimmed_or (ol, rec, COL_CAMPAIGN, "direct");
  o->affiliate = trimmed_or (ol, rec, COL_AFFID, "direct");
  o->gateway = trimmed_or (ol, rec, COL_GATEWAY, "unknown");
  cell (ol, rec, COL_CHARGEBACK, &p, &len);
  o->chargeback = sr_of_flag (p, len);
  cell (ol, rec, COL_REFUND, &p, &len);
  o->refunded = sr_of_flag (p, len);
  o->has_file_date = ol->has_file_date;
  o->file_date = ol->file_date;
  o->rank = ol->rank;
  o->file = ol->file;
}

void
sr_order_latest_row (struct sr_order_latest *ol,
                     const struct sr_csv_record *rec, int64_t row_id)
{
  const char *p;
  size_t len;
  int64_t id;
  struct sr_order_row *o;

  if (ol->spilled)
    return;
  cell (ol, rec, COL_ID, &p, &len);
  if (!sr_of_order_id (p, len, &id))
    return;                      /* no order: the view skips it too */
  if (ol->n == ol->alloc) {
    ol->alloc = ol->alloc ? 2 * ol->alloc : 1024;
    ol->rows = sr_xrealloc (ol->rows, ol->alloc * sizeof (*ol->rows));
  }
  o = &ol->rows[ol->n++];
  memset (o, 0, sizeof (*o));
  o->order_id = id;
  o->row = row_id;
  fill_row (ol, rec, o);
  if (ol->bytes + ol->alloc * sizeof (*ol->rows) > ol->cap)
    spill (ol);
}


/* orders_current's order: file date (none first), create before update,
 * file name in byte order, row. */
static int
rank_cmp (const struct sr_order_row *a, const struct sr_order_row *b)
{
  int c;

  if (a->has_file_date != b->has_file_date)
    return a->has_file_date ? 1 : -1;
  if (a->has_file_date && a->file_date != b->file_date)
    return a->file_date < b->file_date ? -1 : 1;
  if (a->rank != b->rank)
    return a->rank < b->rank ? -1 : 1;
  c = strcmp (a->file, b->file);
  if (0 != c)
    return c < 0 ? -1 : 1;
  if (a->row != b->row)
    return a->row < b->row ? -1 : 1;
  return 0;
}

/* By order, the file's last row of each first. */
static int
by_order_last_first (const void *x, const void *y)
{
  const struct sr_order_row *a = *(struct sr_order_row *const *) x;
  const struct sr_order_row *b = *(struct sr_order_row *const *) y;

  if (a->order_id != b->order_id)
    return a->order_id < b->order_id ? -1 : 1;
  return a->row > b->row ? -1 : a->row < b->row;
}

static int
by_id (const void *x, const void *y)
{
  int64_t a = *(const int64_t *) x, b = *(const int64_t *) y;

  return a < b ? -1 : a > b;
}

/* One row per order, sorted by order id, in ol->uniq. */
static void
pick_last_rows (struct sr_order_latest *ol)
{
  struct sr_order_row **all = sr_xcalloc (ol->n ? ol->n : 1, sizeof (*all));

  for (size_t i = 0; i < ol->n; i++)
    all[i] = &ol->rows[i];
  qsort (all, ol->n, sizeof (*all), by_order_last_first);
  ol->n_uniq = 0;
  for (size_t i = 0; i < ol->n; i++)
    if (0 == ol->n_uniq
        || all[ol->n_uniq - 1]->order_id != all[i]->order_id)
      all[ol->n_uniq++] = all[i];
  ol->uniq = all;
  ol->fate = sr_xcalloc (ol->n_uniq ? ol->n_uniq : 1, 1);
}

/* The index in ol->uniq of order @a id, or ol->n_uniq. */
static size_t
find_order (const struct sr_order_latest *ol, int64_t id)
{
  size_t lo = 0, hi = ol->n_uniq;

  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;

    if (ol->uniq[mid]->order_id < id)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < ol->n_uniq && ol->uniq[lo]->order_id == id ? lo : ol->n_uniq;
}

static bool
in_file (const struct sr_order_latest *ol, int64_t id)
{
  return find_order (ol, id) < ol->n_uniq;
}

/* A kept row of the file's earlier version, removed. */
static enum sr_status
on_dropped (void *cls, const struct sr_order_row *row)
{
  struct sr_order_latest *ol = cls;

  sr_order_delta_add (ol->delta, row, -1);
  if (ol->n_dropped == ol->dropped_alloc) {
    ol->dropped_alloc = ol->dropped_alloc ? 2 * ol->dropped_alloc : 256;
    ol->dropped = sr_xrealloc (ol->dropped,
                               ol->dropped_alloc * sizeof (*ol->dropped));
  }
  ol->dropped[ol->n_dropped++] = row->order_id;
  return SR_OK;
}

/* A kept row of one of the file's orders, removed when the file
 * outranked it. */
static enum sr_status
on_existing (void *cls, const struct sr_order_row *row)
{
  struct sr_order_latest *ol = cls;
  size_t i = find_order (ol, row->order_id);
  bool replace;

  if (i == ol->n_uniq || FATE_ADD != ol->fate[i])
    return SR_E_INTERNAL;        /* a row nobody asked for, or twice */
  /* The statement ranks by file; a disagreement would mean two rows of
   * one file, which taking the file's earlier rows out rules out. */
  replace = rank_cmp (ol->uniq[i], row) > 0;
  if (replace != row->replaced)
    return SR_E_INTERNAL;
  if (replace) {
    ol->fate[i] = FATE_REPLACE;
    sr_order_delta_add (ol->delta, row, -1);
  } else {
    ol->fate[i] = FATE_OUTRANKED;
  }
  return SR_OK;
}

static enum sr_status
on_fallen_back (void *cls, const struct sr_order_row *row)
{
  struct sr_order_latest *ol = cls;

  sr_order_delta_add (ol->delta, row, +1);
  return SR_OK;
}

/* The kept rows of the file's orders to on_existing, the ones it
 * outranks removed. */
static enum sr_status
replace_existing (struct sr_order_latest *ol, PGconn *conn,
                  const int64_t *ids, char *err, size_t errlen)
{
  uint64_t span;

  if (0 == ol->n_uniq)
    return SR_OK;
  span = (uint64_t) ids[ol->n_uniq - 1] - (uint64_t) ids[0];
  return sr_store_orders_replace (conn, ids, ol->n_uniq,
                                  span / RUN_SPREAD < ol->n_uniq,
                                  ol->uniq[0], on_existing, ol, err, errlen);
}

/* The file's rows against the kept ones: replace, add, or leave. */
static enum sr_status
merge_rows (struct sr_order_latest *ol, PGconn *conn, const char *client,
            char *err, size_t errlen)
{
  int64_t *ids = sr_xcalloc (ol->n_uniq ? ol->n_uniq : 1, sizeof (*ids));
  const struct sr_order_row **take = sr_xcalloc (ol->n_uniq ? ol->n_uniq : 1,
                                                 sizeof (*take));
  size_t n_take = 0;
  enum sr_status st;

  for (size_t i = 0; i < ol->n_uniq; i++)
    ids[i] = ol->uniq[i]->order_id;
  st = replace_existing (ol, conn, ids, err, errlen);
  for (size_t i = 0; SR_OK == st && i < ol->n_uniq; i++) {
    if (FATE_OUTRANKED != ol->fate[i]) {
      take[n_take++] = ol->uniq[i];
      sr_order_delta_add (ol->delta, ol->uniq[i], +1);
    }
  }
  if (SR_OK == st)
    st = sr_store_orders_insert (conn, client, take, n_take, err, errlen);
  free (take);
  free (ids);
  return st;
}

/* Orders the earlier version kept and the new one lacks. */
static enum sr_status
fall_back (struct sr_order_latest *ol, PGconn *conn, char *err, size_t errlen)
{
  size_t n = 0;

  if (0 == ol->n_dropped)
    return SR_OK;                /* (qsort may not be given NULL) */
  qsort (ol->dropped, ol->n_dropped, sizeof (*ol->dropped), by_id);
  for (size_t i = 0; i < ol->n_dropped; i++)
    if (!in_file (ol, ol->dropped[i]))
      ol->dropped[n++] = ol->dropped[i];
  return sr_store_orders_fall_back (conn, ol->dropped, n, on_fallen_back, ol,
                                    err, errlen);
}

static enum sr_status
apply_delta (struct sr_order_latest *ol, PGconn *conn, const char *client,
             char *err, size_t errlen)
{
  char *json = sr_order_delta_json (ol->delta);
  enum sr_status st;

  if (NULL == json) {
    snprintf (err, errlen, "order counts: a value is not UTF-8");
    return SR_E_INVALID;
  }
  st = sr_store_orders_apply_delta (conn, client, json, err, errlen);
  free (json);
  return st;
}

enum sr_status
sr_order_latest_note_previous (struct sr_order_latest *ol, PGconn *conn,
                               char *err, size_t errlen)
{
  free (ol->previous);
  return sr_store_orders_of_file (conn, ol->table, ol->file, &ol->previous,
                                  &ol->n_previous, err, errlen);
}

enum sr_status
sr_order_latest_finish (struct sr_order_latest *ol, PGconn *conn,
                        const char *client, char *err, size_t errlen)
{
  enum sr_status st;

  if (ol->spilled)
    return sr_store_orders_file_loaded (conn, ol->table, ol->file, err,
                                        errlen);
  ol->delta = sr_order_delta_new ();
  pick_last_rows (ol);
  st = sr_store_orders_lock (conn, err, errlen);
  if (SR_OK == st)
    st = sr_store_orders_take_file (conn, ol->file, ol->previous,
                                    ol->n_previous, on_dropped, ol, err,
                                    errlen);
  if (SR_OK == st)
    st = merge_rows (ol, conn, client, err, errlen);
  if (SR_OK == st)
    st = fall_back (ol, conn, err, errlen);
  if (SR_OK == st)
    st = apply_delta (ol, conn, client, err, errlen);
  return st;
}

void
sr_order_latest_free (struct sr_order_latest *ol)
{
  if (NULL == ol)
    return;
  obstack_free (&ol->strings, NULL);
  free (ol->rows);
  free (ol->uniq);
  free (ol->fate);
  free (ol->dropped);
  free (ol->previous);
  sr_order_delta_free (ol->delta);
  free (ol);
}

/* end of order_latest.c */
