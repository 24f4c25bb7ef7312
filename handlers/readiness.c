/*
 * readiness.c -- see readiness.h.
 */
#include "readiness.h"
#include "clock.h"
#include "db.h"
#include "app_state.h"
#include "log.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

/* Whether the last check found the instance ready (-1: no check yet), so
 * a change is logged once, not on every probe of an outage. */
static atomic_int last_ready = -1;

static void
note_connection (PGconn *conn, struct sr_readiness *out)
{
  int v = PQserverVersion (conn);

  snprintf (out->db_host, sizeof (out->db_host), "%s",
            PQhost (conn) ? PQhost (conn) : "");
  snprintf (out->db_port, sizeof (out->db_port), "%s",
            PQport (conn) ? PQport (conn) : "");
  snprintf (out->db_name, sizeof (out->db_name), "%s",
            PQdb (conn) ? PQdb (conn) : "");
  snprintf (out->server_version, sizeof (out->server_version), "%d.%d",
            v / 10000, v % 10000);
}

static void
log_change (const struct sr_readiness *r)
{
  int ready = sr_readiness_ready (r) ? 1 : 0;
  int was = atomic_exchange (&last_ready, ready);

  if (was == ready)
    return;
  if (ready)
    sr_log (SR_LOG_INFO, "ready", "{s:i}", "schema_version",
            (int) r->schema.applied_max);
  else
    sr_log (SR_LOG_WARN, "not ready", "{s:s, s:s, s:i, s:i}", "reason",
            r->draining ? "shutting down" : SR_OK != r->db
            ? sr_status_title (r->db) : "migrations pending",
            "database_error", r->db_error, "schema_version",
            (int) r->schema.applied_max, "expected_version",
            (int) r->schema.latest_known);
}

void
sr_readiness_check (const struct sr_request *req, struct sr_readiness *out)
{
  uint64_t t0 = sr_now_us ();

  memset (out, 0, sizeof (*out));
  out->draining = atomic_load (&req->app->draining);
  {
    PGconn *conn;

    /* One try: the HTTP layer runs a GET once more on a fresh connection
     * when this one died with a database restart. */
    out->db = sr_db_thread_conn (&conn, out->db_error,
                                 sizeof (out->db_error));
    if (SR_OK == out->db) {
      note_connection (conn, out);
      out->db = sr_migrate_state (conn, &out->schema, out->db_error,
                                  sizeof (out->db_error));
    }
  }
  if (SR_OK == out->db)
    out->db_error[0] = '\0';
  out->db_ms = (double) (sr_now_us () - t0) / 1000.0;
  log_change (out);
}

bool
sr_readiness_ready (const struct sr_readiness *r)
{
  return !r->draining && SR_OK == r->db && 0 == r->schema.pending;
}

/* end of readiness.c */
