/*
 * data_versions.h -- what this process knows of the data versions
 * (signalroom.data_versions): one counter per family of report tables,
 * bumped by every load that changes them.
 *
 * A watcher thread (server/jobs/datawatch.c) refreshes them on NOTIFY and
 * by polling; readers may trust a value only while it is recent, so a
 * watcher cut off from the database makes readers ask the database
 * themselves instead of serving an old version for ever.
 * Lock-free: atomics only.
 */
#ifndef SR_DATA_VERSIONS_H
#define SR_DATA_VERSIONS_H

#include <stdint.h>

/** Record @a version of @a area (unknown areas are ignored). */
void sr_data_versions_set (const char *area, int64_t version);

/** Note that every area was just read from the database. */
void sr_data_versions_refreshed (void);

/**
 * The version of @a area if it was read within @a max_age_ms, else 0
 * (unknown: ask the database).
 */
int64_t sr_data_versions_get (const char *area, uint64_t max_age_ms);

#endif /* SR_DATA_VERSIONS_H */
