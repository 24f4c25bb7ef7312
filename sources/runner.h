/*
 * runner.h -- the executor the worker pool (server/jobs.h) runs jobs with.
 */
#ifndef SR_RUNNER_H
#define SR_RUNNER_H

#include <libpq-fe.h>

#include "config.h"
#include "store_jobs.h"

/**
 * Run @a job to its end and record the outcome (sr_job_executor; @a cls
 * is the const struct sr_config *).
 */
void sr_runner_execute (void *cls, PGconn *conn, const struct sr_job *job,
                        const char *owner);

#endif /* SR_RUNNER_H */
