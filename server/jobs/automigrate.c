/*
 * automigrate.c -- see automigrate.h.
 */
#include "automigrate.h"
#include "db.h"
#include "log.h"
#include "mem.h"
#include "migrate.h"
#include "store_settings.h"
#include "waiter.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct sr_automigrate {
  const struct sr_config *cfg;
  sr_automigrate_ready on_ready;
  void *cls;
  pthread_t thread;
  struct sr_waiter waiter;
};

/* Auto-migration off: is the schema current (read-only)? */
static enum sr_status
check_current (PGconn *conn, char *err, size_t errlen)
{
  struct sr_migrate_state ms;
  enum sr_status st = sr_migrate_state (conn, &ms, err, errlen);

  if (SR_OK == st && ms.pending > 0) {
    snprintf (err, errlen, "%u migration(s) pending and "
              "SIGNALROOM_AUTO_MIGRATE is off: run `signalroom migrate`",
              ms.pending);
    st = SR_E_SCHEMA_OUTDATED;
  }
  return st;
}

static void *
run (void *cls)
{
  struct sr_automigrate *am = cls;
  unsigned int backoff = 1;

  sr_log_set_context ("job_id", "automigrate");
  for (unsigned int attempt = 1;; attempt++) {
    char err[512];
    PGconn *conn;
    unsigned int applied = 0;
    enum sr_status st = sr_db_connect_as (SR_DB_ROLE_MIGRATE, &conn, err,
                                          sizeof (err));

    if (SR_OK == st) {
      if (am->cfg->auto_migrate)
        st = sr_migrate_apply (conn, &applied, err, sizeof (err));
      else
        st = check_current (conn, err, sizeof (err));
      if (SR_OK == st)
        st = sr_store_internal_affiliates (conn, am->cfg, err, sizeof (err));
      if (SR_OK == st)
        st = sr_store_notify_settings (conn, am->cfg, err, sizeof (err));
      PQfinish (conn);
    }
    if (SR_OK == st) {
      sr_log (SR_LOG_INFO, "migrations current", "{s:i, s:i}", "applied",
              (int) applied, "attempt", (int) attempt);
      if (NULL != am->on_ready)
        am->on_ready (am->cls);
      break;
    }
    sr_log (SR_LOG_WARN, am->cfg->auto_migrate ? "migration attempt failed"
            : "waiting for the schema to be migrated",
            "{s:s, s:i, s:i}", "error", err, "attempt", (int) attempt,
            "retry_in_s", (int) backoff);
    if (sr_waiter_sleep (&am->waiter, backoff * 1000UL))
      break;
    backoff = backoff >= 16 ? 30 : backoff * 2;
  }
  sr_log_set_context (NULL, NULL);
  return NULL;
}

enum sr_status
sr_automigrate_start (const struct sr_config *cfg,
                      sr_automigrate_ready on_ready, void *cls,
                      struct sr_automigrate **out)
{
  struct sr_automigrate *am = sr_xcalloc (1, sizeof (*am));

  am->cfg = cfg;
  am->on_ready = on_ready;
  am->cls = cls;
  sr_waiter_init (&am->waiter);
  if (0 != pthread_create (&am->thread, NULL, run, am)) {
    sr_waiter_destroy (&am->waiter);
    free (am);
    return SR_E_INTERNAL;
  }
  *out = am;
  return SR_OK;
}

void
sr_automigrate_stop (struct sr_automigrate *am)
{
  if (NULL == am)
    return;
  sr_waiter_stop (&am->waiter);
  pthread_join (am->thread, NULL);
  sr_waiter_destroy (&am->waiter);
  free (am);
}

/* end of automigrate.c */
