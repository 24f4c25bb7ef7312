/*
 * backoff.h -- the one rule for how long to wait before trying again.
 *
 * Used by both HTTP clients (Everflow/Redtrack and S3) between attempts of
 * one request, and by the job runner between attempts of one job.  The
 * delay doubles from a base per failure, stops growing at a cap, and gets
 * up to 25% of itself added as jitter so instances that failed together
 * do not retry together.  When the upstream said how long to wait
 * (Retry-After), that wins as it is.
 *
 * Pure arithmetic: the jitter is passed in, so the rule is tested without
 * randomness (test_backoff); sr_backoff_jitter() supplies it in the service.
 * Thread-safe.
 */
#ifndef SR_BACKOFF_H
#define SR_BACKOFF_H

#include <stdint.h>

struct sr_backoff {
  uint64_t base_us;           /* the wait after the first failure */
  uint64_t max_us;            /* the doubling stops here (before jitter) */
};

/**
 * The wait after @a failures failed attempts (1 = the first failed).
 * @param retry_after_us  the upstream's Retry-After, 0 when it gave none
 * @param jitter          0..UINT32_MAX, scaled to 0..25% of the delay
 */
uint64_t sr_backoff_delay_us (const struct sr_backoff *b,
                              unsigned int failures, uint64_t retry_after_us,
                              uint32_t jitter);

/** A random jitter value for sr_backoff_delay_us() (0 if none). */
uint32_t sr_backoff_jitter (void);

#endif /* SR_BACKOFF_H */
