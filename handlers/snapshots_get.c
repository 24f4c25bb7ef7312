/*
 * snapshots_get.c -- GET /v1/reports/snapshots: what the daily report
 * said when it ran (reports.snapshots), newest first.
 *
 * report (default daily-summary), brand (code or advertiser id; all when
 * absent), date or from/to (default: yesterday; checked as the reports
 * check them), latest=true (only the newest per report, brand and day),
 * limit (1..500, default 50).  The rows' data are the report's "data" as
 * it was then.
 */
#include "clock.h"
#include "db.h"
#include "handlers.h"
#include "params.h"
#include "reply.h"
#include "report_args.h"
#include "report_daily.h"
#include "store_reports.h"
#include "store_snapshots.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *
query_lookup (void *cls, const char *name)
{
  return sr_request_query (cls, name);
}

/* The days asked for, read the way a report with a date (or a range)
 * reads them: the same defaults, limits and messages. */
static bool
read_days (struct sr_request *req, struct sr_snapshot_query *q)
{
  struct sr_report range = { .name = "snapshots" };
  struct sr_report_args a = { 0 };
  const char *bad = NULL;
  char detail[256];

  range.params = NULL != sr_request_query (req, "date") ? SR_REPORT_DATE
                 : SR_REPORT_RANGE;
  if (SR_REPORT_DATE == range.params
      && (NULL != sr_request_query (req, "from")
          || NULL != sr_request_query (req, "to"))) {
    (void) sr_reply_param_fail (req, SR_E_BAD_PARAM, "date", "give date, "
                                "or from and to, not both");
    return false;
  }
  if (SR_REPORT_RANGE == range.params && NULL == sr_request_query (req, "from")
      && NULL == sr_request_query (req, "to"))
    range.params = SR_REPORT_DATE;   /* neither: yesterday, like a date */
  if (SR_OK != sr_report_args_read_days (&range, query_lookup, req,
                                         sr_date_today (), &a, &bad, detail,
                                         sizeof (detail))) {
    (void) sr_reply_param_fail (req, SR_E_BAD_PARAM, bad, "%s", detail);
    return false;
  }
  memcpy (q->from, a.from, sizeof (q->from));
  memcpy (q->to, a.to, sizeof (q->to));
  return true;
}

enum sr_status
sr_handle_snapshots_get (struct sr_request *req)
{
  static const char *const bools[] = { "true", "false", NULL };
  struct sr_snapshot_query q = { .report = SR_REPORT_DAILY_NAME };
  const char *latest = NULL, *report = sr_request_query (req, "report");
  char err[512], *body = NULL;
  int64_t limit;
  bool found = false;
  PGconn *conn;
  enum sr_status st;

  if (NULL != report && NULL == sr_report_find (report))
    return sr_reply_param_fail (req, SR_E_BAD_PARAM, "report", "no such "
                                "report (GET /v1/reports lists them)");
  if (NULL != report)
    q.report = report;
  q.brand = sr_request_query (req, "brand");
  if (!read_days (req, &q)
      || !sr_query_enum_or_reply (req, "latest", bools, &latest)
      || !sr_query_int_or_reply (req, "limit", 1, 500, 50, &limit))
    return SR_OK;
  q.latest = NULL != latest && 0 == strcmp (latest, "true");
  q.limit = (long) limit;
  st = sr_db_thread_conn (&conn, err, sizeof (err));
  if (SR_OK == st)
    st = sr_store_snapshots_list (conn, &q, &found, &body, err, sizeof (err));
  if (SR_OK != st)
    return sr_reply_fail (req, st, "%s", err);
  if (!found) {
    free (body);
    return sr_reply_param_fail (req, SR_E_BAD_PARAM, "brand", "unknown "
                                "brand (signalroom.brands lists them)");
  }
  return sr_reply_bytes_steal (req, 200, "application/json", body,
                               strlen (body));
}

/* end of snapshots_get.c */
