/*
 * metrics_sampler.h -- reads the metrics the database holds (job queue,
 * dead letters, each source's freshness, runs and their durations) every
 * SIGNALROOM_METRICS_DB_INTERVAL seconds into metrics.h's gauges, so
 * GET /metrics answers from memory: however many scrapers ask, the
 * database sees one read per instance per interval, and a stalled
 * database leaves the last values (and a rising sampled-at age) rather
 * than a stalled scrape.
 *
 * One thread with its own connection (background role: its time limit);
 * sleeps only in the waiter.
 */
#ifndef SR_METRICS_SAMPLER_H
#define SR_METRICS_SAMPLER_H

#include "config.h"
#include "status.h"

struct sr_metrics_sampler;

enum sr_status sr_metrics_sampler_start (const struct sr_config *cfg,
                                         struct sr_metrics_sampler **out);

/** Stop and join the thread (NULL: nothing). */
void sr_metrics_sampler_stop (struct sr_metrics_sampler *s);

#endif /* SR_METRICS_SAMPLER_H */
