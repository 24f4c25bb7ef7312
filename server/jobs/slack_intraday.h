/*
 * slack_intraday.h -- the hourly intraday snapshot to Slack
 * (SLACK_INTRADAY_SNAPSHOT=true), replacing the legacy hourly report:
 * from 7:00 to 23:59 in SIGNALROOM_TIMEZONE, once an hour, each brand's
 * daily summary of today so far, queued for the configured channel.
 *
 * Once per hour however many instances run: every instance may compute
 * it, the outbox key "intraday:<brand>:<day>:<hour>" keeps one.  An
 * instance computes it once per hour (@e state).  Threading: the Slack
 * background thread (slack_followup.c) and its connection.
 */
#ifndef SR_SLACK_INTRADAY_H
#define SR_SLACK_INTRADAY_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "config.h"
#include "status.h"

/** What this instance posted last. */
struct sr_slack_intraday {
  int32_t day;
  int hour;                    /* -1: nothing yet */
};

/** First and last local hour of the snapshot. */
#define SR_INTRADAY_FIRST_HOUR 7
#define SR_INTRADAY_LAST_HOUR 23

/**
 * Queue this hour's snapshot when it is due and not queued yet by this
 * instance.  On failure nothing is queued and the next tick tries again.
 */
enum sr_status sr_slack_intraday_tick (PGconn *conn,
                                       const struct sr_config *cfg,
                                       struct sr_slack_intraday *state,
                                       char *err, size_t errlen);

#endif /* SR_SLACK_INTRADAY_H */
