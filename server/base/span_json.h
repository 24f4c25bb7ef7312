/*
 * span_json.h -- one span as OTLP/HTTP JSON (an element of
 * ExportTraceServiceRequest's "spans" array), written straight into a
 * caller's bounded array.
 *
 * Spans are encoded on the thread that ends them, thousands a second, so
 * this writes each piece once with no allocation, no printf and one
 * bounds check per piece: it costs a fraction of what appending through a
 * growing buffer and snprintf did.
 *
 * Threads: any; no shared state.
 */
#ifndef SR_SPAN_JSON_H
#define SR_SPAN_JSON_H

#include <stddef.h>

#include "trace.h"

/** Room for any span (every string at its cap, every byte escaped). */
#define SR_SPAN_JSON_MAX 20480

/**
 * Write @a s as a JSON object into @a out (not terminated).
 * @return its length, or 0 when it would not fit in @a cap bytes
 */
size_t sr_span_json (const struct sr_span *s, char *out, size_t cap);

#endif /* SR_SPAN_JSON_H */
