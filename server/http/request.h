/*
 * request.h -- the per-request context every handler receives.
 *
 * Life cycle: http.c allocates a struct sr_request on MHD's first callback
 * for a request, fills method, path, route, principal and (for routes that
 * take one) the bounded body, calls the route's handler once, turns the
 * staged reply into an MHD response, and frees everything -- including
 * whatever the handler hung on @e handler_ctx via @e handler_cleanup -- in
 * MHD's completion callback, the single place a request ends.
 *
 * Handlers never see libmicrohttpd: they read the request through the
 * accessors below and stage a reply with reply.h.  That keeps them small
 * and testable without a socket.
 *
 * Threads: a route marked SR_ROUTE_NO_DB is handled on the HTTP thread
 * that read it; any other on an API thread (api_pool.h) while its
 * connection is suspended, so nothing else touches the request meanwhile
 * and the accessors below are safe there.  Either way one thread at a
 * time owns a request.
 */
#ifndef SR_REQUEST_H
#define SR_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "auth.h"
#include "buf.h"
#include "status.h"

struct sr_app;
struct sr_route;

#define SR_REQUEST_ID_MAX 64
#define SR_PATH_PARAMS_MAX 4

struct sr_reply_header {
  char *name;
  char *value;
};

/** The response a handler stages; sent by http.c. */
struct sr_reply {
  bool set;                  /* a reply was staged */
  unsigned int http_status;
  char *content_type;        /* owned */
  char *body;                /* owned, may hold NUL bytes */
  size_t body_len;
  struct sr_reply_header headers[8];
  size_t n_headers;
  enum sr_status problem;    /* the code of a staged problem; SR_OK when
                              * the reply is not one */
};

struct sr_request {
  struct sr_app *app;              /* borrowed, process-wide */
  const struct sr_route *route;    /* NULL until routed */
  void *connection;                /* opaque transport handle (http.c) */

  char request_id[SR_REQUEST_ID_MAX + 1];
  char method[16];
  char *path;                      /* owned, decoded, valid UTF-8 */
  char *path_params[SR_PATH_PARAMS_MAX]; /* owned, from {name} segments */
  size_t n_path_params;

  struct sr_principal principal;   /* role SR_ROLE_NONE on public routes */
  bool authenticated;

  struct sr_buf body;              /* capped at the route's max_body */
  bool body_too_large;
  char *content_type;              /* owned, media type without params */

  struct sr_reply reply;
  uint64_t started_us;             /* monotonic, for the access log */

  void *handler_ctx;               /* handler-owned state ... */
  void (*handler_cleanup) (void *handler_ctx); /* ... freed with this */
};

/** @return the value of query parameter @a name, or NULL (borrowed). */
const char *sr_request_query (const struct sr_request *req,
                              const char *name);

/** @return the value of request header @a name, or NULL (borrowed). */
const char *sr_request_header (const struct sr_request *req,
                               const char *name);

/** @return path parameter @a i (0-based, in route order) or NULL. */
const char *sr_request_path_param (const struct sr_request *req, size_t i);

/**
 * Parse the body as a JSON value.
 * @param[out] out  new reference on success
 * @param[out] why  on failure, a message naming line and column
 * @return SR_OK or SR_E_BAD_JSON
 */
enum sr_status sr_request_body_json (const struct sr_request *req,
                                     json_t **out, char *why,
                                     size_t whylen);

#endif /* SR_REQUEST_H */
