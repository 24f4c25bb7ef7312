/*
 * buf.c -- see buf.h.
 */
#include "buf.h"
#include "mem.h"

#include <stdlib.h>
#include <string.h>

void
sr_buf_init (struct sr_buf *b, size_t max)
{
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  b->max = max;
}

char *
sr_buf_room (struct sr_buf *b, size_t n)
{
  if (n > b->max - b->len)
    return NULL;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;

    while (cap < b->len + n + 1)
      cap = cap > ((size_t) -1) / 2 ? b->len + n + 1 : cap * 2;
    if (cap > b->max + 1)
      cap = b->max + 1;
    b->data = sr_xrealloc (b->data, cap);
    b->cap = cap;
  }
  return b->data + b->len;
}

void
sr_buf_commit (struct sr_buf *b, size_t n)
{
  b->len += n;
  b->data[b->len] = '\0';
}

enum sr_status
sr_buf_append (struct sr_buf *b, const void *p, size_t n)
{
  char *at = sr_buf_room (b, n);

  if (NULL == at)
    return SR_E_TOO_LARGE;
  if (n > 0)
    memcpy (at, p, n);
  sr_buf_commit (b, n);
  return SR_OK;
}

enum sr_status
sr_buf_puts (struct sr_buf *b, const char *s)
{
  return sr_buf_append (b, s, strlen (s));
}

const char *
sr_buf_str (const struct sr_buf *b)
{
  return b->data ? b->data : "";
}

void
sr_buf_reset (struct sr_buf *b)
{
  b->len = 0;
  if (b->data)
    b->data[0] = '\0';
}

char *
sr_buf_steal (struct sr_buf *b, size_t *len)
{
  char *d = b->data ? b->data : sr_xcalloc (1, 1);

  if (NULL != len)
    *len = b->len;
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  return d;
}

void
sr_buf_clean (struct sr_buf *b)
{
  free (b->data);
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
}

/* end of buf.c */
