/*
 * report_render.h -- a report's result as JSON or CSV.
 *
 * JSON: {"data": ..., "meta": {"report", "params", "generated_at",
 * "data_version", "freshness"}}; data is an array of flat rows, except for
 * daily-summary, whose rows are assembled into one object.  Numbers are
 * written as the database printed them (no float rounding on the way).
 * CSV (RFC 4180): a header row and the same columns; text that a
 * spreadsheet would run as a formula (= + - @ at the start) is prefixed
 * with an apostrophe.
 */
#ifndef SR_REPORT_RENDER_H
#define SR_REPORT_RENDER_H

#include <stdint.h>

#include "buf.h"
#include "status.h"
#include "store_reports.h"

/** Render the JSON document into @a out. */
enum sr_status sr_report_render_json (const struct sr_report *rep,
                                      const struct sr_report_args *args,
                                      const struct sr_report_result *res,
                                      const struct sr_report_context *ctx,
                                      const char *generated_at,
                                      struct sr_buf *out);

/**
 * Render only the "data" member of the JSON document: what a snapshot
 * keeps (sr_report_render_json writes these very bytes as its "data").
 */
enum sr_status sr_report_render_data (const struct sr_report *rep,
                                      const struct sr_report_args *args,
                                      const struct sr_report_result *res,
                                      const struct sr_report_context *ctx,
                                      struct sr_buf *out);

/** Render the CSV table into @a out. */
enum sr_status sr_report_render_csv (const struct sr_report *rep,
                                     const struct sr_report_result *res,
                                     struct sr_buf *out);

/** The canonical parameters of a run, as one string (cache and ETag key). */
void sr_report_canonical (const struct sr_report *rep,
                          const struct sr_report_args *args, char *out,
                          size_t len);

#endif /* SR_REPORT_RENDER_H */
