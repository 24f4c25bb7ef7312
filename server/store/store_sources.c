/*
 * store_sources.c -- see store_sources.h.
 */
#include "store_sources.h"
#include "db.h"
#include "sql_embedded.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum sr_status
sr_store_sources_status (PGconn *conn, json_t **out, char *err,
                         size_t errlen)
{
  PGresult *r;
  enum sr_status st = sr_db_exec (conn, "sources_status",
                                  sr_sql_sources_status, 0, NULL, &r, err,
                                  errlen);

  *out = NULL;
  if (SR_OK != st)
    return st;
  *out = json_array ();
  for (int i = 0; i < PQntuples (r); i++) {
    json_t *run = PQgetisnull (r, i, 3) ? json_null ()
                  : json_loads (PQgetvalue (r, i, 3), 0, NULL);

    json_array_append_new (
      *out,
      json_pack ("{s:s, s:s?, s:s?, s:o}", "source", PQgetvalue (r, i, 0),
                 "last_day", PQgetisnull (r, i, 1) ? NULL
                 : PQgetvalue (r, i, 1), "last_success",
                 PQgetisnull (r, i, 2) ? NULL : PQgetvalue (r, i, 2),
                 "last_run", run ? run : json_null ()));
  }
  PQclear (r);
  return SR_OK;
}

/* end of store_sources.c */
