/*
 * test_s3_exports.c -- order exports from a real, signature-checking S3
 * server into a real PostgreSQL, through `signalroom sync s3_exports`.
 */
#include "check.h"
#include "harness.h"
#include "s3server.h"

#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define AK "AKIDSIGNALROOMTEST"
#define SK "secret-signalroom-test-0123456789"
#define BUCKET "sticky-test-bucket"
#define PREFIXES "orders-create,orders-update,drift"

static struct sr_s3srv s3;
static char conninfo[1024];
static PGconn *pg;
static bool up;

static void
base_env (struct sr_th_env *env, const char *secret)
{
  sr_th_env_add (env, "DATABASE_URL", conninfo);
  sr_s3srv_env (&s3, env, AK, secret, BUCKET, PREFIXES);
  /* Two keys a page: every listing here spans several pages. */
  sr_th_env_add (env, "S3_LIST_PAGE_SIZE", "2");
  sr_th_env_add (env, "SIGNALROOM_UPSTREAM_BACKOFF_MS", "20");
}

static json_t *
sync_s3 (const char *const *extra, int *code, char **err_out)
{
  struct sr_th_env env = { 0 };
  const char *argv[12] = { "sync", "s3_exports" };
  size_t n = 2;
  char *out, *err;
  json_t *j;

  base_env (&env, SK);
  for (size_t i = 0; NULL != extra && NULL != extra[i] && n < 11; i++)
    argv[n++] = extra[i];
  argv[n] = NULL;
  *code = sr_th_run (&env, argv, &out, &err);
  j = json_loads (out, 0, NULL);
  if (NULL == j)
    fprintf (stderr, "sync printed no JSON: %s\n%s\n", out, err);
  CHECK (NULL == strstr (out, SK) && NULL == strstr (err, SK));
  free (out);
  if (NULL != err_out)
    *err_out = err;
  else
    free (err);
  return j;
}

static json_int_t
files (json_t *r, const char *what)
{
  return json_integer_value (json_object_get (
                               json_object_get (json_object_get (r,
                                                                 "details"),
                                                "files"), what));
}

static json_int_t
rows (json_t *r, const char *what)
{
  return json_integer_value (json_object_get (json_object_get (r, "rows"),
                                              what));
}

static void
put (const char *key, const char *data)
{
  CHECK (sr_s3srv_put (&s3, AK, SK, BUCKET, key, data, strlen (data)));
}

static const char *
q (const char *sql)
{
  return sr_th_pg_value (pg, sql);
}

SR_TEST (test_start)
{
  struct sr_th_env env = { 0 };
  const char *const argv[] = { "migrate", NULL };

  if (!sr_th_create_db ("sr_s3", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  REQUIRE (sr_s3srv_start (&s3, AK, SK, BUCKET));
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  REQUIRE (0 == sr_th_run (&env, argv, NULL, NULL));
  pg = sr_th_pg (conninfo);
  up = true;
}

#define HDR "orders_id,order_date,order_time,order_status,total_amount," \
  "billing_street_address,notes,refund_flag,Click ID\r\n"

SR_TEST (test_load_and_rerun)
{
  json_t *r;
  int code;

  REQUIRE (up);
  /* Five files over two prefixes and several list pages; CSV edges:
   * BOM, LF endings, quoted commas, doubled quotes, an embedded newline. */
  put ("orders-create/report_2025-12-01T0600_a1.csv",
       "\xef\xbb\xbf" HDR
       "1000001,12/01/2025,02:36 AM,NEW,95,\"12 Main St, Apt 4\",,NO,ab12\r\n"
       "1000002,12/01/2025,11:05 PM,DECLINED,35,\"He said \"\"hi\"\"\","
       "\"line one\r\nline two\",NO,\r\n");
  put ("orders-create/report_2025-12-02T0600_b2.csv",
       "orders_id,order_date,order_time,order_status,total_amount,"
       "billing_street_address,notes,refund_flag,Click ID\n"
       "1000003,12/02/2025,09:00 AM,NEW,19.50,1 Elm St,,NO,cd34\n");
  put ("orders-create/report_2025-12-03T0600_c3.csv",
       HDR "1000004,12/03/2025,09:00 AM,NEW,55,2 Oak St,,NO,ef56");
  put ("orders-update/report_2025-12-03T0700_d4.csv",
       HDR "1000001,12/01/2025,02:36 AM,REFUNDED,95,x,,YES,ab12\r\n");
  put ("orders-update/notes.txt", "not an export");

  r = sync_s3 (NULL, &code, NULL);
  CHECK_INT_EQ (code, 0);
  CHECK_STR_EQ (json_string_value (json_object_get (r, "status")),
                "succeeded");
  CHECK_INT_EQ (files (r, "loaded"), 4);
  CHECK_INT_EQ (files (r, "ignored"), 1);
  CHECK_INT_EQ (rows (r, "inserted"), 5);
  json_decref (r);
  CHECK_STR_EQ (q ("SELECT count(*) FROM s3_exports.orders_create"), "4");
  /* Exactly as exported: quotes undone, newline kept, BOM gone. */
  CHECK_STR_EQ (q ("SELECT billing_street_address || '|' || notes FROM "
                   "s3_exports.orders_create WHERE orders_id = '1000002'"),
                "He said \"hi\"|line one\r\nline two");
  CHECK_STR_EQ (q ("SELECT string_agg(orders_id || ':' || _row_id || ':' || "
                   "_file_date || ':' || _client_id, ',' ORDER BY orders_id) "
                   "FROM s3_exports.orders_create"),
                "1000001:0:2025-12-01:713,1000002:1:2025-12-01:713,"
                "1000003:0:2025-12-02:713,1000004:0:2025-12-03:713");
  CHECK_STR_EQ (q ("SELECT click_id FROM s3_exports.orders_create WHERE "
                   "orders_id = '1000001'"), "ab12");
  /* Typed views and the latest state of each order. */
  CHECK_STR_EQ (q ("SELECT ordered_at || '|' || total_amount || '|' || "
                   "refunded FROM s3_exports.orders_create_typed WHERE "
                   "order_id = 1000002"), "2025-12-01 23:05:00|35|false");
  CHECK_STR_EQ (q ("SELECT order_status || '|' || refunded || '|' || _source "
                   "FROM s3_exports.orders_current WHERE order_id = 1000001"),
                "REFUNDED|true|orders_update");
  CHECK_STR_EQ (q ("SELECT count(*) FROM s3_exports.orders_current"), "4");

  /* Nothing new: nothing downloaded, nothing written. */
  r = sync_s3 (NULL, &code, NULL);
  CHECK_INT_EQ (code, 0);
  CHECK_INT_EQ (files (r, "loaded"), 0);
  CHECK_INT_EQ (files (r, "unchanged"), 4);
  CHECK_INT_EQ (rows (r, "inserted"), 0);
  /* Only listing requests, 2 keys a page: orders-create's 3 keys take 2
   * pages, orders-update's 2 (the export and the txt) 1, drift's none 1. */
  CHECK_INT_EQ (json_integer_value (json_object_get (r, "requests")), 4);
  json_decref (r);
  CHECK_STR_EQ (q ("SELECT count(*) FROM s3_exports.orders_create"), "4");
}

SR_TEST (test_reexport_replaces_rows)
{
  json_t *r;
  int code;

  REQUIRE (up);
  /* A re-export of 12-01 with one row fewer and a changed value. */
  put ("orders-create/report_2025-12-01T0600_a1.csv",
       HDR "1000001,12/01/2025,02:36 AM,NEW,96,new address,,NO,ab12\r\n");
  r = sync_s3 (NULL, &code, NULL);
  CHECK_INT_EQ (code, 0);
  CHECK_INT_EQ (files (r, "loaded"), 1);
  CHECK_INT_EQ (rows (r, "deleted"), 2);
  CHECK_INT_EQ (rows (r, "inserted"), 1);
  json_decref (r);
  CHECK_STR_EQ (q ("SELECT string_agg(orders_id || ':' || total_amount, ',' "
                   "ORDER BY orders_id) FROM s3_exports.orders_create WHERE "
                   "_file_date = '2025-12-01'"), "1000001:96");
  /* --force with a window reloads just the files dated in it. */
  {
    const char *const force[] = { "--from", "2025-12-02", "--to",
                                  "2025-12-02", "--force", NULL };

    r = sync_s3 (force, &code, NULL);
    CHECK_INT_EQ (code, 0);
    CHECK_INT_EQ (files (r, "loaded"), 1);
    CHECK_INT_EQ (rows (r, "deleted"), 1);
    CHECK_INT_EQ (rows (r, "inserted"), 1);
    json_decref (r);
  }
  CHECK_STR_EQ (q ("SELECT count(*) FROM s3_exports.orders_create"), "3");
}

SR_TEST (test_bad_rows_quarantined)
{
  json_t *r;
  int code;

  REQUIRE (up);
  put ("orders-create/report_2025-12-05T0600_e5.csv",
       HDR
       "1000010,12/05/2025,01:00 AM,NEW,10,a,,NO,x\r\n"
       "1000011,12/05/2025,01:00 AM,NEW,10,a,,NO\r\n"              /* 8 */
       "1000012,12/05/2025,01:00 AM,NEW,10,bad \xff byte,,NO,x\r\n" /* UTF-8 */
       "1000013,12/05/2025,01:00 AM,NEW,1\"0,a,,NO,x\r\n"          /* quote */
       "1000014,12/05/2025,01:00 AM,NEW,10,a,,NO,x\r\n");
  r = sync_s3 (NULL, &code, NULL);
  CHECK_INT_EQ (code, 0);
  CHECK_INT_EQ (rows (r, "inserted"), 2);
  CHECK_INT_EQ (rows (r, "skipped"), 3);
  CHECK_INT_EQ (json_integer_value (json_object_get (json_object_get (
                                                       r, "details"),
                                                     "quarantined_rows")), 3);
  json_decref (r);
  CHECK_STR_EQ (q ("SELECT string_agg(line || ':' || reason, ';' ORDER BY "
                   "line) FROM signalroom.s3_quarantine WHERE key LIKE "
                   "'%2025-12-05%'"),
                "3:expected 9 fields, found 8;4:invalid UTF-8;"
                "5:quote in unquoted field (field 5)");
  /* The raw bytes, exactly, for a person to look at. */
  CHECK_STR_EQ (q ("SELECT encode(raw, 'escape') FROM "
                   "signalroom.s3_quarantine WHERE line = 4"),
                "1000012,12/05/2025,01:00 AM,NEW,10,bad \\377 byte,,NO,x");
  CHECK_STR_EQ (q ("SELECT rows_loaded || '/' || rows_rejected FROM "
                   "signalroom.s3_objects WHERE key LIKE '%2025-12-05%'"),
                "2/3");
  /* _row_id is the data row's position, bad rows included. */
  CHECK_STR_EQ (q ("SELECT string_agg(_row_id::text, ',' ORDER BY _row_id) "
                   "FROM s3_exports.orders_create WHERE _file_date = "
                   "'2025-12-05'"), "0,4");
}

SR_TEST (test_header_drift)
{
  json_t *r;
  int code;
  char *err;

  REQUIRE (up);
  put ("drift/report_2025-12-06T0600_f1.csv",
       "Order ID,Amount,Status\r\n1,10.00,NEW\r\n");
  r = sync_s3 (NULL, &code, NULL);
  CHECK_INT_EQ (code, 0);
  json_decref (r);
  /* The next day's file: reordered, a new column, one missing. */
  put ("drift/report_2025-12-07T0600_f2.csv",
       "Status,Order ID,Affiliate Sub ID 6\r\nNEW,2,sub-6\r\n");
  r = sync_s3 (NULL, &code, NULL);
  CHECK_INT_EQ (code, 0);
  CHECK_STR_EQ (json_string_value (json_array_get (json_object_get (
                                                     json_object_get (
                                                       json_object_get (
                                                         r, "details"),
                                                       "new_columns"),
                                                     "drift/report_2025-12-07"
                                                     "T0600_f2.csv"), 0)),
                "affiliate_sub_id_6");
  CHECK_INT_EQ (json_array_size (json_object_get (json_object_get (
                                   json_object_get (r, "details"),
                                   "new_columns"), "drift/report_2025-12-07"
                                 "T0600_f2.csv")), 1);
  json_decref (r);
  CHECK_STR_EQ (q ("SELECT string_agg(order_id || '/' || coalesce(amount, "
                   "'NULL') || '/' || status || '/' || coalesce("
                   "affiliate_sub_id_6, 'NULL'), ',' ORDER BY order_id) FROM "
                   "s3_exports.drift"), "1/10.00/NEW/NULL,2/NULL/NEW/sub-6");
  /* A duplicate header name refuses the file: nothing of it lands. */
  put ("drift/report_2025-12-08T0600_f3.csv",
       "Order ID,Status,order_id\r\n3,NEW,3\r\n");
  r = sync_s3 (NULL, &code, &err);
  CHECK_INT_EQ (code, 1);
  CHECK_CONTAINS (json_string_value (json_object_get (r, "error")),
                  "duplicate header name");
  CHECK_INT_EQ (files (r, "refused"), 1);
  json_decref (r);
  free (err);
  CHECK_STR_EQ (q ("SELECT count(*) FROM s3_exports.drift"), "2");
  CHECK_STR_EQ (q ("SELECT count(*) FROM signalroom.s3_objects WHERE key "
                   "LIKE '%f3.csv'"), "0");
  CHECK (sr_s3srv_delete (&s3, AK, SK, BUCKET,
                          "drift/report_2025-12-08T0600_f3.csv"));
}

SR_TEST (test_not_csv_refused)
{
  static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10" "binary";
  json_t *r;
  int code;

  REQUIRE (up);
  CHECK (sr_s3srv_put (&s3, AK, SK, BUCKET,
                       "drift/report_2025-12-09T0600_img.csv", png,
                       sizeof (png) - 1));
  r = sync_s3 (NULL, &code, NULL);
  CHECK_INT_EQ (code, 1);
  CHECK_CONTAINS (json_string_value (json_object_get (r, "error")),
                  "not a CSV export");
  json_decref (r);
  CHECK_STR_EQ (q ("SELECT count(*) FROM s3_exports.drift"), "2");
  CHECK (sr_s3srv_delete (&s3, AK, SK, BUCKET,
                          "drift/report_2025-12-09T0600_img.csv"));
}

SR_TEST (test_gzip)
{
  const char *plain = HDR "1000020,12/10/2025,03:00 PM,NEW,77,g,,NO,gz\r\n"
                      "1000021,12/10/2025,03:01 PM,NEW,78,g,,NO,gz\r\n";
  unsigned char packed[4096];
  z_stream z = { 0 };
  json_t *r;
  int code;

  REQUIRE (up);
  REQUIRE (Z_OK == deflateInit2 (&z, 9, Z_DEFLATED, 15 + 16, 8,
                                 Z_DEFAULT_STRATEGY));
  z.next_in = (unsigned char *) plain;
  z.avail_in = (unsigned int) strlen (plain);
  z.next_out = packed;
  z.avail_out = sizeof (packed);
  REQUIRE (Z_STREAM_END == deflate (&z, Z_FINISH));
  CHECK (sr_s3srv_put (&s3, AK, SK, BUCKET,
                       "orders-create/report_2025-12-10T0600_g.csv.gz",
                       packed, sizeof (packed) - z.avail_out));
  deflateEnd (&z);
  r = sync_s3 (NULL, &code, NULL);
  CHECK_INT_EQ (code, 0);
  CHECK_INT_EQ (rows (r, "inserted"), 2);
  json_decref (r);
  CHECK_STR_EQ (q ("SELECT string_agg(total_amount, ',' ORDER BY orders_id) "
                   "FROM s3_exports.orders_create WHERE click_id = 'gz'"),
                "77,78");
}

SR_TEST (test_bad_signature)
{
  struct sr_th_env env = { 0 };
  const char *argv[] = { "sync", "s3_exports", NULL };
  char *out, *err;
  json_t *r;

  REQUIRE (up);
  base_env (&env, "not-the-secret-at-all-0123456789");
  CHECK_INT_EQ (sr_th_run (&env, argv, &out, &err), 1);
  r = json_loads (out, 0, NULL);
  CHECK_CONTAINS (json_string_value (json_object_get (r, "error")),
                  "SignatureDoesNotMatch");
  CHECK (NULL == strstr (out, "not-the-secret-at-all")
         && NULL == strstr (err, "not-the-secret-at-all"));
  json_decref (r);
  free (out);
  free (err);
}

/* A file big enough that a load takes a while. */
static char *
big_file (int n_rows, size_t *len)
{
  size_t cap = (size_t) n_rows * 160 + 256;
  char *b = malloc (cap);
  size_t o = 0;

  if (NULL == b)
    abort ();
  o += (size_t) snprintf (b, cap, HDR);
  for (int i = 0; i < n_rows; i++)
    o += (size_t) snprintf (b + o, cap - o,
                            "%d,12/11/2025,04:00 PM,NEW,%d,\"%d Long Road, "
                            "Suite %d\",some notes here,NO,%08x%08x\r\n",
                            2000000 + i, i % 500, i, i % 90, i * 7, i * 13);
  *len = o;
  return b;
}

SR_TEST (test_kill_mid_load)
{
  struct sr_th_env env = { 0 };
  const char *const argv[] = { "sync", "s3_exports", NULL };
  struct sr_th_server proc;
  size_t len;
  char *data = big_file (300000, &len);
  int code;
  json_t *r;
  bool copying = false;
  double t0;

  REQUIRE (up);
  REQUIRE (sr_s3srv_put (&s3, AK, SK, BUCKET,
                         "orders-create/report_2025-12-11T0600_big.csv",
                         data, len));
  free (data);
  base_env (&env, SK);
  sr_th_env_add (&env, "LOG_LEVEL", "debug");
  REQUIRE (sr_th_process_start (&proc, &env, argv));
  /* Wait, by polling the server's own progress view, until rows of the
   * big file are streaming in -- then kill the loader mid-COPY. */
  t0 = sr_th_now ();
  while (!copying && sr_th_now () - t0 < 60) {
    /* This test's database and table only: ctest runs other tests'
     * COPYs on the same cluster at the same time. */
    copying = 0 != strcmp ("0", q ("SELECT count(*) FROM "
                                   "pg_stat_progress_copy WHERE "
                                   "datname = current_database() AND "
                                   "relid = 's3_exports.orders_create'::"
                                   "regclass AND tuples_processed > 1000"));
    if (!copying)
      (void) poll (NULL, 0, 5);   /* re-check interval, not a wait */
  }
  REQUIRE (copying);
  CHECK (sr_th_server_stop (&proc, SIGKILL, 10000, &code, NULL));
  CHECK_INT_EQ (code, 128 + SIGKILL);
  /* Nothing of the file is there: the transaction died with the process. */
  q ("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
     "datname = current_database() AND pid <> pg_backend_pid()");
  CHECK_STR_EQ (q ("SELECT count(*) FROM s3_exports.orders_create WHERE "
                   "_file_date = '2025-12-11'"), "0");
  CHECK_STR_EQ (q ("SELECT count(*) FROM signalroom.s3_objects WHERE key "
                   "LIKE '%big.csv'"), "0");
  /* The next run finishes the job, once. */
  r = sync_s3 (NULL, &code, NULL);
  CHECK_INT_EQ (code, 0);
  CHECK_INT_EQ (files (r, "loaded"), 1);
  CHECK_INT_EQ (rows (r, "inserted"), 300000);
  json_decref (r);
  CHECK_STR_EQ (q ("SELECT count(*) || '/' || count(DISTINCT _row_id) FROM "
                   "s3_exports.orders_create WHERE _file_date = "
                   "'2025-12-11'"), "300000/300000");
}

/* The same loads through `serve`'s job queue: a run is a plan job (the
 * listing) that queues one job per new object; each object commits with
 * its job's completion.  A second run plans again and writes nothing. */
SR_TEST (test_through_the_job_queue)
{
  static const char secret[] = "s3-jobs-secret-0123456789abcdef01234567";
  struct sr_th_server srv;
  struct sr_th_env env = { 0 };
  char *token = sr_th_jwt (secret, "service_role", "authenticated", 600);
  char before[32], sql[256];
  json_t *r = NULL;
  int code;

  REQUIRE (up);
  snprintf (before, sizeof (before), "%s",
            q ("SELECT count(*) FROM s3_exports.orders_create"));
  put ("orders-create/report_2025-12-20T0600_q1.csv",
       HDR "2000001,12/20/2025,08:00 AM,NEW,10,1 A St,,NO,q1\r\n"
       "2000002,12/20/2025,08:01 AM,NEW,11,2 A St,,NO,q2\r\n");
  put ("orders-create/report_2025-12-21T0600_q2.csv",
       HDR "2000003,12/21/2025,09:00 AM,DECLINED,12,3 A St,,NO,q3\r\n"
       "2000004,12/21/2025,09:01 AM,NEW,12,4 A St,,NO\r\n");   /* 8 fields */
  base_env (&env, SK);
  sr_th_env_add (&env, "SIGNALROOM_JWT_SECRET", secret);
  sr_th_env_add (&env, "SIGNALROOM_POLL_MS", "100");
  sr_th_env_add (&env, "SIGNALROOM_SCHEDULER", "false");
  REQUIRE (sr_th_server_start (&srv, &env));
  for (int round = 0; round < 2; round++) {
    json_int_t id = 0;
    const char *status = NULL;

    CHECK_INT_EQ (sr_th_api (srv.port, token, "POST", "/v1/syncs",
                             "{\"source\":\"s3_exports\"}", &r), 202);
    id = json_integer_value (json_object_get (r, "id"));
    json_decref (r);
    r = NULL;
    snprintf (sql, sizeof (sql), "/v1/syncs/%" JSON_INTEGER_FORMAT, id);
    for (double t0 = sr_th_now (); sr_th_now () - t0 < 60;) {
      json_decref (r);
      r = NULL;
      if (200 == sr_th_api (srv.port, token, "GET", sql, NULL, &r)
          && NULL != (status = json_string_value (json_object_get (r,
                                                                   "status")))
          && 0 != strcmp (status, "queued") && 0 != strcmp (status,
                                                            "running"))
        break;
      (void) poll (NULL, 0, 50);   /* re-check interval, not a wait */
    }
    REQUIRE (NULL != r);
    CHECK_STR_EQ (json_string_value (json_object_get (r, "status")),
                  "succeeded");
    /* The plan and one job per object it queued (none the second time:
     * every object is known with its ETag). */
    snprintf (sql, sizeof (sql), "SELECT count(*) FILTER (WHERE kind = "
              "'plan') || '/' || count(*) FILTER (WHERE kind = 'object') "
              "FROM signalroom.jobs WHERE run_id = %" JSON_INTEGER_FORMAT, id);
    CHECK_STR_EQ (q (sql), 0 == round ? "1/2" : "1/0");
    json_decref (r);
    r = NULL;
  }
  snprintf (sql, sizeof (sql), "%d", atoi (before) + 3);
  CHECK_STR_EQ (q ("SELECT count(*) FROM s3_exports.orders_create"), sql);
  CHECK_STR_EQ (q ("SELECT string_agg(orders_id || '@' || _row_id, ',' "
                   "ORDER BY orders_id) FROM s3_exports.orders_create WHERE "
                   "_file_name LIKE '%T0600_q_.csv'"),
                "2000001@0,2000002@1,2000003@0");
  /* What the loads wrote, in the instance's metrics: by table, and the
   * bad row quarantined. */
  {
    struct sr_th_response m;

    REQUIRE (sr_th_http (srv.port, "GET", "/metrics", NULL, NULL, 0, &m));
    CHECK_CONTAINS (m.body, "\nsignalroom_rows_total{source=\"s3_exports\","
                    "table=\"s3_exports.orders_create\",action=\"inserted\"}"
                    " 3\n");
    CHECK_CONTAINS (m.body, "\nsignalroom_quarantined_rows_total{source="
                    "\"s3_exports\"} 1\n");
    CHECK_CONTAINS (m.body, "\nsignalroom_upstream_requests_total{upstream="
                    "\"s3\",status_class=\"2xx\"} ");
    sr_th_response_clean (&m);
  }
  CHECK (sr_th_server_stop (&srv, SIGTERM, 20000, &code, NULL));
  free (token);
}

SR_TEST (test_stop)
{
  REQUIRE (up);
  PQfinish (pg);
  sr_s3srv_stop (&s3);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_start),
              SR_TEST_ENTRY (test_load_and_rerun),
              SR_TEST_ENTRY (test_reexport_replaces_rows),
              SR_TEST_ENTRY (test_bad_rows_quarantined),
              SR_TEST_ENTRY (test_header_drift),
              SR_TEST_ENTRY (test_not_csv_refused),
              SR_TEST_ENTRY (test_gzip),
              SR_TEST_ENTRY (test_bad_signature),
              SR_TEST_ENTRY (test_kill_mid_load),
              SR_TEST_ENTRY (test_through_the_job_queue),
              SR_TEST_ENTRY (test_stop))
