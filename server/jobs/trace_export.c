/*
 * trace_export.c -- see trace_export.h.
 */
#define _GNU_SOURCE 1   /* pthread_setname_np */
#include "trace_export.h"
#include "log.h"
#include "mem.h"
#include "metrics.h"
#include "otlp_export.h"
#include "ratelimit.h"
#include "clock.h"
#include "trace.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct sr_trace_export {
  const struct sr_config *cfg;
  struct sr_otlp_client *client;
  struct sr_span *batch;              /* batch_max spans */
  size_t batch_max;
  atomic_bool stopping;
  pthread_t thread;
  struct sr_ratelimit warn;           /* a dead collector: one line a minute */
  struct sr_buf body;                 /* one batch's JSON, reused */
};

static void
send_batch (struct sr_trace_export *e, size_t n)
{
  char err[1200] = "the batch is over its size cap";
  long status;
  bool sent;

  sr_buf_reset (&e->body);
  sent = SR_OK == sr_trace_encode (e->batch, n, e->cfg->otel_service_name,
                                   e->cfg->otel_resource_attributes,
                                   &e->body)
         && SR_OK == sr_otlp_client_post (e->client, e->body.data,
                                          e->body.len, &status, err,
                                          sizeof (err));
  if (sent) {
    sr_metric_add (&sr_m_otel_spans_exported, NULL, n);
    return;
  }
  sr_metric_add (&sr_m_otel_spans_dropped,
                 (const char *[]) { "export_failed" }, n);
  if (sr_ratelimit_take (&e->warn, sr_now_us ()))
    sr_log (SR_LOG_WARN, "spans not exported", "{s:s, s:I}", "error", err,
            "spans", (json_int_t) n);
}

static void *
run (void *cls)
{
  struct sr_trace_export *e = cls;

  /* named, so its CPU can be told apart (bench_obs.sh reads it) */
  (void) pthread_setname_np (pthread_self (), "sr-trace-export");
  while (!atomic_load (&e->stopping)) {
    size_t n = sr_trace_take (e->batch, e->batch_max,
                              (int) e->cfg->otel_schedule_delay_ms);

    if (n > 0)
      send_batch (e, n);
  }
  /* What was queued before the stop, once. */
  for (size_t n; 0 != (n = sr_trace_take (e->batch, e->batch_max, 0));)
    send_batch (e, n);
  return NULL;
}

enum sr_status
sr_trace_export_start (const struct sr_config *cfg,
                       struct sr_trace_export **out)
{
  struct sr_trace_export *e;

  *out = NULL;
  if (!sr_trace_enabled ())
    return SR_OK;
  e = sr_xcalloc (1, sizeof (*e));
  e->cfg = cfg;
  e->client = sr_otlp_client_new (cfg);
  e->batch_max = sr_trace_batch_max ();
  e->batch = sr_xcalloc (e->batch_max, sizeof (*e->batch));
  sr_ratelimit_init (&e->warn, 1.0 / 60, 1);
  /* a batch of spans of at most a few KiB each */
  sr_buf_init (&e->body, 8u * 1024 * 1024);
  if (NULL == e->client || 0 != pthread_create (&e->thread, NULL, run, e)) {
    sr_otlp_client_free (e->client);
    sr_ratelimit_destroy (&e->warn);
    sr_buf_clean (&e->body);
    free (e->batch);
    free (e);
    return SR_E_INTERNAL;
  }
  *out = e;
  return SR_OK;
}

void
sr_trace_export_stop (struct sr_trace_export *e)
{
  if (NULL == e)
    return;
  /* What is queued gets one more try, for at most two seconds: a
   * hanging collector must not hold the shutdown. */
  sr_otlp_client_deadline (e->client, sr_now_us () + 2000000u);
  atomic_store (&e->stopping, true);
  sr_trace_shutdown ();
  pthread_join (e->thread, NULL);
  sr_otlp_client_free (e->client);
  sr_ratelimit_destroy (&e->warn);
  sr_buf_clean (&e->body);
  free (e->batch);
  free (e);
}

/* end of trace_export.c */
