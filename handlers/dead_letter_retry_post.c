/*
 * dead_letter_retry_post.c -- POST /v1/dead-letters/{id}/retry: queue the dead
 * job again (a new job with fresh attempts in the same run), or the dead
 * notification (fresh attempts, same idempotency key).
 */
#include "db.h"
#include "handlers.h"
#include "params.h"
#include "reply.h"
#include "store_dead_letters.h"

enum sr_status
sr_handle_dead_letter_retry_post (struct sr_request *req)
{
  int64_t id, job = 0;
  bool notification = false;
  char err[512];
  PGconn *conn;
  enum sr_status st;

  if (!sr_path_id_or_reply (req, 0, &id))
    return SR_OK;
  st = sr_db_thread_conn (&conn, err, sizeof (err));
  if (SR_OK == st)
    st = sr_store_dead_letter_retry (conn, id, &job, &notification, err,
                                     sizeof (err));
  if (SR_OK != st)
    return sr_reply_fail (req, st, "%s", err);
  if (0 == job)
    return sr_reply_fail (req, SR_E_NOT_FOUND, "no dead letter %lld",
                          (long long) id);
  if (job < 0)
    return sr_reply_fail (req, SR_E_CONFLICT, "dead letter %lld was "
                          "retried already", (long long) id);
  return sr_reply_json_steal (req, 202, json_pack ("{s:I, s:I}",
                                                   "dead_letter_id",
                                                   (json_int_t) id,
                                                   notification
                                                   ? "notification_id"
                                                   : "job_id",
                                                   (json_int_t) job));
}

/* end of dead_letter_retry_post.c */
