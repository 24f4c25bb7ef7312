/*
 * status.h -- the one error enum of signalroom.
 *
 * Every fallible function returns an enum sr_status.  SR_OK is zero so the
 * idiom is "st = f(); if (st) return st;".  Each value carries, in one table
 * (status.c), the HTTP status it maps to and a stable machine-readable code
 * that appears as "code" in the problem+json envelope.  The codes are part
 * of the public API (openapi/openapi.yaml lists them; a test keeps the two
 * in step): never rename one, only add.
 */
#ifndef SR_STATUS_H
#define SR_STATUS_H

enum sr_status {
  SR_OK = 0,

  /* Bad client input (4xx). */
  SR_E_INVALID,            /* generic validation failure */
  SR_E_BAD_JSON,           /* body is not JSON or not the expected shape */
  SR_E_UNKNOWN_PARAM,      /* query parameter the route does not accept */
  SR_E_BAD_PARAM,          /* query parameter with an invalid value */
  SR_E_BAD_PATH,           /* path is not valid UTF-8 or malformed */
  SR_E_UNSUPPORTED_MEDIA,  /* Content-Type the route does not accept */
  SR_E_TOO_LARGE,          /* request body over the route's cap */
  SR_E_URI_TOO_LONG,       /* request target over the cap */
  SR_E_HEADERS_TOO_LARGE,  /* request headers over the cap */
  SR_E_BAD_HEADER,         /* a header repeated, or framing that is
                            * ambiguous (Content-Length with chunked) */
  SR_E_UNAUTHENTICATED,    /* no token, or a token that does not verify */
  SR_E_FORBIDDEN,          /* valid token without the needed role */
  SR_E_NOT_FOUND,          /* no such route or resource */
  SR_E_METHOD,             /* route exists, method does not */
  SR_E_CONFLICT,           /* state conflict (duplicate, overlapping run) */
  SR_E_IDEMPOTENCY_MISMATCH, /* an Idempotency-Key reused for another request */

  /* Our side or our dependencies (5xx). */
  SR_E_AUTH_UNCONFIGURED,  /* no JWT key configured: protected routes closed */
  SR_E_UNAVAILABLE,        /* not ready (database down, shutting down) */
  SR_E_BUSY,               /* every API thread busy and the queue full */
  SR_E_DB,                 /* database error that a retry will not fix */
  SR_E_DB_SOFT,            /* serialization failure, deadlock: retry */
  SR_E_DB_CONN,            /* connection lost or impossible: retry later */
  SR_E_DB_TIMEOUT,         /* statement or lock wait over its time limit */
  SR_E_SCHEMA_OUTDATED,    /* migrations pending */
  SR_E_UPSTREAM,           /* an upstream API misbehaved */
  SR_E_CONFIG,             /* configuration invalid */
  SR_E_IO,                 /* local I/O failure */
  SR_E_INTERNAL,           /* a bug of ours */

  SR_STATUS_COUNT_
};

/**
 * @return the HTTP status code @a st maps to (200 for SR_OK).
 */
unsigned int sr_status_http(enum sr_status st);

/**
 * @return the stable snake_case code of @a st (static storage), e.g.
 *         "invalid_json".
 */
const char *sr_status_code(enum sr_status st);

/**
 * @return a short human title for @a st (static storage).
 */
const char *sr_status_title(enum sr_status st);

#endif /* SR_STATUS_H */
