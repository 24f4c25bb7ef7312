/*
 * store_orders.c -- see store_orders.h.
 */
#include "store_orders.h"
#include "copy.h"
#include "dates.h"
#include "db.h"
#include "mem.h"
#include "sql_embedded.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One COPY's data is one libpq message: far below its 1 GiB limit (the
 * loader's rows are capped well under this). */
#define SR_ORDERS_COPY_MAX (256u << 20)

/* The columns every statement here gives back, in this order. */
enum {
  C_ID, C_CATEGORY, C_DAY, C_STATUS, C_TOTAL, C_STATE, C_CUSTOMER,
  C_CAMPAIGN, C_AFFILIATE, C_GATEWAY, C_CHARGEBACK, C_REFUNDED,
  C_FILE_DATE, C_RANK, C_FILE, C_ROW, C_COUNT
};

static const char *
opt (const PGresult *r, int i, int c)
{
  return PQgetisnull (r, i, c) ? NULL : PQgetvalue (r, i, c);
}

static void
row_from (const PGresult *r, int i, struct sr_order_row *o)
{
  memset (o, 0, sizeof (*o));
  o->order_id = strtoll (PQgetvalue (r, i, C_ID), NULL, 10);
  o->category = PQgetvalue (r, i, C_CATEGORY);
  o->has_day = !PQgetisnull (r, i, C_DAY);
  o->day = o->has_day ? (int32_t) atol (PQgetvalue (r, i, C_DAY)) : 0;
  o->status = PQgetvalue (r, i, C_STATUS);
  o->total = opt (r, i, C_TOTAL);
  o->state = opt (r, i, C_STATE);
  o->customer = opt (r, i, C_CUSTOMER);
  o->campaign = PQgetvalue (r, i, C_CAMPAIGN);
  o->affiliate = PQgetvalue (r, i, C_AFFILIATE);
  o->gateway = PQgetvalue (r, i, C_GATEWAY);
  o->chargeback = 't' == PQgetvalue (r, i, C_CHARGEBACK)[0];
  o->refunded = 't' == PQgetvalue (r, i, C_REFUNDED)[0];
  o->has_file_date = !PQgetisnull (r, i, C_FILE_DATE);
  o->file_date = o->has_file_date
                 ? (int32_t) atol (PQgetvalue (r, i, C_FILE_DATE)) : 0;
  o->rank = atoi (PQgetvalue (r, i, C_RANK));
  o->file = PQgetvalue (r, i, C_FILE);
  o->row = strtoll (PQgetvalue (r, i, C_ROW), NULL, 10);
  o->replaced = PQnfields (r) > C_COUNT
                && 't' == PQgetvalue (r, i, C_COUNT)[0];
}

/* Run a statement giving rows back and hand each to @a cb. */
static enum sr_status
walk (PGconn *conn, const char *name, const char *sql, int n_params,
      const char *const *params, sr_order_row_cb cb, void *cls, char *err,
      size_t errlen)
{
  PGresult *r;
  enum sr_status st = sr_db_exec (conn, name, sql, n_params, params, &r, err,
                                  errlen);

  if (SR_OK != st)
    return st;
  if (PQnfields (r) < C_COUNT) {
    snprintf (err, errlen, "%s: %d columns, expected %d", name,
              PQnfields (r), C_COUNT);
    PQclear (r);
    return SR_E_INTERNAL;
  }
  for (int i = 0; SR_OK == st && i < PQntuples (r); i++) {
    struct sr_order_row o;

    row_from (r, i, &o);
    st = cb (cls, &o);
    if (SR_OK != st)
      snprintf (err, errlen, "%s: stopped at order %" PRId64, name,
                o.order_id);
  }
  PQclear (r);
  return st;
}

/* @a ids as a PostgreSQL array literal (integers only: nothing to quote). */
static enum sr_status
id_array (struct sr_buf *b, const int64_t *ids, size_t n)
{
  enum sr_status st = sr_buf_append (b, "{", 1);

  for (size_t i = 0; SR_OK == st && i < n; i++) {
    char num[24];
    int len = snprintf (num, sizeof (num), "%s%" PRId64, i ? "," : "",
                        ids[i]);

    st = sr_buf_append (b, num, (size_t) len);
  }
  if (SR_OK == st)
    st = sr_buf_append (b, "}", 2);     /* with the terminating NUL */
  return st;
}

/* Run @a sql with its @a n_params @a params, the array of @a ids as
 * parameter @a ids_at (its slot in @a params is filled here), handing each
 * row it gives to @a cb. */
static enum sr_status
with_ids (PGconn *conn, const char *name, const char *sql,
          const char **params, int n_params, int ids_at, const int64_t *ids,
          size_t n, sr_order_row_cb cb, void *cls, char *err, size_t errlen)
{
  struct sr_buf b;
  enum sr_status st;

  if (0 == n)
    return SR_OK;
  sr_buf_init (&b, 24 * n + 8);
  st = id_array (&b, ids, n);
  params[ids_at] = b.data;
  if (SR_OK != st)
    snprintf (err, errlen, "%s: %zu ids do not fit a parameter", name, n);
  else
    st = walk (conn, name, sql, n_params, params, cb, cls, err, errlen);
  sr_buf_clean (&b);
  return st;
}

enum sr_status
sr_store_orders_lock (PGconn *conn, char *err, size_t errlen)
{
  return sr_db_run (conn, "orders_latest_lock", sr_sql_orders_latest_lock, 0,
                    NULL, err, errlen);
}

enum sr_status
sr_store_orders_of_file (PGconn *conn, const char *table, const char *file,
                         int64_t **ids, size_t *n, char *err, size_t errlen)
{
  const char *params[1] = { file };
  bool create = 0 == strcmp (table, "orders_create");
  PGresult *r;
  enum sr_status st;

  *ids = NULL;
  *n = 0;
  if (!create && 0 != strcmp (table, "orders_update")) {
    snprintf (err, errlen, "%s has no order reports", table);
    return SR_E_INTERNAL;
  }
  st = sr_db_exec (conn, create ? "orders_of_create_file"
                   : "orders_of_update_file",
                   create ? sr_sql_orders_of_create_file
                   : sr_sql_orders_of_update_file, 1, params, &r, err,
                   errlen);
  if (SR_OK != st)
    return st;
  *n = (size_t) PQntuples (r);
  *ids = sr_xcalloc (*n ? *n : 1, sizeof (**ids));
  for (size_t i = 0; i < *n; i++)
    (*ids)[i] = strtoll (PQgetvalue (r, (int) i, 0), NULL, 10);
  PQclear (r);
  return SR_OK;
}

enum sr_status
sr_store_orders_take_file (PGconn *conn, const char *file,
                           const int64_t *ids, size_t n, sr_order_row_cb cb,
                           void *cls, char *err, size_t errlen)
{
  const char *params[2] = { file, NULL };

  return with_ids (conn, "orders_latest_take_file",
                   sr_sql_orders_latest_take_file, params, 2, 1, ids, n, cb,
                   cls, err, errlen);
}

enum sr_status
sr_store_orders_replace (PGconn *conn, const int64_t *ids, size_t n,
                         bool by_run, const struct sr_order_row *file_row,
                         sr_order_row_cb cb, void *cls, char *err,
                         size_t errlen)
{
  char date[SR_DATE_LEN], rank[8], first[24], last[24];
  const char *params[6] = { NULL, file_row->has_file_date ? date : NULL,
                            rank, file_row->file, by_run ? first : NULL,
                            by_run ? last : NULL };

  if (0 == n)
    return SR_OK;
  if (file_row->has_file_date)
    sr_date_format (file_row->file_date, date);
  snprintf (rank, sizeof (rank), "%d", file_row->rank);
  snprintf (first, sizeof (first), "%" PRId64, ids[0]);
  snprintf (last, sizeof (last), "%" PRId64, ids[n - 1]);
  return with_ids (conn, "orders_latest_replace",
                   sr_sql_orders_latest_replace, params, 6, 0, ids, n, cb,
                   cls, err, errlen);
}

enum sr_status
sr_store_orders_fall_back (PGconn *conn, const int64_t *ids, size_t n,
                           sr_order_row_cb cb, void *cls, char *err,
                           size_t errlen)
{
  const char *params[1] = { NULL };

  return with_ids (conn, "orders_latest_fall_back",
                   sr_sql_orders_latest_fall_back, params, 1, 0, ids, n, cb,
                   cls, err, errlen);
}

static enum sr_status
copy_opt (struct sr_buf *b, const char *s, bool last)
{
  return NULL == s ? sr_copy_null (b, last)
                   : sr_copy_text (b, s, strlen (s), last);
}

static enum sr_status
copy_date (struct sr_buf *b, bool has, int32_t day, bool last)
{
  char text[SR_DATE_LEN];

  if (!has)
    return sr_copy_null (b, last);
  sr_date_format (day, text);
  return sr_copy_text (b, text, strlen (text), last);
}

static enum sr_status
copy_row (struct sr_buf *b, const char *client, const struct sr_order_row *o)
{
  enum sr_status st = sr_copy_int (b, o->order_id, false);

  if (SR_OK == st) st = copy_opt (b, client, false);
  if (SR_OK == st) st = copy_opt (b, o->category, false);
  if (SR_OK == st) st = copy_date (b, o->has_day, o->day, false);
  if (SR_OK == st) st = copy_opt (b, o->status, false);
  if (SR_OK == st) st = copy_opt (b, o->total, false);
  if (SR_OK == st) st = copy_opt (b, o->state, false);
  if (SR_OK == st) st = copy_opt (b, o->customer, false);
  if (SR_OK == st) st = copy_opt (b, o->campaign, false);
  if (SR_OK == st) st = copy_opt (b, o->affiliate, false);
  if (SR_OK == st) st = copy_opt (b, o->gateway, false);
  if (SR_OK == st) st = copy_opt (b, o->chargeback ? "t" : "f", false);
  if (SR_OK == st) st = copy_opt (b, o->refunded ? "t" : "f", false);
  if (SR_OK == st)
    st = copy_date (b, o->has_file_date, o->file_date, false);
  if (SR_OK == st) st = sr_copy_int (b, o->rank, false);
  if (SR_OK == st) st = copy_opt (b, o->file, false);
  if (SR_OK == st) st = sr_copy_int (b, o->row, true);
  return st;
}

enum sr_status
sr_store_orders_insert (PGconn *conn, const char *client,
                        const struct sr_order_row *const *rows, size_t n,
                        char *err, size_t errlen)
{
  struct sr_buf b;
  uint64_t loaded = 0;
  enum sr_status st = SR_OK;

  if (0 == n)
    return SR_OK;
  sr_buf_init (&b, SR_ORDERS_COPY_MAX);
  for (size_t i = 0; SR_OK == st && i < n; i++)
    st = copy_row (&b, client, rows[i]);
  if (SR_OK != st)
    snprintf (err, errlen, "orders_latest_copy: %zu rows do not fit", n);
  else
    st = sr_copy_in (conn, "orders_latest_copy", sr_sql_orders_latest_copy,
                     b.data, b.len, &loaded, err, errlen);
  sr_buf_clean (&b);
  if (SR_OK == st && loaded != n) {
    snprintf (err, errlen, "orders_latest_copy: %" PRIu64 " of %zu rows",
              loaded, n);
    st = SR_E_INTERNAL;
  }
  return st;
}

enum sr_status
sr_store_orders_apply_delta (PGconn *conn, const char *client,
                             const char *delta_json, char *err, size_t errlen)
{
  const char *params[2] = { client, delta_json };

  return sr_db_run (conn, "orders_delta_apply", sr_sql_orders_delta_apply, 2,
                    params, err, errlen);
}

enum sr_status
sr_store_orders_file_loaded (PGconn *conn, const char *table,
                             const char *file, char *err, size_t errlen)
{
  const char *params[2] = { table, file };

  return sr_db_run (conn, "report_orders_file_loaded",
                    sr_sql_report_orders_file_loaded, 2, params, err,
                    errlen);
}

/* end of store_orders.c */
