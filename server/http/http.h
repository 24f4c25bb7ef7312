/*
 * http.h -- the HTTP server: libmicrohttpd (epoll, a thread pool) and an
 * API thread pool for the requests that need the database.
 *
 * Owns the MHD daemon and the request life cycle (request.h).  Enforced
 * here, before any handler runs, in this order: request framing (one
 * Content-Length or chunked, never both; 400 and the connection closed),
 * headers that may appear once, request-target length, header size, path
 * encoding, route (404/405), query parameters (known, with a value, once,
 * no NUL), the route's auth policy (401/403/503), body size (413, from
 * Content-Length before reading when possible) and media type (415).
 *
 * Threads: MHD runs SIGNALROOM_HTTP_THREADS epoll threads that parse
 * requests and run only the handlers of SR_ROUTE_NO_DB routes.  Every
 * other request is suspended and handed to SIGNALROOM_API_THREADS API
 * threads (api_pool.h), each with its own database connection (db.h);
 * with SIGNALROOM_API_QUEUE requests already waiting, the next one is
 * answered 503 server_busy at once.  A GET or HEAD that meets a dead
 * database connection is retried once on a new one.
 *
 * Connections: deadlines for a request's head and body (http_guard.h),
 * keep-alive only while few connections are open, refusals logged at a
 * bounded rate (ratelimit.h) and counted in a periodic "http summary".
 */
#ifndef SR_HTTP_H
#define SR_HTTP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "app_state.h"
#include "auth.h"
#include "config.h"
#include "router.h"
#include "status.h"

/** Request-target and header limits (beyond them: 414 / 431). */
#define SR_HTTP_MAX_URI 8192
#define SR_HTTP_MAX_HEADERS 16384

/** Query parameters read from one target; a query with more is cut
 * before libmicrohttpd splits it, and the request answered 414. */
#define SR_HTTP_MAX_QUERY_PARAMS 64

/**
 * libmicrohttpd's memory per connection.  It holds the request head (our
 * limits: 24 KiB) and a 64-byte record per header line and query
 * parameter.  The query is never split when it has more parameters than
 * we read (http.c cuts it first: split into a pool too small, it made MHD
 * hang without an answer), so only header lines remain: hundreds fit,
 * and past them MHD answers 431 itself.
 *
 * Why not more: MHD zeroes the unused pool on every request of a
 * kept-alive connection.  At 544 KiB (the old size) that memset was 45% of
 * the CPU of /healthz under load and a long latency tail (measured with
 * perf and wrk; a bare MHD server showed the same: 40k requests/s and a
 * 20 ms p99 at 544 KiB against 81k and 4.6 ms at 64 KiB).
 */
#define SR_HTTP_POOL_SIZE (64u * 1024u)

struct sr_http;

/**
 * Start listening on cfg->listen with the app's routes.
 * @param[out] out  the server
 * @param[out] err  on failure, one line (e.g. address in use)
 */
enum sr_status sr_http_start (struct sr_app *app, struct sr_http **out,
                              char *err, size_t errlen);

/** @return the bound TCP port (useful when port 0 was asked for). */
unsigned int sr_http_port (const struct sr_http *srv);

/**
 * Graceful stop: stop accepting, let in-flight requests finish for at most
 * @a grace_s seconds, answer requests still waiting for an API thread
 * 503, then close every connection and free @a srv.
 *
 * @param[out] joined  false when a handler was still running on an API
 *                     thread after the grace (stuck on the database): the
 *                     server is then left running, untouched, and the
 *                     caller should exit the process; may be NULL
 * @return the number of requests still in flight when the grace ran out
 */
unsigned int sr_http_stop (struct sr_http *srv, unsigned int grace_s,
                           bool *joined);

#endif /* SR_HTTP_H */
