/*
 * test_migrate_concurrent.c -- databases of one PostgreSQL server migrated
 * at the same moment all succeed.
 *
 * The reports migration creates a role, and roles belong to the whole
 * server: two databases migrating at once both saw no role and both tried
 * to create it; one failed (found by CI, under ThreadSanitizer's slower
 * timing).  A fresh server has no role yet, so every run here races for
 * it.
 */
#include "check.h"
#include "harness.h"

#include <libpq-fe.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define N_DB 6
#define ROUNDS 8

extern char **environ;

static char conninfo[512];
static bool up;

static const char *
state_dir (void)
{
  static char path[1024];
  const char *base = getenv ("SR_TEST_STATE");

  snprintf (path, sizeof (path), "%s/migrate-concurrent",
            NULL != base ? base : "teststate");
  return path;
}

static bool
sql (PGconn *c, const char *text)
{
  PGresult *r = PQexec (c, text);
  bool ok = PGRES_COMMAND_OK == PQresultStatus (r)
            || PGRES_TUPLES_OK == PQresultStatus (r);

  if (!ok)
    fprintf (stderr, "%s: %s", text, PQerrorMessage (c));
  PQclear (r);
  return ok;
}

SR_TEST (test_start)
{
  REQUIRE (sr_th_cluster_start (state_dir (), conninfo, sizeof (conninfo)));
  up = true;
}

/* N_DB `signalroom migrate` at once, each on its own new database; every
 * one must exit 0.  Repeated on new databases after dropping the role, so
 * each round races for it again. */
SR_TEST (test_concurrent_migrations)
{
  PGconn *admin;

  REQUIRE (up);
  admin = PQconnectdb (conninfo);
  REQUIRE (CONNECTION_OK == PQstatus (admin));
  for (int round = 0; round < ROUNDS; round++) {
    pid_t pids[N_DB];
    char urls[N_DB][600];

    for (int i = 0; i < N_DB; i++) {
      char stmt[128], *at;

      snprintf (stmt, sizeof (stmt), "DROP DATABASE IF EXISTS sr_mc_%d "
                "WITH (FORCE)", i);
      CHECK (sql (admin, stmt));
      snprintf (stmt, sizeof (stmt), "CREATE DATABASE sr_mc_%d", i);
      CHECK (sql (admin, stmt));
      snprintf (urls[i], sizeof (urls[i]), "DATABASE_URL=%s", conninfo);
      at = strstr (urls[i], "dbname=postgres");
      REQUIRE (NULL != at);
      snprintf (at, sizeof (urls[i]) - (size_t) (at - urls[i]),
                "dbname=sr_mc_%d", i);
    }
    /* Nothing holds the role now: each round races to create it. */
    CHECK (sql (admin, "DROP ROLE IF EXISTS signalroom_reader"));
    for (int i = 0; i < N_DB; i++) {
      char *argv[] = { (char *) sr_th_binary (), (char *) "migrate", NULL };
      char *envp[] = { urls[i], (char *) "LOG_LEVEL=error", NULL };

      CHECK_INT_EQ (posix_spawn (&pids[i], sr_th_binary (), NULL, NULL, argv,
                                 envp), 0);
    }
    for (int i = 0; i < N_DB; i++) {
      int status = -1;

      CHECK (pids[i] == waitpid (pids[i], &status, 0));
      CHECK (WIFEXITED (status) && 0 == WEXITSTATUS (status));
    }
    for (int i = 0; i < N_DB; i++) {
      char stmt[128];

      snprintf (stmt, sizeof (stmt), "DROP DATABASE IF EXISTS sr_mc_%d "
                "WITH (FORCE)", i);
      CHECK (sql (admin, stmt));
    }
  }
  PQfinish (admin);
}

SR_TEST (test_stop)
{
  sr_th_cluster_destroy (state_dir ());
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_start),
              SR_TEST_ENTRY (test_concurrent_migrations),
              SR_TEST_ENTRY (test_stop))
