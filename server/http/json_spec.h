/*
 * json_spec.h -- request bodies declared, not hand-parsed.
 *
 * A handler lists the members its JSON object body may have -- name,
 * type, required or not, bounds -- with where each value goes, and calls
 * sr_json_spec_parse_or_reply() once.  Unknown members, missing required
 * ones, wrong types and out-of-range numbers are refused with a 400
 * problem that names the field (`field` in the body), so every endpoint
 * answers bad input the same way.  The idea follows the GNU Taler
 * exchange's declarative JSON specs; the code is ours.
 *
 * Strings point into the parsed document: they live until the handler
 * json_decref()s the root it got back.  Threading: the request's thread.
 */
#ifndef SR_JSON_SPEC_H
#define SR_JSON_SPEC_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "request.h"

enum sr_json_kind {
  SR_JSON_STRING,        /* out: const char ** */
  SR_JSON_STRING_OR_NULL,/* out: const char **; JSON null gives "" */
  SR_JSON_BOOL,          /* out: bool * */
  SR_JSON_INT,           /* out: int64_t *, within [min, max] */
  SR_JSON_DATE,          /* out: const char ** holding YYYY-MM-DD */
  SR_JSON_NAMES,         /* out: json_t ** (owned by the root): an array
                          * of non-empty strings; a lone string is taken
                          * as an array of one, null as an empty array */
};

struct sr_json_spec {
  const char *name;            /* NULL ends the list */
  enum sr_json_kind kind;
  bool required;
  void *out;
  bool *given;                 /* may be NULL: set when the member is there */
  int64_t min, max;            /* SR_JSON_INT */
};

#define SR_JSON_FIELD(n, k, req, o, g) \
  { .name = (n), .kind = (k), .required = (req), .out = (o), .given = (g) }
#define SR_JSON_INT_FIELD(n, req, o, g, lo, hi) \
  { .name = (n), .kind = SR_JSON_INT, .required = (req), .out = (o), \
    .given = (g), .min = (lo), .max = (hi) }
#define SR_JSON_END { .name = NULL }

/**
 * Parse the body as an object following @a spec.
 * @param[out] root  the document (json_decref() it when done with the
 *                   strings); NULL after a refusal
 * @return true when every member is acceptable; false when a 400 reply is
 *         staged (the handler then returns SR_OK)
 */
bool sr_json_spec_parse_or_reply (struct sr_request *req,
                                  const struct sr_json_spec *spec,
                                  json_t **root);

#endif /* SR_JSON_SPEC_H */
