/*
 * everflow_parse.c -- see everflow_parse.h.
 *
 * A YAJL event parser driving a small state machine: a stack of the
 * containers we care about (root, table, row, columns, column, reporting),
 * a "want" telling what the value after the current key is for, and a
 * depth counter for members skipped whole.
 */
#include "everflow_parse.h"
#include "mem.h"
#include "values.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

enum ctx { C_NONE, C_ROOT, C_TABLE, C_ROW, C_COLUMNS, C_COLUMN, C_REPORTING };

enum want {
  W_NONE, W_SKIP, W_TABLE, W_INCOMPLETE, W_COLUMNS, W_REPORTING,
  W_COLTYPE, W_ID, W_LABEL, W_CLICKS, W_CV, W_REVENUE, W_PAYOUT, W_PROFIT
};

/* What a finished row must have. */
#define HAVE_DATE 0x01u
#define HAVE_AFF 0x02u
#define HAVE_ADV 0x04u
#define HAVE_CLICKS 0x08u
#define HAVE_CV 0x10u
#define HAVE_REVENUE 0x20u
#define HAVE_PAYOUT 0x40u
#define HAVE_PROFIT 0x80u
#define HAVE_ROW_ALL 0xffu
#define HAVE_REPORTING 0x100u
#define HAVE_COLUMNS 0x200u

enum coltype { COL_OTHER, COL_DATE, COL_AFF, COL_ADV };

struct state {
  struct sr_ef_report *rep;
  bool advertisers_only;
  enum ctx stack[8];
  int depth;
  enum want want;
  unsigned int skip;            /* depth inside a skipped member */
  bool seen_table;
  size_t row_index;
  unsigned int have;            /* HAVE_* of the current row */
  struct sr_ef_row cur;
  /* the current column */
  enum coltype col_type;
  bool col_has_type;
  char col_id[32];
  bool col_has_id;
  char *col_label;
  char err[400];
};

static int
fail (struct state *s, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

static int
fail (struct state *s, const char *fmt, ...)
{
  va_list ap;

  if ('\0' != s->err[0])
    return 0;
  va_start (ap, fmt);
  vsnprintf (s->err, sizeof (s->err), fmt, ap);
  va_end (ap);
  return 0;
}

static enum ctx
top (const struct state *s)
{
  return s->depth > 0 ? s->stack[s->depth - 1] : C_NONE;
}

static int
push (struct state *s, enum ctx c)
{
  if (s->depth >= (int) (sizeof (s->stack) / sizeof (s->stack[0])))
    return fail (s, "response nests too deeply");
  s->stack[s->depth++] = c;
  return 1;
}

static void
row_reset (struct state *s)
{
  free (s->cur.affiliate_label);
  free (s->cur.advertiser_label);
  memset (&s->cur, 0, sizeof (s->cur));
  s->have = 0;
}

static void
column_reset (struct state *s)
{
  free (s->col_label);
  s->col_label = NULL;
  s->col_type = COL_OTHER;
  s->col_has_type = false;
  s->col_has_id = false;
  s->col_id[0] = '\0';
}

/* A value we did not ask for is consumed here; returns true if it was. */
static bool
skipped_scalar (struct state *s)
{
  if (s->skip > 0)
    return true;
  if (W_SKIP == s->want) {
    s->want = W_NONE;
    return true;
  }
  return false;
}

static bool
parse_id (const char *text, int64_t *out)
{
  char *end;
  long long v;

  if ('\0' == text[0])
    return false;
  errno = 0;
  v = strtoll (text, &end, 10);
  if (0 != errno || '\0' != *end)
    return false;
  *out = v;
  return true;
}

/* A count: digits, optionally with an all-zero fraction ("12.0"). */
static bool
parse_count (const char *t, size_t len, int64_t *out)
{
  int64_t v = 0;
  size_t i = 0;

  if (0 == len || len > 19)
    return false;
  for (; i < len && t[i] >= '0' && t[i] <= '9'; i++)
    v = v * 10 + (t[i] - '0');
  if (0 == i)
    return false;
  if (i < len) {
    if ('.' != t[i++])
      return false;
    for (; i < len; i++)
      if ('0' != t[i])
        return false;
  }
  *out = v;
  return true;
}

static int
on_null (void *cls)
{
  struct state *s = cls;

  if (skipped_scalar (s))
    return 1;
  if (W_LABEL == s->want) {       /* a null label is an absent label */
    s->want = W_NONE;
    return 1;
  }
  return fail (s, "row %zu: unexpected null", s->row_index);
}

static int
on_boolean (void *cls, int value)
{
  struct state *s = cls;

  if (skipped_scalar (s))
    return 1;
  if (W_INCOMPLETE == s->want) {
    s->rep->incomplete = 0 != value;
    s->want = W_NONE;
    return 1;
  }
  return fail (s, "row %zu: unexpected boolean", s->row_index);
}

static int
on_number (void *cls, const char *text, size_t len)
{
  struct state *s = cls;
  enum want w = s->want;
  char *money = NULL;

  if (skipped_scalar (s))
    return 1;
  s->want = W_NONE;
  switch (w) {
  case W_ID:
    if (len >= sizeof (s->col_id))
      return fail (s, "row %zu: id is too long", s->row_index);
    memcpy (s->col_id, text, len);
    s->col_id[len] = '\0';
    s->col_has_id = true;
    return 1;
  case W_CLICKS:
    if (!parse_count (text, len, &s->cur.clicks))
      return fail (s, "row %zu: reporting.total_click is not a count",
                   s->row_index);
    s->have |= HAVE_CLICKS;
    return 1;
  case W_CV:
    if (!parse_count (text, len, &s->cur.conversions))
      return fail (s, "row %zu: reporting.cv is not a count", s->row_index);
    s->have |= HAVE_CV;
    return 1;
  case W_REVENUE:
    money = s->cur.revenue;
    s->have |= HAVE_REVENUE;
    break;
  case W_PAYOUT:
    money = s->cur.payout;
    s->have |= HAVE_PAYOUT;
    break;
  case W_PROFIT:
    money = s->cur.profit;
    s->have |= HAVE_PROFIT;
    break;
  default:
    return fail (s, "row %zu: unexpected number", s->row_index);
  }
  if (len + 4 >= SR_EF_MONEY_LEN)
    return fail (s, "row %zu: an amount is too long", s->row_index);
  memcpy (money, text, len);
  money[len] = '\0';
  sr_money_normalize (money, SR_EF_MONEY_LEN);
  return 1;
}

static int
on_string (void *cls, const unsigned char *str, size_t len)
{
  struct state *s = cls;
  enum want w = s->want;
  const char *t = (const char *) str;

  if (skipped_scalar (s))
    return 1;
  s->want = W_NONE;
  if (NULL != memchr (t, '\0', len))
    return fail (s, "row %zu: a string holds a NUL character", s->row_index);
  switch (w) {
  case W_COLTYPE:
    s->col_has_type = true;
    s->col_type = (4 == len && 0 == memcmp (t, "date", 4)) ? COL_DATE
                  : (9 == len && 0 == memcmp (t, "affiliate", 9)) ? COL_AFF
                  : (10 == len && 0 == memcmp (t, "advertiser", 10)) ? COL_ADV
                  : COL_OTHER;
    return 1;
  case W_ID:
    if (len >= sizeof (s->col_id))
      return fail (s, "row %zu: id is too long", s->row_index);
    memcpy (s->col_id, t, len);
    s->col_id[len] = '\0';
    s->col_has_id = true;
    return 1;
  case W_LABEL:
    free (s->col_label);
    s->col_label = sr_xstrndup (t, len);
    return 1;
  case W_CLICKS:
  case W_CV:
    return fail (s, "row %zu: reporting.%s is not a count", s->row_index,
                 W_CV == w ? "cv" : "total_click");
  case W_REVENUE:
  case W_PAYOUT:
  case W_PROFIT:
    return fail (s, "row %zu: reporting.%s is not a number", s->row_index,
                 W_REVENUE == w ? "revenue" : W_PAYOUT == w ? "payout"
                 : "profit");
  default:
    return fail (s, "row %zu: unexpected string", s->row_index);
  }
}

static int
on_map_key (void *cls, const unsigned char *key, size_t len)
{
  struct state *s = cls;
  static const struct {
    enum ctx in;
    const char *key;
    enum want want;
  } keys[] = {
    { C_ROOT, "table", W_TABLE },
    { C_ROOT, "incomplete_results", W_INCOMPLETE },
    { C_ROW, "columns", W_COLUMNS },
    { C_ROW, "reporting", W_REPORTING },
    { C_COLUMN, "column_type", W_COLTYPE },
    { C_COLUMN, "id", W_ID },
    { C_COLUMN, "label", W_LABEL },
    { C_REPORTING, "total_click", W_CLICKS },
    { C_REPORTING, "cv", W_CV },
    { C_REPORTING, "revenue", W_REVENUE },
    { C_REPORTING, "payout", W_PAYOUT },
    { C_REPORTING, "profit", W_PROFIT },
  };

  if (s->skip > 0)
    return 1;
  s->want = W_SKIP;
  for (size_t i = 0; i < sizeof (keys) / sizeof (keys[0]); i++)
    if (keys[i].in == top (s) && strlen (keys[i].key) == len
        && 0 == memcmp (keys[i].key, key, len)) {
      s->want = keys[i].want;
      break;
    }
  return 1;
}

/* A container opening: inside or at the start of a skipped member it only
 * deepens the skip (true); otherwise @a w gets what it was wanted for. */
static bool
container_skipped (struct state *s, enum want *w)
{
  *w = s->want;
  if (s->skip > 0) {
    s->skip++;
    return true;
  }
  s->want = W_NONE;
  if (W_SKIP == *w) {
    s->skip = 1;
    return true;
  }
  return false;
}

static int
on_start_map (void *cls)
{
  struct state *s = cls;
  enum want w;

  if (container_skipped (s, &w))
    return 1;
  if (C_NONE == top (s) && 0 == s->depth)
    return push (s, C_ROOT);
  if (C_TABLE == top (s) && W_NONE == w) {
    row_reset (s);
    return push (s, C_ROW);
  }
  if (C_COLUMNS == top (s) && W_NONE == w) {
    column_reset (s);
    return push (s, C_COLUMN);
  }
  if (W_REPORTING == w) {
    s->have |= HAVE_REPORTING;
    return push (s, C_REPORTING);
  }
  if (C_TABLE == top (s) || C_COLUMNS == top (s))
    return fail (s, "row %zu is not an object", s->row_index);
  return fail (s, "row %zu: unexpected object", s->row_index);
}

static int
on_start_array (void *cls)
{
  struct state *s = cls;
  enum want w;

  if (container_skipped (s, &w))
    return 1;
  if (W_TABLE == w) {
    s->seen_table = true;
    return push (s, C_TABLE);
  }
  if (W_COLUMNS == w) {
    s->have |= HAVE_COLUMNS;
    return push (s, C_COLUMNS);
  }
  if (0 == s->depth)
    return fail (s, "response is an array, not an object");
  return fail (s, "row %zu: unexpected array", s->row_index);
}

static int
end_column (struct state *s)
{
  int64_t id;

  if (!s->col_has_type || COL_OTHER == s->col_type)
    return 1;
  if (!s->col_has_id || !parse_id (s->col_id, &id))
    return fail (s, "row %zu: %s id is not a number", s->row_index,
                 COL_DATE == s->col_type ? "date" : COL_AFF == s->col_type
                 ? "affiliate" : "advertiser");
  switch (s->col_type) {
  case COL_DATE:
    s->cur.epoch = id;
    s->have |= HAVE_DATE;
    break;
  case COL_AFF:
    s->cur.affiliate_id = id;
    free (s->cur.affiliate_label);
    s->cur.affiliate_label = s->col_label;
    s->col_label = NULL;
    s->have |= HAVE_AFF;
    break;
  case COL_ADV:
    s->cur.advertiser_id = id;
    free (s->cur.advertiser_label);
    s->cur.advertiser_label = s->col_label;
    s->col_label = NULL;
    s->have |= HAVE_ADV;
    break;
  case COL_OTHER:
    break;
  }
  return 1;
}

static int
end_row (struct state *s)
{
  struct sr_ef_report *rep = s->rep;
  unsigned int need = s->advertisers_only ? (HAVE_ADV | HAVE_COLUMNS)
                      : (HAVE_ROW_ALL | HAVE_COLUMNS | HAVE_REPORTING);

  if (0 == (s->have & HAVE_COLUMNS) || (!s->advertisers_only
                                        && 0 == (s->have & HAVE_REPORTING)))
    return fail (s, "row %zu has no columns/reporting", s->row_index);
  if ((s->have & need) != need) {
    if (0 == (s->have & (HAVE_DATE | HAVE_AFF | HAVE_ADV))
        || (s->have & (HAVE_DATE | HAVE_AFF | HAVE_ADV))
        != (HAVE_DATE | HAVE_AFF | HAVE_ADV))
      if (!s->advertisers_only)
        return fail (s, "row %zu lacks a date, affiliate or advertiser "
                     "column", s->row_index);
    if (!s->advertisers_only)
      return fail (s, "row %zu: reporting.total_click, cv, revenue, payout "
                   "or profit is missing", s->row_index);
    return fail (s, "advertiser list row %zu has no id", s->row_index);
  }
  if (NULL == s->cur.affiliate_label)
    s->cur.affiliate_label = sr_xstrdup ("");
  if (NULL == s->cur.advertiser_label)
    s->cur.advertiser_label = sr_xstrdup ("");
  if (rep->n_rows == rep->cap) {
    rep->cap = rep->cap ? rep->cap * 2 : 1024;
    rep->rows = sr_xrealloc (rep->rows, rep->cap * sizeof (*rep->rows));
  }
  rep->rows[rep->n_rows++] = s->cur;
  memset (&s->cur, 0, sizeof (s->cur));   /* ownership moved */
  s->have = 0;
  s->row_index++;
  return 1;
}

static int
on_end_map (void *cls)
{
  struct state *s = cls;
  enum ctx c;

  if (s->skip > 0) {
    s->skip--;
    return 1;
  }
  c = top (s);
  s->depth--;
  switch (c) {
  case C_COLUMN:
    return end_column (s);
  case C_ROW:
    return end_row (s);
  default:
    return 1;
  }
}

static int
on_end_array (void *cls)
{
  struct state *s = cls;

  if (s->skip > 0) {
    s->skip--;
    return 1;
  }
  s->depth--;
  return 1;
}

static const yajl_callbacks callbacks = {
  .yajl_null = on_null,
  .yajl_boolean = on_boolean,
  .yajl_number = on_number,
  .yajl_string = on_string,
  .yajl_start_map = on_start_map,
  .yajl_map_key = on_map_key,
  .yajl_end_map = on_end_map,
  .yajl_start_array = on_start_array,
  .yajl_end_array = on_end_array,
};

static enum sr_status
run (struct state *s, const char *json, size_t len, char *err, size_t errlen)
{
  yajl_handle h = yajl_alloc (&callbacks, NULL, s);
  yajl_status ys;
  enum sr_status st = SR_OK;

  if (NULL == h) {
    snprintf (err, errlen, "out of memory");
    return SR_E_INTERNAL;
  }
  ys = yajl_parse (h, (const unsigned char *) json, len);
  if (yajl_status_ok == ys)
    ys = yajl_complete_parse (h);
  if (yajl_status_ok != ys) {
    if ('\0' != s->err[0]) {
      snprintf (err, errlen, "%s", s->err);
    } else {
      unsigned char *msg = yajl_get_error (h, 0, (const unsigned char *) json,
                                           len);
      size_t at = yajl_get_bytes_consumed (h);

      snprintf (err, errlen, "response is not valid JSON (%s near byte %zu)",
                msg ? (const char *) msg : "parse error", at);
      yajl_free_error (h, msg);
    }
    st = SR_E_UPSTREAM;
  } else if (!s->seen_table) {
    snprintf (err, errlen, "response has no \"table\" array");
    st = SR_E_UPSTREAM;
  }
  yajl_free (h);
  row_reset (s);
  column_reset (s);
  return st;
}

enum sr_status
sr_ef_parse (const char *json, size_t len, struct sr_ef_report *rep,
             char *err, size_t errlen)
{
  struct state s = { .rep = rep };

  rep->incomplete = false;
  return run (&s, json, len, err, errlen);
}

enum sr_status
sr_ef_parse_advertisers (const char *json, size_t len, int64_t **ids,
                         size_t *n, bool *incomplete, char *err,
                         size_t errlen)
{
  struct sr_ef_report rep = { 0 };
  struct state s = { .rep = &rep, .advertisers_only = true };
  enum sr_status st = run (&s, json, len, err, errlen);

  *ids = NULL;
  *n = 0;
  *incomplete = rep.incomplete;
  if (SR_OK == st && rep.n_rows > 0) {
    *ids = sr_xmalloc (rep.n_rows * sizeof (**ids));
    for (size_t i = 0; i < rep.n_rows; i++)
      (*ids)[i] = rep.rows[i].advertiser_id;
    *n = rep.n_rows;
  }
  sr_ef_report_clean (&rep);
  return st;
}

void
sr_ef_report_move (struct sr_ef_report *dst, struct sr_ef_report *src)
{
  if (dst->n_rows + src->n_rows > dst->cap) {
    dst->cap = dst->n_rows + src->n_rows + 1024;
    dst->rows = sr_xrealloc (dst->rows, dst->cap * sizeof (*dst->rows));
  }
  /* An empty part (an advertiser without rows) has no array at all:
   * memcpy from NULL is undefined even for 0 bytes. */
  if (src->n_rows > 0)
    memcpy (dst->rows + dst->n_rows, src->rows,
            src->n_rows * sizeof (*src->rows));
  dst->n_rows += src->n_rows;
  free (src->rows);
  memset (src, 0, sizeof (*src));
}

void
sr_ef_report_clean (struct sr_ef_report *rep)
{
  for (size_t i = 0; i < rep->n_rows; i++) {
    free (rep->rows[i].affiliate_label);
    free (rep->rows[i].advertiser_label);
  }
  free (rep->rows);
  memset (rep, 0, sizeof (*rep));
}

/* end of everflow_parse.c */
