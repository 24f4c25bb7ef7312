/*
 * http_guard.h -- deadlines on HTTP connections, and the HTTP summary.
 *
 * libmicrohttpd 0.9.75 has one timer per connection: an idle timeout that
 * every received byte resets.  A client that sends one header byte every
 * few seconds (slowloris), or connects and says nothing, holds its
 * connection slot for as long as it likes.  The guard adds the deadlines
 * MHD lacks:
 *
 *   - head: the whole request head must be in within header_s of the
 *     connection opening or of the previous response (so idle keep-alive
 *     connections end too);
 *   - body: a body must be in within body_s of its head.
 *
 * http.c reports each connection's life (opened, head in, body in,
 * request done, closed) from MHD's callbacks; a guard thread shuts down
 * the socket of any connection past its deadline, and MHD, seeing the
 * hang-up, closes it in its own thread.  The same thread writes the
 * periodic "http summary" line: connections cut, refusals and library
 * messages not logged (ratelimit.h), requests turned away busy.
 *
 * Threads: every function may be called from any thread; one mutex
 * guards the lists.  A connection record is owned by the guard from
 * sr_http_guard_opened() to sr_http_guard_closed(); MHD calls the latter
 * before it closes the socket, which is what makes shutting a socket down
 * from the guard thread safe (the descriptor cannot have been reused).
 */
#ifndef SR_HTTP_GUARD_H
#define SR_HTTP_GUARD_H

#include <stddef.h>

#include "status.h"

struct sr_http_guard;
struct sr_http_guard_conn;

/** What the summary counts besides cut connections. */
enum sr_http_guard_counter {
  SR_GUARD_REFUSED_NOT_LOGGED,  /* refusal access lines dropped */
  SR_GUARD_LIBRARY_NOT_LOGGED,  /* libmicrohttpd messages dropped */
  SR_GUARD_BUSY,                /* requests answered 503 server_busy */
  SR_GUARD_COUNTERS_
};

/**
 * Start the guard thread.
 * @param summary_ms  how often the summary line may be written
 */
enum sr_status sr_http_guard_start (unsigned int header_s,
                                    unsigned int body_s,
                                    unsigned int summary_ms,
                                    struct sr_http_guard **out);

/** Stop the thread and free everything (after MHD has stopped). */
void sr_http_guard_stop (struct sr_http_guard *g);

/** A connection on socket @a fd opened: its head deadline starts. */
struct sr_http_guard_conn *sr_http_guard_opened (struct sr_http_guard *g,
                                                 int fd);

/** Its request head is in: the body deadline starts. */
void sr_http_guard_head_in (struct sr_http_guard *g,
                            struct sr_http_guard_conn *c);

/** Its body is in (or none is coming): no deadline while we work. */
void sr_http_guard_body_in (struct sr_http_guard *g,
                            struct sr_http_guard_conn *c);

/** Its response is out: the head deadline of the next request starts. */
void sr_http_guard_request_done (struct sr_http_guard *g,
                                 struct sr_http_guard_conn *c);

/** The connection is closing; @a c is freed. */
void sr_http_guard_closed (struct sr_http_guard *g,
                           struct sr_http_guard_conn *c);

/** @return connections open right now. */
size_t sr_http_guard_open (struct sr_http_guard *g);

/** Count one event for the next summary. */
void sr_http_guard_count (struct sr_http_guard *g,
                          enum sr_http_guard_counter which);

#endif /* SR_HTTP_GUARD_H */
