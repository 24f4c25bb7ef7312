/*
 * upstream_stats.h -- what an HTTP client's requests came to, for the
 * caller's report: the clients (upstream.h, s3_client.h) fill it without
 * knowing what a sync is, and a sync result (source.h) carries one.
 */
#ifndef SR_UPSTREAM_STATS_H
#define SR_UPSTREAM_STATS_H

#include <stdbool.h>

struct sr_upstream_stats {
  unsigned int requests;         /* upstream HTTP requests made */
  unsigned int retries;          /* of which repeats after 429/5xx/... */
  bool retryable;                /* the failure may pass (network, 429, 5xx,
                                  * database busy); false: config, auth,
                                  * malformed data -- fail at once */
  double retry_after_s;          /* upstream asked to wait this long (0) */
};

#endif /* SR_UPSTREAM_STATS_H */
