/*
 * store_anomalies.c -- see store_anomalies.h.
 */
#include "store_anomalies.h"
#include "db.h"
#include "sql_embedded.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
sr_anomaly_limits_of (const struct sr_config *cfg,
                      struct sr_anomaly_limits *out)
{
  snprintf (out->mad_threshold, sizeof (out->mad_threshold), "%s",
            cfg->anomaly_mad_threshold);
  snprintf (out->min_change, sizeof (out->min_change), "%lu",
            cfg->anomaly_min_change);
  snprintf (out->min_share, sizeof (out->min_share), "%s",
            cfg->anomaly_min_change_share);
  snprintf (out->unmapped_spend, sizeof (out->unmapped_spend), "%lu",
            cfg->anomaly_unmapped_spend);
  snprintf (out->quarantine_rate, sizeof (out->quarantine_rate), "%s",
            cfg->anomaly_quarantine_rate);
  snprintf (out->timezone, sizeof (out->timezone), "%s", cfg->timezone);
}

/* Run a statement that answers one number (NULL: 0). */
static enum sr_status
one_number (PGconn *conn, const char *name, const char *sql, int n,
            const char *const *params, int64_t *out, char *err,
            size_t errlen)
{
  PGresult *r;
  enum sr_status st = sr_db_exec (conn, name, sql, n, params, &r, err,
                                  errlen);

  *out = 0;
  if (SR_OK != st)
    return st;
  if (1 == PQntuples (r) && !PQgetisnull (r, 0, 0))
    *out = strtoll (PQgetvalue (r, 0, 0), NULL, 10);
  PQclear (r);
  return SR_OK;
}

/* A detector: the anomalies it added, to @a added when not NULL. */
static enum sr_status
detect (PGconn *conn, const char *name, const char *sql, int n,
        const char *const *params, int *added, char *err, size_t errlen)
{
  int64_t count;
  enum sr_status st = one_number (conn, name, sql, n, params, &count, err,
                                  errlen);

  if (NULL != added)
    *added = (int) count;
  return st;
}

enum sr_status
sr_store_anomalies_detect_window (PGconn *conn,
                                  const struct sr_anomaly_limits *lim,
                                  const char *source, const char *client,
                                  const char *from, const char *to,
                                  int *added, char *err, size_t errlen)
{
  const char *params[9] = { source, client, from, to, lim->timezone,
                            lim->mad_threshold, lim->min_change,
                            lim->min_share, lim->unmapped_spend };

  return detect (conn, "anomalies_detect_window",
                 sr_sql_anomalies_detect_window, 9, params, added, err,
                 errlen);
}

enum sr_status
sr_store_anomalies_detect_file (PGconn *conn,
                                const struct sr_anomaly_limits *lim,
                                const char *bucket, const char *key,
                                const char *client, int *added, char *err,
                                size_t errlen)
{
  const char *params[8] = { bucket, key, client, lim->timezone,
                            lim->quarantine_rate, lim->mad_threshold,
                            lim->min_change, lim->min_share };

  return detect (conn, "anomalies_detect_file", sr_sql_anomalies_detect_file,
                 8, params, added, err, errlen);
}

enum sr_status
sr_store_anomaly_missing (PGconn *conn, const char *missing, const char *day,
                          const char *schedule, const char *states,
                          long wait_minutes, int64_t *id, char *err,
                          size_t errlen)
{
  char minutes[24];
  const char *params[5] = { missing, day, schedule, states, minutes };

  snprintf (minutes, sizeof (minutes), "%ld", wait_minutes);
  return one_number (conn, "anomaly_missing_at_deadline",
                     sr_sql_anomaly_missing_at_deadline, 5, params, id, err,
                     errlen);
}

enum sr_status
sr_store_anomalies_list (PGconn *conn, const struct sr_anomaly_filter *f,
                         json_t **out, char *err, size_t errlen)
{
  char before[24], lim[16];
  const char *params[8] = { f->status, f->kind, f->source, f->brand,
                            f->from, f->to, NULL, lim };

  if (f->before_id > 0) {
    snprintf (before, sizeof (before), "%" PRId64, f->before_id);
    params[6] = before;
  }
  snprintf (lim, sizeof (lim), "%u", f->limit);
  return sr_db_json (conn, "anomalies_list", sr_sql_anomalies_list, 8,
                     params, out, err, errlen);
}

enum sr_status
sr_store_anomaly_ack (PGconn *conn, int64_t id, const char *who,
                      json_t **out, char *err, size_t errlen)
{
  char text[24];
  const char *params[2] = { text, who };
  PGresult *r;
  enum sr_status st;

  *out = NULL;
  snprintf (text, sizeof (text), "%" PRId64, id);
  st = sr_db_exec (conn, "anomaly_ack", sr_sql_anomaly_ack, 2, params, &r,
                   err, errlen);
  if (SR_OK != st)
    return st;
  if (1 == PQntuples (r) && !PQgetisnull (r, 0, 0)) {
    *out = json_loads (PQgetvalue (r, 0, 0), 0, NULL);
    if (NULL == *out) {
      snprintf (err, errlen, "anomaly_ack returned no JSON");
      st = SR_E_INTERNAL;
    }
  }
  PQclear (r);
  return st;
}

/* end of store_anomalies.c */
