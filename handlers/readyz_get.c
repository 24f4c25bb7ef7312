/*
 * readyz_get.c -- GET /readyz: may this instance take traffic?
 *
 * Ready means: not shutting down, the database answers, and every
 * migration this binary knows is applied.  Otherwise 503 with what failed.
 * The route is public, so the answer names the failure only: where the
 * database is and what libpq said go to the log and to GET /v1/health.
 */
#include "handlers.h"
#include "readiness.h"
#include "reply.h"
#include "app_state.h"

enum sr_status
sr_handle_readyz_get (struct sr_request *req)
{
  struct sr_readiness r;

  sr_readiness_check (req, &r);
  if (r.draining)
    return sr_reply_fail (req, SR_E_UNAVAILABLE, "shutting down");
  if (SR_OK != r.db)
    return sr_reply_fail (req, SR_E_DB_CONN == r.db ? SR_E_DB_CONN
                          : SR_E_UNAVAILABLE, "the database is unavailable");
  if (r.schema.pending > 0)
    return sr_reply_fail_extra_steal (
      req, SR_E_SCHEMA_OUTDATED,
      json_pack ("{s:i, s:i, s:i}", "schema_version",
                 (int) r.schema.applied_max, "expected_version",
                 (int) r.schema.latest_known, "pending",
                 (int) r.schema.pending),
      "%u migration(s) pending (database at %u, this binary needs %u)",
      r.schema.pending, r.schema.applied_max, r.schema.latest_known);
  /* Current in the database, but this instance's migrator has not said
   * so yet: its database routes still refuse, so it is not ready. */
  if (atomic_load (&req->app->schema_pending))
    return sr_reply_fail (req, SR_E_SCHEMA_OUTDATED, "migrations are being "
                          "checked");
  return sr_reply_json_steal (
    req, 200,
    json_pack ("{s:s, s:s, s:i, s:i}", "status", "ready", "database", "ok",
               "schema_version", (int) r.schema.applied_max,
               "unknown_migrations", (int) r.schema.unknown));
}

/* end of readyz_get.c */
