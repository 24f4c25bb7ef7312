/*
 * store_sources.h -- sources' freshness and last runs, for GET /v1/sources.
 *
 * The logic is in SQL functions (sql/migrations); these wrappers bind
 * parameters and read typed rows.  Threading: the caller's connection.
 */
#ifndef SR_STORE_SOURCES_H
#define SR_STORE_SOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "status.h"

/** Freshness of every source: array of {source, last_day, last_success,
 * last_run}. */
enum sr_status sr_store_sources_status (PGconn *conn, json_t **out,
                                        char *err, size_t errlen);

#endif /* SR_STORE_SOURCES_H */
