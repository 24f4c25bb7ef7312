/*
 * app_state.h -- what the whole process shares with every request: the
 * configuration, the token verifier, the routes, whether it is shutting
 * down.  Filled by the program before the HTTP server starts; handlers read
 * it through req->app without needing the server's own interface.
 */
#ifndef SR_APP_STATE_H
#define SR_APP_STATE_H

#include <stdatomic.h>
#include <stddef.h>
#include <time.h>

#include "auth.h"
#include "config.h"

struct sr_route;
struct sr_reply_cache;

/** Process-wide state handlers may read (immutable after start, except
 * the atomics). */
struct sr_app {
  const struct sr_config *cfg;
  const struct sr_auth *auth;     /* NULL: protected routes answer 503 */
  const struct sr_route *routes;
  size_t n_routes;
  atomic_bool draining;           /* SIGTERM received */
  /* Set by `serve` until the migrator has seen the schema current: routes
   * that use the database answer 503 schema_outdated meanwhile (a half-
   * migrated schema must not meet a request), except those flagged
   * SR_ROUTE_ANY_SCHEMA, which report on it. */
  atomic_bool schema_pending;
  time_t started_at;
  /* Drop what an API thread keeps for the database (its connection), so
   * a request retried after a database restart starts afresh.  Set by
   * the program; the HTTP layer knows nothing of databases. */
  void (*reset_thread) (void);
  /* Rendered reports between loads (reply_cache.h); may be NULL. */
  struct sr_reply_cache *report_cache;
};

#endif /* SR_APP_STATE_H */
