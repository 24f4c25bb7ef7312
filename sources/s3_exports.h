/*
 * s3_exports.h -- the S3 source's pieces the job queue drives one by one:
 * a planning step that lists what to load, and the load of one object.
 * (`sync s3_exports` does both in one process; see s3_exports.c.)
 */
#ifndef SR_S3_EXPORTS_H
#define SR_S3_EXPORTS_H

#include <jansson.h>

#include "source.h"

/** Receives one object to load: its key and {prefix, etag, size,
 * last_modified}.  A non-OK status stops the planning. */
typedef enum sr_status (*sr_s3_plan_cb) (void *cls, const char *key,
                                         const json_t *meta);

/**
 * List every prefix and pass each object that needs loading (new,
 * re-exported, or forced and dated in the window) to @a cb.
 */
enum sr_status sr_s3_exports_plan (struct sr_sync_ctx *sync,
                                   const char *from, const char *to,
                                   sr_s3_plan_cb cb, void *cls,
                                   struct sr_sync_result *res);

/**
 * Load one object (@a meta as planned) in its own transaction, running
 * sync->commit_hook before COMMIT.
 */
enum sr_status sr_s3_exports_load (struct sr_sync_ctx *sync,
                                   const char *key, const json_t *meta,
                                   struct sr_sync_result *res);

#endif /* SR_S3_EXPORTS_H */
