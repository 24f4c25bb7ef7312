/*
 * ids.c -- see ids.h.
 */
#include "ids.h"

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

/* end of ids.c */
