/*
 * store_runs.h -- runs: creating one (one per source for "all", idempotent by key, refused when it overlaps an active run), reading, listing, cancelling.
 *
 * The logic is in SQL functions (sql/migrations); these wrappers bind
 * parameters and read typed rows.  Threading: the caller's connection.
 */
#ifndef SR_STORE_RUNS_H
#define SR_STORE_RUNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "status.h"

/** What creating a run did. */
enum sr_run_outcome {
  SR_RUN_CREATED,           /* a new run: run_id */
  SR_RUN_EXISTING,          /* the Idempotency-Key's first run: run_id */
  SR_RUN_OVERLAPS,          /* an active run of `source` overlaps: run_id
                             * is that run */
  SR_RUN_KEY_REUSED,        /* the key named another request: run_id is
                             * its run */
};

struct sr_run_created {
  enum sr_run_outcome outcome;
  int64_t run_id;
  char source[32];          /* SR_RUN_OVERLAPS: the source that overlaps */
};

/**
 * Create a run (see signalroom.create_run): for "all" one child run per
 * source, each with its jobs, atomically.
 * @param windows      JSON object source -> [from, to] (borrowed)
 * @param fingerprint  with @a idempotency_key: what the client asked for,
 *                     so the key reused for another request is told apart
 */
enum sr_status sr_store_create_run (PGconn *conn, const char *source,
                                    const json_t *windows, bool force,
                                    const char *idempotency_key,
                                    const char *fingerprint,
                                    const char *requested_by,
                                    const char *schedule,
                                    struct sr_run_created *out, char *err,
                                    size_t errlen);

/** A run as JSON (signalroom.run_json); *out NULL when there is none. */
enum sr_status sr_store_run_get (PGconn *conn, int64_t run_id, json_t **out,
                                 char *err, size_t errlen);

/** A page of top-level runs, newest first (NULL filters: any). */
enum sr_status sr_store_runs_list (PGconn *conn, const char *source,
                                   const char *status, const char *date,
                                   int64_t before_id, unsigned int limit,
                                   json_t **out, char *err, size_t errlen);

/** Cancel a run; @a status gets its status after ("" when no such run). */
enum sr_status sr_store_run_cancel (PGconn *conn, int64_t run_id,
                                    char status[16], char *err,
                                    size_t errlen);

#endif /* SR_STORE_RUNS_H */
