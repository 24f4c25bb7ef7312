/*
 * datawatch.c -- see datawatch.h.
 */
#include "datawatch.h"
#include "db.h"
#include "log.h"
#include "mem.h"
#include "store_reports.h"
#include "waiter.h"

#include <pthread.h>
#include <stdlib.h>

struct sr_datawatch {
  const struct sr_config *cfg;
  struct sr_waiter wake;
  pthread_t thread;
};

/* Wait for a notification on @a conn up to @a ms (in short slices, so a
 * stop is seen quickly); @return false when the connection broke. */
static bool
wait_notify (struct sr_datawatch *w, PGconn *conn, unsigned long ms)
{
  for (unsigned long waited = 0;
       waited < ms && !sr_waiter_stopping (&w->wake); waited += 100) {
    int got = sr_db_wait_notify (conn, 100);

    if (got != 0)
      return got > 0;
  }
  return true;
}

static bool
listen_on (PGconn *conn)
{
  PGresult *r = PQexec (conn, "LISTEN signalroom_data");
  bool ok = PGRES_COMMAND_OK == PQresultStatus (r);

  PQclear (r);
  return ok;
}

static void *
run (void *cls)
{
  struct sr_datawatch *w = cls;
  unsigned long poll_ms = w->cfg->poll_ms > 0 ? (unsigned long) w->cfg->poll_ms
                          : 1000;
  PGconn *conn = NULL;
  bool listening = false;

  sr_log_set_context ("job_id", "datawatch");
  while (!sr_waiter_stopping (&w->wake)) {
    char err[512];

    if (NULL == conn || CONNECTION_OK != PQstatus (conn)) {
      if (NULL != conn)
        PQfinish (conn);
      conn = NULL;
      if (SR_OK != sr_db_connect_as (SR_DB_ROLE_BACKGROUND, &conn, err,
                                     sizeof (err))) {
        sr_log (SR_LOG_WARN, "data watcher cannot reach the database",
                "{s:s}", "error", err);
        (void) sr_waiter_sleep (&w->wake, poll_ms);
        continue;
      }
      listening = w->cfg->listen_notify && listen_on (conn);
    }
    if (SR_OK != sr_store_data_versions_read (conn, err, sizeof (err)))
      sr_log (SR_LOG_WARN, "data versions not read", "{s:s}", "error", err);
    if (listening) {
      if (!wait_notify (w, conn, poll_ms)) {
        PQfinish (conn);   /* reconnect and LISTEN again */
        conn = NULL;
      }
    } else {
      (void) sr_waiter_sleep (&w->wake, poll_ms);
    }
  }
  if (NULL != conn)
    PQfinish (conn);
  sr_log_set_context (NULL, NULL);
  return NULL;
}

enum sr_status
sr_datawatch_start (const struct sr_config *cfg, struct sr_datawatch **out)
{
  struct sr_datawatch *w = sr_xcalloc (1, sizeof (*w));

  w->cfg = cfg;
  sr_waiter_init (&w->wake);
  if (0 != pthread_create (&w->thread, NULL, run, w)) {
    sr_waiter_destroy (&w->wake);
    free (w);
    return SR_E_INTERNAL;
  }
  *out = w;
  return SR_OK;
}

void
sr_datawatch_stop (struct sr_datawatch *w)
{
  if (NULL == w)
    return;
  sr_waiter_stop (&w->wake);
  pthread_join (w->thread, NULL);
  sr_waiter_destroy (&w->wake);
  free (w);
}

/* end of datawatch.c */
