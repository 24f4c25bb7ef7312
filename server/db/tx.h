/*
 * tx.h -- the one transaction runner.
 *
 * BEGIN, the work, COMMIT; on any failure ROLLBACK (when the connection is
 * still there).  A serialization failure or deadlock (SR_E_DB_SOFT), in
 * the work or at COMMIT, is the database asking for the whole transaction
 * again: it is run again, up to @a attempts times, with a short growing
 * pause.  Work that cannot be repeated (it consumes a stream, say) passes
 * attempts = 1.  BEGIN goes through sr_db_run, so the connection role's
 * time limits apply to the transaction (db.h).
 *
 * Threading: the connection's thread only.
 */
#ifndef SR_TX_H
#define SR_TX_H

#include <stddef.h>

#include <libpq-fe.h>

#include "status.h"

/** How many times a transaction is tried when the database asks again. */
#define SR_TX_ATTEMPTS 3

/**
 * The work inside the transaction.  Return SR_OK to commit; anything else
 * rolls back (with @a err filled).
 */
typedef enum sr_status (*sr_tx_work) (void *cls, PGconn *conn, char *err,
                                      size_t errlen);

/**
 * Run @a work in a transaction named @a name (for logs).
 * @return the work's status, COMMIT's, or BEGIN's
 */
enum sr_status sr_tx_run (PGconn *conn, const char *name,
                          unsigned int attempts, sr_tx_work work, void *cls,
                          char *err, size_t errlen);

#endif /* SR_TX_H */
