/*
 * db.c -- see db.h.
 */
#include "db.h"
#include "sql_embedded.h"
#include "log.h"
#include "metrics.h"
#include "trace.h"
#include "stmt_cache.h"

#include <errno.h>
#include <libpq-events.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ROLES (SR_DB_ROLE_MIGRATE + 1)

static const struct sr_config *db_cfg;
static struct sr_db_limits role_limits[N_ROLES];
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
  unsigned long api = cfg->db_statement_timeout_ms;
  unsigned long keeper = cfg->lease_s * 1000 / 3;

  if (keeper < 1000)
    keeper = 1000;
  /* Idle in a transaction is never our plan: a minute of it means a
   * thread is stuck while holding locks, and the server should let go.
   * Jobs are the exception: an S3 load may wait on its upstream inside
   * its transaction, as long as the HTTP client allows. */
  role_limits[SR_DB_ROLE_API] = (struct sr_db_limits) { api, api, 60000 };
  role_limits[SR_DB_ROLE_JOB] = (struct sr_db_limits) { 0, 0, 0 };
  role_limits[SR_DB_ROLE_KEEPER] = (struct sr_db_limits) { keeper, keeper,
                                                           60000 };
  role_limits[SR_DB_ROLE_BACKGROUND] = (struct sr_db_limits) { 30000, 30000,
                                                               60000 };
  role_limits[SR_DB_ROLE_MIGRATE] = (struct sr_db_limits) { 0, 0, 0 };
  db_cfg = cfg;
  sr_stmt_cache_enable (cfg->db_prepare);
  pthread_once (&key_once, make_key);
}

struct sr_db_limits
sr_db_role_limits (enum sr_db_role role)
{
  return role_limits[(unsigned int) role < N_ROLES ? role : SR_DB_ROLE_JOB];
}

/* The role travels with its connection as libpq instance data (libpq's
 * event API exists for exactly this); the data points into role_limits,
 * so there is nothing to free when the connection goes. */
static int
role_event (PGEventId id, void *info, void *pass)
{
  (void) info;
  (void) pass;
  /* Every connection of ours carries this event: its life is the open
   * gauge's (registration at connect, destruction at PQfinish). */
  if (PGEVT_REGISTER == id)
    sr_db_note_busy (0, 1);
  else if (PGEVT_CONNDESTROY == id)
    sr_db_note_busy (0, -1);
  return 1;
}

void
sr_db_note_busy (int busy, int open)
{
  if (0 != busy)
    sr_metric_gauge_add (&sr_m_db_connections, (const char *[]) { "busy" },
                         busy);
  if (0 != open)
    sr_metric_gauge_add (&sr_m_db_connections, (const char *[]) { "open" },
                         open);
}

static const struct sr_db_limits *
limits_of (const PGconn *conn)
{
  return PQinstanceData (conn, role_event);
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
  return sr_db_connect_as (SR_DB_ROLE_JOB, out, err, errlen);
}

enum sr_status
sr_db_connect_as (enum sr_db_role role, PGconn **out, char *err,
                  size_t errlen)
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
  if (!sr_stmt_cache_attach (c)
      || !PQregisterEventProc (c, role_event, "signalroom-role", NULL)
      || !PQsetInstanceData (c, role_event,
                             &role_limits[(unsigned int) role < N_ROLES
                                          ? role : SR_DB_ROLE_JOB])) {
    snprintf (err, errlen, "cannot attach a role to a database connection");
    PQfinish (c);
    return SR_E_INTERNAL;
  }
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
  st = sr_db_connect_as (SR_DB_ROLE_API, &c, err, errlen);
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
  else if (NULL != state && (0 == strcmp (state, "57014")
                             || 0 == strcmp (state, "55P03")))
    st = SR_E_DB_TIMEOUT;     /* statement_timeout, lock_timeout, cancel */
  else
    st = SR_E_DB;
  snprintf (err, errlen, "%s failed (SQLSTATE %s): %s", name,
            state ? state : "none", line);
  sr_log (SR_E_DB == st ? SR_LOG_ERROR : SR_LOG_WARN, "database error",
          "{s:s, s:s, s:s}", "statement", name, "sqlstate",
          state ? state : "", "error", line);
  return st;
}

/* The next result of a pipeline, skipping the NULLs that end each
 * query's results; NULL when the connection broke or nothing is left. */
static PGresult *
pipeline_next (PGconn *conn)
{
  for (int nulls = 0; nulls < 2; nulls++) {
    PGresult *r = PQgetResult (conn);

    if (NULL != r)
      return r;
    if (CONNECTION_OK != PQstatus (conn))
      return NULL;
  }
  return NULL;
}

/* One command of a pipeline: Parse @e sql as @e name (PREPARE), run the
 * prepared @e name (RUN_PREPARED) or run @e sql unnamed (RUN); a run's
 * result goes to @e out when it is set (else it is dropped). */
struct pipe_step {
  enum { STEP_PREPARE, STEP_RUN_PREPARED, STEP_RUN } kind;
  const char *name;
  const char *sql;
  int n_params;
  const char *const *params;
  PGresult **out;
  const char *label;            /* whose failure this is, for the log */
};

static bool
send_step (PGconn *conn, const struct pipe_step *s)
{
  switch (s->kind) {
  case STEP_PREPARE:
    return PQsendPrepare (conn, s->name, s->sql, s->n_params, NULL);
  case STEP_RUN_PREPARED:
    return PQsendQueryPrepared (conn, s->name, s->n_params, s->params, NULL,
                                NULL, 0);
  case STEP_RUN:
    return PQsendQueryParams (conn, s->sql, s->n_params, NULL, s->params,
                              NULL, NULL, 0);
  }
  return false;
}

static bool
result_ok (const PGresult *r)
{
  ExecStatusType es = PQresultStatus (r);

  return PGRES_TUPLES_OK == es || PGRES_COMMAND_OK == es;
}

/* Keep @a r as @a s's output, or drop it. */
static void
keep_result (const struct pipe_step *s, PGresult *r)
{
  if (NULL != s->out)
    *s->out = r;
  else
    PQclear (r);
}

/* Leave pipeline mode, resetting a connection whose protocol state is
 * unknown (results we could not account for) rather than guess. */
static void
pipeline_leave (PGconn *conn)
{
  if (PQpipelineStatus (conn) != PQ_PIPELINE_OFF && !PQexitPipelineMode (conn)
      && CONNECTION_OK == PQstatus (conn)) {
    sr_log (SR_LOG_WARN, "database connection reset after a pipeline",
            "{s:s}", "error", PQerrorMessage (conn));
    PQreset (conn);
  }
}

/*
 * Send @a steps in one pipeline (one round trip; one transaction unless a
 * transaction is open) and read every result.  A statement prepared here
 * is noted for the connection.  @return NULL when every step succeeded
 * (their results are in their @e out), else the first failed result --
 * and no step keeps one -- or NULL with @a *broken set when the
 * connection broke; @a failed_label names the failed step.
 */
static PGresult *
pipeline_run (PGconn *conn, const struct pipe_step *steps, int n_steps,
              bool *broken, const char **failed_label)
{
  PGresult *failed = NULL, *r = NULL, *sync = NULL;
  bool sent = PQenterPipelineMode (conn);
  int i;

  for (i = 0; i < n_steps; i++)
    if (NULL != steps[i].out)
      *steps[i].out = NULL;
  for (i = 0; sent && i < n_steps; i++)
    sent = send_step (conn, &steps[i]);
  sent = sent && PQpipelineSync (conn);
  for (i = 0; sent && i < n_steps && NULL != (r = pipeline_next (conn)); i++) {
    if (STEP_PREPARE == steps[i].kind && result_ok (r))
      sr_stmt_cache_add (conn, steps[i].name);
    if (NULL == failed && result_ok (r))
      keep_result (&steps[i], r);
    else if (NULL == failed) {
      failed = r;
      *failed_label = steps[i].label;
    }
    else
      PQclear (r);
  }
  if (sent && i == n_steps)
    sync = pipeline_next (conn);
  /* What is left unread (after an error) is drained before leaving
   * pipeline mode, so the connection is usable again. */
  while (NULL != sync && PGRES_PIPELINE_SYNC != PQresultStatus (sync)) {
    PQclear (sync);
    sync = pipeline_next (conn);
  }
  *broken = NULL == sync;
  PQclear (sync);
  pipeline_leave (conn);
  if (NULL != failed || *broken)
    for (i = 0; i < n_steps; i++)
      if (NULL != steps[i].out) {
        PQclear (*steps[i].out);
        *steps[i].out = NULL;
      }
  if (*broken) {
    PQclear (failed);
    failed = NULL;
  }
  return failed;
}

/* The role's limits as set_config parameters. */
struct limit_params {
  char st[24], lk[24], idle[24];
  const char *p[3];
};

static void
limit_params (const struct sr_db_limits *lim, struct limit_params *lp)
{
  snprintf (lp->st, sizeof (lp->st), "%lu", lim->statement_ms);
  snprintf (lp->lk, sizeof (lp->lk), "%lu", lim->lock_ms);
  snprintf (lp->idle, sizeof (lp->idle), "%lu", lim->idle_in_transaction_ms);
  lp->p[0] = lp->st;
  lp->p[1] = lp->lk;
  lp->p[2] = lp->idle;
}

/* Outside a transaction a statement runs after its role's limits, in one
 * pipeline (a BEGIN keeps them for the transaction it opens). */
static const struct sr_db_limits *
limits_now (PGconn *conn)
{
  const struct sr_db_limits *lim = limits_of (conn);

  return NULL != lim && PQTRANS_IDLE == PQtransactionStatus (conn) ? lim
         : NULL;
}

/* Add to @a steps: Parse @a sql unless @a conn has it, then run it. */
static int
add_prepared (PGconn *conn, struct pipe_step *steps, int n,
              const struct sr_db_stmt *st, const char *name, PGresult **out)
{
  if (!sr_stmt_cache_has (conn, name))
    steps[n++] = (struct pipe_step) { STEP_PREPARE, name, st->sql,
                                      st->n_params, NULL, NULL, st->name };
  steps[n++] = (struct pipe_step) { STEP_RUN_PREPARED, name, NULL,
                                    st->n_params, st->params, out, st->name };
  return n;
}

/* Add to @a steps: run @a st unnamed (prepared: see add_prepared()). */
static int
add_step (PGconn *conn, bool prepared, struct pipe_step *steps, int n,
          const struct sr_db_stmt *st, const char *name, PGresult **out)
{
  if (prepared)
    return add_prepared (conn, steps, n, st, name, out);
  steps[n++] = (struct pipe_step) { STEP_RUN, NULL, st->sql, st->n_params,
                                    st->params, out, st->name };
  return n;
}

/* A prepared statement the server does not have (26000), or a name it has
 * already (42P05): we were not talking to the backend we prepared on. */
static bool
pooler_sign (const PGresult *r)
{
  const char *state = NULL != r ? PQresultErrorField (r, PG_DIAG_SQLSTATE)
                      : NULL;

  return NULL != state && (0 == strcmp (state, "26000")
                           || 0 == strcmp (state, "42P05"));
}

/* "cached plan must not change result type" (0A000): a prepared
 * statement's tables changed shape under it. */
static bool
stale_plan (const PGresult *r)
{
  const char *state = NULL != r ? PQresultErrorField (r, PG_DIAG_SQLSTATE)
                      : NULL;

  return NULL != state && 0 == strcmp (state, "0A000");
}

/* Names for @a stmts and the limits statement; false when some are not
 * prepared on @a conn and there is no room to note them all (one noted
 * and not another would prepare that one twice). */
static bool
name_all (PGconn *conn, const struct sr_db_stmt *stmts, size_t n,
          char names[][SR_STMT_NAME_LEN], char lname[SR_STMT_NAME_LEN])
{
  size_t missing = 0;

  sr_stmt_name (sr_sql_db_set_limits, lname);
  missing += !sr_stmt_cache_has (conn, lname);
  for (size_t i = 0; i < n; i++) {
    sr_stmt_name (stmts[i].sql, names[i]);
    missing += !sr_stmt_cache_has (conn, names[i]);
  }
  return 0 == missing || sr_stmt_cache_room (conn, missing);
}

/* SR_OK, or @a failed (NULL: the connection broke) classified under
 * @a label; @a failed is freed. */
static enum sr_status
outcome (PGconn *conn, const char *label, PGresult *failed, bool ok,
         char *err, size_t errlen)
{
  enum sr_status st = SR_OK;

  if (ok)
    last_sqlstate[0] = '\0';
  else
    st = classify (conn, label, failed, err, errlen);
  PQclear (failed);
  return st;
}

/* @a stmts in one pipeline, after the role's limits when no transaction
 * is open; prepared (when @a prepared) or unnamed.  The first failure is
 * classified under its statement's name. */
static enum sr_status run_batch_busy (PGconn *conn, struct sr_db_stmt *stmts,
                                      size_t n, bool prepared, char *err,
                                      size_t errlen);

static bool
tx_bracket (const char *name)
{
  return 0 == strcmp (name, "begin") || 0 == strcmp (name, "commit")
         || 0 == strcmp (name, "rollback");
}

/* Busy: statements outside a transaction here, a whole transaction in
 * sr_tx_run. */
static enum sr_status
run_batch (PGconn *conn, struct sr_db_stmt *stmts, size_t n, bool prepared,
           char *err, size_t errlen)
{
  bool alone = PQTRANS_IDLE == PQtransactionStatus (conn);
  /* A statement group is a span when it is part of traced work (a
   * request, a job); the background's polling is not traced, nor a
   * transaction's BEGIN and COMMIT (its own span covers them). */
  bool traced = NULL != sr_trace_current () && !tx_bracket (stmts[0].name);
  struct sr_span span;
  enum sr_status st;

  if (alone)
    sr_db_note_busy (1, 0);
  if (traced) {
    sr_span_begin (&span, stmts[0].name, SR_SPAN_CLIENT);
    sr_span_set_str (&span, "db.system", "postgresql");
    sr_span_set_str (&span, "db.operation.name", stmts[0].name);
    if (n > 1)
      sr_span_set_int (&span, "db.operation.batch.size", (int64_t) n);
  }
  st = run_batch_busy (conn, stmts, n, prepared, err, errlen);
  if (traced) {
    if (SR_OK != st)
      sr_span_set_str (&span, "db.response.status_code", last_sqlstate);
    sr_span_set_error (&span, SR_OK != st);
    sr_span_finish (&span);
  }
  if (alone)
    sr_db_note_busy (-1, 0);
  return st;
}

static enum sr_status
run_batch_busy (PGconn *conn, struct sr_db_stmt *stmts, size_t n,
                bool prepared, char *err, size_t errlen)
{
  const struct sr_db_limits *lim = limits_now (conn);
  char names[SR_DB_BATCH_MAX][SR_STMT_NAME_LEN], lname[SR_STMT_NAME_LEN];
  struct pipe_step steps[2 * SR_DB_BATCH_MAX + 2];
  struct limit_params lp;
  const char *label = stmts[0].name;
  PGresult *failed;
  bool broken;
  int k = 0;

  if (n > SR_DB_BATCH_MAX) {
    snprintf (err, errlen, "%s: %zu statements in one batch; at most %d",
              stmts[0].name, n, SR_DB_BATCH_MAX);
    return SR_E_INTERNAL;
  }
  prepared = prepared && name_all (conn, stmts, n, names, lname);
  if (!prepared && NULL == lim && 1 == n) {
    /* Inside a transaction, unprepared: nothing to pipeline. */
    PGresult *r = PQexecParams (conn, stmts[0].sql, stmts[0].n_params, NULL,
                                stmts[0].params, NULL, NULL, 0);
    bool ok = NULL != r && result_ok (r);

    if (ok)
      stmts[0].res = r;
    return outcome (conn, label, ok ? NULL : r, ok, err, errlen);
  }
  if (NULL != lim) {
    limit_params (lim, &lp);
    k = add_step (conn, prepared, steps, k,
                  &(struct sr_db_stmt) { "db_set_limits",
                                         sr_sql_db_set_limits, 3, lp.p,
                                         NULL }, lname, NULL);
  }
  for (size_t i = 0; i < n; i++)
    k = add_step (conn, prepared, steps, k, &stmts[i], names[i],
                  &stmts[i].res);
  failed = pipeline_run (conn, steps, k, &broken, &label);
  if (prepared && (pooler_sign (failed) || stale_plan (failed))) {
    if (pooler_sign (failed))
      sr_stmt_cache_pooler_seen (PQresultErrorField (failed,
                                                     PG_DIAG_SQLSTATE));
    else {
      /* A migration changed what a prepared read returns: start over. */
      PQclear (PQexec (conn, "DEALLOCATE ALL"));
      sr_stmt_cache_forget (conn);
    }
    PQclear (failed);
    return run_batch (conn, stmts, n, false, err, errlen);
  }
  return outcome (conn, label, failed, NULL == failed && !broken, err,
                  errlen);
}

enum sr_status
sr_db_batch_prepared (PGconn *conn, struct sr_db_stmt *stmts, size_t n,
                      char *err, size_t errlen)
{
  return run_batch (conn, stmts, n, sr_stmt_cache_enabled (), err, errlen);
}

enum sr_status
sr_db_exec (PGconn *conn, const char *name, const char *sql, int n_params,
            const char *const *params, PGresult **res, char *err,
            size_t errlen)
{
  struct sr_db_stmt one = { name, sql, n_params, params, NULL };
  enum sr_status st = run_batch (conn, &one, 1, false, err, errlen);

  *res = one.res;
  return st;
}

enum sr_status
sr_db_exec_prepared (PGconn *conn, const char *name, const char *sql,
                     int n_params, const char *const *params,
                     PGresult **res, char *err, size_t errlen)
{
  struct sr_db_stmt one = { name, sql, n_params, params, NULL };
  enum sr_status st = sr_db_batch_prepared (conn, &one, 1, err, errlen);

  *res = one.res;
  return st;
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
sr_db_json (PGconn *conn, const char *name, const char *sql, int n_params,
            const char *const *params, json_t **out, char *err,
            size_t errlen)
{
  PGresult *r;
  enum sr_status st = sr_db_exec (conn, name, sql, n_params, params, &r, err,
                                  errlen);

  *out = NULL;
  if (SR_OK != st)
    return st;
  if (1 == PQntuples (r) && !PQgetisnull (r, 0, 0))
    *out = json_loads (PQgetvalue (r, 0, 0), 0, NULL);
  PQclear (r);
  if (NULL == *out) {
    snprintf (err, errlen, "%s returned no JSON", name);
    return SR_E_INTERNAL;
  }
  return SR_OK;
}

enum sr_status
sr_db_uint (PGconn *conn, const char *name, const char *sql, int n_params,
            const char *const *params, unsigned int *out, char *err,
            size_t errlen)
{
  PGresult *r;
  enum sr_status st = sr_db_exec (conn, name, sql, n_params, params, &r, err,
                                  errlen);

  if (NULL != out)
    *out = 0;
  if (SR_OK != st)
    return st;
  if (NULL != out && 1 == PQntuples (r))
    *out = (unsigned int) strtoul (PQgetvalue (r, 0, 0), NULL, 10);
  PQclear (r);
  return SR_OK;
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

int
sr_db_wait_notify (PGconn *conn, int ms)
{
  struct pollfd pfd = { .fd = PQsocket (conn), .events = POLLIN };
  PGnotify *n;
  int got = 0;

  if (pfd.fd < 0)
    return -1;
  if (poll (&pfd, 1, ms) < 0)
    return EINTR == errno ? 0 : -1;
  if (0 == pfd.revents)
    return 0;
  if (0 == PQconsumeInput (conn))
    return -1;
  while (NULL != (n = PQnotifies (conn))) {
    got = 1;
    PQfreemem (n);
  }
  return got;
}

/* end of db.c */
