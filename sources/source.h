/*
 * source.h -- the interface every upstream source implements.
 *
 * A source knows which configuration it needs and how to bring one date
 * window [from, to] (inclusive, calendar days in the reporting time zone)
 * into its tables.  A sync either replaces the window's rows completely,
 * in one transaction, or writes nothing; the result says exactly what
 * happened.  The CLI (`signalroom sync`) and the job runner drive every
 * source through this one table, the same way.
 *
 * Threading: a struct sr_sync_ctx belongs to one thread (its PGconn and
 * curl handle are never shared).  Sources keep no global mutable state.
 */
#ifndef SR_SOURCE_H
#define SR_SOURCE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "config.h"
#include "store_windows.h"
#include "status.h"
#include "upstream_stats.h"

struct sr_upstream;

/** Everything a sync may use; owned by the caller. */
struct sr_sync_ctx {
  const struct sr_config *cfg;
  PGconn *conn;                  /* this thread's connection */
  struct sr_upstream *http;      /* this thread's HTTP client */
  bool force;                    /* reload even what is unchanged */
  bool explicit_window;          /* from/to were asked for (else the
                                  * source's default, see below) */
  const struct sr_commit_hook *commit_hook; /* run before the data's COMMIT */
  int64_t run_id;                /* the job's run; 0 outside the queue */
  const atomic_int *stop;        /* non-zero: stop now (a job's cancel or
                                  * lost lease, see jobs.h); NULL: never.
                                  * The HTTP clients watch it, so a
                                  * transfer in progress aborts. */
};

/** What a sync did.  Counts are rows of the source's tables. */
struct sr_sync_result {
  char source[32];
  char from[11];
  char to[11];
  uint64_t fetched;              /* rows received from upstream */
  uint64_t inserted;
  uint64_t updated;              /* existing rows whose values changed */
  uint64_t deleted;              /* rows gone upstream, removed here */
  uint64_t skipped;              /* rows received but not storable */
  const char *table;             /* static: the one table the counts are
                                  * of, for the metrics; NULL when the
                                  * source counts its own (S3, per
                                  * object's table) */
  struct sr_upstream_stats http; /* requests, retries, whether a failure
                                  * may pass, Retry-After */
  double seconds;
  json_t *details;               /* source-specific extras, may be NULL */
  char error[1024];              /* "" on success */
};

/* What a source needs and its default window are data in the catalogue
 * (server/base/catalog.h), under the same name. */
struct sr_source {
  const char *name;
  /**
   * Replace the rows of [from, to] with what upstream reports now.
   * Fills @a res (error included) and returns the status.
   */
  enum sr_status (*sync) (struct sr_sync_ctx *ctx, const char *from,
                          const char *to, struct sr_sync_result *res);
};

/** @return the source called @a name, or NULL. */
const struct sr_source *sr_source_find (const char *name);

/** All sources, NULL-terminated. */
extern const struct sr_source *const sr_sources[];

/**
 * Which of the source's required variables (catalog.h) are missing.
 * @a missing gets them comma-separated ("" when none).
 * @return true when configured
 */
bool sr_source_configured (const struct sr_source *src,
                           const struct sr_config *cfg, char *missing,
                           size_t len);

/**
 * Run one sync with timing, logging and the result filled in.
 */
enum sr_status sr_source_run (const struct sr_source *src,
                              struct sr_sync_ctx *ctx, const char *from,
                              const char *to, struct sr_sync_result *res);

/**
 * Record a failure in @a res as "<source> <from>..<to>: <message>" and
 * return @a st, so sources can "return sr_sync_fail (res, st, ...)".
 */
enum sr_status sr_sync_fail (struct sr_sync_result *res, enum sr_status st,
                             const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));

/** The result as a JSON object (new reference). */
json_t *sr_sync_result_json (const struct sr_sync_result *res);

/** Free what a result holds (details). */
void sr_sync_result_clean (struct sr_sync_result *res);

#endif /* SR_SOURCE_H */
