/*
 * health_get.c -- GET /v1/health (service_role): the readiness check with
 * its details, for operators: which database, how long it took to answer,
 * libpq's own error, schema versions.  Always 200: the body says what is
 * wrong; /readyz is the probe.
 */
#include "handlers.h"
#include "clock.h"
#include "app_state.h"
#include "readiness.h"
#include "reply.h"

#include <time.h>

enum sr_status
sr_handle_health_get (struct sr_request *req)
{
  struct sr_readiness r;
  json_t *db;

  sr_readiness_check (req, &r);
  db = json_pack ("{s:b, s:s, s:s, s:s, s:s, s:s, s:f}",
                  "reachable", SR_OK == r.db || SR_E_DB == r.db,
                  "source", req->app->cfg->db_source ? req->app->cfg->db_source
                  : "", "host", r.db_host, "port", r.db_port, "name",
                  r.db_name, "server_version", r.server_version,
                  "check_ms", r.db_ms);
  if (NULL != db && '\0' != r.db_error[0])
    json_object_set_new (db, "error", json_string (r.db_error));
  return sr_reply_json_steal (
    req, 200,
    json_pack ("{s:b, s:b, s:o, s:{s:i, s:i, s:i, s:i}, s:I}", "ready",
               sr_readiness_ready (&r), "draining", r.draining,
               "database", db, "schema", "applied", (int) r.schema.applied_max,
               "expected", (int) r.schema.latest_known, "pending",
               (int) r.schema.pending, "unknown", (int) r.schema.unknown,
               "uptime_s", (json_int_t) (sr_wall_now () - req->app->started_at)));
}

/* end of health_get.c */
