/*
 * export_names.c -- see export_names.h.
 */
#include "export_names.h"
#include "dates.h"

#include <string.h>

static bool
is_lower (char c)
{
  return c >= 'a' && c <= 'z';
}

static bool
is_upper (char c)
{
  return c >= 'A' && c <= 'Z';
}

static bool
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

bool
sr_export_column_name (const char *h, size_t len, char out[SR_IDENT_MAX])
{
  size_t o = 0;
  bool pending_sep = false;

  for (size_t i = 0; i < len; i++) {
    char c = h[i];
    bool alnum = is_lower (c) || is_upper (c) || is_digit (c);

    if (!alnum) {
      pending_sep = o > 0;
      continue;
    }
    /* camelCase: a capital after a lower-case letter or digit starts a
     * word ("orderId" -> order_id; "ID" stays one word). */
    if (is_upper (c) && i > 0 && (is_lower (h[i - 1]) || is_digit (h[i - 1]))
        && o > 0)
      pending_sep = true;
    if (pending_sep) {
      if (o + 1 >= SR_IDENT_MAX)
        return false;
      out[o++] = '_';
      pending_sep = false;
    }
    if (o == 0 && is_digit (c)) {
      out[o++] = '_';
    }
    if (o + 1 >= SR_IDENT_MAX)
      return false;
    out[o++] = is_upper (c) ? (char) (c - 'A' + 'a') : c;
  }
  out[o] = '\0';
  return o > 0;
}

bool
sr_export_table_name (const char *prefix, char out[SR_IDENT_MAX])
{
  size_t n = strlen (prefix);
  size_t o = 0;

  while (n > 0 && ('/' == prefix[n - 1] || '-' == prefix[n - 1]
                   || '_' == prefix[n - 1]))
    n--;
  for (size_t i = 0; i < n; i++) {
    char c = prefix[i];

    if ('-' == c || '/' == c)
      c = '_';
    if ('_' == c && 0 == o)
      continue;
    if (!(is_lower (c) || is_digit (c) || '_' == c))
      return false;
    if (o + 1 >= SR_IDENT_MAX)
      return false;
    out[o++] = c;
  }
  out[o] = '\0';
  return o > 0 && is_lower (out[0]);
}

bool
sr_export_file_date (const char *key, int32_t *day)
{
  size_t n = strlen (key);

  for (size_t i = 0; i + 10 <= n; i++) {
    char buf[11];

    if (!is_digit (key[i]) || '-' != key[i + 4] || '-' != key[i + 7])
      continue;
    memcpy (buf, key + i, 10);
    buf[10] = '\0';
    if (sr_date_parse (buf, day))
      return true;
  }
  return false;
}

/* end of export_names.c */
