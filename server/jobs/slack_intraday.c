/*
 * slack_intraday.c -- see slack_intraday.h.
 */
#include "slack_intraday.h"
#include "clock.h"
#include "dates.h"
#include "report_daily.h"
#include "slack_format.h"
#include "store_slack.h"
#include "store_snapshots.h"
#include "tx.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* A day's summary of one brand is far below this. */
#define MAX_SUMMARY_BYTES (4u * 1024 * 1024)

struct intraday_tx {
  const struct sr_config *cfg;
  char day[SR_DATE_LEN];
  int hour;
};

/* One brand's message of today so far. */
static enum sr_status
post_brand (struct intraday_tx *t, PGconn *conn, const char *brand,
            char *err, size_t errlen)
{
  struct sr_buf data;
  json_t *doc = NULL, *msg = NULL;
  char key[96], as_of[8], sms[256];
  enum sr_status st;

  sr_buf_init (&data, MAX_SUMMARY_BYTES);
  st = sr_report_daily_summary (conn, t->cfg->client_id, t->cfg->timezone,
                                brand, t->day, &data, err, errlen);
  if (SR_OK == st && NULL == (doc = json_loads (sr_buf_str (&data), 0,
                                                NULL)))
    st = SR_E_INTERNAL;
  sr_buf_clean (&data);
  snprintf (as_of, sizeof (as_of), "%02d:00", t->hour);
  if (SR_OK == st)
    st = sr_slack_daily_message (doc, as_of, &msg, sms, sizeof (sms));
  json_decref (doc);
  snprintf (key, sizeof (key), "intraday:%.20s:%s:%02d", brand, t->day,
            t->hour);
  if (SR_OK == st)
    st = sr_store_notify_enqueue (conn, key, "slack", NULL,
                                  "intraday_summary", msg, false, NULL, err,
                                  errlen);
  else if ('\0' == err[0])
    snprintf (err, errlen, "intraday summary of %.20s not made", brand);
  json_decref (msg);
  return st;
}

/* Every brand, in one transaction: all of the hour's posts or none. */
static enum sr_status
intraday_work (void *cls, PGconn *conn, char *err, size_t errlen)
{
  struct intraday_tx *t = cls;
  json_t *brands = NULL, *b;
  size_t i;
  enum sr_status st = sr_store_brand_codes (conn, &brands, err, errlen);

  json_array_foreach (brands, i, b) {
    if (SR_OK != st)
      break;
    st = post_brand (t, conn, json_string_value (b), err, errlen);
  }
  json_decref (brands);
  return st;
}

enum sr_status
sr_slack_intraday_tick (PGconn *conn, const struct sr_config *cfg,
                        struct sr_slack_intraday *state, char *err,
                        size_t errlen)
{
  time_t now = sr_wall_now ();
  struct tm tm;
  struct intraday_tx t = { .cfg = cfg };
  int32_t today;
  enum sr_status st;

  /* The process runs in SIGNALROOM_TIMEZONE (main.c sets TZ). */
  if (NULL == localtime_r (&now, &tm) || tm.tm_hour < SR_INTRADAY_FIRST_HOUR
      || tm.tm_hour > SR_INTRADAY_LAST_HOUR)
    return SR_OK;
  today = sr_date_of_instant (now);
  if (state->day == today && state->hour == tm.tm_hour)
    return SR_OK;
  sr_date_format (today, t.day);
  t.hour = tm.tm_hour;
  err[0] = '\0';
  st = sr_tx_run (conn, "slack_intraday", SR_TX_ATTEMPTS, intraday_work, &t,
                  err, errlen);
  if (SR_OK == st) {
    state->day = today;
    state->hour = tm.tm_hour;
  }
  return st;
}

/* end of slack_intraday.c */
