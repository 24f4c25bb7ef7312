/*
 * bench_metrics.c -- the cost of GET /metrics's body on a busy instance:
 * every family filled as 50 route templates and 10 sources would fill it
 * (each route with GET/POST and four statuses and its latency histogram;
 * each source with its runs, run-duration histogram, rows by three tables
 * and four actions, upstream classes, freshness), then the exposition
 * rendered 2,000 times.  Prints the samples, bytes, and the median and
 * p99 time of one render (target: p99 under 5 ms for the whole answer),
 * and the cost of one counter update and one histogram observation on
 * an existing series, the hot path of every request.
 *
 *   ./tests/bench_metrics
 */
#include "clock.h"
#include "metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RENDERS 2000
#define UPDATES 5000000

/* Seconds on the monotonic clock (clock.h's). */
static double
now_s (void)
{
  return (double) sr_now_us () / 1e6;
}

static int
by_value (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
fill (void)
{
  static const char *const statuses[] = { "200", "304", "404", "503" };
  static const char *const methods[] = { "GET", "POST" };
  static const char *const actions[] = { "inserted", "updated", "deleted",
                                         "rejected" };
  static const char *const outcomes[] = { "succeeded", "failed",
                                          "cancelled" };
  static const char *const classes[] = { "2xx", "4xx", "5xx", "error" };
  char route[64], source[32], table[64];
  uint64_t cum[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

  for (int r = 0; r < 50; r++) {
    snprintf (route, sizeof (route), "/v1/resource-%02d/{id}", r);
    for (int m = 0; m < 2; m++)
      for (int s = 0; s < 4; s++)
        sr_metric_add (&sr_m_http_requests, (const char *[]) {
                         route, methods[m], statuses[s] }, 1000);
    sr_metric_observe (&sr_m_http_duration, (const char *[]) { route },
                       0.004);
  }
  for (int i = 0; i < 10; i++) {
    snprintf (source, sizeof (source), "source_%02d", i);
    for (int o = 0; o < 3; o++)
      sr_metric_set (&sr_m_sync_runs, (const char *[]) { source,
                                                         outcomes[o] }, 42);
    sr_metric_histogram_set (&sr_m_sync_duration, (const char *[]) {
                               source }, cum, 13, 99.5);
    for (int t = 0; t < 3; t++) {
      snprintf (table, sizeof (table), "%s.table_%d", source, t);
      for (int a = 0; a < 4; a++)
        sr_metric_add (&sr_m_rows, (const char *[]) { source, table,
                                                      actions[a] }, 7);
    }
    for (int c = 0; c < 4; c++)
      sr_metric_add (&sr_m_upstream_requests, (const char *[]) {
                       source, classes[c] }, 3);
    sr_metric_set (&sr_m_source_last_success, (const char *[]) { source },
                   1.7e9);
    sr_metric_set (&sr_m_source_complete_day, (const char *[]) { source },
                   1.7e9);
  }
}

int
main (void)
{
  static double t[RENDERS];
  const char *hot[] = { "/v1/resource-07/{id}", "GET", "200" };
  struct sr_buf b;
  size_t samples = 0, bytes = 0;
  double t0;

  fill ();
  sr_buf_init (&b, 16u * 1024 * 1024);
  for (int i = 0; i < RENDERS; i++) {
    sr_buf_reset (&b);
    t0 = now_s ();
    if (SR_OK != sr_metrics_render (&b)) {
      fprintf (stderr, "render failed\n");
      return 1;
    }
    t[i] = now_s () - t0;
  }
  bytes = b.len;
  for (size_t i = 0; i < b.len; i++)
    samples += '\n' == b.data[i] && i + 1 < b.len && '#' != b.data[i + 1];
  qsort (t, RENDERS, sizeof (t[0]), by_value);
  printf ("exposition: %zu samples, %zu bytes; render median %.3f ms, "
          "p99 %.3f ms (%d renders; target p99 < 5 ms)\n", samples, bytes,
          t[RENDERS / 2] * 1e3, t[RENDERS * 99 / 100] * 1e3, RENDERS);
  t0 = now_s ();
  for (int i = 0; i < UPDATES; i++)
    sr_metric_add (&sr_m_http_requests, hot, 1);
  printf ("counter update on an existing series: %.1f ns\n",
          (now_s () - t0) / UPDATES * 1e9);
  t0 = now_s ();
  for (int i = 0; i < UPDATES; i++)
    sr_metric_observe (&sr_m_http_duration, hot, 0.003);
  printf ("histogram observation on an existing series: %.1f ns\n",
          (now_s () - t0) / UPDATES * 1e9);
  sr_buf_clean (&b);
  return 0;
}
