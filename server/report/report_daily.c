/*
 * report_daily.c -- see report_daily.h.
 */
#include "report_daily.h"
#include "report_args.h"
#include "report_render.h"
#include "store_reports.h"

#include <stdio.h>
#include <string.h>

/* The two parameters a snapshot sets; every other takes its default. */
struct daily_params {
  const char *brand, *date;
};

static const char *
daily_lookup (void *cls, const char *name)
{
  const struct daily_params *p = cls;

  if (0 == strcmp (name, "brand"))
    return p->brand;
  if (0 == strcmp (name, "date"))
    return p->date;
  return NULL;
}

enum sr_status
sr_report_daily_summary (PGconn *conn, const char *client,
                         const char *timezone, const char *code,
                         const char *date, struct sr_buf *out, char *err,
                         size_t errlen)
{
  const struct sr_report *rep = sr_report_find (SR_REPORT_DAILY_NAME);
  struct daily_params p = { .brand = code, .date = date };
  struct sr_report_args a = { .client = client, .timezone = timezone };
  struct sr_report_context ctx = { 0 };
  struct sr_report_result res = { 0 };
  const char *bad = NULL;
  char detail[256];
  int32_t day;
  enum sr_status st;

  if (NULL == rep || !sr_date_parse (date, &day)) {
    snprintf (err, errlen, "daily summary: no report or a bad date %.20s",
              date);
    return SR_E_INTERNAL;
  }
  st = sr_report_args_read (rep, daily_lookup, &p, day, &a, &bad, detail,
                            sizeof (detail));
  if (SR_OK != st) {
    snprintf (err, errlen, "daily summary of %.20s: %s: %s", code, bad,
              detail);
    return st;
  }
  st = sr_store_report_fetch (conn, rep, &a, &ctx, &res, err, errlen);
  if (SR_OK == st && !ctx.brand_found) {
    snprintf (err, errlen, "daily summary: unknown brand %.20s", code);
    st = SR_E_INVALID;
  }
  if (SR_OK == st && SR_OK != (st = sr_report_render_data (rep, &a, &res,
                                                           &ctx, out)))
    snprintf (err, errlen, "daily summary of %.20s %.20s could not be "
              "rendered", code, date);
  sr_report_result_clean (&res);
  sr_report_context_clean (&ctx);
  return st;
}

/* end of report_daily.c */
