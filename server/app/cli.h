/*
 * cli.h -- the subcommands of the signalroom binary.
 *
 * main.c dispatches argv[1] through a table of these; a new subcommand is
 * one more cmd_<name>.c and one more row.  Each returns the process exit
 * status: 0 success, 1 failure (reported as a log line), 2 usage error.
 */
#ifndef SR_CLI_H
#define SR_CLI_H

#include <stdbool.h>

#define SR_EXIT_OK 0
#define SR_EXIT_FAIL 1
#define SR_EXIT_USAGE 2

int sr_cmd_serve (int argc, char **argv);
int sr_cmd_migrate (int argc, char **argv);
int sr_cmd_version (int argc, char **argv);
int sr_cmd_token (int argc, char **argv);
int sr_cmd_sync (int argc, char **argv);
int sr_cmd_mapping (int argc, char **argv);
int sr_cmd_report (int argc, char **argv);

/**
 * Common argument handling for commands without options: prints @a usage
 * on --help/-h (*done = true, exit 0) and rejects anything else (exit 2).
 * @return the exit status to return when *done, else unused
 */
int sr_cli_no_options (int argc, char **argv, const char *usage,
                       bool *done);

/**
 * Load configuration and set the log level; on failure log one line
 * naming the variable.  @return true on success.
 */
struct sr_config;
bool sr_cli_load_config (struct sr_config *cfg);

#endif /* SR_CLI_H */
