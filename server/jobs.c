/*
 * jobs.c -- see jobs.h.
 */
#include "jobs.h"
#include "db.h"
#include "log.h"
#include "mem.h"
#include "waiter.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_WORKERS 64
#define SWEEP_EVERY_S 5

struct sr_jobs {
  const struct sr_config *cfg;
  char instance[96];
  sr_job_executor exec;
  void *exec_cls;
  struct sr_waiter wake;      /* kicked when a job may be due; stop */
  pthread_mutex_t lock;       /* guards busy */
  pthread_cond_t idle;        /* a worker finished its job */
  unsigned int busy;          /* workers inside a job */
  pthread_t workers[MAX_WORKERS];
  unsigned int n_workers;
  pthread_t keeper;
  pthread_t listener;
  bool have_keeper, have_listener;
};

void
sr_jobs_wake (struct sr_jobs *pool)
{
  if (NULL != pool)
    sr_waiter_kick (&pool->wake);
}

static bool
stopping (struct sr_jobs *p)
{
  return sr_waiter_stopping (&p->wake);
}

/* A connection for a pool thread, (re)opened with back-off. */
static PGconn *
ensure_conn (struct sr_jobs *p, PGconn *conn, const char *who)
{
  unsigned long backoff = 500;

  while (!stopping (p)) {
    char err[512];

    if (NULL != conn && CONNECTION_OK == PQstatus (conn))
      return conn;
    if (NULL != conn)
      PQfinish (conn);
    conn = NULL;
    if (SR_OK == sr_db_connect (&conn, err, sizeof (err)))
      return conn;
    sr_log (SR_LOG_WARN, "job thread cannot reach the database",
            "{s:s, s:s}", "thread", who, "error", err);
    (void) sr_waiter_sleep (&p->wake, backoff);
    backoff = backoff >= 15000 ? 30000 : backoff * 2;
  }
  return conn;
}

static void *
run_worker (void *cls)
{
  struct sr_jobs *p = cls;
  PGconn *conn = NULL;

  for (;;) {
    struct sr_job job;
    char err[512];
    bool got = false;
    uint64_t seen;

    seen = sr_waiter_kicks (&p->wake);
    conn = ensure_conn (p, conn, "worker");
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
    pthread_mutex_lock (&p->lock);
    p->busy++;
    pthread_mutex_unlock (&p->lock);
    {
      char id[32];

      snprintf (id, sizeof (id), "job-%lld", (long long) job.id);
      sr_log_set_context ("job_id", id);
      p->exec (p->exec_cls, conn, &job, p->instance);
      sr_log_set_context (NULL, NULL);
    }
    sr_job_clean (&job);
    pthread_mutex_lock (&p->lock);
    p->busy--;
    pthread_cond_broadcast (&p->idle);
    pthread_mutex_unlock (&p->lock);
  }
  if (NULL != conn)
    PQfinish (conn);
  return NULL;
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
  while (!stopping (p)) {
    char err[512];
    unsigned int swept = 0;
    struct timespec now;

    conn = ensure_conn (p, conn, "keeper");
    if (stopping (p))
      break;
    (void) sr_store_renew_leases (conn, p->instance,
                                  (unsigned int) p->cfg->lease_s, err,
                                  sizeof (err));
    clock_gettime (CLOCK_MONOTONIC, &now);
    if ((uint64_t) now.tv_sec >= last_sweep + SWEEP_EVERY_S) {
      last_sweep = (uint64_t) now.tv_sec;
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
    struct pollfd pfd;

    conn = ensure_conn (p, conn, "listener");
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
      PGnotify *n;
      bool any = false;

      pfd.fd = PQsocket (conn);
      pfd.events = POLLIN;
      pfd.revents = 0;
      if (poll (&pfd, 1, 250) < 0 && EINTR != errno)
        break;
      if (0 == pfd.revents)
        continue;
      if (0 == PQconsumeInput (conn))
        break;
      while (NULL != (n = PQnotifies (conn))) {
        any = true;
        PQfreemem (n);
      }
      if (any)
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
  pthread_mutex_init (&p->lock, NULL);
  sr_cond_init_monotonic (&p->idle);
  if (n > MAX_WORKERS)
    n = MAX_WORKERS;
  for (unsigned int i = 0; i < n; i++)
    if (0 == pthread_create (&p->workers[p->n_workers], NULL, run_worker, p))
      p->n_workers++;
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

    if (SR_OK == sr_db_connect (&conn, err, sizeof (err))) {
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
