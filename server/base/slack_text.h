/*
 * slack_text.h -- text from data made safe for a Slack message.
 *
 * The rule is signalroom.slack_escape's (migration 0017), character for
 * character, so a message built in C and one built in SQL escape alike
 * (test_slack_text holds the two equal on hostile strings): '&', '<' and
 * '>' become "&amp;", "&lt;" and "&gt;" (nothing turns into a link or a
 * <!channel> mention), and "@channel", "@here" and "@everyone", in any
 * case, get a word joiner (U+2060) after the '@' so that no client makes
 * a mention of them either.  Threading: pure functions.
 */
#ifndef SR_SLACK_TEXT_H
#define SR_SLACK_TEXT_H

#include "buf.h"
#include "status.h"

/**
 * Append @a in, escaped, to @a out.
 * @return SR_OK, or SR_E_TOO_LARGE when @a out's cap was reached (what
 *         fit was appended)
 */
enum sr_status sr_slack_escape (const char *in, struct sr_buf *out);

/** @return a new escaped copy of @a in (caller frees); NULL gives "". */
char *sr_slack_escape_dup (const char *in);

#endif /* SR_SLACK_TEXT_H */
