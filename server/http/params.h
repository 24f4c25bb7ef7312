/*
 * params.h -- reading path and query parameters, or replying why not.
 *
 * Each function either fills its output and returns true, or stages the
 * problem reply (400 naming the parameter, or 404 for an id that cannot
 * exist) and returns false: the handler then just returns SR_OK.
 */
#ifndef SR_PARAMS_H
#define SR_PARAMS_H

#include <stdbool.h>
#include <stdint.h>

#include "request.h"

/** Path parameter @a index as a positive id (404 otherwise). */
bool sr_path_id_or_reply (struct sr_request *req, size_t index,
                          int64_t *out);

/** Query parameter @a name as an integer in [min, max]; @a def when
 * absent. */
bool sr_query_int_or_reply (struct sr_request *req, const char *name,
                            int64_t min, int64_t max, int64_t def,
                            int64_t *out);

/** Query parameter @a name as a YYYY-MM-DD date (NULL when absent). */
bool sr_query_date_or_reply (struct sr_request *req, const char *name,
                             const char **out);

/** Query parameter @a name, one of the NULL-terminated @a allowed (NULL
 * when absent). */
bool sr_query_enum_or_reply (struct sr_request *req, const char *name,
                             const char *const *allowed, const char **out);

#endif /* SR_PARAMS_H */
