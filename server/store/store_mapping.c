/*
 * store_mapping.c -- see store_mapping.h.
 */
#include "store_mapping.h"
#include "csv.h"
#include "db.h"
#include "tx.h"
#include "sql_embedded.h"
#include "mem.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum col {
  C_SOURCE, C_ALIAS, C_SOURCE_ID, C_AFF_ID, C_AFF_LABEL, C_ADV_ID,
  C_ADV_LABEL, N_COLS
};

static const char *const header[N_COLS] = {
  "redtrack.source", "redtrack.source_alias", "redtrack.source_id",
  "everflow.affiliate_id", "everflow.affiliate_label",
  "everflow.advertiser_id", "everflow.advertiser_label"
};

struct parse {
  json_t *rows;
  json_t *seen;          /* source id -> line */
  uint64_t bad_line;
  char err[512];
};

/* Trimmed copy of a field; NULL for "", "n/a" (any case). */
static char *
value_of (const struct sr_csv_field *f)
{
  const char *p = f->ptr;
  size_t n = f->len;

  while (n > 0 && isspace ((unsigned char) *p)) {
    p++;
    n--;
  }
  while (n > 0 && isspace ((unsigned char) p[n - 1]))
    n--;
  if (0 == n || (3 == n && 0 == strncasecmp (p, "n/a", 3)))
    return NULL;
  return sr_xstrndup (p, n);
}

static enum sr_status
refuse (struct parse *ps, uint64_t line, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));

static enum sr_status
refuse (struct parse *ps, uint64_t line, const char *fmt, ...)
{
  char msg[400];
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (msg, sizeof (msg), fmt, ap);
  va_end (ap);
  ps->bad_line = line;
  snprintf (ps->err, sizeof (ps->err), "line %" PRIu64 ": %s", line, msg);
  return SR_E_INVALID;
}

static enum sr_status
check_header (struct parse *ps, const struct sr_csv_record *rec)
{
  bool ok = N_COLS == rec->n_fields;

  for (size_t i = 0; ok && i < N_COLS; i++) {
    char *v = value_of (&rec->fields[i]);

    ok = NULL != v && 0 == strcmp (v, header[i]);
    free (v);
  }
  if (!ok)
    return refuse (ps, rec->line,
                   "the header must be %s,%s,%s,%s,%s,%s,%s", header[0],
                   header[1], header[2], header[3], header[4], header[5],
                   header[6]);
  return SR_OK;
}

/* @a v an optional integer column: NULL or digits. */
static enum sr_status
int_column (struct parse *ps, uint64_t line, const char *name, const char *v,
            json_t **out)
{
  char *end;
  long long x;

  if (NULL == v) {
    *out = json_null ();
    return SR_OK;
  }
  errno = 0;
  x = strtoll (v, &end, 10);
  if (!isdigit ((unsigned char) v[0]) || '\0' != *end || 0 != errno)
    return refuse (ps, line, "%s \"%s\" is not an integer or n/a", name, v);
  *out = json_integer ((json_int_t) x);
  return SR_OK;
}

static bool
valid_source_id (const char *s)
{
  size_t n = strlen (s);

  if (n > 64)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!isalnum ((unsigned char) s[i]) && '_' != s[i] && '-' != s[i])
      return false;
  return true;
}

static enum sr_status
take_row (struct parse *ps, const struct sr_csv_record *rec)
{
  char *v[N_COLS];
  json_t *aff = NULL, *adv = NULL;
  json_t *prev;
  enum sr_status st = SR_OK;

  if (N_COLS != rec->n_fields)
    return refuse (ps, rec->line, "expected %d fields, found %zu", N_COLS,
                   rec->n_fields);
  if (json_array_size (ps->rows) >= SR_MAPPING_MAX_ROWS)
    return refuse (ps, rec->line, "more than %d mapping rows",
                   SR_MAPPING_MAX_ROWS);
  for (size_t i = 0; i < N_COLS; i++)
    v[i] = value_of (&rec->fields[i]);
  if (NULL == v[C_SOURCE_ID])
    st = refuse (ps, rec->line, "redtrack.source_id is missing");
  else if (!valid_source_id (v[C_SOURCE_ID]))
    st = refuse (ps, rec->line, "redtrack.source_id \"%.80s\" is not an id",
                 v[C_SOURCE_ID]);
  else if (NULL != (prev = json_object_get (ps->seen, v[C_SOURCE_ID])))
    st = refuse (ps, rec->line,
                 "redtrack.source_id %s is already mapped on line %"
                 JSON_INTEGER_FORMAT, v[C_SOURCE_ID],
                 json_integer_value (prev));
  if (SR_OK == st)
    st = int_column (ps, rec->line, header[C_AFF_ID], v[C_AFF_ID], &aff);
  if (SR_OK == st)
    st = int_column (ps, rec->line, header[C_ADV_ID], v[C_ADV_ID], &adv);
  if (SR_OK == st) {
    json_object_set_new (ps->seen, v[C_SOURCE_ID],
                         json_integer ((json_int_t) rec->line));
    json_array_append_new (
      ps->rows,
      json_pack ("{s:s, s:s, s:s?, s:o, s:s?, s:o, s:s?, s:I}",
                 "source_id", v[C_SOURCE_ID], "source_name",
                 v[C_SOURCE] ? v[C_SOURCE] : "", "source_alias", v[C_ALIAS],
                 "affiliate_id", aff, "affiliate_label", v[C_AFF_LABEL],
                 "advertiser_id", adv, "advertiser_label", v[C_ADV_LABEL],
                 "line", (json_int_t) rec->line));
    aff = adv = NULL;
  }
  json_decref (aff);
  json_decref (adv);
  for (size_t i = 0; i < N_COLS; i++)
    free (v[i]);
  return st;
}

static enum sr_status
on_record (void *cls, enum sr_csv_event ev, const struct sr_csv_record *rec,
           const char *reason)
{
  struct parse *ps = cls;

  if (SR_CSV_BAD_RECORD == ev)
    return refuse (ps, rec->line, "%s", reason);
  if (0 == rec->index)
    return check_header (ps, rec);
  return take_row (ps, rec);
}

enum sr_status
sr_mapping_parse (const char *data, size_t len, json_t **rows,
                  uint64_t *line, char *err, size_t errlen)
{
  struct parse ps = { .rows = json_array (), .seen = json_object () };
  struct sr_csv *p = sr_csv_new (64 * 1024, on_record, &ps);
  enum sr_status st = sr_csv_feed (p, data, len);

  if (SR_OK == st)
    st = sr_csv_finish (p);
  if (SR_OK == st && 0 == sr_csv_records (p))
    st = refuse (&ps, 0, "the file is empty");
  else if (SR_OK == st && 0 == json_array_size (ps.rows))
    st = refuse (&ps, 1, "the file has a header but no mapping rows");
  else if (SR_OK != st && '\0' == ps.err[0])
    st = refuse (&ps, 0, "not a CSV file");
  sr_csv_free (p);
  json_decref (ps.seen);
  *line = ps.bad_line;
  if (SR_OK != st) {
    snprintf (err, errlen, "%s", ps.err);
    json_decref (ps.rows);
    *rows = NULL;
    return SR_E_INVALID;
  }
  *rows = ps.rows;
  return SR_OK;
}

struct mapping_replace {
  const char *client_id;
  const char *json;
  uint64_t *previous;
};

/* Inside the transaction: lock, delete the old mapping, insert the new. */
static enum sr_status
mapping_replace (void *cls, PGconn *conn, char *err, size_t errlen)
{
  struct mapping_replace *m = cls;
  const char *lock[1] = { "signalroom.affiliate_mapping" };
  const char *params[2] = { m->client_id, m->json };
  PGresult *r = NULL;
  enum sr_status st;

  st = sr_db_run (conn, "store_lock", sr_sql_store_lock, 1, lock, err,
                  errlen);
  if (SR_OK == st)
    st = sr_db_exec (conn, "mapping_delete", sr_sql_mapping_delete, 1,
                     params, &r, err, errlen);
  if (SR_OK == st)
    *m->previous = strtoull (PQcmdTuples (r), NULL, 10);
  PQclear (r);
  if (SR_OK == st)
    st = sr_db_run (conn, "mapping_insert", sr_sql_mapping_insert, 2, params,
                    err, errlen);
  if (SR_OK == st) {
    /* Any day's internal cost may have moved: all of them again. */
    const char *all[3] = { m->client_id, NULL, NULL };

    st = sr_db_run (conn, "report_refresh_performance",
                    sr_sql_report_refresh_performance, 3, all, err, errlen);
  }
  return st;
}

enum sr_status
sr_mapping_store (PGconn *conn, const char *client_id, const json_t *rows,
                  uint64_t *previous, char *err, size_t errlen)
{
  char *json = json_dumps (rows, JSON_COMPACT);
  struct mapping_replace m = { client_id, json, previous };
  enum sr_status st;

  *previous = 0;
  st = sr_tx_run (conn, "mapping_store", SR_TX_ATTEMPTS, mapping_replace, &m,
                  err, errlen);
  free (json);
  return st;
}

static json_t *
int_or_null (PGresult *r, int row, int col)
{
  if (PQgetisnull (r, row, col))
    return json_null ();
  return json_integer ((json_int_t) strtoll (PQgetvalue (r, row, col), NULL,
                                             10));
}

static json_t *
text_or_null (PGresult *r, int row, int col)
{
  if (PQgetisnull (r, row, col))
    return json_null ();
  return json_string (PQgetvalue (r, row, col));
}

enum sr_status
sr_mapping_list (PGconn *conn, const char *client_id, json_t **out,
                 char *err, size_t errlen)
{
  const char *params[1] = { client_id };
  PGresult *r;
  enum sr_status st = sr_db_exec (conn, "mapping_list", sr_sql_mapping_list,
                                  1, params, &r, err, errlen);

  *out = NULL;
  if (SR_OK != st)
    return st;
  *out = json_array ();
  for (int i = 0; i < PQntuples (r); i++)
    json_array_append_new (
      *out,
      json_pack ("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:i, s:o}",
                 "redtrack_source_id", text_or_null (r, i, 0),
                 "redtrack_source_name", text_or_null (r, i, 1),
                 "redtrack_source_alias", text_or_null (r, i, 2),
                 "everflow_affiliate_id", int_or_null (r, i, 3),
                 "everflow_affiliate_label", text_or_null (r, i, 4),
                 "everflow_advertiser_id", int_or_null (r, i, 5),
                 "everflow_advertiser_label", text_or_null (r, i, 6),
                 "line", (int) strtol (PQgetvalue (r, i, 7), NULL, 10),
                 "loaded_at", text_or_null (r, i, 8)));
  PQclear (r);
  return SR_OK;
}

/* end of store_mapping.c */
