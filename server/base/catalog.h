/*
 * catalog.h -- the sources signalroom knows, as data: names, the settings
 * each needs, and the one rule for a sync's default window.
 *
 * Handlers, the scheduler and the command line read this table; only the
 * job runner and the CLI call into sources/ to run one.  Adding a source
 * means a row here and its implementation in sources/ (which names its row
 * by the same name).  Immutable; thread-safe.
 */
#ifndef SR_CATALOG_H
#define SR_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "dates.h"

struct sr_catalog_source {
  const char *name;
  /* true: without an explicit window the source takes everything new
   * (S3 objects); false: the trailing SIGNALROOM_RESYNC_DAYS days. */
  bool default_everything;
  /* Days of the default window (0: SIGNALROOM_RESYNC_DAYS). */
  unsigned int default_days;
  /* How many days before today a window ends: a report of finished days
   * ends yesterday (1); a load ends today (0). */
  unsigned int lag_days;
  /* Computed from the other sources' data, not loaded from upstream:
   * "all" (which loads) leaves it out. */
  bool derived;
  const char *const *required;   /* variables that must be set, NULL-ended */
};

/** Every source, ending with a row whose name is NULL. */
extern const struct sr_catalog_source sr_catalog[];

/** The pseudo-source that runs every source at once. */
#define SR_CATALOG_ALL "all"

/** @return the row called @a name, or NULL. */
const struct sr_catalog_source *sr_catalog_find (const char *name);

/**
 * Which required variables are unset: comma-separated in @a missing ("" if
 * none).  @return true when the source is configured.
 */
bool sr_catalog_configured (const struct sr_catalog_source *src,
                            const struct sr_config *cfg, char *missing,
                            size_t len);

/**
 * The window a sync of @a src covers when none was asked for, ending on
 * @a today less the source's lag: @a days days if not 0, else the
 * source's default (everything new, its default_days, or the trailing
 * SIGNALROOM_RESYNC_DAYS days).
 * @return false when the source takes everything new (no window); true
 *         with @a from and @a to filled otherwise
 */
bool sr_catalog_default_window (const struct sr_catalog_source *src,
                                const struct sr_config *cfg, int32_t today,
                                unsigned long days, char from[SR_DATE_LEN],
                                char to[SR_DATE_LEN]);

#endif /* SR_CATALOG_H */
