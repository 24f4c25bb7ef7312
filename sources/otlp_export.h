/*
 * otlp_export.h -- the OTLP/HTTP client: posts one JSON batch of spans
 * (trace.h's encoding) to the collector.
 *
 * One client per thread (the exporter's).  Never retries: a batch the
 * collector refuses, or does not take within OTEL_EXPORTER_OTLP_TIMEOUT,
 * is lost and counted by the caller, so a sick collector costs at most
 * one timeout per batch and never a request's time.
 */
#ifndef SR_OTLP_EXPORT_H
#define SR_OTLP_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "config.h"
#include "status.h"

struct sr_otlp_client;

/** @return NULL when tracing has no endpoint. */
struct sr_otlp_client *sr_otlp_client_new (const struct sr_config *cfg);

void sr_otlp_client_free (struct sr_otlp_client *c);

/** Abort any export still running at monotonic time @a deadline_us (from
 * another thread: shutdown bounds the last flush). */
void sr_otlp_client_deadline (struct sr_otlp_client *c, uint64_t deadline_us);

/**
 * POST one JSON body made of @a n_parts pieces (in order, read in place:
 * a batch is sent from where its spans were encoded).
 * @param[out] http_status  the answer's status (0: none)
 * @return SR_OK on 2xx, else SR_E_UPSTREAM with @a err
 */
enum sr_status sr_otlp_client_post (struct sr_otlp_client *c,
                                    const struct sr_bytes *parts,
                                    size_t n_parts, long *http_status,
                                    char *err, size_t errlen);

#endif /* SR_OTLP_EXPORT_H */
