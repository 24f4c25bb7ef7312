/*
 * report_args.c -- see report_args.h.
 */
#include "report_args.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const sr_report_param_names[] = {
  "brand", "date", "from", "to", "top", "sort", "order", "limit", "metric",
  "format", NULL
};

/* The report parameter bit of each name above; 0: every report takes it. */
static const unsigned int param_bit[] = {
  SR_REPORT_BRAND, SR_REPORT_DATE, SR_REPORT_RANGE, SR_REPORT_RANGE,
  SR_REPORT_TOP, SR_REPORT_SORT, SR_REPORT_SORT, SR_REPORT_LIMIT,
  SR_REPORT_METRIC, 0,
};
_Static_assert (sizeof (param_bit) / sizeof (param_bit[0]) + 1
                == sizeof (sr_report_param_names)
                   / sizeof (sr_report_param_names[0]),
                "one bit per parameter name");

bool
sr_report_takes (const struct sr_report *rep, const char *name)
{
  for (size_t i = 0; NULL != sr_report_param_names[i]; i++)
    if (0 == strcmp (sr_report_param_names[i], name))
      return 0 == param_bit[i] || 0 != (rep->params & param_bit[i]);
  return false;
}

#define FAIL(p, ...) \
  do { *bad = (p); snprintf (detail, detail_len, __VA_ARGS__); \
       return SR_E_INVALID; } while (0)

bool
sr_report_read_day (const char *s, int32_t today, int32_t *day)
{
  if (0 == strcmp (s, "today"))
    *day = today;
  else if (0 == strcmp (s, "yesterday"))
    *day = today - 1;
  else
    return sr_date_parse (s, day);
  return true;
}

static bool
read_int (const char *s, int64_t min, int64_t max, int64_t *out)
{
  char *end;
  long long v;

  if (!isdigit ((unsigned char) s[0]) || strlen (s) > 9)
    return false;
  errno = 0;
  v = strtoll (s, &end, 10);
  if (0 != errno || '\0' != *end || v < min || v > max)
    return false;
  *out = v;
  return true;
}

static const char *
one_of (const char *s, const char *const *choices)
{
  for (size_t i = 0; NULL != choices[i]; i++)
    if (0 == strcmp (s, choices[i]))
      return choices[i];
  return NULL;
}

static void
join (const char *const *choices, char *out, size_t len)
{
  size_t n = 0;

  out[0] = '\0';
  for (size_t i = 0; NULL != choices[i] && n < len; i++)
    n += (size_t) snprintf (out + n, len - n, "%s%s", i ? ", " : "",
                            choices[i]);
}

static enum sr_status
read_brand (const struct sr_report *rep, const char *v,
            struct sr_report_args *a, const char **bad, char *detail,
            size_t detail_len)
{
  size_t len;

  if (0 == (rep->params & SR_REPORT_BRAND))
    return SR_OK;
  if (NULL == v || '\0' == v[0])
    FAIL ("brand", "brand is required: a brand code (CCW, EXP, ...) or an "
          "Everflow advertiser id");
  len = strlen (v);
  if (len >= sizeof (a->brand.code)
      || len != strspn (v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                        "0123456789_"))
    FAIL ("brand", "unknown brand");
  snprintf (a->brand.code, sizeof (a->brand.code), "%s", v);
  return SR_OK;
}

enum sr_status
sr_report_args_read_days (const struct sr_report *rep, sr_report_lookup get,
                          void *cls, int32_t today, struct sr_report_args *a,
                          const char **bad, char *detail, size_t detail_len)
{
  int32_t from = today - 1, to = today - 1;
  const char *v;

  if (0 != (rep->params & SR_REPORT_DATE)) {
    if (NULL != (v = get (cls, "date"))
        && !sr_report_read_day (v, today, &to))
      FAIL ("date", "date must be YYYY-MM-DD (a real day), today or "
            "yesterday");
    from = to;
  } else if (0 != (rep->params & SR_REPORT_RANGE)) {
    if (NULL != (v = get (cls, "to"))
        && !sr_report_read_day (v, today, &to))
      FAIL ("to", "to must be YYYY-MM-DD (a real day), today or yesterday");
    from = to - 29;
    if (NULL != (v = get (cls, "from"))
        && !sr_report_read_day (v, today, &from))
      FAIL ("from", "from must be YYYY-MM-DD (a real day), today or "
            "yesterday");
    if (from > to)
      FAIL ("from", "from is after to");
    if (to - from + 1 > SR_REPORT_MAX_DAYS)
      FAIL ("from", "the range is %ld days; at most %d are allowed",
            (long) (to - from + 1), SR_REPORT_MAX_DAYS);
  }
  sr_date_format (from, a->from);
  sr_date_format (to, a->to);
  return SR_OK;
}

static enum sr_status
read_choices (const struct sr_report *rep, sr_report_lookup get, void *cls,
              struct sr_report_args *a, const char **bad, char *detail,
              size_t detail_len)
{
  static const char *const orders[] = { "asc", "desc", NULL };
  char list[200];
  const char *v;

  if (0 != (rep->params & SR_REPORT_SORT)) {
    a->sort = rep->sorts[0];
    if (NULL != (v = get (cls, "sort")) && NULL == (a->sort = one_of (v, rep->sorts))) {
      join (rep->sorts, list, sizeof (list));
      FAIL ("sort", "sort must be one of: %s", list);
    }
    /* A low CPA is the good end; every other figure ranks high first. */
    a->order = 0 == strcmp (a->sort, "cpa") ? "asc" : "desc";
    if (NULL != (v = get (cls, "order")) && NULL == (a->order = one_of (v, orders)))
      FAIL ("order", "order must be asc or desc");
  }
  if (0 != (rep->params & SR_REPORT_METRIC)) {
    a->metric = rep->metrics[0];
    if (NULL != (v = get (cls, "metric"))
        && NULL == (a->metric = one_of (v, rep->metrics))) {
      join (rep->metrics, list, sizeof (list));
      FAIL ("metric", "metric must be one of: %s", list);
    }
  }
  return SR_OK;
}

enum sr_status
sr_report_args_read (const struct sr_report *rep, sr_report_lookup get,
                     void *cls, int32_t today, struct sr_report_args *a,
                     const char **bad, char *detail, size_t detail_len)
{
  const char *v;
  enum sr_status st;

  for (size_t i = 0; NULL != sr_report_param_names[i]; i++)
    if (!sr_report_takes (rep, sr_report_param_names[i])
        && NULL != get (cls, sr_report_param_names[i]))
      FAIL (sr_report_param_names[i], "report %s takes no %s parameter",
            rep->name, sr_report_param_names[i]);
  st = read_brand (rep, get (cls, "brand"), a, bad, detail, detail_len);
  if (SR_OK == st)
    st = sr_report_args_read_days (rep, get, cls, today, a, bad, detail,
                                   detail_len);
  if (SR_OK == st)
    st = read_choices (rep, get, cls, a, bad, detail, detail_len);
  if (SR_OK != st)
    return st;
  a->top = 10;
  if (0 != (rep->params & SR_REPORT_TOP) && NULL != (v = get (cls, "top"))
      && !read_int (v, 1, 50, &a->top))
    FAIL ("top", "top must be a whole number from 1 to 50");
  a->limit = 50;
  if (0 != (rep->params & SR_REPORT_LIMIT)
      && NULL != (v = get (cls, "limit")) && !read_int (v, 1, 500, &a->limit))
    FAIL ("limit", "limit must be a whole number from 1 to 500");
  return SR_OK;
}

/* end of report_args.c */
