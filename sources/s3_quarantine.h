/*
 * s3_quarantine.h -- rows of an export that cannot be loaded, kept with
 * their line, reason and raw bytes and written to signalroom.s3_quarantine
 * in the object's transaction, where a person can see them.
 *
 * Bounded: an object with more bad rows (or bytes of them) than the limits
 * is not an export at all and is refused whole.  Threading: one load's.
 */
#ifndef SR_S3_QUARANTINE_H
#define SR_S3_QUARANTINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "status.h"

#define SR_S3_QUARANTINE_MAX_ROWS 100000u
#define SR_S3_QUARANTINE_MAX_BYTES (16u * 1024u * 1024u)

struct sr_s3_bad_row {
  uint64_t line;
  char *reason;
  char *raw;
  size_t raw_len;
};

/** The bad rows of one object (zero-initialise; clean when done). */
struct sr_s3_quarantine {
  struct sr_s3_bad_row *rows;
  size_t n;
  size_t bytes;
};

/**
 * Keep one bad row.  @return false when the limits are reached (the row
 * is not kept: the caller refuses the object).
 */
bool sr_s3_quarantine_add (struct sr_s3_quarantine *q, uint64_t line,
                           const char *reason, const char *raw,
                           size_t raw_len);

/** Write the rows kept (nothing when none), inside the caller's
 * transaction. */
enum sr_status sr_s3_quarantine_write (const struct sr_s3_quarantine *q,
                                       PGconn *conn, const char *bucket,
                                       const char *key, const char *etag,
                                       char *err, size_t errlen);

void sr_s3_quarantine_clean (struct sr_s3_quarantine *q);

#endif /* SR_S3_QUARANTINE_H */
