/*
 * ids.h -- random ids for requests and spans.
 *
 * Each thread has its own xorshift64 generator, seeded once from
 * getrandom(): ids only have to be unique and hard to guess for
 * correlation, never secret, and a getrandom system call per request cost
 * more CPU than the rest of answering a health check (a profile of
 * GET /healthz under load: 6.6 % in getrandom).  Threading: per-thread
 * state, no locks.
 */
#ifndef SR_IDS_H
#define SR_IDS_H

#include <stddef.h>
#include <stdint.h>

/** Fill @a p with @a n random bytes, never all zero. */
void sr_ids_random_bytes (uint8_t *p, size_t n);

#endif /* SR_IDS_H */
