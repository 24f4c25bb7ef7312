/*
 * store_reports.c -- see store_reports.h.
 */
#include "store_reports.h"
#include "data_versions.h"
#include "db.h"
#include "mem.h"
#include "sql_embedded.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof (a) / sizeof ((a)[0]))
#define COLS(a) .columns = a, .n_columns = N (a)

#define C_INT(n, d) { n, SR_COL_INTEGER, d }
#define C_NUM(n, d) { n, SR_COL_NUMBER, d }
#define C_MONEY(n, d) { n, SR_COL_MONEY, d }
#define C_PCT(n, d) { n, SR_COL_PERCENT, d }
#define C_STR(n, d) { n, SR_COL_STRING, d }
#define C_DATE(n, d) { n, SR_COL_DATE, d }
#define C_BOOL(n, d) { n, SR_COL_BOOLEAN, d }

#define ORDERS_PARAMS (SR_REPORT_BRAND | SR_REPORT_RANGE)
#define ORDERS_BINDS "client brand from to"

static const struct sr_report_column daily_summary_cols[] = {
  C_STR ("row_kind", "total, internal, external, affiliate (the top ones), "
         "previous_day or trailing_7_day_average"),
  C_STR ("affiliate_label", "the affiliate (affiliate rows only)"),
  C_BOOL ("is_internal", "paid media of the agency (cost from Redtrack)"),
  C_NUM ("conversions", "Everflow conversions (a 7-day average may have "
         "decimals)"),
  C_MONEY ("cost", "Redtrack spend for internal affiliates, Everflow "
           "payout for the others"),
  C_MONEY ("cpa", "cost / conversions, 0 without conversions"),
  C_MONEY ("revenue", "Everflow revenue"),
  C_MONEY ("payout", "Everflow payout"),
  C_MONEY ("profit", "revenue - cost"),
};

static const struct sr_report_column leaderboard_cols[] = {
  C_INT ("rank", "position in the chosen order"),
  C_STR ("affiliate_label", "the affiliate"),
  C_BOOL ("is_internal", "paid media of the agency (cost from Redtrack)"),
  C_INT ("conversions", "Everflow conversions"),
  C_MONEY ("cost", "true cost"),
  C_MONEY ("cpa", "cost / conversions, 0 without conversions"),
  C_MONEY ("revenue", "Everflow revenue"),
  C_MONEY ("payout", "Everflow payout"),
  C_MONEY ("profit", "revenue - cost"),
};

static const struct sr_report_column heatmap_cols[] = {
  C_STR ("state", "two-letter code (50 states and DC)"),
  C_STR ("state_name", "the state's name"),
  C_NUM ("value", "the chosen metric"),
  C_INT ("orders", "orders (latest state, billing state)"),
  C_INT ("approved", "orders not DECLINED"),
  C_INT ("declined", "DECLINED orders"),
  C_MONEY ("revenue", "totals of NEW orders"),
  C_PCT ("approval_rate", "approved / orders"),
  C_PCT ("decline_rate", "declined / orders"),
  C_INT ("customers", "distinct billing e-mails (metric=customers only)"),
};

static const struct sr_report_column daily_perf_cols[] = {
  C_DATE ("date", "the day (reporting time zone)"),
  C_STR ("affiliate_label", "the affiliate"),
  C_BOOL ("is_internal", "paid media of the agency (cost from Redtrack)"),
  C_INT ("conversions", "Everflow conversions"),
  C_MONEY ("cost", "true cost"),
  C_MONEY ("cpa", "cost / conversions, 0 without conversions"),
  C_MONEY ("everflow_payout", "Everflow payout"),
  C_MONEY ("everflow_revenue", "Everflow revenue"),
  C_MONEY ("redtrack_cost", "spend of the mapped Redtrack sources"),
  C_INT ("redtrack_clicks", "clicks of the mapped Redtrack sources"),
};

static const struct sr_report_column unmapped_cols[] = {
  C_DATE ("date", "the day"),
  C_STR ("source_id", "Redtrack traffic source id"),
  C_STR ("source_name", "its name"),
  C_MONEY ("cost", "its spend that day"),
  C_STR ("reason", "why no internal affiliate's cost includes it"),
};

static const struct sr_report_column trend_cols[] = {
  C_DATE ("day", "the order date"),
  C_INT ("orders", "orders"),
  C_INT ("approved", "orders not DECLINED"),
  C_INT ("declined", "DECLINED orders"),
  C_MONEY ("revenue", "totals of NEW orders"),
};

static const struct sr_report_column status_cols[] = {
  C_STR ("status", "latest order status"),
  C_INT ("orders", "orders"),
  C_PCT ("percentage", "share of all orders"),
};

static const struct sr_report_column tier_cols[] = {
  C_STR ("tier", "$0-24, $25-49, $50-99, $100+ or unknown"),
  C_INT ("orders", "NEW orders"),
  C_MONEY ("revenue", "their totals"),
};

static const struct sr_report_column by_state_cols[] = {
  C_STR ("state", "billing state"),
  C_INT ("orders", "NEW orders"),
  C_MONEY ("revenue", "their totals"),
  C_MONEY ("avg_order", "revenue / orders"),
};

static const struct sr_report_column decline_state_cols[] = {
  C_STR ("state", "billing state"),
  C_INT ("orders", "orders"),
  C_INT ("declined", "DECLINED orders"),
  C_PCT ("decline_rate", "declined / orders"),
};

static const struct sr_report_column campaign_cols[] = {
  C_STR ("campaign", "campaign id, or direct"),
  C_INT ("orders", "orders"),
  C_INT ("approved", "orders not DECLINED"),
  C_PCT ("approval_rate", "approved / orders"),
  C_MONEY ("revenue", "totals of NEW orders"),
};

static const struct sr_report_column campaign_appr_cols[] = {
  C_STR ("campaign", "campaign id, or direct"),
  C_INT ("orders", "orders"),
  C_INT ("approved", "orders not DECLINED"),
  C_PCT ("approval_rate", "approved / orders"),
};

static const struct sr_report_column affiliate_appr_cols[] = {
  C_STR ("affiliate", "affid, or direct"),
  C_INT ("orders", "orders"),
  C_INT ("approved", "orders not DECLINED"),
  C_PCT ("approval_rate", "approved / orders"),
};

static const struct sr_report_column gateway_cols[] = {
  C_STR ("gateway", "gateway alias, or unknown"),
  C_INT ("attempts", "orders"),
  C_INT ("approved", "orders not DECLINED"),
  C_INT ("declined", "DECLINED orders"),
  C_PCT ("decline_rate", "declined / attempts"),
};

static const struct sr_report_column chargeback_cols[] = {
  C_DATE ("day", "the order date"),
  C_INT ("orders", "orders"),
  C_INT ("chargebacks", "orders flagged charged back"),
  C_INT ("refunds", "orders flagged refunded"),
  C_PCT ("chargeback_rate", "chargebacks / orders"),
  C_PCT ("refund_rate", "refunds / orders"),
};

static const struct sr_report_column cumulative_cols[] = {
  C_DATE ("day", "the order date"),
  C_MONEY ("revenue", "totals of NEW orders that day"),
  C_MONEY ("cumulative_revenue", "running total from the range's start"),
};

static const struct sr_report_column state_appr_cols[] = {
  C_STR ("state", "billing state"),
  C_INT ("approved", "orders not DECLINED"),
  C_INT ("declined", "DECLINED orders"),
  C_INT ("orders", "orders"),
  C_MONEY ("revenue", "totals of NEW orders"),
};

static const char *const heatmap_metrics[] = {
  "orders", "revenue", "approval_rate", "decline_rate", "customers", NULL
};
static const char *const leaderboard_sorts[] = {
  "conversions", "revenue", "cost", "cpa", "profit", NULL
};

#define SQL(n) .sql_name = #n, .sql = sr_sql_##n

const struct sr_report sr_reports[] = {
  { .name = "daily-summary",
    .description = "One brand's day: totals, internal and external, the top "
    "affiliates, the change against the day before and the trailing 7-day "
    "average, and the data's freshness",
    .params = SR_REPORT_BRAND | SR_REPORT_DATE | SR_REPORT_TOP,
    .area = "performance", .binds = "client brand to top",
    SQL (report_daily_summary), COLS (daily_summary_cols) },
  { .name = "leaderboard",
    .description = "Affiliates of one brand ranked over a range, internal "
    "and external marked",
    .params = SR_REPORT_BRAND | SR_REPORT_RANGE | SR_REPORT_SORT
    | SR_REPORT_LIMIT,
    .area = "performance", .binds = "client brand from to sort order limit",
    SQL (report_leaderboard), COLS (leaderboard_cols),
    .sorts = leaderboard_sorts },
  { .name = "state-heatmap",
    .description = "One row per US state and DC from the order exports "
    "(billing state, each order once in its latest state); states without "
    "orders are zeros; meta.unknown_state counts orders without a valid "
    "state",
    .params = SR_REPORT_BRAND | SR_REPORT_RANGE | SR_REPORT_METRIC,
    .area = "orders", .binds = "client brand from to metric",
    SQL (report_state_heatmap),
    .meta_sql = sr_sql_report_state_heatmap_meta,
    .meta_key = "unknown_state", .meta_binds = "client brand from to",
    COLS (heatmap_cols),
    .metrics = heatmap_metrics },
  { .name = "daily-performance",
    .description = "public.daily_performance for one brand: per day and "
    "affiliate, conversions, true cost and CPA",
    .params = SR_REPORT_BRAND | SR_REPORT_RANGE, .area = "performance",
    .binds = "client brand from to", SQL (report_daily_performance),
    COLS (daily_perf_cols) },
  { .name = "unmapped-spend",
    .description = "Redtrack spend that no internal affiliate's cost "
    "includes, per day and source, and why",
    .params = SR_REPORT_RANGE, .area = "performance",
    .binds = "client from to", SQL (report_unmapped_spend),
    COLS (unmapped_cols) },
  { .name = "orders/daily-trend",
    .description = "Orders per day: approved, declined, revenue",
    .params = ORDERS_PARAMS, .area = "orders", .binds = ORDERS_BINDS,
    SQL (report_orders_daily_trend), COLS (trend_cols) },
  { .name = "orders/status-breakdown",
    .description = "Orders per latest status and their share",
    .params = ORDERS_PARAMS, .area = "orders", .binds = ORDERS_BINDS,
    SQL (report_orders_status_breakdown), COLS (status_cols) },
  { .name = "orders/price-tiers",
    .description = "NEW orders and revenue per price tier",
    .params = ORDERS_PARAMS, .area = "orders", .binds = ORDERS_BINDS,
    SQL (report_orders_price_tiers), COLS (tier_cols) },
  { .name = "orders/by-state",
    .description = "NEW orders, revenue and average order per US state",
    .params = ORDERS_PARAMS, .area = "orders", .binds = ORDERS_BINDS,
    SQL (report_orders_by_state), COLS (by_state_cols) },
  { .name = "orders/decline-by-state",
    .description = "Decline rate per US state with more than 50 orders",
    .params = ORDERS_PARAMS, .area = "orders", .binds = ORDERS_BINDS,
    SQL (report_orders_decline_by_state), COLS (decline_state_cols) },
  { .name = "orders/campaigns",
    .description = "The 15 campaigns with the most revenue",
    .params = ORDERS_PARAMS, .area = "orders", .binds = ORDERS_BINDS,
    SQL (report_orders_campaigns), COLS (campaign_cols) },
  { .name = "orders/campaign-approval",
    .description = "The 15 campaigns (over 100 orders) with the highest "
    "approval rate",
    .params = ORDERS_PARAMS, .area = "orders", .binds = ORDERS_BINDS,
    SQL (report_orders_campaign_approval), COLS (campaign_appr_cols) },
  { .name = "orders/affiliate-approval",
    .description = "The 20 affiliates (over 100 orders) with the highest "
    "approval rate",
    .params = ORDERS_PARAMS, .area = "orders", .binds = ORDERS_BINDS,
    SQL (report_orders_affiliate_approval), COLS (affiliate_appr_cols) },
  { .name = "orders/gateways",
    .description = "Payment gateways (over 100 attempts), the highest "
    "decline rate first",
    .params = ORDERS_PARAMS, .area = "orders", .binds = ORDERS_BINDS,
    SQL (report_orders_gateways), COLS (gateway_cols) },
  { .name = "orders/chargebacks-refunds",
    .description = "Per day: orders charged back or refunded and their "
    "share",
    .params = ORDERS_PARAMS, .area = "orders", .binds = ORDERS_BINDS,
    SQL (report_orders_chargebacks_refunds), COLS (chargeback_cols) },
  { .name = "orders/cumulative-revenue",
    .description = "Revenue per day and its running total",
    .params = ORDERS_PARAMS, .area = "orders", .binds = ORDERS_BINDS,
    SQL (report_orders_cumulative_revenue), COLS (cumulative_cols) },
  { .name = "orders/state-approval",
    .description = "Approved and declined orders per US state with more "
    "than 100 orders",
    .params = ORDERS_PARAMS, .area = "orders", .binds = ORDERS_BINDS,
    SQL (report_orders_state_approval), COLS (state_appr_cols) },
};

const size_t sr_reports_count = N (sr_reports);

const struct sr_report *
sr_report_find (const char *name)
{
  for (size_t i = 0; i < sr_reports_count; i++)
    if (0 == strcmp (sr_reports[i].name, name))
      return &sr_reports[i];
  return NULL;
}

const char *
sr_report_type_name (enum sr_report_type t)
{
  switch (t) {
  case SR_COL_INTEGER: return "integer";
  case SR_COL_NUMBER: return "number";
  case SR_COL_MONEY: return "money";
  case SR_COL_PERCENT: return "percent";
  case SR_COL_STRING: return "string";
  case SR_COL_DATE: return "date";
  case SR_COL_BOOLEAN: return "boolean";
  }
  return "string";
}

/* The context statement's parameters (brand NULL when the report takes
 * none). */
static void
context_params (const struct sr_report *rep, const struct sr_report_args *a,
                const char *params[4])
{
  params[0] = (rep->params & SR_REPORT_BRAND) ? a->brand.code : NULL;
  params[1] = rep->area;
  params[2] = a->to;
  params[3] = a->timezone;
}

/* The context row into @a out, the brand it names into @a args. */
static enum sr_status
read_context (const struct sr_report *rep, const PGresult *r,
              struct sr_report_args *args, struct sr_report_context *out,
              char *err, size_t errlen)
{
  memset (out, 0, sizeof (*out));
  if (1 != PQntuples (r)) {
    snprintf (err, errlen, "no data version for %s", rep->area);
    return SR_E_INTERNAL;
  }
  out->brand_found = !PQgetisnull (r, 0, 0);
  if (out->brand_found) {
    snprintf (args->brand.code, sizeof (args->brand.code), "%s",
              PQgetvalue (r, 0, 0));
    snprintf (args->brand.name, sizeof (args->brand.name), "%s",
              PQgetvalue (r, 0, 1));
    args->brand.advertiser_id = strtoll (PQgetvalue (r, 0, 2), NULL, 10);
  }
  out->version = strtoll (PQgetvalue (r, 0, 3), NULL, 10);
  out->freshness = sr_xstrdup (PQgetisnull (r, 0, 4) ? "{}"
                               : PQgetvalue (r, 0, 4));
  return SR_OK;
}

enum sr_status
sr_store_report_context (PGconn *conn, const struct sr_report *rep,
                         struct sr_report_args *args,
                         struct sr_report_context *out, char *err,
                         size_t errlen)
{
  const char *params[4];
  PGresult *r = NULL;
  enum sr_status st;

  memset (out, 0, sizeof (*out));
  context_params (rep, args, params);
  st = sr_db_exec_prepared (conn, "report_context", sr_sql_report_context, 4,
                            params, &r, err, errlen);
  if (SR_OK == st)
    st = read_context (rep, r, args, out, err, errlen);
  PQclear (r);
  return st;
}

void
sr_report_context_clean (struct sr_report_context *c)
{
  free (c->freshness);
  memset (c, 0, sizeof (*c));
}

enum sr_status
sr_store_data_versions_read (PGconn *conn, char *err, size_t errlen)
{
  PGresult *r = NULL;
  enum sr_status st = sr_db_exec (conn, "report_data_versions",
                                  sr_sql_report_data_versions, 0, NULL, &r,
                                  err, errlen);

  for (int i = 0; SR_OK == st && i < PQntuples (r); i++)
    sr_data_versions_set (PQgetvalue (r, i, 0),
                          strtoll (PQgetvalue (r, i, 1), NULL, 10));
  if (SR_OK == st)
    sr_data_versions_refreshed ();
  PQclear (r);
  return st;
}

#define MAX_BINDS 8

/* The value bound for one name of a report's `binds`. */
static const char *
bind_value (const struct sr_report_args *a, const char *name, size_t len,
            char top[24], char limit[24])
{
#define IS(s) (strlen (s) == len && 0 == strncmp (name, s, len))
  if (IS ("client"))
    return a->client;
  if (IS ("brand"))
    return a->brand.code;
  if (IS ("from"))
    return a->from;
  if (IS ("to"))
    return a->to;
  if (IS ("sort"))
    return a->sort;
  if (IS ("order"))
    return a->order;
  if (IS ("metric"))
    return a->metric;
  if (IS ("top")) {
    snprintf (top, 24, "%" PRId64, a->top);
    return top;
  }
  if (IS ("limit")) {
    snprintf (limit, 24, "%" PRId64, a->limit);
    return limit;
  }
#undef IS
  return NULL;
}

/* The row's columns are the catalogue's, in its order. */
static enum sr_status
check_columns (const struct sr_report *rep, const PGresult *r, char *err,
               size_t errlen)
{
  if ((size_t) PQnfields (r) != rep->n_columns) {
    snprintf (err, errlen, "report %s: %d columns, the catalogue has %zu",
              rep->name, PQnfields (r), rep->n_columns);
    return SR_E_INTERNAL;
  }
  for (size_t i = 0; i < rep->n_columns; i++)
    if (0 != strcmp (PQfname (r, (int) i), rep->columns[i].name)) {
      snprintf (err, errlen, "report %s: column %zu is %s, the catalogue "
                "says %s", rep->name, i + 1, PQfname (r, (int) i),
                rep->columns[i].name);
      return SR_E_INTERNAL;
    }
  return SR_OK;
}

/* The parameters @a binds names, in order. */
static enum sr_status
bind_all (const struct sr_report *rep, const char *binds,
          const struct sr_report_args *args, const char *params[MAX_BINDS],
          int *n, char top[24], char limit[24], char *err, size_t errlen)
{
  *n = 0;
  for (const char *p = binds; '\0' != *p;) {
    size_t len = strcspn (p, " ");

    if (*n == MAX_BINDS
        || NULL == (params[*n] = bind_value (args, p, len, top, limit))) {
      snprintf (err, errlen, "report %s: cannot bind \"%.*s\"", rep->name,
                (int) len, p);
      return SR_E_INTERNAL;
    }
    (*n)++;
    p += len;
    p += strspn (p, " ");
  }
  return SR_OK;
}

enum sr_status
sr_store_report_run (PGconn *conn, const struct sr_report *rep,
                     const struct sr_report_args *args,
                     struct sr_report_result *out, char *err, size_t errlen)
{
  const char *params[MAX_BINDS];
  char top[24], limit[24];
  int n = 0;
  enum sr_status st;

  memset (out, 0, sizeof (*out));
  st = bind_all (rep, rep->binds, args, params, &n, top, limit, err, errlen);
  if (SR_OK == st)
    st = sr_db_exec_prepared (conn, rep->sql_name, rep->sql, n, params,
                              &out->rows, err, errlen);
  if (SR_OK == st)
    st = check_columns (rep, out->rows, err, errlen);
  if (SR_OK == st && NULL != rep->meta_sql)
    st = bind_all (rep, rep->meta_binds, args, params, &n, top, limit, err,
                   errlen);
  if (SR_OK == st && NULL != rep->meta_sql)
    st = sr_db_exec_prepared (conn, rep->meta_key, rep->meta_sql, n, params,
                              &out->meta, err, errlen);
  if (SR_OK != st)
    sr_report_result_clean (out);
  return st;
}

/* What the context will most likely resolve @a raw to: the code as
 * given, without surrounding spaces, in capitals (ASCII: codes are). */
static void
brand_guess (const char *raw, char *out, size_t outlen)
{
  size_t len;

  while (' ' == *raw)
    raw++;
  len = strlen (raw);
  while (len > 0 && ' ' == raw[len - 1])
    len--;
  if (len >= outlen)
    len = outlen - 1;
  for (size_t i = 0; i < len; i++)
    out[i] = (char) ('a' <= raw[i] && raw[i] <= 'z' ? raw[i] - 32 : raw[i]);
  out[len] = '\0';
}

enum sr_status
sr_store_report_fetch (PGconn *conn, const struct sr_report *rep,
                       struct sr_report_args *args,
                       struct sr_report_context *ctx,
                       struct sr_report_result *out, char *err,
                       size_t errlen)
{
  const char *cparams[4], *params[MAX_BINDS], *mparams[MAX_BINDS];
  char top[24], limit[24], raw[sizeof (args->brand.code)];
  char guess[sizeof (args->brand.code)];
  struct sr_db_stmt stmts[3];
  size_t n = 0;
  int np = 0, nm = 0;
  enum sr_status st;

  memset (ctx, 0, sizeof (*ctx));
  memset (out, 0, sizeof (*out));
  /* The report runs with the brand as given, in capitals (a code, nearly
   * always); the context resolves it in the same round trip. */
  snprintf (raw, sizeof (raw), "%s", args->brand.code);
  brand_guess (raw, guess, sizeof (guess));
  snprintf (args->brand.code, sizeof (args->brand.code), "%s", guess);
  context_params (rep, args, cparams);
  if (NULL != cparams[0])
    cparams[0] = raw;
  st = bind_all (rep, rep->binds, args, params, &np, top, limit, err, errlen);
  if (SR_OK == st && NULL != rep->meta_sql)
    st = bind_all (rep, rep->meta_binds, args, mparams, &nm, top, limit, err,
                   errlen);
  if (SR_OK != st)
    return st;
  stmts[n++] = (struct sr_db_stmt) { "report_context", sr_sql_report_context,
                                     4, cparams, NULL };
  stmts[n++] = (struct sr_db_stmt) { rep->sql_name, rep->sql, np, params,
                                     NULL };
  if (NULL != rep->meta_sql)
    stmts[n++] = (struct sr_db_stmt) { rep->meta_key, rep->meta_sql, nm,
                                       mparams, NULL };
  st = sr_db_batch_prepared (conn, stmts, n, err, errlen);
  if (SR_OK == st)
    st = read_context (rep, stmts[0].res, args, ctx, err, errlen);
  out->rows = stmts[1].res;
  out->meta = NULL != rep->meta_sql ? stmts[2].res : NULL;
  PQclear (stmts[0].res);
  if (SR_OK == st)
    st = check_columns (rep, out->rows, err, errlen);
  if (SR_OK == st && (rep->params & SR_REPORT_BRAND) && ctx->brand_found
      && 0 != strcmp (guess, args->brand.code)) {
    /* Named by advertiser id: run again under the code it resolved to. */
    sr_report_result_clean (out);
    st = sr_store_report_run (conn, rep, args, out, err, errlen);
  }
  if (SR_OK != st) {
    sr_report_result_clean (out);
    sr_report_context_clean (ctx);
  }
  return st;
}

void
sr_report_result_clean (struct sr_report_result *r)
{
  PQclear (r->rows);
  PQclear (r->meta);
  memset (r, 0, sizeof (*r));
}

/* end of store_reports.c */
