/*
 * store_mapping.h -- the Redtrack-source -> Everflow-affiliate mapping file.
 *
 * The file is the agency's own CSV, taken exactly as it comes: UTF-8 BOM,
 * CRLF, no final newline, `n/a` for unknown, stray spaces.  It is parsed
 * strictly -- a wrong header, a bad row or a duplicated source id refuses
 * the whole file with the line number -- and then replaces the client's
 * mapping in one transaction, so the old mapping stays until a good file
 * arrives.  Joins use the Redtrack source id, never the name.
 */
#ifndef SR_STORE_MAPPING_H
#define SR_STORE_MAPPING_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "status.h"

/** Most rows a mapping file may have. */
#define SR_MAPPING_MAX_ROWS 10000

/**
 * Parse a mapping file.
 * @param[out] rows  on success, a new JSON array of row objects
 * @param[out] line  on failure, the 1-based line at fault (0: whole file)
 * @param[out] err   on failure, "line N: what is wrong"
 * @return SR_OK or SR_E_INVALID
 */
enum sr_status sr_mapping_parse (const char *data, size_t len, json_t **rows,
                                 uint64_t *line, char *err, size_t errlen);

/**
 * Replace the client's mapping with @a rows (borrowed), atomically.
 * @param[out] previous  how many rows the old mapping had
 */
enum sr_status sr_mapping_store (PGconn *conn, const char *client_id,
                                 const json_t *rows, uint64_t *previous,
                                 char *err, size_t errlen);

/** The client's mapping as a JSON array (new reference), file order. */
enum sr_status sr_mapping_list (PGconn *conn, const char *client_id,
                                json_t **out, char *err, size_t errlen);

#endif /* SR_STORE_MAPPING_H */
