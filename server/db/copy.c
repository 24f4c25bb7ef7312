/*
 * copy.c -- see copy.h.
 */
#include "copy.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum sr_status
sr_copy_text (struct sr_buf *b, const char *s, size_t len, bool last)
{
  size_t start = 0;
  enum sr_status st = SR_OK;

  for (size_t i = 0; i < len && SR_OK == st; i++) {
    const char *esc = NULL;

    switch (s[i]) {
    case '\\': esc = "\\\\"; break;
    case '\t': esc = "\\t"; break;
    case '\n': esc = "\\n"; break;
    case '\r': esc = "\\r"; break;
    default: continue;
    }
    st = sr_buf_append (b, s + start, i - start);
    if (SR_OK == st)
      st = sr_buf_append (b, esc, 2);
    start = i + 1;
  }
  if (SR_OK == st)
    st = sr_buf_append (b, s + start, len - start);
  if (SR_OK == st)
    st = sr_buf_append (b, last ? "\n" : "\t", 1);
  return st;
}

enum sr_status
sr_copy_null (struct sr_buf *b, bool last)
{
  return sr_buf_append (b, last ? "\\N\n" : "\\N\t", 3);
}

enum sr_status
sr_copy_int (struct sr_buf *b, int64_t v, bool last)
{
  char num[24];
  int n = snprintf (num, sizeof (num), "%" PRId64, v);

  return sr_copy_text (b, num, (size_t) n, last);
}

enum sr_status
sr_copy_in (PGconn *conn, const char *name, const char *copy_sql,
            const char *data, size_t len, uint64_t *rows, char *err,
            size_t errlen)
{
  PGresult *r = PQexec (conn, copy_sql);
  enum sr_status st = SR_OK;

  *rows = 0;
  if (PGRES_COPY_IN != PQresultStatus (r)) {
    PQclear (r);
    snprintf (err, errlen, "%s: COPY did not start: %s", name,
              PQerrorMessage (conn));
    return CONNECTION_OK == PQstatus (conn) ? SR_E_DB : SR_E_DB_CONN;
  }
  PQclear (r);
  /* libpq buffers; sending in one call is fine for our sizes (the data is
   * already bounded by its sr_buf). */
  if (1 != PQputCopyData (conn, data, (int) len)
      || 1 != PQputCopyEnd (conn, NULL)) {
    snprintf (err, errlen, "%s: sending COPY data failed: %s", name,
              PQerrorMessage (conn));
    st = SR_E_DB_CONN;
  }
  while (NULL != (r = PQgetResult (conn))) {
    if (PGRES_COMMAND_OK == PQresultStatus (r)) {
      *rows = strtoull (PQcmdTuples (r), NULL, 10);
    } else if (SR_OK == st) {
      const char *state = PQresultErrorField (r, PG_DIAG_SQLSTATE);
      size_t n = strcspn (PQresultErrorMessage (r), "\n");

      snprintf (err, errlen, "%s failed (SQLSTATE %s): %.*s", name,
                state ? state : "none", (int) n, PQresultErrorMessage (r));
      st = CONNECTION_OK == PQstatus (conn) ? SR_E_DB : SR_E_DB_CONN;
    }
    PQclear (r);
  }
  return st;
}

static const char bin_header[19] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";

static void
be16 (unsigned char *p, uint16_t v)
{
  p[0] = (unsigned char) (v >> 8);
  p[1] = (unsigned char) v;
}

static void
be32 (unsigned char *p, uint32_t v)
{
  p[0] = (unsigned char) (v >> 24);
  p[1] = (unsigned char) (v >> 16);
  p[2] = (unsigned char) (v >> 8);
  p[3] = (unsigned char) v;
}

/* Finish a failed COPY and collect its result, so the connection is usable
 * for the ROLLBACK that follows. */
static void
drain (PGconn *conn)
{
  PGresult *r;

  while (NULL != (r = PQgetResult (conn)))
    PQclear (r);
}

enum sr_status
sr_copy_stream_begin (struct sr_copy_stream *cs, PGconn *conn,
                      const char *copy_sql, char *err, size_t errlen)
{
  PGresult *r = PQexec (conn, copy_sql);

  memset (cs, 0, sizeof (*cs));
  cs->conn = conn;
  cs->flush_at = 1024 * 1024;
  if (PGRES_COPY_IN != PQresultStatus (r)) {
    size_t n = strcspn (PQresultErrorMessage (r), "\n");

    snprintf (err, errlen, "COPY did not start: %.*s", (int) n,
              PQresultErrorMessage (r));
    PQclear (r);
    return CONNECTION_OK == PQstatus (conn) ? SR_E_DB : SR_E_DB_CONN;
  }
  PQclear (r);
  cs->open = true;
  /* A buffer a little over flush_at: one row never exceeds it by more
   * than the record cap of the CSV parser that feeds it. */
  sr_buf_init (&cs->buf, 64u * 1024u * 1024u);
  return sr_buf_append (&cs->buf, bin_header, sizeof (bin_header));
}

enum sr_status
sr_copy_bin_tuple (struct sr_copy_stream *cs, uint16_t n_fields)
{
  unsigned char b[2];

  be16 (b, n_fields);
  cs->tuples++;
  return sr_buf_append (&cs->buf, b, 2);
}

enum sr_status
sr_copy_bin_bytes (struct sr_copy_stream *cs, const void *p, size_t len)
{
  unsigned char b[4];
  enum sr_status st;

  if (len > 0x7fffffffu)
    return SR_E_TOO_LARGE;
  be32 (b, (uint32_t) len);
  st = sr_buf_append (&cs->buf, b, 4);
  return SR_OK == st ? sr_buf_append (&cs->buf, p, len) : st;
}

enum sr_status
sr_copy_bin_null (struct sr_copy_stream *cs)
{
  static const unsigned char minus_one[4] = { 0xff, 0xff, 0xff, 0xff };

  return sr_buf_append (&cs->buf, minus_one, 4);
}

enum sr_status
sr_copy_bin_int8 (struct sr_copy_stream *cs, int64_t v)
{
  unsigned char b[12];

  be32 (b, 8);
  be32 (b + 4, (uint32_t) ((uint64_t) v >> 32));
  be32 (b + 8, (uint32_t) v);
  return sr_buf_append (&cs->buf, b, 12);
}

enum sr_status
sr_copy_bin_date (struct sr_copy_stream *cs, int32_t day)
{
  unsigned char b[8];

  /* PostgreSQL counts days from 2000-01-01 (10957 days after 1970). */
  be32 (b, 4);
  be32 (b + 4, (uint32_t) (day - 10957));
  return sr_buf_append (&cs->buf, b, 8);
}

enum sr_status
sr_copy_stream_flush (struct sr_copy_stream *cs, bool force, char *err,
                      size_t errlen)
{
  if (!force && cs->buf.len < cs->flush_at)
    return SR_OK;
  if (cs->buf.len > 0
      && 1 != PQputCopyData (cs->conn, cs->buf.data, (int) cs->buf.len)) {
    snprintf (err, errlen, "sending COPY data failed: %s",
              PQerrorMessage (cs->conn));
    return SR_E_DB_CONN;
  }
  sr_buf_reset (&cs->buf);
  return SR_OK;
}

enum sr_status
sr_copy_stream_end (struct sr_copy_stream *cs, uint64_t *rows, char *err,
                    size_t errlen)
{
  static const unsigned char trailer[2] = { 0xff, 0xff };
  enum sr_status st = sr_buf_append (&cs->buf, trailer, 2);
  PGresult *r;

  *rows = 0;
  if (SR_OK == st)
    st = sr_copy_stream_flush (cs, true, err, errlen);
  if (SR_OK == st && 1 != PQputCopyEnd (cs->conn, NULL)) {
    snprintf (err, errlen, "ending COPY failed: %s",
              PQerrorMessage (cs->conn));
    st = SR_E_DB_CONN;
  }
  cs->open = false;
  while (NULL != (r = PQgetResult (cs->conn))) {
    if (PGRES_COMMAND_OK == PQresultStatus (r)) {
      *rows = strtoull (PQcmdTuples (r), NULL, 10);
    } else if (SR_OK == st) {
      const char *state = PQresultErrorField (r, PG_DIAG_SQLSTATE);
      size_t n = strcspn (PQresultErrorMessage (r), "\n");

      snprintf (err, errlen, "COPY failed (SQLSTATE %s): %.*s",
                state ? state : "none", (int) n, PQresultErrorMessage (r));
      st = CONNECTION_OK == PQstatus (cs->conn) ? SR_E_DB : SR_E_DB_CONN;
    }
    PQclear (r);
  }
  sr_buf_clean (&cs->buf);
  return st;
}

void
sr_copy_stream_abort (struct sr_copy_stream *cs, const char *why)
{
  if (cs->open) {
    (void) PQputCopyEnd (cs->conn, why ? why : "aborted");
    drain (cs->conn);
    cs->open = false;
  }
  sr_buf_clean (&cs->buf);
}

/* end of copy.c */
