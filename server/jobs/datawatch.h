/*
 * datawatch.h -- keeps this process's copy of the data versions current
 * (data_versions.h): LISTEN signalroom_data, which every load's commit
 * announces, and a read every poll interval as the fallback (a
 * transaction pooler cannot hold a LISTEN).  Cached reports of every
 * instance are therefore dropped within milliseconds of a load, or within
 * one poll interval behind a pooler.
 *
 * One thread with its own connection; sleeps only in poll() on the
 * database socket or the waiter.
 */
#ifndef SR_DATAWATCH_H
#define SR_DATAWATCH_H

#include "config.h"
#include "status.h"

struct sr_datawatch;

enum sr_status sr_datawatch_start (const struct sr_config *cfg,
                                   struct sr_datawatch **out);

/** Stop and join the thread. */
void sr_datawatch_stop (struct sr_datawatch *w);

#endif /* SR_DATAWATCH_H */
