/*
 * store_outbox.c -- see store_outbox.h.
 */
#include "store_outbox.h"
#include "db.h"
#include "mem.h"
#include "sql_embedded.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum sr_status
sr_store_outbox_claim (PGconn *conn, const char *owner, unsigned int lease_s,
                       unsigned int limit, const char *channels,
                       struct sr_outbox_row **rows, size_t *n, char *err,
                       size_t errlen)
{
  char lease[16], lim[16];
  const char *params[4] = { owner, lease, lim, channels };
  struct sr_outbox_row *out;
  PGresult *r;
  enum sr_status st;
  int count;

  *rows = NULL;
  *n = 0;
  snprintf (lease, sizeof (lease), "%u", lease_s);
  snprintf (lim, sizeof (lim), "%u", limit);
  st = sr_db_exec (conn, "outbox_claim", sr_sql_outbox_claim, 4, params, &r,
                   err, errlen);
  if (SR_OK != st)
    return st;
  count = PQntuples (r);
  out = sr_xcalloc ((size_t) (count > 0 ? count : 1), sizeof (*out));
  for (int i = 0; i < count; i++) {
    struct sr_outbox_row *o = &out[i];

    o->id = strtoll (PQgetvalue (r, i, 0), NULL, 10);
    o->key = sr_xstrdup (PQgetvalue (r, i, 1));
    o->channel = sr_xstrdup (PQgetvalue (r, i, 2));
    o->target = sr_xstrdup (PQgetvalue (r, i, 3));
    o->kind = sr_xstrdup (PQgetvalue (r, i, 4));
    o->payload = json_loads (PQgetvalue (r, i, 5), 0, NULL);
    o->attempts = atoi (PQgetvalue (r, i, 6));
    o->max_attempts = atoi (PQgetvalue (r, i, 7));
    o->in_doubt = 't' == PQgetvalue (r, i, 8)[0];
    o->created_at = strtod (PQgetvalue (r, i, 9), NULL);
  }
  PQclear (r);
  *rows = out;
  *n = (size_t) count;
  return SR_OK;
}

void
sr_store_outbox_rows_free (struct sr_outbox_row *rows, size_t n)
{
  for (size_t i = 0; NULL != rows && i < n; i++) {
    free (rows[i].key);
    free (rows[i].channel);
    free (rows[i].target);
    free (rows[i].kind);
    json_decref (rows[i].payload);
  }
  free (rows);
}

/* Run @a sql and read its one boolean into @a out. */
static enum sr_status
one_bool (PGconn *conn, const char *name, const char *sql, int n_params,
          const char *const *params, bool *out, char *err, size_t errlen)
{
  PGresult *r;
  enum sr_status st = sr_db_exec (conn, name, sql, n_params, params, &r, err,
                                  errlen);

  *out = false;
  if (SR_OK != st)
    return st;
  *out = 1 == PQntuples (r) && 't' == PQgetvalue (r, 0, 0)[0];
  PQclear (r);
  return SR_OK;
}

enum sr_status
sr_store_outbox_renew (PGconn *conn, int64_t id, const char *owner,
                       unsigned int lease_s, bool *ours, char *err,
                       size_t errlen)
{
  char idt[24], lease[16];
  const char *params[3] = { idt, owner, lease };

  snprintf (idt, sizeof (idt), "%" PRId64, id);
  snprintf (lease, sizeof (lease), "%u", lease_s);
  return one_bool (conn, "outbox_renew", sr_sql_outbox_renew, 3, params, ours,
                   err, errlen);
}

enum sr_status
sr_store_outbox_finish (PGconn *conn, int64_t id, const char *owner,
                        const char *outcome, const char *error,
                        const json_t *response, double retry_s,
                        bool in_doubt, bool *ours, char *err, size_t errlen)
{
  char idt[24], retry[32];
  char *resp = NULL;
  const char *params[7] = { idt, owner, outcome, error, NULL, retry,
                            in_doubt ? "true" : "false" };
  enum sr_status st;

  snprintf (idt, sizeof (idt), "%" PRId64, id);
  snprintf (retry, sizeof (retry), "%.3f", retry_s);
  if (NULL != response) {
    resp = json_dumps (response, JSON_COMPACT);
    if (NULL == resp) {
      snprintf (err, errlen, "out of memory");
      return SR_E_INTERNAL;
    }
    params[4] = resp;
  }
  st = one_bool (conn, "outbox_finish", sr_sql_outbox_finish, 7, params, ours,
                 err, errlen);
  free (resp);
  return st;
}

enum sr_status
sr_store_outbox_known_sids (PGconn *conn, int64_t id, json_t **out, char *err,
                            size_t errlen)
{
  char idt[24];
  const char *params[1] = { idt };

  snprintf (idt, sizeof (idt), "%" PRId64, id);
  return sr_db_json (conn, "outbox_known_sids", sr_sql_outbox_known_sids, 1,
                     params, out, err, errlen);
}

enum sr_status
sr_store_notifications (PGconn *conn, int64_t before_id, unsigned int limit,
                        const char *status, const char *channel,
                        const char *kind, json_t **out, char *err,
                        size_t errlen)
{
  char before[24], lim[16];
  const char *params[5] = { NULL, lim, status, channel, kind };

  if (before_id > 0) {
    snprintf (before, sizeof (before), "%" PRId64, before_id);
    params[0] = before;
  }
  snprintf (lim, sizeof (lim), "%u", limit);
  return sr_db_json (conn, "notifications_list", sr_sql_notifications_list, 5,
                     params, out, err, errlen);
}

/* end of store_outbox.c */
