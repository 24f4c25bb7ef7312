/*
 * report_render.c -- see report_render.h.
 *
 * The JSON is written by hand into one buffer: the values come from the
 * database already formatted, and going through jansson would turn exact
 * decimals into doubles (0.1 -> 0.10000000000000001).
 */
#include "report_render.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A writer whose first failure sticks, so a render is a straight line. */
struct w {
  struct sr_buf *b;
  enum sr_status st;
};

static void
put (struct w *w, const char *s, size_t n)
{
  if (SR_OK == w->st)
    w->st = sr_buf_append (w->b, s, n);
}

static void
puts_ (struct w *w, const char *s)
{
  put (w, s, strlen (s));
}

static void
put_json_string (struct w *w, const char *s)
{
  static const char hex[] = "0123456789abcdef";
  const char *run = s;

  puts_ (w, "\"");
  for (; '\0' != *s; s++) {
    unsigned char c = (unsigned char) *s;
    char esc[7] = "\\u00";

    if (c >= 0x20 && '"' != c && '\\' != c)
      continue;
    put (w, run, (size_t) (s - run));
    run = s + 1;
    if ('"' == c || '\\' == c) {
      esc[1] = (char) c;
      put (w, esc, 2);
    } else {
      esc[4] = hex[c >> 4];
      esc[5] = hex[c & 15];
      put (w, esc, 6);
    }
  }
  put (w, run, (size_t) (s - run));
  puts_ (w, "\"");
}

static void
put_key (struct w *w, bool *first, const char *key)
{
  puts_ (w, *first ? "" : ",");
  *first = false;
  put_json_string (w, key);
  puts_ (w, ":");
}

/* A decimal from the database with exactly @a places decimals ("0" ->
 * "0.00"): the SQL rounds, but a literal 0 or a whole number carries no
 * scale.  More decimals than asked are left as they are. */
static void
put_decimal (struct w *w, const char *v, int places)
{
  const char *dot = strchr (v, '.');
  int have = NULL == dot ? 0 : (int) strlen (dot + 1);

  puts_ (w, v);
  if (NULL == dot && places > 0)
    puts_ (w, ".");
  for (; have < places; have++)
    puts_ (w, "0");
}

static int
decimals_of (enum sr_report_type t)
{
  return SR_COL_MONEY == t ? 2 : SR_COL_PERCENT == t ? 1 : -1;
}

/* One value of column @a col as its JSON type. */
static void
put_value (struct w *w, const PGresult *r, int row, int col,
           enum sr_report_type t)
{
  const char *v;

  if (PQgetisnull (r, row, col)) {
    puts_ (w, "null");
    return;
  }
  v = PQgetvalue (r, row, col);
  switch (t) {
  case SR_COL_STRING:
  case SR_COL_DATE:
    put_json_string (w, v);
    return;
  case SR_COL_BOOLEAN:
    puts_ (w, 't' == v[0] ? "true" : "false");
    return;
  case SR_COL_MONEY:
  case SR_COL_PERCENT:
    put_decimal (w, v, decimals_of (t));
    return;
  default:
    puts_ (w, v);
  }
}

static int
column (const struct sr_report *rep, const char *name)
{
  for (size_t i = 0; i < rep->n_columns; i++)
    if (0 == strcmp (rep->columns[i].name, name))
      return (int) i;
  return -1;
}

/* {name: value, ...} of the named columns of one row. */
/* {name: value, ...} of one row: the named columns, or all (NULL). */
static void
put_row_fields (struct w *w, const struct sr_report *rep, const PGresult *r,
                int row, const char *const *names)
{
  bool first = true;
  size_t n = NULL == names ? rep->n_columns : 0;

  while (NULL != names && NULL != names[n])
    n++;
  puts_ (w, "{");
  for (size_t i = 0; i < n; i++) {
    int c = NULL == names ? (int) i : column (rep, names[i]);

    put_key (w, &first, rep->columns[c].name);
    put_value (w, r, row, c, rep->columns[c].type);
  }
  puts_ (w, "}");
}

static void
put_rows (struct w *w, const struct sr_report *rep, const PGresult *r)
{
  puts_ (w, "[");
  for (int i = 0; i < PQntuples (r); i++) {
    puts_ (w, i ? "," : "");
    put_row_fields (w, rep, r, i, NULL);
  }
  puts_ (w, "]");
}

static int
find_kind (const PGresult *r, const char *kind)
{
  for (int i = 0; i < PQntuples (r); i++)
    if (0 == strcmp (PQgetvalue (r, i, 0), kind))
      return i;
  return -1;
}

static const char *const money_fields[] = {
  "conversions", "cost", "cpa", "revenue", "payout", "profit", NULL
};

/* Percent change of each figure from @a base_row to @a row; null where
 * the base is zero (no meaningful ratio). */
static void
put_change (struct w *w, const struct sr_report *rep, const PGresult *r,
            int row, int base_row)
{
  bool first = true;

  puts_ (w, "{");
  for (size_t i = 0; NULL != money_fields[i]; i++) {
    int c = column (rep, money_fields[i]);
    double now = strtod (PQgetvalue (r, row, c), NULL);
    double base = strtod (PQgetvalue (r, base_row, c), NULL);
    char num[40];

    put_key (w, &first, money_fields[i]);
    if (0.0 == base) {
      puts_ (w, "null");
      continue;
    }
    snprintf (num, sizeof (num), "%.1f",
              round ((now - base) / fabs (base) * 1000.0) / 10.0);
    puts_ (w, 0 == strcmp (num, "-0.0") ? "0.0" : num);
  }
  puts_ (w, "}");
}

static void
put_daily_summary (struct w *w, const struct sr_report *rep,
                   const struct sr_report_args *args,
                   const struct sr_report_result *res, const char *freshness)
{
  static const char *const split[] = { "conversions", "cost", "cpa", NULL };
  static const char *const top[] = {
    "affiliate_label", "conversions", "cost", "cpa", "is_internal", NULL
  };
  const PGresult *r = res->rows;
  int total = find_kind (r, "total"), prev = find_kind (r, "previous_day");
  int avg = find_kind (r, "trailing_7_day_average");
  bool first = true;

  if (total < 0 || prev < 0 || avg < 0
      || find_kind (r, "internal") < 0 || find_kind (r, "external") < 0) {
    w->st = SR_E_INTERNAL;
    return;
  }
  puts_ (w, "{\"date\":");
  put_json_string (w, args->to);
  puts_ (w, ",\"brand\":");
  put_json_string (w, args->brand.code);
  puts_ (w, ",\"totals\":");
  put_row_fields (w, rep, r, total, money_fields);
  puts_ (w, ",\"internal\":");
  put_row_fields (w, rep, r, find_kind (r, "internal"), split);
  puts_ (w, ",\"external\":");
  put_row_fields (w, rep, r, find_kind (r, "external"), split);
  puts_ (w, ",\"top_affiliates\":[");
  for (int i = 0; i < PQntuples (r); i++)
    if (0 == strcmp (PQgetvalue (r, i, 0), "affiliate")) {
      puts_ (w, first ? "" : ",");
      first = false;
      put_row_fields (w, rep, r, i, top);
    }
  puts_ (w, "],\"change\":{\"previous_day\":");
  put_row_fields (w, rep, r, prev, money_fields);
  puts_ (w, ",\"vs_previous_day_pct\":");
  put_change (w, rep, r, total, prev);
  puts_ (w, ",\"trailing_7_day_average\":");
  put_row_fields (w, rep, r, avg, money_fields);
  puts_ (w, ",\"vs_trailing_7_day_average_pct\":");
  put_change (w, rep, r, total, avg);
  puts_ (w, "},\"freshness\":");
  puts_ (w, freshness);
  puts_ (w, "}");
}

static void
put_string_field (struct w *w, bool *first, const char *key,
                  const char *value)
{
  put_key (w, first, key);
  put_json_string (w, value);
}

static void
put_int_field (struct w *w, bool *first, const char *key, int64_t value)
{
  char num[24];

  snprintf (num, sizeof (num), "%" PRId64, value);
  put_key (w, first, key);
  puts_ (w, num);
}

static void
put_params (struct w *w, const struct sr_report *rep,
            const struct sr_report_args *a)
{
  bool first = true;

  puts_ (w, "{");
  if (rep->params & SR_REPORT_BRAND)
    put_string_field (w, &first, "brand", a->brand.code);
  if (rep->params & SR_REPORT_DATE)
    put_string_field (w, &first, "date", a->to);
  if (rep->params & SR_REPORT_RANGE) {
    put_string_field (w, &first, "from", a->from);
    put_string_field (w, &first, "to", a->to);
  }
  if (rep->params & SR_REPORT_TOP)
    put_int_field (w, &first, "top", a->top);
  if (rep->params & SR_REPORT_SORT) {
    put_string_field (w, &first, "sort", a->sort);
    put_string_field (w, &first, "order", a->order);
  }
  if (rep->params & SR_REPORT_LIMIT)
    put_int_field (w, &first, "limit", a->limit);
  if (rep->params & SR_REPORT_METRIC)
    put_string_field (w, &first, "metric", a->metric);
  puts_ (w, "}");
}

static void
put_data (struct w *w, const struct sr_report *rep,
          const struct sr_report_args *args,
          const struct sr_report_result *res,
          const struct sr_report_context *ctx)
{
  if (0 == strcmp (rep->name, "daily-summary"))
    put_daily_summary (w, rep, args, res, ctx->freshness);
  else
    put_rows (w, rep, res->rows);
}

enum sr_status
sr_report_render_data (const struct sr_report *rep,
                       const struct sr_report_args *args,
                       const struct sr_report_result *res,
                       const struct sr_report_context *ctx,
                       struct sr_buf *out)
{
  struct w w = { .b = out, .st = SR_OK };

  put_data (&w, rep, args, res, ctx);
  return w.st;
}

enum sr_status
sr_report_render_json (const struct sr_report *rep,
                       const struct sr_report_args *args,
                       const struct sr_report_result *res,
                       const struct sr_report_context *ctx,
                       const char *generated_at, struct sr_buf *out)
{
  struct w w = { .b = out, .st = SR_OK };
  char num[24];

  puts_ (&w, "{\"data\":");
  put_data (&w, rep, args, res, ctx);
  puts_ (&w, ",\"meta\":{\"report\":");
  put_json_string (&w, rep->name);
  puts_ (&w, ",\"params\":");
  put_params (&w, rep, args);
  puts_ (&w, ",\"generated_at\":");
  put_json_string (&w, generated_at);
  snprintf (num, sizeof (num), "%" PRId64, ctx->version);
  puts_ (&w, ",\"data_version\":");
  puts_ (&w, num);
  puts_ (&w, ",\"freshness\":");
  puts_ (&w, ctx->freshness);
  if (NULL != res->meta && 1 == PQntuples (res->meta)) {
    bool first = true;

    puts_ (&w, ",");
    put_json_string (&w, rep->meta_key);
    puts_ (&w, ":{");
    for (int c = 0; c < PQnfields (res->meta); c++) {
      put_key (&w, &first, PQfname (res->meta, c));
      put_value (&w, res->meta, 0, c, SR_COL_NUMBER);
    }
    puts_ (&w, "}");
  }
  puts_ (&w, "}}\n");
  return w.st;
}

/* One CSV field: quoted when it holds a separator, a quote or a line
 * break; formula-looking text defused. */
static void
put_csv_field (struct w *w, const char *v, enum sr_report_type t)
{
  bool formula = SR_COL_STRING == t && NULL != strchr ("=+-@", v[0])
                 && '\0' != v[0];

  if (!formula && '\0' == v[strcspn (v, ",\"\r\n")]) {
    puts_ (w, v);
    return;
  }
  puts_ (w, formula ? "\"'" : "\"");
  for (const char *p = v; '\0' != *p; p++) {
    if ('"' == *p)
      puts_ (w, "\"");     /* a quote inside is doubled */
    put (w, p, 1);
  }
  puts_ (w, "\"");
}

enum sr_status
sr_report_render_csv (const struct sr_report *rep,
                      const struct sr_report_result *res, struct sr_buf *out)
{
  struct w w = { .b = out, .st = SR_OK };
  const PGresult *r = res->rows;

  for (size_t c = 0; c < rep->n_columns; c++) {
    puts_ (&w, c ? "," : "");
    puts_ (&w, rep->columns[c].name);
  }
  puts_ (&w, "\r\n");
  for (int i = 0; i < PQntuples (r); i++) {
    for (size_t c = 0; c < rep->n_columns; c++) {
      puts_ (&w, c ? "," : "");
      if (PQgetisnull (r, i, (int) c))
        continue;
      if (SR_COL_BOOLEAN == rep->columns[c].type)
        puts_ (&w, 't' == PQgetvalue (r, i, (int) c)[0] ? "true" : "false");
      else if (decimals_of (rep->columns[c].type) > 0)
        put_decimal (&w, PQgetvalue (r, i, (int) c),
                     decimals_of (rep->columns[c].type));
      else
        put_csv_field (&w, PQgetvalue (r, i, (int) c), rep->columns[c].type);
    }
    puts_ (&w, "\r\n");
  }
  return w.st;
}

void
sr_report_canonical (const struct sr_report *rep,
                     const struct sr_report_args *a, char *out, size_t len)
{
  snprintf (out, len, "%s|%s|%s|%s|%" PRId64 "|%s|%s|%" PRId64 "|%s",
            rep->name, a->brand.code, a->from, a->to,
            (rep->params & SR_REPORT_TOP) ? a->top : 0,
            NULL != a->sort ? a->sort : "", NULL != a->order ? a->order : "",
            (rep->params & SR_REPORT_LIMIT) ? a->limit : 0,
            NULL != a->metric ? a->metric : "");
}

/* end of report_render.c */
