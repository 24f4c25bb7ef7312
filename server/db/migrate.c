/*
 * migrate.c -- see migrate.h.
 */
#include "migrate.h"
#include "db.h"
#include "tx.h"
#include "sql_embedded.h"
#include "log.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct apply {
  const struct sr_sql_migration *m;
  bool applied;
};

/* Inside the transaction: the migration lock, then the migration unless
 * it is there already (with the same checksum). */
static enum sr_status
apply_locked (void *cls, PGconn *conn, char *err, size_t errlen)
{
  struct apply *a = cls;
  const struct sr_sql_migration *m = a->m;
  char version[16];
  const char *params[3];
  PGresult *r;
  enum sr_status st;

  a->applied = false;
  st = sr_db_run (conn, "migrations_lock", sr_sql_migrations_lock, 0, NULL,
                  err, errlen);
  if (SR_OK != st)
    return st;
  snprintf (version, sizeof (version), "%u", m->version);
  params[0] = version;
  params[1] = m->sql;
  st = sr_db_exec (conn, "migrations_checksum", sr_sql_migrations_checksum,
                   2, params, &r, err, errlen);
  if (SR_OK != st)
    return st;
  if (1 == PQntuples (r)) {
    bool same = 0 == strcmp (PQgetvalue (r, 0, 0), "t");

    PQclear (r);
    if (same)
      return SR_OK;
    snprintf (err, errlen, "migration %s was changed after it was applied; "
              "migrations are forward-only: add a new one instead", m->name);
    return SR_E_DB;
  }
  PQclear (r);
  st = sr_db_script (conn, m->name, m->sql, err, errlen);
  if (SR_OK == st) {
    params[0] = version;
    params[1] = m->name;
    params[2] = m->sql;
    st = sr_db_run (conn, "migrations_record", sr_sql_migrations_record, 3,
                    params, err, errlen);
  }
  if (SR_OK != st) {
    char why[512];

    snprintf (why, sizeof (why), "%s", err);
    snprintf (err, errlen, "migration %s failed: %s", m->name, why);
    return st;
  }
  a->applied = true;
  return SR_OK;
}

/* Inside the transaction: the migration lock, then the bookkeeping table. */
static enum sr_status
bootstrap_locked (void *cls, PGconn *conn, char *err, size_t errlen)
{
  enum sr_status st = sr_db_run (conn, "migrations_lock",
                                 sr_sql_migrations_lock, 0, NULL, err,
                                 errlen);

  (void) cls;
  if (SR_OK == st)
    st = sr_db_script (conn, "migrations_bootstrap",
                       sr_sql_migrations_bootstrap, err, errlen);
  return st;
}

enum sr_status
sr_migrate_apply (PGconn *conn, unsigned int *n_applied, char *err,
                  size_t errlen)
{
  enum sr_status st;

  *n_applied = 0;
  /* A migration is DDL: run once, never repeated on a serialization
   * failure (the advisory lock serialises migrators anyway). */
  st = sr_tx_run (conn, "migrations_bootstrap", 1, bootstrap_locked, NULL,
                  err, errlen);
  for (size_t i = 0; SR_OK == st && i < sr_sql_migrations_count; i++) {
    struct apply a = { .m = &sr_sql_migrations[i] };

    st = sr_tx_run (conn, a.m->name, 1, apply_locked, &a, err, errlen);
    if (SR_OK == st && a.applied) {
      (*n_applied)++;
      sr_log (SR_LOG_INFO, "migration applied", "{s:s, s:i}", "migration",
              a.m->name, "version", (int) a.m->version);
    }
  }
  return st;
}

static bool
is_known (unsigned int version)
{
  for (size_t i = 0; i < sr_sql_migrations_count; i++)
    if (sr_sql_migrations[i].version == version)
      return true;
  return false;
}

enum sr_status
sr_migrate_state (PGconn *conn, struct sr_migrate_state *out, char *err,
                  size_t errlen)
{
  PGresult *r;
  enum sr_status st;
  unsigned int found = 0;

  memset (out, 0, sizeof (*out));
  if (sr_sql_migrations_count > 0)
    out->latest_known = sr_sql_migrations[sr_sql_migrations_count - 1].version;
  st = sr_db_exec (conn, "migrations_table_exists",
                   sr_sql_migrations_table_exists, 0, NULL, &r, err, errlen);
  if (SR_OK != st)
    return st;
  if (0 != strcmp (PQgetvalue (r, 0, 0), "t")) {
    PQclear (r);
    out->pending = (unsigned int) sr_sql_migrations_count;
    return SR_OK;
  }
  PQclear (r);
  st = sr_db_exec (conn, "migrations_applied", sr_sql_migrations_applied, 0,
                   NULL, &r, err, errlen);
  if (SR_OK != st)
    return st;
  for (int i = 0; i < PQntuples (r); i++) {
    unsigned int v = (unsigned int) strtoul (PQgetvalue (r, i, 0), NULL, 10);

    if (v > out->applied_max)
      out->applied_max = v;
    if (is_known (v))
      found++;
    else
      out->unknown++;
  }
  PQclear (r);
  out->pending = (unsigned int) sr_sql_migrations_count - found;
  return SR_OK;
}

/* end of migrate.c */
