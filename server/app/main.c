/*
 * main.c -- entry point: process-wide set-up, then subcommand dispatch.
 */
#include "cli.h"
#include "config.h"
#include "log.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

struct command {
  const char *name;
  int (*run) (int argc, char **argv);
  const char *summary;
};

static const struct command commands[] = {
  { "serve", sr_cmd_serve,
    "run the HTTP API (and, as later features land, workers and scheduler)" },
  { "migrate", sr_cmd_migrate, "apply pending database migrations and exit" },
  { "mapping", sr_cmd_mapping,
    "load the Redtrack-source -> Everflow-affiliate mapping file" },
  { "report", sr_cmd_report,
    "print a report (daily-summary, leaderboard, ...) as JSON, CSV or a table" },
  { "sync", sr_cmd_sync,
    "sync one source for a date window, in this process" },
  { "token", sr_cmd_token,
    "print a JWT signed with SIGNALROOM_JWT_SECRET (for curl and scripts)" },
  { "version", sr_cmd_version, "print version and library versions" },
};

#define N_COMMANDS (sizeof (commands) / sizeof (commands[0]))

static void
usage (FILE *out)
{
  fprintf (out, "usage: signalroom <command> [options]\n\ncommands:\n");
  for (size_t i = 0; i < N_COMMANDS; i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\n'signalroom <command> --help' describes a command.\n"
           "Configuration comes from environment variables; see README.md.\n");
}

int
sr_cli_no_options (int argc, char **argv, const char *text, bool *done)
{
  *done = false;
  if (argc <= 1)
    return SR_EXIT_OK;
  *done = true;
  if (0 == strcmp (argv[1], "--help") || 0 == strcmp (argv[1], "-h")) {
    fputs (text, stdout);
    return SR_EXIT_OK;
  }
  fprintf (stderr, "signalroom %s: unknown argument '%s'\n%s", argv[0],
           argv[1], text);
  return SR_EXIT_USAGE;
}

bool
sr_cli_load_config (struct sr_config *cfg)
{
  char err[512];

  if (SR_OK != sr_config_load (cfg, NULL, NULL, err, sizeof (err))) {
    sr_log (SR_LOG_ERROR, "invalid configuration", "{s:s}", "error", err);
    return false;
  }
  sr_log_set_level (cfg->log_level);
  /* Calendar dates (Everflow's epochs, "today" for default windows) are
   * computed in the reporting time zone with localtime_r().  Set it once
   * here, before any thread starts; log timestamps use UTC regardless. */
  if (0 != setenv ("TZ", cfg->timezone, 1)) {
    sr_log (SR_LOG_ERROR, "cannot set the time zone", "{s:s}", "timezone",
            cfg->timezone);
    sr_config_clean (cfg);
    return false;
  }
  tzset ();
  return true;
}

int
main (int argc, char **argv)
{
  sr_mem_install_json_allocator ();
  if (argc < 2) {
    usage (stderr);
    return SR_EXIT_USAGE;
  }
  if (0 == strcmp (argv[1], "--help") || 0 == strcmp (argv[1], "-h")
      || 0 == strcmp (argv[1], "help")) {
    usage (stdout);
    return SR_EXIT_OK;
  }
  if (0 == strcmp (argv[1], "--version"))
    return sr_cmd_version (1, argv + 1);
  for (size_t i = 0; i < N_COMMANDS; i++)
    if (0 == strcmp (argv[1], commands[i].name))
      return commands[i].run (argc - 1, argv + 1);
  fprintf (stderr, "signalroom: unknown command '%s'\n\n", argv[1]);
  usage (stderr);
  return SR_EXIT_USAGE;
}

/* end of main.c */
