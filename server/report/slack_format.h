/*
 * slack_format.h -- Slack message pieces: the daily summary message (and
 * its one-line text), ephemeral answers, and the helpers the slash
 * commands build their answers with (slack_command.c).
 *
 * Text that comes from data is escaped (sr_slack_escape) and cut at a
 * character boundary before it goes in, so every message is valid UTF-8
 * and keeps inside Slack's 3000 characters a section.  Threading: pure.
 */
#ifndef SR_SLACK_FORMAT_H
#define SR_SLACK_FORMAT_H

#include <stddef.h>

#include <jansson.h>

#include "buf.h"
#include "status.h"

/**
 * The daily summary message of one brand's day.
 * @param data   the daily-summary report's "data" (a snapshot's JSON)
 * @param as_of  NULL for the day's report; "14:00" for today's partial
 *               numbers at that hour (the intraday snapshot)
 * @param[out] msg  {text, blocks} (new reference)
 * @param[out] sms  the one-line text version (at most @a smslen - 1
 *                  bytes; the outbox cuts texts to 160)
 */
enum sr_status sr_slack_daily_message (const json_t *data,
                                       const char *as_of, json_t **msg,
                                       char *sms, size_t smslen);

/** A plain ephemeral answer (new reference). */
json_t *sr_slack_ephemeral (const char *text);

/* ---- for slack_command.c ---- */

#define SR__SLACK_MSG_MAX (32u * 1024)  /* one answer's text */
#define SR__SLACK_LABEL_MAX 100         /* bytes of a label shown */
#define SR__SLACK_ERROR_MAX 300         /* bytes of an error text shown */

/** Append printf output to @a b, whole or not at all (nothing escaped). */
void sr__slack_printf (struct sr_buf *b, const char *fmt, ...)
  __attribute__((format (printf, 2, 3)));

/** @a s cut to @a max bytes at a character boundary ("..." marks a cut),
 * then escaped: a new string (free it). */
char *sr__slack_esc_cut (const char *s, size_t max);

/** "$1,234.56", "-$5.00". */
void sr__slack_money (double v, char *out, size_t len);

/** "1,234", or "1,000.50" for a fraction. */
void sr__slack_count (double v, char *out, size_t len);

#endif /* SR_SLACK_FORMAT_H */
