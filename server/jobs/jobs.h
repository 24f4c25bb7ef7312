/*
 * jobs.h -- the worker pool that runs queued jobs.
 *
 * Threads, each with its own database connection:
 *   - SIGNALROOM_WORKERS workers: claim a due job (FOR UPDATE SKIP LOCKED),
 *     run it through the executor, claim the next; when none is due they
 *     wait on a condition variable;
 *   - one listener: LISTEN signalroom_jobs, waking the workers when a job
 *     is queued anywhere; where LISTEN is not possible (a transaction
 *     pooler) the workers' wait times out every SIGNALROOM_POLL_MS instead;
 *   - one keeper: renews the leases of the jobs the workers are running
 *     right now (its heartbeat; each worker publishes the id of the job it
 *     holds, and nothing else is renewed), passes a cancel request or a
 *     lost lease on to the worker concerned, and sweeps jobs whose lease
 *     expired back into the queue.
 * Every lease carries the instance id, so a job claimed by an instance that
 * died is taken over by another once its lease runs out.
 *
 * Outcomes: the executor records success in the data's own transaction;
 * anything else it hands back (struct sr_job_outcome) and the worker
 * records it, retrying with back-off while the database is away and
 * keeping the job (and so its lease) until it is recorded or another
 * instance has decided it.  A job a worker gives up on is no longer
 * renewed, so its lease runs out and any instance queues it again.
 *
 * The pool starts closed: its threads wait until sr_jobs_open() (serve
 * opens it once the schema is current), so nothing queries tables that
 * do not exist yet.
 *
 * The executor (server/jobs/runner.c) is passed in, which keeps server/ free of
 * source code.
 */
#ifndef SR_JOBS_H
#define SR_JOBS_H

#include <stdatomic.h>
#include <stdbool.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "config.h"
#include "status.h"
#include "store_jobs.h"

/** Why a running job must stop: the value of the flag its executor
 * watches (set by the keeper, read by the executor and its HTTP clients;
 * any value but SR_JOB_RUN means stop). */
enum sr_job_stop {
  SR_JOB_RUN = 0,
  SR_JOB_CANCELLED = 1,    /* its run was cancelled */
  SR_JOB_LEASE_LOST = 2    /* another instance owns it now */
};

/** How a job ended, as the executor hands it to the worker. */
struct sr_job_outcome {
  bool recorded;           /* already recorded (with the data), or no
                            * longer this instance's: nothing to do */
  const char *outcome;     /* "succeeded", "retry", "failed", "cancelled" */
  json_t *result;          /* owned; counts (see signalroom.finish_job) */
  json_t *request;         /* owned; what a dead letter shows, or NULL */
  char error[1024];        /* "" on success */
  double retry_s;          /* for "retry" */
};

/** Release what @a o owns. */
void sr_job_outcome_clean (struct sr_job_outcome *o);

/**
 * Runs one claimed job to its end.  Success is best recorded with the
 * data (sr_store_finish_job in the data's transaction, then
 * @a out->recorded); otherwise fill @a out.  @a owner is the lease owner;
 * @a stop is the job's stop flag (enum sr_job_stop), which the executor
 * should look at between steps and hand to its HTTP clients.
 */
typedef void (*sr_job_executor) (void *cls, PGconn *conn,
                                 const struct sr_job *job,
                                 const char *owner, const atomic_int *stop,
                                 struct sr_job_outcome *out);

struct sr_jobs;

/**
 * Start the pool, closed (see sr_jobs_open).  @a instance names this
 * process in leases.
 */
enum sr_status sr_jobs_start (const struct sr_config *cfg,
                              const char *instance, sr_job_executor exec,
                              void *exec_cls, struct sr_jobs **out);

/**
 * Stop: no new claims; running jobs get @a grace_s seconds to finish;
 * what is still running then is given back to the queue (another instance
 * takes it now) and its threads are abandoned.
 * @param[out] handed_back  jobs given back (may be NULL)
 * @return true when every thread ended and the pool is freed; false when
 *         threads were abandoned: the process must then exit without
 *         releasing what they may still touch (configuration, libraries)
 */
bool sr_jobs_stop (struct sr_jobs *pool, unsigned int grace_s,
                   unsigned int *handed_back);

/** Wake idle workers of this instance (a job was just queued here). */
void sr_jobs_wake (struct sr_jobs *pool);

/** Let the threads start claiming and renewing: the schema is current.
 * Safe from any thread, more than once, and with @a pool NULL. */
void sr_jobs_open (struct sr_jobs *pool);

#endif /* SR_JOBS_H */
