/*
 * test_db_prepared.c -- hot reads prepared once per connection
 * (sr_db_exec_prepared, server/db/stmt_cache.c), against a real server:
 * prepared once and then only run, under the role's time limits, inside
 * and outside transactions; forgotten after a reset; a table changing
 * shape under a prepared read; and the two signs of a transaction pooler
 * (a prepared statement missing, a name already taken), after which the
 * read still answers and nothing is prepared any more.
 */
#include "check.h"
#include "config.h"
#include "db.h"
#include "harness.h"
#include "stmt_cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char conninfo[1024];
static struct sr_config cfg;
static bool up;

/* Our statements this session has prepared, counted by the server. */
static int
prepared_here (PGconn *c)
{
  return atoi (sr_th_pg_value (c, "SELECT count(*) FROM pg_prepared_statements"
                               " WHERE name LIKE 'sr\\_%'"));
}

/* One prepared read of a single value, as text ("" on failure). */
static const char *
read_one (PGconn *c, const char *sql, const char *param)
{
  static char value[256];
  const char *params[1] = { param };
  char err[512];
  PGresult *r = NULL;

  value[0] = '\0';
  if (SR_OK != sr_db_exec_prepared (c, "test read", sql,
                                    NULL != param ? 1 : 0, params, &r, err,
                                    sizeof (err))) {
    fprintf (stderr, "read failed: %s\n", err);
    return value;
  }
  if (1 == PQntuples (r))
    snprintf (value, sizeof (value), "%s", PQgetvalue (r, 0, 0));
  PQclear (r);
  return value;
}

static PGconn *
api_conn (void)
{
  PGconn *c = NULL;
  char err[512];

  if (SR_OK != sr_db_connect_as (SR_DB_ROLE_API, &c, err, sizeof (err)))
    fprintf (stderr, "connect: %s\n", err);
  return c;
}

SR_TEST (test_start)
{
  char err[512];

  if (!sr_th_create_db ("sr_test_prepared", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  setenv ("DATABASE_URL", conninfo, 1);
  setenv ("SIGNALROOM_DB_STATEMENT_TIMEOUT_MS", "4321", 1);
  REQUIRE (SR_OK == sr_config_load (&cfg, NULL, NULL, err, sizeof (err)));
  CHECK (cfg.db_prepare);
  sr_db_init (&cfg);
  up = true;
}

SR_TEST (test_prepared_once_then_run)
{
  PGconn *c;

  REQUIRE (up && NULL != (c = api_conn ()));
  REQUIRE (sr_stmt_cache_enabled ());
  CHECK_STR_EQ (read_one (c, "SELECT $1::int + 1", "41"), "42");
  /* The read and the role's limits, each prepared once. */
  CHECK_INT_EQ (prepared_here (c), 2);
  CHECK_STR_EQ (read_one (c, "SELECT $1::int + 1", "1"), "2");
  CHECK_INT_EQ (prepared_here (c), 2);
  /* The limits still come with every prepared read. */
  CHECK_STR_EQ (read_one (c, "SELECT current_setting('statement_timeout')",
                          NULL), "4321ms");
  CHECK_INT_EQ (prepared_here (c), 3);
  /* Inside a transaction: no limits statement, the read still prepared. */
  PQclear (PQexec (c, "BEGIN"));
  CHECK_STR_EQ (read_one (c, "SELECT $1::text || 'x'", "a"), "ax");
  PQclear (PQexec (c, "COMMIT"));
  CHECK_INT_EQ (prepared_here (c), 4);
  /* A reset is a new backend: the list starts again, no false alarm. */
  PQreset (c);
  CHECK_INT_EQ (prepared_here (c), 0);
  CHECK_STR_EQ (read_one (c, "SELECT $1::int + 1", "9"), "10");
  CHECK_INT_EQ (prepared_here (c), 2);
  CHECK (sr_stmt_cache_enabled ());
  PQfinish (c);
}

SR_TEST (test_table_changes_shape)
{
  PGconn *c;

  REQUIRE (up && NULL != (c = api_conn ()));
  PQclear (PQexec (c, "CREATE TABLE shape (a int); "
                   "INSERT INTO shape VALUES (7)"));
  CHECK_STR_EQ (read_one (c, "SELECT * FROM shape", NULL), "7");
  PQclear (PQexec (c, "ALTER TABLE shape ADD COLUMN b int"));
  /* "cached plan must not change result type": read again, unprepared. */
  CHECK_STR_EQ (read_one (c, "SELECT * FROM shape", NULL), "7");
  CHECK (sr_stmt_cache_enabled ());
  CHECK_STR_EQ (read_one (c, "SELECT count(*) FROM shape", NULL), "1");
  PQclear (PQexec (c, "DROP TABLE shape"));
  PQfinish (c);
}

SR_TEST (test_statement_gone_means_pooler)
{
  PGconn *c;

  REQUIRE (up && NULL != (c = api_conn ()));
  sr_stmt_cache_enable (true);
  CHECK_STR_EQ (read_one (c, "SELECT $1::int * 2", "21"), "42");
  /* What a transaction pooler does: the next transaction runs on a
   * backend that never saw the statement. */
  PQclear (PQexec (c, "DEALLOCATE ALL"));
  CHECK_STR_EQ (read_one (c, "SELECT $1::int * 2", "4"), "8");
  CHECK (!sr_stmt_cache_enabled ());
  CHECK_STR_EQ (read_one (c, "SELECT $1::int * 3", "4"), "12");
  CHECK_INT_EQ (prepared_here (c), 0);
  PQfinish (c);
}

SR_TEST (test_name_taken_means_pooler)
{
  PGconn *c;

  REQUIRE (up && NULL != (c = api_conn ()));
  sr_stmt_cache_enable (true);
  CHECK_STR_EQ (read_one (c, "SELECT $1::int - 1", "43"), "42");
  /* A backend another client prepared the same statement on. */
  sr_stmt_cache_forget (c);
  CHECK_STR_EQ (read_one (c, "SELECT $1::int - 1", "11"), "10");
  CHECK (!sr_stmt_cache_enabled ());
  PQfinish (c);
}

SR_TEST (test_switched_off)
{
  PGconn *c;

  REQUIRE (up && NULL != (c = api_conn ()));
  sr_stmt_cache_enable (false);
  CHECK_STR_EQ (read_one (c, "SELECT $1::int + 100", "1"), "101");
  CHECK_INT_EQ (prepared_here (c), 0);
  PQfinish (c);
}

SR_TEST (test_names_follow_the_text)
{
  char a[SR_STMT_NAME_LEN], b[SR_STMT_NAME_LEN], a2[SR_STMT_NAME_LEN];

  sr_stmt_name ("SELECT 1", a);
  sr_stmt_name ("SELECT 2", b);
  sr_stmt_name ("SELECT 1", a2);
  CHECK_STR_EQ (a, a2);
  CHECK (0 != strcmp (a, b));
  CHECK_INT_EQ ((int) strlen (a), SR_STMT_NAME_LEN - 1);
}

static int
by_name (const void *a, const void *b)
{
  return strcmp (a, b);
}

/* Names are remembered by the text's address: the same text elsewhere
 * gets the same name, and more texts than the memory holds still each
 * get their own, asked in any order. */
SR_TEST (test_remembered_names_stay_right)
{
  static char same[] = "SELECT 1";
  static char texts[300][24];
  static char names[300][SR_STMT_NAME_LEN];
  char a[SR_STMT_NAME_LEN], again[SR_STMT_NAME_LEN];
  size_t distinct = 0;

  sr_stmt_name ("SELECT 1", a);
  sr_stmt_name (same, again);
  CHECK_STR_EQ (a, again);
  for (size_t i = 0; i < 300; i++) {
    snprintf (texts[i], sizeof (texts[i]), "SELECT %zu", i + 10);
    sr_stmt_name (texts[i], names[i]);
  }
  for (size_t i = 300; i-- > 0;) {
    sr_stmt_name (texts[i], again);
    CHECK_STR_EQ (again, names[i]);
  }
  qsort (names, 300, sizeof (names[0]), by_name);
  for (size_t i = 0; i < 300; i++)
    distinct += 0 == i || 0 != strcmp (names[i], names[i - 1]);
  CHECK_INT_EQ ((int) distinct, 300);
}

SR_TEST (test_stop)
{
  if (up)
    sr_config_clean (&cfg);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_start),
              SR_TEST_ENTRY (test_prepared_once_then_run),
              SR_TEST_ENTRY (test_table_changes_shape),
              SR_TEST_ENTRY (test_statement_gone_means_pooler),
              SR_TEST_ENTRY (test_name_taken_means_pooler),
              SR_TEST_ENTRY (test_switched_off),
              SR_TEST_ENTRY (test_names_follow_the_text),
              SR_TEST_ENTRY (test_remembered_names_stay_right),
              SR_TEST_ENTRY (test_stop))
