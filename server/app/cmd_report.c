/*
 * cmd_report.c -- `signalroom report NAME [--brand B] [--date D | --from F
 * --to T] [--top N] [--sort S --order asc|desc] [--limit N] [--metric M]
 * [--format json|csv|table]`: the same report the API serves, on stdout.
 */
#include "cli.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "mem.h"
#include "migrate.h"
#include "report_args.h"
#include "report_render.h"
#include "store_reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_OPTS 12
#define MAX_OUT (256u * 1024 * 1024)

static const char usage[] =
  "usage: signalroom report NAME [--brand B] [--date D | --from F --to T]\n"
  "         [--top N] [--sort S] [--order asc|desc] [--limit N]\n"
  "         [--metric M] [--format json|csv|table]\n"
  "       signalroom report --list\n\n"
  "Print a report (the data GET /v1/reports/NAME answers).  Days are\n"
  "YYYY-MM-DD, today or yesterday (the default) in SIGNALROOM_TIMEZONE.\n";

struct opts {
  const char *name[MAX_OPTS];
  const char *value[MAX_OPTS];
  size_t n;
};

static const char *
opt_lookup (void *cls, const char *name)
{
  struct opts *o = cls;

  for (size_t i = 0; i < o->n; i++)
    if (0 == strcmp (o->name[i], name))
      return o->value[i];
  return NULL;
}

static bool
parse_opts (int argc, char **argv, struct opts *o)
{
  o->n = 0;
  for (int i = 2; i < argc; i += 2) {
    bool known = false;

    if (0 != strncmp (argv[i], "--", 2) || i + 1 >= argc || o->n == MAX_OPTS)
      return false;
    for (size_t k = 0; NULL != sr_report_param_names[k]; k++)
      known |= 0 == strcmp (argv[i] + 2, sr_report_param_names[k]);
    if (!known)
      return false;
    o->name[o->n] = argv[i] + 2;
    o->value[o->n++] = argv[i + 1];
  }
  return true;
}

static void
list_reports (void)
{
  for (size_t i = 0; i < sr_reports_count; i++)
    printf ("%-28s %s\n", sr_reports[i].name, sr_reports[i].description);
}

/* Columns padded to their widest value (numbers right-aligned). */
static void
print_table (const struct sr_report *rep, const PGresult *r)
{
  size_t *w = sr_xcalloc (rep->n_columns, sizeof (*w));

  for (size_t c = 0; c < rep->n_columns; c++) {
    w[c] = strlen (rep->columns[c].name);
    for (int i = 0; i < PQntuples (r); i++)
      if ((size_t) PQgetlength (r, i, (int) c) > w[c])
        w[c] = (size_t) PQgetlength (r, i, (int) c);
  }
  for (int i = -1; i < PQntuples (r); i++) {
    for (size_t c = 0; c < rep->n_columns; c++) {
      enum sr_report_type t = rep->columns[c].type;
      bool right = SR_COL_STRING != t && SR_COL_DATE != t;
      const char *v = i < 0 ? rep->columns[c].name
                      : PQgetvalue (r, i, (int) c);

      printf ("%s%*s", c ? "  " : "", right ? (int) w[c] : -(int) w[c], v);
    }
    putchar ('\n');
  }
  free (w);
}

static enum sr_status
run (const struct sr_config *cfg, const struct sr_report *rep,
     struct sr_report_args *a, const char *format, char *err, size_t errlen)
{
  struct sr_report_result res = { 0 };
  struct sr_report_context ctx = { 0 };
  struct sr_buf out;
  PGconn *conn = NULL;
  unsigned int applied;
  char now[SR_UTC_LEN];
  enum sr_status st;

  sr_db_init (cfg);
  st = sr_db_connect (&conn, err, errlen);
  if (SR_OK == st && cfg->auto_migrate)
    st = sr_migrate_apply (conn, &applied, err, errlen);
  if (SR_OK == st)
    st = sr_store_report_fetch (conn, rep, a, &ctx, &res, err, errlen);
  if (SR_OK == st && (rep->params & SR_REPORT_BRAND) && !ctx.brand_found) {
    snprintf (err, errlen, "unknown brand %s", a->brand.code);
    st = SR_E_BAD_PARAM;
  }
  if (NULL != conn)
    PQfinish (conn);
  if (SR_OK != st) {
    sr_report_result_clean (&res);
    sr_report_context_clean (&ctx);
    return st;
  }
  (void) sr_utc_format (sr_wall_now (), now);
  sr_buf_init (&out, MAX_OUT);
  if (0 == strcmp (format, "table"))
    print_table (rep, res.rows);
  else if (0 == strcmp (format, "csv"))
    st = sr_report_render_csv (rep, &res, &out);
  else
    st = sr_report_render_json (rep, a, &res, &ctx, now, &out);
  if (SR_OK == st)
    fwrite (sr_buf_str (&out), 1, out.len, stdout);
  else
    snprintf (err, errlen, "report too large to print");
  sr_buf_clean (&out);
  sr_report_result_clean (&res);
  sr_report_context_clean (&ctx);
  return st;
}

int
sr_cmd_report (int argc, char **argv)
{
  struct sr_config cfg;
  struct opts o;
  const struct sr_report *rep;
  struct sr_report_args a = { 0 };
  const char *format, *bad = NULL;
  char detail[256], err[600];
  enum sr_status st;

  if (argc >= 2 && (0 == strcmp (argv[1], "--help")
                    || 0 == strcmp (argv[1], "-h"))) {
    fputs (usage, stdout);
    return SR_EXIT_OK;
  }
  if (2 == argc && 0 == strcmp (argv[1], "--list")) {
    list_reports ();
    return SR_EXIT_OK;
  }
  if (argc < 2 || !parse_opts (argc, argv, &o)) {
    fputs (usage, stderr);
    return SR_EXIT_USAGE;
  }
  if (NULL == (rep = sr_report_find (argv[1]))) {
    fprintf (stderr, "signalroom report: no report %s; these exist:\n",
             argv[1]);
    list_reports ();
    return SR_EXIT_USAGE;
  }
  format = NULL != opt_lookup (&o, "format") ? opt_lookup (&o, "format")
           : "json";
  if (0 != strcmp (format, "json") && 0 != strcmp (format, "csv")
      && 0 != strcmp (format, "table")) {
    fputs ("signalroom report: --format must be json, csv or table\n",
           stderr);
    return SR_EXIT_USAGE;
  }
  if (!sr_cli_load_config (&cfg))
    return SR_EXIT_FAIL;
  a.client = cfg.client_id;
  a.timezone = cfg.timezone;
  st = sr_report_args_read (rep, opt_lookup, &o, sr_date_today (), &a, &bad,
                            detail, sizeof (detail));
  if (SR_OK != st)
    fprintf (stderr, "signalroom report: --%s: %s\n", bad, detail);
  else if (SR_OK != (st = run (&cfg, rep, &a, format, err, sizeof (err))))
    sr_log (SR_LOG_ERROR, "report failed", "{s:s, s:s}", "report",
            rep->name, "error", err);
  sr_config_clean (&cfg);
  if (SR_E_INVALID == st)
    return SR_EXIT_USAGE;
  return SR_OK == st ? SR_EXIT_OK : SR_EXIT_FAIL;
}

/* end of cmd_report.c */
