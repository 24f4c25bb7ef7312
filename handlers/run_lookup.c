/*
 * run_lookup.c -- see run_lookup.h.
 */
#include "run_lookup.h"
#include "db.h"
#include "params.h"
#include "reply.h"
#include "store_runs.h"

bool
sr_run_from_path_or_reply (struct sr_request *req, PGconn **conn,
                           int64_t *id, json_t **run)
{
  char err[512];
  enum sr_status st;

  *run = NULL;
  if (!sr_path_id_or_reply (req, 0, id))
    return false;
  st = sr_db_thread_conn (conn, err, sizeof (err));
  if (SR_OK == st)
    st = sr_store_run_get (*conn, *id, run, err, sizeof (err));
  if (SR_OK != st) {
    (void) sr_reply_fail (req, st, "%s", err);
    return false;
  }
  if (NULL == *run) {
    (void) sr_reply_fail (req, SR_E_NOT_FOUND, "no run %lld",
                          (long long) *id);
    return false;
  }
  return true;
}

/* end of run_lookup.c */
