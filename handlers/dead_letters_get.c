/*
 * dead_letters_get.c -- GET /v1/dead-letters: jobs that ran out of
 * attempts or failed for good, with the request, the error and a response
 * excerpt; newest first, in pages.
 */
#include "db.h"
#include "handlers.h"
#include "params.h"
#include "reply.h"
#include "store_dead_letters.h"

enum sr_status
sr_handle_dead_letters_get (struct sr_request *req)
{
  int64_t limit, cursor;
  char err[512];
  PGconn *conn;
  json_t *items;
  enum sr_status st;

  if (!sr_query_int_or_reply (req, "limit", 1, 500, 50, &limit)
      || !sr_query_int_or_reply (req, "cursor", 1, INT64_MAX, 0, &cursor))
    return SR_OK;
  st = sr_db_thread_conn (&conn, err, sizeof (err));
  if (SR_OK == st)
    st = sr_store_dead_letters (conn, cursor, (unsigned int) limit, &items,
                                err, sizeof (err));
  if (SR_OK != st)
    return sr_reply_fail (req, st, "%s", err);
  return sr_reply_page_steal (req, "dead_letters", items, limit);
}

/* end of dead_letters_get.c */
