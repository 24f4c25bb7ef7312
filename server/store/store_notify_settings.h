/*
 * store_notify_settings.h -- the notification settings SQL acts on.
 *
 * The alert triggers (sql/migrations/0018_alerts.sql) and
 * signalroom.enqueue_notification decide in the database where and when a
 * message goes, so the configured channel, numbers and policy are written
 * to the one signalroom.notify_settings row when `serve` has migrated.
 * Several instances: the one that starts last wins (configure them
 * alike).  Thread-safe as far as @a conn is (one thread per connection).
 */
#ifndef SR_STORE_NOTIFY_SETTINGS_H
#define SR_STORE_NOTIFY_SETTINGS_H

#include <stddef.h>

#include <libpq-fe.h>

#include "config.h"
#include "status.h"

/** Make signalroom.notify_settings the configuration in @a cfg. */
enum sr_status sr_store_notify_settings (PGconn *conn,
                                         const struct sr_config *cfg,
                                         char *err, size_t errlen);

#endif /* SR_STORE_NOTIFY_SETTINGS_H */
