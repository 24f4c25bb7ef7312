/*
 * s3_quarantine.c -- see s3_quarantine.h.
 */
#include "s3_quarantine.h"
#include "copy.h"
#include "mem.h"
#include "store_s3.h"

#include <string.h>

bool
sr_s3_quarantine_add (struct sr_s3_quarantine *q, uint64_t line,
                      const char *reason, const char *raw, size_t raw_len)
{
  struct sr_s3_bad_row *b;

  if (q->n >= SR_S3_QUARANTINE_MAX_ROWS
      || q->bytes + raw_len > SR_S3_QUARANTINE_MAX_BYTES)
    return false;
  if (0 == q->n % 64)
    q->rows = sr_xrealloc (q->rows, (q->n + 64) * sizeof (*q->rows));
  b = &q->rows[q->n++];
  b->line = line;
  b->reason = sr_xstrdup (reason);
  b->raw = sr_xmalloc (raw_len ? raw_len : 1);
  memcpy (b->raw, raw, raw_len);
  b->raw_len = raw_len;
  q->bytes += raw_len;
  return true;
}

enum sr_status
sr_s3_quarantine_write (const struct sr_s3_quarantine *q, PGconn *conn,
                        const char *bucket, const char *key,
                        const char *etag, char *err, size_t errlen)
{
  struct sr_copy_stream cs;
  uint64_t rows;
  enum sr_status st;

  if (0 == q->n)
    return SR_OK;
  st = sr_store_s3_quarantine_begin (&cs, conn, err, errlen);
  for (size_t i = 0; SR_OK == st && i < q->n; i++) {
    const struct sr_s3_bad_row *b = &q->rows[i];

    st = sr_copy_bin_tuple (&cs, 6);
    if (SR_OK == st)
      st = sr_copy_bin_bytes (&cs, bucket, strlen (bucket));
    if (SR_OK == st)
      st = sr_copy_bin_bytes (&cs, key, strlen (key));
    if (SR_OK == st)
      st = sr_copy_bin_bytes (&cs, etag, strlen (etag));
    if (SR_OK == st)
      st = sr_copy_bin_int8 (&cs, (int64_t) b->line);
    if (SR_OK == st)
      st = sr_copy_bin_bytes (&cs, b->reason, strlen (b->reason));
    if (SR_OK == st)
      st = sr_copy_bin_bytes (&cs, b->raw, b->raw_len);
    if (SR_OK == st)
      st = sr_copy_stream_flush (&cs, false, err, errlen);
  }
  if (SR_OK == st)
    st = sr_copy_stream_end (&cs, &rows, err, errlen);
  else
    sr_copy_stream_abort (&cs, "quarantine write failed");
  return st;
}

void
sr_s3_quarantine_clean (struct sr_s3_quarantine *q)
{
  for (size_t i = 0; i < q->n; i++) {
    free (q->rows[i].reason);
    free (q->rows[i].raw);
  }
  free (q->rows);
  memset (q, 0, sizeof (*q));
}

/* end of s3_quarantine.c */
