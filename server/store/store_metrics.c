/*
 * store_metrics.c -- see store_metrics.h.
 */
#include "store_metrics.h"
#include "db.h"
#include "sql_embedded.h"

#include <math.h>
#include <stdlib.h>

enum sr_status
sr_store_metrics_sample (PGconn *conn, const char *timezone,
                         const char *sources, const char *bounds,
                         sr_store_metric_cb cb, void *cls, char *err,
                         size_t errlen)
{
  const char *params[] = { timezone, sources, bounds };
  PGresult *r;
  enum sr_status st = sr_db_exec (conn, "metrics_sample",
                                  sr_sql_metrics_sample, 3, params, &r, err,
                                  errlen);

  if (SR_OK != st)
    return st;
  for (int i = 0; i < PQntuples (r); i++)
    cb (cls, PQgetvalue (r, i, 0),
        PQgetisnull (r, i, 1) ? NULL : PQgetvalue (r, i, 1),
        PQgetisnull (r, i, 2) ? NULL : PQgetvalue (r, i, 2),
        PQgetisnull (r, i, 3) ? NAN : strtod (PQgetvalue (r, i, 3), NULL));
  PQclear (r);
  return SR_OK;
}

/* end of store_metrics.c */
