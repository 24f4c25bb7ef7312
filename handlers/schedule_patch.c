/*
 * schedule_patch.c -- PATCH /v1/schedules/{name}: pause, resume or edit a
 * schedule.  {"enabled": false} pauses; resuming does not replay the ticks
 * missed while paused.  A cron expression is checked before it is stored.
 */
#include "cron.h"
#include "db.h"
#include "handlers.h"
#include "reply.h"
#include "store_jobs.h"

#include <stdio.h>
#include <string.h>

/* An integer member in [0, max] as text, or NULL when absent. */
static bool
int_field (struct sr_request *req, json_t *body, const char *name, long max,
           char *buf, size_t len, const char **out)
{
  json_t *v = json_object_get (body, name);

  *out = NULL;
  if (NULL == v)
    return true;
  if (!json_is_integer (v) || json_integer_value (v) < 0
      || json_integer_value (v) > max) {
    (void) sr_reply_fail_extra_steal (req, SR_E_INVALID,
                                      json_pack ("{s:s}", "field", name),
                                      "%s must be an integer from 0 to %ld",
                                      name, max);
    return false;
  }
  snprintf (buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value (v));
  *out = buf;
  return true;
}

enum sr_status
sr_handle_schedule_patch (struct sr_request *req)
{
  const char *name = sr_request_path_param (req, 0);
  char why[256], err[512], wd[24], wm[24], cu[24];
  const char *cron = NULL, *enabled = NULL, *window_days, *wait, *catch_up;
  const char *after = NULL, *key;
  json_t *body, *v, *list = NULL;
  PGconn *conn;
  bool found = false;
  enum sr_status st = sr_request_body_json (req, &body, why, sizeof (why));

  if (SR_OK != st)
    return sr_reply_fail (req, st, "%s", why);
  if (!json_is_object (body)) {
    json_decref (body);
    return sr_reply_fail (req, SR_E_BAD_JSON, "the body must be an object");
  }
  json_object_foreach (body, key, v) {
    static const char *const known[] = { "cron", "enabled", "window_days",
                                         "wait_minutes", "catch_up_minutes",
                                         "after", NULL };
    bool ok = false;

    for (const char *const *k = known; NULL != *k; k++)
      ok = ok || 0 == strcmp (*k, key);
    if (!ok) {
      st = sr_reply_fail_extra_steal (req, SR_E_INVALID,
                                      json_pack ("{s:s}", "field", key),
                                      "unknown field \"%s\"", key);
      json_decref (body);
      return st;
    }
  }
  v = json_object_get (body, "cron");
  if (NULL != v) {
    struct sr_cron *c;

    cron = json_string_value (v);
    if (NULL == cron || SR_OK != sr_cron_parse (cron, &c, why, sizeof (why))) {
      st = sr_reply_fail_extra_steal (req, SR_E_INVALID,
                                      json_pack ("{s:s}", "field", "cron"),
                                      "cron: %s", NULL == cron
                                      ? "must be a string" : why);
      json_decref (body);
      return st;
    }
    sr_cron_free (c);
  }
  v = json_object_get (body, "enabled");
  if (NULL != v && !json_is_boolean (v)) {
    json_decref (body);
    return sr_reply_fail (req, SR_E_INVALID, "enabled must be true or "
                          "false");
  }
  if (NULL != v)
    enabled = json_is_true (v) ? "true" : "false";
  v = json_object_get (body, "after");
  if (NULL != v) {
    after = json_is_null (v) ? "" : json_string_value (v);
    if (NULL == after) {
      json_decref (body);
      return sr_reply_fail (req, SR_E_INVALID, "after must be a schedule "
                            "name or null");
    }
  }
  if (!int_field (req, body, "window_days", 366, wd, sizeof (wd),
                  &window_days)
      || !int_field (req, body, "wait_minutes", 1440, wm, sizeof (wm), &wait)
      || !int_field (req, body, "catch_up_minutes", 10080, cu, sizeof (cu),
                     &catch_up)) {
    json_decref (body);
    return SR_OK;
  }
  st = sr_db_thread_conn (&conn, err, sizeof (err));
  if (SR_OK == st)
    st = sr_store_schedule_update (conn, name, cron, enabled, window_days,
                                   wait, catch_up, after, &found, err,
                                   sizeof (err));
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
