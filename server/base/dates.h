/*
 * dates.h -- calendar days as integers.
 *
 * A day is the number of days since 1970-01-01 (proleptic Gregorian), so
 * windows are ranges of ints and arithmetic needs no time zone.  Only the
 * two functions that start from an instant (now, an epoch) use the
 * process time zone, which main() sets to SIGNALROOM_TIMEZONE.
 */
#ifndef SR_DATES_H
#define SR_DATES_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define SR_DATE_LEN 11   /* "YYYY-MM-DD" + NUL */

/** Parse exactly "YYYY-MM-DD" (a real calendar day, years 1900..9999). */
bool sr_date_parse (const char *s, int32_t *day);

/** Format @a day as "YYYY-MM-DD". */
void sr_date_format (int32_t day, char out[SR_DATE_LEN]);

/** Days since the epoch of the civil date y-m-d (no validation). */
int32_t sr_date_from_civil (int y, unsigned int m, unsigned int d);

/** The calendar day of instant @a t in the reporting time zone. */
int32_t sr_date_of_instant (time_t t);

/** Today in the reporting time zone. */
int32_t sr_date_today (void);

#endif /* SR_DATES_H */
