/*
 * metrics_sampler.c -- see metrics_sampler.h.
 */
#include "metrics_sampler.h"
#include "catalog.h"
#include "db.h"
#include "log.h"
#include "mem.h"
#include "metrics.h"
#include "store_metrics.h"
#include "waiter.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SOURCES_MAX 16

struct sr_metrics_sampler {
  const struct sr_config *cfg;
  struct sr_waiter wake;
  pthread_t thread;
  pthread_mutex_t lock;
  PGcancel *cancel;        /* the connection's, to cut a read at stop */
  char sources[512];       /* array literals for the statement */
  char bounds[512];
};

/* One source's run durations, gathered from the rows. */
struct run_hist {
  char source[64];
  uint64_t le[SR_METRIC_BUCKETS_MAX];
  uint64_t count;
  double sum;
};

struct sample {
  struct run_hist hist[SOURCES_MAX];
  size_t n_hist;
};

static struct run_hist *
hist_of (struct sample *s, const char *source)
{
  for (size_t i = 0; i < s->n_hist; i++)
    if (0 == strcmp (s->hist[i].source, source))
      return &s->hist[i];
  if (SOURCES_MAX == s->n_hist)
    return NULL;
  snprintf (s->hist[s->n_hist].source, sizeof (s->hist[0].source), "%s",
            source);
  return &s->hist[s->n_hist++];
}

static void
set_bucket (struct run_hist *h, const char *bound, double n)
{
  double b = strtod (bound, NULL);

  for (size_t i = 0; i < sr_m_sync_duration.n_bounds; i++)
    if (fabs (sr_m_sync_duration.bounds[i] - b) < 1e-9)
      h->le[i] = (uint64_t) n;
}

/* A time the database does not have stays absent: 0 would read as 1970,
 * and every staleness alert would fire for a source never loaded. */
static void
set_known (struct sr_metric *m, const char *const *values, double v)
{
  if (!isnan (v))
    sr_metric_set (m, values, v);
}

static void
on_row (void *cls, const char *metric, const char *label, const char *label2,
        double v)
{
  struct sample *s = cls;
  const char *one[] = { label }, *two[] = { label, label2 };
  struct run_hist *h = NULL;

  if (0 == strcmp (metric, "jobs"))
    sr_metric_set (&sr_m_jobs, one, v);
  else if (0 == strcmp (metric, "oldest_queued"))
    sr_metric_set (&sr_m_job_oldest_queued, NULL, v);
  else if (0 == strcmp (metric, "dead_letters"))
    sr_metric_set (&sr_m_dead_letters, NULL, v);
  else if (0 == strcmp (metric, "last_success"))
    set_known (&sr_m_source_last_success, one, v);
  else if (0 == strcmp (metric, "complete_day"))
    set_known (&sr_m_source_complete_day, one, v);
  else if (NULL != label)
    h = hist_of (s, label);
  if (NULL == h)
    return;
  if (0 == strcmp (metric, "runs")) {
    sr_metric_set (&sr_m_sync_runs, two, v);
    h->count += (uint64_t) v;
  } else if (0 == strcmp (metric, "run_le") && NULL != label2) {
    set_bucket (h, label2, v);
  } else if (0 == strcmp (metric, "run_sum")) {
    h->sum = v;
  }
}

static enum sr_status
sample_once (struct sr_metrics_sampler *w, PGconn *conn, char *err,
             size_t errlen)
{
  struct sample s;
  enum sr_status st;

  memset (&s, 0, sizeof (s));
  st = sr_store_metrics_sample (conn, w->cfg->timezone, w->sources,
                                w->bounds, on_row, &s, err, errlen);
  if (SR_OK != st)
    return st;
  for (size_t i = 0; i < s.n_hist; i++)
    sr_metric_histogram_set (&sr_m_sync_duration,
                             (const char *[]) { s.hist[i].source },
                             s.hist[i].le, s.hist[i].count, s.hist[i].sum);
  sr_metric_set (&sr_m_db_sampled_at, NULL, (double) time (NULL));
  return SR_OK;
}

/* Keep the cancel handle of the thread's connection (@a conn; NULL closes
 * *@a cur), so a stop can cut a read a locked table holds up. */
static void
set_conn (struct sr_metrics_sampler *w, PGconn *conn, PGconn **cur)
{
  pthread_mutex_lock (&w->lock);
  if (NULL != w->cancel)
    PQfreeCancel (w->cancel);
  w->cancel = NULL != conn ? PQgetCancel (conn) : NULL;
  pthread_mutex_unlock (&w->lock);
  if (NULL == conn && NULL != *cur) {
    PQfinish (*cur);
    *cur = NULL;
  }
}

static void *
run (void *cls)
{
  struct sr_metrics_sampler *w = cls;
  unsigned long interval_ms = w->cfg->metrics_db_interval_s * 1000;
  PGconn *conn = NULL;

  sr_log_set_context ("job_id", "metrics-sampler");
  while (!sr_waiter_stopping (&w->wake)) {
    char err[512];
    enum sr_status st = SR_OK;

    if (NULL == conn || CONNECTION_OK != PQstatus (conn)) {
      set_conn (w, NULL, &conn);
      st = sr_db_connect_as (SR_DB_ROLE_BACKGROUND, &conn, err,
                             sizeof (err));
      if (SR_OK == st)
        set_conn (w, conn, &conn);
    }
    if (sr_waiter_stopping (&w->wake))
      break;              /* a stop's cancel may have come before the read */
    if (SR_OK == st)
      st = sample_once (w, conn, err, sizeof (err));
    if (SR_OK != st) {
      sr_metric_add (&sr_m_db_sample_errors, NULL, 1);
      sr_log (SR_LOG_WARN, "metrics not read from the database", "{s:s}",
              "error", err);
    }
    (void) sr_waiter_sleep (&w->wake, interval_ms);
  }
  set_conn (w, NULL, &conn);
  sr_log_set_context (NULL, NULL);
  return NULL;
}

/* "{a,b}" of the catalogue's names and of the duration bounds. */
static void
make_literals (struct sr_metrics_sampler *w)
{
  size_t used = 0;

  used += (size_t) snprintf (w->sources, sizeof (w->sources), "{");
  for (size_t i = 0; NULL != sr_catalog[i].name
       && used < sizeof (w->sources); i++)
    used += (size_t) snprintf (w->sources + used, sizeof (w->sources) - used,
                               "%s%s", i > 0 ? "," : "", sr_catalog[i].name);
  if (used < sizeof (w->sources))
    snprintf (w->sources + used, sizeof (w->sources) - used, "}");
  used = (size_t) snprintf (w->bounds, sizeof (w->bounds), "{");
  for (size_t i = 0; i < sr_m_sync_duration.n_bounds
       && used < sizeof (w->bounds); i++)
    used += (size_t) snprintf (w->bounds + used, sizeof (w->bounds) - used,
                               "%s%.15g", i > 0 ? "," : "",
                               sr_m_sync_duration.bounds[i]);
  if (used < sizeof (w->bounds))
    snprintf (w->bounds + used, sizeof (w->bounds) - used, "}");
}

enum sr_status
sr_metrics_sampler_start (const struct sr_config *cfg,
                          struct sr_metrics_sampler **out)
{
  struct sr_metrics_sampler *w = sr_xcalloc (1, sizeof (*w));

  w->cfg = cfg;
  make_literals (w);
  pthread_mutex_init (&w->lock, NULL);
  sr_waiter_init (&w->wake);
  if (0 != pthread_create (&w->thread, NULL, run, w)) {
    sr_waiter_destroy (&w->wake);
    pthread_mutex_destroy (&w->lock);
    free (w);
    return SR_E_INTERNAL;
  }
  *out = w;
  return SR_OK;
}

void
sr_metrics_sampler_stop (struct sr_metrics_sampler *w)
{
  if (NULL == w)
    return;
  sr_waiter_stop (&w->wake);
  /* A read stuck behind a lock would hold the shutdown for its whole
   * time limit: cancel it (PQcancel may be called from another thread). */
  pthread_mutex_lock (&w->lock);
  if (NULL != w->cancel) {
    char ignored[256];

    (void) PQcancel (w->cancel, ignored, sizeof (ignored));
  }
  pthread_mutex_unlock (&w->lock);
  pthread_join (w->thread, NULL);
  sr_waiter_destroy (&w->wake);
  pthread_mutex_destroy (&w->lock);
  free (w);
}

/* end of metrics_sampler.c */
