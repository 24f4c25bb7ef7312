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
 * data is written once.  Every other outcome is handed back to the
 * worker (jobs.h), which records it in a transaction of its own, retrying
 * while the database is away.  Failures are classified: network trouble,
 * timeouts, 408/429/5xx and database trouble (a lost connection, a busy or
 * slow server) are retried with exponential backoff
 * (SIGNALROOM_RETRY_BASE_MS doubling, at most 5 minutes, jitter; an
 * upstream Retry-After wins); configuration, authentication, other 4xx
 * and malformed data fail at once.  A job out of attempts, or failed at
 * once, becomes a dead letter.
 *
 * Cancel: the job's stop flag (set by the keeper from the heartbeat's
 * answer) is handed to the HTTP clients, which abort a transfer in
 * progress and start no other, and looked at again before anything
 * commits; a stopped job rolls back and ends 'cancelled'.
 */
#include "runner.h"
#include "backoff.h"
#include "db.h"
#include "log.h"
#include "s3_exports.h"
#include "store_jobs.h"
#include "tx.h"
#include "upstream.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define RETRY_MAX_S 300.0

struct hook_state {
  const struct sr_job *job;
  const char *owner;
  const struct sr_sync_result *res;
  const atomic_int *stop;
  bool finished;              /* finish_job ran in the data's transaction */
  bool lost;                  /* ... and said the job is not ours any more */
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
                         (int) res->http.requests, "retries", (int) res->http.retries);

  if (NULL != res->details)
    json_object_set (j, "details", res->details);
  return j;
}

/* The job's success, recorded just before its data commits.  A job told
 * to stop commits nothing: its transaction rolls back. */
static enum sr_status
finish_in_tx (void *cls, PGconn *conn, const struct sr_write_counts *wc,
              char *err, size_t errlen)
{
  struct hook_state *hs = cls;
  json_t *result;
  enum sr_status st;

  if (sr_stop_requested (hs->stop)) {
    snprintf (err, errlen, "stopped before commit (the job was cancelled or "
              "lost its lease)");
    return SR_E_UNAVAILABLE;
  }
  result = result_json (hs->res, wc);
  st = sr_store_finish_job (conn, hs->job->id, hs->owner,
                            &(struct sr_job_end) { .outcome = "succeeded",
                                                   .result = result },
                            NULL, err, errlen);
  json_decref (result);
  if (SR_OK == st)
    hs->finished = true;
  else if (SR_E_CONFLICT == st)
    hs->lost = true;
  return st;
}

static double
retry_delay_s (const struct sr_config *cfg, const struct sr_job *job,
               const struct sr_sync_result *res)
{
  const struct sr_backoff b = {
    .base_us = (uint64_t) cfg->retry_base_ms * 1000u,
    .max_us = (uint64_t) (RETRY_MAX_S * 1e6),
  };

  return (double) sr_backoff_delay_us (
           &b, (unsigned int) (job->attempts > 0 ? job->attempts : 1),
           res->http.retry_after_s > 0 ? (uint64_t) (res->http.retry_after_s * 1e6) : 0,
           sr_backoff_jitter ()) / 1e6;
}

/* The outcome of a job that did not succeed, for the worker to record
 * (its own transaction, retried while the database is away). */
static void
set_failure (struct sr_job_outcome *out, const struct sr_config *cfg,
             const struct sr_job *job, const struct sr_sync_result *res,
             bool retryable)
{
  out->outcome = retryable ? "retry" : "failed";
  out->retry_s = retry_delay_s (cfg, job, res);
  out->result = result_json (res, NULL);
  out->request = json_pack ("{s:s, s:s, s:s?, s:s?, s:s?, s:b}", "kind",
                            job->kind, "source", job->source, "from",
                            job->from[0] ? job->from : NULL, "to",
                            job->to[0] ? job->to : NULL, "object",
                            job->object_key[0] ? job->object_key : NULL,
                            "force", job->force);
  snprintf (out->error, sizeof (out->error), "%s",
            '\0' != res->error[0] ? res->error : "failed");
}

static void
set_cancelled (struct sr_job_outcome *out, const struct sr_sync_result *res)
{
  out->outcome = "cancelled";
  out->result = result_json (res, NULL);
  snprintf (out->error, sizeof (out->error), "cancelled while running "
            "(POST /v1/syncs/{id}/cancel)");
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

struct plan_tx {
  struct sr_sync_ctx *ctx;
  const struct sr_job *job;
  struct hook_state *hs;
  struct sr_sync_result *res;
};

/* Inside the transaction: list S3, queue an object job per object, finish
 * the plan, wake the workers. */
static enum sr_status
plan_tx_work (void *cls, PGconn *conn, char *err, size_t errlen)
{
  struct plan_tx *p = cls;
  struct plan_state ps = { .conn = conn, .job = p->job };
  enum sr_status st = sr_s3_exports_plan (p->ctx, p->job->from, p->job->to,
                                          add_object, &ps, p->res);
  json_t *result;

  if (SR_OK != st) {
    snprintf (err, errlen, "%s", p->res->error);
    return st;
  }
  if (sr_stop_requested (p->hs->stop)) {
    snprintf (err, errlen, "stopped before commit");
    return SR_E_UNAVAILABLE;
  }
  result = result_json (p->res, NULL);
  json_object_set_new (result, "objects_queued", json_integer (ps.added));
  st = sr_store_finish_job (conn, p->job->id, p->hs->owner,
                            &(struct sr_job_end) { .outcome = "succeeded",
                                                   .result = result },
                            NULL, err, errlen);
  p->hs->lost = SR_E_CONFLICT == st;
  json_decref (result);
  if (SR_OK == st)
    st = sr_store_notify_jobs (conn, err, errlen);
  return st;
}

/* Planning: the object jobs and the plan's own completion in one
 * transaction, so a crash never leaves half a plan.  Listing is
 * repeatable, so the database may ask for the transaction again. */
static enum sr_status
run_plan (struct sr_sync_ctx *ctx, const struct sr_job *job,
          struct hook_state *hs, struct sr_sync_result *res)
{
  struct plan_tx p = { .ctx = ctx, .job = job, .hs = hs, .res = res };
  char err[512];
  enum sr_status st = sr_tx_run (ctx->conn, "s3_plan", SR_TX_ATTEMPTS,
                                 plan_tx_work, &p, err, sizeof (err));

  hs->finished = SR_OK == st;
  if (SR_OK != st && '\0' == res->error[0])
    sr_sync_fail (res, st, "%s", err);
  return st;
}

/* Whether a failure may pass: what the source said, and database trouble
 * of any kind (the connection went away mid-job, a busy or slow server). */
static bool
may_pass (enum sr_status st, PGconn *conn, const struct sr_sync_result *res)
{
  return res->http.retryable || SR_E_DB_CONN == st || SR_E_DB_SOFT == st
         || SR_E_DB_TIMEOUT == st || CONNECTION_OK != PQstatus (conn);
}

void
sr_runner_execute (void *cls, PGconn *conn, const struct sr_job *job,
                   const char *owner, const atomic_int *stop,
                   struct sr_job_outcome *out)
{
  const struct sr_config *cfg = cls;
  struct sr_sync_result res;
  struct hook_state hs = { .job = job, .owner = owner, .res = &res,
                           .stop = stop };
  struct sr_commit_hook hook = { .fn = finish_in_tx, .cls = &hs };
  struct sr_sync_ctx ctx = { .cfg = cfg, .conn = conn, .force = job->force,
                             .explicit_window = '\0' != job->from[0],
                             .commit_hook = &hook, .run_id = job->run_id,
                             .stop = stop };
  const struct sr_source *src = sr_source_find (job->source);
  char missing[256];
  enum sr_status st;

  memset (&res, 0, sizeof (res));
  snprintf (res.source, sizeof (res.source), "%s", job->source);
  snprintf (res.from, sizeof (res.from), "%s", job->from);
  snprintf (res.to, sizeof (res.to), "%s", job->to);
  if (0 == strcmp (job->kind, "noop")) {
    out->outcome = "succeeded";
    out->result = json_pack ("{s:s}", "by", owner);
    return;
  }
  if (NULL == src) {
    sr_sync_fail (&res, SR_E_INVALID, "unknown source %s", job->source);
    set_failure (out, cfg, job, &res, false);
    return;
  }
  /* Every kind of job, before any client touches the settings: a
   * scheduled run on an instance without them fails with their names. */
  if (!sr_source_configured (src, cfg, missing, sizeof (missing))) {
    sr_sync_fail (&res, SR_E_CONFIG, "not configured: set %s", missing);
    set_failure (out, cfg, job, &res, false);
    return;
  }
  ctx.http = sr_upstream_new (cfg);
  sr_upstream_set_stop (ctx.http, stop);
  if (sr_stop_requested (stop))
    st = SR_E_UNAVAILABLE;
  else if (0 == strcmp (job->kind, "plan"))
    st = run_plan (&ctx, job, &hs, &res);
  else if (0 == strcmp (job->kind, "object"))
    st = sr_s3_exports_load (&ctx, job->object_key, job->object_meta, &res);
  else
    st = sr_source_run (src, &ctx, job->from, job->to, &res);

  if (SR_OK == st && hs.finished) {
    out->recorded = true;
  } else if (SR_OK == st) {
    /* Nothing was written (e.g. an object unchanged since planning). */
    out->outcome = "succeeded";
    out->result = result_json (&res, NULL);
  } else if (hs.lost || SR_JOB_LEASE_LOST == atomic_load (stop)) {
    out->recorded = true;          /* by the instance that holds it now */
    out->outcome = "lease_lost";
    sr_log (SR_LOG_WARN, "job lost its lease; its writes rolled back",
            "{s:I}", "job", (json_int_t) job->id);
  } else if (SR_JOB_CANCELLED == atomic_load (stop)) {
    set_cancelled (out, &res);
  } else {
    /* Also when the commit itself failed after finish_job: if it did
     * commit after all, recording this finds the job decided. */
    set_failure (out, cfg, job, &res, may_pass (st, conn, &res));
  }
  sr_sync_result_clean (&res);
  sr_upstream_free (ctx.http);
}

/* end of runner.c */
