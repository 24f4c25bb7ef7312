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
 *   - one keeper: renews the leases this instance holds (its heartbeat)
 *     and sweeps jobs whose lease expired back into the queue.
 * Every lease carries the instance id, so a job claimed by an instance that
 * died is taken over by another once its lease runs out.
 *
 * The executor (sources/runner.c) is passed in, which keeps server/ free of
 * source code.
 */
#ifndef SR_JOBS_H
#define SR_JOBS_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "config.h"
#include "status.h"
#include "store_jobs.h"

/** Runs one claimed job to its end: it must call sr_store_finish_job()
 * (in the data's transaction where it can).  @a owner is the lease owner. */
typedef void (*sr_job_executor) (void *cls, PGconn *conn,
                                 const struct sr_job *job,
                                 const char *owner);

struct sr_jobs;

/**
 * Start the pool.  @a instance names this process in leases.
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

#endif /* SR_JOBS_H */
