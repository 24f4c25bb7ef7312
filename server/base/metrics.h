/*
 * metrics.h -- the process's Prometheus metrics: counters, gauges and
 * histograms with bounded label sets, and their text exposition (0.0.4).
 *
 * Every family is a global declared below and defined in metrics.c, so
 * the whole list of what signalroom exposes is in one place.  A series
 * (one set of label values) is found by hashing its values into the
 * family's fixed table; the first sight of a series takes a mutex and
 * copies its values, every later update is a lock-free lookup and one
 * relaxed atomic add: no allocation and no lock on the hot path, and a
 * scrape never stops a request.
 *
 * Label values must come from bounded sets (route templates, source
 * names, status codes), never from raw paths or ids.  A family holds at
 * most SR_METRIC_SERIES_MAX series; updates to any beyond are dropped and
 * counted (signalroom_metrics_series_dropped_total).
 *
 * Threads: every function may be called from any thread.
 */
#ifndef SR_METRICS_H
#define SR_METRICS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "status.h"

#define SR_METRIC_LABELS_MAX 3
#define SR_METRIC_SERIES_MAX 192
#define SR_METRIC_SLOTS 256         /* a power of two above SERIES_MAX */
#define SR_METRIC_BUCKETS_MAX 16
#define SR_METRIC_LABEL_VALUE_MAX 128

enum sr_metric_type {
  SR_METRIC_COUNTER,
  SR_METRIC_GAUGE,
  SR_METRIC_HISTOGRAM
};

struct sr_metric_series;

/** One metric family.  Define with SR_METRIC_FAMILY; never copy. */
struct sr_metric {
  const char *name;
  const char *help;
  enum sr_metric_type type;
  const char *labels[SR_METRIC_LABELS_MAX];  /* names, NULL-padded */
  double scale;               /* a counter's unit in the exposition (0: 1);
                               * 1e-6 counts microseconds as seconds */
  const double *bounds;                      /* histogram upper bounds */
  size_t n_bounds;
  _Atomic (struct sr_metric_series *) slots[SR_METRIC_SLOTS];
  atomic_size_t n_series;
};

/** Count (true, the default) or ignore every update. */
void sr_metrics_enable (bool on);

bool sr_metrics_enabled (void);

/* ---- updates (label values in the order of the family's labels; NULL
 * for a family without labels) ---- */

/** Add @a n to a counter (or a gauge). */
void sr_metric_add (struct sr_metric *m, const char *const *values,
                    uint64_t n);

/** Set a gauge. */
void sr_metric_set (struct sr_metric *m, const char *const *values,
                    double v);

/** Add @a d (may be negative) to a gauge. */
void sr_metric_gauge_add (struct sr_metric *m, const char *const *values,
                          double d);

/** Record one observation in a histogram. */
void sr_metric_observe (struct sr_metric *m, const char *const *values,
                        double v);

/**
 * Replace a histogram series with counts kept elsewhere (the database's):
 * @a cumulative[i] observations <= bounds[i] for each of the family's
 * bounds, @a count in all, @a sum their total.
 */
void sr_metric_histogram_set (struct sr_metric *m, const char *const *values,
                              const uint64_t *cumulative, uint64_t count,
                              double sum);

/** @return a series' current value (counter or gauge; a histogram's
 * count), 0 when the series was never touched -- for tests. */
double sr_metric_value (struct sr_metric *m, const char *const *values);

/* ---- exposition ---- */

/**
 * Append every family, in the Prometheus text format 0.0.4, to @a out.
 * Process gauges (memory, descriptors) are read first.
 * @return SR_OK or SR_E_TOO_LARGE when @a out's cap is reached
 */
enum sr_status sr_metrics_render (struct sr_buf *out);

/** Record the build (version, commit) and the process start time. */
void sr_metrics_set_build (const char *version, const char *commit);

/* ---- the families ---- */

/* HTTP */
extern struct sr_metric sr_m_http_requests;      /* route, method, status */
extern struct sr_metric sr_m_http_duration;      /* route */
extern struct sr_metric sr_m_http_in_flight;
/* syncs, jobs, schedules */
extern struct sr_metric sr_m_sync_runs;          /* source, outcome */
extern struct sr_metric sr_m_sync_duration;      /* source */
extern struct sr_metric sr_m_job_attempts;       /* kind, outcome */
extern struct sr_metric sr_m_job_duration;       /* kind */
extern struct sr_metric sr_m_rows;               /* source, table, action */
extern struct sr_metric sr_m_quarantined_rows;   /* source */
extern struct sr_metric sr_m_leases_lost;
extern struct sr_metric sr_m_schedule_ticks;     /* schedule, outcome */
/* values read from the database by the sampler */
extern struct sr_metric sr_m_jobs;               /* state */
extern struct sr_metric sr_m_job_oldest_queued;
extern struct sr_metric sr_m_dead_letters;
extern struct sr_metric sr_m_source_last_success; /* source */
extern struct sr_metric sr_m_source_complete_day; /* source */
extern struct sr_metric sr_m_db_sample_errors;
extern struct sr_metric sr_m_db_sampled_at;
/* upstreams */
extern struct sr_metric sr_m_upstream_requests;  /* upstream, status_class */
extern struct sr_metric sr_m_upstream_retries;   /* upstream */
extern struct sr_metric sr_m_notifications;     /* channel, outcome */
extern struct sr_metric sr_m_upstream_wait;      /* upstream */
/* reports */
extern struct sr_metric sr_m_report_cache;       /* result */
/* database connections */
extern struct sr_metric sr_m_db_connections;     /* state */
/* tracing */
extern struct sr_metric sr_m_otel_spans_exported;
extern struct sr_metric sr_m_otel_spans_dropped;  /* reason */
/* the process */
extern struct sr_metric sr_m_build_info;         /* version, commit */
extern struct sr_metric sr_m_series_dropped;

/** The HTTP status class label of @a status ("2xx"), "error" for 0. */
const char *sr_metrics_status_class (long status);

#endif /* SR_METRICS_H */
