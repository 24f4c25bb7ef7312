/*
 * sync_get.c -- GET /v1/syncs/{id}: one run, its jobs, rows, timings and
 * child runs.
 */
#include "handlers.h"
#include "reply.h"
#include "run_lookup.h"

enum sr_status
sr_handle_sync_get (struct sr_request *req)
{
  int64_t id;
  PGconn *conn;
  json_t *run;

  if (!sr_run_from_path_or_reply (req, &conn, &id, &run))
    return SR_OK;
  return sr_reply_json_steal (req, 200, run);
}

/* end of sync_get.c */
