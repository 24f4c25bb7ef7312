/*
 * cmd_sync.c -- `signalroom sync SOURCE [--from D --to D]`: one sync, in
 * this process, with its result as one JSON line on stdout.
 */
#include "catalog.h"
#include "cli.h"
#include "config.h"
#include "dates.h"
#include "db.h"
#include "log.h"
#include "migrate.h"
#include "source.h"
#include "store_settings.h"
#include "upstream.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
  "usage: signalroom sync SOURCE [--from YYYY-MM-DD --to YYYY-MM-DD] "
  "[--force]\n\n"
  "Bring SOURCE's rows for the window up to date and print the result as\n"
  "one JSON line.  SOURCE: everflow, redtrack, s3_exports.\n"
  "everflow, redtrack: the window's rows are replaced with what upstream\n"
  "reports now; without dates, the last SIGNALROOM_RESYNC_DAYS days up to\n"
  "today in SIGNALROOM_TIMEZONE.\n"
  "s3_exports: new and re-exported objects are loaded; with dates, only\n"
  "objects whose file-name date is in the window; --force reloads them\n"
  "even when unchanged.\n"
  "Exit status 0 on success, 1 on failure.\n";

/* Make the database ready for a sync: migrations and settings. */
static enum sr_status
prepare_db (PGconn *conn, const struct sr_config *cfg, char *err,
            size_t errlen)
{
  struct sr_migrate_state ms;
  unsigned int applied;
  enum sr_status st;

  if (cfg->auto_migrate)
    st = sr_migrate_apply (conn, &applied, err, errlen);
  else {
    st = sr_migrate_state (conn, &ms, err, errlen);
    if (SR_OK == st && ms.pending > 0) {
      snprintf (err, errlen, "%u migration(s) pending: run signalroom "
                "migrate", ms.pending);
      st = SR_E_SCHEMA_OUTDATED;
    }
  }
  if (SR_OK == st)
    st = sr_store_internal_affiliates (conn, cfg, err, errlen);
  return st;
}

int
sr_cmd_sync (int argc, char **argv)
{
  struct sr_config cfg;
  struct sr_sync_result res;
  struct sr_sync_ctx ctx = { 0 };
  const struct sr_source *src;
  const char *from = NULL, *to = NULL;
  char from_buf[SR_DATE_LEN], to_buf[SR_DATE_LEN];
  int32_t f, t;
  char err[1024];
  enum sr_status st;
  json_t *out;
  char *line;

  if (argc < 2 || 0 == strcmp (argv[1], "--help")
      || 0 == strcmp (argv[1], "-h")) {
    fputs (usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? SR_EXIT_USAGE : SR_EXIT_OK;
  }
  src = sr_source_find (argv[1]);
  if (NULL == src) {
    fprintf (stderr, "signalroom sync: unknown source '%s'\n%s", argv[1],
             usage);
    return SR_EXIT_USAGE;
  }
  for (int i = 2; i < argc; i++) {
    if (i + 1 < argc && 0 == strcmp (argv[i], "--from"))
      from = argv[++i];
    else if (i + 1 < argc && 0 == strcmp (argv[i], "--to"))
      to = argv[++i];
    else if (0 == strcmp (argv[i], "--force"))
      ctx.force = true;
    else {
      fprintf (stderr, "signalroom sync: unknown argument '%s'\n%s", argv[i],
               usage);
      return SR_EXIT_USAGE;
    }
  }
  if ((NULL == from) != (NULL == to)) {
    fprintf (stderr, "signalroom sync: give both --from and --to, or neither\n");
    return SR_EXIT_USAGE;
  }
  if (NULL != from && (!sr_date_parse (from, &f) || !sr_date_parse (to, &t)
                       || f > t || t - f > 366)) {
    fprintf (stderr, "signalroom sync: --from and --to must be dates "
             "(YYYY-MM-DD), from <= to, at most 367 days\n");
    return SR_EXIT_USAGE;
  }
  if (!sr_cli_load_config (&cfg))
    return SR_EXIT_FAIL;
  ctx.explicit_window = NULL != from;
  if (NULL == from) {
    bool windowed = sr_catalog_default_window (sr_catalog_find (src->name),
                                               &cfg, sr_date_today (), 0,
                                               from_buf, to_buf);

    from = windowed ? from_buf : "";
    to = windowed ? to_buf : "";
  }
  if (CURLE_OK != curl_global_init (CURL_GLOBAL_DEFAULT)) {
    sr_log (SR_LOG_ERROR, "libcurl initialisation failed", NULL);
    sr_config_clean (&cfg);
    return SR_EXIT_FAIL;
  }
  sr_db_init (&cfg);
  ctx.cfg = &cfg;
  memset (&res, 0, sizeof (res));
  st = sr_db_connect (&ctx.conn, err, sizeof (err));
  if (SR_OK == st)
    st = prepare_db (ctx.conn, &cfg, err, sizeof (err));
  if (SR_OK == st) {
    ctx.http = sr_upstream_new (&cfg);
    st = sr_source_run (src, &ctx, from, to, &res);
  } else {
    snprintf (res.source, sizeof (res.source), "%s", src->name);
    snprintf (res.from, sizeof (res.from), "%s", from);
    snprintf (res.to, sizeof (res.to), "%s", to);
    snprintf (res.error, sizeof (res.error), "%s", err);
  }
  out = sr_sync_result_json (&res);
  line = json_dumps (out, JSON_COMPACT | JSON_PRESERVE_ORDER);
  printf ("%s\n", line ? line : "{\"status\":\"failed\"}");
  free (line);
  json_decref (out);
  sr_sync_result_clean (&res);
  sr_upstream_free (ctx.http);
  if (NULL != ctx.conn)
    PQfinish (ctx.conn);
  curl_global_cleanup ();
  sr_config_clean (&cfg);
  return SR_OK == st ? SR_EXIT_OK : SR_EXIT_FAIL;
}

/* end of cmd_sync.c */
