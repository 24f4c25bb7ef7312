/*
 * span_queue.h -- finished spans waiting for the exporter, as OTLP JSON
 * in batches.
 *
 * A span is encoded on the thread that ends it and appended to that
 * thread's shard's open batch under the shard's own lock (threads are
 * dealt shards in turn, so it is rarely contended); a batch that reaches
 * batch_max spans moves to the ready list and wakes the exporter.  The
 * exporter takes whole batches, by pointer: nothing is copied span by
 * span and no request waits while a batch is sent.  (The first design,
 * one ring of span structs under one mutex that the exporter emptied by
 * copying, cost more CPU than the requests it traced.)
 *
 * Bounds: at most queue_max spans wait in ready batches; beyond that a
 * span is dropped and counted (signalroom_otel_spans_dropped_total
 * {reason="queue_full"}), without taking a lock, so a dead collector
 * never slows a request.  Each shard also holds one open batch.
 *
 * Threads: every function may be called from any thread.
 */
#ifndef SR_SPAN_QUEUE_H
#define SR_SPAN_QUEUE_H

#include <stddef.h>

#include "status.h"

/** Spans of one export, encoded, comma-separated. */
struct sr_span_batch;

/** (Re)start the queue: @a queue_max spans (default 2048), batches of
 * @a batch_max (0 or more than queue_max: queue_max).  Batches are
 * allocated as spans come. */
void sr_span_queue_init (size_t queue_max, size_t batch_max);

/** Spans per batch, as sr_span_queue_init() settled it. */
size_t sr_span_queue_batch_max (void);

/** Writes one span as a JSON object into @a out; @return its length, 0
 * when it does not fit in @a cap bytes. */
typedef size_t (*sr_span_encoder) (const void *span, char *out, size_t cap);

/**
 * Queue @a span, encoded by @a encode (at most @a max bytes) straight
 * into its batch; or drop and count it, without encoding it, when the
 * queue is full or shut.
 */
void sr_span_queue_push (sr_span_encoder encode, const void *span,
                         size_t max);

/**
 * The exporter's side: wait until a batch is full, @a wait_ms passed or
 * sr_span_queue_shutdown() was called, then take one batch -- a full one
 * if there is one, else the spans each shard has gathered so far.
 * @return NULL when nothing is queued; else free with
 * sr_span_batch_free()
 */
struct sr_span_batch *sr_span_queue_take (int wait_ms);

/** Wake the exporter for good; later spans are dropped. */
void sr_span_queue_shutdown (void);

size_t sr_span_batch_count (const struct sr_span_batch *b);

/** The batch's spans: JSON objects separated by commas. */
const char *sr_span_batch_json (const struct sr_span_batch *b, size_t *len);

void sr_span_batch_free (struct sr_span_batch *b);

#endif /* SR_SPAN_QUEUE_H */
