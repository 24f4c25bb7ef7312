/*
 * syncs_post.c -- POST /v1/syncs: queue a sync run.
 *
 * {"source": "everflow"|"redtrack"|"s3_exports"|"daily_report"|"all",
 *  "from": "YYYY-MM-DD",
 *  "to": "YYYY-MM-DD", "force": false} -> 202, Location /v1/syncs/{id} and
 * the run.  Without dates each source takes its default window (the last
 * SIGNALROOM_RESYNC_DAYS days; S3: every new object).  The run is split
 * into one job per day (per object for S3) by signalroom.create_run, which
 * also refuses (409) a run overlapping an active one of the same source and
 * returns the first run again for a repeated Idempotency-Key.
 */
#include "dates.h"
#include "db.h"
#include "handlers.h"
#include "json_spec.h"
#include "app_state.h"
#include "reply.h"
#include "catalog.h"
#include "store_runs.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define MAX_DAYS 366

/* The window of one source as JSON [from, to] (nulls: no window). */
static json_t *
window_of (const struct sr_config *cfg, const struct sr_catalog_source *src,
           const char *from, const char *to)
{
  char f[SR_DATE_LEN], t[SR_DATE_LEN];

  if (NULL != from)
    return json_pack ("[s, s]", from, to);
  if (!sr_catalog_default_window (src, cfg, sr_date_today (), 0, f, t))
    return json_pack ("[n, n]");
  return json_pack ("[s, s]", f, t);
}

enum sr_status
sr_handle_syncs_post (struct sr_request *req)
{
  const struct sr_config *cfg = req->app->cfg;
  const char *source = NULL, *from = NULL, *to = NULL;
  const char *idem = sr_request_header (req, "Idempotency-Key");
  json_t *body, *windows, *run = NULL;
  struct sr_run_created created;
  char href[64];
  bool force = false;
  const struct sr_json_spec spec[] = {
    SR_JSON_FIELD ("source", SR_JSON_STRING, true, &source, NULL),
    SR_JSON_FIELD ("from", SR_JSON_STRING, false, &from, NULL),
    SR_JSON_FIELD ("to", SR_JSON_STRING, false, &to, NULL),
    SR_JSON_FIELD ("force", SR_JSON_BOOL, false, &force, NULL),
    SR_JSON_END
  };
  char err[512], missing[256], fingerprint[128];
  int32_t f = 0, t = 0;
  PGconn *conn;
  enum sr_status st = SR_OK;

  if (!sr_json_spec_parse_or_reply (req, spec, &body))
    return SR_OK;
  if (SR_OK == st && 0 != strcmp (source, SR_CATALOG_ALL)
      && NULL == sr_catalog_find (source)) {
    char known[256] = "";
    size_t used = 0;

    for (size_t i = 0; NULL != sr_catalog[i].name && used < sizeof (known);
         i++)
      used += (size_t) snprintf (known + used, sizeof (known) - used, "%s, ",
                                 sr_catalog[i].name);
    st = sr_reply_fail (req, SR_E_INVALID, "unknown source \"%.40s\" "
                        "(%s%s)", source, known, SR_CATALOG_ALL);
  }
  if (SR_OK == st) {
    if ((NULL == from) != (NULL == to))
      st = sr_reply_fail (req, SR_E_INVALID, "give both from and to, or "
                          "neither");
    else if (NULL != from && (!sr_date_parse (from, &f)
                              || !sr_date_parse (to, &t)))
      st = sr_reply_fail (req, SR_E_INVALID, "from and to are dates "
                          "(YYYY-MM-DD)");
    else if (NULL != from && f > t)
      st = sr_reply_fail (req, SR_E_INVALID, "from is after to");
    else if (NULL != from && t - f + 1 > MAX_DAYS)
      st = sr_reply_fail (req, SR_E_INVALID, "the window is %d days; at "
                          "most %d", (int) (t - f + 1), MAX_DAYS);
  }
  /* Every source of the run, configured, with its window. */
  windows = json_object ();
  for (size_t i = 0; SR_OK == st && NULL != sr_catalog[i].name; i++) {
    const struct sr_catalog_source *s = &sr_catalog[i];

    if (0 != strcmp (source, SR_CATALOG_ALL) && 0 != strcmp (source, s->name))
      continue;
    /* "all" loads; a derived source (the daily report) reads what the
     * loads wrote, so running it beside them would snapshot half a load.
     * It has its own schedule, after them. */
    if (0 == strcmp (source, SR_CATALOG_ALL) && s->derived)
      continue;
    if (!sr_catalog_configured (s, cfg, missing, sizeof (missing))) {
      st = sr_reply_fail_extra_steal (req, SR_E_INVALID,
                                      json_pack ("{s:s, s:s}", "source",
                                                 s->name, "missing",
                                                 missing),
                                      "%s is not configured: set %s",
                                      s->name, missing);
      break;
    }
    json_object_set_new (windows, s->name, window_of (cfg, s, from, to));
  }
  if (SR_OK == st)
    st = sr_db_thread_conn (&conn, err, sizeof (err));
  /* What the client asked for (not the windows computed from it: a
   * default window moves with the date), to tell a retry of this request
   * from another request carrying the same Idempotency-Key. */
  if (SR_OK == st)
    snprintf (fingerprint, sizeof (fingerprint), "%s|%s|%s|%s", source,
              from ? from : "", to ? to : "", force ? "force" : "");
  if (SR_OK == st)
    st = sr_store_create_run (conn, source, windows, force, idem,
                              NULL != idem ? fingerprint : NULL,
                              req->principal.sub, NULL, &created, err,
                              sizeof (err));
  json_decref (windows);
  json_decref (body);
  if (SR_OK != st)
    return req->reply.set ? st : sr_reply_fail (req, st, "%s", err);
  snprintf (href, sizeof (href), "/v1/syncs/%" PRId64, created.run_id);
  switch (created.outcome) {
  case SR_RUN_KEY_REUSED:
    return sr_reply_fail_extra_steal (
      req, SR_E_IDEMPOTENCY_MISMATCH,
      json_pack ("{s:I, s:s}", "run_id", (json_int_t) created.run_id,
                 "href", href),
      "this Idempotency-Key was used for a different request (run %s); "
      "use a new key for a new request", href);
  case SR_RUN_OVERLAPS:
    return sr_reply_fail_extra_steal (
      req, SR_E_CONFLICT,
      json_pack ("{s:I, s:s}", "run_id", (json_int_t) created.run_id,
                 "href", href),
      "an active run of %s overlaps this window: %s", created.source, href);
  case SR_RUN_CREATED:
  case SR_RUN_EXISTING:
    break;
  }
  st = sr_store_run_get (conn, created.run_id, &run, err, sizeof (err));
  if (SR_OK != st || NULL == run)
    return sr_reply_fail (req, SR_OK != st ? st : SR_E_INTERNAL, "%s", err);
  sr_reply_header (req, "Location", href);
  return sr_reply_json_steal (req, SR_RUN_EXISTING == created.outcome ? 200
                              : 202, run);
}

/* end of syncs_post.c */
