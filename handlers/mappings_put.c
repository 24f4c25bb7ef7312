/*
 * mappings_put.c -- PUT /v1/mappings/affiliates (text/csv): replace the
 * client's affiliate mapping with the uploaded file, atomically.  A bad
 * file is refused whole, with the line at fault; the old mapping stays.
 */
#include "db.h"
#include "handlers.h"
#include "app_state.h"
#include "log.h"
#include "store_mapping.h"
#include "reply.h"

enum sr_status
sr_handle_mappings_put (struct sr_request *req)
{
  const char *client = req->app->cfg->client_id;
  char err[600];
  uint64_t line = 0, previous = 0;
  json_t *rows = NULL;
  PGconn *conn;
  enum sr_status st = sr_mapping_parse (req->body.data, req->body.len, &rows,
                                        &line, err, sizeof (err));

  if (SR_OK != st)
    return sr_reply_fail_extra_steal (req, SR_E_INVALID,
                                      json_pack ("{s:I}", "line",
                                                 (json_int_t) line),
                                      "mapping refused, nothing changed: %s",
                                      err);
  st = sr_db_thread_conn (&conn, err, sizeof (err));
  if (SR_OK == st)
    st = sr_mapping_store (conn, client, rows, &previous, err, sizeof (err));
  if (SR_OK != st) {
    json_decref (rows);
    return sr_reply_fail (req, st, "%s", err);
  }
  sr_log (SR_LOG_INFO, "affiliate mapping replaced", "{s:s, s:I, s:I, s:s}",
          "client_id", client, "rows", (json_int_t) json_array_size (rows),
          "previous_rows", (json_int_t) previous, "by", req->principal.sub);
  st = sr_reply_json_steal (
    req, 200, json_pack ("{s:s, s:I, s:I}", "client_id", client, "rows",
                         (json_int_t) json_array_size (rows),
                         "previous_rows", (json_int_t) previous));
  json_decref (rows);
  return st;
}

/* end of mappings_put.c */
