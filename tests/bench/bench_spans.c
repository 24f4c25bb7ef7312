/*
 * bench_spans.c -- what one traced HTTP request's server span costs the
 * thread that makes it: start (ids, clock), the five attributes the HTTP
 * layer sets, its end (encoded as OTLP JSON into the export queue), and
 * the exporter's share (taking the batch, wrapping it as a request body;
 * not the POST).  One thread, then two at once (the HTTP threads), each
 * against the same work without tracing as the baseline.
 */
#include "clock.h"
#include "span_queue.h"
#include "trace.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define SPANS 400000

/* Seconds on the monotonic clock (clock.h's). */
static double
now_s (void)
{
  return (double) sr_now_us () / 1e6;
}

/* The HTTP layer's calls for one request (server/http/http.c). */
static void
one_request (void)
{
  struct sr_trace_ctx parent;
  struct sr_span s;

  (void) sr_trace_parse (NULL, NULL, &parent);
  sr_span_start (&s, "GET", SR_SPAN_SERVER, &parent);
  sr_span_set_str (&s, "http.request.method", "GET");
  sr_span_set_str (&s, "url.path", "/v1/reports/daily-summary");
  sr_span_set_str (&s, "url.scheme", "http");
  {
    char request_id[33];   /* a request that starts its trace: its id */

    (void) sr_span_root_trace_id (&s, request_id);
  }
  sr_span_name (&s, "GET", "/v1/reports/daily-summary");
  sr_span_set_str (&s, "http.route", "/v1/reports/daily-summary");
  sr_span_set_int (&s, "http.response.status_code", 200);
  sr_span_end (&s);
}

static void *
requests (void *cls)
{
  size_t n = *(const size_t *) cls;

  for (size_t i = 0; i < n; i++)
    one_request ();
  return NULL;
}

static volatile int stop_exporter;

/* Takes and wraps batches as the exporter does, without sending. */
static void *
exporter (void *cls)
{
  struct sr_buf head;
  struct sr_bytes parts[SR_TRACE_EXPORT_PARTS];
  size_t *taken = cls;

  sr_buf_init (&head, 1u << 16);
  (void) sr_trace_export_head ("bench", NULL, &head);
  for (;;) {
    struct sr_span_batch *b = sr_span_queue_take (stop_exporter ? 0 : 20);

    if (NULL == b) {
      if (stop_exporter)
        break;
      continue;
    }
    (void) sr_trace_export_parts (b, &head, parts);
    *taken += sr_span_batch_count (b);
    sr_span_batch_free (b);
  }
  sr_buf_clean (&head);
  return NULL;
}

/* ns per request on each of @a threads threads, with or without tracing. */
static double
run (int threads, bool traced, size_t *exported)
{
  struct sr_trace_settings ts = { .enabled = traced, .ratio = 1,
                                  .queue_max = 1u << 20, .batch_max = 512 };
  pthread_t t[2], e;
  size_t n = SPANS;
  char err[200];
  double t0, secs;

  if (SR_OK != sr_trace_init (&ts, err, sizeof (err))) {
    fprintf (stderr, "%s\n", err);
    exit (1);
  }
  *exported = 0;
  stop_exporter = 0;
  if (traced && 0 != pthread_create (&e, NULL, exporter, exported))
    exit (1);
  t0 = now_s ();
  for (int i = 0; i < threads; i++)
    if (0 != pthread_create (&t[i], NULL, requests, &n))
      exit (1);
  for (int i = 0; i < threads; i++)
    pthread_join (t[i], NULL);
  stop_exporter = 1;
  if (traced)
    pthread_join (e, NULL);
  secs = now_s () - t0;
  return secs / SPANS * 1e9;
}

int
main (void)
{
  size_t exported;

  for (int threads = 1; threads <= 2; threads++) {
    double off = run (threads, false, &exported);
    double on = run (threads, true, &exported);

    printf ("server span, %d thread%s: %.0f ns per request traced, %.0f ns "
            "untraced (the calls alone): %.0f ns of tracing per span "
            "(exporter's take and wrap included; %zu of %d exported)\n",
            threads, 1 == threads ? "" : "s at once", on, off, on - off,
            exported, threads * SPANS);
  }
  return 0;
}
