/*
 * slack_interactions_post.c -- POST /v1/slack/interactions: the Slack
 * app's interactivity Request URL, for the "Acknowledge" button of an
 * anomaly message (action_id ack_anomaly, value the anomaly's id).
 *
 * Signed like the slash commands (the same secret and checks, on the HTTP
 * thread first).  The body is a form whose one field, payload, is Slack's
 * JSON.  The anomaly is acknowledged for "slack:<user id>" and the
 * confirmation queued for the message's response_url in one transaction;
 * the outbox key is the anomaly's and the user's, so a Slack retry
 * acknowledges nothing twice and confirms once.  Slack sends every kind
 * of interaction to this one URL: the others are answered 200 and left.
 */
#define _GNU_SOURCE 1   /* asprintf */
#include "db.h"
#include "handlers.h"
#include "log.h"
#include "reply.h"
#include "slack_format.h"
#include "slack_request.h"
#include "slack_text.h"
#include "store_anomalies.h"
#include "store_slack.h"
#include "form.h"
#include "tx.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACK_ACTION "ack_anomaly"

/* The acknowledgement the button asked for. */
struct ack_request {
  int64_t id;
  char user[40];                /* Slack user id, [A-Z0-9] */
  char who[48];                 /* "slack:<user>" */
  char url[1024];               /* the message's response_url */
};

struct ack_tx {
  const struct ack_request *ack;
  json_t *anomaly;              /* as acknowledged; NULL: not found */
};

/* "U0ABC" and the like: Slack's ids are upper-case letters and digits. */
static bool
slack_id (const char *s)
{
  size_t n = 0;

  for (; '\0' != s[n]; n++)
    if (!isupper ((unsigned char) s[n]) && !isdigit ((unsigned char) s[n]))
      return false;
  return n > 0 && n < 40;
}

/* The ack_anomaly action of a block_actions payload; false: none (another
 * kind of interaction, or another button). */
static bool
find_ack (const json_t *payload, struct ack_request *ack)
{
  const json_t *action;
  size_t i;

  if (NULL == payload
      || 0 != strcmp ("block_actions", json_string_value (
                        json_object_get (payload, "type")) ?: ""))
    return false;
  json_array_foreach (json_object_get (payload, "actions"), i, action) {
    const char *value = json_string_value (json_object_get (action, "value"));
    const char *user = json_string_value (json_object_get (
                         json_object_get (payload, "user"), "id"));
    const char *url = json_string_value (json_object_get (payload,
                                                          "response_url"));
    char *end = NULL;

    if (0 != strcmp (ACK_ACTION, json_string_value (json_object_get (
                                   action, "action_id")) ?: "")
        || NULL == value || NULL == user || NULL == url)
      continue;
    ack->id = strtoll (value, &end, 10);
    if (end == value || '\0' != *end || ack->id <= 0 || !slack_id (user)
        || (0 != strncmp (url, "https://", 8)
            && 0 != strncmp (url, "http://", 7))
        || strlen (url) >= sizeof (ack->url))
      return false;
    snprintf (ack->user, sizeof (ack->user), "%s", user);
    snprintf (ack->who, sizeof (ack->who), "slack:%s", user);
    snprintf (ack->url, sizeof (ack->url), "%s", url);
    return true;
  }
  return false;
}

/* What the clicker is told: done, done before by someone else, or gone. */
static char *
confirmation (const struct ack_request *ack, const json_t *anomaly)
{
  const char *by = json_string_value (json_object_get (anomaly,
                                                       "acknowledged_by"));
  char *who = sr_slack_escape_dup (by);
  char *text = NULL;
  int n;

  if (NULL == anomaly)
    n = asprintf (&text, "Anomaly #%" PRId64 " was not found.", ack->id);
  else if (NULL != by && 0 == strcmp (by, ack->who))
    n = asprintf (&text, ":white_check_mark: Anomaly #%" PRId64
                  " acknowledged by <@%s>.", ack->id, ack->user);
  else
    n = asprintf (&text, "Anomaly #%" PRId64 " was already acknowledged "
                  "by %s.", ack->id, who);
  free (who);
  return n < 0 ? NULL : text;
}

static enum sr_status
ack_work (void *cls, PGconn *conn, char *err, size_t errlen)
{
  struct ack_tx *t = cls;
  char key[96], *text;
  json_t *reply;
  int added = 0;
  enum sr_status st;

  json_decref (t->anomaly);
  t->anomaly = NULL;
  st = sr_store_anomaly_ack (conn, t->ack->id, t->ack->who, &t->anomaly, err,
                             errlen);
  if (SR_OK != st)
    return st;
  if (NULL == (text = confirmation (t->ack, t->anomaly)))
    return SR_E_INTERNAL;
  reply = sr_slack_ephemeral (text);
  free (text);
  snprintf (key, sizeof (key), "slack-ack:%" PRId64 ":%s", t->ack->id,
            t->ack->user);
  st = sr_store_notify_enqueue (conn, key, "response_url", t->ack->url,
                                "command_reply", reply, false, &added, err,
                                errlen);
  json_decref (reply);
  return st;
}

/* On the HTTP thread, before the API pool (as for the commands). */
enum sr_status
sr_handle_slack_interactions_post_check (struct sr_request *req)
{
  return sr_slack_request_refuse_unsigned (req);
}

enum sr_status
sr_handle_slack_interactions_post (struct sr_request *req)
{
  struct ack_request ack = { 0 };
  struct ack_tx t = { .ack = &ack };
  json_error_t jerr;
  json_t *payload;
  PGconn *conn;
  char err[512];
  enum sr_status st;
  bool wanted;

  if (SR_OK != (st = sr_slack_request_refuse_unsigned (req)))
    return st;
  {
    char *text = malloc (req->body.len + 1);

    if (NULL == text)
      return sr_reply_fail (req, SR_E_INTERNAL, "out of memory");
    if (!sr_form_field (sr_buf_str (&req->body), req->body.len, "payload",
                        text, req->body.len + 1)) {
      free (text);
      return sr_reply_fail (req, SR_E_INVALID, "the form has no payload");
    }
    payload = json_loads (text, JSON_REJECT_DUPLICATES, &jerr);
    free (text);
  }
  if (NULL == payload)
    return sr_reply_fail (req, SR_E_BAD_JSON, "payload is not JSON: %s",
                          jerr.text);
  wanted = find_ack (payload, &ack);
  json_decref (payload);
  if (!wanted) {
    sr_log (SR_LOG_INFO, "slack interaction ignored", NULL);
    return sr_reply_json_steal (req, 200, json_object ());
  }
  st = sr_db_thread_conn (&conn, err, sizeof (err));
  if (SR_OK == st)
    st = sr_tx_run (conn, "slack_ack", SR_TX_ATTEMPTS, ack_work, &t, err,
                    sizeof (err));
  if (SR_OK != st)
    return sr_reply_fail (req, st, "%s", err);
  sr_log (SR_LOG_INFO, "anomaly acknowledged from Slack", "{s:I, s:s, s:b}",
          "anomaly_id", (json_int_t) ack.id, "user", ack.user, "found",
          NULL != t.anomaly);
  json_decref (t.anomaly);
  return sr_reply_json_steal (req, 200, json_object ());
}

/* end of slack_interactions_post.c */
