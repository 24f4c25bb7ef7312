/*
 * anomaly_ack_post.c -- POST /v1/anomalies/{id}/ack: acknowledge an
 * anomaly, recording who; acknowledging it again changes nothing.
 */
#include "db.h"
#include "handlers.h"
#include "params.h"
#include "reply.h"
#include "store_anomalies.h"

enum sr_status
sr_handle_anomaly_ack_post (struct sr_request *req)
{
  const struct sr_principal *p = &req->principal;
  int64_t id;
  char err[512];
  PGconn *conn;
  json_t *anomaly = NULL;
  enum sr_status st;

  if (!sr_path_id_or_reply (req, 0, &id))
    return SR_OK;
  st = sr_db_thread_conn (&conn, err, sizeof (err));
  if (SR_OK == st)
    st = sr_store_anomaly_ack (conn, id, '\0' != p->sub[0] ? p->sub
                                                          : p->role_name,
                               &anomaly, err, sizeof (err));
  if (SR_OK != st)
    return sr_reply_fail (req, st, "%s", err);
  if (NULL == anomaly)
    return sr_reply_fail (req, SR_E_NOT_FOUND, "no anomaly %lld",
                          (long long) id);
  return sr_reply_json_steal (req, 200, anomaly);
}

/* end of anomaly_ack_post.c */
