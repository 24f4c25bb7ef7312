/*
 * rawhttp.h -- a hostile HTTP client for tests and benchmarks.
 *
 * harness.h's sr_th_http() is a polite client: one request, Connection:
 * close, a 30 s read.  The robustness tests need what attackers do and
 * what a prober measures: connections held open, bytes trickled, several
 * requests on one keep-alive connection, and every wait bounded by a
 * deadline so a server that hangs fails the test instead of stalling it.
 *
 * Sockets are blocking; every read waits with poll() on the monotonic
 * clock.  Nothing here sleeps to synchronise: a wait ends when the socket
 * says so or when its deadline passes.
 */
#ifndef SR_TEST_RAWHTTP_H
#define SR_TEST_RAWHTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "harness.h"

/** A TCP connection to 127.0.0.1:@a port (TCP_NODELAY), or -1. */
int sr_rh_connect (int port);

/** Write all of @a data; false when the peer closed or on error. */
bool sr_rh_send (int fd, const void *data, size_t len);

/**
 * Read exactly one response (head, then a Content-Length body) within
 * @a timeout_ms, leaving whatever follows unread.
 * @param[out] resp  filled on success (sr_th_response_clean() it); may
 *                   be NULL
 * @return the status, or 0 on timeout, close or garbage
 */
int sr_rh_read_one (int fd, int timeout_ms, struct sr_th_response *resp);

/**
 * Read until the peer closes, for at most @a timeout_ms.
 * @param[out] out  everything read (NUL-terminated, caller frees); may be
 *                  NULL
 * @return true when the peer closed (EOF or reset) in time
 */
bool sr_rh_read_to_close (int fd, int timeout_ms, char **out, size_t *len);

/**
 * Send @a raw on a new connection and read one response.
 * @param[out] seconds  time from connect to the response (may be NULL)
 * @return the status, or 0 when no response came within @a timeout_ms
 */
int sr_rh_request (int port, const char *raw, size_t len, int timeout_ms,
                   struct sr_th_response *resp, double *seconds);

/** GET @a target with optional extra header lines; see sr_rh_request. */
int sr_rh_get (int port, const char *target, const char *headers,
               int timeout_ms, struct sr_th_response *resp,
               double *seconds);

/** Raise this process's open-file limit to its hard limit (for tests
 * that hold many sockets); @return the new soft limit. */
unsigned long sr_rh_raise_nofile (void);

#endif /* SR_TEST_RAWHTTP_H */
