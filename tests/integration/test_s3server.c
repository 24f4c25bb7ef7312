/*
 * test_s3server.c -- the test infrastructure for the S3 source: the local
 * signature-checking S3 server (tests/support/s3server.h) and the fake
 * Sticky.io export generator (tests/upstreams/gen_orders.py).
 */
#include "check.h"
#include "s3server.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <unistd.h>

#define AK "AKIDSIGNALROOMTEST"
#define SK "secret/with+odd=chars"
#define BUCKET "sticky-713-data-repo"

#define KEY_A "orders-create/report_2025-12-01T0600_a1b2c3.csv"
#define KEY_B "orders-create/odd name+x=1.csv"

/* The text of <tag>...</tag> in @a xml (static buffer), or "". */
static const char *
xml_value (const char *xml, const char *tag)
{
  static char value[1024];
  char open[64], close[64];
  const char *a, *b;

  value[0] = '\0';
  if (NULL == xml)
    return value;
  if (snprintf (open, sizeof (open), "<%s>", tag) >= (int) sizeof (open)
      || snprintf (close, sizeof (close), "</%s>", tag)
         >= (int) sizeof (close))
    return value;
  a = strstr (xml, open);
  if (NULL == a)
    return value;
  a += strlen (open);
  b = strstr (a, close);
  if (NULL == b || (size_t) (b - a) >= sizeof (value))
    return value;
  memcpy (value, a, (size_t) (b - a));
  value[b - a] = '\0';
  return value;
}

/* RFC 3986 query-value encoding (everything but unreserved). */
static bool
encode (const char *in, char *out, size_t len)
{
  static const char hex[] = "0123456789ABCDEF";
  size_t at = 0;

  for (const unsigned char *p = (const unsigned char *) in; *p; p++) {
    bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')
                 || (*p >= '0' && *p <= '9') || '-' == *p || '.' == *p
                 || '_' == *p || '~' == *p;

    if (at + 4 > len)
      return false;
    if (plain) {
      out[at++] = (char) *p;
    } else {
      out[at++] = '%';
      out[at++] = hex[*p >> 4];
      out[at++] = hex[*p & 15];
    }
  }
  out[at] = '\0';
  return true;
}

SR_TEST (s3server_signed_api)
{
  static const char body_a[] = "orders_id,created_by\r\n1000001,\r\n";
  static const char body_b[] = "x\r\n";
  struct sr_s3srv s3;
  char dir[sizeof (s3.dir)];
  char target[1024];
  char token[512];
  char *xml;
  int status;
  pid_t pid;

  REQUIRE (sr_s3srv_start (&s3, AK, SK, BUCKET));
  CHECK (s3.port > 0);
  CHECK (s3.pid > 0);
  CHECK (0 == access (s3.dir, F_OK));
  memcpy (dir, s3.dir, sizeof (dir));
  pid = s3.pid;

  /* The bucket exists and is empty. */
  xml = sr_s3srv_get (&s3, AK, SK, "/" BUCKET "?list-type=2&prefix=",
                      &status);
  CHECK_INT_EQ (status, 200);
  CHECK_STR_EQ (xml_value (xml, "KeyCount"), "0");
  free (xml);

  CHECK (sr_s3srv_put (&s3, AK, SK, BUCKET, KEY_A, body_a,
                       sizeof (body_a) - 1));
  CHECK (sr_s3srv_put (&s3, AK, SK, BUCKET, KEY_B, body_b,
                       sizeof (body_b) - 1));

  /* Listed, in key order, with the size of each. */
  xml = sr_s3srv_get (&s3, AK, SK, "/" BUCKET "?list-type=2&prefix=",
                      &status);
  CHECK_INT_EQ (status, 200);
  CHECK_STR_EQ (xml_value (xml, "KeyCount"), "2");
  CHECK_STR_EQ (xml_value (xml, "IsTruncated"), "false");
  CHECK_CONTAINS (xml, "<Key>" KEY_A "</Key>");
  CHECK_CONTAINS (xml, "<Key>" KEY_B "</Key>");
  CHECK (NULL != xml && strstr (xml, KEY_B) < strstr (xml, KEY_A));
  free (xml);

  /* A prefix goes in encoded ('/' as %2F), as S3 canonicalises it. */
  xml = sr_s3srv_get (&s3, AK, SK,
                      "/" BUCKET "?list-type=2&prefix=orders-create%2Freport",
                      &status);
  CHECK_INT_EQ (status, 200);
  CHECK_STR_EQ (xml_value (xml, "KeyCount"), "1");
  CHECK_CONTAINS (xml, "<Key>" KEY_A "</Key>");
  free (xml);

  /* GetObject gives back the bytes (the key percent-encoded in the path). */
  xml = sr_s3srv_get (&s3, AK, SK,
                      "/" BUCKET "/orders-create/odd%20name%2Bx%3D1.csv",
                      &status);
  CHECK_INT_EQ (status, 200);
  CHECK_STR_EQ (xml, body_b);
  free (xml);

  /* Signatures are checked: wrong secret, unknown key, a query that was
   * signed unsorted (libcurl 7.88 signs it as written). */
  xml = sr_s3srv_get (&s3, AK, "wrong-secret",
                      "/" BUCKET "?list-type=2&prefix=", &status);
  CHECK_INT_EQ (status, 403);
  CHECK_CONTAINS (xml, "<Code>SignatureDoesNotMatch</Code>");
  free (xml);
  CHECK (!sr_s3srv_put (&s3, AK, "wrong-secret", BUCKET, "x.csv", "x", 1));
  xml = sr_s3srv_get (&s3, "AKIDUNKNOWN", SK,
                      "/" BUCKET "?list-type=2&prefix=", &status);
  CHECK_INT_EQ (status, 403);
  CHECK_CONTAINS (xml, "<Code>InvalidAccessKeyId</Code>");
  free (xml);
  xml = sr_s3srv_get (&s3, AK, SK, "/" BUCKET "?list-type=2&prefix=&max-keys=1",
                      &status);
  CHECK_INT_EQ (status, 403);
  CHECK_CONTAINS (xml, "SignatureDoesNotMatch");
  free (xml);
  /* s3rver's built-in pair stays valid. */
  xml = sr_s3srv_get (&s3, "S3RVER", "S3RVER",
                      "/" BUCKET "?list-type=2&prefix=", &status);
  CHECK_INT_EQ (status, 200);
  free (xml);

  /* Pagination: needs DES, i.e. node --openssl-legacy-provider (a 500
   * without it). */
  xml = sr_s3srv_get (&s3, AK, SK, "/" BUCKET "?list-type=2&max-keys=1&prefix=",
                      &status);
  CHECK_INT_EQ (status, 200);
  CHECK_STR_EQ (xml_value (xml, "IsTruncated"), "true");
  CHECK_STR_EQ (xml_value (xml, "KeyCount"), "1");
  CHECK_CONTAINS (xml, "<Key>" KEY_B "</Key>");
  CHECK (encode (xml_value (xml, "NextContinuationToken"), token,
                 sizeof (token)));
  CHECK (strlen (token) > 0);
  free (xml);
  REQUIRE (snprintf (target, sizeof (target),
                     "/" BUCKET "?continuation-token=%s&list-type=2"
                     "&max-keys=1&prefix=", token) < (int) sizeof (target));
  xml = sr_s3srv_get (&s3, AK, SK, target, &status);
  CHECK_INT_EQ (status, 200);
  CHECK_STR_EQ (xml_value (xml, "IsTruncated"), "false");
  CHECK_CONTAINS (xml, "<Key>" KEY_A "</Key>");
  free (xml);

  /* Delete. */
  CHECK (sr_s3srv_delete (&s3, AK, SK, BUCKET, KEY_B));
  xml = sr_s3srv_get (&s3, AK, SK, "/" BUCKET "?list-type=2&prefix=",
                      &status);
  CHECK_INT_EQ (status, 200);
  CHECK_STR_EQ (xml_value (xml, "KeyCount"), "1");
  free (xml);

  /* Stop: the process is gone (reaped) and the data with it. */
  sr_s3srv_stop (&s3);
  CHECK_INT_EQ (s3.pid, 0);
  CHECK (0 != kill (pid, 0) && ESRCH == errno);
  CHECK (0 != access (dir, F_OK));
  sr_s3srv_stop (&s3); /* harmless twice */
}

SR_TEST (s3server_two_at_once)
{
  struct sr_s3srv a, b;
  char *xml;
  int status;

  REQUIRE (sr_s3srv_start (&a, AK, SK, "bucket-a"));
  if (!sr_s3srv_start (&b, NULL, NULL, NULL)) {
    sr_s3srv_stop (&a);
    REQUIRE (false);
  }
  CHECK (a.port != b.port);
  CHECK (0 != strcmp (a.dir, b.dir));
  /* No bucket on b; our key pair is unknown there. */
  xml = sr_s3srv_get (&b, "S3RVER", "S3RVER",
                      "/bucket-a?list-type=2&prefix=", &status);
  CHECK_INT_EQ (status, 404);
  CHECK_CONTAINS (xml, "NoSuchBucket");
  free (xml);
  xml = sr_s3srv_get (&b, AK, SK, "/bucket-a?list-type=2&prefix=", &status);
  CHECK_INT_EQ (status, 403);
  free (xml);
  sr_s3srv_stop (&b);
  sr_s3srv_stop (&a);
}

SR_TEST_MAIN (SR_TEST_ENTRY (s3server_signed_api),
              SR_TEST_ENTRY (s3server_two_at_once))
