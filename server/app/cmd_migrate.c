/*
 * cmd_migrate.c -- `signalroom migrate`: apply pending migrations, print
 * one JSON line with the outcome, exit.
 */
#include "cli.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "migrate.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

static const char usage[] =
  "usage: signalroom migrate\n\n"
  "Apply every pending migration (sql/migrations, embedded in the binary)\n"
  "to the database named by DATABASE_URL or SUPABASE_DB_*, under an\n"
  "advisory lock, and print {\"applied\": N, \"schema_version\": V}.\n";

int
sr_cmd_migrate (int argc, char **argv)
{
  struct sr_config cfg;
  struct sr_migrate_state ms;
  char err[512];
  PGconn *conn;
  unsigned int applied;
  bool done;
  int rc = sr_cli_no_options (argc, argv, usage, &done);
  enum sr_status st;

  if (done)
    return rc;
  if (!sr_cli_load_config (&cfg))
    return SR_EXIT_FAIL;
  sr_db_init (&cfg);
  st = sr_db_connect (&conn, err, sizeof (err));
  if (SR_OK == st) {
    st = sr_migrate_apply (conn, &applied, err, sizeof (err));
    if (SR_OK == st)
      st = sr_migrate_state (conn, &ms, err, sizeof (err));
    PQfinish (conn);
  }
  if (SR_OK != st) {
    sr_log (SR_LOG_ERROR, "migration failed", "{s:s}", "error", err);
    sr_config_clean (&cfg);
    return SR_EXIT_FAIL;
  }
  printf ("{\"applied\":%u,\"schema_version\":%u}\n", applied,
          ms.applied_max);
  sr_config_clean (&cfg);
  return SR_EXIT_OK;
}

/* end of cmd_migrate.c */
