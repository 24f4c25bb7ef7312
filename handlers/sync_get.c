/*
 * sync_get.c -- GET /v1/syncs/{id}: one run, its jobs, rows, timings and
 * child runs.
 */
#include "db.h"
#include "handlers.h"
#include "params.h"
#include "reply.h"
#include "store_runs.h"

enum sr_status
sr_handle_sync_get (struct sr_request *req)
{
  int64_t id;
  char err[512];
  PGconn *conn;
  json_t *run = NULL;
  enum sr_status st;

  if (!sr_path_id_or_reply (req, 0, &id))
    return SR_OK;
  st = sr_db_thread_conn (&conn, err, sizeof (err));
  if (SR_OK == st)
    st = sr_store_run_get (conn, id, &run, err, sizeof (err));
  if (SR_OK != st)
    return sr_reply_fail (req, st, "%s", err);
  if (NULL == run)
    return sr_reply_fail (req, SR_E_NOT_FOUND, "no run %lld",
                          (long long) id);
  return sr_reply_json_steal (req, 200, run);
}

/* end of sync_get.c */
