/*
 * store_jobs.c -- see store_jobs.h.
 */
#include "store_jobs.h"
#include "db.h"
#include "sql_embedded.h"
#include "mem.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
sr_job_clean (struct sr_job *job)
{
  free (job->object_key);
  json_decref (job->object_meta);
  memset (job, 0, sizeof (*job));
}

/* Run a statement returning one text value; parse it as JSON. */
static enum sr_status
json_value (PGconn *conn, const char *name, const char *sql, int n,
            const char *const *params, json_t **out, char *err,
            size_t errlen)
{
  PGresult *r;
  enum sr_status st = sr_db_exec (conn, name, sql, n, params, &r, err,
                                  errlen);

  *out = NULL;
  if (SR_OK != st)
    return st;
  if (1 == PQntuples (r) && !PQgetisnull (r, 0, 0))
    *out = json_loads (PQgetvalue (r, 0, 0), 0, NULL);
  PQclear (r);
  if (NULL == *out) {
    snprintf (err, errlen, "%s returned no JSON", name);
    return SR_E_INTERNAL;
  }
  return SR_OK;
}

enum sr_status
sr_store_create_run (PGconn *conn, const char *source, const json_t *windows,
                     bool force, const char *idempotency_key,
                     const char *fingerprint, const char *requested_by,
                     const char *schedule, json_t **out, char *err,
                     size_t errlen)
{
  char *w = json_dumps (windows, JSON_COMPACT);
  const char *params[7] = { source, w, force ? "true" : "false",
                            idempotency_key, requested_by, schedule,
                            fingerprint };
  enum sr_status st = json_value (conn, "jobs_create_run",
                                  sr_sql_jobs_create_run, 7, params, out,
                                  err, errlen);

  free (w);
  return st;
}

enum sr_status
sr_store_claim_job (PGconn *conn, const char *owner, unsigned int lease_s,
                    struct sr_job *job, bool *got, char *err, size_t errlen)
{
  char lease[16];
  const char *params[2] = { owner, lease };
  PGresult *r;
  enum sr_status st;

  *got = false;
  snprintf (lease, sizeof (lease), "%u", lease_s);
  st = sr_db_exec (conn, "jobs_claim", sr_sql_jobs_claim, 2, params, &r, err,
                   errlen);
  if (SR_OK != st)
    return st;
  if (1 == PQntuples (r)) {
    memset (job, 0, sizeof (*job));
    job->id = strtoll (PQgetvalue (r, 0, 0), NULL, 10);
    job->run_id = strtoll (PQgetvalue (r, 0, 1), NULL, 10);
    snprintf (job->kind, sizeof (job->kind), "%s", PQgetvalue (r, 0, 2));
    snprintf (job->source, sizeof (job->source), "%s", PQgetvalue (r, 0, 3));
    snprintf (job->from, sizeof (job->from), "%s", PQgetvalue (r, 0, 4));
    snprintf (job->to, sizeof (job->to), "%s", PQgetvalue (r, 0, 5));
    job->object_key = sr_xstrdup (PQgetvalue (r, 0, 6));
    job->object_meta = json_loads (PQgetvalue (r, 0, 7), 0, NULL);
    if (NULL == job->object_meta)
      job->object_meta = json_object ();
    job->force = 0 == strcmp (PQgetvalue (r, 0, 8), "t");
    job->attempts = (int) strtol (PQgetvalue (r, 0, 9), NULL, 10);
    job->max_attempts = (int) strtol (PQgetvalue (r, 0, 10), NULL, 10);
    *got = true;
  }
  PQclear (r);
  return SR_OK;
}

enum sr_status
sr_store_finish_job (PGconn *conn, int64_t job_id, const char *owner,
                     const char *outcome, const json_t *result,
                     const char *error, double retry_s,
                     const json_t *request, const char *excerpt,
                     char final[16], char *err, size_t errlen)
{
  char id[24], retry[32];
  char *res = result ? json_dumps (result, JSON_COMPACT) : NULL;
  char *req = request ? json_dumps (request, JSON_COMPACT) : NULL;
  const char *params[8];
  PGresult *r;
  enum sr_status st;

  snprintf (id, sizeof (id), "%" PRId64, job_id);
  snprintf (retry, sizeof (retry), "%.3f", retry_s);
  params[0] = id;
  params[1] = owner;
  params[2] = outcome;
  params[3] = res;
  params[4] = error;
  params[5] = retry;
  params[6] = req;
  params[7] = excerpt;
  st = sr_db_exec (conn, "jobs_finish", sr_sql_jobs_finish, 8, params, &r,
                   err, errlen);
  free (res);
  free (req);
  if (SR_E_DB == st && 0 == strcmp (sr_db_last_sqlstate (), "SR001"))
    return SR_E_CONFLICT;   /* lease lost: someone else owns the job */
  if (SR_OK != st)
    return st;
  if (NULL != final)
    snprintf (final, 16, "%s", PQgetvalue (r, 0, 0));
  PQclear (r);
  return SR_OK;
}

static enum sr_status
count_value (PGconn *conn, const char *name, const char *sql, int n,
             const char *const *params, unsigned int *out, char *err,
             size_t errlen)
{
  PGresult *r;
  enum sr_status st = sr_db_exec (conn, name, sql, n, params, &r, err,
                                  errlen);

  if (NULL != out)
    *out = 0;
  if (SR_OK != st)
    return st;
  if (NULL != out && 1 == PQntuples (r))
    *out = (unsigned int) strtoul (PQgetvalue (r, 0, 0), NULL, 10);
  PQclear (r);
  return SR_OK;
}

enum sr_status
sr_store_renew_leases (PGconn *conn, const char *owner,
                       struct sr_held_job *jobs, size_t n,
                       unsigned int lease_s, char *err, size_t errlen)
{
  char ids[SR_HELD_JOBS_MAX * 24 + 4], lease[16];
  const char *params[3] = { owner, ids, lease };
  size_t used = 0;
  PGresult *r;
  enum sr_status st;

  if (n > SR_HELD_JOBS_MAX) {
    snprintf (err, errlen, "jobs_renew: %zu jobs, at most %d", n,
              SR_HELD_JOBS_MAX);
    return SR_E_INTERNAL;
  }
  /* A bigint[] literal: "{1,2,3}" (ids only, so no quoting to get wrong). */
  ids[used++] = '{';
  for (size_t i = 0; i < n; i++)
    used += (size_t) snprintf (ids + used, sizeof (ids) - used, "%s%" PRId64,
                               i ? "," : "", jobs[i].id);
  snprintf (ids + used, sizeof (ids) - used, "}");
  snprintf (lease, sizeof (lease), "%u", lease_s);
  st = sr_db_exec (conn, "jobs_renew", sr_sql_jobs_renew, 3, params, &r, err,
                   errlen);
  if (SR_OK != st)
    return st;
  for (size_t i = 0; i < n; i++) {
    jobs[i].kept = false;
    jobs[i].cancel = false;
    for (int k = 0; k < PQntuples (r); k++)
      if (jobs[i].id == strtoll (PQgetvalue (r, k, 0), NULL, 10)) {
        jobs[i].kept = true;
        jobs[i].cancel = 0 == strcmp (PQgetvalue (r, k, 1), "t");
      }
  }
  PQclear (r);
  return SR_OK;
}

enum sr_status
sr_store_sweep_jobs (PGconn *conn, unsigned int *n, char *err, size_t errlen)
{
  return count_value (conn, "jobs_sweep", sr_sql_jobs_sweep, 0, NULL, n, err,
                      errlen);
}

enum sr_status
sr_store_release_jobs (PGconn *conn, const char *owner, unsigned int *n,
                       char *err, size_t errlen)
{
  const char *params[1] = { owner };

  return count_value (conn, "jobs_release", sr_sql_jobs_release, 1, params,
                      n, err, errlen);
}

enum sr_status
sr_store_add_object_job (PGconn *conn, int64_t run_id, const char *key,
                         const json_t *meta, bool force, char *err,
                         size_t errlen)
{
  char run[24];
  char *m = json_dumps (meta, JSON_COMPACT);
  const char *params[4] = { run, key, m, force ? "true" : "false" };
  enum sr_status st;

  snprintf (run, sizeof (run), "%" PRId64, run_id);
  st = sr_db_run (conn, "jobs_add_object", sr_sql_jobs_add_object, 4,
                  params, err, errlen);
  free (m);
  return st;
}

enum sr_status
sr_store_notify_jobs (PGconn *conn, char *err, size_t errlen)
{
  return sr_db_run (conn, "jobs_notify", sr_sql_jobs_notify, 0, NULL, err,
                    errlen);
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
  return json_value (conn, "runs_list", sr_sql_runs_list, 5, params, out,
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

enum sr_status
sr_store_sources_status (PGconn *conn, json_t **out, char *err,
                         size_t errlen)
{
  PGresult *r;
  enum sr_status st = sr_db_exec (conn, "sources_status",
                                  sr_sql_sources_status, 0, NULL, &r, err,
                                  errlen);

  *out = NULL;
  if (SR_OK != st)
    return st;
  *out = json_array ();
  for (int i = 0; i < PQntuples (r); i++) {
    json_t *run = PQgetisnull (r, i, 3) ? json_null ()
                  : json_loads (PQgetvalue (r, i, 3), 0, NULL);

    json_array_append_new (
      *out,
      json_pack ("{s:s, s:s?, s:s?, s:o}", "source", PQgetvalue (r, i, 0),
                 "last_day", PQgetisnull (r, i, 1) ? NULL
                 : PQgetvalue (r, i, 1), "last_success",
                 PQgetisnull (r, i, 2) ? NULL : PQgetvalue (r, i, 2),
                 "last_run", run ? run : json_null ()));
  }
  PQclear (r);
  return SR_OK;
}

enum sr_status
sr_store_dead_letters (PGconn *conn, int64_t before_id, unsigned int limit,
                       json_t **out, char *err, size_t errlen)
{
  char before[24], lim[16];
  const char *params[2] = { NULL, lim };

  if (before_id > 0) {
    snprintf (before, sizeof (before), "%" PRId64, before_id);
    params[0] = before;
  }
  snprintf (lim, sizeof (lim), "%u", limit);
  return json_value (conn, "dead_letters_list", sr_sql_dead_letters_list, 2,
                     params, out, err, errlen);
}

enum sr_status
sr_store_dead_letter_retry (PGconn *conn, int64_t id, int64_t *job_id,
                            char *err, size_t errlen)
{
  char text[24];
  const char *params[1] = { text };
  PGresult *r;
  enum sr_status st;

  *job_id = 0;
  snprintf (text, sizeof (text), "%" PRId64, id);
  st = sr_db_exec (conn, "dead_letter_retry", sr_sql_dead_letter_retry, 1,
                   params, &r, err, errlen);
  if (SR_OK != st)
    return st;
  if (1 == PQntuples (r) && !PQgetisnull (r, 0, 0))
    *job_id = strtoll (PQgetvalue (r, 0, 0), NULL, 10);
  PQclear (r);
  return SR_OK;
}

enum sr_status
sr_store_schedules (PGconn *conn, json_t **out, char *err, size_t errlen)
{
  return json_value (conn, "schedules_list", sr_sql_schedules_list, 0, NULL,
                     out, err, errlen);
}

enum sr_status
sr_store_schedule_update (PGconn *conn, const char *name, const char *cron,
                          const char *enabled, const char *window_days,
                          const char *wait_minutes,
                          const char *catch_up_minutes, const char *after,
                          bool *found, char *err, size_t errlen)
{
  const char *params[7] = { name, cron, enabled, window_days, wait_minutes,
                            catch_up_minutes, after };
  PGresult *r;
  enum sr_status st = sr_db_exec (conn, "schedule_update",
                                  sr_sql_schedule_update, 7, params, &r, err,
                                  errlen);

  *found = false;
  if (SR_OK != st) {
    const char *state = sr_db_last_sqlstate ();

    /* The two refusals that are the caller's to fix: an unknown schedule
     * to wait for (foreign key) and a cycle (our trigger). */
    if (0 == strcmp (state, "23503")) {
      snprintf (err, errlen, "after: no schedule named %.80s", after);
      return SR_E_INVALID;
    }
    if (0 == strcmp (state, "SR002")) {
      snprintf (err, errlen, "after: %.80s already waits on %.80s, "
                "directly or through others; that would be a cycle",
                after, name);
      return SR_E_INVALID;
    }
    return st;
  }
  *found = 1 == PQntuples (r);
  PQclear (r);
  return SR_OK;
}

/* end of store_jobs.c */
