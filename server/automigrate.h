/*
 * automigrate.h -- apply migrations in the background until it succeeds.
 *
 * `serve` must come up even when the database does not (readiness then
 * says why), and must migrate as soon as the database is there.  This
 * module owns one thread that tries sr_migrate_apply() on its own
 * connection, backing off from 1 s to 30 s between attempts, and exits
 * after the first success or when stopped.  After migrating it writes the
 * configured internal-affiliate list, which the reporting views read.
 */
#ifndef SR_AUTOMIGRATE_H
#define SR_AUTOMIGRATE_H

#include "status.h"

struct sr_automigrate;

/**
 * Start the thread.  It applies migrations when cfg->auto_migrate is set,
 * then writes the settings the views read (store_settings.h).
 * @return SR_OK or SR_E_INTERNAL
 */
struct sr_config;
enum sr_status sr_automigrate_start (const struct sr_config *cfg,
                                     struct sr_automigrate **out);

/** Stop the thread (interrupting a back-off wait), join it, free. */
void sr_automigrate_stop (struct sr_automigrate *am);

#endif /* SR_AUTOMIGRATE_H */
