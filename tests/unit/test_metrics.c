/*
 * test_metrics.c -- the metrics module (server/base/metrics.h): series
 * lookup, counters, gauges, histograms, label escaping, the series bound,
 * concurrent updates, and the text exposition line by line.  The expected
 * lines are written out here by hand from the format's rules.
 */
#include "check.h"
#include "metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The exposition as it is now (caller frees). */
static char *
render (void)
{
  struct sr_buf b;
  size_t len;

  sr_buf_init (&b, 8u * 1024 * 1024);
  if (SR_OK != sr_metrics_render (&b)) {
    sr_buf_clean (&b);
    return NULL;
  }
  return sr_buf_steal (&b, &len);
}

/* Is @a line one whole line of the exposition? */
static bool
has_line (const char *text, const char *line)
{
  size_t n = strlen (line);

  for (const char *p = text; NULL != p && '\0' != *p;) {
    const char *nl = strchr (p, '\n');
    size_t len = NULL != nl ? (size_t) (nl - p) : strlen (p);

    if (len == n && 0 == memcmp (p, line, n))
      return true;
    p = NULL != nl ? nl + 1 : NULL;
  }
  return false;
}

SR_TEST (test_counter_lines)
{
  const char *hit[] = { "hit" }, *miss[] = { "miss" };
  char *text;

  sr_metric_add (&sr_m_report_cache, hit, 2);
  sr_metric_add (&sr_m_report_cache, hit, 1);
  sr_metric_add (&sr_m_report_cache, miss, 1);
  CHECK (3 == sr_metric_value (&sr_m_report_cache, hit));
  text = render ();
  REQUIRE (NULL != text);
  CHECK (has_line (text, "# HELP signalroom_report_cache_requests_total "
                   "Report requests answered from the in-memory cache (hit) "
                   "or rendered (miss)."));
  CHECK (has_line (text, "# TYPE signalroom_report_cache_requests_total "
                   "counter"));
  CHECK (has_line (text, "signalroom_report_cache_requests_total"
                   "{result=\"hit\"} 3"));
  CHECK (has_line (text, "signalroom_report_cache_requests_total"
                   "{result=\"miss\"} 1"));
  free (text);
}

SR_TEST (test_gauges_and_scaled_counter)
{
  const char *up[] = { "unit-upstream" };
  char *text;

  sr_metric_gauge_add (&sr_m_http_in_flight, NULL, 3);
  sr_metric_gauge_add (&sr_m_http_in_flight, NULL, -1);
  sr_metric_set (&sr_m_dead_letters, NULL, 7);
  sr_metric_set (&sr_m_dead_letters, NULL, 4);     /* a set replaces */
  sr_metric_add (&sr_m_upstream_wait, up, 1500000);     /* microseconds */
  sr_metric_add (&sr_m_upstream_wait, up, 250000);
  text = render ();
  REQUIRE (NULL != text);
  CHECK (has_line (text, "signalroom_http_requests_in_flight 2"));
  CHECK (has_line (text, "signalroom_dead_letters 4"));
  CHECK (has_line (text, "signalroom_upstream_wait_seconds_total"
                   "{upstream=\"unit-upstream\"} 1.75"));
  free (text);
}

SR_TEST (test_histogram_buckets)
{
  const char *r[] = { "/unit/{id}" };
  char *text;

  /* A value equal to a bound falls in that bucket (le: less or equal). */
  sr_metric_observe (&sr_m_http_duration, r, 0.001);
  sr_metric_observe (&sr_m_http_duration, r, 0.0011);
  sr_metric_observe (&sr_m_http_duration, r, 0.3);
  sr_metric_observe (&sr_m_http_duration, r, 99);
  text = render ();
  REQUIRE (NULL != text);
  CHECK (has_line (text, "# TYPE signalroom_http_request_duration_seconds "
                   "histogram"));
  CHECK (has_line (text, "signalroom_http_request_duration_seconds_bucket"
                   "{route=\"/unit/{id}\",le=\"0.001\"} 1"));
  CHECK (has_line (text, "signalroom_http_request_duration_seconds_bucket"
                   "{route=\"/unit/{id}\",le=\"0.0025\"} 2"));
  CHECK (has_line (text, "signalroom_http_request_duration_seconds_bucket"
                   "{route=\"/unit/{id}\",le=\"0.25\"} 2"));
  CHECK (has_line (text, "signalroom_http_request_duration_seconds_bucket"
                   "{route=\"/unit/{id}\",le=\"0.5\"} 3"));
  CHECK (has_line (text, "signalroom_http_request_duration_seconds_bucket"
                   "{route=\"/unit/{id}\",le=\"10\"} 3"));
  CHECK (has_line (text, "signalroom_http_request_duration_seconds_bucket"
                   "{route=\"/unit/{id}\",le=\"+Inf\"} 4"));
  CHECK (has_line (text, "signalroom_http_request_duration_seconds_count"
                   "{route=\"/unit/{id}\"} 4"));
  CHECK (has_line (text, "signalroom_http_request_duration_seconds_sum"
                   "{route=\"/unit/{id}\"} 99.3021"));
  free (text);
}

SR_TEST (test_histogram_set_from_totals)
{
  /* bounds 0.1 0.5 1 5 10 30 60 120 300 900 1800 3600 */
  uint64_t cum[12] = { 0, 1, 1, 3, 3, 3, 3, 3, 3, 3, 3, 3 };
  const char *src[] = { "unit-source" };
  char *text;

  sr_metric_histogram_set (&sr_m_sync_duration, src, cum, 5, 42.5);
  text = render ();
  REQUIRE (NULL != text);
  CHECK (has_line (text, "signalroom_sync_run_duration_seconds_bucket"
                   "{source=\"unit-source\",le=\"0.1\"} 0"));
  CHECK (has_line (text, "signalroom_sync_run_duration_seconds_bucket"
                   "{source=\"unit-source\",le=\"0.5\"} 1"));
  CHECK (has_line (text, "signalroom_sync_run_duration_seconds_bucket"
                   "{source=\"unit-source\",le=\"5\"} 3"));
  CHECK (has_line (text, "signalroom_sync_run_duration_seconds_bucket"
                   "{source=\"unit-source\",le=\"3600\"} 3"));
  CHECK (has_line (text, "signalroom_sync_run_duration_seconds_bucket"
                   "{source=\"unit-source\",le=\"+Inf\"} 5"));
  CHECK (has_line (text, "signalroom_sync_run_duration_seconds_sum"
                   "{source=\"unit-source\"} 42.5"));
  free (text);
  /* Read again with fewer (a source's runs deleted): replaced, not added. */
  cum[1] = cum[2] = 0;
  sr_metric_histogram_set (&sr_m_sync_duration, src, cum, 3, 1);
  text = render ();
  REQUIRE (NULL != text);
  CHECK (has_line (text, "signalroom_sync_run_duration_seconds_bucket"
                   "{source=\"unit-source\",le=\"1\"} 0"));
  CHECK (has_line (text, "signalroom_sync_run_duration_seconds_count"
                   "{source=\"unit-source\"} 3"));
  free (text);
}

SR_TEST (test_label_values_escaped_and_bounded)
{
  const char *odd[] = { "a\"b\\c\nd", "GET", "200" };
  char longer[300], text_want[400];
  const char *l1[] = { longer, "GET", "200" };
  char *text;

  sr_metric_add (&sr_m_http_requests, odd, 1);
  memset (longer, 'x', sizeof (longer) - 1);
  longer[sizeof (longer) - 1] = '\0';
  sr_metric_add (&sr_m_http_requests, l1, 1);
  longer[200] = 'y';     /* differs only past what is kept: same series */
  sr_metric_add (&sr_m_http_requests, l1, 1);
  text = render ();
  REQUIRE (NULL != text);
  CHECK (has_line (text, "signalroom_http_requests_total{route=\"a\\\"b\\\\c"
                   "\\nd\",method=\"GET\",status=\"200\"} 1"));
  snprintf (text_want, sizeof (text_want), "signalroom_http_requests_total"
            "{route=\"%.*s\",method=\"GET\",status=\"200\"} 2",
            SR_METRIC_LABEL_VALUE_MAX, longer);
  CHECK (has_line (text, text_want));
  free (text);
}

SR_TEST (test_series_bound)
{
  char name[32], *text;
  const char *v[] = { name, "t", "inserted" };
  double before = sr_metric_value (&sr_m_series_dropped, NULL);

  for (int i = 0; i < SR_METRIC_SERIES_MAX + 20; i++) {
    snprintf (name, sizeof (name), "bound-%d", i);
    sr_metric_add (&sr_m_rows, v, 1);
  }
  CHECK_INT_EQ (atomic_load (&sr_m_rows.n_series), SR_METRIC_SERIES_MAX);
  snprintf (name, sizeof (name), "bound-%d", SR_METRIC_SERIES_MAX + 5);
  CHECK (0 == sr_metric_value (&sr_m_rows, v));     /* never kept */
  snprintf (name, sizeof (name), "bound-%d", 3);
  CHECK (1 == sr_metric_value (&sr_m_rows, v));     /* earlier ones are */
  text = render ();      /* the drops are counted at the next scrape */
  REQUIRE (NULL != text);
  free (text);
  CHECK (sr_metric_value (&sr_m_series_dropped, NULL) - before >= 20);
}

#define THREADS 4
#define ADDS 100000

static void *
adder (void *cls)
{
  const char *v[] = { "unit", (const char *) cls };

  for (int i = 0; i < ADDS; i++) {
    sr_metric_add (&sr_m_upstream_requests, v, 1);
    sr_metric_observe (&sr_m_job_duration, v, 0.2);
  }
  return NULL;
}

SR_TEST (test_concurrent_updates_exact)
{
  pthread_t t[THREADS];
  /* Two threads per series: a new series is raced for, then shared. */
  const char *classes[THREADS] = { "2xx", "5xx", "2xx", "5xx" };
  const char *two[] = { "unit", "2xx" }, *five[] = { "unit", "5xx" };
  const char *kind[] = { "unit" };

  for (int i = 0; i < THREADS; i++)
    REQUIRE (0 == pthread_create (&t[i], NULL, adder, (void *) classes[i]));
  for (int i = 0; i < THREADS; i++)
    pthread_join (t[i], NULL);
  CHECK (2.0 * ADDS == sr_metric_value (&sr_m_upstream_requests, two));
  CHECK (2.0 * ADDS == sr_metric_value (&sr_m_upstream_requests, five));
  CHECK ((double) THREADS * ADDS == sr_metric_value (&sr_m_job_duration,
                                                     kind));
}

/* Each thread updates its own shard of a series: what a scrape reads is
 * their sum, and a set (the database's totals) replaces every shard. */
#define SHARD_OPS 1000

static void *
shard_worker (void *cls)
{
  const char *src[] = { "shard-source" }, *g[] = { "unit-gauge" };
  double step = *(const double *) cls;

  for (int i = 0; i < SHARD_OPS; i++) {
    sr_metric_observe (&sr_m_sync_duration, src, 2.0);
    sr_metric_gauge_add (&sr_m_db_connections, g, step);
  }
  return NULL;
}

SR_TEST (test_shards_sum_and_set)
{
  /* +1 on one thread, -1 on another: a gauge such as requests in flight,
   * raised and lowered on different threads */
  double steps[] = { 1, -1, 1 };
  const char *g[] = { "unit-gauge" };
  uint64_t cum[12] = { 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
  pthread_t t[3];
  char *text;

  for (int i = 0; i < 3; i++)
    REQUIRE (0 == pthread_create (&t[i], NULL, shard_worker, &steps[i]));
  for (int i = 0; i < 3; i++)
    pthread_join (t[i], NULL);
  CHECK (SHARD_OPS == sr_metric_value (&sr_m_db_connections, g));
  text = render ();
  REQUIRE (NULL != text);
  CHECK (has_line (text, "signalroom_sync_run_duration_seconds_bucket"
                   "{source=\"shard-source\",le=\"5\"} 3000"));
  CHECK (has_line (text, "signalroom_sync_run_duration_seconds_sum"
                   "{source=\"shard-source\"} 6000"));
  CHECK (has_line (text, "signalroom_sync_run_duration_seconds_count"
                   "{source=\"shard-source\"} 3000"));
  free (text);
  sr_metric_histogram_set (&sr_m_sync_duration,
                           (const char *[]) { "shard-source" }, cum, 1, 7);
  text = render ();
  REQUIRE (NULL != text);
  CHECK (has_line (text, "signalroom_sync_run_duration_seconds_bucket"
                   "{source=\"shard-source\",le=\"+Inf\"} 1"));
  CHECK (has_line (text, "signalroom_sync_run_duration_seconds_sum"
                   "{source=\"shard-source\"} 7"));
  free (text);
}

SR_TEST (test_status_class)
{
  CHECK_STR_EQ (sr_metrics_status_class (200), "2xx");
  CHECK_STR_EQ (sr_metrics_status_class (429), "4xx");
  CHECK_STR_EQ (sr_metrics_status_class (599), "5xx");
  CHECK_STR_EQ (sr_metrics_status_class (0), "error");
  CHECK_STR_EQ (sr_metrics_status_class (600), "error");
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_counter_lines),
              SR_TEST_ENTRY (test_gauges_and_scaled_counter),
              SR_TEST_ENTRY (test_histogram_buckets),
              SR_TEST_ENTRY (test_histogram_set_from_totals),
              SR_TEST_ENTRY (test_label_values_escaped_and_bounded),
              SR_TEST_ENTRY (test_series_bound),
              SR_TEST_ENTRY (test_concurrent_updates_exact),
              SR_TEST_ENTRY (test_shards_sum_and_set),
              SR_TEST_ENTRY (test_status_class))
