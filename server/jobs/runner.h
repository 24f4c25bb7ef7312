/*
 * runner.h -- the executor the worker pool (server/jobs/jobs.h) runs jobs with.
 */
#ifndef SR_RUNNER_H
#define SR_RUNNER_H

#include <stdatomic.h>

#include <libpq-fe.h>

#include "config.h"
#include "jobs.h"
#include "store_jobs.h"

/**
 * Run @a job to its end (sr_job_executor; @a cls is the const struct
 * sr_config *): success is recorded with the data; any other outcome is
 * handed back in @a out for the worker to record.  @a stop is watched
 * between steps and by the HTTP clients.
 */
void sr_runner_execute (void *cls, PGconn *conn, const struct sr_job *job,
                        const char *owner, const atomic_int *stop,
                        struct sr_job_outcome *out);

#endif /* SR_RUNNER_H */
