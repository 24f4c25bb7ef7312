/*
 * readyz_get.c -- GET /readyz: may this instance take traffic?
 *
 * Ready means: not shutting down, the database answers, and every
 * migration this binary knows is applied.  Otherwise 503 with the reason.
 * A connection that died with a database restart is reopened and the check
 * retried once, so the first probe after the database returns succeeds.
 */
#include "db.h"
#include "handlers.h"
#include "http.h"
#include "migrate.h"
#include "reply.h"

#include <stdatomic.h>

enum sr_status
sr_handle_readyz_get (struct sr_request *req)
{
  struct sr_migrate_state ms;
  enum sr_status st = SR_E_DB_CONN;
  char err[512] = "";

  if (atomic_load (&req->app->draining))
    return sr_reply_fail (req, SR_E_UNAVAILABLE, "shutting down");
  for (int attempt = 0; attempt < 2 && SR_E_DB_CONN == st; attempt++) {
    PGconn *conn;

    st = sr_db_thread_conn (&conn, err, sizeof (err));
    if (SR_OK == st)
      st = sr_migrate_state (conn, &ms, err, sizeof (err));
    if (SR_E_DB_CONN == st)
      sr_db_thread_close ();
  }
  if (SR_OK != st)
    return sr_reply_fail (req, SR_E_DB_CONN == st ? SR_E_DB_CONN
                          : SR_E_UNAVAILABLE, "database: %s", err);
  if (ms.pending > 0)
    return sr_reply_fail_extra_steal (
      req, SR_E_SCHEMA_OUTDATED,
      json_pack ("{s:i, s:i, s:i}", "schema_version", (int) ms.applied_max,
                 "expected_version", (int) ms.latest_known, "pending",
                 (int) ms.pending),
      "%u migration(s) pending (database at %u, this binary needs %u)",
      ms.pending, ms.applied_max, ms.latest_known);
  return sr_reply_json_steal (
    req, 200,
    json_pack ("{s:s, s:s, s:i, s:i}", "status", "ready", "database", "ok",
               "schema_version", (int) ms.applied_max,
               "unknown_migrations", (int) ms.unknown));
}

/* end of readyz_get.c */
