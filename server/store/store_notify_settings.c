/*
 * store_notify_settings.c -- see store_notify_settings.h.
 */
#include "store_notify_settings.h"
#include "db.h"
#include "sql_embedded.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A comma-separated list (already validated by config.c) as a JSON
 * array text; the caller frees. */
static char *
list_json (const char *list)
{
  json_t *arr = json_array ();
  char *text;

  for (const char *p = list; NULL != p && '\0' != *p;) {
    size_t n = strcspn (p, ",");

    json_array_append_new (arr, json_stringn (p, n));
    p += n;
    if (',' == *p)
      p++;
  }
  text = json_dumps (arr, JSON_COMPACT);
  json_decref (arr);
  return text;
}

enum sr_status
sr_store_notify_settings (PGconn *conn, const struct sr_config *cfg,
                          char *err, size_t errlen)
{
  char hours[32], after[24], from[8], to[8];
  char *alert = list_json (cfg->alert_sms_to);
  char *report = list_json (cfg->report_sms_to);
  bool quiet = cfg->alert_quiet_from >= 0;
  const char *params[8];
  enum sr_status st = SR_E_INTERNAL;

  snprintf (hours, sizeof (hours), "%.17g", cfg->alert_remind_hours);
  snprintf (after, sizeof (after), "%lu", cfg->alert_sms_after_failures);
  snprintf (from, sizeof (from), "%d", cfg->alert_quiet_from);
  snprintf (to, sizeof (to), "%d", cfg->alert_quiet_to);
  params[0] = cfg->slack_channel_id;
  params[1] = alert;
  params[2] = report;
  params[3] = hours;
  params[4] = after;
  params[5] = quiet ? from : NULL;
  params[6] = quiet ? to : NULL;
  params[7] = cfg->timezone;
  if (NULL != alert && NULL != report)
    st = sr_db_run (conn, "notify_settings_set", sr_sql_notify_settings_set,
                    8, params, err, errlen);
  else
    snprintf (err, errlen, "out of memory writing the notify settings");
  free (alert);
  free (report);
  return st;
}

/* end of store_notify_settings.c */
