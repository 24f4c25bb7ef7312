/*
 * cron.h -- 5-field cron schedules evaluated in the reporting time zone.
 *
 * A schedule is "minute hour day-of-month month day-of-week":
 *    minute 0-59, hour 0-23, day of month 1-31, month 1-12,
 *    day of week 0-7 (0 and 7 are both Sunday).
 * Each field is a comma-separated list of items, an item being one of
 *    *      every value of the field
 *    a      one value
 *    a-b    a range (a <= b)
 * and a step "/n" may follow "*" (every n-th value from the lowest) or a
 * range (every n-th value from a to b).
 * Everything else is refused with a message naming the field: names (MON,
 * JAN), macros (@daily), a sixth field, a/n without a range, ?, L, W, #,
 * out-of-range values, reversed ranges, empty list items, step 0 or a step
 * wider than the field.
 *
 * Day rule (classic cron): when day of month AND day of week are both
 * restricted, a day matches if EITHER matches ("0 0 13 * 5" fires on every
 * 13th and on every Friday); otherwise both must.  A field counts as
 * unrestricted only when it is exactly "*": "*" followed by a step is a
 * restriction here (Vixie cron treats "*" with a step as unrestricted).
 *
 * Time.  Schedules are wall-clock times in the process time zone (main()
 * sets it to SIGNALROOM_TIMEZONE).  Daylight saving time never makes a
 * matching wall time fire twice or not at all:
 *  - A matching wall time that does not exist (spring forward, 02:30 on
 *    2025-03-09 in New York) fires once, at the first instant after the
 *    gap: the moment the clock jumps (03:00 EDT).  It is not skipped: a
 *    daily job at 02:30 still runs that day.  Several matching minutes in
 *    the same gap ("0-59/10 2 * * *") collapse into that single firing, and a
 *    match at the end of the gap itself (03:00) is that same firing.
 *  - A matching wall time that occurs twice (fall back, 01:30 on
 *    2025-11-02 in New York) fires once, at its first occurrence (EDT).
 *    An hourly job fires at 01:00 EDT and next at 02:00 EST.
 * Put generally: a wall time w fires at the first instant at which the
 * clock shows w or later.
 *
 * All functions are thread-safe: no state besides the caller's arguments
 * (localtime_r() only).  Time zone changes must not race with them, as
 * with every localtime_r() user.
 */
#ifndef SR_CRON_H
#define SR_CRON_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "status.h"

/** A parsed schedule (immutable, so one may be shared between threads). */
struct sr_cron;

/**
 * Parse @a expr (fields separated by spaces or tabs; leading and trailing
 * blanks are ignored).
 *
 * @return SR_OK and *out (free with sr_cron_free()), or SR_E_INVALID,
 *         *out NULL and a one-line reason naming the field in @a err (if
 *         @a err is not NULL and @a errlen not 0).
 */
enum sr_status sr_cron_parse (const char *expr, struct sr_cron **out,
                              char *err, size_t errlen);

/** Free @a c (NULL is fine). */
void sr_cron_free (struct sr_cron *c);

/**
 * The first firing strictly after @a after, following the rules above.
 * Searches at most 5 years of calendar days ahead.
 *
 * @return true and *next, or false if there is none in that horizon
 *         ("0 0 31 4 *" never fires; "0 0 29 2 *" may be over 5 years
 *         away around 2100) or @a after is outside years 1-9990.
 */
bool sr_cron_next (const struct sr_cron *c, time_t after, time_t *next);

/**
 * Every firing in (@a after, @a until], in order, at most @a max of them
 * (the earliest ones): what a scheduler catches up on after downtime.
 *
 * @return how many were stored in @a out.
 */
size_t sr_cron_between (const struct sr_cron *c, time_t after, time_t until,
                        time_t *out, size_t max);

/**
 * The next firing of @a expr after now as "YYYY-MM-DDTHH:MM:SSZ".
 * @return false when @a expr is invalid or never fires
 */
bool sr_cron_next_iso (const char *expr, char out[32]);

#endif /* SR_CRON_H */
