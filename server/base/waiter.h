/*
 * waiter.h -- how background threads sleep: a bounded wait that ends early
 * on stop (and, for those that ask, on a kick), timed on the monotonic
 * clock so that a wall-clock step neither stretches nor cuts a sleep.
 */
#ifndef SR_WAITER_H
#define SR_WAITER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct sr_waiter {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  uint64_t kicks;     /* bumped by every sr_waiter_kick */
  bool stop;
};

void sr_waiter_init (struct sr_waiter *w);
void sr_waiter_destroy (struct sr_waiter *w);

/* Sleep up to @a ms or until stopped; @return true when stopped. */
bool sr_waiter_sleep (struct sr_waiter *w, unsigned long ms);

/* The kick count, to pass to sr_waiter_sleep_for_kick. */
uint64_t sr_waiter_kicks (struct sr_waiter *w);

/* Sleep up to @a ms, until stopped or kicked since the count was @a seen
 * (a kick that came before the call still counts); @return true when
 * stopped. */
bool sr_waiter_sleep_for_kick (struct sr_waiter *w, unsigned long ms,
                               uint64_t seen);

void sr_waiter_kick (struct sr_waiter *w);
void sr_waiter_stop (struct sr_waiter *w);
bool sr_waiter_stopping (struct sr_waiter *w);

/* For other condition variables waited on with a deadline: initialise
 * @a cond on the monotonic clock, and compute a deadline @a ms from now on
 * that clock. */
void sr_cond_init_monotonic (pthread_cond_t *cond);
void sr_deadline_in_ms (struct timespec *ts, unsigned long ms);

#endif
