/*
 * slack_followup.h -- finishes the slash commands that ran out of their
 * time budget on an API thread (status 'deferred' in
 * signalroom.slack_commands): runs each again without the budget and, in
 * the same transaction, queues its answer for the command's response_url
 * in the outbox (key "slack-command:<id>", kind command_reply) and marks
 * it done.  A command is leased while it runs, so among several
 * instances one takes it; a crash leaves it to the next after the lease.
 *
 * The same thread queues the hourly intraday snapshot when
 * SLACK_INTRADAY_SNAPSHOT is on (slack_intraday.h).  It runs when a
 * signing secret is set or the snapshot is on.
 *
 * One thread with its own connection (role job: no time limit); it looks
 * every SIGNALROOM_POLL_MS and sleeps only in the waiter.
 */
#ifndef SR_SLACK_FOLLOWUP_H
#define SR_SLACK_FOLLOWUP_H

#include "config.h"
#include "status.h"

struct sr_slack_followup;

enum sr_status sr_slack_followup_start (const struct sr_config *cfg,
                                        struct sr_slack_followup **out);

/** Stop and join the thread; NULL is a no-op. */
void sr_slack_followup_stop (struct sr_slack_followup *f);

#endif /* SR_SLACK_FOLLOWUP_H */
