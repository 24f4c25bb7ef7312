/*
 * healthz_get.c -- GET /healthz: the process is alive and serving HTTP.
 *
 * Deliberately checks nothing else: a database outage must not get a
 * healthy process restarted (that is what /readyz is for).
 */
#include "handlers.h"
#include "clock.h"
#include "app_state.h"
#include "reply.h"
#include "version.h"

#include <time.h>

enum sr_status
sr_handle_healthz_get (struct sr_request *req)
{
  return sr_reply_json_steal (
    req, 200,
    json_pack ("{s:s, s:s, s:I}", "status", "ok", "version", SR_VERSION,
               "uptime_s",
               (json_int_t) (sr_wall_now () - req->app->started_at)));
}

/* end of healthz_get.c */
