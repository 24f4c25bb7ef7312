/*
 * span_queue.c -- see span_queue.h.
 *
 * Lock order: a shard's lock, then the queue's (only to get a batch from
 * the pool when a shard opens one); the exporter never holds the queue's
 * lock while it takes a shard's.
 */
#include "span_queue.h"
#include "buf.h"
#include "ids.h"
#include "metrics.h"
#include "waiter.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#define SHARDS 8
#define POOL_MAX (2 * SHARDS)
/* A batch's text: a span is at most a few KiB (span_json.h) */
#define BATCH_BYTES_MAX (16u * 1024 * 1024)

struct sr_span_batch {
  struct sr_span_batch *next;
  size_t n;
  struct sr_buf json;
};

static struct shard {
  _Alignas (64) pthread_mutex_t lock;
  struct sr_span_batch *open;
} shards[SHARDS];

static struct {
  pthread_mutex_t lock;
  pthread_cond_t ready_cond;
  struct sr_span_batch *ready, *ready_tail;   /* FIFO of full batches */
  struct sr_span_batch *pool;                 /* spare batches */
  size_t pooled;
  size_t cap, batch;
  atomic_size_t ready_spans;   /* written under lock, read without */
  atomic_bool shut;
} q = { .lock = PTHREAD_MUTEX_INITIALIZER };

static pthread_once_t shards_once = PTHREAD_ONCE_INIT;

/* The shards' locks, and the exporter's wait on the monotonic clock (a
 * step of the wall clock must not stretch or cut it). */
static void
shards_init (void)
{
  for (size_t i = 0; i < SHARDS; i++)
    pthread_mutex_init (&shards[i].lock, NULL);
  sr_cond_init_monotonic (&q.ready_cond);
}

static void
drop (const char *reason, uint64_t n)
{
  sr_metric_add (&sr_m_otel_spans_dropped, (const char *[]) { reason }, n);
}

void
sr_span_queue_init (size_t queue_max, size_t batch_max)
{
  pthread_once (&shards_once, shards_init);
  pthread_mutex_lock (&q.lock);
  q.cap = queue_max > 0 ? queue_max : 2048;
  q.batch = batch_max > 0 && batch_max < q.cap ? batch_max : q.cap;
  atomic_store (&q.shut, false);
  pthread_mutex_unlock (&q.lock);
}

size_t
sr_span_queue_batch_max (void)
{
  return q.batch;
}

/* A batch from the pool, or a new one (NULL: out of memory). */
static struct sr_span_batch *
batch_get (void)
{
  struct sr_span_batch *b;

  pthread_mutex_lock (&q.lock);
  b = q.pool;
  if (NULL != b) {
    q.pool = b->next;
    q.pooled--;
  }
  pthread_mutex_unlock (&q.lock);
  if (NULL == b) {
    b = calloc (1, sizeof (*b));
    if (NULL == b)
      return NULL;
    sr_buf_init (&b->json, BATCH_BYTES_MAX);
  }
  b->next = NULL;
  b->n = 0;
  sr_buf_reset (&b->json);
  return b;
}

void
sr_span_batch_free (struct sr_span_batch *b)
{
  if (NULL == b)
    return;
  pthread_mutex_lock (&q.lock);
  if (q.pooled < POOL_MAX) {
    b->next = q.pool;
    q.pool = b;
    q.pooled++;
    b = NULL;
  }
  pthread_mutex_unlock (&q.lock);
  if (NULL != b) {
    sr_buf_clean (&b->json);
    free (b);
  }
}

/* Put @a b on the ready list, or drop it whole past the cap. */
static void
make_ready (struct sr_span_batch *b)
{
  bool fits;

  pthread_mutex_lock (&q.lock);
  fits = atomic_load_explicit (&q.ready_spans, memory_order_relaxed)
         + b->n <= q.cap;
  if (fits) {
    if (NULL == q.ready)
      q.ready = b;
    else
      q.ready_tail->next = b;
    q.ready_tail = b;
    atomic_store_explicit (&q.ready_spans, q.ready_spans + b->n,
                           memory_order_relaxed);
    pthread_cond_signal (&q.ready_cond);
  }
  pthread_mutex_unlock (&q.lock);
  if (!fits) {
    drop ("queue_full", b->n);
    sr_span_batch_free (b);
  }
}

void
sr_span_queue_push (sr_span_encoder encode, const void *span, size_t max)
{
  struct shard *sh = &shards[sr_ids_thread_index () % SHARDS];
  struct sr_span_batch *b, *full = NULL;
  char *at;
  size_t len = 0;

  /* A collector that cannot keep up leaves the queue full for long: the
   * requests' threads then drop without a lock (and without encoding). */
  if (atomic_load_explicit (&q.ready_spans, memory_order_relaxed) >= q.cap
      || atomic_load_explicit (&q.shut, memory_order_relaxed)) {
    drop ("queue_full", 1);
    return;
  }
  pthread_mutex_lock (&sh->lock);
  if (NULL == sh->open)
    sh->open = batch_get ();
  b = sh->open;
  at = NULL != b ? sr_buf_room (&b->json, max + 1) : NULL;
  if (NULL != at) {
    if (b->n > 0)
      *at++ = ',';
    len = encode (span, at, max);
  }
  if (len > 0) {
    sr_buf_commit (&b->json, len + (b->n > 0));
    if (++b->n >= q.batch) {
      full = b;
      sh->open = NULL;
    }
  }
  pthread_mutex_unlock (&sh->lock);
  if (0 == len)
    drop ("queue_full", 1);
  if (NULL != full)
    make_ready (full);
}

/* The shards' open batches to the ready list (the export delay is up). */
static void
gather_open (void)
{
  for (size_t i = 0; i < SHARDS; i++) {
    struct sr_span_batch *b;

    pthread_mutex_lock (&shards[i].lock);
    b = shards[i].open;
    if (NULL != b && b->n > 0)
      shards[i].open = NULL;
    else
      b = NULL;
    pthread_mutex_unlock (&shards[i].lock);
    if (NULL != b)
      make_ready (b);
  }
}

/* The first ready batch, or NULL; called with q.lock held. */
static struct sr_span_batch *
pop_ready (void)
{
  struct sr_span_batch *b = q.ready;

  if (NULL != b) {
    q.ready = b->next;
    b->next = NULL;
    atomic_store_explicit (&q.ready_spans, q.ready_spans - b->n,
                           memory_order_relaxed);
  }
  return b;
}

struct sr_span_batch *
sr_span_queue_take (int wait_ms)
{
  struct timespec until;
  struct sr_span_batch *b;

  pthread_once (&shards_once, shards_init);
  sr_deadline_in_ms (&until, wait_ms > 0 ? (unsigned long) wait_ms : 0);
  pthread_mutex_lock (&q.lock);
  while (NULL == q.ready && !atomic_load (&q.shut)
         && 0 == pthread_cond_timedwait (&q.ready_cond, &q.lock, &until))
    ;
  b = pop_ready ();
  pthread_mutex_unlock (&q.lock);
  if (NULL != b)
    return b;
  /* No full batch in time: what the shards have gathered. */
  gather_open ();
  pthread_mutex_lock (&q.lock);
  b = pop_ready ();
  pthread_mutex_unlock (&q.lock);
  return b;
}

void
sr_span_queue_shutdown (void)
{
  pthread_mutex_lock (&q.lock);
  atomic_store (&q.shut, true);
  pthread_cond_broadcast (&q.ready_cond);
  pthread_mutex_unlock (&q.lock);
}

size_t
sr_span_batch_count (const struct sr_span_batch *b)
{
  return b->n;
}

const char *
sr_span_batch_json (const struct sr_span_batch *b, size_t *len)
{
  *len = b->json.len;
  return b->json.data;
}

/* end of span_queue.c */
