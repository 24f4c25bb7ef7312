/*
 * store.c -- see store.h.
 */
#include "store.h"
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
sr_store_replace_window (PGconn *conn, const char *table, const char *sql,
                         const char *from, const char *to,
                         const char *client_id, const json_t *rows,
                         struct sr_write_counts *out, char *err,
                         size_t errlen)
{
  const char *lock_params[1] = { table };
  const char *params[4];
  char *json;
  PGresult *r = NULL;
  enum sr_status st;

  memset (out, 0, sizeof (*out));
  json = json_dumps (rows, JSON_COMPACT);
  if (NULL == json) {
    snprintf (err, errlen, "%s: rows could not be encoded", table);
    return SR_E_INTERNAL;
  }
  st = sr_db_run (conn, "begin", "BEGIN", 0, NULL, err, errlen);
  if (SR_OK == st)
    st = sr_db_run (conn, "store_lock", sr_sql_store_lock, 1, lock_params,
                    err, errlen);
  if (SR_OK == st) {
    params[0] = from;
    params[1] = to;
    params[2] = client_id;
    params[3] = json;
    st = sr_db_exec (conn, table, sql, 4, params, &r, err, errlen);
  }
  free (json);
  if (SR_OK == st && (1 != PQntuples (r) || 3 != PQnfields (r))) {
    snprintf (err, errlen, "%s: unexpected result shape", table);
    st = SR_E_INTERNAL;
  }
  if (SR_OK == st) {
    out->deleted = strtoull (PQgetvalue (r, 0, 0), NULL, 10);
    out->inserted = strtoull (PQgetvalue (r, 0, 1), NULL, 10);
    out->updated = strtoull (PQgetvalue (r, 0, 2), NULL, 10);
  }
  PQclear (r);
  if (SR_OK == st)
    st = sr_db_run (conn, "commit", "COMMIT", 0, NULL, err, errlen);
  if (SR_OK != st && CONNECTION_OK == PQstatus (conn))
    rollback (conn);
  return st;
}

/* end of store.c */
