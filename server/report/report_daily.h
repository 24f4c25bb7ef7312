/*
 * report_daily.h -- one brand's daily summary of one day, as the "data"
 * of GET /v1/reports/daily-summary?brand=B&date=D (default parameters),
 * for the daily_report source to keep as a snapshot.
 *
 * The parameters go through sr_report_args_read and the bytes through
 * sr_report_render_data, the very functions of the API, so a snapshot
 * is what the API answered at that moment.  Threading: the caller's
 * connection, the caller's thread.
 */
#ifndef SR_REPORT_DAILY_H
#define SR_REPORT_DAILY_H

#include <stddef.h>

#include <libpq-fe.h>

#include "buf.h"
#include "status.h"

/** The report a daily snapshot keeps. */
#define SR_REPORT_DAILY_NAME "daily-summary"

/**
 * Render brand @a code's daily summary of @a date (YYYY-MM-DD) into
 * @a out (JSON, the API's "data" object).  @a client and @a timezone are
 * the configuration's.  An unknown brand is SR_E_INVALID.
 */
enum sr_status sr_report_daily_summary (PGconn *conn, const char *client,
                                        const char *timezone,
                                        const char *code, const char *date,
                                        struct sr_buf *out, char *err,
                                        size_t errlen);

#endif /* SR_REPORT_DAILY_H */
