/*
 * json_spec.c -- see json_spec.h.
 */
#include "json_spec.h"
#include "dates.h"
#include "reply.h"

#include <string.h>

static bool
refuse (struct sr_request *req, const char *field, const char *what)
{
  (void) sr_reply_fail_extra_steal (req, SR_E_INVALID,
                                    json_pack ("{s:s}", "field", field),
                                    "%s %s", field, what);
  return false;
}

static const struct sr_json_spec *
find (const struct sr_json_spec *spec, const char *name)
{
  for (; NULL != spec->name; spec++)
    if (0 == strcmp (spec->name, name))
      return spec;
  return NULL;
}

#define MAX_NAMES 64

/* A list of names as an array in @a root (a string or null normalised),
 * so the root keeps owning what the handler reads. */
static bool
take_names (struct sr_request *req, const struct sr_json_spec *f,
            json_t *root, json_t *v)
{
  json_t *arr, *e;
  size_t i;

  if (json_is_null (v) || json_is_string (v)) {
    arr = json_is_null (v) ? json_array () : json_pack ("[O]", v);
    if (NULL == arr || 0 != json_object_set_new (root, f->name, arr))
      return refuse (req, f->name, "could not be read (out of memory)");
    v = arr;
  }
  if (!json_is_array (v) || json_array_size (v) > MAX_NAMES)
    return refuse (req, f->name, "must be an array of at most 64 names");
  json_array_foreach (v, i, e)
    if (!json_is_string (e) || '\0' == json_string_value (e)[0])
      return refuse (req, f->name, "must hold non-empty strings only");
  *(json_t **) f->out = v;
  return true;
}

/* One member into its destination; false with a reply staged. */
static bool
take (struct sr_request *req, const struct sr_json_spec *f, json_t *root,
      json_t *v)
{
  int32_t day;
  char range[96];

  switch (f->kind) {
  case SR_JSON_STRING:
    if (!json_is_string (v))
      return refuse (req, f->name, "must be a string");
    *(const char **) f->out = json_string_value (v);
    return true;
  case SR_JSON_STRING_OR_NULL:
    if (!json_is_string (v) && !json_is_null (v))
      return refuse (req, f->name, "must be a string or null");
    *(const char **) f->out = json_is_null (v) ? "" : json_string_value (v);
    return true;
  case SR_JSON_BOOL:
    if (!json_is_boolean (v))
      return refuse (req, f->name, "must be true or false");
    *(bool *) f->out = json_is_true (v);
    return true;
  case SR_JSON_INT:
    if (!json_is_integer (v) || json_integer_value (v) < f->min
        || json_integer_value (v) > f->max) {
      snprintf (range, sizeof (range), "must be an integer from %lld to %lld",
                (long long) f->min, (long long) f->max);
      return refuse (req, f->name, range);
    }
    *(int64_t *) f->out = json_integer_value (v);
    return true;
  case SR_JSON_DATE:
    if (!json_is_string (v) || !sr_date_parse (json_string_value (v), &day))
      return refuse (req, f->name, "must be a date (YYYY-MM-DD)");
    *(const char **) f->out = json_string_value (v);
    return true;
  case SR_JSON_NAMES:
    return take_names (req, f, root, v);
  }
  return refuse (req, f->name, "has a type this route does not know");
}

bool
sr_json_spec_parse_or_reply (struct sr_request *req,
                             const struct sr_json_spec *spec, json_t **root)
{
  char why[256];
  const char *key;
  json_t *v;
  enum sr_status st = sr_request_body_json (req, root, why, sizeof (why));

  if (SR_OK != st) {
    (void) sr_reply_fail (req, st, "%s", why);
    *root = NULL;
    return false;
  }
  if (!json_is_object (*root)) {
    (void) sr_reply_fail (req, SR_E_BAD_JSON, "the body must be an object");
    json_decref (*root);
    *root = NULL;
    return false;
  }
  json_object_foreach (*root, key, v) {
    if (NULL == find (spec, key)) {
      (void) sr_reply_fail_extra_steal (req, SR_E_INVALID,
                                        json_pack ("{s:s}", "field", key),
                                        "unknown field \"%s\"", key);
      json_decref (*root);
      *root = NULL;
      return false;
    }
  }
  for (const struct sr_json_spec *f = spec; NULL != f->name; f++) {
    v = json_object_get (*root, f->name);
    if (NULL != f->given)
      *f->given = NULL != v;
    if (NULL == v && f->required) {
      (void) refuse (req, f->name, "is required");
      json_decref (*root);
      *root = NULL;
      return false;
    }
    if (NULL != v && !take (req, f, *root, v)) {
      json_decref (*root);
      *root = NULL;
      return false;
    }
  }
  return true;
}

/* end of json_spec.c */
