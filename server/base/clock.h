/*
 * clock.h -- the one clock module: elapsed time and wall time.
 *
 * Elapsed time (durations, deadlines, rate limits) comes from the
 * monotonic clock, so a wall-clock step never stretches or cuts a wait;
 * wall time (token expiry, Retry-After dates, uptime) from the real-time
 * clock.  Thread-safe; no state.
 */
#ifndef SR_CLOCK_H
#define SR_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/** Monotonic microseconds (an arbitrary origin: for differences only). */
uint64_t sr_now_us (void);

/** Monotonic milliseconds. */
uint64_t sr_now_ms (void);

/** Wall-clock seconds since the epoch. */
time_t sr_wall_now (void);

#define SR_UTC_LEN 21   /* "YYYY-MM-DDThh:mm:ssZ" + NUL */

/** @a t as an ISO 8601 UTC time; false when it cannot be shown. */
bool sr_utc_format (time_t t, char out[SR_UTC_LEN]);

#endif /* SR_CLOCK_H */
