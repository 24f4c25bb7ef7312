/*
 * store_dead_letters.c -- see store_dead_letters.h.
 */
#include "store_dead_letters.h"
#include "db.h"
#include "sql_embedded.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum sr_status
sr_store_dead_letters (PGconn *conn, int64_t before_id, unsigned int limit,
                       json_t **out, char *err, size_t errlen)
{
  char before[24], lim[16];
  const char *params[2] = { NULL, lim };

  if (before_id > 0) {
    snprintf (before, sizeof (before), "%" PRId64, before_id);
    params[0] = before;
  }
  snprintf (lim, sizeof (lim), "%u", limit);
  return sr_db_json (conn, "dead_letters_list", sr_sql_dead_letters_list, 2,
                     params, out, err, errlen);
}

enum sr_status
sr_store_dead_letter_retry (PGconn *conn, int64_t id, int64_t *queued_id,
                            bool *notification, char *err, size_t errlen)
{
  char text[24];
  const char *params[1] = { text };
  PGresult *r;
  enum sr_status st;

  *queued_id = 0;
  *notification = false;
  snprintf (text, sizeof (text), "%" PRId64, id);
  st = sr_db_exec (conn, "dead_letter_retry", sr_sql_dead_letter_retry, 1,
                   params, &r, err, errlen);
  if (SR_OK != st)
    return st;
  if (1 == PQntuples (r) && !PQgetisnull (r, 0, 0)) {
    *queued_id = strtoll (PQgetvalue (r, 0, 0), NULL, 10);
    *notification = 't' == PQgetvalue (r, 0, 1)[0];
  }
  PQclear (r);
  return SR_OK;
}

/* end of store_dead_letters.c */
