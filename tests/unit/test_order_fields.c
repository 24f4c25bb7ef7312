/*
 * test_order_fields.c -- the order fields the loader reads in C, on answers
 * worked out by hand from the SQL rules they mirror (0006, 0008, 0013).
 * test_order_rollup holds them to the SQL itself on loaded files.
 */
#include "check.h"
#include "dates.h"
#include "order_fields.h"

#include <string.h>

static bool
day_of (const char *d, const char *t, char out[SR_DATE_LEN])
{
  int32_t day;

  if (!sr_of_order_day (d, strlen (d), t, strlen (t), &day))
    return false;
  sr_date_format (day, out);
  return true;
}

SR_TEST (test_order_day)
{
  char out[SR_DATE_LEN];

  CHECK (day_of ("02/29/2024", "1:05 pm", out));
  CHECK_STR_EQ (out, "2024-02-29");
  CHECK (day_of ("12/31/2025", "noon", out));       /* not time-shaped */
  CHECK_STR_EQ (out, "2025-12-31");
  CHECK (day_of ("12/31/2025", "", out));
  CHECK (day_of ("07/04/2025", "9:07AM", out));
  CHECK (day_of ("07/04/2025", "10:5 AM", out));    /* not time-shaped */
  CHECK (!day_of ("07/04/2025", "13:00 PM", out));  /* shaped, out of range */
  CHECK (!day_of ("07/04/2025", "0:10 AM", out));
  CHECK (!day_of ("07/04/2025", "9:60 AM", out));
  CHECK (day_of ("07/04/2025", "9:07  AM", out));   /* two spaces: no shape */
  CHECK (!day_of ("02/29/2025", "", out));
  CHECK (!day_of ("02/29/2100", "", out));
  CHECK (day_of ("02/29/2000", "", out));
  CHECK (!day_of ("04/31/2025", "", out));
  CHECK (!day_of ("01/01/0000", "", out));
  CHECK (!day_of (" 01/02/2025", "", out));         /* dates are not trimmed */
  CHECK (!day_of ("1/02/2025", "", out));
  CHECK (!day_of ("2025-01-02", "", out));
}

static const char *
total_of (const char *cell)
{
  static char out[64];
  const char *p = cell;
  size_t len = strlen (cell);

  if (!sr_of_total (&p, &len))
    return "NULL";
  memcpy (out, p, len);
  out[len] = '\0';
  return out;
}

SR_TEST (test_totals)
{
  CHECK_STR_EQ (total_of (" 12.345 "), "12.345");
  CHECK_STR_EQ (total_of ("-5"), "-5");
  CHECK_STR_EQ (total_of ("000000000000000012.5"), "000000000000000012.5");
  CHECK_STR_EQ (total_of ("999999999999999.99"), "999999999999999.99");
  CHECK_STR_EQ (total_of ("1000000000000000"), "NULL");    /* 16 digits */
  CHECK_STR_EQ (total_of ("12."), "NULL");
  CHECK_STR_EQ (total_of (".5"), "NULL");
  CHECK_STR_EQ (total_of ("1e5"), "NULL");
  CHECK_STR_EQ (total_of ("+5"), "NULL");
  CHECK_STR_EQ (total_of (""), "NULL");
  CHECK_INT_EQ (sr_of_total_cents ("12.345"), 1235);        /* half away */
  CHECK_INT_EQ (sr_of_total_cents ("12.3449"), 1234);
  CHECK_INT_EQ (sr_of_total_cents ("-0.125"), -13);
  CHECK_INT_EQ (sr_of_total_cents ("-5"), -500);
  CHECK_INT_EQ (sr_of_total_cents ("0.005"), 1);
  CHECK_INT_EQ (sr_of_total_cents ("999999999999999.99"), 99999999999999999);
  CHECK_STR_EQ (sr_of_price_tier (NULL), "unknown");
  CHECK_STR_EQ (sr_of_price_tier ("24.999"), "$0-24");
  CHECK_STR_EQ (sr_of_price_tier ("25"), "$25-49");
  CHECK_STR_EQ (sr_of_price_tier ("49.995"), "$25-49");
  CHECK_STR_EQ (sr_of_price_tier ("99.999"), "$50-99");
  CHECK_STR_EQ (sr_of_price_tier ("100"), "$100+");
  CHECK_STR_EQ (sr_of_price_tier ("000000000000000100"), "$100+");
  CHECK_STR_EQ (sr_of_price_tier ("-250"), "$0-24");
}

SR_TEST (test_ids_flags_states)
{
  int64_t id = 0;
  char st[3];

  CHECK (sr_of_order_id (" 1002 ", 6, &id));
  CHECK_INT_EQ (id, 1002);
  CHECK (sr_of_order_id ("-5", 2, &id));
  CHECK_INT_EQ (id, -5);
  CHECK (sr_of_order_id ("999999999999999999", 18, &id));
  CHECK (!sr_of_order_id ("1234567890123456789", 19, &id));
  CHECK (!sr_of_order_id ("x", 1, &id));
  CHECK (!sr_of_order_id ("", 0, &id));
  CHECK (sr_of_flag (" y ", 3));
  CHECK (sr_of_flag ("True", 4));
  CHECK (sr_of_flag ("1", 1));
  CHECK (!sr_of_flag ("ja", 2));
  CHECK (!sr_of_flag ("no", 2));
  CHECK (!sr_of_flag ("", 0));
  CHECK (sr_of_state (" tx ", 4, st));
  CHECK_STR_EQ (st, "TX");
  CHECK (!sr_of_state ("TEX", 3, st));
  CHECK (!sr_of_state ("\xc3\xa9t", 3, st));
  CHECK (!sr_of_state ("t1", 2, st));
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_order_day), SR_TEST_ENTRY (test_totals),
              SR_TEST_ENTRY (test_ids_flags_states))
