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
  char traceparent[64];     /* of the request that queued the run; "" */
};

void sr_job_clean (struct sr_job *job);

/** Claim the oldest due job.  @a *got false when none is due. */
enum sr_status sr_store_claim_job (PGconn *conn, const char *owner,
                                   unsigned int lease_s, struct sr_job *job,
                                   bool *got, char *err, size_t errlen);

/** How a job ended, as signalroom.finish_job records it. */
struct sr_job_end {
  const char *outcome;          /* "succeeded", "retry", "failed",
                                 * "cancelled" */
  const json_t *result;         /* counts; may be NULL */
  const char *error;            /* NULL on success */
  double retry_s;               /* for "retry": wait before the next try */
  const json_t *request;        /* what a dead letter shows; may be NULL */
  const char *excerpt;          /* the upstream's answer, for dead letters */
};

/**
 * Finish job @a job_id held by @a owner (see signalroom.finish_job).  A
 * lost lease (or a job another instance already finished) comes back as
 * SR_E_CONFLICT.
 * @param[out] final  the job's new status (may be NULL)
 */
enum sr_status sr_store_finish_job (PGconn *conn, int64_t job_id,
                                    const char *owner,
                                    const struct sr_job_end *end,
                                    char final[16], char *err,
                                    size_t errlen);

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

#endif /* SR_STORE_JOBS_H */
