/*
 * waiter.c -- see waiter.h.
 */
#include "waiter.h"

#include <errno.h>

void
sr_cond_init_monotonic (pthread_cond_t *cond)
{
  pthread_condattr_t attr;

  pthread_condattr_init (&attr);
  pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
  pthread_cond_init (cond, &attr);
  pthread_condattr_destroy (&attr);
}

void
sr_deadline_in_ms (struct timespec *ts, unsigned long ms)
{
  clock_gettime (CLOCK_MONOTONIC, ts);
  ts->tv_sec += (time_t) (ms / 1000);
  ts->tv_nsec += (long) (ms % 1000) * 1000000L;
  if (ts->tv_nsec >= 1000000000L) {
    ts->tv_sec++;
    ts->tv_nsec -= 1000000000L;
  }
}

void
sr_waiter_init (struct sr_waiter *w)
{
  pthread_mutex_init (&w->lock, NULL);
  sr_cond_init_monotonic (&w->cond);
  w->kicks = 0;
  w->stop = false;
}

void
sr_waiter_destroy (struct sr_waiter *w)
{
  pthread_cond_destroy (&w->cond);
  pthread_mutex_destroy (&w->lock);
}

/* The one wait loop: until stopped, the deadline, or (when @a on_kick) a
 * kick count other than @a seen. */
static bool
sleep_until (struct sr_waiter *w, unsigned long ms, bool on_kick,
             uint64_t seen)
{
  struct timespec deadline;
  bool stop;

  sr_deadline_in_ms (&deadline, ms);
  pthread_mutex_lock (&w->lock);
  while (!w->stop && !(on_kick && w->kicks != seen))
    if (ETIMEDOUT == pthread_cond_timedwait (&w->cond, &w->lock, &deadline))
      break;
  stop = w->stop;
  pthread_mutex_unlock (&w->lock);
  return stop;
}

bool
sr_waiter_sleep (struct sr_waiter *w, unsigned long ms)
{
  return sleep_until (w, ms, false, 0);
}

bool
sr_waiter_sleep_for_kick (struct sr_waiter *w, unsigned long ms,
                          uint64_t seen)
{
  return sleep_until (w, ms, true, seen);
}

uint64_t
sr_waiter_kicks (struct sr_waiter *w)
{
  uint64_t k;

  pthread_mutex_lock (&w->lock);
  k = w->kicks;
  pthread_mutex_unlock (&w->lock);
  return k;
}

void
sr_waiter_kick (struct sr_waiter *w)
{
  pthread_mutex_lock (&w->lock);
  w->kicks++;
  pthread_cond_broadcast (&w->cond);
  pthread_mutex_unlock (&w->lock);
}

void
sr_waiter_stop (struct sr_waiter *w)
{
  pthread_mutex_lock (&w->lock);
  w->stop = true;
  pthread_cond_broadcast (&w->cond);
  pthread_mutex_unlock (&w->lock);
}

bool
sr_waiter_stopping (struct sr_waiter *w)
{
  bool s;

  pthread_mutex_lock (&w->lock);
  s = w->stop;
  pthread_mutex_unlock (&w->lock);
  return s;
}

/* end of waiter.c */
