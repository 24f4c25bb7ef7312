/*
 * log_level_put.c -- PUT /v1/log-level {"level": "debug"}: change this
 * instance's log level without a restart (it reverts to LOG_LEVEL on the
 * next start).
 */
#include "handlers.h"
#include "log.h"
#include "reply.h"

enum sr_status
sr_handle_log_level_put (struct sr_request *req)
{
  char why[256];
  json_t *body;
  json_t *level;
  enum sr_log_level lvl;
  enum sr_log_level previous = sr_log_get_level ();
  enum sr_status st = sr_request_body_json (req, &body, why, sizeof (why));

  if (SR_OK != st)
    return sr_reply_fail (req, st, "%s", why);
  level = json_object_get (body, "level");
  if (!json_is_object (body) || 1 != json_object_size (body)
      || !json_is_string (level)) {
    json_decref (body);
    return sr_reply_fail (req, SR_E_BAD_JSON,
                          "expected {\"level\": \"debug\"|\"info\"|\"warn\"|"
                          "\"error\"} and nothing else");
  }
  if (!sr_log_level_parse (json_string_value (level), &lvl)) {
    json_decref (body);
    return sr_reply_fail_extra_steal (
      req, SR_E_INVALID, json_pack ("{s:s}", "field", "level"),
      "level must be debug, info, warn or error");
  }
  json_decref (body);
  sr_log_set_level (lvl);
  sr_log (SR_LOG_WARN, "log level changed", "{s:s, s:s, s:s}", "from",
          sr_log_level_name (previous), "to", sr_log_level_name (lvl), "by",
          req->principal.sub);
  return sr_reply_json_steal (
    req, 200, json_pack ("{s:s, s:s}", "level", sr_log_level_name (lvl),
                         "previous", sr_log_level_name (previous)));
}

/* end of log_level_put.c */
