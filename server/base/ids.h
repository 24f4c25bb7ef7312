/*
 * ids.h -- random ids for requests and spans, and a number per thread.
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

/**
 * This thread's number: 0, 1, 2, ... in the order threads first ask.
 * Per-thread shards (metrics, the span queue) are picked with it, so
 * threads running at once mostly land on different ones.
 */
unsigned int sr_ids_thread_index (void);

#endif /* SR_IDS_H */
