/*
 * store_windows.c -- see store_windows.h.
 */
#include "store_windows.h"
#include "copy.h"
#include "db.h"
#include "tx.h"
#include "sql_embedded.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct sr_store_sql sr_store_everflow_daily_stats = {
  .table = "everflow.daily_stats",
  .source = "everflow",
  .create_staging = sr_sql_everflow_incoming,
  .copy = sr_sql_everflow_incoming_copy,
  .replace = sr_sql_everflow_replace_window,
  .scoped = true,
};

const struct sr_store_sql sr_store_redtrack_daily_spend = {
  .table = "redtrack.daily_spend",
  .source = "redtrack",
  .create_staging = sr_sql_redtrack_incoming,
  .copy = sr_sql_redtrack_incoming_copy,
  .replace = sr_sql_redtrack_replace_window,
};

enum sr_status
sr_commit_hook_run (const struct sr_commit_hook *hook, PGconn *conn,
                    const struct sr_write_counts *written, char *err,
                    size_t errlen)
{
  if (NULL == hook || NULL == hook->fn)
    return SR_OK;
  return hook->fn (hook->cls, conn, written, err, errlen);
}

struct window_replace {
  const struct sr_store_sql *sql;
  const char *params[4];
  const struct sr_buf *copy_data;
  const struct sr_commit_hook *hook;
  const struct sr_anomaly_limits *check;
  struct sr_write_counts *out;
};

/* Inside the transaction: lock the table, stage the rows, replace. */
static enum sr_status
window_replace (void *cls, PGconn *conn, char *err, size_t errlen)
{
  struct window_replace *w = cls;
  const struct sr_store_sql *sql = w->sql;
  const char *lock_params[1] = { sql->table };
  PGresult *r = NULL;
  uint64_t staged = 0;
  enum sr_status st;

  memset (w->out, 0, sizeof (*w->out));
  st = sr_db_run (conn, "store_lock", sr_sql_store_lock, 1, lock_params, err,
                  errlen);
  if (SR_OK == st)
    st = sr_db_run (conn, "create staging", sql->create_staging, 0, NULL, err,
                    errlen);
  if (SR_OK == st && w->copy_data->len > 0)
    st = sr_copy_in (conn, sql->table, sql->copy, w->copy_data->data,
                     w->copy_data->len, &staged, err, errlen);
  if (SR_OK == st)
    st = sr_db_exec (conn, sql->table, sql->replace, sql->scoped ? 4 : 3,
                     w->params, &r, err, errlen);
  if (SR_OK == st && (1 != PQntuples (r) || 3 != PQnfields (r))) {
    snprintf (err, errlen, "%s: unexpected result shape", sql->table);
    st = SR_E_INTERNAL;
  }
  if (SR_OK == st) {
    w->out->deleted = strtoull (PQgetvalue (r, 0, 0), NULL, 10);
    w->out->inserted = strtoull (PQgetvalue (r, 0, 1), NULL, 10);
    w->out->updated = strtoull (PQgetvalue (r, 0, 2), NULL, 10);
  }
  PQclear (r);
  if (SR_OK == st) {
    /* The report rows of the replaced days, in the same transaction. */
    const char *days[3] = { w->params[2], w->params[0], w->params[1] };

    st = sr_db_run (conn, "report_refresh_performance",
                    sr_sql_report_refresh_performance, 3, days, err, errlen);
  }
  /* What the new rows show, committed with them (or not at all). */
  if (SR_OK == st && NULL != w->check)
    st = sr_store_anomalies_detect_window (conn, w->check, sql->source,
                                           w->params[2], w->params[0],
                                           w->params[1], NULL, err, errlen);
  if (SR_OK == st)
    st = sr_commit_hook_run (w->hook, conn, w->out, err, errlen);
  return st;
}

enum sr_status
sr_store_replace_window (PGconn *conn, const struct sr_store_sql *sql,
                         const char *from, const char *to,
                         const char *client_id, const char *scope,
                         const struct sr_buf *copy_data,
                         const struct sr_commit_hook *hook,
                         const struct sr_anomaly_limits *check,
                         struct sr_write_counts *out, char *err,
                         size_t errlen)
{
  struct window_replace w = {
    .sql = sql, .params = { from, to, client_id, scope },
    .copy_data = copy_data, .hook = hook, .check = check, .out = out,
  };

  /* The rows are in memory and the hook is part of the transaction, so
   * the whole of it can be run again when the database asks. */
  return sr_tx_run (conn, sql->table, SR_TX_ATTEMPTS, window_replace, &w,
                    err, errlen);
}

/* end of store_windows.c */
