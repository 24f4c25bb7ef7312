/*
 * reply_cache.c -- see reply_cache.h.
 *
 * A chained hash table over a doubly linked recency list.  Written here
 * because the C libraries we link (jansson, libpq, curl, MHD) have no
 * bounded map, and this one is ~150 lines.
 */
#include "reply_cache.h"
#include "mem.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 4096u

struct entry {
  struct entry *hnext;          /* bucket chain */
  struct entry *prev, *next;    /* recency: head is the newest */
  char *key;
  char *body;
  size_t len;
  size_t cost;                  /* key + body + bookkeeping */
  char etag[SR_REPLY_CACHE_TAG_MAX];
  const char *content_type;
};

struct sr_reply_cache {
  pthread_mutex_t lock;
  size_t max, used;
  struct entry *buckets[BUCKETS];
  struct entry *head, *tail;
  struct sr_reply_cache_stats st;
};

uint64_t
sr_reply_cache_digest (const char *s)
{
  uint64_t h = 1469598103934665603ull;      /* FNV-1a, 64 bits */

  for (; '\0' != *s; s++)
    h = (h ^ (unsigned char) *s) * 1099511628211ull;
  return h;
}

struct sr_reply_cache *
sr_reply_cache_new (size_t max_bytes)
{
  struct sr_reply_cache *c = sr_xcalloc (1, sizeof (*c));

  pthread_mutex_init (&c->lock, NULL);
  c->max = max_bytes;
  return c;
}

static void
unlink_recency (struct sr_reply_cache *c, struct entry *e)
{
  if (NULL != e->prev)
    e->prev->next = e->next;
  else
    c->head = e->next;
  if (NULL != e->next)
    e->next->prev = e->prev;
  else
    c->tail = e->prev;
  e->prev = e->next = NULL;
}

static void
push_front (struct sr_reply_cache *c, struct entry *e)
{
  e->prev = NULL;
  e->next = c->head;
  if (NULL != c->head)
    c->head->prev = e;
  c->head = e;
  if (NULL == c->tail)
    c->tail = e;
}

static struct entry **
slot_of (struct sr_reply_cache *c, const char *key)
{
  struct entry **p = &c->buckets[sr_reply_cache_digest (key) % BUCKETS];

  while (NULL != *p && 0 != strcmp ((*p)->key, key))
    p = &(*p)->hnext;
  return p;
}

/* Unlink and free the entry at *slot. */
static void
drop (struct sr_reply_cache *c, struct entry **slot)
{
  struct entry *e = *slot;

  *slot = e->hnext;
  unlink_recency (c, e);
  c->used -= e->cost;
  c->st.entries--;
  free (e->key);
  free (e->body);
  free (e);
}

void
sr_reply_cache_free (struct sr_reply_cache *c)
{
  if (NULL == c)
    return;
  while (NULL != c->tail)
    drop (c, slot_of (c, c->tail->key));
  pthread_mutex_destroy (&c->lock);
  free (c);
}

bool
sr_reply_cache_get (struct sr_reply_cache *c, const char *key, char **body,
                    size_t *len, char etag[SR_REPLY_CACHE_TAG_MAX],
                    const char **content_type)
{
  struct entry *e;

  if (NULL == c || 0 == c->max)
    return false;
  pthread_mutex_lock (&c->lock);
  e = *slot_of (c, key);
  if (NULL == e) {
    c->st.misses++;
    pthread_mutex_unlock (&c->lock);
    return false;
  }
  unlink_recency (c, e);
  push_front (c, e);
  c->st.hits++;
  *body = sr_xmalloc (e->len + 1);
  memcpy (*body, e->body, e->len + 1);
  *len = e->len;
  memcpy (etag, e->etag, SR_REPLY_CACHE_TAG_MAX);
  *content_type = e->content_type;
  pthread_mutex_unlock (&c->lock);
  return true;
}

void
sr_reply_cache_put (struct sr_reply_cache *c, const char *key,
                    const char *body, size_t len, const char *etag,
                    const char *content_type)
{
  struct entry *e, **slot;
  size_t cost = strlen (key) + 1 + len + 1 + sizeof (*e);

  if (NULL == c || 0 == c->max || cost > c->max / 8)
    return;
  e = sr_xcalloc (1, sizeof (*e));
  e->key = sr_xstrdup (key);
  e->body = sr_xmalloc (len + 1);
  memcpy (e->body, body, len);
  e->body[len] = '\0';
  e->len = len;
  e->cost = cost;
  snprintf (e->etag, sizeof (e->etag), "%s", etag);
  e->content_type = content_type;
  pthread_mutex_lock (&c->lock);
  slot = slot_of (c, key);
  if (NULL != *slot)
    drop (c, slot);
  while (c->used + cost > c->max && NULL != c->tail) {
    drop (c, slot_of (c, c->tail->key));
    c->st.evictions++;
  }
  slot = slot_of (c, key);
  *slot = e;
  push_front (c, e);
  c->used += cost;
  c->st.entries++;
  c->st.stores++;
  pthread_mutex_unlock (&c->lock);
}

void
sr_reply_cache_stats (struct sr_reply_cache *c,
                      struct sr_reply_cache_stats *out)
{
  memset (out, 0, sizeof (*out));
  if (NULL == c)
    return;
  pthread_mutex_lock (&c->lock);
  *out = c->st;
  out->bytes = c->used;
  pthread_mutex_unlock (&c->lock);
}

/* end of reply_cache.c */
