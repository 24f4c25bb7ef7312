/*
 * store_settings.c -- see store_settings.h.
 */
#include "store_settings.h"
#include "db.h"
#include "tx.h"
#include "sql_embedded.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct labels_set {
  const char *params[2];
};

/* The labels, and every day's costs again when they changed. */
static enum sr_status
labels_set (void *cls, PGconn *conn, char *err, size_t errlen)
{
  struct labels_set *l = cls;
  const char *all[3] = { l->params[0], NULL, NULL };
  unsigned int changed = 0;
  enum sr_status st = sr_db_uint (conn, "internal_affiliates_set",
                                  sr_sql_internal_affiliates_set, 2,
                                  l->params, &changed, err, errlen);

  if (SR_OK == st && changed > 0)
    st = sr_db_run (conn, "report_refresh_performance",
                    sr_sql_report_refresh_performance, 3, all, err, errlen);
  return st;
}

/* A comma-separated list (validated by config.c; NULL: empty) as the text
 * of a JSON array of its items; the caller frees.  NULL when out of
 * memory. */
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
sr_store_internal_affiliates (PGconn *conn, const struct sr_config *cfg,
                              char *err, size_t errlen)
{
  struct labels_set l;
  char *text = list_json (cfg->internal_affiliates);
  enum sr_status st;

  l.params[0] = cfg->client_id;
  l.params[1] = text;
  st = sr_tx_run (conn, "internal_affiliates_set", SR_TX_ATTEMPTS, labels_set,
                  &l, err, errlen);
  free (text);
  return st;
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

/* end of store_settings.c */
