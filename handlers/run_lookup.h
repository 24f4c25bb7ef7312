/*
 * run_lookup.h -- the run a /v1/syncs/{id}... route names, shared by the
 * handlers of that resource: the id from the path, this thread's database
 * connection, the run itself, or the reply that says why not.
 */
#ifndef SR_RUN_LOOKUP_H
#define SR_RUN_LOOKUP_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "request.h"

/**
 * @param[out] conn  this thread's connection (borrowed)
 * @param[out] id    the run id from path parameter 0
 * @param[out] run   the run as JSON (new reference)
 * @return false when a reply (400, 404, 503) is staged instead
 */
bool sr_run_from_path_or_reply (struct sr_request *req, PGconn **conn,
                                int64_t *id, json_t **run);

#endif /* SR_RUN_LOOKUP_H */
