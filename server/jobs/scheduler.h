/*
 * scheduler.h -- fires the schedules stored in signalroom.schedules.
 *
 * One thread per instance looks at every enabled schedule each
 * SIGNALROOM_SCHEDULER_INTERVAL_MS.  Cron expressions are evaluated in
 * SIGNALROOM_TIMEZONE (cron.h: no daily run skipped or doubled across DST).
 * A due tick is recorded in signalroom.schedule_ticks in the same
 * transaction as the run it creates; the tick's primary key lets exactly
 * one instance fire it, however many evaluate it.  After downtime the
 * ticks missed inside the catch-up window run once (at the latest one),
 * older ones are recorded as skipped.  A schedule that runs after another
 * (Everflow after S3) waits for that schedule's run of the day to succeed,
 * or wait_minutes, then runs anyway and says so (an alert in the log).
 */
#ifndef SR_SCHEDULER_H
#define SR_SCHEDULER_H

#include "config.h"
#include "status.h"

struct sr_scheduler;

/** Start the thread, closed: it fires nothing until sr_scheduler_open()
 * (serve opens it once the schema is current). */
enum sr_status sr_scheduler_start (const struct sr_config *cfg,
                                   struct sr_scheduler **out);

/** Let the scheduler start firing.  Safe from any thread, more than once,
 * and with @a sc NULL. */
void sr_scheduler_open (struct sr_scheduler *sc);

/** Stop the thread (it finishes the schedule it is firing) and free. */
void sr_scheduler_stop (struct sr_scheduler *sc);

#endif /* SR_SCHEDULER_H */
