/*
 * test_dates.c -- calendar days, and instants to days in the reporting
 * time zone around both DST changes.
 */
#include "check.h"
#include "dates.h"

#include <stdlib.h>
#include <time.h>

/* An instant given in UTC, as the epoch Everflow would send. */
static time_t
utc (int y, int mo, int d, int h, int mi, int s)
{
  return (time_t) sr_date_from_civil (y, (unsigned int) mo,
                                      (unsigned int) d) * 86400
         + h * 3600 + mi * 60 + s;
}

static const char *
day_of (time_t t)
{
  static char buf[SR_DATE_LEN];

  sr_date_format (sr_date_of_instant (t), buf);
  return buf;
}

SR_TEST (test_parse_and_format)
{
  int32_t d;
  char buf[SR_DATE_LEN];

  CHECK (sr_date_parse ("1970-01-01", &d));
  CHECK_INT_EQ (d, 0);
  CHECK (sr_date_parse ("2024-02-29", &d));
  sr_date_format (d, buf);
  CHECK_STR_EQ (buf, "2024-02-29");
  CHECK (sr_date_parse ("2025-12-31", &d));
  sr_date_format (d + 1, buf);
  CHECK_STR_EQ (buf, "2026-01-01");
  CHECK (!sr_date_parse ("2025-02-29", &d));
  CHECK (!sr_date_parse ("2100-02-29", &d));
  CHECK (sr_date_parse ("2000-02-29", &d));
  CHECK (!sr_date_parse ("2025-13-01", &d));
  CHECK (!sr_date_parse ("2025-00-10", &d));
  CHECK (!sr_date_parse ("2025-04-31", &d));
  CHECK (!sr_date_parse ("2025-4-01", &d));
  CHECK (!sr_date_parse ("2025-04-01x", &d));
  CHECK (!sr_date_parse (" 2025-04-01", &d));
  CHECK (!sr_date_parse ("20250401", &d));
  CHECK (!sr_date_parse ("", &d));
  CHECK (!sr_date_parse (NULL, &d));
  /* Round trip over four centuries, leap rules included. */
  for (int32_t x = -25567; x < 120000; x += 17) {
    int32_t back;

    sr_date_format (x, buf);
    REQUIRE (sr_date_parse (buf, &back));
    CHECK_INT_EQ (back, x);
  }
}

SR_TEST (test_instants_new_york)
{
  setenv ("TZ", "America/New_York", 1);
  tzset ();
  /* Standard time (UTC-5): local midnight is 05:00Z. */
  CHECK_STR_EQ (day_of (utc (2025, 3, 8, 5, 0, 0)), "2025-03-08");
  CHECK_STR_EQ (day_of (utc (2025, 3, 9, 4, 59, 59)), "2025-03-08");
  CHECK_STR_EQ (day_of (utc (2025, 3, 9, 5, 0, 0)), "2025-03-09");
  /* 2025-03-09 is 23 hours long; the next midnight is EDT (UTC-4). */
  CHECK_STR_EQ (day_of (utc (2025, 3, 10, 3, 59, 59)), "2025-03-09");
  CHECK_STR_EQ (day_of (utc (2025, 3, 10, 4, 0, 0)), "2025-03-10");
  /* Late evening in New York is already tomorrow in UTC. */
  CHECK_STR_EQ (day_of (utc (2025, 7, 4, 3, 30, 0)), "2025-07-03");
  /* 2025-11-02 is 25 hours long: midnight EDT at 04:00Z, the next
   * midnight EST at 05:00Z on 11-03. */
  CHECK_STR_EQ (day_of (utc (2025, 11, 2, 3, 59, 59)), "2025-11-01");
  CHECK_STR_EQ (day_of (utc (2025, 11, 2, 4, 0, 0)), "2025-11-02");
  CHECK_STR_EQ (day_of (utc (2025, 11, 3, 4, 59, 59)), "2025-11-02");
  CHECK_STR_EQ (day_of (utc (2025, 11, 3, 5, 0, 0)), "2025-11-03");
}

SR_TEST (test_instants_utc)
{
  setenv ("TZ", "UTC", 1);
  tzset ();
  CHECK_STR_EQ (day_of (utc (2025, 3, 9, 4, 59, 59)), "2025-03-09");
  CHECK_STR_EQ (day_of (utc (2025, 3, 8, 23, 59, 59)), "2025-03-08");
  setenv ("TZ", "America/New_York", 1);
  tzset ();
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_parse_and_format),
              SR_TEST_ENTRY (test_instants_new_york),
              SR_TEST_ENTRY (test_instants_utc))
