/*
 * runner.c -- runs one claimed job: the executor of the worker pool.
 *
 *   sync    one day of Everflow or Redtrack;
 *   plan    lists S3 and adds one object job per object to load;
 *   object  loads one S3 object;
 *   noop    nothing (queue benchmarks).
 *
 * Success is recorded inside the data's own transaction (a commit hook
 * calls finish_job just before COMMIT), so the job's state and its rows
 * commit together -- and if the lease was lost meanwhile (another instance
 * took the job over), finish_job raises and the rows roll back: a job's
 * data is written once.  Failures are recorded afterwards, classified:
 * network trouble, timeouts, 408/429/5xx and busy databases are retried
 * with exponential backoff (SIGNALROOM_RETRY_BASE_MS doubling, at most
 * 5 minutes, jitter; an upstream Retry-After wins); configuration,
 * authentication, other 4xx and malformed data fail at once.  A job out of
 * attempts, or failed at once, becomes a dead letter.
 */
#include "runner.h"
#include "db.h"
#include "log.h"
#include "s3_exports.h"
#include "store_jobs.h"
#include "upstream.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#define RETRY_MAX_S 300.0

struct hook_state {
  const struct sr_job *job;
  const char *owner;
  const struct sr_sync_result *res;
  bool finished;
};

static json_t *
result_json (const struct sr_sync_result *res,
             const struct sr_write_counts *wc)
{
  json_t *j = json_pack ("{s:I, s:I, s:I, s:I, s:I, s:i, s:i}", "inserted",
                         (json_int_t) (wc ? wc->inserted : res->inserted),
                         "updated",
                         (json_int_t) (wc ? wc->updated : res->updated),
                         "deleted",
                         (json_int_t) (wc ? wc->deleted : res->deleted),
                         "skipped", (json_int_t) res->skipped, "fetched",
                         (json_int_t) res->fetched, "requests",
                         (int) res->requests, "retries", (int) res->retries);

  if (NULL != res->details)
    json_object_set (j, "details", res->details);
  return j;
}

static enum sr_status
finish_in_tx (void *cls, PGconn *conn, const struct sr_write_counts *wc,
              char *err, size_t errlen)
{
  struct hook_state *hs = cls;
  json_t *result = result_json (hs->res, wc);
  enum sr_status st = sr_store_finish_job (conn, hs->job->id, hs->owner,
                                           "succeeded", result, NULL, 0,
                                           NULL, NULL, NULL, err, errlen);

  json_decref (result);
  if (SR_OK == st)
    hs->finished = true;
  return st;
}

static double
retry_delay_s (const struct sr_config *cfg, const struct sr_job *job,
               const struct sr_sync_result *res)
{
  double d = (double) cfg->retry_base_ms / 1000.0;
  uint32_t r = 0;

  if (res->retry_after_s > 0)
    return res->retry_after_s;
  for (int i = 1; i < job->attempts && d < RETRY_MAX_S; i++)
    d *= 2;
  if (d > RETRY_MAX_S)
    d = RETRY_MAX_S;
  if (sizeof (r) == getrandom (&r, sizeof (r), 0))
    d += d / 4 * (double) r / (double) UINT32_MAX;
  return d;
}

/* Record a failure (its own transaction). */
static void
finish_failed (PGconn *conn, const struct sr_config *cfg,
               const struct sr_job *job, const char *owner,
               const struct sr_sync_result *res)
{
  json_t *request = json_pack ("{s:s, s:s, s:s?, s:s?, s:s?, s:b}", "kind",
                               job->kind, "source", job->source, "from",
                               job->from[0] ? job->from : NULL, "to",
                               job->to[0] ? job->to : NULL, "object",
                               job->object_key[0] ? job->object_key : NULL,
                               "force", job->force);
  json_t *result = result_json (res, NULL);
  const char *outcome = res->retryable ? "retry" : "failed";
  char final[16] = "";
  char err[512];
  enum sr_status st = sr_store_finish_job (conn, job->id, owner, outcome,
                                           result, res->error,
                                           retry_delay_s (cfg, job, res),
                                           request, res->error, final, err,
                                           sizeof (err));

  if (SR_OK == st)
    sr_log ('q' == final[0] ? SR_LOG_WARN : SR_LOG_ERROR,
            "job failed", "{s:I, s:s, s:i, s:s, s:s}", "job",
            (json_int_t) job->id, "source", job->source, "attempt",
            job->attempts, "now", final, "error", res->error);
  else
    sr_log (SR_LOG_ERROR, "could not record a job failure",
            "{s:I, s:s}", "job", (json_int_t) job->id, "error", err);
  json_decref (request);
  json_decref (result);
}

struct plan_state {
  PGconn *conn;
  const struct sr_job *job;
  unsigned int added;
};

static enum sr_status
add_object (void *cls, const char *key, const json_t *meta)
{
  struct plan_state *ps = cls;
  char err[512];
  enum sr_status st = sr_store_add_object_job (ps->conn, ps->job->run_id,
                                               key, meta, ps->job->force,
                                               err, sizeof (err));

  if (SR_OK == st)
    ps->added++;
  else
    sr_log (SR_LOG_ERROR, "could not queue an object", "{s:s, s:s}", "key",
            key, "error", err);
  return st;
}

/* Planning: the object jobs and the plan's own completion in one
 * transaction, so a crash never leaves half a plan. */
static enum sr_status
run_plan (struct sr_sync_ctx *ctx, const struct sr_job *job,
          const char *owner, struct sr_sync_result *res)
{
  struct plan_state ps = { .conn = ctx->conn, .job = job };
  char err[512];
  enum sr_status st = sr_db_run (ctx->conn, "begin", "BEGIN", 0, NULL, err,
                                 sizeof (err));

  if (SR_OK == st)
    st = sr_s3_exports_plan (ctx, job->from, job->to, add_object, &ps, res);
  if (SR_OK == st) {
    json_t *result = result_json (res, NULL);

    json_object_set_new (result, "objects_queued",
                         json_integer (ps.added));
    st = sr_store_finish_job (ctx->conn, job->id, owner, "succeeded",
                              result, NULL, 0, NULL, NULL, NULL, err,
                              sizeof (err));
    json_decref (result);
    if (SR_OK == st)
      st = sr_store_notify_jobs (ctx->conn, err, sizeof (err));
    if (SR_OK == st)
      st = sr_db_run (ctx->conn, "commit", "COMMIT", 0, NULL, err,
                      sizeof (err));
    if (SR_OK != st && '\0' == res->error[0])
      sr_sync_fail (res, st, "%s", err);
  }
  if (SR_OK != st) {
    char ignored[64];

    (void) sr_db_run (ctx->conn, "rollback", "ROLLBACK", 0, NULL, ignored,
                      sizeof (ignored));
  }
  return st;
}

void
sr_runner_execute (void *cls, PGconn *conn, const struct sr_job *job,
                   const char *owner)
{
  const struct sr_config *cfg = cls;
  struct sr_sync_result res;
  struct hook_state hs = { .job = job, .owner = owner, .res = &res };
  struct sr_commit_hook hook = { .fn = finish_in_tx, .cls = &hs };
  struct sr_sync_ctx ctx = { .cfg = cfg, .conn = conn, .force = job->force,
                             .explicit_window = '\0' != job->from[0],
                             .commit_hook = &hook };
  const struct sr_source *src = sr_source_find (job->source);
  enum sr_status st;

  memset (&res, 0, sizeof (res));
  snprintf (res.source, sizeof (res.source), "%s", job->source);
  snprintf (res.from, sizeof (res.from), "%s", job->from);
  snprintf (res.to, sizeof (res.to), "%s", job->to);
  if (0 == strcmp (job->kind, "noop")) {
    char err[512];
    json_t *result = json_pack ("{s:s}", "by", owner);

    st = sr_store_finish_job (conn, job->id, owner, "succeeded", result,
                              NULL, 0, NULL, NULL, NULL, err, sizeof (err));
    json_decref (result);
    if (SR_OK != st)
      sr_log (SR_LOG_ERROR, "could not finish a job", "{s:I, s:s}", "job",
              (json_int_t) job->id, "error", err);
    return;
  }
  if (NULL == src) {
    sr_sync_fail (&res, SR_E_INVALID, "unknown source %s", job->source);
    finish_failed (conn, cfg, job, owner, &res);
    return;
  }
  {
    char missing[256];

    /* Every kind of job, before any client touches the settings: a
     * scheduled run on an instance without them fails with their names. */
    if (!sr_source_configured (src, cfg, missing, sizeof (missing))) {
      sr_sync_fail (&res, SR_E_CONFIG, "not configured: set %s", missing);
      finish_failed (conn, cfg, job, owner, &res);
      sr_sync_result_clean (&res);
      return;
    }
  }
  ctx.http = sr_upstream_new (cfg);
  if (0 == strcmp (job->kind, "plan")) {
    st = run_plan (&ctx, job, owner, &res);
    hs.finished = SR_OK == st;
  } else if (0 == strcmp (job->kind, "object")) {
    st = sr_s3_exports_load (&ctx, job->object_key, job->object_meta, &res);
  } else {
    st = sr_source_run (src, &ctx, job->from, job->to, &res);
  }
  if (SR_OK == st && !hs.finished) {
    /* Nothing was written (e.g. an object unchanged since planning):
     * finish on its own. */
    char err[512];
    json_t *result = result_json (&res, NULL);

    if (SR_OK != sr_store_finish_job (conn, job->id, owner, "succeeded",
                                      result, NULL, 0, NULL, NULL, NULL, err,
                                      sizeof (err)))
      sr_log (SR_LOG_ERROR, "could not finish a job", "{s:I, s:s}", "job",
              (json_int_t) job->id, "error", err);
    json_decref (result);
  } else if (SR_E_CONFLICT == st || (SR_OK != st && hs.finished)) {
    sr_log (SR_LOG_WARN, "job lost its lease; its writes rolled back",
            "{s:I}", "job", (json_int_t) job->id);
  } else if (SR_OK != st) {
    finish_failed (conn, cfg, job, owner, &res);
  }
  sr_sync_result_clean (&res);
  sr_upstream_free (ctx.http);
}

/* end of runner.c */
