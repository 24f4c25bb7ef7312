/*
 * notifications_get.c -- GET /v1/notifications: the outbox with each
 * message's delivery state, attempts, last error and sent time; newest
 * first, in pages; filters status, channel, kind.
 */
#include "db.h"
#include "handlers.h"
#include "params.h"
#include "reply.h"
#include "store_outbox.h"

#include <string.h>

#define KIND_MAX 64

enum sr_status
sr_handle_notifications_get (struct sr_request *req)
{
  static const char *const statuses[] = { "queued", "sending", "sent",
                                          "dead", NULL };
  static const char *const channels[] = { "slack", "sms", "response_url",
                                          NULL };
  const char *status, *channel, *kind = sr_request_query (req, "kind");
  int64_t limit, cursor;
  char err[512];
  PGconn *conn;
  json_t *items;
  enum sr_status st;

  if (!sr_query_enum_or_reply (req, "status", statuses, &status)
      || !sr_query_enum_or_reply (req, "channel", channels, &channel)
      || !sr_query_int_or_reply (req, "limit", 1, 500, 50, &limit)
      || !sr_query_int_or_reply (req, "cursor", 1, INT64_MAX, 0, &cursor))
    return SR_OK;
  if (NULL != kind && ('\0' == kind[0] || strlen (kind) > KIND_MAX))
    return sr_reply_fail (req, SR_E_BAD_PARAM, "kind: 1 to %d characters",
                          KIND_MAX);
  st = sr_db_thread_conn (&conn, err, sizeof (err));
  if (SR_OK == st)
    st = sr_store_notifications (conn, cursor, (unsigned int) limit, status,
                                 channel, kind, &items, err, sizeof (err));
  if (SR_OK != st)
    return sr_reply_fail (req, st, "%s", err);
  return sr_reply_page_steal (req, "notifications", items, limit);
}

/* end of notifications_get.c */
