/*
 * order_fields.c -- see order_fields.h.  Each function names the SQL it
 * mirrors; a change to one side is a change to both.
 */
#include "order_fields.h"
#include "dates.h"

#include <string.h>

static bool
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

static bool
all_digits (const char *p, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if (!is_digit (p[i]))
      return false;
  return true;
}

static int
digits_value (const char *p, size_t len)
{
  int v = 0;

  for (size_t i = 0; i < len; i++)
    v = v * 10 + (p[i] - '0');
  return v;
}

void
sr_of_trim (const char **p, size_t *len)
{
  while (*len > 0 && ' ' == (*p)[0]) {
    (*p)++;
    (*len)--;
  }
  while (*len > 0 && ' ' == (*p)[*len - 1])
    (*len)--;
}

bool
sr_of_order_id (const char *p, size_t len, int64_t *out)
{
  bool neg;
  int64_t v = 0;

  sr_of_trim (&p, &len);
  neg = len > 0 && '-' == p[0];
  if (neg) {
    p++;
    len--;
  }
  if (len < 1 || len > 18 || !all_digits (p, len))
    return false;
  for (size_t i = 0; i < len; i++)
    v = v * 10 + (p[i] - '0');
  *out = neg ? -v : v;
  return true;
}

/* signalroom.is_us_date: MM/DD/YYYY, a real day of years 0001-9999. */
static bool
us_date (const char *d, size_t len, int32_t *day)
{
  int m, dd, y, last;

  if (10 != len || '/' != d[2] || '/' != d[5] || !all_digits (d, 2)
      || !all_digits (d + 3, 2) || !all_digits (d + 6, 4))
    return false;
  m = digits_value (d, 2);
  dd = digits_value (d + 3, 2);
  y = digits_value (d + 6, 4);
  if (m < 1 || m > 12 || dd < 1 || dd > 31 || 0 == y)
    return false;
  if (2 == m)
    last = ((0 == y % 4 && 0 != y % 100) || 0 == y % 400) ? 29 : 28;
  else if (4 == m || 6 == m || 9 == m || 11 == m)
    last = 30;
  else
    last = 31;
  if (dd > last)
    return false;
  *day = sr_date_from_civil (y, (unsigned int) m, (unsigned int) dd);
  return true;
}

/* '^[0-9]{1,2}:[0-9]{2} ?[AaPp][Mm]$'; *hour_ok: the hour and minute are
 * in range ('^(0?[1-9]|1[0-2]):[0-5][0-9]'). */
static bool
time_shaped (const char *t, size_t len, bool *hour_ok)
{
  size_t h = (len > 1 && is_digit (t[0]) && is_digit (t[1])) ? 2 : 1;
  size_t i = h;
  int hour, minute;

  if (len < 1 || !is_digit (t[0]) || len < h + 3 || ':' != t[h]
      || !all_digits (t + h + 1, 2))
    return false;
  i = h + 3;
  if (i < len && ' ' == t[i])
    i++;
  if (i + 2 != len || NULL == strchr ("AaPp", t[i]) || '\0' == t[i]
      || ('M' != t[i + 1] && 'm' != t[i + 1]))
    return false;
  hour = digits_value (t, h);
  minute = digits_value (t + h + 1, 2);
  *hour_ok = hour >= 1 && hour <= 12 && minute <= 59;
  return true;
}

bool
sr_of_order_day (const char *d, size_t dlen, const char *t, size_t tlen,
                 int32_t *day)
{
  bool hour_ok = true;

  if (!us_date (d, dlen, day))
    return false;
  /* A time of the right shape but out of range makes the whole timestamp
   * NULL; any other time leaves the date at midnight. */
  if (time_shaped (t, tlen, &hour_ok) && !hour_ok)
    return false;
  return true;
}

bool
sr_of_total (const char **p, size_t *len)
{
  const char *s;
  size_t n, i = 0, int_start, int_digits;

  sr_of_trim (p, len);
  s = *p;
  n = *len;
  if (i < n && '-' == s[i])
    i++;
  int_start = i;
  while (i < n && is_digit (s[i]))
    i++;
  if (i == int_start)
    return false;
  int_digits = i - int_start;
  for (size_t k = int_start; k + 1 < i && '0' == s[k]; k++)
    int_digits--;
  if (int_digits > 15)
    return false;
  if (i < n) {
    size_t frac = i + 1;

    if ('.' != s[i] || frac == n || !all_digits (s + frac, n - frac))
      return false;
  }
  return true;
}

int64_t
sr_of_total_cents (const char *total)
{
  bool neg = '-' == total[0];
  const char *p = total + (neg ? 1 : 0);
  int64_t v = 0;
  int frac[3] = { 0, 0, 0 };

  for (; is_digit (*p); p++)
    v = v * 10 + (*p - '0');
  if ('.' == *p)
    for (int k = 0; k < 3 && is_digit (p[1 + k]); k++)
      frac[k] = p[1 + k] - '0';
  v = v * 100 + frac[0] * 10 + frac[1] + (frac[2] >= 5 ? 1 : 0);
  return neg ? -v : v;
}

const char *
sr_of_price_tier (const char *total)
{
  int64_t whole = 0;

  if (NULL == total)
    return "unknown";
  if ('-' == total[0])
    return "$0-24";
  for (const char *p = total; is_digit (*p) && whole < 1000; p++)
    whole = whole * 10 + (*p - '0');
  if (whole < 25)
    return "$0-24";
  if (whole < 50)
    return "$25-49";
  if (whole < 100)
    return "$50-99";
  return "$100+";
}

static bool
ascii_equal_ci (const char *p, size_t len, const char *upper)
{
  size_t n = strlen (upper);

  if (len != n)
    return false;
  for (size_t i = 0; i < n; i++) {
    char c = p[i];

    if (c >= 'a' && c <= 'z')
      c = (char) (c - 'a' + 'A');
    if (c != upper[i])
      return false;
  }
  return true;
}

bool
sr_of_flag (const char *p, size_t len)
{
  sr_of_trim (&p, &len);
  return ascii_equal_ci (p, len, "YES") || ascii_equal_ci (p, len, "Y")
         || ascii_equal_ci (p, len, "1") || ascii_equal_ci (p, len, "TRUE");
}

static bool
ascii_letter (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool
sr_of_state (const char *p, size_t len, char out[3])
{
  sr_of_trim (&p, &len);
  if (2 != len || !ascii_letter (p[0]) || !ascii_letter (p[1]))
    return false;
  memcpy (out, p, 2);
  out[2] = '\0';
  sr_of_ascii_upper (out, 2);
  return true;
}

void
sr_of_ascii_upper (char *s, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if (s[i] >= 'a' && s[i] <= 'z')
      s[i] = (char) (s[i] - 'a' + 'A');
}

void
sr_of_ascii_lower (char *s, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if (s[i] >= 'A' && s[i] <= 'Z')
      s[i] = (char) (s[i] - 'A' + 'a');
}

/* end of order_fields.c */
