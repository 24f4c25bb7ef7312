/*
 * test_simulators.c -- the Everflow/Redtrack simulator
 * (tests/upstreams/simulator.py) behaves as its README documents: auth,
 * validation, date ids, the row cap, aggregation, filters, exact
 * decimals, paging, rate limits, faults, the request log, demo data.
 *
 * Every test starts its own simulator; nothing waits on a clock.
 */
#include "check.h"
#include "harness.h"
#include "upstreams.h"

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EF_KEY "ef-key-0123456789"
#define RT_KEY "rt-key-9876543210"
#define EF_PATH "/v1/networks/reporting/entity/table"
#define EF_AUTH "X-Eflow-API-Key: " EF_KEY "\r\n" \
  "Content-Type: application/json\r\n"
#define COLS3 "\"columns\":[{\"column\":\"date\"},{\"column\":\"affiliate\"}," \
  "{\"column\":\"advertiser\"}]"

/* ---- helpers ---- */

static bool
ef_post (const struct sr_sim *sim, const char *headers, const char *body,
         struct sr_th_response *r)
{
  return sr_th_http (sim->everflow_port, "POST", EF_PATH, headers, body,
                     strlen (body), r);
}

/* An Everflow request for [from, to] in @a tz with @a rest (columns and
 * query, starting with a comma-free JSON member list). */
static bool
ef_query (const struct sr_sim *sim, const char *from, const char *to, int tz,
          const char *rest, struct sr_th_response *r)
{
  char body[2048];
  int n = snprintf (body, sizeof (body),
                    "{\"from\":\"%s\",\"to\":\"%s\",\"timezone_id\":%d,"
                    "\"currency_id\":\"USD\",%s}", from, to, tz, rest);

  if (n < 0 || (size_t) n >= sizeof (body))
    return false;
  return ef_post (sim, EF_AUTH, body, r);
}

/* GET /report?api_key=RT_KEY&@a query */
static bool
rt_get (const struct sr_sim *sim, const char *query, struct sr_th_response *r)
{
  char target[2048];
  int n = snprintf (target, sizeof (target), "/report?api_key=%s&%s", RT_KEY,
                    query);

  if (n < 0 || (size_t) n >= sizeof (target))
    return false;
  return sr_th_http (sim->redtrack_port, "GET", target, NULL, NULL, 0, r);
}

static json_t *
parse (const struct sr_th_response *r)
{
  json_error_t err;
  json_t *j = json_loadb (r->body ? r->body : "", r->body_len, 0, &err);

  if (NULL == j)
    fprintf (stderr, "unparseable body (%s): %.300s\n", err.text,
             r->body ? r->body : "");
  return j;
}

static const char *
jstr (const json_t *obj, const char *key)
{
  return json_string_value (json_object_get (obj, key));
}

static long long
jint (const json_t *obj, const char *key)
{
  return json_integer_value (json_object_get (obj, key));
}

/* The table of an Everflow answer (borrowed from @a root). */
static json_t *
ef_table (json_t *root)
{
  return json_object_get (root, "table");
}

/* Column @a i of table row @a row: its id (or NULL). */
static const char *
col_id (json_t *table, size_t row, size_t i)
{
  json_t *cols = json_object_get (json_array_get (table, row), "columns");

  return jstr (json_array_get (cols, i), "id");
}

static const char *
col_type (json_t *table, size_t row, size_t i)
{
  json_t *cols = json_object_get (json_array_get (table, row), "columns");

  return jstr (json_array_get (cols, i), "column_type");
}

static long long
metric (json_t *table, size_t row, const char *key)
{
  json_t *rep = json_object_get (json_array_get (table, row), "reporting");

  return json_integer_value (json_object_get (rep, key));
}

/* Check a JSON error answer: @a status and a string "error". */
static void
check_error (const struct sr_th_response *r, int status, const char *error)
{
  json_t *j = parse (r);

  CHECK_INT_EQ (r->status, status);
  CHECK (NULL != j && json_is_string (json_object_get (j, "error")));
  if (NULL != error && NULL != j)
    CHECK_STR_EQ (jstr (j, "error"), error);
  json_decref (j);
}

/* Epoch of midnight UTC of y-m-d. */
static long long
utc_midnight (int y, int m, int d)
{
  struct tm tm = { 0 };

  tm.tm_year = y - 1900;
  tm.tm_mon = m - 1;
  tm.tm_mday = d;
  return (long long) timegm (&tm);
}

static bool
start (struct sr_sim *sim)
{
  return sr_sim_start (sim, EF_KEY, RT_KEY);
}

/* Everflow rows used by several tests. */
static const char ef_rows[] =
  "{\"rows\":["
  "{\"date\":\"2025-11-01\",\"affiliate_id\":11,\"affiliate_label\":"
  "\"Blue Bench Media LLC\",\"advertiser_id\":1,\"advertiser_label\":\"CCW\","
  "\"clicks\":100,\"conversions\":5,\"revenue\":\"100.50\",\"payout\":\"60.25\"},"
  "{\"date\":\"2025-11-01\",\"affiliate_id\":11,\"affiliate_label\":"
  "\"Blue Bench Media LLC\",\"advertiser_id\":2,\"advertiser_label\":\"EXP\","
  "\"clicks\":10,\"conversions\":1,\"revenue\":\"20.00\",\"payout\":\"12.00\"},"
  "{\"date\":\"2025-11-02\",\"affiliate_id\":11,\"affiliate_label\":"
  "\"Blue Bench Media LLC\",\"advertiser_id\":1,\"advertiser_label\":\"CCW\","
  "\"clicks\":200,\"conversions\":7,\"revenue\":\"150.25\",\"payout\":\"80.00\"},"
  "{\"date\":\"2025-11-02\",\"affiliate_id\":12,\"affiliate_label\":"
  "\"Venture Beyond\",\"advertiser_id\":1,\"advertiser_label\":\"CCW\","
  "\"clicks\":50,\"conversions\":2,\"revenue\":40,\"payout\":30}"
  "]}";

/* Redtrack rows: five sources on 2025-11-01, one of them again on 11-02. */
static const char rt_rows[] =
  "{\"rows\":["
  "{\"date\":\"2025-11-01\",\"source_id\":\"aaaaaaaaaaaaaaaaaaaaaaa1\","
  "\"source\":\"S1\",\"source_alias\":\"facebook\",\"clicks\":50,"
  "\"conversions\":5,\"total_conversions\":6,\"cost\":\"10.00\"},"
  "{\"date\":\"2025-11-01\",\"source_id\":\"aaaaaaaaaaaaaaaaaaaaaaa2\","
  "\"source\":\"S2\",\"source_alias\":\"google\",\"clicks\":40,"
  "\"conversions\":0,\"total_conversions\":3,\"cost\":\"20.00\"},"
  "{\"date\":\"2025-11-01\",\"source_id\":\"aaaaaaaaaaaaaaaaaaaaaaa3\","
  "\"source\":\"S3\",\"source_alias\":\"facebook\",\"clicks\":30,"
  "\"conversions\":null,\"total_conversions\":2,\"cost\":\"30.00\"},"
  "{\"date\":\"2025-11-01\",\"source_id\":\"aaaaaaaaaaaaaaaaaaaaaaa4\","
  "\"source\":\"S4\",\"source_alias\":\"google\",\"clicks\":20,"
  "\"total_conversions\":1,\"cost\":\"40.00\"},"
  "{\"date\":\"2025-11-01\",\"source_id\":\"\",\"source\":\"(none)\","
  "\"source_alias\":\"\",\"clicks\":10,\"conversions\":0,"
  "\"total_conversions\":0,\"cost\":\"0\"},"
  "{\"date\":\"2025-11-02\",\"source_id\":\"aaaaaaaaaaaaaaaaaaaaaaa4\","
  "\"source\":\"S4\",\"source_alias\":\"google\",\"clicks\":25,"
  "\"conversions\":2,\"total_conversions\":2,\"cost\":\"0.05\"}"
  "]}";

/* ---- process ---- */

SR_TEST (test_start_and_stop)
{
  struct sr_sim sim;
  struct sr_sim other;

  REQUIRE (start (&sim));
  CHECK (sim.everflow_port > 0);
  CHECK (sim.redtrack_port > 0);
  CHECK (sim.everflow_port != sim.redtrack_port);
  CHECK_INT_EQ (sr_sim_request_count (sim.everflow_port), 0);
  CHECK_INT_EQ (sr_sim_request_count (sim.redtrack_port), 0);
  CHECK_INT_EQ (sr_sim_stop_status (&sim, SIGTERM), 0);
  CHECK_INT_EQ (sim.pid, 0);
  sr_sim_stop (&sim); /* harmless twice */

  REQUIRE (start (&other));
  CHECK_INT_EQ (sr_sim_stop_status (&other, SIGINT), 0);
}

/* ---- auth ---- */

SR_TEST (test_everflow_auth)
{
  static const char body[] = "{\"from\":\"2025-11-01\",\"to\":\"2025-11-01\","
    "\"timezone_id\":80,\"currency_id\":\"USD\"," COLS3 "}";
  struct sr_sim sim;
  struct sr_th_response r;
  char *log;

  REQUIRE (start (&sim));
  REQUIRE (ef_post (&sim, "Content-Type: application/json\r\n", body, &r));
  check_error (&r, 401, NULL);
  sr_th_response_clean (&r);
  REQUIRE (ef_post (&sim, "X-Eflow-API-Key: nope\r\n", body, &r));
  check_error (&r, 401, NULL);
  sr_th_response_clean (&r);
  REQUIRE (ef_post (&sim, "X-Eflow-API-Key: \r\n", body, &r));
  check_error (&r, 401, NULL);
  sr_th_response_clean (&r);
  /* Header names are case-insensitive. */
  REQUIRE (ef_post (&sim, "x-eflow-api-key: " EF_KEY "\r\n", body, &r));
  CHECK_INT_EQ (r.status, 200);
  CHECK_CONTAINS (r.body, "\"table\":[");
  CHECK_STR_EQ (sr_th_header (&r, "X-RateLimit-Limit"), "20");
  sr_th_response_clean (&r);
  REQUIRE (ef_post (&sim, "X-EFLOW-API-KEY: " EF_KEY "\r\n", body, &r));
  CHECK_INT_EQ (r.status, 200);
  sr_th_response_clean (&r);

  CHECK_INT_EQ (sr_sim_request_count (sim.everflow_port), 5);
  CHECK_INT_EQ (sr_sim_request_count (sim.redtrack_port), 0);
  log = sr_sim_get (sim.everflow_port, "/_sim/requests");
  CHECK (NULL != log && NULL == strstr (log, EF_KEY));
  free (log);
  sr_sim_stop (&sim);
}

SR_TEST (test_redtrack_auth)
{
  static const char q[] =
    "group=source&date_from=2025-11-01&date_to=2025-11-01";
  struct sr_sim sim;
  struct sr_th_response r;

  REQUIRE (start (&sim));
  REQUIRE (sr_th_http (sim.redtrack_port, "GET", "/report?group=source&"
                       "date_from=2025-11-01&date_to=2025-11-01", NULL, NULL,
                       0, &r));
  check_error (&r, 401, "unauthorized");
  sr_th_response_clean (&r);
  REQUIRE (sr_th_http (sim.redtrack_port, "GET", "/report?api_key=wrong&"
                       "group=source&date_from=2025-11-01&"
                       "date_to=2025-11-01", NULL, NULL, 0, &r));
  check_error (&r, 401, "unauthorized");
  sr_th_response_clean (&r);
  /* The header alone is not enough: GET wants the query parameter. */
  REQUIRE (sr_th_http (sim.redtrack_port, "GET", "/report?group=source&"
                       "date_from=2025-11-01&date_to=2025-11-01",
                       "X-API-KEY: " RT_KEY "\r\n", NULL, 0, &r));
  check_error (&r, 401, "unauthorized");
  sr_th_response_clean (&r);
  REQUIRE (rt_get (&sim, q, &r));
  CHECK_INT_EQ (r.status, 200);
  CHECK (r.body_len > 0 && '[' == r.body[0]);
  CHECK (NULL == sr_th_header (&r, "X-RateLimit-Limit"));
  sr_th_response_clean (&r);
  sr_sim_stop (&sim);
}

/* ---- validation ---- */

SR_TEST (test_everflow_bad_requests)
{
  static const char *const bad[] = {
    "not json",
    "[]",
    "{\"from\":\"2025-11-01\",\"to\":\"2025-11-01\",\"currency_id\":\"USD\","
    COLS3 "}",
    "{\"from\":\"2025-11-01\",\"to\":\"2025-11-01\",\"timezone_id\":\"80\","
    "\"currency_id\":\"USD\"," COLS3 "}",
    "{\"from\":\"2025-11-01\",\"to\":\"2025-11-01\",\"timezone_id\":999,"
    "\"currency_id\":\"USD\"," COLS3 "}",
    "{\"from\":\"2025-11-01\",\"to\":\"2025-11-01\",\"timezone_id\":80,"
    COLS3 "}",
    "{\"from\":\"2025-11-01\",\"to\":\"2025-11-01\",\"timezone_id\":80,"
    "\"currency_id\":\"USD\",\"columns\":[\"date\",\"affiliate\"]}",
    "{\"from\":\"2025-11-01\",\"to\":\"2025-11-01\",\"timezone_id\":80,"
    "\"currency_id\":\"USD\",\"columns\":[]}",
    "{\"from\":\"2025-11-01\",\"to\":\"2025-11-01\",\"timezone_id\":80,"
    "\"currency_id\":\"USD\",\"columns\":[{\"column\":\"date\"},"
    "{\"column\":\"affiliate\"},{\"column\":\"advertiser\"},"
    "{\"column\":\"offer\"},{\"column\":\"sub1\"},{\"column\":\"sub2\"},"
    "{\"column\":\"sub3\"},{\"column\":\"sub4\"},{\"column\":\"sub5\"},"
    "{\"column\":\"country\"},{\"column\":\"city\"}]}",
    "{\"from\":\"2025-11-01\",\"to\":\"2025-11-01\",\"timezone_id\":80,"
    "\"currency_id\":\"USD\",\"columns\":[{\"column\":\"date\"},"
    "{\"column\":\"hour\"}]}",
    "{\"from\":\"2025-11-02\",\"to\":\"2025-11-01\",\"timezone_id\":80,"
    "\"currency_id\":\"USD\"," COLS3 "}",
    /* 368 days, counting both ends */
    "{\"from\":\"2025-01-01\",\"to\":\"2026-01-03\",\"timezone_id\":80,"
    "\"currency_id\":\"USD\"," COLS3 "}",
    "{\"from\":\"2025-02-30\",\"to\":\"2025-03-01\",\"timezone_id\":80,"
    "\"currency_id\":\"USD\"," COLS3 "}",
    "{\"from\":\"2025/01/01\",\"to\":\"2025-01-02\",\"timezone_id\":80,"
    "\"currency_id\":\"USD\"," COLS3 "}",
    "{\"to\":\"2025-01-02\",\"timezone_id\":80,"
    "\"currency_id\":\"USD\"," COLS3 "}",
    "{\"from\":\"2025-11-01\",\"to\":\"2025-11-01\",\"timezone_id\":80,"
    "\"currency_id\":\"USD\",\"columns\":[{\"column\":\"bogus\"}]}",
    /* signalroom's old filter shape */
    "{\"from\":\"2025-11-01\",\"to\":\"2025-11-01\",\"timezone_id\":80,"
    "\"currency_id\":\"USD\"," COLS3 ",\"query\":{\"filters\":"
    "[{\"advertiser_id\":1}]}}",
    "{\"from\":\"2025-11-01\",\"to\":\"2025-11-01\",\"timezone_id\":80,"
    "\"currency_id\":\"USD\"," COLS3 ",\"query\":{\"filters\":"
    "[{\"resource_type\":\"advertiser\",\"filter_id_value\":\"abc\"}]}}",
  };
  struct sr_sim sim;
  struct sr_th_response r;

  REQUIRE (start (&sim));
  REQUIRE (sr_sim_post (sim.everflow_port, "/_sim/config",
                        "{\"rate_limit\":0}", NULL));
  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
    REQUIRE (ef_post (&sim, EF_AUTH, bad[i], &r));
    if (400 != r.status)
      fprintf (stderr, "case %zu: %s\n", i, bad[i]);
    check_error (&r, 400, "Invalid parameters.");
    sr_th_response_clean (&r);
  }
  /* A documented column the simulator does not model says so. */
  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-01", 80,
                     "\"columns\":[{\"column\":\"offer\"}]", &r));
  CHECK_INT_EQ (r.status, 400);
  CHECK_CONTAINS (r.body, "unsupported by the simulator");
  sr_th_response_clean (&r);
  /* 367 days is still fine. */
  REQUIRE (ef_query (&sim, "2025-01-01", "2026-01-02", 67,
                     "\"columns\":[{\"column\":\"date\"}]", &r));
  CHECK_INT_EQ (r.status, 200);
  sr_th_response_clean (&r);
  /* Routing. */
  REQUIRE (sr_th_http (sim.everflow_port, "POST", "/v1/networks/nope",
                       EF_AUTH, "{}", 2, &r));
  check_error (&r, 404, NULL);
  sr_th_response_clean (&r);
  REQUIRE (sr_th_http (sim.everflow_port, "GET", EF_PATH, EF_AUTH, NULL, 0,
                       &r));
  check_error (&r, 405, NULL);
  sr_th_response_clean (&r);
  sr_sim_stop (&sim);
}

SR_TEST (test_redtrack_bad_requests)
{
  static const char *const bad[] = {
    "date_from=2025-11-01&date_to=2025-11-01",
    "group=campaign&date_from=2025-11-01&date_to=2025-11-01",
    "group=bogus&date_from=2025-11-01&date_to=2025-11-01",
    "group=source&date_to=2025-11-01",
    "group=source&date_from=2025-11-01",
    "group=source&date_from=2025-11-31&date_to=2025-12-01",
    "group=source&date_from=2025-11-02&date_to=2025-11-01",
    "group=source&date_from=2025-11-01&date_to=2025-11-01"
    "&timezone=Mars/Olympus_Mons",
    "group=source&date_from=2025-11-01&date_to=2025-11-01&per=1001",
    "group=source&date_from=2025-11-01&date_to=2025-11-01&per=abc",
    "group=source&date_from=2025-11-01&date_to=2025-11-01&page=0",
    "group=source&date_from=2025-11-01&date_to=2025-11-01&sortby=bogus",
    "group=source&date_from=2025-11-01&date_to=2025-11-01&direction=up",
    "group=source&date_from=2025-11-01&date_to=2025-11-01&total=maybe",
  };
  struct sr_sim sim;
  struct sr_th_response r;

  REQUIRE (start (&sim));
  REQUIRE (sr_sim_post (sim.redtrack_port, "/_sim/config",
                        "{\"rate_limit\":0}", NULL));
  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
    REQUIRE (rt_get (&sim, bad[i], &r));
    if (400 != r.status)
      fprintf (stderr, "case %zu: %s\n", i, bad[i]);
    check_error (&r, 400, NULL);
    sr_th_response_clean (&r);
  }
  REQUIRE (rt_get (&sim, "group=source&date_from=2025-11-01&date_to="
                   "2025-11-01&timezone=America/New_York&per=1000", &r));
  CHECK_INT_EQ (r.status, 200);
  sr_th_response_clean (&r);
  /* POST /report is a 404 upstream (observed by signalroom). */
  REQUIRE (sr_th_http (sim.redtrack_port, "POST", "/report?api_key=" RT_KEY,
                       "Content-Type: application/json\r\n", "{}", 2, &r));
  check_error (&r, 404, NULL);
  sr_th_response_clean (&r);
  REQUIRE (sr_th_http (sim.redtrack_port, "GET", "/campaigns?api_key="
                       RT_KEY, NULL, NULL, 0, &r));
  check_error (&r, 404, NULL);
  sr_th_response_clean (&r);
  sr_sim_stop (&sim);
}

/* ---- Everflow data ---- */

SR_TEST (test_everflow_date_ids_across_dst)
{
  static const char rows[] =
    "{\"rows\":["
    "{\"date\":\"2025-03-09\",\"affiliate_id\":1,\"advertiser_id\":1,"
    "\"clicks\":1,\"conversions\":1},"
    "{\"date\":\"2025-03-10\",\"affiliate_id\":1,\"advertiser_id\":1,"
    "\"clicks\":1,\"conversions\":1},"
    "{\"date\":\"2025-11-02\",\"affiliate_id\":1,\"advertiser_id\":1,"
    "\"clicks\":1,\"conversions\":1},"
    "{\"date\":\"2025-11-03\",\"affiliate_id\":1,\"advertiser_id\":1,"
    "\"clicks\":1,\"conversions\":1}]}";
  /* Midnight in New York: EST (-5h) on 03-09 (DST starts at 02:00),
   * EDT (-4h) on 03-10 and on 11-02 (DST ends at 02:00), EST on 11-03. */
  const long long ny[4] = {
    utc_midnight (2025, 3, 9) + 5 * 3600,
    utc_midnight (2025, 3, 10) + 4 * 3600,
    utc_midnight (2025, 11, 2) + 4 * 3600,
    utc_midnight (2025, 11, 3) + 5 * 3600,
  };
  const long long utc[4] = {
    utc_midnight (2025, 3, 9), utc_midnight (2025, 3, 10),
    utc_midnight (2025, 11, 2), utc_midnight (2025, 11, 3),
  };
  struct sr_sim sim;
  struct sr_th_response r;
  json_t *j;

  REQUIRE (start (&sim));
  REQUIRE (sr_sim_post (sim.everflow_port, "/_sim/data", rows, NULL));
  for (int pass = 0; pass < 2; pass++) {
    const long long *want = 0 == pass ? ny : utc;

    REQUIRE (ef_query (&sim, "2025-03-01", "2025-11-30", 0 == pass ? 80 : 67,
                       "\"columns\":[{\"column\":\"date\"}]", &r));
    CHECK_INT_EQ (r.status, 200);
    j = parse (&r);
    REQUIRE (NULL != j);
    REQUIRE (4 == json_array_size (ef_table (j)));
    for (size_t i = 0; i < 4; i++) {
      const char *id = col_id (ef_table (j), i, 0);

      CHECK_STR_EQ (col_type (ef_table (j), i, 0), "date");
      REQUIRE (NULL != id);
      CHECK_INT_EQ (strtoll (id, NULL, 10), want[i]);
      CHECK_STR_EQ (jstr (json_array_get (json_object_get (
                            json_array_get (ef_table (j), i), "columns"), 0),
                          "label"), "");
    }
    CHECK (json_is_false (json_object_get (j, "incomplete_results")));
    json_decref (j);
    sr_th_response_clean (&r);
  }
  sr_sim_stop (&sim);
}

SR_TEST (test_everflow_row_cap)
{
  static const char rows[] =
    "{\"rows\":["
    "{\"date\":\"2025-11-01\",\"affiliate_id\":11,\"advertiser_id\":1,"
    "\"clicks\":1,\"conversions\":1},"
    "{\"date\":\"2025-11-01\",\"affiliate_id\":12,\"advertiser_id\":1,"
    "\"clicks\":2,\"conversions\":1},"
    "{\"date\":\"2025-11-02\",\"affiliate_id\":11,\"advertiser_id\":1,"
    "\"clicks\":3,\"conversions\":1},"
    "{\"date\":\"2025-11-02\",\"affiliate_id\":12,\"advertiser_id\":1,"
    "\"clicks\":4,\"conversions\":1},"
    "{\"date\":\"2025-11-03\",\"affiliate_id\":11,\"advertiser_id\":1,"
    "\"clicks\":5,\"conversions\":1},"
    "{\"date\":\"2025-11-03\",\"affiliate_id\":12,\"advertiser_id\":1,"
    "\"clicks\":6,\"conversions\":1}]}";
  struct sr_sim sim;
  struct sr_th_response r;
  json_t *j;
  char *cfg;

  REQUIRE (start (&sim));
  REQUIRE (sr_sim_post (sim.everflow_port, "/_sim/data", rows, NULL));
  REQUIRE (sr_sim_post (sim.everflow_port, "/_sim/config",
                        "{\"row_cap\":5}", NULL));
  cfg = sr_sim_get (sim.everflow_port, "/_sim/config");
  CHECK_CONTAINS (cfg, "\"row_cap\":5");
  free (cfg);

  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-03", 80, COLS3, &r));
  CHECK_INT_EQ (r.status, 200);
  j = parse (&r);
  REQUIRE (NULL != j);
  CHECK_INT_EQ (json_array_size (ef_table (j)), 5);
  CHECK (json_is_true (json_object_get (j, "incomplete_results")));
  /* first rows in (date, advertiser, affiliate) order; the 6th is cut */
  for (size_t i = 0; i < 5; i++)
    CHECK_INT_EQ (metric (ef_table (j), i, "total_click"), (long long) i + 1);
  json_decref (j);
  sr_th_response_clean (&r);

  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-03", 80,
                     "\"columns\":[{\"column\":\"affiliate\"}]", &r));
  j = parse (&r);
  REQUIRE (NULL != j);
  CHECK_INT_EQ (json_array_size (ef_table (j)), 2);
  CHECK (json_is_false (json_object_get (j, "incomplete_results")));
  json_decref (j);
  sr_th_response_clean (&r);

  REQUIRE (ef_query (&sim, "2025-11-02", "2025-11-03", 80, COLS3, &r));
  j = parse (&r);
  REQUIRE (NULL != j);
  CHECK_INT_EQ (json_array_size (ef_table (j)), 4);
  CHECK (json_is_false (json_object_get (j, "incomplete_results")));
  json_decref (j);
  sr_th_response_clean (&r);
  sr_sim_stop (&sim);
}

SR_TEST (test_everflow_aggregation)
{
  struct sr_sim sim;
  struct sr_th_response r;
  json_t *j, *t;

  REQUIRE (start (&sim));
  REQUIRE (sr_sim_post (sim.everflow_port, "/_sim/data", ef_rows, NULL));

  /* Only affiliate: summed over dates and advertisers. */
  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-02", 80,
                     "\"columns\":[{\"column\":\"affiliate\"}]", &r));
  CHECK_INT_EQ (r.status, 200);
  j = parse (&r);
  REQUIRE (NULL != j);
  t = ef_table (j);
  REQUIRE (2 == json_array_size (t));
  CHECK_STR_EQ (col_type (t, 0, 0), "affiliate");
  CHECK_STR_EQ (col_id (t, 0, 0), "11");
  CHECK_STR_EQ (jstr (json_array_get (json_object_get (json_array_get (t, 0),
                                                       "columns"), 0),
                      "label"), "Blue Bench Media LLC");
  CHECK_INT_EQ (metric (t, 0, "total_click"), 310);
  CHECK_INT_EQ (metric (t, 0, "cv"), 13);
  CHECK_INT_EQ (metric (t, 0, "total_cv"), 13);
  CHECK_STR_EQ (col_id (t, 1, 0), "12");
  CHECK_INT_EQ (metric (t, 1, "total_click"), 50);
  CHECK_INT_EQ (metric (t, 1, "cv"), 2);
  CHECK_CONTAINS (r.body, "\"payout\":152.25,\"revenue\":270.75,");
  CHECK_CONTAINS (r.body, "\"profit\":118.50,");
  CHECK_CONTAINS (r.body, "\"payout\":30,\"revenue\":40,");
  json_decref (j);
  sr_th_response_clean (&r);

  /* Column order follows the request; rows in (date, advertiser) order. */
  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-02", 67,
                     "\"columns\":[{\"column\":\"advertiser\"},"
                     "{\"column\":\"date\"}]", &r));
  j = parse (&r);
  REQUIRE (NULL != j);
  t = ef_table (j);
  REQUIRE (3 == json_array_size (t));
  CHECK_STR_EQ (col_type (t, 0, 0), "advertiser");
  CHECK_STR_EQ (col_type (t, 0, 1), "date");
  CHECK_STR_EQ (col_id (t, 0, 0), "1");
  CHECK_STR_EQ (col_id (t, 1, 0), "2");
  CHECK_STR_EQ (col_id (t, 2, 0), "1");
  CHECK_STR_EQ (col_id (t, 2, 1), "1762041600");
  CHECK_INT_EQ (metric (t, 2, "total_click"), 250);
  CHECK_INT_EQ (metric (t, 2, "cv"), 9);
  json_decref (j);
  sr_th_response_clean (&r);

  /* Outside the data: an empty table. */
  REQUIRE (ef_query (&sim, "2025-10-01", "2025-10-31", 80, COLS3, &r));
  CHECK_INT_EQ (r.status, 200);
  CHECK_STR_EQ (r.body, "{\"table\":[],\"incomplete_results\":false}");
  sr_th_response_clean (&r);
  sr_sim_stop (&sim);
}

SR_TEST (test_everflow_filters)
{
  struct sr_sim sim;
  struct sr_th_response r;
  json_t *j, *t;

  REQUIRE (start (&sim));
  REQUIRE (sr_sim_post (sim.everflow_port, "/_sim/data", ef_rows, NULL));

  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-02", 80, COLS3
                     ",\"query\":{\"filters\":[{\"resource_type\":"
                     "\"advertiser\",\"filter_id_value\":\"2\"}],"
                     "\"exclusions\":[]}", &r));
  CHECK_INT_EQ (r.status, 200);
  j = parse (&r);
  REQUIRE (NULL != j);
  t = ef_table (j);
  REQUIRE (1 == json_array_size (t));
  CHECK_STR_EQ (col_id (t, 0, 2), "2");
  CHECK_STR_EQ (jstr (json_array_get (json_object_get (json_array_get (t, 0),
                                                       "columns"), 2),
                      "label"), "EXP");
  json_decref (j);
  sr_th_response_clean (&r);

  /* An integer id works too; the filter applies before aggregation. */
  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-02", 80,
                     "\"columns\":[{\"column\":\"affiliate\"}],"
                     "\"query\":{\"filters\":[{\"resource_type\":"
                     "\"advertiser\",\"filter_id_value\":1}]}", &r));
  j = parse (&r);
  REQUIRE (NULL != j);
  t = ef_table (j);
  REQUIRE (2 == json_array_size (t));
  CHECK_INT_EQ (metric (t, 0, "total_click"), 300);
  json_decref (j);
  sr_th_response_clean (&r);

  /* Affiliate filter, and filters AND-combined. */
  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-02", 80, COLS3
                     ",\"query\":{\"filters\":[{\"resource_type\":"
                     "\"affiliate\",\"filter_id_value\":\"11\"},"
                     "{\"resource_type\":\"advertiser\","
                     "\"filter_id_value\":\"1\"}]}", &r));
  j = parse (&r);
  REQUIRE (NULL != j);
  CHECK_INT_EQ (json_array_size (ef_table (j)), 2);
  json_decref (j);
  sr_th_response_clean (&r);

  /* Exclusions drop matching rows. */
  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-02", 80, COLS3
                     ",\"query\":{\"exclusions\":[{\"resource_type\":"
                     "\"advertiser\",\"filter_id_value\":\"1\"}]}", &r));
  j = parse (&r);
  REQUIRE (NULL != j);
  CHECK_INT_EQ (json_array_size (ef_table (j)), 1);
  json_decref (j);
  sr_th_response_clean (&r);
  sr_sim_stop (&sim);
}

SR_TEST (test_exact_decimals)
{
  static const char efrows[] =
    "{\"rows\":["
    "{\"date\":\"2025-11-01\",\"affiliate_id\":11,\"advertiser_id\":1,"
    "\"clicks\":3,\"conversions\":1,\"revenue\":\"0.10\",\"payout\":0.1},"
    "{\"date\":\"2025-11-01\",\"affiliate_id\":12,\"advertiser_id\":1,"
    "\"clicks\":3,\"conversions\":1,\"revenue\":\"1234567.89\","
    "\"payout\":\"0.05\"}]}";
  static const char rtrows[] =
    "{\"rows\":["
    "{\"date\":\"2025-11-01\",\"source_id\":\"aaaaaaaaaaaaaaaaaaaaaaa1\","
    "\"source\":\"S1\",\"clicks\":5,\"conversions\":1,\"cost\":\"1234567.89\"},"
    "{\"date\":\"2025-11-01\",\"source_id\":\"aaaaaaaaaaaaaaaaaaaaaaa2\","
    "\"source\":\"S2\",\"clicks\":4,\"conversions\":1,\"cost\":0.1}]}";
  struct sr_sim sim;
  struct sr_th_response r;

  REQUIRE (start (&sim));
  REQUIRE (sr_sim_post (sim.everflow_port, "/_sim/data", efrows, NULL));
  REQUIRE (sr_sim_post (sim.redtrack_port, "/_sim/data", rtrows, NULL));

  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-01", 80, COLS3, &r));
  CHECK_INT_EQ (r.status, 200);
  CHECK_CONTAINS (r.body, "\"payout\":0.1,\"revenue\":0.10,");
  CHECK_CONTAINS (r.body, "\"revenue\":1234567.89,");
  CHECK_CONTAINS (r.body, "\"profit\":1234567.84,");
  CHECK (NULL == strstr (r.body, "0000000"));
  sr_th_response_clean (&r);
  /* Sums stay exact. */
  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-01", 80,
                     "\"columns\":[{\"column\":\"advertiser\"}]", &r));
  CHECK_CONTAINS (r.body, "\"payout\":0.15,\"revenue\":1234567.99,");
  CHECK_CONTAINS (r.body, "\"profit\":1234567.84,");
  sr_th_response_clean (&r);

  REQUIRE (rt_get (&sim, "group=source&date_from=2025-11-01&"
                   "date_to=2025-11-01&total=true", &r));
  CHECK_INT_EQ (r.status, 200);
  CHECK_CONTAINS (r.body, "\"cost\":1234567.89,");
  CHECK_CONTAINS (r.body, "\"cost\":0.1,");
  CHECK_CONTAINS (r.body, "\"cost\":1234567.99,");
  sr_th_response_clean (&r);
  sr_sim_stop (&sim);
}

/* ---- Redtrack data ---- */

/* Source names of a Redtrack array, joined by ','. */
static void
rt_names (const json_t *items, char *out, size_t len)
{
  size_t off = 0;

  out[0] = '\0';
  for (size_t i = 0; i < json_array_size (items); i++) {
    const char *name = jstr (json_array_get (items, i), "source");
    int n = snprintf (out + off, len - off, "%s%s", i ? "," : "",
                      name ? name : "?");

    if (n < 0 || (size_t) n >= len - off)
      return;
    off += (size_t) n;
  }
}

SR_TEST (test_redtrack_paging_and_sorting)
{
  /* Over both days: S1 50 clicks/10.00, S4 45/40.05, S2 40/20.00,
   * S3 30/30.00, (none) 10/0. */
  static const struct {
    const char *query;
    const char *names;
  } cases[] = {
    { "", "S1,S4,S2,S3,(none)" },
    { "&per=2&page=1", "S1,S4" },
    { "&per=2&page=2", "S2,S3" },
    { "&per=2&page=3", "(none)" },
    { "&per=2&page=4", "" },
    { "&per=2", "S1,S4" },
    { "&sortby=clicks&direction=desc", "S1,S4,S2,S3,(none)" },
    { "&sortby=clicks&direction=asc", "(none),S3,S2,S4,S1" },
    { "&sortby=cost", "S4,S3,S2,S1,(none)" },
    { "&sortby=cost&direction=asc&per=3&page=2", "S3,S4" },
  };
  struct sr_sim sim;
  struct sr_th_response r;
  json_t *j;

  REQUIRE (start (&sim));
  REQUIRE (sr_sim_post (sim.redtrack_port, "/_sim/data", rt_rows, NULL));
  REQUIRE (sr_sim_post (sim.redtrack_port, "/_sim/config",
                        "{\"rate_limit\":0}", NULL));
  for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++) {
    char q[256], names[256];
    int n = snprintf (q, sizeof (q), "group=source&date_from=2025-11-01&"
                      "date_to=2025-11-02&timezone=America/New_York%s",
                      cases[i].query);

    REQUIRE (n > 0 && (size_t) n < sizeof (q));
    REQUIRE (rt_get (&sim, q, &r));
    CHECK_INT_EQ (r.status, 200);
    j = parse (&r);
    REQUIRE (json_is_array (j));
    rt_names (j, names, sizeof (names));
    CHECK_STR_EQ (names, cases[i].names);
    json_decref (j);
    sr_th_response_clean (&r);
  }
  /* Rows are summed over the range. */
  REQUIRE (rt_get (&sim, "group=source&date_from=2025-11-01&"
                   "date_to=2025-11-02&per=2&page=1", &r));
  j = parse (&r);
  REQUIRE (NULL != j);
  CHECK_INT_EQ (jint (json_array_get (j, 1), "clicks"), 45);
  CHECK_INT_EQ (jint (json_array_get (j, 1), "conversions"), 2);
  CHECK_INT_EQ (jint (json_array_get (j, 1), "total_conversions"), 3);
  CHECK_CONTAINS (r.body, "\"cost\":40.05,");
  json_decref (j);
  sr_th_response_clean (&r);
  sr_sim_stop (&sim);
}

SR_TEST (test_redtrack_total_and_conversions)
{
  struct sr_sim sim;
  struct sr_th_response r;
  json_t *j, *items, *total;

  REQUIRE (start (&sim));
  REQUIRE (sr_sim_post (sim.redtrack_port, "/_sim/data", rt_rows, NULL));
  REQUIRE (rt_get (&sim, "group=source&date_from=2025-11-01&"
                   "date_to=2025-11-01&total=true&per=2", &r));
  CHECK_INT_EQ (r.status, 200);
  j = parse (&r);
  REQUIRE (json_is_object (j));
  items = json_object_get (j, "items");
  total = json_object_get (j, "total");
  REQUIRE (json_is_array (items) && json_is_object (total));
  CHECK_INT_EQ (json_array_size (items), 2);
  /* the total covers every row, not just the page */
  CHECK_INT_EQ (jint (total, "clicks"), 150);
  CHECK_INT_EQ (jint (total, "conversions"), 5);
  CHECK_INT_EQ (jint (total, "total_conversions"), 12);
  CHECK_CONTAINS (r.body, "\"total\":{\"clicks\":150,");
  CHECK_CONTAINS (r.body, "\"cost\":100.00,");
  json_decref (j);
  sr_th_response_clean (&r);

  REQUIRE (rt_get (&sim, "group=source&date_from=2025-11-01&"
                   "date_to=2025-11-01", &r));
  j = parse (&r);
  REQUIRE (json_is_array (j));
  REQUIRE (5 == json_array_size (j));
  for (size_t i = 0; i < 5; i++) {
    json_t *row = json_array_get (j, i);
    const char *name = jstr (row, "source");

    REQUIRE (NULL != name);
    if (0 == strcmp (name, "S1")) {
      CHECK_STR_EQ (jstr (row, "source_alias"), "facebook");
      CHECK_INT_EQ (jint (row, "conversions"), 5);
      CHECK_INT_EQ (jint (row, "total_conversions"), 6);
    } else if (0 == strcmp (name, "S2")) {
      /* conversions 0 but total_conversions 3: no fallback */
      CHECK (json_is_integer (json_object_get (row, "conversions")));
      CHECK_INT_EQ (jint (row, "conversions"), 0);
      CHECK_INT_EQ (jint (row, "total_conversions"), 3);
    } else if (0 == strcmp (name, "S3")) {
      CHECK (json_is_null (json_object_get (row, "conversions")));
    } else if (0 == strcmp (name, "S4")) {
      CHECK (NULL == json_object_get (row, "conversions"));
      CHECK_INT_EQ (jint (row, "total_conversions"), 1);
    } else {
      CHECK_STR_EQ (name, "(none)");
      CHECK_STR_EQ (jstr (row, "source_id"), "");
    }
    CHECK (NULL != json_object_get (row, "unique_clicks"));
    CHECK (NULL != json_object_get (row, "roi"));
    CHECK (NULL != json_object_get (row, "cpa"));
  }
  json_decref (j);
  sr_th_response_clean (&r);
  sr_sim_stop (&sim);
}

/* ---- rate limits ---- */

SR_TEST (test_everflow_rate_limit)
{
  struct sr_sim sim;
  struct sr_th_response r;

  REQUIRE (start (&sim));
  REQUIRE (sr_sim_post (sim.everflow_port, "/_sim/config",
                        "{\"rate_limit\":2,\"rate_window_s\":60}", NULL));
  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-01", 80, COLS3, &r));
  CHECK_INT_EQ (r.status, 200);
  CHECK_STR_EQ (sr_th_header (&r, "X-RateLimit-Limit"), "2");
  CHECK_STR_EQ (sr_th_header (&r, "X-RateLimit-Remaining"), "1");
  sr_th_response_clean (&r);
  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-01", 80, COLS3, &r));
  CHECK_INT_EQ (r.status, 200);
  CHECK_STR_EQ (sr_th_header (&r, "X-RateLimit-Remaining"), "0");
  sr_th_response_clean (&r);
  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-01", 80, COLS3, &r));
  check_error (&r, 429, "Too many requests");
  CHECK_STR_EQ (sr_th_header (&r, "X-RateLimit-Limit"), "2");
  CHECK_STR_EQ (sr_th_header (&r, "X-RateLimit-Remaining"), "0");
  sr_th_response_clean (&r);
  /* The other service has its own budget. */
  REQUIRE (rt_get (&sim, "group=source&date_from=2025-11-01&"
                   "date_to=2025-11-01", &r));
  CHECK_INT_EQ (r.status, 200);
  sr_th_response_clean (&r);
  /* A reset opens a new window with the default limit. */
  REQUIRE (sr_sim_post (sim.everflow_port, "/_sim/reset", "{}", NULL));
  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-01", 80, COLS3, &r));
  CHECK_INT_EQ (r.status, 200);
  CHECK_STR_EQ (sr_th_header (&r, "X-RateLimit-Limit"), "20");
  CHECK_STR_EQ (sr_th_header (&r, "X-RateLimit-Remaining"), "19");
  sr_th_response_clean (&r);
  sr_sim_stop (&sim);
}

SR_TEST (test_redtrack_rate_limit)
{
  static const char q[] =
    "group=source&date_from=2025-11-01&date_to=2025-11-01";
  struct sr_sim sim;
  struct sr_th_response r;
  const char *ra;

  REQUIRE (start (&sim));
  REQUIRE (sr_sim_post (sim.redtrack_port, "/_sim/config",
                        "{\"rate_limit\":2,\"rate_window_s\":60}", NULL));
  for (int i = 0; i < 2; i++) {
    REQUIRE (rt_get (&sim, q, &r));
    CHECK_INT_EQ (r.status, 200);
    sr_th_response_clean (&r);
  }
  REQUIRE (rt_get (&sim, q, &r));
  check_error (&r, 429, "rate limit exceeded");
  ra = sr_th_header (&r, "Retry-After");
  REQUIRE (NULL != ra);
  CHECK (atoi (ra) >= 1 && atoi (ra) <= 60);
  sr_th_response_clean (&r);
  /* Without the header (the real API may not send one). */
  REQUIRE (sr_sim_post (sim.redtrack_port, "/_sim/config",
                        "{\"retry_after_header\":false}", NULL));
  REQUIRE (rt_get (&sim, q, &r));
  CHECK_INT_EQ (r.status, 429);
  CHECK (NULL == sr_th_header (&r, "Retry-After"));
  sr_th_response_clean (&r);
  /* Unauthenticated calls are not counted and still say 401. */
  REQUIRE (sr_th_http (sim.redtrack_port, "GET", "/report?group=source",
                       NULL, NULL, 0, &r));
  CHECK_INT_EQ (r.status, 401);
  sr_th_response_clean (&r);
  sr_sim_stop (&sim);
}

/* ---- faults ---- */

SR_TEST (test_fault_queue)
{
  static const char q[] =
    "group=source&date_from=2025-11-01&date_to=2025-11-01";
  struct sr_sim sim;
  struct sr_th_response r;
  char *log;
  int status;

  REQUIRE (start (&sim));
  REQUIRE (sr_sim_post (sim.everflow_port, "/_sim/faults",
                        "{\"faults\":[{\"status\":503,\"count\":2},"
                        "{\"status\":429,\"retry_after\":7,"
                        "\"body\":\"slow down\"}]}", NULL));
  log = sr_sim_get (sim.everflow_port, "/_sim/faults");
  CHECK_CONTAINS (log, "\"count\":2");
  free (log);
  /* Faults belong to one service only. */
  REQUIRE (rt_get (&sim, q, &r));
  CHECK_INT_EQ (r.status, 200);
  sr_th_response_clean (&r);
  for (int i = 0; i < 2; i++) {
    REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-01", 80, COLS3, &r));
    check_error (&r, 503, "simulated 503");
    sr_th_response_clean (&r);
  }
  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-01", 80, COLS3, &r));
  CHECK_INT_EQ (r.status, 429);
  CHECK_STR_EQ (r.body, "slow down");
  CHECK_STR_EQ (sr_th_header (&r, "Retry-After"), "7");
  sr_th_response_clean (&r);
  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-01", 80, COLS3, &r));
  CHECK_INT_EQ (r.status, 200);
  sr_th_response_clean (&r);
  log = sr_sim_get (sim.everflow_port, "/_sim/requests");
  CHECK_CONTAINS (log, "\"status\":503}");
  CHECK_CONTAINS (log, "\"status\":429}");
  CHECK_INT_EQ (sr_sim_request_count (sim.everflow_port), 4);
  free (log);

  /* Redtrack: a fault is consumed even by a request that fails auth. */
  REQUIRE (sr_sim_post (sim.redtrack_port, "/_sim/faults",
                        "{\"faults\":[{\"status\":500},{\"status\":502}]}",
                        NULL));
  REQUIRE (sr_th_http (sim.redtrack_port, "GET", "/report", NULL, NULL, 0,
                       &r));
  check_error (&r, 500, "simulated 500");
  sr_th_response_clean (&r);
  REQUIRE (rt_get (&sim, q, &r));
  check_error (&r, 502, "simulated 502");
  sr_th_response_clean (&r);
  REQUIRE (rt_get (&sim, q, &r));
  CHECK_INT_EQ (r.status, 200);
  sr_th_response_clean (&r);

  /* Bad fault specs are refused. */
  CHECK (!sr_sim_post (sim.redtrack_port, "/_sim/faults",
                       "{\"faults\":[{\"stauts\":500}]}", &status));
  CHECK_INT_EQ (status, 400);
  CHECK (!sr_sim_post (sim.redtrack_port, "/_sim/faults",
                       "{\"faults\":[{\"status\":500,\"truncate\":true}]}",
                       &status));
  CHECK_INT_EQ (status, 400);
  sr_sim_stop (&sim);
}

SR_TEST (test_fault_bodies)
{
  static const char q[] =
    "group=source&date_from=2025-11-01&date_to=2025-11-01";
  struct sr_sim sim;
  struct sr_th_response r;
  json_t *j;
  double t0;
  const char *cl;

  REQUIRE (start (&sim));
  REQUIRE (sr_sim_post (sim.everflow_port, "/_sim/config",
                        "{\"rate_limit\":0}", NULL));
  REQUIRE (sr_sim_post (sim.redtrack_port, "/_sim/config",
                        "{\"rate_limit\":0}", NULL));
  REQUIRE (sr_sim_post (sim.everflow_port, "/_sim/faults",
                        "{\"faults\":[{\"malformed\":true},"
                        "{\"truncate\":true},{\"short_body\":true},"
                        "{\"wrong_types\":true},{\"missing_fields\":true},"
                        "{\"delay_ms\":300}]}",
                        NULL));
  /* malformed */
  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-01", 80, COLS3, &r));
  CHECK_INT_EQ (r.status, 200);
  CHECK_STR_EQ (r.body, "{\"table\": [ {oops");
  CHECK (NULL == json_loadb (r.body, r.body_len, 0, NULL));
  sr_th_response_clean (&r);
  /* truncate: Content-Length of the whole body, half of it, then close */
  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-01", 80, COLS3, &r));
  CHECK_INT_EQ (r.status, 200);
  cl = sr_th_header (&r, "Content-Length");
  REQUIRE (NULL != cl);
  CHECK (r.body_len > 0);
  CHECK_INT_EQ (r.body_len, strtol (cl, NULL, 10) / 2);
  CHECK (NULL == json_loadb (r.body, r.body_len, 0, NULL));
  sr_th_response_clean (&r);
  /* short_body: half the body, a Content-Length that matches it */
  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-01", 80, COLS3, &r));
  CHECK_INT_EQ (r.status, 200);
  cl = sr_th_header (&r, "Content-Length");
  REQUIRE (NULL != cl);
  CHECK (r.body_len > 0);
  CHECK_INT_EQ (r.body_len, strtol (cl, NULL, 10));
  CHECK (0 == strncmp (r.body, "{\"table\":[{", 11));
  CHECK (NULL == json_loadb (r.body, r.body_len, 0, NULL));
  sr_th_response_clean (&r);
  /* wrong_types: valid JSON, first row's cv is a string */
  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-01", 80, COLS3, &r));
  j = parse (&r);
  REQUIRE (NULL != j);
  CHECK_STR_EQ (jstr (json_object_get (json_array_get (ef_table (j), 0),
                                       "reporting"), "cv"), "many");
  CHECK (json_is_integer (json_object_get (json_object_get (
           json_array_get (ef_table (j), 1), "reporting"), "cv")));
  json_decref (j);
  sr_th_response_clean (&r);
  /* missing_fields: no "reporting" in row 0, no "columns" in row 1 */
  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-01", 80, COLS3, &r));
  j = parse (&r);
  REQUIRE (NULL != j);
  CHECK (NULL == json_object_get (json_array_get (ef_table (j), 0),
                                  "reporting"));
  CHECK (NULL == json_object_get (json_array_get (ef_table (j), 1),
                                  "columns"));
  CHECK (NULL != json_object_get (json_array_get (ef_table (j), 2),
                                  "columns"));
  json_decref (j);
  sr_th_response_clean (&r);
  /* delay_ms: late, then a normal answer */
  t0 = sr_th_now ();
  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-01", 80, COLS3, &r));
  CHECK (sr_th_now () - t0 >= 0.3);
  CHECK_INT_EQ (r.status, 200);
  j = parse (&r);
  CHECK (NULL != j);
  json_decref (j);
  sr_th_response_clean (&r);

  /* Redtrack flavours. */
  REQUIRE (sr_sim_post (sim.redtrack_port, "/_sim/faults",
                        "{\"faults\":[{\"malformed\":true},"
                        "{\"truncate\":true},{\"wrong_types\":true},"
                        "{\"missing_fields\":true}]}", NULL));
  REQUIRE (rt_get (&sim, q, &r));
  CHECK_INT_EQ (r.status, 200);
  CHECK_STR_EQ (r.body, "[{\"source\": oops");
  sr_th_response_clean (&r);
  REQUIRE (rt_get (&sim, q, &r));
  cl = sr_th_header (&r, "Content-Length");
  REQUIRE (NULL != cl);
  CHECK_INT_EQ (r.body_len, strtol (cl, NULL, 10) / 2);
  sr_th_response_clean (&r);
  REQUIRE (rt_get (&sim, q, &r));
  j = parse (&r);
  REQUIRE (json_is_array (j));
  CHECK (json_is_object (json_object_get (json_array_get (j, 0),
                                          "source_id")));
  CHECK_STR_EQ (jstr (json_array_get (j, 0), "clicks"), "many");
  json_decref (j);
  sr_th_response_clean (&r);
  REQUIRE (rt_get (&sim, q, &r));
  j = parse (&r);
  REQUIRE (json_is_array (j));
  CHECK (NULL == json_object_get (json_array_get (j, 0), "clicks"));
  CHECK (NULL == json_object_get (json_array_get (j, 1), "source_id"));
  json_decref (j);
  sr_th_response_clean (&r);
  sr_sim_stop (&sim);
}

/* ---- control API ---- */

SR_TEST (test_request_log)
{
  struct sr_sim sim;
  struct sr_th_response r;
  char *text;
  json_t *j, *reqs, *e;

  REQUIRE (start (&sim));
  REQUIRE (rt_get (&sim, "group=source&date_from=2025-11-01&"
                   "date_to=2025-11-01&timezone=America/New_York", &r));
  sr_th_response_clean (&r);
  REQUIRE (sr_th_http (sim.redtrack_port, "GET", "/report?api_key=leaked-"
                       "wrong-key&group=source", NULL, NULL, 0, &r));
  sr_th_response_clean (&r);
  text = sr_sim_get (sim.redtrack_port, "/_sim/requests");
  REQUIRE (NULL != text);
  CHECK (NULL == strstr (text, RT_KEY));
  CHECK (NULL == strstr (text, "leaked-wrong-key"));
  j = json_loads (text, 0, NULL);
  free (text);
  REQUIRE (NULL != j);
  CHECK_INT_EQ (jint (j, "count"), 2);
  reqs = json_object_get (j, "requests");
  REQUIRE (2 == json_array_size (reqs));
  e = json_array_get (reqs, 0);
  CHECK_STR_EQ (jstr (e, "method"), "GET");
  CHECK_STR_EQ (jstr (e, "path"), "/report");
  CHECK_STR_EQ (jstr (json_object_get (e, "query"), "api_key"), "***");
  CHECK_STR_EQ (jstr (json_object_get (e, "query"), "group"), "source");
  CHECK_STR_EQ (jstr (json_object_get (e, "query"), "timezone"),
                "America/New_York");
  CHECK (json_is_null (json_object_get (e, "body")));
  CHECK_INT_EQ (jint (e, "status"), 200);
  CHECK_INT_EQ (jint (json_array_get (reqs, 1), "status"), 401);
  json_decref (j);

  /* Everflow: the body as parsed JSON; each port has its own log. */
  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-02", 80, COLS3, &r));
  sr_th_response_clean (&r);
  text = sr_sim_get (sim.everflow_port, "/_sim/requests");
  REQUIRE (NULL != text);
  j = json_loads (text, 0, NULL);
  free (text);
  REQUIRE (NULL != j);
  CHECK_INT_EQ (jint (j, "count"), 1);
  e = json_array_get (json_object_get (j, "requests"), 0);
  CHECK_STR_EQ (jstr (e, "method"), "POST");
  CHECK_STR_EQ (jstr (e, "path"), EF_PATH);
  CHECK_STR_EQ (jstr (json_object_get (e, "body"), "to"), "2025-11-02");
  CHECK_INT_EQ (jint (json_object_get (e, "body"), "timezone_id"), 80);
  CHECK_INT_EQ (jint (e, "status"), 200);
  json_decref (j);
  CHECK_INT_EQ (sr_sim_request_count (sim.redtrack_port), 2);
  sr_sim_stop (&sim);
}

SR_TEST (test_reset_and_config)
{
  struct sr_sim sim;
  struct sr_th_response r;
  char *cfg;
  int status;

  REQUIRE (start (&sim));
  REQUIRE (sr_sim_post (sim.everflow_port, "/_sim/data", "{\"rows\":[]}",
                        NULL));
  REQUIRE (sr_sim_post (sim.everflow_port, "/_sim/config",
                        "{\"row_cap\":1,\"per_max\":5,\"rate_limit\":3,"
                        "\"rate_window_s\":1.5,\"retry_after_header\":false}",
                        NULL));
  REQUIRE (sr_sim_post (sim.everflow_port, "/_sim/faults",
                        "{\"faults\":[{\"status\":500,\"count\":9}]}", NULL));
  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-01", 80, COLS3, &r));
  CHECK_INT_EQ (r.status, 500);
  sr_th_response_clean (&r);

  REQUIRE (sr_sim_post (sim.everflow_port, "/_sim/reset", "", NULL));
  CHECK_INT_EQ (sr_sim_request_count (sim.everflow_port), 0);
  cfg = sr_sim_get (sim.everflow_port, "/_sim/config");
  CHECK_CONTAINS (cfg, "\"row_cap\":10000");
  CHECK_CONTAINS (cfg, "\"rate_limit\":20");
  CHECK_CONTAINS (cfg, "\"rate_window_s\":30.0");
  CHECK_CONTAINS (cfg, "\"retry_after_header\":true");
  free (cfg);
  cfg = sr_sim_get (sim.redtrack_port, "/_sim/config");
  CHECK_CONTAINS (cfg, "\"rate_window_s\":60.0");
  CHECK_CONTAINS (cfg, "\"per_max\":1000");
  free (cfg);
  /* demo data again, no fault left */
  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-01", 80, COLS3, &r));
  CHECK_INT_EQ (r.status, 200);
  CHECK_CONTAINS (r.body, "\"label\":\"G2 - Meta\"");
  sr_th_response_clean (&r);

  /* Bad control input. */
  CHECK (!sr_sim_post (sim.everflow_port, "/_sim/config",
                       "{\"row_cap\":0}", &status));
  CHECK_INT_EQ (status, 400);
  CHECK (!sr_sim_post (sim.everflow_port, "/_sim/config",
                       "{\"rows_cap\":5}", &status));
  CHECK_INT_EQ (status, 400);
  CHECK (!sr_sim_post (sim.everflow_port, "/_sim/data",
                       "{\"rows\":[{\"date\":\"2025-13-01\","
                       "\"affiliate_id\":1,\"advertiser_id\":1}]}",
                       &status));
  CHECK_INT_EQ (status, 400);
  CHECK (!sr_sim_post (sim.redtrack_port, "/_sim/data",
                       "{\"rows\":[{\"date\":\"2025-11-01\"}]}", &status));
  CHECK_INT_EQ (status, 400);
  CHECK (!sr_sim_post (sim.redtrack_port, "/_sim/nope", "{}", &status));
  CHECK_INT_EQ (status, 404);
  CHECK_INT_EQ (sr_sim_request_count (sim.redtrack_port), 0);
  /* per_max bounds per. */
  REQUIRE (sr_sim_post (sim.redtrack_port, "/_sim/config",
                        "{\"per_max\":3}", NULL));
  REQUIRE (rt_get (&sim, "group=source&date_from=2025-11-01&"
                   "date_to=2025-11-01&per=4", &r));
  CHECK_INT_EQ (r.status, 400);
  sr_th_response_clean (&r);
  REQUIRE (rt_get (&sim, "group=source&date_from=2025-11-01&"
                   "date_to=2025-11-01", &r));
  {
    json_t *j = parse (&r);

    CHECK_INT_EQ (json_array_size (j), 3);
    json_decref (j);
  }
  sr_th_response_clean (&r);
  sr_sim_stop (&sim);
}

/* ---- demo data ---- */

static char *
ef_text (const struct sr_sim *sim, const char *from, const char *to)
{
  struct sr_th_response r;
  char *body;

  if (!ef_query (sim, from, to, 80, COLS3, &r))
    return NULL;
  body = 200 == r.status ? r.body : NULL;
  r.body = NULL;
  sr_th_response_clean (&r);
  return body;
}

SR_TEST (test_demo_data)
{
  static const char *const seed7[] = { "--seed", "7", NULL };
  struct sr_sim sim, same, other;
  struct sr_th_response r;
  char *a, *b, *c;
  json_t *j;
  long long g2_ef = 0, g2_rt = 0;
  bool zero_conv = false, null_conv = false, mini_g2 = false;

  REQUIRE (start (&sim));
  REQUIRE (start (&same));
  REQUIRE (sr_sim_start_with (&other, EF_KEY, RT_KEY, seed7));
  REQUIRE (sr_sim_post (sim.everflow_port, "/_sim/config",
                        "{\"rate_limit\":0}", NULL));
  REQUIRE (sr_sim_post (sim.redtrack_port, "/_sim/config",
                        "{\"rate_limit\":0}", NULL));

  /* Deterministic: same seed, same numbers; another seed, others. */
  a = ef_text (&sim, "2025-11-01", "2025-11-30");
  b = ef_text (&same, "2025-11-01", "2025-11-30");
  c = ef_text (&other, "2025-11-01", "2025-11-30");
  REQUIRE (NULL != a && NULL != b && NULL != c);
  CHECK_STR_EQ (a, b);
  CHECK (0 != strcmp (a, c));
  free (b);
  free (c);
  sr_sim_stop (&same);
  sr_sim_stop (&other);
  b = ef_text (&sim, "2025-11-10", "2025-11-10");
  REQUIRE (NULL != b);
  {
    /* a one-day request gives that day's rows of the month request */
    const char *row = strstr (b, "\"reporting\"");
    const char *end = NULL != row ? strchr (row, '}') : NULL;
    char piece[2048];
    int n;

    REQUIRE (NULL != end && end - row < (long) sizeof (piece));
    n = snprintf (piece, sizeof (piece), "%.*s", (int) (end - row + 1), row);
    REQUIRE (n > 0 && (size_t) n < sizeof (piece));
    CHECK_CONTAINS (a, piece);
  }
  free (b);
  /* Everyone is there. */
  CHECK_CONTAINS (a, "\"label\":\"G2 - Meta\"");
  CHECK_CONTAINS (a, "\"label\":\"G2 - Meta \"");
  CHECK_CONTAINS (a, "\"label\":\"G2 - Google\"");
  CHECK_CONTAINS (a, "\"label\":\"SB - Meta\"");
  CHECK_CONTAINS (a, "\"label\":\"SB - Google\"");
  CHECK_CONTAINS (a, "\"label\":\"BHS\"");
  CHECK_CONTAINS (a, "\"label\":\"Blue Bench Media LLC\"");
  CHECK_CONTAINS (a, "\"label\":\"Venture Beyond\"");
  CHECK_CONTAINS (a, "\"label\":\"ProfitFuel\"");
  CHECK_CONTAINS (a, "\"label\":\"Adprecise 3rd Party\"");
  CHECK_CONTAINS (a, "\"label\":\"AC Email\"");
  CHECK_CONTAINS (a, "\"id\":\"1\",\"label\":\"CCW\"");
  CHECK_CONTAINS (a, "\"id\":\"2\",\"label\":\"EXP\"");
  CHECK_CONTAINS (a, "\"id\":\"5\",\"label\":\"Concussion Media\"");
  CHECK_CONTAINS (a, "\"id\":\"6\",\"label\":\"USM\"");
  free (a);

  /* CCW: 300..600 conversions a day; G2 - Meta the largest affiliate. */
  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-30", 80,
                     "\"columns\":[{\"column\":\"date\"},"
                     "{\"column\":\"advertiser\"}],\"query\":{\"filters\":"
                     "[{\"resource_type\":\"advertiser\","
                     "\"filter_id_value\":1}]}", &r));
  j = parse (&r);
  REQUIRE (NULL != j);
  CHECK_INT_EQ (json_array_size (ef_table (j)), 30);
  for (size_t i = 0; i < json_array_size (ef_table (j)); i++) {
    long long cv = metric (ef_table (j), i, "cv");
    long long clicks = metric (ef_table (j), i, "total_click");

    CHECK (cv >= 300 && cv <= 600);
    CHECK (clicks >= 20 * cv && clicks <= 40 * cv);
  }
  json_decref (j);
  sr_th_response_clean (&r);
  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-30", 80,
                     "\"columns\":[{\"column\":\"affiliate\"}],\"query\":"
                     "{\"filters\":[{\"resource_type\":\"advertiser\","
                     "\"filter_id_value\":1}]}", &r));
  j = parse (&r);
  REQUIRE (NULL != j);
  for (size_t i = 0; i < json_array_size (ef_table (j)); i++) {
    const char *id = col_id (ef_table (j), i, 0);

    REQUIRE (NULL != id);
    if (0 == strcmp (id, "1"))
      g2_ef = metric (ef_table (j), i, "cv");
    if (0 == strcmp (id, "17"))
      mini_g2 = true;
  }
  for (size_t i = 0; i < json_array_size (ef_table (j)); i++)
    CHECK (metric (ef_table (j), i, "cv") <= g2_ef);
  CHECK (mini_g2);
  json_decref (j);
  sr_th_response_clean (&r);

  /* Redtrack, day by day. */
  for (int day = 1; day <= 30; day++) {
    char q[256];
    double spend = 0;
    bool none = false, google_ccw = false;
    int n = snprintf (q, sizeof (q), "group=source&date_from=2025-11-%02d&"
                      "date_to=2025-11-%02d&timezone=America/New_York", day,
                      day);

    REQUIRE (n > 0 && (size_t) n < sizeof (q));
    REQUIRE (rt_get (&sim, q, &r));
    CHECK_INT_EQ (r.status, 200);
    j = parse (&r);
    REQUIRE (json_is_array (j));
    CHECK (json_array_size (j) >= 15 && json_array_size (j) <= 21);
    CHECK (NULL == strstr (r.body, "No-redirect tracking)\""));
    for (size_t i = 0; i < json_array_size (j); i++) {
      json_t *row = json_array_get (j, i);
      const char *id = jstr (row, "source_id");
      json_t *conv = json_object_get (row, "conversions");

      REQUIRE (NULL != id);
      CHECK (0 == strlen (id) || 24 == strspn (id, "0123456789abcdef"));
      spend += json_number_value (json_object_get (row, "cost"));
      if (json_is_null (conv))
        null_conv = true;
      else if (0 == json_integer_value (conv)
               && jint (row, "total_conversions") > 0)
        zero_conv = true;
      if (0 == strcmp (id, "")) {
        none = true;
        CHECK_STR_EQ (jstr (row, "source"), "(none)");
      }
      if (0 == strcmp (id, "62b29551c6880d00014d8c73")) {
        google_ccw = true;
        CHECK_STR_EQ (jstr (row, "source"), "Google Ads CCW");
      }
      if (0 == strcmp (id, "66c79f91be26fd4634569658")
          || 0 == strcmp (id, "628fd466f765760001f37209"))
        g2_rt += json_integer_value (conv);
      if (0 == i)
        CHECK_STR_EQ (jstr (row, "source"), "Facebook CCW");
    }
    CHECK (none);
    CHECK (google_ccw);
    CHECK (spend >= 5000 && spend <= 25000);
    json_decref (j);
    sr_th_response_clean (&r);
  }
  CHECK (zero_conv);
  CHECK (null_conv);
  /* Same ballpark: Redtrack conversions of the sources mapped to
   * G2 - Meta/CCW vs Everflow's for that affiliate. */
  CHECK (g2_rt >= g2_ef * 8 / 10 && g2_rt <= g2_ef * 12 / 10);

  /* The unmapped sources appear. */
  REQUIRE (rt_get (&sim, "group=source&date_from=2025-11-01&"
                   "date_to=2025-11-30", &r));
  CHECK_CONTAINS (r.body, "\"source\":\"Tigresh Facebook CCW\"");
  CHECK_CONTAINS (r.body, "\"source\":\"Meta 12-12 SB\"");
  CHECK_CONTAINS (r.body, "\"source\":\"Meta CCW AWF2 Stephanie\",");
  sr_th_response_clean (&r);
  sr_sim_stop (&sim);
}

SR_TEST (test_empty_data)
{
  static const char *const empty[] = { "--data", "empty", NULL };
  struct sr_sim sim;
  struct sr_th_response r;

  REQUIRE (sr_sim_start_with (&sim, EF_KEY, RT_KEY, empty));
  REQUIRE (ef_query (&sim, "2025-11-01", "2025-11-30", 80, COLS3, &r));
  CHECK_INT_EQ (r.status, 200);
  CHECK_STR_EQ (r.body, "{\"table\":[],\"incomplete_results\":false}");
  sr_th_response_clean (&r);
  REQUIRE (rt_get (&sim, "group=source&date_from=2025-11-01&"
                   "date_to=2025-11-30", &r));
  CHECK_STR_EQ (r.body, "[]");
  sr_th_response_clean (&r);
  REQUIRE (rt_get (&sim, "group=source&date_from=2025-11-01&"
                   "date_to=2025-11-30&total=true", &r));
  CHECK_CONTAINS (r.body, "{\"items\":[],\"total\":{\"clicks\":0,");
  sr_th_response_clean (&r);
  /* A reset keeps the start-up choice. */
  REQUIRE (sr_sim_post (sim.redtrack_port, "/_sim/reset", "{}", NULL));
  REQUIRE (rt_get (&sim, "group=source&date_from=2025-11-01&"
                   "date_to=2025-11-30", &r));
  CHECK_STR_EQ (r.body, "[]");
  sr_th_response_clean (&r);
  sr_sim_stop (&sim);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_start_and_stop),
              SR_TEST_ENTRY (test_everflow_auth),
              SR_TEST_ENTRY (test_redtrack_auth),
              SR_TEST_ENTRY (test_everflow_bad_requests),
              SR_TEST_ENTRY (test_redtrack_bad_requests),
              SR_TEST_ENTRY (test_everflow_date_ids_across_dst),
              SR_TEST_ENTRY (test_everflow_row_cap),
              SR_TEST_ENTRY (test_everflow_aggregation),
              SR_TEST_ENTRY (test_everflow_filters),
              SR_TEST_ENTRY (test_exact_decimals),
              SR_TEST_ENTRY (test_redtrack_paging_and_sorting),
              SR_TEST_ENTRY (test_redtrack_total_and_conversions),
              SR_TEST_ENTRY (test_everflow_rate_limit),
              SR_TEST_ENTRY (test_redtrack_rate_limit),
              SR_TEST_ENTRY (test_fault_queue),
              SR_TEST_ENTRY (test_fault_bodies),
              SR_TEST_ENTRY (test_request_log),
              SR_TEST_ENTRY (test_reset_and_config),
              SR_TEST_ENTRY (test_demo_data),
              SR_TEST_ENTRY (test_empty_data))
