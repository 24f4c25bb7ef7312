/*
 * clock.c -- see clock.h.
 */
#include "clock.h"

uint64_t
sr_now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

uint64_t
sr_now_ms (void)
{
  return sr_now_us () / 1000u;
}

time_t
sr_wall_now (void)
{
  return time (NULL);
}

bool
sr_utc_format (time_t t, char out[SR_UTC_LEN])
{
  struct tm tm;

  if (NULL == gmtime_r (&t, &tm))
    return false;
  return 0 != strftime (out, SR_UTC_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* end of clock.c */
