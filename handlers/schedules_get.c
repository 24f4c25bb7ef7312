/*
 * schedules_get.c -- GET /v1/schedules: every schedule, when it fires
 * next (evaluated in SIGNALROOM_TIMEZONE) and its latest ticks.
 */
#include "cron.h"
#include "db.h"
#include "handlers.h"
#include "reply.h"
#include "store_schedules.h"


void
sr_schedule_add_next (json_t *s)
{
  char when[32];

  json_object_set_new (s, "next_at",
                       json_is_true (json_object_get (s, "enabled"))
                       && sr_cron_next_iso (json_string_value (
                                              json_object_get (s, "cron")),
                                            when)
                       ? json_string (when) : json_null ());
}

enum sr_status
sr_handle_schedules_get (struct sr_request *req)
{
  char err[512];
  PGconn *conn;
  json_t *list = NULL;
  enum sr_status st = sr_db_thread_conn (&conn, err, sizeof (err));
  size_t i;
  json_t *s;

  if (SR_OK == st)
    st = sr_store_schedules (conn, &list, err, sizeof (err));
  if (SR_OK != st)
    return sr_reply_fail (req, st, "%s", err);
  json_array_foreach (list, i, s)
    sr_schedule_add_next (s);
  return sr_reply_json_steal (req, 200, json_pack ("{s:o}", "schedules",
                                                   list));
}

/* end of schedules_get.c */
