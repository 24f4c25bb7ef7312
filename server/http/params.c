/*
 * params.c -- see params.h.
 */
#include "params.h"
#include "dates.h"
#include "reply.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool
parse_int (const char *s, int64_t *out)
{
  char *end;
  long long v;

  if (NULL == s || '\0' == s[0] || (s[0] != '-' && (s[0] < '0' || s[0] > '9')))
    return false;
  errno = 0;
  v = strtoll (s, &end, 10);
  if (0 != errno || '\0' != *end)
    return false;
  *out = v;
  return true;
}

bool
sr_path_id_or_reply (struct sr_request *req, size_t index, int64_t *out)
{
  const char *s = sr_request_path_param (req, index);

  if (!parse_int (s, out) || *out <= 0) {
    (void) sr_reply_fail (req, SR_E_NOT_FOUND, "no such id: %.40s",
                          s ? s : "");
    return false;
  }
  return true;
}

bool
sr_query_int_or_reply (struct sr_request *req, const char *name, int64_t min,
                       int64_t max, int64_t def, int64_t *out)
{
  const char *s = sr_request_query (req, name);

  if (NULL == s) {
    *out = def;
    return true;
  }
  if (!parse_int (s, out) || *out < min || *out > max) {
    (void) sr_reply_param_fail (req, SR_E_BAD_PARAM, name,
                                "%s must be an integer from %lld to %lld",
                                name, (long long) min, (long long) max);
    return false;
  }
  return true;
}

bool
sr_query_date_or_reply (struct sr_request *req, const char *name,
                        const char **out)
{
  const char *s = sr_request_query (req, name);
  int32_t day;

  *out = NULL;
  if (NULL == s)
    return true;
  if (!sr_date_parse (s, &day)) {
    (void) sr_reply_param_fail (req, SR_E_BAD_PARAM, name,
                                "%s must be a date (YYYY-MM-DD)", name);
    return false;
  }
  *out = s;
  return true;
}

bool
sr_query_enum_or_reply (struct sr_request *req, const char *name,
                        const char *const *allowed, const char **out)
{
  const char *s = sr_request_query (req, name);

  *out = NULL;
  if (NULL == s)
    return true;
  for (const char *const *a = allowed; NULL != *a; a++)
    if (0 == strcmp (*a, s)) {
      *out = *a;
      return true;
    }
  (void) sr_reply_param_fail (req, SR_E_BAD_PARAM, name,
                              "%s has an unknown value", name);
  return false;
}

/* end of params.c */
