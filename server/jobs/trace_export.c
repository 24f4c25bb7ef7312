/*
 * trace_export.c -- see trace_export.h.
 */
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

#define BATCH_MAX 512

struct sr_trace_export {
  const struct sr_config *cfg;
  struct sr_otlp_client *client;
  struct sr_span *batch;              /* BATCH_MAX spans */
  atomic_bool stopping;
  pthread_t thread;
  struct sr_ratelimit warn;           /* a dead collector: one line a minute */
};

static void
send_batch (struct sr_trace_export *e, size_t n)
{
  json_t *body = sr_trace_encode (e->batch, n, e->cfg->otel_service_name,
                                  e->cfg->otel_resource_attributes);
  char *text = NULL != body ? json_dumps (body, JSON_COMPACT) : NULL;
  char err[1200];
  long status;

  json_decref (body);
  if (NULL != text && SR_OK == sr_otlp_client_post (e->client, text,
                                                     strlen (text), &status,
                                                     err, sizeof (err))) {
    sr_metric_add (&sr_m_otel_spans_exported, NULL, n);
  } else {
    sr_metric_add (&sr_m_otel_spans_dropped,
                   (const char *[]) { "export_failed" }, n);
    if (sr_ratelimit_take (&e->warn, sr_now_us ()))
      sr_log (SR_LOG_WARN, "spans not exported", "{s:s, s:I}", "error",
              NULL != text ? err : "out of memory", "spans", (json_int_t) n);
  }
  free (text);
}

static void *
run (void *cls)
{
  struct sr_trace_export *e = cls;

  while (!atomic_load (&e->stopping)) {
    size_t n = sr_trace_take (e->batch, BATCH_MAX, 1000);

    if (n > 0)
      send_batch (e, n);
  }
  /* What was queued before the stop, once. */
  for (size_t n; 0 != (n = sr_trace_take (e->batch, BATCH_MAX, 0));)
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
  e->batch = sr_xcalloc (BATCH_MAX, sizeof (*e->batch));
  sr_ratelimit_init (&e->warn, 1.0 / 60, 1);
  if (NULL == e->client || 0 != pthread_create (&e->thread, NULL, run, e)) {
    sr_otlp_client_free (e->client);
    sr_ratelimit_destroy (&e->warn);
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
  free (e->batch);
  free (e);
}

/* end of trace_export.c */
