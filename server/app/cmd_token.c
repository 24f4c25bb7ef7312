/*
 * cmd_token.c -- `signalroom token`: mint an HS256 token with the
 * configured secret, for scripts and curl (backfills need service_role).
 */
#include "cli.h"
#include "clock.h"
#include "config.h"
#include "log.h"

#include <errno.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] =
  "usage: signalroom token [--role ROLE] [--ttl SECONDS] [--sub SUBJECT]\n\n"
  "Print a JWT signed with SIGNALROOM_JWT_SECRET (HS256): role ROLE\n"
  "(default service_role), aud SIGNALROOM_JWT_AUDIENCE, exp now + SECONDS\n"
  "(default 3600, at most 31536000).  Only for HS256 set-ups: with a public\n"
  "key, tokens come from whoever holds the private key (Supabase Auth).\n";

static bool
parse_ttl (const char *s, long *out)
{
  char *end;
  long v;

  errno = 0;
  v = strtol (s, &end, 10);
  if (0 != errno || '\0' != *end || end == s || v < 1 || v > 31536000)
    return false;
  *out = v;
  return true;
}

int
sr_cmd_token (int argc, char **argv)
{
  struct sr_config cfg;
  const char *role = "service_role";
  const char *sub = "signalroom-cli";
  long ttl = 3600;
  jwt_t *jwt = NULL;
  char *token;
  time_t now = sr_wall_now ();
  int rc = SR_EXIT_FAIL;

  for (int i = 1; i < argc; i++) {
    if (0 == strcmp (argv[i], "--help") || 0 == strcmp (argv[i], "-h")) {
      fputs (usage, stdout);
      return SR_EXIT_OK;
    }
    if (i + 1 < argc && 0 == strcmp (argv[i], "--role"))
      role = argv[++i];
    else if (i + 1 < argc && 0 == strcmp (argv[i], "--sub"))
      sub = argv[++i];
    else if (i + 1 < argc && 0 == strcmp (argv[i], "--ttl")) {
      if (!parse_ttl (argv[++i], &ttl)) {
        fprintf (stderr, "signalroom token: --ttl must be 1..31536000\n");
        return SR_EXIT_USAGE;
      }
    } else {
      fprintf (stderr, "signalroom token: unknown argument '%s'\n%s",
               argv[i], usage);
      return SR_EXIT_USAGE;
    }
  }
  if (!sr_cli_load_config (&cfg))
    return SR_EXIT_FAIL;
  if (NULL == cfg.jwt_secret) {
    sr_log (SR_LOG_ERROR, "cannot mint a token", "{s:s}", "error",
            "SIGNALROOM_JWT_SECRET is not set");
    goto done;
  }
  if (0 != jwt_new (&jwt)
      || 0 != jwt_add_grant (jwt, "role", role)
      || 0 != jwt_add_grant (jwt, "aud", cfg.jwt_audience)
      || 0 != jwt_add_grant (jwt, "sub", sub)
      || 0 != jwt_add_grant_int (jwt, "iat", (long) now)
      || 0 != jwt_add_grant_int (jwt, "exp", (long) now + ttl)
      || 0 != jwt_set_alg (jwt, JWT_ALG_HS256,
                           (const unsigned char *) cfg.jwt_secret,
                           (int) strlen (cfg.jwt_secret))) {
    sr_log (SR_LOG_ERROR, "cannot mint a token", "{s:s}", "error",
            "libjwt refused the claims");
    goto done;
  }
  token = jwt_encode_str (jwt);
  if (NULL == token) {
    sr_log (SR_LOG_ERROR, "cannot mint a token", "{s:s}", "error",
            "libjwt could not encode");
    goto done;
  }
  printf ("%s\n", token);
  free (token);
  rc = SR_EXIT_OK;

done:
  jwt_free (jwt);
  sr_config_clean (&cfg);
  return rc;
}

/* end of cmd_token.c */
