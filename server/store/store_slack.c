/*
 * store_slack.c -- see store_slack.h.
 */
#include "store_slack.h"
#include "db.h"
#include "sql_embedded.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum sr_status
sr_store_slack_command_begin (PGconn *conn, const char *body_sha256,
                              const char *user_id, const char *channel_id,
                              const char *text, const char *response_url,
                              struct sr_slack_command_row *out, char *err,
                              size_t errlen)
{
  const char *params[5] = { body_sha256, user_id, channel_id, text,
                            response_url };
  PGresult *r;
  enum sr_status st = sr_db_exec (conn, "slack_command_begin",
                                  sr_sql_slack_command_begin, 5, params, &r,
                                  err, errlen);

  memset (out, 0, sizeof (*out));
  if (SR_OK != st)
    return st;
  if (1 == PQntuples (r)) {
    out->id = strtoll (PQgetvalue (r, 0, 0), NULL, 10);
    out->is_new = 't' == PQgetvalue (r, 0, 1)[0];
    snprintf (out->status, sizeof (out->status), "%s", PQgetvalue (r, 0, 2));
    if (!PQgetisnull (r, 0, 3))
      out->reply = json_loads (PQgetvalue (r, 0, 3), 0, NULL);
  } else {
    snprintf (out->status, sizeof (out->status), "running");
  }
  PQclear (r);
  return SR_OK;
}

enum sr_status
sr_store_slack_command_finish (PGconn *conn, int64_t id, const char *status,
                               const json_t *reply, char *err, size_t errlen)
{
  char ids[24];
  char *text = NULL != reply ? json_dumps (reply, JSON_COMPACT) : NULL;
  const char *params[3] = { ids, status, text };
  enum sr_status st;

  if (NULL != reply && NULL == text) {
    snprintf (err, errlen, "slack command reply: out of memory");
    return SR_E_INTERNAL;
  }
  snprintf (ids, sizeof (ids), "%" PRId64, id);
  st = sr_db_run (conn, "slack_command_finish", sr_sql_slack_command_finish,
                  3, params, err, errlen);
  free (text);
  return st;
}

enum sr_status
sr_store_slack_command_claim (PGconn *conn, unsigned int lease_s,
                              struct sr_slack_claimed *out, bool *found,
                              char *err, size_t errlen)
{
  char lease[16];
  const char *params[1] = { lease };
  PGresult *r;
  enum sr_status st;

  snprintf (lease, sizeof (lease), "%u", lease_s);
  *found = false;
  st = sr_db_exec (conn, "slack_command_claim", sr_sql_slack_command_claim,
                   1, params, &r, err, errlen);
  if (SR_OK != st)
    return st;
  if (1 == PQntuples (r)) {
    *found = true;
    out->id = strtoll (PQgetvalue (r, 0, 0), NULL, 10);
    snprintf (out->user_id, sizeof (out->user_id), "%s",
              PQgetvalue (r, 0, 1));
    snprintf (out->channel_id, sizeof (out->channel_id), "%s",
              PQgetvalue (r, 0, 2));
    snprintf (out->text, sizeof (out->text), "%s", PQgetvalue (r, 0, 3));
    snprintf (out->response_url, sizeof (out->response_url), "%s",
              PQgetvalue (r, 0, 4));
  }
  PQclear (r);
  return SR_OK;
}

enum sr_status
sr_store_slack_budget (PGconn *conn, unsigned long ms, char *err,
                       size_t errlen)
{
  char v[24];
  const char *params[1] = { v };

  snprintf (v, sizeof (v), "%lu", ms);
  return sr_db_run (conn, "slack_budget", sr_sql_slack_budget, 1, params,
                    err, errlen);
}

enum sr_status
sr_store_slack_run_reply (PGconn *conn, int64_t run_id, int64_t command_id,
                          const char *response_url, char *err, size_t errlen)
{
  char run[24], cmd[24];
  const char *params[3] = { run, cmd, response_url };

  snprintf (run, sizeof (run), "%" PRId64, run_id);
  snprintf (cmd, sizeof (cmd), "%" PRId64, command_id);
  return sr_db_run (conn, "slack_run_reply", sr_sql_slack_run_reply, 3,
                    params, err, errlen);
}

enum sr_status
sr_store_notify_enqueue (PGconn *conn, const char *key, const char *channel,
                         const char *target, const char *kind,
                         const json_t *payload, bool critical, int *added,
                         char *err, size_t errlen)
{
  char *text = json_dumps (payload, JSON_COMPACT);
  const char *params[6] = { key, channel, target, kind, text,
                            critical ? "true" : "false" };
  PGresult *r;
  enum sr_status st;

  if (NULL != added)
    *added = 0;
  if (NULL == text) {
    snprintf (err, errlen, "notification %s: out of memory", key);
    return SR_E_INTERNAL;
  }
  st = sr_db_exec (conn, "slack_enqueue", sr_sql_slack_enqueue, 6, params,
                   &r, err, errlen);
  free (text);
  if (SR_OK != st)
    return st;
  if (NULL != added && 1 == PQntuples (r))
    *added = atoi (PQgetvalue (r, 0, 0));
  PQclear (r);
  return SR_OK;
}

enum sr_status
sr_store_slack_status_counts (PGconn *conn, int64_t *open_anomalies,
                              int64_t *dead_letters, char *err,
                              size_t errlen)
{
  PGresult *r;
  enum sr_status st = sr_db_exec (conn, "slack_status_counts",
                                  sr_sql_slack_status_counts, 0, NULL, &r,
                                  err, errlen);

  *open_anomalies = -1;
  *dead_letters = 0;
  if (SR_OK != st)
    return st;
  if (1 == PQntuples (r)) {
    if (!PQgetisnull (r, 0, 0))
      *open_anomalies = strtoll (PQgetvalue (r, 0, 0), NULL, 10);
    *dead_letters = strtoll (PQgetvalue (r, 0, 1), NULL, 10);
  }
  PQclear (r);
  return SR_OK;
}

/* end of store_slack.c */
