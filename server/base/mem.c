/*
 * mem.c -- abort-on-OOM wrappers (see mem.h for why).
 */
#include "mem.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
die_oom (size_t n)
{
  char line[96];
  int len = snprintf (line, sizeof (line),
                      "{\"level\":\"fatal\",\"msg\":\"out of memory\","
                      "\"bytes\":%zu}\n", n);

  if (len > 0)
    (void) !write (STDERR_FILENO, line, (size_t) len);
  abort ();
}

void *
sr_xmalloc (size_t n)
{
  void *p = malloc (n ? n : 1);

  if (NULL == p)
    die_oom (n);
  return p;
}

void *
sr_xcalloc (size_t count, size_t size)
{
  void *p = calloc (count ? count : 1, size ? size : 1);

  if (NULL == p)
    die_oom (count * size);
  return p;
}

void *
sr_xrealloc (void *p, size_t n)
{
  void *q = realloc (p, n ? n : 1);

  if (NULL == q)
    die_oom (n);
  return q;
}

char *
sr_xstrdup (const char *s)
{
  return sr_xstrndup (s, strlen (s));
}

char *
sr_xstrndup (const char *s, size_t n)
{
  size_t len = strnlen (s, n);
  char *d = sr_xmalloc (len + 1);

  memcpy (d, s, len);
  d[len] = '\0';
  return d;
}

static void *
json_malloc (size_t n)
{
  return sr_xmalloc (n);
}

void
sr_mem_install_json_allocator (void)
{
  json_set_alloc_funcs (json_malloc, free);
}

/* end of mem.c */
