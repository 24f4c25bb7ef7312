/*
 * values.c -- see values.h.
 */
#include "values.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool
sr_json_count (const json_t *v, bool null_ok, int64_t *out)
{
  *out = 0;
  if (NULL == v || json_is_null (v))
    return null_ok;
  if (json_is_integer (v)) {
    *out = json_integer_value (v);
    return *out >= 0;
  }
  if (json_is_real (v)) {
    double d = json_real_value (v);

    if (!(d >= 0) || d > 9e15 || d != floor (d))
      return false;
    *out = (int64_t) d;
    return true;
  }
  return false;
}

void
sr_money_normalize (char *s, size_t len)
{
  char *dot = strchr (s, '.');
  size_t n = strlen (s);

  if (NULL != strpbrk (s, "eE"))
    return;
  if (NULL == dot) {
    if (n + 3 < len)
      memcpy (s + n, ".00", 4);
    return;
  }
  if (1 == strlen (dot + 1) && n + 1 < len) {
    s[n] = '0';
    s[n + 1] = '\0';
  }
}

bool
sr_json_money (const json_t *v, bool null_ok, char *out, size_t len)
{
  if (NULL == v || json_is_null (v)) {
    snprintf (out, len, "0.00");
    return null_ok;
  }
  if (json_is_integer (v)) {
    snprintf (out, len, "%" JSON_INTEGER_FORMAT, json_integer_value (v));
  } else if (json_is_real (v) && isfinite (json_real_value (v))) {
    snprintf (out, len, "%.15g", json_real_value (v));
    if (0 == strcmp (out, "-0"))
      snprintf (out, len, "0");
  } else {
    return false;
  }
  sr_money_normalize (out, len);
  return true;
}

bool
sr_json_id (const json_t *v, int64_t *out)
{
  if (json_is_integer (v)) {
    *out = json_integer_value (v);
    return true;
  }
  if (json_is_string (v)) {
    const char *s = json_string_value (v);
    char *end;
    long long x;

    if ('\0' == s[0] || !(('0' <= s[0] && s[0] <= '9') || '-' == s[0]))
      return false;
    errno = 0;
    x = strtoll (s, &end, 10);
    if (0 != errno || '\0' != *end)
      return false;
    *out = x;
    return true;
  }
  return false;
}

/* end of values.c */
