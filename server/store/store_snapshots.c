/*
 * store_snapshots.c -- see store_snapshots.h.
 */
#include "store_snapshots.h"
#include "db.h"
#include "mem.h"
#include "sql_embedded.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum sr_status
sr_store_brand_codes (PGconn *conn, json_t **out, char *err, size_t errlen)
{
  PGresult *r;
  enum sr_status st = sr_db_exec (conn, "brands_list", sr_sql_brands_list, 0,
                                  NULL, &r, err, errlen);

  *out = NULL;
  if (SR_OK != st)
    return st;
  *out = json_array ();
  for (int i = 0; NULL != *out && i < PQntuples (r); i++)
    if (0 != json_array_append_new (*out, json_string (PQgetvalue (r, i,
                                                                   0)))) {
      json_decref (*out);
      *out = NULL;
    }
  PQclear (r);
  if (NULL == *out) {
    snprintf (err, errlen, "brands: out of memory");
    return SR_E_INTERNAL;
  }
  return SR_OK;
}

enum sr_status
sr_store_snapshot_add (PGconn *conn, const char *report, const char *brand,
                       const char *date, int64_t run_id, const char *data,
                       bool *added, char *err, size_t errlen)
{
  char run[24];
  const char *params[5] = { report, brand, date, 0 != run_id ? run : NULL,
                            data };
  PGresult *r;
  enum sr_status st;

  snprintf (run, sizeof (run), "%" PRId64, run_id);
  *added = false;
  st = sr_db_exec (conn, "snapshot_add", sr_sql_snapshot_add, 5, params, &r,
                   err, errlen);
  if (SR_OK != st)
    return st;
  *added = 1 == PQntuples (r);
  PQclear (r);
  return SR_OK;
}

enum sr_status
sr_store_snapshots_list (PGconn *conn, const struct sr_snapshot_query *q,
                         bool *brand_found, char **body, char *err,
                         size_t errlen)
{
  char limit[24];
  const char *params[6] = { q->report, q->brand, q->from, q->to,
                            q->latest ? "true" : "false", limit };
  PGresult *r;
  enum sr_status st;

  snprintf (limit, sizeof (limit), "%ld", q->limit);
  *body = NULL;
  *brand_found = false;
  st = sr_db_exec (conn, "snapshots_list", sr_sql_snapshots_list, 6, params,
                   &r, err, errlen);
  if (SR_OK != st)
    return st;
  if (1 != PQntuples (r) || 2 != PQnfields (r)) {
    PQclear (r);
    snprintf (err, errlen, "snapshots_list: unexpected result shape");
    return SR_E_INTERNAL;
  }
  *brand_found = 't' == PQgetvalue (r, 0, 0)[0];
  *body = sr_xstrdup (PQgetvalue (r, 0, 1));
  PQclear (r);
  return SR_OK;
}

/* end of store_snapshots.c */
