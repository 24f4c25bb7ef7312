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
 * Errors map onto the status enum: connection failures -> SR_E_DB_CONN,
 * serialization failures and deadlocks -> SR_E_DB_SOFT (retry), anything
 * else -> SR_E_DB.  The message is logged with its SQLSTATE, never with
 * parameter values.
 */
#ifndef SR_DB_H
#define SR_DB_H

#include <stddef.h>

#include <libpq-fe.h>

#include "config.h"
#include "status.h"

/** Remember the connection parameters (call once, before threads). */
void sr_db_init (const struct sr_config *cfg);

/**
 * Open a new connection owned by the caller (PQfinish() it).
 * @param[out] err  on failure, libpq's reason on one line
 * @return SR_OK or SR_E_DB_CONN
 */
enum sr_status sr_db_connect (PGconn **out, char *err, size_t errlen);

/**
 * This thread's connection (borrowed), opened or reopened as needed.
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

/** Run a statement whose result is not needed. */
enum sr_status sr_db_run (PGconn *conn, const char *name, const char *sql,
                          int n_params, const char *const *params, char *err,
                          size_t errlen);

/**
 * Run a multi-statement script without parameters (migrations only: the
 * simple query protocol is the one that accepts several statements).
 */
enum sr_status sr_db_script (PGconn *conn, const char *name,
                             const char *sql, char *err, size_t errlen);

/** @return the SQLSTATE of the last failed sr_db_* call on this thread. */
const char *sr_db_last_sqlstate (void);

#endif /* SR_DB_H */
