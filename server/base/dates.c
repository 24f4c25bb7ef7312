/*
 * dates.c -- see dates.h.  The civil-date conversion is the classic
 * era-based formula (400-year cycles of 146097 days), exact for every
 * Gregorian date, with no loops and no tables.
 */
#include "dates.h"
#include "clock.h"

#include <string.h>

int32_t
sr_date_from_civil (int y, unsigned int m, unsigned int d)
{
  int era;
  unsigned int yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = (unsigned int) (y - era * 400);
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (int32_t) (era * 146097 + (int) doe - 719468);
}

static void
civil_from_days (int32_t z, int *y, unsigned int *m, unsigned int *d)
{
  int era;
  unsigned int doe, yoe, doy, mp;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = (unsigned int) (z - era * 146097);
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int) yoe + era * 400 + (*m <= 2);
}

static unsigned int
days_in_month (int y, unsigned int m)
{
  static const unsigned char dim[12] = { 31, 28, 31, 30, 31, 30,
                                         31, 31, 30, 31, 30, 31 };
  bool leap = (0 == y % 4 && 0 != y % 100) || 0 == y % 400;

  return 2 == m && leap ? 29 : dim[m - 1];
}

bool
sr_date_parse (const char *s, int32_t *day)
{
  int y = 0;
  unsigned int m = 0, d = 0;

  if (NULL == s || 10 != strlen (s) || '-' != s[4] || '-' != s[7])
    return false;
  for (int i = 0; i < 10; i++) {
    if (4 == i || 7 == i)
      continue;
    if (s[i] < '0' || s[i] > '9')
      return false;
  }
  y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10
      + (s[3] - '0');
  m = (unsigned int) ((s[5] - '0') * 10 + (s[6] - '0'));
  d = (unsigned int) ((s[8] - '0') * 10 + (s[9] - '0'));
  if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days_in_month (y, m))
    return false;
  *day = sr_date_from_civil (y, m, d);
  return true;
}

void
sr_date_format (int32_t day, char out[SR_DATE_LEN])
{
  int y;
  unsigned int m, d;

  civil_from_days (day, &y, &m, &d);
  if (y < 0 || y > 9999)
    y = 0;
  out[0] = (char) ('0' + y / 1000);
  out[1] = (char) ('0' + y / 100 % 10);
  out[2] = (char) ('0' + y / 10 % 10);
  out[3] = (char) ('0' + y % 10);
  out[4] = '-';
  out[5] = (char) ('0' + m / 10);
  out[6] = (char) ('0' + m % 10);
  out[7] = '-';
  out[8] = (char) ('0' + d / 10);
  out[9] = (char) ('0' + d % 10);
  out[10] = '\0';
}

int32_t
sr_date_of_instant (time_t t)
{
  struct tm tm;

  if (NULL == localtime_r (&t, &tm))
    return (int32_t) (t / 86400);
  return sr_date_from_civil (tm.tm_year + 1900, (unsigned int) tm.tm_mon + 1,
                             (unsigned int) tm.tm_mday);
}

int32_t
sr_date_today (void)
{
  return sr_date_of_instant (sr_wall_now ());
}

/* end of dates.c */
