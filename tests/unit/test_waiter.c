/*
 * test_waiter.c -- background threads' sleeps: they last as long as asked
 * unless stopped (or, for those that ask, kicked), and a kick or stop that
 * came first is not lost.
 */
#include "check.h"
#include "waiter.h"

#include <pthread.h>
#include <stdint.h>

static double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

struct sleeper {
  struct sr_waiter *w;
  unsigned long ms;
  bool for_kick;
  uint64_t seen;
  bool stopped;
  double took;
};

static void *
sleep_thread (void *cls)
{
  struct sleeper *s = cls;
  double t0 = now_s ();

  s->stopped = s->for_kick ? sr_waiter_sleep_for_kick (s->w, s->ms, s->seen)
                           : sr_waiter_sleep (s->w, s->ms);
  s->took = now_s () - t0;
  return NULL;
}

SR_TEST (test_sleep_lasts_as_long_as_asked)
{
  struct sr_waiter w;
  double t0;

  sr_waiter_init (&w);
  t0 = now_s ();
  CHECK (!sr_waiter_sleep (&w, 150));
  CHECK (now_s () - t0 >= 0.149);
  /* A kick does not cut a plain sleep short (the keeper's heartbeat and
   * every back-off rely on it). */
  sr_waiter_kick (&w);
  t0 = now_s ();
  CHECK (!sr_waiter_sleep (&w, 100));
  CHECK (now_s () - t0 >= 0.099);
  sr_waiter_destroy (&w);
}

SR_TEST (test_kick_wakes_a_kick_sleeper)
{
  struct sr_waiter w;
  struct sleeper s = { .w = &w, .ms = 20000, .for_kick = true };
  pthread_t t;
  double t0;

  sr_waiter_init (&w);
  s.seen = sr_waiter_kicks (&w);
  REQUIRE (0 == pthread_create (&t, NULL, sleep_thread, &s));
  sr_waiter_kick (&w);   /* before or after it sleeps: either counts */
  pthread_join (t, NULL);
  CHECK (!s.stopped);
  CHECK (s.took < 10.0);
  /* A kick that came before the call returns at once. */
  t0 = now_s ();
  CHECK (!sr_waiter_sleep_for_kick (&w, 20000, s.seen));
  CHECK (now_s () - t0 < 10.0);
  /* With nothing new it sleeps its time. */
  t0 = now_s ();
  CHECK (!sr_waiter_sleep_for_kick (&w, 100, sr_waiter_kicks (&w)));
  CHECK (now_s () - t0 >= 0.099);
  sr_waiter_destroy (&w);
}

SR_TEST (test_stop_wakes_every_sleeper_and_sticks)
{
  struct sr_waiter w;
  struct sleeper a = { .w = &w, .ms = 20000 };
  struct sleeper b = { .w = &w, .ms = 20000, .for_kick = true };
  pthread_t ta, tb;

  sr_waiter_init (&w);
  b.seen = sr_waiter_kicks (&w);
  CHECK (!sr_waiter_stopping (&w));
  REQUIRE (0 == pthread_create (&ta, NULL, sleep_thread, &a));
  REQUIRE (0 == pthread_create (&tb, NULL, sleep_thread, &b));
  sr_waiter_stop (&w);
  pthread_join (ta, NULL);
  pthread_join (tb, NULL);
  CHECK (a.stopped && b.stopped);
  CHECK (a.took < 10.0 && b.took < 10.0);
  CHECK (sr_waiter_stopping (&w));
  CHECK (sr_waiter_sleep (&w, 20000));   /* returns at once, stopped */
  sr_waiter_destroy (&w);
}

SR_TEST (test_deadline_in_ms)
{
  struct timespec a, b;

  sr_deadline_in_ms (&a, 0);
  sr_deadline_in_ms (&b, 1999);
  CHECK (b.tv_nsec >= 0 && b.tv_nsec < 1000000000L);
  CHECK ((double) (b.tv_sec - a.tv_sec) + (double) (b.tv_nsec - a.tv_nsec)
         / 1e9 >= 1.998);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_sleep_lasts_as_long_as_asked),
              SR_TEST_ENTRY (test_kick_wakes_a_kick_sleeper),
              SR_TEST_ENTRY (test_stop_wakes_every_sleeper_and_sticks),
              SR_TEST_ENTRY (test_deadline_in_ms))
