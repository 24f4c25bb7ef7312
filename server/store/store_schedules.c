/*
 * store_schedules.c -- see store_schedules.h.
 */
#include "store_schedules.h"
#include "db.h"
#include "sql_embedded.h"
#include "mem.h"
#include "tx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
epoch_text (char out[24], time_t t)
{
  snprintf (out, 24, "%lld", (long long) t);
}

enum sr_status
sr_store_schedules_due (PGconn *conn, struct sr_schedule_due **out,
                        size_t *n, char *err, size_t errlen)
{
  PGresult *r;
  enum sr_status st = sr_db_exec (conn, "schedules_due", sr_sql_schedules_due,
                                  0, NULL, &r, err, errlen);

  *out = NULL;
  *n = 0;
  if (SR_OK != st)
    return st;
  *n = (size_t) PQntuples (r);
  *out = sr_xcalloc (*n > 0 ? *n : 1, sizeof (**out));
  for (size_t i = 0; i < *n; i++) {
    struct sr_schedule_due *s = &(*out)[i];
    int row = (int) i;

    snprintf (s->name, sizeof (s->name), "%s", PQgetvalue (r, row, 0));
    snprintf (s->cron, sizeof (s->cron), "%s", PQgetvalue (r, row, 1));
    snprintf (s->source, sizeof (s->source), "%s", PQgetvalue (r, row, 2));
    s->window_days = strtol (PQgetvalue (r, row, 3), NULL, 10);
    snprintf (s->after, sizeof (s->after), "%s", PQgetvalue (r, row, 4));
    s->wait_minutes = strtol (PQgetvalue (r, row, 5), NULL, 10);
    s->catch_up_minutes = strtol (PQgetvalue (r, row, 6), NULL, 10);
    s->has_last = '\0' != PQgetvalue (r, row, 7)[0];
    s->last = (time_t) strtoll (PQgetvalue (r, row, 7), NULL, 10);
    s->now = (time_t) strtoll (PQgetvalue (r, row, 8), NULL, 10);
  }
  PQclear (r);
  return SR_OK;
}

enum sr_status
sr_store_schedule_advance (PGconn *conn, const char *name, time_t to,
                           char *err, size_t errlen)
{
  char at[24];
  const char *params[2] = { name, at };

  epoch_text (at, to);
  return sr_db_run (conn, "schedule_advance", sr_sql_schedule_advance, 2,
                    params, err, errlen);
}

enum sr_status
sr_store_tick_claim (PGconn *conn, const char *name, time_t tick,
                     const char *outcome, const char *note, bool *claimed,
                     char *err, size_t errlen)
{
  char at[24];
  const char *params[4] = { name, at, outcome, note };
  PGresult *r;
  enum sr_status st;

  epoch_text (at, tick);
  *claimed = false;
  st = sr_db_exec (conn, "schedule_tick_claim", sr_sql_schedule_tick_claim,
                   4, params, &r, err, errlen);
  if (SR_OK != st)
    return st;
  *claimed = PQntuples (r) > 0;
  PQclear (r);
  return SR_OK;
}

enum sr_status
sr_store_tick_run (PGconn *conn, const char *name, time_t tick,
                   const char *run_id, const char *outcome, const char *note,
                   char *err, size_t errlen)
{
  char at[24];
  const char *params[5] = { name, at, run_id, outcome, note };

  epoch_text (at, tick);
  return sr_db_run (conn, "schedule_tick_run", sr_sql_schedule_tick_run, 5,
                    params, err, errlen);
}

enum sr_status
sr_store_tick_wait (PGconn *conn, const char *name, time_t tick,
                    const char *note, bool *waiting, time_t *since,
                    bool *found, char *err, size_t errlen)
{
  char at[24];
  const char *params[3] = { name, at, note };
  PGresult *r;
  enum sr_status st;

  epoch_text (at, tick);
  *found = false;
  *waiting = false;
  st = sr_db_exec (conn, "schedule_tick_wait", sr_sql_schedule_tick_wait, 3,
                   params, &r, err, errlen);
  if (SR_OK != st)
    return st;
  if (1 == PQntuples (r)) {
    *found = true;
    *waiting = 0 == strcmp (PQgetvalue (r, 0, 0), "waiting");
    *since = (time_t) strtoll (PQgetvalue (r, 0, 1), NULL, 10);
  }
  PQclear (r);
  return SR_OK;
}

/* Append ", @a v" (or "@a v" at first) to @a out. */
static void
append_item (char *out, size_t len, const char *v)
{
  size_t used = strlen (out);

  if (used < len)
    snprintf (out + used, len - used, "%s%s", 0 == used ? "" : ", ", v);
}

enum sr_status
sr_store_schedule_dependencies (PGconn *conn, const char *name, time_t tick,
                                time_t day_start, bool *all_succeeded,
                                char *missing, char *states, size_t len,
                                char *err, size_t errlen)
{
  char at[24], start[24];
  const char *params[3] = { name, at, start };
  PGresult *r;
  enum sr_status st;

  *all_succeeded = false;
  missing[0] = '\0';
  states[0] = '\0';
  epoch_text (at, tick);
  epoch_text (start, day_start);
  st = sr_db_exec (conn, "schedule_dependencies",
                   sr_sql_schedule_dependencies, 3, params, &r, err, errlen);
  if (SR_OK != st)
    return st;
  for (int i = 0; i < PQntuples (r); i++) {
    const char *state = PQgetvalue (r, i, 1);

    if (0 == strcmp (state, "succeeded"))
      continue;
    append_item (missing, len, PQgetvalue (r, i, 0));
    append_item (states, len, '\0' != state[0] ? state : "no run yet");
  }
  *all_succeeded = '\0' == missing[0];
  PQclear (r);
  return SR_OK;
}

enum sr_status
sr_store_schedules (PGconn *conn, json_t **out, char *err, size_t errlen)
{
  return sr_db_json (conn, "schedules_list", sr_sql_schedules_list, 0, NULL,
                     out, err, errlen);
}

struct schedule_update {
  const char *params[6];
  const char *after_json;
  bool *found;
};

/* The set of schedules it waits for, replaced; names that are no
 * schedule and cycles are the caller's to fix. */
static enum sr_status
set_after (PGconn *conn, const char *name, const char *after_json,
           char *err, size_t errlen)
{
  const char *params[2] = { name, after_json };
  PGresult *r;
  enum sr_status st = sr_db_exec (conn, "schedule_after_set",
                                  sr_sql_schedule_after_set, 2, params, &r,
                                  err, errlen);

  if (SR_OK != st) {
    if (0 == strcmp (sr_db_last_sqlstate (), "SR002")) {
      const char *why = strstr (err, "would wait on itself");

      snprintf (err, errlen, "after: that would be a cycle (schedule %.80s "
                "%.300s)", name, NULL != why ? why : "waits on itself");
      return SR_E_INVALID;
    }
    return st;
  }
  if (1 == PQntuples (r) && '\0' != PQgetvalue (r, 0, 0)[0]) {
    snprintf (err, errlen, "after: no schedule named %.200s",
              PQgetvalue (r, 0, 0));
    st = SR_E_INVALID;
  }
  PQclear (r);
  return st;
}

/* Inside the transaction: the columns, then what it waits for. */
static enum sr_status
update_work (void *cls, PGconn *conn, char *err, size_t errlen)
{
  struct schedule_update *u = cls;
  PGresult *r;
  enum sr_status st = sr_db_exec (conn, "schedule_update",
                                  sr_sql_schedule_update, 6, u->params, &r,
                                  err, errlen);

  if (SR_OK != st)
    return st;
  *u->found = 1 == PQntuples (r);
  PQclear (r);
  if (*u->found && NULL != u->after_json)
    st = set_after (conn, u->params[0], u->after_json, err, errlen);
  return st;
}

enum sr_status
sr_store_schedule_update (PGconn *conn, const char *name, const char *cron,
                          const char *enabled, const char *window_days,
                          const char *wait_minutes,
                          const char *catch_up_minutes,
                          const char *after_json, bool *found, char *err,
                          size_t errlen)
{
  struct schedule_update u = {
    .params = { name, cron, enabled, window_days, wait_minutes,
                catch_up_minutes },
    .after_json = after_json, .found = found,
  };

  *found = false;
  return sr_tx_run (conn, "schedule_update", SR_TX_ATTEMPTS, update_work, &u,
                    err, errlen);
}

/* end of store_schedules.c */
