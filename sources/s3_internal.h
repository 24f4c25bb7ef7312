/*
 * s3_internal.h -- what the S3 source's files share (planning in
 * s3_plan.c, one object's load in s3_load.c, bad rows in s3_quarantine.c,
 * the source and its command-line run in s3_exports.c).  Not for other
 * modules: the source's interface is s3_exports.h.
 */
#ifndef SR_S3_INTERNAL_H
#define SR_S3_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "s3_client.h"
#include "source.h"

#define SR__S3_MAX_FAILURES_LISTED 20

/* Totals over a run. */
struct sr__s3_totals {
  pthread_mutex_t lock;      /* workers account under it */
  uint64_t listed, loaded, unchanged, failed, refused, outside, ignored;
  uint64_t quarantined;
  json_t *failures;
  json_t *new_columns;
  char first_error[900];
};

/** Receives each object that needs loading while prefixes are listed. */
typedef void (*sr__s3_object_cb) (void *cls, const char *prefix, const char *table,
                           const struct sr_s3_object *obj);

/** Record a failed or refused object in @a t (lock held). */
void sr__s3_note_failure (struct sr__s3_totals *t, const char *key,
                          const char *why);

/**
 * Load one object in its own transaction (s3_load.c), accounted in @a t
 * under its lock; @a res is the caller's own.
 */
void sr__s3_load_object (struct sr_sync_ctx *sync, struct sr_s3 *s3,
                         const char *prefix, const char *table,
                         const struct sr_s3_object *obj, bool force,
                         struct sr__s3_totals *t,
                         struct sr_sync_result *res);

/**
 * List every configured prefix and pass each object that needs loading to
 * @a cb (s3_plan.c); dated objects outside [@a f, @a e] are skipped when
 * the window is explicit.
 */
enum sr_status sr__s3_each_prefix (struct sr_sync_ctx *sync,
                                   struct sr_s3 *s3, int32_t f, int32_t e,
                                   struct sr__s3_totals *t,
                                   sr__s3_object_cb cb, void *cls,
                                   struct sr_sync_result *res);

#endif /* SR_S3_INTERNAL_H */
