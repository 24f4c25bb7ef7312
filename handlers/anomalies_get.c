/*
 * anomalies_get.c -- GET /v1/anomalies: anomalies, newest first, filtered
 * by status, kind, source, brand and day range, in pages (?limit=,
 * ?cursor= from next_cursor).
 */
#include "db.h"
#include "handlers.h"
#include "params.h"
#include "reply.h"
#include "store_anomalies.h"

#include <string.h>

/* A free-text filter: bound as a parameter, only its length is ours. */
static bool
text_or_reply (struct sr_request *req, const char *name, const char **out)
{
  *out = sr_request_query (req, name);
  if (NULL != *out && (strlen (*out) > 64 || '\0' == (*out)[0])) {
    sr_reply_fail (req, SR_E_INVALID, "%s must be 1 to 64 characters", name);
    return false;
  }
  return true;
}

enum sr_status
sr_handle_anomalies_get (struct sr_request *req)
{
  static const char *const statuses[] = { "open", "acknowledged", NULL };
  static const char *const kinds[] = { "no_rows", "metric_band",
                                       "unmapped_spend", "header_change",
                                       "quarantine_burst",
                                       "missing_at_deadline", NULL };
  struct sr_anomaly_filter f = { 0 };
  int64_t limit, cursor;
  char err[512];
  PGconn *conn;
  json_t *items;
  enum sr_status st;

  if (!sr_query_enum_or_reply (req, "status", statuses, &f.status)
      || !sr_query_enum_or_reply (req, "kind", kinds, &f.kind)
      || !text_or_reply (req, "source", &f.source)
      || !text_or_reply (req, "brand", &f.brand)
      || !sr_query_date_or_reply (req, "from", &f.from)
      || !sr_query_date_or_reply (req, "to", &f.to)
      || !sr_query_int_or_reply (req, "limit", 1, 500, 50, &limit)
      || !sr_query_int_or_reply (req, "cursor", 1, INT64_MAX, 0, &cursor))
    return SR_OK;
  if (NULL != f.from && NULL != f.to && strcmp (f.from, f.to) > 0)
    return sr_reply_fail (req, SR_E_INVALID, "from is after to");
  f.before_id = cursor;
  f.limit = (unsigned int) limit;
  st = sr_db_thread_conn (&conn, err, sizeof (err));
  if (SR_OK == st)
    st = sr_store_anomalies_list (conn, &f, &items, err, sizeof (err));
  if (SR_OK != st)
    return sr_reply_fail (req, st, "%s", err);
  return sr_reply_page_steal (req, "anomalies", items, limit);
}

/* end of anomalies_get.c */
