/*
 * test_report_cache.c -- rendered reports kept in memory: served without
 * the database while the data version holds (even while the database is
 * stalled), dropped on every instance when a load commits: at once
 * through NOTIFY, within a poll interval for an instance that cannot
 * LISTEN (behind a transaction pooler).
 */
#include "check.h"
#include "harness.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET "report-cache-secret-0123456789abcdef0123"
#define DAY "2026-03-08"    /* the spring DST change in New York */
#define TARGET "/v1/reports/leaderboard?brand=CCW&from=" DAY "&to=" DAY

static struct sr_th_server a, b, c;
static PGconn *pg;
static char *token;
static bool up;

static bool
run (const char *sql)
{
  PGresult *r = PQexec (pg, sql);
  bool ok = PGRES_COMMAND_OK == PQresultStatus (r)
            || PGRES_TUPLES_OK == PQresultStatus (r);

  if (!ok)
    fprintf (stderr, "%s: %s", sql, PQerrorMessage (pg));
  PQclear (r);
  return ok;
}

static bool
start (struct sr_th_server *srv, const char *db, bool listen)
{
  struct sr_th_env env = { 0 };

  sr_th_env_add (&env, "DATABASE_URL", db);
  sr_th_env_add (&env, "SIGNALROOM_JWT_SECRET", SECRET);
  sr_th_env_add (&env, "SIGNALROOM_WORKERS", "0");
  sr_th_env_add (&env, "SIGNALROOM_SCHEDULER", "false");
  sr_th_env_add (&env, "SIGNALROOM_DB_STATEMENT_TIMEOUT_MS", "3000");
  /* A listening instance polls only once a minute here, so following a
   * load within the test's seconds proves the notification works; the
   * other polls every 100 ms, as its only way. */
  if (listen) {
    sr_th_env_add (&env, "SIGNALROOM_POLL_MS", "60000");
  } else {
    sr_th_env_add (&env, "SIGNALROOM_LISTEN_NOTIFY", "false");
    sr_th_env_add (&env, "SIGNALROOM_POLL_MS", "100");
  }
  return sr_th_server_start (srv, &env);
}

/* One GET: status, ETag, and the first row's conversions (-1: none). */
struct got {
  int status;
  char etag[128];
  long conversions;
  double seconds;
};

static struct got
get (struct sr_th_server *srv, const char *if_none_match)
{
  struct sr_th_response r = { 0 };
  struct got g = { .conversions = -1 };
  char headers[1024];
  double t0 = sr_th_now ();
  int n = snprintf (headers, sizeof (headers),
                    "Authorization: Bearer %s\r\n", token);

  if (NULL != if_none_match)
    snprintf (headers + n, sizeof (headers) - (size_t) n,
              "If-None-Match: %s\r\n", if_none_match);
  if (!sr_th_http (srv->port, "GET", TARGET, headers, NULL, 0, &r))
    return g;
  g.seconds = sr_th_now () - t0;
  g.status = r.status;
  if (NULL != sr_th_header (&r, "ETag"))
    snprintf (g.etag, sizeof (g.etag), "%s", sr_th_header (&r, "ETag"));
  if (200 == r.status) {
    json_t *doc = json_loads (r.body, 0, NULL);
    json_t *row = json_array_get (json_object_get (doc, "data"), 0);

    if (NULL != row)
      g.conversions = (long) json_integer_value (
        json_object_get (row, "conversions"));
    json_decref (doc);
  }
  sr_th_response_clean (&r);
  return g;
}

/* Re-ask @a srv every 20 ms until it reports @a conversions (3 s at most).
 * @return the seconds it took, or -1 */
static double
until_conversions (struct sr_th_server *srv, long conversions)
{
  double t0 = sr_th_now ();

  while (sr_th_now () - t0 < 3.0) {
    struct got g = get (srv, NULL);

    if (200 == g.status && conversions == g.conversions)
      return sr_th_now () - t0;
    (void) poll (NULL, 0, 20);
  }
  return -1;
}

static bool
load_conversions (int n)
{
  char sql[512];

  /* What an Everflow load does in its transaction: replace the day's row
   * and refresh the report rows, whose commit announces the new version. */
  snprintf (sql, sizeof (sql),
            "BEGIN; DELETE FROM everflow.daily_stats WHERE date = '" DAY "';"
            " INSERT INTO everflow.daily_stats (date, affiliate_id,"
            " affiliate_label, advertiser_id, advertiser_label, clicks,"
            " conversions, revenue, payout, profit, _client_id) VALUES ('"
            DAY "', 7, 'Blue Bench', 1, 'CCW', 50, %d, 100, 40, 60, '713');"
            " SELECT reports.refresh_performance('713', '" DAY "', '" DAY
            "'); COMMIT", n);
  return run (sql);
}

SR_TEST (test_start)
{
  char conninfo[1024];

  if (!sr_th_create_db ("sr_report_cache", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  REQUIRE (start (&a, conninfo, true));
  REQUIRE (start (&b, conninfo, true));
  REQUIRE (start (&c, conninfo, false));
  /* The schema is a's migration's: wait for the watcher to read it. */
  REQUIRE (NULL != sr_th_server_wait_log (&a, 20000, "migrations current",
                                          NULL));
  pg = PQconnectdb (conninfo);
  REQUIRE (CONNECTION_OK == PQstatus (pg));
  token = sr_th_jwt (SECRET, "authenticated", "authenticated", 600);
  REQUIRE (NULL != token);
  up = true;
}

SR_TEST (test_every_instance_follows_a_load)
{
  struct got first, again;

  REQUIRE (up);
  REQUIRE (load_conversions (5));
  CHECK (until_conversions (&a, 5) >= 0);
  CHECK (until_conversions (&b, 5) >= 0);
  CHECK (until_conversions (&c, 5) >= 0);
  first = get (&b, NULL);
  again = get (&b, NULL);
  CHECK_INT_EQ (first.status, 200);
  CHECK_STR_EQ (first.etag, again.etag);

  /* A load elsewhere: the cached 5 must go everywhere, the ETag too. */
  REQUIRE (load_conversions (9));
  CHECK (until_conversions (&b, 9) >= 0);
  CHECK (until_conversions (&c, 9) >= 0);
  again = get (&b, NULL);
  CHECK (0 != strcmp (first.etag, again.etag));
  CHECK_INT_EQ (get (&b, first.etag).status, 200);
  CHECK_INT_EQ (get (&b, again.etag).status, 304);
}

/*
 * While the brands table is locked (every uncached report would wait for
 * it), a cached report and a 304 still answer at once: they never touch
 * the database.
 */
SR_TEST (test_cached_reply_needs_no_database)
{
  PGresult *r;
  struct got warm, during, not_modified;

  REQUIRE (up);
  warm = get (&a, NULL);
  warm = get (&a, NULL);
  REQUIRE (200 == warm.status);
  r = PQexec (pg, "BEGIN; LOCK TABLE signalroom.brands IN ACCESS EXCLUSIVE"
              " MODE");
  REQUIRE (PGRES_COMMAND_OK == PQresultStatus (r));
  PQclear (r);
  during = get (&a, NULL);
  not_modified = get (&a, warm.etag);
  CHECK_INT_EQ (during.status, 200);
  CHECK_INT_EQ (during.conversions, warm.conversions);
  CHECK (during.seconds < 1.0);
  CHECK_INT_EQ (not_modified.status, 304);
  CHECK (not_modified.seconds < 1.0);
  CHECK (run ("ROLLBACK"));
}

SR_TEST (test_stop)
{
  if (a.pid > 0)
    CHECK (sr_th_server_stop (&a, 15, 20000, NULL, NULL));
  if (b.pid > 0)
    CHECK (sr_th_server_stop (&b, 15, 20000, NULL, NULL));
  if (c.pid > 0)
    CHECK (sr_th_server_stop (&c, 15, 20000, NULL, NULL));
  if (NULL != pg)
    PQfinish (pg);
  free (token);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_start),
              SR_TEST_ENTRY (test_every_instance_follows_a_load),
              SR_TEST_ENTRY (test_cached_reply_needs_no_database),
              SR_TEST_ENTRY (test_stop))
