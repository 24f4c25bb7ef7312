/*
 * test_tracing_api.c -- traces at a real OTLP/HTTP collector (the
 * simulator, tests/upstreams/otlp_collector.py): a request's traceparent
 * is continued; a sync queued by a traced request puts its job, sync,
 * upstream and database spans in that trace; log lines carry the ids; a
 * malformed traceparent starts a new trace; a hanging collector costs
 * requests nothing and the spans it cannot take are dropped and counted;
 * a request that starts its trace is known by the trace id.
 */
#include "check.h"
#include "collector.h"
#include "harness.h"
#include "upstreams.h"

#include <dirent.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET "tracing-api-secret-0123456789abcdef01234"
#define EF_KEY "ef-tracing-0123456789"
#define RT_KEY "rt-tracing-0123456789"
#define TRACE_A "4bf92f3577b34da6a3ce929d0e0e4736"
#define TRACE_B "0af7651916cd43dd8448eb211c80319c"
#define TRACE_C "5b8aa5a2d2c872e8321cf37308d69df2"
#define TRACE_D "6e0c63257de34c92bf9efcd03927272e"
#define TRACE_E "7f1d74368ef45da3c0a0fde14a38383f"
#define TRACE_F "802e8547f0056eb4d1b1e0f25b49494f"
#define TRACE_G "913f9658a1167fc5e2c2f1a36c5a5a5f"
#define PARENT "00f067aa0ba902b7"

static struct sr_th_server srv;
static struct sr_sim sim;
static struct sr_otlp otlp;
static char conninfo[1024];
static char *admin;
static bool up;

static void
env_with_db (struct sr_th_env *env, int collector_port, const char *db)
{
  char url[64];

  snprintf (url, sizeof (url), "http://127.0.0.1:%d", collector_port);
  sr_th_env_add (env, "DATABASE_URL", db);
  sr_th_env_add (env, "SIGNALROOM_JWT_SECRET", SECRET);
  sr_th_env_add (env, "OTEL_EXPORTER_OTLP_ENDPOINT", url);
  sr_th_env_add (env, "OTEL_BSP_SCHEDULE_DELAY", "50");
  sr_th_env_add (env, "OTEL_SERVICE_NAME", "signalroom-test");
  sr_th_env_add (env, "LOG_LEVEL", "info");
}

static void
base_env (struct sr_th_env *env, int collector_port)
{
  env_with_db (env, collector_port, conninfo);
}

SR_TEST (test_start)
{
  struct sr_th_env env = { 0 };

  if (!sr_th_create_db ("sr_tracing_api", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  REQUIRE (sr_otlp_start (&otlp, NULL));
  REQUIRE (sr_sim_start (&sim, EF_KEY, RT_KEY));
  base_env (&env, otlp.port);
  sr_sim_env (&sim, &env, EF_KEY, RT_KEY);
  sr_th_env_add (&env, "SIGNALROOM_WORKERS", "1");
  REQUIRE (sr_th_server_start (&srv, &env));
  REQUIRE (sr_th_await_ready (srv.port, 30));
  admin = sr_th_jwt (SECRET, "service_role", "authenticated", 3600);
  REQUIRE (NULL != admin);
  up = true;
}

/* The first span of @a spans named @a name, or NULL (borrowed). */
static json_t *
span_named (json_t *spans, const char *name)
{
  size_t i;
  json_t *s;

  json_array_foreach (spans, i, s)
    if (0 == strcmp (json_string_value (json_object_get (s, "name")), name))
      return s;
  return NULL;
}

/* The attribute @a key of @a span as text (string or integer), or NULL.
 * The simulator flattens attributes into an object. */
static const char *
attr (json_t *span, const char *key)
{
  static char num[32];
  json_t *v = json_object_get (json_object_get (span, "attributes"), key);

  if (json_is_string (v))
    return json_string_value (v);
  if (json_is_integer (v)) {
    snprintf (num, sizeof (num), "%" JSON_INTEGER_FORMAT,
              json_integer_value (v));
    return num;
  }
  return NULL;
}

SR_TEST (test_request_continues_the_callers_trace)
{
  struct sr_th_response r;
  json_t *spans, *s;

  REQUIRE (up);
  REQUIRE (sr_th_http (srv.port, "GET", "/healthz",
                       "traceparent: 00-" TRACE_A "-" PARENT "-01\r\n"
                       "tracestate: vendor=abc\r\n", NULL, 0, &r));
  CHECK_INT_EQ (r.status, 200);
  sr_th_response_clean (&r);
  spans = sr_otlp_await_spans (&otlp, TRACE_A, 1, 20);
  REQUIRE (NULL != spans);
  s = span_named (spans, "GET /healthz");
  REQUIRE (NULL != s);
  CHECK_STR_EQ (json_string_value (json_object_get (s, "parentSpanId")),
                PARENT);
  CHECK_INT_EQ (json_integer_value (json_object_get (s, "kind")), 2);
  CHECK_STR_EQ (attr (s, "http.route"), "/healthz");
  CHECK_STR_EQ (attr (s, "url.scheme"), "http");
  CHECK (NULL == attr (s, "error.type"));
  CHECK_STR_EQ (attr (s, "http.request.method"), "GET");
  CHECK_STR_EQ (attr (s, "http.response.status_code"), "200");
  CHECK_STR_EQ (json_string_value (json_object_get (s, "traceState")),
                "vendor=abc");
  CHECK_STR_EQ (json_string_value (json_object_get (
                  json_object_get (s, "resource"), "service.name")),
                "signalroom-test");
  json_decref (spans);
}

/* The span named @a name once @a trace_id has @a n spans (new
 * reference), or NULL. */
static json_t *
await_request_span (const char *trace_id, size_t n, const char *name)
{
  json_t *spans = sr_otlp_await_spans (&otlp, trace_id, n, 20);
  json_t *s = NULL == spans ? NULL : span_named (spans, name);

  json_incref (s);
  json_decref (spans);
  return s;
}

/* X-Request-Id: the trace id when the request starts its trace (so the
 * span does not carry it twice); otherwise its own id, on the span. */
SR_TEST (test_request_id_names_the_trace)
{
  struct sr_th_response r;
  char rid[80] = "";
  json_t *s;

  REQUIRE (up);
  REQUIRE (sr_th_http (srv.port, "GET", "/healthz", NULL, NULL, 0, &r));
  CHECK_INT_EQ (r.status, 200);
  if (NULL != sr_th_header (&r, "X-Request-Id"))
    snprintf (rid, sizeof (rid), "%s", sr_th_header (&r, "X-Request-Id"));
  sr_th_response_clean (&r);
  CHECK_INT_EQ (strlen (rid), 32);
  s = await_request_span (rid, 1, "GET /healthz");
  REQUIRE (NULL != s);
  CHECK (NULL == attr (s, "signalroom.request_id"));
  CHECK_STR_EQ (json_string_value (json_object_get (s, "parentSpanId")), "");
  json_decref (s);

  /* a continued trace is shared by many requests: each has its own id */
  REQUIRE (sr_th_http (srv.port, "GET", "/healthz",
                       "traceparent: 00-" TRACE_C "-" PARENT "-01\r\n",
                       NULL, 0, &r));
  snprintf (rid, sizeof (rid), "%s", sr_th_header (&r, "X-Request-Id")
                                      ? sr_th_header (&r, "X-Request-Id")
                                      : "");
  sr_th_response_clean (&r);
  CHECK_INT_EQ (strlen (rid), 32);
  CHECK (0 != strcmp (rid, TRACE_C));
  s = await_request_span (TRACE_C, 1, "GET /healthz");
  REQUIRE (NULL != s);
  CHECK_STR_EQ (attr (s, "signalroom.request_id"), rid);
  json_decref (s);

  /* the caller's own id is kept, and put on the span */
  REQUIRE (sr_th_http (srv.port, "GET", "/metrics",
                       "traceparent: 00-" TRACE_C "-" PARENT "-01\r\n"
                       "X-Request-Id: support-case.42\r\n", NULL, 0, &r));
  CHECK_STR_EQ (sr_th_header (&r, "X-Request-Id"), "support-case.42");
  sr_th_response_clean (&r);
  s = await_request_span (TRACE_C, 2, "GET /metrics");
  REQUIRE (NULL != s);
  CHECK_STR_EQ (attr (s, "signalroom.request_id"), "support-case.42");
  json_decref (s);
}

/* A 5xx answer marks the server span failed and names the error: here
 * /readyz of a server whose database does not answer (503). */
SR_TEST (test_failed_request_names_its_error)
{
  struct sr_th_server s2;
  struct sr_th_env env = { 0 };
  struct sr_th_response r;
  json_t *s;

  REQUIRE (up);
  env_with_db (&env, otlp.port,
               "postgresql://postgres@127.0.0.1:1/none?connect_timeout=1");
  sr_th_env_add (&env, "SIGNALROOM_WORKERS", "0");
  sr_th_env_add (&env, "SIGNALROOM_SCHEDULER", "false");
  REQUIRE (sr_th_server_start (&s2, &env));
  REQUIRE (sr_th_http (s2.port, "GET", "/readyz",
                       "traceparent: 00-" TRACE_F "-" PARENT "-01\r\n",
                       NULL, 0, &r));
  CHECK_INT_EQ (r.status, 503);
  sr_th_response_clean (&r);
  s = await_request_span (TRACE_F, 1, "GET /readyz");
  REQUIRE (NULL != s);
  CHECK_STR_EQ (attr (s, "http.response.status_code"), "503");
  CHECK_STR_EQ (attr (s, "error.type"), "503");
  CHECK_INT_EQ (json_integer_value (json_object_get (
                  json_object_get (s, "status"), "code")), 2);
  json_decref (s);
  CHECK (sr_th_server_stop (&s2, SIGTERM, 20000, NULL, NULL));
}

/* When a span is missing: what did arrive, what the server counted, and
 * its log's last lines (a rare failure here must explain itself). */
static void
dump_trace (json_t *spans)
{
  struct sr_th_response r;
  size_t i;
  json_t *s;
  char *log;

  fprintf (stderr, "spans of the trace at the collector:\n");
  json_array_foreach (spans, i, s)
    fprintf (stderr, "  %s\n", json_string_value (json_object_get (s, "name")));
  if (sr_th_http (srv.port, "GET", "/metrics", NULL, NULL, 0, &r)) {
    const char *p = r.body;

    while (NULL != p && NULL != (p = strstr (p, "\nsignalroom_otel_"))) {
      p++;
      fprintf (stderr, "%.*s\n", (int) strcspn (p, "\n"), p);
    }
    sr_th_response_clean (&r);
  }
  log = sr_th_server_log (&srv);
  if (NULL != log)
    fprintf (stderr, "server log (end):\n%s\n",
             strlen (log) > 4000 ? log + strlen (log) - 4000 : log);
  free (log);
}

/* POST /v1/syncs for everflow's @a day in trace @a trace_id, then the
 * trace's spans once the job's has come (new reference; NULL when the
 * collector never answered).  Spans arrive as they end: the job's last,
 * after its children. */
static json_t *
traced_everflow_sync (const char *trace_id, const char *day)
{
  struct sr_th_response r;
  char headers[2048], body[160];
  json_t *spans = NULL;

  snprintf (headers, sizeof (headers), "Authorization: Bearer %s\r\n"
            "Content-Type: application/json\r\n"
            "traceparent: 00-%s-" PARENT "-01\r\n", admin, trace_id);
  snprintf (body, sizeof (body), "{\"source\":\"everflow\",\"from\":\"%s\","
            "\"to\":\"%s\"}", day, day);
  if (!sr_th_http (srv.port, "POST", "/v1/syncs", headers, body,
                   strlen (body), &r))
    return NULL;
  CHECK_INT_EQ (r.status, 202);
  sr_th_response_clean (&r);
  for (double t0 = sr_th_now (); sr_th_now () - t0 < 30;) {
    json_decref (spans);
    spans = sr_otlp_spans (&otlp, trace_id);
    if (NULL != spans && NULL != span_named (spans, "job sync everflow"))
      break;
    (void) poll (NULL, 0, 50);   /* re-check interval, not a wait */
  }
  return spans;
}

/* A sync queued by a traced request: its job runs later, on a worker, and
 * still lands in the request's trace with its children. */
SR_TEST (test_sync_joins_the_request_trace)
{
  json_t *spans, *post, *job, *sync, *up_span = NULL, *db = NULL, *s;
  size_t i;
  char *log;

  REQUIRE (up);
  spans = traced_everflow_sync (TRACE_B, "2025-06-01");
  REQUIRE (NULL != spans);
  post = span_named (spans, "POST /v1/syncs");
  job = span_named (spans, "job sync everflow");
  sync = span_named (spans, "sync everflow");
  if (NULL == post || NULL == job || NULL == sync)
    dump_trace (spans);
  REQUIRE (NULL != post && NULL != job && NULL != sync);
  /* the job is the request's child, and linked to it */
  CHECK_STR_EQ (json_string_value (json_object_get (job, "parentSpanId")),
                json_string_value (json_object_get (post, "spanId")));
  CHECK_STR_EQ (json_string_value (json_object_get (json_array_get (
                  json_object_get (job, "links"), 0), "spanId")),
                json_string_value (json_object_get (post, "spanId")));
  CHECK_STR_EQ (json_string_value (json_object_get (sync, "parentSpanId")),
                json_string_value (json_object_get (job, "spanId")));
  CHECK_STR_EQ (attr (job, "signalroom.source"), "everflow");
  json_array_foreach (spans, i, s) {
    if (NULL != attr (s, "signalroom.upstream") && NULL == up_span)
      up_span = s;
    if (NULL != attr (s, "db.system") && NULL == db)
      db = s;
  }
  REQUIRE (NULL != up_span);
  CHECK_STR_EQ (attr (up_span, "signalroom.upstream"), "everflow");
  CHECK_INT_EQ (json_integer_value (json_object_get (up_span, "kind")), 3);
  CHECK (NULL != attr (up_span, "url.full")
         && NULL != strstr (attr (up_span, "url.full"), "127.0.0.1"));
  CHECK_STR_EQ (attr (up_span, "http.response.status_code"), "200");
  /* the upstream was told: the traceparent it received names this span */
  {
    char *reqs = sr_sim_get (sim.everflow_port, "/_sim/requests");
    char want[80];

    snprintf (want, sizeof (want), "\"traceparent\":\"00-%s-%s-01\"",
              TRACE_B, json_string_value (json_object_get (up_span,
                                                           "spanId")));
    CHECK (NULL != reqs && NULL != strstr (reqs, want));
    if (NULL != reqs && NULL == strstr (reqs, want))
      fprintf (stderr, "wanted %s in %.400s\n", want, reqs);
    free (reqs);
  }
  REQUIRE (NULL != db);
  CHECK_STR_EQ (attr (db, "db.system"), "postgresql");
  json_decref (spans);
  /* log lines inside those spans carry the trace id */
  log = sr_th_server_log (&srv);
  CHECK (NULL != log && NULL != strstr (log, "\"trace_id\":\"" TRACE_B "\""));
  free (log);
}

/* Each attempt at an upstream is a client span with the conventions'
 * attributes: where it went (server.address, server.port), a resend's
 * count, and a failed attempt's error.type. */
SR_TEST (test_upstream_attempts_in_the_trace)
{
  json_t *spans, *s, *failed = NULL, *resent = NULL;
  size_t i;
  char port[16];

  REQUIRE (up);
  CHECK (sr_sim_post (sim.everflow_port, "/_sim/faults",
                      "{\"faults\":[{\"status\":503,\"count\":1}]}", NULL));
  spans = traced_everflow_sync (TRACE_G, "2025-06-02");
  REQUIRE (NULL != spans);
  json_array_foreach (spans, i, s) {
    const char *st = attr (s, "http.response.status_code");

    if (NULL == attr (s, "signalroom.upstream") || NULL == st)
      continue;
    if (0 == strcmp (st, "503") && NULL == failed)
      failed = s;
    else if (0 == strcmp (st, "200") && NULL == resent)
      resent = s;
  }
  if (NULL == failed || NULL == resent)
    dump_trace (spans);
  REQUIRE (NULL != failed && NULL != resent);
  snprintf (port, sizeof (port), "%d", sim.everflow_port);
  CHECK_STR_EQ (attr (failed, "error.type"), "503");
  CHECK_STR_EQ (attr (failed, "server.address"), "127.0.0.1");
  CHECK_STR_EQ (attr (failed, "server.port"), port);
  CHECK (NULL == attr (failed, "http.request.resend_count"));
  CHECK_STR_EQ (attr (resent, "http.request.resend_count"), "1");
  CHECK_STR_EQ (attr (resent, "server.port"), port);
  CHECK (NULL == attr (resent, "error.type"));
  json_decref (spans);
}

SR_TEST (test_malformed_traceparent_starts_a_trace)
{
  struct sr_th_response r;
  json_t *spans, *s;
  size_t i;
  bool found = false;

  REQUIRE (up);
  REQUIRE (sr_th_http (srv.port, "GET", "/openapi.yaml",
                       "traceparent: 00-" TRACE_A "-zz-01\r\n", NULL, 0,
                       &r));
  CHECK_INT_EQ (r.status, 200);
  sr_th_response_clean (&r);
  for (double t0 = sr_th_now (); !found && sr_th_now () - t0 < 20;) {
    spans = sr_otlp_spans (&otlp, NULL);
    json_array_foreach (spans, i, s)
      if (0 == strcmp (json_string_value (json_object_get (s, "name")),
                       "GET /openapi.yaml")) {
        found = true;
        CHECK (0 != strcmp (json_string_value (json_object_get (
                              s, "traceId")), TRACE_A));
        CHECK (NULL == json_object_get (s, "parentSpanId")
               || 0 == strlen (json_string_value (json_object_get (
                                 s, "parentSpanId"))));
      }
    json_decref (spans);
    if (!found)
      (void) poll (NULL, 0, 50);
  }
  CHECK (found);
}

/* A collector that never answers: requests go on at their pace, the
 * small queue fills, and the spans it cannot hold are counted. */
SR_TEST (test_hanging_collector_costs_requests_nothing)
{
  struct sr_otlp stuck;
  struct sr_th_server s2;
  struct sr_th_env env = { 0 };
  struct sr_th_response r;
  double worst = 0, stop_s = 99;
  int status;

  REQUIRE (up);
  REQUIRE (sr_otlp_start (&stuck, NULL));
  CHECK (sr_otlp_post (&stuck, "/_sim/faults",
                       "{\"faults\":[{\"hang\":true,\"count\":1000}]}",
                       &status));
  base_env (&env, stuck.port);
  sr_th_env_add (&env, "SIGNALROOM_WORKERS", "0");
  sr_th_env_add (&env, "OTEL_BSP_MAX_QUEUE_SIZE", "16");
  sr_th_env_add (&env, "OTEL_EXPORTER_OTLP_TIMEOUT", "60000");
  REQUIRE (sr_th_server_start (&s2, &env));
  for (int i = 0; i < 200; i++) {
    double t0 = sr_th_now ();

    REQUIRE (sr_th_http (s2.port, "GET", "/healthz", NULL, NULL, 0, &r));
    CHECK_INT_EQ (r.status, 200);
    sr_th_response_clean (&r);
    if (sr_th_now () - t0 > worst)
      worst = sr_th_now () - t0;
  }
  CHECK (worst < 0.5);
  REQUIRE (sr_th_http (s2.port, "GET", "/metrics", NULL, NULL, 0, &r));
  CHECK (NULL != strstr (r.body, "\nsignalroom_otel_spans_dropped_total"
                                 "{reason=\"queue_full\"} "));
  sr_th_response_clean (&r);
  /* the export still hanging does not hold the shutdown either */
  CHECK (sr_th_server_stop (&s2, SIGTERM, 30000, NULL, &stop_s));
  CHECK (stop_s < 5);
  sr_otlp_post (&stuck, "/_sim/release", "{}", &status);
  sr_otlp_stop (&stuck);
}

/* The exporter thread runs below the request threads (nice 10), so an
 * export waits for a gap rather than preempting a request. */
SR_TEST (test_exporter_runs_below_requests)
{
  char path[320], line[512];
  int exporter_nice = -100, http_nice = -100;
  DIR *d;
  struct dirent *e;

  REQUIRE (up);
  snprintf (path, sizeof (path), "/proc/%d/task", (int) srv.pid);
  d = opendir (path);
  REQUIRE (NULL != d);
  while (NULL != (e = readdir (d))) {
    char comm[64] = "", *close;
    FILE *f;
    int nice = -100;

    if ('.' == e->d_name[0])
      continue;
    snprintf (path, sizeof (path), "/proc/%d/task/%s/stat", (int) srv.pid,
              e->d_name);
    if (NULL == (f = fopen (path, "r")))
      continue;
    /* pid (comm) state ppid ... field 19 is nice */
    if (NULL != fgets (line, sizeof (line), f)
        && NULL != (close = strrchr (line, ')'))) {
      char *open = strchr (line, '(');
      char *field = close + 2;

      if (NULL != open && (size_t) (close - open - 1) < sizeof (comm))
        memcpy (comm, open + 1, (size_t) (close - open - 1));
      for (int i = 3; i < 19 && NULL != field; i++) {
        field = strchr (field, ' ');
        if (NULL != field)
          field++;
      }
      if (NULL != field)
        nice = atoi (field);
    }
    fclose (f);
    if (0 == strcmp (comm, "sr-trace-export"))
      exporter_nice = nice;
    else if (0 == strcmp (comm, "MHD-worker"))
      http_nice = nice;
  }
  closedir (d);
  CHECK_INT_EQ (http_nice, 0);
  CHECK_INT_EQ (exporter_nice, 10);
}

/* GET /healthz of @a s in trace @a trace_id: how many spans of it came to
 * @a col (waiting for one). */
static size_t
traced_health_check (const struct sr_th_server *s, const struct sr_otlp *col,
                     const char *trace_id)
{
  struct sr_th_response r;
  char tp[80];
  json_t *spans;
  size_t n;

  snprintf (tp, sizeof (tp), "traceparent: 00-%s-" PARENT "-01\r\n",
            trace_id);
  if (!sr_th_http (s->port, "GET", "/healthz", tp, NULL, 0, &r))
    return 0;
  sr_th_response_clean (&r);
  spans = sr_otlp_await_spans (col, trace_id, 1, 20);
  n = json_array_size (spans);
  json_decref (spans);
  return n;
}

/* A collector that drops a kept-alive connection with an export unanswered:
 * libcurl sends the export again on a new connection, rewinding the body
 * it reads from the batch in place, and nothing is lost. */
SR_TEST (test_export_resent_after_a_dropped_connection)
{
  struct sr_otlp col;
  struct sr_th_server s2;
  struct sr_th_env env = { 0 };
  struct sr_th_response r;
  int status, before, after, accepted;

  REQUIRE (up);
  REQUIRE (sr_otlp_start (&col, NULL));
  base_env (&env, col.port);
  sr_th_env_add (&env, "SIGNALROOM_WORKERS", "0");
  REQUIRE (sr_th_server_start (&s2, &env));
  REQUIRE (sr_th_await_ready (s2.port, 30));
  /* the first export opens the connection the second one reuses */
  CHECK_INT_EQ (traced_health_check (&s2, &col, TRACE_D), 1);
  before = sr_otlp_request_count (&col, &accepted);
  CHECK (sr_otlp_post (&col, "/_sim/faults",
                       "{\"faults\":[{\"close\":true,\"count\":1}]}",
                       &status));
  CHECK_INT_EQ (traced_health_check (&s2, &col, TRACE_E), 1);
  after = sr_otlp_request_count (&col, &accepted);
  CHECK (after >= before + 2);    /* the dropped export and its resend */
  REQUIRE (sr_th_http (s2.port, "GET", "/metrics", NULL, NULL, 0, &r));
  CHECK (NULL == strstr (r.body, "reason=\"export_failed\"} 1"));
  sr_th_response_clean (&r);
  CHECK (sr_th_server_stop (&s2, SIGTERM, 20000, NULL, NULL));
  sr_otlp_stop (&col);
}

SR_TEST (test_exports_counted)
{
  struct sr_th_response r;
  int accepted = 0;

  REQUIRE (up);
  REQUIRE (sr_th_http (srv.port, "GET", "/metrics", NULL, NULL, 0, &r));
  CHECK (NULL != strstr (r.body, "\nsignalroom_otel_spans_exported_total "));
  CHECK (NULL == strstr (r.body, "\nsignalroom_otel_spans_exported_total "
                                 "0\n"));
  sr_th_response_clean (&r);
  CHECK (sr_otlp_request_count (&otlp, &accepted) >= 1);
  CHECK (accepted >= 1);
}

SR_TEST (test_stop)
{
  int code = -1;

  if (!up)
    return;
  CHECK (sr_th_server_stop (&srv, SIGTERM, 20000, &code, NULL));
  CHECK_INT_EQ (code, 0);
  sr_sim_stop (&sim);
  sr_otlp_stop (&otlp);
  free (admin);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_start),
              SR_TEST_ENTRY (test_request_continues_the_callers_trace),
              SR_TEST_ENTRY (test_request_id_names_the_trace),
              SR_TEST_ENTRY (test_sync_joins_the_request_trace),
              SR_TEST_ENTRY (test_upstream_attempts_in_the_trace),
              SR_TEST_ENTRY (test_failed_request_names_its_error),
              SR_TEST_ENTRY (test_malformed_traceparent_starts_a_trace),
              SR_TEST_ENTRY (test_hanging_collector_costs_requests_nothing),
              SR_TEST_ENTRY (test_exporter_runs_below_requests),
              SR_TEST_ENTRY (test_export_resent_after_a_dropped_connection),
              SR_TEST_ENTRY (test_exports_counted),
              SR_TEST_ENTRY (test_stop))
