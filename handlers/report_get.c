/*
 * report_get.c -- GET /v1/reports/{name} and /v1/reports/orders/{name}:
 * one report of the catalogue (store_reports.c), as JSON or CSV.
 *
 * The ETag is the report's data version and its canonical parameters, so
 * it changes only when a load touched the report's tables (or "yesterday"
 * became another day); If-None-Match answers 304 before any report SQL
 * runs.
 */
#include "db.h"
#include "handlers.h"
#include "app_state.h"
#include "dates.h"
#include "clock.h"
#include "reply.h"
#include "report_args.h"
#include "report_render.h"
#include "reply_cache.h"
#include "metrics.h"
#include "data_versions.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAX_REPORT_BYTES (32u * 1024 * 1024)

static const char *
query_lookup (void *cls, const char *name)
{
  return sr_request_query (cls, name);
}

#define UNKNOWN_BRAND "unknown brand (signalroom.brands lists them)"

static bool
bad_param (struct sr_request *req, const char *param, const char *detail)
{
  (void) sr_reply_param_fail (req, SR_E_BAD_PARAM, param, "%s", detail);
  return false;
}

/* The report the path names, or a 400 naming it. */
static const struct sr_report *
report_of_path (struct sr_request *req)
{
  const char *name = sr_request_path_param (req, 0);
  char full[80];
  const struct sr_report *rep;

  snprintf (full, sizeof (full), "%s%.60s",
            NULL != strstr (req->route->path, "/orders/") ? "orders/" : "",
            NULL != name ? name : "");
  rep = sr_report_find (full);
  if (NULL == rep)
    (void) bad_param (req, "name", "no such report (GET /v1/reports lists "
                      "them)");
  return rep;
}

/* JSON unless format=csv or the client accepts text/csv. */
static bool
wants_csv (struct sr_request *req, bool *csv)
{
  const char *f = sr_request_query (req, "format");
  const char *accept = sr_request_header (req, "Accept");

  if (NULL != f) {
    if (0 != strcmp (f, "json") && 0 != strcmp (f, "csv"))
      return bad_param (req, "format", "format must be json or csv");
    *csv = 0 == strcmp (f, "csv");
    return true;
  }
  *csv = NULL != accept && NULL != strstr (accept, "text/csv");
  return true;
}

static bool
etag_matches (const char *header, const char *etag)
{
  if (NULL == header)
    return false;
  if (0 == strcmp (header, "*"))
    return true;
  /* A list of tags; a weak comparison (W/ prefixes ignored). */
  return NULL != strstr (header, etag + 2);
}

/* One report request, read and checked (no database needed). */
struct report_req {
  const struct sr_report *rep;
  struct sr_report_args a;
  bool csv;
  char canon[256];
};

/* Stages a 400 and @return false when the request is bad. */
static bool
prepare (struct sr_request *req, struct report_req *r)
{
  const char *bad = NULL;
  char detail[256];

  memset (r, 0, sizeof (*r));
  r->a.client = req->app->cfg->client_id;
  r->a.timezone = req->app->cfg->timezone;
  if (NULL == (r->rep = report_of_path (req)) || !wants_csv (req, &r->csv))
    return false;
  if (SR_OK != sr_report_args_read (r->rep, query_lookup, req,
                                    sr_date_today (), &r->a, &bad, detail,
                                    sizeof (detail)))
    return bad_param (req, bad, detail);
  for (char *p = r->a.brand.code; '\0' != *p; p++)
    *p = (char) toupper ((unsigned char) *p);
  sr_report_canonical (r->rep, &r->a, r->canon, sizeof (r->canon));
  return true;
}

static void
make_etag (const struct report_req *r, int64_t version, char *out,
           size_t len)
{
  snprintf (out, len, "W/\"%s-%" PRId64 "-%016" PRIx64 "%s\"",
            r->rep->area, version, sr_reply_cache_digest (r->canon), r->csv ? "-csv" : "");
}

static void
make_key (const struct report_req *r, int64_t version, char *out, size_t len)
{
  snprintf (out, len, "%s-%" PRId64 "|%s|%s", r->rep->area, version,
            r->canon, r->csv ? "csv" : "json");
}

static void
cache_headers (struct sr_request *req, const char *etag)
{
  sr_reply_header (req, "ETag", etag);
  sr_reply_header (req, "Cache-Control", "private, max-age=60");
  sr_reply_header (req, "Vary", "Accept, Authorization");
}

/* 304 when the client holds this version already. */
static bool
not_modified (struct sr_request *req, const char *etag)
{
  if (!etag_matches (sr_request_header (req, "If-None-Match"), etag))
    return false;
  cache_headers (req, etag);
  (void) sr_reply_text (req, 304, "application/json", "", 0);
  return true;
}

static const char *
content_type (bool csv)
{
  return csv ? "text/csv; charset=utf-8" : "application/json";
}

/* Render @a res (freed here), keep it in the cache, send it. */
static enum sr_status
reply_report (struct sr_request *req, struct report_req *r,
              const struct sr_report_context *ctx,
              struct sr_report_result *res, const char *etag)
{
  struct sr_buf out;
  char now[SR_UTC_LEN], key[400];
  enum sr_status st;
  char *body;
  size_t len;

  sr_buf_init (&out, MAX_REPORT_BYTES);
  (void) sr_utc_format (sr_wall_now (), now);
  st = r->csv ? sr_report_render_csv (r->rep, res, &out)
       : sr_report_render_json (r->rep, &r->a, res, ctx, now, &out);
  sr_report_result_clean (res);
  if (SR_OK != st) {
    sr_buf_clean (&out);
    return sr_reply_fail (req, st, "report %s could not be rendered",
                          r->rep->name);
  }
  body = sr_buf_steal (&out, &len);
  sr_metric_add (&sr_m_report_cache, (const char *[]) { "miss" }, 1);
  make_key (r, ctx->version, key, sizeof (key));
  sr_reply_cache_put (req->app->report_cache, key, body, len, etag,
                      content_type (r->csv));
  cache_headers (req, etag);
  return sr_reply_bytes_steal (req, 200, content_type (r->csv), body, len);
}

/* On the HTTP thread: what needs no database.  Versions are trusted for
 * three watcher polls; older, the database is asked (slow path). */
enum sr_status
sr_handle_report_get_cached (struct sr_request *req)
{
  struct report_req r;
  unsigned long poll_ms = req->app->cfg->poll_ms;
  int64_t version;
  char etag[SR_REPLY_CACHE_TAG_MAX], key[400], *body;
  const char *ctype;
  size_t len;

  if (!prepare (req, &r))
    return SR_OK;
  version = sr_data_versions_get (r.rep->area, 3 * poll_ms + 1000);
  if (0 == version)
    return SR_OK;
  make_etag (&r, version, etag, sizeof (etag));
  if (not_modified (req, etag))
    return SR_OK;
  make_key (&r, version, key, sizeof (key));
  if (!sr_reply_cache_get (req->app->report_cache, key, &body, &len, etag,
                           &ctype))
    return SR_OK;
  sr_metric_add (&sr_m_report_cache, (const char *[]) { "hit" }, 1);
  cache_headers (req, etag);
  return sr_reply_bytes_steal (req, 200, ctype, body, len);
}

/* With If-None-Match: the version first, the rows only when they are
 * not what the client holds. */
static enum sr_status
conditional (struct sr_request *req, PGconn *conn, struct report_req *r,
             struct sr_report_context *ctx, char *etag)
{
  struct sr_report_result res;
  char err[512];
  enum sr_status st = sr_store_report_context (conn, r->rep, &r->a, ctx, err,
                                               sizeof (err));

  if (SR_OK != st)
    return sr_reply_fail (req, st, "%s", err);
  if ((r->rep->params & SR_REPORT_BRAND) && !ctx->brand_found) {
    (void) bad_param (req, "brand", UNKNOWN_BRAND);
    return SR_OK;
  }
  make_etag (r, ctx->version, etag, SR_REPLY_CACHE_TAG_MAX);
  if (not_modified (req, etag))
    return SR_OK;
  st = sr_store_report_run (conn, r->rep, &r->a, &res, err, sizeof (err));
  if (SR_OK != st)
    return sr_reply_fail (req, st, "%s", err);
  return reply_report (req, r, ctx, &res, etag);
}

enum sr_status
sr_handle_report_get (struct sr_request *req)
{
  struct report_req r;
  struct sr_report_context ctx = { 0 };
  struct sr_report_result res;
  char err[512], etag[SR_REPLY_CACHE_TAG_MAX];
  PGconn *conn;
  enum sr_status st;

  if (!prepare (req, &r))
    return SR_OK;
  st = sr_db_thread_conn (&conn, err, sizeof (err));
  if (SR_OK != st)
    return sr_reply_fail (req, st, "%s", err);
  if (NULL != sr_request_header (req, "If-None-Match"))
    st = conditional (req, conn, &r, &ctx, etag);
  else {
    /* The version, the freshness and the rows in one round trip. */
    st = sr_store_report_fetch (conn, r.rep, &r.a, &ctx, &res, err,
                                sizeof (err));
    if (SR_OK != st)
      return sr_reply_fail (req, st, "%s", err);
    if ((r.rep->params & SR_REPORT_BRAND) && !ctx.brand_found) {
      sr_report_result_clean (&res);
      (void) bad_param (req, "brand", UNKNOWN_BRAND);
    }
    else {
      make_etag (&r, ctx.version, etag, sizeof (etag));
      st = reply_report (req, &r, &ctx, &res, etag);
    }
  }
  sr_report_context_clean (&ctx);
  return st;
}

/* end of report_get.c */
