/*
 * metrics.c -- metric families, lock-free series lookup, text exposition.
 *
 * A family's series live in an open-addressed table of SR_METRIC_SLOTS
 * pointers.  Slots are only ever filled, never emptied or moved, so a
 * reader that loads a slot with acquire ordering sees a complete series
 * and may use it without a lock; writers of new series serialise on one
 * mutex (first sight of a label set is rare: route templates, sources).
 *
 * A series' cells are split into SHARDS copies, each on its own cache
 * lines, and a thread updates only its own (threads are dealt shards in
 * turn): two HTTP threads counting the same route would otherwise pull
 * one cache line back and forth on every request, and a lookup reading
 * the series' label values would stall behind it.  A scrape sums the
 * shards.  Counters are integers; gauges and histogram sums hold a
 * double's bits and are changed by compare-and-swap (on the thread's own
 * shard, so it rarely loops).  A set (values read from the database)
 * writes shard 0 and zeroes the others: a series is either set or
 * updated, never both.  Histogram buckets are kept per bucket (not
 * cumulative) so a scrape sums them once and its _count always equals
 * its +Inf bucket, even while requests are being counted.
 */
#include "metrics.h"
#include "ids.h"

#include <dirent.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


#define SHARDS 8
#define CACHE_LINE 64

/* One shard's counters (a histogram's buckets follow). */
struct cell {
  _Atomic uint64_t value;               /* counter, or a gauge's bits */
  _Atomic uint64_t sum_bits;            /* histogram sum (double bits) */
  _Atomic uint64_t buckets[];           /* n_bounds + 1, the last +Inf */
};

struct sr_metric_series {
  uint64_t hash;
  char *values[SR_METRIC_LABELS_MAX];   /* owned copies */
  size_t stride;                        /* bytes from one cell to the next */
  unsigned char *cells;                 /* SHARDS cells, cache-line aligned,
                                         * after this header's lines */
};

static pthread_mutex_t add_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_bool counting = true;
static _Atomic uint64_t dropped_updates;
static double start_time_s;

/* Buckets: request latencies (1 ms .. 10 s) and run times (0.1 s .. 1 h). */
static const double latency_bounds[] = {
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10
};
static const double run_bounds[] = {
  0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 900, 1800, 3600
};

#define N_OF(a) (sizeof (a) / sizeof ((a)[0]))
#define FAMILY(var, n, t, h, ...) \
  struct sr_metric var = { .name = (n), .help = (h), .type = (t), \
                           .labels = { __VA_ARGS__ } }
#define HISTOGRAM(var, n, h, b, ...) \
  struct sr_metric var = { .name = (n), .help = (h), \
                           .type = SR_METRIC_HISTOGRAM, .bounds = (b), \
                           .n_bounds = N_OF (b), .labels = { __VA_ARGS__ } }

FAMILY (sr_m_http_requests, "signalroom_http_requests_total",
        SR_METRIC_COUNTER, "HTTP requests answered, by route template, "
        "method and status.", "route", "method", "status");
HISTOGRAM (sr_m_http_duration, "signalroom_http_request_duration_seconds",
           "Time from a request's first byte to its last response byte, "
           "by route template.", latency_bounds, "route");
FAMILY (sr_m_http_in_flight, "signalroom_http_requests_in_flight",
        SR_METRIC_GAUGE, "HTTP requests being served.", NULL);
FAMILY (sr_m_sync_runs, "signalroom_sync_runs_total", SR_METRIC_COUNTER,
        "Sync runs ended, by source and outcome.", "source", "outcome");
HISTOGRAM (sr_m_sync_duration, "signalroom_sync_run_duration_seconds",
           "Sync run time from start to end, by source.", run_bounds,
           "source");
FAMILY (sr_m_job_attempts, "signalroom_job_attempts_total",
        SR_METRIC_COUNTER, "Job attempts ended, by kind and outcome "
        "(succeeded, retry, failed, cancelled, lease_lost).", "kind",
        "outcome");
HISTOGRAM (sr_m_job_duration, "signalroom_job_duration_seconds",
           "Job attempt time, by kind.", run_bounds, "kind");
FAMILY (sr_m_rows, "signalroom_rows_total", SR_METRIC_COUNTER,
        "Rows written by loads, by source, table and action (inserted, "
        "updated, deleted, rejected).", "source", "table", "action");
FAMILY (sr_m_quarantined_rows, "signalroom_quarantined_rows_total",
        SR_METRIC_COUNTER, "Rows set aside in quarantine, by source.",
        "source");
FAMILY (sr_m_leases_lost, "signalroom_job_leases_lost_total",
        SR_METRIC_COUNTER, "Job leases this instance lost while working.",
        NULL);
FAMILY (sr_m_schedule_ticks, "signalroom_schedule_ticks_total",
        SR_METRIC_COUNTER, "Schedule ticks seen by this instance's "
        "scheduler, by schedule and outcome (fired, skipped, waiting, "
        "failed).", "schedule", "outcome");
FAMILY (sr_m_jobs, "signalroom_jobs", SR_METRIC_GAUGE,
        "Jobs in the queue by state (read from the database).", "state");
FAMILY (sr_m_job_oldest_queued, "signalroom_job_oldest_queued_age_seconds",
        SR_METRIC_GAUGE, "Age of the oldest job due and waiting for a "
        "worker (0: none).", NULL);
FAMILY (sr_m_dead_letters, "signalroom_dead_letters", SR_METRIC_GAUGE,
        "Dead letters not yet retried.", NULL);
FAMILY (sr_m_source_last_success,
        "signalroom_source_last_success_timestamp_seconds",
        SR_METRIC_GAUGE, "When a sync of the source last succeeded "
        "(Unix time; absent: never).", "source");
FAMILY (sr_m_source_complete_day,
        "signalroom_source_newest_complete_day_timestamp_seconds",
        SR_METRIC_GAUGE, "Midnight UTC of the newest day the source has "
        "complete data for (Unix time; absent: none).", "source");
FAMILY (sr_m_db_sample_errors, "signalroom_metrics_db_sample_errors_total",
        SR_METRIC_COUNTER, "Failed reads of the database-held metrics "
        "(the previous values are kept).", NULL);
FAMILY (sr_m_db_sampled_at, "signalroom_metrics_db_sampled_timestamp_seconds",
        SR_METRIC_GAUGE, "When the database-held metrics were last read.",
        NULL);
FAMILY (sr_m_upstream_requests, "signalroom_upstream_requests_total",
        SR_METRIC_COUNTER, "Upstream HTTP requests, by upstream and status "
        "class (error: no HTTP answer).", "upstream", "status_class");
FAMILY (sr_m_upstream_retries, "signalroom_upstream_retries_total",
        SR_METRIC_COUNTER, "Upstream requests repeated after a failure.",
        "upstream");
FAMILY (sr_m_notifications, "signalroom_notifications_total",
        SR_METRIC_COUNTER, "Notification delivery attempts by channel and "
        "outcome (sent, found: in doubt and already there, retry, dead).",
        "channel", "outcome");
struct sr_metric sr_m_upstream_wait = {
  .name = "signalroom_upstream_wait_seconds_total", .scale = 1e-6,
  .type = SR_METRIC_COUNTER, .labels = { "upstream" },
  .help = "Time spent waiting before upstream requests: rate limits, "
          "Retry-After and back-off (counted in microseconds)."
};
FAMILY (sr_m_report_cache, "signalroom_report_cache_requests_total",
        SR_METRIC_COUNTER, "Report requests answered from the in-memory "
        "cache (hit) or rendered (miss).", "result");
FAMILY (sr_m_db_connections, "signalroom_db_connections", SR_METRIC_GAUGE,
        "Database connections: open, and busy running a statement.",
        "state");
FAMILY (sr_m_otel_spans_exported, "signalroom_otel_spans_exported_total",
        SR_METRIC_COUNTER, "Spans the collector accepted.", NULL);
FAMILY (sr_m_otel_spans_dropped, "signalroom_otel_spans_dropped_total",
        SR_METRIC_COUNTER, "Spans never exported, by reason (queue_full: "
        "the export queue was full; export_failed: the collector refused "
        "them or did not answer).", "reason");
FAMILY (sr_m_build_info, "signalroom_build_info", SR_METRIC_GAUGE,
        "Always 1; the labels name the build.", "version", "commit");
FAMILY (sr_m_series_dropped, "signalroom_metrics_series_dropped_total",
        SR_METRIC_COUNTER, "Updates dropped because a family was full "
        "(a label set beyond its bound).", NULL);

static struct sr_metric *const families[] = {
  &sr_m_http_requests, &sr_m_http_duration, &sr_m_http_in_flight,
  &sr_m_sync_runs, &sr_m_sync_duration, &sr_m_job_attempts,
  &sr_m_job_duration, &sr_m_rows, &sr_m_quarantined_rows,
  &sr_m_leases_lost, &sr_m_schedule_ticks, &sr_m_jobs,
  &sr_m_job_oldest_queued, &sr_m_dead_letters, &sr_m_source_last_success,
  &sr_m_source_complete_day, &sr_m_db_sample_errors, &sr_m_db_sampled_at,
  &sr_m_upstream_requests, &sr_m_upstream_retries, &sr_m_upstream_wait,
  &sr_m_report_cache, &sr_m_db_connections, &sr_m_otel_spans_exported,
  &sr_m_otel_spans_dropped, &sr_m_build_info,
  &sr_m_series_dropped, &sr_m_notifications,
};

/* ---- series lookup ---- */

static size_t
label_count (const struct sr_metric *m)
{
  size_t n = 0;

  while (n < SR_METRIC_LABELS_MAX && NULL != m->labels[n])
    n++;
  return n;
}

static const char *
value_at (const char *const *values, size_t i)
{
  return (NULL == values || NULL == values[i]) ? "" : values[i];
}

static uint64_t
hash_values (const char *const *values, size_t n)
{
  uint64_t h = 14695981039346656037ull;

  for (size_t i = 0; i < n; i++) {
    const unsigned char *p = (const unsigned char *) value_at (values, i);

    /* only what is kept: a longer value is cut to the same series */
    for (size_t k = 0; k < SR_METRIC_LABEL_VALUE_MAX && '\0' != p[k]; k++)
      h = (h ^ p[k]) * 1099511628211ull;
    h = (h ^ 0xffu) * 1099511628211ull;   /* ("ab","") != ("a","b") */
  }
  return h;
}

static bool
same_values (const struct sr_metric_series *s, const char *const *values,
             size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (0 != strncmp (s->values[i], value_at (values, i),
                      SR_METRIC_LABEL_VALUE_MAX))
      return false;
  return true;
}

static struct sr_metric_series *
probe (struct sr_metric *m, const char *const *values, size_t n,
       uint64_t h, size_t *free_slot)
{
  size_t idx = (size_t) h & (SR_METRIC_SLOTS - 1);

  for (size_t i = 0; i < SR_METRIC_SLOTS; i++) {
    struct sr_metric_series *s
      = atomic_load_explicit (&m->slots[idx], memory_order_acquire);

    if (NULL == s) {
      *free_slot = idx;
      return NULL;
    }
    if (s->hash == h && same_values (s, values, n))
      return s;
    idx = (idx + 1) & (SR_METRIC_SLOTS - 1);
  }
  *free_slot = SR_METRIC_SLOTS;
  return NULL;
}

static double
bits_to_double (uint64_t b)
{
  double d;

  memcpy (&d, &b, sizeof (d));
  return d;
}

static uint64_t
double_to_bits (double d)
{
  uint64_t b;

  memcpy (&b, &d, sizeof (b));
  return b;
}

static void
series_free (struct sr_metric_series *s)
{
  for (size_t i = 0; i < SR_METRIC_LABELS_MAX; i++)
    free (s->values[i]);
  free (s->cells);
  free (s);
}

static struct sr_metric_series *
series_new (const struct sr_metric *m, const char *const *values, size_t n,
            uint64_t h)
{
  size_t nb = SR_METRIC_HISTOGRAM == m->type ? m->n_bounds + 1 : 0;
  size_t bytes = sizeof (struct cell) + nb * sizeof (uint64_t);
  struct sr_metric_series *s = calloc (1, sizeof (*s));

  if (NULL == s)
    return NULL;
  s->hash = h;
  s->stride = (bytes + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE;
  s->cells = aligned_alloc (CACHE_LINE, SHARDS * s->stride);
  if (NULL == s->cells) {
    series_free (s);
    return NULL;
  }
  memset (s->cells, 0, SHARDS * s->stride);
  for (size_t i = 0; i < n; i++) {
    s->values[i] = strndup (value_at (values, i), SR_METRIC_LABEL_VALUE_MAX);
    if (NULL == s->values[i]) {
      series_free (s);
      return NULL;
    }
  }
  return s;
}

static struct cell *
cell_at (const struct sr_metric_series *s, unsigned int shard)
{
  return (struct cell *) (void *) (s->cells + (size_t) shard * s->stride);
}

/* This thread's shard of @a s. */
static struct cell *
my_cell (const struct sr_metric_series *s)
{
  return cell_at (s, sr_ids_thread_index () % SHARDS);
}

/* Shards 1.. zeroed, for a value set whole into shard 0. */
static void
clear_other_shards (const struct sr_metric_series *s, size_t nb)
{
  for (unsigned int k = 1; k < SHARDS; k++) {
    struct cell *c = cell_at (s, k);

    atomic_store_explicit (&c->value, 0, memory_order_relaxed);
    atomic_store_explicit (&c->sum_bits, 0, memory_order_relaxed);
    for (size_t b = 0; b < nb; b++)
      atomic_store_explicit (&c->buckets[b], 0, memory_order_relaxed);
  }
}

/* ---- reads: the sum of the shards ---- */

static uint64_t
sum_value (const struct sr_metric_series *s)
{
  uint64_t v = 0;

  for (unsigned int k = 0; k < SHARDS; k++)
    v += atomic_load_explicit (&cell_at (s, k)->value, memory_order_relaxed);
  return v;
}

/* A gauge's value, or a histogram's sum (@a sum). */
static double
sum_double (const struct sr_metric_series *s, bool sum)
{
  double v = 0;

  for (unsigned int k = 0; k < SHARDS; k++) {
    struct cell *c = cell_at (s, k);

    v += bits_to_double (atomic_load_explicit (sum ? &c->sum_bits : &c->value,
                                               memory_order_relaxed));
  }
  return v;
}

static uint64_t
sum_bucket (const struct sr_metric_series *s, size_t b)
{
  uint64_t v = 0;

  for (unsigned int k = 0; k < SHARDS; k++)
    v += atomic_load_explicit (&cell_at (s, k)->buckets[b],
                               memory_order_relaxed);
  return v;
}

static struct sr_metric_series *
series_add (struct sr_metric *m, const char *const *values, size_t n,
            uint64_t h)
{
  struct sr_metric_series *s;
  size_t slot;

  pthread_mutex_lock (&add_lock);
  s = probe (m, values, n, h, &slot);   /* another thread may have won */
  if (NULL == s && SR_METRIC_SLOTS != slot
      && atomic_load (&m->n_series) < SR_METRIC_SERIES_MAX) {
    s = series_new (m, values, n, h);
    if (NULL != s) {
      atomic_store_explicit (&m->slots[slot], s, memory_order_release);
      atomic_fetch_add (&m->n_series, 1);
    }
  }
  pthread_mutex_unlock (&add_lock);
  return s;
}

void
sr_metrics_enable (bool on)
{
  atomic_store (&counting, on);
}

bool
sr_metrics_enabled (void)
{
  return atomic_load_explicit (&counting, memory_order_relaxed);
}

/* NULL (nothing to update) when counting is off. */
static struct sr_metric_series *
series_of (struct sr_metric *m, const char *const *values)
{
  size_t n = label_count (m);
  uint64_t h;
  size_t slot;
  struct sr_metric_series *s;

  if (!sr_metrics_enabled ())
    return NULL;
  h = hash_values (values, n);
  s = probe (m, values, n, h, &slot);
  if (NULL == s)
    s = series_add (m, values, n, h);
  if (NULL == s)
    atomic_fetch_add_explicit (&dropped_updates, 1, memory_order_relaxed);
  return s;
}

/* ---- updates ---- */

static void
add_double (_Atomic uint64_t *cell, double d)
{
  uint64_t old = atomic_load_explicit (cell, memory_order_relaxed);

  while (!atomic_compare_exchange_weak_explicit (
           cell, &old, double_to_bits (bits_to_double (old) + d),
           memory_order_relaxed, memory_order_relaxed))
    ;
}

void
sr_metric_add (struct sr_metric *m, const char *const *values, uint64_t n)
{
  struct sr_metric_series *s = series_of (m, values);

  if (NULL == s)
    return;
  if (SR_METRIC_GAUGE == m->type)
    add_double (&my_cell (s)->value, (double) n);
  else
    atomic_fetch_add_explicit (&my_cell (s)->value, n, memory_order_relaxed);
}

void
sr_metric_set (struct sr_metric *m, const char *const *values, double v)
{
  struct sr_metric_series *s = series_of (m, values);

  if (NULL == s)
    return;
  /* a counter set from elsewhere (the database's totals) stays integral */
  clear_other_shards (s, 0);
  atomic_store_explicit (&cell_at (s, 0)->value, SR_METRIC_GAUGE == m->type
                         ? double_to_bits (v) : (uint64_t) (v > 0 ? v : 0),
                         memory_order_relaxed);
}

void
sr_metric_gauge_add (struct sr_metric *m, const char *const *values,
                     double d)
{
  struct sr_metric_series *s = series_of (m, values);

  if (NULL != s)
    add_double (&my_cell (s)->value, d);
}

void
sr_metric_observe (struct sr_metric *m, const char *const *values, double v)
{
  struct sr_metric_series *s = series_of (m, values);
  struct cell *c;
  size_t b = 0;

  if (NULL == s)
    return;
  while (b < m->n_bounds && v > m->bounds[b])
    b++;
  c = my_cell (s);
  atomic_fetch_add_explicit (&c->buckets[b], 1, memory_order_relaxed);
  add_double (&c->sum_bits, v);
}

void
sr_metric_histogram_set (struct sr_metric *m, const char *const *values,
                         const uint64_t *cumulative, uint64_t count,
                         double sum)
{
  struct sr_metric_series *s = series_of (m, values);
  struct cell *c;
  uint64_t below = 0;

  if (NULL == s)
    return;
  clear_other_shards (s, m->n_bounds + 1);
  c = cell_at (s, 0);
  for (size_t b = 0; b <= m->n_bounds; b++) {
    uint64_t upto = b < m->n_bounds ? cumulative[b] : count;

    /* never negative, whatever was read */
    atomic_store_explicit (&c->buckets[b], upto > below ? upto - below : 0,
                           memory_order_relaxed);
    below = upto > below ? upto : below;
  }
  atomic_store_explicit (&c->sum_bits, double_to_bits (sum),
                         memory_order_relaxed);
}

static uint64_t
histogram_count (const struct sr_metric *m,
                 const struct sr_metric_series *s)
{
  uint64_t n = 0;

  for (size_t b = 0; b <= m->n_bounds; b++)
    n += sum_bucket (s, b);
  return n;
}

static double
counter_or_gauge (const struct sr_metric *m, const struct sr_metric_series *s)
{
  if (SR_METRIC_GAUGE == m->type)
    return sum_double (s, false);
  return (double) sum_value (s) * (0 != m->scale ? m->scale : 1);
}

double
sr_metric_value (struct sr_metric *m, const char *const *values)
{
  size_t n = label_count (m);
  size_t slot;
  struct sr_metric_series *s = probe (m, values, n, hash_values (values, n),
                                      &slot);

  if (NULL == s)
    return 0;
  if (SR_METRIC_HISTOGRAM == m->type)
    return (double) histogram_count (m, s);
  return counter_or_gauge (m, s);
}

const char *
sr_metrics_status_class (long status)
{
  static const char *const classes[] = { "1xx", "2xx", "3xx", "4xx", "5xx" };

  if (status < 100 || status > 599)
    return "error";
  return classes[status / 100 - 1];
}

void
sr_metrics_set_build (const char *version, const char *commit)
{
  const char *v[] = { version, commit };
  struct timespec now;

  if (0 == clock_gettime (CLOCK_REALTIME, &now))
    start_time_s = (double) now.tv_sec + (double) now.tv_nsec / 1e9;
  sr_metric_set (&sr_m_build_info, v, 1);
}

/* ---- exposition ---- */

/* A label value or HELP text with \, " (values only) and newline escaped. */
static enum sr_status
put_escaped (struct sr_buf *out, const char *s, bool quote)
{
  enum sr_status st = SR_OK;

  for (const char *p = s; SR_OK == st && '\0' != *p; p++) {
    if ('\\' == *p)
      st = sr_buf_puts (out, "\\\\");
    else if ('\n' == *p)
      st = sr_buf_puts (out, "\\n");
    else if (quote && '"' == *p)
      st = sr_buf_puts (out, "\\\"");
    else
      st = sr_buf_append (out, p, 1);
  }
  return st;
}

static enum sr_status
put_number (struct sr_buf *out, double v)
{
  char num[40];

  if (isnan (v))
    return sr_buf_puts (out, "NaN");
  if (isinf (v))
    return sr_buf_puts (out, v > 0 ? "+Inf" : "-Inf");
  snprintf (num, sizeof (num), "%.15g", v);
  return sr_buf_puts (out, num);
}

/* name{a="x",b="y",le="0.5"} value\n -- @a le may be NULL. */
static enum sr_status
put_sample (struct sr_buf *out, const struct sr_metric *m,
            const char *suffix, const struct sr_metric_series *s,
            const char *le, double v)
{
  size_t n = label_count (m);
  enum sr_status st = sr_buf_puts (out, m->name);

  if (SR_OK == st)
    st = sr_buf_puts (out, suffix);
  for (size_t i = 0; SR_OK == st && i < n + (NULL != le); i++) {
    st = sr_buf_puts (out, 0 == i ? "{" : ",");
    if (SR_OK == st)
      st = sr_buf_puts (out, i < n ? m->labels[i] : "le");
    if (SR_OK == st)
      st = sr_buf_puts (out, "=\"");
    if (SR_OK == st)
      st = put_escaped (out, i < n ? s->values[i] : le, true);
    if (SR_OK == st)
      st = sr_buf_puts (out, "\"");
  }
  if (SR_OK == st && n + (NULL != le) > 0)
    st = sr_buf_puts (out, "}");
  if (SR_OK == st)
    st = sr_buf_puts (out, " ");
  if (SR_OK == st)
    st = put_number (out, v);
  return SR_OK == st ? sr_buf_puts (out, "\n") : st;
}

static enum sr_status
put_histogram (struct sr_buf *out, const struct sr_metric *m,
               const struct sr_metric_series *s)
{
  enum sr_status st = SR_OK;
  uint64_t cum = 0;
  char le[40];

  for (size_t b = 0; SR_OK == st && b <= m->n_bounds; b++) {
    cum += sum_bucket (s, b);
    if (b < m->n_bounds)
      snprintf (le, sizeof (le), "%.15g", m->bounds[b]);
    else
      snprintf (le, sizeof (le), "+Inf");
    st = put_sample (out, m, "_bucket", s, le, (double) cum);
  }
  if (SR_OK == st)
    st = put_sample (out, m, "_sum", s, NULL, sum_double (s, true));
  return SR_OK == st ? put_sample (out, m, "_count", s, NULL, (double) cum)
                     : st;
}

static enum sr_status
put_family (struct sr_buf *out, struct sr_metric *m)
{
  static const char *const types[] = { "counter", "gauge", "histogram" };
  enum sr_status st = sr_buf_puts (out, "# HELP ");

  if (SR_OK == st)
    st = sr_buf_puts (out, m->name);
  if (SR_OK == st)
    st = sr_buf_puts (out, " ");
  if (SR_OK == st)
    st = put_escaped (out, m->help, false);
  if (SR_OK == st)
    st = sr_buf_puts (out, "\n# TYPE ");
  if (SR_OK == st)
    st = sr_buf_puts (out, m->name);
  if (SR_OK == st)
    st = sr_buf_puts (out, " ");
  if (SR_OK == st)
    st = sr_buf_puts (out, types[m->type]);
  if (SR_OK == st)
    st = sr_buf_puts (out, "\n");
  for (size_t i = 0; SR_OK == st && i < SR_METRIC_SLOTS; i++) {
    struct sr_metric_series *s
      = atomic_load_explicit (&m->slots[i], memory_order_acquire);

    if (NULL == s)
      continue;
    if (SR_METRIC_HISTOGRAM == m->type) {
      st = put_histogram (out, m, s);
      continue;
    }
    st = put_sample (out, m, "", s, NULL, counter_or_gauge (m, s));
  }
  return st;
}

/* ---- the process (Prometheus's standard process_* names) ---- */

static double
resident_bytes (void)
{
  FILE *f = fopen ("/proc/self/statm", "r");
  unsigned long size = 0, resident = 0;

  if (NULL == f)
    return 0;
  if (2 != fscanf (f, "%lu %lu", &size, &resident))
    resident = 0;
  fclose (f);
  return (double) resident * (double) sysconf (_SC_PAGESIZE);
}

static double
open_fds (void)
{
  DIR *d = opendir ("/proc/self/fd");
  double n = 0;

  if (NULL == d)
    return 0;
  while (NULL != readdir (d))
    n++;
  closedir (d);
  return n > 3 ? n - 3 : 0;   /* ".", ".." and the directory itself */
}

static double
cpu_seconds (void)
{
  struct timespec ts;

  if (0 != clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts))
    return 0;
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static enum sr_status
put_process (struct sr_buf *out)
{
  static const struct {
    const char *name, *type, *help;
  } gauges[] = {
    { "process_resident_memory_bytes", "gauge", "Resident memory size." },
    { "process_open_fds", "gauge", "Open file descriptors." },
    { "process_max_fds", "gauge", "Most open file descriptors allowed." },
    { "process_start_time_seconds", "gauge", "Start time (Unix time)." },
    { "process_cpu_seconds_total", "counter", "CPU time used." },
  };
  double values[] = { resident_bytes (), open_fds (),
                      (double) sysconf (_SC_OPEN_MAX), start_time_s,
                      cpu_seconds () };
  enum sr_status st = SR_OK;
  char line[256];

  for (size_t i = 0; SR_OK == st && i < N_OF (gauges); i++) {
    snprintf (line, sizeof (line), "# HELP %s %s\n# TYPE %s %s\n%s ",
              gauges[i].name, gauges[i].help, gauges[i].name,
              gauges[i].type, gauges[i].name);
    st = sr_buf_puts (out, line);
    if (SR_OK == st)
      st = put_number (out, values[i]);
    if (SR_OK == st)
      st = sr_buf_puts (out, "\n");
  }
  return st;
}

enum sr_status
sr_metrics_render (struct sr_buf *out)
{
  enum sr_status st = SR_OK;
  uint64_t dropped
    = atomic_exchange_explicit (&dropped_updates, 0, memory_order_relaxed);

  if (dropped > 0)
    sr_metric_add (&sr_m_series_dropped, NULL, dropped);
  for (size_t i = 0; SR_OK == st && i < N_OF (families); i++)
    st = put_family (out, families[i]);
  return SR_OK == st ? put_process (out) : st;
}
