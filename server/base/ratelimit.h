/*
 * ratelimit.h -- a token bucket for log lines an outsider can cause.
 *
 * Refused requests and libmicrohttpd's complaints are written at the
 * client's pace, not ours: a client that sends a million bad requests
 * must not write a million lines.  A bucket allows @a burst lines at once
 * and @a per_s a second after that; the caller counts what it dropped
 * and says so in a summary.
 *
 * Thread-safe (one mutex).  The caller passes the time (monotonic
 * microseconds), which keeps the arithmetic testable.
 */
#ifndef SR_RATELIMIT_H
#define SR_RATELIMIT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct sr_ratelimit {
  pthread_mutex_t lock;
  double tokens;
  double per_s;
  double burst;
  uint64_t last_us;
};

/** A full bucket. */
void sr_ratelimit_init (struct sr_ratelimit *rl, double per_s, double burst);

void sr_ratelimit_destroy (struct sr_ratelimit *rl);

/** Take one token at time @a now_us; @return false when none is left. */
bool sr_ratelimit_take (struct sr_ratelimit *rl, uint64_t now_us);

#endif /* SR_RATELIMIT_H */
