/*
 * fuzz_csv.c -- libFuzzer target for the CSV parser (not built by default).
 *
 * The first two input bytes choose max_record_bytes and a chunk size; the
 * rest is parsed three ways -- whole, split at a point, and in small
 * chunks -- and the event logs must be identical.  Every record is also
 * checked against the API contract (good: fields present, valid UTF-8,
 * no NUL, within max; bad: a reason, no fields).  Any violation aborts.
 *
 *   clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
 *     -Iserver tests/fuzz/fuzz_csv.c server/base/csv.c server/base/utf8.c \
 *     server/base/buf.c server/base/mem.c -ljansson -o fuzz_csv
 *   ./fuzz_csv -max_len=4096
 */
#include "buf.h"
#include "csv.h"
#include "utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

struct fz {
  struct sr_buf log;
  size_t max;
};

static void
fail (const char *what)
{
  fprintf (stderr, "fuzz_csv: %s\n", what);
  abort ();
}

static void
append (struct fz *f, const void *p, size_t n)
{
  if (SR_OK != sr_buf_append (&f->log, p, n))
    fail ("log overflow");
}

static enum sr_status
cb (void *cls, enum sr_csv_event ev, const struct sr_csv_record *rec,
    const char *reason)
{
  struct fz *f = cls;
  char head[64];
  int n;

  if (rec->raw_len > f->max || (rec->truncated && rec->raw_len != f->max))
    fail ("raw too long");
  n = snprintf (head, sizeof (head), "%d %llu %llu %zu %d|", (int) ev,
                (unsigned long long) rec->index,
                (unsigned long long) rec->line, rec->raw_len,
                (int) rec->truncated);
  append (f, head, (size_t) n);
  append (f, rec->raw, rec->raw_len);
  if (SR_CSV_RECORD == ev) {
    if (NULL != reason || 0 == rec->n_fields || rec->truncated)
      fail ("bad good record");
    for (size_t i = 0; i < rec->n_fields; i++) {
      const struct sr_csv_field *fl = &rec->fields[i];

      if (fl->len > rec->raw_len || ! sr_utf8_valid (fl->ptr, fl->len)
          || (fl->len > 0 && NULL != memchr (fl->ptr, '\0', fl->len)))
        fail ("bad field");
      append (f, "|", 1);
      append (f, fl->ptr, fl->len);
    }
  } else {
    if (NULL == reason || NULL != rec->fields || 0 != rec->n_fields)
      fail ("bad bad record");
    append (f, "!", 1);
    append (f, reason, strlen (reason));
  }
  append (f, "\n", 1);
  return SR_OK;
}

/* Parse @a in in pieces of @a chunk bytes after a first of @a first. */
static char *
parse (const char *in, size_t len, size_t max, size_t first, size_t chunk,
       size_t *log_len)
{
  struct fz f;
  struct sr_csv *p;
  size_t pos = 0;
  size_t n = first < len ? first : len;
  enum sr_status st;
  char tail[32];

  sr_buf_init (&f.log, 1 << 26);
  f.max = 0 == max ? SR_CSV_DEFAULT_MAX_RECORD : max;
  p = sr_csv_new (max, cb, &f);
  for (;;) {
    if (SR_OK != sr_csv_feed (p, in + pos, n))
      fail ("feed failed");
    pos += n;
    if (pos == len)
      break;
    n = chunk < len - pos ? chunk : len - pos;
  }
  st = sr_csv_finish (p);
  if (SR_OK != st && SR_E_INVALID != st)
    fail ("finish failed");
  if (sr_csv_bytes (p) != len)
    fail ("byte count");
  (void) snprintf (tail, sizeof (tail), "=%d %llu %llu\n", (int) st,
                   (unsigned long long) sr_csv_records (p),
                   (unsigned long long) sr_csv_bad_records (p));
  append (&f, tail, strlen (tail));
  sr_csv_free (p);
  return sr_buf_steal (&f.log, log_len);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  size_t max;
  size_t chunk;
  const char *in;
  size_t len;
  char *a;
  char *b;
  char *c;
  size_t la;
  size_t lb;
  size_t lc;

  if (size < 2)
    return 0;
  max = data[0] < 128 ? 1 + data[0] % 64 : 0;
  chunk = 1 + data[1] % 80;
  in = (const char *) data + 2;
  len = size - 2;
  a = parse (in, len, max, len, 0, &la);
  b = parse (in, len, max, len / 2, len, &lb);
  c = parse (in, len, max, chunk, chunk, &lc);
  if (la != lb || la != lc || 0 != memcmp (a, b, la)
      || 0 != memcmp (a, c, la))
    fail ("chunking changed the result");
  free (a);
  free (b);
  free (c);
  return 0;
}
