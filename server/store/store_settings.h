/*
 * store_settings.h -- configuration the database views depend on.
 *
 * The views compute cost from signalroom.internal_affiliates, so the list
 * configured in SIGNALROOM_INTERNAL_AFFILIATES is written there before
 * every sync and when `serve` has migrated.
 */
#ifndef SR_STORE_SETTINGS_H
#define SR_STORE_SETTINGS_H

#include <stddef.h>

#include <libpq-fe.h>

#include "config.h"
#include "status.h"

/** Make the client's internal-affiliate list the configured one. */
enum sr_status sr_store_internal_affiliates (PGconn *conn,
                                             const struct sr_config *cfg,
                                             char *err, size_t errlen);

#endif /* SR_STORE_SETTINGS_H */
