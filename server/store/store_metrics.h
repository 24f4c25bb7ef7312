/*
 * store_metrics.h -- the metrics the database holds (queue, freshness,
 * runs), read in one statement for the sampler (server/jobs/metrics_sampler).
 *
 * Threading: the caller's connection.
 */
#ifndef SR_STORE_METRICS_H
#define SR_STORE_METRICS_H

#include <stddef.h>

#include <libpq-fe.h>

#include "status.h"

/** One value: @a metric names it (see sql/queries/metrics_sample.sql),
 * @a label and @a label2 are NULL where it has none; @a value is NAN when
 * the database has none (a source that never succeeded). */
typedef void (*sr_store_metric_cb) (void *cls, const char *metric,
                                    const char *label, const char *label2,
                                    double value);

/**
 * Read every database-held value.
 * @param timezone  the reporting time zone (complete days)
 * @param sources   the sources, a PostgreSQL array literal ("{a,b}")
 * @param bounds    the run-duration bucket bounds, an array literal
 */
enum sr_status sr_store_metrics_sample (PGconn *conn, const char *timezone,
                                        const char *sources,
                                        const char *bounds,
                                        sr_store_metric_cb cb, void *cls,
                                        char *err, size_t errlen);

#endif /* SR_STORE_METRICS_H */
