/*
 * data_versions.c -- see data_versions.h.
 */
#include "data_versions.h"
#include "clock.h"

#include <stdatomic.h>
#include <string.h>

static const char *const areas[] = { "performance", "orders" };
#define N_AREAS (sizeof (areas) / sizeof (areas[0]))

static _Atomic int64_t versions[N_AREAS];
static _Atomic uint64_t refreshed_ms;

static int
index_of (const char *area)
{
  for (size_t i = 0; i < N_AREAS; i++)
    if (0 == strcmp (areas[i], area))
      return (int) i;
  return -1;
}

void
sr_data_versions_set (const char *area, int64_t version)
{
  int i = index_of (area);

  if (i >= 0)
    atomic_store (&versions[i], version);
}

void
sr_data_versions_refreshed (void)
{
  atomic_store (&refreshed_ms, sr_now_ms ());
}

int64_t
sr_data_versions_get (const char *area, uint64_t max_age_ms)
{
  uint64_t at = atomic_load (&refreshed_ms);
  int i = index_of (area);

  if (i < 0 || 0 == at || sr_now_ms () - at > max_age_ms)
    return 0;
  return atomic_load (&versions[i]);
}

/* end of data_versions.c */
