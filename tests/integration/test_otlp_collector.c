/*
 * test_otlp_collector.c -- the OTLP/HTTP JSON collector simulator
 * (tests/upstreams/otlp_collector.py) behaves as its README documents:
 * valid exports are recorded and readable by trace id, every validation
 * rule refuses with 400 naming the path of the problem, 415/401/413,
 * gzip bodies, each fault kind, reset, request counts, a prompt SIGTERM
 * with requests held, and a log without header values.
 *
 * Every test starts its own collector through tests/support/collector.h.
 * Nothing sleeps to synchronise: waits poll the control API or a socket.
 */
#include "check.h"
#include "collector.h"
#include "harness.h"
#include "rawhttp.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TRACE_A "7a3f0c9e2b1d4e5fa6b7c8d9e0f1a2b3"
#define TRACE_B "0af7651916cd43dd8448eb211c80319c"
#define JSON_CT "Content-Type: application/json\r\n"
#define MIB (1024 * 1024)

/* A valid span of trace A; the validation cases edit one piece of it. */
#define SPAN_OK                                                            \
  "{\"traceId\":\"" TRACE_A "\",\"spanId\":\"1c2d3e4f5a6b7c8d\","          \
  "\"parentSpanId\":\"\",\"name\":\"GET /v1/syncs\",\"kind\":2,"           \
  "\"startTimeUnixNano\":\"1700000000000000000\","                         \
  "\"endTimeUnixNano\":\"1700000000250000000\","                           \
  "\"attributes\":[{\"key\":\"http.request.method\",\"value\":"            \
  "{\"stringValue\":\"GET\"}},{\"key\":\"http.response.status_code\","     \
  "\"value\":{\"intValue\":\"200\"}}],\"status\":{\"code\":1}}"

#define EXPORT_PREFIX                                                      \
  "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":"           \
  "\"service.name\",\"value\":{\"stringValue\":\"signalroom\"}}]},"        \
  "\"scopeSpans\":[{\"scope\":{\"name\":\"signalroom\"},\"spans\":["
#define EXPORT_SUFFIX "]}]}]}"

/* One export holding SPAN_OK. */
#define EXPORT_OK EXPORT_PREFIX SPAN_OK EXPORT_SUFFIX

/* ---- helpers ---- */

/* @a s with its first @a from replaced by @a to (caller frees). */
static char *
subst (const char *s, const char *from, const char *to)
{
  const char *at = strstr (s, from);
  size_t len = strlen (s) - strlen (from) + strlen (to) + 1;
  char *out;

  if (NULL == at) {
    fprintf (stderr, "subst: \"%s\" not in the template\n", from);
    return NULL;
  }
  out = malloc (len);
  if (NULL == out)
    abort ();
  snprintf (out, len, "%.*s%s%s", (int) (at - s), s, to, at + strlen (from));
  return out;
}

/* POST @a body to /v1/traces with @a headers ("Name: v\r\n"...). */
static int
export_with (const struct sr_otlp *c, const char *headers, const char *body,
             size_t len, json_t **answer)
{
  struct sr_th_response r;
  int status;

  if (NULL != answer)
    *answer = NULL;
  if (!sr_th_http (c->port, "POST", "/v1/traces", headers, body, len, &r))
    return 0;
  status = r.status;
  if (NULL != answer)
    *answer = json_loadb (r.body, r.body_len, 0, NULL);
  sr_th_response_clean (&r);
  return status;
}

static int
export (const struct sr_otlp *c, const char *body, json_t **answer)
{
  return export_with (c, JSON_CT, body, strlen (body), answer);
}

static const char *
jstr (const json_t *obj, const char *key)
{
  return json_string_value (json_object_get (obj, key));
}

static long long
jint (const json_t *obj, const char *key)
{
  return json_integer_value (json_object_get (obj, key));
}

static size_t
span_count (const struct sr_otlp *c, const char *trace_id)
{
  json_t *spans = sr_otlp_spans (c, trace_id);
  size_t n = json_array_size (spans);

  json_decref (spans);
  return NULL == spans ? (size_t) -1 : n;
}

/* Wait until the collector has received @a n export requests. */
static bool
await_requests (const struct sr_otlp *c, int n)
{
  double deadline = sr_th_now () + 10.0;

  while (sr_otlp_request_count (c, NULL) < n) {
    if (sr_th_now () > deadline)
      return false;
    (void) poll (NULL, 0, 10);
  }
  return true;
}

/* A raw export request on its own connection, its answer left unread.
 * @return the socket or -1 */
static int
export_async (const struct sr_otlp *c, const char *body)
{
  char head[256];
  int fd = sr_rh_connect (c->port);

  snprintf (head, sizeof (head), "POST /v1/traces HTTP/1.1\r\nHost: x\r\n"
            JSON_CT "Content-Length: %zu\r\nConnection: close\r\n\r\n",
            strlen (body));
  if (fd >= 0 && (!sr_rh_send (fd, head, strlen (head))
                  || !sr_rh_send (fd, body, strlen (body)))) {
    close (fd);
    fd = -1;
  }
  return fd;
}

static bool
queue_faults (const struct sr_otlp *c, const char *faults_json)
{
  return sr_otlp_post (c, "/_sim/faults", faults_json, NULL);
}

/* ---- recording ---- */

SR_TEST (test_valid_export_recorded)
{
  static const char body[] =
    "{\"resourceSpans\":["
    "{\"resource\":{\"attributes\":["
    "{\"key\":\"service.name\",\"value\":{\"stringValue\":\"signalroom\"}},"
    "{\"key\":\"deployment.environment\",\"value\":{\"stringValue\":\"test\"}}]},"
    "\"scopeSpans\":[{\"scope\":{\"name\":\"signalroom\",\"version\":\"0.1.0\"},"
    "\"spans\":["
    "{\"traceId\":\"" TRACE_A "\",\"spanId\":\"1c2d3e4f5a6b7c8d\","
    "\"name\":\"GET /v1/syncs\",\"kind\":2,"
    "\"startTimeUnixNano\":\"1700000000000000000\","
    "\"endTimeUnixNano\":\"1700000000250000000\",\"attributes\":["
    "{\"key\":\"http.request.method\",\"value\":{\"stringValue\":\"GET\"}},"
    "{\"key\":\"http.response.status_code\",\"value\":{\"intValue\":\"200\"}},"
    "{\"key\":\"n\",\"value\":{\"intValue\":-7}},"
    "{\"key\":\"b\",\"value\":{\"boolValue\":true}},"
    "{\"key\":\"d\",\"value\":{\"doubleValue\":0.5}},"
    "{\"key\":\"a\",\"value\":{\"arrayValue\":{\"values\":["
    "{\"intValue\":\"1\"},{\"stringValue\":\"x\"}]}}},"
    "{\"key\":\"kv\",\"value\":{\"kvlistValue\":{\"values\":["
    "{\"key\":\"k\",\"value\":{\"boolValue\":false}}]}}}],"
    "\"status\":{\"code\":1}},"
    /* numbers for the times, no attributes, a link, an event, an error
     * status and a field the collector does not know */
    "{\"traceId\":\"" TRACE_A "\",\"spanId\":\"00f067aa0ba902b7\","
    "\"parentSpanId\":\"1c2d3e4f5a6b7c8d\",\"traceState\":\"v=1\","
    "\"name\":\"everflow.entity_table\",\"kind\":3,"
    "\"startTimeUnixNano\":1700000000010000000,"
    "\"endTimeUnixNano\":1700000000010000000,"
    "\"links\":[{\"traceId\":\"" TRACE_B "\",\"spanId\":\"b7ad6b7169203331\","
    "\"attributes\":[{\"key\":\"why\",\"value\":{\"stringValue\":\"job\"}}]}],"
    "\"events\":[{\"timeUnixNano\":\"1700000000010000001\",\"name\":\"retry\"}],"
    "\"status\":{\"code\":2,\"message\":\"boom\"},\"droppedLinksCount\":0,"
    "\"someFutureField\":{\"x\":1}}]}]},"
    "{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":"
    "{\"stringValue\":\"worker\"}}]},"
    "\"scopeSpans\":[{\"scope\":{\"name\":\"jobs\"},\"spans\":["
    "{\"traceId\":\"" TRACE_B "\",\"spanId\":\"b7ad6b7169203331\","
    "\"name\":\"job sync\",\"kind\":1,"
    "\"startTimeUnixNano\":\"1700000001000000000\","
    "\"endTimeUnixNano\":\"1700000002000000000\",\"attributes\":[]}]}]}]}";
  struct sr_otlp c;
  json_t *answer, *all, *a, *b, *s, *attrs;
  int accepted;

  REQUIRE (sr_otlp_start (&c, NULL));
  CHECK_INT_EQ (export (&c, body, &answer), 200);
  CHECK (json_is_object (answer) && 0 == json_object_size (answer));
  json_decref (answer);

  all = sr_otlp_spans (&c, NULL);
  CHECK_INT_EQ (json_array_size (all), 3);
  CHECK_STR_EQ (jstr (json_array_get (all, 0), "name"), "GET /v1/syncs");
  CHECK_STR_EQ (jstr (json_array_get (all, 1), "name"),
                "everflow.entity_table");
  CHECK_STR_EQ (jstr (json_array_get (all, 2), "name"), "job sync");
  json_decref (all);

  a = sr_otlp_spans (&c, TRACE_A);
  b = sr_otlp_spans (&c, TRACE_B);
  CHECK_INT_EQ (json_array_size (a), 2);
  CHECK_INT_EQ (json_array_size (b), 1);
  CHECK_INT_EQ (span_count (&c, "ffffffffffffffffffffffffffffffff"), 0);

  s = json_array_get (a, 0);
  CHECK_STR_EQ (jstr (s, "traceId"), TRACE_A);
  CHECK_STR_EQ (jstr (s, "spanId"), "1c2d3e4f5a6b7c8d");
  CHECK_STR_EQ (jstr (s, "parentSpanId"), "");
  CHECK_INT_EQ (jint (s, "kind"), 2);
  CHECK_INT_EQ (jint (s, "startTimeUnixNano"), 1700000000000000000LL);
  CHECK_INT_EQ (jint (s, "endTimeUnixNano"), 1700000000250000000LL);
  CHECK_STR_EQ (jstr (s, "scope"), "signalroom");
  CHECK_STR_EQ (jstr (s, "scopeVersion"), "0.1.0");
  CHECK_STR_EQ (jstr (json_object_get (s, "resource"), "service.name"),
                "signalroom");
  CHECK_STR_EQ (jstr (json_object_get (s, "resource"),
                      "deployment.environment"), "test");
  attrs = json_object_get (s, "attributes");
  CHECK_STR_EQ (jstr (attrs, "http.request.method"), "GET");
  CHECK (json_is_integer (json_object_get (attrs,
                                           "http.response.status_code")));
  CHECK_INT_EQ (jint (attrs, "http.response.status_code"), 200);
  CHECK_INT_EQ (jint (attrs, "n"), -7);
  CHECK (json_is_true (json_object_get (attrs, "b")));
  CHECK (0.5 == json_real_value (json_object_get (attrs, "d")));
  CHECK_INT_EQ (json_integer_value (json_array_get (json_object_get (attrs,
                                                                     "a"),
                                                    0)), 1);
  CHECK_STR_EQ (json_string_value (json_array_get (json_object_get (attrs,
                                                                    "a"),
                                                   1)), "x");
  CHECK (json_is_false (json_object_get (json_object_get (attrs, "kv"),
                                         "k")));
  CHECK_INT_EQ (jint (json_object_get (s, "status"), "code"), 1);

  s = json_array_get (a, 1);
  CHECK_STR_EQ (jstr (s, "parentSpanId"), "1c2d3e4f5a6b7c8d");
  CHECK_STR_EQ (jstr (s, "traceState"), "v=1");
  CHECK_INT_EQ (jint (s, "kind"), 3);
  CHECK_INT_EQ (jint (s, "startTimeUnixNano"), 1700000000010000000LL);
  CHECK (json_is_object (json_object_get (s, "attributes"))
         && 0 == json_object_size (json_object_get (s, "attributes")));
  CHECK_STR_EQ (jstr (json_array_get (json_object_get (s, "links"), 0),
                      "traceId"), TRACE_B);
  CHECK_STR_EQ (jstr (json_object_get (json_array_get (json_object_get
                                                       (s, "links"), 0),
                                       "attributes"), "why"), "job");
  CHECK_STR_EQ (jstr (json_array_get (json_object_get (s, "events"), 0),
                      "name"), "retry");
  CHECK_INT_EQ (jint (json_object_get (s, "status"), "code"), 2);
  CHECK_STR_EQ (jstr (json_object_get (s, "status"), "message"), "boom");
  CHECK (NULL == json_object_get (s, "someFutureField"));

  s = json_array_get (b, 0);
  CHECK_STR_EQ (jstr (json_object_get (s, "resource"), "service.name"),
                "worker");
  CHECK_STR_EQ (jstr (s, "scope"), "jobs");
  CHECK_INT_EQ (jint (json_object_get (s, "status"), "code"), 0);
  json_decref (a);
  json_decref (b);

  CHECK_INT_EQ (sr_otlp_request_count (&c, &accepted), 1);
  CHECK_INT_EQ (accepted, 1);
  /* An export without spans is valid and adds nothing. */
  CHECK_INT_EQ (export (&c, "{\"resourceSpans\":[]}", NULL), 200);
  CHECK_INT_EQ (span_count (&c, NULL), 3);
  CHECK_INT_EQ (sr_otlp_request_count (&c, &accepted), 2);
  CHECK_INT_EQ (accepted, 2);
  sr_otlp_stop (&c);
}

/* ---- validation ---- */

struct bad_case {
  const char *from;         /* in SPAN_OK */
  const char *to;
  const char *where;        /* after "...spans[3]" in the message */
};

static const struct bad_case bad_spans[] = {
  { TRACE_A, "7a3f0c9e2b1d4e5fa6b7c8d9e0f1a2b", ".traceId: must be 32" },
  { TRACE_A, "7a3f0c9e2b1d4e5fa6b7c8d9e0f1a2b3ff", ".traceId: must be 32" },
  { TRACE_A, "7A3F0C9E2B1D4E5FA6B7C8D9E0F1A2B3", ".traceId: must be 32" },
  { TRACE_A, "7a3f0c9e2b1d4e5fa6b7c8d9e0f1a2bg", ".traceId: must be 32" },
  { TRACE_A, "00000000000000000000000000000000", ".traceId: must not be all" },
  { "\"" TRACE_A "\"", "123", ".traceId: must be a string" },
  { "\"traceId\":\"" TRACE_A "\",", "", ".traceId: is required" },
  { "1c2d3e4f5a6b7c8d", "1c2d3e4f5a6b7c8", ".spanId: must be 16" },
  { "1c2d3e4f5a6b7c8d", "0000000000000000", ".spanId: must not be all" },
  { "\"parentSpanId\":\"\"", "\"parentSpanId\":\"abc\"",
    ".parentSpanId: must be 16" },
  { "\"name\":\"GET /v1/syncs\",", "", ".name: is required" },
  { "\"GET /v1/syncs\"", "\"\"", ".name: must be a non-empty" },
  { "\"GET /v1/syncs\"", "7", ".name: must be a non-empty" },
  { "\"kind\":2", "\"kind\":6", ".kind: must be an integer 0..5" },
  { "\"kind\":2", "\"kind\":-1", ".kind: must be an integer 0..5" },
  { "\"kind\":2", "\"kind\":\"2\"", ".kind: must be an integer 0..5" },
  { "\"kind\":2,", "", ".kind: is required" },
  { "\"1700000000250000000\"", "\"1699999999999999999\"",
    ".endTimeUnixNano: is before startTimeUnixNano" },
  { "\"1700000000000000000\"", "\"17e17\"",
    ".startTimeUnixNano: must be a decimal string" },
  { "\"1700000000000000000\"", "1.7e18",
    ".startTimeUnixNano: must be a decimal string" },
  { "\"1700000000000000000\"", "\"0\"", ".startTimeUnixNano: out of range" },
  { "\"endTimeUnixNano\":\"1700000000250000000\",", "",
    ".endTimeUnixNano: is required" },
  { "\"attributes\":[", "\"attributes\":{\"a\":1},\"x\":[",
    ".attributes: must be an array" },
  { "{\"stringValue\":\"GET\"}", "\"GET\"",
    ".attributes[0].value: must be an object" },
  { "{\"stringValue\":\"GET\"}", "{\"stringValue\":5}",
    ".attributes[0].value.stringValue: must be a string" },
  { "{\"stringValue\":\"GET\"}", "{\"stringValue\":\"GET\",\"intValue\":\"1\"}",
    ".attributes[0].value: must have exactly one of" },
  { "{\"stringValue\":\"GET\"}", "{}",
    ".attributes[0].value: must have exactly one of" },
  { "{\"stringValue\":\"GET\"}", "{\"boolValue\":\"true\"}",
    ".attributes[0].value.boolValue: must be true or false" },
  { "{\"stringValue\":\"GET\"}", "{\"doubleValue\":\"fast\"}",
    ".attributes[0].value.doubleValue: must be a number" },
  { "{\"stringValue\":\"GET\"}",
    "{\"arrayValue\":{\"values\":[{\"boolValue\":1}]}}",
    ".attributes[0].value.arrayValue.values[0].boolValue: must be true" },
  { "{\"intValue\":\"200\"}", "{\"intValue\":\"2x0\"}",
    ".attributes[1].value.intValue: must be a decimal string" },
  { "{\"intValue\":\"200\"}", "{\"intValue\":\"9223372036854775808\"}",
    ".attributes[1].value.intValue: out of the int64 range" },
  { "\"http.response.status_code\"", "\"http.request.method\"",
    ".attributes[1].key: duplicate key" },
  { "{\"key\":\"http.request.method\",", "{",
    ".attributes[0].key: is required" },
  { "\"status\":{\"code\":1}", "\"status\":{\"code\":3}",
    ".status.code: must be an integer 0..2" },
  { "\"status\":{\"code\":1}", "\"status\":{\"code\":\"STATUS_CODE_OK\"}",
    ".status.code: must be an integer 0..2" },
  { "\"status\":{\"code\":1}",
    "\"links\":[{\"traceId\":\"" TRACE_B "\",\"spanId\":\"00\"}]",
    ".links[0].spanId: must be 16" },
  { "\"status\":{\"code\":1}",
    "\"links\":[{\"traceId\":\"" TRACE_B "0\",\"spanId\":\"1c2d3e4f5a6b7c8d\"}]",
    ".links[0].traceId: must be 32" },
  { "\"status\":{\"code\":1}", "\"events\":[{\"name\":\"e\"}]",
    ".events[0].timeUnixNano: is required" },
};

/* Whole bodies that are wrong above the spans. */
static const struct {
  const char *body;
  const char *message;      /* in the 400's message */
} bad_bodies[] = {
  { "{\"resourceSpans\":{}}", "resourceSpans: must be an array" },
  { "{\"resource_spans\":[]}", "resourceSpans: is required" },
  { "[]", "(body): must be an object" },
  { "{\"resourceSpans\":[{\"resource\":{}}]}",
    "resourceSpans[0].scopeSpans: is required" },
  { "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":{}}]}]}",
    "resourceSpans[0].scopeSpans[0].spans: must be an array" },
  { "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"a\","
    "\"value\":{\"intValue\":true}}]},\"scopeSpans\":[]}]}",
    "resourceSpans[0].resource.attributes[0].value.intValue: must be" },
  { "{\"resourceSpans\":[{\"scopeSpans\":[{\"scope\":{\"name\":1},"
    "\"spans\":[]}]}]}", "resourceSpans[0].scopeSpans[0].scope.name: must be" },
  { "{\"resourceSpans\":[", "body is not valid JSON" },
  { "{\"resourceSpans\":[],\"x\":NaN}", "body is not valid JSON" },
};

SR_TEST (test_validation_names_the_path)
{
  struct sr_otlp c;
  size_t n = 0;
  int accepted;

  REQUIRE (sr_otlp_start (&c, NULL));
  for (size_t i = 0; i < sizeof (bad_spans) / sizeof (bad_spans[0]); i++) {
    char *bad = subst (SPAN_OK, bad_spans[i].from, bad_spans[i].to);
    char *body;
    char want[256];
    json_t *answer;
    size_t len;

    CHECK (NULL != bad);
    if (NULL == bad)
      continue;
    /* The bad span is the 4th, after three good ones. */
    len = strlen (bad) + 3 * sizeof (SPAN_OK) + sizeof (EXPORT_PREFIX)
          + sizeof (EXPORT_SUFFIX) + 8;
    body = malloc (len);
    REQUIRE (NULL != body);
    snprintf (body, len, "%s%s,%s,%s,%s%s", EXPORT_PREFIX, SPAN_OK, SPAN_OK,
              SPAN_OK, bad, EXPORT_SUFFIX);
    snprintf (want, sizeof (want), "resourceSpans[0].scopeSpans[0].spans[3]%s",
              bad_spans[i].where);
    CHECK_INT_EQ (export (&c, body, &answer), 400);
    CHECK_CONTAINS (jstr (answer, "message"), want);
    CHECK (json_is_integer (json_object_get (answer, "code")));
    json_decref (answer);
    free (bad);
    free (body);
    n++;
  }
  for (size_t i = 0; i < sizeof (bad_bodies) / sizeof (bad_bodies[0]); i++) {
    json_t *answer;

    CHECK_INT_EQ (export (&c, bad_bodies[i].body, &answer), 400);
    CHECK_CONTAINS (jstr (answer, "message"), bad_bodies[i].message);
    json_decref (answer);
    n++;
  }
  /* Nothing of a refused export is kept, not even its good spans. */
  CHECK_INT_EQ (span_count (&c, NULL), 0);
  CHECK_INT_EQ (sr_otlp_request_count (&c, &accepted), (int) n);
  CHECK_INT_EQ (accepted, 0);
  /* The template itself is valid. */
  CHECK_INT_EQ (export (&c, EXPORT_OK, NULL), 200);
  CHECK_INT_EQ (span_count (&c, TRACE_A), 1);
  sr_otlp_stop (&c);
}

/* ---- HTTP-level refusals ---- */

SR_TEST (test_content_type)
{
  struct sr_otlp c;
  size_t len = strlen (EXPORT_OK);
  json_t *answer;

  REQUIRE (sr_otlp_start (&c, NULL));
  CHECK_INT_EQ (export_with (&c, NULL, EXPORT_OK, len, &answer), 415);
  CHECK_CONTAINS (jstr (answer, "message"), "application/json");
  json_decref (answer);
  CHECK_INT_EQ (export_with (&c, "Content-Type: text/plain\r\n", EXPORT_OK,
                             len, NULL), 415);
  CHECK_INT_EQ (export_with (&c, "Content-Type: application/x-protobuf\r\n",
                             EXPORT_OK, len, NULL), 415);
  CHECK_INT_EQ (span_count (&c, NULL), 0);
  CHECK_INT_EQ (export_with (&c, "Content-Type: application/json; "
                             "charset=utf-8\r\n", EXPORT_OK, len, NULL), 200);
  CHECK_INT_EQ (export_with (&c, "content-type: Application/JSON\r\n",
                             EXPORT_OK, len, NULL), 200);
  CHECK_INT_EQ (span_count (&c, NULL), 2);
  /* Only POST; other paths are not exports. */
  {
    struct sr_th_response r;
    int accepted;

    REQUIRE (sr_th_http (c.port, "GET", "/v1/traces", NULL, NULL, 0, &r));
    CHECK_INT_EQ (r.status, 405);
    CHECK_STR_EQ (sr_th_header (&r, "Allow"), "POST");
    sr_th_response_clean (&r);
    REQUIRE (sr_th_http (c.port, "POST", "/v1/metrics", JSON_CT, "{}", 2, &r));
    CHECK_INT_EQ (r.status, 404);
    sr_th_response_clean (&r);
    CHECK_INT_EQ (sr_otlp_request_count (&c, &accepted), 6);
    CHECK_INT_EQ (accepted, 2);
  }
  sr_otlp_stop (&c);
}

/* Read everything from @a fd until EOF or 10 s (caller frees). */
static char *
read_all (int fd)
{
  double deadline = sr_th_now () + 10.0;
  size_t cap = 65536, got = 0;
  char *buf = malloc (cap + 1);

  if (NULL == buf)
    return NULL;
  for (;;) {
    struct pollfd p = { .fd = fd, .events = POLLIN };
    ssize_t n;

    int rc;

    if (sr_th_now () > deadline)
      break;
    rc = poll (&p, 1, 100);
    if (rc < 0 && EINTR != errno)
      break;
    if (rc <= 0)
      continue;
    n = read (fd, buf + got, cap - got);
    if (n < 0 && (EINTR == errno || EAGAIN == errno))
      continue;
    if (n <= 0 || (got += (size_t) n) == cap)
      break;
  }
  buf[got] = '\0';
  return buf;
}

SR_TEST (test_required_headers)
{
  static const char *const args[] = {
    "--require-header", "Authorization=Bearer s3cr3t-t0ken",
    "--require-header", "X-Scope-OrgID=tenant-4711", NULL
  };
  struct sr_otlp c;
  size_t len = strlen (EXPORT_OK);
  const char *verbose = getenv ("SR_TEST_VERBOSE");
  int logpipe[2], saved_stderr;
  json_t *answer;
  char *log;
  bool up;

  /* The collector's stderr goes to a pipe this test reads. */
  REQUIRE (0 == pipe2 (logpipe, O_CLOEXEC));
  saved_stderr = dup (STDERR_FILENO);
  REQUIRE (saved_stderr >= 0);
  REQUIRE (dup2 (logpipe[1], STDERR_FILENO) >= 0);
  if (NULL == verbose)
    setenv ("SR_TEST_VERBOSE", "1", 1);
  up = sr_otlp_start (&c, args);
  if (NULL == verbose)
    unsetenv ("SR_TEST_VERBOSE");
  REQUIRE (dup2 (saved_stderr, STDERR_FILENO) >= 0);
  close (saved_stderr);
  close (logpipe[1]);
  if (!up)
    close (logpipe[0]);
  REQUIRE (up);

  CHECK_INT_EQ (export_with (&c, JSON_CT, EXPORT_OK, len, &answer), 401);
  CHECK_CONTAINS (jstr (answer, "message"), "Authorization");
  json_decref (answer);
  CHECK_INT_EQ (export_with (&c, JSON_CT "Authorization: Bearer s3cr3t-t0ken\r\n",
                             EXPORT_OK, len, &answer), 401);
  CHECK_CONTAINS (jstr (answer, "message"), "X-Scope-OrgID");
  json_decref (answer);
  CHECK_INT_EQ (export_with (&c, JSON_CT "Authorization: Bearer n0pe-v4lue\r\n"
                             "X-Scope-OrgID: tenant-4711\r\n", EXPORT_OK, len,
                             NULL), 401);
  CHECK_INT_EQ (export_with (&c, JSON_CT "Authorization: bearer s3cr3t-t0ken\r\n"
                             "X-Scope-OrgID: tenant-4711\r\n", EXPORT_OK, len,
                             NULL), 401);
  CHECK_INT_EQ (span_count (&c, NULL), 0);
  /* Header names in any case; the control API needs none. */
  CHECK_INT_EQ (export_with (&c, JSON_CT "authorization: Bearer s3cr3t-t0ken\r\n"
                             "x-scope-orgid: tenant-4711\r\n", EXPORT_OK, len,
                             NULL), 200);
  CHECK_INT_EQ (span_count (&c, NULL), 1);
  CHECK_INT_EQ (sr_otlp_stop_status (&c, SIGTERM), 0);

  /* One line per export, no header value anywhere. */
  log = read_all (logpipe[0]);
  close (logpipe[0]);
  REQUIRE (NULL != log);
  CHECK_CONTAINS (log, "POST /v1/traces 401");
  CHECK_CONTAINS (log, "POST /v1/traces 200 spans=1");
  CHECK (NULL == strstr (log, "s3cr3t"));
  CHECK (NULL == strstr (log, "tenant-4711"));
  CHECK (NULL == strstr (log, "n0pe-v4lue"));
  {
    size_t lines = 0;

    for (const char *p = strstr (log, "/v1/traces"); NULL != p;
         p = strstr (p + 1, "/v1/traces"))
      lines++;
    CHECK_INT_EQ (lines, 5);
  }
  free (log);
}

SR_TEST (test_body_limit)
{
  struct sr_otlp c;
  size_t len = strlen (EXPORT_OK);
  char *big = malloc (8 * MIB + 2);
  char head[256];
  struct sr_th_response r;
  double t0;

  REQUIRE (NULL != big);
  REQUIRE (sr_otlp_start (&c, NULL));
  /* Exactly 8 MiB (the export padded with spaces) is accepted ... */
  memcpy (big, EXPORT_OK, len);
  memset (big + len, ' ', 8 * MIB + 1 - len);
  big[8 * MIB + 1] = '\0';
  CHECK_INT_EQ (export_with (&c, JSON_CT, big, 8 * MIB, NULL), 200);
  /* ... one byte more is not, and the answer arrives whole. */
  CHECK_INT_EQ (export_with (&c, JSON_CT, big, 8 * MIB + 1, NULL), 413);
  CHECK_INT_EQ (span_count (&c, NULL), 1);
  free (big);
  /* A declared length over the limit is refused before any body byte. */
  snprintf (head, sizeof (head), "POST /v1/traces HTTP/1.1\r\nHost: x\r\n"
            JSON_CT "Content-Length: %d\r\n\r\n", 100 * MIB);
  t0 = sr_th_now ();
  CHECK_INT_EQ (sr_rh_request (c.port, head, strlen (head), 5000, &r, NULL),
                413);
  CHECK (sr_th_now () - t0 < 2.0);
  CHECK_CONTAINS (sr_th_header (&r, "Connection"), "close");
  sr_th_response_clean (&r);
  sr_otlp_stop (&c);
}

/* CRC-32 (IEEE) of @a p, for the gzip trailer. */
static uint32_t
crc32_of (const unsigned char *p, size_t n)
{
  uint32_t crc = 0xffffffffu;

  for (size_t i = 0; i < n; i++) {
    crc ^= p[i];
    for (int k = 0; k < 8; k++)
      crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

/* @a text as a gzip member of one stored (uncompressed) deflate block
 * (text shorter than 64 KiB); @return its length in @a out. */
static size_t
gzip_stored (const char *text, unsigned char *out)
{
  static const unsigned char header[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0,
                                            3 };
  size_t n = strlen (text), o = 0;
  uint32_t crc = crc32_of ((const unsigned char *) text, n);

  memcpy (out, header, sizeof (header));
  o = sizeof (header);
  out[o++] = 1; /* BFINAL, stored */
  out[o++] = (unsigned char) (n & 0xff);
  out[o++] = (unsigned char) (n >> 8);
  out[o++] = (unsigned char) (~n & 0xff);
  out[o++] = (unsigned char) ((~n >> 8) & 0xff);
  memcpy (out + o, text, n);
  o += n;
  for (int i = 0; i < 4; i++)
    out[o++] = (unsigned char) (crc >> (8 * i));
  for (int i = 0; i < 4; i++)
    out[o++] = (unsigned char) (n >> (8 * i));
  return o;
}

SR_TEST (test_gzip_body)
{
  struct sr_otlp c;
  unsigned char gz[4096];
  size_t n = gzip_stored (EXPORT_OK, gz);

  REQUIRE (sr_otlp_start (&c, NULL));
  CHECK_INT_EQ (export_with (&c, JSON_CT "Content-Encoding: gzip\r\n",
                             (const char *) gz, n, NULL), 200);
  CHECK_INT_EQ (span_count (&c, TRACE_A), 1);
  gz[20] ^= 1; /* a body byte: the CRC no longer matches */
  CHECK_INT_EQ (export_with (&c, JSON_CT "Content-Encoding: gzip\r\n",
                             (const char *) gz, n, NULL), 400);
  CHECK_INT_EQ (export_with (&c, JSON_CT "Content-Encoding: br\r\n",
                             EXPORT_OK, strlen (EXPORT_OK), NULL), 415);
  CHECK_INT_EQ (span_count (&c, NULL), 1);
  sr_otlp_stop (&c);
}

/* ---- faults ---- */

SR_TEST (test_fault_status)
{
  struct sr_otlp c;
  struct sr_th_response r;
  size_t len = strlen (EXPORT_OK);
  json_t *answer;
  int status, accepted;

  REQUIRE (sr_otlp_start (&c, NULL));
  REQUIRE (queue_faults (&c, "{\"faults\":[{\"status\":503,\"count\":2},"
                         "{\"status\":429},{\"status\":500}]}"));
  for (int i = 0; i < 3; i++) {
    REQUIRE (sr_th_http (c.port, "POST", "/v1/traces", JSON_CT, EXPORT_OK, len,
                         &r));
    CHECK_INT_EQ (r.status, i < 2 ? 503 : 429);
    CHECK_STR_EQ (sr_th_header (&r, "Retry-After"), "1");
    answer = json_loadb (r.body, r.body_len, 0, NULL);
    CHECK_CONTAINS (jstr (answer, "message"), i < 2 ? "503" : "429");
    json_decref (answer);
    sr_th_response_clean (&r);
  }
  REQUIRE (sr_th_http (c.port, "POST", "/v1/traces", JSON_CT, EXPORT_OK, len,
                       &r));
  CHECK_INT_EQ (r.status, 500);
  CHECK (NULL == sr_th_header (&r, "Retry-After"));
  sr_th_response_clean (&r);
  CHECK_INT_EQ (span_count (&c, NULL), 0);
  CHECK_INT_EQ (export (&c, EXPORT_OK, NULL), 200);
  CHECK_INT_EQ (span_count (&c, NULL), 1);
  CHECK_INT_EQ (sr_otlp_request_count (&c, &accepted), 5);
  CHECK_INT_EQ (accepted, 1);

  /* A fault is taken even by an export that would be refused anyway. */
  REQUIRE (queue_faults (&c, "{\"faults\":[{\"status\":502}]}"));
  CHECK_INT_EQ (export (&c, "not json", NULL), 502);
  CHECK_INT_EQ (export (&c, "not json", NULL), 400);

  /* Bad faults are refused, naming the problem; nothing is queued. */
  sr_otlp_post (&c, "/_sim/faults", "{\"faults\":[{\"status\":503},"
                "{\"status\":200}]}", &status);
  CHECK_INT_EQ (status, 400);
  sr_otlp_post (&c, "/_sim/faults", "{\"faults\":[{\"hang\":true,"
                "\"close\":true}]}", &status);
  CHECK_INT_EQ (status, 400);
  sr_otlp_post (&c, "/_sim/faults", "{\"faults\":[{\"delay_ms\":-1}]}",
                &status);
  CHECK_INT_EQ (status, 400);
  sr_otlp_post (&c, "/_sim/faults", "{\"faults\":[{\"status\":503,"
                "\"count\":0}]}", &status);
  CHECK_INT_EQ (status, 400);
  sr_otlp_post (&c, "/_sim/faults", "{\"faults\":[{\"drop\":true}]}",
                &status);
  CHECK_INT_EQ (status, 400);
  sr_otlp_post (&c, "/_sim/faults", "{\"faults\":{}}", &status);
  CHECK_INT_EQ (status, 400);
  REQUIRE (sr_th_http (c.port, "GET", "/_sim/faults", NULL, NULL, 0, &r));
  CHECK_STR_EQ (r.body, "{\"faults\":[]}");
  sr_th_response_clean (&r);
  CHECK_INT_EQ (export (&c, EXPORT_OK, NULL), 200);
  sr_otlp_stop (&c);
}

SR_TEST (test_fault_delay)
{
  struct sr_otlp c;
  double t0, took;
  int accepted;

  REQUIRE (sr_otlp_start (&c, NULL));
  REQUIRE (queue_faults (&c, "{\"faults\":[{\"delay_ms\":400}]}"));
  t0 = sr_th_now ();
  CHECK_INT_EQ (export (&c, EXPORT_OK, NULL), 200);
  took = sr_th_now () - t0;
  CHECK (took >= 0.4);
  CHECK (took < 5.0);
  CHECK_INT_EQ (span_count (&c, TRACE_A), 1);
  t0 = sr_th_now ();
  CHECK_INT_EQ (export (&c, EXPORT_OK, NULL), 200);
  CHECK (sr_th_now () - t0 < 0.4);
  CHECK_INT_EQ (sr_otlp_request_count (&c, &accepted), 2);
  CHECK_INT_EQ (accepted, 2);
  sr_otlp_stop (&c);
}

SR_TEST (test_fault_hang_and_release)
{
  struct sr_otlp c;
  struct sr_th_response r;
  json_t *spans;
  double t0;
  int fd, accepted, released = -1;

  REQUIRE (sr_otlp_start (&c, NULL));
  REQUIRE (queue_faults (&c, "{\"faults\":[{\"hang\":true}]}"));
  fd = export_async (&c, EXPORT_OK);
  REQUIRE (fd >= 0);
  REQUIRE (await_requests (&c, 1));
  /* Held: no answer ... */
  CHECK_INT_EQ (sr_rh_read_one (fd, 300, NULL), 0);
  /* ... while the control API and other exports are served at once. */
  t0 = sr_th_now ();
  spans = sr_otlp_spans (&c, NULL);
  CHECK_INT_EQ (json_array_size (spans), 0);
  json_decref (spans);
  CHECK_INT_EQ (export (&c, EXPORT_OK, NULL), 200);
  CHECK (sr_th_now () - t0 < 1.0);
  CHECK_INT_EQ (span_count (&c, NULL), 1);
  CHECK_INT_EQ (sr_rh_read_one (fd, 100, NULL), 0);

  /* Released, it is answered and processed normally. */
  REQUIRE (sr_th_http (c.port, "POST", "/_sim/release", NULL, "", 0, &r));
  CHECK_INT_EQ (r.status, 200);
  {
    json_t *j = json_loadb (r.body, r.body_len, 0, NULL);

    released = (int) jint (j, "released");
    json_decref (j);
  }
  CHECK_INT_EQ (released, 1);
  sr_th_response_clean (&r);
  CHECK_INT_EQ (sr_rh_read_one (fd, 5000, &r), 200);
  CHECK_STR_EQ (r.body, "{}");
  sr_th_response_clean (&r);
  close (fd);
  CHECK_INT_EQ (span_count (&c, NULL), 2);
  CHECK_INT_EQ (sr_otlp_request_count (&c, &accepted), 2);
  CHECK_INT_EQ (accepted, 2);

  /* A client that gave up before the release: nothing is recorded. */
  REQUIRE (queue_faults (&c, "{\"faults\":[{\"hang\":true}]}"));
  fd = export_async (&c, EXPORT_OK);
  REQUIRE (fd >= 0);
  REQUIRE (await_requests (&c, 3));
  close (fd);
  CHECK (sr_otlp_post (&c, "/_sim/release", "", NULL));
  CHECK_INT_EQ (export (&c, "{\"resourceSpans\":[]}", NULL), 200);
  CHECK_INT_EQ (span_count (&c, NULL), 2);
  CHECK_INT_EQ (sr_otlp_request_count (&c, &accepted), 4);
  CHECK_INT_EQ (accepted, 3);
  sr_otlp_stop (&c);
}

SR_TEST (test_fault_hang_then_reset_or_sigterm)
{
  struct sr_otlp c;
  char *rest = NULL;
  size_t len = 99;
  double t0;
  int fd, accepted;

  REQUIRE (sr_otlp_start (&c, NULL));
  /* A reset drops held requests: the connection closes unanswered. */
  REQUIRE (queue_faults (&c, "{\"faults\":[{\"hang\":true,\"count\":3}]}"));
  fd = export_async (&c, EXPORT_OK);
  REQUIRE (fd >= 0);
  REQUIRE (await_requests (&c, 1));
  CHECK (sr_otlp_post (&c, "/_sim/reset", "", NULL));
  CHECK (sr_rh_read_to_close (fd, 5000, &rest, &len));
  CHECK_INT_EQ (len, 0);
  free (rest);
  close (fd);
  CHECK_INT_EQ (sr_otlp_request_count (&c, &accepted), 0);
  CHECK_INT_EQ (span_count (&c, NULL), 0);

  /* SIGTERM with two requests held: exit 0 at once. */
  REQUIRE (queue_faults (&c, "{\"faults\":[{\"hang\":true,\"count\":2}]}"));
  {
    int fds[2] = { export_async (&c, EXPORT_OK), export_async (&c, EXPORT_OK) };

    REQUIRE (fds[0] >= 0 && fds[1] >= 0);
    REQUIRE (await_requests (&c, 2));
    t0 = sr_th_now ();
    CHECK_INT_EQ (sr_otlp_stop_status (&c, SIGTERM), 0);
    CHECK (sr_th_now () - t0 < 3.0);
    for (int i = 0; i < 2; i++) {
      CHECK (sr_rh_read_to_close (fds[i], 5000, NULL, NULL));
      close (fds[i]);
    }
  }
}

SR_TEST (test_fault_close)
{
  struct sr_otlp c;
  char *rest = NULL;
  size_t len = 99;
  int fd, accepted;

  REQUIRE (sr_otlp_start (&c, NULL));
  REQUIRE (queue_faults (&c, "{\"faults\":[{\"close\":true,\"count\":2}]}"));
  fd = export_async (&c, EXPORT_OK);
  REQUIRE (fd >= 0);
  CHECK (sr_rh_read_to_close (fd, 5000, &rest, &len));
  CHECK_INT_EQ (len, 0);
  free (rest);
  close (fd);
  {
    struct sr_th_response r;

    /* harness's client: no parseable response at all */
    CHECK (!sr_th_http (c.port, "POST", "/v1/traces", JSON_CT, EXPORT_OK,
                        strlen (EXPORT_OK), &r));
    sr_th_response_clean (&r);
  }
  CHECK_INT_EQ (export (&c, EXPORT_OK, NULL), 200);
  CHECK_INT_EQ (span_count (&c, NULL), 1);
  CHECK_INT_EQ (sr_otlp_request_count (&c, &accepted), 3);
  CHECK_INT_EQ (accepted, 1);
  sr_otlp_stop (&c);
}

/* ---- reset, counts, waiting ---- */

SR_TEST (test_reset)
{
  struct sr_otlp c;
  struct sr_th_response r;
  int accepted;

  REQUIRE (sr_otlp_start (&c, NULL));
  CHECK_INT_EQ (export (&c, EXPORT_OK, NULL), 200);
  CHECK_INT_EQ (export (&c, "{}", NULL), 400);
  REQUIRE (queue_faults (&c, "{\"faults\":[{\"status\":503,\"count\":5}]}"));
  CHECK_INT_EQ (sr_otlp_request_count (&c, &accepted), 2);
  CHECK_INT_EQ (accepted, 1);
  CHECK (sr_otlp_post (&c, "/_sim/reset", "{}", NULL));
  CHECK_INT_EQ (span_count (&c, NULL), 0);
  CHECK_INT_EQ (sr_otlp_request_count (&c, &accepted), 0);
  CHECK_INT_EQ (accepted, 0);
  REQUIRE (sr_th_http (c.port, "GET", "/_sim/faults", NULL, NULL, 0, &r));
  CHECK_STR_EQ (r.body, "{\"faults\":[]}");
  sr_th_response_clean (&r);
  CHECK_INT_EQ (export (&c, EXPORT_OK, NULL), 200);
  CHECK_INT_EQ (sr_otlp_request_count (&c, &accepted), 1);
  CHECK_INT_EQ (accepted, 1);
  /* Unknown control endpoints are 404s, not exports. */
  REQUIRE (sr_th_http (c.port, "GET", "/_sim/nothing", NULL, NULL, 0, &r));
  CHECK_INT_EQ (r.status, 404);
  sr_th_response_clean (&r);
  CHECK_INT_EQ (sr_otlp_request_count (&c, NULL), 1);
  sr_otlp_stop (&c);
}

SR_TEST (test_await_spans)
{
  struct sr_otlp c;
  struct sr_th_response r;
  json_t *spans;
  double t0;
  int fd;

  REQUIRE (sr_otlp_start (&c, NULL));
  /* Nothing comes: the (empty) array after the timeout. */
  t0 = sr_th_now ();
  spans = sr_otlp_await_spans (&c, TRACE_A, 1, 0.3);
  CHECK (json_is_array (spans) && 0 == json_array_size (spans));
  CHECK (sr_th_now () - t0 >= 0.3);
  CHECK (sr_th_now () - t0 < 2.0);
  json_decref (spans);

  /* A span that lands while waiting ends the wait. */
  REQUIRE (queue_faults (&c, "{\"faults\":[{\"delay_ms\":300}]}"));
  fd = export_async (&c, EXPORT_OK);
  REQUIRE (fd >= 0);
  t0 = sr_th_now ();
  spans = sr_otlp_await_spans (&c, TRACE_A, 1, 10.0);
  CHECK_INT_EQ (json_array_size (spans), 1);
  CHECK (sr_th_now () - t0 < 5.0);
  json_decref (spans);
  CHECK_INT_EQ (sr_rh_read_one (fd, 5000, &r), 200);
  sr_th_response_clean (&r);
  close (fd);

  /* Enough already there: no wait; other traces do not count. */
  t0 = sr_th_now ();
  spans = sr_otlp_await_spans (&c, NULL, 1, 10.0);
  CHECK_INT_EQ (json_array_size (spans), 1);
  json_decref (spans);
  spans = sr_otlp_await_spans (&c, TRACE_B, 1, 0.2);
  CHECK_INT_EQ (json_array_size (spans), 0);
  json_decref (spans);
  CHECK (sr_th_now () - t0 < 2.0);
  sr_otlp_stop (&c);
  /* A stopped collector: NULL, not a hang. */
  CHECK (NULL == sr_otlp_spans (&c, NULL));
  CHECK (NULL == sr_otlp_await_spans (&c, NULL, 1, 0.2));
  CHECK_INT_EQ (sr_otlp_request_count (&c, NULL), -1);
}

SR_TEST (test_start_and_stop)
{
  struct sr_otlp c, other;

  REQUIRE (sr_otlp_start (&c, NULL));
  REQUIRE (sr_otlp_start (&other, NULL));
  CHECK (c.port != other.port);
  CHECK_INT_EQ (sr_otlp_stop_status (&other, SIGINT), 0);
  CHECK_INT_EQ (sr_otlp_stop_status (&c, SIGTERM), 0);
  CHECK_INT_EQ (sr_otlp_stop_status (&c, SIGTERM), -1);
  sr_otlp_stop (&c); /* harmless twice */
  /* A bad argument: it never prints its port, and start says so. */
  CHECK (!sr_otlp_start (&c, (const char *[]){ "--require-header", "novalue",
                                               NULL }));
  CHECK_INT_EQ (c.pid, 0);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_start_and_stop),
              SR_TEST_ENTRY (test_valid_export_recorded),
              SR_TEST_ENTRY (test_validation_names_the_path),
              SR_TEST_ENTRY (test_content_type),
              SR_TEST_ENTRY (test_required_headers),
              SR_TEST_ENTRY (test_body_limit),
              SR_TEST_ENTRY (test_gzip_body),
              SR_TEST_ENTRY (test_fault_status),
              SR_TEST_ENTRY (test_fault_delay),
              SR_TEST_ENTRY (test_fault_hang_and_release),
              SR_TEST_ENTRY (test_fault_hang_then_reset_or_sigterm),
              SR_TEST_ENTRY (test_fault_close),
              SR_TEST_ENTRY (test_reset),
              SR_TEST_ENTRY (test_await_spans))
