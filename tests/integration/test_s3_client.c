/*
 * test_s3_client.c -- the S3 client against real servers.
 *
 * Most tests run against the local S3 server of tests/upstreams/s3
 * (s3server.h), which verifies SigV4 signatures: listing with pagination
 * and prefixes, plain, gzip and large streamed GETs, odd keys, and the
 * errors S3 gives for a wrong secret, a missing key or bucket.  It is
 * started once, at the first test that needs it, and stopped at exit.
 *
 * The retry policy needs faults that server cannot make (a 503, a
 * connection cut mid-body), so the last tests use a tiny scripted HTTP
 * server in a thread of this process: it answers each connection with
 * the next canned response and records the request, which also shows
 * exactly what the client sends (signature scope, signed headers,
 * canonical query).
 *
 * Configuration is built with sr_config_load() and a fake getenv, so the
 * process environment is never read.
 */
#include "config.h"
#include "log.h"
#include "s3_client.h"
#include "s3server.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"

#define AK "AKIDSIGNALROOMTEST"
#define SK "s3-client-test-secret/0123456789+abc"
#define BUCKET "sr-test-bucket"

/* ------------------------------------------------------------------ */
/* Server and configuration                                            */

static struct sr_s3srv srv;
static bool srv_up;

static void
stop_server (void)
{
  if (srv_up)
    sr_s3srv_stop (&srv);
  srv_up = false;
}

/* curl's global state, once, before any handle; quiet logs. */
static void
setup_once (void)
{
  static bool done;

  if (done)
    return;
  done = true;
  if (CURLE_OK != curl_global_init (CURL_GLOBAL_DEFAULT)) {
    fprintf (stderr, "curl_global_init failed\n");
    exit (1);
  }
  /* Retry warnings would drown the test output. */
  sr_log_set_level (SR_LOG_ERROR);
}

static bool
server (void)
{
  static bool tried;

  setup_once ();
  if (!tried) {
    tried = true;
    srv_up = sr_s3srv_start (&srv, AK, SK, BUCKET);
    if (srv_up)
      (void) atexit (stop_server);
    else
      fprintf (stderr, "the local S3 server did not start\n");
  }
  return srv_up;
}

static bool
put (const char *key, const void *data, size_t len)
{
  bool ok = sr_s3srv_put (&srv, AK, SK, BUCKET, key, data, len);

  if (!ok)
    fprintf (stderr, "cannot put %s\n", key);
  return ok;
}

/* A configuration for @a port, with @a secret and @a bucket. */
static bool
config_for (struct sr_config *cfg, int port, const char *secret,
            const char *bucket)
{
  char endpoint[64];
  const char *const env[] = {
    "DATABASE_URL", "postgresql://app@db.example/app",
    "AWS_ACCESS_KEY_ID", AK,
    "AWS_SECRET_ACCESS_KEY", secret,
    "S3_BUCKET_NAME", bucket,
    "S3_ENDPOINT_URL", endpoint,
    "SIGNALROOM_UPSTREAM_ATTEMPTS", "3",
    "SIGNALROOM_UPSTREAM_BACKOFF_MS", "20",
    "SIGNALROOM_UPSTREAM_TIMEOUT", "20",
    NULL };
  char err[256];

  setup_once ();
  snprintf (endpoint, sizeof (endpoint), "http://127.0.0.1:%d", port);
  if (SR_OK != sr_config_load (cfg, sr_test_env_get, (void *) env, err,
                               sizeof (err))) {
    fprintf (stderr, "config: %s\n", err);
    return false;
  }
  return true;
}

/* ------------------------------------------------------------------ */
/* Sinks and data                                                      */

struct collected {
  char *data;
  size_t len;
  size_t cap;
  size_t calls;
  size_t biggest;
  enum sr_status fail_with;     /* returned from the first call, if set */
};

static enum sr_status
collect (void *cls, const char *data, size_t len)
{
  struct collected *c = cls;

  c->calls++;
  if (len > c->biggest)
    c->biggest = len;
  if (c->len + len + 1 > c->cap) {
    size_t cap = (c->len + len + 1) * 2;
    char *p = realloc (c->data, cap);

    if (NULL == p)
      return SR_E_INTERNAL;
    c->data = p;
    c->cap = cap;
  }
  memcpy (c->data + c->len, data, len);
  c->len += len;
  c->data[c->len] = '\0';
  return c->fail_with;
}

/* Deterministic CSV-ish bytes, reproducible from any state. */
static uint32_t
next_byte (uint32_t *x)
{
  *x = *x * 1103515245u + 12345u;
  return (*x >> 16) % 64;
}

static char
byte_at (uint32_t *x)
{
  uint32_t r = next_byte (x);

  return r < 2 ? '\n' : r < 6 ? ',' : (char) ('0' + r % 43);
}

static char *
make_data (size_t len, uint32_t seed)
{
  char *d = malloc (len + 1);
  uint32_t x = seed;

  if (NULL == d)
    return NULL;
  for (size_t i = 0; i < len; i++)
    d[i] = byte_at (&x);
  d[len] = '\0';
  return d;
}

static void
md5_hex (const void *data, size_t len, char out[33])
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;

  out[0] = '\0';
  if (1 != EVP_Digest (data, len, md, &n, EVP_md5 (), NULL))
    return;
  for (unsigned int i = 0; i < n && i < 16; i++)
    snprintf (out + 2 * i, 3, "%02x", md[i]);
}

/* Append a gzip member of @a data to @a out (grown); false on failure. */
static bool
gzip_append (unsigned char **out, size_t *out_len, const void *data,
             size_t len)
{
  z_stream z;
  size_t cap = len + len / 100 + 1024;
  unsigned char *grown = realloc (*out, *out_len + cap);
  bool ok;

  if (NULL == grown)
    return false;
  *out = grown;
  memset (&z, 0, sizeof (z));
  if (Z_OK != deflateInit2 (&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
                            Z_DEFAULT_STRATEGY))
    return false;
  z.next_in = (Bytef *) data;
  z.avail_in = (uInt) len;
  z.next_out = *out + *out_len;
  z.avail_out = (uInt) cap;
  ok = Z_STREAM_END == deflate (&z, Z_FINISH);
  if (ok)
    *out_len += z.total_out;
  (void) deflateEnd (&z);
  return ok;
}

/* Resident set size now, in bytes (0 when unknown). */
static size_t
rss_now (void)
{
  FILE *f = fopen ("/proc/self/statm", "r");
  unsigned long size = 0, resident = 0;
  int n;

  if (NULL == f)
    return 0;
  n = fscanf (f, "%lu %lu", &size, &resident);
  (void) fclose (f);
  return 2 == n ? resident * (size_t) sysconf (_SC_PAGESIZE) : 0;
}

/* ------------------------------------------------------------------ */
/* Listing                                                             */

static const char *const listed_keys[] = {
  "exports/a/2025-12-01.csv", "exports/a/2025-12-02.csv",
  "exports/a/2025-12-03.csv", "exports/a/2025-12-04.csv",
  "exports/b/2025-12-01.csv", "exports/b/2025-12-02.csv",
  "exports/b/2025-12-03.csv",
};
#define N_LISTED (sizeof (listed_keys) / sizeof (listed_keys[0]))

static bool
put_listed (void)
{
  static bool done;
  bool ok = true;

  if (done)
    return true;
  for (size_t i = 0; i < N_LISTED && ok; i++) {
    char body[128];
    int n = snprintf (body, sizeof (body), "id,key\n%zu,%s\n", i,
                      listed_keys[i]);

    ok = put (listed_keys[i], body, (size_t) n);
  }
  /* Outside the prefixes: must never show up. */
  ok = ok && put ("exportsX/c.csv", "x\n", 2) && put ("other/a.csv", "y\n",
                                                       2);
  done = ok;
  return ok;
}

SR_TEST (test_list_paginates_and_filters)
{
  struct sr_config cfg;
  struct sr_s3 *s3;
  struct sr_s3_list l;
  struct sr_upstream_stats stats;
  char err[512];

  REQUIRE (server () && put_listed ());
  REQUIRE (config_for (&cfg, srv.port, SK, BUCKET));
  s3 = sr_s3_new (&cfg);

  /* Seven objects under two prefixes, two a page: four pages. */
  memset (&stats, 0, sizeof (stats));
  CHECK_INT_EQ (sr_s3_list (s3, "exports/", 2, &l, &stats, err,
                            sizeof (err)), SR_OK);
  CHECK_STR_EQ (err, "");
  CHECK_INT_EQ (l.n, N_LISTED);
  CHECK_INT_EQ (stats.requests, 4);
  CHECK_INT_EQ (stats.retries, 0);
  for (size_t i = 0; i < l.n && i < N_LISTED; i++) {
    char body[128];
    char md5[33];
    int n = snprintf (body, sizeof (body), "id,key\n%zu,%s\n", i,
                      listed_keys[i]);

    md5_hex (body, (size_t) n, md5);
    CHECK_STR_EQ (l.items[i].key, listed_keys[i]);
    CHECK_INT_EQ (l.items[i].size, n);
    CHECK_STR_EQ (l.items[i].etag, md5);
    CHECK (20 <= strlen (l.items[i].last_modified));
  }
  sr_s3_list_clean (&l);

  /* One prefix only; the default page size takes it in one request. */
  memset (&stats, 0, sizeof (stats));
  CHECK_INT_EQ (sr_s3_list (s3, "exports/b/", 0, &l, &stats, err,
                            sizeof (err)), SR_OK);
  CHECK_INT_EQ (l.n, 3);
  CHECK_INT_EQ (stats.requests, 1);
  if (3 == l.n)
    CHECK_STR_EQ (l.items[2].key, "exports/b/2025-12-03.csv");
  sr_s3_list_clean (&l);

  /* A page size that divides the count exactly. */
  memset (&stats, 0, sizeof (stats));
  CHECK_INT_EQ (sr_s3_list (s3, "exports/a/", 2, &l, &stats, err,
                            sizeof (err)), SR_OK);
  CHECK_INT_EQ (l.n, 4);
  CHECK (stats.requests >= 2 && stats.requests <= 3);
  sr_s3_list_clean (&l);

  /* Nothing there. */
  CHECK_INT_EQ (sr_s3_list (s3, "nothing/", 2, &l, NULL, err, sizeof (err)),
                SR_OK);
  CHECK_INT_EQ (l.n, 0);
  sr_s3_list_clean (&l);
  sr_s3_free (s3);
  sr_config_clean (&cfg);
  sr_log_clear_secrets ();
}

/* ------------------------------------------------------------------ */
/* GET                                                                 */

SR_TEST (test_get_plain)
{
  size_t len = 200000;
  char *data = make_data (len, 7);
  struct sr_config cfg;
  struct sr_s3 *s3;
  struct collected c = { 0 };
  struct sr_upstream_stats stats = { 0 };
  char etag[80];
  char md5[33];
  uint64_t in = 0;
  char err[512];

  REQUIRE (NULL != data && server ());
  REQUIRE (put ("plain/orders.csv", data, len));
  REQUIRE (config_for (&cfg, srv.port, SK, BUCKET));
  s3 = sr_s3_new (&cfg);
  CHECK_INT_EQ (sr_s3_get (s3, "plain/orders.csv", collect, &c, etag, &in,
                           &stats, err, sizeof (err)), SR_OK);
  CHECK_STR_EQ (err, "");
  CHECK_INT_EQ (c.len, len);
  CHECK (c.len == len && 0 == memcmp (c.data, data, len));
  CHECK (c.calls >= len / CURL_MAX_WRITE_SIZE);
  CHECK (c.biggest <= CURL_MAX_WRITE_SIZE);
  CHECK_INT_EQ (in, len);
  md5_hex (data, len, md5);
  CHECK_STR_EQ (etag, md5);
  CHECK_INT_EQ (stats.requests, 1);
  free (c.data);
  sr_s3_free (s3);
  sr_config_clean (&cfg);
  sr_log_clear_secrets ();
  free (data);
}

SR_TEST (test_get_gzip_two_members)
{
  size_t len = 300000;
  char *data = make_data (len, 11);
  unsigned char *gz = NULL;
  size_t gz_len = 0;
  struct sr_config cfg;
  struct sr_s3 *s3;
  struct collected c = { 0 };
  uint64_t in = 0;
  char etag[80];
  char err[512];

  REQUIRE (NULL != data && server ());
  /* Two members, as `cat a.gz b.gz` makes. */
  REQUIRE (gzip_append (&gz, &gz_len, data, len / 3));
  REQUIRE (gzip_append (&gz, &gz_len, data + len / 3, len - len / 3));
  REQUIRE (put ("gz/2025-12-01.csv.gz", gz, gz_len));
  REQUIRE (config_for (&cfg, srv.port, SK, BUCKET));
  s3 = sr_s3_new (&cfg);
  CHECK_INT_EQ (sr_s3_get (s3, "gz/2025-12-01.csv.gz", collect, &c, etag,
                           &in, NULL, err, sizeof (err)), SR_OK);
  CHECK_STR_EQ (err, "");
  CHECK_INT_EQ (c.len, len);
  CHECK (c.len == len && 0 == memcmp (c.data, data, len));
  CHECK (c.biggest <= CURL_MAX_WRITE_SIZE);
  CHECK_INT_EQ (in, gz_len);    /* bytes as stored */
  CHECK_INT_EQ (strlen (etag), 32);
  free (c.data);

  /* A .gz that is not gzip is an error, not garbage rows. */
  REQUIRE (put ("gz/broken.csv.gz", "id,name\n1,x\n", 12));
  memset (&c, 0, sizeof (c));
  CHECK_INT_EQ (sr_s3_get (s3, "gz/broken.csv.gz", collect, &c, NULL, NULL,
                           NULL, err, sizeof (err)), SR_E_UPSTREAM);
  CHECK_CONTAINS (err, "s3: GET " BUCKET "/gz/broken.csv.gz: gzip data is "
                  "corrupt");
  CHECK_INT_EQ (c.len, 0);
  free (c.data);

  /* Empty objects: plain is zero bytes, .gz is no gzip at all. */
  REQUIRE (put ("gz/empty.csv", "", 0) && put ("gz/empty.csv.gz", "", 0));
  memset (&c, 0, sizeof (c));
  CHECK_INT_EQ (sr_s3_get (s3, "gz/empty.csv", collect, &c, NULL, &in, NULL,
                           err, sizeof (err)), SR_OK);
  CHECK_INT_EQ (c.calls, 0);
  CHECK_INT_EQ (in, 0);
  CHECK_INT_EQ (sr_s3_get (s3, "gz/empty.csv.gz", collect, &c, NULL, NULL,
                           NULL, err, sizeof (err)), SR_E_UPSTREAM);
  CHECK_CONTAINS (err, "gzip data is empty");
  CHECK_INT_EQ (c.calls, 0);
  sr_s3_free (s3);
  sr_config_clean (&cfg);
  sr_log_clear_secrets ();
  free (gz);
  free (data);
}

/* Checks the stream against the generator without keeping it. */
struct verifier {
  uint32_t x;
  uint64_t len;
  size_t calls;
  size_t biggest;
  bool mismatch;
  size_t rss_max;
};

static enum sr_status
verify (void *cls, const char *data, size_t len)
{
  struct verifier *v = cls;
  size_t rss;

  v->calls++;
  if (len > v->biggest)
    v->biggest = len;
  for (size_t i = 0; i < len; i++)
    if (data[i] != byte_at (&v->x))
      v->mismatch = true;
  v->len += len;
  if (0 == v->calls % 32) {
    rss = rss_now ();
    if (rss > v->rss_max)
      v->rss_max = rss;
  }
  return SR_OK;
}

SR_TEST (test_get_large_streams)
{
  size_t len = 9u * 1024u * 1024u + 123u;
  char *data = make_data (len, 99);
  unsigned char *gz = NULL;
  size_t gz_len = 0;
  struct sr_config cfg;
  struct sr_s3 *s3;
  struct verifier v = { .x = 99 };
  size_t rss0;
  char err[512];

  REQUIRE (NULL != data && server ());
  REQUIRE (put ("big/large.csv", data, len));
  REQUIRE (gzip_append (&gz, &gz_len, data, len));
  REQUIRE (put ("big/large.csv.gz", gz, gz_len));
  free (gz);
  free (data);
  REQUIRE (config_for (&cfg, srv.port, SK, BUCKET));
  s3 = sr_s3_new (&cfg);

  /* Warm up (connection, buffers, decoder) so what follows measures the
   * transfer alone. */
  CHECK_INT_EQ (sr_s3_get (s3, "exports/a/2025-12-01.csv", verify,
                           &(struct verifier) { .x = 0 }, NULL, NULL, NULL,
                           err, sizeof (err)), SR_OK);
  rss0 = rss_now ();
  v.rss_max = rss0;
  CHECK_INT_EQ (sr_s3_get (s3, "big/large.csv", verify, &v, NULL, NULL, NULL,
                           err, sizeof (err)), SR_OK);
  CHECK_INT_EQ (v.len, len);
  CHECK (!v.mismatch);
  CHECK (v.biggest <= CURL_MAX_WRITE_SIZE);
  CHECK (v.calls >= len / CURL_MAX_WRITE_SIZE);
  fprintf (stderr, "plain: %zu calls, RSS growth %zu KiB for a %zu KiB "
           "object\n", v.calls, (v.rss_max - rss0) / 1024, len / 1024);
  CHECK (v.rss_max - rss0 < len / 8);

  /* The same through the decoder. */
  memset (&v, 0, sizeof (v));
  v.x = 99;
  rss0 = rss_now ();
  v.rss_max = rss0;
  CHECK_INT_EQ (sr_s3_get (s3, "big/large.csv.gz", verify, &v, NULL, NULL,
                           NULL, err, sizeof (err)), SR_OK);
  CHECK_INT_EQ (v.len, len);
  CHECK (!v.mismatch);
  CHECK (v.biggest <= SR_S3_MAX_CHUNK);
  fprintf (stderr, "gzip: %zu calls, RSS growth %zu KiB\n", v.calls,
           (v.rss_max - rss0) / 1024);
  CHECK (v.rss_max - rss0 < len / 8);
  sr_s3_free (s3);
  sr_config_clean (&cfg);
  sr_log_clear_secrets ();
}

SR_TEST (test_odd_keys_round_trip)
{
  static const char *const keys[] = {
    "odd/a b.csv", "odd/x+y=z.csv", "odd/dt=2025-12-18/r%20un~1.csv",
    "odd/\xc3\xa9t\xc3\xa9 \xe2\x82\xac/\xe6\x97\xa5.csv",
    "odd/semi;colon,comma!(paren)@at.csv",
  };
  size_t n = sizeof (keys) / sizeof (keys[0]);
  struct sr_config cfg;
  struct sr_s3 *s3;
  struct sr_s3_list l;
  char err[512];

  REQUIRE (server ());
  for (size_t i = 0; i < n; i++)
    REQUIRE (put (keys[i], keys[i], strlen (keys[i])));
  REQUIRE (config_for (&cfg, srv.port, SK, BUCKET));
  s3 = sr_s3_new (&cfg);
  CHECK_INT_EQ (sr_s3_list (s3, "odd/", 2, &l, NULL, err, sizeof (err)),
                SR_OK);
  CHECK_INT_EQ (l.n, n);
  /* Every listed key, as listed, fetches its own content. */
  for (size_t i = 0; i < l.n; i++) {
    struct collected c = { 0 };
    bool known = false;

    for (size_t k = 0; k < n; k++)
      known = known || 0 == strcmp (keys[k], l.items[i].key);
    CHECK (known);
    CHECK_INT_EQ (sr_s3_get (s3, l.items[i].key, collect, &c, NULL, NULL,
                             NULL, err, sizeof (err)), SR_OK);
    CHECK_STR_EQ (c.data, l.items[i].key);
    free (c.data);
  }
  sr_s3_list_clean (&l);
  /* A prefix with a space and '=' in it is encoded in the query too. */
  CHECK_INT_EQ (sr_s3_list (s3, "odd/dt=2025", 0, &l, NULL, err,
                            sizeof (err)), SR_OK);
  CHECK_INT_EQ (l.n, 1);
  sr_s3_list_clean (&l);
  CHECK_INT_EQ (sr_s3_list (s3, "odd/a b", 0, &l, NULL, err, sizeof (err)),
                SR_OK);
  CHECK_INT_EQ (l.n, 1);
  sr_s3_list_clean (&l);
  sr_s3_free (s3);
  sr_config_clean (&cfg);
  sr_log_clear_secrets ();
}

/* ------------------------------------------------------------------ */
/* Errors from S3                                                      */

SR_TEST (test_wrong_secret)
{
  struct sr_config cfg;
  struct sr_s3 *s3;
  struct sr_s3_list l;
  struct sr_upstream_stats stats = { 0 };
  struct collected c = { 0 };
  char err[512];

  REQUIRE (server () && put_listed ());
  REQUIRE (config_for (&cfg, srv.port, "not-the-secret-at-all", BUCKET));
  s3 = sr_s3_new (&cfg);
  CHECK_INT_EQ (sr_s3_list (s3, "exports/", 2, &l, &stats, err,
                            sizeof (err)), SR_E_UPSTREAM);
  CHECK_CONTAINS (err, "s3: LIST " BUCKET "/exports/: HTTP 403 "
                  "SignatureDoesNotMatch: ");
  CHECK_INT_EQ (l.n, 0);
  /* Not retried: a wrong key does not get better. */
  CHECK_INT_EQ (stats.requests, 1);
  CHECK_INT_EQ (stats.retries, 0);
  CHECK_INT_EQ (sr_s3_get (s3, listed_keys[0], collect, &c, NULL, NULL,
                           &stats, err, sizeof (err)), SR_E_UPSTREAM);
  CHECK_CONTAINS (err, "s3: GET " BUCKET "/exports/a/2025-12-01.csv: HTTP "
                  "403 SignatureDoesNotMatch: The request signature");
  CHECK (NULL == strstr (err, "not-the-secret"));
  CHECK_INT_EQ (stats.requests, 2);
  CHECK_INT_EQ (c.calls, 0);
  sr_s3_free (s3);
  sr_config_clean (&cfg);
  sr_log_clear_secrets ();
}

SR_TEST (test_missing_key_and_bucket)
{
  struct sr_config cfg;
  struct sr_s3 *s3;
  struct sr_s3_list l;
  struct sr_upstream_stats stats = { 0 };
  struct collected c = { 0 };
  char err[512];

  REQUIRE (server ());
  REQUIRE (config_for (&cfg, srv.port, SK, BUCKET));
  s3 = sr_s3_new (&cfg);
  CHECK_INT_EQ (sr_s3_get (s3, "exports/nope.csv", collect, &c, NULL, NULL,
                           &stats, err, sizeof (err)), SR_E_UPSTREAM);
  CHECK_CONTAINS (err, "s3: GET " BUCKET "/exports/nope.csv: HTTP 404 "
                  "NoSuchKey: ");
  CHECK_INT_EQ (stats.requests, 1);
  CHECK_INT_EQ (c.calls, 0);
  sr_s3_free (s3);
  sr_config_clean (&cfg);

  REQUIRE (config_for (&cfg, srv.port, SK, "no-such-bucket-here"));
  s3 = sr_s3_new (&cfg);
  CHECK_INT_EQ (sr_s3_list (s3, "", 0, &l, NULL, err, sizeof (err)),
                SR_E_UPSTREAM);
  CHECK_CONTAINS (err, "s3: LIST no-such-bucket-here/: HTTP 404 "
                  "NoSuchBucket: ");
  sr_s3_free (s3);
  sr_config_clean (&cfg);
  sr_log_clear_secrets ();
}

SR_TEST (test_sink_stops_transfer)
{
  size_t len = 100000;
  char *data = make_data (len, 5);
  struct sr_config cfg;
  struct sr_s3 *s3;
  struct collected c = { .fail_with = SR_E_DB };
  struct sr_upstream_stats stats = { 0 };
  char err[512];

  REQUIRE (NULL != data && server ());
  REQUIRE (put ("plain/stop.csv", data, len));
  REQUIRE (config_for (&cfg, srv.port, SK, BUCKET));
  s3 = sr_s3_new (&cfg);
  CHECK_INT_EQ (sr_s3_get (s3, "plain/stop.csv", collect, &c, NULL, NULL,
                           &stats, err, sizeof (err)), SR_E_DB);
  CHECK_INT_EQ (c.calls, 1);
  CHECK_INT_EQ (stats.requests, 1);
  CHECK_CONTAINS (err, "stopped by the reader");
  free (c.data);
  /* The handle is fine afterwards. */
  memset (&c, 0, sizeof (c));
  CHECK_INT_EQ (sr_s3_get (s3, "plain/stop.csv", collect, &c, NULL, NULL,
                           NULL, err, sizeof (err)), SR_OK);
  CHECK_INT_EQ (c.len, len);
  free (c.data);
  sr_s3_free (s3);
  sr_config_clean (&cfg);
  sr_log_clear_secrets ();
  free (data);
}

/* ------------------------------------------------------------------ */
/* Faults, from a scripted server                                      */

struct canned {
  const char *head;             /* status line and headers but not
                                 * Content-Length, or NULL: drop the
                                 * connection without answering */
  size_t body_len;              /* body bytes to send (generated) */
  const char *body;             /* ... or these, when not NULL */
  size_t promise;               /* Content-Length when it is to lie */
};

struct fake {
  int fd;
  int port;
  pthread_t thread;
  const struct canned *script;
  size_t n;
  size_t served;
  char requests[8][2048];
};

static bool
send_all (int fd, const char *p, size_t len)
{
  while (len > 0) {
    ssize_t n = send (fd, p, len, MSG_NOSIGNAL);

    if (n < 0 && EINTR == errno)
      continue;
    if (n <= 0)
      return false;
    p += n;
    len -= (size_t) n;
  }
  return true;
}

static void *
fake_main (void *cls)
{
  struct fake *f = cls;

  for (size_t i = 0; i < f->n; i++) {
    const struct canned *r = &f->script[i];
    int c = accept (f->fd, NULL, NULL);
    size_t got = 0;
    char *req = f->requests[i < 8 ? i : 7];

    if (c < 0)
      break;
    /* Read the request head (a GET has no body). */
    while (got + 1 < sizeof (f->requests[0])) {
      ssize_t n = recv (c, req + got, sizeof (f->requests[0]) - 1 - got, 0);

      if (n <= 0)
        break;
      got += (size_t) n;
      req[got] = '\0';
      if (NULL != strstr (req, "\r\n\r\n"))
        break;
    }
    if (NULL != r->head) {
      size_t len = NULL != r->body ? strlen (r->body) : r->body_len;
      char cl[64];
      bool ok;

      snprintf (cl, sizeof (cl), "Content-Length: %zu\r\n\r\n",
                r->promise > 0 ? r->promise : len);
      ok = send_all (c, r->head, strlen (r->head))
           && send_all (c, cl, strlen (cl));

      if (ok && NULL != r->body) {
        ok = send_all (c, r->body, strlen (r->body));
      } else if (ok && r->body_len > 0) {
        uint32_t x = 3;
        char chunk[4096];

        for (size_t sent = 0; ok && sent < r->body_len;) {
          size_t k = r->body_len - sent < sizeof (chunk)
                     ? r->body_len - sent : sizeof (chunk);

          for (size_t j = 0; j < k; j++)
            chunk[j] = byte_at (&x);
          ok = send_all (c, chunk, k);
          sent += k;
        }
      }
    }
    f->served++;
    (void) shutdown (c, SHUT_RDWR);
    (void) close (c);
  }
  return NULL;
}

static bool
fake_start (struct fake *f, const struct canned *script, size_t n)
{
  struct sockaddr_in a = { .sin_family = AF_INET };
  socklen_t alen = sizeof (a);

  memset (f, 0, sizeof (*f));
  f->script = script;
  f->n = n;
  a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  f->fd = socket (AF_INET, SOCK_STREAM, 0);
  if (f->fd < 0)
    return false;
  if (0 != bind (f->fd, (struct sockaddr *) &a, sizeof (a))
      || 0 != listen (f->fd, 8)
      || 0 != getsockname (f->fd, (struct sockaddr *) &a, &alen)) {
    (void) close (f->fd);
    return false;
  }
  f->port = ntohs (a.sin_port);
  if (0 != pthread_create (&f->thread, NULL, fake_main, f)) {
    (void) close (f->fd);
    return false;
  }
  return true;
}

static void
fake_stop (struct fake *f)
{
  /* Wakes an accept() still waiting for a request that never came. */
  (void) shutdown (f->fd, SHUT_RDWR);
  (void) pthread_join (f->thread, NULL);
  (void) close (f->fd);
}

#define OK_HEAD                                                            \
  "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nETag: \"abc123\"\r\n"      \
  "Connection: close\r\n"
#define SLOWDOWN                                                           \
  "HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\n"            \
  "Connection: close\r\n"
#define SLOWDOWN_BODY                                                      \
  "<Error><Code>SlowDown</Code><Message>Please reduce your request "       \
  "rate.</Message><RequestId>R1</RequestId></Error>"

SR_TEST (test_request_is_canonical)
{
  static const struct canned script[] = {
    { "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n"
      "Connection: close\r\n",
      0, "<ListBucketResult><IsTruncated>false</IsTruncated><Contents>"
      "<Key>a/b c</Key><Size>1</Size></Contents></ListBucketResult>", 0 },
  };
  struct fake f;
  struct sr_config cfg;
  struct sr_s3 *s3;
  struct sr_s3_list l;
  char err[512];
  const char *r;

  REQUIRE (fake_start (&f, script, 1));
  REQUIRE (config_for (&cfg, f.port, SK, BUCKET));
  s3 = sr_s3_new (&cfg);
  CHECK_INT_EQ (sr_s3_list (s3, "a/b c", 2, &l, NULL, err, sizeof (err)),
                SR_OK);
  CHECK_INT_EQ (l.n, 1);
  sr_s3_list_clean (&l);
  fake_stop (&f);
  r = f.requests[0];
  /* Sorted, encoded query; path-style; signed for region and service;
   * the payload header signed; no secret anywhere. */
  CHECK_CONTAINS (r, "GET /" BUCKET "?list-type=2&max-keys=2&prefix="
                  "a%2Fb%20c HTTP/1.1\r\n");
  CHECK_CONTAINS (r, "\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\n");
  CHECK_CONTAINS (r, "Authorization: AWS4-HMAC-SHA256 Credential=" AK "/");
  CHECK_CONTAINS (r, "/us-east-1/s3/aws4_request, SignedHeaders=host;"
                  "x-amz-content-sha256;x-amz-date, Signature=");
  CHECK (NULL == strstr (r, SK));
  sr_s3_free (s3);
  sr_config_clean (&cfg);
  sr_log_clear_secrets ();
}

SR_TEST (test_retries_slowdown_and_dropped_connections)
{
  static const struct canned script[] = {
    { SLOWDOWN, 0, SLOWDOWN_BODY, 0 },
    { NULL, 0, NULL, 0 },                 /* closed without an answer */
    { OK_HEAD, 5000, NULL, 0 },
  };
  struct fake f;
  struct sr_config cfg;
  struct sr_s3 *s3;
  struct collected c = { 0 };
  struct sr_upstream_stats stats = { 0 };
  char etag[80];
  char err[512];

  REQUIRE (fake_start (&f, script, 3));
  REQUIRE (config_for (&cfg, f.port, SK, BUCKET));
  s3 = sr_s3_new (&cfg);
  CHECK_INT_EQ (sr_s3_get (s3, "k.csv", collect, &c, etag, NULL, &stats,
                           err, sizeof (err)), SR_OK);
  CHECK_STR_EQ (err, "");
  CHECK_INT_EQ (c.len, 5000);
  CHECK_STR_EQ (etag, "abc123");
  CHECK_INT_EQ (stats.requests, 3);
  CHECK_INT_EQ (stats.retries, 2);
  fake_stop (&f);
  free (c.data);
  sr_s3_free (s3);
  sr_config_clean (&cfg);
  sr_log_clear_secrets ();
}

SR_TEST (test_gives_up_after_attempts)
{
  static const struct canned script[] = {
    { SLOWDOWN, 0, SLOWDOWN_BODY, 0 },
    { SLOWDOWN, 0, SLOWDOWN_BODY, 0 },
    { SLOWDOWN, 0, SLOWDOWN_BODY, 0 },
  };
  struct fake f;
  struct sr_config cfg;
  struct sr_s3 *s3;
  struct sr_s3_list l;
  struct sr_upstream_stats stats = { 0 };
  char err[512];

  REQUIRE (fake_start (&f, script, 3));
  REQUIRE (config_for (&cfg, f.port, SK, BUCKET));
  s3 = sr_s3_new (&cfg);
  CHECK_INT_EQ (sr_s3_list (s3, "p/", 0, &l, &stats, err, sizeof (err)),
                SR_E_UPSTREAM);
  CHECK_STR_EQ (err, "s3: LIST " BUCKET "/p/: HTTP 503 SlowDown: Please "
                "reduce your request rate. (gave up after 3 attempts)");
  CHECK_INT_EQ (stats.requests, 3);
  CHECK_INT_EQ (stats.retries, 2);
  fake_stop (&f);
  sr_s3_free (s3);
  sr_config_clean (&cfg);
  sr_log_clear_secrets ();
}

SR_TEST (test_no_retry_once_bytes_were_passed_on)
{
  /* 40000 bytes promised, 20000 sent, then the connection closes. */
  static const struct canned script[] = {
    { OK_HEAD, 20000, NULL, 40000 },
    { OK_HEAD, 40000, NULL, 0 },          /* must not be asked for */
  };
  struct fake f;
  struct sr_config cfg;
  struct sr_s3 *s3;
  struct collected c = { 0 };
  struct sr_upstream_stats stats = { 0 };
  char err[512];

  REQUIRE (fake_start (&f, script, 2));
  REQUIRE (config_for (&cfg, f.port, SK, BUCKET));
  s3 = sr_s3_new (&cfg);
  CHECK_INT_EQ (sr_s3_get (s3, "k.csv", collect, &c, NULL, NULL, &stats,
                           err, sizeof (err)), SR_E_UPSTREAM);
  CHECK_CONTAINS (err, "s3: GET " BUCKET "/k.csv: transfer broke off after "
                  "20000 bytes had been passed on");
  CHECK_CONTAINS (err, "not retried");
  CHECK_INT_EQ (c.len, 20000);
  CHECK_INT_EQ (stats.requests, 1);
  CHECK_INT_EQ (stats.retries, 0);
  fake_stop (&f);
  CHECK_INT_EQ (f.served, 1);
  free (c.data);
  sr_s3_free (s3);
  sr_config_clean (&cfg);
  sr_log_clear_secrets ();
}

SR_TEST (test_non_xml_errors)
{
  static const struct canned script[] = {
    { "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\n"
      "Connection: close\r\n", 0, "<html>upstream!</html>", 0 },
    { "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n", 0, NULL, 0 },
  };
  struct fake f;
  struct sr_config cfg;
  struct sr_s3 *s3;
  struct collected c = { 0 };
  struct sr_upstream_stats stats = { 0 };
  char err[512];

  REQUIRE (fake_start (&f, script, 2));
  REQUIRE (config_for (&cfg, f.port, SK, BUCKET));
  s3 = sr_s3_new (&cfg);
  /* The 502 is retried, the 400 (no S3 code) is not. */
  CHECK_INT_EQ (sr_s3_get (s3, "k.csv", collect, &c, NULL, NULL, &stats,
                           err, sizeof (err)), SR_E_UPSTREAM);
  CHECK_STR_EQ (err, "s3: GET " BUCKET "/k.csv: HTTP 400 (gave up after 2 "
                "attempts)");
  CHECK_INT_EQ (stats.requests, 2);
  CHECK_INT_EQ (c.calls, 0);
  fake_stop (&f);
  sr_s3_free (s3);
  sr_config_clean (&cfg);
  sr_log_clear_secrets ();
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_list_paginates_and_filters),
              SR_TEST_ENTRY (test_get_plain),
              SR_TEST_ENTRY (test_get_gzip_two_members),
              SR_TEST_ENTRY (test_get_large_streams),
              SR_TEST_ENTRY (test_odd_keys_round_trip),
              SR_TEST_ENTRY (test_wrong_secret),
              SR_TEST_ENTRY (test_missing_key_and_bucket),
              SR_TEST_ENTRY (test_sink_stops_transfer),
              SR_TEST_ENTRY (test_request_is_canonical),
              SR_TEST_ENTRY (test_retries_slowdown_and_dropped_connections),
              SR_TEST_ENTRY (test_gives_up_after_attempts),
              SR_TEST_ENTRY (test_no_retry_once_bytes_were_passed_on),
              SR_TEST_ENTRY (test_non_xml_errors))
