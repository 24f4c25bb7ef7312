/*
 * cmd_mapping.c -- `signalroom mapping load FILE`: replace the client's
 * affiliate mapping with FILE (or stdin for "-"), atomically.
 */
#include "cli.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "store_mapping.h"
#include "mem.h"
#include "migrate.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FILE_MAX (1024 * 1024)

static const char usage[] =
  "usage: signalroom mapping load FILE\n\n"
  "Replace the affiliate mapping of SIGNALROOM_CLIENT_ID with FILE (\"-\"\n"
  "reads stdin): the Redtrack-source -> Everflow-affiliate CSV, header\n"
  "redtrack.source,redtrack.source_alias,redtrack.source_id,\n"
  "everflow.affiliate_id,everflow.affiliate_label,everflow.advertiser_id,\n"
  "everflow.advertiser_label.  A bad file changes nothing and names the\n"
  "line at fault.  Prints {\"rows\": N, \"previous_rows\": M}.\n";

static char *
read_all (const char *path, size_t *len, char *err, size_t errlen)
{
  FILE *f = 0 == strcmp (path, "-") ? stdin : fopen (path, "rb");
  char *buf;
  size_t n;

  if (NULL == f) {
    snprintf (err, errlen, "cannot open %s: %s", path, strerror (errno));
    return NULL;
  }
  buf = sr_xmalloc (FILE_MAX + 1);
  n = fread (buf, 1, FILE_MAX + 1, f);
  if (stdin != f)
    fclose (f);
  if (n > FILE_MAX) {
    free (buf);
    snprintf (err, errlen, "%s is over %d bytes", path, FILE_MAX);
    return NULL;
  }
  *len = n;
  return buf;
}

int
sr_cmd_mapping (int argc, char **argv)
{
  struct sr_config cfg;
  char err[600];
  char *data;
  size_t len = 0;
  json_t *rows = NULL;
  uint64_t line, previous = 0;
  unsigned int applied;
  PGconn *conn = NULL;
  enum sr_status st;

  if (argc >= 2 && (0 == strcmp (argv[1], "--help")
                    || 0 == strcmp (argv[1], "-h"))) {
    fputs (usage, stdout);
    return SR_EXIT_OK;
  }
  if (3 != argc || 0 != strcmp (argv[1], "load")) {
    fputs (usage, stderr);
    return SR_EXIT_USAGE;
  }
  if (!sr_cli_load_config (&cfg))
    return SR_EXIT_FAIL;
  data = read_all (argv[2], &len, err, sizeof (err));
  st = NULL == data ? SR_E_IO
       : sr_mapping_parse (data, len, &rows, &line, err, sizeof (err));
  free (data);
  if (SR_OK == st) {
    sr_db_init (&cfg);
    st = sr_db_connect (&conn, err, sizeof (err));
  }
  if (SR_OK == st && cfg.auto_migrate)
    st = sr_migrate_apply (conn, &applied, err, sizeof (err));
  if (SR_OK == st)
    st = sr_mapping_store (conn, cfg.client_id, rows, &previous, err,
                           sizeof (err));
  if (SR_OK == st)
    printf ("{\"rows\":%zu,\"previous_rows\":%" PRIu64 "}\n",
            json_array_size (rows), previous);
  else
    sr_log (SR_LOG_ERROR, "mapping not loaded", "{s:s, s:s}", "file",
            argv[2], "error", err);
  json_decref (rows);
  if (NULL != conn)
    PQfinish (conn);
  sr_config_clean (&cfg);
  return SR_OK == st ? SR_EXIT_OK : SR_EXIT_FAIL;
}

/* end of cmd_mapping.c */
