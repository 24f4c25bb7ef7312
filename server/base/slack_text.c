/*
 * slack_text.c -- see slack_text.h.
 */
#include "slack_text.h"
#include "mem.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

/* The words the SQL rule matches after an '@' (case-insensitively). */
static const char *const mentions[] = { "channel", "here", "everyone" };

#define WORD_JOINER "\xE2\x81\xA0"   /* U+2060 in UTF-8 */

enum sr_status
sr_slack_escape (const char *in, struct sr_buf *out)
{
  enum sr_status st = SR_OK;

  for (const char *p = in; NULL != p && '\0' != *p && SR_OK == st; p++) {
    switch (*p) {
    case '&':
      st = sr_buf_puts (out, "&amp;");
      break;
    case '<':
      st = sr_buf_puts (out, "&lt;");
      break;
    case '>':
      st = sr_buf_puts (out, "&gt;");
      break;
    case '@':
      st = sr_buf_puts (out, "@");
      for (size_t i = 0; SR_OK == st && i < 3; i++) {
        size_t n = strlen (mentions[i]);

        if (0 == strncasecmp (p + 1, mentions[i], n)) {
          /* The word itself is copied as written by the next steps. */
          st = sr_buf_puts (out, WORD_JOINER);
          break;
        }
      }
      break;
    default:
      st = sr_buf_append (out, p, 1);
    }
  }
  return st;
}

char *
sr_slack_escape_dup (const char *in)
{
  struct sr_buf b;
  char *s;

  /* Every byte grows to at most 5 ("&amp;", "@" + joiner is 4). */
  sr_buf_init (&b, (NULL != in ? strlen (in) : 0) * 5 + 1);
  (void) sr_slack_escape (in, &b);
  s = sr_xstrdup (sr_buf_str (&b));
  sr_buf_clean (&b);
  return s;
}

/* end of slack_text.c */
