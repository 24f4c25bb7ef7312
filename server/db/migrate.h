/*
 * migrate.h -- forward-only schema migrations.
 *
 * The migrations are the files sql/migrations/NNNN_name.sql, embedded in
 * the binary.  Each runs in its own transaction that first takes a
 * transaction-level advisory lock, so any number of instances may start
 * (and migrate) at once: one applies, the others wait and then find the
 * work done.  Each applied migration is recorded in
 * signalroom.schema_migrations with a SHA-256 of its text; a migration
 * edited after it was applied stops the runner with an error rather than
 * being silently skipped.
 */
#ifndef SR_MIGRATE_H
#define SR_MIGRATE_H

#include <stddef.h>

#include <libpq-fe.h>

#include "status.h"

struct sr_migrate_state {
  unsigned int latest_known;    /* newest migration in this binary */
  unsigned int applied_max;     /* newest applied in the database (0: none) */
  unsigned int pending;         /* known but not applied */
  unsigned int unknown;         /* applied but unknown to this binary */
};

/**
 * Apply every pending migration on @a conn (which must not be inside a
 * transaction).
 * @param[out] n_applied  how many this call applied
 * @param[out] err        on failure, which migration and why
 */
enum sr_status sr_migrate_apply (PGconn *conn, unsigned int *n_applied,
                                 char *err, size_t errlen);

/**
 * Compare the database with the embedded migrations (read-only).
 */
enum sr_status sr_migrate_state (PGconn *conn, struct sr_migrate_state *st,
                                 char *err, size_t errlen);

#endif /* SR_MIGRATE_H */
