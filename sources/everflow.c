/*
 * everflow.c -- Everflow's entity table report into everflow.daily_stats.
 *
 * One POST /v1/networks/reporting/entity/table per piece of the window,
 * grouped by affiliate, advertiser and date.  Everflow returns at most
 * 10,000 rows and then says "incomplete_results": true; a capped piece is
 * split in halves down to single days, and a capped single day into one
 * request per advertiser.  A day and advertiser still capped cannot be
 * fetched completely: the sync fails and says so rather than storing a
 * partial day.
 *
 * Dates: the date column's id is the epoch of local midnight in the
 * reporting time zone, so it is turned into a calendar day in that zone
 * (the old system used UTC and filed evening rows under the wrong day).
 * Money: Everflow sends JSON numbers; they are rendered with 15
 * significant digits (exact for every decimal that has at most 15) and
 * stored as numeric, never as floating point.
 *
 * All rows of the window are fetched and validated first; only then is
 * the window replaced, in one transaction.  Any malformed row fails the
 * sync with its position, and nothing is written.
 */
#include "dates.h"
#include "embedded.h"
#include "log.h"
#include "mem.h"
#include "source.h"
#include "store.h"
#include "upstream.h"
#include "values.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENTITY_TABLE_PATH "/v1/networks/reporting/entity/table"
#define MAX_RESPONSE (256u * 1024u * 1024u)
#define MAX_DEPTH 40

struct ctx {
  struct sr_sync_ctx *sync;
  struct sr_sync_result *res;
  char url[600];
  char key_header[300];
  json_t *rows;          /* JSON array of rows for the store */
  int32_t from, to;
};

static const char *const required[] = { "EVERFLOW_API_KEY", NULL };

static enum sr_status
fail (struct ctx *c, enum sr_status st, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));

static enum sr_status
fail (struct ctx *c, enum sr_status st, const char *fmt, ...)
{
  char msg[900];
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (msg, sizeof (msg), fmt, ap);
  va_end (ap);
  snprintf (c->res->error, sizeof (c->res->error), "everflow %s..%s: %s",
            c->res->from, c->res->to, msg);
  return st;
}

static json_t *
request_body (struct ctx *c, int32_t from, int32_t to, bool by_advertiser_only,
              int64_t advertiser)
{
  char f[SR_DATE_LEN], t[SR_DATE_LEN];
  json_t *filters = json_array ();
  json_t *columns;

  sr_date_format (from, f);
  sr_date_format (to, t);
  if (advertiser >= 0) {
    char id[32];

    snprintf (id, sizeof (id), "%" PRId64, advertiser);
    json_array_append_new (filters,
                           json_pack ("{s:s, s:s}", "resource_type",
                                      "advertiser", "filter_id_value", id));
  }
  if (by_advertiser_only)
    columns = json_pack ("[{s:s}]", "column", "advertiser");
  else
    columns = json_pack ("[{s:s}, {s:s}, {s:s}]", "column", "affiliate",
                         "column", "advertiser", "column", "date");
  return json_pack ("{s:s, s:s, s:I, s:s, s:o, s:{s:o, s:[]}}", "from", f,
                    "to", t, "timezone_id",
                    (json_int_t) c->sync->cfg->everflow_timezone_id,
                    "currency_id", "USD", "columns", columns, "query",
                    "filters", filters, "exclusions");
}

/* POST one body; @a *table and @a *incomplete borrowed from @a *doc. */
static enum sr_status
post (struct ctx *c, json_t *body, json_t **doc, json_t **table,
      bool *incomplete)
{
  const char *headers[] = { c->key_header, "Content-Type: application/json",
                            "Accept: application/json", NULL };
  struct sr_upstream_request rq = {
    .name = "everflow", .method = "POST", .url = c->url,
    .headers = headers, .max_response = MAX_RESPONSE
  };
  struct sr_upstream_response resp;
  char err[900];
  json_error_t jerr;
  char *text = json_dumps (body, JSON_COMPACT);
  enum sr_status st;
  json_t *flag;

  rq.body = text;
  st = sr_upstream_fetch (c->sync->http, &rq, &resp, c->res, err,
                          sizeof (err));
  free (text);
  if (SR_OK != st) {
    sr_upstream_response_clean (&resp);
    return fail (c, st, "%s", err);
  }
  *doc = json_loadb (sr_buf_str (&resp.body), resp.body.len, 0, &jerr);
  sr_upstream_response_clean (&resp);
  if (NULL == *doc)
    return fail (c, SR_E_UPSTREAM,
                 "response is not valid JSON (%s at line %d, column %d)",
                 jerr.text, jerr.line, jerr.column);
  *table = json_object_get (*doc, "table");
  flag = json_object_get (*doc, "incomplete_results");
  if (!json_is_array (*table))
    return fail (c, SR_E_UPSTREAM, "response has no \"table\" array");
  if (NULL != flag && !json_is_boolean (flag))
    return fail (c, SR_E_UPSTREAM,
                 "\"incomplete_results\" is not a boolean");
  *incomplete = json_is_true (flag);
  return SR_OK;
}

static const json_t *
column_of (const json_t *columns, const char *type)
{
  size_t i;
  const json_t *col;

  json_array_foreach (columns, i, col) {
    const char *t = json_string_value (json_object_get (col, "column_type"));

    if (NULL != t && 0 == strcmp (t, type))
      return col;
  }
  return NULL;
}

/* Validate one table row and append its store form to c->rows. */
static enum sr_status
take_row (struct ctx *c, const json_t *row, size_t index)
{
  const json_t *columns = json_object_get (row, "columns");
  const json_t *rep = json_object_get (row, "reporting");
  const json_t *date_col, *aff_col, *adv_col;
  int64_t epoch, aff, adv, clicks, cv;
  char revenue[40], payout[40], profit[40], day[SR_DATE_LEN];
  const char *aff_label, *adv_label;
  int32_t d;

  if (!json_is_array (columns) || !json_is_object (rep))
    return fail (c, SR_E_UPSTREAM, "row %zu has no columns/reporting",
                 index);
  date_col = column_of (columns, "date");
  aff_col = column_of (columns, "affiliate");
  adv_col = column_of (columns, "advertiser");
  if (NULL == date_col || NULL == aff_col || NULL == adv_col)
    return fail (c, SR_E_UPSTREAM,
                 "row %zu lacks a date, affiliate or advertiser column",
                 index);
  if (!sr_json_id (json_object_get (date_col, "id"), &epoch))
    return fail (c, SR_E_UPSTREAM, "row %zu: date id is not an epoch",
                 index);
  if (!sr_json_id (json_object_get (aff_col, "id"), &aff)
      || !sr_json_id (json_object_get (adv_col, "id"), &adv))
    return fail (c, SR_E_UPSTREAM,
                 "row %zu: affiliate or advertiser id is not a number", index);
  aff_label = json_string_value (json_object_get (aff_col, "label"));
  adv_label = json_string_value (json_object_get (adv_col, "label"));
  if (!sr_json_count (json_object_get (rep, "total_click"), false, &clicks)
      || !sr_json_count (json_object_get (rep, "cv"), false, &cv))
    return fail (c, SR_E_UPSTREAM,
                 "row %zu: reporting.total_click or reporting.cv is missing "
                 "or not a count", index);
  if (!sr_json_money (json_object_get (rep, "revenue"), false, revenue,
                      sizeof (revenue))
      || !sr_json_money (json_object_get (rep, "payout"), false, payout,
                       sizeof (payout))
      || !sr_json_money (json_object_get (rep, "profit"), false, profit,
                       sizeof (profit)))
    return fail (c, SR_E_UPSTREAM,
                 "row %zu: reporting.revenue, payout or profit is missing or "
                 "not a number", index);
  d = sr_date_of_instant ((time_t) epoch);
  sr_date_format (d, day);
  if (d < c->from || d > c->to)
    return fail (c, SR_E_UPSTREAM,
                 "row %zu is for %s, outside the requested window", index,
                 day);
  json_array_append_new (
    c->rows,
    json_pack ("{s:s, s:I, s:s, s:I, s:s, s:I, s:I, s:s, s:s, s:s}", "date",
               day, "affiliate_id", (json_int_t) aff, "affiliate_label",
               aff_label ? aff_label : "", "advertiser_id",
               (json_int_t) adv, "advertiser_label",
               adv_label ? adv_label : "", "clicks", (json_int_t) clicks,
               "conversions", (json_int_t) cv, "revenue", revenue, "payout",
               payout, "profit", profit));
  return SR_OK;
}

static enum sr_status fetch (struct ctx *c, int32_t from, int32_t to,
                             int64_t advertiser, int depth);

/* A single capped day: list its advertisers, then fetch each one. */
static enum sr_status
fetch_by_advertiser (struct ctx *c, int32_t day, int depth)
{
  json_t *body = request_body (c, day, day, true, -1);
  json_t *doc = NULL, *table = NULL;
  bool incomplete = false;
  enum sr_status st = post (c, body, &doc, &table, &incomplete);
  size_t i;
  json_t *row;

  json_decref (body);
  if (SR_OK == st && incomplete)
    st = fail (c, SR_E_UPSTREAM, "the advertiser list of one day is itself "
               "over the row cap");
  if (SR_OK == st) {
    json_array_foreach (table, i, row) {
      const json_t *adv = column_of (json_object_get (row, "columns"),
                                     "advertiser");
      int64_t id;

      if (NULL == adv || !sr_json_id (json_object_get (adv, "id"), &id)) {
        st = fail (c, SR_E_UPSTREAM, "advertiser list row %zu has no id", i);
        break;
      }
      st = fetch (c, day, day, id, depth + 1);
      if (SR_OK != st)
        break;
    }
  }
  json_decref (doc);
  return st;
}

static enum sr_status
fetch (struct ctx *c, int32_t from, int32_t to, int64_t advertiser,
       int depth)
{
  json_t *body, *doc = NULL, *table = NULL, *row;
  bool incomplete = false;
  enum sr_status st;
  size_t i;

  if (depth > MAX_DEPTH)
    return fail (c, SR_E_INTERNAL, "window splitting went too deep");
  body = request_body (c, from, to, false, advertiser);
  st = post (c, body, &doc, &table, &incomplete);
  json_decref (body);
  if (SR_OK != st) {
    json_decref (doc);
    return st;
  }
  if (incomplete) {
    char day[SR_DATE_LEN];

    json_decref (doc);
    sr_date_format (from, day);
    sr_log (SR_LOG_INFO, "everflow row cap hit, splitting",
            "{s:s, s:i, s:I}", "from", day, "days", (int) (to - from + 1),
            "advertiser", (json_int_t) advertiser);
    if (from < to) {
      int32_t mid = from + (to - from) / 2;

      st = fetch (c, from, mid, advertiser, depth + 1);
      return SR_OK == st ? fetch (c, mid + 1, to, advertiser, depth + 1) : st;
    }
    if (advertiser < 0)
      return fetch_by_advertiser (c, from, depth);
    return fail (c, SR_E_UPSTREAM,
                 "%s for advertiser %" PRId64 " alone is over Everflow's "
                 "10,000-row cap; it cannot be fetched completely", day,
                 advertiser);
  }
  json_array_foreach (table, i, row) {
    st = take_row (c, row, json_array_size (c->rows));
    if (SR_OK != st)
      break;
    c->res->fetched++;
  }
  json_decref (doc);
  return st;
}

static int
cmp_key (const void *a, const void *b)
{
  const json_t *x = *(const json_t *const *) a;
  const json_t *y = *(const json_t *const *) b;
  int d = strcmp (json_string_value (json_object_get (x, "date")),
                  json_string_value (json_object_get (y, "date")));
  json_int_t ax = json_integer_value (json_object_get (x, "affiliate_id"));
  json_int_t ay = json_integer_value (json_object_get (y, "affiliate_id"));
  json_int_t vx = json_integer_value (json_object_get (x, "advertiser_id"));
  json_int_t vy = json_integer_value (json_object_get (y, "advertiser_id"));

  if (0 != d)
    return d;
  if (ax != ay)
    return ax < ay ? -1 : 1;
  return vx < vy ? -1 : vx > vy;
}

/* The same key twice would make the upsert ambiguous: refuse it. */
static enum sr_status
check_unique (struct ctx *c)
{
  size_t n = json_array_size (c->rows);
  const json_t **v;
  enum sr_status st = SR_OK;

  if (n < 2)
    return SR_OK;
  v = sr_xmalloc (n * sizeof (*v));
  for (size_t i = 0; i < n; i++)
    v[i] = json_array_get (c->rows, i);
  qsort (v, n, sizeof (*v), cmp_key);
  for (size_t i = 1; i < n; i++)
    if (0 == cmp_key (&v[i - 1], &v[i])) {
      st = fail (c, SR_E_UPSTREAM,
                 "two rows for %s, affiliate %" JSON_INTEGER_FORMAT
                 ", advertiser %" JSON_INTEGER_FORMAT,
                 json_string_value (json_object_get (v[i], "date")),
                 json_integer_value (json_object_get (v[i], "affiliate_id")),
                 json_integer_value (json_object_get (v[i],
                                                      "advertiser_id")));
      break;
    }
  free (v);
  return st;
}

static enum sr_status
everflow_sync (struct sr_sync_ctx *sync, const char *from, const char *to,
               struct sr_sync_result *res)
{
  struct ctx c = { .sync = sync, .res = res };
  struct sr_write_counts wc;
  char err[900];
  enum sr_status st;

  if (!sr_date_parse (from, &c.from) || !sr_date_parse (to, &c.to)
      || c.from > c.to)
    return fail (&c, SR_E_INVALID, "invalid window");
  snprintf (c.url, sizeof (c.url), "%s%s", sync->cfg->everflow_base_url,
            ENTITY_TABLE_PATH);
  snprintf (c.key_header, sizeof (c.key_header), "X-Eflow-API-Key: %s",
            sync->cfg->everflow_api_key);
  c.rows = json_array ();
  st = fetch (&c, c.from, c.to, -1, 0);
  if (SR_OK == st)
    st = check_unique (&c);
  if (SR_OK == st) {
    st = sr_store_replace_window (sync->conn, "everflow.daily_stats",
                                  sr_sql_everflow_replace_window, from, to,
                                  sync->cfg->client_id, c.rows, &wc, err,
                                  sizeof (err));
    if (SR_OK != st)
      fail (&c, st, "storing failed: %s", err);
    else {
      res->inserted = wc.inserted;
      res->updated = wc.updated;
      res->deleted = wc.deleted;
    }
  }
  json_decref (c.rows);
  return st;
}

const struct sr_source sr_source_everflow = {
  .name = "everflow",
  .required = required,
  .sync = everflow_sync,
};

/* end of everflow.c */
