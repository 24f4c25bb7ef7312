/*
 * reply.c -- see reply.h.
 */
#include "reply.h"
#include "log.h"
#include "mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
sr_reply_clean (struct sr_reply *reply)
{
  free (reply->content_type);
  free (reply->body);
  for (size_t i = 0; i < reply->n_headers; i++) {
    free (reply->headers[i].name);
    free (reply->headers[i].value);
  }
  memset (reply, 0, sizeof (*reply));
}

/* Drop the body of a previous reply but keep the headers already added
 * (e.g. WWW-Authenticate set before the problem is staged). */
static void
reset_body (struct sr_reply *reply)
{
  free (reply->content_type);
  free (reply->body);
  reply->content_type = NULL;
  reply->body = NULL;
  reply->body_len = 0;
}

static void
stage (struct sr_request *req, unsigned int http_status, const char *ctype,
       char *body_steal, size_t len)
{
  reset_body (&req->reply);
  req->reply.set = true;
  req->reply.http_status = http_status;
  req->reply.content_type = sr_xstrdup (ctype);
  req->reply.body = body_steal;
  req->reply.body_len = len;
  req->reply.problem = SR_OK;
}

enum sr_status
sr_reply_json_steal (struct sr_request *req, unsigned int http_status,
                     json_t *body)
{
  char *text = json_dumps (body, JSON_COMPACT | JSON_ENCODE_ANY);

  json_decref (body);
  if (NULL == text) {
    /* Only a non-UTF-8 string can make a valid json_t unserialisable:
     * a bug of ours, reported as such. */
    sr_log (SR_LOG_ERROR, "reply serialisation failed", NULL);
    return sr_reply_problem (req, SR_E_INTERNAL, "response encoding failed");
  }
  stage (req, http_status, "application/json", text, strlen (text));
  return SR_OK;
}

enum sr_status
sr_reply_text (struct sr_request *req, unsigned int http_status,
               const char *content_type, const char *data, size_t len)
{
  char *copy = sr_xmalloc (len + 1);

  memcpy (copy, data, len);
  copy[len] = '\0';
  stage (req, http_status, content_type, copy, len);
  return SR_OK;
}

enum sr_status
sr_reply_bytes_steal (struct sr_request *req, unsigned int http_status,
                      const char *content_type, char *data, size_t len)
{
  stage (req, http_status, content_type, data, len);
  return SR_OK;
}

static enum sr_status
problem (struct sr_request *req, enum sr_status st, json_t *extra,
         const char *detail, va_list ap)
{
  char type[96];
  char text[512];
  json_t *body;
  char *dumped;

  snprintf (type, sizeof (type), "urn:signalroom:problem:%s",
            sr_status_code (st));
  body = json_pack ("{s:s, s:s, s:i, s:s}", "type", type, "title",
                    sr_status_title (st), "status",
                    (int) sr_status_http (st), "code", sr_status_code (st));
  if (NULL != detail) {
    json_t *d;

    vsnprintf (text, sizeof (text), detail, ap);
    /* Details may quote client input: keep the envelope valid JSON even
     * when that input was not UTF-8. */
    d = json_string (text);
    if (NULL == d)
      d = json_string ("(detail not printable)");
    json_object_set_new (body, "detail", d);
  }
  if (req->request_id[0])
    json_object_set_new (body, "request_id", json_string (req->request_id));
  if (NULL != extra) {
    json_object_update_missing (body, extra);
    json_decref (extra);
  }
  dumped = json_dumps (body, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref (body);
  if (NULL == dumped)
    dumped = sr_xstrdup ("{\"code\":\"internal_error\"}");
  stage (req, sr_status_http (st), "application/problem+json", dumped,
         strlen (dumped));
  req->reply.problem = st;
  return SR_OK;
}

enum sr_status
sr_reply_problem (struct sr_request *req, enum sr_status st,
                  const char *detail, ...)
{
  va_list ap;
  enum sr_status ret;

  va_start (ap, detail);
  ret = problem (req, st, NULL, detail, ap);
  va_end (ap);
  return ret;
}

enum sr_status
sr_reply_problem_extra_steal (struct sr_request *req, enum sr_status st,
                              json_t *extra, const char *detail, ...)
{
  va_list ap;
  enum sr_status ret;

  va_start (ap, detail);
  ret = problem (req, st, extra, detail, ap);
  va_end (ap);
  return ret;
}

enum sr_status
sr_reply_fail (struct sr_request *req, enum sr_status st, const char *detail,
               ...)
{
  va_list ap;

  va_start (ap, detail);
  (void) problem (req, st, NULL, detail, ap);
  va_end (ap);
  return st;
}

enum sr_status
sr_reply_fail_extra_steal (struct sr_request *req, enum sr_status st,
                           json_t *extra, const char *detail, ...)
{
  va_list ap;

  va_start (ap, detail);
  (void) problem (req, st, extra, detail, ap);
  va_end (ap);
  return st;
}

enum sr_status
sr_reply_param_fail (struct sr_request *req, enum sr_status st,
                     const char *param, const char *detail, ...)
{
  va_list ap;

  va_start (ap, detail);
  (void) problem (req, st, json_pack ("{s:s}", "parameter", param), detail,
                  ap);
  va_end (ap);
  return st;
}

void
sr_reply_header (struct sr_request *req, const char *name, const char *value)
{
  struct sr_reply *r = &req->reply;

  for (size_t i = 0; i < r->n_headers; i++)
    if (0 == strcasecmp (r->headers[i].name, name)) {
      free (r->headers[i].value);
      r->headers[i].value = sr_xstrdup (value);
      return;
    }
  if (r->n_headers >= sizeof (r->headers) / sizeof (r->headers[0])) {
    sr_log (SR_LOG_ERROR, "too many reply headers", "{s:s}", "header", name);
    return;
  }
  r->headers[r->n_headers].name = sr_xstrdup (name);
  r->headers[r->n_headers].value = sr_xstrdup (value);
  r->n_headers++;
}

enum sr_status
sr_reply_page_steal (struct sr_request *req, const char *key, json_t *items,
                     int64_t limit)
{
  size_t n = json_array_size (items);
  json_t *next = json_null ();

  if (n > 0 && (int64_t) n == limit)
    next = json_integer (json_integer_value (json_object_get (
                                               json_array_get (items, n - 1),
                                               "id")));
  return sr_reply_json_steal (req, 200, json_pack ("{s:o, s:o}", key, items,
                                                   "next_cursor", next));
}

/* end of reply.c */
