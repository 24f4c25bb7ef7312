/*
 * store_settings.c -- see store_settings.h.
 */
#include "store_settings.h"
#include "db.h"
#include "tx.h"
#include "sql_embedded.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct labels_set {
  const char *params[2];
};

/* The labels, and every day's costs again when they changed. */
static enum sr_status
labels_set (void *cls, PGconn *conn, char *err, size_t errlen)
{
  struct labels_set *l = cls;
  const char *all[3] = { l->params[0], NULL, NULL };
  unsigned int changed = 0;
  enum sr_status st = sr_db_uint (conn, "internal_affiliates_set",
                                  sr_sql_internal_affiliates_set, 2,
                                  l->params, &changed, err, errlen);

  if (SR_OK == st && changed > 0)
    st = sr_db_run (conn, "report_refresh_performance",
                    sr_sql_report_refresh_performance, 3, all, err, errlen);
  return st;
}

enum sr_status
sr_store_internal_affiliates (PGconn *conn, const struct sr_config *cfg,
                              char *err, size_t errlen)
{
  json_t *labels = json_array ();
  struct labels_set l;
  char *text;
  enum sr_status st;

  for (const char *p = cfg->internal_affiliates; *p;) {
    size_t n = strcspn (p, ",");

    json_array_append_new (labels, json_stringn (p, n));
    p += n;
    if (',' == *p)
      p++;
  }
  text = json_dumps (labels, JSON_COMPACT);
  json_decref (labels);
  l.params[0] = cfg->client_id;
  l.params[1] = text;
  st = sr_tx_run (conn, "internal_affiliates_set", SR_TX_ATTEMPTS, labels_set,
                  &l, err, errlen);
  free (text);
  return st;
}

/* end of store_settings.c */
