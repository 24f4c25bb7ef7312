/*
 * test_trace.c -- tracing (server/base/trace.h): W3C traceparent parsing
 * by the specification's rules, parent and child spans, the samplers, the
 * bounded queue and its drop count, the OTLP JSON encoding and the ids a
 * log line gets.  Expected values are written out from the W3C and OTLP
 * documents, not computed with the module.
 */
#define _GNU_SOURCE 1   /* pthread_timedjoin_np */
#include "check.h"
#include "ids.h"
#include "metrics.h"
#include "span_json.h"
#include "trace.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TP "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

static void
init_batch (const char *sampler, double ratio, size_t queue, size_t batch)
{
  struct sr_trace_settings s = { .enabled = true, .sampler = sampler,
                                 .ratio = ratio, .queue_max = queue,
                                 .batch_max = batch };
  char err[200];

  REQUIRE (SR_OK == sr_trace_init (&s, err, sizeof (err)));
  /* empty what an earlier test left */
  for (struct sr_span_batch *b; NULL != (b = sr_span_queue_take (0));)
    sr_span_batch_free (b);
}

static void
init (const char *sampler, double ratio, size_t queue)
{
  init_batch (sampler, ratio, queue, 0);
}

/* The body the exporter sends for @a batch (its parts, joined), parsed
 * back. */
static json_t *
encode (const struct sr_span_batch *batch, const char *service,
        const char *attrs)
{
  struct sr_buf head, b;
  struct sr_bytes parts[SR_TRACE_EXPORT_PARTS];
  json_error_t jerr;
  json_t *j = NULL;
  size_t len;

  sr_buf_init (&head, 1u << 16);
  sr_buf_init (&b, 1u << 20);
  if (SR_OK == sr_trace_export_head (service, attrs, &head)) {
    len = sr_trace_export_parts (batch, &head, parts);
    for (size_t i = 0; i < SR_TRACE_EXPORT_PARTS; i++)
      if (parts[i].n > 0)
        (void) sr_buf_append (&b, parts[i].p, parts[i].n);
    if (b.len == len)
      j = json_loadb (b.data, b.len, 0, &jerr);
    else
      fprintf (stderr, "parts hold %zu bytes, not the %zu said\n", b.len, len);
    if (NULL == j && b.len == len)
      fprintf (stderr, "encoder output is not JSON: %s\n", jerr.text);
  }
  sr_buf_clean (&b);
  sr_buf_clean (&head);
  return j;
}

/* The spans array of an export. */
static json_t *
spans_of (json_t *j)
{
  return json_object_get (json_array_get (json_object_get (json_array_get (
           json_object_get (j, "resourceSpans"), 0), "scopeSpans"), 0),
           "spans");
}

static json_t *taken;   /* what take_all() found, as exported */

/* Take everything queued, as the exporter would, and keep the spans
 * (JSON objects, in queue order) in taken.  @return how many */
static size_t
take_all (void)
{
  json_decref (taken);
  taken = json_array ();
  for (struct sr_span_batch *b; NULL != (b = sr_span_queue_take (0));) {
    json_t *j = encode (b, NULL, NULL);

    CHECK (NULL != j);
    json_array_extend (taken, spans_of (j));
    json_decref (j);
    sr_span_batch_free (b);
  }
  return json_array_size (taken);
}

/* Field @a key of taken span @a i. */
static const char *
field (size_t i, const char *key)
{
  return json_string_value (json_object_get (json_array_get (taken, i), key));
}

static unsigned long long
nanos (size_t i, const char *key)
{
  const char *v = field (i, key);

  return NULL != v ? strtoull (v, NULL, 10) : 0;
}

static void
hex (const uint8_t *p, size_t n, char *out)
{
  for (size_t i = 0; i < n; i++)
    snprintf (out + 2 * i, 3, "%02x", p[i]);
}

SR_TEST (test_traceparent_rules)
{
  struct sr_trace_ctx c;
  char out[SR_TRACEPARENT_LEN + 1], id[33];

  CHECK (sr_trace_parse (TP, "congo=t61rcWkgMzE", &c));
  CHECK (c.valid && c.sampled);
  hex (c.trace_id, 16, id);
  CHECK_STR_EQ (id, "4bf92f3577b34da6a3ce929d0e0e4736");
  hex (c.span_id, 8, id);
  CHECK_STR_EQ (id, "00f067aa0ba902b7");
  CHECK_STR_EQ (c.tracestate, "congo=t61rcWkgMzE");
  sr_trace_format (&c, out);
  CHECK_STR_EQ (out, TP);
  CHECK (sr_trace_parse ("00-4bf92f3577b34da6a3ce929d0e0e4736-"
                         "00f067aa0ba902b7-00", NULL, &c));
  CHECK (!c.sampled);
  /* A later version may add fields after a dash. */
  CHECK (sr_trace_parse ("01-4bf92f3577b34da6a3ce929d0e0e4736-"
                         "00f067aa0ba902b7-01-extra", NULL, &c));
  /* Refused: upper case, all-zero ids, version ff, 00 with more, short,
   * wrong separators, not hex. */
  CHECK (!sr_trace_parse ("00-4BF92F3577B34DA6A3CE929D0E0E4736-"
                          "00f067aa0ba902b7-01", NULL, &c));
  CHECK (!c.valid);
  CHECK (!sr_trace_parse ("00-00000000000000000000000000000000-"
                          "00f067aa0ba902b7-01", NULL, &c));
  CHECK (!sr_trace_parse ("00-4bf92f3577b34da6a3ce929d0e0e4736-"
                          "0000000000000000-01", NULL, &c));
  CHECK (!sr_trace_parse ("ff-4bf92f3577b34da6a3ce929d0e0e4736-"
                          "00f067aa0ba902b7-01", NULL, &c));
  CHECK (!sr_trace_parse (TP "-x", NULL, &c));
  CHECK (!sr_trace_parse ("00-4bf92f3577b34da6a3ce929d0e0e473-"
                          "00f067aa0ba902b7-01", NULL, &c));
  CHECK (!sr_trace_parse ("00_4bf92f3577b34da6a3ce929d0e0e4736_"
                          "00f067aa0ba902b7_01", NULL, &c));
  CHECK (!sr_trace_parse ("00-4bf92f3577b34da6a3ce929d0e0e47zz-"
                          "00f067aa0ba902b7-01", NULL, &c));
  CHECK (!sr_trace_parse (NULL, NULL, &c));
  CHECK (!sr_trace_parse ("", NULL, &c));
}

SR_TEST (test_parent_and_child)
{
  struct sr_trace_ctx parent;
  struct sr_span server, child;
  char sid[17];

  init ("parentbased_always_on", 1, 64);
  REQUIRE (sr_trace_parse (TP, NULL, &parent));
  sr_span_start (&server, "GET /v1/syncs", SR_SPAN_SERVER, &parent);
  sr_trace_push (&server);
  sr_span_begin (&child, "runs_get", SR_SPAN_CLIENT);
  sr_span_set_str (&child, "db.system", "postgresql");
  sr_span_finish (&child);
  sr_trace_pop (&server);
  CHECK (NULL == sr_trace_current ());
  sr_span_end (&server);
  REQUIRE (2 == take_all ());
  /* the child ended first */
  CHECK_STR_EQ (field (0, "traceId"), "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK_STR_EQ (field (1, "traceId"), "4bf92f3577b34da6a3ce929d0e0e4736");
  REQUIRE (NULL != field (0, "parentSpanId"));
  CHECK_STR_EQ (field (0, "parentSpanId"), field (1, "spanId"));
  hex (server.ctx.span_id, 8, sid);
  CHECK_STR_EQ (field (1, "spanId"), sid);
  CHECK_STR_EQ (field (1, "parentSpanId"), "00f067aa0ba902b7");
  CHECK_STR_EQ (field (1, "name"), "GET /v1/syncs");
  /* status unset: left out (proto3's default), not written as 0 */
  CHECK (NULL == json_object_get (json_array_get (taken, 1), "status"));
  CHECK (nanos (1, "endTimeUnixNano") >= nanos (1, "startTimeUnixNano"));
  CHECK (nanos (0, "endTimeUnixNano") <= nanos (1, "endTimeUnixNano"));
}

SR_TEST (test_samplers)
{
  struct sr_trace_ctx unsampled;
  struct sr_span s;
  size_t kept = 0;
  char err[200];
  struct sr_trace_settings bad = { .enabled = true, .sampler = "sometimes",
                                   .ratio = 1 };

  CHECK (SR_E_CONFIG == sr_trace_init (&bad, err, sizeof (err)));
  bad.sampler = "traceidratio";
  bad.ratio = 1.5;
  CHECK (SR_E_CONFIG == sr_trace_init (&bad, err, sizeof (err)));
  /* A caller that did not sample: parent-based follows it. */
  init ("parentbased_always_on", 1, 64);
  REQUIRE (sr_trace_parse ("00-4bf92f3577b34da6a3ce929d0e0e4736-"
                           "00f067aa0ba902b7-00", NULL, &unsampled));
  sr_span_start (&s, "x", SR_SPAN_SERVER, &unsampled);
  CHECK (!s.recording && s.ctx.valid);   /* ids still passed on */
  sr_span_end (&s);
  CHECK (0 == take_all ());
  init ("always_off", 1, 64);
  sr_span_start (&s, "x", SR_SPAN_SERVER, NULL);
  sr_span_end (&s);
  CHECK (0 == take_all ());
  /* A ratio keeps about that share of new traces. */
  init ("traceidratio", 0.25, 64);
  for (int i = 0; i < 20000; i++) {
    sr_span_start (&s, "x", SR_SPAN_INTERNAL, NULL);
    kept += s.recording;
    s.recording = false;     /* count only; keep the queue empty */
    sr_span_end (&s);
  }
  CHECK (kept > 4500 && kept < 5500);
  init ("traceidratio", 0, 64);
  sr_span_start (&s, "x", SR_SPAN_INTERNAL, NULL);
  CHECK (!s.recording);
  sr_span_end (&s);
  /* Off after being on: nothing recorded, nothing queued. */
  {
    struct sr_trace_settings off = { .enabled = false, .ratio = 1 };

    init ("always_on", 1, 64);
    REQUIRE (SR_OK == sr_trace_init (&off, err, sizeof (err)));
    CHECK (!sr_trace_enabled ());
    sr_span_start (&s, "x", SR_SPAN_INTERNAL, NULL);
    CHECK (!s.recording);
    sr_span_end (&s);
    CHECK (0 == take_all ());
  }
}

SR_TEST (test_queue_full_drops_and_counts)
{
  const char *full[] = { "queue_full" };
  double before;
  struct sr_span s;

  init ("always_on", 1, 64);
  before = sr_metric_value (&sr_m_otel_spans_dropped, full);
  for (int i = 0; i < 70; i++) {
    sr_span_start (&s, "x", SR_SPAN_INTERNAL, NULL);
    sr_span_end (&s);
  }
  CHECK (sr_metric_value (&sr_m_otel_spans_dropped, full) - before == 6);
  CHECK_INT_EQ (take_all (), 64);
}

struct exporter_side {
  _Atomic pid_t tid;
  size_t got;
};

/* The exporter's wait: a minute, unless a full batch cuts it short. */
static void *
take_a_batch (void *cls)
{
  struct exporter_side *x = cls;

  struct sr_span_batch *b;

  atomic_store (&x->tid, gettid ());
  b = sr_span_queue_take (60000);
  x->got = NULL != b ? sr_span_batch_count (b) : 0;
  sr_span_batch_free (b);
  return NULL;
}

/* True once thread @a tid is asleep (its state in /proc is 'S'): the only
 * thing that thread does is wait in sr_span_queue_take. */
static bool
asleep (pid_t tid)
{
  char path[64], line[512], *close;
  FILE *f;
  bool s = false;

  snprintf (path, sizeof (path), "/proc/self/task/%d/stat", (int) tid);
  if (NULL == (f = fopen (path, "r")))
    return false;
  if (NULL != fgets (line, sizeof (line), f)
      && NULL != (close = strrchr (line, ')')))
    s = 0 == strncmp (close, ") S", 3);
  fclose (f);
  return s;
}

static bool
await_asleep (struct exporter_side *x)
{
  struct timespec tick = { 0, 1000000 };

  for (int i = 0; i < 10000; i++) {
    pid_t tid = atomic_load (&x->tid);

    if (0 != tid && asleep (tid))
      return true;
    nanosleep (&tick, NULL);
  }
  return false;
}

SR_TEST (test_a_full_batch_wakes_the_exporter)
{
  struct exporter_side x = { 0 };
  struct timespec until;
  struct sr_span s;
  pthread_t t;
  int rc;

  init_batch ("always_on", 1, 64, 4);
  CHECK_INT_EQ (sr_span_queue_batch_max (), 4);
  /* Fewer than a batch: a take that may not wait returns what there is. */
  sr_span_start (&s, "x", SR_SPAN_INTERNAL, NULL);
  sr_span_end (&s);
  CHECK_INT_EQ (take_all (), 1);
  REQUIRE (0 == pthread_create (&t, NULL, take_a_batch, &x));
  /* Only once it waits can the test tell a wake-up from no wait at all. */
  CHECK (await_asleep (&x));
  for (int i = 0; i < 4; i++) {
    sr_span_start (&s, "x", SR_SPAN_INTERNAL, NULL);
    sr_span_end (&s);
  }
  /* The fourth span's end must wake it, long before its minute is up. */
  clock_gettime (CLOCK_REALTIME, &until);
  until.tv_sec += 20;
  rc = pthread_timedjoin_np (t, NULL, &until);
  CHECK_INT_EQ (rc, 0);
  if (ETIMEDOUT == rc) {
    sr_span_queue_shutdown ();
    pthread_join (t, NULL);
    init ("always_on", 1, 64);
  }
  CHECK_INT_EQ (x.got, 4);
  init_batch ("always_on", 1, 64, 1000);   /* more than the queue holds */
  CHECK_INT_EQ (sr_span_queue_batch_max (), 64);
}

/* Threads ending spans at once while the exporter takes batches: every
 * span is either exported once or counted as dropped. */
#define PRODUCERS 4
#define SPANS_EACH 5000

static atomic_bool producers_done;

static void *
produce (void *cls)
{
  (void) cls;
  for (int i = 0; i < SPANS_EACH; i++) {
    struct sr_span s;

    sr_span_start (&s, "concurrent", SR_SPAN_INTERNAL, NULL);
    sr_span_end (&s);
  }
  return NULL;
}

/* Counts the spans of each batch it takes, and the distinct span ids. */
static void *
export_all (void *cls)
{
  size_t *taken_spans = cls;
  bool last = false;

  while (!last) {
    struct sr_span_batch *b;

    last = atomic_load (&producers_done);
    while (NULL != (b = sr_span_queue_take (last ? 0 : 5))) {
      size_t len;
      const char *p = sr_span_batch_json (b, &len);
      size_t ids = 0;

      for (const char *q = p; NULL != (q = strstr (q, "\"spanId\""));
           q++)
        ids++;
      CHECK_INT_EQ (ids, sr_span_batch_count (b));
      *taken_spans += sr_span_batch_count (b);
      sr_span_batch_free (b);
    }
  }
  return NULL;
}

SR_TEST (test_concurrent_spans_none_lost)
{
  const char *full[] = { "queue_full" };
  pthread_t prod[PRODUCERS], exp;
  size_t exported = 0;
  double before;

  init_batch ("always_on", 1, 1024, 64);
  before = sr_metric_value (&sr_m_otel_spans_dropped, full);
  atomic_store (&producers_done, false);
  REQUIRE (0 == pthread_create (&exp, NULL, export_all, &exported));
  for (int i = 0; i < PRODUCERS; i++)
    REQUIRE (0 == pthread_create (&prod[i], NULL, produce, NULL));
  for (int i = 0; i < PRODUCERS; i++)
    pthread_join (prod[i], NULL);
  atomic_store (&producers_done, true);
  pthread_join (exp, NULL);
  CHECK (exported > 0);
  CHECK_INT_EQ (exported + (size_t) (sr_metric_value (&sr_m_otel_spans_dropped,
                                                      full) - before),
                PRODUCERS * SPANS_EACH);
}

#define IDS_PER_THREAD 20000

static uint64_t ids_seen[2 * IDS_PER_THREAD];

static void *
make_ids (void *cls)
{
  uint64_t *out = cls;

  for (int i = 0; i < IDS_PER_THREAD; i++)
    sr_ids_random_bytes ((uint8_t *) &out[i], sizeof (out[i]));
  return NULL;
}

static int
cmp_u64 (const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;

  return x < y ? -1 : x > y;
}

/* Request and span ids come from a generator per thread: two threads
 * (seeded apart) and many ids, and no two alike, none zero. */
SR_TEST (test_ids_unique_across_threads)
{
  pthread_t t[2];
  size_t dup = 0, zero = 0;

  for (int i = 0; i < 2; i++)
    REQUIRE (0 == pthread_create (&t[i], NULL, make_ids,
                                  ids_seen + i * IDS_PER_THREAD));
  for (int i = 0; i < 2; i++)
    pthread_join (t[i], NULL);
  qsort (ids_seen, 2 * IDS_PER_THREAD, sizeof (ids_seen[0]), cmp_u64);
  for (size_t i = 0; i < 2 * IDS_PER_THREAD; i++) {
    zero += 0 == ids_seen[i];
    dup += i > 0 && ids_seen[i] == ids_seen[i - 1];
  }
  CHECK_INT_EQ (zero, 0);
  CHECK_INT_EQ (dup, 0);
}

SR_TEST (test_otlp_json)
{
  struct sr_trace_ctx parent;
  struct sr_span s;
  struct sr_span_batch *b;
  json_t *j, *rs, *attrs, *span, *a;
  char *text;

  init ("always_on", 1, 64);
  REQUIRE (sr_trace_parse (TP, NULL, &parent));
  sr_span_start (&s, "POST", SR_SPAN_CLIENT, &parent);
  sr_span_set_str (&s, "url.full", "https://x/y?api_key=REDACTED");
  sr_span_set_int (&s, "http.response.status_code", 429);
  sr_span_set_int (&s, "signalroom.delta", -9007199254740993LL);
  sr_span_link (&s, &parent);
  sr_span_set_error (&s, true);
  sr_span_end (&s);
  b = sr_span_queue_take (0);
  REQUIRE (NULL != b && 1 == sr_span_batch_count (b));
  j = encode (b, NULL, "deployment.environment=test,"
                       "service.name=from-resource,bad");
  REQUIRE (NULL != j);
  rs = json_array_get (json_object_get (j, "resourceSpans"), 0);
  attrs = json_object_get (json_object_get (rs, "resource"), "attributes");
  text = json_dumps (attrs, JSON_COMPACT);
  /* without OTEL_SERVICE_NAME the resource attributes name the service */
  CHECK_CONTAINS (text, "{\"key\":\"service.name\",\"value\":"
                  "{\"stringValue\":\"from-resource\"}}");
  CHECK_CONTAINS (text, "{\"key\":\"deployment.environment\",\"value\":"
                  "{\"stringValue\":\"test\"}}");
  CHECK (NULL == strstr (text, "\"bad\""));
  free (text);
  span = json_array_get (json_object_get (json_array_get (
           json_object_get (rs, "scopeSpans"), 0), "spans"), 0);
  REQUIRE (NULL != span);
  CHECK_STR_EQ (json_string_value (json_object_get (span, "traceId")),
                "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK_STR_EQ (json_string_value (json_object_get (span, "parentSpanId")),
                "00f067aa0ba902b7");
  CHECK_INT_EQ (strlen (json_string_value (json_object_get (span,
                                                            "spanId"))), 16);
  CHECK_INT_EQ (json_integer_value (json_object_get (span, "kind")), 3);
  CHECK_INT_EQ (json_integer_value (json_object_get (json_object_get (
                  span, "status"), "code")), 2);
  CHECK (json_is_string (json_object_get (span, "startTimeUnixNano")));
  a = json_array_get (json_object_get (span, "attributes"), 1);
  /* proto3 JSON: a 64-bit integer is a string */
  CHECK_STR_EQ (json_string_value (json_object_get (json_object_get (
                  a, "value"), "intValue")), "429");
  a = json_array_get (json_object_get (span, "attributes"), 2);
  CHECK_STR_EQ (json_string_value (json_object_get (json_object_get (
                  a, "value"), "intValue")), "-9007199254740993");
  CHECK_STR_EQ (json_string_value (json_object_get (json_array_get (
                  json_object_get (span, "links"), 0), "spanId")),
                "00f067aa0ba902b7");
  json_decref (j);
  /* a key given again is kept once; spaces trimmed; values decoded */
  j = encode (b, NULL, " service.version = 9 ,x=a%2Cb");
  text = json_dumps (json_object_get (json_object_get (json_array_get (
           json_object_get (j, "resourceSpans"), 0), "resource"),
           "attributes"), JSON_COMPACT);
  CHECK_CONTAINS (text, "{\"key\":\"service.version\",\"value\":"
                  "{\"stringValue\":\"9\"}}");
  CHECK (NULL == strstr (strstr (text, "service.version") + 1,
                         "service.version"));
  CHECK_CONTAINS (text, "{\"key\":\"x\",\"value\":{\"stringValue\":"
                  "\"a,b\"}}");
  free (text);
  json_decref (j);
  /* JSON escaping, and a long value cut inside a character stays valid */
  {
    char longer[300];

    memset (longer, 'a', sizeof (longer));
    memcpy (longer + 126, "\xc3\xa9\xc3\xa9", 4);   /* é é across the cut */
    longer[sizeof (longer) - 1] = '\0';
    sr_span_start (&s, "quote\" back\\ nl\n tab\t", SR_SPAN_SERVER, NULL);
    sr_span_set_str (&s, "url.path", longer);
    sr_span_end (&s);
    REQUIRE (1 == take_all ());
    span = json_array_get (taken, 0);
    CHECK_STR_EQ (json_string_value (json_object_get (span, "name")),
                  "quote\" back\\ nl\n tab\t");
    CHECK_INT_EQ (strlen (json_string_value (json_object_get (json_object_get (
      json_array_get (json_object_get (span, "attributes"), 0), "value"),
      "stringValue"))), 126);
  }
  /* OTEL_SERVICE_NAME wins over the resource attributes */
  j = encode (b, "named", "service.name=other");
  text = json_dumps (j, JSON_COMPACT);
  CHECK_CONTAINS (text, "{\"stringValue\":\"named\"}");
  CHECK (NULL == strstr (text, "other"));
  free (text);
  json_decref (j);
  sr_span_batch_free (b);
}

/* A span that does not fit the room given is refused whole, never cut. */
SR_TEST (test_span_json_bounded)
{
  struct sr_span s;
  char out[SR_SPAN_JSON_MAX];
  size_t n;

  init ("always_on", 1, 64);
  sr_span_start (&s, "bounded", SR_SPAN_INTERNAL, NULL);
  sr_span_set_str (&s, "url.path", "/x");
  n = sr_span_json (&s, out, sizeof (out));
  CHECK (n > 100);
  CHECK_INT_EQ (sr_span_json (&s, out, n), n);
  CHECK_INT_EQ (sr_span_json (&s, out, n - 1), 0);
  CHECK_INT_EQ (sr_span_json (&s, out, 10), 0);
  s.recording = false;
  sr_span_end (&s);
}

SR_TEST (test_log_ids_follow_the_current_span)
{
  struct sr_trace_ctx parent;
  struct sr_span s;
  char tid[33], sid[17], want[17];

  init ("always_on", 1, 64);
  CHECK (!sr_trace_log_ids (tid, sid));
  REQUIRE (sr_trace_parse (TP, NULL, &parent));
  sr_span_start (&s, "x", SR_SPAN_SERVER, &parent);
  sr_trace_push (&s);
  CHECK (sr_trace_log_ids (tid, sid));
  CHECK_STR_EQ (tid, "4bf92f3577b34da6a3ce929d0e0e4736");
  hex (s.ctx.span_id, 8, want);
  CHECK_STR_EQ (sid, want);
  sr_trace_pop (&s);
  CHECK (!sr_trace_log_ids (tid, sid));
  sr_span_end (&s);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_traceparent_rules),
              SR_TEST_ENTRY (test_parent_and_child),
              SR_TEST_ENTRY (test_samplers),
              SR_TEST_ENTRY (test_queue_full_drops_and_counts),
              SR_TEST_ENTRY (test_a_full_batch_wakes_the_exporter),
              SR_TEST_ENTRY (test_concurrent_spans_none_lost),
              SR_TEST_ENTRY (test_ids_unique_across_threads),
              SR_TEST_ENTRY (test_otlp_json),
              SR_TEST_ENTRY (test_span_json_bounded),
              SR_TEST_ENTRY (test_log_ids_follow_the_current_span))
