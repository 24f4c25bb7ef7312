/*
 * reply_cache.h -- rendered replies kept in memory, bounded by bytes,
 * least recently used out first.
 *
 * Keys carry everything the reply depends on (for reports: the report,
 * its canonical parameters, the format and the data version), so an entry
 * is never wrong, only unused: a new data version makes new keys and the
 * old entries age out.  Thread-safe (one mutex; a lookup copies the body
 * out, so no entry is shared with a reply being sent).
 */
#ifndef SR_REPLY_CACHE_H
#define SR_REPLY_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SR_REPLY_CACHE_TAG_MAX 96

struct sr_reply_cache;

struct sr_reply_cache_stats {
  uint64_t hits, misses, stores, evictions;
  size_t entries, bytes;
};

/** A cache holding at most @a max_bytes of keys and bodies (0: off). */
struct sr_reply_cache *sr_reply_cache_new (size_t max_bytes);

void sr_reply_cache_free (struct sr_reply_cache *c);

/**
 * Look @a key up.  On a hit: @a body is a malloc'ed copy (NUL-terminated),
 * @a etag and @a content_type are filled (content_type points at the
 * string given to _put, which must be static).
 */
bool sr_reply_cache_get (struct sr_reply_cache *c, const char *key,
                         char **body, size_t *len,
                         char etag[SR_REPLY_CACHE_TAG_MAX],
                         const char **content_type);

/** Keep a copy of @a body under @a key (replacing an older one).  Bodies
 * over an eighth of the cache are not kept. */
void sr_reply_cache_put (struct sr_reply_cache *c, const char *key,
                         const char *body, size_t len, const char *etag,
                         const char *content_type);

/** A stable 64-bit digest of @a s (FNV-1a): bucket choice, ETags. */
uint64_t sr_reply_cache_digest (const char *s);

void sr_reply_cache_stats (struct sr_reply_cache *c,
                           struct sr_reply_cache_stats *out);

#endif /* SR_REPLY_CACHE_H */
