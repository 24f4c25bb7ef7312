/*
 * scheduler.c -- see scheduler.h.
 */
#include "scheduler.h"
#include "catalog.h"
#include "cron.h"
#include "dates.h"
#include "db.h"
#include "log.h"
#include "mem.h"
#include "store_anomalies.h"
#include "store_runs.h"
#include "store_schedules.h"
#include "tx.h"
#include "metrics.h"
#include "waiter.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_TICKS 2048

struct sr_scheduler {
  const struct sr_config *cfg;
  pthread_t thread;
  struct sr_waiter waiter;    /* stop; kicked when opened */
  atomic_bool open;           /* the schema is current */
};


/* The windows of a scheduled run (see signalroom.create_run). */
static json_t *
windows_for (const struct sr_config *cfg, const struct sr_schedule_due *s,
             time_t tick)
{
  const struct sr_catalog_source *src = sr_catalog_find (s->source);
  char f[SR_DATE_LEN], t[SR_DATE_LEN];

  if (NULL == src
      || !sr_catalog_default_window (src, cfg, sr_date_of_instant (tick),
                                     (unsigned long) s->window_days, f, t))
    return json_pack ("{s:[n, n]}", s->source);
  return json_pack ("{s:[s, s]}", s->source, f, t);
}

static enum sr_status
advance (PGconn *conn, const char *name, time_t to, char *err, size_t errlen)
{
  return sr_store_schedule_advance (conn, name, to, err, errlen);
}

/* A tick this instance decided, in the metrics. */
static void
count_tick (const char *schedule, const char *outcome)
{
  sr_metric_add (&sr_m_schedule_ticks, (const char *[]) { schedule, outcome },
                 1);
}

/* Record a tick that does not fire (idempotent across instances). */
static void
record_skip (PGconn *conn, const struct sr_schedule_due *s, time_t tick,
             const char *note)
{
  char err[512];
  bool claimed;

  if (SR_OK != sr_store_tick_claim (conn, s->name, tick, "skipped", note,
                                    &claimed, err, sizeof (err))
      || SR_OK != advance (conn, s->name, tick, err, sizeof (err)))
    sr_log (SR_LOG_WARN, "could not record a skipped tick", "{s:s, s:s}",
            "schedule", s->name, "error", err);
  else if (claimed)
    count_tick (s->name, "skipped");
}

struct firing {
  const struct sr_config *cfg;
  const struct sr_schedule_due *s;
  time_t tick;
  const char *note;
  const char *missing;    /* dependencies that had not succeeded, or NULL */
  const char *states;     /* and their states */
  json_t *windows;
  bool fired;             /* this instance claimed the tick */
  struct sr_run_created run;
};

/* Inside the transaction: claim the tick, create the run, note it. */
static enum sr_status
fire_locked (void *cls, PGconn *conn, char *err, size_t errlen)
{
  struct firing *f = cls;
  const struct sr_schedule_due *s = f->s;
  const char *outcome = "fired", *note = f->note;
  char run_text[24], why[160];
  const char *run_id = NULL;
  enum sr_status st;

  f->fired = false;
  st = sr_store_tick_claim (conn, s->name, f->tick, "fired", f->note,
                            &f->fired, err, errlen);
  if (SR_OK != st || !f->fired)
    return st;     /* another instance fired it: nothing to do */
  st = sr_store_create_run (conn, s->source, f->windows, false, NULL, NULL,
                            "scheduler", s->name, &f->run, err, errlen);
  if (SR_OK != st)
    return st;
  if (SR_RUN_OVERLAPS == f->run.outcome) {
    snprintf (why, sizeof (why), "an overlapping run (%" PRId64 ") was "
              "still active", f->run.run_id);
    outcome = "skipped";
    note = why;
  } else {
    snprintf (run_text, sizeof (run_text), "%" PRId64, f->run.run_id);
    run_id = run_text;
  }
  st = sr_store_tick_run (conn, s->name, f->tick, run_id, outcome, note, err,
                          errlen);
  /* A day's data missing at its deadline: raised by the instance that
   * fired, with the tick (critical: Slack and SMS). */
  if (SR_OK == st && NULL != f->missing) {
    char day[SR_DATE_LEN];
    int64_t anomaly;

    sr_date_format (sr_date_of_instant (f->tick), day);
    st = sr_store_anomaly_missing (conn, f->missing, day, s->name, f->states,
                                   s->wait_minutes, &anomaly, err, errlen);
  }
  if (SR_OK == st)
    st = advance (conn, s->name, f->tick, err, errlen);
  return st;
}

/* Fire @a tick: the tick row and the run in one transaction; the tick's
 * primary key lets exactly one instance through. */
static void
fire (PGconn *conn, const struct sr_config *cfg,
      const struct sr_schedule_due *s, time_t tick, const char *note,
      const char *missing, const char *states)
{
  struct firing f = { .cfg = cfg, .s = s, .tick = tick, .note = note,
                      .missing = missing, .states = states,
                      .windows = windows_for (cfg, s, tick) };
  char err[512];
  enum sr_status st = sr_tx_run (conn, "schedule_fire", SR_TX_ATTEMPTS,
                                 fire_locked, &f, err, sizeof (err));

  if (SR_OK != st)
    count_tick (s->name, "failed");
  else if (f.fired)
    count_tick (s->name, SR_RUN_OVERLAPS == f.run.outcome ? "skipped"
                                                          : "fired");
  if (SR_OK != st)
    sr_log (SR_LOG_ERROR, "schedule tick failed", "{s:s, s:s}", "schedule",
            s->name, "error", err);
  else if (f.fired)
    sr_log (SR_LOG_INFO, "schedule fired", "{s:s, s:I, s:s, s:I}",
            "schedule", s->name, "tick", (json_int_t) tick, "outcome",
            SR_RUN_OVERLAPS == f.run.outcome ? "skipped: overlapping run"
            : "run created", "run", (json_int_t) f.run.run_id);
  json_decref (f.windows);
}

enum tick_state {
  TICK_WAITING,   /* held for its dependency */
  TICK_DECIDED,   /* fired or skipped, by this or another instance */
  TICK_UNKNOWN    /* the database did not say */
};

/* Mark @a tick as waiting for its dependency (the first instance to see it
 * due records when) and tell since when it has waited: the wait counts
 * from then, so after downtime the dependency still gets its full wait. */
static enum tick_state
mark_waiting (PGconn *conn, const struct sr_schedule_due *s, time_t tick,
              time_t *since)
{
  char note[320], err[512];
  bool waiting, found;
  time_t seen = tick;

  snprintf (note, sizeof (note), "waiting for %s (up to %ld minutes)",
            s->after, s->wait_minutes);
  if (SR_OK != sr_store_tick_wait (conn, s->name, tick, note, &waiting,
                                   &seen, &found, err, sizeof (err))) {
    sr_log (SR_LOG_WARN, "could not mark a tick waiting", "{s:s, s:s}",
            "schedule", s->name, "error", err);
    return TICK_UNKNOWN;
  }
  if (!found)
    return TICK_UNKNOWN;
  *since = seen > tick ? seen : tick;
  return waiting ? TICK_WAITING : TICK_DECIDED;
}

/* Local midnight of @a t's day, as an instant. */
static time_t
day_start (time_t t)
{
  struct tm tm;

  localtime_r (&t, &tm);
  tm.tm_hour = 0;
  tm.tm_min = 0;
  tm.tm_sec = 0;
  tm.tm_isdst = -1;
  return mktime (&tm);
}

/* Whether every dependency's run of @a tick's day succeeded; if not,
 * which did not (@a missing) and their states.  A database error counts
 * as "not yet": the next round looks again. */
static bool
dependencies_succeeded (PGconn *conn, const struct sr_schedule_due *s,
                        time_t tick, char *missing, char *states, size_t len)
{
  char err[512];
  bool ok = false;

  if (SR_OK != sr_store_schedule_dependencies (conn, s->name, tick,
                                               day_start (tick), &ok,
                                               missing, states, len, err,
                                               sizeof (err))) {
    snprintf (missing, len, "%s", s->after);
    snprintf (states, len, "unknown: %.200s", err);
    return false;
  }
  return ok;
}

static void
evaluate (PGconn *conn, const struct sr_config *cfg, const struct sr_schedule_due *s)
{
  struct sr_cron *cron;
  char err[256];
  time_t *ticks;
  size_t n;
  time_t horizon = s->now - (time_t) s->catch_up_minutes * 60;
  time_t after = s->has_last ? s->last : horizon;

  if (SR_OK != sr_cron_parse (s->cron, &cron, err, sizeof (err))) {
    sr_log (SR_LOG_ERROR, "schedule has a bad cron expression",
            "{s:s, s:s}", "schedule", s->name, "error", err);
    return;
  }
  ticks = sr_xmalloc (MAX_TICKS * sizeof (*ticks));
  n = sr_cron_between (cron, after, s->now, ticks, MAX_TICKS);
  for (size_t i = 0; i < n; i++) {
    time_t t = ticks[i];
    bool latest = i + 1 == n;

    if (t < horizon) {
      record_skip (conn, s, t, "missed, older than the catch-up window");
      continue;
    }
    if (!latest) {
      record_skip (conn, s, t, "missed; the catch-up runs once, at the "
                   "latest tick");
      continue;
    }
    if ('\0' != s->after[0]) {
      char missing[256], states[256];
      time_t since;
      bool waited, ok;

      switch (mark_waiting (conn, s, t, &since)) {
      case TICK_DECIDED:
        (void) advance (conn, s->name, t, err, sizeof (err));
        continue;
      case TICK_UNKNOWN:
        continue;       /* look again next round */
      case TICK_WAITING:
        break;
      }
      waited = s->now >= since + (time_t) s->wait_minutes * 60;
      /* Every dependency, not any: a report after two loads needs both. */
      ok = dependencies_succeeded (conn, s, t, missing, states,
                                   sizeof (missing));
      if (!ok && !waited) {
        /* Not yet: keep this tick pending, look again next round. */
        (void) advance (conn, s->name, t - 1, err, sizeof (err));
        continue;
      }
      if (!ok) {
        char note[600];

        snprintf (note, sizeof (note), "%s had not succeeded after %ld "
                  "minutes (%s); ran anyway", missing, s->wait_minutes,
                  states);
        sr_log (SR_LOG_WARN, "schedule ran without its dependency",
                "{s:s, s:s, s:s}", "schedule", s->name, "after", missing,
                "alert", note);
        fire (conn, cfg, s, t, note, missing, states);
        continue;
      }
    }
    fire (conn, cfg, s, t, NULL, NULL, NULL);
  }
  free (ticks);
  sr_cron_free (cron);
}

static void
run_round (PGconn *conn, const struct sr_config *cfg)
{
  struct sr_schedule_due *due;
  size_t n;
  char err[512];

  if (SR_OK != sr_store_schedules_due (conn, &due, &n, err, sizeof (err)))
    return;
  for (size_t i = 0; i < n; i++)
    evaluate (conn, cfg, &due[i]);
  free (due);
}

static void *
run (void *cls)
{
  struct sr_scheduler *sc = cls;
  PGconn *conn = NULL;

  sr_log_set_context ("job_id", "scheduler");
  for (;;) {
    char err[512];
    /* Read before the flag: an open in between still ends the wait. */
    uint64_t seen = sr_waiter_kicks (&sc->waiter);

    if (NULL != conn && CONNECTION_OK != PQstatus (conn)) {
      PQfinish (conn);
      conn = NULL;
    }
    if (atomic_load (&sc->open) && NULL == conn
        && SR_OK != sr_db_connect_as (SR_DB_ROLE_BACKGROUND, &conn, err,
                                      sizeof (err)))
      conn = NULL;
    if (atomic_load (&sc->open) && NULL != conn)
      run_round (conn, sc->cfg);
    if (sr_waiter_sleep_for_kick (&sc->waiter, sc->cfg->scheduler_interval_ms,
                                  seen))
      break;
  }
  if (NULL != conn)
    PQfinish (conn);
  sr_log_set_context (NULL, NULL);
  return NULL;
}

enum sr_status
sr_scheduler_start (const struct sr_config *cfg, struct sr_scheduler **out)
{
  struct sr_scheduler *sc = sr_xcalloc (1, sizeof (*sc));

  sc->cfg = cfg;
  sr_waiter_init (&sc->waiter);
  atomic_init (&sc->open, false);
  if (0 != pthread_create (&sc->thread, NULL, run, sc)) {
    sr_waiter_destroy (&sc->waiter);
    free (sc);
    return SR_E_INTERNAL;
  }
  *out = sc;
  return SR_OK;
}

void
sr_scheduler_open (struct sr_scheduler *sc)
{
  if (NULL == sc)
    return;
  atomic_store (&sc->open, true);
  sr_waiter_kick (&sc->waiter);
}

void
sr_scheduler_stop (struct sr_scheduler *sc)
{
  if (NULL == sc)
    return;
  sr_waiter_stop (&sc->waiter);
  pthread_join (sc->thread, NULL);
  sr_waiter_destroy (&sc->waiter);
  free (sc);
}

/* end of scheduler.c */
