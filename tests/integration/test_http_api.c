/*
 * test_http_api.c -- the real `signalroom serve` on a real PostgreSQL,
 * spoken to over HTTP: routes, envelope, request ids, limits, auth, logs,
 * and what lands in the database.
 *
 * One server for the whole file (started by the first test, stopped by
 * the last), so the tests run in the order listed in SR_TEST_MAIN.
 */
#include "check.h"
#include "harness.h"

#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define SECRET "test-secret-0123456789abcdef0123456789"
#define DB_PASSWORD_MARKER "application_name=signalroom"

static struct sr_th_server srv;
static char conninfo[1024];
static bool up;

/* GET with optional Authorization, returning the parsed JSON body. */
static json_t *
get_json (const char *target, const char *token, struct sr_th_response *r)
{
  char headers[4096] = "";

  if (NULL != token)
    snprintf (headers, sizeof (headers), "Authorization: Bearer %s\r\n",
              token);
  if (!sr_th_http (srv.port, "GET", target, headers, NULL, 0, r))
    return NULL;
  return json_loads (r->body, 0, NULL);
}

static const char *
jstr (json_t *o, const char *key)
{
  return json_string_value (json_object_get (o, key));
}

/* Assert a problem+json envelope with @a status and @a code. */
static void
check_problem (struct sr_th_response *r, int status, const char *code)
{
  json_t *body = json_loads (r->body ? r->body : "", 0, NULL);

  CHECK_INT_EQ (r->status, status);
  CHECK_STR_EQ (sr_th_header (r, "Content-Type"), "application/problem+json");
  CHECK (NULL != body);
  CHECK_STR_EQ (jstr (body, "code"), code);
  CHECK_INT_EQ (json_integer_value (json_object_get (body, "status")),
                status);
  CHECK (NULL != jstr (body, "title"));
  CHECK_STR_EQ (jstr (body, "request_id"), sr_th_header (r, "X-Request-Id"));
  json_decref (body);
}

SR_TEST (test_start)
{
  struct sr_th_env env = { 0 };

  if (!sr_th_create_db ("sr_http_api", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  sr_th_env_add (&env, "SIGNALROOM_JWT_SECRET", SECRET);
  sr_th_env_add (&env, "LOG_LEVEL", "debug");
  sr_th_env_add (&env, "SIGNALROOM_CORS_ORIGINS",
                 "https://dash.example.com,http://localhost:3000");
  REQUIRE (sr_th_server_start (&srv, &env));
  up = true;
  /* Migrations run in the background at start; wait for their line. */
  REQUIRE (NULL != sr_th_server_wait_log (&srv, 20000,
                                          "\"msg\":\"migrations current\"",
                                          NULL));
}

SR_TEST (test_healthz_and_request_id)
{
  struct sr_th_response r;
  json_t *body;
  const char *rid;

  REQUIRE (up);
  body = get_json ("/healthz", NULL, &r);
  CHECK_INT_EQ (r.status, 200);
  CHECK_STR_EQ (sr_th_header (&r, "Content-Type"), "application/json");
  CHECK_STR_EQ (jstr (body, "status"), "ok");
  CHECK (NULL != jstr (body, "version"));
  rid = sr_th_header (&r, "X-Request-Id");
  REQUIRE (NULL != rid);
  CHECK_INT_EQ (strlen (rid), 32);
  CHECK (strspn (rid, "0123456789abcdef") == 32);
  json_decref (body);
  sr_th_response_clean (&r);

  /* A caller's id is echoed and tags the access log line. */
  REQUIRE (sr_th_http (srv.port, "GET", "/healthz",
                       "X-Request-Id: trace-abc.123:xyz\r\n", NULL, 0, &r));
  CHECK_STR_EQ (sr_th_header (&r, "X-Request-Id"), "trace-abc.123:xyz");
  CHECK (NULL != sr_th_server_wait_log (&srv, 5000,
                                        "\"request_id\":\"trace-abc.123:xyz\"",
                                        "\"msg\":\"request\"",
                                        "\"status\":200", NULL));
  sr_th_response_clean (&r);

  /* An id unsafe for logs and headers is replaced, not echoed. */
  REQUIRE (sr_th_http (srv.port, "GET", "/healthz",
                       "X-Request-Id: bad id\"{}\r\n", NULL, 0, &r));
  CHECK_INT_EQ (r.status, 200);
  CHECK_INT_EQ (strlen (sr_th_header (&r, "X-Request-Id")), 32);
  sr_th_response_clean (&r);

  /* HEAD answers like GET without a body. */
  REQUIRE (sr_th_http (srv.port, "HEAD", "/healthz", NULL, NULL, 0, &r));
  CHECK_INT_EQ (r.status, 200);
  CHECK_INT_EQ (r.body_len, 0);
  sr_th_response_clean (&r);
}

SR_TEST (test_readyz_and_database)
{
  struct sr_th_response r;
  json_t *body;
  PGconn *c;
  int latest;
  int count = sr_th_migrations (&latest);
  char want[64];

  REQUIRE (up);
  body = get_json ("/readyz", NULL, &r);
  CHECK_INT_EQ (r.status, 200);
  CHECK_STR_EQ (jstr (body, "status"), "ready");
  CHECK_INT_EQ (json_integer_value (json_object_get (body,
                                                     "schema_version")),
                latest);
  json_decref (body);
  sr_th_response_clean (&r);

  c = sr_th_pg (conninfo);
  snprintf (want, sizeof (want), "%d", count);
  CHECK_STR_EQ (sr_th_pg_value (c, "SELECT count(*) FROM "
                                "signalroom.schema_migrations"), want);
  CHECK_STR_EQ (sr_th_pg_value (c, "SELECT name FROM "
                                "signalroom.schema_migrations WHERE "
                                "version = 1"), "0001_schemas");
  CHECK_STR_EQ (sr_th_pg_value (c, "SELECT count(*) FROM pg_namespace WHERE "
                                "nspname IN ('signalroom','everflow',"
                                "'redtrack','s3_exports')"), "4");
  CHECK_STR_EQ (sr_th_pg_value (c, "SELECT min(length(checksum)) || '/' || "
                                "max(length(checksum)) FROM "
                                "signalroom.schema_migrations"), "64/64");
  /* A pending migration: readiness says so (and why) until it is back. */
  sr_th_pg_value (c, "CREATE TABLE saved AS SELECT * FROM "
                  "signalroom.schema_migrations WHERE version = 1");
  sr_th_pg_value (c, "DELETE FROM signalroom.schema_migrations WHERE "
                  "version = 1");
  body = get_json ("/readyz", NULL, &r);
  check_problem (&r, 503, "schema_outdated");
  CHECK_INT_EQ (json_integer_value (json_object_get (body, "pending")), 1);
  CHECK_CONTAINS (jstr (body, "detail"), "pending");
  json_decref (body);
  sr_th_response_clean (&r);
  sr_th_pg_value (c, "INSERT INTO signalroom.schema_migrations SELECT * "
                  "FROM saved");
  body = get_json ("/readyz", NULL, &r);
  CHECK_INT_EQ (r.status, 200);
  json_decref (body);
  sr_th_response_clean (&r);
  PQfinish (c);
}

SR_TEST (test_openapi_served)
{
  struct sr_th_response r;
  char *want = sr_test_slurp (SR_SOURCE_DIR "/openapi/openapi.yaml");
  size_t n;

  REQUIRE (up && NULL != want);
  n = strlen (want);
  REQUIRE (sr_th_http (srv.port, "GET", "/openapi.yaml", NULL, NULL, 0, &r));
  CHECK_INT_EQ (r.status, 200);
  CHECK_STR_EQ (sr_th_header (&r, "Content-Type"), "application/yaml");
  CHECK_INT_EQ (r.body_len, n);
  CHECK (r.body_len == n && 0 == memcmp (r.body, want, n));
  free (want);
  sr_th_response_clean (&r);
}

SR_TEST (test_routing_errors)
{
  struct sr_th_response r;
  json_t *body;

  REQUIRE (up);
  REQUIRE (sr_th_http (srv.port, "GET", "/nope", NULL, NULL, 0, &r));
  check_problem (&r, 404, "not_found");
  sr_th_response_clean (&r);

  REQUIRE (sr_th_http (srv.port, "GET", "/healthz/", NULL, NULL, 0, &r));
  check_problem (&r, 404, "not_found");
  sr_th_response_clean (&r);

  REQUIRE (sr_th_http (srv.port, "DELETE", "/healthz", NULL, NULL, 0, &r));
  check_problem (&r, 405, "method_not_allowed");
  CHECK_STR_EQ (sr_th_header (&r, "Allow"), "GET, HEAD");
  sr_th_response_clean (&r);

  REQUIRE (sr_th_http (srv.port, "GET", "/v1/log-level", NULL, NULL, 0, &r));
  check_problem (&r, 405, "method_not_allowed");
  CHECK_STR_EQ (sr_th_header (&r, "Allow"), "PUT");
  sr_th_response_clean (&r);

  body = get_json ("/healthz?verbose=1", NULL, &r);
  check_problem (&r, 400, "unknown_parameter");
  CHECK_STR_EQ (jstr (body, "parameter"), "verbose");
  json_decref (body);
  sr_th_response_clean (&r);

  /* Invalid UTF-8 (and an encoded NUL) in the path. */
  REQUIRE (sr_th_http (srv.port, "GET", "/%ff%fe", NULL, NULL, 0, &r));
  check_problem (&r, 400, "invalid_path");
  sr_th_response_clean (&r);
  REQUIRE (sr_th_http (srv.port, "GET", "/healthz%00x", NULL, NULL, 0, &r));
  check_problem (&r, 400, "invalid_path");
  sr_th_response_clean (&r);
  REQUIRE (sr_th_http (srv.port, "GET", "/healthz?%ff=1", NULL, NULL, 0,
                       &r));
  check_problem (&r, 400, "invalid_parameter");
  sr_th_response_clean (&r);

  /* A body where the route takes none. */
  REQUIRE (sr_th_http (srv.port, "GET", "/healthz", NULL, "abc", 3, &r));
  check_problem (&r, 413, "payload_too_large");
  sr_th_response_clean (&r);
}

SR_TEST (test_size_limits)
{
  struct sr_th_response r;
  size_t big = 9000;
  char *target = malloc (big + 1);
  char *headers = malloc (20000);
  char *raw;

  REQUIRE (up && NULL != target && NULL != headers);
  target[0] = '/';
  memset (target + 1, 'a', big - 1);
  target[big] = '\0';
  REQUIRE (sr_th_http (srv.port, "GET", target, NULL, NULL, 0, &r));
  check_problem (&r, 414, "uri_too_long");
  sr_th_response_clean (&r);

  /* 20 KB of headers: over our 16 KiB limit, under MHD's own. */
  snprintf (headers, 20000, "X-Filler: ");
  memset (headers + 10, 'h', 18000);
  memcpy (headers + 18010, "\r\n", 3);
  REQUIRE (sr_th_http (srv.port, "GET", "/healthz", headers, NULL, 0, &r));
  check_problem (&r, 431, "headers_too_large");
  sr_th_response_clean (&r);

  /* Far past our limit yet within the connection's memory pool: still
   * refused by us, in our envelope; past the pool, refused by
   * libmicrohttpd (414, its own page).  The server keeps serving. */
  raw = malloc (300000);
  REQUIRE (NULL != raw);
  {
    static const char tail[] =
      " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    static const size_t lens[] = { 40000, 200000 };

    for (size_t k = 0; k < 2; k++) {
      memcpy (raw, "GET /", 5);
      memset (raw + 5, 'b', lens[k]);
      memcpy (raw + 5 + lens[k], tail, sizeof (tail));
      REQUIRE (sr_th_http_raw (srv.port, raw, strlen (raw), &r));
      if (0 == k)
        check_problem (&r, 414, "uri_too_long");
      else
        CHECK_INT_EQ (r.status, 414);
      sr_th_response_clean (&r);
    }
  }
  REQUIRE (sr_th_http (srv.port, "GET", "/healthz", NULL, NULL, 0, &r));
  CHECK_INT_EQ (r.status, 200);
  sr_th_response_clean (&r);

  /* Garbage instead of HTTP (a TLS hello): libmicrohttpd drops the
   * connection at once, without an answer (documented in the README); it
   * must not hold it, and the server must still be fine. */
  {
    double t0 = sr_th_now ();

    CHECK (!sr_th_http_raw (srv.port, "\x16\x03\x01garbage\r\n\r\n", 15,
                            &r));
    CHECK (sr_th_now () - t0 < 5.0);
  }
  REQUIRE (sr_th_http (srv.port, "GET", "/healthz", NULL, NULL, 0, &r));
  CHECK_INT_EQ (r.status, 200);
  sr_th_response_clean (&r);
  free (raw);
  free (target);
  free (headers);
}

SR_TEST (test_auth_matrix)
{
  struct sr_th_response r;
  json_t *body;
  char *tok_auth = sr_th_jwt (SECRET, "authenticated", "authenticated", 600);
  char *tok_service = sr_th_jwt (SECRET, "service_role", "authenticated",
                                 600);
  char *tok_anon = sr_th_jwt (SECRET, "anon", "authenticated", 600);
  char *tok_expired = sr_th_jwt (SECRET, "service_role", "authenticated",
                                 -3600);
  char *tok_wrong_aud = sr_th_jwt (SECRET, "service_role", "other", 600);
  char *tok_other_key = sr_th_jwt ("another-secret-0123456789abcdef012345",
                                   "service_role", "authenticated", 600);

  REQUIRE (up);
  body = get_json ("/v1/me", NULL, &r);
  check_problem (&r, 401, "unauthenticated");
  CHECK_STR_EQ (sr_th_header (&r, "WWW-Authenticate"),
                "Bearer realm=\"signalroom\"");
  json_decref (body);
  sr_th_response_clean (&r);

  body = get_json ("/v1/me", "not-a-jwt", &r);
  check_problem (&r, 401, "unauthenticated");
  CHECK_CONTAINS (sr_th_header (&r, "WWW-Authenticate"),
                  "error=\"invalid_token\"");
  json_decref (body);
  sr_th_response_clean (&r);

  body = get_json ("/v1/me", tok_expired, &r);
  check_problem (&r, 401, "unauthenticated");
  CHECK_STR_EQ (jstr (body, "detail"), "token expired");
  json_decref (body);
  sr_th_response_clean (&r);

  body = get_json ("/v1/me", tok_wrong_aud, &r);
  check_problem (&r, 401, "unauthenticated");
  CHECK_STR_EQ (jstr (body, "detail"), "audience mismatch");
  json_decref (body);
  sr_th_response_clean (&r);

  body = get_json ("/v1/me", tok_other_key, &r);
  check_problem (&r, 401, "unauthenticated");
  CHECK_STR_EQ (jstr (body, "detail"), "signature does not verify");
  json_decref (body);
  sr_th_response_clean (&r);

  body = get_json ("/v1/me", tok_anon, &r);
  check_problem (&r, 403, "forbidden");
  json_decref (body);
  sr_th_response_clean (&r);

  body = get_json ("/v1/me", tok_auth, &r);
  CHECK_INT_EQ (r.status, 200);
  CHECK_STR_EQ (jstr (body, "role"), "authenticated");
  CHECK_STR_EQ (jstr (body, "sub"), "test-user");
  CHECK (json_is_true (json_object_get (body, "can_read")));
  CHECK (json_is_false (json_object_get (body, "can_write")));
  json_decref (body);
  sr_th_response_clean (&r);

  /* Reading configuration needs service_role ... */
  body = get_json ("/v1/config", tok_auth, &r);
  check_problem (&r, 403, "forbidden");
  json_decref (body);
  sr_th_response_clean (&r);

  /* ... which sees it with secrets masked. */
  body = get_json ("/v1/config", tok_service, &r);
  CHECK_INT_EQ (r.status, 200);
  CHECK_STR_EQ (jstr (json_object_get (json_object_get (body, "options"),
                                       "SIGNALROOM_JWT_SECRET"), "value"),
                "[set]");
  CHECK_STR_EQ (jstr (json_object_get (json_object_get (body, "options"),
                                       "SIGNALROOM_WORKERS"), "origin"),
                "default");
  CHECK_STR_EQ (jstr (body, "jwt_algorithm"), "HS256");
  CHECK (NULL == strstr (r.body, SECRET));
  json_decref (body);
  sr_th_response_clean (&r);

  /* The principal's role shows in the access log. */
  CHECK (NULL != sr_th_server_wait_log (&srv, 5000, "\"path\":\"/v1/config\"",
                                        "\"role\":\"service_role\"", NULL));
  free (tok_auth);
  free (tok_service);
  free (tok_anon);
  free (tok_expired);
  free (tok_wrong_aud);
  free (tok_other_key);
}

static void
put_level (const char *token, const char *ctype, const char *body,
           size_t len, struct sr_th_response *r)
{
  char headers[4096];

  snprintf (headers, sizeof (headers),
            "Authorization: Bearer %s\r\n%s%s%s", token,
            ctype ? "Content-Type: " : "", ctype ? ctype : "",
            ctype ? "\r\n" : "");
  CHECK (sr_th_http (srv.port, "PUT", "/v1/log-level", headers, body, len,
                     r));
}

SR_TEST (test_bodies)
{
  struct sr_th_response r;
  json_t *body;
  char *tok = sr_th_jwt (SECRET, "service_role", "authenticated", 600);
  char *tok_read = sr_th_jwt (SECRET, "authenticated", "authenticated", 600);
  char big[2048];

  REQUIRE (up);
  put_level (tok, "text/plain", "{\"level\":\"info\"}", 16, &r);
  check_problem (&r, 415, "unsupported_media_type");
  sr_th_response_clean (&r);

  put_level (tok, NULL, "{\"level\":\"info\"}", 16, &r);
  check_problem (&r, 415, "unsupported_media_type");
  sr_th_response_clean (&r);

  put_level (tok, "application/json; charset=latin1", "{\"level\":\"info\"}",
             16, &r);
  check_problem (&r, 415, "unsupported_media_type");
  sr_th_response_clean (&r);

  put_level (tok, "application/json", "{\"level\":", 9, &r);
  body = json_loads (r.body, 0, NULL);
  check_problem (&r, 400, "invalid_json");
  CHECK_CONTAINS (jstr (body, "detail"), "line 1");
  json_decref (body);
  sr_th_response_clean (&r);

  put_level (tok, "application/json", "{\"level\":\"loud\"}", 16, &r);
  check_problem (&r, 400, "invalid_request");
  sr_th_response_clean (&r);

  put_level (tok, "application/json", "{\"level\":\"info\",\"x\":1}", 22, &r);
  check_problem (&r, 400, "invalid_json");
  sr_th_response_clean (&r);

  put_level (tok, "application/json", "{\"level\":\"\xff\"}", 13, &r);
  check_problem (&r, 400, "invalid_json");
  sr_th_response_clean (&r);

  memset (big, ' ', sizeof (big));
  put_level (tok, "application/json", big, sizeof (big), &r);
  check_problem (&r, 413, "payload_too_large");
  sr_th_response_clean (&r);

  /* The same oversize body, chunked (no Content-Length to check early). */
  {
    char raw[8192];
    int n = snprintf (raw, sizeof (raw),
                      "PUT /v1/log-level HTTP/1.1\r\nHost: x\r\n"
                      "Connection: close\r\nAuthorization: Bearer %s\r\n"
                      "Content-Type: application/json\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n800\r\n", tok);

    memset (raw + n, ' ', 2048);
    n += 2048;
    n += snprintf (raw + n, sizeof (raw) - (size_t) n, "\r\n0\r\n\r\n");
    REQUIRE (sr_th_http_raw (srv.port, raw, (size_t) n, &r));
    check_problem (&r, 413, "payload_too_large");
    sr_th_response_clean (&r);
  }

  put_level (tok_read, "application/json", "{\"level\":\"info\"}", 16, &r);
  check_problem (&r, 403, "forbidden");
  sr_th_response_clean (&r);

  put_level (tok, "Application/JSON; charset=UTF-8", "{\"level\":\"warn\"}",
             16, &r);
  CHECK_INT_EQ (r.status, 200);
  body = json_loads (r.body, 0, NULL);
  CHECK_STR_EQ (jstr (body, "level"), "warn");
  CHECK_STR_EQ (jstr (body, "previous"), "debug");
  json_decref (body);
  sr_th_response_clean (&r);
  CHECK (NULL != sr_th_server_wait_log (&srv, 5000,
                                        "\"msg\":\"log level changed\"",
                                        "\"to\":\"warn\"", NULL));
  /* At warn, successful requests are no longer logged. */
  REQUIRE (sr_th_http (srv.port, "GET", "/healthz",
                       "X-Request-Id: after-warn\r\n", NULL, 0, &r));
  sr_th_response_clean (&r);
  put_level (tok, "application/json", "{\"level\":\"debug\"}", 17, &r);
  CHECK_INT_EQ (r.status, 200);
  sr_th_response_clean (&r);
  /* A line written after that request's would-be line: once the reader
   * has it, an access line of "after-warn" would have been read too. */
  CHECK (NULL != sr_th_server_wait_log (&srv, 5000,
                                        "\"msg\":\"log level changed\"",
                                        "\"to\":\"debug\"", NULL));
  CHECK_INT_EQ (sr_th_server_count_log (&srv, "after-warn"), 0);
  free (tok);
  free (tok_read);
}

SR_TEST (test_logs_are_json_and_secret_free)
{
  char *log;
  size_t lines = 0;

  REQUIRE (up);
  log = sr_th_server_log (&srv);
  for (char *line = strtok (log, "\n"); NULL != line;
       line = strtok (NULL, "\n")) {
    json_t *j = json_loads (line, 0, NULL);

    lines++;
    CHECK (NULL != j);
    if (NULL == j) {
      fprintf (stderr, "not JSON: %s\n", line);
      continue;
    }
    CHECK (NULL != jstr (j, "ts"));
    CHECK (NULL != jstr (j, "level"));
    CHECK (NULL != jstr (j, "msg"));
    CHECK_INT_EQ (strlen (jstr (j, "ts")), 24);
    if (0 == strcmp (jstr (j, "msg"), "request"))
      CHECK (NULL != jstr (j, "request_id"));
    json_decref (j);
  }
  CHECK (lines > 20);
  free (log);
  log = sr_th_server_log (&srv);
  CHECK (NULL == strstr (log, SECRET));
  CHECK (NULL == strstr (log, "Bearer ey"));
  free (log);
}

/*
 * A browser dashboard on an allowed origin: its preflight is answered
 * without a token, every answer (errors too) names the origin; any other
 * origin gets nothing it could use.
 */
SR_TEST (test_cors)
{
  static const char ok[] = "Origin: https://dash.example.com\r\n";
  static const char evil[] = "Origin: https://dash.example.com.evil.test\r\n";
  struct sr_th_response r;
  char h[512];

  REQUIRE (up);
  snprintf (h, sizeof (h), "%sAccess-Control-Request-Method: GET\r\n"
            "Access-Control-Request-Headers: authorization\r\n", ok);
  REQUIRE (sr_th_http (srv.port, "OPTIONS", "/v1/reports/leaderboard", h,
                       NULL, 0, &r));
  CHECK_INT_EQ (r.status, 204);
  CHECK_STR_EQ (sr_th_header (&r, "Access-Control-Allow-Origin"),
                "https://dash.example.com");
  CHECK_STR_EQ (sr_th_header (&r, "Access-Control-Allow-Methods"), "GET");
  CHECK_CONTAINS (sr_th_header (&r, "Access-Control-Allow-Headers"),
                  "Authorization");
  CHECK_CONTAINS (sr_th_header (&r, "Access-Control-Allow-Headers"),
                  "If-None-Match");
  sr_th_response_clean (&r);

  /* A method the route does not take, a path that does not exist. */
  snprintf (h, sizeof (h), "%sAccess-Control-Request-Method: DELETE\r\n",
            ok);
  REQUIRE (sr_th_http (srv.port, "OPTIONS", "/v1/reports", h, NULL, 0, &r));
  check_problem (&r, 405, "method_not_allowed");
  sr_th_response_clean (&r);
  snprintf (h, sizeof (h), "%sAccess-Control-Request-Method: GET\r\n", ok);
  REQUIRE (sr_th_http (srv.port, "OPTIONS", "/v1/nothing", h, NULL, 0, &r));
  check_problem (&r, 404, "not_found");
  sr_th_response_clean (&r);

  /* An origin that only starts like an allowed one. */
  snprintf (h, sizeof (h), "%sAccess-Control-Request-Method: GET\r\n",
            evil);
  REQUIRE (sr_th_http (srv.port, "OPTIONS", "/v1/reports", h, NULL, 0, &r));
  check_problem (&r, 403, "forbidden");
  CHECK (NULL == sr_th_header (&r, "Access-Control-Allow-Origin"));
  sr_th_response_clean (&r);

  /* Real requests: the error a page gets without a token is readable. */
  REQUIRE (sr_th_http (srv.port, "GET", "/v1/reports", ok, NULL, 0, &r));
  CHECK_INT_EQ (r.status, 401);
  CHECK_STR_EQ (sr_th_header (&r, "Access-Control-Allow-Origin"),
                "https://dash.example.com");
  CHECK_CONTAINS (sr_th_header (&r, "Access-Control-Expose-Headers"),
                  "ETag");
  sr_th_response_clean (&r);
  REQUIRE (sr_th_http (srv.port, "GET", "/healthz", evil, NULL, 0, &r));
  CHECK_INT_EQ (r.status, 200);
  CHECK (NULL == sr_th_header (&r, "Access-Control-Allow-Origin"));
  sr_th_response_clean (&r);
  REQUIRE (sr_th_http (srv.port, "GET", "/healthz", NULL, NULL, 0, &r));
  CHECK (NULL == sr_th_header (&r, "Access-Control-Allow-Origin"));
  sr_th_response_clean (&r);
}

SR_TEST (test_stop)
{
  int code = -1;
  double secs = 99;

  REQUIRE (up);
  CHECK (sr_th_server_stop (&srv, SIGTERM, 10000, &code, &secs));
  CHECK_INT_EQ (code, 0);
  CHECK (secs < 5.0);
  up = false;
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_start),
              SR_TEST_ENTRY (test_healthz_and_request_id),
              SR_TEST_ENTRY (test_readyz_and_database),
              SR_TEST_ENTRY (test_openapi_served),
              SR_TEST_ENTRY (test_routing_errors),
              SR_TEST_ENTRY (test_size_limits),
              SR_TEST_ENTRY (test_auth_matrix),
              SR_TEST_ENTRY (test_bodies),
              SR_TEST_ENTRY (test_logs_are_json_and_secret_free),
              SR_TEST_ENTRY (test_cors),
              SR_TEST_ENTRY (test_stop))
