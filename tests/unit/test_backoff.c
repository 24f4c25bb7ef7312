/*
 * test_backoff.c -- the one retry-delay rule (server/base/backoff.h), with the
 * expected waits worked out by hand.
 */
#include "backoff.h"
#include "check.h"

#include <stdint.h>

static const struct sr_backoff job = { .base_us = 1000000,   /* 1 s */
                                       .max_us = 300000000 }; /* 5 min */

SR_TEST (test_doubles_from_the_base)
{
  /* 1, 2, 4, 8 s after the 1st..4th failure, no jitter. */
  CHECK_INT_EQ (sr_backoff_delay_us (&job, 1, 0, 0), 1000000);
  CHECK_INT_EQ (sr_backoff_delay_us (&job, 2, 0, 0), 2000000);
  CHECK_INT_EQ (sr_backoff_delay_us (&job, 3, 0, 0), 4000000);
  CHECK_INT_EQ (sr_backoff_delay_us (&job, 4, 0, 0), 8000000);
  /* "No failure yet" is treated as the first. */
  CHECK_INT_EQ (sr_backoff_delay_us (&job, 0, 0, 0), 1000000);
}

SR_TEST (test_stops_at_the_cap)
{
  /* 2^8 = 256 s, then 512 s would pass 300 s: capped. */
  CHECK_INT_EQ (sr_backoff_delay_us (&job, 9, 0, 0), 256000000);
  CHECK_INT_EQ (sr_backoff_delay_us (&job, 10, 0, 0), 300000000);
  CHECK_INT_EQ (sr_backoff_delay_us (&job, 1000, 0, 0), 300000000);
  /* Jitter comes on top of the cap, at most a quarter of it. */
  CHECK_INT_EQ (sr_backoff_delay_us (&job, 1000, 0, UINT32_MAX), 375000000);
}

SR_TEST (test_jitter_bounds)
{
  /* 0 adds nothing, the largest value a quarter, half of it an eighth. */
  CHECK_INT_EQ (sr_backoff_delay_us (&job, 3, 0, 0), 4000000);
  CHECK_INT_EQ (sr_backoff_delay_us (&job, 3, 0, UINT32_MAX), 5000000);
  CHECK_INT_EQ (sr_backoff_delay_us (&job, 3, 0, UINT32_MAX / 2), 4499999);
  /* Real jitter stays within [d, 1.25 d] and is not always the same. */
  {
    uint64_t lo = UINT64_MAX, hi = 0;

    for (int i = 0; i < 200; i++) {
      uint64_t d = sr_backoff_delay_us (&job, 2, 0, sr_backoff_jitter ());

      lo = d < lo ? d : lo;
      hi = d > hi ? d : hi;
    }
    CHECK (lo >= 2000000);
    CHECK (hi <= 2500000);
    CHECK (hi > lo);
  }
}

SR_TEST (test_retry_after_wins)
{
  /* The upstream's word, as it is: shorter or longer than the rule, and
   * with no jitter added. */
  CHECK_INT_EQ (sr_backoff_delay_us (&job, 4, 1500000, UINT32_MAX), 1500000);
  CHECK_INT_EQ (sr_backoff_delay_us (&job, 1, 120000000, 0), 120000000);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_doubles_from_the_base),
              SR_TEST_ENTRY (test_stops_at_the_cap),
              SR_TEST_ENTRY (test_jitter_bounds),
              SR_TEST_ENTRY (test_retry_after_wins))
