/*
 * automigrate.h -- apply migrations in the background until it succeeds.
 *
 * `serve` must come up even when the database does not (readiness then
 * says why), and must migrate as soon as the database is there.  This
 * module owns one thread that tries sr_migrate_apply() on its own
 * connection, backing off from 1 s to 30 s between attempts, and exits
 * after the first success or when stopped.
 */
#ifndef SR_AUTOMIGRATE_H
#define SR_AUTOMIGRATE_H

#include "status.h"

struct sr_automigrate;

/** Start the thread.  @return SR_OK or SR_E_INTERNAL. */
enum sr_status sr_automigrate_start (struct sr_automigrate **out);

/** Stop the thread (interrupting a back-off wait), join it, free. */
void sr_automigrate_stop (struct sr_automigrate *am);

#endif /* SR_AUTOMIGRATE_H */
