/*
 * store_jobs.h -- the job queue's SQL (sql/migrations/0007_jobs.sql holds
 * the logic as functions; these wrappers bind parameters and read rows).
 */
#ifndef SR_STORE_JOBS_H
#define SR_STORE_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "status.h"

/** A claimed job. */
struct sr_job {
  int64_t id;
  int64_t run_id;
  char kind[16];            /* sync, plan, object, noop */
  char source[32];
  char from[11];            /* "" when the job has no window */
  char to[11];
  char *object_key;         /* owned; "" unless kind is object */
  json_t *object_meta;      /* owned; {} unless kind is object */
  bool force;
  int attempts;             /* including this one */
  int max_attempts;
};

void sr_job_clean (struct sr_job *job);

/**
 * Create a run (see signalroom.create_run).
 * @param windows  JSON object source -> [from, to] (borrowed)
 * @param fingerprint  with @a idempotency_key: what the client asked for,
 *                     so the key reused for another request is told apart
 * @param[out] out {"run_id": N[, "existing": true]}, {"conflict": N} or
 *                 {"idempotency_mismatch": N}
 */
enum sr_status sr_store_create_run (PGconn *conn, const char *source,
                                    const json_t *windows, bool force,
                                    const char *idempotency_key,
                                    const char *fingerprint,
                                    const char *requested_by,
                                    const char *schedule, json_t **out,
                                    char *err, size_t errlen);

/** Claim the oldest due job.  @a *got false when none is due. */
enum sr_status sr_store_claim_job (PGconn *conn, const char *owner,
                                   unsigned int lease_s, struct sr_job *job,
                                   bool *got, char *err, size_t errlen);

/**
 * Finish a job (see signalroom.finish_job): @a outcome "succeeded",
 * "retry", "failed" or "cancelled".  A lost lease (or a job another
 * instance already finished) comes back as SR_E_CONFLICT.
 * @param[out] final  the job's new status (may be NULL)
 */
enum sr_status sr_store_finish_job (PGconn *conn, int64_t job_id,
                                    const char *owner, const char *outcome,
                                    const json_t *result, const char *error,
                                    double retry_s, const json_t *request,
                                    const char *excerpt, char final[16],
                                    char *err, size_t errlen);

/** A job a worker of this instance is running, as the heartbeat sees it. */
struct sr_held_job {
  int64_t id;
  bool kept;                /* out: still leased to this instance */
  bool cancel;              /* out: someone asked it to stop */
};

/** The most jobs one heartbeat renews (one per worker). */
#define SR_HELD_JOBS_MAX 64

/**
 * The heartbeat: extend the leases of exactly @a jobs (at most
 * SR_HELD_JOBS_MAX), those @a owner's workers are running now, and tell
 * which were asked to stop or are no longer this instance's.
 */
enum sr_status sr_store_renew_leases (PGconn *conn, const char *owner,
                                      struct sr_held_job *jobs, size_t n,
                                      unsigned int lease_s, char *err,
                                      size_t errlen);

/** Queue again the jobs whose lease expired.  @a n how many. */
enum sr_status sr_store_sweep_jobs (PGconn *conn, unsigned int *n,
                                    char *err, size_t errlen);

/** Give back @a owner's running jobs (orderly stop; those asked to stop
 * end cancelled). */
enum sr_status sr_store_release_jobs (PGconn *conn, const char *owner,
                                      unsigned int *n, char *err,
                                      size_t errlen);

/** Add an object job to @a run_id (S3 planning). */
enum sr_status sr_store_add_object_job (PGconn *conn, int64_t run_id,
                                        const char *key, const json_t *meta,
                                        bool force, char *err,
                                        size_t errlen);

/** Wake idle workers everywhere. */
enum sr_status sr_store_notify_jobs (PGconn *conn, char *err, size_t errlen);

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

/** Freshness of every source: array of {source, last_day, last_success,
 * last_run}. */
enum sr_status sr_store_sources_status (PGconn *conn, json_t **out,
                                        char *err, size_t errlen);

/** A page of dead letters, newest first. */
enum sr_status sr_store_dead_letters (PGconn *conn, int64_t before_id,
                                      unsigned int limit, json_t **out,
                                      char *err, size_t errlen);

/**
 * Queue a dead letter's job again.  @a job_id: the new job; 0 when there is
 * no such dead letter; -1 when it was retried already.
 */
enum sr_status sr_store_dead_letter_retry (PGconn *conn, int64_t id,
                                           int64_t *job_id, char *err,
                                           size_t errlen);

/** Every schedule with its recent ticks (JSON array). */
enum sr_status sr_store_schedules (PGconn *conn, json_t **out, char *err,
                                   size_t errlen);

/**
 * Change a schedule; NULL fields stay.  @a found false when there is no
 * such schedule.
 */
enum sr_status sr_store_schedule_update (PGconn *conn, const char *name,
                                         const char *cron,
                                         const char *enabled,
                                         const char *window_days,
                                         const char *wait_minutes,
                                         const char *catch_up_minutes,
                                         const char *after, bool *found,
                                         char *err, size_t errlen);

#endif /* SR_STORE_JOBS_H */
