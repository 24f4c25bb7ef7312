/*
 * test_db_params.c -- what libpq will actually use for a connection built
 * from our configuration: TCP keepalives on by default, a DATABASE_URL's
 * own keepalive settings winning over ours, and the time limits of each
 * connection role.  libpq parses the parameters exactly as it would to
 * connect (PQconnectStartParams, then PQconninfo); the host is a socket
 * directory that does not exist, so nothing is reached.
 */
#include "config.h"
#include "db.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

/* The value libpq settled on for @a keyword (static buffer). */
static const char *
effective (const struct sr_config *cfg, const char *keyword)
{
  static char value[128];
  PGconn *c = PQconnectStartParams (cfg->db_keywords, cfg->db_values, 1);
  PQconninfoOption *opts = NULL != c ? PQconninfo (c) : NULL;

  snprintf (value, sizeof (value), "(unset)");
  for (PQconninfoOption *o = opts; NULL != o && NULL != o->keyword; o++)
    if (0 == strcmp (o->keyword, keyword) && NULL != o->val)
      snprintf (value, sizeof (value), "%s", o->val);
  PQconninfoFree (opts);
  PQfinish (c);
  return value;
}

static bool
load (struct sr_config *cfg, const char *const *kv)
{
  char err[512];

  if (SR_OK != sr_config_load (cfg, sr_test_env_get, (void *) kv, err,
                               sizeof (err))) {
    fprintf (stderr, "config: %s\n", err);
    return false;
  }
  return true;
}

SR_TEST (test_keepalives_by_default)
{
  const char *const kv[] = {
    "DATABASE_URL", "postgresql://app@/app?host=/nonexistent-sr-dir", NULL };
  struct sr_config cfg;

  REQUIRE (load (&cfg, kv));
  CHECK_STR_EQ (effective (&cfg, "keepalives"), "1");
  CHECK_STR_EQ (effective (&cfg, "keepalives_idle"), "30");
  CHECK_STR_EQ (effective (&cfg, "keepalives_interval"), "10");
  CHECK_STR_EQ (effective (&cfg, "keepalives_count"), "3");
  CHECK_STR_EQ (effective (&cfg, "tcp_user_timeout"), "60000");
  /* Still the user's database, user and host. */
  CHECK_STR_EQ (effective (&cfg, "dbname"), "app");
  CHECK_STR_EQ (effective (&cfg, "user"), "app");
  CHECK_STR_EQ (effective (&cfg, "host"), "/nonexistent-sr-dir");
  sr_config_clean (&cfg);
}

SR_TEST (test_database_url_keepalives_win)
{
  const char *const uri[] = {
    "DATABASE_URL", "postgresql://app@/app?host=/nonexistent-sr-dir"
    "&keepalives_idle=7&keepalives=0&tcp_user_timeout=1234", NULL };
  const char *const kw[] = {
    "DATABASE_URL", "host=/nonexistent-sr-dir dbname=app keepalives_count=9",
    NULL };
  struct sr_config cfg;

  REQUIRE (load (&cfg, uri));
  CHECK_STR_EQ (effective (&cfg, "keepalives_idle"), "7");
  CHECK_STR_EQ (effective (&cfg, "keepalives"), "0");
  CHECK_STR_EQ (effective (&cfg, "tcp_user_timeout"), "1234");
  CHECK_STR_EQ (effective (&cfg, "keepalives_interval"), "10");
  sr_config_clean (&cfg);
  REQUIRE (load (&cfg, kw));
  CHECK_STR_EQ (effective (&cfg, "keepalives_count"), "9");
  CHECK_STR_EQ (effective (&cfg, "keepalives_idle"), "30");
  sr_config_clean (&cfg);
}

SR_TEST (test_supabase_variables_get_keepalives)
{
  const char *const kv[] = { "SUPABASE_DB_HOST", "/nonexistent-sr-dir",
                             "SUPABASE_DB_PASSWORD", "pw", NULL };
  struct sr_config cfg;

  REQUIRE (load (&cfg, kv));
  CHECK_STR_EQ (effective (&cfg, "keepalives_idle"), "30");
  CHECK_STR_EQ (effective (&cfg, "port"), "5432");
  sr_config_clean (&cfg);
}

SR_TEST (test_role_limits)
{
  const char *const kv[] = {
    "DATABASE_URL", "host=/nonexistent-sr-dir",
    "SIGNALROOM_DB_STATEMENT_TIMEOUT_MS", "1234",
    "SIGNALROOM_LEASE_SECONDS", "30", NULL };
  struct sr_config cfg;
  struct sr_db_limits l;

  REQUIRE (load (&cfg, kv));
  sr_db_init (&cfg);
  l = sr_db_role_limits (SR_DB_ROLE_API);
  CHECK_INT_EQ (l.statement_ms, 1234);
  CHECK_INT_EQ (l.lock_ms, 1234);
  CHECK (l.idle_in_transaction_ms > 0);
  /* Loads and migrations are never cut by a time limit of ours. */
  l = sr_db_role_limits (SR_DB_ROLE_JOB);
  CHECK_INT_EQ (l.statement_ms + l.lock_ms + l.idle_in_transaction_ms, 0);
  l = sr_db_role_limits (SR_DB_ROLE_MIGRATE);
  CHECK_INT_EQ (l.statement_ms + l.lock_ms + l.idle_in_transaction_ms, 0);
  /* A heartbeat that cannot finish within a third of a lease is moot. */
  l = sr_db_role_limits (SR_DB_ROLE_KEEPER);
  CHECK_INT_EQ (l.statement_ms, 10000);
  sr_config_clean (&cfg);
}

SR_TEST (test_statement_timeout_bounds)
{
  const char *const low[] = { "DATABASE_URL", "host=/x",
                              "SIGNALROOM_DB_STATEMENT_TIMEOUT_MS", "5",
                              NULL };
  struct sr_config cfg;
  char err[512];

  CHECK_INT_EQ (sr_config_load (&cfg, sr_test_env_get, (void *) low, err,
                                sizeof (err)), SR_E_CONFIG);
  CHECK_CONTAINS (err, "SIGNALROOM_DB_STATEMENT_TIMEOUT_MS");
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_keepalives_by_default),
              SR_TEST_ENTRY (test_database_url_keepalives_win),
              SR_TEST_ENTRY (test_supabase_variables_get_keepalives),
              SR_TEST_ENTRY (test_role_limits),
              SR_TEST_ENTRY (test_statement_timeout_bounds))
