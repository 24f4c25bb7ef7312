/*
 * slack.c -- see slack.h.
 */
#include "slack.h"
#include "mem.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

/* conversations.history pages looked through before giving up: 200
 * messages a page is more than a channel gets between a send and its
 * check. */
#define HISTORY_PAGES_MAX 20

/* chat.postMessage errors that no retry can mend. */
static const char *const permanent_errors[] = {
  "channel_not_found", "not_in_channel", "invalid_auth", "not_authed",
  "account_inactive", "token_revoked", "missing_scope", "is_archived",
  "msg_too_long", "invalid_blocks", "no_text", "invalid_arguments",
  "too_many_attachments", "restricted_action", "invalid_metadata_format",
  "invalid_metadata_schema", "metadata_too_large",
};

static bool
permanent (const char *error)
{
  for (size_t i = 0; i < sizeof (permanent_errors)
                         / sizeof (permanent_errors[0]); i++)
    if (0 == strcmp (error, permanent_errors[i]))
      return true;
  return false;
}

/* "Authorization: Bearer <token>" into @a line. */
static bool
bearer (const struct sr_config *cfg, char *line, size_t len)
{
  int n;

  if (NULL == cfg->slack_bot_token)
    return false;
  n = snprintf (line, len, "Authorization: Bearer %s", cfg->slack_bot_token);
  return n > 0 && (size_t) n < len;
}

void
sr_slack_post (struct sr_upstream *u, const struct sr_config *cfg,
               const char *channel, const json_t *payload, const char *key,
               struct sr_delivery *out)
{
  char auth[512], url[600], err[512];
  const char *headers[3] = { auth,
                             "Content-Type: application/json; charset=utf-8",
                             NULL };
  struct sr_upstream_stats stats = { 0 };
  struct sr_upstream_response resp;
  json_t *body, *answer, *ok;
  char *text;
  enum sr_status st;

  memset (out, 0, sizeof (*out));
  if (!bearer (cfg, auth, sizeof (auth))) {
    sr_delivery_fail (out, SR_DELIVERY_RETRY, "SLACK_BOT_TOKEN is not set");
    return;
  }
  snprintf (url, sizeof (url), "%s/chat.postMessage", cfg->slack_api_base_url);
  body = json_is_object (payload) ? json_deep_copy (payload) : json_object ();
  if (NULL == body
      || 0 != json_object_set_new (body, "channel", json_string (channel))
      || 0 != json_object_set_new (body, "metadata", json_pack (
                "{s:s, s:{s:s}}", "event_type", SR_SLACK_EVENT_TYPE,
                "event_payload", "key", key))) {
    json_decref (body);
    sr_delivery_fail (out, SR_DELIVERY_RETRY, "out of memory");
    return;
  }
  text = json_dumps (body, JSON_COMPACT);
  json_decref (body);
  if (NULL == text) {
    sr_delivery_fail (out, SR_DELIVERY_RETRY, "out of memory");
    return;
  }
  st = sr_delivery_post (u, "slack", url, false, headers, text, &resp, &stats,
                         err, sizeof (err));
  free (text);
  if (SR_OK != st) {
    sr_delivery_from_response (out, "slack chat.postMessage", &resp, &stats,
                               err, true);
    sr_upstream_response_clean (&resp);
    return;
  }
  answer = json_loadb (resp.body.data, resp.body.len, 0, NULL);
  ok = json_object_get (answer, "ok");
  if (json_is_true (ok)) {
    out->result = SR_DELIVERY_SENT;
    out->response = json_pack ("{s:O?, s:O?}", "channel",
                               json_object_get (answer, "channel"), "ts",
                               json_object_get (answer, "ts"));
  } else if (json_is_false (ok)) {
    const char *e = json_string_value (json_object_get (answer, "error"));

    e = NULL != e ? e : "unknown_error";
    sr_delivery_fail (out, permanent (e) ? SR_DELIVERY_PERMANENT
                                         : SR_DELIVERY_RETRY,
                      "slack chat.postMessage: %.100s", e);
  } else {
    char excerpt[320];

    /* A 2xx that is not Slack's answer: it may have been posted. */
    sr_upstream_excerpt (&resp.body, excerpt, sizeof (excerpt));
    out->in_doubt = true;
    sr_delivery_fail (out, SR_DELIVERY_RETRY,
                      "slack chat.postMessage: unreadable answer: %s",
                      excerpt);
  }
  json_decref (answer);
  sr_upstream_response_clean (&resp);
}

void
sr_slack_reply (struct sr_upstream *u, const char *url, const json_t *payload,
                struct sr_delivery *out)
{
  const char *headers[2] = { "Content-Type: application/json; charset=utf-8",
                             NULL };
  struct sr_upstream_stats stats = { 0 };
  struct sr_upstream_response resp;
  char err[512];
  char *text;
  enum sr_status st;

  memset (out, 0, sizeof (*out));
  text = json_dumps (payload, JSON_COMPACT);
  if (NULL == text) {
    sr_delivery_fail (out, SR_DELIVERY_RETRY, "out of memory");
    return;
  }
  st = sr_delivery_post (u, "slack_response_url", url, true, headers, text,
                         &resp, &stats, err, sizeof (err));
  free (text);
  if (SR_OK != st) {
    sr_delivery_from_response (out, "slack response_url", &resp, &stats,
                               err, false);
  } else {
    out->result = SR_DELIVERY_SENT;
    out->response = json_pack ("{s:I}", "status", (json_int_t) resp.status);
  }
  sr_upstream_response_clean (&resp);
}

/* Whether @a msg carries our metadata with @a key. */
static bool
is_ours (const json_t *msg, const char *key)
{
  const json_t *meta = json_object_get (msg, "metadata");
  const char *type = json_string_value (json_object_get (meta, "event_type"));
  const char *k = json_string_value (json_object_get (
                    json_object_get (meta, "event_payload"), "key"));

  return NULL != type && NULL != k && 0 == strcmp (type, SR_SLACK_EVENT_TYPE)
         && 0 == strcmp (k, key);
}

enum sr_status
sr_slack_find (struct sr_upstream *u, const struct sr_config *cfg,
               const char *channel, const char *key, double oldest,
               bool *found, json_t **response, char *err, size_t errlen)
{
  char auth[512], url[1400];
  const char *headers[2] = { auth, NULL };
  char *cursor = NULL, *chan;
  enum sr_status st = SR_OK;

  *found = false;
  *response = NULL;
  if (!bearer (cfg, auth, sizeof (auth))) {
    snprintf (err, errlen, "SLACK_BOT_TOKEN is not set");
    return SR_E_UPSTREAM;
  }
  chan = curl_easy_escape (NULL, channel, 0);
  if (NULL == chan) {
    snprintf (err, errlen, "out of memory");
    return SR_E_UPSTREAM;
  }
  for (int page = 0; SR_OK == st && !*found && page < HISTORY_PAGES_MAX;
       page++) {
    json_t *answer, *msgs, *m;
    const char *next;
    size_t i;
    int n = snprintf (url, sizeof (url), "%s/conversations.history?channel=%s"
                      "&oldest=%.6f&limit=200&include_all_metadata=true%s%s",
                      cfg->slack_api_base_url, chan, oldest,
                      NULL != cursor ? "&cursor=" : "",
                      NULL != cursor ? cursor : "");

    if (n < 0 || (size_t) n >= sizeof (url)) {
      snprintf (err, errlen, "slack conversations.history: URL too long");
      st = SR_E_UPSTREAM;
      break;
    }
    answer = sr_delivery_get_json (u, "slack", url, headers, err, errlen);
    if (NULL == answer) {
      st = SR_E_UPSTREAM;
      break;
    }
    if (!json_is_true (json_object_get (answer, "ok"))) {
      const char *e = json_string_value (json_object_get (answer, "error"));

      snprintf (err, errlen, "slack conversations.history: %.100s",
                NULL != e ? e : "unreadable answer");
      json_decref (answer);
      st = SR_E_UPSTREAM;
      break;
    }
    msgs = json_object_get (answer, "messages");
    json_array_foreach (msgs, i, m) {
      if (is_ours (m, key)) {
        *found = true;
        *response = json_pack ("{s:s, s:O?}", "channel", channel, "ts",
                               json_object_get (m, "ts"));
        break;
      }
    }
    next = json_string_value (json_object_get (
             json_object_get (answer, "response_metadata"), "next_cursor"));
    curl_free (cursor);
    cursor = NULL != next && '\0' != next[0]
             ? curl_easy_escape (NULL, next, 0) : NULL;
    json_decref (answer);
    if (NULL == cursor)
      break;
  }
  curl_free (cursor);
  curl_free (chan);
  return st;
}

/* end of slack.c */
