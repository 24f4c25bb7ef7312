/*
 * automigrate.h -- apply migrations in the background until it succeeds.
 *
 * `serve` must come up even when the database does not (readiness then
 * says why), and must migrate as soon as the database is there.  This
 * module owns one thread that tries sr_migrate_apply() on its own
 * connection, backing off from 1 s to 30 s between attempts, and exits
 * after the first success or when stopped.  After migrating it writes the
 * configured internal-affiliate list, which the reporting views read.
 *
 * With SIGNALROOM_AUTO_MIGRATE off it migrates nothing: it waits, with the
 * same back-off, until someone else (`signalroom migrate`) has made the
 * schema current.  Either way, once the schema is current it calls the
 * on_ready callback (once, from its thread): `serve` opens the job pool
 * and the scheduler there, so they never query tables that are not there
 * yet.
 */
#ifndef SR_AUTOMIGRATE_H
#define SR_AUTOMIGRATE_H

#include "status.h"

struct sr_automigrate;

/** Called once, from the migration thread, when the schema is current. */
typedef void (*sr_automigrate_ready) (void *cls);

/**
 * Start the thread.  It applies migrations when cfg->auto_migrate is set
 * (else waits for them), then writes the settings the views read
 * (store_settings.h), then calls @a on_ready (may be NULL) with @a cls.
 * @return SR_OK or SR_E_INTERNAL
 */
struct sr_config;
enum sr_status sr_automigrate_start (const struct sr_config *cfg,
                                     sr_automigrate_ready on_ready,
                                     void *cls, struct sr_automigrate **out);

/** Stop the thread (interrupting a back-off wait), join it, free.  No
 * on_ready call happens after this returns. */
void sr_automigrate_stop (struct sr_automigrate *am);

#endif /* SR_AUTOMIGRATE_H */
