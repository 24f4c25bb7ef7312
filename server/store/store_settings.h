/*
 * store_settings.h -- configuration the database views depend on.
 *
 * The views compute cost from signalroom.internal_affiliates, so the list
 * configured in SIGNALROOM_INTERNAL_AFFILIATES is written there before
 * every sync and when `serve` has migrated.
 *
 * The alert triggers (sql/migrations/0018_alerts.sql) and
 * signalroom.enqueue_notification decide in the database where and when a
 * message goes, so the configured Slack channel, numbers and alert policy
 * are written to the one signalroom.notify_settings row when `serve` has
 * migrated.  Several instances: the one that started last wins (configure
 * them alike).
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

/** Make signalroom.notify_settings the configuration in @a cfg. */
enum sr_status sr_store_notify_settings (PGconn *conn,
                                         const struct sr_config *cfg,
                                         char *err, size_t errlen);

#endif /* SR_STORE_SETTINGS_H */
