/*
 * trace_export.h -- the exporter thread: takes finished spans from
 * trace.h's queue, in batches of up to 512 or whatever a second brought,
 * and posts them to the collector (sources/otlp_export.h).  A batch the
 * collector refuses or does not take in time is dropped and counted; the
 * queue meanwhile fills and drops at its end, so requests never wait.
 *
 * At stop, what is queued is sent once more, within two seconds (an
 * export still hanging then is cut off), then the thread ends.
 */
#ifndef SR_TRACE_EXPORT_H
#define SR_TRACE_EXPORT_H

#include "config.h"
#include "status.h"

struct sr_trace_export;

/** Start the thread; *@a out NULL (and SR_OK) when tracing is off. */
enum sr_status sr_trace_export_start (const struct sr_config *cfg,
                                      struct sr_trace_export **out);

/** Flush, stop and join (NULL: nothing). */
void sr_trace_export_stop (struct sr_trace_export *e);

#endif /* SR_TRACE_EXPORT_H */
