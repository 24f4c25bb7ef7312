/*
 * test_everflow_parse.c -- the event-driven Everflow report parser.
 */
#include "check.h"
#include "everflow_parse.h"

#include <string.h>

#define ROW(date, aff, adv, click, cv, rev, pay, prof)                      \
  "{\"columns\":[{\"column_type\":\"date\",\"id\":\"" date "\",\"label\":\"\"}," \
  "{\"column_type\":\"affiliate\",\"id\":\"" aff "\",\"label\":\"Aff " aff    \
  "\"},{\"column_type\":\"advertiser\",\"id\":\"" adv "\",\"label\":\"CCW\"}]," \
  "\"reporting\":{\"imp\":0,\"total_click\":" click ",\"cv\":" cv             \
  ",\"revenue\":" rev ",\"payout\":" pay ",\"profit\":" prof "}}"

static enum sr_status
parse (const char *json, struct sr_ef_report *rep, char *err)
{
  memset (rep, 0, sizeof (*rep));
  err[0] = '\0';
  return sr_ef_parse (json, strlen (json), rep, err, 400);
}

SR_TEST (test_rows_and_exact_money)
{
  struct sr_ef_report rep;
  char err[400];

  REQUIRE (SR_OK == parse ("{\"table\":[" ROW ("1762056000", "42", "1", "180",
                                                "12", "1234567.89", "0.1",
                                                "1234567.79") ","
                           ROW ("1762142400", "7", "2", "3", "0", "270",
                                "12.5", "1e-05") "],\"incomplete_results\":"
                           "false}", &rep, err));
  REQUIRE (2 == rep.n_rows);
  CHECK (!rep.incomplete);
  CHECK_INT_EQ (rep.rows[0].epoch, 1762056000);
  CHECK_INT_EQ (rep.rows[0].affiliate_id, 42);
  CHECK_STR_EQ (rep.rows[0].affiliate_label, "Aff 42");
  CHECK_STR_EQ (rep.rows[0].advertiser_label, "CCW");
  CHECK_INT_EQ (rep.rows[0].clicks, 180);
  CHECK_INT_EQ (rep.rows[0].conversions, 12);
  /* The text Everflow wrote, never a double's rendering of it. */
  CHECK_STR_EQ (rep.rows[0].revenue, "1234567.89");
  CHECK_STR_EQ (rep.rows[0].payout, "0.10");
  CHECK_STR_EQ (rep.rows[1].revenue, "270.00");
  CHECK_STR_EQ (rep.rows[1].payout, "12.50");
  CHECK_STR_EQ (rep.rows[1].profit, "1e-05");
  sr_ef_report_clean (&rep);
}

SR_TEST (test_skips_unknown_members)
{
  struct sr_ef_report rep;
  char err[400];

  REQUIRE (SR_OK == parse (
             "{\"meta\":{\"a\":[1,{\"b\":[]}],\"c\":null},\"table\":["
             "{\"extra\":[[{\"x\":1}]],\"columns\":["
             "{\"column_type\":\"offer\",\"id\":\"9\",\"label\":\"O\"},"
             "{\"column_type\":\"date\",\"id\":1762056000,\"label\":null,"
             "\"more\":{\"k\":true}},"
             "{\"column_type\":\"affiliate\",\"id\":\"1\",\"label\":\"A\"},"
             "{\"column_type\":\"advertiser\",\"id\":\"2\"}],"
             "\"reporting\":{\"ctr\":1.5,\"total_click\":5.0,\"cv\":1,"
             "\"revenue\":3,\"payout\":2,\"profit\":1,\"nested\":{\"z\":[1]}}}"
             "],\"incomplete_results\":true,\"paging\":{}}", &rep, err));
  REQUIRE (1 == rep.n_rows);
  CHECK (rep.incomplete);
  CHECK_INT_EQ (rep.rows[0].clicks, 5);
  CHECK_STR_EQ (rep.rows[0].advertiser_label, "");
  sr_ef_report_clean (&rep);
}

SR_TEST (test_errors_name_the_row)
{
  static const struct {
    const char *json;
    const char *why;
  } cases[] = {
    { "{\"table\": [ {oops", "not valid JSON" },
    { "[]", "array, not an object" },
    { "{\"rows\":[]}", "no \"table\" array" },
    { "{\"table\":[" ROW ("1", "1", "1", "\"many\"", "1", "1", "1", "1") "]}",
      "row 0: reporting.total_click is not a count" },
    { "{\"table\":[" ROW ("1", "1", "1", "1", "-1", "1", "1", "1") "]}",
      "row 0: reporting.cv is not a count" },
    { "{\"table\":[" ROW ("1", "1", "1", "1", "1.5", "1", "1", "1") "]}",
      "row 0: reporting.cv is not a count" },
    { "{\"table\":[" ROW ("1", "1", "1", "1", "1", "\"lots\"", "1", "1") "]}",
      "row 0: reporting.revenue is not a number" },
    { "{\"table\":[" ROW ("x", "1", "1", "1", "1", "1", "1", "1") "]}",
      "row 0: date id is not a number" },
    { "{\"table\":[" ROW ("1", "1", "1", "1", "1", "1", "1", "1") ","
      "{\"columns\":[]}]}", "row 1 has no columns/reporting" },
    { "{\"table\":[{\"columns\":[{\"column_type\":\"date\",\"id\":\"1\"}],"
      "\"reporting\":{\"total_click\":1,\"cv\":1,\"revenue\":1,\"payout\":1,"
      "\"profit\":1}}]}", "row 0 lacks a date, affiliate or advertiser" },
    { "{\"table\":[{\"columns\":[{\"column_type\":\"date\",\"id\":\"1\"},"
      "{\"column_type\":\"affiliate\",\"id\":\"1\"},{\"column_type\":"
      "\"advertiser\",\"id\":\"1\"}],\"reporting\":{\"total_click\":1}}]}",
      "row 0: reporting.total_click, cv, revenue, payout or profit is "
      "missing" },
    { "{\"table\":[" ROW ("1", "1", "1", "1", "1", "1", "1", "1") "]} x",
      "not valid JSON" },
    { "{\"table\":[\"row\"]}", "row 0: unexpected string" },
  };
  char err[400];

  for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++) {
    struct sr_ef_report rep;

    CHECK_INT_EQ (parse (cases[i].json, &rep, err), SR_E_UPSTREAM);
    CHECK_CONTAINS (err, cases[i].why);
    sr_ef_report_clean (&rep);
  }
}

SR_TEST (test_advertiser_list)
{
  static const char json[] =
    "{\"table\":[{\"columns\":[{\"column_type\":\"advertiser\",\"id\":\"1\","
    "\"label\":\"CCW\"}],\"reporting\":{\"cv\":3}},{\"columns\":[{"
    "\"column_type\":\"advertiser\",\"id\":\"12\",\"label\":\"Bizlago\"}],"
    "\"reporting\":{}}],\"incomplete_results\":false}";
  int64_t *ids;
  size_t n;
  bool incomplete = true;
  char err[400];

  REQUIRE (SR_OK == sr_ef_parse_advertisers (json, strlen (json), &ids, &n,
                                             &incomplete, err, sizeof (err)));
  REQUIRE (2 == n);
  CHECK_INT_EQ (ids[0], 1);
  CHECK_INT_EQ (ids[1], 12);
  CHECK (!incomplete);
  free (ids);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_rows_and_exact_money),
              SR_TEST_ENTRY (test_skips_unknown_members),
              SR_TEST_ENTRY (test_errors_name_the_row),
              SR_TEST_ENTRY (test_advertiser_list))
