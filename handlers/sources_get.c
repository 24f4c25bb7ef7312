/*
 * sources_get.c -- GET /v1/sources: each source, whether it is configured
 * (and what is missing), its freshness and its last run.
 */
#include "catalog.h"
#include "db.h"
#include "handlers.h"
#include "app_state.h"
#include "reply.h"
#include "store_sources.h"

#include <string.h>

enum sr_status
sr_handle_sources_get (struct sr_request *req)
{
  char err[512], missing[256];
  PGconn *conn;
  json_t *status = NULL, *out;
  enum sr_status st = sr_db_thread_conn (&conn, err, sizeof (err));
  size_t i;
  json_t *row;

  if (SR_OK == st)
    st = sr_store_sources_status (conn, &status, err, sizeof (err));
  if (SR_OK != st)
    return sr_reply_fail (req, st, "%s", err);
  out = json_array ();
  json_array_foreach (status, i, row) {
    const struct sr_catalog_source *src = sr_catalog_find (
      json_string_value (json_object_get (row, "source")));
    bool ok = NULL != src && sr_catalog_configured (src, req->app->cfg,
                                                    missing, sizeof (missing));

    json_object_set_new (row, "configured", json_boolean (ok));
    json_object_set_new (row, "missing", ok ? json_array ()
                         : json_pack ("[s]", missing));
    json_array_append (out, row);
  }
  json_decref (status);
  return sr_reply_json_steal (req, 200, json_pack ("{s:o}", "sources", out));
}

/* end of sources_get.c */
