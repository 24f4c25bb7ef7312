/*
 * trace.c -- see trace.h.
 *
 * Ids come from ids.h (per thread, seeded once from getrandom()): unique
 * enough for tracing and free of a system call per span.  The
 * queue is one ring under one mutex: a span's end is a copy into it (or a
 * drop when full), never a wait on the exporter.
 */
#include "trace.h"
#include "ids.h"
#include "metrics.h"
#include "utf8.h"
#include "version.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
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
  pthread_mutex_t lock;
  pthread_cond_t ready;
  struct sr_span *ring;
  size_t cap, head, count;
  size_t batch;                 /* spans per export; a full one wakes */
  atomic_bool full;             /* count == cap, written under the lock:
                                 * a full queue drops without locking */
  bool shut;
} tr = { .lock = PTHREAD_MUTEX_INITIALIZER,
         .ready = PTHREAD_COND_INITIALIZER };

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
  if (!s->enabled)
    return SR_OK;
  pthread_mutex_lock (&tr.lock);
  if (NULL == tr.ring) {
    tr.cap = s->queue_max > 0 ? s->queue_max : 2048;
    tr.ring = calloc (tr.cap, sizeof (*tr.ring));
  }
  tr.batch = s->batch_max > 0 && s->batch_max < tr.cap ? s->batch_max
             : tr.cap;
  tr.enabled = NULL != tr.ring;
  tr.shut = false;
  pthread_mutex_unlock (&tr.lock);
  if (!tr.enabled) {
    snprintf (err, errlen, "out of memory for the span queue");
    return SR_E_INTERNAL;
  }
  return SR_OK;
}

bool
sr_trace_enabled (void)
{
  return tr.enabled;
}

size_t
sr_trace_batch_max (void)
{
  return tr.batch;
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
  s->start_ns = clock_ns (CLOCK_REALTIME);
  s->start_mono_ns = clock_ns (CLOCK_MONOTONIC);
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
  for (size_t i = 0; i < s->n_attrs; i++)
    if (0 == strcmp (s->attrs[i].key, key))
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

static void
drop (const char *reason, uint64_t n)
{
  sr_metric_add (&sr_m_otel_spans_dropped, (const char *[]) { reason }, n);
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
  /* A collector that cannot keep up leaves the queue full for long: the
   * requests' threads then drop without contending for the lock (a stale
   * "full" costs one span that would just have fit). */
  if (atomic_load_explicit (&tr.full, memory_order_relaxed)) {
    drop ("queue_full", 1);
    return;
  }
  pthread_mutex_lock (&tr.lock);
  if (tr.count == tr.cap || tr.shut) {
    pthread_mutex_unlock (&tr.lock);
    drop ("queue_full", 1);
    return;
  }
  tr.ring[(tr.head + tr.count) % tr.cap] = *s;
  tr.count++;
  if (tr.count == tr.cap)
    atomic_store_explicit (&tr.full, true, memory_order_relaxed);
  if (tr.count == tr.batch)     /* a full batch: the exporter's cue */
    pthread_cond_signal (&tr.ready);
  pthread_mutex_unlock (&tr.lock);
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
sr_trace_log_ids (char trace_id[33], char span_id[17])
{
  if (NULL == current || !current->ctx.valid)
    return false;
  tohex (current->ctx.trace_id, 16, trace_id);
  tohex (current->ctx.span_id, 8, span_id);
  return true;
}

/* ---- the queue's far end ---- */

size_t
sr_trace_take (struct sr_span *out, size_t max, int wait_ms)
{
  struct timespec until;
  size_t n = 0;

  clock_gettime (CLOCK_REALTIME, &until);
  until.tv_sec += wait_ms / 1000;
  until.tv_nsec += (long) (wait_ms % 1000) * 1000000L;
  if (until.tv_nsec >= 1000000000L) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock (&tr.lock);
  while (tr.count < max && !tr.shut
         && 0 == pthread_cond_timedwait (&tr.ready, &tr.lock, &until))
    ;
  while (n < max && tr.count > 0) {
    out[n++] = tr.ring[tr.head];
    tr.head = (tr.head + 1) % tr.cap;
    tr.count--;
  }
  if (n > 0)
    atomic_store_explicit (&tr.full, false, memory_order_relaxed);
  pthread_mutex_unlock (&tr.lock);
  return n;
}

void
sr_trace_shutdown (void)
{
  pthread_mutex_lock (&tr.lock);
  tr.shut = true;
  pthread_cond_broadcast (&tr.ready);
  pthread_mutex_unlock (&tr.lock);
}

/* ---- OTLP JSON ---- */

static json_t *
kv_str (const char *key, const char *v)
{
  return json_pack ("{s:s, s:{s:s}}", "key", key, "value", "stringValue", v);
}

/* A JSON string: quotes, backslashes and control characters escaped
 * (the text is valid UTF-8: copy_text saw to it). */
static enum sr_status
put_str (struct sr_buf *b, const char *v)
{
  enum sr_status st = sr_buf_append (b, "\"", 1);
  const char *run = v;

  for (const char *p = v; SR_OK == st; p++) {
    unsigned char c = (unsigned char) *p;
    char esc[8];

    if (c >= 0x20 && '"' != c && '\\' != c)
      continue;
    st = sr_buf_append (b, run, (size_t) (p - run));
    if ('\0' == c || SR_OK != st)
      break;
    snprintf (esc, sizeof (esc), '"' == c ? "\\\"" : '\\' == c ? "\\\\"
              : "\\u%04x", c);
    st = sr_buf_puts (b, esc);
    run = p + 1;
  }
  return SR_OK == st ? sr_buf_append (b, "\"", 1) : st;
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

static enum sr_status
put_attr (struct sr_buf *b, const struct sr_span_attr *a, bool first)
{
  char num[32];
  enum sr_status st = sr_buf_puts (b, first ? "{\"key\":" : ",{\"key\":");

  if (SR_OK == st)
    st = put_str (b, a->key);
  if (!a->is_int) {
    st = put_all (b, st, (const char *[]) { ",\"value\":{\"stringValue\":" },
                  1);
    if (SR_OK == st)
      st = put_str (b, a->s);
    return put_all (b, st, (const char *[]) { "}}" }, 1);
  }
  /* proto3 JSON: 64-bit integers are strings */
  snprintf (num, sizeof (num), "%lld", (long long) a->i);
  return put_all (b, st, (const char *[]) { ",\"value\":{\"intValue\":\"",
                                            num, "\"}}" }, 3);
}

static enum sr_status
put_span (struct sr_buf *b, const struct sr_span *s, bool first)
{
  char tid[33], sid[17], pid[17], start[24], end[24], kind[8], code[8];
  char ltid[33], lsid[17];
  enum sr_status st;

  tohex (s->ctx.trace_id, 16, tid);
  tohex (s->ctx.span_id, 8, sid);
  snprintf (start, sizeof (start), "%llu", (unsigned long long) s->start_ns);
  snprintf (end, sizeof (end), "%llu", (unsigned long long) s->end_ns);
  snprintf (kind, sizeof (kind), "%d", s->kind);
  snprintf (code, sizeof (code), "%d", s->status);
  st = put_all (b, SR_OK, (const char *[]) {
                  first ? "{" : ",{", "\"traceId\":\"", tid,
                  "\",\"spanId\":\"", sid, "\",\"kind\":", kind,
                  ",\"startTimeUnixNano\":\"", start,
                  "\",\"endTimeUnixNano\":\"", end,
                  "\",\"status\":{\"code\":", code, "},\"name\":" }, 14);
  if (SR_OK == st)
    st = put_str (b, s->name);
  if (s->has_parent) {
    tohex (s->parent_id, 8, pid);
    st = put_all (b, st, (const char *[]) { ",\"parentSpanId\":\"", pid,
                                            "\"" }, 3);
  }
  if ('\0' != s->ctx.tracestate[0]) {
    st = put_all (b, st, (const char *[]) { ",\"traceState\":" }, 1);
    if (SR_OK == st)
      st = put_str (b, s->ctx.tracestate);
  }
  if (s->has_link) {
    tohex (s->link.trace_id, 16, ltid);
    tohex (s->link.span_id, 8, lsid);
    st = put_all (b, st, (const char *[]) { ",\"links\":[{\"traceId\":\"",
                                            ltid, "\",\"spanId\":\"", lsid,
                                            "\"}]" }, 5);
  }
  st = put_all (b, st, (const char *[]) { ",\"attributes\":[" }, 1);
  for (size_t i = 0; SR_OK == st && i < s->n_attrs; i++)
    st = put_attr (b, &s->attrs[i], 0 == i);
  return put_all (b, st, (const char *[]) { "]}" }, 1);
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
sr_trace_encode (const struct sr_span *spans, size_t n, const char *service,
                 const char *resource_attrs, struct sr_buf *out)
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
  /* The spans are written straight into the buffer: at thousands of
   * spans a second, building JSON objects first cost more than the rest
   * of the tracing together. */
  st = put_all (out, SR_OK, (const char *[]) {
                  "{\"resourceSpans\":[{\"resource\":{\"attributes\":",
                  resource, "},\"scopeSpans\":[{\"scope\":{\"name\":"
                  "\"signalroom\",\"version\":\"" SR_VERSION "\"},"
                  "\"spans\":[" }, 3);
  free (resource);
  for (size_t i = 0; SR_OK == st && i < n; i++)
    st = put_span (out, &spans[i], 0 == i);
  return put_all (out, st, (const char *[]) { "]}]}]}" }, 1);
}
