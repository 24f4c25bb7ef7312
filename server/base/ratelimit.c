/*
 * ratelimit.c -- see ratelimit.h.
 */
#include "ratelimit.h"

void
sr_ratelimit_init (struct sr_ratelimit *rl, double per_s, double burst)
{
  pthread_mutex_init (&rl->lock, NULL);
  rl->per_s = per_s;
  rl->burst = burst;
  rl->tokens = burst;
  rl->last_us = 0;
}

void
sr_ratelimit_destroy (struct sr_ratelimit *rl)
{
  pthread_mutex_destroy (&rl->lock);
}

bool
sr_ratelimit_take (struct sr_ratelimit *rl, uint64_t now_us)
{
  bool ok;

  pthread_mutex_lock (&rl->lock);
  if (0 != rl->last_us && now_us > rl->last_us) {
    rl->tokens += (double) (now_us - rl->last_us) / 1e6 * rl->per_s;
    if (rl->tokens > rl->burst)
      rl->tokens = rl->burst;
  }
  if (now_us > rl->last_us)
    rl->last_us = now_us;
  ok = rl->tokens >= 1.0;
  if (ok)
    rl->tokens -= 1.0;
  pthread_mutex_unlock (&rl->lock);
  return ok;
}

/* end of ratelimit.c */
