/*
 * span_json.c -- see span_json.h.
 *
 * proto3's JSON mapping: ids as lowercase hex, 64-bit integers (times,
 * intValue) as decimal strings, the enums (kind, status code) as numbers.
 * Strings are valid UTF-8 already (trace.c cut them at a character
 * boundary), so only quotes, backslashes and control characters are
 * escaped.
 */
#include "span_json.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* A bounded writer: a piece that does not fit marks it full and is
 * dropped, so the checks end in one place. */
struct w {
  char *p, *end;
  bool full;
};

static void
put (struct w *w, const char *s, size_t n)
{
  if (w->full || n > (size_t) (w->end - w->p)) {
    w->full = true;
    return;
  }
  memcpy (w->p, s, n);
  w->p += n;
}

#define PUT_LIT(w, lit) put ((w), (lit), sizeof (lit) - 1)

static const char hex[] = "0123456789abcdef";

static void
put_hex (struct w *w, const uint8_t *id, size_t n)
{
  char t[32];

  for (size_t i = 0; i < n; i++) {
    t[2 * i] = hex[id[i] >> 4];
    t[2 * i + 1] = hex[id[i] & 15];
  }
  put (w, t, 2 * n);
}

/* A quoted decimal when @a quoted (proto3 JSON's 64-bit integers). */
static void
put_u64 (struct w *w, uint64_t v, bool quoted)
{
  char t[24];
  char *q = t + sizeof (t);

  if (quoted)
    *--q = '"';
  do {
    *--q = (char) ('0' + v % 10);
    v /= 10;
  } while (0 != v);
  if (quoted)
    *--q = '"';
  put (w, q, (size_t) (t + sizeof (t) - q));
}

static void
put_i64 (struct w *w, int64_t v)
{
  if (v >= 0) {
    put_u64 (w, (uint64_t) v, true);
    return;
  }
  PUT_LIT (w, "\"-");
  put_u64 (w, 0 - (uint64_t) v, false);
  PUT_LIT (w, "\"");
}

/* Bytes a JSON string cannot hold as they are: the control characters
 * (NUL among them, which ends the text), the quote and the backslash. */
static const bool special[256] = {
  [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1,
  [0x06] = 1, [0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1,
  [0x0c] = 1, [0x0d] = 1, [0x0e] = 1, [0x0f] = 1, [0x10] = 1, [0x11] = 1,
  [0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1,
  [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1, [0x1c] = 1, [0x1d] = 1,
  [0x1e] = 1, [0x1f] = 1, ['"'] = 1, ['\\'] = 1
};

/* A JSON string, quoted. */
static void
put_str (struct w *w, const char *v)
{
  const unsigned char *p = (const unsigned char *) v;

  PUT_LIT (w, "\"");
  for (;;) {
    const unsigned char *run = p;
    char esc[6] = { '\\', 'u', '0', '0', 0, 0 };

    while (!special[*p])
      p++;
    put (w, (const char *) run, (size_t) (p - run));
    if ('\0' == *p)
      break;
    if ('"' == *p || '\\' == *p) {
      esc[1] = (char) *p;
      put (w, esc, 2);
    } else {
      esc[4] = hex[*p >> 4];
      esc[5] = hex[*p & 15];
      put (w, esc, 6);
    }
    p++;
  }
  PUT_LIT (w, "\"");
}

static void
put_attr (struct w *w, const struct sr_span_attr *a)
{
  PUT_LIT (w, "{\"key\":");
  put_str (w, a->key);
  if (a->is_int) {
    PUT_LIT (w, ",\"value\":{\"intValue\":");
    put_i64 (w, a->i);
  } else {
    PUT_LIT (w, ",\"value\":{\"stringValue\":");
    put_str (w, a->s);
  }
  PUT_LIT (w, "}}");
}

size_t
sr_span_json (const struct sr_span *s, char *out, size_t cap)
{
  struct w w = { .p = out, .end = out + cap, .full = false };

  PUT_LIT (&w, "{\"traceId\":\"");
  put_hex (&w, s->ctx.trace_id, 16);
  PUT_LIT (&w, "\",\"spanId\":\"");
  put_hex (&w, s->ctx.span_id, 8);
  PUT_LIT (&w, "\",\"kind\":");
  put_u64 (&w, (uint64_t) s->kind, false);
  PUT_LIT (&w, ",\"startTimeUnixNano\":");
  put_u64 (&w, s->start_ns, true);
  PUT_LIT (&w, ",\"endTimeUnixNano\":");
  put_u64 (&w, s->end_ns, true);
  if (0 != s->status) {   /* unset is proto3's default: left out */
    PUT_LIT (&w, ",\"status\":{\"code\":");
    put_u64 (&w, (uint64_t) s->status, false);
    PUT_LIT (&w, "}");
  }
  PUT_LIT (&w, ",\"name\":");
  put_str (&w, s->name);
  if (s->has_parent) {
    PUT_LIT (&w, ",\"parentSpanId\":\"");
    put_hex (&w, s->parent_id, 8);
    PUT_LIT (&w, "\"");
  }
  if ('\0' != s->ctx.tracestate[0]) {
    PUT_LIT (&w, ",\"traceState\":");
    put_str (&w, s->ctx.tracestate);
  }
  if (s->has_link) {
    PUT_LIT (&w, ",\"links\":[{\"traceId\":\"");
    put_hex (&w, s->link.trace_id, 16);
    PUT_LIT (&w, "\",\"spanId\":\"");
    put_hex (&w, s->link.span_id, 8);
    PUT_LIT (&w, "\"}]");
  }
  PUT_LIT (&w, ",\"attributes\":[");
  for (size_t i = 0; i < s->n_attrs; i++) {
    if (i > 0)
      PUT_LIT (&w, ",");
    put_attr (&w, &s->attrs[i]);
  }
  PUT_LIT (&w, "]}");
  return w.full ? 0 : (size_t) (w.p - out);
}
