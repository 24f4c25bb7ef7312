/*
 * schedule_patch.c -- PATCH /v1/schedules/{name}: pause, resume or edit a
 * schedule.  {"enabled": false} pauses; resuming does not replay the ticks
 * missed while paused.  A cron expression is checked before it is stored.
 * "after" is the whole set of schedules it waits for (an array; a lone
 * name, as before arrays, or null are accepted), replaced atomically with
 * the other fields.
 */
#include "cron.h"
#include "db.h"
#include "handlers.h"
#include "json_spec.h"
#include "reply.h"
#include "store_schedules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* @a v as text in @a buf when @a given, else NULL (the store leaves the
 * column alone). */
static const char *
int_text (bool given, int64_t v, char *buf, size_t len)
{
  if (!given)
    return NULL;
  snprintf (buf, len, "%lld", (long long) v);
  return buf;
}

enum sr_status
sr_handle_schedule_patch (struct sr_request *req)
{
  const char *name = sr_request_path_param (req, 0);
  char why[256], err[512], wd[24], wm[24], cu[24];
  const char *cron = NULL, *enabled = NULL;
  json_t *after = NULL;
  char *after_json = NULL;
  const char *window_days, *wait, *catch_up;
  bool on = false, on_given, wd_given, wm_given, cu_given;
  int64_t wd_v = 0, wm_v = 0, cu_v = 0;
  const struct sr_json_spec spec[] = {
    SR_JSON_FIELD ("cron", SR_JSON_STRING, false, &cron, NULL),
    SR_JSON_FIELD ("enabled", SR_JSON_BOOL, false, &on, &on_given),
    SR_JSON_INT_FIELD ("window_days", false, &wd_v, &wd_given, 0, 366),
    SR_JSON_INT_FIELD ("wait_minutes", false, &wm_v, &wm_given, 0, 1440),
    SR_JSON_INT_FIELD ("catch_up_minutes", false, &cu_v, &cu_given, 0,
                       10080),
    SR_JSON_FIELD ("after", SR_JSON_NAMES, false, &after, NULL),
    SR_JSON_END
  };
  json_t *body, *list = NULL;
  PGconn *conn;
  bool found = false;
  enum sr_status st;

  if (!sr_json_spec_parse_or_reply (req, spec, &body))
    return SR_OK;
  if (NULL != cron) {
    struct sr_cron *c;

    if (SR_OK != sr_cron_parse (cron, &c, why, sizeof (why))) {
      st = sr_reply_fail_extra_steal (req, SR_E_INVALID,
                                      json_pack ("{s:s}", "field", "cron"),
                                      "cron: %s", why);
      json_decref (body);
      return st;
    }
    sr_cron_free (c);
  }
  if (on_given)
    enabled = on ? "true" : "false";
  window_days = int_text (wd_given, wd_v, wd, sizeof (wd));
  wait = int_text (wm_given, wm_v, wm, sizeof (wm));
  catch_up = int_text (cu_given, cu_v, cu, sizeof (cu));
  st = sr_db_thread_conn (&conn, err, sizeof (err));
  if (SR_OK == st && NULL != after
      && NULL == (after_json = json_dumps (after, JSON_COMPACT)))
    st = SR_E_INTERNAL;     /* out of memory */
  if (SR_OK == st)
    st = sr_store_schedule_update (conn, name, cron, enabled, window_days,
                                   wait, catch_up, after_json, &found, err,
                                   sizeof (err));
  free (after_json);
  json_decref (body);
  if (SR_OK != st)
    return sr_reply_fail (req, st, "%s", err);
  if (!found)
    return sr_reply_fail (req, SR_E_NOT_FOUND, "no schedule %.80s", name);
  st = sr_store_schedules (conn, &list, err, sizeof (err));
  if (SR_OK != st)
    return sr_reply_fail (req, st, "%s", err);
  {
    size_t i;
    json_t *s;

    json_array_foreach (list, i, s)
      if (0 == strcmp (name, json_string_value (json_object_get (s, "name"))))
      {
        json_incref (s);
        json_decref (list);
        sr_schedule_add_next (s);
        return sr_reply_json_steal (req, 200, s);
      }
  }
  json_decref (list);
  return sr_reply_fail (req, SR_E_NOT_FOUND, "no schedule %.80s", name);
}

/* end of schedule_patch.c */
