/*
 * test_s3_client.c -- the S3 client's pure parts: encoding, the canonical
 * ListObjectsV2 query, URLs in both addressing styles, ListBucketResult
 * and Error parsing, the streaming gunzip, and the S3 configuration rows.
 *
 * Nothing here talks to a server (tests/integration/test_s3_client.c
 * does).  Compressed test data is made here with zlib, so the decoder is
 * checked against an independent encoder.  Secrets registered with the
 * logger by configuration loads are forgotten after each of them.
 */
#include "config.h"
#include "log.h"
#include "s3_client.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "check.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static enum sr_status
load (struct sr_config *cfg, const char *const *kv, char *err, size_t len)
{
  enum sr_status st = sr_config_load (cfg, sr_test_env_get, (void *) kv, err,
                                      len);

  sr_log_clear_secrets ();
  return st;
}

/* gzip @a len bytes of @a data as one member; caller frees. */
static unsigned char *
gzip_member (const void *data, size_t len, size_t *out_len)
{
  z_stream z;
  size_t cap = len + len / 100 + 1024;
  unsigned char *out = malloc (cap);

  memset (&z, 0, sizeof (z));
  if (NULL == out
      || Z_OK != deflateInit2 (&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
                               Z_DEFAULT_STRATEGY)) {
    free (out);
    return NULL;
  }
  z.next_in = (Bytef *) data;
  z.avail_in = (uInt) len;
  z.next_out = out;
  z.avail_out = (uInt) cap;
  if (Z_STREAM_END != deflate (&z, Z_FINISH)) {
    (void) deflateEnd (&z);
    free (out);
    return NULL;
  }
  *out_len = z.total_out;
  (void) deflateEnd (&z);
  return out;
}

/* What a sink received. */
struct collected {
  char *data;
  size_t len;
  size_t cap;
  size_t calls;
  size_t biggest;
  size_t stop_after;        /* > 0: fail the call that passes this */
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
  if (c->stop_after > 0 && c->len >= c->stop_after)
    return SR_E_IO;
  return SR_OK;
}

/* Deterministic text that compresses but not too well: CSV-like rows. */
static char *
make_text (size_t len)
{
  char *t = malloc (len + 1);
  uint32_t x = 12345;

  if (NULL == t)
    return NULL;
  for (size_t i = 0; i < len; i++) {
    x = x * 1103515245u + 12345u;
    t[i] = 0 == i % 61 ? '\n' : "0123456789,abcdef"[(x >> 16) % 17];
  }
  t[len] = '\0';
  return t;
}

/* ------------------------------------------------------------------ */
/* Encoding, query, URLs                                               */

SR_TEST (test_uri_encode)
{
  char *a = sr_s3_uri_encode ("dir/a b+c=d~_-.\xc3\xa9", true);
  char *b = sr_s3_uri_encode ("dir/a b+c=d", false);
  char *c = sr_s3_uri_encode ("", true);
  char *d = sr_s3_uri_encode ("%2F?#&*'()!", true);

  CHECK_STR_EQ (a, "dir/a%20b%2Bc%3Dd~_-.%C3%A9");
  CHECK_STR_EQ (b, "dir%2Fa%20b%2Bc%3Dd");
  CHECK_STR_EQ (c, "");
  CHECK_STR_EQ (d, "%252F%3F%23%26%2A%27%28%29%21");
  free (a);
  free (b);
  free (c);
  free (d);
}

/* Parameters must come sorted by name: libcurl 7.88 signs them as
 * written and AWS signs them sorted. */
static bool
query_sorted (const char *q)
{
  char prev[64] = "";

  for (const char *p = q; *p;) {
    size_t n = strcspn (p, "=");
    char name[64];

    if (n >= sizeof (name))
      return false;
    memcpy (name, p, n);
    name[n] = '\0';
    if (strcmp (prev, name) >= 0)
      return false;
    memcpy (prev, name, n + 1);
    p += strcspn (p, "&");
    if ('&' == *p)
      p++;
  }
  return true;
}

SR_TEST (test_list_query)
{
  char *q1 = sr_s3_list_query ("orders-create/", 2, NULL);
  char *q2 = sr_s3_list_query ("orders-create/", 2, "1Zx8+ab/c==");
  char *q3 = sr_s3_list_query (NULL, 0, NULL);
  char *q4 = sr_s3_list_query ("a b", 5000, "t");

  CHECK_STR_EQ (q1, "list-type=2&max-keys=2&prefix=orders-create%2F");
  CHECK_STR_EQ (q2, "continuation-token=1Zx8%2Bab%2Fc%3D%3D&list-type=2"
                "&max-keys=2&prefix=orders-create%2F");
  CHECK_STR_EQ (q3, "list-type=2&prefix=");
  CHECK_STR_EQ (q4, "continuation-token=t&list-type=2&max-keys=1000"
                "&prefix=a%20b");
  CHECK (query_sorted (q1));
  CHECK (query_sorted (q2));
  CHECK (query_sorted (q3));
  CHECK (query_sorted (q4));
  free (q1);
  free (q2);
  free (q3);
  free (q4);
}

SR_TEST (test_urls_path_style)
{
  static const char *const env[] = {
    "DATABASE_URL", "postgresql://app@db.example/app",
    "S3_BUCKET_NAME", "test-bucket",
    "S3_ENDPOINT_URL", "http://127.0.0.1:4599/",
    "AWS_ACCESS_KEY_ID", "AKIDTEST", "AWS_SECRET_ACCESS_KEY", "SECRETTEST",
    NULL };
  struct sr_config cfg;
  char err[256];
  struct sr_s3 *s3;
  char *u;

  REQUIRE (SR_OK == load (&cfg, env, err, sizeof (err)));
  s3 = sr_s3_new (&cfg);
  u = sr_s3_url (s3, "dir/a b+c=d.csv", NULL);
  CHECK_STR_EQ (u, "http://127.0.0.1:4599/test-bucket/dir/a%20b%2Bc%3Dd.csv");
  free (u);
  u = sr_s3_url (s3, "donn\xc3\xa9" "es/./x.csv.gz", NULL);
  CHECK_STR_EQ (u, "http://127.0.0.1:4599/test-bucket/donn%C3%A9es/./"
                "x.csv.gz");
  free (u);
  u = sr_s3_url (s3, NULL, "list-type=2&prefix=");
  CHECK_STR_EQ (u, "http://127.0.0.1:4599/test-bucket?list-type=2&prefix=");
  free (u);
  sr_s3_free (s3);
  sr_config_clean (&cfg);
}

SR_TEST (test_urls_virtual_hosted)
{
  static const char *const env[] = {
    "DATABASE_URL", "postgresql://app@db.example/app",
    "S3_BUCKET_NAME", "sticky-713-data-repo", "AWS_REGION", "eu-west-1",
    NULL };
  static const char *const env_default[] = {
    "DATABASE_URL", "postgresql://app@db.example/app",
    "S3_BUCKET_NAME", "b-1", NULL };
  struct sr_config cfg;
  char err[256];
  struct sr_s3 *s3;
  char *u;
  struct sr_s3_list l;

  REQUIRE (SR_OK == load (&cfg, env, err, sizeof (err)));
  s3 = sr_s3_new (&cfg);
  u = sr_s3_url (s3, "orders-create/r 1.csv", NULL);
  CHECK_STR_EQ (u, "https://sticky-713-data-repo.s3.eu-west-1.amazonaws.com"
                "/orders-create/r%201.csv");
  free (u);
  u = sr_s3_url (s3, NULL, "list-type=2&prefix=");
  CHECK_STR_EQ (u, "https://sticky-713-data-repo.s3.eu-west-1.amazonaws.com"
                "/?list-type=2&prefix=");
  free (u);
  /* No credentials: a configuration error, before any request. */
  CHECK_INT_EQ (sr_s3_list (s3, "x/", 0, &l, NULL, err, sizeof (err)),
                SR_E_CONFIG);
  CHECK_CONTAINS (err, "AWS_ACCESS_KEY_ID");
  CHECK_INT_EQ (l.n, 0);
  sr_s3_free (s3);
  sr_config_clean (&cfg);

  REQUIRE (SR_OK == load (&cfg, env_default, err, sizeof (err)));
  CHECK_STR_EQ (cfg.aws_region, "us-east-1");
  s3 = sr_s3_new (&cfg);
  u = sr_s3_url (s3, "k", NULL);
  CHECK_STR_EQ (u, "https://b-1.s3.us-east-1.amazonaws.com/k");
  free (u);
  sr_s3_free (s3);
  sr_config_clean (&cfg);
}

SR_TEST (test_config_rows)
{
  static const char *const ok[] = {
    "DATABASE_URL", "postgresql://app@db.example/app",
    "S3_PREFIXES", " orders-create , ,orders-update,prospects-create",
    NULL };
  static const char *const bad_region[] = {
    "DATABASE_URL", "postgresql://app@db.example/app",
    "AWS_REGION", "us-east-1.evil.example", NULL };
  static const char *const bad_bucket[] = {
    "DATABASE_URL", "postgresql://app@db.example/app",
    "S3_BUCKET_NAME", "a/b?c", NULL };
  static const char *const bad_prefixes[] = {
    "DATABASE_URL", "postgresql://app@db.example/app",
    "S3_PREFIXES", " , ", NULL };
  static const char *const bad_endpoint[] = {
    "DATABASE_URL", "postgresql://app@db.example/app",
    "S3_ENDPOINT_URL", "ftp://127.0.0.1:21", NULL };
  static const char *const secret[] = {
    "DATABASE_URL", "postgresql://app@db.example/app",
    "AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG", NULL };
  struct sr_config cfg;
  char err[256];
  json_t *j;

  REQUIRE (SR_OK == load (&cfg, ok, err, sizeof (err)));
  CHECK_STR_EQ (cfg.s3_prefixes,
                " orders-create , ,orders-update,prospects-create");
  CHECK (NULL == cfg.s3_endpoint_url);
  sr_config_clean (&cfg);
  CHECK_INT_EQ (load (&cfg, bad_region, err, sizeof (err)), SR_E_CONFIG);
  CHECK_CONTAINS (err, "AWS_REGION");
  CHECK_INT_EQ (load (&cfg, bad_bucket, err, sizeof (err)), SR_E_CONFIG);
  CHECK_CONTAINS (err, "S3_BUCKET_NAME");
  CHECK_INT_EQ (load (&cfg, bad_prefixes, err, sizeof (err)), SR_E_CONFIG);
  CHECK_CONTAINS (err, "S3_PREFIXES");
  CHECK_INT_EQ (load (&cfg, bad_endpoint, err, sizeof (err)), SR_E_CONFIG);
  CHECK_CONTAINS (err, "S3_ENDPOINT_URL");
  /* The secret is masked in /v1/config. */
  REQUIRE (SR_OK == load (&cfg, secret, err, sizeof (err)));
  j = sr_config_to_json (&cfg);
  {
    char *text = json_dumps (j, JSON_COMPACT);

    CHECK (NULL != text && NULL == strstr (text, "wJalrXUtnFEMI"));
    free (text);
  }
  json_decref (j);
  sr_config_clean (&cfg);
}

/* ------------------------------------------------------------------ */
/* XML                                                                 */

#define LIST_PAGE                                                          \
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                           \
  "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"   \
  "<Name>exports-bucket</Name><Prefix>orders-create/</Prefix>"             \
  "<MaxKeys>2</MaxKeys><KeyCount>2</KeyCount>"                             \
  "<IsTruncated>true</IsTruncated>"                                        \
  "<NextContinuationToken>1Zx8+opaque/token==</NextContinuationToken>"     \
  "<Contents><Key>orders-create/a&amp;b &lt;1&gt;.csv</Key>"               \
  "<LastModified>2025-11-02T06:00:41.000Z</LastModified>"                  \
  "<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag>"              \
  "<Size>48213</Size><StorageClass>STANDARD</StorageClass></Contents>"     \
  "<Contents><Key>orders-create/donn\xc3\xa9" "es&#x2B;x.csv.gz</Key>"     \
  "<LastModified>2025-11-03T06:00:41.000Z</LastModified>"                  \
  "<ETag>\"d41d8cd98f00b204e9800998ecf8427e-2\"</ETag>"                    \
  "<Size>0</Size></Contents>"                                              \
  "</ListBucketResult>"

SR_TEST (test_parse_list)
{
  static const char last[] =
    "<ListBucketResult><IsTruncated>false</IsTruncated>"
    "<Contents><Key>orders-create/z.csv</Key><Size>18446744073709551615"
    "</Size></Contents></ListBucketResult>";
  struct sr_s3_list l = { 0 };
  bool truncated;
  char *token;
  char err[256];

  REQUIRE (SR_OK == sr_s3_parse_list (LIST_PAGE, strlen (LIST_PAGE), &l,
                                      &truncated, &token, err,
                                      sizeof (err)));
  CHECK (truncated);
  CHECK_STR_EQ (token, "1Zx8+opaque/token==");
  free (token);
  REQUIRE (2 == l.n);
  CHECK_STR_EQ (l.items[0].key, "orders-create/a&b <1>.csv");
  CHECK_STR_EQ (l.items[0].etag, "9b2cf535f27731c974343645a3985328");
  CHECK_INT_EQ (l.items[0].size, 48213);
  CHECK_STR_EQ (l.items[0].last_modified, "2025-11-02T06:00:41.000Z");
  CHECK_STR_EQ (l.items[1].key, "orders-create/donn\xc3\xa9" "es+x.csv.gz");
  CHECK_STR_EQ (l.items[1].etag, "d41d8cd98f00b204e9800998ecf8427e-2");
  CHECK_INT_EQ (l.items[1].size, 0);
  /* A second page appends. */
  REQUIRE (SR_OK == sr_s3_parse_list (last, strlen (last), &l, &truncated,
                                      &token, err, sizeof (err)));
  CHECK (!truncated);
  CHECK (NULL == token);
  REQUIRE (3 == l.n);
  CHECK_STR_EQ (l.items[2].key, "orders-create/z.csv");
  CHECK (UINT64_MAX == l.items[2].size);
  CHECK_STR_EQ (l.items[2].etag, "");
  sr_s3_list_clean (&l);
  CHECK (NULL == l.items && 0 == l.n);
}

SR_TEST (test_parse_list_many)
{
  /* More items than the first allocation, in order. */
  char *xml = malloc (200 * 100 + 100);
  size_t o = 0;
  struct sr_s3_list l = { 0 };
  bool truncated;
  char *token;
  char err[256];

  REQUIRE (NULL != xml);
  o += (size_t) sprintf (xml + o, "<ListBucketResult>");
  for (int i = 0; i < 200; i++)
    o += (size_t) sprintf (xml + o, "<Contents><Key>k%03d</Key><Size>%d"
                           "</Size></Contents>", i, i);
  o += (size_t) sprintf (xml + o, "</ListBucketResult>");
  CHECK (SR_OK == sr_s3_parse_list (xml, o, &l, &truncated, &token, err,
                                    sizeof (err)));
  CHECK_INT_EQ (l.n, 200);
  if (200 == l.n) {
    CHECK_STR_EQ (l.items[0].key, "k000");
    CHECK_STR_EQ (l.items[199].key, "k199");
    CHECK_INT_EQ (l.items[137].size, 137);
  }
  free (token);
  sr_s3_list_clean (&l);
  free (xml);
}

static void
expect_bad_list (const char *xml, const char *what)
{
  struct sr_s3_list l = { 0 };
  bool truncated;
  char *token = (char *) "x";
  char err[256] = "";

  CHECK_INT_EQ (sr_s3_parse_list (xml, strlen (xml), &l, &truncated, &token,
                                  err, sizeof (err)), SR_E_UPSTREAM);
  CHECK_CONTAINS (err, what);
  CHECK (NULL == token);
  sr_s3_list_clean (&l);
}

SR_TEST (test_parse_list_rejects)
{
  expect_bad_list ("not xml at all", "not XML");
  expect_bad_list ("<ListBucketResult><Contents>", "not XML");
  expect_bad_list ("<Error><Code>NoSuchBucket</Code></Error>",
                   "not <ListBucketResult>");
  /* Entity tricks: any DTD is refused (no expansion, no external file). */
  expect_bad_list ("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a "
                   "\"aaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
                   "<ListBucketResult><Contents><Key>&b;</Key><Size>1</Size>"
                   "</Contents></ListBucketResult>", "DTD");
  expect_bad_list ("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM "
                   "\"file:///etc/passwd\">]><ListBucketResult><Contents>"
                   "<Key>&x;</Key><Size>1</Size></Contents>"
                   "</ListBucketResult>", "DTD");
  expect_bad_list ("<?xml version=\"1.0\"?><!DOCTYPE ListBucketResult "
                   "SYSTEM \"http://example.invalid/s3.dtd\">"
                   "<ListBucketResult/>", "DTD");
  expect_bad_list ("<ListBucketResult><Contents><Key>a</Key></Contents>"
                   "</ListBucketResult>", "without Size");
  expect_bad_list ("<ListBucketResult><Contents><Size>1</Size></Contents>"
                   "</ListBucketResult>", "without Key");
  expect_bad_list ("<ListBucketResult><Contents><Key>a</Key><Size>-1</Size>"
                   "</Contents></ListBucketResult>", "Size \"-1\"");
  expect_bad_list ("<ListBucketResult><Contents><Key>a</Key><Size>12x"
                   "</Size></Contents></ListBucketResult>", "Size \"12x\"");
  expect_bad_list ("<ListBucketResult><Contents><Key>a</Key>"
                   "<Size>99999999999999999999</Size></Contents>"
                   "</ListBucketResult>", "Size");
}

SR_TEST (test_parse_error)
{
  static const char sig[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>"
    "<Code>SignatureDoesNotMatch</Code><Message>The request signature we "
    "calculated does not match the signature you provided.\nCheck your key "
    "and signing method.</Message><StringToSign>AWS4-HMAC-SHA256\n...\n"
    "</StringToSign><RequestId>4442587FB7D0A2F9</RequestId></Error>";
  char code[64];
  char msg[200];

  CHECK (sr_s3_parse_error (sig, strlen (sig), code, sizeof (code), msg,
                            sizeof (msg)));
  CHECK_STR_EQ (code, "SignatureDoesNotMatch");
  CHECK_STR_EQ (msg, "The request signature we calculated does not match "
                "the signature you provided. Check your key and signing "
                "method.");
  CHECK (!sr_s3_parse_error ("<html>502 Bad Gateway</html>", 28, code,
                             sizeof (code), msg, sizeof (msg)));
  CHECK_STR_EQ (code, "");
  CHECK (!sr_s3_parse_error ("Bad Gateway", 11, code, sizeof (code), msg,
                             sizeof (msg)));
  CHECK (!sr_s3_parse_error ("", 0, code, sizeof (code), msg, sizeof (msg)));
  /* A long Message is cut to the buffer. */
  CHECK (sr_s3_parse_error (sig, strlen (sig), code, sizeof (code), msg,
                            16));
  CHECK_STR_EQ (msg, "The request sig");
}

/* ------------------------------------------------------------------ */
/* gzip                                                                */

SR_TEST (test_gunzip_byte_by_byte)
{
  size_t plain_len = 300000;
  char *plain = make_text (plain_len);
  size_t gz_len = 0;
  unsigned char *gz = gzip_member (plain, plain_len, &gz_len);
  struct sr_s3_gunzip *g = sr_s3_gunzip_new ();
  struct collected c = { 0 };
  char err[256] = "";
  enum sr_status st = SR_OK;

  REQUIRE (NULL != plain && NULL != gz);
  CHECK (gz_len < plain_len);
  for (size_t i = 0; i < gz_len && SR_OK == st; i++)
    st = sr_s3_gunzip_feed (g, (const char *) gz + i, 1, collect, &c, err,
                            sizeof (err));
  CHECK_INT_EQ (st, SR_OK);
  CHECK_INT_EQ (sr_s3_gunzip_finish (g, err, sizeof (err)), SR_OK);
  CHECK_INT_EQ (c.len, plain_len);
  CHECK (c.len == plain_len && 0 == memcmp (c.data, plain, plain_len));
  CHECK (c.biggest <= SR_S3_MAX_CHUNK);
  CHECK (c.calls > 1);
  free (c.data);

  /* The same decoder, reset, takes the whole stream in one call: the
   * output then comes in full chunks. */
  memset (&c, 0, sizeof (c));
  sr_s3_gunzip_reset (g);
  CHECK_INT_EQ (sr_s3_gunzip_feed (g, (const char *) gz, gz_len, collect,
                                   &c, err, sizeof (err)), SR_OK);
  CHECK_INT_EQ (sr_s3_gunzip_finish (g, err, sizeof (err)), SR_OK);
  CHECK (c.len == plain_len && 0 == memcmp (c.data, plain, plain_len));
  CHECK_INT_EQ (c.biggest, SR_S3_MAX_CHUNK);
  CHECK_INT_EQ (c.calls, (plain_len + SR_S3_MAX_CHUNK - 1) / SR_S3_MAX_CHUNK);
  free (c.data);
  sr_s3_gunzip_free (g);
  free (gz);
  free (plain);
}

SR_TEST (test_gunzip_two_members)
{
  static const char a[] = "id,name\n1,first member\n";
  static const char b[] = "2,second member\n3,\xc3\xa9t\xc3\xa9\n";
  size_t la = 0, lb = 0;
  unsigned char *ga = gzip_member (a, strlen (a), &la);
  unsigned char *gb = gzip_member (b, strlen (b), &lb);
  unsigned char *both;
  struct sr_s3_gunzip *g = sr_s3_gunzip_new ();
  char err[256] = "";

  REQUIRE (NULL != ga && NULL != gb);
  both = malloc (la + lb);
  REQUIRE (NULL != both);
  memcpy (both, ga, la);
  memcpy (both + la, gb, lb);
  /* Every split point, including inside either member's header and
   * trailer and exactly at the boundary. */
  for (size_t cut = 0; cut <= la + lb; cut++) {
    struct collected c = { 0 };

    sr_s3_gunzip_reset (g);
    CHECK_INT_EQ (sr_s3_gunzip_feed (g, (const char *) both, cut, collect,
                                     &c, err, sizeof (err)), SR_OK);
    CHECK_INT_EQ (sr_s3_gunzip_feed (g, (const char *) both + cut,
                                     la + lb - cut, collect, &c, err,
                                     sizeof (err)), SR_OK);
    CHECK_INT_EQ (sr_s3_gunzip_finish (g, err, sizeof (err)), SR_OK);
    CHECK_INT_EQ (c.len, strlen (a) + strlen (b));
    if (c.len == strlen (a) + strlen (b)) {
      CHECK (0 == memcmp (c.data, a, strlen (a)));
      CHECK (0 == memcmp (c.data + strlen (a), b, strlen (b)));
    }
    free (c.data);
  }
  /* Byte by byte too. */
  {
    struct collected c = { 0 };

    sr_s3_gunzip_reset (g);
    for (size_t i = 0; i < la + lb; i++)
      CHECK_INT_EQ (sr_s3_gunzip_feed (g, (const char *) both + i, 1,
                                       collect, &c, err, sizeof (err)),
                    SR_OK);
    CHECK_INT_EQ (sr_s3_gunzip_finish (g, err, sizeof (err)), SR_OK);
    CHECK_INT_EQ (c.len, strlen (a) + strlen (b));
    free (c.data);
  }
  sr_s3_gunzip_free (g);
  free (both);
  free (ga);
  free (gb);
}

SR_TEST (test_gunzip_bad_input)
{
  static const char text[] = "hello, gzip\n";
  size_t len = 0;
  unsigned char *gz = gzip_member (text, strlen (text), &len);
  struct sr_s3_gunzip *g = sr_s3_gunzip_new ();
  struct collected c = { 0 };
  char err[256] = "";
  unsigned char *bad;

  REQUIRE (NULL != gz);
  /* Truncated: the feed is fine, the end is not. */
  CHECK_INT_EQ (sr_s3_gunzip_feed (g, (const char *) gz, len - 3, collect,
                                   &c, err, sizeof (err)), SR_OK);
  CHECK_INT_EQ (sr_s3_gunzip_finish (g, err, sizeof (err)), SR_E_UPSTREAM);
  CHECK_CONTAINS (err, "truncated");
  /* Nothing at all. */
  sr_s3_gunzip_reset (g);
  CHECK_INT_EQ (sr_s3_gunzip_finish (g, err, sizeof (err)), SR_E_UPSTREAM);
  CHECK_CONTAINS (err, "empty");
  /* Not gzip. */
  sr_s3_gunzip_reset (g);
  CHECK_INT_EQ (sr_s3_gunzip_feed (g, "id,name\n1,x\n", 12, collect, &c,
                                   err, sizeof (err)), SR_E_UPSTREAM);
  CHECK_CONTAINS (err, "corrupt");
  /* A flipped byte in the data: the CRC catches what inflate does not. */
  bad = malloc (len);
  REQUIRE (NULL != bad);
  memcpy (bad, gz, len);
  bad[len - 5] ^= 0x55;                 /* inside the CRC-32 */
  sr_s3_gunzip_reset (g);
  CHECK_INT_EQ (sr_s3_gunzip_feed (g, (const char *) bad, len, collect, &c,
                                   err, sizeof (err)), SR_E_UPSTREAM);
  CHECK_CONTAINS (err, "corrupt");
  /* Garbage after a complete member. */
  sr_s3_gunzip_reset (g);
  CHECK_INT_EQ (sr_s3_gunzip_feed (g, (const char *) gz, len, collect, &c,
                                   err, sizeof (err)), SR_OK);
  CHECK_INT_EQ (sr_s3_gunzip_feed (g, "junk", 4, collect, &c, err,
                                   sizeof (err)), SR_E_UPSTREAM);
  free (bad);
  free (c.data);
  sr_s3_gunzip_free (g);
  free (gz);
}

SR_TEST (test_gunzip_sink_stops)
{
  size_t plain_len = 100000;
  char *plain = make_text (plain_len);
  size_t gz_len = 0;
  unsigned char *gz = gzip_member (plain, plain_len, &gz_len);
  struct sr_s3_gunzip *g = sr_s3_gunzip_new ();
  struct collected c = { .stop_after = 20000 };
  char err[256] = "";

  REQUIRE (NULL != plain && NULL != gz);
  CHECK_INT_EQ (sr_s3_gunzip_feed (g, (const char *) gz, gz_len, collect,
                                   &c, err, sizeof (err)), SR_E_IO);
  CHECK_STR_EQ (err, "");           /* the sink's failure, not ours */
  CHECK_INT_EQ (c.calls, 2);
  free (c.data);
  sr_s3_gunzip_free (g);
  free (gz);
  free (plain);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_uri_encode),
              SR_TEST_ENTRY (test_list_query),
              SR_TEST_ENTRY (test_urls_path_style),
              SR_TEST_ENTRY (test_urls_virtual_hosted),
              SR_TEST_ENTRY (test_config_rows),
              SR_TEST_ENTRY (test_parse_list),
              SR_TEST_ENTRY (test_parse_list_many),
              SR_TEST_ENTRY (test_parse_list_rejects),
              SR_TEST_ENTRY (test_parse_error),
              SR_TEST_ENTRY (test_gunzip_byte_by_byte),
              SR_TEST_ENTRY (test_gunzip_two_members),
              SR_TEST_ENTRY (test_gunzip_bad_input),
              SR_TEST_ENTRY (test_gunzip_sink_stops))
