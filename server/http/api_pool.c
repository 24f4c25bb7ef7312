/*
 * api_pool.c -- see api_pool.h.
 */
#include "api_pool.h"
#include "log.h"
#include "mem.h"
#include "waiter.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

struct sr_api_pool {
  pthread_mutex_t lock;
  pthread_cond_t work;          /* a job was queued, or stopping */
  pthread_cond_t idle;          /* a job finished */
  struct sr_api_job *head;      /* FIFO */
  struct sr_api_job *tail;
  size_t queued;
  size_t queue_max;
  size_t running;
  bool stopping;
  pthread_t *threads;
  unsigned int n_threads;
};

static void *
worker (void *cls)
{
  struct sr_api_pool *pool = cls;
  sigset_t all;

  /* Signals belong to the thread that waits for them (cmd_serve.c). */
  sigfillset (&all);
  pthread_sigmask (SIG_BLOCK, &all, NULL);
  pthread_mutex_lock (&pool->lock);
  for (;;) {
    struct sr_api_job *job;

    while (NULL == pool->head && !pool->stopping)
      pthread_cond_wait (&pool->work, &pool->lock);
    if (pool->stopping)
      break;
    job = pool->head;
    pool->head = job->next;
    if (NULL == pool->head)
      pool->tail = NULL;
    pool->queued--;
    pool->running++;
    pthread_mutex_unlock (&pool->lock);
    job->next = NULL;
    job->run (job, false);
    pthread_mutex_lock (&pool->lock);
    pool->running--;
    pthread_cond_broadcast (&pool->idle);
  }
  pthread_mutex_unlock (&pool->lock);
  return NULL;
}

enum sr_status
sr_api_pool_start (unsigned int threads, unsigned int queue_max,
                   struct sr_api_pool **out)
{
  struct sr_api_pool *pool = sr_xcalloc (1, sizeof (*pool));

  *out = NULL;
  pthread_mutex_init (&pool->lock, NULL);
  pthread_cond_init (&pool->work, NULL);
  sr_cond_init_monotonic (&pool->idle);
  pool->queue_max = queue_max;
  pool->threads = sr_xcalloc (threads, sizeof (pthread_t));
  for (unsigned int i = 0; i < threads; i++) {
    if (0 != pthread_create (&pool->threads[i], NULL, worker, pool)) {
      sr_log (SR_LOG_ERROR, "cannot start an API thread", "{s:i}",
              "started", (int) i);
      (void) sr_api_pool_stop (pool, 0);
      return SR_E_INTERNAL;
    }
    pool->n_threads++;
  }
  *out = pool;
  return SR_OK;
}

enum sr_status
sr_api_pool_submit (struct sr_api_pool *pool, struct sr_api_job *job,
                    size_t *depth)
{
  enum sr_status st = SR_OK;

  job->next = NULL;
  pthread_mutex_lock (&pool->lock);
  if (pool->stopping)
    st = SR_E_UNAVAILABLE;
  else if (pool->queued >= pool->queue_max)
    st = SR_E_BUSY;
  else {
    if (NULL == pool->tail)
      pool->head = job;
    else
      pool->tail->next = job;
    pool->tail = job;
    pool->queued++;
    pthread_cond_signal (&pool->work);
  }
  if (NULL != depth)
    *depth = pool->queued;
  pthread_mutex_unlock (&pool->lock);
  return st;
}

bool
sr_api_pool_stop (struct sr_api_pool *pool, unsigned int wait_ms)
{
  struct sr_api_job *cancelled;
  struct timespec deadline;
  size_t still;

  if (NULL == pool)
    return true;
  pthread_mutex_lock (&pool->lock);
  pool->stopping = true;
  cancelled = pool->head;
  pool->head = pool->tail = NULL;
  pool->queued = 0;
  pthread_cond_broadcast (&pool->work);
  pthread_mutex_unlock (&pool->lock);
  while (NULL != cancelled) {
    struct sr_api_job *job = cancelled;

    cancelled = job->next;
    job->next = NULL;
    job->run (job, true);
  }
  sr_deadline_in_ms (&deadline, wait_ms);
  pthread_mutex_lock (&pool->lock);
  while (pool->running > 0)
    if (ETIMEDOUT == pthread_cond_timedwait (&pool->idle, &pool->lock,
                                             &deadline))
      break;
  still = pool->running;
  pthread_mutex_unlock (&pool->lock);
  if (still > 0) {
    sr_log (SR_LOG_WARN, "API threads still busy at shutdown", "{s:i}",
            "running", (int) still);
    return false;
  }
  for (unsigned int i = 0; i < pool->n_threads; i++)
    pthread_join (pool->threads[i], NULL);
  free (pool->threads);
  pthread_cond_destroy (&pool->idle);
  pthread_cond_destroy (&pool->work);
  pthread_mutex_destroy (&pool->lock);
  free (pool);
  return true;
}

/* end of api_pool.c */
