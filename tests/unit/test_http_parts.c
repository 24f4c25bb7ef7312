/*
 * test_http_parts.c -- the HTTP layer's building blocks on their own: the
 * API thread pool (bounded queue, refusal when full, cancellation and
 * joining at stop, a stuck job not freed under) and the token bucket that
 * bounds refusal log lines.
 *
 * Jobs block on a gate the test opens, so "the pool is busy" is a state
 * the test holds, not a race it hopes to win; waits are condition
 * variables with deadlines, never sleeps.
 */
#include "api_pool.h"
#include "ratelimit.h"

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "check.h"

/* A gate jobs wait at, and counts of what happened to them. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static bool open_gate;
static int started, ran, cancelled;

struct test_job {
  struct sr_api_job job;     /* first */
  int id;
};

static void
job_run (struct sr_api_job *job, bool is_cancelled)
{
  (void) job;
  pthread_mutex_lock (&lock);
  if (is_cancelled) {
    /* Cancellation runs on the stopping thread once the queue is taken:
     * only now may the running job finish (and its thread look for
     * more), which keeps the counts below exact. */
    cancelled++;
    open_gate = true;
  } else {
    started++;
    pthread_cond_broadcast (&changed);
    while (!open_gate)
      pthread_cond_wait (&changed, &lock);
    ran++;
  }
  pthread_cond_broadcast (&changed);
  pthread_mutex_unlock (&lock);
}

static void
reset (void)
{
  pthread_mutex_lock (&lock);
  open_gate = false;
  started = ran = cancelled = 0;
  pthread_mutex_unlock (&lock);
}

/* Wait (at most 10 s) until *@a counter reaches @a n. */
static bool
wait_for (int *counter, int n)
{
  struct timespec deadline;
  bool ok;

  clock_gettime (CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 10;
  pthread_mutex_lock (&lock);
  while (*counter < n)
    if (0 != pthread_cond_timedwait (&changed, &lock, &deadline))
      break;
  ok = *counter >= n;
  pthread_mutex_unlock (&lock);
  return ok;
}

static void
open_the_gate (void)
{
  pthread_mutex_lock (&lock);
  open_gate = true;
  pthread_cond_broadcast (&changed);
  pthread_mutex_unlock (&lock);
}

SR_TEST (test_pool_runs_and_refuses_when_full)
{
  struct sr_api_pool *pool = NULL;
  struct test_job jobs[5];
  size_t depth = 99;

  reset ();
  REQUIRE (SR_OK == sr_api_pool_start (2, 2, &pool));
  for (int i = 0; i < 5; i++)
    jobs[i] = (struct test_job) { .job = { .run = job_run }, .id = i };
  /* Two run (and block at the gate) ... */
  CHECK_INT_EQ (sr_api_pool_submit (pool, &jobs[0].job, NULL), SR_OK);
  CHECK_INT_EQ (sr_api_pool_submit (pool, &jobs[1].job, NULL), SR_OK);
  CHECK (wait_for (&started, 2));
  /* ... two wait ... */
  CHECK_INT_EQ (sr_api_pool_submit (pool, &jobs[2].job, &depth), SR_OK);
  CHECK_INT_EQ (depth, 1);
  CHECK_INT_EQ (sr_api_pool_submit (pool, &jobs[3].job, &depth), SR_OK);
  CHECK_INT_EQ (depth, 2);
  /* ... and the fifth is refused at once, not run. */
  CHECK_INT_EQ (sr_api_pool_submit (pool, &jobs[4].job, &depth),
                SR_E_BUSY);
  CHECK_INT_EQ (depth, 2);
  open_the_gate ();
  CHECK (wait_for (&ran, 4));
  CHECK (sr_api_pool_stop (pool, 5000));
  CHECK_INT_EQ (ran, 4);
  CHECK_INT_EQ (cancelled, 0);
}

SR_TEST (test_pool_stop_cancels_waiting)
{
  struct sr_api_pool *pool = NULL;
  struct test_job jobs[3];

  reset ();
  REQUIRE (SR_OK == sr_api_pool_start (1, 4, &pool));
  for (int i = 0; i < 3; i++) {
    jobs[i] = (struct test_job) { .job = { .run = job_run }, .id = i };
    CHECK_INT_EQ (sr_api_pool_submit (pool, &jobs[i].job, NULL), SR_OK);
  }
  CHECK (wait_for (&started, 1));
  /* Stop while one runs and two wait: those two are cancelled, the
   * running one finishes, the thread is joined. */
  CHECK (sr_api_pool_stop (pool, 10000));
  CHECK_INT_EQ (cancelled, 2);
  CHECK_INT_EQ (ran, 1);
}

/* Kept reachable: a pool whose stop gave up is deliberately never freed. */
static struct sr_api_pool *abandoned;

SR_TEST (test_pool_stop_leaves_a_stuck_job_alone)
{
  struct test_job stuck = { .job = { .run = job_run } };
  struct sr_api_pool *pool = NULL;

  reset ();
  REQUIRE (SR_OK == sr_api_pool_start (1, 1, &pool));
  CHECK_INT_EQ (sr_api_pool_submit (pool, &stuck.job, NULL), SR_OK);
  CHECK (wait_for (&started, 1));
  /* The job cannot finish within the wait: the pool says so and is left
   * as it is (freeing it under the running job would be a use after
   * free).  Let the job end so the thread does not outlive the test. */
  CHECK (!sr_api_pool_stop (pool, 100));
  abandoned = pool;
  open_the_gate ();
  CHECK (wait_for (&ran, 1));
}

SR_TEST (test_ratelimit_burst_then_rate)
{
  struct sr_ratelimit rl;
  uint64_t t = 1000000;
  int taken = 0;

  sr_ratelimit_init (&rl, 10.0, 5.0);
  for (int i = 0; i < 20; i++)
    taken += sr_ratelimit_take (&rl, t);
  CHECK_INT_EQ (taken, 5);               /* the burst */
  CHECK (!sr_ratelimit_take (&rl, t + 50000));     /* half a token */
  CHECK (sr_ratelimit_take (&rl, t + 100000));     /* one after 100 ms */
  CHECK (!sr_ratelimit_take (&rl, t + 100000));
  /* A long quiet spell refills to the burst, no more. */
  taken = 0;
  for (int i = 0; i < 20; i++)
    taken += sr_ratelimit_take (&rl, t + 60000000);
  CHECK_INT_EQ (taken, 5);
  /* The clock going backwards (it cannot, but) grants nothing. */
  CHECK (!sr_ratelimit_take (&rl, t));
  sr_ratelimit_destroy (&rl);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_pool_runs_and_refuses_when_full),
              SR_TEST_ENTRY (test_pool_stop_cancels_waiting),
              SR_TEST_ENTRY (test_pool_stop_leaves_a_stuck_job_alone),
              SR_TEST_ENTRY (test_ratelimit_burst_then_rate))
