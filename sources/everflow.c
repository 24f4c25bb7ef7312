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
 * (the old system used UTC).  Money keeps the exact decimal text Everflow
 * wrote (everflow_parse.c) and is stored as numeric.
 *
 * All rows of the window are fetched and validated first; only then is
 * the window replaced, in one transaction.  Any malformed row fails the
 * sync with its position, and nothing is written.
 */
#include "copy.h"
#include "dates.h"
#include "everflow_parse.h"
#include "log.h"
#include "mem.h"
#include "clock.h"
#include "source.h"
#include "store_windows.h"
#include "upstream.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENTITY_TABLE_PATH "/v1/networks/reporting/entity/table"
#define MAX_RESPONSE (256u * 1024u * 1024u)
#define MAX_COPY (512u * 1024u * 1024u)
#define MAX_DEPTH 40

struct ctx {
  struct sr_sync_ctx *sync;
  struct sr_sync_result *res;
  char url[600];
  char key_header[300];
  struct sr_ef_report all;     /* every complete piece's rows */
  int32_t from, to;
  uint64_t fetch_us, parse_us; /* where the time goes */
};



/* Every failure message names the source and the window. */
#define fail(c, st, ...) sr_sync_fail ((c)->res, (st), __VA_ARGS__)

static char *
request_body (struct ctx *c, int32_t from, int32_t to,
              bool advertisers_only, int64_t advertiser)
{
  char f[SR_DATE_LEN], t[SR_DATE_LEN];
  json_t *filters = json_array ();
  json_t *columns;
  json_t *body;
  char *text;

  sr_date_format (from, f);
  sr_date_format (to, t);
  if (advertiser >= 0) {
    char id[32];

    snprintf (id, sizeof (id), "%" PRId64, advertiser);
    json_array_append_new (filters,
                           json_pack ("{s:s, s:s}", "resource_type",
                                      "advertiser", "filter_id_value", id));
  }
  if (advertisers_only)
    columns = json_pack ("[{s:s}]", "column", "advertiser");
  else
    columns = json_pack ("[{s:s}, {s:s}, {s:s}]", "column", "affiliate",
                         "column", "advertiser", "column", "date");
  body = json_pack ("{s:s, s:s, s:I, s:s, s:o, s:{s:o, s:[]}}", "from", f,
                    "to", t, "timezone_id",
                    (json_int_t) c->sync->cfg->everflow_timezone_id,
                    "currency_id", "USD", "columns", columns, "query",
                    "filters", filters, "exclusions");
  text = json_dumps (body, JSON_COMPACT);
  json_decref (body);
  return text;
}

/* POST one request body; the response body is left in @a resp. */
static enum sr_status
post (struct ctx *c, char *body_steal, struct sr_upstream_response *resp)
{
  const char *headers[] = { c->key_header, "Content-Type: application/json",
                            "Accept: application/json", NULL };
  struct sr_upstream_request rq = {
    .name = "everflow", .method = "POST", .url = c->url,
    .headers = headers, .max_response = MAX_RESPONSE, .body = body_steal
  };
  char err[900];
  uint64_t t0 = sr_now_us ();
  enum sr_status st = sr_upstream_fetch (c->sync->http, &rq, resp, &c->res->http,
                                         err, sizeof (err));

  c->fetch_us += sr_now_us () - t0;
  free (body_steal);
  if (SR_OK != st)
    return fail (c, st, "%s", err);
  return SR_OK;
}

static enum sr_status fetch (struct ctx *c, int32_t from, int32_t to,
                             int64_t advertiser, int depth);

/* A single capped day: list its advertisers, then fetch each one. */
static enum sr_status
fetch_by_advertiser (struct ctx *c, int32_t day, int depth)
{
  struct sr_upstream_response resp;
  int64_t *ids = NULL;
  size_t n = 0;
  bool incomplete = false;
  char err[500];
  enum sr_status st = post (c, request_body (c, day, day, true, -1), &resp);

  if (SR_OK == st) {
    st = sr_ef_parse_advertisers (sr_buf_str (&resp.body), resp.body.len,
                                  &ids, &n, &incomplete, err, sizeof (err));
    if (SR_OK != st)
      fail (c, st, "%s", err);
  }
  sr_upstream_response_clean (&resp);
  if (SR_OK == st && incomplete)
    st = fail (c, SR_E_UPSTREAM, "the advertiser list of one day is itself "
               "over the row cap");
  for (size_t i = 0; SR_OK == st && i < n; i++)
    st = fetch (c, day, day, ids[i], depth + 1);
  free (ids);
  return st;
}

static enum sr_status
fetch (struct ctx *c, int32_t from, int32_t to, int64_t advertiser,
       int depth)
{
  struct sr_upstream_response resp;
  struct sr_ef_report piece = { 0 };
  char err[500];
  char day[SR_DATE_LEN];
  enum sr_status st;
  uint64_t t0;

  if (depth > MAX_DEPTH)
    return fail (c, SR_E_INTERNAL, "window splitting went too deep");
  st = post (c, request_body (c, from, to, false, advertiser), &resp);
  if (SR_OK != st) {
    sr_upstream_response_clean (&resp);
    return st;
  }
  t0 = sr_now_us ();
  st = sr_ef_parse (sr_buf_str (&resp.body), resp.body.len, &piece, err,
                    sizeof (err));
  c->parse_us += sr_now_us () - t0;
  sr_upstream_response_clean (&resp);
  if (SR_OK != st) {
    sr_ef_report_clean (&piece);
    return fail (c, st, "%s", err);
  }
  for (size_t i = 0; advertiser >= 0 && i < piece.n_rows; i++)
    if (piece.rows[i].advertiser_id != advertiser) {
      int64_t got = piece.rows[i].advertiser_id;

      sr_ef_report_clean (&piece);
      return fail (c, SR_E_UPSTREAM, "asked for advertiser %" PRId64
                   " only, got a row of advertiser %" PRId64, advertiser,
                   got);
    }
  if (!piece.incomplete) {
    c->res->fetched += piece.n_rows;
    sr_ef_report_move (&c->all, &piece);
    return SR_OK;
  }
  sr_ef_report_clean (&piece);
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

static int
cmp_key (const void *a, const void *b)
{
  const struct sr_ef_row *x = a, *y = b;

  if (x->day != y->day)
    return x->day < y->day ? -1 : 1;
  if (x->affiliate_id != y->affiliate_id)
    return x->affiliate_id < y->affiliate_id ? -1 : 1;
  return x->advertiser_id < y->advertiser_id ? -1
         : x->advertiser_id > y->advertiser_id;
}

/* Dates inside the window, each key once. */
static enum sr_status
validate (struct ctx *c)
{
  struct sr_ef_report *rep = &c->all;
  char day[SR_DATE_LEN];

  for (size_t i = 0; i < rep->n_rows; i++) {
    struct sr_ef_row *r = &rep->rows[i];

    r->day = sr_date_of_instant ((time_t) r->epoch);
    if (r->day < c->from || r->day > c->to) {
      sr_date_format (r->day, day);
      return fail (c, SR_E_UPSTREAM,
                   "row %zu is for %s, outside the requested window", i, day);
    }
  }
  if (rep->n_rows > 1)   /* an empty report has no array to sort */
    qsort (rep->rows, rep->n_rows, sizeof (*rep->rows), cmp_key);
  for (size_t i = 1; i < rep->n_rows; i++)
    if (0 == cmp_key (&rep->rows[i - 1], &rep->rows[i])) {
      sr_date_format (rep->rows[i].day, day);
      return fail (c, SR_E_UPSTREAM,
                   "two rows for %s, affiliate %" PRId64 ", advertiser %"
                   PRId64, day, rep->rows[i].affiliate_id,
                   rep->rows[i].advertiser_id);
    }
  return SR_OK;
}

static enum sr_status
copy_rows (const struct sr_ef_report *rep, struct sr_buf *b)
{
  enum sr_status st = SR_OK;

  for (size_t i = 0; i < rep->n_rows && SR_OK == st; i++) {
    const struct sr_ef_row *r = &rep->rows[i];
    char day[SR_DATE_LEN];

    sr_date_format (r->day, day);
    st = sr_copy_text (b, day, 10, false);
    if (SR_OK == st)
      st = sr_copy_int (b, r->affiliate_id, false);
    if (SR_OK == st)
      st = sr_copy_text (b, r->affiliate_label, strlen (r->affiliate_label),
                         false);
    if (SR_OK == st)
      st = sr_copy_int (b, r->advertiser_id, false);
    if (SR_OK == st)
      st = sr_copy_text (b, r->advertiser_label,
                         strlen (r->advertiser_label), false);
    if (SR_OK == st)
      st = sr_copy_int (b, r->clicks, false);
    if (SR_OK == st)
      st = sr_copy_int (b, r->conversions, false);
    if (SR_OK == st)
      st = sr_copy_text (b, r->revenue, strlen (r->revenue), false);
    if (SR_OK == st)
      st = sr_copy_text (b, r->payout, strlen (r->payout), false);
    if (SR_OK == st)
      st = sr_copy_text (b, r->profit, strlen (r->profit), true);
  }
  return st;
}

static enum sr_status
everflow_sync (struct sr_sync_ctx *sync, const char *from, const char *to,
               struct sr_sync_result *res)
{
  struct ctx c = { .sync = sync, .res = res };
  struct sr_write_counts wc;
  struct sr_buf copy;
  char err[900];
  char scope[24] = "";
  enum sr_status st;
  uint64_t t0, t1 = 0, t2 = 0;

  if (!sr_date_parse (from, &c.from) || !sr_date_parse (to, &c.to)
      || c.from > c.to)
    return fail (&c, SR_E_INVALID, "invalid window");
  snprintf (c.url, sizeof (c.url), "%s%s", sync->cfg->everflow_base_url,
            ENTITY_TABLE_PATH);
  snprintf (c.key_header, sizeof (c.key_header), "X-Eflow-API-Key: %s",
            sync->cfg->everflow_api_key);
  sr_buf_init (&copy, MAX_COPY);
  if (0 != sync->cfg->everflow_advertiser_id)
    snprintf (scope, sizeof (scope), "%lu", sync->cfg->everflow_advertiser_id);
  st = fetch (&c, c.from, c.to, '\0' != scope[0]
              ? (int64_t) sync->cfg->everflow_advertiser_id : -1, 0);
  t0 = sr_now_us ();
  if (SR_OK == st)
    st = validate (&c);
  if (SR_OK == st && SR_OK != copy_rows (&c.all, &copy))
    st = fail (&c, SR_E_TOO_LARGE, "the window's rows exceed %u bytes",
               MAX_COPY);
  t1 = sr_now_us ();
  if (SR_OK == st) {
    struct sr_anomaly_limits limits;

    sr_anomaly_limits_of (sync->cfg, &limits);
    st = sr_store_replace_window (sync->conn, &sr_store_everflow_daily_stats,
                                  from, to, sync->cfg->client_id,
                                  '\0' != scope[0] ? scope : NULL, &copy,
                                  sync->commit_hook, &limits, &wc, err,
                                  sizeof (err));
    if (SR_OK != st)
      fail (&c, st, "storing failed: %s", err);
    else {
      res->table = "everflow.daily_stats";
      res->inserted = wc.inserted;
      res->updated = wc.updated;
      res->deleted = wc.deleted;
    }
  }
  t2 = sr_now_us ();
  res->details = json_pack ("{s:I, s:I, s:I, s:I}", "fetch_ms",
                            (json_int_t) (c.fetch_us / 1000), "parse_ms",
                            (json_int_t) (c.parse_us / 1000), "check_ms",
                            (json_int_t) ((t1 - t0) / 1000), "store_ms",
                            (json_int_t) ((t2 - t1) / 1000));
  sr_buf_clean (&copy);
  sr_ef_report_clean (&c.all);
  return st;
}

const struct sr_source sr_source_everflow = {
  .name = "everflow",
  .sync = everflow_sync,
};

/* end of everflow.c */
