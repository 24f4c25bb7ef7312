/*
 * slack_commands_post.c -- POST /v1/slack/commands: Slack's slash command
 * `/signalroom <sub>`, authenticated by Slack's signature (no JWT).
 *
 * Order: no signing secret is 503; the signature is verified over the
 * raw body (the route accepts only form bodies up to 8 KiB, so 413 and
 * 415 came before us) before anything is read or run.  The command is
 * then remembered by the hash of its body: a Slack retry (the same body)
 * gets the first answer again, or "working on it", and runs nothing.
 *
 * Slack's 3 seconds: the command runs in one transaction where each
 * statement, and each lock wait, may take SLACK_BUDGET_MS (the figures
 * are one or two small reads per brand).  Past it the transaction rolls
 * back, the command is marked deferred and answered "working on it"; the
 * follow-up thread (server/jobs/slack_followup.c) runs it again without
 * the budget and queues the answer for the response_url in the outbox.
 */
#include "app_state.h"
#include "db.h"
#include "form.h"
#include "handlers.h"
#include "log.h"
#include "reply.h"
#include "slack_command.h"
#include "slack_format.h"
#include "slack_request.h"
#include "slack_sign.h"
#include "store_slack.h"
#include "tx.h"

#include <stdio.h>
#include <string.h>

/* What a command may spend on the database before it is deferred: with
 * verifying and remembering it, well inside Slack's 3 s. */
#define SLACK_BUDGET_MS 1500

struct run_tx {
  const struct sr_config *cfg;
  const struct sr_slack_command *cmd;
  json_t *reply;
};

/* Inside the transaction: the budget, the command, its answer kept. */
static enum sr_status
run_work (void *cls, PGconn *conn, char *err, size_t errlen)
{
  struct run_tx *t = cls;
  enum sr_status st = sr_store_slack_budget (conn, SLACK_BUDGET_MS, err,
                                             errlen);

  json_decref (t->reply);
  t->reply = NULL;
  if (SR_OK == st)
    st = sr_slack_command_run (conn, t->cfg, t->cmd, &t->reply, err, errlen);
  if (SR_OK == st)
    st = sr_store_slack_command_finish (conn, t->cmd->id, "done", t->reply,
                                        err, errlen);
  return st;
}

/* On the HTTP thread, before the API pool: a refused request costs no
 * API thread and no database (a flood of forged requests cannot starve
 * the pool).  A request that verifies stages nothing and goes on. */
enum sr_status
sr_handle_slack_commands_post_check (struct sr_request *req)
{
  return sr_slack_request_refuse_unsigned (req);
}

enum sr_status
sr_handle_slack_commands_post (struct sr_request *req)
{
  const struct sr_config *cfg = req->app->cfg;
  const char *body = sr_buf_str (&req->body);
  size_t len = req->body.len;
  char user[64], channel[64], text[1024], url[1024], key[65];
  char err[512];
  struct sr_slack_command_row row;
  struct sr_slack_command cmd;
  struct run_tx t = { .cfg = cfg, .cmd = &cmd };
  PGconn *conn;
  enum sr_status st;

  /* Checked on the HTTP thread already; again here, so the handler is
   * safe whatever calls it (an HMAC over 8 KiB costs microseconds). */
  if (SR_OK != (st = sr_slack_request_refuse_unsigned (req)))
    return st;
  if (!sr_form_field (body, len, "user_id", user, sizeof (user))
      || !sr_form_field (body, len, "channel_id", channel, sizeof (channel))
      || !sr_form_field (body, len, "response_url", url, sizeof (url))
      || (0 != strncmp (url, "https://", 8) && 0 != strncmp (url, "http://",
                                                             7)))
    return sr_reply_fail (req, SR_E_INVALID, "user_id, channel_id and an "
                          "http(s) response_url are required");
  if (!sr_form_field (body, len, "text", text, sizeof (text)))
    text[0] = '\0';
  sr_slack_body_key (body, len, key);
  if ('\0' == key[0])
    return sr_reply_fail (req, SR_E_INTERNAL, "the body could not be hashed");
  st = sr_db_thread_conn (&conn, err, sizeof (err));
  if (SR_OK == st)
    st = sr_store_slack_command_begin (conn, key, user, channel, text, url,
                                       &row, err, sizeof (err));
  if (SR_OK != st)
    return sr_reply_fail (req, st, "%s", err);
  if (!row.is_new) {
    sr_log (SR_LOG_INFO, "slack command retry not run again", "{s:I, s:s}",
            "command_id", (json_int_t) row.id, "status", row.status);
    if (NULL != row.reply)
      return sr_reply_json_steal (req, 200, row.reply);
    return sr_reply_json_steal (req, 200, sr_slack_ephemeral (
                                  "Still working on it: the answer will "
                                  "follow here."));
  }
  cmd = (struct sr_slack_command) { .id = row.id, .user_id = user,
                                    .channel_id = channel, .text = text,
                                    .response_url = url };
  st = sr_tx_run (conn, "slack_command", 1, run_work, &t, err, sizeof (err));
  if (SR_OK == st)
    return sr_reply_json_steal (req, 200, t.reply);
  json_decref (t.reply);
  /* Out of time (or the database failed it): the follow-up thread runs
   * it again and answers through the response_url. */
  sr_log (SR_E_DB_TIMEOUT == st ? SR_LOG_INFO : SR_LOG_WARN,
          "slack command deferred", "{s:I, s:s}", "command_id",
          (json_int_t) row.id, "error", err);
  st = sr_store_slack_command_finish (conn, row.id, "deferred", NULL, err,
                                      sizeof (err));
  if (SR_OK != st)
    return sr_reply_fail (req, st, "%s", err);
  return sr_reply_json_steal (req, 200, sr_slack_ephemeral (
                                ":hourglass_flowing_sand: Working on it: "
                                "the answer will follow here."));
}

/* end of slack_commands_post.c */
