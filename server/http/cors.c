/*
 * cors.c -- see cors.h.
 */
#include "cors.h"

#include <string.h>

bool
sr_cors_allowed (const char *list, const char *origin)
{
  size_t len;

  if (NULL == list || NULL == origin || '\0' == origin[0])
    return false;
  if (0 == strcmp (list, "*"))
    return true;
  len = strlen (origin);
  for (const char *p = list; '\0' != *p;) {
    size_t n = strcspn (p, ",");

    if (n == len && 0 == strncmp (p, origin, n))
      return true;
    p += n;
    if (',' == *p)
      p++;
  }
  return false;
}

/* end of cors.c */
