/*
 * syncs_get.c -- GET /v1/syncs: runs, newest first, filtered by source,
 * status and date, in pages (?limit=, ?cursor= from next_cursor).
 */
#include "catalog.h"
#include "db.h"
#include "handlers.h"
#include "params.h"
#include "reply.h"
#include "store_runs.h"

enum sr_status
sr_handle_syncs_get (struct sr_request *req)
{
  const char *sources[16];
  static const char *const statuses[] = { "queued", "running", "succeeded",
                                          "failed", "cancelled", NULL };
  const char *source, *status, *date;
  int64_t limit, cursor;
  char err[512];
  PGconn *conn;
  json_t *runs;
  enum sr_status st;

  /* The catalogue's sources, and the runs of all of them. */
  {
    size_t k = 0;

    for (size_t i = 0; NULL != sr_catalog[i].name && k < 14; i++)
      sources[k++] = sr_catalog[i].name;
    sources[k++] = SR_CATALOG_ALL;
    sources[k] = NULL;
  }
  if (!sr_query_enum_or_reply (req, "source", sources, &source)
      || !sr_query_enum_or_reply (req, "status", statuses, &status)
      || !sr_query_date_or_reply (req, "date", &date)
      || !sr_query_int_or_reply (req, "limit", 1, 500, 50, &limit)
      || !sr_query_int_or_reply (req, "cursor", 1, INT64_MAX, 0, &cursor))
    return SR_OK;
  st = sr_db_thread_conn (&conn, err, sizeof (err));
  if (SR_OK == st)
    st = sr_store_runs_list (conn, source, status, date, cursor,
                             (unsigned int) limit, &runs, err, sizeof (err));
  if (SR_OK != st)
    return sr_reply_fail (req, st, "%s", err);
  return sr_reply_page_steal (req, "runs", runs, limit);
}

/* end of syncs_get.c */
