/*
 * mappings_get.c -- GET /v1/mappings/affiliates: the client's affiliate
 * mapping, in file order.
 */
#include "db.h"
#include "handlers.h"
#include "app_state.h"
#include "store_mapping.h"
#include "reply.h"

enum sr_status
sr_handle_mappings_get (struct sr_request *req)
{
  const char *client = req->app->cfg->client_id;
  char err[512];
  PGconn *conn;
  json_t *rows;
  enum sr_status st = sr_db_thread_conn (&conn, err, sizeof (err));

  if (SR_OK == st)
    st = sr_mapping_list (conn, client, &rows, err, sizeof (err));
  if (SR_OK != st)
    return sr_reply_fail (req, st, "%s", err);
  return sr_reply_json_steal (
    req, 200, json_pack ("{s:s, s:I, s:o}", "client_id", client, "count",
                         (json_int_t) json_array_size (rows), "mappings",
                         rows));
}

/* end of mappings_get.c */
