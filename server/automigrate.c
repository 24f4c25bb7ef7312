/*
 * automigrate.c -- see automigrate.h.
 */
#include "automigrate.h"
#include "db.h"
#include "log.h"
#include "mem.h"
#include "migrate.h"
#include "store_settings.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

struct sr_automigrate {
  const struct sr_config *cfg;
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  bool stop;
};

/* Wait @a seconds or until stopped; @return true when stopped. */
static bool
wait_or_stop (struct sr_automigrate *am, unsigned int seconds)
{
  struct timespec deadline;
  bool stop;

  clock_gettime (CLOCK_REALTIME, &deadline);
  deadline.tv_sec += seconds;
  pthread_mutex_lock (&am->lock);
  while (!am->stop)
    if (ETIMEDOUT == pthread_cond_timedwait (&am->wake, &am->lock,
                                             &deadline))
      break;
  stop = am->stop;
  pthread_mutex_unlock (&am->lock);
  return stop;
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
    enum sr_status st = sr_db_connect (&conn, err, sizeof (err));

    if (SR_OK == st) {
      if (am->cfg->auto_migrate)
        st = sr_migrate_apply (conn, &applied, err, sizeof (err));
      if (SR_OK == st)
        st = sr_store_internal_affiliates (conn, am->cfg, err, sizeof (err));
      PQfinish (conn);
    }
    if (SR_OK == st) {
      sr_log (SR_LOG_INFO, "migrations current", "{s:i, s:i}", "applied",
              (int) applied, "attempt", (int) attempt);
      break;
    }
    sr_log (SR_LOG_WARN, "migration attempt failed",
            "{s:s, s:i, s:i}", "error", err, "attempt", (int) attempt,
            "retry_in_s", (int) backoff);
    if (wait_or_stop (am, backoff))
      break;
    backoff = backoff >= 16 ? 30 : backoff * 2;
  }
  sr_log_set_context (NULL, NULL);
  return NULL;
}

enum sr_status
sr_automigrate_start (const struct sr_config *cfg, struct sr_automigrate **out)
{
  struct sr_automigrate *am = sr_xcalloc (1, sizeof (*am));

  am->cfg = cfg;
  pthread_mutex_init (&am->lock, NULL);
  pthread_cond_init (&am->wake, NULL);
  if (0 != pthread_create (&am->thread, NULL, run, am)) {
    pthread_cond_destroy (&am->wake);
    pthread_mutex_destroy (&am->lock);
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
  pthread_mutex_lock (&am->lock);
  am->stop = true;
  pthread_cond_signal (&am->wake);
  pthread_mutex_unlock (&am->lock);
  pthread_join (am->thread, NULL);
  pthread_cond_destroy (&am->wake);
  pthread_mutex_destroy (&am->lock);
  free (am);
}

/* end of automigrate.c */
