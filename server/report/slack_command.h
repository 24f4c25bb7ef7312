/*
 * slack_command.h -- what `/signalroom <sub>` does and says (the
 * messages' pieces are slack_format.h's).
 *
 * Commands (help lists them): report, leaderboard, states, sync, status,
 * help.  Every figure comes from the report catalogue through the API's
 * own parameter reader and SQL (report_args.h, store_reports.h), so a
 * command answers what GET /v1/reports/... answers.  Answers are Slack
 * message objects {response_type, text[, blocks]}: `report` goes to the
 * channel (it is the team's shared number, the same message the daily
 * post shows), everything else, and every refusal or usage hint, is
 * ephemeral (only the caller sees it).  Text that comes from data or
 * from the caller (labels, source names, errors, the arguments echoed)
 * is escaped with sr_slack_escape.
 *
 * Threading: the caller's connection and thread.  The caller owns the
 * transaction and its time budget (a statement past it fails with
 * SR_E_DB_TIMEOUT, and the caller defers the command).
 */
#ifndef SR_SLACK_COMMAND_H
#define SR_SLACK_COMMAND_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "config.h"
#include "status.h"

/** One invocation (strings borrowed). */
struct sr_slack_command {
  int64_t id;                 /* its signalroom.slack_commands row */
  const char *user_id;
  const char *channel_id;
  const char *text;           /* what followed the command */
  const char *response_url;
};

/**
 * Run @a cmd.  Bad arguments are a friendly ephemeral answer (SR_OK); a
 * failure of the database is returned with *@a reply NULL.
 * @param[out] reply  the answer (new reference)
 */
enum sr_status sr_slack_command_run (PGconn *conn,
                                     const struct sr_config *cfg,
                                     const struct sr_slack_command *cmd,
                                     json_t **reply, char *err,
                                     size_t errlen);

#endif /* SR_SLACK_COMMAND_H */
