/*
 * config_get.c -- GET /v1/config: the effective configuration of this
 * instance (secrets shown only as "[set]"), for operators.
 */
#include "handlers.h"
#include "app_state.h"
#include "reply.h"
#include "version.h"

enum sr_status
sr_handle_config_get (struct sr_request *req)
{
  const struct sr_app *app = req->app;

  return sr_reply_json_steal (
    req, 200,
    json_pack ("{s:s, s:o, s:s, s:s}", "version", SR_VERSION, "options",
               sr_config_to_json (app->cfg), "database_source",
               app->cfg->db_source, "jwt_algorithm",
               app->auth ? sr_auth_algorithm (app->auth) : "none"));
}

/* end of config_get.c */
