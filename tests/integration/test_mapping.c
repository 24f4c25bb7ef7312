/*
 * test_mapping.c -- the affiliate mapping: the real file through the CLI
 * and over HTTP, and bad files refused whole with the line at fault.
 */
#include "check.h"
#include "harness.h"

#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define SECRET "mapping-secret-0123456789abcdef012345"
#define HEADER "redtrack.source,redtrack.source_alias,redtrack.source_id," \
  "everflow.affiliate_id,everflow.affiliate_label,everflow.advertiser_id," \
  "everflow.advertiser_label\r\n"

static struct sr_th_server srv;
static char conninfo[1024];
static PGconn *pg;
static bool up;

static int
put_csv (const char *role, const char *body, json_t **out)
{
  struct sr_th_response r;
  char *tok = sr_th_jwt (SECRET, role, "authenticated", 600);
  char hdr[2048];
  int status;

  snprintf (hdr, sizeof (hdr), "Authorization: Bearer %s\r\n"
            "Content-Type: text/csv; charset=utf-8\r\n", tok);
  free (tok);
  if (!sr_th_http (srv.port, "PUT", "/v1/mappings/affiliates", hdr, body,
                   strlen (body), &r))
    return -1;
  status = r.status;
  *out = json_loads (r.body, 0, NULL);
  sr_th_response_clean (&r);
  return status;
}

static json_t *
get_mapping (const char *role, int *status)
{
  struct sr_th_response r;
  char *tok = sr_th_jwt (SECRET, role, "authenticated", 600);
  char hdr[2048];
  json_t *j;

  snprintf (hdr, sizeof (hdr), "Authorization: Bearer %s\r\n", tok);
  free (tok);
  *status = -1;
  if (!sr_th_http (srv.port, "GET", "/v1/mappings/affiliates", hdr, NULL, 0,
                   &r))
    return NULL;
  *status = r.status;
  j = json_loads (r.body, 0, NULL);
  sr_th_response_clean (&r);
  return j;
}

SR_TEST (test_start)
{
  struct sr_th_env env = { 0 };

  if (!sr_th_create_db ("sr_mapping", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  sr_th_env_add (&env, "SIGNALROOM_JWT_SECRET", SECRET);
  REQUIRE (sr_th_server_start (&srv, &env));
  REQUIRE (NULL != sr_th_server_wait_log (&srv, 20000, "migrations current",
                                          NULL));
  pg = sr_th_pg (conninfo);
  up = true;
}

SR_TEST (test_cli_loads_the_real_file)
{
  struct sr_th_env env = { 0 };
  const char *argv[] = { "mapping", "load",
                         SR_SOURCE_DIR "/tests/data/internal-affiliates.csv",
                         NULL };
  char *out;
  json_t *j, *m;
  int status;
  size_t i;
  bool saw_trimmed = false, saw_na = false;

  REQUIRE (up);
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  CHECK_INT_EQ (sr_th_run (&env, argv, &out, NULL), 0);
  CHECK_STR_EQ (out, "{\"rows\":18,\"previous_rows\":0}\n");
  free (out);
  j = get_mapping ("authenticated", &status);
  CHECK_INT_EQ (status, 200);
  CHECK_INT_EQ (json_integer_value (json_object_get (j, "count")), 18);
  json_array_foreach (json_object_get (j, "mappings"), i, m) {
    const char *name = json_string_value (json_object_get (m,
                                                           "redtrack_source_name"));

    if (0 == strcmp (name, "Meta CCW AWF2 Stephanie"))
      saw_trimmed = true;
    if (0 == strcmp (name, "713 Meta"))
      saw_na = json_is_null (json_object_get (m, "everflow_affiliate_id"))
               && json_is_null (json_object_get (m,
                                                 "everflow_affiliate_label"))
               && 19 == json_integer_value (json_object_get (m, "line"));
  }
  CHECK (saw_trimmed);
  CHECK (saw_na);
  json_decref (j);
  /* The row with a mapped affiliate id but n/a advertiser keeps both. */
  CHECK_STR_EQ (sr_th_pg_value (pg, "SELECT coalesce(everflow_affiliate_id::"
                                "text, 'null') || '/' || coalesce("
                                "everflow_advertiser_id::text, 'null') FROM "
                                "signalroom.affiliate_mapping WHERE "
                                "redtrack_source_id = "
                                "'6807cdb766fd1829467446e8'"), "6/null");
}

SR_TEST (test_bad_files_refused_whole)
{
  static const struct {
    const char *body;
    int line;
    const char *why;
  } cases[] = {
    { "source,alias\r\nx,y", 1, "header" },
    { HEADER "A,facebook,aaaaaaaaaaaaaaaaaaaaaaa1,1,G2 - Meta,1,CCW\r\n"
      "B,facebook,aaaaaaaaaaaaaaaaaaaaaaa1,1,SB - Meta,1,CCW", 3,
      "already mapped on line 2" },
    { HEADER "A,facebook,aaaaaaaaaaaaaaaaaaaaaaa1,one,G2 - Meta,1,CCW", 2,
      "not an integer" },
    { HEADER "A,facebook,aaaaaaaaaaaaaaaaaaaaaaa1,1,G2 - Meta,1\r\n", 2,
      "expected 7 fields" },
    { HEADER "A,facebook,n/a,1,G2 - Meta,1,CCW", 2, "source_id is missing" },
    { HEADER "A,facebook,aaaaaaaaaaaaaaaaaaaaaaa1,1,\"G2 \"x,1,CCW", 2,
      "quote" },
    { HEADER "A,facebook,aaaaaaaaaaaaaaaaaaaaaaa1,1,G2 \xff,1,CCW", 2,
      "UTF-8" },
    { HEADER, 1, "no mapping rows" },
    { "", 0, "empty" },
  };
  json_t *j;
  int status;

  REQUIRE (up);
  for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++) {
    CHECK_INT_EQ (put_csv ("service_role", cases[i].body, &j), 400);
    CHECK_STR_EQ (json_string_value (json_object_get (j, "code")),
                  "invalid_request");
    CHECK_INT_EQ (json_integer_value (json_object_get (j, "line")),
                  cases[i].line);
    CHECK_CONTAINS (json_string_value (json_object_get (j, "detail")),
                    cases[i].why);
    json_decref (j);
  }
  /* The mapping loaded before is untouched. */
  j = get_mapping ("service_role", &status);
  CHECK_INT_EQ (json_integer_value (json_object_get (j, "count")), 18);
  json_decref (j);
}

SR_TEST (test_http_replace)
{
  json_t *j;
  int status;

  REQUIRE (up);
  /* Reading is for everyone authenticated; replacing is service_role. */
  CHECK_INT_EQ (put_csv ("authenticated", HEADER "A,f,abc,1,G2 - Meta,1,CCW",
                         &j), 403);
  json_decref (j);
  /* LF line ends, no BOM, values padded with spaces. */
  CHECK_INT_EQ (put_csv ("service_role",
                         "redtrack.source,redtrack.source_alias,"
                         "redtrack.source_id,everflow.affiliate_id,"
                         "everflow.affiliate_label,everflow.advertiser_id,"
                         "everflow.advertiser_label\n"
                         " Facebook CCW , facebook ,66c79f91be26fd4634569658,"
                         "1, G2 - Meta ,1,CCW\n", &j), 200);
  CHECK_INT_EQ (json_integer_value (json_object_get (j, "rows")), 1);
  CHECK_INT_EQ (json_integer_value (json_object_get (j, "previous_rows")), 18);
  json_decref (j);
  j = get_mapping ("authenticated", &status);
  CHECK_INT_EQ (status, 200);
  CHECK_STR_EQ (json_string_value (json_object_get (
                  json_array_get (json_object_get (j, "mappings"), 0),
                  "everflow_affiliate_label")), "G2 - Meta");
  json_decref (j);
  CHECK_STR_EQ (sr_th_pg_value (pg, "SELECT count(*) FROM "
                                "public.affiliate_mapping"), "1");
}

SR_TEST (test_stop)
{
  int code;

  REQUIRE (up);
  PQfinish (pg);
  CHECK (sr_th_server_stop (&srv, SIGTERM, 10000, &code, NULL));
  CHECK_INT_EQ (code, 0);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_start),
              SR_TEST_ENTRY (test_cli_loads_the_real_file),
              SR_TEST_ENTRY (test_bad_files_refused_whole),
              SR_TEST_ENTRY (test_http_replace),
              SR_TEST_ENTRY (test_stop))
