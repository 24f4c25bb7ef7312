/*
 * reply.h -- staging responses: JSON, text, and the one error envelope.
 *
 * Every 4xx/5xx body is application/problem+json (RFC 9457):
 *   {"type": "...#<code>", "title": ..., "status": 400,
 *    "code": "invalid_json", "detail": "...", "request_id": "..."}
 * where "code" is the stable sr_status code (status.h).  Handlers return
 * the result of these functions, so "return sr_reply_problem (...)" both
 * stages the reply and ends the handler.  The _steal suffix means the
 * callee takes ownership of the argument.
 */
#ifndef SR_REPLY_H
#define SR_REPLY_H

#include <stddef.h>

#include <jansson.h>

#include "request.h"

/**
 * Stage @a body (a JSON value) with @a http_status.  Takes ownership.
 * @return SR_OK
 */
enum sr_status sr_reply_json_steal (struct sr_request *req,
                                    unsigned int http_status, json_t *body);

/**
 * Stage a text body (copied) with @a content_type.
 * @return SR_OK
 */
enum sr_status sr_reply_text (struct sr_request *req,
                              unsigned int http_status,
                              const char *content_type, const char *data,
                              size_t len);

/** Stage @a data (malloc'ed, NUL-terminated at @a len) as the body;
 * the reply owns it from now on. */
enum sr_status sr_reply_bytes_steal (struct sr_request *req,
                                     unsigned int http_status,
                                     const char *content_type, char *data,
                                     size_t len);

/**
 * Stage the problem envelope for @a st with a printf-style @a detail
 * (NULL for none).  Replaces any reply staged before.
 * @return SR_OK (the error is now the reply, not a failure of the call)
 */
enum sr_status sr_reply_problem (struct sr_request *req, enum sr_status st,
                                 const char *detail, ...)
  __attribute__ ((format (printf, 3, 4)));

/**
 * Like sr_reply_problem() with extra members merged into the envelope
 * (e.g. the offending "parameter").  Takes ownership of @a extra.
 */
enum sr_status sr_reply_problem_extra_steal (struct sr_request *req,
                                             enum sr_status st,
                                             json_t *extra,
                                             const char *detail, ...)
  __attribute__ ((format (printf, 4, 5)));

/**
 * Stage the problem envelope for @a st and return @a st, for handlers and
 * checks that end on an error: "return sr_reply_fail (req, SR_E_X, ...)".
 */
enum sr_status sr_reply_fail (struct sr_request *req, enum sr_status st,
                              const char *detail, ...)
  __attribute__ ((format (printf, 3, 4)));

/** sr_reply_fail() for a bad request parameter: the envelope names it
 * ("parameter": @a param), so clients can point at the field. */
enum sr_status sr_reply_param_fail (struct sr_request *req, enum sr_status st,
                                    const char *param, const char *detail,
                                    ...)
  __attribute__ ((format (printf, 4, 5)));

/** sr_reply_fail() with extra envelope members; takes @a extra. */
enum sr_status sr_reply_fail_extra_steal (struct sr_request *req,
                                          enum sr_status st, json_t *extra,
                                          const char *detail, ...)
  __attribute__ ((format (printf, 4, 5)));

/** Add a response header (both copied); at most 8 per reply. */
void sr_reply_header (struct sr_request *req, const char *name,
                      const char *value);

/** Free a staged reply. */
void sr_reply_clean (struct sr_reply *reply);

/**
 * A keyset page: {"<key>": items, "next_cursor": id of the last item, or
 * null when the page is not full (nothing follows)}.  Takes @a items.
 */
enum sr_status sr_reply_page_steal (struct sr_request *req, const char *key,
                                    json_t *items, int64_t limit);

#endif /* SR_REPLY_H */
