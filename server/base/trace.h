/*
 * trace.h -- OpenTelemetry tracing: W3C trace context, spans, sampling,
 * and a bounded queue of finished spans for the exporter thread
 * (server/jobs/trace_export.c sends them as OTLP/HTTP JSON).
 *
 * A span lives in its caller's memory (usually the stack; an HTTP
 * request's in its context) and is encoded into the export queue
 * (span_queue.h) when it ends: no allocation on the hot path.  When the
 * queue is full the span is dropped and counted
 * (signalroom_otel_spans_dropped_total), so a dead or slow collector never
 * slows a request.  With tracing off (no endpoint, or OTEL_SDK_DISABLED)
 * every call is a few instructions.
 *
 * The "current" span is per thread: sr_trace_push()/sr_trace_pop() make a
 * span current for a stretch of work on this thread (a request handled on
 * an API thread, a statement, an upstream call), so children find their
 * parent and log lines carry its trace_id and span_id.
 *
 * Threads: every function may be called from any thread; a span is used
 * by one thread at a time.
 */
#ifndef SR_TRACE_H
#define SR_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "buf.h"
#include "span_queue.h"
#include "status.h"

#define SR_TRACE_ATTRS_MAX 10
#define SR_TRACE_VALUE_MAX 128
#define SR_TRACE_NAME_MAX 96
#define SR_TRACEPARENT_LEN 55          /* "00-<32>-<16>-01" */
#define SR_TRACESTATE_MAX 256

enum sr_span_kind {
  SR_SPAN_INTERNAL = 1,
  SR_SPAN_SERVER = 2,
  SR_SPAN_CLIENT = 3
};

/** A span's identity, as W3C trace context carries it. */
struct sr_trace_ctx {
  uint8_t trace_id[16];
  uint8_t span_id[8];
  bool sampled;
  bool valid;
  char tracestate[SR_TRACESTATE_MAX];   /* passed on as received */
};

struct sr_span_attr {
  const char *key;                      /* static */
  bool is_int;
  int64_t i;
  char s[SR_TRACE_VALUE_MAX];
};

struct sr_span {
  struct sr_trace_ctx ctx;              /* this span */
  uint8_t parent_id[8];
  bool has_parent;
  struct sr_trace_ctx link;             /* optional link (a job's request) */
  bool has_link;
  char name[SR_TRACE_NAME_MAX];
  int kind;
  uint64_t start_ns, end_ns;            /* Unix time; end = start plus the
                                         * monotonic duration, so a clock
                                         * step never ends a span before
                                         * it began */
  uint64_t start_mono_ns;
  struct sr_span_attr attrs[SR_TRACE_ATTRS_MAX];
  size_t n_attrs;
  int status;                           /* 0 unset, 1 ok, 2 error */
  bool recording;                       /* sampled and tracing on */
  bool started;
  struct sr_span *prev;                 /* the thread's previous current */
};

/** The settings, from the OTEL_* variables (config.h's table). */
struct sr_trace_settings {
  bool enabled;                 /* an endpoint and not OTEL_SDK_DISABLED */
  const char *sampler;          /* OTEL_TRACES_SAMPLER */
  double ratio;                 /* OTEL_TRACES_SAMPLER_ARG */
  size_t queue_max;             /* finished spans waiting for export */
  size_t batch_max;             /* spans per export (<= queue_max) */
};

/**
 * Start tracing (or leave it off).  @return SR_E_CONFIG for an unknown
 * sampler or a ratio outside [0, 1].
 */
enum sr_status sr_trace_init (const struct sr_trace_settings *s, char *err,
                              size_t errlen);

/** Is tracing on? */
bool sr_trace_enabled (void);

/**
 * Parse a W3C traceparent header (and tracestate, may be NULL).
 * @return false (and @a out invalid) for anything malformed
 */
bool sr_trace_parse (const char *traceparent, const char *tracestate,
                     struct sr_trace_ctx *out);

/** Format @a c as a traceparent value. */
void sr_trace_format (const struct sr_trace_ctx *c,
                      char out[SR_TRACEPARENT_LEN + 1]);

/**
 * Start @a s named @a name (copied).  Its parent is @a parent when valid,
 * else the thread's current span, else it starts a trace.  Not made
 * current: see sr_trace_push().
 */
void sr_span_start (struct sr_span *s, const char *name, int kind,
                    const struct sr_trace_ctx *parent);

/** Rename @a s "@a a @a b" (an HTTP span: method and route), cut to fit
 * at a character boundary. */
void sr_span_name (struct sr_span *s, const char *a, const char *b);

/**
 * When @a s began its trace (no parent), write the trace id as 32 hex
 * digits and a NUL to @a out and return true; else false.
 */
bool sr_span_root_trace_id (const struct sr_span *s, char out[33]);

/** Link @a s to @a other (a job to the request that queued it). */
void sr_span_link (struct sr_span *s, const struct sr_trace_ctx *other);

void sr_span_set_str (struct sr_span *s, const char *key, const char *v);
void sr_span_set_int (struct sr_span *s, const char *key, int64_t v);

/** Mark the span failed (status error) or succeeded. */
void sr_span_set_error (struct sr_span *s, bool error);

/** End @a s and queue it for export (when sampled). */
void sr_span_end (struct sr_span *s);

/** Make @a s the thread's current span / restore the one before. */
void sr_trace_push (struct sr_span *s);
void sr_trace_pop (struct sr_span *s);

/** The thread's current span, or NULL. */
const struct sr_span *sr_trace_current (void);

/** Start and push / pop and end: a span around work on this thread. */
void sr_span_begin (struct sr_span *s, const char *name, int kind);
void sr_span_finish (struct sr_span *s);

/** The current span's traceparent for an outgoing request ("" when none). */
void sr_trace_outgoing (char out[SR_TRACEPARENT_LEN + 1]);

/** Lowercase hex of the current span's ids, for log lines; false: none. */
bool sr_trace_log_ids (char trace_id[33], char span_id[17]);

/**
 * Append to @a out the head every OTLP/HTTP JSON export body
 * (ExportTraceServiceRequest) starts with, up to its spans: the resource
 * attributes -- service.name, the build's version, the pairs of
 * @a resource_attrs ("k=v,k2=v2", may be NULL; percent-decoded) and
 * @a service (OTEL_SERVICE_NAME, may be NULL) over them all -- and the
 * scope.  The same for every export: the exporter makes it once.
 * @return SR_OK, SR_E_TOO_LARGE at @a out's cap, or SR_E_INTERNAL
 */
enum sr_status sr_trace_export_head (const char *service,
                                     const char *resource_attrs,
                                     struct sr_buf *out);

/** The parts of an export body, in order: the head, the spans, the end. */
#define SR_TRACE_EXPORT_PARTS 3

/**
 * The export body of @a batch (span_queue.h: the exporter takes batches
 * from there) in @a part: @a head (sr_trace_export_head), the batch's
 * spans as they were encoded, and the closing brackets -- borrowed, so the
 * spans are sent from where they were written, without a copy.
 * @return the body's length
 */
size_t sr_trace_export_parts (const struct sr_span_batch *batch,
                              const struct sr_buf *head,
                              struct sr_bytes part[SR_TRACE_EXPORT_PARTS]);

#endif /* SR_TRACE_H */
