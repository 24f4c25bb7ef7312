/*
 * everflow_parse.h -- reading an entity-table report without a DOM.
 *
 * A 10,000-row report is about 7 MB of JSON with some 40 metrics per row,
 * of which signalroom needs five.  Building a jansson tree of it costs
 * ~800,000 allocations (a quarter of a second); this parser walks the
 * document with YAJL's event interface instead, keeps only the fields it
 * needs, and gets numbers as the exact text Everflow wrote, so money never
 * passes through a double.
 *
 * Shape accepted: {"table": [ {"columns": [ {"column_type", "id",
 * "label"}... ], "reporting": { "total_click", "cv", "revenue", "payout",
 * "profit", ... } }... ], "incomplete_results": bool }.  Unknown members
 * are skipped whatever their type; a known member of the wrong type, a
 * missing one, or broken JSON is an error naming the row.
 */
#ifndef SR_EVERFLOW_PARSE_H
#define SR_EVERFLOW_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define SR_EF_MONEY_LEN 48

struct sr_ef_row {
  int64_t epoch;              /* the date column's id */
  int32_t day;                /* not set by the parser: the caller's */
  int64_t affiliate_id;
  int64_t advertiser_id;
  char *affiliate_label;      /* owned; "" when absent */
  char *advertiser_label;     /* owned; "" when absent */
  int64_t clicks;
  int64_t conversions;
  char revenue[SR_EF_MONEY_LEN];
  char payout[SR_EF_MONEY_LEN];
  char profit[SR_EF_MONEY_LEN];
};

struct sr_ef_report {
  struct sr_ef_row *rows;
  size_t n_rows;
  size_t cap;
  bool incomplete;            /* "incomplete_results": true */
};

/**
 * Parse @a len bytes of report JSON, appending rows to @a rep (which may
 * already hold rows of earlier pieces of the window).
 * @param[out] err  on failure: what and where ("row 17: ...")
 * @return SR_OK or SR_E_UPSTREAM
 */
enum sr_status sr_ef_parse (const char *json, size_t len,
                            struct sr_ef_report *rep, char *err,
                            size_t errlen);

/**
 * Parse a report of the advertiser column only: the advertiser ids, in
 * order, into a new array (caller frees).
 */
enum sr_status sr_ef_parse_advertisers (const char *json, size_t len,
                                        int64_t **ids, size_t *n,
                                        bool *incomplete, char *err,
                                        size_t errlen);

/** Move every row of @a src to the end of @a dst; @a src ends empty. */
void sr_ef_report_move (struct sr_ef_report *dst, struct sr_ef_report *src);

/** Free the rows' memory and empty the report. */
void sr_ef_report_clean (struct sr_ef_report *rep);

#endif /* SR_EVERFLOW_PARSE_H */
