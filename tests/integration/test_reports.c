/*
 * test_reports.c -- the report API end to end, with figures worked out
 * here.
 *
 * Data goes in the way production puts it in: Everflow and Redtrack rows
 * through the simulator and the service's own sync runs (POST /v1/syncs,
 * run by the server's workers), order exports through the signature-
 * checking S3 test server and an s3_exports run, the affiliate mapping
 * through PUT /v1/mappings/affiliates.  Nothing is inserted into the
 * product's tables.
 *
 * Every figure asserted is computed in C, below, from the same arrays of
 * crafted rows the upstreams were given (the "model" functions), following
 * the documented definitions -- never by running the reports' SQL.  The
 * database is read only to check that an injection attempt left
 * signalroom.brands alone.
 *
 * One server, simulator and S3 server for the whole file: the tests run
 * in the order of SR_TEST_MAIN, and later tests see earlier loads (the
 * model always describes what was loaded last).
 */
#include "check.h"
#include "harness.h"
#include "s3server.h"
#include "upstreams.h"

#include <curl/curl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SECRET "reports-secret-0123456789abcdef0123456789"
#define EF_KEY "ef-reports-key-0123456789"
#define RT_KEY "rt-reports-key-0123456789"
#define AK "AKIDSIGNALROOMREPORTS"
#define SK "secret-signalroom-reports-0123456789"
#define BUCKET "sticky-reports-bucket"

#define N(a) (sizeof (a) / sizeof ((a)[0]))

static struct sr_th_server srv;
static struct sr_sim sim;
static struct sr_s3srv s3;
static char conninfo[1024];
static PGconn *pg;
static char *token;        /* role authenticated: reads reports */
static char *admin;        /* service_role: mapping, syncs */
static bool up;

/* ------------------------------------------------------------------ */
/* Crafted Everflow and Redtrack data                                   */
/* ------------------------------------------------------------------ */

/* The chosen day of the daily summary; the day before is the spring
 * forward day in New York (2026-03-08 has 23 hours). */
#define DAY "2026-03-09"
#define ACME "Acme, \"Ads\" LLC"     /* a label CSV has to quote */

struct ef_row {
  const char *date;
  int adv, aff;
  const char *label;
  int clicks, cv;
  long long rev, pay;       /* cents */
};

/* Advertiser 1 is CCW, 2 is EXP.  "G2 - Meta " (trailing space) is the
 * internal affiliate G2 - Meta; SB - Google is internal too; the others
 * are external. */
static struct ef_row ef[] = {
  /* a day before DAY's trailing week: in no average of DAY */
  { "2026-03-01", 1, 11, "Blue Bench Media LLC", 400, 50, 250000, 100000 },
  { "2026-03-02", 1, 1, "G2 - Meta ", 300, 10, 50000, 0 },
  { "2026-03-02", 1, 11, "Blue Bench Media LLC", 100, 5, 25000, 15000 },
  { "2026-03-04", 1, 1, "G2 - Meta ", 250, 8, 40000, 0 },
  { "2026-03-04", 1, 13, "ProfitFuel", 60, 3, 15000, 9999 },
  { "2026-03-06", 1, 11, "Blue Bench Media LLC", 120, 7, 35000, 21000 },
  { "2026-03-08", 1, 1, "G2 - Meta ", 310, 12, 60000, 0 },
  { "2026-03-08", 1, 11, "Blue Bench Media LLC", 90, 6, 30000, 18000 },
  { "2026-03-08", 1, 12, ACME, 40, 2, 10000, 7000 },
  { "2026-03-08", 2, 1, "G2 - Meta ", 70, 3, 30000, 0 },
  { DAY, 1, 1, "G2 - Meta ", 700, 20, 100000, 0 },
  { DAY, 1, 2, "SB - Google", 80, 4, 20000, 0 },
  { DAY, 1, 11, "Blue Bench Media LLC", 300, 15, 75000, 48750 },
  { DAY, 1, 12, ACME, 150, 9, 45000, 30123 },
  { DAY, 1, 13, "ProfitFuel", 90, 4, 20000, 13000 },
  { DAY, 1, 14, "Venture Beyond", 30, 0, 0, 0 },
  /* the day after DAY: in no report of DAY */
  { "2026-03-10", 1, 11, "Blue Bench Media LLC", 999, 99, 999900, 500000 },
  /* fall back in New York: 2026-11-01 has 25 hours */
  { "2026-10-31", 1, 1, "G2 - Meta ", 200, 5, 25000, 0 },
  { "2026-10-31", 1, 11, "Blue Bench Media LLC", 150, 7, 35000, 20000 },
  { "2026-11-01", 1, 1, "G2 - Meta ", 260, 9, 45000, 0 },
  { "2026-11-01", 1, 11, "Blue Bench Media LLC", 210, 11, 55000, 33000 },
  { "2026-11-02", 1, 11, "Blue Bench Media LLC", 230, 13, 65000, 39000 },
};

#define SRC_META "5f1a00000000000000000001"
#define SRC_GOOGLE "5f1a00000000000000000002"
#define SRC_EXP "5f1a00000000000000000003"
#define SRC_STRAY "5f1a00000000000000000009"

struct rt_row {
  const char *date, *sid, *name;
  int clicks;
  long long cost;           /* cents */
};

static const struct rt_row rt[] = {
  { "2026-03-02", SRC_META, "Meta CCW One", 900, 32100 },
  { "2026-03-04", SRC_META, "Meta CCW One", 800, 25040 },
  { "2026-03-08", SRC_META, "Meta CCW One", 950, 40117 },
  { "2026-03-08", SRC_EXP, "Meta EXP", 300, 9000 },
  { "2026-03-08", SRC_STRAY, "Stray Source", 100, 5555 },
  { DAY, SRC_META, "Meta CCW One", 1500, 61234 },
  { DAY, SRC_GOOGLE, "Google CCW", 200, 9876 },
  { DAY, SRC_STRAY, "Stray Source", 70, 4321 },
  { "2026-03-10", SRC_META, "Meta CCW One", 999, 99999 },
  { "2026-10-31", SRC_META, "Meta CCW One", 400, 14000 },
  { "2026-11-01", SRC_META, "Meta CCW One", 500, 27525 },
  /* internal spend on a day Everflow has nothing for G2 - Meta */
  { "2026-11-02", SRC_META, "Meta CCW One", 40, 1010 },
};

/* The mapping uploaded; SRC_STRAY is in none of it. */
static const struct map_row {
  const char *sid, *name, *alias;
  int aff;
  const char *label;
  int adv;
} maps[] = {
  { SRC_META, "Meta CCW One", "facebook", 1, "G2 - Meta", 1 },
  { SRC_GOOGLE, "Google CCW", "google", 2, "SB - Google", 1 },
  { SRC_EXP, "Meta EXP", "facebook", 1, "G2 - Meta", 2 },
};

/* SIGNALROOM_INTERNAL_AFFILIATES' default. */
static const char *const internal_labels[] = {
  "G2 - Meta", "G2 - Google", "SB - Meta", "SB - Google"
};

/* ------------------------------------------------------------------ */
/* Small helpers: days, rounding, money                                 */
/* ------------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian YYYY-MM-DD. */
static long
day_num (const char *s)
{
  int y = atoi (s), m = atoi (s + 5), d = atoi (s + 8);
  long era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void
day_str (long n, char out[11])
{
  long z = n + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
  long doe = z - era * 146097;
  long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  long mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
  long m = mp < 10 ? mp + 3 : mp - 9, y = yoe + era * 400 + (m <= 2);
  char buf[64];

  snprintf (buf, sizeof (buf), "%04ld-%02ld-%02ld", y, m, d);
  snprintf (out, 11, "%.10s", buf);
}

static void
day_add (const char *day, long delta, char out[11])
{
  day_str (day_num (day) + delta, out);
}

/* a / b rounded half away from zero (PostgreSQL's numeric round), b > 0. */
static long long
div_round (long long a, long long b)
{
  return a >= 0 ? (2 * a + b) / (2 * b) : -((-2 * a + b) / (2 * b));
}

/* C's round(): half away from zero, without libm. */
static double
round_half_away (double x)
{
  return x >= 0 ? (double) (long long) (x + 0.5)
         : -(double) (long long) (-x + 0.5);
}

static void
fmt_cents (long long c, char out[32])
{
  long long a = c < 0 ? -c : c;

  snprintf (out, 32, "%s%lld.%02lld", c < 0 ? "-" : "", a / 100, a % 100);
}

static char *
trimmed (const char *s, char *out, size_t len)
{
  size_t n;

  while (' ' == *s)
    s++;
  n = strlen (s);
  while (n > 0 && ' ' == s[n - 1])
    n--;
  snprintf (out, len, "%.*s", (int) n, s);
  return out;
}

static bool
streq (const char *a, const char *b)
{
  return NULL != a && NULL != b && 0 == strcmp (a, b);
}

/* ------------------------------------------------------------------ */
/* Expectations that name what they looked at                           */
/* ------------------------------------------------------------------ */

static void
fail (const char *ctx, const char *field, json_t *got, const char *want)
{
  char *g = NULL != got ? json_dumps (got, JSON_ENCODE_ANY) : NULL;

  fprintf (stderr, "%s: %s: expected %s, got %s\n", ctx, field, want,
           NULL != g ? g : "(missing)");
  free (g);
  sr_test_failures_++;
}

static void
expect_int (const char *ctx, json_t *o, const char *k, long long want)
{
  json_t *v = json_object_get (o, k);
  char w[32];

  if (!json_is_integer (v) || json_integer_value (v) != want) {
    snprintf (w, sizeof (w), "%lld", want);
    fail (ctx, k, v, w);
  }
}

/* A number equal to @a want / 10^@a places (money: 2; rates: 1). */
static void
expect_dec (const char *ctx, json_t *o, const char *k, long long want,
            int places)
{
  json_t *v = json_object_get (o, k);
  double scale = 2 == places ? 100.0 : 1 == places ? 10.0 : 1.0;
  double x = json_number_value (v) * scale;
  long long got = (long long) (x >= 0 ? x + 0.5 : x - 0.5);
  char w[40];

  if (!json_is_number (v) || got != want) {
    if (2 == places)
      fmt_cents (want, w);
    else
      snprintf (w, sizeof (w), "%lld/%g", want, scale);
    fail (ctx, k, v, w);
  }
}

static void
expect_cents (const char *ctx, json_t *o, const char *k, long long want)
{
  expect_dec (ctx, o, k, want, 2);
}

static void
expect_tenths (const char *ctx, json_t *o, const char *k, long long want)
{
  expect_dec (ctx, o, k, want, 1);
}

static void
expect_str (const char *ctx, json_t *o, const char *k, const char *want)
{
  json_t *v = json_object_get (o, k);

  if (!streq (json_string_value (v), want))
    fail (ctx, k, v, want);
}

static void
expect_bool (const char *ctx, json_t *o, const char *k, bool want)
{
  json_t *v = json_object_get (o, k);

  if (!json_is_boolean (v) || json_is_true (v) != want)
    fail (ctx, k, v, want ? "true" : "false");
}

static void
expect_null (const char *ctx, json_t *o, const char *k)
{
  json_t *v = json_object_get (o, k);

  if (!json_is_null (v))
    fail (ctx, k, v, "null");
}

static void
expect_size (const char *ctx, json_t *a, size_t want)
{
  char w[32];

  if (!json_is_array (a) || json_array_size (a) != want) {
    snprintf (w, sizeof (w), "an array of %zu", want);
    fail (ctx, "rows", a, w);
  }
}

/*
 * Every value of key @a k in the raw JSON @a body is a number written
 * with exactly @a places decimals (or null): money has 2, rates 1.  One
 * line per key, with the first offender and how many there were.
 */
static void
expect_decimals (const char *ctx, const char *body, const char *k,
                 int places)
{
  char needle[64];
  size_t nl = (size_t) snprintf (needle, sizeof (needle), "\"%s\":", k);
  size_t bad = 0, all = 0;
  const char *first = NULL;

  for (const char *p = strstr (body, needle); NULL != p;
       p = strstr (p + 1, needle)) {
    const char *v = p + nl, *q = v;
    size_t digits;

    if (0 == strncmp (v, "null", 4))
      continue;
    all++;
    if ('-' == *q)
      q++;
    digits = strspn (q, "0123456789");
    if (0 == digits || '.' != q[digits]
        || (size_t) places != strspn (q + digits + 1, "0123456789")
        || NULL == strchr (",}]", q[digits + 1 + places])) {
      if (0 == bad++)
        first = p;
    }
  }
  if (bad > 0) {
    const char *from = first - body > 90 ? first - 90 : body;

    fprintf (stderr, "%s: \"%s\" must have %d decimals; %zu of %zu do not, "
             "e.g. ...%.*s\n", ctx, k, places, bad, all,
             (int) (first - from + (long) nl
                    + (long) strcspn (first + nl, ",}")), from);
    sr_test_failures_++;
  }
}

/* ------------------------------------------------------------------ */
/* HTTP                                                                 */
/* ------------------------------------------------------------------ */

struct got {
  int status;
  json_t *json;
  char *body;
  size_t len;
  char etag[160], ctype[160], cache[160];
};

static void
got_clean (struct got *g)
{
  json_decref (g->json);
  free (g->body);
  memset (g, 0, sizeof (*g));
}

static void
copy_header (const struct sr_th_response *r, const char *name, char *out,
             size_t len)
{
  const char *v = sr_th_header (r, name);

  snprintf (out, len, "%s", NULL != v ? v : "");
}

/* GET @a target as the reader, with @a headers ("Name: v\r\n"...). */
static bool
fetch (struct got *g, const char *headers, const char *target)
{
  struct sr_th_response r;
  char h[4096];

  memset (g, 0, sizeof (*g));
  snprintf (h, sizeof (h), "Authorization: Bearer %s\r\n%s", token,
            NULL != headers ? headers : "");
  if (!sr_th_http (srv.port, "GET", target, h, NULL, 0, &r)) {
    fprintf (stderr, "GET %s: no answer\n", target);
    return false;
  }
  g->status = r.status;
  copy_header (&r, "ETag", g->etag, sizeof (g->etag));
  copy_header (&r, "Content-Type", g->ctype, sizeof (g->ctype));
  copy_header (&r, "Cache-Control", g->cache, sizeof (g->cache));
  g->body = r.body;
  g->len = r.body_len;
  r.body = NULL;
  if (NULL != g->body && g->len > 0)
    g->json = json_loadb (g->body, g->len, 0, NULL);
  sr_th_response_clean (&r);
  return true;
}

static const char *target_of (const char *fmt, ...)
__attribute__ ((format (printf, 1, 2)));

/* A target in a static buffer (overwritten by the next call). */
static const char *
target_of (const char *fmt, ...)
{
  static char buf[2048];
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (buf, sizeof (buf), fmt, ap);
  va_end (ap);
  return buf;
}

/* A JSON report: 200, the envelope, and its "data". */
static json_t *
report (struct got *g, const char *target)
{
  json_t *meta;

  if (!fetch (g, NULL, target) || 200 != g->status || NULL == g->json) {
    fprintf (stderr, "GET %s: %d %s\n", target, g->status,
             NULL != g->body ? g->body : "");
    sr_test_failures_++;
    return NULL;
  }
  CHECK_STR_EQ (g->ctype, "application/json");
  CHECK_STR_EQ (g->cache, "private, max-age=60");
  meta = json_object_get (g->json, "meta");
  CHECK (json_is_object (json_object_get (meta, "params")));
  CHECK (json_is_integer (json_object_get (meta, "data_version")));
  CHECK (json_is_object (json_object_get (meta, "freshness")));
  {
    const char *ga = json_string_value (json_object_get (meta,
                                                         "generated_at"));

    /* 2026-11-30T18:29:20Z */
    CHECK (NULL != ga && 20 == strlen (ga) && 'T' == ga[10]
           && 'Z' == ga[19]);
  }
  return json_object_get (g->json, "data");
}

/* A 400 problem naming @a param. */
static void
expect_bad (const char *target, const char *param)
{
  struct got g;
  const char *named;

  if (!fetch (&g, NULL, target)) {
    sr_test_failures_++;
    return;
  }
  named = json_string_value (json_object_get (g.json, "parameter"));
  if (400 != g.status || !streq (named, param)
      || !streq (g.ctype, "application/problem+json")) {
    fprintf (stderr, "GET %s: expected a 400 naming \"%s\", got %d %s\n",
             target, param, g.status, NULL != g.body ? g.body : "");
    sr_test_failures_++;
  }
  got_clean (&g);
}

/*
 * Wait (poll, 10 s) until the API serves @a area's data version as the
 * database has it now.  The server trusts a version it learnt from a
 * NOTIFY for a while, so right after a run it may still answer from the
 * version before; reading the counter here is synchronisation, not an
 * assertion.
 */
static void
await_api_version (const char *area)
{
  const char *probe = streq (area, "orders")
                      ? "/v1/reports/orders/status-breakdown?brand=CCW&"
                        "from=2026-01-01&to=2026-01-01"
                      : "/v1/reports/unmapped-spend?from=2026-01-01&"
                        "to=2026-01-01";
  long long want = atoll (sr_th_pg_value (
                            pg, streq (area, "orders")
                            ? "SELECT version FROM signalroom.data_versions "
                              "WHERE area = 'orders'"
                            : "SELECT version FROM signalroom.data_versions "
                              "WHERE area = 'performance'"));
  double t0 = sr_th_now ();
  long long got = -1;

  while (sr_th_now () - t0 < 10) {
    struct got g;

    if (fetch (&g, NULL, probe))
      got = json_integer_value (json_object_get (json_object_get (g.json,
                                                                  "meta"),
                                                 "data_version"));
    got_clean (&g);
    if (got >= want)
      break;
    (void) poll (NULL, 0, 20);   /* re-check interval, not a wait */
  }
  if (got < want) {
    fprintf (stderr, "the API still serves %s version %lld, the database "
             "has %lld\n", area, got, want);
    sr_test_failures_++;
  } else if (sr_th_now () - t0 > 0.05)
    fprintf (stderr, "(the API served %s version %lld after %.0f ms)\n",
             area, want, (sr_th_now () - t0) * 1000);
}

/* Queue a sync run through the API and wait for it (poll, 60 s), then
 * for the API to serve what it loaded. */
static void
sync_run (const char *source, const char *from, const char *to)
{
  char body[200], target[64], status[32] = "";
  json_t *r = NULL;
  json_int_t id;
  double t0 = sr_th_now ();
  const char *st = status;

  if (NULL != from)
    snprintf (body, sizeof (body), "{\"source\":\"%s\",\"from\":\"%s\","
              "\"to\":\"%s\"}", source, from, to);
  else
    snprintf (body, sizeof (body), "{\"source\":\"%s\"}", source);
  if (202 != sr_th_api (srv.port, admin, "POST", "/v1/syncs", body, &r)) {
    char *d = NULL != r ? json_dumps (r, 0) : NULL;

    fprintf (stderr, "POST /v1/syncs %s: %s\n", body, d ? d : "no answer");
    free (d);
    json_decref (r);
    sr_test_failures_++;
    return;
  }
  id = json_integer_value (json_object_get (r, "id"));
  json_decref (r);
  snprintf (target, sizeof (target), "/v1/syncs/%" JSON_INTEGER_FORMAT, id);
  r = NULL;
  while (sr_th_now () - t0 < 60) {
    json_decref (r);
    r = NULL;
    st = "";
    if (200 == sr_th_api (srv.port, admin, "GET", target, NULL, &r)) {
      const char *now = json_string_value (json_object_get (r, "status"));

      snprintf (status, sizeof (status), "%s", NULL != now ? now : "");
      st = status;
      if (!streq (st, "queued") && !streq (st, "running"))
        break;
    }
    (void) poll (NULL, 0, 50);   /* re-check interval, not a wait */
  }
  if (!streq (st, "succeeded")) {
    char *d = NULL != r ? json_dumps (r, 0) : NULL;

    fprintf (stderr, "sync %s: %s\n", body, NULL != d ? d : "no answer");
    free (d);
    sr_test_failures_++;
  }
  json_decref (r);
  await_api_version (streq (source, "s3_exports") ? "orders"
                     : "performance");
}

/* ------------------------------------------------------------------ */
/* The model: performance                                               */
/* ------------------------------------------------------------------ */

static const struct map_row *
map_of (const char *sid)
{
  for (size_t i = 0; i < N (maps); i++)
    if (streq (maps[i].sid, sid))
      return &maps[i];
  return NULL;
}

/* One daily_performance row: a day, brand and (trimmed) affiliate. */
struct perf {
  char date[11];
  int adv;
  char label[64];
  long long conv, rev, pay, rt_cost, rt_clicks, cost;
  bool internal;
};

static struct perf *
perf_slot (struct perf *p, size_t *n, size_t cap, const char *date, int adv,
           const char *label)
{
  for (size_t i = 0; i < *n; i++)
    if (streq (p[i].date, date) && p[i].adv == adv
        && streq (p[i].label, label))
      return &p[i];
  if (*n == cap)
    abort ();
  memset (&p[*n], 0, sizeof (p[*n]));
  snprintf (p[*n].date, sizeof (p[*n].date), "%s", date);
  p[*n].adv = adv;
  snprintf (p[*n].label, sizeof (p[*n].label), "%s", label);
  return &p[(*n)++];
}

/*
 * Everflow rows grouped by day and trimmed label; the spend of Redtrack
 * sources mapped to the same day, brand and label beside them; internal
 * labels cost their spend, others their payout.
 */
static size_t
perf_rows (const char *from, const char *to, int adv, struct perf *p,
           size_t cap)
{
  size_t n = 0;
  char label[64];

  for (size_t i = 0; i < N (ef); i++) {
    struct perf *s;

    if (ef[i].adv != adv || strcmp (ef[i].date, from) < 0
        || strcmp (ef[i].date, to) > 0)
      continue;
    s = perf_slot (p, &n, cap, ef[i].date, adv,
                   trimmed (ef[i].label, label, sizeof (label)));
    s->conv += ef[i].cv;
    s->rev += ef[i].rev;
    s->pay += ef[i].pay;
  }
  for (size_t i = 0; i < N (rt); i++) {
    const struct map_row *m = map_of (rt[i].sid);
    struct perf *s;

    if (NULL == m || m->adv != adv || strcmp (rt[i].date, from) < 0
        || strcmp (rt[i].date, to) > 0)
      continue;
    s = perf_slot (p, &n, cap, rt[i].date, adv, m->label);
    s->rt_cost += rt[i].cost;
    s->rt_clicks += rt[i].clicks;
  }
  for (size_t i = 0; i < n; i++) {
    for (size_t k = 0; k < N (internal_labels); k++)
      p[i].internal |= streq (p[i].label, internal_labels[k]);
    p[i].cost = p[i].internal ? p[i].rt_cost : p[i].pay;
  }
  return n;
}

struct fig {
  long long conv, cost, rev, pay;
};

/* Sums over [from, to] of one brand: part 0 all, 1 internal, 2 external. */
static struct fig
fig_of (const char *from, const char *to, int adv, int part)
{
  struct perf p[64];
  size_t n = perf_rows (from, to, adv, p, N (p));
  struct fig f = { 0 };

  for (size_t i = 0; i < n; i++)
    if (0 == part || (1 == part) == p[i].internal) {
      f.conv += p[i].conv;
      f.cost += p[i].cost;
      f.rev += p[i].rev;
      f.pay += p[i].pay;
    }
  return f;
}

static long long
cpa_of (long long cost, long long conv)
{
  return conv > 0 ? div_round (cost, conv) : 0;
}

static int
by_conv_then_label (const void *a, const void *b)
{
  const struct perf *x = a, *y = b;

  if (x->conv != y->conv)
    return x->conv > y->conv ? -1 : 1;
  return strcmp (x->label, y->label);
}

static int
by_date_conv_label (const void *a, const void *b)
{
  const struct perf *x = a, *y = b;
  int d = strcmp (x->date, y->date);

  return 0 != d ? d : by_conv_then_label (a, b);
}

/* ------------------------------------------------------------------ */
/* The model: orders                                                    */
/* ------------------------------------------------------------------ */

struct order {
  const char *id, *date, *time, *status, *total, *state, *email, *campaign,
             *affid, *gateway, *cb, *refund, *cat;
};

#define ORDER_HEADER "orders_id,order_date,order_time,order_status," \
  "total_amount,billing_state,billing_email,campaign_id,affid," \
  "gateway_alias,chargeback_flag,refund_flag,product_category"

static const struct order create1[] = {
  { "5001", "06/01/2026", "09:15 AM", "NEW", "95.00", "tx", "a@example.com",
    "C1", "100", "gwA", "NO", "NO", "CCW" },
  { "5002", "06/01/2026", "11:05 PM", "NEW", "19.50", " ca ",
    "b@example.com", "C1", "100", "gwA", "NO", "NO", "CCW" },
  { "5003", "06/01/2026", "01:00 PM", "DECLINED", "45.00", "CA",
    "c@example.com", "C2", "101", "gwB", "NO", "NO", "CCW" },
  { "5004", "06/01/2026", "02:00 PM", "NEW", "150.00", "", "d@example.com",
    "C2", "", "gwB", "NO", "NO", "CCW" },
  { "5005", "06/01/2026", "03:00 PM", "NEW", "60.00", "ZZ", "e@example.com",
    "C1", "100", "gwA", "NO", "NO", "CCW" },
  /* no order date: the file's date (2026-06-02) is its day */
  { "5006", "", "", "NEW", "30.00", "NY", "f@example.com", "C1", "100",
    "gwA", "NO", "NO", "CCW" },
  /* 5001's customer again, written differently */
  { "5007", "06/01/2026", "04:00 PM", "NEW", "70.00", "TX",
    " A@Example.com ", "C1", "100", "gwA", "NO", "NO", "CCW" },
  { "6001", "06/01/2026", "10:00 AM", "NEW", "80.00", "FL", "g@example.com",
    "E1", "200", "gwC", "NO", "NO", "EXP" },
  { "6002", "06/01/2026", "10:30 AM", "DECLINED", "80.00", "fl",
    "h@example.com", "E1", "200", "gwC", "NO", "NO", "EXP" },
  /* no brand sells OTHER */
  { "7001", "06/01/2026", "10:45 AM", "NEW", "500.00", "TX",
    "z@example.com", "C9", "300", "gwA", "NO", "NO", "OTHER" },
};

static const struct order create2[] = {
  { "5008", "06/02/2026", "08:00 AM", "NEW", "24.99", "WA", "i@example.com",
    "C2", "101", "gwB", "NO", "NO", "CCW" },
  { "5009", "06/02/2026", "09:00 AM", "declined", "99.99", "wa",
    "j@example.com", "C2", "101", "gwB", "NO", "NO", "CCW" },
  { "5010", "06/03/2026", "01:00 AM", "NEW", "abc", "OR", "k@example.com",
    "C1", "100", "gwA", "NO", "NO", "CCW" },
  { "5011", "06/03/2026", "02:00 AM", "NEW", "49.99", "DC",
    "l@example.com", "C1", "100", "gwA", "NO", "NO", "CCW" },
  { "5012", "06/03/2026", "03:00 AM", "NEW", "100.00", " tx ",
    "m@example.com", "C2", "101", "gwB", "NO", "NO", "CCW" },
  { "5013", "06/02/2026", "05:00 PM", "NEW", "10.00", "Texas",
    "n@example.com", "C2", "101", "gwB", "NO", "NO", "CCW" },
};

/* The update file: 5001 refunded (NEW -> REFUNDED), 5008 voided, 5011
 * charged back (an update of the same date as its create file). */
static const struct order update_v1[] = {
  { "5001", "06/01/2026", "09:15 AM", "REFUNDED", "95.00", "TX",
    "a@example.com", "C1", "100", "gwA", "NO", "YES", "CCW" },
  { "5008", "06/02/2026", "08:00 AM", "VOID", "24.99", "WA",
    "i@example.com", "C2", "101", "gwB", "NO", "NO", "CCW" },
  { "5011", "06/03/2026", "02:00 AM", "NEW", "49.99", "DC",
    "l@example.com", "C1", "100", "gwA", "YES", "NO", "CCW" },
};

/* Its re-export without 5008: 5008 falls back to its create row. */
static const struct order update_v2[] = {
  { "5001", "06/01/2026", "09:15 AM", "REFUNDED", "95.00", "TX",
    "a@example.com", "C1", "100", "gwA", "NO", "YES", "CCW" },
  { "5011", "06/03/2026", "02:00 AM", "NEW", "49.99", "DC",
    "l@example.com", "C1", "100", "gwA", "YES", "NO", "CCW" },
};

struct export_file {
  const char *key, *date;   /* the date is in the key */
  int rank;                 /* 1 create, 2 update */
  const struct order *rows;
  size_t n;
};

static struct export_file files[] = {
  { "orders-create/report_2026-06-02T0600_c1.csv", "2026-06-02", 1,
    create1, N (create1) },
  { "orders-create/report_2026-06-03T0600_c2.csv", "2026-06-03", 1,
    create2, N (create2) },
  { "orders-update/report_2026-06-03T0700_u1.csv", "2026-06-03", 2,
    update_v1, N (update_v1) },
};

/* The 50 states and DC, in code order. */
static const char *const us_states[] = {
  "AK", "AL", "AR", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "GA", "HI",
  "IA", "ID", "IL", "IN", "KS", "KY", "LA", "MA", "MD", "ME", "MI", "MN",
  "MO", "MS", "MT", "NC", "ND", "NE", "NH", "NJ", "NM", "NV", "NY", "OH",
  "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VA", "VT", "WA",
  "WI", "WV", "WY"
};
_Static_assert (N (us_states) == 51, "the 50 states and DC");

/* An order in its latest state, as the reports read it. */
struct norm {
  const char *id, *cat;
  char day[11], status[32], state[3], customer[64];
  long long total;          /* cents; -1: unreadable */
  bool cb, refunded;
};

static bool
is_us_state (const char *s)
{
  for (size_t i = 0; i < N (us_states); i++)
    if (streq (us_states[i], s))
      return true;
  return false;
}

static void
normalise (const struct order *o, const struct export_file *f,
           struct norm *n)
{
  char t[64];
  size_t len;

  memset (n, 0, sizeof (*n));
  n->id = o->id;
  n->cat = o->cat;
  if (10 == strlen (o->date) && '/' == o->date[2] && '/' == o->date[5])
    snprintf (n->day, sizeof (n->day), "%.4s-%.2s-%.2s", o->date + 6,
              o->date, o->date + 3);
  else
    snprintf (n->day, sizeof (n->day), "%s", f->date);
  trimmed (o->status, n->status, sizeof (n->status));
  for (char *p = n->status; *p; p++)
    if (*p >= 'a' && *p <= 'z')
      *p = (char) (*p - 'a' + 'A');
  trimmed (o->state, t, sizeof (t));
  if (2 == strlen (t)) {
    for (int i = 0; i < 2; i++)
      if (t[i] >= 'a' && t[i] <= 'z')
        t[i] = (char) (t[i] - 'a' + 'A');
    if (t[0] >= 'A' && t[0] <= 'Z' && t[1] >= 'A' && t[1] <= 'Z')
      memcpy (n->state, t, 3);   /* two letters and the NUL */
  }
  trimmed (o->email, n->customer, sizeof (n->customer));
  for (char *p = n->customer; *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      *p = (char) (*p - 'A' + 'a');
  /* Totals here are whole or have two decimals; anything else is
   * unreadable (-1). */
  trimmed (o->total, t, sizeof (t));
  len = strspn (t, "0123456789");
  n->total = -1;
  if (len > 0 && '\0' == t[len])
    n->total = atoll (t) * 100;
  else if (len > 0 && '.' == t[len] && 2 == strlen (t + len + 1)
           && 2 == strspn (t + len + 1, "0123456789"))
    n->total = atoll (t) * 100 + atoll (t + len + 1);
  n->cb = streq (o->cb, "YES");
  n->refunded = streq (o->refund, "YES");
}

/* (file date, update over create, file name, row) ranks an order's rows. */
static int
outranks (const struct export_file *f, size_t row,
          const struct export_file *g, size_t grow)
{
  int c = strcmp (f->date, g->date);

  if (0 == c)
    c = f->rank - g->rank;
  if (0 == c)
    c = strcmp (f->key, g->key);
  if (0 == c)
    c = row > grow ? 1 : row < grow ? -1 : 0;
  return c > 0;
}

/* Each order once, in its latest state: the orders of @a cat whose day
 * is in [from, to]. */
static size_t
orders_of (const char *cat, const char *from, const char *to,
           struct norm *out, size_t cap)
{
  struct {
    const struct order *o;
    const struct export_file *f;
    size_t row;
  } best[64];
  size_t nb = 0, n = 0;

  for (size_t fi = 0; fi < N (files); fi++)
    for (size_t r = 0; r < files[fi].n; r++) {
      const struct order *o = &files[fi].rows[r];
      size_t k = 0;

      while (k < nb && !streq (best[k].o->id, o->id))
        k++;
      if (k == nb) {
        if (nb == N (best))
          abort ();
        nb++;
      } else if (!outranks (&files[fi], r, best[k].f, best[k].row))
        continue;
      best[k].o = o;
      best[k].f = &files[fi];
      best[k].row = r;
    }
  for (size_t k = 0; k < nb; k++) {
    struct norm x;

    normalise (best[k].o, best[k].f, &x);
    if (!streq (x.cat, cat) || strcmp (x.day, from) < 0
        || strcmp (x.day, to) > 0)
      continue;
    if (n == cap)
      abort ();
    out[n++] = x;
  }
  return n;
}

static long long
revenue_of (const struct norm *o)
{
  return streq (o->status, "NEW") && o->total > 0 ? o->total : 0;
}

static long long
rate_tenths (long long part, long long whole)
{
  return whole > 0 ? div_round (1000 * part, whole) : 0;
}

/* The CSV of one export file, fields with spaces or commas quoted. */
static char *
export_csv (const struct export_file *f, size_t *len)
{
  size_t cap = 16384, o = 0;
  char *b = malloc (cap);

  if (NULL == b)
    abort ();
  o += (size_t) snprintf (b, cap, "%s\r\n", ORDER_HEADER);
  for (size_t r = 0; r < f->n; r++) {
    const struct order *x = &f->rows[r];
    const char *v[] = { x->id, x->date, x->time, x->status, x->total,
                        x->state, x->email, x->campaign, x->affid,
                        x->gateway, x->cb, x->refund, x->cat };

    for (size_t i = 0; i < N (v); i++) {
      bool quote = '\0' != v[i][strcspn (v[i], " ,")];

      o += (size_t) snprintf (b + o, cap - o, "%s%s%s%s", i ? "," : "",
                              quote ? "\"" : "", v[i], quote ? "\"" : "");
    }
    o += (size_t) snprintf (b + o, cap - o, "\r\n");
  }
  if (o >= cap)
    abort ();
  *len = o;
  return b;
}

/* ------------------------------------------------------------------ */
/* Loading                                                              */
/* ------------------------------------------------------------------ */

static char *
money_text (long long cents)
{
  static char buf[8][32];
  static int k;

  k = (k + 1) % 8;
  fmt_cents (cents, buf[k]);
  return buf[k];
}

/* Give the simulator exactly the crafted rows. */
static void
post_sim_data (void)
{
  json_t *e = json_array (), *r = json_array ();
  char *text;
  int status = 0;

  for (size_t i = 0; i < N (ef); i++)
    json_array_append_new (e, json_pack (
                             "{s:s, s:i, s:s, s:i, s:s, s:i, s:i, s:s, s:s}",
                             "date", ef[i].date, "affiliate_id", ef[i].aff,
                             "affiliate_label", ef[i].label,
                             "advertiser_id", ef[i].adv, "advertiser_label",
                             1 == ef[i].adv ? "CCW" : "EXP", "clicks",
                             ef[i].clicks, "conversions", ef[i].cv,
                             "revenue", money_text (ef[i].rev), "payout",
                             money_text (ef[i].pay)));
  for (size_t i = 0; i < N (rt); i++)
    json_array_append_new (r, json_pack (
                             "{s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:s}",
                             "date", rt[i].date, "source_id", rt[i].sid,
                             "source", rt[i].name, "source_alias",
                             "facebook", "clicks", rt[i].clicks,
                             "conversions", 0, "total_conversions", 0,
                             "cost", money_text (rt[i].cost)));
  e = json_pack ("{s:o}", "rows", e);
  text = json_dumps (e, JSON_COMPACT);
  CHECK (sr_sim_post (sim.everflow_port, "/_sim/data", text, &status));
  CHECK_INT_EQ (status, 200);
  free (text);
  json_decref (e);
  r = json_pack ("{s:o}", "rows", r);
  text = json_dumps (r, JSON_COMPACT);
  CHECK (sr_sim_post (sim.redtrack_port, "/_sim/data", text, &status));
  CHECK_INT_EQ (status, 200);
  free (text);
  json_decref (r);
}

static void
put_mapping (void)
{
  struct sr_th_response r;
  char body[2048], hdr[2048];
  size_t o;

  o = (size_t) snprintf (body, sizeof (body),
                         "redtrack.source,redtrack.source_alias,"
                         "redtrack.source_id,everflow.affiliate_id,"
                         "everflow.affiliate_label,everflow.advertiser_id,"
                         "everflow.advertiser_label\r\n");
  for (size_t i = 0; i < N (maps); i++)
    o += (size_t) snprintf (body + o, sizeof (body) - o,
                            "%s,%s,%s,%d,%s,%d,%s\r\n", maps[i].name,
                            maps[i].alias, maps[i].sid, maps[i].aff,
                            maps[i].label, maps[i].adv,
                            1 == maps[i].adv ? "CCW" : "EXP");
  snprintf (hdr, sizeof (hdr), "Authorization: Bearer %s\r\n"
            "Content-Type: text/csv; charset=utf-8\r\n", admin);
  REQUIRE (sr_th_http (srv.port, "PUT", "/v1/mappings/affiliates", hdr,
                       body, o, &r));
  if (200 != r.status)
    fprintf (stderr, "PUT mapping: %d %s\n", r.status, r.body);
  CHECK_INT_EQ (r.status, 200);
  sr_th_response_clean (&r);
}

static void
upload (const struct export_file *f)
{
  size_t len;
  char *csv = export_csv (f, &len);

  CHECK (sr_s3srv_put (&s3, AK, SK, BUCKET, f->key, csv, len));
  free (csv);
}

/* ------------------------------------------------------------------ */
/* Checks of one report against the model                               */
/* ------------------------------------------------------------------ */

/* Percent change as the summary states it: one decimal, null on a zero
 * base (the figures compared are the rounded ones shown). */
static void
expect_change (const char *ctx, json_t *o, const char *k, double now,
               double base)
{
  char want[40];
  json_t *v = json_object_get (o, k);

  if (0.0 == base) {
    expect_null (ctx, o, k);
    return;
  }
  snprintf (want, sizeof (want), "%.1f",
            round_half_away ((now - base) / (base < 0 ? -base : base)
                             * 1000.0) / 10.0);
  if (0 == strcmp (want, "-0.0"))
    snprintf (want, sizeof (want), "0.0");
  if (!json_is_number (v) || json_number_value (v) != strtod (want, NULL))
    fail (ctx, k, v, want);
}

/*
 * daily-summary of brand @a brand (advertiser @a adv) on @a day with
 * @a top (0: the default, 10).  Returns the ETag.
 */
static void
check_summary (const char *brand, int adv, const char *day, int top,
               char etag[160])
{
  struct got g;
  json_t *d, *t, *ch, *a, *prev, *avg;
  struct fig tot, in, ex, pv, wk;
  struct perf p[64];
  size_t n, k = 0;
  char ctx[96], yday[11], wk0[11];
  long long avg_conv, avg_cost, avg_rev, avg_pay, avg_profit;

  d = report (&g, 0 == top
              ? target_of ("/v1/reports/daily-summary?brand=%s&date=%s",
                           brand, day)
              : target_of ("/v1/reports/daily-summary?brand=%s&date=%s"
                           "&top=%d", brand, day, top));
  if (NULL == d) {
    got_clean (&g);
    return;
  }
  if (NULL != etag)
    snprintf (etag, 160, "%s", g.etag);
  snprintf (ctx, sizeof (ctx), "daily-summary %s %s", brand, day);
  expect_str (ctx, d, "date", day);
  expect_str (ctx, d, "brand", 1 == adv ? "CCW" : "EXP");
  expect_str (ctx, json_object_get (json_object_get (g.json, "meta"),
                                    "params"), "date", day);
  expect_str (ctx, json_object_get (g.json, "meta"), "report",
              "daily-summary");

  tot = fig_of (day, day, adv, 0);
  t = json_object_get (d, "totals");
  expect_int (ctx, t, "conversions", tot.conv);
  expect_cents (ctx, t, "cost", tot.cost);
  expect_cents (ctx, t, "cpa", cpa_of (tot.cost, tot.conv));
  expect_cents (ctx, t, "revenue", tot.rev);
  expect_cents (ctx, t, "payout", tot.pay);
  expect_cents (ctx, t, "profit", tot.rev - tot.cost);

  in = fig_of (day, day, adv, 1);
  ex = fig_of (day, day, adv, 2);
  expect_int (ctx, json_object_get (d, "internal"), "conversions", in.conv);
  expect_cents (ctx, json_object_get (d, "internal"), "cost", in.cost);
  expect_cents (ctx, json_object_get (d, "internal"), "cpa",
                cpa_of (in.cost, in.conv));
  expect_int (ctx, json_object_get (d, "external"), "conversions", ex.conv);
  expect_cents (ctx, json_object_get (d, "external"), "cost", ex.cost);
  expect_cents (ctx, json_object_get (d, "external"), "cpa",
                cpa_of (ex.cost, ex.conv));

  /* The top affiliates: with conversions, most first, then by label. */
  n = perf_rows (day, day, adv, p, N (p));
  qsort (p, n, sizeof (p[0]), by_conv_then_label);
  a = json_object_get (d, "top_affiliates");
  for (size_t i = 0; i < n && k < (size_t) (0 == top ? 10 : top); i++) {
    json_t *row = json_array_get (a, k);
    char rctx[160];

    if (0 == p[i].conv)
      continue;
    snprintf (rctx, sizeof (rctx), "%s top %zu", ctx, k);
    expect_str (rctx, row, "affiliate_label", p[i].label);
    expect_int (rctx, row, "conversions", p[i].conv);
    expect_cents (rctx, row, "cost", p[i].cost);
    expect_cents (rctx, row, "cpa", cpa_of (p[i].cost, p[i].conv));
    expect_bool (rctx, row, "is_internal", p[i].internal);
    k++;
  }
  expect_size (ctx, a, k);

  /* The day before, and the 7 days before (a day without rows is 0). */
  day_add (day, -1, yday);
  day_add (day, -7, wk0);
  pv = fig_of (yday, yday, adv, 0);
  wk = fig_of (wk0, yday, adv, 0);
  ch = json_object_get (d, "change");
  prev = json_object_get (ch, "previous_day");
  expect_int (ctx, prev, "conversions", pv.conv);
  expect_cents (ctx, prev, "cost", pv.cost);
  expect_cents (ctx, prev, "cpa", cpa_of (pv.cost, pv.conv));
  expect_cents (ctx, prev, "revenue", pv.rev);
  expect_cents (ctx, prev, "payout", pv.pay);
  expect_cents (ctx, prev, "profit", pv.rev - pv.cost);
  avg = json_object_get (ch, "trailing_7_day_average");
  avg_conv = div_round (100 * wk.conv, 7);   /* hundredths */
  avg_cost = div_round (wk.cost, 7);
  avg_rev = div_round (wk.rev, 7);
  avg_pay = div_round (wk.pay, 7);
  avg_profit = div_round (wk.rev - wk.cost, 7);
  expect_dec (ctx, avg, "conversions", avg_conv, 2);
  expect_cents (ctx, avg, "cost", avg_cost);
  expect_cents (ctx, avg, "cpa", cpa_of (wk.cost, wk.conv));
  expect_cents (ctx, avg, "revenue", avg_rev);
  expect_cents (ctx, avg, "payout", avg_pay);
  expect_cents (ctx, avg, "profit", avg_profit);
  {
    const char *const k6[] = { "conversions", "cost", "cpa", "revenue",
                               "payout", "profit" };
    double now[6] = { (double) tot.conv, tot.cost / 100.0,
                      cpa_of (tot.cost, tot.conv) / 100.0, tot.rev / 100.0,
                      tot.pay / 100.0, (tot.rev - tot.cost) / 100.0 };
    double pb[6] = { (double) pv.conv, pv.cost / 100.0,
                     cpa_of (pv.cost, pv.conv) / 100.0, pv.rev / 100.0,
                     pv.pay / 100.0, (pv.rev - pv.cost) / 100.0 };
    double ab[6] = { avg_conv / 100.0, avg_cost / 100.0,
                     cpa_of (wk.cost, wk.conv) / 100.0, avg_rev / 100.0,
                     avg_pay / 100.0, avg_profit / 100.0 };
    char cctx[160];

    for (size_t i = 0; i < 6; i++) {
      snprintf (cctx, sizeof (cctx), "%s vs_previous_day_pct", ctx);
      expect_change (cctx, json_object_get (ch, "vs_previous_day_pct"),
                     k6[i], now[i], pb[i]);
      snprintf (cctx, sizeof (cctx), "%s vs_trailing_7_day_average_pct",
                ctx);
      expect_change (cctx, json_object_get (ch,
                                            "vs_trailing_7_day_average_pct"),
                     k6[i], now[i], ab[i]);
    }
  }
  /* Money has two decimals in the JSON text, always; the changes are
   * rates (one decimal), so they are looked at apart. */
  {
    static const char *const pcts[] = {
      "\"vs_previous_day_pct\":{", "\"vs_trailing_7_day_average_pct\":{"
    };
    static const char *const keys[] = { "conversions", "cost", "cpa",
                                        "revenue", "payout", "profit" };
    char *money = strdup (g.body), cctx[160];

    for (size_t i = 0; NULL != money && i < N (pcts); i++) {
      char *b = strstr (money, pcts[i]), *e, saved;

      if (NULL == b)
        continue;
      b += strlen (pcts[i]);
      e = b + strcspn (b, "}");
      saved = *e;
      *e = '\0';
      snprintf (cctx, sizeof (cctx), "%s %.30s", ctx, pcts[i] + 1);
      for (size_t k2 = 0; k2 < N (keys); k2++)
        expect_decimals (cctx, b, keys[k2], 1);
      *e = saved;
      memset (b, ' ', (size_t) (e - b));   /* out of the money check */
    }
    for (size_t k2 = 1; NULL != money && k2 < N (keys); k2++)
      expect_decimals (ctx, money, keys[k2], 2);
    free (money);
  }
  got_clean (&g);
}

/* daily-performance of CCW over [from, to]: every row, in order. */
static void
check_daily_performance (const char *from, const char *to)
{
  struct got g;
  struct perf p[64];
  size_t n = perf_rows (from, to, 1, p, N (p));
  json_t *d = report (&g, target_of ("/v1/reports/daily-performance?"
                                     "brand=CCW&from=%s&to=%s", from, to));
  char ctx[96];

  snprintf (ctx, sizeof (ctx), "daily-performance %s..%s", from, to);
  qsort (p, n, sizeof (p[0]), by_date_conv_label);
  expect_size (ctx, d, n);
  for (size_t i = 0; NULL != d && i < n; i++) {
    json_t *row = json_array_get (d, i);
    char rctx[256];

    snprintf (rctx, sizeof (rctx), "%s row %zu (%.10s %.63s)", ctx, i,
              p[i].date, p[i].label);
    expect_str (rctx, row, "date", p[i].date);
    expect_str (rctx, row, "affiliate_label", p[i].label);
    expect_bool (rctx, row, "is_internal", p[i].internal);
    expect_int (rctx, row, "conversions", p[i].conv);
    expect_cents (rctx, row, "cost", p[i].cost);
    expect_cents (rctx, row, "cpa", cpa_of (p[i].cost, p[i].conv));
    expect_cents (rctx, row, "everflow_payout", p[i].pay);
    expect_cents (rctx, row, "everflow_revenue", p[i].rev);
    expect_cents (rctx, row, "redtrack_cost", p[i].rt_cost);
    expect_int (rctx, row, "redtrack_clicks", p[i].rt_clicks);
  }
  if (NULL != g.body) {
    expect_decimals (ctx, g.body, "cost", 2);
    expect_decimals (ctx, g.body, "cpa", 2);
    expect_decimals (ctx, g.body, "redtrack_cost", 2);
  }
  got_clean (&g);
}

struct lb {
  char label[64];
  bool internal;
  long long conv, cost, rev, pay;
};

static const char *lb_sort;
static bool lb_desc;

static bool
lb_key (const struct lb *x, long long *key)
{
  if (streq (lb_sort, "cpa")) {
    *key = x->conv > 0 ? div_round (x->cost, x->conv) : 0;
    return x->conv > 0;
  }
  *key = streq (lb_sort, "conversions") ? x->conv
         : streq (lb_sort, "revenue") ? x->rev
         : streq (lb_sort, "cost") ? x->cost : x->rev - x->cost;
  return true;
}

/* The chosen figure, high or low first; no figure (CPA without
 * conversions) last either way; then by label. */
static int
lb_cmp (const void *a, const void *b)
{
  const struct lb *x = a, *y = b;
  long long kx, ky;
  bool hx = lb_key (x, &kx), hy = lb_key (y, &ky);

  if (hx != hy)
    return hx ? -1 : 1;
  if (hx && kx != ky)
    return (kx < ky) == lb_desc ? 1 : -1;
  return strcmp (x->label, y->label);
}

/* leaderboard of CCW over [from, to]; @a order, @a limit may be NULL/0. */
static void
check_leaderboard (const char *from, const char *to, const char *sort,
                   const char *order, int limit)
{
  struct perf p[64];
  struct lb l[32];
  size_t n = perf_rows (from, to, 1, p, N (p)), nl = 0, want;
  char q[256], ctx[320];
  struct got g;
  json_t *d, *params;

  for (size_t i = 0; i < n; i++) {
    size_t k = 0;

    while (k < nl && !streq (l[k].label, p[i].label))
      k++;
    if (k == nl) {
      memset (&l[nl], 0, sizeof (l[nl]));
      snprintf (l[nl].label, sizeof (l[nl].label), "%s", p[i].label);
      nl++;
    }
    l[k].internal |= p[i].internal;
    l[k].conv += p[i].conv;
    l[k].cost += p[i].cost;
    l[k].rev += p[i].rev;
    l[k].pay += p[i].pay;
  }
  lb_sort = sort;
  lb_desc = NULL != order ? streq (order, "desc") : !streq (sort, "cpa");
  qsort (l, nl, sizeof (l[0]), lb_cmp);
  snprintf (q, sizeof (q), "/v1/reports/leaderboard?brand=CCW&from=%s&to=%s"
            "&sort=%s%s%s", from, to, sort, NULL != order ? "&order=" : "",
            NULL != order ? order : "");
  if (limit > 0)
    snprintf (q + strlen (q), sizeof (q) - strlen (q), "&limit=%d", limit);
  snprintf (ctx, sizeof (ctx), "leaderboard %s", q);
  d = report (&g, q);
  params = json_object_get (json_object_get (g.json, "meta"), "params");
  expect_str (ctx, params, "sort", sort);
  expect_str (ctx, params, "order", lb_desc ? "desc" : "asc");
  expect_int (ctx, params, "limit", limit > 0 ? limit : 50);
  want = limit > 0 && (size_t) limit < nl ? (size_t) limit : nl;
  expect_size (ctx, d, want);
  for (size_t i = 0; NULL != d && i < want; i++) {
    json_t *row = json_array_get (d, i);
    char rctx[400];

    snprintf (rctx, sizeof (rctx), "%s rank %zu", ctx, i + 1);
    expect_int (rctx, row, "rank", (long long) i + 1);
    expect_str (rctx, row, "affiliate_label", l[i].label);
    expect_bool (rctx, row, "is_internal", l[i].internal);
    expect_int (rctx, row, "conversions", l[i].conv);
    expect_cents (rctx, row, "cost", l[i].cost);
    expect_cents (rctx, row, "cpa", cpa_of (l[i].cost, l[i].conv));
    expect_cents (rctx, row, "revenue", l[i].rev);
    expect_cents (rctx, row, "payout", l[i].pay);
    expect_cents (rctx, row, "profit", l[i].rev - l[i].cost);
  }
  if (NULL != g.body) {
    expect_decimals (ctx, g.body, "cost", 2);
    expect_decimals (ctx, g.body, "cpa", 2);
    expect_decimals (ctx, g.body, "profit", 2);
  }
  got_clean (&g);
}

static const char *
brand_cat (const char *brand)
{
  return streq (brand, "EXP") ? "EXP" : "CCW";
}

/* state-heatmap: all 51 rows, the metric's value, meta.unknown_state. */
static void
check_heatmap (const char *brand, const char *from, const char *to,
               const char *metric)
{
  struct norm o[64];
  size_t n = orders_of (brand_cat (brand), from, to, o, N (o));
  struct got g;
  json_t *d = report (&g, target_of ("/v1/reports/state-heatmap?brand=%s&"
                                     "from=%s&to=%s&metric=%s", brand, from,
                                     to, metric));
  json_t *unknown = json_object_get (json_object_get (g.json, "meta"),
                                     "unknown_state");
  long long un_orders = 0, un_rev = 0;
  char ctx[128];

  snprintf (ctx, sizeof (ctx), "state-heatmap %s %s..%s %s", brand, from,
            to, metric);
  expect_size (ctx, d, N (us_states));
  for (size_t s = 0; NULL != d && s < N (us_states); s++) {
    json_t *row = json_array_get (d, s);
    long long orders = 0, approved = 0, declined = 0, rev = 0, cust = 0;
    const char *seen[64];
    char rctx[160];

    for (size_t i = 0; i < n; i++) {
      bool dup = false;

      if (!streq (o[i].state, us_states[s]))
        continue;
      orders++;
      approved += !streq (o[i].status, "DECLINED");
      declined += streq (o[i].status, "DECLINED");
      rev += revenue_of (&o[i]);
      for (long long c = 0; c < cust; c++)
        dup |= streq (seen[c], o[i].customer);
      if (!dup && '\0' != o[i].customer[0])
        seen[cust++] = o[i].customer;
    }
    snprintf (rctx, sizeof (rctx), "%s %s", ctx, us_states[s]);
    expect_str (rctx, row, "state", us_states[s]);
    expect_int (rctx, row, "orders", orders);
    expect_int (rctx, row, "approved", approved);
    expect_int (rctx, row, "declined", declined);
    expect_cents (rctx, row, "revenue", rev);
    expect_tenths (rctx, row, "approval_rate", rate_tenths (approved,
                                                            orders));
    expect_tenths (rctx, row, "decline_rate", rate_tenths (declined,
                                                           orders));
    if (streq (metric, "customers"))
      expect_int (rctx, row, "customers", cust);
    else
      expect_null (rctx, row, "customers");
    if (streq (metric, "orders"))
      expect_int (rctx, row, "value", orders);
    else if (streq (metric, "customers"))
      expect_int (rctx, row, "value", cust);
    else if (streq (metric, "revenue"))
      expect_cents (rctx, row, "value", rev);
    else
      expect_tenths (rctx, row, "value", streq (metric, "approval_rate")
                     ? rate_tenths (approved, orders)
                     : rate_tenths (declined, orders));
  }
  if (NULL != d) {
    expect_str (ctx, json_array_get (d, 43), "state_name", "Texas");
    expect_str (ctx, json_array_get (d, 7), "state_name",
                "District of Columbia");
  }
  for (size_t i = 0; i < n; i++)
    if (!is_us_state (o[i].state)) {
      un_orders++;
      un_rev += revenue_of (&o[i]);
    }
  expect_int (ctx, unknown, "orders", un_orders);
  expect_cents (ctx, unknown, "revenue", un_rev);
  if (NULL != g.body) {
    expect_decimals (ctx, g.body, "revenue", 2);
    expect_decimals (ctx, g.body, "approval_rate", 1);
    expect_decimals (ctx, g.body, "decline_rate", 1);
  }
  got_clean (&g);
}

/* The per-day order reports over [from, to]: daily-trend,
 * chargebacks-refunds and cumulative-revenue. */
static void
check_order_days (const char *brand, const char *from, const char *to)
{
  struct norm o[64];
  size_t n = orders_of (brand_cat (brand), from, to, o, N (o));
  long days = day_num (to) - day_num (from) + 1, running = 0;
  struct got tg, cg, rg;
  json_t *trend = report (&tg, target_of ("/v1/reports/orders/daily-trend?"
                                          "brand=%s&from=%s&to=%s", brand,
                                          from, to));
  json_t *cb = report (&cg, target_of ("/v1/reports/orders/"
                                       "chargebacks-refunds?brand=%s&"
                                       "from=%s&to=%s", brand, from, to));
  json_t *cum = report (&rg, target_of ("/v1/reports/orders/"
                                        "cumulative-revenue?brand=%s&"
                                        "from=%s&to=%s", brand, from, to));
  char ctx[128];

  snprintf (ctx, sizeof (ctx), "orders by day %s %s..%s", brand, from, to);
  expect_size (ctx, trend, (size_t) days);
  expect_size (ctx, cb, (size_t) days);
  expect_size (ctx, cum, (size_t) days);
  for (long i = 0; i < days; i++) {
    char day[11], rctx[160];
    long long orders = 0, approved = 0, declined = 0, rev = 0, cbs = 0,
              refunds = 0;

    day_add (from, i, day);
    for (size_t k = 0; k < n; k++)
      if (streq (o[k].day, day)) {
        orders++;
        approved += !streq (o[k].status, "DECLINED");
        declined += streq (o[k].status, "DECLINED");
        rev += revenue_of (&o[k]);
        cbs += o[k].cb;
        refunds += o[k].refunded;
      }
    running += rev;
    snprintf (rctx, sizeof (rctx), "%s daily-trend %s", ctx, day);
    expect_str (rctx, json_array_get (trend, (size_t) i), "day", day);
    expect_int (rctx, json_array_get (trend, (size_t) i), "orders", orders);
    expect_int (rctx, json_array_get (trend, (size_t) i), "approved",
                approved);
    expect_int (rctx, json_array_get (trend, (size_t) i), "declined",
                declined);
    expect_cents (rctx, json_array_get (trend, (size_t) i), "revenue", rev);
    snprintf (rctx, sizeof (rctx), "%s chargebacks-refunds %s", ctx, day);
    expect_str (rctx, json_array_get (cb, (size_t) i), "day", day);
    expect_int (rctx, json_array_get (cb, (size_t) i), "orders", orders);
    expect_int (rctx, json_array_get (cb, (size_t) i), "chargebacks", cbs);
    expect_int (rctx, json_array_get (cb, (size_t) i), "refunds", refunds);
    expect_tenths (rctx, json_array_get (cb, (size_t) i), "chargeback_rate",
                   rate_tenths (cbs, orders));
    expect_tenths (rctx, json_array_get (cb, (size_t) i), "refund_rate",
                   rate_tenths (refunds, orders));
    snprintf (rctx, sizeof (rctx), "%s cumulative-revenue %s", ctx, day);
    expect_str (rctx, json_array_get (cum, (size_t) i), "day", day);
    expect_cents (rctx, json_array_get (cum, (size_t) i), "revenue", rev);
    expect_cents (rctx, json_array_get (cum, (size_t) i),
                  "cumulative_revenue", running);
  }
  if (NULL != tg.body)
    expect_decimals (ctx, tg.body, "revenue", 2);
  if (NULL != cg.body) {
    expect_decimals (ctx, cg.body, "chargeback_rate", 1);
    expect_decimals (ctx, cg.body, "refund_rate", 1);
  }
  if (NULL != rg.body) {
    expect_decimals (ctx, rg.body, "revenue", 2);
    expect_decimals (ctx, rg.body, "cumulative_revenue", 2);
  }
  got_clean (&tg);
  got_clean (&cg);
  got_clean (&rg);
}

struct count {
  char key[32];
  long long n, rev;
};

static int
by_n_then_key (const void *a, const void *b)
{
  const struct count *x = a, *y = b;

  if (x->n != y->n)
    return x->n > y->n ? -1 : 1;
  return strcmp (x->key, y->key);
}

static struct count *
count_slot (struct count *c, size_t *n, size_t cap, const char *key)
{
  for (size_t i = 0; i < *n; i++)
    if (streq (c[i].key, key))
      return &c[i];
  if (*n == cap)
    abort ();
  memset (&c[*n], 0, sizeof (c[*n]));
  snprintf (c[*n].key, sizeof (c[*n].key), "%s", key);
  return &c[(*n)++];
}

static const char *
tier_of (long long total)
{
  return total < 0 ? "unknown" : total < 2500 ? "$0-24"
         : total < 5000 ? "$25-49" : total < 10000 ? "$50-99" : "$100+";
}

/* status-breakdown, price-tiers and by-state over [from, to]. */
static void
check_order_mix (const char *brand, const char *from, const char *to)
{
  static const char *const tiers[] = { "$0-24", "$25-49", "$50-99",
                                       "$100+", "unknown" };
  struct norm o[64];
  size_t n = orders_of (brand_cat (brand), from, to, o, N (o));
  struct count st[16], tc[8], bs[64];
  size_t nst = 0, ntc = 0, nbs = 0, k = 0;
  struct got g;
  json_t *d;
  char ctx[128];

  for (size_t i = 0; i < n; i++) {
    count_slot (st, &nst, N (st), o[i].status)->n++;
    if (streq (o[i].status, "NEW")) {
      struct count *t = count_slot (tc, &ntc, N (tc), tier_of (o[i].total));

      t->n++;
      t->rev += revenue_of (&o[i]);
      if (is_us_state (o[i].state)) {
        struct count *b = count_slot (bs, &nbs, N (bs), o[i].state);

        b->n++;
        b->rev += revenue_of (&o[i]);
      }
    }
  }

  snprintf (ctx, sizeof (ctx), "status-breakdown %s %s..%s", brand, from,
            to);
  qsort (st, nst, sizeof (st[0]), by_n_then_key);
  d = report (&g, target_of ("/v1/reports/orders/status-breakdown?brand=%s&"
                             "from=%s&to=%s", brand, from, to));
  expect_size (ctx, d, nst);
  for (size_t i = 0; NULL != d && i < nst; i++) {
    expect_str (ctx, json_array_get (d, i), "status", st[i].key);
    expect_int (ctx, json_array_get (d, i), "orders", st[i].n);
    expect_tenths (ctx, json_array_get (d, i), "percentage",
                   rate_tenths (st[i].n, (long long) n));
  }
  got_clean (&g);

  snprintf (ctx, sizeof (ctx), "price-tiers %s %s..%s", brand, from, to);
  d = report (&g, target_of ("/v1/reports/orders/price-tiers?brand=%s&"
                             "from=%s&to=%s", brand, from, to));
  expect_size (ctx, d, ntc);
  for (size_t t = 0; t < N (tiers); t++)
    for (size_t i = 0; i < ntc; i++)
      if (streq (tc[i].key, tiers[t])) {
        expect_str (ctx, json_array_get (d, k), "tier", tiers[t]);
        expect_int (ctx, json_array_get (d, k), "orders", tc[i].n);
        expect_cents (ctx, json_array_get (d, k), "revenue", tc[i].rev);
        k++;
      }
  if (NULL != g.body)
    expect_decimals (ctx, g.body, "revenue", 2);
  got_clean (&g);

  /* by-state: NEW orders per US state, the most revenue first. */
  snprintf (ctx, sizeof (ctx), "by-state %s %s..%s", brand, from, to);
  for (size_t i = 0; i < nbs; i++)
    for (size_t j = i + 1; j < nbs; j++)
      if (bs[j].rev > bs[i].rev
          || (bs[j].rev == bs[i].rev && strcmp (bs[j].key, bs[i].key) < 0)) {
        struct count t = bs[i];

        bs[i] = bs[j];
        bs[j] = t;
      }
  d = report (&g, target_of ("/v1/reports/orders/by-state?brand=%s&"
                             "from=%s&to=%s", brand, from, to));
  expect_size (ctx, d, nbs);
  for (size_t i = 0; NULL != d && i < nbs; i++) {
    expect_str (ctx, json_array_get (d, i), "state", bs[i].key);
    expect_int (ctx, json_array_get (d, i), "orders", bs[i].n);
    expect_cents (ctx, json_array_get (d, i), "revenue", bs[i].rev);
    expect_cents (ctx, json_array_get (d, i), "avg_order",
                  div_round (bs[i].rev, bs[i].n));
  }
  got_clean (&g);
}

static void
check_all_orders (void)
{
  check_heatmap ("CCW", "2026-06-01", "2026-06-03", "orders");
  check_heatmap ("CCW", "2026-06-01", "2026-06-03", "revenue");
  check_heatmap ("CCW", "2026-06-01", "2026-06-03", "approval_rate");
  check_heatmap ("CCW", "2026-06-01", "2026-06-03", "decline_rate");
  check_heatmap ("CCW", "2026-06-01", "2026-06-03", "customers");
  check_heatmap ("CCW", "2026-06-02", "2026-06-02", "orders");
  check_heatmap ("EXP", "2026-06-01", "2026-06-03", "approval_rate");
  /* Ranges read whole months from the monthly rows and the days at their
   * ends from the daily ones: every way a range can meet a month. */
  check_heatmap ("CCW", "2026-05-01", "2026-06-30", "orders");
  check_heatmap ("CCW", "2026-05-31", "2026-07-15", "revenue");
  check_heatmap ("CCW", "2026-05-15", "2026-06-02", "approval_rate");
  check_heatmap ("CCW", "2026-06-02", "2026-06-30", "orders");
  check_heatmap ("CCW", "2026-06-03", "2026-07-01", "decline_rate");
  check_heatmap ("CCW", "2026-01-01", "2026-12-31", "customers");
  check_heatmap ("EXP", "2025-12-31", "2026-12-31", "revenue");
  check_order_days ("CCW", "2026-05-31", "2026-06-04");
  check_order_days ("EXP", "2026-05-31", "2026-06-04");
  check_order_mix ("CCW", "2026-06-01", "2026-06-03");
  check_order_mix ("CCW", "2026-06-03", "2026-06-03");
  check_order_mix ("EXP", "2026-06-01", "2026-06-03");
}

/* ------------------------------------------------------------------ */
/* CSV                                                                  */
/* ------------------------------------------------------------------ */

/* RFC 4180 with CRLF record ends: an array of records, each an array of
 * fields; NULL when the text is not that. */
static json_t *
csv_parse (const char *s, size_t len)
{
  json_t *rows = json_array (), *rec = json_array ();
  char *field = malloc (len + 1);
  size_t i = 0, f = 0;

  if (NULL == field)
    abort ();
  while (i < len) {
    bool quoted = '"' == s[i];

    f = 0;
    if (quoted) {
      for (i++;; i++) {
        if (i >= len)
          goto bad;
        if ('"' == s[i]) {
          if (i + 1 < len && '"' == s[i + 1])
            i++;
          else
            break;
        }
        field[f++] = s[i];
      }
      i++;
    } else {
      while (i < len && ',' != s[i] && '\r' != s[i] && '\n' != s[i]) {
        if ('"' == s[i])
          goto bad;
        field[f++] = s[i++];
      }
    }
    field[f] = '\0';
    json_array_append_new (rec, json_string (field));
    if (i < len && ',' == s[i]) {
      i++;
      continue;
    }
    /* else the record ends, with CRLF */
    if (i + 1 >= len || '\r' != s[i] || '\n' != s[i + 1])
      goto bad;
    i += 2;
    json_array_append_new (rows, rec);
    rec = json_array ();
  }
  json_decref (rec);
  free (field);
  return rows;
bad:
  json_decref (rec);
  json_decref (rows);
  free (field);
  return NULL;
}

/* A CSV cell says what a JSON value says. */
static bool
cell_matches (const char *cell, json_t *v)
{
  const char *s;

  if (json_is_null (v))
    return '\0' == cell[0];
  if (json_is_true (v))
    return streq (cell, "true");
  if (json_is_false (v))
    return streq (cell, "false");
  if (json_is_number (v)) {
    char *end;
    double x = strtod (cell, &end);

    return '\0' != cell[0] && '\0' == *end && x == json_number_value (v);
  }
  s = json_string_value (v);
  if (NULL != s && '\0' != s[0] && NULL != strchr ("=+-@", s[0]))
    return '\'' == cell[0] && streq (cell + 1, s);   /* defused formula */
  return streq (cell, s);
}

/* @a target (no format) as JSON, with format=csv and with Accept:
 * text/csv: the same table. */
static void
check_csv_matches_json (const char *target)
{
  struct got j, c, a;
  json_t *rows, *data;
  char t[1024];

  snprintf (t, sizeof (t), "%s&format=csv", target);
  data = report (&j, target);
  REQUIRE (fetch (&c, NULL, t));
  REQUIRE (fetch (&a, "Accept: text/csv\r\n", target));
  CHECK_INT_EQ (c.status, 200);
  CHECK_STR_EQ (c.ctype, "text/csv; charset=utf-8");
  CHECK_STR_EQ (c.cache, "private, max-age=60");
  CHECK_INT_EQ (a.status, 200);
  CHECK (c.len == a.len && NULL != c.body && NULL != a.body
         && 0 == memcmp (c.body, a.body, c.len));
  /* CSV and JSON are different representations: different tags. */
  CHECK (NULL != strstr (c.etag, "W/\"") && !streq (c.etag, j.etag));
  rows = NULL != c.body ? csv_parse (c.body, c.len) : NULL;
  if (NULL == rows) {
    fprintf (stderr, "%s: not RFC 4180 CSV with CRLF: %s\n", t,
             NULL != c.body ? c.body : "");
    sr_test_failures_++;
  } else if (!json_is_array (data)
             || json_array_size (rows) != json_array_size (data) + 1) {
    fprintf (stderr, "%s: %zu CSV records for %zu JSON rows\n", target,
             json_array_size (rows), json_array_size (data));
    sr_test_failures_++;
  } else {
    json_t *header = json_array_get (rows, 0);

    for (size_t r = 0; r < json_array_size (data); r++) {
      json_t *obj = json_array_get (data, r), *rec = json_array_get (rows,
                                                                     r + 1);
      size_t col = 0;
      void *it;

      CHECK_INT_EQ (json_array_size (rec), json_array_size (header));
      CHECK_INT_EQ (json_object_size (obj), json_array_size (header));
      for (it = json_object_iter (obj); NULL != it;
           it = json_object_iter_next (obj, it), col++) {
        const char *key = json_object_iter_key (it);
        const char *h = json_string_value (json_array_get (header, col));
        const char *cell = json_string_value (json_array_get (rec, col));

        if (!streq (h, key) || NULL == cell
            || !cell_matches (cell, json_object_iter_value (it))) {
          char *v = json_dumps (json_object_iter_value (it),
                                JSON_ENCODE_ANY);

          fprintf (stderr, "%s row %zu: CSV %s=\"%s\", JSON %s=%s\n", target,
                   r, h ? h : "?", cell ? cell : "?", key, v ? v : "?");
          free (v);
          sr_test_failures_++;
        }
      }
    }
  }
  json_decref (rows);
  got_clean (&j);
  got_clean (&c);
  got_clean (&a);
}

/* ------------------------------------------------------------------ */
/* The tests                                                            */
/* ------------------------------------------------------------------ */

SR_TEST (test_start)
{
  struct sr_th_env env = { 0 };
  const char *const extra[] = { "--data", "empty", NULL };

  if (!sr_th_create_db ("sr_reports", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  REQUIRE (sr_sim_start_with (&sim, EF_KEY, RT_KEY, extra));
  REQUIRE (sr_s3srv_start (&s3, AK, SK, BUCKET));
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  sr_th_env_add (&env, "SIGNALROOM_JWT_SECRET", SECRET);
  sr_th_env_add (&env, "SIGNALROOM_SCHEDULER", "false");
  sr_th_env_add (&env, "SIGNALROOM_WORKERS", "2");
  sr_th_env_add (&env, "SIGNALROOM_POLL_MS", "100");
  sr_sim_env (&sim, &env, EF_KEY, RT_KEY);
  sr_th_env_add (&env, "SIGNALROOM_UPSTREAM_BACKOFF_MS", "20");
  sr_s3srv_env (&s3, &env, AK, SK, BUCKET, "orders-create,orders-update");
  REQUIRE (sr_th_server_start (&srv, &env));
  REQUIRE (NULL != sr_th_server_wait_log (&srv, 20000,
                                          "\"msg\":\"migrations current\"",
                                          NULL));
  pg = sr_th_pg (conninfo);
  token = sr_th_jwt (SECRET, "authenticated", "authenticated", 3600);
  admin = sr_th_jwt (SECRET, "service_role", "authenticated", 3600);
  up = true;
  put_mapping ();
}

SR_TEST (test_load_performance)
{
  REQUIRE (up);
  post_sim_data ();
  sync_run ("everflow", "2026-03-01", "2026-03-10");
  sync_run ("redtrack", "2026-03-01", "2026-03-10");
  sync_run ("everflow", "2026-10-31", "2026-11-02");
  sync_run ("redtrack", "2026-10-31", "2026-11-02");
}

/*
 * CCW on DAY: the internal affiliate whose Everflow label ends in a space
 * costs its mapped source's spend, the stray source costs nobody, the
 * external ones cost their payout; the day before and the trailing week
 * as the model has them.
 */
SR_TEST (test_daily_summary)
{
  struct got g;
  json_t *fresh;

  REQUIRE (up);
  check_summary ("CCW", 1, DAY, 0, NULL);
  check_summary ("CCW", 1, DAY, 3, NULL);
  check_summary ("CCW", 1, "2026-03-08", 0, NULL);
  /* The brand by any case, or by its advertiser id. */
  check_summary ("ccw", 1, DAY, 2, NULL);
  check_summary ("1", 1, DAY, 1, NULL);
  /* Sanity of the model itself on DAY, worked out by hand: cost
   * 612.34 + 98.76 + 487.50 + 301.23 + 130.00, the stray 43.21 not in. */
  CHECK_INT_EQ (fig_of (DAY, DAY, 1, 0).cost, 162983);
  CHECK_INT_EQ (fig_of (DAY, DAY, 1, 0).conv, 52);
  CHECK_INT_EQ (fig_of (DAY, DAY, 1, 1).cost, 71110);

  /* Freshness: both ad sources were loaded after DAY ended; no order
   * file is dated DAY. */
  REQUIRE (NULL != report (&g, "/v1/reports/daily-summary?brand=CCW&date="
                           DAY));
  fresh = json_object_get (json_object_get (g.json, "data"), "freshness");
  CHECK (json_is_string (json_object_get (json_object_get (fresh,
                                                           "everflow"),
                                          "loaded_at")));
  CHECK (json_is_true (json_object_get (json_object_get (fresh, "everflow"),
                                        "complete")));
  CHECK (json_is_true (json_object_get (json_object_get (fresh, "redtrack"),
                                        "complete")));
  CHECK (json_is_null (json_object_get (json_object_get (fresh,
                                                         "s3_exports"),
                                        "loaded_at")));
  CHECK (json_is_false (json_object_get (json_object_get (fresh,
                                                          "s3_exports"),
                                         "complete")));
  CHECK (json_equal (fresh, json_object_get (json_object_get (g.json,
                                                              "meta"),
                                             "freshness")));
  got_clean (&g);
}

/* The stray source's spend is listed, with the reason, and only it. */
SR_TEST (test_unmapped_spend)
{
  struct got g;
  json_t *d;
  size_t k = 0;

  REQUIRE (up);
  d = report (&g, "/v1/reports/unmapped-spend?from=2026-03-01&"
              "to=2026-03-10");
  for (size_t i = 0; i < N (rt); i++) {
    json_t *row = json_array_get (d, k);

    if (NULL != map_of (rt[i].sid))
      continue;
    /* rt[] lists days in order, one stray row a day */
    expect_str ("unmapped-spend", row, "date", rt[i].date);
    expect_str ("unmapped-spend", row, "source_id", rt[i].sid);
    expect_str ("unmapped-spend", row, "source_name", rt[i].name);
    expect_cents ("unmapped-spend", row, "cost", rt[i].cost);
    expect_str ("unmapped-spend", row, "reason",
                "source not in the affiliate mapping");
    k++;
  }
  CHECK_INT_EQ (k, 2);
  expect_size ("unmapped-spend", d, k);
  got_clean (&g);
}

/* Days are calendar days: the DST days hold exactly their crafted rows. */
SR_TEST (test_dst_days)
{
  REQUIRE (up);
  check_daily_performance ("2026-10-31", "2026-11-02");
  check_daily_performance ("2026-03-07", "2026-03-10");
  check_summary ("CCW", 1, "2026-11-01", 0, NULL);
  check_summary ("CCW", 1, "2026-11-02", 0, NULL);
  /* By hand: 2026-11-01 is 9 + 11 conversions, 275.25 + 330.00 cost;
   * 2026-11-02 has G2 - Meta's 10.10 spend without conversions. */
  CHECK_INT_EQ (fig_of ("2026-11-01", "2026-11-01", 1, 0).conv, 20);
  CHECK_INT_EQ (fig_of ("2026-11-01", "2026-11-01", 1, 0).cost, 60525);
  CHECK_INT_EQ (fig_of ("2026-11-02", "2026-11-02", 1, 1).cost, 1010);
}

/* Running totals (reports.performance_running) that differ from sums of
 * the days up to each day, counted here both ways round; every affiliate
 * must have a row on every day from its first to the client's last. */
static void
check_running (const char *step)
{
  const char *v = sr_th_pg_value (pg,
    "WITH aff AS ("
    "  SELECT client_id, advertiser_id, affiliate_label, min(date) AS first"
    "    FROM reports.performance_days GROUP BY 1, 2, 3"
    "), last AS ("
    "  SELECT client_id, max(date) AS day FROM reports.performance_days"
    "   GROUP BY 1"
    "), want AS ("
    "  SELECT a.client_id, a.advertiser_id, g.d::date AS date,"
    "         a.affiliate_label, s.*"
    "    FROM aff a JOIN last l USING (client_id)"
    "   CROSS JOIN generate_series(a.first, l.day, interval '1 day') g(d)"
    "   CROSS JOIN LATERAL ("
    "     SELECT count(*) AS days,"
    "            count(*) FILTER (WHERE p.is_internal) AS internal_days,"
    "            sum(p.conversions)::bigint AS conversions,"
    "            sum(p.cost) AS cost, sum(p.everflow_revenue) AS revenue,"
    "            sum(p.everflow_payout) AS payout"
    "       FROM reports.performance_days p"
    "      WHERE p.client_id = a.client_id"
    "        AND p.advertiser_id = a.advertiser_id"
    "        AND p.affiliate_label = a.affiliate_label AND p.date <= g.d) s"
    "), kept AS ("
    "  SELECT client_id, advertiser_id, date, affiliate_label, days,"
    "         internal_days, conversions, cost, revenue, payout"
    "    FROM reports.performance_running"
    ") SELECT (SELECT count(*) FROM (SELECT * FROM want EXCEPT ALL"
    "                                SELECT * FROM kept) x)"
    "       + (SELECT count(*) FROM (SELECT * FROM kept EXCEPT ALL"
    "                                SELECT * FROM want) y)"
    "       || ' of ' || (SELECT count(*) FROM kept)");

  if (0 != strncmp (v, "0 of ", 5) || 0 == strcmp (v, "0 of 0"))
    fprintf (stderr, "%s: running totals off: %s\n", step, v);
  CHECK (0 == strncmp (v, "0 of ", 5) && 0 != strcmp (v, "0 of 0"));
}

SR_TEST (test_leaderboard)
{
  REQUIRE (up);
  check_running ("after the loads");
  check_leaderboard ("2026-03-02", DAY, "cpa", NULL, 0);
  check_leaderboard ("2026-03-02", DAY, "cpa", "desc", 0);
  check_leaderboard ("2026-03-02", DAY, "cpa", "asc", 3);
  check_leaderboard ("2026-03-02", DAY, "conversions", NULL, 0);
  check_leaderboard ("2026-03-02", DAY, "conversions", "asc", 0);
  check_leaderboard ("2026-03-02", DAY, "conversions", "desc", 2);
  check_leaderboard ("2026-03-01", "2026-11-02", "profit", NULL, 4);
  check_leaderboard ("2026-03-01", "2026-11-02", "revenue", "asc", 0);
  check_leaderboard ("2026-03-01", "2026-11-02", "cost", "desc", 1);
  /* After the last day loaded: nobody, whatever came before. */
  check_leaderboard ("2026-11-03", "2026-11-30", "conversions", NULL, 0);
  check_leaderboard ("2026-11-10", "2026-11-30", "profit", NULL, 0);
}

/* ------------------------------------------------------------------ */
/* Snapshots of the daily report                                        */
/* ------------------------------------------------------------------ */

static const char *
q (const char *sql)
{
  return sr_th_pg_value (pg, sql);
}

/* Poll @a sql until it returns "t" (or 60 s). */
static bool
await_true (const char *sql)
{
  return sr_th_pg_await_true (pg, sql, 60);
}

/* The CCW snapshot of DAY as first kept (its data, jsonb's text). */
static char first_ccw[16384];

/* jsonb's text of @a path_sql applied to the JSON document @a body, by
 * the database (an independent canonical form: it keeps decimals' places
 * and orders keys its own way).  Static buffer; "" when NULL. */
static const char *
canonical (const char *body, const char *path_sql)
{
  static char out[2][16384];
  static int k;
  char sql[256];
  const char *params[1] = { body };
  PGresult *r;

  k ^= 1;
  out[k][0] = '\0';
  snprintf (sql, sizeof (sql), "SELECT ($1::jsonb %s)::text", path_sql);
  r = PQexecParams (pg, sql, 1, NULL, params, NULL, NULL, 0);
  if (PGRES_TUPLES_OK == PQresultStatus (r) && 1 == PQntuples (r))
    snprintf (out[k], sizeof (out[k]), "%s", PQgetvalue (r, 0, 0));
  else
    fprintf (stderr, "canonical: %s", PQerrorMessage (pg));
  PQclear (r);
  return out[k];
}

/* GET /v1/reports/snapshots?@a query: 200 and its rows. */
static json_t *
snapshots (struct got *g, const char *query)
{
  char t[300];

  snprintf (t, sizeof (t), "/v1/reports/snapshots?%s", query);
  if (!fetch (g, NULL, t) || 200 != g->status || NULL == g->json) {
    fprintf (stderr, "GET %s: %d %s\n", t, g->status,
             NULL != g->body ? g->body : "");
    sr_test_failures_++;
    return NULL;
  }
  CHECK_STR_EQ (g->ctype, "application/json");
  return json_object_get (g->json, "data");
}

/* The live daily summary of @a brand on DAY equals its newest snapshot:
 * the same JSON, compared as jsonb's text. */
static void
check_snapshot_is_live (const char *brand)
{
  struct got live, snap;
  char q[100];

  snprintf (q, sizeof (q), "brand=%s&date=" DAY "&latest=true", brand);
  REQUIRE (NULL != report (&live, target_of ("/v1/reports/daily-summary?"
                                             "brand=%s&date=" DAY, brand)));
  REQUIRE (NULL != snapshots (&snap, q));
  CHECK_INT_EQ (json_array_size (json_object_get (snap.json, "data")), 1);
  CHECK_STR_EQ (canonical (snap.body, "-> 'data' -> 0 -> 'data'"),
                canonical (live.body, "-> 'data'"));
  CHECK (json_equal (json_object_get (json_array_get (json_object_get (
                                        snap.json, "data"), 0), "data"),
                     json_object_get (live.json, "data")));
  got_clean (&live);
  got_clean (&snap);
}

/* The daily report of DAY: one snapshot per brand, each the live report
 * (EXP had nothing that day: zeros); a retried job adds none. */
SR_TEST (test_snapshots)
{
  struct got g;
  json_t *rows, *exp = NULL;
  char ids[64];

  REQUIRE (up);
  sync_run ("daily_report", DAY, DAY);
  check_snapshot_is_live ("CCW");
  check_snapshot_is_live ("EXP");
  rows = snapshots (&g, "date=" DAY);
  REQUIRE (NULL != rows);
  CHECK_INT_EQ (json_array_size (rows), 2);
  for (size_t i = 0; i < json_array_size (rows); i++) {
    json_t *row = json_array_get (rows, i);
    const char *b = json_string_value (json_object_get (row, "brand"));

    CHECK_STR_EQ (json_string_value (json_object_get (row, "report")),
                  "daily-summary");
    CHECK_STR_EQ (json_string_value (json_object_get (row, "date")), DAY);
    CHECK (json_is_integer (json_object_get (row, "run_id")));
    if (streq (b, "CCW"))
      snprintf (first_ccw, sizeof (first_ccw), "%s",
                canonical (g.body, target_of ("-> 'data' -> %zu -> 'data'",
                                              i)));
    else if (streq (b, "EXP"))
      exp = json_object_get (json_object_get (row, "data"), "totals");
    else
      CHECK (false);
  }
  /* EXP on DAY, by the model: nothing at all. */
  CHECK_INT_EQ (fig_of (DAY, DAY, 2, 0).conv, 0);
  CHECK (NULL != exp && 0 == json_number_value (json_object_get (exp,
                                                                 "conversions"))
         && 0 == json_number_value (json_object_get (exp, "cost")));
  /* By the model: CCW's snapshot holds DAY's 52 conversions. */
  CHECK (NULL != strstr (first_ccw, "\"conversions\": 52"));
  got_clean (&g);

  /* The job runs again (as after a crash between its commit and its
   * report): the run's snapshots stay as they were, none is added. */
  snprintf (ids, sizeof (ids), "%s", q ("SELECT string_agg(id::text, ',' "
                                        "ORDER BY id) FROM "
                                        "reports.snapshots"));
  q ("UPDATE signalroom.jobs SET status = 'queued', run_after = now(), "
     "finished_at = NULL, result = NULL WHERE source = 'daily_report'");
  q ("SELECT signalroom.notify_jobs()");
  REQUIRE (await_true ("SELECT bool_and(status = 'succeeded' AND "
                       "finished_at IS NOT NULL) FROM signalroom.jobs "
                       "WHERE source = 'daily_report'"));
  CHECK_STR_EQ (q ("SELECT result ->> 'inserted' FROM signalroom.jobs WHERE "
                   "source = 'daily_report'"), "0");
  CHECK_STR_EQ (q ("SELECT string_agg(id::text, ',' ORDER BY id) FROM "
                   "reports.snapshots"), ids);
}

/* After upstream restated DAY the live report moved; the snapshot did
 * not.  A second run keeps a second snapshot, the newest first. */
SR_TEST (test_snapshot_survives_restatement)
{
  struct got g, live;
  json_t *rows;
  json_int_t run1, run2, newest;

  REQUIRE (up);
  REQUIRE ('\0' != first_ccw[0]);
  REQUIRE (NULL != (rows = snapshots (&g, "brand=ccw&date=" DAY)));
  CHECK_INT_EQ (json_array_size (rows), 1);
  CHECK_STR_EQ (canonical (g.body, "-> 'data' -> 0 -> 'data'"), first_ccw);
  run1 = json_integer_value (json_object_get (json_array_get (rows, 0),
                                              "run_id"));
  got_clean (&g);
  REQUIRE (NULL != report (&live, "/v1/reports/daily-summary?brand=CCW&"
                           "date=" DAY));
  CHECK (!streq (canonical (live.body, "-> 'data'"), first_ccw));
  got_clean (&live);

  sync_run ("daily_report", DAY, DAY);
  REQUIRE (NULL != (rows = snapshots (&g, "brand=1&date=" DAY)));
  CHECK_INT_EQ (json_array_size (rows), 2);
  run2 = json_integer_value (json_object_get (json_array_get (rows, 0),
                                              "run_id"));
  newest = json_integer_value (json_object_get (json_array_get (rows, 0),
                                                "id"));
  CHECK (run2 > run1);
  CHECK_INT_EQ (json_integer_value (json_object_get (json_array_get (rows,
                                                                     1),
                                                     "run_id")), run1);
  CHECK_STR_EQ (canonical (g.body, "-> 'data' -> 1 -> 'data'"), first_ccw);
  got_clean (&g);
  check_snapshot_is_live ("CCW");
  REQUIRE (NULL != (rows = snapshots (&g, "brand=CCW&from=2026-03-01&to="
                                      DAY "&latest=true")));
  CHECK_INT_EQ (json_array_size (rows), 1);
  CHECK_INT_EQ (json_integer_value (json_object_get (json_array_get (rows,
                                                                     0),
                                                     "id")), newest);
  got_clean (&g);
  REQUIRE (NULL != (rows = snapshots (&g, "date=" DAY "&limit=1")));
  CHECK_INT_EQ (json_array_size (rows), 1);
  got_clean (&g);
  REQUIRE (NULL != (rows = snapshots (&g, "brand=CCW&date=2026-03-08")));
  CHECK_INT_EQ (json_array_size (rows), 0);
  got_clean (&g);
}

SR_TEST (test_snapshot_parameters)
{
  const char *sn = "/v1/reports/snapshots";
  struct sr_th_response r;

  REQUIRE (up);
  expect_bad (target_of ("%s?brand=ZZZ&date=" DAY, sn), "brand");
  expect_bad (target_of ("%s?brand=3", sn), "brand");
  expect_bad (target_of ("%s?date=2026-02-30", sn), "date");
  expect_bad (target_of ("%s?date=" DAY "&from=" DAY, sn), "date");
  expect_bad (target_of ("%s?from=2026-03-09&to=2026-03-08", sn), "from");
  expect_bad (target_of ("%s?from=2025-01-01&to=2026-01-02", sn), "from");
  expect_bad (target_of ("%s?from=2026-02-01&to=2026-02-30", sn), "to");
  expect_bad (target_of ("%s?latest=yes", sn), "latest");
  expect_bad (target_of ("%s?limit=0", sn), "limit");
  expect_bad (target_of ("%s?limit=501", sn), "limit");
  expect_bad (target_of ("%s?report=nope", sn), "report");
  REQUIRE (sr_th_http (srv.port, "GET", sn, NULL, NULL, 0, &r));
  CHECK_INT_EQ (r.status, 401);
  sr_th_response_clean (&r);
}

/* Parse W/"performance-<version>-<16 hex>". */
static long long
etag_version (const char *etag, const char *area)
{
  size_t al = strlen (area);
  const char *p;
  char *end;
  long long v;

  if (0 != strncmp (etag, "W/\"", 3) || 0 != strncmp (etag + 3, area, al)
      || '-' != etag[3 + al])
    return -1;
  p = etag + 4 + al;
  v = strtoll (p, &end, 10);
  if (end == p || '-' != *end || 16 != strspn (end + 1, "0123456789abcdef")
      || '"' != end[17] || '\0' != end[18])
    return -1;
  return v;
}

/* Upstream restates DAY: the summary follows, with a new tag. */
SR_TEST (test_restatement)
{
  char old[160], now[160], hdr[256];
  struct got g;
  struct ef_row *bb = NULL;

  REQUIRE (up);
  check_summary ("CCW", 1, DAY, 0, old);
  CHECK (etag_version (old, "performance") > 0);
  /* Unchanged data: the tag stands, 304 without a body. */
  snprintf (hdr, sizeof (hdr), "If-None-Match: %s\r\n", old);
  REQUIRE (fetch (&g, hdr, "/v1/reports/daily-summary?brand=CCW&date="
                  DAY));
  CHECK_INT_EQ (g.status, 304);
  CHECK_STR_EQ (g.etag, old);
  CHECK_STR_EQ (g.cache, "private, max-age=60");
  CHECK_INT_EQ (g.len, 0);
  got_clean (&g);
  /* Another report's tag is not this one's. */
  REQUIRE (fetch (&g, hdr, "/v1/reports/daily-summary?brand=CCW&date="
                  "2026-03-08"));
  CHECK_INT_EQ (g.status, 200);
  got_clean (&g);

  for (size_t i = 0; i < N (ef); i++)
    if (streq (ef[i].date, DAY) && 11 == ef[i].aff)
      bb = &ef[i];
  REQUIRE (NULL != bb);
  bb->cv = 18;
  bb->rev = 90000;
  bb->pay = 58500;
  post_sim_data ();
  sync_run ("everflow", DAY, DAY);

  /* The old tag no longer matches: the new figures, a new tag. */
  REQUIRE (fetch (&g, hdr, "/v1/reports/daily-summary?brand=CCW&date="
                  DAY));
  CHECK_INT_EQ (g.status, 200);
  CHECK (!streq (g.etag, old));
  CHECK (etag_version (g.etag, "performance")
         > etag_version (old, "performance"));
  CHECK_INT_EQ (json_integer_value (json_object_get (json_object_get (
                                                       g.json, "meta"),
                                                     "data_version")),
                etag_version (g.etag, "performance"));
  got_clean (&g);
  check_summary ("CCW", 1, DAY, 0, now);
  CHECK (!streq (now, old));
  /* By hand: 52 - 15 + 18 = 55 conversions, cost 1629.83 - 487.50 +
   * 585.00 = 1727.33, CPA 31.41. */
  CHECK_INT_EQ (fig_of (DAY, DAY, 1, 0).conv, 55);
  CHECK_INT_EQ (fig_of (DAY, DAY, 1, 0).cost, 172733);
  /* The next day's summary has DAY as its previous day: it moved too. */
  check_summary ("CCW", 1, "2026-03-10", 0, NULL);
  check_leaderboard ("2026-03-02", DAY, "cpa", NULL, 0);
  /* Ranges from the restated day on, and after it (running totals). */
  check_running ("after a restated day");
  check_leaderboard (DAY, "2026-11-02", "revenue", NULL, 0);
  check_leaderboard ("2026-03-10", "2026-11-02", "profit", NULL, 0);
  check_leaderboard (DAY, DAY, "conversions", NULL, 0);
  snprintf (hdr, sizeof (hdr), "If-None-Match: %s\r\n", now);
  REQUIRE (fetch (&g, hdr, "/v1/reports/daily-summary?brand=CCW&date="
                  DAY));
  CHECK_INT_EQ (g.status, 304);
  CHECK_STR_EQ (g.etag, now);
  got_clean (&g);
  /* A list of tags that holds it matches too. */
  snprintf (hdr, sizeof (hdr), "If-None-Match: W/\"x\", %s\r\n", now);
  REQUIRE (fetch (&g, hdr, "/v1/reports/daily-summary?brand=CCW&date="
                  DAY));
  CHECK_INT_EQ (g.status, 304);
  got_clean (&g);
}

SR_TEST (test_orders)
{
  char before[160], hdr[256];
  struct got g;

  REQUIRE (up);
  for (size_t i = 0; i < N (files); i++)
    upload (&files[i]);
  sync_run ("s3_exports", NULL, NULL);
  check_all_orders ();
  /* By hand: 5001 is refunded -- counted once on 06-01, its 95.00 out of
   * revenue (19.50 + 150.00 + 60.00 + 70.00). */
  {
    struct norm o[64];
    size_t n = orders_of ("CCW", "2026-06-01", "2026-06-01", o, N (o));
    long long rev = 0;

    for (size_t i = 0; i < n; i++)
      rev += revenue_of (&o[i]);
    CHECK_INT_EQ (n, 6);
    CHECK_INT_EQ (rev, 29950);
  }

  REQUIRE (NULL != report (&g, "/v1/reports/orders/daily-trend?brand=CCW&"
                           "from=2026-05-31&to=2026-06-04"));
  snprintf (before, sizeof (before), "%s", g.etag);
  CHECK (etag_version (before, "orders") > 0);
  got_clean (&g);

  /* The update file again, without 5008: it falls back to its create
   * file's state (NEW, 24.99). */
  files[2].rows = update_v2;
  files[2].n = N (update_v2);
  upload (&files[2]);
  sync_run ("s3_exports", NULL, NULL);
  check_all_orders ();
  snprintf (hdr, sizeof (hdr), "If-None-Match: %s\r\n", before);
  REQUIRE (fetch (&g, hdr, "/v1/reports/orders/daily-trend?brand=CCW&"
                  "from=2026-05-31&to=2026-06-04"));
  CHECK_INT_EQ (g.status, 200);
  CHECK (etag_version (g.etag, "orders") > etag_version (before, "orders"));
  got_clean (&g);
  {
    struct norm o[64];
    size_t n = orders_of ("CCW", "2026-06-02", "2026-06-02", o, N (o));
    bool saw = false;

    for (size_t i = 0; i < n; i++)
      if (streq (o[i].id, "5008"))
        saw = streq (o[i].status, "NEW") && 2499 == o[i].total;
    CHECK (saw);
  }
}

/* A brand without data is zeros, not an error. */
SR_TEST (test_brand_without_data)
{
  struct got g;
  json_t *d;

  REQUIRE (up);
  /* EXP has rows on 2026-03-08 only: DAY is zeros against a real
   * previous day; 2026-03-20 is zeros all round. */
  check_summary ("EXP", 2, DAY, 0, NULL);
  check_summary ("EXP", 2, "2026-03-20", 0, NULL);
  CHECK_INT_EQ (fig_of (DAY, DAY, 2, 0).conv, 0);
  CHECK_INT_EQ (fig_of ("2026-03-08", "2026-03-08", 2, 0).cost, 9000);
  d = report (&g, "/v1/reports/leaderboard?brand=EXP&from=2026-04-01&"
              "to=2026-04-30");
  expect_size ("leaderboard EXP April", d, 0);
  got_clean (&g);
  check_heatmap ("EXP", "2026-07-01", "2026-07-31", "revenue");
  check_order_days ("EXP", "2026-07-01", "2026-07-03");
  check_order_mix ("EXP", "2026-07-01", "2026-07-31");
}

SR_TEST (test_bad_parameters)
{
  const char *ds = "/v1/reports/daily-summary";
  const char *lb = "/v1/reports/leaderboard?brand=CCW";
  char big[400];
  struct got g;

  REQUIRE (up);
  expect_bad (target_of ("%s?brand=ZZZ&date=" DAY, ds), "brand");
  expect_bad (target_of ("%s?brand=3&date=" DAY, ds), "brand");
  expect_bad (target_of ("%s?date=" DAY, ds), "brand");
  expect_bad ("/v1/reports/no-such-report?brand=CCW", "name");
  expect_bad ("/v1/reports/orders/no-such-report?brand=CCW", "name");
  expect_bad ("/v1/reports/orders/leaderboard?brand=CCW", "name");
  expect_bad (target_of ("%s&from=2026-03-09&to=2026-03-08", lb), "from");
  expect_bad (target_of ("%s&from=2025-01-01&to=2026-01-02", lb), "from");
  expect_bad (target_of ("%s?brand=CCW&date=2026-02-30", ds), "date");
  expect_bad (target_of ("%s?brand=CCW&date=2026-13-01", ds), "date");
  expect_bad (target_of ("%s&from=2026-02-30&to=2026-03-09", lb), "from");
  expect_bad (target_of ("%s&from=2026-02-01&to=2026-02-30", lb), "to");
  expect_bad (target_of ("%s&limit=0", lb), "limit");
  expect_bad (target_of ("%s&limit=501", lb), "limit");
  expect_bad (target_of ("%s&limit=ten", lb), "limit");
  expect_bad (target_of ("%s&limit=-1", lb), "limit");
  expect_bad (target_of ("%s?brand=CCW&top=0", ds), "top");
  expect_bad (target_of ("%s?brand=CCW&top=51", ds), "top");
  expect_bad (target_of ("%s&sort=clicks", lb), "sort");
  expect_bad (target_of ("%s&order=up", lb), "order");
  expect_bad ("/v1/reports/state-heatmap?brand=CCW&metric=clicks",
              "metric");
  expect_bad (target_of ("%s&format=xml", lb), "format");
  /* A parameter the report does not take is an error, not ignored. */
  expect_bad (target_of ("%s&date=" DAY, lb), "date");
  expect_bad (target_of ("%s?brand=CCW&metric=orders", ds), "metric");
  expect_bad ("/v1/reports/unmapped-spend?brand=CCW", "brand");
  expect_bad (target_of ("%s&bogus=1", lb), "bogus");
  /* The edges that are allowed: 366 days, limit 500, top 50. */
  REQUIRE (fetch (&g, NULL, target_of ("%s&from=2025-01-01&to=2026-01-01",
                                       lb)));
  CHECK_INT_EQ (g.status, 200);
  got_clean (&g);
  REQUIRE (fetch (&g, NULL, target_of ("%s&limit=500", lb)));
  CHECK_INT_EQ (g.status, 200);
  got_clean (&g);
  REQUIRE (fetch (&g, NULL, target_of ("%s?brand=CCW&top=50&date=" DAY,
                                       ds)));
  CHECK_INT_EQ (g.status, 200);
  got_clean (&g);
  memset (big, 'A', 300);
  big[300] = '\0';
  expect_bad (target_of ("%s?brand=%s&date=" DAY, ds, big), "brand");
  /* Without a token: 401. */
  {
    struct sr_th_response r;

    REQUIRE (sr_th_http (srv.port, "GET", "/v1/reports/daily-summary?"
                         "brand=CCW", NULL, NULL, 0, &r));
    CHECK_INT_EQ (r.status, 401);
    sr_th_response_clean (&r);
  }
}

SR_TEST (test_csv_matches_json)
{
  REQUIRE (up);
  check_csv_matches_json ("/v1/reports/leaderboard?brand=CCW&"
                          "from=2026-03-02&to=" DAY "&sort=cpa");
  check_csv_matches_json ("/v1/reports/daily-performance?brand=CCW&"
                          "from=2026-03-07&to=" DAY);
  check_csv_matches_json ("/v1/reports/unmapped-spend?from=2026-03-01&"
                          "to=2026-03-10");
  check_csv_matches_json ("/v1/reports/state-heatmap?brand=CCW&"
                          "from=2026-06-01&to=2026-06-03&metric=customers");
  check_csv_matches_json ("/v1/reports/state-heatmap?brand=CCW&"
                          "from=2026-06-01&to=2026-06-03&metric=orders");
  check_csv_matches_json ("/v1/reports/orders/daily-trend?brand=CCW&"
                          "from=2026-05-31&to=2026-06-04");
  check_csv_matches_json ("/v1/reports/orders/status-breakdown?brand=CCW&"
                          "from=2026-06-01&to=2026-06-03");
  check_csv_matches_json ("/v1/reports/orders/chargebacks-refunds?"
                          "brand=CCW&from=2026-06-01&to=2026-06-03");
}

/* `signalroom report ... --format csv` prints the API's CSV. */
SR_TEST (test_cli_matches_api)
{
  struct sr_th_env env = { 0 };
  const char *csv_argv[] = { "report", "daily-summary", "--brand", "CCW",
                             "--date", DAY, "--format", "csv", NULL };
  const char *json_argv[] = { "report", "daily-summary", "--brand", "CCW",
                              "--date", DAY, NULL };
  const char *bad_argv[] = { "report", "daily-summary", "--brand",
                             "'; DROP TABLE signalroom.brands; --", "--date",
                             DAY, NULL };
  const char *header = "row_kind,affiliate_label,is_internal,conversions,"
                       "cost,cpa,revenue,payout,profit\r\n";
  char *out = NULL, *err = NULL;
  struct got g;
  json_t *cli;

  REQUIRE (up);
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  REQUIRE (fetch (&g, NULL, "/v1/reports/daily-summary?brand=CCW&date=" DAY
                  "&format=csv"));
  CHECK_INT_EQ (g.status, 200);
  CHECK_INT_EQ (sr_th_run (&env, csv_argv, &out, &err), 0);
  CHECK_STR_EQ (out, g.body);
  /* The CSV is the summary's rows: a header and CRLF records. */
  CHECK (NULL != g.body && 0 == strncmp (g.body, header, strlen (header)));
  free (out);
  free (err);
  got_clean (&g);

  REQUIRE (NULL != report (&g, "/v1/reports/daily-summary?brand=CCW&date="
                           DAY));
  CHECK_INT_EQ (sr_th_run (&env, json_argv, &out, &err), 0);
  cli = json_loads (NULL != out ? out : "", 0, NULL);
  CHECK (json_equal (json_object_get (cli, "data"),
                     json_object_get (g.json, "data")));
  json_decref (cli);
  free (out);
  free (err);
  got_clean (&g);

  CHECK (0 != sr_th_run (&env, bad_argv, &out, &err));
  free (out);
  free (err);
  CHECK_STR_EQ (sr_th_pg_value (pg, "SELECT count(*) FROM "
                                "signalroom.brands"), "2");
}

/* Percent-encoding by libcurl: all but A-Z a-z 0-9 - . _ ~ */
static void
url_encode (const char *s, size_t len, char *out, size_t cap)
{
  char *e = curl_easy_escape (NULL, s, (int) len);

  REQUIRE (NULL != e);
  snprintf (out, cap, "%s", e);
  curl_free (e);
}

/*
 * Hostile values for every parameter of every report in the catalogue:
 * a 400 naming the parameter (or a 200), never a 500; the brands table
 * is whole afterwards.
 */
SR_TEST (test_injection)
{
  static const struct {
    const char *name, *value;
  } good[] = {
    { "brand", "CCW" }, { "date", DAY }, { "from", "2026-03-01" },
    { "to", DAY }, { "top", "5" }, { "sort", "conversions" },
    { "order", "desc" }, { "limit", "10" }, { "metric", "orders" },
    { "format", "json" },
  };
  char big[301];
  struct {
    const char *raw;
    size_t len;
  } evil[] = {
    { "'; DROP TABLE signalroom.brands; --", 0 }, { "1 OR 1=1", 0 },
    { "CCW'--", 0 }, { "\0", 1 }, { "%00", 0 }, { NULL, 300 },
    { DAY "' OR '1'='1", 0 }, { "5; SELECT pg_sleep(10)", 0 },
    { "CCW\"", 0 }, { "\xff\xfe", 0 }, { "desc,asc", 0 },
  };
  json_t *cat = NULL, *rep;
  size_t ri, sent = 0, bad = 0;

  REQUIRE (up);
  memset (big, 'x', 300);
  big[300] = '\0';
  evil[5].raw = big;
  REQUIRE (200 == sr_th_api (srv.port, token, "GET", "/v1/reports", NULL,
                             &cat));
  CHECK (json_array_size (json_object_get (cat, "reports")) >= 17);
  json_array_foreach (json_object_get (cat, "reports"), ri, rep) {
    const char *path = json_string_value (json_object_get (rep, "path"));
    json_t *params = json_object_get (rep, "parameters"), *pn;
    size_t pi;

    json_array_foreach (params, pi, pn) {
      const char *victim = json_string_value (pn);

      for (size_t e = 0; e < N (evil); e++) {
        char q[2048], enc[1024];
        size_t o = (size_t) snprintf (q, sizeof (q), "%s?", path), qi;
        json_t *p2;
        struct got g;
        const char *named;

        url_encode (evil[e].raw, 0 != evil[e].len ? evil[e].len
                    : strlen (evil[e].raw), enc, sizeof (enc));
        json_array_foreach (params, qi, p2) {
          const char *name = json_string_value (p2), *v = NULL;

          if (qi == pi)
            v = enc;
          else
            for (size_t k = 0; k < N (good); k++)
              if (streq (good[k].name, name))
                v = good[k].value;
          /* a range report given both a range and... nothing else */
          if (NULL != v)
            o += (size_t) snprintf (q + o, sizeof (q) - o, "%s%s=%s",
                                    qi ? "&" : "", name, v);
        }
        if (!fetch (&g, NULL, q)) {
          sr_test_failures_++;
          continue;
        }
        sent++;
        named = json_string_value (json_object_get (g.json, "parameter"));
        if (400 == g.status)
          bad++;
        if (!(200 == g.status || (400 == g.status && streq (named, victim)))) {
          fprintf (stderr, "GET %s: %d %s\n", q, g.status,
                   NULL != g.body ? g.body : "");
          sr_test_failures_++;
        }
        got_clean (&g);
      }
    }
  }
  json_decref (cat);
  /* The report's name is a parameter too. */
  for (size_t e = 0; e < N (evil); e++)
    for (int orders = 0; orders < 2; orders++) {
      char q[2048], enc[1024];
      struct got g;

      url_encode (evil[e].raw, 0 != evil[e].len ? evil[e].len
                  : strlen (evil[e].raw), enc, sizeof (enc));
      snprintf (q, sizeof (q), "/v1/reports/%s%s?brand=CCW",
                orders ? "orders/" : "", enc);
      if (!fetch (&g, NULL, q)) {
        sr_test_failures_++;
        continue;
      }
      sent++;
      if (400 != g.status && 404 != g.status) {
        fprintf (stderr, "GET %s: %d %s\n", q, g.status,
                 NULL != g.body ? g.body : "");
        sr_test_failures_++;
      }
      got_clean (&g);
    }
  fprintf (stderr, "injection: %zu requests, %zu refused\n", sent, bad);
  CHECK (sent > 500);
  CHECK_STR_EQ (sr_th_pg_value (pg, "SELECT count(*) || ':' || "
                                "string_agg(code, ',' ORDER BY code) FROM "
                                "signalroom.brands"), "2:CCW,EXP");
  /* And the reports still answer. */
  check_summary ("CCW", 1, DAY, 0, NULL);
}

/* Keep one live answer for the contract check. */
static bool
save_sample (const char *dir, int i, const char *operation,
             const char *target)
{
  struct got g;
  char path[1200];
  json_t *sample;
  bool ok;

  if (!fetch (&g, NULL, target) || 200 != g.status || NULL == g.json) {
    fprintf (stderr, "contract: GET %s: %d\n", target, g.status);
    got_clean (&g);
    return false;
  }
  snprintf (path, sizeof (path), "%s/%03d.json", dir, i);
  sample = json_pack ("{s:s, s:i, s:O}", "operation", operation, "status",
                      200, "body", g.json);
  ok = 0 == json_dump_file (sample, path, JSON_COMPACT);
  json_decref (sample);
  got_clean (&g);
  return ok;
}

/*
 * The contract, with real tools (tests/contract/check.mjs): the document
 * is valid OpenAPI 3.1, and the live answers of the catalogue and of every
 * report it lists match the schemas the document gives them.
 */
SR_TEST (test_contract)
{
  const char *tmp = getenv ("TMPDIR");
  char dir[512], cmd[2048];
  struct got cat;
  json_t *list;
  size_t i;
  json_t *item;
  int n = 0;

  REQUIRE (up);
  snprintf (dir, sizeof (dir), "%s/sr_contract_XXXXXX",
            NULL != tmp && '\0' != tmp[0] ? tmp : "/tmp");
  REQUIRE (NULL != mkdtemp (dir));
  CHECK (save_sample (dir, n++, "listReports", "/v1/reports"));
  CHECK (save_sample (dir, n++, "getReportSnapshots",
                      "/v1/reports/snapshots?brand=CCW&date=" DAY));
  REQUIRE (fetch (&cat, NULL, "/v1/reports") && NULL != cat.json);
  list = json_object_get (cat.json, "reports");
  CHECK (json_array_size (list) >= 17);
  json_array_foreach (list, i, item)
  {
    const char *name = json_string_value (json_object_get (item, "name"));
    const char *path = json_string_value (json_object_get (item, "path"));
    char params[256] = "";
    json_t *p;
    size_t k;
    bool brand = false, date = false, range = false;

    json_array_foreach (json_object_get (item, "parameters"), k, p)
    {
      brand |= 0 == strcmp (json_string_value (p), "brand");
      date |= 0 == strcmp (json_string_value (p), "date");
      range |= 0 == strcmp (json_string_value (p), "from");
    }
    snprintf (params, sizeof (params), "%s%s%s", brand ? "&brand=CCW" : "",
              date ? "&date=2026-03-09" : "",
              range ? "&from=2026-03-01&to=2026-06-03" : "");
    params[0] = '?';
    CHECK (save_sample (dir, n++, 0 == strncmp (name, "orders/", 7)
                        ? "getOrderReport" : "getReport",
                        target_of ("%s%s", path, params)));
  }
  got_clean (&cat);
  snprintf (cmd, sizeof (cmd), "node '%s/tests/contract/check.mjs' "
            "'%s/openapi/openapi.yaml' '%s'", SR_SOURCE_DIR, SR_SOURCE_DIR,
            dir);
  CHECK_INT_EQ (system (cmd), 0);
  for (int k = 0; k < n; k++) {
    char f[600];

    snprintf (f, sizeof (f), "%s/%03d.json", dir, k);
    (void) unlink (f);
  }
  (void) rmdir (dir);
}

SR_TEST (test_stop)
{
  int code;

  REQUIRE (up);
  PQfinish (pg);
  CHECK (sr_th_server_stop (&srv, SIGTERM, 10000, &code, NULL));
  CHECK_INT_EQ (code, 0);
  sr_sim_stop (&sim);
  sr_s3srv_stop (&s3);
  free (token);
  free (admin);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_start),
              SR_TEST_ENTRY (test_load_performance),
              SR_TEST_ENTRY (test_daily_summary),
              SR_TEST_ENTRY (test_unmapped_spend),
              SR_TEST_ENTRY (test_dst_days),
              SR_TEST_ENTRY (test_leaderboard),
              SR_TEST_ENTRY (test_snapshots),
              SR_TEST_ENTRY (test_restatement),
              SR_TEST_ENTRY (test_snapshot_survives_restatement),
              SR_TEST_ENTRY (test_snapshot_parameters),
              SR_TEST_ENTRY (test_orders),
              SR_TEST_ENTRY (test_brand_without_data),
              SR_TEST_ENTRY (test_bad_parameters),
              SR_TEST_ENTRY (test_csv_matches_json),
              SR_TEST_ENTRY (test_cli_matches_api),
              SR_TEST_ENTRY (test_injection),
              SR_TEST_ENTRY (test_contract),
              SR_TEST_ENTRY (test_stop))
