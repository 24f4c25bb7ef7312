/*
 * registry.c -- the table of sources, and running one with its result.
 */
#include "catalog.h"
#include "log.h"
#include "metrics.h"
#include "trace.h"
#include "clock.h"
#include "source.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

extern const struct sr_source sr_source_everflow;
extern const struct sr_source sr_source_redtrack;
extern const struct sr_source sr_source_s3_exports;
extern const struct sr_source sr_source_daily_report;

const struct sr_source *const sr_sources[] = {
  &sr_source_everflow,
  &sr_source_redtrack,
  &sr_source_s3_exports,
  &sr_source_daily_report,
  NULL
};

const struct sr_source *
sr_source_find (const char *name)
{
  for (size_t i = 0; NULL != sr_sources[i]; i++)
    if (0 == strcmp (sr_sources[i]->name, name))
      return sr_sources[i];
  return NULL;
}

bool
sr_source_configured (const struct sr_source *src,
                      const struct sr_config *cfg, char *missing, size_t len)
{
  const struct sr_catalog_source *c = sr_catalog_find (src->name);

  if (NULL == c) {
    snprintf (missing, len, "a catalogue entry for %s", src->name);
    return false;
  }
  return sr_catalog_configured (c, cfg, missing, len);
}

/* The rows a committed sync wrote, in the metrics. */
static void
count_rows (const struct sr_sync_result *res)
{
  static const char *const actions[] = { "inserted", "updated", "deleted",
                                         "rejected" };
  uint64_t n[] = { res->inserted, res->updated, res->deleted, res->skipped };

  for (size_t i = 0; i < 4 && NULL != res->table; i++)
    if (n[i] > 0)
      sr_metric_add (&sr_m_rows, (const char *[]) { res->source, res->table,
                                                    actions[i] }, n[i]);
}

enum sr_status
sr_source_run (const struct sr_source *src, struct sr_sync_ctx *ctx,
               const char *from, const char *to, struct sr_sync_result *res)
{
  char missing[256];
  uint64_t t0 = sr_now_us ();
  enum sr_status st;

  memset (res, 0, sizeof (*res));
  snprintf (res->source, sizeof (res->source), "%s", src->name);
  snprintf (res->from, sizeof (res->from), "%s", from);
  snprintf (res->to, sizeof (res->to), "%s", to);
  if (!sr_source_configured (src, ctx->cfg, missing, sizeof (missing))) {
    snprintf (res->error, sizeof (res->error),
              "%s is not configured: set %s", src->name, missing);
    return SR_E_CONFIG;
  }
  sr_log (SR_LOG_INFO, "sync started", "{s:s, s:s, s:s}", "source",
          src->name, "from", from, "to", to);
  {
    struct sr_span span;
    char name[64];

    snprintf (name, sizeof (name), "sync %s", src->name);
    sr_span_begin (&span, name, SR_SPAN_INTERNAL);
    sr_span_set_str (&span, "signalroom.source", src->name);
    sr_span_set_str (&span, "signalroom.window.from", from);
    sr_span_set_str (&span, "signalroom.window.to", to);
    st = src->sync (ctx, from, to, res);
    sr_span_set_int (&span, "signalroom.rows.inserted",
                     (int64_t) res->inserted);
    sr_span_set_error (&span, SR_OK != st);
    sr_span_finish (&span);
  }
  res->seconds = (double) (sr_now_us () - t0) / 1e6;
  /* Database trouble passes; what a source marked is kept; the rest
   * (configuration, authentication, malformed data) does not. */
  if (SR_E_DB_CONN == st || SR_E_DB_SOFT == st)
    res->http.retryable = true;
  else if (SR_OK == st || SR_E_CONFIG == st || SR_E_INVALID == st)
    res->http.retryable = false;
  if (SR_OK != st && '\0' == res->error[0])
    snprintf (res->error, sizeof (res->error), "%s %s..%s: %s", src->name,
              from, to, sr_status_title (st));
  if (SR_OK == st)
    count_rows (res);
  if (SR_OK == st)
    sr_log (SR_LOG_INFO, "sync succeeded",
            "{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:i, s:i, s:f}", "source",
            src->name, "from", from, "to", to, "inserted",
            (json_int_t) res->inserted, "updated", (json_int_t) res->updated,
            "deleted", (json_int_t) res->deleted, "skipped",
            (json_int_t) res->skipped, "requests", (int) res->http.requests,
            "retries", (int) res->http.retries, "seconds", res->seconds);
  else
    sr_log (SR_LOG_ERROR, "sync failed", "{s:s, s:s, s:s, s:s}", "source",
            src->name, "from", from, "to", to, "error", res->error);
  return st;
}

enum sr_status
sr_sync_fail (struct sr_sync_result *res, enum sr_status st, const char *fmt,
              ...)
{
  char msg[900];
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (msg, sizeof (msg), fmt, ap);
  va_end (ap);
  if ('\0' == res->from[0])
    snprintf (res->error, sizeof (res->error), "%s: %s", res->source, msg);
  else
    snprintf (res->error, sizeof (res->error), "%s %s..%s: %s", res->source,
              res->from, res->to, msg);
  /* Upstream bodies sometimes quote what was sent (a 401 naming the API
   * key); this text is stored and served by the API, not only logged. */
  (void) sr_log_mask (res->error, sizeof (res->error));
  return st;
}

json_t *
sr_sync_result_json (const struct sr_sync_result *res)
{
  json_t *j = json_pack (
    "{s:s, s:s, s:s, s:s, s:{s:I, s:I, s:I, s:I}, s:I, s:i, s:i, s:I}",
    "source", res->source, "from", res->from, "to", res->to, "status",
    '\0' == res->error[0] ? "succeeded" : "failed", "rows", "inserted",
    (json_int_t) res->inserted, "updated", (json_int_t) res->updated,
    "deleted", (json_int_t) res->deleted, "skipped",
    (json_int_t) res->skipped, "fetched", (json_int_t) res->fetched,
    "requests", (int) res->http.requests, "retries", (int) res->http.retries,
    "duration_ms", (json_int_t) (res->seconds * 1000.0 + 0.5));

  if ('\0' != res->error[0])
    json_object_set_new (j, "error", json_string (res->error));
  if (NULL != res->details)
    json_object_set (j, "details", res->details);
  return j;
}

void
sr_sync_result_clean (struct sr_sync_result *res)
{
  json_decref (res->details);
  res->details = NULL;
}

/* end of registry.c */
