/*
 * db.h -- PostgreSQL connections and statement execution (libpq).
 *
 * Threading: a PGconn is never shared.  Each thread that talks to the
 * database uses its own connection, obtained from sr_db_thread_conn(): it
 * is opened on first use, reopened after the server went away, and closed
 * when the thread exits.  Code that wants a connection of its own (the
 * migrator, a CLI command) uses sr_db_connect() and PQfinish().
 *
 * Poolers: every statement is sent with PQexecParams (an unnamed
 * statement), and nothing relies on session state, so signalroom works
 * behind Supabase's transaction pooler.  Parameters are always bound ($n),
 * never pasted into SQL text.
 *
 * Time limits: every connection has a role (enum sr_db_role), and the
 * role's statement_timeout, lock_timeout and
 * idle_in_transaction_session_timeout are set in each transaction, with
 * set_config(..., is_local => true), not once per session: a transaction
 * pooler hands every transaction to whichever server connection is free,
 * keeping neither a session SET nor the `options` of the startup packet.
 * A statement run outside a transaction (or the BEGIN that opens one) is
 * sent in one libpq pipeline behind that set_config -- one round trip, one
 * transaction -- so the limits hold for it and for the rest of a
 * transaction it opens.  Limits of 0 are set too: they lift a server or
 * role default (a long load is never cut by someone else's limit).  So a
 * statement that refuses to run in a transaction or pipeline (VACUUM,
 * CREATE INDEX CONCURRENTLY) cannot go through sr_db_exec; none does.
 *
 * Errors map onto the status enum: connection failures -> SR_E_DB_CONN,
 * serialization failures and deadlocks -> SR_E_DB_SOFT (retry), a
 * statement or lock wait over its limit -> SR_E_DB_TIMEOUT, anything else
 * -> SR_E_DB.  The message is logged with its SQLSTATE, never with
 * parameter values.
 */
#ifndef SR_DB_H
#define SR_DB_H

#include <stddef.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "config.h"
#include "status.h"

/** What a connection is for; each role has its own time limits. */
enum sr_db_role {
  SR_DB_ROLE_API,        /* HTTP requests: SIGNALROOM_DB_STATEMENT_TIMEOUT_MS
                          * for a statement and for a lock wait */
  SR_DB_ROLE_JOB,        /* workers, loads, CLI syncs: no statement or lock
                          * limit (a load takes as long as its data; a
                          * stalled upstream is cut by the HTTP client) */
  SR_DB_ROLE_KEEPER,     /* heartbeat and sweeper: a third of a lease, so a
                          * stuck renewal never outlives the lease it
                          * renews */
  SR_DB_ROLE_BACKGROUND, /* scheduler, LISTEN: 30 s */
  SR_DB_ROLE_MIGRATE     /* migrations: no limit */
};

/** The limits of a role, in milliseconds (0: none). */
struct sr_db_limits {
  unsigned long statement_ms;
  unsigned long lock_ms;
  unsigned long idle_in_transaction_ms;
};

/** Remember the connection parameters and the roles' limits (call once,
 * before threads). */
void sr_db_init (const struct sr_config *cfg);

/** @return the limits of @a role (valid after sr_db_init). */
struct sr_db_limits sr_db_role_limits (enum sr_db_role role);

/**
 * Open a new connection for @a role, owned by the caller (PQfinish() it).
 * @param[out] err  on failure, libpq's reason on one line
 * @return SR_OK or SR_E_DB_CONN
 */
enum sr_status sr_db_connect_as (enum sr_db_role role, PGconn **out,
                                 char *err, size_t errlen);

/** sr_db_connect_as (SR_DB_ROLE_JOB, ...): commands and loads. */
enum sr_status sr_db_connect (PGconn **out, char *err, size_t errlen);

/** Move the connection gauges (metrics.h) by @a busy and @a open. */
void sr_db_note_busy (int busy, int open);

/**
 * This thread's connection (borrowed, role SR_DB_ROLE_API), opened or
 * reopened as needed.
 * @return SR_OK or SR_E_DB_CONN
 */
enum sr_status sr_db_thread_conn (PGconn **out, char *err, size_t errlen);

/** Close this thread's connection now (it reopens on next use). */
void sr_db_thread_close (void);

/**
 * Run one statement with text parameters.
 *
 * @param name     short statement name for logs ("migrations_applied")
 * @param[out] res on SR_OK the result (PQclear() it); NULL on failure
 * @param[out] err on failure, one line with the SQLSTATE
 */
enum sr_status sr_db_exec (PGconn *conn, const char *name, const char *sql,
                           int n_params, const char *const *params,
                           PGresult **res, char *err, size_t errlen);

/** Statements sr_db_batch_prepared() runs together. */
#define SR_DB_BATCH_MAX 4

/** One statement of a batch; @e res is its result on SR_OK (PQclear it). */
struct sr_db_stmt {
  const char *name;             /* for messages */
  const char *sql;
  int n_params;
  const char *const *params;
  PGresult *res;
};

/**
 * Hot reads with fixed texts, up to SR_DB_BATCH_MAX, in one round trip
 * and one snapshot (one implicit transaction, after the role's limits):
 * prepared once per connection as sr_db_exec_prepared() says.  On failure
 * no statement keeps a result; the message names the one that failed.
 */
enum sr_status sr_db_batch_prepared (PGconn *conn, struct sr_db_stmt *stmts,
                                     size_t n, char *err, size_t errlen);

/**
 * sr_db_exec() for a hot read with a fixed text: prepared once per
 * connection (stmt_cache.h), then only bound and run, in the same one
 * round trip with the role's limits.  Falls back to sr_db_exec() when
 * preparing is off, after a transaction pooler answered, or when a
 * migration changed the statement's result type.
 */
enum sr_status sr_db_exec_prepared (PGconn *conn, const char *name,
                                    const char *sql, int n_params,
                                    const char *const *params, PGresult **res,
                                    char *err, size_t errlen);

/** Run a statement whose result is not needed. */
enum sr_status sr_db_run (PGconn *conn, const char *name, const char *sql,
                          int n_params, const char *const *params, char *err,
                          size_t errlen);

/**
 * Run a statement that returns one text value and parse it as JSON.
 * @param[out] out  new reference; SR_E_INTERNAL when there was none
 */
enum sr_status sr_db_json (PGconn *conn, const char *name, const char *sql,
                           int n_params, const char *const *params,
                           json_t **out, char *err, size_t errlen);

/** Run a statement that returns one count (0 when no row); @a out may be
 * NULL. */
enum sr_status sr_db_uint (PGconn *conn, const char *name, const char *sql,
                           int n_params, const char *const *params,
                           unsigned int *out, char *err, size_t errlen);

/**
 * Run a multi-statement script without parameters (migrations only: the
 * simple query protocol is the one that accepts several statements).
 */
enum sr_status sr_db_script (PGconn *conn, const char *name,
                             const char *sql, char *err, size_t errlen);

/**
 * Wait up to @a ms for notifications on @a conn (after a LISTEN) and
 * consume them.  @return 1 when some came, 0 when none did, -1 when the
 * connection broke (reconnect and LISTEN again).
 */
int sr_db_wait_notify (PGconn *conn, int ms);

/** @return the SQLSTATE of the last failed sr_db_* call on this thread. */
const char *sr_db_last_sqlstate (void);

#endif /* SR_DB_H */
