/*
 * test_cron.c -- cron expressions: parsing, matching, and above all the
 * DST rules (a matching wall time fires exactly once, never skipped, never
 * twice) in New York, London, UTC and Lord Howe Island (30-minute DST).
 *
 * Expected instants are written as UTC (utc() below), so each one states
 * which side of a transition it is on: in New York EST is UTC-5 and EDT
 * UTC-4; 2025-03-09 02:00 EST jumps to 03:00 EDT (07:00Z) and 2025-11-02
 * 02:00 EDT falls back to 01:00 EST (06:00Z).
 */
#include "check.h"
#include "cron.h"
#include "dates.h"

#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

/* An instant given in UTC. */
static time_t
utc (int y, int mo, int d, int h, int mi)
{
  return (time_t) sr_date_from_civil (y, (unsigned int) mo,
                                      (unsigned int) d) * 86400
         + h * 3600 + mi * 60;
}

static void
set_tz (const char *tz)
{
  if (0 != setenv ("TZ", tz, 1)) {
    fprintf (stderr, "setenv TZ=%s failed\n", tz);
    abort ();
  }
  tzset ();
}

/* Parse @a expr, which must be valid (NULL and a message otherwise). */
static struct sr_cron *
parse (const char *expr)
{
  struct sr_cron *c = NULL;
  char err[256];

  if (SR_OK != sr_cron_parse (expr, &c, err, sizeof (err))) {
    fprintf (stderr, "unexpected parse failure of \"%s\": %s\n", expr, err);
    return NULL;
  }
  return c;
}

/* The next firing after @a after, or -1 for none. */
static long long
next_of (const struct sr_cron *c, time_t after)
{
  time_t t;

  return sr_cron_next (c, after, &t) ? (long long) t : -1;
}

/* Check that @a expr fires exactly at @a want[0..n) in (after, until]. */
static void
check_firings (const char *expr, time_t after, time_t until,
               const time_t *want, size_t n, int line)
{
  struct sr_cron *c = parse (expr);
  time_t got[64];
  size_t k;

  if (NULL == c) {
    sr_test_failures_++;
    return;
  }
  k = sr_cron_between (c, after, until, got, 64);
  if (k != n)
    fprintf (stderr, "line %d: \"%s\": %zu firings, want %zu\n", line, expr,
             k, n);
  CHECK_INT_EQ (k, n);
  for (size_t i = 0; i < k && i < n; i++) {
    if (got[i] != want[i])
      fprintf (stderr, "line %d: \"%s\": firing %zu is %lld, want %lld\n",
               line, expr, i, (long long) got[i], (long long) want[i]);
    CHECK_INT_EQ (got[i], want[i]);
  }
  sr_cron_free (c);
}

#define CHECK_FIRINGS(expr, after, until, ...)                             \
  do {                                                                     \
    const time_t want_[] = { __VA_ARGS__ };                               \
    check_firings (expr, after, until, want_,                              \
                   sizeof (want_) / sizeof (want_[0]), __LINE__);          \
  } while (0)

/* ---- parsing ---- */

SR_TEST (test_parse_errors)
{
  static const struct {
    const char *expr;
    const char *msg;   /* a part of the message */
  } bad[] = {
    { "", "expected 5 fields" },
    { "   ", "expected 5 fields" },
    { "0 6 * *", "got 4" },
    { "0 6 * * * *", "got 6" },
    { "0 0 6 * * * 2025", "got 7" },
    { "@daily", "@daily are not supported" },
    { "  @hourly", "@daily are not supported" },
    { "60 * * * *", "minute field \"60\": 60 is out of range 0-59" },
    { "* 24 * * *", "hour field \"24\": 24 is out of range 0-23" },
    { "* * 0 * *", "day of month field \"0\": 0 is out of range 1-31" },
    { "* * 32 * *", "day of month field" },
    { "* * * 0 *", "month field \"0\": 0 is out of range 1-12" },
    { "* * * 13 *", "month field" },
    { "* * * * 8", "day of week field \"8\": 8 is out of range 0-7" },
    { "0 9 * * MON", "day of week field \"MON\": unexpected 'M': names" },
    { "0 9 * JAN *", "month field \"JAN\": unexpected 'J'" },
    { "0 9 * * 1-FRI", "day of week field" },
    { "1,,2 * * * *", "minute field \"1,,2\": empty list item" },
    { ",1 * * * *", "minute field \",1\": empty list item" },
    { "1, * * * *", "minute field \"1,\": empty list item" },
    { "* 1,2, * * *", "hour field" },
    { "*/0 * * * *", "minute field \"*/0\": step 0 is not within 1-60" },
    { "0 0-23/0 * * *", "hour field \"0-23/0\": step 0" },
    { "*/61 * * * *", "step 61 is not within 1-60" },
    { "* * * * */8", "day of week field \"*/8\": step 8 is not within 1-7" },
    { "5/10 * * * *", "minute field \"5/10\": a step needs * or a range" },
    { "*/ * * * *", "a step needs a number after '/'" },
    { "1- * * * *", "a range needs a number after '-'" },
    { "-5 * * * *", "minute field \"-5\": unexpected '-'" },
    { "1-2-3 * * * *", "minute field \"1-2-3\": unexpected '-'" },
    { "30-10 * * * *", "minute field \"30-10\": range 30-10 is reversed" },
    { "0 5-70 * * *", "hour field \"5-70\": 70 is out of range 0-23" },
    { "99999999999999 * * * *", "minute field" },
    { "? * * * *", "minute field \"?\": unexpected '?'" },
    { "0 0 L * *", "day of month field \"L\": unexpected 'L'" },
    { "0 0 15W * *", "day of month field \"15W\": unexpected 'W'" },
    { "0 0 * * 5#2", "day of week field \"5#2\": unexpected '#'" },
    { "0 0 * * 1.5", "day of week field" },
    { "**/2 * * * *", "minute field" },
    { "0\n6 * * * *", "unexpected byte 0x0a" },
    { "+5 * * * *", "minute field" },
    /* Valid fields that can never meet: stored, they would never fire. */
    { "0 0 31 2 *", "never fires" },
    { "0 0 30 2 *", "never fires" },
    { "0 0 31 4,6,9,11 *", "never fires" },
    { "0 0 30-31 2 *", "never fires" },
  };
  char err[256];
  struct sr_cron *c;

  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
    c = (struct sr_cron *) 1;   /* must be reset to NULL */
    CHECK_INT_EQ (sr_cron_parse (bad[i].expr, &c, err, sizeof (err)),
                  SR_E_INVALID);
    CHECK (NULL == c);
    CHECK_CONTAINS (err, bad[i].msg);
  }
  c = (struct sr_cron *) 1;
  CHECK_INT_EQ (sr_cron_parse (NULL, &c, err, sizeof (err)), SR_E_INVALID);
  CHECK (NULL == c);
  CHECK_CONTAINS (err, "no cron expression");
  /* No room for a message, or none wanted: still just an error. */
  CHECK_INT_EQ (sr_cron_parse ("61 * * * *", &c, NULL, 0), SR_E_INVALID);
  CHECK_INT_EQ (sr_cron_parse ("61 * * * *", &c, err, 1), SR_E_INVALID);
  CHECK_STR_EQ (err, "");
  CHECK_INT_EQ (sr_cron_parse ("61 * * * *", &c, err, 12), SR_E_INVALID);
  CHECK_STR_EQ (err, "minute fiel");
  sr_cron_free (NULL);
}

SR_TEST (test_parse_valid_forms)
{
  static const char *const good[] = {
    "0 0 31 2 1",       /* day of week restricted too: either matches */
    "0 0 31 2,3 *",
    "0 0 30-31 2-4 *",
    "0 6 * * *", "15 7-23 * * *", "*/15 * * * 1-5", "0,30 9-17/4 * * *",
    "0-59/20 0 1 1 *", "59 23 31 12 *", "0 0 * * 0,7", "0 12 * * 5-7",
    "\t0  6 *\t* *  ", "*/60 */24 */31 */12 */7", "0 0 29 2 *",
    "00 06 01 01 00",
  };
  struct sr_cron *c;

  set_tz ("America/New_York");
  for (size_t i = 0; i < sizeof (good) / sizeof (good[0]); i++) {
    c = parse (good[i]);
    CHECK (NULL != c);
    sr_cron_free (c);
  }
  /* What the forms mean, read back through their firings (all local
   * times in June are EDT, UTC-4). */
  /* Weekdays every 15 minutes: Friday 23:45 -> Monday 00:00. */
  CHECK_FIRINGS ("*/15 * * * 1-5", utc (2025, 6, 14, 3, 40),
                 utc (2025, 6, 16, 4, 20), utc (2025, 6, 14, 3, 45),
                 utc (2025, 6, 16, 4, 0), utc (2025, 6, 16, 4, 15));
  /* A list of minutes, a stepped range of hours (9, 13, 17). */
  CHECK_FIRINGS ("0,30 9-17/4 * * *", utc (2025, 6, 10, 4, 0),
                 utc (2025, 6, 11, 4, 0), utc (2025, 6, 10, 13, 0),
                 utc (2025, 6, 10, 13, 30), utc (2025, 6, 10, 17, 0),
                 utc (2025, 6, 10, 17, 30), utc (2025, 6, 10, 21, 0),
                 utc (2025, 6, 10, 21, 30));
  /* 5-7 is Friday to Sunday (7 = Sunday); 2025-06-13 is a Friday. */
  CHECK_FIRINGS ("0 12 * * 5-7", utc (2025, 6, 9, 4, 0),
                 utc (2025, 6, 21, 4, 0), utc (2025, 6, 13, 16, 0),
                 utc (2025, 6, 14, 16, 0), utc (2025, 6, 15, 16, 0),
                 utc (2025, 6, 20, 16, 0));
  /* Blanks are free; leading zeros are numbers. */
  CHECK_FIRINGS ("\t0  6 *\t* *  ", utc (2025, 6, 10, 0, 0),
                 utc (2025, 6, 12, 0, 0), utc (2025, 6, 10, 10, 0),
                 utc (2025, 6, 11, 10, 0));
  /* Sunday Jan 1st, either day field: the OR rule (both restricted). */
  CHECK_FIRINGS ("00 06 01 01 00", utc (2025, 12, 31, 0, 0),
                 utc (2026, 1, 12, 0, 0), utc (2026, 1, 1, 11, 0),
                 utc (2026, 1, 4, 11, 0), utc (2026, 1, 11, 11, 0));
  /* A stepped range of minutes, once a year (EST in January). */
  CHECK_FIRINGS ("0-59/20 0 1 1 *", utc (2025, 6, 1, 0, 0),
                 utc (2026, 6, 1, 0, 0), utc (2026, 1, 1, 5, 0),
                 utc (2026, 1, 1, 5, 20), utc (2026, 1, 1, 5, 40));
  CHECK_FIRINGS ("59 23 31 12 *", utc (2025, 6, 1, 0, 0),
                 utc (2027, 6, 1, 0, 0), utc (2026, 1, 1, 4, 59),
                 utc (2027, 1, 1, 4, 59));
  /* Every minute: strictly after, whatever the seconds. */
  c = parse ("* * * * *");
  REQUIRE (NULL != c);
  CHECK_INT_EQ (next_of (c, utc (2025, 6, 10, 12, 0)),
                utc (2025, 6, 10, 12, 1));
  CHECK_INT_EQ (next_of (c, utc (2025, 6, 10, 12, 0) + 30),
                utc (2025, 6, 10, 12, 1));
  CHECK_INT_EQ (next_of (c, utc (2025, 6, 10, 12, 0) - 1),
                utc (2025, 6, 10, 12, 0));
  sr_cron_free (c);
}

/* ---- DST in New York ---- */

SR_TEST (test_daily_new_york)
{
  set_tz ("America/New_York");
  /* 06:00 local every day: 11:00Z in EST, 10:00Z in EDT. */
  CHECK_FIRINGS ("0 6 * * *", utc (2025, 3, 8, 5, 0), utc (2025, 3, 12, 4, 0),
                 utc (2025, 3, 8, 11, 0), utc (2025, 3, 9, 10, 0),
                 utc (2025, 3, 10, 10, 0), utc (2025, 3, 11, 10, 0));
  CHECK_FIRINGS ("0 6 * * *", utc (2025, 10, 31, 4, 0),
                 utc (2025, 11, 5, 5, 0), utc (2025, 10, 31, 10, 0),
                 utc (2025, 11, 1, 10, 0), utc (2025, 11, 2, 11, 0),
                 utc (2025, 11, 3, 11, 0), utc (2025, 11, 4, 11, 0));
  /* Midnight, which is not near either transition but is on both
   * 23- and 25-hour days. */
  CHECK_FIRINGS ("0 0 * * *", utc (2025, 3, 8, 4, 0), utc (2025, 3, 11, 3, 0),
                 utc (2025, 3, 8, 5, 0), utc (2025, 3, 9, 5, 0),
                 utc (2025, 3, 10, 4, 0));
  CHECK_FIRINGS ("0 0 * * *", utc (2025, 11, 1, 3, 0),
                 utc (2025, 11, 4, 5, 0), utc (2025, 11, 1, 4, 0),
                 utc (2025, 11, 2, 4, 0), utc (2025, 11, 3, 5, 0),
                 utc (2025, 11, 4, 5, 0));
}

SR_TEST (test_spring_gap_fires_at_jump)
{
  struct sr_cron *c;

  set_tz ("America/New_York");
  /* 02:30 does not exist on 03-09: it fires at the jump, 03:00 EDT. */
  CHECK_FIRINGS ("30 2 * * *", utc (2025, 3, 7, 0, 0), utc (2025, 3, 11, 0, 0),
                 utc (2025, 3, 7, 7, 30), utc (2025, 3, 8, 7, 30),
                 utc (2025, 3, 9, 7, 0), utc (2025, 3, 10, 6, 30));
  /* Six nonexistent matches collapse into one firing. */
  CHECK_FIRINGS ("*/10 2 * * *", utc (2025, 3, 9, 0, 0),
                 utc (2025, 3, 10, 12, 0), utc (2025, 3, 9, 7, 0),
                 utc (2025, 3, 10, 6, 0), utc (2025, 3, 10, 6, 10),
                 utc (2025, 3, 10, 6, 20), utc (2025, 3, 10, 6, 30),
                 utc (2025, 3, 10, 6, 40), utc (2025, 3, 10, 6, 50));
  /* A gap match and a real 03:00 match are one firing. */
  CHECK_FIRINGS ("30 2,3 * * *", utc (2025, 3, 9, 5, 0),
                 utc (2025, 3, 9, 12, 0), utc (2025, 3, 9, 7, 0),
                 utc (2025, 3, 9, 7, 30));
  CHECK_FIRINGS ("0 2,3 * * *", utc (2025, 3, 9, 5, 0),
                 utc (2025, 3, 9, 12, 0), utc (2025, 3, 9, 7, 0));
  /* Asked from inside the day: before the jump, at it, just after. */
  c = parse ("30 2 * * *");
  REQUIRE (NULL != c);
  CHECK_INT_EQ (next_of (c, utc (2025, 3, 9, 6, 59)), utc (2025, 3, 9, 7, 0));
  CHECK_INT_EQ (next_of (c, utc (2025, 3, 9, 7, 0) - 1),
                utc (2025, 3, 9, 7, 0));
  CHECK_INT_EQ (next_of (c, utc (2025, 3, 9, 7, 0)),
                utc (2025, 3, 10, 6, 30));
  CHECK_INT_EQ (next_of (c, utc (2025, 3, 9, 7, 1)),
                utc (2025, 3, 10, 6, 30));
  sr_cron_free (c);
}

SR_TEST (test_fall_back_fires_first_occurrence)
{
  struct sr_cron *c;

  set_tz ("America/New_York");
  /* 01:30 happens at 05:30Z (EDT) and 06:30Z (EST): only the first. */
  CHECK_FIRINGS ("30 1 * * *", utc (2025, 10, 31, 0, 0),
                 utc (2025, 11, 4, 0, 0), utc (2025, 10, 31, 5, 30),
                 utc (2025, 11, 1, 5, 30), utc (2025, 11, 2, 5, 30),
                 utc (2025, 11, 3, 6, 30));
  c = parse ("30 1 * * *");
  REQUIRE (NULL != c);
  /* From the first occurrence: tomorrow, not the second 01:30. */
  CHECK_INT_EQ (next_of (c, utc (2025, 11, 2, 5, 30)),
                utc (2025, 11, 3, 6, 30));
  /* From inside the second pass of the hour, before and after its second
   * 01:30: tomorrow as well. */
  CHECK_INT_EQ (next_of (c, utc (2025, 11, 2, 6, 0)),
                utc (2025, 11, 3, 6, 30));
  CHECK_INT_EQ (next_of (c, utc (2025, 11, 2, 6, 29)),
                utc (2025, 11, 3, 6, 30));
  CHECK_INT_EQ (next_of (c, utc (2025, 11, 2, 6, 31)),
                utc (2025, 11, 3, 6, 30));
  CHECK_INT_EQ (next_of (c, utc (2025, 11, 2, 5, 30) - 1),
                utc (2025, 11, 2, 5, 30));
  sr_cron_free (c);
  /* Every minute resumes at 02:00 EST after the repeated hour. */
  c = parse ("* * * * *");
  REQUIRE (NULL != c);
  CHECK_INT_EQ (next_of (c, utc (2025, 11, 2, 5, 59)),
                utc (2025, 11, 2, 7, 0));
  CHECK_INT_EQ (next_of (c, utc (2025, 11, 2, 6, 0)),
                utc (2025, 11, 2, 7, 0));
  CHECK_INT_EQ (next_of (c, utc (2025, 11, 2, 6, 59) + 59),
                utc (2025, 11, 2, 7, 0));
  sr_cron_free (c);
}

SR_TEST (test_hourly_across_transitions)
{
  set_tz ("America/New_York");
  /* Fall back: 00:00 EDT, 01:00 EDT, then 02:00 EST -- nothing at 06:00Z,
   * the second 01:00. */
  CHECK_FIRINGS ("0 * * * *", utc (2025, 11, 2, 3, 30),
                 utc (2025, 11, 2, 8, 30), utc (2025, 11, 2, 4, 0),
                 utc (2025, 11, 2, 5, 0), utc (2025, 11, 2, 7, 0),
                 utc (2025, 11, 2, 8, 0));
  /* Spring forward: 00:00 and 01:00 EST, then 03:00 EDT once (the
   * nonexistent 02:00 and the real 03:00 are the same firing). */
  CHECK_FIRINGS ("0 * * * *", utc (2025, 3, 9, 4, 30), utc (2025, 3, 9, 9, 30),
                 utc (2025, 3, 9, 5, 0), utc (2025, 3, 9, 6, 0),
                 utc (2025, 3, 9, 7, 0), utc (2025, 3, 9, 8, 0),
                 utc (2025, 3, 9, 9, 0));
  /* Half-hourly catch-up over the fall-back night: the repeated hour's
   * second pass (06:00Z, 06:30Z) fires nothing. */
  CHECK_FIRINGS ("*/30 * * * *", utc (2025, 11, 2, 3, 0),
                 utc (2025, 11, 2, 9, 0), utc (2025, 11, 2, 3, 30),
                 utc (2025, 11, 2, 4, 0), utc (2025, 11, 2, 4, 30),
                 utc (2025, 11, 2, 5, 0), utc (2025, 11, 2, 5, 30),
                 utc (2025, 11, 2, 7, 0), utc (2025, 11, 2, 7, 30),
                 utc (2025, 11, 2, 8, 0), utc (2025, 11, 2, 8, 30),
                 utc (2025, 11, 2, 9, 0));
}

/* Firings of @a c during the local day that starts at instant @a start and
 * ends at @a end (both local midnights). */
static size_t
count_day (const struct sr_cron *c, time_t start, time_t end)
{
  time_t buf[64];

  return sr_cron_between (c, start - 1, end - 1, buf, 64);
}

SR_TEST (test_hourly_window_every_day)
{
  struct sr_cron *c;

  set_tz ("America/New_York");
  c = parse ("15 7-23 * * *");
  REQUIRE (NULL != c);
  CHECK_INT_EQ (count_day (c, utc (2025, 3, 8, 5, 0), utc (2025, 3, 9, 5, 0)),
                17);
  CHECK_INT_EQ (count_day (c, utc (2025, 3, 9, 5, 0),
                           utc (2025, 3, 10, 4, 0)), 17);
  CHECK_INT_EQ (count_day (c, utc (2025, 6, 15, 4, 0),
                           utc (2025, 6, 16, 4, 0)), 17);
  CHECK_INT_EQ (count_day (c, utc (2025, 11, 2, 4, 0),
                           utc (2025, 11, 3, 5, 0)), 17);
  CHECK_INT_EQ (count_day (c, utc (2025, 11, 3, 5, 0),
                           utc (2025, 11, 4, 5, 0)), 17);
  /* The first and the last of the fall-back day (07:15 and 23:15 EST),
   * then the first of the next. */
  CHECK_INT_EQ (next_of (c, utc (2025, 11, 2, 4, 0)),
                utc (2025, 11, 2, 12, 15));
  CHECK_INT_EQ (next_of (c, utc (2025, 11, 3, 4, 0)),
                utc (2025, 11, 3, 4, 15));
  CHECK_INT_EQ (next_of (c, utc (2025, 11, 3, 4, 15)),
                utc (2025, 11, 3, 12, 15));
  sr_cron_free (c);
  /* Every minute of a day: 1380 on the 23-hour day, 1440 on the 25-hour
   * one (its repeated hour fires once), 1440 on an ordinary day. */
  c = parse ("* * * * *");
  REQUIRE (NULL != c);
  {
    time_t *buf = calloc (2000, sizeof (*buf));

    REQUIRE (NULL != buf);
    CHECK_INT_EQ (sr_cron_between (c, utc (2025, 3, 9, 5, 0) - 1,
                                   utc (2025, 3, 10, 4, 0) - 1, buf, 2000),
                  1380);
    CHECK_INT_EQ (sr_cron_between (c, utc (2025, 11, 2, 4, 0) - 1,
                                   utc (2025, 11, 3, 5, 0) - 1, buf, 2000),
                  1440);
    CHECK_INT_EQ (sr_cron_between (c, utc (2025, 6, 15, 4, 0) - 1,
                                   utc (2025, 6, 16, 4, 0) - 1, buf, 2000),
                  1440);
    free (buf);
  }
  sr_cron_free (c);
}

/* ---- days ---- */

SR_TEST (test_day_rules)
{
  struct sr_cron *c;
  time_t t;

  set_tz ("America/New_York");
  /* June 2025: the 13th is a Friday; local midnight is 04:00Z. */
  /* Both restricted: the 13th OR a Friday. */
  CHECK_FIRINGS ("0 0 13 * 5", utc (2025, 6, 1, 4, 0), utc (2025, 7, 15, 4, 0),
                 utc (2025, 6, 6, 4, 0), utc (2025, 6, 13, 4, 0),
                 utc (2025, 6, 20, 4, 0), utc (2025, 6, 27, 4, 0),
                 utc (2025, 7, 4, 4, 0), utc (2025, 7, 11, 4, 0),
                 utc (2025, 7, 13, 4, 0));
  /* Only one restricted: that one. */
  CHECK_FIRINGS ("0 0 13 * *", utc (2025, 6, 1, 4, 0), utc (2025, 7, 15, 4, 0),
                 utc (2025, 6, 13, 4, 0), utc (2025, 7, 13, 4, 0));
  CHECK_FIRINGS ("0 0 * * 5", utc (2025, 6, 1, 4, 0), utc (2025, 6, 30, 4, 0),
                 utc (2025, 6, 6, 4, 0), utc (2025, 6, 13, 4, 0),
                 utc (2025, 6, 20, 4, 0), utc (2025, 6, 27, 4, 0));
  /* "*" with a step is a restriction: odd days OR Fridays (the 6th). */
  CHECK_FIRINGS ("0 0 */2 * 5", utc (2025, 6, 2, 4, 0), utc (2025, 6, 8, 4, 0),
                 utc (2025, 6, 3, 4, 0), utc (2025, 6, 5, 4, 0),
                 utc (2025, 6, 6, 4, 0), utc (2025, 6, 7, 4, 0));
  /* The month restricts both alternatives. */
  CHECK_FIRINGS ("0 0 1 7 3", utc (2025, 6, 1, 4, 0), utc (2025, 7, 10, 4, 0),
                 utc (2025, 7, 1, 4, 0), utc (2025, 7, 2, 4, 0),
                 utc (2025, 7, 9, 4, 0));
  /* 0 and 7 are both Sunday (2025-06-01, -08). */
  CHECK_FIRINGS ("0 0 * * 0", utc (2025, 6, 1, 0, 0), utc (2025, 6, 9, 0, 0),
                 utc (2025, 6, 1, 4, 0), utc (2025, 6, 8, 4, 0));
  CHECK_FIRINGS ("0 0 * * 7", utc (2025, 6, 1, 0, 0), utc (2025, 6, 9, 0, 0),
                 utc (2025, 6, 1, 4, 0), utc (2025, 6, 8, 4, 0));
  /* The next leap day (EST). */
  c = parse ("0 0 29 2 *");
  REQUIRE (NULL != c);
  CHECK_INT_EQ (next_of (c, utc (2025, 1, 1, 0, 0)), utc (2028, 2, 29, 5, 0));
  CHECK_INT_EQ (next_of (c, utc (2028, 2, 29, 5, 0)),
                utc (2032, 2, 29, 5, 0));
  /* 2100 is no leap year: 2096 to 2104 is beyond the 5-year horizon. */
  CHECK (!sr_cron_next (c, utc (2096, 3, 1, 0, 0), &t));
  sr_cron_free (c);
  /* Never: refused when parsed (test_parse_errors), so nothing that
   * could never fire is ever stored. */
  {
    char err[256];

    CHECK_INT_EQ (sr_cron_parse ("0 0 31 4 *", &c, err, sizeof (err)),
                  SR_E_INVALID);
    CHECK_INT_EQ (sr_cron_parse ("0 0 31 2,4,6,9,11 *", &c, err,
                                 sizeof (err)), SR_E_INVALID);
  }
  /* ...unless the day of week widens it (OR rule): the Sundays of April,
   * the first being 2026-04-05. */
  c = parse ("0 0 31 4 0");
  REQUIRE (NULL != c);
  CHECK_INT_EQ (next_of (c, utc (2025, 5, 30, 0, 0)), utc (2026, 4, 5, 4, 0));
  CHECK_INT_EQ (next_of (c, utc (2026, 4, 5, 4, 0)), utc (2026, 4, 12, 4, 0));
  sr_cron_free (c);
}

/* ---- catch-up ---- */

SR_TEST (test_between_catch_up)
{
  struct sr_cron *c;
  time_t out[32];
  size_t n;

  set_tz ("America/New_York");
  c = parse ("*/30 * * * *");
  REQUIRE (NULL != c);
  /* Down from 12:00Z to 18:00Z: 12 firings, the window's end included,
   * its start not. */
  n = sr_cron_between (c, utc (2025, 6, 10, 12, 0), utc (2025, 6, 10, 18, 0),
                       out, 32);
  REQUIRE (12 == n);
  for (size_t i = 0; i < n; i++)
    CHECK_INT_EQ (out[i], utc (2025, 6, 10, 12, 30) + (time_t) i * 1800);
  /* max keeps the earliest ones. */
  CHECK_INT_EQ (sr_cron_between (c, utc (2025, 6, 10, 12, 0),
                                 utc (2025, 6, 10, 18, 0), out, 5), 5);
  CHECK_INT_EQ (out[0], utc (2025, 6, 10, 12, 30));
  CHECK_INT_EQ (out[4], utc (2025, 6, 10, 14, 30));
  CHECK_INT_EQ (sr_cron_between (c, utc (2025, 6, 10, 12, 0),
                                 utc (2025, 6, 10, 18, 0), out, 0), 0);
  /* Empty and reversed windows. */
  CHECK_INT_EQ (sr_cron_between (c, utc (2025, 6, 10, 12, 0),
                                 utc (2025, 6, 10, 12, 29), out, 32), 0);
  CHECK_INT_EQ (sr_cron_between (c, utc (2025, 6, 10, 12, 0),
                                 utc (2025, 6, 10, 12, 0), out, 32), 0);
  CHECK_INT_EQ (sr_cron_between (c, utc (2025, 6, 10, 18, 0),
                                 utc (2025, 6, 10, 12, 0), out, 32), 0);
  CHECK_INT_EQ (sr_cron_between (c, utc (2025, 6, 10, 12, 0),
                                 utc (2025, 6, 10, 18, 0), NULL, 32), 0);
  sr_cron_free (c);
  /* A daily job over a 6-hour window containing its time. */
  CHECK_FIRINGS ("0 6 * * *", utc (2025, 6, 10, 7, 0),
                 utc (2025, 6, 10, 13, 0), utc (2025, 6, 10, 10, 0));
}

/* ---- other zones ---- */

SR_TEST (test_daily_utc_and_london)
{
  set_tz ("UTC");
  CHECK_FIRINGS ("0 6 * * *", utc (2025, 3, 8, 0, 0), utc (2025, 3, 12, 0, 0),
                 utc (2025, 3, 8, 6, 0), utc (2025, 3, 9, 6, 0),
                 utc (2025, 3, 10, 6, 0), utc (2025, 3, 11, 6, 0));
  CHECK_FIRINGS ("0 6 * * *", utc (2025, 10, 31, 0, 0),
                 utc (2025, 11, 4, 0, 0), utc (2025, 10, 31, 6, 0),
                 utc (2025, 11, 1, 6, 0), utc (2025, 11, 2, 6, 0),
                 utc (2025, 11, 3, 6, 0));
  /* London: GMT = UTC, BST = UTC+1; 2025-03-30 01:00 GMT -> 02:00 BST,
   * 2025-10-26 02:00 BST -> 01:00 GMT. */
  set_tz ("Europe/London");
  CHECK_FIRINGS ("0 6 * * *", utc (2025, 3, 28, 0, 0), utc (2025, 4, 1, 0, 0),
                 utc (2025, 3, 28, 6, 0), utc (2025, 3, 29, 6, 0),
                 utc (2025, 3, 30, 5, 0), utc (2025, 3, 31, 5, 0));
  CHECK_FIRINGS ("0 6 * * *", utc (2025, 10, 24, 0, 0),
                 utc (2025, 10, 28, 0, 0), utc (2025, 10, 24, 5, 0),
                 utc (2025, 10, 25, 5, 0), utc (2025, 10, 26, 6, 0),
                 utc (2025, 10, 27, 6, 0));
  /* London's own gap and repeated hour. */
  CHECK_FIRINGS ("30 1 * * *", utc (2025, 3, 29, 0, 0),
                 utc (2025, 3, 31, 3, 0),
                 utc (2025, 3, 29, 1, 30), utc (2025, 3, 30, 1, 0),
                 utc (2025, 3, 31, 0, 30));
  CHECK_FIRINGS ("30 1 * * *", utc (2025, 10, 25, 0, 0),
                 utc (2025, 10, 27, 3, 0), utc (2025, 10, 25, 0, 30),
                 utc (2025, 10, 26, 0, 30), utc (2025, 10, 27, 1, 30));
  set_tz ("America/New_York");
}

/* ---- a reference, by brute force ---- */

/* What the clock shows at @a t, as seconds on a uniform calendar. */
static long long
wall_of (time_t t)
{
  struct tm tm;

  if (NULL == localtime_r (&t, &tm))
    abort ();
  return (long long) utc (tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                          tm.tm_hour, tm.tm_min) + tm.tm_sec;
}

struct ref_case {
  const char *expr;
  bool (*match) (const struct tm *w);   /* the expression, written in C */
};

static bool
m_hourly (const struct tm *w)
{
  return 0 == w->tm_min;
}

static bool
m_0130 (const struct tm *w)
{
  return 1 == w->tm_hour && 30 == w->tm_min;
}

static bool
m_0230 (const struct tm *w)
{
  return 2 == w->tm_hour && 30 == w->tm_min;
}

static bool
m_every10_at2 (const struct tm *w)
{
  return 2 == w->tm_hour && 0 == w->tm_min % 10;
}

static bool
m_15_7to23 (const struct tm *w)
{
  return w->tm_hour >= 7 && 15 == w->tm_min;
}

static bool
m_every7 (const struct tm *w)
{
  return 0 == w->tm_min % 7;
}

static bool
m_45_0to3 (const struct tm *w)
{
  return w->tm_hour <= 3 && 45 == w->tm_min;
}

static bool
m_sunday_0200 (const struct tm *w)
{
  return 0 == w->tm_wday && 2 == w->tm_hour && 0 == w->tm_min;
}

/*
 * The rules of cron.h stated over the timeline instead of over days: walk
 * it minute by minute (every zone here changes offset on a whole minute),
 * remembering the highest wall time the clock has shown; a minute fires
 * when the clock reaches, for the first time, a wall time at or past a
 * matching one it has not shown before.  Wall times are read back into
 * fields with gmtime_r(), as the uniform calendar is UTC's.
 */
static size_t
reference (const struct ref_case *rc, time_t after, time_t until,
           time_t *out, size_t max)
{
  long long high = wall_of (after);
  size_t n = 0;

  for (time_t t = after - after % 60 + 60; t <= until && n < max; t += 60) {
    long long w = wall_of (t);
    bool fires = false;

    for (long long x = high - high % 60 + 60; x <= w && !fires; x += 60) {
      time_t xt = (time_t) x;
      struct tm tm;

      if (NULL == gmtime_r (&xt, &tm))
        abort ();
      fires = rc->match (&tm);
    }
    if (fires)
      out[n++] = t;
    if (w > high)
      high = w;
  }
  return n;
}

SR_TEST (test_against_reference)
{
  static const struct ref_case cases[] = {
    { "0 * * * *", m_hourly },          { "30 1 * * *", m_0130 },
    { "30 2 * * *", m_0230 },           { "*/10 2 * * *", m_every10_at2 },
    { "15 7-23 * * *", m_15_7to23 },    { "*/7 * * * *", m_every7 },
    { "45 0-3 * * *", m_45_0to3 },      { "0 2 * * 0", m_sunday_0200 },
  };
  static const struct {
    const char *tz;
    int y, mo, d;   /* a transition day */
  } windows[] = {
    { "America/New_York", 2025, 3, 9 },   { "America/New_York", 2025, 11, 2 },
    { "Europe/London", 2025, 3, 30 },     { "Europe/London", 2025, 10, 26 },
    /* +11 -> +10:30 at 02:00 and back at 02:00 -> 02:30: half hours. */
    { "Australia/Lord_Howe", 2025, 4, 6 },
    { "Australia/Lord_Howe", 2025, 10, 5 },
    { "UTC", 2025, 3, 9 },
  };
  enum { MAX = 1200 };
  time_t *want = calloc (MAX, sizeof (*want));
  time_t *got = calloc (MAX, sizeof (*got));

  REQUIRE (NULL != want && NULL != got);
  for (size_t wi = 0; wi < sizeof (windows) / sizeof (windows[0]); wi++) {
    time_t from, to;

    set_tz (windows[wi].tz);
    from = utc (windows[wi].y, windows[wi].mo, windows[wi].d, 0, 0) - 86400
           - 17;
    to = from + 3 * 86400;
    for (size_t ci = 0; ci < sizeof (cases) / sizeof (cases[0]); ci++) {
      struct sr_cron *c = parse (cases[ci].expr);
      size_t nw, ng, k = 0;

      REQUIRE (NULL != c);
      nw = reference (&cases[ci], from, to, want, MAX);
      ng = sr_cron_between (c, from, to, got, MAX);
      if (nw != ng)
        fprintf (stderr, "%s \"%s\": %zu firings, reference %zu\n",
                 windows[wi].tz, cases[ci].expr, ng, nw);
      CHECK_INT_EQ (ng, nw);
      for (size_t i = 0; i < nw && i < ng; i++)
        CHECK_INT_EQ (got[i], want[i]);
      /* sr_cron_next from every 7 minutes and 13 seconds of the window. */
      for (time_t a = from; a < to - 86400; a += 433) {
        long long expect;

        while (k < nw && want[k] <= a)
          k++;
        if (k >= nw)
          break;
        expect = (long long) want[k];
        if (next_of (c, a) != expect) {
          fprintf (stderr, "%s \"%s\": next after %lld is %lld, want %lld\n",
                   windows[wi].tz, cases[ci].expr, (long long) a,
                   next_of (c, a), expect);
          sr_test_failures_++;
          break;
        }
      }
      sr_cron_free (c);
    }
  }
  free (want);
  free (got);
  set_tz ("America/New_York");
}

/* ---- speed (one loose check) ---- */

SR_TEST (test_speed)
{
  struct sr_cron *c;
  struct timespec t0, t1;
  time_t t = utc (2025, 1, 1, 0, 0), next;
  double secs;
  bool ok = true;

  set_tz ("America/New_York");
  c = parse ("15 7-23 * * *");
  REQUIRE (NULL != c);
  REQUIRE (0 == clock_gettime (CLOCK_MONOTONIC, &t0));
  for (int i = 0; i < 100000 && ok; i++) {
    ok = sr_cron_next (c, t, &next) && next > t;
    t = next;
  }
  REQUIRE (0 == clock_gettime (CLOCK_MONOTONIC, &t1));
  CHECK (ok);
  secs = (double) (t1.tv_sec - t0.tv_sec)
         + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9;
  fprintf (stderr, "100000 sr_cron_next: %.3f s\n", secs);
  CHECK (secs < 2.0);
  sr_cron_free (c);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_parse_errors),
              SR_TEST_ENTRY (test_parse_valid_forms),
              SR_TEST_ENTRY (test_daily_new_york),
              SR_TEST_ENTRY (test_spring_gap_fires_at_jump),
              SR_TEST_ENTRY (test_fall_back_fires_first_occurrence),
              SR_TEST_ENTRY (test_hourly_across_transitions),
              SR_TEST_ENTRY (test_hourly_window_every_day),
              SR_TEST_ENTRY (test_day_rules),
              SR_TEST_ENTRY (test_between_catch_up),
              SR_TEST_ENTRY (test_daily_utc_and_london),
              SR_TEST_ENTRY (test_against_reference),
              SR_TEST_ENTRY (test_speed))
