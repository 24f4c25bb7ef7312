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
#include <sys/resource.h>
#include <unistd.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct sr_trace_export {
  const struct sr_config *cfg;
  struct sr_otlp_client *client;
  atomic_bool stopping;
  pthread_t thread;
  struct sr_ratelimit warn;           /* a dead collector: one line a minute */
  struct sr_buf head;                 /* every export body's start */
};

/* Send @a batch and free it. */
static void
send_batch (struct sr_trace_export *e, struct sr_span_batch *batch)
{
  char err[1200];
  size_t n = sr_span_batch_count (batch);
  struct sr_bytes parts[SR_TRACE_EXPORT_PARTS];
  long status;
  bool sent;

  (void) sr_trace_export_parts (batch, &e->head, parts);
  sent = SR_OK == sr_otlp_client_post (e->client, parts,
                                       SR_TRACE_EXPORT_PARTS, &status, err,
                                       sizeof (err));
  sr_span_batch_free (batch);
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
  /* Below the threads that answer requests: when the cores are busy the
   * export waits for a gap instead of preempting a request (Linux: a
   * thread's nice value is its own).  It needs little CPU; a queue that
   * still fills drops and counts, as with a slow collector. */
  (void) setpriority (PRIO_PROCESS, (id_t) gettid (), 10);
  while (!atomic_load (&e->stopping)) {
    struct sr_span_batch *b
      = sr_span_queue_take ((int) e->cfg->otel_schedule_delay_ms);

    if (NULL != b)
      send_batch (e, b);
  }
  /* What was queued before the stop, once. */
  for (struct sr_span_batch *b; NULL != (b = sr_span_queue_take (0));)
    send_batch (e, b);
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
  sr_ratelimit_init (&e->warn, 1.0 / 60, 1);
  /* the resource: a few attributes of at most 1 KiB of configuration */
  sr_buf_init (&e->head, 64u * 1024);
  if (NULL == e->client
      || SR_OK != sr_trace_export_head (cfg->otel_service_name,
                                        cfg->otel_resource_attributes,
                                        &e->head)
      || 0 != pthread_create (&e->thread, NULL, run, e)) {
    sr_otlp_client_free (e->client);
    sr_ratelimit_destroy (&e->warn);
    sr_buf_clean (&e->head);
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
  sr_span_queue_shutdown ();
  pthread_join (e->thread, NULL);
  sr_otlp_client_free (e->client);
  sr_ratelimit_destroy (&e->warn);
  sr_buf_clean (&e->head);
  free (e);
}

/* end of trace_export.c */
