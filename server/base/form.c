/*
 * form.c -- see form.h.
 */
#include "form.h"

#include <string.h>

static int
hexval (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Decode @a v (@a n bytes) into @a out; false when it does not fit or is
 * malformed. */
static bool
decode (const char *v, size_t n, char *out, size_t outlen)
{
  size_t o = 0;

  for (size_t i = 0; i < n; i++) {
    int c = (unsigned char) v[i];

    if ('+' == c) {
      c = ' ';
    } else if ('%' == c) {
      int hi, lo;

      if (i + 2 >= n)
        return false;
      hi = hexval (v[i + 1]);
      lo = hexval (v[i + 2]);
      if (hi < 0 || lo < 0)
        return false;
      c = hi * 16 + lo;
      i += 2;
    }
    if (0 == c || o + 1 >= outlen)
      return false;
    out[o++] = (char) c;
  }
  out[o] = '\0';
  return true;
}

bool
sr_form_field (const char *body, size_t len, const char *name, char *out,
               size_t outlen)
{
  size_t nlen = strlen (name);
  size_t i = 0;

  if (0 == outlen)
    return false;
  out[0] = '\0';
  while (i < len) {
    const char *amp = memchr (body + i, '&', len - i);
    size_t end = NULL != amp ? (size_t) (amp - body) : len;

    if (end - i > nlen && 0 == memcmp (body + i, name, nlen)
        && '=' == body[i + nlen]) {
      if (decode (body + i + nlen + 1, end - i - nlen - 1, out, outlen))
        return true;
      out[0] = '\0';
      return false;
    }
    if (end - i == nlen && 0 == memcmp (body + i, name, nlen))
      return true;      /* "name" alone: present and empty */
    i = end + 1;
  }
  return false;
}

/* end of form.c */
