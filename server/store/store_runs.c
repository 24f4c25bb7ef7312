/*
 * store_runs.c -- see store_runs.h.
 */
#include "store_runs.h"
#include "db.h"
#include "trace.h"
#include "sql_embedded.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum sr_status
sr_store_create_run (PGconn *conn, const char *source, const json_t *windows,
                     bool force, const char *idempotency_key,
                     const char *fingerprint, const char *requested_by,
                     const char *schedule, struct sr_run_created *out,
                     char *err, size_t errlen)
{
  char *w = json_dumps (windows, JSON_COMPACT);
  char traceparent[SR_TRACEPARENT_LEN + 1];
  const char *params[8] = { source, w, force ? "true" : "false",
                            idempotency_key, requested_by, schedule,
                            fingerprint, traceparent };
  json_t *j, *v;
  enum sr_status st;

  /* The run remembers the trace of whoever creates it (a request). */
  sr_trace_outgoing (traceparent);
  if ('\0' == traceparent[0])
    params[7] = NULL;
  st = sr_db_json (conn, "jobs_create_run", sr_sql_jobs_create_run, 8,
                   params, &j, err, errlen);

  free (w);
  memset (out, 0, sizeof (*out));
  if (SR_OK != st)
    return st;
  /* The SQL function answers one of four JSON shapes; callers get an
   * enum. */
  if (NULL != (v = json_object_get (j, "idempotency_mismatch"))) {
    out->outcome = SR_RUN_KEY_REUSED;
  } else if (NULL != (v = json_object_get (j, "conflict"))) {
    out->outcome = SR_RUN_OVERLAPS;
    snprintf (out->source, sizeof (out->source), "%s",
              json_string_value (json_object_get (j, "source"))
              ? json_string_value (json_object_get (j, "source")) : "");
  } else {
    v = json_object_get (j, "run_id");
    out->outcome = json_is_true (json_object_get (j, "existing"))
                   ? SR_RUN_EXISTING : SR_RUN_CREATED;
  }
  out->run_id = (int64_t) json_integer_value (v);
  json_decref (j);
  if (out->run_id <= 0) {
    snprintf (err, errlen, "create_run answered no run");
    return SR_E_INTERNAL;
  }
  return SR_OK;
}

enum sr_status
sr_store_run_get (PGconn *conn, int64_t run_id, json_t **out, char *err,
                  size_t errlen)
{
  char id[24];
  const char *params[1] = { id };
  PGresult *r;
  enum sr_status st;

  *out = NULL;
  snprintf (id, sizeof (id), "%" PRId64, run_id);
  st = sr_db_exec (conn, "runs_get", sr_sql_runs_get, 1, params, &r, err,
                   errlen);
  if (SR_OK != st)
    return st;
  if (1 == PQntuples (r) && !PQgetisnull (r, 0, 0))
    *out = json_loads (PQgetvalue (r, 0, 0), 0, NULL);
  PQclear (r);
  return SR_OK;
}

enum sr_status
sr_store_runs_list (PGconn *conn, const char *source, const char *status,
                    const char *date, int64_t before_id, unsigned int limit,
                    json_t **out, char *err, size_t errlen)
{
  char before[24], lim[16];
  const char *params[5] = { source, status, date, NULL, lim };

  if (before_id > 0) {
    snprintf (before, sizeof (before), "%" PRId64, before_id);
    params[3] = before;
  }
  snprintf (lim, sizeof (lim), "%u", limit);
  return sr_db_json (conn, "runs_list", sr_sql_runs_list, 5, params, out,
                     err, errlen);
}

enum sr_status
sr_store_run_cancel (PGconn *conn, int64_t run_id, char status[16],
                     char *err, size_t errlen)
{
  char id[24];
  const char *params[1] = { id };
  PGresult *r;
  enum sr_status st;

  status[0] = '\0';
  snprintf (id, sizeof (id), "%" PRId64, run_id);
  st = sr_db_exec (conn, "jobs_cancel", sr_sql_jobs_cancel, 1, params, &r,
                   err, errlen);
  if (SR_OK != st)
    return st;
  if (1 == PQntuples (r) && !PQgetisnull (r, 0, 0))
    snprintf (status, 16, "%s", PQgetvalue (r, 0, 0));
  PQclear (r);
  return SR_OK;
}

/* end of store_runs.c */
