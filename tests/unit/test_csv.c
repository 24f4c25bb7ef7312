/*
 * test_csv.c -- the streaming CSV parser (server/base/csv.c).
 *
 * Every case goes through check_all(), which parses the input fed whole,
 * byte by byte (with empty feeds in between), and split into two chunks at
 * every possible point, and requires the same event log each time: the
 * parser must not care how the network cuts the stream.  The log is text,
 * one line per event, so each test states exactly the fields, lines, raw
 * bytes and reasons it expects:
 *
 *   R<index>@<line> {<raw>} <field1><field2>...   good record
 *   B<index>@<line> {<raw>} !<reason>             bad record
 *   B<index>@<line> {<raw>}~ !<reason>            ... raw truncated
 *   = st:<first non-OK status, or ok> fin:<finish status> good:N bad:N
 *
 * Bytes are escaped as \r \n \\ and \xHH (below 0x20 and from 0x7F).
 * "BROKEN" is appended when a record broke an API invariant (fields of a
 * bad record, reason of a good one...) or, unless a callback stopped the
 * parser, sr_csv_bytes() is not the input length.
 */
#include "buf.h"
#include "csv.h"
#include "status.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* ------------------------------------------------------------------ */
/* Event log                                                           */

struct opts {
  size_t max;                   /* max_record_bytes (0: default) */
  unsigned int stop_at;         /* 1-based event that stops; 0: never */
  enum sr_status stop_with;
};

struct logger {
  struct sr_buf b;
  const struct opts *o;
  unsigned int events;
  bool broken;                  /* a record violated an API invariant */
  const char *in;               /* input, to check zero-copy pointers */
  size_t in_len;
  size_t in_fields;             /* fields pointing into the input */
};

static void
put (struct logger *l, const char *s)
{
  if (SR_OK != sr_buf_puts (&l->b, s))
    l->broken = true;
}

static void
put_escaped (struct logger *l, const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char) s[i];
    char tmp[8];

    if ('\r' == c)
      put (l, "\\r");
    else if ('\n' == c)
      put (l, "\\n");
    else if ('\\' == c)
      put (l, "\\\\");
    else if (c < 0x20 || c >= 0x7F) {
      (void) snprintf (tmp, sizeof (tmp), "\\x%02X", c);
      put (l, tmp);
    } else {
      tmp[0] = (char) c;
      tmp[1] = '\0';
      put (l, tmp);
    }
  }
}

static enum sr_status
log_cb (void *cls, enum sr_csv_event ev, const struct sr_csv_record *rec,
        const char *reason)
{
  struct logger *l = cls;
  char head[64];

  l->events++;
  (void) snprintf (head, sizeof (head), "%c%" PRIu64 "@%" PRIu64 " {",
                   SR_CSV_RECORD == ev ? 'R' : 'B', rec->index, rec->line);
  put (l, head);
  put_escaped (l, rec->raw, rec->raw_len);
  put (l, rec->truncated ? "}~ " : "} ");
  if (SR_CSV_RECORD == ev) {
    if (NULL != reason || 0 == rec->n_fields || NULL == rec->fields
        || rec->truncated)
      l->broken = true;
    for (size_t i = 0; i < rec->n_fields; i++) {
      const struct sr_csv_field *f = &rec->fields[i];

      put (l, "<");
      put_escaped (l, f->ptr, f->len);
      put (l, ">");
      if (NULL != l->in && f->len > 0 && f->ptr >= l->in
          && f->ptr + f->len <= l->in + l->in_len)
        l->in_fields++;
    }
  } else {
    if (NULL == reason || NULL != rec->fields || 0 != rec->n_fields)
      l->broken = true;
    put (l, "!");
    put (l, NULL == reason ? "(null)" : reason);
  }
  put (l, "\n");
  if (l->o->stop_at == l->events)
    return l->o->stop_with;
  return SR_OK;
}

static const char *
st_name (enum sr_status st)
{
  return SR_OK == st ? "ok" : sr_status_code (st);
}

/*
 * Parse @a in, fed in pieces: first @a first bytes, then chunks of @a chunk
 * bytes (0: all the rest at once).  @a empty_feeds adds a feed of 0 bytes
 * before each piece.  @return the log (caller frees).
 */
static char *
run (const char *in, size_t len, const struct opts *o, size_t first,
     size_t chunk, bool empty_feeds)
{
  struct logger l;
  struct sr_csv *p;
  enum sr_status st = SR_OK;
  enum sr_status fin;
  size_t pos = 0;
  size_t n = first < len ? first : len;
  char tail[160];

  memset (&l, 0, sizeof (l));
  sr_buf_init (&l.b, 64 << 20);
  l.o = o;
  p = sr_csv_new (o->max, log_cb, &l);
  for (;;) {
    enum sr_status s;

    if (empty_feeds) {
      s = sr_csv_feed (p, in + pos, 0);
      if (SR_OK == st)
        st = s;
    }
    s = sr_csv_feed (p, in + pos, n);
    if (SR_OK == st)
      st = s;
    pos += n;
    if (pos == len)
      break;
    n = (0 == chunk || chunk > len - pos) ? len - pos : chunk;
  }
  fin = sr_csv_finish (p);
  if (SR_OK == st)
    st = fin;
  if (fin != sr_csv_finish (p))
    l.broken = true;            /* finish must be idempotent */
  /* Unless stopped, every byte fed is counted. */
  if ((0 == o->stop_at || o->stop_at > l.events) && sr_csv_bytes (p) != len)
    l.broken = true;
  (void) snprintf (tail, sizeof (tail),
                   "= st:%s fin:%s good:%" PRIu64 " bad:%" PRIu64 "\n",
                   st_name (st), st_name (fin), sr_csv_records (p),
                   sr_csv_bad_records (p));
  put (&l, tail);
  if (l.broken)
    put (&l, "BROKEN\n");
  sr_csv_free (p);
  return sr_buf_steal (&l.b, NULL);
}

/*
 * Parse @a in whole, byte by byte, and split in two at every point;
 * CHECK that all logs agree.  @return the log (caller frees).
 */
static char *
check_all_o (const char *in, size_t len, const struct opts *o)
{
  char *whole = run (in, len, o, len, 0, false);
  char *other = run (in, len, o, 1, 1, true);
  bool reported = false;

  if (0 != strcmp (whole, other)) {
    fprintf (stderr, "byte-by-byte differs:\n%s---\n%s", whole, other);
    reported = true;
    sr_test_failures_++;
  }
  free (other);
  for (size_t k = 0; k <= len && ! reported; k++) {
    other = run (in, len, o, k, 0, false);
    if (0 != strcmp (whole, other)) {
      fprintf (stderr, "split at %zu differs:\n%s---\n%s", k, whole, other);
      reported = true;
      sr_test_failures_++;
    }
    free (other);
  }
  return whole;
}

static char *
check_all (const char *in)
{
  static const struct opts o = { 0, 0, SR_OK };

  return check_all_o (in, strlen (in), &o);
}

#define CHECK_LOG(in, expect)                                              \
  do {                                                                     \
    char *log_ = check_all (in);                                           \
    CHECK_STR_EQ (log_, expect);                                           \
    free (log_);                                                           \
  } while (0)

/* Input with NUL bytes or other options: size and options explicit. */
#define CHECK_LOG_O(in, len, o, expect)                                    \
  do {                                                                     \
    char *log_ = check_all_o (in, len, o);                                 \
    CHECK_STR_EQ (log_, expect);                                           \
    free (log_);                                                           \
  } while (0)

/* ------------------------------------------------------------------ */
/* Record structure                                                     */

SR_TEST (test_lf)
{
  CHECK_LOG ("a,b,c\nd,e,f\n",
             "R0@1 {a,b,c} <a><b><c>\n"
             "R1@2 {d,e,f} <d><e><f>\n"
             "= st:ok fin:ok good:2 bad:0\n");
}

SR_TEST (test_crlf_and_mixed)
{
  CHECK_LOG ("h1,h2\r\n1,2\r\n",
             "R0@1 {h1,h2} <h1><h2>\n"
             "R1@2 {1,2} <1><2>\n"
             "= st:ok fin:ok good:2 bad:0\n");
  CHECK_LOG ("a,b\r\nc,d\ne,f\r\ng\n",
             "R0@1 {a,b} <a><b>\n"
             "R1@2 {c,d} <c><d>\n"
             "R2@3 {e,f} <e><f>\n"
             "R3@4 {g} <g>\n"
             "= st:ok fin:ok good:4 bad:0\n");
}

SR_TEST (test_no_final_newline)
{
  CHECK_LOG ("a,b\nc,d",
             "R0@1 {a,b} <a><b>\n"
             "R1@2 {c,d} <c><d>\n"
             "= st:ok fin:ok good:2 bad:0\n");
  CHECK_LOG ("a,b\r\n\"c\",\"d\"",
             "R0@1 {a,b} <a><b>\n"
             "R1@2 {\"c\",\"d\"} <c><d>\n"
             "= st:ok fin:ok good:2 bad:0\n");
  CHECK_LOG ("x",
             "R0@1 {x} <x>\n"
             "= st:ok fin:ok good:1 bad:0\n");
  /* A final CR is taken as a cut CRLF, quoted or not. */
  CHECK_LOG ("a,b\r",
             "R0@1 {a,b} <a><b>\n"
             "= st:ok fin:ok good:1 bad:0\n");
  CHECK_LOG ("a,\"b\"\r",
             "R0@1 {a,\"b\"} <a><b>\n"
             "= st:ok fin:ok good:1 bad:0\n");
  CHECK_LOG ("a,\r",
             "R0@1 {a,} <a><>\n"
             "= st:ok fin:ok good:1 bad:0\n");
}

SR_TEST (test_final_newline_no_extra_record)
{
  CHECK_LOG ("a\n",
             "R0@1 {a} <a>\n"
             "= st:ok fin:ok good:1 bad:0\n");
  CHECK_LOG ("a\r\n",
             "R0@1 {a} <a>\n"
             "= st:ok fin:ok good:1 bad:0\n");
  CHECK_LOG ("", "= st:ok fin:ok good:0 bad:0\n");
  CHECK_LOG ("\n", "= st:ok fin:ok good:0 bad:0\n");
  CHECK_LOG ("\r\n", "= st:ok fin:ok good:0 bad:0\n");
  CHECK_LOG ("\r", "= st:ok fin:ok good:0 bad:0\n");
}

SR_TEST (test_empty_lines)
{
  /* Skipped, but counted in line numbers; no record index used. */
  CHECK_LOG ("\na,b\n\r\n\nc\n\n",
             "R0@2 {a,b} <a><b>\n"
             "R1@5 {c} <c>\n"
             "= st:ok fin:ok good:2 bad:0\n");
  CHECK_LOG ("a\n\n\n",
             "R0@1 {a} <a>\n"
             "= st:ok fin:ok good:1 bad:0\n");
  /* Spaces are not an empty line. */
  CHECK_LOG ("a\n  \n\tb\n",
             "R0@1 {a} <a>\n"
             "R1@2 {  } <  >\n"
             "R2@3 {\\x09b} <\\x09b>\n"
             "= st:ok fin:ok good:3 bad:0\n");
}

SR_TEST (test_bom)
{
  CHECK_LOG ("\xEF\xBB\xBF" "a,b\r\nc,d\r\n",
             "R0@1 {a,b} <a><b>\n"
             "R1@2 {c,d} <c><d>\n"
             "= st:ok fin:ok good:2 bad:0\n");
  /* Only at the very start: later it is data (U+FEFF, valid UTF-8). */
  CHECK_LOG ("a\n\xEF\xBB\xBF" "b\n",
             "R0@1 {a} <a>\n"
             "R1@2 {\\xEF\\xBB\\xBFb} <\\xEF\\xBB\\xBFb>\n"
             "= st:ok fin:ok good:2 bad:0\n");
  /* Only one is skipped. */
  CHECK_LOG ("\xEF\xBB\xBF\xEF\xBB\xBF" "a\n",
             "R0@1 {\\xEF\\xBB\\xBFa} <\\xEF\\xBB\\xBFa>\n"
             "= st:ok fin:ok good:1 bad:0\n");
  CHECK_LOG ("\xEF\xBB\xBF", "= st:ok fin:ok good:0 bad:0\n");
  CHECK_LOG ("\xEF\xBB\xBF\r\nx",
             "R0@2 {x} <x>\n"
             "= st:ok fin:ok good:1 bad:0\n");
  /* A BOM prefix that turns out not to be one is data (here invalid). */
  CHECK_LOG ("\xEF\xBBx,y\nz\n",
             "B0@1 {\\xEF\\xBBx,y} !invalid UTF-8\n"
             "R1@2 {z} <z>\n"
             "= st:ok fin:ok good:1 bad:1\n");
  CHECK_LOG ("\xEF",
             "B0@1 {\\xEF} !invalid UTF-8\n"
             "= st:ok fin:ok good:0 bad:1\n");
  CHECK_LOG ("\xEF\xBB\n",
             "B0@1 {\\xEF\\xBB} !invalid UTF-8\n"
             "= st:ok fin:ok good:0 bad:1\n");
}

/* ------------------------------------------------------------------ */
/* Fields                                                               */

SR_TEST (test_quoted)
{
  CHECK_LOG ("\"a,b\",\"say \"\"hi\"\"\",\"\"\"\"\n",
             "R0@1 {\"a,b\",\"say \"\"hi\"\"\",\"\"\"\"} "
             "<a,b><say \"hi\"><\">\n"
             "= st:ok fin:ok good:1 bad:0\n");
  /* Embedded line breaks: the next record's line counts them. */
  CHECK_LOG ("1,\"two\r\nlines\",x\r\n2,\"three\nlines\nhere\"\r\n3,z\r\n",
             "R0@1 {1,\"two\\r\\nlines\",x} <1><two\\r\\nlines><x>\n"
             "R1@3 {2,\"three\\nlines\\nhere\"} <2><three\\nlines\\nhere>\n"
             "R2@6 {3,z} <3><z>\n"
             "= st:ok fin:ok good:3 bad:0\n");
  /* A lone CR and a "" right before the closing quote. */
  CHECK_LOG ("\"a\rb\",\"c\"\"\"\n",
             "R0@1 {\"a\\rb\",\"c\"\"\"} <a\\rb><c\">\n"
             "= st:ok fin:ok good:1 bad:0\n");
  /* An empty line inside quotes is data, not a skipped line. */
  CHECK_LOG ("\"\n\n\"\nx\n",
             "R0@1 {\"\\n\\n\"} <\\n\\n>\n"
             "R1@4 {x} <x>\n"
             "= st:ok fin:ok good:2 bad:0\n");
}

SR_TEST (test_empty_fields)
{
  CHECK_LOG (",\n",
             "R0@1 {,} <><>\n"
             "= st:ok fin:ok good:1 bad:0\n");
  CHECK_LOG ("a,,b,\r\n,,\r\n",
             "R0@1 {a,,b,} <a><><b><>\n"
             "R1@2 {,,} <><><>\n"
             "= st:ok fin:ok good:2 bad:0\n");
  /* "" is one empty field, not an empty line. */
  CHECK_LOG ("\"\"\n\"\",\"\"\n\"\",\n",
             "R0@1 {\"\"} <>\n"
             "R1@2 {\"\",\"\"} <><>\n"
             "R2@3 {\"\",} <><>\n"
             "= st:ok fin:ok good:3 bad:0\n");
  CHECK_LOG ("a,",
             "R0@1 {a,} <a><>\n"
             "= st:ok fin:ok good:1 bad:0\n");
}

SR_TEST (test_whitespace_preserved)
{
  CHECK_LOG (" a , b ,\" c \", \r\n",
             "R0@1 { a , b ,\" c \", } < a >< b >< c >< >\n"
             "= st:ok fin:ok good:1 bad:0\n");
}

SR_TEST (test_lone_cr)
{
  /* CR not followed by LF is data in an unquoted field. */
  CHECK_LOG ("a\rb,c\r\r\n\r\r\n",
             "R0@1 {a\\rb,c\\r} <a\\rb><c\\r>\n"
             "R1@2 {\\r} <\\r>\n"
             "= st:ok fin:ok good:2 bad:0\n");
  CHECK_LOG ("a,\rb\n",
             "R0@1 {a,\\rb} <a><\\rb>\n"
             "= st:ok fin:ok good:1 bad:0\n");
}

SR_TEST (test_utf8_good)
{
  CHECK_LOG ("caf\xC3\xA9,\"\xE2\x82\xAC 5, \xF0\x9F\x98\x80\"\n",
             "R0@1 {caf\\xC3\\xA9,\"\\xE2\\x82\\xAC 5, \\xF0\\x9F\\x98\\x80\"} "
             "<caf\\xC3\\xA9><\\xE2\\x82\\xAC 5, \\xF0\\x9F\\x98\\x80>\n"
             "= st:ok fin:ok good:1 bad:0\n");
}

/* ------------------------------------------------------------------ */
/* Bad records                                                          */

SR_TEST (test_bad_quote_in_unquoted)
{
  CHECK_LOG ("h\nab\"c,d\ne,f\n",
             "R0@1 {h} <h>\n"
             "B1@2 {ab\"c,d} !quote in unquoted field (field 1)\n"
             "R2@3 {e,f} <e><f>\n"
             "= st:ok fin:ok good:2 bad:1\n");
  CHECK_LOG ("x,y,z\"\r\nok\r\n",
             "B0@1 {x,y,z\"} !quote in unquoted field (field 3)\n"
             "R1@2 {ok} <ok>\n"
             "= st:ok fin:ok good:1 bad:1\n");
  /* Read on leniently: a later quoted field with a line break still
   * belongs to the bad record, and the next record starts after it. */
  CHECK_LOG ("a\"b,\"x\ny\",z\nnext\n",
             "B0@1 {a\"b,\"x\\ny\",z} !quote in unquoted field (field 1)\n"
             "R1@3 {next} <next>\n"
             "= st:ok fin:ok good:1 bad:1\n");
}

SR_TEST (test_bad_after_closing_quote)
{
  CHECK_LOG ("\"ab\"c,d\nx\n",
             "B0@1 {\"ab\"c,d} !character after closing quote (field 1)\n"
             "R1@2 {x} <x>\n"
             "= st:ok fin:ok good:1 bad:1\n");
  CHECK_LOG ("1,\"ab\" ,d\r\n2\r\n",
             "B0@1 {1,\"ab\" ,d} !character after closing quote (field 2)\n"
             "R1@2 {2} <2>\n"
             "= st:ok fin:ok good:1 bad:1\n");
  /* CR after the closing quote not followed by LF. */
  CHECK_LOG ("\"ab\"\rc\nx\n",
             "B0@1 {\"ab\"\\rc} !character after closing quote (field 1)\n"
             "R1@2 {x} <x>\n"
             "= st:ok fin:ok good:1 bad:1\n");
  /* The first error is the one reported. */
  CHECK_LOG ("\"a\"b,c\"d\n",
             "B0@1 {\"a\"b,c\"d} !character after closing quote (field 1)\n"
             "= st:ok fin:ok good:0 bad:1\n");
}

SR_TEST (test_bad_utf8)
{
  /* Overlong '/', truncated euro sign, surrogate, stray continuation,
   * above U+10FFFF: each bad on its own, the good ones between survive. */
  CHECK_LOG ("a,\xC0\xAF\n"
             "ok1\n"
             "b,\xE2\x82\n"
             "\"\xE2\x82\",c\n"
             "\xED\xA0\x80\n"
             "\x80x\n"
             "\xF4\x90\x80\x80\n"
             "ok2\n",
             "B0@1 {a,\\xC0\\xAF} !invalid UTF-8\n"
             "R1@2 {ok1} <ok1>\n"
             "B2@3 {b,\\xE2\\x82} !invalid UTF-8\n"
             "B3@4 {\"\\xE2\\x82\",c} !invalid UTF-8\n"
             "B4@5 {\\xED\\xA0\\x80} !invalid UTF-8\n"
             "B5@6 {\\x80x} !invalid UTF-8\n"
             "B6@7 {\\xF4\\x90\\x80\\x80} !invalid UTF-8\n"
             "R7@8 {ok2} <ok2>\n"
             "= st:ok fin:ok good:2 bad:6\n");
  /* Past the eight-byte fast path, and split across a word. */
  CHECK_LOG ("0123456789abcdef\xC3\n0123456\xC3\xA9x\n",
             "B0@1 {0123456789abcdef\\xC3} !invalid UTF-8\n"
             "R1@2 {0123456\\xC3\\xA9x} <0123456\\xC3\\xA9x>\n"
             "= st:ok fin:ok good:1 bad:1\n");
}

SR_TEST (test_nul_byte)
{
  static const char in[] = "a,b\0c\nd\n\"\0\"\ne\n";
  static const struct opts o = { 0, 0, SR_OK };

  CHECK_LOG_O (in, sizeof (in) - 1, &o,
               "B0@1 {a,b\\x00c} !NUL byte\n"
               "R1@2 {d} <d>\n"
               "B2@3 {\"\\x00\"} !NUL byte\n"
               "R3@4 {e} <e>\n"
               "= st:ok fin:ok good:2 bad:2\n");
}

SR_TEST (test_too_long_small)
{
  static const struct opts o = { 10, 0, SR_OK };
  /* 10 bytes: fits; 11: too long (raw cut to 10); CR of CRLF not counted;
   * a quoted field with a line break crossing the limit; 11 commas (12
   * fields) too long, 10 commas (11 fields) fit. */
  static const char in[] =
    "0123456789\r\n"
    "a,b,c,d,e,f\r\n"
    "k\r\n"
    "\"12\n4567\",9\n"
    ",,,,,,,,,,,\n"
    ",,,,,,,,,,\n"
    "\"123456789\"\n"
    "z";

  CHECK_LOG_O (in, sizeof (in) - 1, &o,
               "R0@1 {0123456789} <0123456789>\n"
               "B1@2 {a,b,c,d,e,}~ !record longer than 10 bytes\n"
               "R2@3 {k} <k>\n"
               "B3@4 {\"12\\n4567\",}~ !record longer than 10 bytes\n"
               "B4@6 {,,,,,,,,,,}~ !record longer than 10 bytes\n"
               "R5@7 {,,,,,,,,,,} <><><><><><><><><><><>\n"
               "B6@8 {\"123456789}~ !record longer than 10 bytes\n"
               "R7@9 {z} <z>\n"
               "= st:ok fin:ok good:4 bad:4\n");
  /* Too long wins over a syntax error inside the same record. */
  CHECK_LOG_O ("ab\"cdefghijkl\nm\n", 16, &o,
               "B0@1 {ab\"cdefghi}~ !record longer than 10 bytes\n"
               "R1@2 {m} <m>\n"
               "= st:ok fin:ok good:1 bad:1\n");
}

/* The default 1 MiB limit, on records too big for every-split testing:
 * fed whole, in network-sized chunks, and in odd chunks. */
SR_TEST (test_too_long_default)
{
  static const struct opts o = { 0, 0, SR_OK };
  size_t big = SR_CSV_DEFAULT_MAX_RECORD;
  size_t len = 2 * big + 64;
  char *in = malloc (len);
  size_t n = 0;
  char *whole;

  REQUIRE (NULL != in);
  /* Exactly max bytes: good; max + 1: bad. */
  memset (in + n, 'a', big);
  n += big;
  in[n++] = '\r';
  in[n++] = '\n';
  memset (in + n, 'b', big + 1);
  n += big + 1;
  in[n++] = '\n';
  memcpy (in + n, "tail,1\r\n", 8);
  n += 8;

  whole = run (in, n, &o, n, 0, false);
  /* The log escapes nothing here; compare its shape, not 1 MiB of text. */
  CHECK (0 == strncmp (whole, "R0@1 {aaaa", 10));
  {
    const char *b1 = strstr (whole, "B1@2 {b");

    REQUIRE (NULL != b1);
    /* raw is exactly the first max bytes */
    CHECK_INT_EQ (strspn (b1 + 6, "b"), big);
    CHECK (0 == strncmp (b1 + 6 + big, "}~ !record longer than 1048576 bytes\n"
                         "R2@3 {tail,1} <tail><1>\n"
                         "= st:ok fin:ok good:2 bad:1\n", 200));
  }
  CHECK (NULL == strstr (whole, "BROKEN"));
  CHECK (strlen (whole) > 3 * big);     /* raw + field of 0, raw of 1 */
  {
    static const size_t chunks[] = { 65536, 4093, 1000003, 1 };

    for (size_t i = 0; i < sizeof (chunks) / sizeof (chunks[0]); i++) {
      char *other = run (in, n, &o, chunks[i], chunks[i], false);

      CHECK (0 == strcmp (whole, other));
      free (other);
    }
  }
  {
    /* Splits right around the limit and around the record ends. */
    static const long offs[] = { -2, -1, 0, 1, 2, 3 };

    for (size_t i = 0; i < sizeof (offs) / sizeof (offs[0]); i++) {
      size_t at[3] = { big, 2 * big + 2, 2 * big + 3 };

      for (size_t j = 0; j < 3; j++) {
        char *other = run (in, n, &o, (size_t) ((long) at[j] + offs[i]), 0,
                           false);

        CHECK (0 == strcmp (whole, other));
        free (other);
      }
    }
  }
  free (whole);
  free (in);
}

SR_TEST (test_unterminated_quote)
{
  CHECK_LOG ("a,b\nc,\"de\nf,g\n",
             "R0@1 {a,b} <a><b>\n"
             "B1@2 {c,\"de\\nf,g\\n} !unterminated quoted field\n"
             "= st:invalid_request fin:invalid_request good:1 bad:1\n");
  CHECK_LOG ("\"",
             "B0@1 {\"} !unterminated quoted field\n"
             "= st:invalid_request fin:invalid_request good:0 bad:1\n");
  /* "" inside a field that never closes. */
  CHECK_LOG ("x\r\n\"a\"\"",
             "R0@1 {x} <x>\n"
             "B1@2 {\"a\"\"} !unterminated quoted field\n"
             "= st:invalid_request fin:invalid_request good:1 bad:1\n");
  {
    /* Longer than max: raw is cut, the reason stays the stream error. */
    static const struct opts o = { 4, 0, SR_OK };

    CHECK_LOG_O ("\"abcdefgh", 9, &o,
                 "B0@1 {\"abc}~ !unterminated quoted field\n"
                 "= st:invalid_request fin:invalid_request good:0 bad:1\n");
  }
}

/* Rows longer than the 64-byte blocks the parser scans at once: every
 * split point puts a chunk end at every place inside and between blocks,
 * e.g. right after a comma with a quoted field next. */
SR_TEST (test_long_rows)
{
  char in[256];
  char expect[1024];
  size_t n = 0;
  size_t e = 0;

  CHECK_LOG ("0123456789,abcdefghij,,,,,,,,,,klmnopqrstuvwxyz,0123456789,"
             "ABCDEFGHIJ,\"q,1\",\"q\"\"2\",,\"line\r\nbreak\",end\r\nz",
             "R0@1 {0123456789,abcdefghij,,,,,,,,,,klmnopqrstuvwxyz,"
             "0123456789,ABCDEFGHIJ,\"q,1\",\"q\"\"2\",,\"line\\r\\nbreak\","
             "end} <0123456789><abcdefghij><><><><><><><><><>"
             "<klmnopqrstuvwxyz><0123456789><ABCDEFGHIJ><q,1><q\"2><>"
             "<line\\r\\nbreak><end>\n"
             "R1@3 {z} <z>\n"
             "= st:ok fin:ok good:2 bad:0\n");
  /* 150 empty fields then a quoted one: commas across three blocks. */
  memcpy (in, "next", 4);
  n = 4;
  e = (size_t) snprintf (expect, sizeof (expect), "R0@1 {next");
  for (int i = 0; i < 150; i++)
    in[n++] = ',';
  memset (expect + e, ',', 150);
  e += 150;
  memcpy (in + n, "\"x\"\r\n", 5);
  n += 5;
  e += (size_t) snprintf (expect + e, sizeof (expect) - e, "\"x\"} <next>");
  for (int i = 0; i < 149; i++)
    e += (size_t) snprintf (expect + e, sizeof (expect) - e, "<>");
  (void) snprintf (expect + e, sizeof (expect) - e,
                   "<x>\n= st:ok fin:ok good:1 bad:0\n");
  in[n] = '\0';
  CHECK_LOG (in, expect);

  /* Quoted fields starting exactly on block boundaries (64, 128). */
  memcpy (in, "next", 4);
  n = 4;
  memset (in + n, ',', 60);
  n += 60;
  memcpy (in + n, "\"x\"", 3);
  n += 3;
  memset (in + n, ',', 61);
  n += 61;
  memcpy (in + n, "\"y\"\n", 4);
  n += 4;
  in[n] = '\0';
  REQUIRE ('"' == in[64] && '"' == in[128]);
  e = (size_t) snprintf (expect, sizeof (expect), "R0@1 {%.*s} <next>",
                         (int) (n - 1), in);
  for (int i = 0; i < 59; i++)
    e += (size_t) snprintf (expect + e, sizeof (expect) - e, "<>");
  e += (size_t) snprintf (expect + e, sizeof (expect) - e, "<x>");
  for (int i = 0; i < 60; i++)
    e += (size_t) snprintf (expect + e, sizeof (expect) - e, "<>");
  (void) snprintf (expect + e, sizeof (expect) - e,
                   "<y>\n= st:ok fin:ok good:1 bad:0\n");
  CHECK_LOG (in, expect);
  /* Errors past the first block, and a good record after them. */
  CHECK_LOG ("aaaaaaaaaa,bbbbbbbbbb,cccccccccc,dddddddddd,eeeeeeeeee,"
             "ffffffffff,gg\"g,h\n"
             "aaaaaaaaaa,bbbbbbbbbb,cccccccccc,dddddddddd,eeeeeeeeee,"
             "ffffffffff,\"gg\"g,h\n"
             "aaaaaaaaaa,bbbbbbbbbb,cccccccccc,dddddddddd,eeeeeeeeee,"
             "ffffffffff,\"g\n"
             "\"\"\",h\n"
             "ok\n",
             "B0@1 {aaaaaaaaaa,bbbbbbbbbb,cccccccccc,dddddddddd,eeeeeeeeee,"
             "ffffffffff,gg\"g,h} !quote in unquoted field (field 7)\n"
             "B1@2 {aaaaaaaaaa,bbbbbbbbbb,cccccccccc,dddddddddd,eeeeeeeeee,"
             "ffffffffff,\"gg\"g,h} !character after closing quote (field 7)\n"
             "R2@3 {aaaaaaaaaa,bbbbbbbbbb,cccccccccc,dddddddddd,eeeeeeeeee,"
             "ffffffffff,\"g\\n\"\"\",h} <aaaaaaaaaa><bbbbbbbbbb><cccccccccc>"
             "<dddddddddd><eeeeeeeeee><ffffffffff><g\\n\"><h>\n"
             "R3@5 {ok} <ok>\n"
             "= st:ok fin:ok good:2 bad:2\n");
}

/* ------------------------------------------------------------------ */
/* API behaviour                                                        */

SR_TEST (test_callback_stops)
{
  static const char in[] = "a\nb\"\nc\nd";
  struct opts o = { 0, 2, SR_E_CONFLICT };

  /* Stopped at the bad record: nothing after it, status is the callback's. */
  CHECK_LOG_O (in, sizeof (in) - 1, &o,
               "R0@1 {a} <a>\n"
               "B1@2 {b\"} !quote in unquoted field (field 1)\n"
               "= st:conflict fin:conflict good:1 bad:1\n");
  /* Stopped at a good record. */
  o.stop_at = 3;
  CHECK_LOG_O (in, sizeof (in) - 1, &o,
               "R0@1 {a} <a>\n"
               "B1@2 {b\"} !quote in unquoted field (field 1)\n"
               "R2@3 {c} <c>\n"
               "= st:conflict fin:conflict good:2 bad:1\n");
  /* Stopped by the last record, which only finish() delivers. */
  o.stop_at = 4;
  o.stop_with = SR_E_DB;
  CHECK_LOG_O (in, sizeof (in) - 1, &o,
               "R0@1 {a} <a>\n"
               "B1@2 {b\"} !quote in unquoted field (field 1)\n"
               "R2@3 {c} <c>\n"
               "R3@4 {d} <d>\n"
               "= st:database_error fin:database_error good:3 bad:1\n");
  /* Stopped at the unterminated record: the callback's status wins. */
  o.stop_at = 1;
  CHECK_LOG_O ("\"x", 2, &o,
               "B0@1 {\"x} !unterminated quoted field\n"
               "= st:database_error fin:database_error good:0 bad:1\n");
}

struct stop_count {
  unsigned int calls;
};

static enum sr_status
stop_first (void *cls, enum sr_csv_event ev, const struct sr_csv_record *rec,
            const char *reason)
{
  struct stop_count *c = cls;

  c->calls++;
  return SR_E_IO;
}

SR_TEST (test_calls_after_stop_and_finish)
{
  struct stop_count c = { 0 };
  struct sr_csv *p = sr_csv_new (0, stop_first, &c);

  CHECK_INT_EQ (sr_csv_feed (p, "a\nb\nc\n", 6), SR_E_IO);
  CHECK_INT_EQ (c.calls, 1);
  CHECK_INT_EQ (sr_csv_feed (p, "d\n", 2), SR_E_IO);
  CHECK_INT_EQ (sr_csv_finish (p), SR_E_IO);
  CHECK_INT_EQ (c.calls, 1);
  CHECK_INT_EQ (sr_csv_bytes (p), 6);
  sr_csv_free (p);

  /* Feeding after finish is a caller bug, reported, not parsed. */
  c.calls = 0;
  p = sr_csv_new (0, stop_first, &c);
  CHECK_INT_EQ (sr_csv_finish (p), SR_OK);
  CHECK_INT_EQ (sr_csv_finish (p), SR_OK);
  CHECK_INT_EQ (sr_csv_feed (p, "a\n", 2), SR_E_INTERNAL);
  CHECK_INT_EQ (c.calls, 0);
  sr_csv_free (p);
  sr_csv_free (NULL);
}

SR_TEST (test_counters)
{
  static const char part1[] = "\xEF\xBB\xBFh1,h2\r\n1,2\r\n3\"";
  static const char part2[] = ",4\r\n\r\n5,6";
  static const struct opts o = { 0, 0, SR_OK };
  struct logger l;
  struct sr_csv *p;

  memset (&l, 0, sizeof (l));
  sr_buf_init (&l.b, 1 << 20);
  l.o = &o;
  p = sr_csv_new (0, log_cb, &l);
  CHECK_INT_EQ (sr_csv_records (p), 0);
  CHECK_INT_EQ (sr_csv_bad_records (p), 0);
  CHECK_INT_EQ (sr_csv_bytes (p), 0);
  CHECK_INT_EQ (sr_csv_feed (p, NULL, 0), SR_OK);
  CHECK_INT_EQ (sr_csv_feed (p, part1, sizeof (part1) - 1), SR_OK);
  CHECK_INT_EQ (sr_csv_records (p), 2);
  CHECK_INT_EQ (sr_csv_bad_records (p), 0);
  CHECK_INT_EQ (sr_csv_bytes (p), 17);
  CHECK_INT_EQ (sr_csv_feed (p, part2, sizeof (part2) - 1), SR_OK);
  CHECK_INT_EQ (sr_csv_records (p), 2);
  CHECK_INT_EQ (sr_csv_bad_records (p), 1);
  CHECK_INT_EQ (sr_csv_bytes (p), 26);
  CHECK_INT_EQ (sr_csv_finish (p), SR_OK);
  CHECK_INT_EQ (sr_csv_records (p), 3);
  CHECK_INT_EQ (sr_csv_bad_records (p), 1);
  CHECK_INT_EQ (sr_csv_bytes (p), 26);
  CHECK_STR_EQ (sr_buf_str (&l.b),
                "R0@1 {h1,h2} <h1><h2>\n"
                "R1@2 {1,2} <1><2>\n"
                "B2@3 {3\",4} !quote in unquoted field (field 1)\n"
                "R3@5 {5,6} <5><6>\n");
  sr_csv_free (p);
  sr_buf_clean (&l.b);
}

/* A record whole inside one chunk is delivered without copying: its
 * unquoted fields point into the caller's bytes. */
SR_TEST (test_zero_copy)
{
  static const char in[] = "abc,\"d\"\"e\",\"fg\"\r\nh,i\r\n";
  static const struct opts o = { 0, 0, SR_OK };
  struct logger l;
  struct sr_csv *p;

  memset (&l, 0, sizeof (l));
  sr_buf_init (&l.b, 1 << 20);
  l.o = &o;
  l.in = in;
  l.in_len = sizeof (in) - 1;
  p = sr_csv_new (0, log_cb, &l);
  CHECK_INT_EQ (sr_csv_feed (p, in, sizeof (in) - 1), SR_OK);
  CHECK_INT_EQ (sr_csv_finish (p), SR_OK);
  /* abc, fg, h, i: in place; d"e: unescaped into scratch. */
  CHECK_INT_EQ (l.in_fields, 4);
  CHECK_STR_EQ (sr_buf_str (&l.b),
                "R0@1 {abc,\"d\"\"e\",\"fg\"} <abc><d\"e><fg>\n"
                "R1@2 {h,i} <h><i>\n");
  sr_csv_free (p);
  sr_buf_clean (&l.b);
}

/* ------------------------------------------------------------------ */
/* Real files                                                           */

/* /work/shared/data/internal-affiliates.csv, byte for byte: BOM, CRLF,
 * no newline after the last row, a trailing space in row 2. */
static const char affiliates_csv[] =
  "\xEF\xBB\xBF"
  "redtrack.source,redtrack.source_alias,redtrack.source_id,"
  "everflow.affiliate_id,everflow.affiliate_label,everflow.advertiser_id,"
  "everflow.advertiser_label\r\n"
  "Facebook CCW,facebook,66c79f91be26fd4634569658,1,G2 - Meta,1,CCW\r\n"
  "Meta CCW AWF2 Stephanie ,facebook,6807d9120ee9ffc623c1d7e5,1,SB - Meta,1,"
  "CCW\r\n"
  "Meta CCW SB Political,facebook,68b87e99882b48e6620a3116,1,SB - Meta,1,"
  "CCW\r\n"
  "Facebook EXP,facebook,67c097f0aee15ff71f3f99aa,1,G2 - Meta,2,EXP\r\n"
  "Google Ads CCW (No-redirect tracking),google,62b29551c6880d00014d8c73,1,"
  "G2 - Google,1,CCW\r\n"
  "Facebook CTI,facebook,68ae2e73d5616519ce48e5e3,n/a,n/a,n/a,n/a\r\n"
  "Facebook CCW BHS,facebook,68a3991afcfc495698310fee,1,BHS,1,CCW\r\n"
  "Google Ads AWF2 SB,google,6883b1f8b5c72b423a7543a8,1,SB - Google,1,CCW\r\n"
  "Google Ads (No-redirect tracking) Acc #2,google,677c764c35168400c81bf749,"
  "1,G2 - Google,1,CCW\r\n"
  "Google Ads (No-redirect tracking) Banned,google,677c268947eb81ff2afea98a,"
  "1,G2 - Google,1,CCW\r\n"
  "Google Ads (No-redirect tracking) AWF SB,google,68431fb5900bfbd41432a4ea,"
  "1,SB - Google,1,CCW\r\n"
  "Facebook AWF CCW,facebook,628fd466f765760001f37209,1,G2 - Meta,1,CCW\r\n"
  "Google Ads (unitedstatesofpatriots.com),google,682f621d013e261d51c0672f,"
  "n/a,n/a,1,CCW\r\n"
  "Google Ads Auto Insurance Stephanie,google,6807cdb766fd1829467446e8,6,"
  "SB - Google,n/a,n/a\r\n"
  "Google Ads (No-redirect tracking) #4,google,678eaa16ca6db9b0860d79a8,1,"
  "G2 - Google,1,CCW\r\n"
  "Google Ads (No-redirect tracking) Acc #15,google,682b7a019c1661a163355975,"
  "1,G2 - Google,1,CCW\r\n"
  "Google Ads (No-redirect tracking) Acc #5,google,6793c67b2d6085c55930df20,"
  "1,G2 - Google,1,CCW\r\n"
  "713 Meta,facebook,684af9a4e05c3dc4f599c32e,n/a,n/a,n/a,n/a";

/* Collects what the affiliate test asserts field by field. */
struct aff {
  unsigned int records;
  unsigned int seven;           /* records with 7 fields */
  unsigned int lines_ok;        /* line == index + 1 */
  char header0[32];
  char row2_name[40];
  char last[200];
};

static void
copy_field (char *dst, size_t cap, const struct sr_csv_field *f)
{
  size_t n = f->len < cap - 1 ? f->len : cap - 1;

  memcpy (dst, f->ptr, n);
  dst[n] = '\0';
}

static enum sr_status
aff_cb (void *cls, enum sr_csv_event ev, const struct sr_csv_record *rec,
        const char *reason)
{
  struct aff *a = cls;

  if (SR_CSV_RECORD != ev)
    return SR_E_INVALID;
  a->records++;
  if (7 == rec->n_fields)
    a->seven++;
  if (rec->line == rec->index + 1)
    a->lines_ok++;
  if (0 == rec->index)
    copy_field (a->header0, sizeof (a->header0), &rec->fields[0]);
  if (2 == rec->index)
    copy_field (a->row2_name, sizeof (a->row2_name), &rec->fields[0]);
  if (18 == rec->index) {
    size_t n = rec->raw_len < sizeof (a->last) - 1
      ? rec->raw_len : sizeof (a->last) - 1;

    memcpy (a->last, rec->raw, n);
    a->last[n] = '\0';
  }
  return SR_OK;
}

SR_TEST (test_affiliates_file)
{
  struct aff a;
  struct sr_csv *p;
  char *log;

  CHECK_INT_EQ (sizeof (affiliates_csv) - 1, 1600);
  memset (&a, 0, sizeof (a));
  p = sr_csv_new (0, aff_cb, &a);
  CHECK_INT_EQ (sr_csv_feed (p, affiliates_csv, sizeof (affiliates_csv) - 1),
                SR_OK);
  CHECK_INT_EQ (sr_csv_finish (p), SR_OK);
  CHECK_INT_EQ (a.records, 19);
  CHECK_INT_EQ (a.seven, 19);
  CHECK_INT_EQ (a.lines_ok, 19);
  CHECK_INT_EQ (sr_csv_bad_records (p), 0);
  CHECK_INT_EQ (sr_csv_bytes (p), 1600);
  CHECK_STR_EQ (a.header0, "redtrack.source");          /* BOM gone */
  CHECK_STR_EQ (a.row2_name, "Meta CCW AWF2 Stephanie ");  /* space kept */
  CHECK_STR_EQ (a.last,
                "713 Meta,facebook,684af9a4e05c3dc4f599c32e,n/a,n/a,n/a,n/a");
  sr_csv_free (p);

  /* And the same through every split. */
  log = check_all (affiliates_csv);
  CHECK_CONTAINS (log, "R0@1 {redtrack.source,redtrack.source_alias,");
  CHECK_CONTAINS (log, "R2@3 {Meta CCW AWF2 Stephanie ,facebook,"
                  "6807d9120ee9ffc623c1d7e5,1,SB - Meta,1,CCW} "
                  "<Meta CCW AWF2 Stephanie ><facebook>"
                  "<6807d9120ee9ffc623c1d7e5><1><SB - Meta><1><CCW>\n");
  CHECK_CONTAINS (log, "R6@7 {Facebook CTI,facebook,68ae2e73d5616519ce48e5e3,"
                  "n/a,n/a,n/a,n/a} <Facebook CTI><facebook>"
                  "<68ae2e73d5616519ce48e5e3><n/a><n/a><n/a><n/a>\n");
  CHECK_CONTAINS (log, "R18@19 {713 Meta,");
  CHECK_CONTAINS (log, "= st:ok fin:ok good:19 bad:0\n");
  free (log);
}

/* ------------------------------------------------------------------ */
/* Randomised: any chunking gives the whole-input result                */

static uint64_t
rng_next (uint64_t *s)
{
  /* xorshift64*: deterministic, good enough to pick bytes. */
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 0x2545F4914F6CDD1Du;
}

SR_TEST (test_random_chunking)
{
  /* Dense in specials; long plain runs (block scanner); a mix. */
  static const char *const alphabets[] = {
    "ab ,,\"\"\r\n\n\xC3\xA9\xEF\xBB\xBF\x80",
    "abcdefghijklmnopqrstuvwxyz0123456789,,,,,,,\"\r\n",
    "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz,,\"\n"
  };
  static const struct opts o = { 300, 0, SR_OK };
  uint64_t seed = 0x9E3779B97F4A7C15u;
  char in[1500];

  for (int round = 0; round < 600; round++) {
    const char *alpha = alphabets[round % 3];
    size_t alen = strlen (alpha);
    size_t len = (size_t) (rng_next (&seed) % sizeof (in));
    char *whole;

    for (size_t i = 0; i < len; i++)
      in[i] = alpha[rng_next (&seed) % alen];
    whole = run (in, len, &o, len, 0, false);
    CHECK (NULL == strstr (whole, "BROKEN"));
    for (int t = 0; t < 8; t++) {
      size_t first = (size_t) (rng_next (&seed) % (len + 1));
      size_t chunk = 1 + (size_t) (rng_next (&seed) % (t < 4 ? 17 : 200));
      char *other = run (in, len, &o, first, chunk, 0 != (t & 1));

      if (0 != strcmp (whole, other)) {
        fprintf (stderr, "round %d first %zu chunk %zu:\n%s---\n%s", round,
                 first, chunk, whole, other);
        sr_test_failures_++;
        t = 8;
        round = 600;
      }
      free (other);
    }
    free (whole);
  }
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_lf),
              SR_TEST_ENTRY (test_crlf_and_mixed),
              SR_TEST_ENTRY (test_no_final_newline),
              SR_TEST_ENTRY (test_final_newline_no_extra_record),
              SR_TEST_ENTRY (test_empty_lines),
              SR_TEST_ENTRY (test_bom),
              SR_TEST_ENTRY (test_quoted),
              SR_TEST_ENTRY (test_empty_fields),
              SR_TEST_ENTRY (test_whitespace_preserved),
              SR_TEST_ENTRY (test_lone_cr),
              SR_TEST_ENTRY (test_utf8_good),
              SR_TEST_ENTRY (test_bad_quote_in_unquoted),
              SR_TEST_ENTRY (test_bad_after_closing_quote),
              SR_TEST_ENTRY (test_bad_utf8),
              SR_TEST_ENTRY (test_nul_byte),
              SR_TEST_ENTRY (test_too_long_small),
              SR_TEST_ENTRY (test_too_long_default),
              SR_TEST_ENTRY (test_unterminated_quote),
              SR_TEST_ENTRY (test_long_rows),
              SR_TEST_ENTRY (test_callback_stops),
              SR_TEST_ENTRY (test_calls_after_stop_and_finish),
              SR_TEST_ENTRY (test_counters),
              SR_TEST_ENTRY (test_zero_copy),
              SR_TEST_ENTRY (test_affiliates_file),
              SR_TEST_ENTRY (test_random_chunking))
