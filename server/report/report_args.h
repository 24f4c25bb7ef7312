/*
 * report_args.h -- a report's parameters, read and checked the same way
 * for an HTTP query string and the command line.
 *
 * Dates: a missing date is yesterday in SIGNALROOM_TIMEZONE; "today" and
 * "yesterday" are accepted wherever a day is.  A missing range is the 30
 * days up to yesterday; ranges are at most 366 days.  A parameter the
 * report does not take is an error, not ignored.
 */
#ifndef SR_REPORT_ARGS_H
#define SR_REPORT_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"
#include "store_reports.h"

#define SR_REPORT_MAX_DAYS 366

/** The value of parameter @a name, or NULL when it was not given. */
typedef const char *(*sr_report_lookup) (void *cls, const char *name);

/** Every parameter name any report takes, NULL-terminated (format too). */
extern const char *const sr_report_param_names[];

/** Read "today", "yesterday" or a calendar day (YYYY-MM-DD) into
 * @a day; @a today is today in the reporting time zone. */
bool sr_report_read_day (const char *s, int32_t today, int32_t *day);

/** Whether @a rep takes the parameter @a name. */
bool sr_report_takes (const struct sr_report *rep, const char *name);

/**
 * Read @a rep's parameters into @a a (the brand's code only: the caller
 * resolves it).  @a today is today in the reporting time zone.
 * @param[out] bad  the offending parameter's name on SR_E_INVALID
 */
enum sr_status sr_report_args_read (const struct sr_report *rep,
                                    sr_report_lookup get, void *cls,
                                    int32_t today, struct sr_report_args *a,
                                    const char **bad, char *detail,
                                    size_t detail_len);

/**
 * Only the days of sr_report_args_read: "date" when @a rep takes a date,
 * "from"/"to" when it takes a range (into @a a->from, @a a->to), with the
 * same defaults and limits.  For other listings by day (snapshots).
 */
enum sr_status sr_report_args_read_days (const struct sr_report *rep,
                                         sr_report_lookup get, void *cls,
                                         int32_t today,
                                         struct sr_report_args *a,
                                         const char **bad, char *detail,
                                         size_t detail_len);

#endif /* SR_REPORT_ARGS_H */
