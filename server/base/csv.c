/*
 * csv.c -- see csv.h for the dialect and the API contract.
 *
 * Design.  One pass per byte, by a small state machine (lex()) that finds
 * both the field boundaries and the end of the record; the record's UTF-8
 * check is a second pass over bytes that are then in cache.  lex() runs
 * straight over the caller's chunk and records each field as a pair of
 * offsets from the start of the record, never as pointers: a record that
 * turns out to continue in the next chunk is copied into the carry buffer,
 * and offsets stay right after that copy, so lex() never needs the record
 * in one piece.  Only when the record is complete are the offsets turned
 * into pointers (into the chunk for a record that was whole inside it,
 * into the carry buffer otherwise).
 *
 * Speed.  Export rows are ~130 mostly short unquoted fields, so what costs
 * is not reading bytes but the branch at each field end, which no
 * predictor can guess.  Runs of unquoted fields are therefore scanned 64
 * bytes at a time: special_mask() marks every , " LF of the block in one
 * 64-bit mask (SSE2, or a branch-free loop elsewhere) and the commas are
 * taken from it with count-trailing-zeros, leaving one unpredictable
 * branch per block.  Quoted fields and the last few bytes of a chunk go
 * through skip(), a plain table loop.  tests/bench/bench_csv.c measures
 * it; PostgreSQL's COPY, the floor to beat, parses ~100 MB/s.
 *
 * Ownership.  The parser owns four growable arrays, each capped: the carry
 * buffer and the scratch buffer (unescaped "" fields) at max_record_bytes,
 * the span array and the public field array at max_record_bytes + 1
 * entries (a field takes at least one byte: its comma).  They grow on
 * demand, are reused from record to record, and are freed by
 * sr_csv_free().  Nothing the callback sees is owned by it.
 */
#include "csv.h"
#include "mem.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SR_CSV_NO_SIMD forces the portable block scanner (to test it on x86). */
#if defined(__SSE2__) && ! defined(SR_CSV_NO_SIMD)
#include <emmintrin.h>
#define SR_CSV_SSE2 1
#endif

/* Where lex() stands inside the current record. */
enum lex_state {
  LX_FIELD,       /* at the start of a field */
  LX_UNQUOTED,    /* inside an unquoted field */
  LX_QUOTED,      /* inside a quoted field */
  LX_QUOTE,       /* after a '"' inside a quoted field: "" or the end? */
  LX_QUOTE_CR     /* after closing quote + CR: only LF may follow */
};

/* The first syntax error of the current record, if any. */
enum lex_error {
  LE_NONE,
  LE_QUOTE_IN_UNQUOTED,
  LE_AFTER_CLOSING_QUOTE
};

/*
 * One field as offsets from the start of the record: [start, end) is the
 * content between the quotes for a quoted field.  The top bit of end marks
 * a quoted field holding "" (needs unescaping).  32 bits are enough as
 * max_record_bytes is at most 2^30, and keep the array small.
 */
struct span {
  uint32_t start;
  uint32_t end;
};

#define SPAN_ESCAPED 0x80000000u

struct sr_csv {
  sr_csv_cb cb;
  void *cls;
  size_t max;                   /* max_record_bytes */

  /* The record being read. */
  enum lex_state st;
  size_t rec_len;               /* bytes of it seen so far */
  size_t field_start;           /* offset where the current field starts */
  size_t quote_off;             /* offset of the latest '"' in LX_QUOTE */
  bool escaped;                 /* current quoted field has "" */
  bool too_long;                /* a field ended beyond max */
  enum lex_error err;
  size_t err_field;             /* 1-based field of err */
  uint64_t nl;                  /* LFs inside its quoted fields */
  struct span *spans;
  size_t n_spans;
  size_t spans_cap;
  char *carry;                  /* its first bytes, when split over chunks */
  size_t carry_len;
  size_t carry_cap;
  unsigned char last;           /* last byte fed, for the CR before an LF
                                   that starts a chunk */

  /* Output buffers, reused per record. */
  struct sr_csv_field *out;
  size_t out_cap;
  char *scratch;
  size_t scratch_cap;
  char reason[80];

  /* Stream. */
  unsigned int bom_matched;     /* BOM bytes matched so far */
  bool bom_done;                /* BOM skipped or known absent */
  uint64_t line;                /* physical line of the record's start */
  uint64_t index;               /* its record number */
  uint64_t n_good;
  uint64_t n_bad;
  uint64_t bytes;
  enum sr_status stopped;       /* non-OK: a callback stopped us */
  bool finished;
  enum sr_status finish_st;
};

static const unsigned char bom[3] = { 0xEF, 0xBB, 0xBF };

/* Byte classes for skip(): which bytes end a run inside a field. */
#define CL_UNQUOTED 1u          /* , LF " */
#define CL_QUOTED 2u            /* " LF */

static const unsigned char byte_class[256] = {
  ['\n'] = CL_UNQUOTED | CL_QUOTED,
  ['"'] = CL_UNQUOTED | CL_QUOTED,
  [','] = CL_UNQUOTED
};

/* @return the first byte in [q, end) whose class is in @a mask, or end. */
static inline const unsigned char *
skip (const unsigned char *q, const unsigned char *end, unsigned int mask)
{
  while (end - q >= 4) {
    if (byte_class[q[0]] & mask)
      return q;
    if (byte_class[q[1]] & mask)
      return q + 1;
    if (byte_class[q[2]] & mask)
      return q + 2;
    if (byte_class[q[3]] & mask)
      return q + 3;
    q += 4;
  }
  while (q < end && 0 == (byte_class[*q] & mask))
    q++;
  return q;
}

/* @return a mask with bit i set when byte i of the 64 at @a s is one of
 *         , " LF (the bytes that end an unquoted run). */
static inline uint64_t
special_mask (const unsigned char *s)
{
  uint64_t m = 0;

#ifdef SR_CSV_SSE2
  const __m128i comma = _mm_set1_epi8 (',');
  const __m128i quote = _mm_set1_epi8 ('"');
  const __m128i lf = _mm_set1_epi8 ('\n');

  for (unsigned int i = 0; i < 4; i++) {
    __m128i v = _mm_loadu_si128 ((const __m128i *) (const void *) (s + 16 * i));
    __m128i e = _mm_or_si128 (_mm_or_si128 (_mm_cmpeq_epi8 (v, comma),
                                            _mm_cmpeq_epi8 (v, quote)),
                              _mm_cmpeq_epi8 (v, lf));

    m |= (uint64_t) (uint16_t) _mm_movemask_epi8 (e) << (16 * i);
  }
#else
  /* Branch-free, so it costs no mispredictions either. */
  for (unsigned int i = 0; i < 64; i++)
    m |= (uint64_t) (byte_class[s[i]] & CL_UNQUOTED) << i;
#endif
  return m;
}

/*
 * Grow an array of @a size-byte elements to hold at least @a need (which
 * is at most @a limit), doubling from @a first but never past @a limit.
 */
static void *
grow (void *arr, size_t *cap, size_t need, size_t size, size_t first,
      size_t limit)
{
  size_t c = *cap ? *cap : first;

  while (c < need)
    c *= 2;
  if (c > limit)
    c = limit;
  *cap = c;
  return sr_xrealloc (arr, c * size);
}

static void
push_span_slow (struct sr_csv *p)
{
  p->spans = grow (p->spans, &p->spans_cap, p->n_spans + 1,
                   sizeof (struct span), 256, p->max + 1);
}

/* Record field [start, end).  Beyond max the record is bad anyway, and not
 * recording keeps the span array within its bound. */
static inline void
push_span (struct sr_csv *p, size_t start, size_t end, bool esc)
{
  if (end > p->max) {
    p->too_long = true;
    return;
  }
  if (p->n_spans == p->spans_cap)
    push_span_slow (p);
  p->spans[p->n_spans].start = (uint32_t) start;
  p->spans[p->n_spans].end = (uint32_t) end | (esc ? SPAN_ESCAPED : 0);
  p->n_spans++;
}

static void
syntax_error (struct sr_csv *p, enum lex_error e)
{
  /* The first error is the one worth reporting; the rest follow from it. */
  if (LE_NONE == p->err) {
    p->err = e;
    p->err_field = p->n_spans + 1;
  }
}

/*
 * Read [seg, end), whose first byte is at offset @a base of the current
 * record, continuing from the saved state.  @return the LF that ends the
 * record (state left as it was just before it; the last field is not yet
 * recorded), or NULL when the record goes on past @a end.
 */
static const unsigned char *
lex (struct sr_csv *p, const unsigned char *seg, const unsigned char *end,
     size_t base)
{
  const unsigned char *q = seg;
  enum lex_state st = p->st;
  size_t fstart = p->field_start;

#define OFF(x) (base + (size_t) ((x) - seg))
  for (;;) {
    switch (st) {
    case LX_FIELD:
      if (q == end)
        goto more;
      if ('"' == *q) {
        fstart = OFF (q) + 1;
        p->escaped = false;
        st = LX_QUOTED;
        q++;
        continue;
      }
      if (',' == *q) {
        push_span (p, OFF (q), OFF (q), false);
        q++;
        continue;
      }
      if ('\n' == *q)
        goto eol;
      fstart = OFF (q);
      st = LX_UNQUOTED;
      /* fall through */
    case LX_UNQUOTED:
      /*
       * The hot path: a run of unquoted fields, 64 bytes at a time.  The
       * commas in a block are taken from its mask one by one, so the only
       * branch that depends on field lengths runs once per block.  After
       * a comma we stay here with fstart at the next byte, which makes an
       * empty field so far; a '"' there opens a quoted field (below).
       */
      while (end - q >= 64) {
        uint64_t m = special_mask (q);

        while (0 != m) {
          const unsigned char *x = q + __builtin_ctzll (m);

          if (',' != *x) {
            q = x;
            goto unquoted_special;
          }
          push_span (p, fstart, OFF (x), false);
          fstart = OFF (x) + 1;
          m &= m - 1;
        }
        q += 64;
      }
      q = skip (q, end, CL_UNQUOTED);
      if (q == end)
        goto more;
    unquoted_special:
      if (',' == *q) {
        push_span (p, fstart, OFF (q), false);
        st = LX_FIELD;
        q++;
        continue;
      }
      if ('\n' == *q)
        goto eol;
      if (fstart == OFF (q)) {
        st = LX_FIELD;          /* '"' right after a comma: quoted field */
        continue;
      }
      /* A '"' inside an unquoted field: bad, then read on taking it as
       * data, so the record ends where a lenient reader would end it. */
      syntax_error (p, LE_QUOTE_IN_UNQUOTED);
      q++;
      continue;
    case LX_QUOTED:
      q = skip (q, end, CL_QUOTED);
      if (q == end)
        goto more;
      if ('\n' == *q) {
        p->nl++;
        q++;
        continue;
      }
      p->quote_off = OFF (q);
      st = LX_QUOTE;
      q++;
      /* fall through */
    case LX_QUOTE:
      if (q == end)
        goto more;
      if ('"' == *q) {
        p->escaped = true;
        st = LX_QUOTED;
        q++;
        continue;
      }
      if (',' == *q) {
        push_span (p, fstart, p->quote_off, p->escaped);
        st = LX_FIELD;
        q++;
        continue;
      }
      if ('\n' == *q)
        goto eol;
      if ('\r' == *q) {
        /* Only part of a CRLF if LF follows, maybe in the next chunk. */
        st = LX_QUOTE_CR;
        q++;
        continue;
      }
      syntax_error (p, LE_AFTER_CLOSING_QUOTE);
      st = LX_UNQUOTED;     /* the junk is read as unquoted data */
      continue;
    case LX_QUOTE_CR:
      if (q == end)
        goto more;
      if ('\n' == *q)
        goto eol;
      syntax_error (p, LE_AFTER_CLOSING_QUOTE);
      st = LX_UNQUOTED;
      continue;
    }
  }

eol:
  p->st = st;
  p->field_start = fstart;
  return q;
more:
  /* The block loop may stop right after a comma, in LX_UNQUOTED with an
   * empty field.  That state would work (a '"' at fstart opens a quoted
   * field either way), but save the one the scalar path leaves there. */
  if (LX_UNQUOTED == st && fstart == OFF (end))
    st = LX_FIELD;
  p->st = st;
  p->field_start = fstart;
  return NULL;
#undef OFF
}

/* Keep the record's bytes (up to max) while it spans chunks. */
static void
carry_append (struct sr_csv *p, const unsigned char *d, size_t n)
{
  size_t take = p->max - p->carry_len;

  if (take > n)
    take = n;
  if (take > 0) {
    if (p->carry_len + take > p->carry_cap)
      p->carry = grow (p->carry, &p->carry_cap, p->carry_len + take, 1,
                       4096, p->max);
    memcpy (p->carry + p->carry_len, d, take);
    p->carry_len += take;
  }
  p->rec_len += n;
}

/*
 * @return NULL when the @a n bytes at @a s are valid UTF-8 without NUL,
 *         else the reason.  Words of eight ASCII non-NUL bytes are the
 *         common case and are checked at once.
 */
static const char *
check_text (const char *s, size_t n)
{
  const uint64_t lo = 0x0101010101010101u;
  const uint64_t hi = 0x8080808080808080u;
  size_t i = 0;

  for (; i + 8 <= n; i += 8) {
    uint64_t w;

    memcpy (&w, s + i, 8);
    /* Any byte >= 0x80, or any zero byte (the classic haszero test). */
    if (0 != ((w & hi) | ((w - lo) & ~w & hi)))
      break;
  }
  for (; i < n; i++) {
    unsigned char c = (unsigned char) s[i];

    if (0 == c || c >= 0x80)
      break;
  }
  if (i == n)
    return NULL;
  /* Everything before i is ASCII, so s + i starts a character. */
  if (NULL != memchr (s + i, '\0', n - i))
    return "NUL byte";
  if (! sr_utf8_valid (s + i, n - i))
    return "invalid UTF-8";
  return NULL;
}

/* Turn the spans of a good record whose bytes are at @a raw into fields. */
static void
build_fields (struct sr_csv *p, const char *raw, size_t raw_len)
{
  size_t n = p->n_spans;
  char *w = NULL;

  if (p->out_cap < n)
    p->out = grow (p->out, &p->out_cap, n, sizeof (struct sr_csv_field),
                   256, p->max + 1);
  for (size_t i = 0; i < n; i++) {
    size_t start = p->spans[i].start;
    size_t end = p->spans[i].end;

    if (0 == (end & SPAN_ESCAPED)) {
      p->out[i].ptr = raw + start;
      p->out[i].len = end - start;
      continue;
    }
    end &= ~(size_t) SPAN_ESCAPED;
    if (NULL == w) {
      /* Sized for the whole record up front: unescaped fields are shorter
       * than their raw bytes, and earlier fields keep pointing here. */
      if (p->scratch_cap < raw_len)
        p->scratch = grow (p->scratch, &p->scratch_cap, raw_len, 1, 4096,
                           p->max);
      w = p->scratch;
    }
    p->out[i].ptr = w;
    while (start < end) {
      const char *qt = memchr (raw + start, '"', end - start);
      size_t run = (NULL == qt ? end : (size_t) (qt - raw) + 1) - start;

      /* Copy through the first quote of a "" pair, skip the second. */
      memcpy (w, raw + start, run);
      w += run;
      start += run + (NULL == qt ? 0 : 1);
    }
    p->out[i].len = (size_t) (w - p->out[i].ptr);
  }
}

/* Forget the record just finished; the next starts on the next line. */
static void
reset_record (struct sr_csv *p)
{
  p->line += 1 + p->nl;
  p->st = LX_FIELD;
  p->rec_len = 0;
  p->escaped = false;
  p->too_long = false;
  p->err = LE_NONE;
  p->nl = 0;
  p->n_spans = 0;
  p->carry_len = 0;
}

/*
 * Hand the finished record to the callback.  @a raw holds at least
 * min(raw_len, max) bytes; @a fatal is the stream-ending reason or NULL.
 */
static enum sr_status
deliver (struct sr_csv *p, const char *raw, size_t raw_len, const char *fatal)
{
  struct sr_csv_record rec;
  const char *reason = fatal;
  enum sr_status st;

  if (raw_len > p->max)
    p->too_long = true;
  rec.line = p->line;
  rec.index = p->index++;
  rec.raw = raw;
  rec.truncated = p->too_long;
  rec.raw_len = p->too_long ? p->max : raw_len;
  rec.fields = NULL;
  rec.n_fields = 0;
  if (NULL == reason && p->too_long) {
    (void) snprintf (p->reason, sizeof (p->reason),
                     "record longer than %zu bytes", p->max);
    reason = p->reason;
  }
  if (NULL == reason && LE_NONE != p->err) {
    (void) snprintf (p->reason, sizeof (p->reason), "%s (field %zu)",
                     LE_QUOTE_IN_UNQUOTED == p->err
                     ? "quote in unquoted field"
                     : "character after closing quote",
                     p->err_field);
    reason = p->reason;
  }
  if (NULL == reason)
    reason = check_text (raw, raw_len);
  if (NULL == reason) {
    build_fields (p, raw, raw_len);
    rec.fields = p->out;
    rec.n_fields = p->n_spans;
    p->n_good++;
  } else {
    p->n_bad++;
  }
  /* Reset first: the callback may stop us, and the buffers rec points
   * into are only reused by the next record. */
  reset_record (p);
  st = p->cb (p->cls, NULL == reason ? SR_CSV_RECORD : SR_CSV_BAD_RECORD,
              &rec, reason);
  if (SR_OK != st)
    p->stopped = st;
  return st;
}

/*
 * The record ends after @a raw_len bytes (terminator excluded; the state is
 * that at the terminator).  Records its last field and delivers it, or
 * skips an empty line.
 */
static enum sr_status
end_record (struct sr_csv *p, const char *raw, size_t raw_len)
{
  if (0 == raw_len) {
    reset_record (p);
    return SR_OK;
  }
  switch (p->st) {
  case LX_FIELD:              /* after a comma: empty last field */
    push_span (p, raw_len, raw_len, false);
    break;
  case LX_UNQUOTED:
    push_span (p, p->field_start, raw_len, false);
    break;
  case LX_QUOTE:
  case LX_QUOTE_CR:
    push_span (p, p->field_start, p->quote_off, p->escaped);
    break;
  case LX_QUOTED:             /* lex() never stops at an LF in quotes */
    break;
  }
  return deliver (p, raw, raw_len, NULL);
}

static enum sr_status
feed_chunk (struct sr_csv *p, const unsigned char *d, size_t len)
{
  const unsigned char *pos = d;
  const unsigned char *end;

  if (0 == len)
    return SR_OK;               /* d may be NULL, and NULL + 0 is UB in C */
  end = d + len;
  while (pos < end) {
    size_t base = p->rec_len;
    const unsigned char *lf = lex (p, pos, end, base);
    const char *raw = (const char *) pos;
    size_t total;
    unsigned char prev;
    enum sr_status st;

    if (NULL == lf) {
      carry_append (p, pos, (size_t) (end - pos));
      break;
    }
    total = base + (size_t) (lf - pos);
    prev = lf > pos ? lf[-1] : p->last;
    if (base > 0) {
      /* Its start came in an earlier chunk: complete it in carry. */
      carry_append (p, pos, (size_t) (lf - pos));
      raw = p->carry;
    }
    pos = lf + 1;
    st = end_record (p, raw, (total > 0 && '\r' == prev) ? total - 1 : total);
    if (SR_OK != st)
      return st;
  }
  p->last = end[-1];
  return SR_OK;
}

struct sr_csv *
sr_csv_new (size_t max_record_bytes, sr_csv_cb cb, void *cls)
{
  struct sr_csv *p = sr_xcalloc (1, sizeof (*p));

  if (0 == max_record_bytes)
    max_record_bytes = SR_CSV_DEFAULT_MAX_RECORD;
  if (max_record_bytes > SR_CSV_LIMIT_MAX_RECORD)
    max_record_bytes = SR_CSV_LIMIT_MAX_RECORD;
  p->max = max_record_bytes;
  p->cb = cb;
  p->cls = cls;
  p->st = LX_FIELD;
  p->line = 1;
  return p;
}

enum sr_status
sr_csv_feed (struct sr_csv *p, const char *data, size_t len)
{
  const unsigned char *d = (const unsigned char *) data;

  if (SR_OK != p->stopped)
    return p->stopped;
  if (p->finished)
    return SR_E_INTERNAL;
  p->bytes += len;
  if (! p->bom_done) {
    /* The BOM may itself arrive split over chunks. */
    while (len > 0 && p->bom_matched < 3 && bom[p->bom_matched] == *d) {
      p->bom_matched++;
      d++;
      len--;
    }
    if (3 == p->bom_matched) {
      p->bom_done = true;
    } else if (len > 0) {
      enum sr_status st;

      /* Not a BOM after all: what matched so far is data. */
      p->bom_done = true;
      st = feed_chunk (p, bom, p->bom_matched);
      if (SR_OK != st)
        return st;
    }
  }
  return feed_chunk (p, d, len);
}

enum sr_status
sr_csv_finish (struct sr_csv *p)
{
  enum sr_status st;
  size_t raw_len;

  if (SR_OK != p->stopped)
    return p->stopped;
  if (p->finished)
    return p->finish_st;
  p->finished = true;
  if (! p->bom_done) {
    p->bom_done = true;
    st = feed_chunk (p, bom, p->bom_matched);
    if (SR_OK != st)
      return p->finish_st = st;
  }
  if (0 == p->rec_len)
    return p->finish_st = SR_OK;        /* ended with a line end, or empty */
  if (LX_QUOTED == p->st) {
    st = deliver (p, p->carry, p->rec_len, "unterminated quoted field");
    return p->finish_st = (SR_OK != st ? st : SR_E_INVALID);
  }
  raw_len = p->rec_len;
  /* A final CR ends the record like CRLF (see csv.h). */
  if (LX_QUOTE_CR == p->st || (LX_UNQUOTED == p->st && '\r' == p->last))
    raw_len--;
  return p->finish_st = end_record (p, p->carry, raw_len);
}

void
sr_csv_free (struct sr_csv *p)
{
  if (NULL == p)
    return;
  free (p->spans);
  free (p->carry);
  free (p->out);
  free (p->scratch);
  free (p);
}

uint64_t
sr_csv_records (const struct sr_csv *p)
{
  return p->n_good;
}

uint64_t
sr_csv_bad_records (const struct sr_csv *p)
{
  return p->n_bad;
}

uint64_t
sr_csv_bytes (const struct sr_csv *p)
{
  return p->bytes;
}

/* end of csv.c */
