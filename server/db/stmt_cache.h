/*
 * stmt_cache.h -- which statements each connection has prepared.
 *
 * Why: a report read is a few hundred microseconds of execution behind a
 * few milliseconds of parsing and planning (measured: the daily summary's
 * SQL runs 17x faster prepared than as an unnamed statement).  So the hot
 * reads are prepared once per connection and then only bound and run.
 *
 * A statement's server-side name is a hash of its text ("sr_" + 16 hex),
 * never of what it is called in C: two builds with different SQL under
 * one name can share a database (a rolling deploy, a pooler handing one
 * backend to several clients) and still never run each other's text.
 *
 * Transaction poolers (Supabase's port 6543, pgbouncer in transaction
 * mode) lend a backend per transaction, so a statement prepared on one is
 * missing on the next.  SIGNALROOM_DB_PREPARE=false says so up front; the
 * first sign of it at run time (SQLSTATE 26000 or 42P05 on a prepared
 * statement) turns preparing off for the whole process, with one warning,
 * and the statement is run unnamed instead.
 *
 * Thread safety: the switch is atomic; a connection's list is used only by
 * the thread that owns the connection.  The list lives as libpq instance
 * data and is emptied by PQreset and freed with the connection.
 */
#ifndef SR_STMT_CACHE_H
#define SR_STMT_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

/** Length of a statement name with its NUL. */
#define SR_STMT_NAME_LEN 20

/** Set by the configuration (SIGNALROOM_DB_PREPARE) at start-up. */
void sr_stmt_cache_enable (bool on);

/** Whether statements are prepared (false after a pooler was seen). */
bool sr_stmt_cache_enabled (void);

/**
 * A transaction pooler answered @a sqlstate to a prepared statement: stop
 * preparing in this process (logged once).
 */
void sr_stmt_cache_pooler_seen (const char *sqlstate);

/** Give @a conn its (empty) list.  @return false when out of memory. */
bool sr_stmt_cache_attach (PGconn *conn);

/**
 * The server-side name of @a sql, the same for the same text.  @a sql must
 * be of static storage (the build's embedded SQL, or a literal): names are
 * remembered by the text's address.
 */
void sr_stmt_name (const char *sql, char name[SR_STMT_NAME_LEN]);

/** Whether @a conn has prepared @a name. */
bool sr_stmt_cache_has (const PGconn *conn, const char *name);

/** Whether @a conn can note @a more statements (if not, statements it
 * has not prepared yet run unnamed: preparing one twice is an error). */
bool sr_stmt_cache_room (const PGconn *conn, size_t more);

/** Note that @a conn prepared @a name. */
void sr_stmt_cache_add (PGconn *conn, const char *name);

/** Forget every statement of @a conn (after a DEALLOCATE ALL). */
void sr_stmt_cache_forget (PGconn *conn);

#endif /* SR_STMT_CACHE_H */
