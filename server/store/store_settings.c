/*
 * store_settings.c -- see store_settings.h.
 */
#include "store_settings.h"
#include "db.h"
#include "sql_embedded.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum sr_status
sr_store_internal_affiliates (PGconn *conn, const struct sr_config *cfg,
                              char *err, size_t errlen)
{
  json_t *labels = json_array ();
  const char *params[2];
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
  params[0] = cfg->client_id;
  params[1] = text;
  st = sr_db_run (conn, "internal_affiliates_set",
                  sr_sql_internal_affiliates_set, 2, params, err, errlen);
  free (text);
  return st;
}

/* end of store_settings.c */
