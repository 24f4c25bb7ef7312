/*
 * router.h -- one static route table, matched by path template.
 *
 * A route declares everything the HTTP layer enforces before the handler
 * runs: method, path template ("/v1/syncs/{id}"), authentication policy,
 * the query parameters it accepts, whether it takes a body, of which media
 * type, and how large -- and where its handler runs (SR_ROUTE_NO_DB).
 * The table itself lives in handlers/routes.c; this module only matches
 * against it.
 */
#ifndef SR_ROUTER_H
#define SR_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "auth.h"
#include "request.h"

/** A handler stages a reply (reply.h) and returns SR_OK, or returns an
 * error status and lets the HTTP layer reply with its generic problem. */
typedef enum sr_status (*sr_handler) (struct sr_request *req);

/* Route flags. */
#define SR_ROUTE_QUIET 0x1u   /* access log at debug (health probes) */
#define SR_ROUTE_NO_DB 0x2u   /* the handler never touches the database nor
                               * waits on anything: it runs on the HTTP
                               * thread.  Without it (the default, the safe
                               * side) the request runs on an API thread
                               * (api_pool.h), so a stalled database can
                               * never hold an HTTP thread. */

#define SR_ROUTE_ANY_SCHEMA 0x4u /* runs while migrations are pending
                                  * (readiness reports them) */

struct sr_route {
  const char *method;             /* "GET", "POST", ... */
  const char *path;               /* template; {name} matches one segment */
  sr_handler handler;
  enum sr_auth_policy policy;
  const char *const *query;       /* accepted query parameters, NULL-ended;
                                   * NULL accepts none */
  const char *body_type;          /* accepted media type; NULL: no body */
  size_t max_body;                /* bytes; 0 with body_type NULL */
  unsigned int flags;             /* SR_ROUTE_* */
  const char *summary;            /* one line, for --help and docs */
  sr_handler cached;              /* optional: tried first on the HTTP
                                   * thread; must not block (memory only).
                                   * A staged reply is final; none sends
                                   * the request on to `handler` */
};

/** The table (handlers/routes.c). */
extern const struct sr_route sr_routes[];
extern const size_t sr_routes_count;

/**
 * Find the route for @a method and @a path in @a routes.
 *
 * HEAD matches a GET route.  On a path match with another method, @a allow
 * receives the allowed methods ("GET, POST") and the result is
 * SR_E_METHOD; with no path match SR_E_NOT_FOUND.  Path parameters are
 * copied into @a req (percent-decoding was already done by the server).
 *
 * @return SR_OK with *@a out set, SR_E_METHOD or SR_E_NOT_FOUND
 */
enum sr_status sr_router_match (const struct sr_route *routes, size_t n,
                                const char *method, const char *path,
                                struct sr_request *req,
                                const struct sr_route **out, char *allow,
                                size_t allowlen);

/**
 * Is @a name an accepted query parameter of @a route?
 */
bool sr_router_accepts_query (const struct sr_route *route,
                              const char *name);

/**
 * @return the position of @a name in @a route's accepted query
 *         parameters, or -1 when the route does not accept it
 */
int sr_router_query_index (const struct sr_route *route, const char *name);

#endif /* SR_ROUTER_H */
