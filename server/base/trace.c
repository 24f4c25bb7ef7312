/*
 * trace.c -- see trace.h.
 *
 * Ids come from ids.h (per thread, seeded once from getrandom()): unique
 * enough for tracing and free of a system call per span.  A span's end
 * encodes it (span_json.h) and hands the text to the queue
 * (span_queue.h), never a wait on the exporter.
 */
#include "trace.h"
#include "ids.h"
#include "span_json.h"
#include "utf8.h"
#include "version.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum sampler {
  ALWAYS_ON, ALWAYS_OFF, RATIO,
  PARENT_ON, PARENT_OFF, PARENT_RATIO
};

static struct {
  bool enabled;
  enum sampler sampler;
  double ratio;
} tr;

static __thread struct sr_span *current;

static const struct {
  const char *name;
  enum sampler s;
} samplers[] = {
  { "always_on", ALWAYS_ON }, { "always_off", ALWAYS_OFF },
  { "traceidratio", RATIO }, { "parentbased_always_on", PARENT_ON },
  { "parentbased_always_off", PARENT_OFF },
  { "parentbased_traceidratio", PARENT_RATIO },
};

enum sr_status
sr_trace_init (const struct sr_trace_settings *s, char *err, size_t errlen)
{
  const char *name = NULL != s->sampler && '\0' != s->sampler[0]
                     ? s->sampler : "parentbased_always_on";
  bool known = false;

  for (size_t i = 0; i < sizeof (samplers) / sizeof (samplers[0]); i++)
    if (0 == strcmp (name, samplers[i].name)) {
      tr.sampler = samplers[i].s;
      known = true;
    }
  if (!known) {
    snprintf (err, errlen, "OTEL_TRACES_SAMPLER: unknown sampler \"%s\"",
              name);
    return SR_E_CONFIG;
  }
  if (!(s->ratio >= 0 && s->ratio <= 1)) {
    snprintf (err, errlen, "OTEL_TRACES_SAMPLER_ARG: %g is not a ratio "
              "between 0 and 1", s->ratio);
    return SR_E_CONFIG;
  }
  tr.ratio = s->ratio;
  tr.enabled = false;
  if (!s->enabled)
    return SR_OK;
  sr_span_queue_init (s->queue_max, s->batch_max);
  tr.enabled = true;
  return SR_OK;
}

bool
sr_trace_enabled (void)
{
  return tr.enabled;
}

/* ---- ids ---- */

static bool
all_zero (const uint8_t *p, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (0 != p[i])
      return false;
  return true;
}


/* ---- W3C trace context ---- */

static int
hexval (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;     /* upper case is invalid in traceparent */
}

static bool
unhex (const char *s, uint8_t *out, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    int hi = hexval (s[2 * i]), lo = hexval (s[2 * i + 1]);

    if (hi < 0 || lo < 0)
      return false;
    out[i] = (uint8_t) (hi << 4 | lo);
  }
  return true;
}

static void
tohex (const uint8_t *p, size_t n, char *out)
{
  static const char digits[] = "0123456789abcdef";

  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[p[i] >> 4];
    out[2 * i + 1] = digits[p[i] & 15];
  }
  out[2 * n] = '\0';
}

bool
sr_trace_parse (const char *tp, const char *tracestate,
                struct sr_trace_ctx *out)
{
  uint8_t version, flags;
  size_t len = NULL != tp ? strlen (tp) : 0;

  /* no header, the usual case: skip clearing the whole context */
  memset (out, 0, offsetof (struct sr_trace_ctx, tracestate));
  out->tracestate[0] = '\0';
  if (0 == len)
    return false;
  memset (out, 0, sizeof (*out));
  /* version 00 is exactly 55 characters; a later version may append
   * fields after a dash, which we ignore (the spec asks us to). */
  if (len < SR_TRACEPARENT_LEN || '-' != tp[2] || '-' != tp[35]
      || '-' != tp[52] || (len > SR_TRACEPARENT_LEN
                           && '-' != tp[SR_TRACEPARENT_LEN]))
    return false;
  if (!unhex (tp, &version, 1) || 0xff == version
      || (0 == version && len != SR_TRACEPARENT_LEN)
      || !unhex (tp + 3, out->trace_id, 16)
      || !unhex (tp + 36, out->span_id, 8) || !unhex (tp + 53, &flags, 1)
      || all_zero (out->trace_id, 16) || all_zero (out->span_id, 8)) {
    memset (out, 0, sizeof (*out));
    return false;
  }
  out->sampled = 0 != (flags & 1);
  out->valid = true;
  if (NULL != tracestate && strlen (tracestate) < SR_TRACESTATE_MAX)
    snprintf (out->tracestate, sizeof (out->tracestate), "%s", tracestate);
  return true;
}

void
sr_trace_format (const struct sr_trace_ctx *c,
                 char out[SR_TRACEPARENT_LEN + 1])
{
  char t[33], s[17];

  tohex (c->trace_id, 16, t);
  tohex (c->span_id, 8, s);
  snprintf (out, SR_TRACEPARENT_LEN + 1, "00-%s-%s-%s", t, s,
            c->sampled ? "01" : "00");
}

/* ---- spans ---- */

static bool
sample_root (const uint8_t trace_id[16])
{
  uint64_t r;

  switch (tr.sampler) {
  case ALWAYS_ON:
  case PARENT_ON:
    return true;
  case ALWAYS_OFF:
  case PARENT_OFF:
    return false;
  case RATIO:
  case PARENT_RATIO:
    break;
  }
  memcpy (&r, trace_id + 8, sizeof (r));
  return (double) r < tr.ratio * 18446744073709551616.0;
}

static bool
sample (const struct sr_trace_ctx *parent, const uint8_t trace_id[16])
{
  if (NULL == parent || ALWAYS_ON == tr.sampler || ALWAYS_OFF == tr.sampler
      || RATIO == tr.sampler)
    return sample_root (trace_id);
  return parent->sampled;
}

static uint64_t
clock_ns (clockid_t id)
{
  struct timespec ts;

  clock_gettime (id, &ts);
  return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

/* Unix time minus monotonic time, read again once a second per thread:
 * one clock read per span end instead of two, and a step of the wall
 * clock still reaches the spans within a second. */
static uint64_t
wall_offset (uint64_t mono_ns)
{
  static __thread uint64_t offset, read_at;

  if (0 == read_at || mono_ns - read_at >= 1000000000u) {
    offset = clock_ns (CLOCK_REALTIME) - mono_ns;
    read_at = mono_ns;
  }
  return offset;
}

/* Copy @a v, cut (when too long) at a character boundary and made valid
 * UTF-8: a collector refuses a whole batch over one broken string. */
static void
copy_text (char *out, size_t len, const char *v)
{
  size_t n = strlen (NULL != v ? v : "");

  if (n >= len)
    n = len - 1;
  memcpy (out, NULL != v ? v : "", n);
  while (n > 0 && !sr_utf8_valid (out, n))
    n--;
  out[n] = '\0';
}

void
sr_span_start (struct sr_span *s, const char *name, int kind,
               const struct sr_trace_ctx *parent)
{
  s->started = true;
  s->recording = false;
  s->n_attrs = 0;
  s->has_link = false;
  s->has_parent = false;
  s->status = 0;
  s->prev = NULL;
  s->ctx.valid = false;
  if (!tr.enabled)
    return;
  if (NULL == parent || !parent->valid)
    parent = NULL != current && current->ctx.valid ? &current->ctx : NULL;
  if (NULL != parent) {
    memcpy (s->ctx.trace_id, parent->trace_id, 16);
    memcpy (s->parent_id, parent->span_id, 8);
    memcpy (s->ctx.tracestate, parent->tracestate,
            sizeof (s->ctx.tracestate));
    s->has_parent = true;
  } else {
    sr_ids_random_bytes (s->ctx.trace_id, 16);
    s->ctx.tracestate[0] = '\0';
  }
  sr_ids_random_bytes (s->ctx.span_id, 8);
  s->ctx.sampled = sample (parent, s->ctx.trace_id);
  s->ctx.valid = true;
  s->recording = s->ctx.sampled;
  copy_text (s->name, sizeof (s->name), name);
  s->kind = kind;
  s->start_mono_ns = clock_ns (CLOCK_MONOTONIC);
  s->start_ns = s->start_mono_ns + wall_offset (s->start_mono_ns);
}

void
sr_span_name (struct sr_span *s, const char *a, const char *b)
{
  size_t n = strlen (a);

  if (!s->recording)
    return;
  if (n + 1 >= sizeof (s->name)) {
    copy_text (s->name, sizeof (s->name), a);
    return;
  }
  memcpy (s->name, a, n);
  s->name[n] = ' ';
  copy_text (s->name + n + 1, sizeof (s->name) - n - 1, b);
}

void
sr_span_link (struct sr_span *s, const struct sr_trace_ctx *other)
{
  if (s->recording && NULL != other && other->valid) {
    s->link = *other;
    s->has_link = true;
  }
}

static struct sr_span_attr *
attr_slot (struct sr_span *s, const char *key)
{
  /* keys are literals: the same pointer, or (rarely) the same text */
  for (size_t i = 0; i < s->n_attrs; i++)
    if (s->attrs[i].key == key || (s->attrs[i].key[0] == key[0]
                                   && 0 == strcmp (s->attrs[i].key, key)))
      return &s->attrs[i];
  if (SR_TRACE_ATTRS_MAX == s->n_attrs)
    return NULL;
  s->attrs[s->n_attrs].key = key;
  return &s->attrs[s->n_attrs++];
}

void
sr_span_set_str (struct sr_span *s, const char *key, const char *v)
{
  struct sr_span_attr *a = s->recording ? attr_slot (s, key) : NULL;

  if (NULL != a) {
    a->is_int = false;
    copy_text (a->s, sizeof (a->s), v);
  }
}

void
sr_span_set_int (struct sr_span *s, const char *key, int64_t v)
{
  struct sr_span_attr *a = s->recording ? attr_slot (s, key) : NULL;

  if (NULL != a) {
    a->is_int = true;
    a->i = v;
  }
}

void
sr_span_set_error (struct sr_span *s, bool error)
{
  s->status = error ? 2 : 1;
}

static size_t
encode_span (const void *span, char *out, size_t cap)
{
  return sr_span_json (span, out, cap);
}

void
sr_span_end (struct sr_span *s)
{
  if (!s->started)
    return;
  s->started = false;
  if (!s->recording || !tr.enabled)
    return;
  s->end_ns = s->start_ns + (clock_ns (CLOCK_MONOTONIC) - s->start_mono_ns);
  sr_span_queue_push (encode_span, s, SR_SPAN_JSON_MAX);
}

void
sr_trace_push (struct sr_span *s)
{
  s->prev = current;
  current = s;
}

void
sr_trace_pop (struct sr_span *s)
{
  if (current == s)
    current = s->prev;
}

const struct sr_span *
sr_trace_current (void)
{
  return current;
}

void
sr_span_begin (struct sr_span *s, const char *name, int kind)
{
  sr_span_start (s, name, kind, NULL);
  sr_trace_push (s);
}

void
sr_span_finish (struct sr_span *s)
{
  sr_trace_pop (s);
  sr_span_end (s);
}

void
sr_trace_outgoing (char out[SR_TRACEPARENT_LEN + 1])
{
  out[0] = '\0';
  if (NULL != current && current->ctx.valid)
    sr_trace_format (&current->ctx, out);
}

bool
sr_span_root_trace_id (const struct sr_span *s, char out[33])
{
  if (!s->started || !s->ctx.valid || s->has_parent)
    return false;
  tohex (s->ctx.trace_id, 16, out);
  return true;
}

bool
sr_trace_log_ids (char trace_id[33], char span_id[17])
{
  if (NULL == current || !current->ctx.valid)
    return false;
  tohex (current->ctx.trace_id, 16, trace_id);
  tohex (current->ctx.span_id, 8, span_id);
  return true;
}

/* ---- OTLP JSON ---- */

static json_t *
kv_str (const char *key, const char *v)
{
  return json_pack ("{s:s, s:{s:s}}", "key", key, "value", "stringValue", v);
}

/* Appends the pieces in order; stops at the first failure. */
static enum sr_status
put_all (struct sr_buf *b, enum sr_status st, const char *const *parts,
         size_t n)
{
  for (size_t i = 0; SR_OK == st && i < n; i++)
    st = sr_buf_puts (b, parts[i]);
  return st;
}

/* Percent-decode @a v in place (OTEL_RESOURCE_ATTRIBUTES values are
 * percent-encoded); false when malformed. */
static bool
percent_decode (char *v)
{
  char *out = v;

  for (char *p = v; '\0' != *p; p++) {
    if ('%' == *p) {
      int hi = hexval ((char) tolower ((unsigned char) p[1]));
      int lo = hi < 0 ? -1 : hexval ((char) tolower ((unsigned char) p[2]));

      if (lo < 0)
        return false;
      *out++ = (char) (hi << 4 | lo);
      p += 2;
    } else {
      *out++ = *p;
    }
  }
  *out = '\0';
  return true;
}

static char *
trim (char *p)
{
  char *e;

  while (' ' == *p)
    p++;
  e = p + strlen (p);
  while (e > p && ' ' == e[-1])
    *--e = '\0';
  return p;
}

/* "k=v,k2=v2" into @a attrs (an object: a key given twice is kept once,
 * the later value winning); malformed pairs are skipped. */
static void
resource_pairs (json_t *attrs, const char *list)
{
  char buf[1024], *save = NULL;

  if (NULL == list || strlen (list) >= sizeof (buf))
    return;
  snprintf (buf, sizeof (buf), "%s", list);
  for (char *p = strtok_r (buf, ",", &save); NULL != p;
       p = strtok_r (NULL, ",", &save)) {
    char *eq = strchr (p, '='), *key, *value;

    if (NULL == eq)
      continue;
    *eq = '\0';
    key = trim (p);
    value = trim (eq + 1);
    if ('\0' != key[0] && percent_decode (value))
      json_object_set_new (attrs, key, json_string (value));
  }
}

enum sr_status
sr_trace_export_head (const char *service, const char *resource_attrs,
                      struct sr_buf *out)
{
  json_t *attrs = json_array ();
  json_t *kv = json_object ();
  const char *key;
  json_t *value;
  char *resource;
  enum sr_status st;

  /* ours first, the variable's over them, OTEL_SERVICE_NAME over all */
  json_object_set_new (kv, "service.name", json_string ("signalroom"));
  json_object_set_new (kv, "service.version", json_string (SR_VERSION));
  json_object_set_new (kv, "telemetry.sdk.language", json_string ("c"));
  resource_pairs (kv, resource_attrs);
  if (NULL != service && '\0' != service[0])
    json_object_set_new (kv, "service.name", json_string (service));
  json_object_foreach (kv, key, value)
    json_array_append_new (attrs, kv_str (key, json_string_value (value)));
  json_decref (kv);
  resource = json_dumps (attrs, JSON_COMPACT);
  json_decref (attrs);
  if (NULL == resource)
    return SR_E_INTERNAL;
  st = put_all (out, SR_OK, (const char *[]) {
                  "{\"resourceSpans\":[{\"resource\":{\"attributes\":",
                  resource, "},\"scopeSpans\":[{\"scope\":{\"name\":"
                  "\"signalroom\",\"version\":\"" SR_VERSION "\"},"
                  "\"spans\":[" }, 3);
  free (resource);
  return st;
}

size_t
sr_trace_export_parts (const struct sr_span_batch *batch,
                       const struct sr_buf *head,
                       struct sr_bytes part[SR_TRACE_EXPORT_PARTS])
{
  static const char tail[] = "]}]}]}";

  part[0] = (struct sr_bytes) { head->data, head->len };
  part[1].p = sr_span_batch_json (batch, &part[1].n);
  part[2] = (struct sr_bytes) { tail, sizeof (tail) - 1 };
  return part[0].n + part[1].n + part[2].n;
}
