/*
 * test_log.c -- the JSON-lines logger: line shape, level gating, thread
 * context, caller fields, secret masking and URL redaction.
 *
 * Output is captured in an unlinked temporary file (sr_log_set_output),
 * read back and parsed with jansson line by line.  Every test restores the
 * output to stderr, the level to info, the context to none and forgets
 * the secrets it registered.
 */
#include "log.h"

#include <errno.h>
#include <jansson.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

/* ------------------------------------------------------------------ */
/* Capture                                                             */

#define MAX_CAPTURED_LINES 32

struct capture {
  int fd;
  char *text;                               /* everything written */
  char *copy;                               /* of text, split in place */
  char *lines[MAX_CAPTURED_LINES];          /* into text */
  size_t n_lines;
  json_t *objs[MAX_CAPTURED_LINES];         /* parsed, NULL if not JSON */
};

static bool
capture_begin (struct capture *c)
{
  char path[] = "/tmp/sr_test_log_XXXXXX";

  memset (c, 0, sizeof (*c));
  c->fd = mkstemp (path);
  if (c->fd < 0)
    return false;
  if (0 != unlink (path)) {
    (void) close (c->fd);
    c->fd = -1;
    return false;
  }
  sr_log_set_output (c->fd);
  return true;
}

/* Stop capturing, read what was written and parse each line. */
static bool
capture_end (struct capture *c)
{
  off_t size;
  size_t got = 0;
  char *p;

  sr_log_set_output (2);
  if (c->fd < 0)
    return false;
  size = lseek (c->fd, 0, SEEK_END);
  if (size < 0 || 0 != lseek (c->fd, 0, SEEK_SET)) {
    (void) close (c->fd);
    return false;
  }
  c->text = calloc ((size_t) size + 1, 1);
  if (NULL == c->text) {
    (void) close (c->fd);
    return false;
  }
  while (got < (size_t) size) {
    ssize_t r = read (c->fd, c->text + got, (size_t) size - got);

    if (r < 0 && EINTR == errno)
      continue;
    if (r <= 0)
      break;
    got += (size_t) r;
  }
  if (0 != close (c->fd) || got != (size_t) size)
    return false;
  c->fd = -1;
  /* Every line ends with '\n'; split, keeping the text intact for
   * whole-output searches (lines[] point into a copy). */
  c->copy = strdup (c->text);
  if (NULL == c->copy)
    return false;
  p = c->copy;
  while ('\0' != *p && c->n_lines < MAX_CAPTURED_LINES) {
    char *nl = strchr (p, '\n');

    c->lines[c->n_lines++] = p;
    if (NULL == nl)
      break;                    /* unterminated last line: kept as is */
    *nl = '\0';
    p = nl + 1;
  }
  for (size_t i = 0; i < c->n_lines; i++)
    c->objs[i] = json_loads (c->lines[i], JSON_REJECT_DUPLICATES, NULL);
  return true;
}

static void
capture_free (struct capture *c)
{
  for (size_t i = 0; i < c->n_lines; i++)
    json_decref (c->objs[i]);
  free (c->copy);
  free (c->text);
  memset (c, 0, sizeof (*c));
  c->fd = -1;
}

/* Back to the defaults every test starts from. */
static void
restore (void)
{
  sr_log_set_output (2);
  sr_log_set_level (SR_LOG_INFO);
  sr_log_set_context (NULL, NULL);
  sr_log_clear_secrets ();
}

static const char *
str_member (json_t *obj, const char *key)
{
  return json_string_value (json_object_get (obj, key));
}

/* ts is "YYYY-MM-DDTHH:MM:SS.mmmZ" and within a minute of now. */
static bool
ts_ok (const char *ts)
{
  regex_t re;
  int rc;
  struct tm tm;
  int ms;
  time_t t;
  time_t now = time (NULL);

  if (NULL == ts)
    return false;
  if (0 != regcomp (&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:"
                    "[0-9]{2}\\.[0-9]{3}Z$", REG_EXTENDED | REG_NOSUB))
    return false;
  rc = regexec (&re, ts, 0, NULL, 0);
  regfree (&re);
  if (0 != rc)
    return false;
  memset (&tm, 0, sizeof (tm));
  if (7 != sscanf (ts, "%4d-%2d-%2dT%2d:%2d:%2d.%3d", &tm.tm_year,
                   &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                   &tm.tm_sec, &ms))
    return false;
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31
      || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60 || ms > 999)
    return false;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  /* Read as UTC: a local-time stamp would be off by the zone offset
   * (the test runs with TZ set to a zone that is never UTC). */
  t = timegm (&tm);
  return t != (time_t) -1 && t <= now + 60 && t >= now - 60;
}

/* Each captured line is a JSON object with ts, level and msg. */
static void
check_line_shape (const struct capture *c)
{
  for (size_t i = 0; i < c->n_lines; i++) {
    json_t *o = c->objs[i];

    if (NULL == o || !json_is_object (o)) {
      fprintf (stderr, "not a JSON object: %s\n", c->lines[i]);
      CHECK (false);
      continue;
    }
    if (!ts_ok (str_member (o, "ts"))) {
      fprintf (stderr, "bad ts in: %s\n", c->lines[i]);
      CHECK (false);
    }
    CHECK (NULL != str_member (o, "level"));
    CHECK (NULL != str_member (o, "msg"));
  }
}

/* ------------------------------------------------------------------ */
/* Line shape and levels                                               */

SR_TEST (test_line_shape)
{
  struct capture c;
  char *saved_tz = getenv ("TZ") ? strdup (getenv ("TZ")) : NULL;

  restore ();
  /* A non-UTC local zone, so a stamp in local time would be caught. */
  REQUIRE (0 == setenv ("TZ", "Asia/Kolkata", 1));
  tzset ();
  REQUIRE (capture_begin (&c));
  sr_log (SR_LOG_INFO, "hello", NULL);
  sr_log (SR_LOG_WARN, "careful \"quoted\" \\ text\nwith newline", NULL);
  sr_log (SR_LOG_ERROR, NULL, NULL);
  REQUIRE (capture_end (&c));
  if (NULL != saved_tz)
    CHECK (0 == setenv ("TZ", saved_tz, 1));
  else
    CHECK (0 == unsetenv ("TZ"));
  tzset ();
  free (saved_tz);

  REQUIRE (3 == c.n_lines);
  /* One '\n' per line, the last at the very end. */
  CHECK ('\n' == c.text[strlen (c.text) - 1]);
  check_line_shape (&c);
  {
    CHECK_STR_EQ (str_member (c.objs[0], "level"), "info");
    CHECK_STR_EQ (str_member (c.objs[0], "msg"), "hello");
    CHECK_STR_EQ (str_member (c.objs[1], "level"), "warn");
    CHECK_STR_EQ (str_member (c.objs[1], "msg"),
                  "careful \"quoted\" \\ text\nwith newline");
    CHECK_STR_EQ (str_member (c.objs[2], "level"), "error");
    CHECK_STR_EQ (str_member (c.objs[2], "msg"), "");
    CHECK_INT_EQ (json_object_size (c.objs[0]), 3);
  }
  capture_free (&c);
  restore ();
}

SR_TEST (test_level_gating)
{
  struct capture c;

  restore ();
  sr_log_set_level (SR_LOG_INFO);
  CHECK_INT_EQ (sr_log_get_level (), SR_LOG_INFO);
  CHECK (!sr_log_enabled (SR_LOG_DEBUG));
  CHECK (sr_log_enabled (SR_LOG_INFO));
  CHECK (sr_log_enabled (SR_LOG_ERROR));
  REQUIRE (capture_begin (&c));
  sr_log (SR_LOG_DEBUG, "hidden-1", NULL);
  sr_log (SR_LOG_INFO, "shown-1", NULL);
  sr_log_set_level (SR_LOG_DEBUG);
  sr_log (SR_LOG_DEBUG, "shown-2", NULL);
  sr_log_set_level (SR_LOG_ERROR);
  sr_log (SR_LOG_WARN, "hidden-2", NULL);
  sr_log (SR_LOG_INFO, "hidden-3", NULL);
  sr_log (SR_LOG_ERROR, "shown-3", NULL);
  CHECK_INT_EQ (sr_log_get_level (), SR_LOG_ERROR);
  CHECK (!sr_log_enabled (SR_LOG_WARN));
  REQUIRE (capture_end (&c));

  check_line_shape (&c);
  CHECK_INT_EQ (c.n_lines, 3);
  CHECK (NULL == strstr (c.text, "hidden"));
  if (3 == c.n_lines) {
    CHECK_STR_EQ (str_member (c.objs[0], "msg"), "shown-1");
    CHECK_STR_EQ (str_member (c.objs[1], "msg"), "shown-2");
    CHECK_STR_EQ (str_member (c.objs[1], "level"), "debug");
    CHECK_STR_EQ (str_member (c.objs[2], "msg"), "shown-3");
  }
  capture_free (&c);
  restore ();
}

SR_TEST (test_level_parse)
{
  static const struct {
    const char *s;
    enum sr_log_level lvl;
  } good[] = {
    { "debug", SR_LOG_DEBUG }, { "DEBUG", SR_LOG_DEBUG },
    { "info", SR_LOG_INFO }, { "Info", SR_LOG_INFO },
    { "warn", SR_LOG_WARN }, { "WARNING", SR_LOG_WARN },
    { "warning", SR_LOG_WARN }, { "error", SR_LOG_ERROR },
    { "ERROR", SR_LOG_ERROR },
  };
  static const char *const bad[] = { "verbose", "", "warn ", " info",
                                     "err", "fatal", "debug1", "0" };
  enum sr_log_level lvl;

  for (size_t i = 0; i < sizeof (good) / sizeof (good[0]); i++) {
    lvl = (enum sr_log_level) 99;
    CHECK (sr_log_level_parse (good[i].s, &lvl));
    CHECK_INT_EQ (lvl, good[i].lvl);
  }
  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
    if (sr_log_level_parse (bad[i], &lvl)) {
      fprintf (stderr, "level \"%s\" accepted\n", bad[i]);
      CHECK (false);
    }
  }
  CHECK (!sr_log_level_parse (NULL, &lvl));
  CHECK_STR_EQ (sr_log_level_name (SR_LOG_DEBUG), "debug");
  CHECK_STR_EQ (sr_log_level_name (SR_LOG_INFO), "info");
  CHECK_STR_EQ (sr_log_level_name (SR_LOG_WARN), "warn");
  CHECK_STR_EQ (sr_log_level_name (SR_LOG_ERROR), "error");
}

/* ------------------------------------------------------------------ */
/* Context and fields                                                  */

SR_TEST (test_context)
{
  struct capture c;
  char long_id[200];
  const char *long_seen;

  restore ();
  memset (long_id, 'q', sizeof (long_id) - 1);
  long_id[sizeof (long_id) - 1] = '\0';
  CHECK (NULL == sr_log_context_id ());
  REQUIRE (capture_begin (&c));
  sr_log_set_context ("request_id", "abc");
  CHECK_STR_EQ (sr_log_context_id (), "abc");
  sr_log (SR_LOG_INFO, "with request", NULL);
  sr_log_set_context ("request_id", NULL);
  CHECK (NULL == sr_log_context_id ());
  sr_log (SR_LOG_INFO, "without", NULL);
  sr_log_set_context ("job_id", "job-7");
  sr_log (SR_LOG_INFO, "with job", NULL);
  sr_log_set_context ("request_id", long_id);
  sr_log (SR_LOG_INFO, "long id", NULL);
  sr_log_set_context (NULL, NULL);
  REQUIRE (capture_end (&c));

  check_line_shape (&c);
  REQUIRE (4 == c.n_lines);
  CHECK_CONTAINS (c.lines[0], "\"request_id\":\"abc\"");
  CHECK_STR_EQ (str_member (c.objs[0], "request_id"), "abc");
  CHECK (NULL == json_object_get (c.objs[1], "request_id"));
  CHECK (NULL == json_object_get (c.objs[1], "job_id"));
  CHECK_STR_EQ (str_member (c.objs[2], "job_id"), "job-7");
  CHECK (NULL == json_object_get (c.objs[2], "request_id"));
  /* Truncated to 127 bytes. */
  long_seen = str_member (c.objs[3], "request_id");
  REQUIRE (NULL != long_seen);
  CHECK_INT_EQ (strlen (long_seen), 127);
  CHECK (0 == strncmp (long_seen, long_id, 127));
  capture_free (&c);
  restore ();
}

SR_TEST (test_fields)
{
  struct capture c;

  restore ();
  REQUIRE (capture_begin (&c));
  sr_log (SR_LOG_INFO, "fields", "{s:s, s:i, s:b, s:{s:s}}", "user", "bob",
          "count", 42, "ok", 1, "nested", "k", "v");
  /* An invalid format character. */
  sr_log (SR_LOG_WARN, "bad format", "{s:q}", "k", "v");
  /* A NULL string argument. */
  sr_log (SR_LOG_WARN, "null arg", "{s:s}", "k", (const char *) NULL);
  /* A format that packs, but not to an object. */
  sr_log (SR_LOG_WARN, "not an object", "i", 5);
  REQUIRE (capture_end (&c));

  check_line_shape (&c);
  REQUIRE (4 == c.n_lines);
  CHECK_STR_EQ (str_member (c.objs[0], "user"), "bob");
  CHECK_INT_EQ (json_integer_value (json_object_get (c.objs[0], "count")),
                42);
  CHECK (json_is_true (json_object_get (c.objs[0], "ok")));
  CHECK_STR_EQ (str_member (json_object_get (c.objs[0], "nested"), "k"),
                "v");
  CHECK (NULL == json_object_get (c.objs[0], "log_error"));
  CHECK_STR_EQ (str_member (c.objs[0], "msg"), "fields");

  for (size_t i = 1; i < 4; i++) {
    CHECK (json_is_string (json_object_get (c.objs[i], "log_error")));
    CHECK_STR_EQ (str_member (c.objs[i], "level"), "warn");
    CHECK (NULL == json_object_get (c.objs[i], "k"));
  }
  CHECK_STR_EQ (str_member (c.objs[1], "msg"), "bad format");
  CHECK_CONTAINS (str_member (c.objs[1], "log_error"), "q");
  CHECK_STR_EQ (str_member (c.objs[2], "msg"), "null arg");
  CHECK_STR_EQ (str_member (c.objs[3], "msg"), "not an object");
  capture_free (&c);
  restore ();
}

/* ------------------------------------------------------------------ */
/* Secrets                                                             */

SR_TEST (test_secret_masking)
{
  static const char secret[] = "s3cr3t-value";
  struct capture c;

  restore ();
  sr_log_add_secret (secret);
  REQUIRE (capture_begin (&c));
  sr_log (SR_LOG_INFO, "connecting with s3cr3t-value now", NULL);
  sr_log (SR_LOG_ERROR, "failed", "{s:s, s:s}", "detail",
          "password=s3cr3t-value; again s3cr3t-value", "other", "plain");
  sr_log (SR_LOG_INFO, "s3cr3t-values3cr3t-value", NULL);
  sr_log_set_context ("request_id", "id-s3cr3t-value");
  sr_log (SR_LOG_INFO, "ctx", NULL);
  sr_log_set_context (NULL, NULL);
  REQUIRE (capture_end (&c));

  check_line_shape (&c);
  REQUIRE (4 == c.n_lines);
  CHECK (NULL == strstr (c.text, secret));
  CHECK (NULL == strstr (c.text, "s3cr3t"));
  CHECK_STR_EQ (str_member (c.objs[0], "msg"),
                "connecting with [REDACTED] now");
  CHECK_STR_EQ (str_member (c.objs[1], "detail"),
                "password=[REDACTED]; again [REDACTED]");
  CHECK_STR_EQ (str_member (c.objs[1], "other"), "plain");
  CHECK_STR_EQ (str_member (c.objs[2], "msg"), "[REDACTED][REDACTED]");
  CHECK_STR_EQ (str_member (c.objs[3], "request_id"), "id-[REDACTED]");
  capture_free (&c);
  restore ();

  /* Cleared: no longer masked. */
  REQUIRE (capture_begin (&c));
  sr_log (SR_LOG_INFO, "after clear s3cr3t-value", NULL);
  REQUIRE (capture_end (&c));
  REQUIRE (1 == c.n_lines);
  CHECK_STR_EQ (str_member (c.objs[0], "msg"), "after clear s3cr3t-value");
  capture_free (&c);
  restore ();
}

SR_TEST (test_secret_escaped_form)
{
  /* A quote and a backslash: in the line they appear JSON-escaped. */
  static const char secret[] = "pa\"ss\\word";
  struct capture c;

  restore ();
  sr_log_add_secret (secret);
  REQUIRE (capture_begin (&c));
  sr_log (SR_LOG_INFO, "pw is pa\"ss\\word!", NULL);
  sr_log (SR_LOG_INFO, "f", "{s:s}", "pw", "<pa\"ss\\word>");
  REQUIRE (capture_end (&c));

  check_line_shape (&c);
  REQUIRE (2 == c.n_lines);
  CHECK (NULL == strstr (c.text, "pa\\\"ss\\\\word"));
  CHECK (NULL == strstr (c.text, "ss\\\\word"));
  CHECK_STR_EQ (str_member (c.objs[0], "msg"), "pw is [REDACTED]!");
  CHECK_STR_EQ (str_member (c.objs[1], "pw"), "<[REDACTED]>");
  capture_free (&c);
  restore ();

  /* A control character and non-ASCII text. */
  sr_log_add_secret ("tab\there-\xc3\xa9t\xc3\xa9");
  REQUIRE (capture_begin (&c));
  sr_log (SR_LOG_INFO, "x tab\there-\xc3\xa9t\xc3\xa9 y", NULL);
  REQUIRE (capture_end (&c));
  REQUIRE (1 == c.n_lines);
  CHECK_STR_EQ (str_member (c.objs[0], "msg"), "x [REDACTED] y");
  capture_free (&c);
  restore ();
}

SR_TEST (test_secret_short_ignored)
{
  struct capture c;

  restore ();
  sr_log_add_secret ("abc");
  sr_log_add_secret ("");
  sr_log_add_secret (NULL);
  sr_log_add_secret ("wxyz");     /* 4 bytes: the shortest masked */
  REQUIRE (capture_begin (&c));
  sr_log (SR_LOG_INFO, "abc and wxyz", NULL);
  REQUIRE (capture_end (&c));
  REQUIRE (1 == c.n_lines);
  CHECK_STR_EQ (str_member (c.objs[0], "msg"), "abc and [REDACTED]");
  capture_free (&c);
  restore ();
}

SR_TEST (test_secret_overlapping)
{
  /* One secret is a prefix of another (a password and a longer token
   * that starts with it).  Whatever the registration order, no part of
   * the longer secret may remain in the line. */
  static const char shorter[] = "hunter2hunter2";
  static const char longer[] = "hunter2hunter2-and-the-rest-of-it";
  struct capture c;

  restore ();
  for (int order = 0; order < 2; order++) {
    sr_log_add_secret (0 == order ? longer : shorter);
    sr_log_add_secret (0 == order ? shorter : longer);
    REQUIRE (capture_begin (&c));
    sr_log (SR_LOG_INFO, "token hunter2hunter2-and-the-rest-of-it end",
            NULL);
    REQUIRE (capture_end (&c));
    REQUIRE (1 == c.n_lines);
    if (NULL != strstr (c.text, "the-rest-of-it"))
      fprintf (stderr, "order %d leaks the tail: %s", order, c.text);
    CHECK (NULL == strstr (c.text, "the-rest-of-it"));
    CHECK (NULL == strstr (c.text, "hunter2"));
    capture_free (&c);
    restore ();
  }
}

/* ------------------------------------------------------------------ */
/* URL redaction                                                       */

static void
check_redact (const char *url, const char *want)
{
  char out[512];

  memset (out, 'Z', sizeof (out));
  sr_log_redact_url (url, out, sizeof (out));
  if (NULL == memchr (out, '\0', sizeof (out))) {
    fprintf (stderr, "not NUL-terminated for %s\n", url);
    CHECK (false);
    return;
  }
  CHECK_STR_EQ (out, want);
}

SR_TEST (test_redact_url)
{
  check_redact ("https://api.example.com/v1/x?api_key=abc123&page=2",
                "https://api.example.com/v1/x?api_key=REDACTED&page=2");
  check_redact ("https://h/p?page=2&token=t0k&sort=asc",
                "https://h/p?page=2&token=REDACTED&sort=asc");
  /* Names are case-insensitive. */
  check_redact ("https://h/p?API_KEY=abc&Token=xyz",
                "https://h/p?API_KEY=REDACTED&Token=REDACTED");
  check_redact ("https://b.s3.amazonaws.com/o.csv?X-Amz-Algorithm=AWS4"
                "&X-Amz-Signature=deadbeef&x-amz-signature=cafe"
                "&X-Amz-Credential=AKIA%2F1&X-Amz-Expires=60",
                "https://b.s3.amazonaws.com/o.csv?X-Amz-Algorithm=AWS4"
                "&X-Amz-Signature=REDACTED&x-amz-signature=REDACTED"
                "&X-Amz-Credential=REDACTED&X-Amz-Expires=60");
  check_redact ("https://h/p?apikey=1&access_token=2&key=3&password=4"
                "&secret=5&signature=6",
                "https://h/p?apikey=REDACTED&access_token=REDACTED"
                "&key=REDACTED&password=REDACTED&secret=REDACTED"
                "&signature=REDACTED");
  /* Other parameters, even with similar names, are kept as they are. */
  check_redact ("https://h/p?keyboard=1&tokens=2&my_token=3&a=&b",
                "https://h/p?keyboard=1&tokens=2&my_token=3&a=&b");
  /* Empty value, no value, a value holding '='. */
  check_redact ("https://h/p?token=&x=1", "https://h/p?token=REDACTED&x=1");
  check_redact ("https://h/p?token", "https://h/p?token");
  check_redact ("https://h/p?token=a=b=c&x=1",
                "https://h/p?token=REDACTED&x=1");
  /* No query at all, and an empty one. */
  check_redact ("https://h/path/only", "https://h/path/only");
  check_redact ("https://h/p?", "https://h/p?");
  check_redact ("", "");
  /* A fragment ends the query and is kept. */
  check_redact ("https://h/p?api_key=abc#section-2",
                "https://h/p?api_key=REDACTED#section-2");
  /* Adjacent separators. */
  check_redact ("https://h/p?&&token=x&&", "https://h/p?&&token=REDACTED&&");
}

SR_TEST (test_redact_url_truncation)
{
  static const char url[] =
    "https://api.example.com/v1/x?page=2&api_key=SUPERSECRET123&z=9#f";
  static const char full[] =
    "https://api.example.com/v1/x?page=2&api_key=REDACTED&z=9#f";
  char canary[8];

  /* outlen 0: nothing is written at all. */
  memset (canary, 'Z', sizeof (canary));
  sr_log_redact_url (url, canary, 0);
  for (size_t i = 0; i < sizeof (canary); i++)
    CHECK ('Z' == canary[i]);
  /* NULL url: empty output. */
  memset (canary, 'Z', sizeof (canary));
  sr_log_redact_url (NULL, canary, sizeof (canary));
  CHECK ('\0' == canary[0]);

  /* Every size from 1 to past the full length: a heap block of exactly
   * outlen bytes (so the sanitizer build catches any overflow), always
   * NUL-terminated, always a prefix of the full answer, never the key. */
  for (size_t outlen = 1; outlen <= sizeof (full) + 4; outlen++) {
    char *out = malloc (outlen);
    size_t len;

    REQUIRE (NULL != out);
    memset (out, 'Z', outlen);
    sr_log_redact_url (url, out, outlen);
    len = strnlen (out, outlen);
    if (len >= outlen) {
      fprintf (stderr, "outlen %zu: not NUL-terminated\n", outlen);
      CHECK (false);
      free (out);
      continue;
    }
    if (outlen >= sizeof (full)) {
      CHECK_STR_EQ (out, full);
    } else {
      CHECK_INT_EQ (len, outlen - 1);
      if (0 != strncmp (out, full, len)) {
        fprintf (stderr, "outlen %zu: \"%s\" is not a prefix\n", outlen,
                 out);
        CHECK (false);
      }
    }
    CHECK (NULL == strstr (out, "SUPERSECRET"));
    CHECK (NULL == strstr (out, "SUPER"));
    free (out);
  }

  /* Truncation of a URL without a query. */
  {
    char small[6];

    memset (small, 'Z', sizeof (small));
    sr_log_redact_url ("https://h/long/path", small, 5);
    CHECK_STR_EQ (small, "http");
    CHECK ('Z' == small[5]);
  }
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_line_shape),
              SR_TEST_ENTRY (test_level_gating),
              SR_TEST_ENTRY (test_level_parse),
              SR_TEST_ENTRY (test_context),
              SR_TEST_ENTRY (test_fields),
              SR_TEST_ENTRY (test_secret_masking),
              SR_TEST_ENTRY (test_secret_escaped_form),
              SR_TEST_ENTRY (test_secret_short_ignored),
              SR_TEST_ENTRY (test_secret_overlapping),
              SR_TEST_ENTRY (test_redact_url),
              SR_TEST_ENTRY (test_redact_url_truncation))
