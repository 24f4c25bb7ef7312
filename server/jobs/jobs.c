/*
 * jobs.c -- see jobs.h.
 */
#include "jobs.h"
#include "clock.h"
#include "db.h"
#include "log.h"
#include "mem.h"
#include "metrics.h"
#include "trace.h"
#include "waiter.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_WORKERS SR_HELD_JOBS_MAX
#define SWEEP_EVERY_S 5
#define CLOSED_WAIT_MS 60000
#define RECORD_BACKOFF_MAX_MS 15000

struct sr_jobs;

/* What one worker holds right now: the keeper renews exactly these. */
struct slot {
  struct sr_jobs *pool;
  int64_t job_id;             /* 0: none; guarded by pool->lock */
  atomic_int stop;            /* enum sr_job_stop, for the executor */
};

struct sr_jobs {
  const struct sr_config *cfg;
  char instance[96];
  sr_job_executor exec;
  void *exec_cls;
  struct sr_waiter wake;      /* kicked when a job may be due; open; stop */
  atomic_bool open;           /* the schema is there: claim, renew, sweep */
  pthread_mutex_t lock;       /* guards busy and the slots' job ids */
  pthread_cond_t idle;        /* a worker finished its job */
  unsigned int busy;          /* workers inside a job */
  struct slot slots[MAX_WORKERS];
  pthread_t workers[MAX_WORKERS];
  unsigned int n_workers;
  pthread_t keeper;
  pthread_t listener;
  bool have_keeper, have_listener;
};

void
sr_job_outcome_clean (struct sr_job_outcome *o)
{
  json_decref (o->result);
  json_decref (o->request);
  o->result = NULL;
  o->request = NULL;
}

void
sr_jobs_wake (struct sr_jobs *pool)
{
  if (NULL != pool)
    sr_waiter_kick (&pool->wake);
}

void
sr_jobs_open (struct sr_jobs *pool)
{
  if (NULL == pool)
    return;
  atomic_store (&pool->open, true);
  sr_waiter_kick (&pool->wake);
}

static bool
stopping (struct sr_jobs *p)
{
  return sr_waiter_stopping (&p->wake);
}

/* Wait while the pool is closed; @return false when stopped.  The kick
 * count is read before the flag, so an open between the two still wakes
 * the wait. */
static bool
await_open (struct sr_jobs *p)
{
  while (!stopping (p)) {
    uint64_t seen = sr_waiter_kicks (&p->wake);

    if (atomic_load (&p->open))
      return true;
    (void) sr_waiter_sleep_for_kick (&p->wake, CLOSED_WAIT_MS, seen);
  }
  return false;
}

/* A connection for a pool thread, (re)opened with back-off. */
static PGconn *
ensure_conn (struct sr_jobs *p, PGconn *conn, enum sr_db_role role,
             const char *who)
{
  unsigned long backoff = 500;

  while (!stopping (p)) {
    char err[512];

    if (NULL != conn && CONNECTION_OK == PQstatus (conn))
      return conn;
    if (NULL != conn)
      PQfinish (conn);
    conn = NULL;
    if (SR_OK == sr_db_connect_as (role, &conn, err, sizeof (err)))
      return conn;
    sr_log (SR_LOG_WARN, "job thread cannot reach the database",
            "{s:s, s:s}", "thread", who, "error", err);
    (void) sr_waiter_sleep (&p->wake, backoff);
    backoff = backoff >= 15000 ? 30000 : backoff * 2;
  }
  return conn;
}

static void
hold (struct slot *me, int64_t job_id)
{
  pthread_mutex_lock (&me->pool->lock);
  me->job_id = job_id;
  atomic_store (&me->stop, SR_JOB_RUN);
  me->pool->busy++;
  pthread_mutex_unlock (&me->pool->lock);
}

static void
let_go (struct slot *me)
{
  pthread_mutex_lock (&me->pool->lock);
  me->job_id = 0;
  me->pool->busy--;
  pthread_cond_broadcast (&me->pool->idle);
  pthread_mutex_unlock (&me->pool->lock);
}

static bool
retry_may_help (enum sr_status st)
{
  return SR_E_DB_CONN == st || SR_E_DB_SOFT == st || SR_E_DB_TIMEOUT == st;
}

static void
log_recorded (const struct sr_job *job, const struct sr_job_outcome *out,
              const char *final, bool waited)
{
  if (waited)
    sr_log (SR_LOG_INFO, "job outcome recorded once the database answered "
            "again", "{s:I, s:s}", "job", (json_int_t) job->id, "now",
            final);
  if (0 == strcmp (final, "cancelled"))
    sr_log (SR_LOG_INFO, "job cancelled", "{s:I, s:s}", "job",
            (json_int_t) job->id, "source", job->source);
  else if (0 != strcmp (final, "succeeded"))
    sr_log ('q' == final[0] ? SR_LOG_WARN : SR_LOG_ERROR, "job failed",
            "{s:I, s:s, s:i, s:s, s:s}", "job", (json_int_t) job->id,
            "source", job->source, "attempt", job->attempts, "now", final,
            "error", out->error);
}

/* Record what the executor handed back.  While the database is away the
 * worker keeps the job -- and so the heartbeat keeps its lease once the
 * database answers again -- and retries with back-off; it lets go when
 * the outcome is recorded, when another instance has decided the job
 * (its lease ran out meanwhile), on an error no retry fixes, or on stop.
 * A job let go of unrecorded is renewed by nobody: its lease runs out and
 * the sweeper of any instance queues it again. */
static PGconn *
record_outcome (struct sr_jobs *p, PGconn *conn, const struct sr_job *job,
                const struct sr_job_outcome *out)
{
  unsigned long backoff = 500;
  const char *error = '\0' != out->error[0] ? out->error : NULL;
  bool waited = NULL == conn || CONNECTION_OK != PQstatus (conn);
  const struct sr_job_end end = {
    .outcome = out->outcome, .result = out->result, .error = error,
    .retry_s = out->retry_s, .request = out->request, .excerpt = error,
  };

  for (unsigned int attempt = 1;; attempt++) {
    char err[512], final[16] = "";
    enum sr_status st;

    conn = ensure_conn (p, conn, SR_DB_ROLE_JOB, "worker");
    if (stopping (p))
      break;
    st = sr_store_finish_job (conn, job->id, p->instance, &end, final, err,
                              sizeof (err));
    if (SR_OK == st) {
      log_recorded (job, out, final, waited);
      return conn;
    }
    if (SR_E_CONFLICT == st) {
      sr_log (SR_LOG_WARN, "job was decided elsewhere meanwhile",
              "{s:I, s:s}", "job", (json_int_t) job->id, "outcome",
              out->outcome);
      return conn;
    }
    if (!retry_may_help (st)) {
      sr_log (SR_LOG_ERROR, "could not record a job outcome",
              "{s:I, s:s, s:s}", "job", (json_int_t) job->id, "outcome",
              out->outcome, "error", err);
      return conn;
    }
    waited = true;
    sr_log (SR_LOG_WARN, "job outcome not recorded yet, retrying",
            "{s:I, s:s, s:i, s:s, s:I}", "job", (json_int_t) job->id,
            "outcome", out->outcome, "try", (int) attempt, "error", err,
            "retry_in_ms", (json_int_t) backoff);
    if (sr_waiter_sleep (&p->wake, backoff))
      break;
    backoff = backoff * 2 > RECORD_BACKOFF_MAX_MS ? RECORD_BACKOFF_MAX_MS
                                                  : backoff * 2;
  }
  sr_log (SR_LOG_WARN, "stopping before a job outcome was recorded",
          "{s:I, s:s, s:s}", "job", (json_int_t) job->id, "outcome",
          out->outcome, "effect", "the job is queued again when its lease "
          "runs out");
  return conn;
}

/* One attempt in the metrics.  An attempt recorded inside its own
 * transaction carries no outcome: it succeeded. */
static void
count_attempt (const struct sr_job *job, const struct sr_job_outcome *out,
               uint64_t us)
{
  const char *outcome = NULL != out->outcome ? out->outcome : "succeeded";
  const char *values[] = { job->kind, outcome };

  sr_metric_add (&sr_m_job_attempts, values, 1);
  sr_metric_observe (&sr_m_job_duration, values, (double) us / 1e6);
  if (0 == strcmp (outcome, "lease_lost"))
    sr_metric_add (&sr_m_leases_lost, NULL, 1);
}

/* A job attempt's span: in the trace of the request that queued its run
 * (and linked to it), else a trace of its own. */
static void
start_job_span (struct sr_span *span, const struct sr_job *job)
{
  struct sr_trace_ctx parent;
  char name[SR_TRACE_NAME_MAX];
  bool from_request = sr_trace_parse (job->traceparent, NULL, &parent);

  snprintf (name, sizeof (name), "job %s %s", job->kind, job->source);
  sr_span_start (span, name, SR_SPAN_INTERNAL,
                 from_request ? &parent : NULL);
  if (from_request)
    sr_span_link (span, &parent);
  sr_span_set_int (span, "signalroom.job.id", job->id);
  sr_span_set_int (span, "signalroom.run.id", job->run_id);
  sr_span_set_str (span, "signalroom.job.kind", job->kind);
  sr_span_set_str (span, "signalroom.source", job->source);
  sr_span_set_int (span, "signalroom.job.attempt", job->attempts);
  sr_trace_push (span);
}

static void
end_job_span (struct sr_span *span, const struct sr_job_outcome *out)
{
  const char *outcome = NULL != out->outcome ? out->outcome : "succeeded";

  sr_span_set_str (span, "signalroom.job.outcome", outcome);
  sr_span_set_error (span, 0 != strcmp (outcome, "succeeded"));
  sr_span_finish (span);
}

static void *
run_worker (void *cls)
{
  struct slot *me = cls;
  struct sr_jobs *p = me->pool;
  PGconn *conn = NULL;

  while (await_open (p)) {
    struct sr_job job;
    struct sr_job_outcome out;
    char err[512];
    bool got = false;
    uint64_t seen, started_us;
    struct sr_span span;

    seen = sr_waiter_kicks (&p->wake);
    conn = ensure_conn (p, conn, SR_DB_ROLE_JOB, "worker");
    if (stopping (p))
      break;
    if (SR_OK != sr_store_claim_job (conn, p->instance,
                                     (unsigned int) p->cfg->lease_s, &job,
                                     &got, err, sizeof (err))) {
      (void) sr_waiter_sleep (&p->wake, 1000);
      continue;
    }
    if (!got) {
      if (sr_waiter_sleep_for_kick (&p->wake, p->cfg->poll_ms, seen))
        break;
      continue;
    }
    hold (me, job.id);
    {
      char id[32];

      snprintf (id, sizeof (id), "job-%lld", (long long) job.id);
      sr_log_set_context ("job_id", id);
      memset (&out, 0, sizeof (out));
      started_us = sr_now_us ();
      start_job_span (&span, &job);
      p->exec (p->exec_cls, conn, &job, p->instance, &me->stop, &out);
      count_attempt (&job, &out, sr_now_us () - started_us);
      end_job_span (&span, &out);
      if (!out.recorded && NULL != out.outcome)
        conn = record_outcome (p, conn, &job, &out);
      sr_log_set_context (NULL, NULL);
    }
    sr_job_outcome_clean (&out);
    sr_job_clean (&job);
    let_go (me);
  }
  if (NULL != conn)
    PQfinish (conn);
  return NULL;
}

/* One heartbeat: renew the leases of the jobs held right now, and tell
 * their workers what the database says about them. */
static void
beat (struct sr_jobs *p, PGconn *conn)
{
  struct sr_held_job held[MAX_WORKERS];
  size_t n = 0;
  char err[512];

  pthread_mutex_lock (&p->lock);
  for (unsigned int i = 0; i < p->n_workers; i++)
    if (0 != p->slots[i].job_id)
      held[n++].id = p->slots[i].job_id;
  pthread_mutex_unlock (&p->lock);
  if (0 == n
      || SR_OK != sr_store_renew_leases (conn, p->instance, held, n,
                                         (unsigned int) p->cfg->lease_s,
                                         err, sizeof (err)))
    return;
  pthread_mutex_lock (&p->lock);
  for (size_t k = 0; k < n; k++)
    for (unsigned int i = 0; i < p->n_workers; i++) {
      struct slot *s = &p->slots[i];

      /* The worker may have moved on since: only the same job counts. */
      if (s->job_id != held[k].id || SR_JOB_RUN != atomic_load (&s->stop))
        continue;
      if (!held[k].kept || held[k].cancel) {
        atomic_store (&s->stop, held[k].kept ? SR_JOB_CANCELLED
                                             : SR_JOB_LEASE_LOST);
        sr_log (SR_LOG_INFO, held[k].kept ? "job asked to stop"
                : "job no longer leased here", "{s:I}", "job",
                (json_int_t) held[k].id);
      }
    }
  pthread_mutex_unlock (&p->lock);
}

/* Heartbeat and sweeper. */
static void *
run_keeper (void *cls)
{
  struct sr_jobs *p = cls;
  PGconn *conn = NULL;
  unsigned long beat_ms = p->cfg->lease_s * 1000 / 3;
  uint64_t last_sweep = 0;

  sr_log_set_context ("job_id", "keeper");
  while (await_open (p)) {
    char err[512];
    unsigned int swept = 0;
    uint64_t now_s;

    conn = ensure_conn (p, conn, SR_DB_ROLE_KEEPER, "keeper");
    if (stopping (p))
      break;
    beat (p, conn);
    now_s = sr_now_ms () / 1000u;
    if (now_s >= last_sweep + SWEEP_EVERY_S) {
      last_sweep = now_s;
      if (SR_OK == sr_store_sweep_jobs (conn, &swept, err, sizeof (err))
          && swept > 0) {
        sr_log (SR_LOG_WARN, "expired leases requeued", "{s:i}", "jobs",
                (int) swept);
        sr_jobs_wake (p);
      }
    }
    (void) sr_waiter_sleep (&p->wake, beat_ms < SWEEP_EVERY_S * 1000
                                      ? beat_ms : SWEEP_EVERY_S * 1000);
  }
  if (NULL != conn)
    PQfinish (conn);
  sr_log_set_context (NULL, NULL);
  return NULL;
}

/* LISTEN for new jobs queued by any instance. */
static void *
run_listener (void *cls)
{
  struct sr_jobs *p = cls;
  PGconn *conn = NULL;

  while (!stopping (p)) {
    PGresult *r;

    conn = ensure_conn (p, conn, SR_DB_ROLE_BACKGROUND, "listener");
    if (stopping (p))
      break;
    r = PQexec (conn, "LISTEN signalroom_jobs");
    if (PGRES_COMMAND_OK != PQresultStatus (r)) {
      PQclear (r);
      if (CONNECTION_OK != PQstatus (conn))
        continue;       /* the database went away: reconnect, listen again */
      /* Refused on a live connection (a transaction pooler): polling
       * alone it is. */
      sr_log (SR_LOG_INFO, "LISTEN unavailable, polling only", NULL);
      break;
    }
    PQclear (r);
    while (!stopping (p) && CONNECTION_OK == PQstatus (conn)) {
      int got = sr_db_wait_notify (conn, 250);

      if (got < 0)
        break;
      if (got > 0)
        sr_jobs_wake (p);
    }
  }
  if (NULL != conn)
    PQfinish (conn);
  return NULL;
}

enum sr_status
sr_jobs_start (const struct sr_config *cfg, const char *instance,
               sr_job_executor exec, void *exec_cls, struct sr_jobs **out)
{
  struct sr_jobs *p = sr_xcalloc (1, sizeof (*p));
  unsigned int n = (unsigned int) cfg->workers;

  p->cfg = cfg;
  snprintf (p->instance, sizeof (p->instance), "%s", instance);
  p->exec = exec;
  p->exec_cls = exec_cls;
  sr_waiter_init (&p->wake);
  atomic_init (&p->open, false);
  pthread_mutex_init (&p->lock, NULL);
  sr_cond_init_monotonic (&p->idle);
  if (n > MAX_WORKERS)
    n = MAX_WORKERS;
  for (unsigned int i = 0; i < MAX_WORKERS; i++) {
    p->slots[i].pool = p;
    atomic_init (&p->slots[i].stop, SR_JOB_RUN);
  }
  /* n_workers grows as threads start: the keeper only looks at slots
   * below it, under the lock. */
  for (unsigned int i = 0; i < n; i++) {
    pthread_mutex_lock (&p->lock);
    if (0 == pthread_create (&p->workers[p->n_workers], NULL, run_worker,
                             &p->slots[p->n_workers]))
      p->n_workers++;
    pthread_mutex_unlock (&p->lock);
  }
  if (n > 0) {
    p->have_keeper = 0 == pthread_create (&p->keeper, NULL, run_keeper, p);
    p->have_listener = cfg->listen_notify
                       && 0 == pthread_create (&p->listener, NULL,
                                               run_listener, p);
  }
  if (p->n_workers < n
      || (n > 0 && (!p->have_keeper
                    || (cfg->listen_notify && !p->have_listener)))) {
    sr_log (SR_LOG_ERROR, "cannot start job threads", NULL);
    (void) sr_jobs_stop (p, 0, NULL);
    return SR_E_INTERNAL;
  }
  *out = p;
  return SR_OK;
}

bool
sr_jobs_stop (struct sr_jobs *p, unsigned int grace_s,
              unsigned int *handed_back)
{
  struct timespec deadline;
  unsigned int released = 0;
  bool all_idle;

  if (NULL != handed_back)
    *handed_back = 0;
  if (NULL == p)
    return true;
  sr_waiter_stop (&p->wake);
  sr_deadline_in_ms (&deadline, (unsigned long) grace_s * 1000);
  pthread_mutex_lock (&p->lock);
  while (p->busy > 0)
    if (ETIMEDOUT == pthread_cond_timedwait (&p->idle, &p->lock, &deadline))
      break;
  all_idle = 0 == p->busy;
  pthread_mutex_unlock (&p->lock);
  if (!all_idle) {
    /* Jobs still running past the grace: hand them back so another
     * instance starts them now; when ours finish anyway, their commit
     * finds the lease gone and rolls back.  Their threads cannot be
     * joined, so the pool is left for process exit to reclaim. */
    char err[512];
    PGconn *conn;

    if (SR_OK == sr_db_connect_as (SR_DB_ROLE_KEEPER, &conn, err,
                                   sizeof (err))) {
      (void) sr_store_release_jobs (conn, p->instance, &released, err,
                                    sizeof (err));
      PQfinish (conn);
    }
    sr_log (SR_LOG_WARN, "jobs handed back at shutdown", "{s:i}", "jobs",
            (int) released);
    if (NULL != handed_back)
      *handed_back = released;
    return false;
  }
  for (unsigned int i = 0; i < p->n_workers; i++)
    pthread_join (p->workers[i], NULL);
  if (p->have_keeper)
    pthread_join (p->keeper, NULL);
  if (p->have_listener)
    pthread_join (p->listener, NULL);
  pthread_cond_destroy (&p->idle);
  pthread_mutex_destroy (&p->lock);
  sr_waiter_destroy (&p->wake);
  free (p);
  return true;
}

/* end of jobs.c */
