/*
 * utf8.c -- see utf8.h.  A table-free decoder: the checks below are the
 * well-formed byte sequences of RFC 3629, section 4, one branch each.
 */
#include "utf8.h"

bool
sr_utf8_valid (const char *str, size_t len)
{
  const unsigned char *s = (const unsigned char *) str;
  size_t i = 0;

  while (i < len) {
    unsigned char c = s[i];

    if (c < 0x80) {
      i++;
      /* Fast path over ASCII runs, the common case by far. */
      while (i < len && s[i] < 0x80)
        i++;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) {
      if (i + 1 >= len || (s[i + 1] & 0xC0) != 0x80)
        return false;
      i += 2;
      continue;
    }
    if (c >= 0xE0 && c <= 0xEF) {
      unsigned char lo = 0x80, hi = 0xBF;

      if (0xE0 == c)
        lo = 0xA0;      /* no overlongs */
      else if (0xED == c)
        hi = 0x9F;      /* no surrogates */
      if (i + 2 >= len || s[i + 1] < lo || s[i + 1] > hi
          || (s[i + 2] & 0xC0) != 0x80)
        return false;
      i += 3;
      continue;
    }
    if (c >= 0xF0 && c <= 0xF4) {
      unsigned char lo = 0x80, hi = 0xBF;

      if (0xF0 == c)
        lo = 0x90;      /* no overlongs */
      else if (0xF4 == c)
        hi = 0x8F;      /* nothing above U+10FFFF */
      if (i + 3 >= len || s[i + 1] < lo || s[i + 1] > hi
          || (s[i + 2] & 0xC0) != 0x80 || (s[i + 3] & 0xC0) != 0x80)
        return false;
      i += 4;
      continue;
    }
    return false;
  }
  return true;
}

/* end of utf8.c */
