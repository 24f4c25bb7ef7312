/*
 * cmd_version.c -- `signalroom version`.
 */
#include "cli.h"
#include "version.h"

#include <curl/curl.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <microhttpd.h>
#include <stdio.h>

static const char usage[] =
  "usage: signalroom version\n\n"
  "Print signalroom's version and the versions of the libraries it runs "
  "with.\n";

int
sr_cmd_version (int argc, char **argv)
{
  bool done;
  int rc = sr_cli_no_options (argc, argv, usage, &done);
  int pq = PQlibVersion ();

  if (done)
    return rc;
  printf ("signalroom %s\n", SR_VERSION);
  printf ("  libmicrohttpd %s\n", MHD_get_version ());
  printf ("  %s\n", curl_version ());
  printf ("  libpq %d.%d\n", pq / 10000, pq % 10000);
  printf ("  jansson %s\n", jansson_version_str ());
  return SR_EXIT_OK;
}

/* end of cmd_version.c */
