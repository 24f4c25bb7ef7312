/*
 * daily_report.c -- the daily_report source: each brand's daily summary
 * of each day of the window, kept as a snapshot (reports.snapshots).
 *
 * It loads nothing from upstream: it reads what Everflow and Redtrack
 * loaded, through the report layer (the API's own parameters and
 * renderer), so a snapshot's data is what GET /v1/reports/daily-summary
 * answered at that moment.  Every snapshot of the window and the job's
 * finish (the commit hook) commit together: a snapshot exists exactly
 * when its job succeeded.  A retried job of the same run finds its
 * snapshots kept and adds none (the unique key holds the run).
 *
 * The same transaction queues each brand's summary for Slack and its
 * one-line text for REPORT_SMS_TO (the outbox, 0017), keyed by brand and
 * day, so a re-run of the day posts nothing again.  Only yesterday and
 * today are posted: a backfill of old days keeps its snapshots quietly
 * rather than flood the channel with last month.
 */
#include "dates.h"
#include "report_daily.h"
#include "slack_format.h"
#include "source.h"
#include "store_slack.h"
#include "store_snapshots.h"
#include "tx.h"

#include <stdio.h>
#include <string.h>

/* A day's summary of every brand is far below this. */
#define MAX_SUMMARY_BYTES (4u * 1024 * 1024)

struct snapshot_tx {
  struct sr_sync_ctx *ctx;
  const char *from, *to;
  struct sr_write_counts counts;
};

/* Queue the Slack message and the text of one brand's day (yesterday or
 * today only; see the top). */
static enum sr_status
post_one (PGconn *conn, const char *brand, const char *day,
          const char *data, char *err, size_t errlen)
{
  json_t *doc, *msg = NULL, *sms_payload;
  char key[96], sms[256];
  int32_t d;
  enum sr_status st;

  if (!sr_date_parse (day, &d) || d < sr_date_today () - 1)
    return SR_OK;
  if (NULL == (doc = json_loads (data, 0, NULL))) {
    snprintf (err, errlen, "daily summary of %.20s %s is not JSON", brand,
              day);
    return SR_E_INTERNAL;
  }
  st = sr_slack_daily_message (doc, NULL, &msg, sms, sizeof (sms));
  json_decref (doc);
  if (SR_OK != st) {
    snprintf (err, errlen, "daily summary of %.20s %s: no message", brand,
              day);
    return st;
  }
  snprintf (key, sizeof (key), "daily_summary:%.20s:%s", brand, day);
  st = sr_store_notify_enqueue (conn, key, "slack", NULL, "daily_summary",
                                msg, false, NULL, err, errlen);
  json_decref (msg);
  if (SR_OK != st)
    return st;
  sms_payload = json_pack ("{s:s}", "body", sms);
  snprintf (key, sizeof (key), "daily_summary_sms:%.20s:%s", brand, day);
  st = NULL == sms_payload ? SR_E_INTERNAL
       : sr_store_notify_enqueue (conn, key, "sms", "@report",
                                  "daily_summary", sms_payload, false, NULL,
                                  err, errlen);
  json_decref (sms_payload);
  return st;
}

/* One brand's summary of one day, kept (and posted). */
static enum sr_status
keep_one (struct snapshot_tx *t, PGconn *conn, const char *brand,
          const char *day, char *err, size_t errlen)
{
  const struct sr_config *cfg = t->ctx->cfg;
  struct sr_buf data;
  bool added = false;
  enum sr_status st;

  sr_buf_init (&data, MAX_SUMMARY_BYTES);
  st = sr_report_daily_summary (conn, cfg->client_id, cfg->timezone, brand,
                                day, &data, err, errlen);
  if (SR_OK == st)
    st = sr_store_snapshot_add (conn, SR_REPORT_DAILY_NAME, brand, day,
                                t->ctx->run_id, sr_buf_str (&data), &added,
                                err, errlen);
  if (SR_OK == st)
    st = post_one (conn, brand, day, sr_buf_str (&data), err, errlen);
  sr_buf_clean (&data);
  if (added)
    t->counts.inserted++;
  return st;
}

/* Inside the transaction: every day, every brand, then the job's finish. */
static enum sr_status
snapshot_work (void *cls, PGconn *conn, char *err, size_t errlen)
{
  struct snapshot_tx *t = cls;
  json_t *brands = NULL, *b;
  int32_t first, last;
  size_t i;
  enum sr_status st;

  memset (&t->counts, 0, sizeof (t->counts));
  if (!sr_date_parse (t->from, &first) || !sr_date_parse (t->to, &last)) {
    snprintf (err, errlen, "the window is not two days");
    return SR_E_INVALID;
  }
  st = sr_store_brand_codes (conn, &brands, err, errlen);
  for (int32_t d = first; SR_OK == st && d <= last; d++) {
    char day[SR_DATE_LEN];

    sr_date_format (d, day);
    json_array_foreach (brands, i, b) {
      st = keep_one (t, conn, json_string_value (b), day, err, errlen);
      if (SR_OK != st)
        break;
    }
  }
  json_decref (brands);
  if (SR_OK == st)
    st = sr_commit_hook_run (t->ctx->commit_hook, conn, &t->counts, err,
                             errlen);
  return st;
}

static enum sr_status
daily_report_sync (struct sr_sync_ctx *ctx, const char *from, const char *to,
                   struct sr_sync_result *res)
{
  struct snapshot_tx t = { .ctx = ctx, .from = from, .to = to };
  char err[900];
  enum sr_status st;

  /* Everything is read again on a retry: the database may ask. */
  st = sr_tx_run (ctx->conn, "daily_report", SR_TX_ATTEMPTS, snapshot_work,
                  &t, err, sizeof (err));
  if (SR_OK != st)
    return sr_sync_fail (res, st, "%s", err);
  res->table = "reports.snapshots";
  res->inserted = t.counts.inserted;
  return SR_OK;
}

const struct sr_source sr_source_daily_report = {
  .name = "daily_report",
  .sync = daily_report_sync,
};

/* end of daily_report.c */
