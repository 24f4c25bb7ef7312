/*
 * db.c -- see db.h.
 */
#include "db.h"
#include "log.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const struct sr_config *db_cfg;
static pthread_key_t conn_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static _Thread_local char last_sqlstate[6];

static void
close_conn (void *p)
{
  if (NULL != p)
    PQfinish (p);
}

static void
make_key (void)
{
  /* The destructor closes a thread's connection when the thread exits
   * (MHD pool threads, workers), so nothing leaks a backend. */
  (void) pthread_key_create (&conn_key, close_conn);
}

void
sr_db_init (const struct sr_config *cfg)
{
  db_cfg = cfg;
  pthread_once (&key_once, make_key);
}

/* First line of a libpq message, without the trailing newline. */
static void
one_line (char *out, size_t outlen, const char *msg)
{
  size_t n = strcspn (msg ? msg : "", "\n");

  if (NULL == msg || 0 == n) {
    snprintf (out, outlen, "unknown error");
    return;
  }
  snprintf (out, outlen, "%.*s", (int) n, msg);
}

/* Server notices ("schema ... already exists, skipping") would otherwise
 * be printed raw on stderr by libpq, breaking the JSON log. */
static void
on_notice (void *arg, const char *message)
{
  char line[400];

  (void) arg;
  one_line (line, sizeof (line), message);
  sr_log (SR_LOG_DEBUG, "database notice", "{s:s}", "notice", line);
}

enum sr_status
sr_db_connect (PGconn **out, char *err, size_t errlen)
{
  PGconn *c;

  *out = NULL;
  if (NULL == db_cfg) {
    snprintf (err, errlen, "database not configured");
    return SR_E_CONFIG;
  }
  c = PQconnectdbParams (db_cfg->db_keywords, db_cfg->db_values, 1);
  if (NULL == c) {
    snprintf (err, errlen, "out of memory connecting to the database");
    return SR_E_DB_CONN;
  }
  if (CONNECTION_OK != PQstatus (c)) {
    char line[400];

    one_line (line, sizeof (line), PQerrorMessage (c));
    snprintf (err, errlen, "cannot connect to the database (%s): %s",
              db_cfg->db_source, line);
    PQfinish (c);
    return SR_E_DB_CONN;
  }
  PQsetNoticeProcessor (c, on_notice, NULL);
  *out = c;
  return SR_OK;
}

enum sr_status
sr_db_thread_conn (PGconn **out, char *err, size_t errlen)
{
  PGconn *c;
  enum sr_status st;

  pthread_once (&key_once, make_key);
  c = pthread_getspecific (conn_key);
  if (NULL != c && CONNECTION_OK == PQstatus (c)) {
    *out = c;
    return SR_OK;
  }
  if (NULL != c) {
    PQfinish (c);
    (void) pthread_setspecific (conn_key, NULL);
  }
  st = sr_db_connect (&c, err, errlen);
  if (SR_OK != st)
    return st;
  if (0 != pthread_setspecific (conn_key, c)) {
    PQfinish (c);
    snprintf (err, errlen, "cannot keep a per-thread connection");
    return SR_E_INTERNAL;
  }
  *out = c;
  return SR_OK;
}

void
sr_db_thread_close (void)
{
  PGconn *c;

  pthread_once (&key_once, make_key);
  c = pthread_getspecific (conn_key);
  if (NULL != c) {
    PQfinish (c);
    (void) pthread_setspecific (conn_key, NULL);
  }
}

const char *
sr_db_last_sqlstate (void)
{
  return last_sqlstate;
}

/* Map a failed result (or NULL result) to a status and message. */
static enum sr_status
classify (PGconn *conn, const char *name, PGresult *r, char *err,
          size_t errlen)
{
  const char *state = r ? PQresultErrorField (r, PG_DIAG_SQLSTATE) : NULL;
  char line[400];
  enum sr_status st;

  one_line (line, sizeof (line),
            r ? PQresultErrorMessage (r) : PQerrorMessage (conn));
  snprintf (last_sqlstate, sizeof (last_sqlstate), "%s",
            state ? state : "");
  if (CONNECTION_OK != PQstatus (conn)
      || (NULL != state && 0 == strncmp (state, "08", 2))
      || (NULL != state && 0 == strcmp (state, "57P01")))
    st = SR_E_DB_CONN;
  else if (NULL != state && (0 == strcmp (state, "40001")
                             || 0 == strcmp (state, "40P01")))
    st = SR_E_DB_SOFT;
  else
    st = SR_E_DB;
  snprintf (err, errlen, "%s failed (SQLSTATE %s): %s", name,
            state ? state : "none", line);
  sr_log (SR_E_DB == st ? SR_LOG_ERROR : SR_LOG_WARN, "database error",
          "{s:s, s:s, s:s}", "statement", name, "sqlstate",
          state ? state : "", "error", line);
  return st;
}

enum sr_status
sr_db_exec (PGconn *conn, const char *name, const char *sql, int n_params,
            const char *const *params, PGresult **res, char *err,
            size_t errlen)
{
  PGresult *r = PQexecParams (conn, sql, n_params, NULL, params, NULL, NULL,
                              0);
  ExecStatusType es = r ? PQresultStatus (r) : PGRES_FATAL_ERROR;

  *res = NULL;
  if (PGRES_TUPLES_OK == es || PGRES_COMMAND_OK == es) {
    last_sqlstate[0] = '\0';
    *res = r;
    return SR_OK;
  }
  {
    enum sr_status st = classify (conn, name, r, err, errlen);

    PQclear (r);
    return st;
  }
}

enum sr_status
sr_db_run (PGconn *conn, const char *name, const char *sql, int n_params,
           const char *const *params, char *err, size_t errlen)
{
  PGresult *r;
  enum sr_status st = sr_db_exec (conn, name, sql, n_params, params, &r, err,
                                  errlen);

  PQclear (r);
  return st;
}

enum sr_status
sr_db_script (PGconn *conn, const char *name, const char *sql, char *err,
              size_t errlen)
{
  PGresult *r = PQexec (conn, sql);
  ExecStatusType es = r ? PQresultStatus (r) : PGRES_FATAL_ERROR;
  enum sr_status st = SR_OK;

  if (PGRES_TUPLES_OK != es && PGRES_COMMAND_OK != es)
    st = classify (conn, name, r, err, errlen);
  else
    last_sqlstate[0] = '\0';
  PQclear (r);
  return st;
}

/* end of db.c */
