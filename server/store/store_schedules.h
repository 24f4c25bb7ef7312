/*
 * store_schedules.h -- the scheduler's SQL: due schedules and their ticks.
 *
 * A tick is one firing time of a schedule.  Its row (schedule, instant) is
 * the primary key, which is what lets exactly one instance fire it; a tick
 * held for a dependency is recorded as 'waiting' with when it was first
 * seen due.  Instants are Unix seconds.  Threading: the caller's
 * connection, the caller's thread.
 */
#ifndef SR_STORE_SCHEDULES_H
#define SR_STORE_SCHEDULES_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "status.h"

/** A schedule that is enabled, as the scheduler evaluates it. */
struct sr_schedule_due {
  char name[64];
  char cron[128];
  char source[32];
  char after[256];            /* the names it waits for, ", "-separated;
                               * "" when it waits on nothing */
  long window_days, wait_minutes, catch_up_minutes;
  bool has_last;
  time_t last;                /* the latest tick already dealt with */
  time_t now;                 /* the database's clock */
};

/** The enabled schedules.  @a *out is the caller's (free()). */
enum sr_status sr_store_schedules_due (PGconn *conn,
                                       struct sr_schedule_due **out,
                                       size_t *n, char *err, size_t errlen);

/** Every tick of @a name up to @a to has been dealt with. */
enum sr_status sr_store_schedule_advance (PGconn *conn, const char *name,
                                          time_t to, char *err,
                                          size_t errlen);

/**
 * Record @a tick as @a outcome ("fired" or "skipped") unless another
 * instance decided it first (a 'waiting' tick may still be decided).
 * @param[out] claimed  true when this call decided it
 */
enum sr_status sr_store_tick_claim (PGconn *conn, const char *name,
                                    time_t tick, const char *outcome,
                                    const char *note, bool *claimed,
                                    char *err, size_t errlen);

/** The run a claimed tick started (@a run_id NULL: none), and its outcome. */
enum sr_status sr_store_tick_run (PGconn *conn, const char *name, time_t tick,
                                  const char *run_id, const char *outcome,
                                  const char *note, char *err,
                                  size_t errlen);

/**
 * Mark @a tick waiting (the first instance to see it due records when).
 * @param[out] waiting  true while it waits; false when already decided
 * @param[out] since    when it was first seen due
 * @param[out] found    false when the database returned no row
 */
enum sr_status sr_store_tick_wait (PGconn *conn, const char *name,
                                   time_t tick, const char *note,
                                   bool *waiting, time_t *since, bool *found,
                                   char *err, size_t errlen);

/**
 * Whether every schedule that @a name waits for succeeded on the day of
 * @a tick (local day starting at @a day_start).  When not, @a missing
 * gets the names of those that did not ("a, b") and @a states their
 * states in the same order (a run's status, or "no run yet").
 */
enum sr_status sr_store_schedule_dependencies (PGconn *conn,
                                               const char *name, time_t tick,
                                               time_t day_start,
                                               bool *all_succeeded,
                                               char *missing, char *states,
                                               size_t len, char *err,
                                               size_t errlen);

/** Every schedule with its recent ticks (JSON array). */
enum sr_status sr_store_schedules (PGconn *conn, json_t **out, char *err,
                                   size_t errlen);

/**
 * Change a schedule, in one transaction; NULL fields stay.  @a after_json
 * (a JSON array of schedule names) replaces the set it waits for.  An
 * unknown name or a cycle is SR_E_INVALID with @a err saying which.
 * @a found false when there is no such schedule.
 */
enum sr_status sr_store_schedule_update (PGconn *conn, const char *name,
                                         const char *cron,
                                         const char *enabled,
                                         const char *window_days,
                                         const char *wait_minutes,
                                         const char *catch_up_minutes,
                                         const char *after_json, bool *found,
                                         char *err, size_t errlen);

#endif /* SR_STORE_SCHEDULES_H */
