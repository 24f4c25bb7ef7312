/*
 * test_reply_cache.c -- the bounded reply cache (server/base/reply_cache.h)
 * and the process's data versions (data_versions.h).
 */
#include "check.h"
#include "data_versions.h"
#include "reply_cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
has (struct sr_reply_cache *c, const char *key, const char *want)
{
  char etag[SR_REPLY_CACHE_TAG_MAX], *body = NULL;
  const char *ctype = NULL;
  size_t len = 0;
  bool hit = sr_reply_cache_get (c, key, &body, &len, etag, &ctype);
  bool ok = hit && NULL != want && len == strlen (want)
            && 0 == memcmp (body, want, len) && 0 == strcmp (ctype, "t/x")
            && 0 == strcmp (etag, "W/\"e\"");

  free (body);
  return NULL == want ? !hit : ok;
}

SR_TEST (test_get_put_replace)
{
  struct sr_reply_cache *c = sr_reply_cache_new (64 * 1024);
  struct sr_reply_cache_stats st;

  CHECK (has (c, "a", NULL));
  sr_reply_cache_put (c, "a", "one", 3, "W/\"e\"", "t/x");
  CHECK (has (c, "a", "one"));
  sr_reply_cache_put (c, "a", "two!", 4, "W/\"e\"", "t/x");
  CHECK (has (c, "a", "two!"));
  sr_reply_cache_stats (c, &st);
  CHECK_INT_EQ (st.entries, 1);
  CHECK_INT_EQ (st.hits, 2);
  CHECK_INT_EQ (st.misses, 1);
  sr_reply_cache_free (c);
}

/* Filling past the bound drops the least recently used first, and the
 * bytes kept never pass it. */
SR_TEST (test_least_recently_used_out)
{
  char body[1000], key[16];
  struct sr_reply_cache *c = sr_reply_cache_new (16 * 1024);
  struct sr_reply_cache_stats st;

  memset (body, 'x', sizeof (body) - 1);
  body[sizeof (body) - 1] = '\0';
  for (int i = 0; i < 12; i++) {
    snprintf (key, sizeof (key), "k%d", i);
    sr_reply_cache_put (c, key, body, strlen (body), "W/\"e\"", "t/x");
  }
  CHECK (has (c, "k0", body));          /* k0 is now the newest */
  for (int i = 12; i < 40; i++) {
    snprintf (key, sizeof (key), "k%d", i);
    sr_reply_cache_put (c, key, body, strlen (body), "W/\"e\"", "t/x");
    sr_reply_cache_stats (c, &st);
    CHECK (st.bytes <= 16 * 1024);
    if (i < 20)
      CHECK (has (c, "k0", body));      /* kept warm, never evicted */
  }
  CHECK (has (c, "k1", NULL));          /* cold: long gone */
  CHECK (has (c, "k39", body));
  sr_reply_cache_stats (c, &st);
  CHECK (st.evictions > 20);
  CHECK (st.entries >= 10 && st.entries <= 16);
  sr_reply_cache_free (c);
}

SR_TEST (test_oversized_and_off)
{
  static char big[4096];
  struct sr_reply_cache *c = sr_reply_cache_new (16 * 1024);
  struct sr_reply_cache *off = sr_reply_cache_new (0);

  memset (big, 'y', sizeof (big) - 1);
  /* Over an eighth of the cache: not kept (one report cannot flush the
   * rest). */
  sr_reply_cache_put (c, "big", big, strlen (big), "W/\"e\"", "t/x");
  CHECK (has (c, "big", NULL));
  sr_reply_cache_put (off, "a", "one", 3, "W/\"e\"", "t/x");
  CHECK (has (off, "a", NULL));
  sr_reply_cache_free (c);
  sr_reply_cache_free (off);
}

SR_TEST (test_data_versions_expire)
{
  CHECK_INT_EQ (sr_data_versions_get ("orders", 60000), 0);  /* never read */
  sr_data_versions_set ("orders", 7);
  sr_data_versions_set ("performance", 9);
  sr_data_versions_set ("nonsense", 5);
  sr_data_versions_refreshed ();
  CHECK_INT_EQ (sr_data_versions_get ("orders", 60000), 7);
  CHECK_INT_EQ (sr_data_versions_get ("performance", 60000), 9);
  CHECK_INT_EQ (sr_data_versions_get ("nonsense", 60000), 0);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_get_put_replace),
              SR_TEST_ENTRY (test_least_recently_used_out),
              SR_TEST_ENTRY (test_oversized_and_off),
              SR_TEST_ENTRY (test_data_versions_expire))
