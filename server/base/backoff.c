/*
 * backoff.c -- see backoff.h.
 */
#include "backoff.h"

#include <sys/random.h>

uint64_t
sr_backoff_delay_us (const struct sr_backoff *b, unsigned int failures,
                     uint64_t retry_after_us, uint32_t jitter)
{
  uint64_t d = b->base_us;

  if (retry_after_us > 0)
    return retry_after_us;
  for (unsigned int i = 1; i < failures && d < b->max_us; i++)
    d *= 2;
  if (d > b->max_us)
    d = b->max_us;
  return d + (d / 4) * jitter / UINT32_MAX;
}

uint32_t
sr_backoff_jitter (void)
{
  uint32_t r = 0;

  if (sizeof (r) != getrandom (&r, sizeof (r), 0))
    r = 0;
  return r;
}

/* end of backoff.c */
