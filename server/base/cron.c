/*
 * cron.c -- see cron.h for the syntax and the DST rules.
 *
 * Representation.  A schedule is five bitsets (bit v set = value v
 * matches) plus two flags saying whether day of month and day of week were
 * "*", which the day rule needs.  Day of week 7 is folded into bit 0.
 *
 * Searching.  sr_cron_next() walks local calendar days from the day of
 * @a after (plain y-m-d arithmetic, no time zone), and within a matching
 * day the set hours and minutes in order; only a candidate wall time is
 * turned into an instant, so a daily schedule costs a handful of
 * localtime_r() calls and a schedule that never matches a few thousand
 * cheap day checks.
 *
 * One definition covers both DST rules: wall time w fires at
 *    first(w) = the first instant at which the clock shows w or later.
 * For a time that exists once that is the time itself; for a time that
 * exists twice, its first occurrence; for a time inside a spring-forward
 * gap, the instant the clock jumps.  first() never decreases as w grows,
 * which is what lets the search be a simple ordered walk, and it gives the
 * two properties cron.h promises: a matching wall time is never skipped,
 * and nothing fires twice (the second pass of a repeated hour shows times
 * the clock has shown already, so no first() falls in it).
 *
 * It also tells where the walk may start.  If w <= the wall time of
 * @a after, the clock showed w or later by then, so first(w) <= after:
 * those candidates are skipped without computing anything.  The ones just
 * after it still get checked against @a after: during the second pass of a
 * repeated hour (after = 01:10 EST) the candidates 01:11..01:59 fired
 * during the first pass and are passed over, at most an hour of them.
 *
 * Computing first(w).  Instants with wall time w are w - offset, where
 * offset is the UTC offset in force at that instant.  Offsets lie within
 * -12 h..+14 h, so every such instant is within 15 h of w read as UTC;
 * the offsets in force 15 h either side of it are the offset before and
 * the offset after any transition that matters.  Each gives one candidate
 * instant, kept if localtime_r() shows w there:
 *    both kept, and different -> w is repeated: the earlier one;
 *    one kept                 -> that one;
 *    none kept                -> w is in a gap: binary search between the
 *                                two candidates for the first instant
 *                                showing w or later, i.e. the jump.
 * Why not mktime(): with tm_isdst = -1 it may return either occurrence of a
 * repeated time, what it makes of a nonexistent one is left to the
 * implementation, and forcing tm_isdst = 0 and 1 cannot tell apart the
 * two sides of a transition that changes the standard offset without
 * touching DST (Moscow, 2014-10-26).  Offsets read back from
 * localtime_r() have neither problem.  The local clock is read as
 * "seconds on a uniform calendar" (days since the epoch * 86400 + time of
 * day), so offsets and wall times are plain integer arithmetic.  The
 * probe assumes at most one transition within 30 hours, which holds for
 * every zone in practice; if two did occur the gap search still returns
 * an instant at which the clock reaches w, just not necessarily the
 * first.
 */
#include "cron.h"
#include "clock.h"
#include "dates.h"
#include "mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sr_cron {
  uint64_t minutes;   /* bits 0-59 */
  uint64_t hours;     /* bits 0-23 */
  uint64_t mdays;     /* bits 1-31 */
  uint64_t months;    /* bits 1-12 */
  uint64_t wdays;     /* bits 0-6, Sunday = 0 */
  bool mday_any;      /* day-of-month field was exactly "*" */
  bool wday_any;      /* day-of-week field was exactly "*" */
};

enum { F_MINUTE, F_HOUR, F_MDAY, F_MONTH, F_WDAY, F_COUNT };

static const struct field_spec {
  const char *name;
  unsigned int lo, hi;      /* accepted values */
  unsigned int star_hi;     /* highest value "*" stands for (7 = 0) */
} field_specs[F_COUNT] = {
  { "minute", 0, 59, 59 },
  { "hour", 0, 23, 23 },
  { "day of month", 1, 31, 31 },
  { "month", 1, 12, 12 },
  { "day of week", 0, 7, 6 },
};

/* How far sr_cron_next() looks: 5 years of days, leap days included. */
#define HORIZON_DAYS (5 * 366)

/* The local offset probes (see the top comment): beyond the widest UTC
 * offset there is (+14 h). */
#define PROBE_SECONDS ((int64_t) 15 * 3600)

/* ---- parsing ---- */

/* Format the error for field @a f, quoting (the start of) its text, and
 * return SR_E_INVALID so a caller can "return field_error (...)". */
static enum sr_status
field_error (char *err, size_t errlen, int f, const char *text, size_t len,
             const char *why)
{
  if (NULL != err && 0 != errlen)
    (void) snprintf (err, errlen, "%s field \"%.*s\": %s",
                     field_specs[f].name, (int) (len > 40 ? 40 : len), text,
                     why);
  return SR_E_INVALID;
}

/* Decimal number at *p (before end); advances *p.  Values are capped at
 * 100000 so that long digit runs cannot overflow: anything that large is
 * out of range for every field anyway. */
static bool
parse_number (const char **p, const char *end, unsigned int *v)
{
  const char *s = *p;
  unsigned int n = 0;

  if (s >= end || *s < '0' || *s > '9')
    return false;
  for (; s < end && *s >= '0' && *s <= '9'; s++)
    if (n < 100000)
      n = n * 10 + (unsigned int) (*s - '0');
  *p = s;
  *v = n;
  return true;
}

/* The message for an unexpected character @a ch, in @a why. */
static void
describe_unexpected (char ch, char *why, size_t whylen)
{
  if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z'))
    (void) snprintf (why, whylen, "unexpected '%c': names (MON, JAN) and "
                     "the letters L and W are not supported, use numbers",
                     ch);
  else if (ch >= ' ' && ch <= '~')
    (void) snprintf (why, whylen, "unexpected '%c'", ch);
  else
    (void) snprintf (why, whylen, "unexpected byte 0x%02x",
                     (unsigned int) (unsigned char) ch);
}

/* One list item [s, end) of field @a f: sets its values in *bits. */
static enum sr_status
parse_item (int f, const char *s, const char *end, uint64_t *bits,
            const char *text, size_t len, char *err, size_t errlen)
{
  const struct field_spec *spec = &field_specs[f];
  const char *p = s;
  unsigned int a, b, step = 1, span;
  bool star = false, ranged = false;
  char why[160];

  if (p == end)
    return field_error (err, errlen, f, text, len, "empty list item");
  if ('*' == *p) {
    star = true;
    a = spec->lo;
    b = spec->star_hi;
    p++;
  } else if (parse_number (&p, end, &a)) {
    b = a;
    if (p < end && '-' == *p) {
      p++;
      if (!parse_number (&p, end, &b))
        return field_error (err, errlen, f, text, len,
                            "a range needs a number after '-'");
      ranged = true;
    }
  } else {
    describe_unexpected (*p, why, sizeof (why));
    return field_error (err, errlen, f, text, len, why);
  }
  if (p < end && '/' == *p) {
    if (!star && !ranged)
      return field_error (err, errlen, f, text, len,
                          "a step needs * or a range before it (a-b/n)");
    p++;
    if (!parse_number (&p, end, &step))
      return field_error (err, errlen, f, text, len,
                          "a step needs a number after '/'");
    /* A step wider than the field can only ever pick its first value:
     * almost certainly a mistake (minutes "*" + "/90"), so refuse it. */
    span = spec->star_hi - spec->lo + 1;
    if (step < 1 || step > span) {
      (void) snprintf (why, sizeof (why), "step %u is not within 1-%u",
                       step, span);
      return field_error (err, errlen, f, text, len, why);
    }
  }
  if (p != end) {
    describe_unexpected (*p, why, sizeof (why));
    return field_error (err, errlen, f, text, len, why);
  }
  if (!star) {
    if (a < spec->lo || a > spec->hi || b < spec->lo || b > spec->hi) {
      (void) snprintf (why, sizeof (why), "%u is out of range %u-%u",
                       a < spec->lo || a > spec->hi ? a : b, spec->lo,
                       spec->hi);
      return field_error (err, errlen, f, text, len, why);
    }
    if (a > b) {
      (void) snprintf (why, sizeof (why), "range %u-%u is reversed", a, b);
      return field_error (err, errlen, f, text, len, why);
    }
  }
  for (unsigned int v = a; v <= b; v += step)
    *bits |= (uint64_t) 1 << (F_WDAY == f && 7 == v ? 0 : v);
  return SR_OK;
}

/* Field @a f, the text [text, text + len): a comma-separated list. */
static enum sr_status
parse_field (int f, const char *text, size_t len, uint64_t *bits, char *err,
             size_t errlen)
{
  const char *end = text + len, *item = text;
  enum sr_status st;

  *bits = 0;
  for (;;) {
    const char *comma = memchr (item, ',', (size_t) (end - item));
    const char *item_end = NULL != comma ? comma : end;

    st = parse_item (f, item, item_end, bits, text, len, err, errlen);
    if (SR_OK != st)
      return st;
    if (NULL == comma)
      return SR_OK;
    item = comma + 1;
  }
}

static bool
is_blank (char ch)
{
  return ' ' == ch || '\t' == ch;
}

/* Whether some day of @a mdays exists in some month of @a months (leap
 * years included: the 29th of February does come). */
static bool
mdays_meet_months (uint64_t mdays, uint64_t months)
{
  static const unsigned char longest[13] = { 0, 31, 29, 31, 30, 31, 30,
                                             31, 31, 30, 31, 30, 31 };

  for (unsigned int m = 1; m <= 12; m++)
    if (0 != (months >> m & 1)
        && 0 != (mdays & (((uint64_t) 2 << longest[m]) - 2)))
      return true;
  return false;
}

enum sr_status
sr_cron_parse (const char *expr, struct sr_cron **out, char *err,
               size_t errlen)
{
  const char *start[F_COUNT];
  size_t len[F_COUNT];
  uint64_t bits[F_COUNT];
  size_t n = 0;
  const char *p = expr;
  struct sr_cron *c;

  if (NULL != err && 0 != errlen)
    err[0] = '\0';
  if (NULL == out)
    return SR_E_INVALID;
  *out = NULL;
  if (NULL == expr) {
    if (NULL != err && 0 != errlen)
      (void) snprintf (err, errlen, "no cron expression");
    return SR_E_INVALID;
  }
  while (is_blank (*p))
    p++;
  if ('@' == *p) {
    if (NULL != err && 0 != errlen)
      (void) snprintf (err, errlen, "macros such as @daily are not "
                       "supported: write the 5 fields (minute hour "
                       "day-of-month month day-of-week)");
    return SR_E_INVALID;
  }
  /* Split into fields first, so a wrong field count is reported as such
   * rather than as a confusing error in whichever field shifted. */
  while ('\0' != *p) {
    const char *s = p;

    while ('\0' != *p && !is_blank (*p))
      p++;
    if (n < F_COUNT) {
      start[n] = s;
      len[n] = (size_t) (p - s);
    }
    n++;
    while (is_blank (*p))
      p++;
  }
  if (F_COUNT != n) {
    if (NULL != err && 0 != errlen)
      (void) snprintf (err, errlen, "expected 5 fields (minute hour "
                       "day-of-month month day-of-week), got %zu", n);
    return SR_E_INVALID;
  }
  for (int f = 0; f < F_COUNT; f++) {
    enum sr_status st = parse_field (f, start[f], len[f], &bits[f], err,
                                     errlen);
    if (SR_OK != st)
      return st;
  }
  /* With the day of week open, only the day-of-month field decides; an
   * expression such as "0 0 31 2 *" would be stored and never fire. */
  if (1 == len[F_WDAY] && '*' == start[F_WDAY][0]
      && !mdays_meet_months (bits[F_MDAY], bits[F_MONTH])) {
    if (NULL != err && 0 != errlen)
      (void) snprintf (err, errlen, "never fires: none of the months in "
                       "the month field has any of the days in the "
                       "day-of-month field (February has at most 29 days; "
                       "April, June, September and November 30)");
    return SR_E_INVALID;
  }
  c = sr_xcalloc (1, sizeof (*c));
  c->minutes = bits[F_MINUTE];
  c->hours = bits[F_HOUR];
  c->mdays = bits[F_MDAY];
  c->months = bits[F_MONTH];
  c->wdays = bits[F_WDAY];
  c->mday_any = 1 == len[F_MDAY] && '*' == start[F_MDAY][0];
  c->wday_any = 1 == len[F_WDAY] && '*' == start[F_WDAY][0];
  *out = c;
  return SR_OK;
}

void
sr_cron_free (struct sr_cron *c)
{
  free (c);
}

/* ---- searching ---- */

static bool
has_bit (uint64_t bits, unsigned int v)
{
  return 0 != (bits >> v & 1);
}

static unsigned int
month_days (int y, unsigned int m)
{
  static const unsigned char days[12] = { 31, 28, 31, 30, 31, 30,
                                          31, 31, 30, 31, 30, 31 };

  if (2 == m && ((0 == y % 4 && 0 != y % 100) || 0 == y % 400))
    return 29;
  return days[m - 1];
}

static bool
day_matches (const struct sr_cron *c, unsigned int mon, unsigned int mday,
             unsigned int wday)
{
  bool by_mday = has_bit (c->mdays, mday), by_wday = has_bit (c->wdays, wday);

  if (!has_bit (c->months, mon))
    return false;
  /* Classic cron: two restricted day fields widen the match. */
  if (!c->mday_any && !c->wday_any)
    return by_mday || by_wday;
  return by_mday && by_wday;
}

/* What the clock shows at instant @a t, as seconds on the uniform calendar
 * (days since the epoch * 86400 + seconds into the day). */
static bool
local_seconds (int64_t t, int64_t *wall)
{
  time_t tt = (time_t) t;
  struct tm tm;

  if ((int64_t) tt != t || NULL == localtime_r (&tt, &tm))
    return false;
  *wall = (int64_t) sr_date_from_civil (tm.tm_year + 1900,
                                        (unsigned int) tm.tm_mon + 1,
                                        (unsigned int) tm.tm_mday) * 86400
          + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
  return true;
}

/* first(w) of the top comment: the first instant at which the clock shows
 * wall time @a w (uniform-calendar seconds) or later. */
static bool
first_instant (int64_t w, int64_t *instant)
{
  int64_t before, after, t_before, t_after, w_before, w_after, lo, hi;
  bool ok_before, ok_after;

  if (!local_seconds (w - PROBE_SECONDS, &before)
      || !local_seconds (w + PROBE_SECONDS, &after))
    return false;
  /* The offsets in force at the probes give the candidates. */
  t_before = w - (before - (w - PROBE_SECONDS));
  t_after = w - (after - (w + PROBE_SECONDS));
  if (!local_seconds (t_before, &w_before)
      || !local_seconds (t_after, &w_after))
    return false;
  ok_before = w_before == w;
  ok_after = w_after == w;
  if (ok_before && ok_after) {
    *instant = t_before < t_after ? t_before : t_after;
    return true;
  }
  if (ok_before || ok_after) {
    *instant = ok_before ? t_before : t_after;
    return true;
  }
  /* A gap: the clock shows less than w at one candidate and more at the
   * other.  Should two transitions have confused the probes, search the
   * whole window, whose ends are certainly below and above w. */
  lo = t_before < t_after ? t_before : t_after;
  hi = t_before < t_after ? t_after : t_before;
  if (!((lo == t_before ? w_before : w_after) < w
        && (hi == t_before ? w_before : w_after) > w)) {
    lo = w - PROBE_SECONDS;
    hi = w + PROBE_SECONDS;
    if (!(before < w && after >= w))
      return false;
  }
  /* Invariant: the clock shows < w at lo and >= w at hi. */
  while (hi - lo > 1) {
    int64_t mid = lo + (hi - lo) / 2, wall;

    if (!local_seconds (mid, &wall))
      return false;
    if (wall >= w)
      hi = mid;
    else
      lo = mid;
  }
  *instant = hi;
  return true;
}

/* The first firing of local day @a day (days since the epoch) at or after
 * minute-of-day @a from_minute that is strictly after @a after. */
static bool
first_in_day (const struct sr_cron *c, int32_t day, unsigned int from_minute,
              int64_t after, int64_t *next)
{
  for (unsigned int h = from_minute / 60; h < 24; h++) {
    if (!has_bit (c->hours, h))
      continue;
    for (unsigned int m = h == from_minute / 60 ? from_minute % 60 : 0;
         m < 60; m++) {
      int64_t instant;

      if (!has_bit (c->minutes, m))
        continue;
      if (!first_instant ((int64_t) day * 86400 + h * 3600 + m * 60,
                          &instant))
        continue;   /* beyond what localtime_r() can represent */
      if (instant > after) {
        *next = instant;
        return true;
      }
    }
  }
  return false;
}

bool
sr_cron_next (const struct sr_cron *c, time_t after, time_t *next)
{
  struct tm tm;
  int y;
  unsigned int mon, mday, wday, from_minute;
  int32_t day;

  if (NULL == c || NULL == next || NULL == localtime_r (&after, &tm))
    return false;
  /* Keeps every date and instant computed below far from overflow. */
  if (tm.tm_year < 1 - 1900 || tm.tm_year > 9990 - 1900)
    return false;
  y = tm.tm_year + 1900;
  mon = (unsigned int) tm.tm_mon + 1;
  mday = (unsigned int) tm.tm_mday;
  wday = (unsigned int) tm.tm_wday;
  day = sr_date_from_civil (y, mon, mday);
  /* Wall times up to the one of @a after have fired already (top
   * comment): start at the next wall minute. */
  from_minute = (unsigned int) (tm.tm_hour * 60 + tm.tm_min + 1);
  for (int i = 0; i <= HORIZON_DAYS; i++) {
    int64_t instant;

    if (day_matches (c, mon, mday, wday)
        && first_in_day (c, day, from_minute, (int64_t) after, &instant)) {
      *next = (time_t) instant;
      return true;
    }
    from_minute = 0;
    day++;
    wday = (wday + 1) % 7;
    if (++mday > month_days (y, mon)) {
      mday = 1;
      if (++mon > 12) {
        mon = 1;
        y++;
      }
    }
  }
  return false;
}

size_t
sr_cron_between (const struct sr_cron *c, time_t after, time_t until,
                 time_t *out, size_t max)
{
  size_t n = 0;
  time_t t = after, fire;

  if (NULL == out)
    return 0;
  while (n < max && sr_cron_next (c, t, &fire) && fire <= until) {
    out[n++] = fire;
    t = fire;
  }
  return n;
}

/* end of cron.c */

bool
sr_cron_next_iso (const char *expr, char out[32])
{
  struct sr_cron *c;
  time_t next;
  bool ok;

  if (NULL == expr || SR_OK != sr_cron_parse (expr, &c, NULL, 0))
    return false;
  ok = sr_cron_next (c, sr_wall_now (), &next);
  sr_cron_free (c);
  return ok && sr_utc_format (next, out);
}
