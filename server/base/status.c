/*
 * status.c -- the mapping table behind status.h.
 */
#include "status.h"

#include <stddef.h>

struct status_row {
  unsigned int http;
  const char *code;
  const char *title;
};

static const struct status_row rows[SR_STATUS_COUNT_] = {
  [SR_OK] = { 200, "ok", "OK" },
  [SR_E_INVALID] = { 400, "invalid_request", "Invalid request" },
  [SR_E_BAD_JSON] = { 400, "invalid_json", "Malformed JSON body" },
  [SR_E_UNKNOWN_PARAM] = { 400, "unknown_parameter",
                           "Unknown query parameter" },
  [SR_E_BAD_PARAM] = { 400, "invalid_parameter", "Invalid parameter" },
  [SR_E_BAD_PATH] = { 400, "invalid_path", "Invalid request path" },
  [SR_E_UNSUPPORTED_MEDIA] = { 415, "unsupported_media_type",
                               "Unsupported media type" },
  [SR_E_TOO_LARGE] = { 413, "payload_too_large", "Request body too large" },
  [SR_E_URI_TOO_LONG] = { 414, "uri_too_long", "Request URI too long" },
  [SR_E_HEADERS_TOO_LARGE] = { 431, "headers_too_large",
                               "Request headers too large" },
  [SR_E_BAD_HEADER] = { 400, "invalid_header", "Invalid header" },
  [SR_E_UNAUTHENTICATED] = { 401, "unauthenticated",
                             "Authentication required" },
  [SR_E_FORBIDDEN] = { 403, "forbidden", "Insufficient role" },
  [SR_E_NOT_FOUND] = { 404, "not_found", "Not found" },
  [SR_E_METHOD] = { 405, "method_not_allowed", "Method not allowed" },
  [SR_E_CONFLICT] = { 409, "conflict", "Conflict" },
  [SR_E_IDEMPOTENCY_MISMATCH] = { 422, "idempotency_key_reused",
                                  "Idempotency key reused" },
  [SR_E_AUTH_UNCONFIGURED] = { 503, "auth_not_configured",
                               "Authentication is not configured" },
  [SR_E_UNAVAILABLE] = { 503, "unavailable", "Service unavailable" },
  [SR_E_BUSY] = { 503, "server_busy", "Server busy, retry" },
  [SR_E_DB] = { 500, "database_error", "Database error" },
  [SR_E_DB_SOFT] = { 503, "database_busy", "Database busy, retry" },
  [SR_E_DB_CONN] = { 503, "database_unavailable", "Database unavailable" },
  [SR_E_DB_TIMEOUT] = { 503, "database_timeout",
                        "Database did not answer in time" },
  [SR_E_SCHEMA_OUTDATED] = { 503, "schema_outdated",
                             "Database schema not migrated" },
  [SR_E_UPSTREAM] = { 502, "upstream_error", "Upstream error" },
  [SR_E_CONFIG] = { 500, "configuration_error", "Configuration error" },
  [SR_E_IO] = { 500, "io_error", "I/O error" },
  [SR_E_INTERNAL] = { 500, "internal_error", "Internal error" },
};

static const struct status_row *
row_of (enum sr_status st)
{
  if ((unsigned int) st >= SR_STATUS_COUNT_ || NULL == rows[st].code)
    return &rows[SR_E_INTERNAL];
  return &rows[st];
}

unsigned int
sr_status_http (enum sr_status st)
{
  return row_of (st)->http;
}

const char *
sr_status_code (enum sr_status st)
{
  return row_of (st)->code;
}

const char *
sr_status_title (enum sr_status st)
{
  return row_of (st)->title;
}

/* end of status.c */
