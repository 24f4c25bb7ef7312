/*
 * redtrack.c -- Redtrack's traffic report into redtrack.daily_spend.
 *
 * GET /report grouped by source, one request per day (rows of a group=source
 * report carry no date), pages of 1000 followed until a short page.  The
 * API allows 20 requests a minute: requests are paced
 * (REDTRACK_REQUESTS_PER_MINUTE) and a 429 backs off, honouring
 * Retry-After (upstream.c).  The key travels in the URL as api_key; the
 * URL is redacted before it reaches a log line or an error.
 *
 * Per row: conversions come from "conversions" only -- a 0, a null or an
 * absent field is 0, never total_conversions (the old system's fallback
 * inflated counts by 13%).  clicks and cost must be there: a row without
 * them fails the sync.  Rows without a source id are skipped and counted.  All days are
 * fetched and checked before the window is replaced in one transaction.
 */
#include "copy.h"
#include "dates.h"
#include "log.h"
#include "mem.h"
#include "source.h"
#include "store_windows.h"
#include "upstream.h"
#include "values.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PER_PAGE 1000
#define MAX_PAGES 200
#define MAX_RESPONSE (64u * 1024u * 1024u)



struct ctx {
  struct sr_sync_ctx *sync;
  struct sr_sync_result *res;
  struct sr_pacer pacer;
  char *key_escaped;
  char *tz_escaped;
  struct sr_buf copy;   /* the window's rows, COPY text */
  json_t *seen;         /* "date|source_id" -> true, per window */
  uint64_t skipped_no_source;
};

/* Every failure message names the source and the window. */
#define fail(c, st, ...) sr_sync_fail ((c)->res, (st), __VA_ARGS__)

/* The source id as text: a string (trimmed) or a number. */
static bool
source_id_of (const json_t *v, char *out, size_t len)
{
  if (json_is_string (v)) {
    const char *s = json_string_value (v);
    size_t n = strlen (s);

    while (n > 0 && (' ' == *s || '\t' == *s)) {
      s++;
      n--;
    }
    while (n > 0 && (' ' == s[n - 1] || '\t' == s[n - 1]))
      n--;
    if (n >= len)
      n = len - 1;
    memcpy (out, s, n);
    out[n] = '\0';
    return true;
  }
  if (json_is_integer (v)) {
    snprintf (out, len, "%" JSON_INTEGER_FORMAT, json_integer_value (v));
    return true;
  }
  out[0] = '\0';
  return NULL == v || json_is_null (v);
}

static const char *
text_of (const json_t *row, const char *key)
{
  const char *s = json_string_value (json_object_get (row, key));

  return s ? s : "";
}

static enum sr_status
take_row (struct ctx *c, const char *day, const json_t *row, size_t index)
{
  char sid[128];
  char cost[40];
  char key[160];
  int64_t clicks, conversions;

  if (!json_is_object (row))
    return fail (c, SR_E_UPSTREAM, "%s row %zu is not an object", day, index);
  if (!source_id_of (json_object_get (row, "source_id"), sid, sizeof (sid)))
    return fail (c, SR_E_UPSTREAM, "%s row %zu: source_id is not a string",
                 day, index);
  if (!sr_json_count (json_object_get (row, "clicks"), false, &clicks))
    return fail (c, SR_E_UPSTREAM, "%s row %zu: clicks is missing or not a "
                 "count", day, index);
  if (!sr_json_count (json_object_get (row, "conversions"), true,
                    &conversions))
    return fail (c, SR_E_UPSTREAM, "%s row %zu: conversions is not a count",
                 day, index);
  if (!sr_json_money (json_object_get (row, "cost"), false, cost,
                      sizeof (cost)))
    return fail (c, SR_E_UPSTREAM, "%s row %zu: cost is missing or not a "
                 "number", day, index);
  c->res->fetched++;
  if ('\0' == sid[0]) {
    c->skipped_no_source++;
    c->res->skipped++;
    return SR_OK;
  }
  snprintf (key, sizeof (key), "%s|%s", day, sid);
  if (NULL != json_object_get (c->seen, key))
    return fail (c, SR_E_UPSTREAM, "%s: source %s appears twice", day, sid);
  json_object_set_new (c->seen, key, json_true ());
  {
    const char *name = text_of (row, "source");
    const char *alias = text_of (row, "source_alias");

    if (SR_OK != sr_copy_text (&c->copy, day, strlen (day), false)
        || SR_OK != sr_copy_text (&c->copy, sid, strlen (sid), false)
        || SR_OK != sr_copy_text (&c->copy, name, strlen (name), false)
        || SR_OK != sr_copy_text (&c->copy, alias, strlen (alias), false)
        || SR_OK != sr_copy_int (&c->copy, clicks, false)
        || SR_OK != sr_copy_int (&c->copy, conversions, false)
        || SR_OK != sr_copy_text (&c->copy, cost, strlen (cost), true))
      return fail (c, SR_E_TOO_LARGE, "the window's rows are too large");
  }
  return SR_OK;
}

/* The rows of a response: a bare array, or the first array among the
 * keys the API has been seen to use. */
static json_t *
rows_of (json_t *doc)
{
  static const char *const keys[] = { "items", "rows", "data", "results" };

  if (json_is_array (doc))
    return doc;
  if (!json_is_object (doc))
    return NULL;
  for (size_t i = 0; i < sizeof (keys) / sizeof (keys[0]); i++) {
    json_t *v = json_object_get (doc, keys[i]);

    if (json_is_array (v))
      return v;
  }
  return NULL;
}

static enum sr_status
fetch_day (struct ctx *c, const char *day)
{
  const char *headers[] = { "Accept: application/json", NULL };
  enum sr_status st = SR_OK;

  for (int page = 1; page <= MAX_PAGES; page++) {
    char url[1200];
    char err[900];
    struct sr_upstream_request rq = {
      .name = "redtrack", .method = "GET", .url = url, .headers = headers,
      .max_response = MAX_RESPONSE, .pacer = &c->pacer
    };
    struct sr_upstream_response resp;
    json_error_t jerr;
    json_t *doc, *rows, *row;
    size_t i, n;

    /* Parameters sorted by name; the key is never logged unredacted. */
    snprintf (url, sizeof (url),
              "%s/report?api_key=%s&date_from=%s&date_to=%s&group=source"
              "&page=%d&per=%d&timezone=%s", c->sync->cfg->redtrack_base_url,
              c->key_escaped, day, day, page, PER_PAGE, c->tz_escaped);
    st = sr_upstream_fetch (c->sync->http, &rq, &resp, &c->res->http, err,
                            sizeof (err));
    if (SR_OK != st) {
      sr_upstream_response_clean (&resp);
      return fail (c, st, "%s", err);
    }
    doc = json_loadb (sr_buf_str (&resp.body), resp.body.len, 0, &jerr);
    sr_upstream_response_clean (&resp);
    if (NULL == doc)
      return fail (c, SR_E_UPSTREAM,
                   "%s page %d is not valid JSON (%s at line %d, column %d)",
                   day, page, jerr.text, jerr.line, jerr.column);
    rows = rows_of (doc);
    if (NULL == rows) {
      json_decref (doc);
      return fail (c, SR_E_UPSTREAM, "%s page %d holds no row array", day,
                   page);
    }
    n = json_array_size (rows);
    json_array_foreach (rows, i, row) {
      st = take_row (c, day, row, (size_t) (page - 1) * PER_PAGE + i);
      if (SR_OK != st)
        break;
    }
    json_decref (doc);
    if (SR_OK != st || n < PER_PAGE)
      return st;
  }
  return fail (c, SR_E_UPSTREAM, "%s has more than %d pages", day, MAX_PAGES);
}

static enum sr_status
redtrack_sync (struct sr_sync_ctx *sync, const char *from, const char *to,
               struct sr_sync_result *res)
{
  struct ctx c = { .sync = sync, .res = res };
  struct sr_write_counts wc;
  int32_t f, t;
  char err[900];
  enum sr_status st = SR_OK;

  if (!sr_date_parse (from, &f) || !sr_date_parse (to, &t) || f > t)
    return fail (&c, SR_E_INVALID, "invalid window");
  sr_pacer_init (&c.pacer, sync->cfg->redtrack_rpm);
  c.key_escaped = curl_easy_escape (NULL, sync->cfg->redtrack_api_key, 0);
  c.tz_escaped = curl_easy_escape (NULL, sync->cfg->timezone, 0);
  if (NULL == c.key_escaped || NULL == c.tz_escaped) {
    curl_free (c.key_escaped);
    curl_free (c.tz_escaped);
    return fail (&c, SR_E_INTERNAL, "out of memory");
  }
  sr_buf_init (&c.copy, 256u * 1024u * 1024u);
  c.seen = json_object ();
  for (int32_t d = f; d <= t && SR_OK == st; d++) {
    char day[SR_DATE_LEN];

    sr_date_format (d, day);
    st = fetch_day (&c, day);
  }
  if (SR_OK == st) {
    struct sr_anomaly_limits limits;

    sr_anomaly_limits_of (sync->cfg, &limits);
    st = sr_store_replace_window (sync->conn, &sr_store_redtrack_daily_spend,
                                  from, to, sync->cfg->client_id, NULL,
                                  &c.copy, sync->commit_hook, &limits, &wc,
                                  err, sizeof (err));
    if (SR_OK != st)
      fail (&c, st, "storing failed: %s", err);
    else {
      res->table = "redtrack.daily_spend";
      res->inserted = wc.inserted;
      res->updated = wc.updated;
      res->deleted = wc.deleted;
      res->details = json_pack ("{s:I}", "skipped_without_source_id",
                                (json_int_t) c.skipped_no_source);
    }
  }
  sr_buf_clean (&c.copy);
  json_decref (c.seen);
  curl_free (c.key_escaped);
  curl_free (c.tz_escaped);
  return st;
}

const struct sr_source sr_source_redtrack = {
  .name = "redtrack",
  .sync = redtrack_sync,
};

/* end of redtrack.c */
