/*
 * ids.c -- see ids.h.
 */
#include "ids.h"

#include <stdatomic.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static __thread uint64_t state;

static uint64_t
next (void)
{
  uint64_t x = state;

  while (0 == x) {
    if (sizeof (x) != getrandom (&x, sizeof (x), 0))
      x = (uint64_t) time (NULL) ^ (uint64_t) (uintptr_t) &x;
  }
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  state = x;
  return x;
}

static int
all_zero (const uint8_t *p, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (0 != p[i])
      return 0;
  return 1;
}

void
sr_ids_random_bytes (uint8_t *p, size_t n)
{
  do {
    for (size_t i = 0; i < n; i += 8) {
      uint64_t r = next ();

      memcpy (p + i, &r, n - i < 8 ? n - i : 8);
    }
  } while (n > 0 && all_zero (p, n));
}

static atomic_uint threads_seen;
static __thread unsigned int thread_index;   /* 1 + the index; 0: none yet */

unsigned int
sr_ids_thread_index (void)
{
  if (0 == thread_index)
    thread_index = 1 + atomic_fetch_add_explicit (&threads_seen, 1,
                                                  memory_order_relaxed);
  return thread_index - 1;
}

/* end of ids.c */
