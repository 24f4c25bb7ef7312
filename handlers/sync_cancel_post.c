/*
 * sync_cancel_post.c -- POST /v1/syncs/{id}/cancel: queued jobs are cancelled at
 * once; running jobs are marked, and the instance running each learns it
 * at its next heartbeat, aborts the job's upstream transfer, rolls back
 * and ends the job cancelled; the run then ends cancelled.  The answer is
 * the run right after marking (usually still running).  A run already
 * finished answers 409.
 */
#include "handlers.h"
#include "reply.h"
#include "run_lookup.h"
#include "store_runs.h"

#include <string.h>

enum sr_status
sr_handle_sync_cancel_post (struct sr_request *req)
{
  int64_t id;
  char err[512], status[16];
  PGconn *conn;
  json_t *run;
  enum sr_status st;

  if (!sr_run_from_path_or_reply (req, &conn, &id, &run))
    return SR_OK;
  {
    const char *was = json_string_value (json_object_get (run, "status"));

    if (0 != strcmp (was, "queued") && 0 != strcmp (was, "running")) {
      st = sr_reply_fail (req, SR_E_CONFLICT, "run %lld already %s",
                          (long long) id, was);
      json_decref (run);
      return st;
    }
  }
  json_decref (run);
  st = sr_store_run_cancel (conn, id, status, err, sizeof (err));
  if (SR_OK == st)
    st = sr_store_run_get (conn, id, &run, err, sizeof (err));
  if (SR_OK != st || NULL == run)
    return sr_reply_fail (req, SR_OK != st ? st : SR_E_INTERNAL, "%s", err);
  return sr_reply_json_steal (req, 200, run);
}

/* end of sync_cancel_post.c */
