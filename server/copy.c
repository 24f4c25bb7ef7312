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

/* end of copy.c */
