/*
 * cors.h -- cross-origin access for browser dashboards
 * (SIGNALROOM_CORS_ORIGINS).
 *
 * Every response to an allowed Origin carries Access-Control-Allow-Origin
 * (errors too, so a page can read why it failed) and exposes the headers
 * a dashboard needs (ETag, X-Request-Id, Retry-After).  A preflight
 * (OPTIONS with Access-Control-Request-Method) is answered 204 before
 * authentication, for routes that exist; an origin not on the list gets
 * no CORS headers (a preflight from it: 403), so the browser refuses.
 */
#ifndef SR_CORS_H
#define SR_CORS_H

#include <stdbool.h>

/** Whether @a origin is on the comma-separated @a list ("*": any). */
bool sr_cors_allowed (const char *list, const char *origin);

#define SR_CORS_ALLOW_HEADERS \
  "Authorization, Content-Type, If-None-Match, Idempotency-Key, X-Request-Id"
#define SR_CORS_EXPOSE_HEADERS \
  "ETag, X-Request-Id, Retry-After, Location, WWW-Authenticate"
#define SR_CORS_MAX_AGE "600"

#endif /* SR_CORS_H */
