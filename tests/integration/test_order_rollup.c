/*
 * test_order_rollup.c -- the S3 loader keeps the order reports in C
 * (sources/order_latest.c) exactly as the SQL definition would
 * (signalroom.order_export_rows, reports.orders_file_loaded,
 * reports.rebuild_orders).
 *
 * The same sequence of exports -- junk in every field the reports read,
 * an order several times in one file, two update files of one day, an
 * update before its create, a file without a date, a file missing
 * columns, a re-export that drops and changes orders -- is loaded from a
 * real S3 server into two databases: one where the loader counts in C,
 * one where it leaves every file to the database (S3_ROLLUP_BUFFER_MB=0).
 * After each step the kept orders and counts must be identical, and equal
 * to a recount from scratch.  A few figures are also checked against
 * values worked out by hand from the rows below.
 */
#include "check.h"
#include "harness.h"
#include "s3server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AK "AKIDSIGNALROOMORDERS"
#define SK "secret-signalroom-orders-0123456789"
#define BUCKET "sticky-orders"

static struct sr_s3srv s3;
static char conn_c[1024], conn_sql[1024];
static PGconn *pg_c, *pg_sql;
static bool up;

/* Cells the reports read, junk included; row i takes entry i % n of each
 * list (the lengths are coprime-ish, so combinations vary). */
static const char *const ids[] = {
  "1001", " 1002 ", "x", "-5", "1234567890123456789", "", "1003",
  "000000000000001004", "1005", "1006", "1007"
};
static const char *const dates[] = {
  "10/01/2025", "10/02/2025", "02/30/2025", "13/01/2025", "", "2025-10-03",
  "10/03/2025", " 10/04/2025", "12/31/2025"
};
static const char *const times[] = {
  "1:05 pm", "13:00 PM", "0:10 AM", "noon", "", "11:59 PM", "9:07AM",
  "9:60 AM"
};
static const char *const statuses[] = {
  "new", " Approved ", "DECLINED", "refunded", "", "Void", "\xc3\xa9t\xc3\xa9"
};
static const char *const totals[] = {
  "12.345", " 49.995 ", "-5", "0.005", "1234567890123456", "n/a", "",
  "000000000000000012.5", "99.999", "100", "24.999", "1e5", "12.", ".5"
};
static const char *const states[] = {
  "tx", " CA ", "T", "TEX", "\xc3\xa9t", "", "Ny", "zz", "d\xc4\xb1"
};
static const char *const emails[] = {
  "A@B.COM", " a@b.com ", "", "\xc3\x9cn@x.io", "c@d.org"
};
static const char *const campaigns[] = { "7", " 7 ", "", "12", "  " };
static const char *const affids[] = { "aff-1", "", " AFF-1", "z" };
static const char *const gateways[] = { "stripe", "", "NMI ", "nmi" };
static const char *const flags[] = {
  "YES", "yes", " y ", "1", "TRUE", "no", "", "ja", "0", "True"
};
static const char *const categories[] = { "CCW", "EXP", "", "ccw" };

#define PICK(list, i) (list[(size_t) (i) % (sizeof (list) / sizeof (list[0]))])

/* A CSV cell: quoted, quotes doubled. */
static void
cell (char **p, size_t *left, const char *v, bool last)
{
  int n = snprintf (*p, *left, "\"");

  for (const char *c = v; '\0' != *c && n > 0; c++)
    n += snprintf (*p + n, *left - (size_t) n, '"' == *c ? "\"\"" : "%c",
                   *c);
  n += snprintf (*p + n, *left - (size_t) n, last ? "\"\n" : "\",");
  *p += n;
  *left -= (size_t) n;
}

/* @a rows rows of junk-laden exports starting at variation @a seed, order
 * ids from @a id_base: every row's id cell a variation of it, or with
 * @a id_step > 0 plainly id_base + id_step * row (a run of ids, as a day's
 * new orders come). */
static char *
export_csv (int rows, int seed, int id_base, int id_step, bool all_columns)
{
  size_t cap = (size_t) rows * 400 + 1024, left = cap;
  char *out = malloc (cap), *p = out;

  if (NULL == out)
    abort ();
  /* Columns in an unusual order, and not all of them in every file. */
  cell (&p, &left, "Order Status", false);
  cell (&p, &left, "Orders Id", false);
  cell (&p, &left, "Order Date", false);
  cell (&p, &left, "Order Time", false);
  cell (&p, &left, "Total Amount", false);
  if (all_columns) {
    cell (&p, &left, "Billing State", false);
    cell (&p, &left, "Refund Flag", false);
  }
  cell (&p, &left, "Billing Email", false);
  cell (&p, &left, "Campaign Id", false);
  cell (&p, &left, "affid", false);
  cell (&p, &left, "Gateway Alias", false);
  cell (&p, &left, "Chargeback Flag", false);
  cell (&p, &left, "Product Category", true);
  for (int r = 0; r < rows; r++) {
    int i = seed + r;
    char id[64];
    const char *shape = PICK (ids, i);

    /* The id cell's shape from the list, the number from the range: most
     * rows are real orders, some repeat an order of the same file. */
    if (id_step > 0)
      snprintf (id, sizeof (id), "%d", id_base + id_step * r);
    else if (0 == strcmp (shape, "1001"))
      snprintf (id, sizeof (id), "%d", id_base + r % 97);
    else if (0 == strcmp (shape, " 1002 "))
      snprintf (id, sizeof (id), " %d ", id_base + r);
    else if (0 == strcmp (shape, "000000000000001004"))
      snprintf (id, sizeof (id), "0000000%d", id_base + r);
    else if (0 == strcmp (shape, "1003") || 0 == strcmp (shape, "1005")
             || 0 == strcmp (shape, "1006") || 0 == strcmp (shape, "1007"))
      snprintf (id, sizeof (id), "%d", id_base + r);
    else
      snprintf (id, sizeof (id), "%s", shape);
    cell (&p, &left, PICK (statuses, i), false);
    cell (&p, &left, id, false);
    cell (&p, &left, PICK (dates, i * 7), false);
    cell (&p, &left, PICK (times, i * 3), false);
    cell (&p, &left, PICK (totals, i * 5), false);
    if (all_columns) {
      cell (&p, &left, PICK (states, i * 11), false);
      cell (&p, &left, PICK (flags, i * 13), false);
    }
    cell (&p, &left, PICK (emails, i), false);
    cell (&p, &left, PICK (campaigns, i * 17), false);
    cell (&p, &left, PICK (affids, i * 19), false);
    cell (&p, &left, PICK (gateways, i * 23), false);
    cell (&p, &left, PICK (flags, i * 29), false);
    cell (&p, &left, PICK (categories, i * 31), true);
  }
  return out;
}

static void
put (const char *key, char *data)
{
  CHECK (sr_s3srv_put (&s3, AK, SK, BUCKET, key, data, strlen (data)));
  free (data);
}

/* `signalroom sync s3_exports` into one database. */
static void
sync_into (const char *conninfo, const char *buffer_mb, bool force)
{
  struct sr_th_env env = { 0 };
  const char *const argv[] = { "sync", "s3_exports", force ? "--force" : NULL,
                               NULL };
  char *out = NULL, *err = NULL;
  int code;

  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  sr_th_env_add (&env, "SIGNALROOM_CLIENT_ID", "713");
  sr_s3srv_env (&s3, &env, AK, SK, BUCKET, "orders-create,orders-update");
  sr_th_env_add (&env, "S3_ROLLUP_BUFFER_MB", buffer_mb);
  code = sr_th_run (&env, argv, &out, &err);
  if (0 != code)
    fprintf (stderr, "sync failed (%d): %s\n%s\n", code, out, err);
  CHECK (0 == code);
  free (out);
  free (err);
}

static const char orders_text[] =
  "SELECT coalesce(string_agg(l::text, E'\\n' ORDER BY order_id), '')"
  " FROM reports.orders_latest l";
static const char rollup_text[] =
  "SELECT coalesce(string_agg(r::text, E'\\n' ORDER BY client_id,"
  " product_category, dim, day, value, status), '')"
  " FROM reports.order_rollup r";

/* Monthly rows (kept by a trigger) that differ from the month sums of the
 * daily rows, summed here, both ways round. */
static const char months_off[] =
  "WITH summed AS ("
  "  SELECT client_id, product_category, dim,"
  "         date_trunc('month', day)::date AS month, value, status,"
  "         sum(orders)::bigint AS orders, sum(revenue) AS revenue,"
  "         sum(chargebacks)::bigint AS chargebacks,"
  "         sum(refunds)::bigint AS refunds"
  "    FROM reports.order_rollup WHERE dim = 'state'"
  "   GROUP BY 1, 2, 3, 4, 5, 6"
  "), kept AS ("
  "  SELECT client_id, product_category, dim, month, value, status, orders,"
  "         revenue, chargebacks, refunds FROM reports.order_rollup_months"
  ") SELECT (SELECT count(*) FROM (SELECT * FROM summed EXCEPT ALL"
  "                                SELECT * FROM kept) a)"
  "       + (SELECT count(*) FROM (SELECT * FROM kept EXCEPT ALL"
  "                                SELECT * FROM summed) b)"
  "       || ' of ' || (SELECT count(*) FROM kept)";

static void
check_months (const char *step, PGconn *c, const char *which)
{
  const char *v = sr_th_pg_value (c, months_off);

  if (0 != strncmp (v, "0 of ", 5) || 0 == strcmp (v, "0 of 0"))
    fprintf (stderr, "%s: %s: monthly rows off: %s\n", step, which, v);
  CHECK (0 == strncmp (v, "0 of ", 5) && 0 != strcmp (v, "0 of 0"));
}

/* The whole of a table as text (a new string). */
static char *
dump (PGconn *c, const char *sql)
{
  char *s = strdup (sr_th_pg_value (c, sql));

  if (NULL == s)
    abort ();
  return s;
}

/* The counts of a recount from scratch, left undone (a new string). */
static char *
recounted (PGconn *c)
{
  char *s;

  sr_th_pg_value (c, "BEGIN");
  sr_th_pg_value (c, "SELECT reports.rebuild_orders('713')");
  check_months ("after a recount", c, "recount");
  s = dump (c, rollup_text);
  sr_th_pg_value (c, "ROLLBACK");
  return s;
}

/* Both databases keep the same; a recount from scratch keeps the same. */
static void
check_same (const char *step)
{
  char *oc = dump (pg_c, orders_text), *os = dump (pg_sql, orders_text);
  char *rc = dump (pg_c, rollup_text), *rs = dump (pg_sql, rollup_text);
  char *recount;

  if (0 != strcmp (oc, os))
    fprintf (stderr, "%s: orders_latest differs\n--- C\n%.3000s\n--- SQL\n"
             "%.3000s\n", step, oc, os);
  CHECK (0 == strcmp (oc, os));
  if (0 != strcmp (rc, rs))
    fprintf (stderr, "%s: order_rollup differs\n--- C\n%.3000s\n--- SQL\n"
             "%.3000s\n", step, rc, rs);
  CHECK (0 == strcmp (rc, rs));
  CHECK (strlen (rc) > 0);
  recount = recounted (pg_c);
  if (0 != strcmp (rc, recount))
    fprintf (stderr, "%s: the counts kept in C differ from a recount\n",
             step);
  CHECK (0 == strcmp (rc, recount));
  free (recount);
  recount = recounted (pg_sql);
  if (0 != strcmp (rs, recount))
    fprintf (stderr, "%s: the counts kept by SQL differ from a recount\n"
             "--- kept\n%.3000s\n--- recount\n%.3000s\n", step, rs,
             recount);
  CHECK (0 == strcmp (rs, recount));
  check_months (step, pg_c, "C");
  check_months (step, pg_sql, "SQL");
  free (oc);
  free (os);
  free (rc);
  free (rs);
  free (recount);
}

static void
sync_both (const char *step, bool force)
{
  sync_into (conn_c, "32", force);
  sync_into (conn_sql, "0", force);
  check_same (step);
}

SR_TEST (test_start)
{
  const char *const argv[] = { "migrate", NULL };
  struct sr_th_env env_c = { 0 }, env_sql = { 0 };

  if (!sr_th_create_db ("sr_orders_c", conn_c, sizeof (conn_c))
      || !sr_th_create_db ("sr_orders_sql", conn_sql, sizeof (conn_sql)))
    SR_SKIP ("no PostgreSQL fixture");
  REQUIRE (sr_s3srv_start (&s3, AK, SK, BUCKET));
  sr_th_env_add (&env_c, "DATABASE_URL", conn_c);
  sr_th_env_add (&env_sql, "DATABASE_URL", conn_sql);
  REQUIRE (0 == sr_th_run (&env_c, argv, NULL, NULL));
  REQUIRE (0 == sr_th_run (&env_sql, argv, NULL, NULL));
  pg_c = sr_th_pg (conn_c);
  pg_sql = sr_th_pg (conn_sql);
  up = true;
}

SR_TEST (test_creates_and_same_day_updates)
{
  REQUIRE (up);
  put ("orders-create/report_2025-10-01T0600.csv",
       export_csv (700, 0, 50000, 0, true));
  put ("orders-update/report_2025-10-02T0600_a.csv",
       export_csv (300, 3, 50100, 0, true));
  /* Same day and kind: the name decides, in byte order ('B' < 'a'). */
  put ("orders-update/report_2025-10-02T0600_B.csv",
       export_csv (300, 5, 50150, 0, true));
  sync_both ("creates and same-day updates", false);
  /* Worked out from the lists: row 0 of the create file is order 50000,
   * status "new", total "12.345" (cents round half up: 12.35, tier
   * $0-24), state "tx", refund flag "YES". */
  CHECK_STR_EQ (sr_th_pg_value (pg_c, "SELECT status || '/' || total || '/'"
                                " || state || '/' || refunded || '/' ||"
                                " coalesce(customer, '-') FROM"
                                " reports.orders_latest WHERE order_id ="
                                " 50000"),
                "NEW/12.345/TX/true/a@b.com");
}

SR_TEST (test_update_before_create_and_no_date)
{
  REQUIRE (up);
  /* An update of 2025-10-03 arrives before a create of 2025-10-05 for the
   * same orders: the later file date leads whatever the kind. */
  put ("orders-update/report_2025-10-03T0600.csv",
       export_csv (200, 7, 60000, 0, false));
  sync_both ("update before its create", false);
  put ("orders-create/report_2025-10-05T0600.csv",
       export_csv (250, 11, 60050, 0, true));
  /* No date in the name: it ranks before every dated file. */
  put ("orders-update/manual-fix.csv", export_csv (120, 13, 50000, 0, true));
  sync_both ("later create, undated update", false);
}

SR_TEST (test_reexport_drops_and_changes)
{
  REQUIRE (up);
  /* The first update file again, fewer orders and other values: orders
   * it no longer has fall back to their other rows. */
  put ("orders-update/report_2025-10-02T0600_a.csv",
       export_csv (120, 17, 50100, 0, true));
  sync_both ("re-export", false);
  /* Everything loaded again as it is: nothing moves. */
  sync_both ("forced reload", true);
}

/* Files whose orders come in a run of ids: the loader reads the kept rows
 * of the run in one scan and must pass over the run's orders that are not
 * the file's (odd ids below, kept from the create file), whatever their
 * rank. */
SR_TEST (test_runs_of_ids)
{
  REQUIRE (up);
  put ("orders-create/report_2025-10-06T0600.csv",
       export_csv (600, 19, 70000, 1, true));
  sync_both ("a create file of consecutive ids", false);
  put ("orders-update/report_2025-10-07T0600.csv",
       export_csv (250, 23, 70000, 2, true));
  put ("orders-update/report_2025-10-07T0600_b.csv",
       export_csv (150, 29, 70001, 3, false));
  /* Spread wider than the loader reads by run: one probe per order. */
  put ("orders-update/report_2025-10-08T0600.csv",
       export_csv (100, 31, 70002, 5, true));
  sync_both ("updates of every second, third and fifth order", false);
  CHECK_STR_EQ (sr_th_pg_value (pg_c, "SELECT count(*) FROM"
                                " reports.orders_latest WHERE order_id"
                                " BETWEEN 70000 AND 70599"), "600");
  /* The later files lead for their orders: 250 + 150 + 100 ids, less
   * 75 + 50 + 30 in two of them, plus 15 in all three, is 360 from update
   * files; the other 240 keep their create row. */
  CHECK_STR_EQ (sr_th_pg_value (pg_c, "SELECT count(*) FILTER (WHERE"
                                " src_rank = 1) || '/' || count(*) FILTER"
                                " (WHERE src_rank = 2) FROM"
                                " reports.orders_latest WHERE order_id"
                                " BETWEEN 70000 AND 70599"),
                "240/360");
}

/* A database whose exports were loaded before the rollups existed (0011
 * made them empty and nothing counted what was already there): migrating
 * counts them once, exactly as the loader keeps them. */
SR_TEST (test_upgrade_counts_earlier_loads)
{
  const char *const argv[] = { "migrate", NULL };
  struct sr_th_env env = { 0 };
  char *orders, *rollup, *after;

  REQUIRE (up);
  orders = dump (pg_c, orders_text);
  rollup = dump (pg_c, rollup_text);
  REQUIRE (strlen (rollup) > 0);
  /* As before 0011: exports in place, no kept rows, no rollups, and the
   * backfill not applied yet. */
  sr_th_pg_value (pg_c, "DELETE FROM reports.order_rollup");
  sr_th_pg_value (pg_c, "DELETE FROM reports.orders_latest");
  sr_th_pg_value (pg_c, "DELETE FROM signalroom.schema_migrations "
                  "WHERE version = 22");
  sr_th_env_add (&env, "DATABASE_URL", conn_c);
  CHECK (0 == sr_th_run (&env, argv, NULL, NULL));
  after = dump (pg_c, orders_text);
  CHECK_STR_EQ (after, orders);
  free (after);
  after = dump (pg_c, rollup_text);
  CHECK_STR_EQ (after, rollup);
  free (after);
  check_months ("after the upgrade", pg_c, "C");
  free (orders);
  free (rollup);
}

SR_TEST (test_stop)
{
  if (NULL != pg_c)
    PQfinish (pg_c);
  if (NULL != pg_sql)
    PQfinish (pg_sql);
  sr_s3srv_stop (&s3);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_start),
              SR_TEST_ENTRY (test_creates_and_same_day_updates),
              SR_TEST_ENTRY (test_update_before_create_and_no_date),
              SR_TEST_ENTRY (test_reexport_drops_and_changes),
              SR_TEST_ENTRY (test_runs_of_ids),
              SR_TEST_ENTRY (test_upgrade_counts_earlier_loads),
              SR_TEST_ENTRY (test_stop))
