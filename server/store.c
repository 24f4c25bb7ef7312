/*
 * store.c -- see store.h.
 */
#include "store.h"
#include "copy.h"
#include "db.h"
#include "embedded.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
rollback (PGconn *conn)
{
  char ignored[64];

  (void) sr_db_run (conn, "rollback", "ROLLBACK", 0, NULL, ignored,
                    sizeof (ignored));
}

enum sr_status
sr_commit_hook_run (const struct sr_commit_hook *hook, PGconn *conn,
                    const struct sr_write_counts *written, char *err,
                    size_t errlen)
{
  if (NULL == hook || NULL == hook->fn)
    return SR_OK;
  return hook->fn (hook->cls, conn, written, err, errlen);
}

enum sr_status
sr_store_replace_window (PGconn *conn, const struct sr_store_sql *sql,
                         const char *from, const char *to,
                         const char *client_id, const char *scope,
                         const struct sr_buf *copy_data,
                         const struct sr_commit_hook *hook,
                         struct sr_write_counts *out, char *err,
                         size_t errlen)
{
  const char *lock_params[1] = { sql->table };
  const char *params[4] = { from, to, client_id, scope };
  PGresult *r = NULL;
  uint64_t staged = 0;
  enum sr_status st;

  memset (out, 0, sizeof (*out));
  st = sr_db_run (conn, "begin", "BEGIN", 0, NULL, err, errlen);
  if (SR_OK == st)
    st = sr_db_run (conn, "store_lock", sr_sql_store_lock, 1, lock_params,
                    err, errlen);
  if (SR_OK == st)
    st = sr_db_run (conn, "create staging", sql->create_staging, 0, NULL, err,
                    errlen);
  if (SR_OK == st && copy_data->len > 0)
    st = sr_copy_in (conn, sql->table, sql->copy, copy_data->data,
                     copy_data->len, &staged, err, errlen);
  if (SR_OK == st)
    st = sr_db_exec (conn, sql->table, sql->replace, sql->scoped ? 4 : 3,
                     params, &r, err, errlen);
  if (SR_OK == st && (1 != PQntuples (r) || 3 != PQnfields (r))) {
    snprintf (err, errlen, "%s: unexpected result shape", sql->table);
    st = SR_E_INTERNAL;
  }
  if (SR_OK == st) {
    out->deleted = strtoull (PQgetvalue (r, 0, 0), NULL, 10);
    out->inserted = strtoull (PQgetvalue (r, 0, 1), NULL, 10);
    out->updated = strtoull (PQgetvalue (r, 0, 2), NULL, 10);
  }
  PQclear (r);
  if (SR_OK == st)
    st = sr_commit_hook_run (hook, conn, out, err, errlen);
  if (SR_OK == st)
    st = sr_db_run (conn, "commit", "COMMIT", 0, NULL, err, errlen);
  if (SR_OK != st && CONNECTION_OK == PQstatus (conn))
    rollback (conn);
  return st;
}

/* end of store.c */
