/*
 * store_snapshots.h -- reports.snapshots: what a report said when a run
 * computed it, kept after upstream restates the day.
 *
 * A snapshot is unique per report, brand, day and run, so a retried job
 * of a run adds nothing the second time.  Threading: the caller's
 * connection, the caller's thread.
 */
#ifndef SR_STORE_SNAPSHOTS_H
#define SR_STORE_SNAPSHOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "status.h"

/** Every brand's code, in order: a new JSON array of strings. */
enum sr_status sr_store_brand_codes (PGconn *conn, json_t **out, char *err,
                                     size_t errlen);

/**
 * Keep @a data (a JSON text) as the snapshot of @a report for @a brand and
 * @a date by run @a run_id (0: not from a run).
 * @param[out] added  false when this run had kept it already
 */
enum sr_status sr_store_snapshot_add (PGconn *conn, const char *report,
                                      const char *brand, const char *date,
                                      int64_t run_id, const char *data,
                                      bool *added, char *err, size_t errlen);

/** What GET /v1/reports/snapshots asks for. */
struct sr_snapshot_query {
  const char *report;
  const char *brand;          /* code or advertiser id; NULL: every brand */
  char from[11], to[11];
  bool latest;
  long limit;
};

/**
 * The snapshots @a q selects, newest first, as the answer's JSON text
 * (@a *body is the caller's, free()).  @a brand_found false when
 * @a q->brand names no brand.
 */
enum sr_status sr_store_snapshots_list (PGconn *conn,
                                        const struct sr_snapshot_query *q,
                                        bool *brand_found, char **body,
                                        char *err, size_t errlen);

#endif /* SR_STORE_SNAPSHOTS_H */
