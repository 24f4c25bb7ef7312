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
    snprintf (job->traceparent, sizeof (job->traceparent), "%s",
              PQgetvalue (r, 0, 11));
    *got = true;
  }
  PQclear (r);
  return SR_OK;
}

enum sr_status
sr_store_finish_job (PGconn *conn, int64_t job_id, const char *owner,
                     const struct sr_job_end *end, char final[16], char *err,
                     size_t errlen)
{
  char id[24], retry[32];
  char *res = end->result ? json_dumps (end->result, JSON_COMPACT) : NULL;
  char *req = end->request ? json_dumps (end->request, JSON_COMPACT) : NULL;
  const char *params[8] = { id, owner, end->outcome, res, end->error, retry,
                            req, end->excerpt };
  PGresult *r;
  enum sr_status st;

  snprintf (id, sizeof (id), "%" PRId64, job_id);
  snprintf (retry, sizeof (retry), "%.3f", end->retry_s);
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
  return sr_db_uint (conn, "jobs_sweep", sr_sql_jobs_sweep, 0, NULL, n, err,
                      errlen);
}

enum sr_status
sr_store_release_jobs (PGconn *conn, const char *owner, unsigned int *n,
                       char *err, size_t errlen)
{
  const char *params[1] = { owner };

  return sr_db_uint (conn, "jobs_release", sr_sql_jobs_release, 1, params,
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

/* end of store_jobs.c */
