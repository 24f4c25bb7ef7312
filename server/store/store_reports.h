/*
 * store_reports.h -- the report catalogue and the report SQL.
 *
 * One table (sr_reports) names every report: its parameters, the columns
 * it answers with, the family of tables whose data version it follows,
 * and its statement in sql/queries/report_<name>.sql.  The routes, the
 * catalogue endpoint, the command line and the tests all read it, so a
 * report exists everywhere or nowhere.
 *
 * Parameters are always bound ($n), in the order the report's `binds`
 * string names them; nothing from a request is pasted into SQL.
 * Threading: the catalogue is immutable; calls run on the caller's
 * connection.
 */
#ifndef SR_STORE_REPORTS_H
#define SR_STORE_REPORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "dates.h"
#include "status.h"

/** The query parameters a report takes (bits). */
enum sr_report_param {
  SR_REPORT_BRAND = 1u << 0,   /* brand: code or Everflow advertiser id */
  SR_REPORT_DATE = 1u << 1,    /* date: a day, "today" or "yesterday" */
  SR_REPORT_RANGE = 1u << 2,   /* from, to */
  SR_REPORT_TOP = 1u << 3,     /* top: 1..50 */
  SR_REPORT_SORT = 1u << 4,    /* sort, order */
  SR_REPORT_LIMIT = 1u << 5,   /* limit: 1..500 */
  SR_REPORT_METRIC = 1u << 6,  /* metric */
};

/** How a column's values are written (JSON type, rounding). */
enum sr_report_type {
  SR_COL_INTEGER,
  SR_COL_NUMBER,
  SR_COL_MONEY,       /* rounded to cents */
  SR_COL_PERCENT,     /* 0..100, one decimal */
  SR_COL_STRING,
  SR_COL_DATE,        /* YYYY-MM-DD */
  SR_COL_BOOLEAN,
};

struct sr_report_column {
  const char *name;
  enum sr_report_type type;
  const char *description;
};

struct sr_report {
  const char *name;               /* "daily-summary", "orders/gateways" */
  const char *description;
  unsigned int params;            /* enum sr_report_param bits */
  const char *area;               /* data version family */
  const char *binds;              /* "client brand from to ...": $1.. */
  const char *sql_name;
  const char *sql;
  const char *meta_sql;           /* NULL or one row added to meta */
  const char *meta_key;
  const char *meta_binds;         /* like binds, for meta_sql */
  const struct sr_report_column *columns;
  size_t n_columns;
  const char *const *metrics;     /* SR_REPORT_METRIC: the choices */
  const char *const *sorts;       /* SR_REPORT_SORT: the choices */
};

extern const struct sr_report sr_reports[];
extern const size_t sr_reports_count;

/** The report named @a name, or NULL. */
const struct sr_report *sr_report_find (const char *name);

/** The report's type name of a column type ("integer", "money", ...). */
const char *sr_report_type_name (enum sr_report_type t);

/** A brand row. */
struct sr_brand {
  char code[17];
  char name[65];
  int64_t advertiser_id;
};

/** Resolved arguments of one report run (what the SQL binds). */
struct sr_report_args {
  const char *client;
  struct sr_brand brand;
  char from[SR_DATE_LEN];
  char to[SR_DATE_LEN];
  int64_t top;
  int64_t limit;
  const char *sort;
  const char *order;
  const char *metric;
  const char *timezone;
};

/** What a request needs before the report's SQL (see _context). */
struct sr_report_context {
  bool brand_found;          /* false: unknown brand (not an error) */
  int64_t version;           /* the data version of the report's area */
  char *freshness;           /* JSON object per source (owned) */
};

/**
 * In one statement: resolve @a args->brand.code (when the report takes a
 * brand; the row replaces it), read the data version of the report's area
 * and the freshness of @a args->to.
 */
enum sr_status sr_store_report_context (PGconn *conn,
                                        const struct sr_report *report,
                                        struct sr_report_args *args,
                                        struct sr_report_context *out,
                                        char *err, size_t errlen);

void sr_report_context_clean (struct sr_report_context *c);

/** Read every data version into the process's copy (data_versions.h). */
enum sr_status sr_store_data_versions_read (PGconn *conn, char *err,
                                            size_t errlen);

/** What one run of a report answered (results owned; see _clean). */
struct sr_report_result {
  PGresult *rows;
  PGresult *meta;        /* NULL unless the report has meta_sql */
};

/**
 * Run @a report with @a args: its rows and its meta row.  The columns are
 * checked against the
 * catalogue: a mismatch is SR_E_INTERNAL, never a wrong reply.
 */
enum sr_status sr_store_report_run (PGconn *conn,
                                    const struct sr_report *report,
                                    const struct sr_report_args *args,
                                    struct sr_report_result *out, char *err,
                                    size_t errlen);

/**
 * sr_store_report_context() and sr_store_report_run() in one round trip
 * and one snapshot (the version, the freshness and the rows agree).  The
 * rows are read for the brand as given; a brand named by its advertiser
 * id costs a second round trip under its code.  An unknown brand is
 * SR_OK with @a ctx->brand_found false.  On failure nothing is kept.
 */
enum sr_status sr_store_report_fetch (PGconn *conn,
                                      const struct sr_report *report,
                                      struct sr_report_args *args,
                                      struct sr_report_context *ctx,
                                      struct sr_report_result *out,
                                      char *err, size_t errlen);

void sr_report_result_clean (struct sr_report_result *r);

#endif /* SR_STORE_REPORTS_H */
