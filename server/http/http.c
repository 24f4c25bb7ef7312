/*
 * http.c -- libmicrohttpd glue and the request life cycle.
 *
 * MHD calls us in this order for every connection and request:
 *   0. on_connection(): a connection opened (or closed); its deadlines
 *                      live in http_guard.c;
 *   1. uri_logged():   the raw request target; we allocate the sr_request
 *                      here so even requests MHD later rejects are counted
 *                      and freed in one place;
 *   2. on_request():   first call with the headers (all checks run, an
 *                      early error is queued at once so the body is never
 *                      read), then once per body chunk, then a last call
 *                      with no data, where the handler runs -- here for a
 *                      SR_ROUTE_NO_DB route, otherwise on an API thread:
 *                      the connection is suspended, the job queued, and
 *                      the job resumes it once the reply is staged, which
 *                      brings MHD back here to send it;
 *   3. on_completed(): access log line, then the context is freed.
 * Only this file and router.c know about MHD or path templates.
 *
 * Shutdown: sr_http_stop() quiesces the daemon (no new connections),
 * waits on a condition variable until the in-flight count reaches zero or
 * the grace period ends, stops the API pool (requests still queued are
 * answered 503), then stops MHD, which closes idle keep-alive connections
 * and joins its threads.
 */
#include "http.h"
#include "clock.h"
#include "api_pool.h"
#include "cors.h"
#include "http_guard.h"
#include "log.h"
#include "mem.h"
#include "metrics.h"
#include "trace.h"
#include "ids.h"
#include "ratelimit.h"
#include "reply.h"
#include "utf8.h"
#include "waiter.h"

#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/* Open files the process needs besides HTTP connections: the log, epoll
 * and wake-up descriptors of every thread, libcurl, the migrator,
 * listener and keeper connections.  Database connections of API threads
 * and workers are added per thread. */
#define FD_RESERVE 128

/* Refused requests (4xx, busy, aborted) whose access line is written: a
 * burst, then a trickle; the rest are counted in the summary. */
#define REFUSED_LOG_BURST 100.0
#define REFUSED_LOG_PER_S 20.0
/* The same for libmicrohttpd's own messages. */
#define LIBRARY_LOG_BURST 20.0
#define LIBRARY_LOG_PER_S 2.0
/* How often the "http summary" line may appear. */
#define SUMMARY_MS 10000u
/* After the grace period, how long a handler still running on an API
 * thread may take before the server is left to the process exit. */
#define API_STOP_WAIT_MS 2000u

struct sr_http {
  struct MHD_Daemon *daemon;
  struct sr_app *app;
  struct sr_api_pool *pool;
  struct sr_http_guard *guard;
  struct sr_ratelimit refused_log;
  struct sr_ratelimit library_log;
  unsigned int port;
  size_t keepalive_max;
  pthread_mutex_t lock;         /* only for the wait for idle */
  pthread_cond_t idle;
  atomic_uint in_flight;        /* atomic: both HTTP threads change it on
                                 * every request, and a mutex around it
                                 * put them to sleep on each other */
};

/* Per-request transport state kept next to the public context. */
struct conn_state {
  struct sr_request req;      /* first: handlers see only this */
  struct sr_api_job job;      /* when the handler runs on an API thread */
  struct sr_http *srv;
  struct MHD_Connection *conn;
  struct sr_http_guard_conn *guard;
  size_t raw_uri_len;
  size_t query_params_cut;    /* parameters of a query cut unread */
  bool raw_uri_has_nul;       /* in the path */
  bool started;               /* first access-handler call done */
  bool queued;                /* a response was queued */
  bool dispatched;            /* the handler ran */
  bool early_error;           /* a check failed; the reply is staged */
  bool must_close;            /* framing was ambiguous: close after reply */
  bool suspended;             /* handed to the API pool */
  bool api_done;              /* ... which staged the reply */
  struct sr_span span;        /* the request's server span (trace.h) */
};

/* ---- request accessors (declared in request.h) ---- */

const char *
sr_request_query (const struct sr_request *req, const char *name)
{
  return MHD_lookup_connection_value (req->connection,
                                      MHD_GET_ARGUMENT_KIND, name);
}

const char *
sr_request_header (const struct sr_request *req, const char *name)
{
  return MHD_lookup_connection_value (req->connection, MHD_HEADER_KIND,
                                      name);
}

const char *
sr_request_path_param (const struct sr_request *req, size_t i)
{
  return i < req->n_path_params ? req->path_params[i] : NULL;
}

enum sr_status
sr_request_body_json (const struct sr_request *req, json_t **out, char *why,
                      size_t whylen)
{
  json_error_t jerr;

  *out = json_loadb (sr_buf_str (&req->body), req->body.len,
                     JSON_REJECT_DUPLICATES, &jerr);
  if (NULL == *out) {
    snprintf (why, whylen, "body is not valid JSON: %s (line %d, column %d)",
              jerr.text, jerr.line, jerr.column);
    return SR_E_BAD_JSON;
  }
  return SR_OK;
}

/* ---- helpers ---- */

/* The request's id: the caller's X-Request-Id when it is harmless in logs
 * and headers; else, for a request that starts its trace, the trace id
 * (the id a user quotes from X-Request-Id finds the trace as it is, and
 * the span need not carry it twice); else a new random one.  An id other
 * than the trace id goes on the span as signalroom.request_id. */
static void
request_id_init (struct conn_state *cs, const char *given)
{
  static const char hex[] = "0123456789abcdef";
  struct sr_request *req = &cs->req;
  uint8_t rnd[16];
  size_t len = given ? strlen (given) : 0;
  bool ok = len > 0 && len <= SR_REQUEST_ID_MAX;

  for (size_t i = 0; ok && i < len; i++)
    ok = NULL != strchr ("abcdefghijklmnopqrstuvwxyz"
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-",
                         given[i]);
  if (ok) {
    memcpy (req->request_id, given, len + 1);
  } else if (sr_span_root_trace_id (&cs->span, req->request_id)) {
    return;
  } else {
    sr_ids_random_bytes (rnd, sizeof (rnd));
    for (size_t i = 0; i < sizeof (rnd); i++) {
      req->request_id[2 * i] = hex[rnd[i] >> 4];
      req->request_id[2 * i + 1] = hex[rnd[i] & 15];
    }
    req->request_id[2 * sizeof (rnd)] = '\0';
  }
  sr_span_set_str (&cs->span, "signalroom.request_id", req->request_id);
}

/* Headers that may appear once.  With two, which one counts is up to
 * whoever reads them -- us, libmicrohttpd (the first), a proxy in front
 * (perhaps the last) -- and a request that means different things to two
 * parsers is how requests are smuggled. */
enum singleton {
  H_CONTENT_LENGTH,
  H_TRANSFER_ENCODING,
  H_AUTHORIZATION,
  H_CONTENT_TYPE,
  H_HOST,
  H_REQUEST_ID,
  H_IDEMPOTENCY_KEY,
  N_SINGLETONS
};

static const char *const singleton_names[N_SINGLETONS] = {
  [H_CONTENT_LENGTH] = MHD_HTTP_HEADER_CONTENT_LENGTH,
  [H_TRANSFER_ENCODING] = MHD_HTTP_HEADER_TRANSFER_ENCODING,
  [H_AUTHORIZATION] = MHD_HTTP_HEADER_AUTHORIZATION,
  [H_CONTENT_TYPE] = MHD_HTTP_HEADER_CONTENT_TYPE,
  [H_HOST] = MHD_HTTP_HEADER_HOST,
  [H_REQUEST_ID] = "X-Request-Id",
  [H_IDEMPOTENCY_KEY] = "Idempotency-Key",
};

struct header_scan {
  size_t bytes;
  unsigned int seen[N_SINGLETONS];
};

static enum MHD_Result
scan_header (void *cls, enum MHD_ValueKind kind, const char *key,
             size_t key_size, const char *value, size_t value_size)
{
  struct header_scan *s = cls;

  (void) kind;
  (void) value;
  s->bytes += key_size + value_size + 4;
  for (int i = 0; i < N_SINGLETONS; i++)
    if (0 == strcasecmp (key, singleton_names[i]))
      s->seen[i]++;
  return MHD_YES;
}

/* Content-Length or chunked, once, never both, and no other transfer
 * coding: anything else is refused and the connection closed, since
 * where this request ends (and the next begins) is in doubt. */
static enum sr_status
check_framing (struct conn_state *cs, const struct header_scan *hs)
{
  struct sr_request *req = &cs->req;
  const char *te = MHD_lookup_connection_value (
    cs->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);

  cs->must_close = true;
  if (hs->seen[H_CONTENT_LENGTH] > 1)
    return sr_reply_fail (req, SR_E_BAD_HEADER,
                          "Content-Length appears %u times",
                          hs->seen[H_CONTENT_LENGTH]);
  if (hs->seen[H_TRANSFER_ENCODING] > 1)
    return sr_reply_fail (req, SR_E_BAD_HEADER,
                          "Transfer-Encoding appears %u times",
                          hs->seen[H_TRANSFER_ENCODING]);
  if (NULL != te && 0 != strcasecmp (te, "chunked"))
    return sr_reply_fail (req, SR_E_BAD_HEADER,
                          "Transfer-Encoding \"%.40s\" is not supported "
                          "(only chunked)", te);
  if (NULL != te && hs->seen[H_CONTENT_LENGTH] > 0)
    return sr_reply_fail (req, SR_E_BAD_HEADER,
                          "Content-Length together with Transfer-Encoding: "
                          "send one or the other");
  cs->must_close = false;
  for (int i = 0; i < N_SINGLETONS; i++)
    if (hs->seen[i] > 1)
      return sr_reply_fail (req, SR_E_BAD_HEADER,
                            "header %s appears %u times", singleton_names[i],
                            hs->seen[i]);
  return SR_OK;
}

struct query_check {
  const struct sr_route *route;
  unsigned long long seen;    /* bit i: the route's query[i] was given */
  enum sr_status st;          /* SR_OK until a parameter is refused */
  const char *name;           /* the refused one's name, when printable */
  const char *why;
};

/* One query parameter: a printable name the route knows, a value, once.
 * MHD decodes %00 to a NUL that would silently end a value early; the
 * lengths it reports show it. */
static enum MHD_Result
check_query_arg (void *cls, enum MHD_ValueKind kind, const char *key,
                 size_t key_size, const char *value, size_t value_size)
{
  struct query_check *q = cls;
  int idx;

  (void) kind;
  if (strlen (key) != key_size || !sr_utf8_valid (key, key_size)) {
    q->st = SR_E_BAD_PARAM;
    q->why = "a query parameter name holds a NUL byte or is not valid "
             "UTF-8";
    return MHD_NO;
  }
  q->name = key;
  if (NULL != value && (strlen (value) != value_size
                        || !sr_utf8_valid (value, value_size))) {
    q->st = SR_E_BAD_PARAM;
    q->why = "holds a NUL byte or is not valid UTF-8";
    return MHD_NO;
  }
  idx = sr_router_query_index (q->route, key);
  if (idx < 0) {
    q->st = SR_E_UNKNOWN_PARAM;
    q->why = "is not accepted by this route";
    return MHD_NO;
  }
  if (NULL == value || 0 == value_size) {
    q->st = SR_E_BAD_PARAM;
    q->why = "has no value";
    return MHD_NO;
  }
  if (idx < 64 && 0 != (q->seen & (1ull << idx))) {
    q->st = SR_E_BAD_PARAM;
    q->why = "is given more than once";
    return MHD_NO;
  }
  if (idx < 64)
    q->seen |= 1ull << idx;
  return MHD_YES;
}

static enum sr_status
check_query (struct conn_state *cs)
{
  struct sr_request *req = &cs->req;
  struct query_check qc = { .route = req->route, .st = SR_OK };

  MHD_get_connection_values_n (cs->conn, MHD_GET_ARGUMENT_KIND,
                               check_query_arg, &qc);
  if (SR_OK == qc.st)
    return SR_OK;
  if (NULL == qc.name)
    return sr_reply_fail (req, qc.st, "%s", qc.why);
  if (SR_E_UNKNOWN_PARAM == qc.st)
    return sr_reply_param_fail (
      req, qc.st, qc.name,
      "this route does not accept the query parameter \"%s\"", qc.name);
  return sr_reply_param_fail (req, qc.st, qc.name,
                              "query parameter \"%s\" %s", qc.name, qc.why);
}

/* Media type of a Content-Type value, lower-cased, without parameters;
 * NULL when the value names a charset other than UTF-8. */
static char *
media_type (const char *value)
{
  size_t n = strcspn (value, ";");
  const char *params = value + n;
  char *mt;

  while (n > 0 && (' ' == value[n - 1] || '\t' == value[n - 1]))
    n--;
  while (n > 0 && (' ' == *value || '\t' == *value)) {
    value++;
    n--;
  }
  mt = sr_xstrndup (value, n);
  for (char *p = mt; *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      *p = (char) (*p - 'A' + 'a');
  {
    const char *cs = strcasestr (params, "charset=");

    if (NULL != cs) {
      cs += 8;
      if ('"' == *cs)
        cs++;
      if (0 != strncasecmp (cs, "utf-8", 5) && 0 != strncasecmp (cs, "utf8",
                                                                   4)) {
        free (mt);
        return NULL;
      }
    }
  }
  return mt;
}

static enum sr_status
check_auth (struct conn_state *cs)
{
  struct sr_request *req = &cs->req;
  const struct sr_route *route = req->route;
  const char *reason = NULL;
  const char *authz;
  enum sr_status st;
  char challenge[256];

  if (SR_AUTH_PUBLIC == route->policy)
    return SR_OK;
  if (NULL == req->app->auth)
    return sr_reply_fail (req, SR_E_AUTH_UNCONFIGURED,
                             "this route needs a verified token, but no JWT "
                             "key is configured (set SIGNALROOM_JWT_SECRET "
                             "or SIGNALROOM_JWT_PUBLIC_KEY)");
  authz = MHD_lookup_connection_value (cs->conn, MHD_HEADER_KIND,
                                       MHD_HTTP_HEADER_AUTHORIZATION);
  st = sr_auth_verify (req->app->auth, authz, sr_wall_now (), &req->principal,
                       &reason);
  if (SR_OK != st) {
    if (NULL == authz || '\0' == authz[0])
      snprintf (challenge, sizeof (challenge), "Bearer realm=\"signalroom\"");
    else
      snprintf (challenge, sizeof (challenge),
                "Bearer realm=\"signalroom\", error=\"invalid_token\", "
                "error_description=\"%s\"", reason ? reason : "invalid");
    sr_reply_header (req, MHD_HTTP_HEADER_WWW_AUTHENTICATE, challenge);
    return sr_reply_fail (req, SR_E_UNAUTHENTICATED, "%s",
                          reason ? reason : "invalid token");
  }
  req->authenticated = true;
  st = sr_auth_allows (&req->principal, route->policy);
  if (SR_OK != st) {
    return sr_reply_fail (req, SR_E_FORBIDDEN,
                          "role \"%s\" may not use this route (needs %s)",
                          req->principal.role_name,
                          sr_auth_policy_name (route->policy));
  }
  return SR_OK;
}

static enum sr_status
check_body (struct conn_state *cs)
{
  struct sr_request *req = &cs->req;
  const char *cl = MHD_lookup_connection_value (
    cs->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
  const char *te = MHD_lookup_connection_value (
    cs->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
  const char *ct;

  if (NULL == req->route->body_type) {
    if ((NULL != cl && 0 != strcmp (cl, "0")) || NULL != te)
      return sr_reply_fail (req, SR_E_TOO_LARGE,
                               "this route takes no request body");
    return SR_OK;
  }
  if (NULL != cl) {
    char *end;
    unsigned long long n;

    errno = 0;
    n = strtoull (cl, &end, 10);
    if (0 == errno && '\0' == *end && n > req->route->max_body)
      return sr_reply_fail (req, SR_E_TOO_LARGE,
                               "body is %llu bytes; this route accepts at "
                               "most %zu", n, req->route->max_body);
  }
  ct = MHD_lookup_connection_value (cs->conn, MHD_HEADER_KIND,
                                    MHD_HTTP_HEADER_CONTENT_TYPE);
  req->content_type = ct ? media_type (ct) : NULL;
  if (NULL == req->content_type
      || 0 != strcmp (req->content_type, req->route->body_type))
    return sr_reply_fail (req, SR_E_UNSUPPORTED_MEDIA,
                             "this route accepts %s (UTF-8) bodies; got %s",
                             req->route->body_type,
                             ct ? ct : "no Content-Type");
  return SR_OK;
}

/* Run every check that needs only the headers.  On failure a problem
 * reply is staged and the error returned. */
/*
 * A browser's CORS preflight: answered here, before authentication (it
 * carries no token), for an allowed origin and a route that takes the
 * method asked for.  Stages the reply; @return non-OK so nothing else
 * runs.
 */
static enum sr_status
preflight (struct conn_state *cs, const char *url)
{
  struct sr_request *req = &cs->req;
  struct sr_app *app = req->app;
  const char *origin = MHD_lookup_connection_value (cs->conn,
                                                    MHD_HEADER_KIND,
                                                    "Origin");
  const char *want = MHD_lookup_connection_value (
    cs->conn, MHD_HEADER_KIND, "Access-Control-Request-Method");
  char allow[64];
  enum sr_status st;

  if (!sr_cors_allowed (app->cfg->cors_origins, origin)) {
    (void) sr_reply_fail (req, SR_E_FORBIDDEN, "origin not allowed (see "
                          "SIGNALROOM_CORS_ORIGINS)");
    return SR_E_FORBIDDEN;
  }
  st = sr_router_match (app->routes, app->n_routes, want, url, req,
                        &req->route, allow, sizeof (allow));
  if (SR_E_METHOD == st) {
    sr_reply_header (req, MHD_HTTP_HEADER_ALLOW, allow);
    (void) sr_reply_fail (req, SR_E_METHOD, "%.16s is not allowed here; "
                          "allowed: %s", want, allow);
    return SR_E_METHOD;
  }
  if (SR_OK != st) {
    (void) sr_reply_fail (req, SR_E_NOT_FOUND, "no route for %s", url);
    return SR_E_NOT_FOUND;
  }
  sr_reply_header (req, "Access-Control-Allow-Methods", want);
  sr_reply_header (req, "Access-Control-Allow-Headers",
                   SR_CORS_ALLOW_HEADERS);
  sr_reply_header (req, "Access-Control-Max-Age", SR_CORS_MAX_AGE);
  sr_reply_header (req, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  (void) sr_reply_text (req, 204, "text/plain", "", 0);
  return SR_E_INVALID;   /* a flag: the reply is final */
}

static enum sr_status
check_headers (struct conn_state *cs, const char *url, const char *method)
{
  struct sr_request *req = &cs->req;
  struct sr_app *app = req->app;
  struct header_scan hs = { 0 };
  char allow[64];
  enum sr_status st;

  MHD_get_connection_values_n (cs->conn, MHD_HEADER_KIND, scan_header, &hs);
  st = check_framing (cs, &hs);
  if (SR_OK != st)
    return st;
  if (cs->raw_uri_len > SR_HTTP_MAX_URI)
    return sr_reply_fail (req, SR_E_URI_TOO_LONG,
                             "request target is %zu bytes; the limit is %u",
                             cs->raw_uri_len, SR_HTTP_MAX_URI);
  if (cs->query_params_cut > 0)
    return sr_reply_fail (req, SR_E_URI_TOO_LONG,
                          "the query has %zu parameters; at most %u are read",
                          cs->query_params_cut, SR_HTTP_MAX_QUERY_PARAMS);
  if (hs.bytes > SR_HTTP_MAX_HEADERS)
    return sr_reply_fail (req, SR_E_HEADERS_TOO_LARGE,
                             "request headers are %zu bytes; the limit is %u",
                             hs.bytes, SR_HTTP_MAX_HEADERS);
  if (cs->raw_uri_has_nul || !sr_utf8_valid (url, strlen (url)))
    return sr_reply_fail (req, SR_E_BAD_PATH,
                             "the request path is not valid UTF-8");
  req->path = sr_xstrdup (url);
  if (0 == strcmp (method, "OPTIONS")
      && NULL != MHD_lookup_connection_value (cs->conn, MHD_HEADER_KIND,
                                              "Access-Control-Request-Method"))
    return preflight (cs, url);
  st = sr_router_match (app->routes, app->n_routes, method, url, req,
                        &req->route, allow, sizeof (allow));
  if (SR_E_METHOD == st) {
    sr_reply_header (req, MHD_HTTP_HEADER_ALLOW, allow);
    return sr_reply_fail (req, SR_E_METHOD,
                             "%s is not allowed here; allowed: %s", method,
                             allow);
  }
  if (SR_OK != st)
    return sr_reply_fail (req, SR_E_NOT_FOUND, "no route for %s", url);
  st = check_query (cs);
  if (SR_OK == st)
    st = check_auth (cs);
  if (SR_OK == st)
    st = check_body (cs);
  return st;
}

static bool
has_body (struct MHD_Connection *conn)
{
  const char *cl = MHD_lookup_connection_value (
    conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

  return (NULL != cl && 0 != strcmp (cl, "0"))
         || NULL != MHD_lookup_connection_value (
           conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
}

static enum MHD_Result
queue_reply (struct conn_state *cs)
{
  struct sr_request *req = &cs->req;
  struct sr_reply *r = &req->reply;
  struct sr_http *srv = cs->srv;
  struct MHD_Response *resp;
  bool cacheable = false;
  enum MHD_Result ret;

  if (!r->set)
    sr_reply_problem (req, SR_E_INTERNAL, "the handler staged no reply");
  resp = MHD_create_response_from_buffer (r->body_len, r->body,
                                          MHD_RESPMEM_MUST_FREE);
  if (NULL == resp)
    return MHD_NO;
  r->body = NULL; /* now MHD's */
  r->body_len = 0;
  MHD_add_response_header (resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                           r->content_type);
  MHD_add_response_header (resp, "X-Request-Id", req->request_id);
  MHD_add_response_header (resp, "X-Content-Type-Options", "nosniff");
  for (size_t i = 0; i < r->n_headers; i++) {
    MHD_add_response_header (resp, r->headers[i].name, r->headers[i].value);
    cacheable |= 0 == strcasecmp (r->headers[i].name, "Cache-Control");
  }
  /* Nothing is cached unless its handler says how. */
  if (!cacheable)
    MHD_add_response_header (resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  {
    const char *origin = MHD_lookup_connection_value (cs->conn,
                                                      MHD_HEADER_KIND,
                                                      "Origin");

    if (sr_cors_allowed (req->app->cfg->cors_origins, origin)) {
      MHD_add_response_header (resp, "Access-Control-Allow-Origin", origin);
      MHD_add_response_header (resp, "Access-Control-Expose-Headers",
                               SR_CORS_EXPOSE_HEADERS);
      MHD_add_response_header (resp, MHD_HTTP_HEADER_VARY, "Origin");
    }
  }
  /* A reused connection keeps its whole memory pool (SR_HTTP_POOL_SIZE):
   * with very many connections open, each is closed after its answer. */
  if (cs->must_close || atomic_load (&req->app->draining)
      || sr_http_guard_open (srv->guard) > srv->keepalive_max)
    MHD_add_response_header (resp, MHD_HTTP_HEADER_CONNECTION, "close");
  ret = MHD_queue_response (cs->conn, r->http_status, resp);
  MHD_destroy_response (resp);
  cs->queued = true;
  return ret;
}

static void
dispatch (struct conn_state *cs)
{
  struct sr_request *req = &cs->req;
  enum sr_status st;

  cs->dispatched = true;
  if (cs->req.body_too_large) {
    sr_reply_problem (req, SR_E_TOO_LARGE,
                      "body is over the %zu bytes this route accepts",
                      req->route->max_body);
    return;
  }
  sr_trace_push (&cs->span);   /* the handler's work is the request's */
  st = req->route->handler (req);
  sr_trace_pop (&cs->span);
  if (SR_OK != st && !req->reply.set)
    sr_reply_problem (req, st, NULL);
  else if (SR_OK != st && req->reply.http_status < 400)
    sr_reply_problem (req, st, NULL);
}

/* ---- the API threads' side ---- */

/* Run the handler; a GET or HEAD that met a dead database connection
 * (the server restarted since this thread last used it) runs once more
 * on a new one, so no client pays for a restart with an error. */
static void
run_handler (struct conn_state *cs)
{
  struct sr_request *req = &cs->req;

  dispatch (cs);
  if (SR_E_DB_CONN != req->reply.problem
      || (0 != strcmp (req->method, "GET")
          && 0 != strcmp (req->method, "HEAD")))
    return;
  sr_log (SR_LOG_WARN, "database connection lost; request retried", NULL);
  if (NULL != req->app->reset_thread)
    req->app->reset_thread ();
  if (NULL != req->handler_cleanup)
    req->handler_cleanup (req->handler_ctx);
  req->handler_cleanup = NULL;
  req->handler_ctx = NULL;
  sr_reply_clean (&req->reply);
  dispatch (cs);
}

static void
run_job (struct sr_api_job *job, bool cancelled)
{
  struct conn_state *cs = (struct conn_state *) (void *)
                          ((char *) job - offsetof (struct conn_state, job));
  struct MHD_Connection *conn = cs->conn;

  sr_log_set_context ("request_id", cs->req.request_id);
  if (cancelled)
    sr_reply_problem (&cs->req, SR_E_UNAVAILABLE, "shutting down");
  else
    run_handler (cs);
  sr_log_set_context (NULL, NULL);
  cs->api_done = true;
  /* From here on the request is MHD's thread's again (the mutex inside
   * publishes what we staged); @a cs may be gone once this returns. */
  MHD_resume_connection (conn);
}

/* Suspend the connection and queue the request for an API thread; when
 * the queue is full (or the pool stopping) stage the refusal and resume
 * at once, so both outcomes come back through on_request() the same way. */
static void
hand_to_pool (struct conn_state *cs)
{
  struct sr_request *req = &cs->req;
  struct MHD_Connection *conn = cs->conn;
  enum sr_status st;
  size_t waiting = 0;

  cs->suspended = true;
  cs->job.run = run_job;
  MHD_suspend_connection (conn);
  st = sr_api_pool_submit (cs->srv->pool, &cs->job, &waiting);
  if (SR_OK == st) {
    /* The request belongs to the API thread now: touch nothing of it. */
    sr_log (SR_LOG_DEBUG, "request queued", "{s:i}", "waiting",
            (int) waiting);
    return;
  }
  if (SR_E_BUSY == st) {
    sr_reply_header (req, "Retry-After", "1");
    sr_reply_problem (req, SR_E_BUSY, "every API thread is busy and %zu "
                      "requests are waiting; retry shortly", waiting);
    sr_http_guard_count (cs->srv->guard, SR_GUARD_BUSY);
  } else {
    sr_reply_problem (req, SR_E_UNAVAILABLE, "shutting down");
  }
  cs->api_done = true;
  MHD_resume_connection (conn);
}

/* ---- MHD callbacks ---- */

static struct sr_http_guard_conn *
guard_of (struct MHD_Connection *conn)
{
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info (
    conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

  return NULL != ci ? ci->socket_context : NULL;
}

static void
on_connection (void *cls, struct MHD_Connection *conn, void **socket_ctx,
               enum MHD_ConnectionNotificationCode code)
{
  struct sr_http *srv = cls;

  if (MHD_CONNECTION_NOTIFY_STARTED == code) {
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info (
      conn, MHD_CONNECTION_INFO_CONNECTION_FD);

    *socket_ctx = sr_http_guard_opened (srv->guard,
                                        NULL != ci ? ci->connect_fd : -1);
    return;
  }
  sr_http_guard_closed (srv->guard, *socket_ctx);
  *socket_ctx = NULL;
}

/*
 * A target we refuse anyway (too long, or more parameters than we read)
 * loses its query here, before libmicrohttpd splits it into 64-byte
 * records in the connection's small pool, where thousands of "a&a&..."
 * would leave it unable to answer at all.  MHD calls the URI callback
 * with its own, writable buffer, before it modifies the target or its
 * arguments (libmicrohttpd 0.9.75, connection.c); the query then reads as
 * empty.  @return the parameters the query had, when it was cut; else 0.
 */
static size_t
cut_oversized_query (const char *uri, size_t uri_len)
{
  char *q = strchr (uri, '?');
  size_t n = 1;

  if (NULL == q || '\0' == q[1])
    return 0;
  for (const char *p = q + 1; '\0' != *p; p++)
    n += '&' == *p;
  if (n <= SR_HTTP_MAX_QUERY_PARAMS && uri_len <= SR_HTTP_MAX_URI)
    return 0;
  q[1] = '\0';
  return n;
}

static void *
uri_logged (void *cls, const char *uri, struct MHD_Connection *conn)
{
  struct sr_http *srv = cls;
  struct conn_state *cs = sr_xcalloc (1, sizeof (*cs));

  cs->srv = srv;
  cs->conn = conn;
  cs->guard = guard_of (conn);
  cs->req.app = srv->app;
  cs->req.connection = conn;
  cs->req.started_us = sr_now_us ();
  cs->raw_uri_len = strlen (uri);
  {
    /* MHD decodes %00 into a NUL that silently cuts the path short (the
     * query is checked by the lengths MHD reports, check_query_arg()). */
    const char *q = strchr (uri, '?');
    size_t plen = q ? (size_t) (q - uri) : cs->raw_uri_len;

    cs->raw_uri_has_nul = NULL != memmem (uri, plen, "%00", 3);
  }
  cs->query_params_cut = cut_oversized_query (uri, cs->raw_uri_len);
  sr_buf_init (&cs->req.body, 0);
  atomic_fetch_add (&srv->in_flight, 1);
  sr_metric_gauge_add (&sr_m_http_in_flight, NULL, 1);
  return cs;
}

/* The first call: headers are in.  Check them; on a refusal with a body
 * coming (or framing in doubt) answer now, so the body is never read (MHD
 * then closes the connection); without one answer on the final call so
 * the connection stays usable for keep-alive clients. */
static const char *method_label (const char *method);

/* The request's server span, continuing the caller's trace when it sent
 * a valid traceparent (a malformed one starts a new trace, as the W3C
 * specification asks). */
static void
start_span (struct conn_state *cs, const char *url, const char *method)
{
  struct sr_trace_ctx parent;
  const char *tp;

  if (!sr_trace_enabled ())
    return;
  tp = MHD_lookup_connection_value (cs->conn, MHD_HEADER_KIND,
                                    "traceparent");
  (void) sr_trace_parse (tp, NULL == tp ? NULL : MHD_lookup_connection_value (
                           cs->conn, MHD_HEADER_KIND, "tracestate"),
                         &parent);
  sr_span_start (&cs->span, method, SR_SPAN_SERVER, &parent);
  sr_span_set_str (&cs->span, "http.request.method", method_label (method));
  sr_span_set_str (&cs->span, "url.path", url);
  /* required on HTTP server spans; TLS ends in front of us, if anywhere */
  sr_span_set_str (&cs->span, "url.scheme", "http");
}

/* Name and status of the server span, then its end. */
static void
end_span (struct conn_state *cs)
{
  struct sr_request *req = &cs->req;
  unsigned int status = cs->queued ? req->reply.http_status : 0;

  if (!cs->span.started)
    return;
  if (NULL != req->route) {
    sr_span_name (&cs->span, method_label (req->method), req->route->path);
    sr_span_set_str (&cs->span, "http.route", req->route->path);
  }
  if (0 != status)
    sr_span_set_int (&cs->span, "http.response.status_code", status);
  if (0 == status || status >= 500) {
    char code[12];

    snprintf (code, sizeof (code), "%u", status);
    sr_span_set_error (&cs->span, true);
    /* no answer at all: the conventions' catch-all */
    sr_span_set_str (&cs->span, "error.type", 0 == status ? "_OTHER" : code);
  }
  sr_span_end (&cs->span);
}

static enum MHD_Result
on_head (struct conn_state *cs, const char *url, const char *method)
{
  struct MHD_Connection *conn = cs->conn;

  cs->started = true;
  sr_http_guard_head_in (cs->srv->guard, cs->guard);
  snprintf (cs->req.method, sizeof (cs->req.method), "%s", method);
  start_span (cs, url, method);
  request_id_init (cs, MHD_lookup_connection_value (
                     conn, MHD_HEADER_KIND, "X-Request-Id"));
  sr_log_set_context ("request_id", cs->req.request_id);
  sr_log (SR_LOG_DEBUG, "request started", "{s:s, s:s}", "method", method,
          "path", url);
  if (SR_OK != check_headers (cs, url, method)) {
    cs->early_error = true;
    if (cs->must_close || has_body (conn)) {
      sr_http_guard_body_in (cs->srv->guard, cs->guard);
      return queue_reply (cs);
    }
  } else if (NULL != cs->req.route->body_type) {
    sr_buf_init (&cs->req.body, cs->req.route->max_body);
  }
  return MHD_YES;
}

/* A body chunk.  Past the route's cap the rest is read and dropped (the
 * body deadline bounds how long that may go on): MHD can send a reply
 * only once the whole request is in, and a 413 beats a reset. */
static void
on_body (struct conn_state *cs, const char *data, size_t len)
{
  if (!cs->req.body_too_large
      && SR_OK != sr_buf_append (&cs->req.body, data, len)) {
    cs->req.body_too_large = true;
    sr_buf_clean (&cs->req.body);
  }
}

/* The final call (and the call after an API thread resumed us). */
static enum MHD_Result
on_end (struct conn_state *cs)
{
  struct sr_request *req = &cs->req;

  sr_http_guard_body_in (cs->srv->guard, cs->guard);
  if (cs->api_done || cs->early_error || req->body_too_large
      || 0 != (req->route->flags & SR_ROUTE_NO_DB)) {
    if (!cs->api_done && !cs->early_error && !cs->dispatched)
      dispatch (cs);
    return queue_reply (cs);
  }
  if (atomic_load (&req->app->schema_pending)
      && 0 == (req->route->flags & SR_ROUTE_ANY_SCHEMA)) {
    sr_reply_header (req, "Retry-After", "1");
    sr_reply_problem (req, SR_E_SCHEMA_OUTDATED, "the database schema is "
                      "not known to be current yet (migrations are being "
                      "applied, or the database is not reachable)");
    return queue_reply (cs);
  }
  /* What memory can answer (a cached report, a 304, a bad parameter)
   * costs no thread hop. */
  if (NULL != req->route->cached && !cs->suspended) {
    enum sr_status st = req->route->cached (req);

    if (req->reply.set) {
      if (SR_OK != st && req->reply.http_status < 400)
        sr_reply_problem (req, st, NULL);
      return queue_reply (cs);
    }
  }
  if (!cs->suspended)
    hand_to_pool (cs);
  return MHD_YES;
}

static enum MHD_Result
on_request (void *cls, struct MHD_Connection *conn, const char *url,
            const char *method, const char *version, const char *upload_data,
            size_t *upload_data_size, void **con_cls)
{
  struct conn_state *cs = *con_cls;
  enum MHD_Result ret = MHD_YES;

  (void) cls;
  (void) conn;
  (void) version;
  if (NULL == cs)
    return MHD_NO; /* cannot happen: uri_logged always runs first */
  if (!cs->started) {
    ret = on_head (cs, url, method);
    sr_log_set_context (NULL, NULL);
    return ret;
  }
  if (cs->queued) {
    /* An early error reply is out; drop whatever body still arrives. */
    *upload_data_size = 0;
    return MHD_YES;
  }
  sr_log_set_context ("request_id", cs->req.request_id);
  if (0 != *upload_data_size) {
    on_body (cs, upload_data, *upload_data_size);
    *upload_data_size = 0;
  } else {
    ret = on_end (cs);
  }
  sr_log_set_context (NULL, NULL);
  return ret;
}

static void
request_free (struct conn_state *cs)
{
  struct sr_request *req = &cs->req;

  if (NULL != req->handler_cleanup)
    req->handler_cleanup (req->handler_ctx);
  free (req->path);
  for (size_t i = 0; i < req->n_path_params; i++)
    free (req->path_params[i]);
  free (req->content_type);
  sr_buf_clean (&req->body);
  sr_reply_clean (&req->reply);
  free (cs);
}

/* The access line.  Refusals (4xx, busy, aborted) are the lines a client
 * can make us write at its own pace: beyond a burst they are only
 * counted, and the summary says how many. */
static void
access_log (struct conn_state *cs, enum MHD_RequestTerminationCode toe)
{
  struct sr_request *req = &cs->req;
  bool completed = MHD_REQUEST_TERMINATED_COMPLETED_OK == toe;
  int status = cs->queued ? (int) req->reply.http_status : 0;
  enum sr_log_level lvl = (NULL != req->route
                           && 0 != (req->route->flags & SR_ROUTE_QUIET))
                          ? SR_LOG_DEBUG : SR_LOG_INFO;
  bool refused = !completed || (status >= 400 && status < 500)
                 || SR_E_BUSY == req->reply.problem;

  if (!completed)
    lvl = SR_LOG_WARN;
  if (!sr_log_enabled (lvl))
    return;
  if (refused && !sr_ratelimit_take (&cs->srv->refused_log, sr_now_us ())) {
    sr_http_guard_count (cs->srv->guard, SR_GUARD_REFUSED_NOT_LOGGED);
    return;
  }
  sr_log_set_context ("request_id", req->request_id);
  sr_log (lvl, "request",
          "{s:s, s:s, s:i, s:I, s:s, s:s*}",
          "method", req->method,
          "path", req->path ? req->path : "(rejected)",
          "status", status,
          "duration_us", (json_int_t) (sr_now_us () - req->started_us),
          "outcome", completed ? "completed" : "aborted",
          "role", req->authenticated ? req->principal.role_name : NULL);
  sr_log_set_context (NULL, NULL);
}

/* Label values are bounded: the route's template (never the path), one
 * of the methods below, the status code. */
static const char *
method_label (const char *method)
{
  static const char *const known[] = { "GET", "HEAD", "POST", "PUT",
                                       "PATCH", "DELETE", "OPTIONS" };

  for (size_t i = 0; i < sizeof (known) / sizeof (known[0]); i++)
    if (0 == strcmp (method, known[i]))
      return known[i];
  return "other";
}

static void
count_request (const struct conn_state *cs)
{
  const struct sr_request *req = &cs->req;
  char status[8] = "none";     /* ended before a reply was queued */
  const char *values[] = {
    NULL != req->route ? req->route->path : "unmatched",
    method_label (req->method), status
  };
  unsigned int code = req->reply.http_status;

  if (cs->queued && code >= 100 && code <= 999) {   /* per request: no printf */
    status[0] = (char) ('0' + code / 100);
    status[1] = (char) ('0' + code / 10 % 10);
    status[2] = (char) ('0' + code % 10);
    status[3] = '\0';
  } else if (cs->queued) {
    snprintf (status, sizeof (status), "%u", code);
  }
  sr_metric_add (&sr_m_http_requests, values, 1);
  sr_metric_observe (&sr_m_http_duration, values,
                     (double) (sr_now_us () - req->started_us) / 1e6);
}

static void
on_completed (void *cls, struct MHD_Connection *conn, void **con_cls,
              enum MHD_RequestTerminationCode toe)
{
  struct sr_http *srv = cls;
  struct conn_state *cs = *con_cls;

  (void) conn;
  if (NULL == cs)
    return;
  *con_cls = NULL;
  if (cs->req.request_id[0]) {
    count_request (cs);
    sr_trace_push (&cs->span);   /* the access line carries the ids */
    access_log (cs, toe);
    sr_trace_pop (&cs->span);
    end_span (cs);
  }
  /* Keep-alive: the next request's head deadline starts now. */
  sr_http_guard_request_done (srv->guard, cs->guard);
  request_free (cs);
  sr_metric_gauge_add (&sr_m_http_in_flight, NULL, -1);
  /* The last one out wakes a stop waiting for idle; the lock orders the
   * wake after the waiter's check, so it cannot be missed. */
  if (1 == atomic_fetch_sub (&srv->in_flight, 1)) {
    pthread_mutex_lock (&srv->lock);
    pthread_cond_broadcast (&srv->idle);
    pthread_mutex_unlock (&srv->lock);
  }
}

static void
mhd_logger (void *cls, const char *fmt, va_list ap)
{
  struct sr_http *srv = cls;
  char line[512];
  size_t n;

  if (!sr_log_enabled (SR_LOG_WARN))
    return;
  /* Malformed requests and connection floods make MHD talk at the
   * client's pace. */
  if (!sr_ratelimit_take (&srv->library_log, sr_now_us ())) {
    sr_http_guard_count (srv->guard, SR_GUARD_LIBRARY_NOT_LOGGED);
    return;
  }
  vsnprintf (line, sizeof (line), fmt, ap);
  n = strlen (line);
  while (n > 0 && ('\n' == line[n - 1] || '\r' == line[n - 1]))
    line[--n] = '\0';
  sr_log (SR_LOG_WARN, "http server", "{s:s}", "detail", line);
}

/* ---- start / stop ---- */

/*
 * The connection limit this process can honour: raise the soft open-file
 * limit to SIGNALROOM_MAX_CONNECTIONS plus what the rest of the process
 * needs (a container's default of 1024 would otherwise cap connections
 * far below the setting, and accept() failing with EMFILE is a busy loop);
 * when the hard limit forbids it, lower the connection limit and say so.
 */
static unsigned int
connection_limit (const struct sr_config *cfg)
{
  rlim_t reserve = FD_RESERVE + cfg->api_threads
                   + cfg->workers * (2 + cfg->s3_load_concurrency);
  rlim_t want = (rlim_t) cfg->max_connections + reserve;
  struct rlimit rl;

  if (0 != getrlimit (RLIMIT_NOFILE, &rl))
    return (unsigned int) cfg->max_connections;
  if (rl.rlim_cur < want) {
    rlim_t was = rl.rlim_cur;

    rl.rlim_cur = (RLIM_INFINITY == rl.rlim_max || want <= rl.rlim_max)
                  ? want : rl.rlim_max;
    if (0 != setrlimit (RLIMIT_NOFILE, &rl))
      (void) getrlimit (RLIMIT_NOFILE, &rl);
    sr_log (SR_LOG_INFO, "open-file limit raised", "{s:I, s:I}", "from",
            (json_int_t) was, "to", (json_int_t) rl.rlim_cur);
  }
  if (rl.rlim_cur >= want)
    return (unsigned int) cfg->max_connections;
  {
    unsigned int fit = rl.rlim_cur > reserve + 16
                       ? (unsigned int) (rl.rlim_cur - reserve) : 16;

    sr_log (SR_LOG_WARN, "SIGNALROOM_MAX_CONNECTIONS lowered to fit the "
            "open-file limit", "{s:i, s:i, s:I}", "configured",
            (int) cfg->max_connections, "effective", (int) fit,
            "open_file_limit", (json_int_t) rl.rlim_cur);
    return fit;
  }
}

/* Bind and listen ourselves: libmicrohttpd's own failure message names
 * the port it was given as an option (0 when we pass an address), not the
 * address asked for, and loses errno.  @return the socket or -1. */
static int
listen_on (const struct sr_config *cfg, char *err, size_t errlen)
{
  struct addrinfo hints = { 0 };
  struct addrinfo *ai = NULL;
  char port[8];
  int one = 1;
  int fd = -1;
  int rc;

  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  snprintf (port, sizeof (port), "%u", cfg->listen_port);
  rc = getaddrinfo (cfg->listen_host, port, &hints, &ai);
  if (0 != rc) {
    snprintf (err, errlen, "SIGNALROOM_LISTEN host \"%s\": %s",
              cfg->listen_host, gai_strerror (rc));
    return -1;
  }
  fd = socket (ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
               ai->ai_protocol);
  if (fd >= 0) {
    /* A restart must not wait for the old process's TIME_WAIT sockets;
     * and an IPv6 address means that address, not IPv4 as well. */
    (void) setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof (one));
    if (AF_INET6 == ai->ai_family)
      (void) setsockopt (fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof (one));
    if (0 != bind (fd, ai->ai_addr, ai->ai_addrlen)
        || 0 != listen (fd, SOMAXCONN)) {
      int e = errno;

      close (fd);
      fd = -1;
      errno = e;
    }
  }
  if (fd < 0) {
    char numeric[64] = "";
    int e = errno;

    (void) getnameinfo (ai->ai_addr, ai->ai_addrlen, numeric,
                        sizeof (numeric), NULL, 0, NI_NUMERICHOST);
    if ('\0' != numeric[0] && 0 != strcmp (numeric, cfg->listen_host))
      snprintf (err, errlen, "cannot listen on SIGNALROOM_LISTEN=%s "
                "(address %s): %s", cfg->listen, numeric, strerror (e));
    else
      snprintf (err, errlen, "cannot listen on SIGNALROOM_LISTEN=%s: %s",
                cfg->listen, strerror (e));
  }
  freeaddrinfo (ai);
  return fd;
}

/* The port @a fd is bound to (the one picked when 0 was asked for). */
static unsigned int
bound_port (int fd, bool *ipv6)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof (ss);

  *ipv6 = false;
  if (0 != getsockname (fd, (struct sockaddr *) &ss, &len))
    return 0;
  if (AF_INET == ss.ss_family)
    return ntohs (((struct sockaddr_in *) &ss)->sin_port);
  if (AF_INET6 == ss.ss_family) {
    *ipv6 = true;
    return ntohs (((struct sockaddr_in6 *) &ss)->sin6_port);
  }
  return 0;
}

static void
srv_free (struct sr_http *srv)
{
  sr_http_guard_stop (srv->guard);
  sr_ratelimit_destroy (&srv->refused_log);
  sr_ratelimit_destroy (&srv->library_log);
  pthread_cond_destroy (&srv->idle);
  pthread_mutex_destroy (&srv->lock);
  free (srv);
}

enum sr_status
sr_http_start (struct sr_app *app, struct sr_http **out, char *err,
               size_t errlen)
{
  const struct sr_config *cfg = app->cfg;
  struct sr_http *srv;
  unsigned int flags;
  unsigned int limit;
  bool ipv6;
  int fd;

  *out = NULL;
  fd = listen_on (cfg, err, errlen);
  if (fd < 0)
    return SR_E_IO;
  limit = connection_limit (cfg);
  srv = sr_xcalloc (1, sizeof (*srv));
  srv->app = app;
  srv->port = bound_port (fd, &ipv6);
  srv->keepalive_max = cfg->http_keepalive_max;
  pthread_mutex_init (&srv->lock, NULL);
  sr_cond_init_monotonic (&srv->idle);
  sr_ratelimit_init (&srv->refused_log, REFUSED_LOG_PER_S,
                     REFUSED_LOG_BURST);
  sr_ratelimit_init (&srv->library_log, LIBRARY_LOG_PER_S,
                     LIBRARY_LOG_BURST);
  if (SR_OK != sr_http_guard_start ((unsigned int) cfg->http_header_timeout_s,
                                    (unsigned int) cfg->http_body_timeout_s,
                                    SUMMARY_MS, &srv->guard)
      || SR_OK != sr_api_pool_start ((unsigned int) cfg->api_threads,
                                     (unsigned int) cfg->api_queue,
                                     &srv->pool)) {
    snprintf (err, errlen, "cannot start the HTTP server's threads");
    close (fd);
    srv_free (srv);
    return SR_E_INTERNAL;
  }
  flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC
          | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
  if (ipv6)
    flags |= MHD_USE_IPv6;
  srv->daemon = MHD_start_daemon (
    flags, 0, NULL, NULL, on_request, srv,
    MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, srv, /* must come first */
    MHD_OPTION_LISTEN_SOCKET, (MHD_socket) fd,
    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int) cfg->http_threads,
    MHD_OPTION_CONNECTION_LIMIT, limit,
    /* MHD's timer restarts with every byte: it bounds stalls inside a
     * body or response; the guard bounds the head and the body as
     * wholes. */
    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) cfg->http_header_timeout_s,
    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) SR_HTTP_POOL_SIZE,
    MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
    MHD_OPTION_URI_LOG_CALLBACK, uri_logged, srv,
    MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
    MHD_OPTION_END);
  if (NULL == srv->daemon) {
    snprintf (err, errlen, "cannot start the HTTP server on "
              "SIGNALROOM_LISTEN=%s (libmicrohttpd refused; see the line "
              "before)", cfg->listen);
    close (fd);
    (void) sr_api_pool_stop (srv->pool, 0);
    srv_free (srv);
    return SR_E_IO;
  }
  *out = srv;
  return SR_OK;
}

unsigned int
sr_http_port (const struct sr_http *srv)
{
  return srv->port;
}

unsigned int
sr_http_stop (struct sr_http *srv, unsigned int grace_s, bool *joined)
{
  MHD_socket lsock;
  struct timespec deadline;
  unsigned int left;

  lsock = MHD_quiesce_daemon (srv->daemon);
  if (MHD_INVALID_SOCKET != lsock)
    close (lsock);
  left = atomic_load (&srv->in_flight);
  sr_log (SR_LOG_INFO, "stopped accepting connections",
          "{s:i, s:i}", "in_flight", (int) left, "grace_s", (int) grace_s);
  sr_deadline_in_ms (&deadline, (unsigned long) grace_s * 1000);
  pthread_mutex_lock (&srv->lock);
  while (atomic_load (&srv->in_flight) > 0) {
    if (ETIMEDOUT == pthread_cond_timedwait (&srv->idle, &srv->lock,
                                             &deadline))
      break;
  }
  left = atomic_load (&srv->in_flight);
  pthread_mutex_unlock (&srv->lock);
  /* Every suspended connection must be resumed before MHD may stop; a
   * handler stuck on the database cannot be, so then leave everything
   * as it is: the process is about to end. */
  if (!sr_api_pool_stop (srv->pool, API_STOP_WAIT_MS)) {
    if (NULL != joined)
      *joined = false;
    return left;
  }
  MHD_stop_daemon (srv->daemon);
  srv_free (srv);
  if (NULL != joined)
    *joined = true;
  return left;
}

/* end of http.c */
