/*
 * api_pool.h -- the threads that run requests which need the database.
 *
 * Why it exists: a handler waiting on PostgreSQL (a lock held elsewhere,
 * a stalled server, a dead connection) must never hold an HTTP thread,
 * or liveness probes and every other request queue up behind it.  So the
 * HTTP layer (http.c) runs only database-free handlers itself; for the
 * others it suspends the connection, submits a job here, and the job
 * resumes the connection once its reply is staged.  How long a handler
 * blocks is then the database's business (statement timeouts), never the
 * HTTP threads'.
 *
 * The queue is bounded: when every thread is busy and @a queue_max jobs
 * already wait, sr_api_pool_submit() refuses at once and the caller
 * answers 503 -- a client retrying later beats one waiting on a queue
 * that may never drain.
 *
 * Threads: a fixed set, one mutex + condition variable FIFO, all signals
 * blocked (the process handles them in one place).  Each is an ordinary
 * thread, so db.h gives it its own connection, closed when it exits.
 *
 * Ownership: jobs belong to the submitter; the pool links them (the
 * @e next member is the pool's while the job is queued) and calls
 * @e run exactly once, either on a pool thread or, for a job still queued
 * when the pool stops, on the stopping thread with @a cancelled set.
 */
#ifndef SR_API_POOL_H
#define SR_API_POOL_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

struct sr_api_job {
  struct sr_api_job *next;      /* the pool's while queued */
  /* Do the work (@a cancelled false) or give up without doing it
   * (@a cancelled true: the pool is stopping). */
  void (*run) (struct sr_api_job *job, bool cancelled);
};

struct sr_api_pool;

/**
 * Start @a threads threads with room for @a queue_max waiting jobs.
 * @return SR_OK, or SR_E_INTERNAL when a thread cannot be created
 */
enum sr_status sr_api_pool_start (unsigned int threads,
                                  unsigned int queue_max,
                                  struct sr_api_pool **out);

/**
 * Queue @a job.  Any thread.
 * @param[out] depth  jobs waiting after this one was queued (may be NULL)
 * @return SR_OK; SR_E_BUSY when the queue is full; SR_E_UNAVAILABLE when
 *         the pool is stopping (the job was not queued, run not called)
 */
enum sr_status sr_api_pool_submit (struct sr_api_pool *pool,
                                   struct sr_api_job *job, size_t *depth);

/**
 * Stop: jobs still waiting are cancelled (run with @a cancelled, on this
 * thread), jobs running get up to @a wait_ms to finish, then the threads
 * are joined and the pool freed.
 *
 * @return true when every thread joined; false when a job was still
 *         running at the deadline -- the pool and its threads are then
 *         left alone (never freed under a running job), and the caller
 *         must not free what those jobs use either.  NULL pool: true.
 */
bool sr_api_pool_stop (struct sr_api_pool *pool, unsigned int wait_ms);

#endif /* SR_API_POOL_H */
