/*
 * test_s3server.c -- the test infrastructure for the S3 source: the local
 * signature-checking S3 server (tests/support/s3server.h) and the fake
 * Sticky.io export generator (tests/upstreams/gen_orders.py).
 */
#include "check.h"
#include "s3server.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
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

/* ---- the fake export generator (tests/upstreams/gen_orders.py) ---- */

#define GEN_TIMEOUT_MS 60000
#define GEN_COLUMNS 129

static long long
now_ms (void)
{
  struct timespec ts;

  if (0 != clock_gettime (CLOCK_MONOTONIC, &ts))
    return 0;
  return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whole file into a malloc'd buffer (NUL added, not counted). */
static char *
read_all (const char *path, size_t *len)
{
  FILE *f = fopen (path, "rb");
  char *buf = NULL;
  size_t cap = 0, n = 0;

  *len = 0;
  if (NULL == f)
    return NULL;
  for (;;) {
    size_t got;

    if (n + 65536 + 1 > cap) {
      char *p;

      cap = 2 * cap + 65536 + 1;
      p = realloc (buf, cap);
      if (NULL == p) {
        free (buf);
        fclose (f);
        return NULL;
      }
      buf = p;
    }
    got = fread (buf + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0)
      break;
  }
  if (ferror (f)) {
    free (buf);
    fclose (f);
    return NULL;
  }
  fclose (f);
  buf[n] = '\0';
  *len = n;
  return buf;
}

/* Run python3 gen_orders.py @a args...; its stderr into @a err (NUL-
 * terminated, truncated to @a errlen).  @return the exit status, -1 when
 * it could not run or took longer than GEN_TIMEOUT_MS. */
static int
run_generator (const char *const *args, char *err, size_t errlen)
{
  const char *src = getenv ("SR_SOURCE_DIR");
  char script[1024];
  const char *argv[32];
  size_t n = 0, got = 0;
  int pipefd[2];
  int status = 0;
  long long deadline = now_ms () + GEN_TIMEOUT_MS;
  bool timed_out = false;
  pid_t parent = getpid ();
  pid_t pid;

  err[0] = '\0';
#ifdef SR_SOURCE_DIR
  if (NULL == src)
    src = SR_SOURCE_DIR;
#endif
  if (NULL == src
      || snprintf (script, sizeof (script), "%s/tests/upstreams/gen_orders.py",
                   src) >= (int) sizeof (script))
    return -1;
  argv[n++] = "python3";
  argv[n++] = script;
  for (size_t i = 0; NULL != args[i] && n + 1 < 32; i++)
    argv[n++] = args[i];
  argv[n] = NULL;
  if (0 != pipe2 (pipefd, O_CLOEXEC))
    return -1;
  pid = fork ();
  if (0 == pid) {
    int devnull = open ("/dev/null", O_WRONLY);

    if (0 != prctl (PR_SET_PDEATHSIG, SIGKILL) || getppid () != parent)
      _exit (127);
    if (devnull < 0 || dup2 (devnull, STDOUT_FILENO) < 0
        || dup2 (pipefd[1], STDERR_FILENO) < 0)
      _exit (127);
    execvp (argv[0], (char *const *) argv);
    _exit (127);
  }
  if (0 != close (pipefd[1]))
    perror ("close");
  if (pid < 0) {
    if (0 != close (pipefd[0]))
      perror ("close");
    return -1;
  }
  /* Read stderr until EOF (the generator exited) or the deadline. */
  for (;;) {
    struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };
    long long left = deadline - now_ms ();
    char buf[4096];
    ssize_t r;
    int rc;

    if (left <= 0) {
      timed_out = true;
      break;
    }
    rc = poll (&pfd, 1, (int) left);
    if (rc < 0 && EINTR == errno)
      continue;
    if (rc <= 0) {
      timed_out = true;
      break;
    }
    r = read (pipefd[0], buf, sizeof (buf));
    if (r < 0 && EINTR == errno)
      continue;
    if (r <= 0)
      break;
    for (ssize_t i = 0; i < r && got + 1 < errlen; i++)
      err[got++] = buf[i];
    err[got] = '\0';
  }
  if (0 != close (pipefd[0]))
    perror ("close");
  if (timed_out && 0 != kill (pid, SIGKILL))
    perror ("kill");
  while (waitpid (pid, &status, 0) < 0) {
    if (EINTR != errno)
      return -1;
  }
  if (timed_out) {
    fprintf (stderr, "gen_orders.py took more than %d ms\n", GEN_TIMEOUT_MS);
    return -1;
  }
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

/* Is [p, end) valid UTF-8 (structure, no overlong 2-byte forms)? */
static bool
valid_utf8 (const unsigned char *p, const unsigned char *end)
{
  while (p < end) {
    size_t more;

    if (*p < 0x80) {
      p++;
      continue;
    }
    if (*p >= 0xC2 && *p <= 0xDF)
      more = 1;
    else if (*p >= 0xE0 && *p <= 0xEF)
      more = 2;
    else if (*p >= 0xF0 && *p <= 0xF4)
      more = 3;
    else
      return false;
    if ((size_t) (end - p) <= more)
      return false;
    for (size_t i = 1; i <= more; i++)
      if (0x80 != (p[i] & 0xC0))
        return false;
    p += more + 1;
  }
  return true;
}

struct csv_stats {
  size_t good;              /* 129 fields, well quoted, valid UTF-8 */
  size_t bad;
  int bad_lines[16];        /* first physical line of each bad record */
  size_t multiline;         /* good records spanning more than one line */
  size_t quoted;            /* good records with a quoted field */
};

/*
 * Split @a data (after the header) into CRLF-terminated records, RFC 4180
 * style: a field is quoted or it holds no quote at all; inside quotes ""
 * is a quote and CR/LF are data.  A record is bad when its field count is
 * not GEN_COLUMNS, a quote appears inside an unquoted field or after a
 * closing quote, or its bytes are not UTF-8.
 */
static void
scan_records (const char *data, size_t len, size_t start, int first_line,
              struct csv_stats *st)
{
  size_t i = start;
  int line = first_line;

  memset (st, 0, sizeof (*st));
  while (i < len) {
    size_t rec_start = i;
    int rec_line = line;
    size_t fields = 1;
    bool ok = true, quoted_any = false;
    bool in_quotes = false, field_start = true, after_close = false;
    bool ended = false;

    while (i < len && !ended) {
      char c = data[i];

      if (in_quotes) {
        if ('"' == c) {
          if (i + 1 < len && '"' == data[i + 1]) {
            i += 2;
            continue;
          }
          in_quotes = false;
          after_close = true;
        } else if ('\n' == c) {
          line++;
        }
        i++;
        continue;
      }
      if (',' == c) {
        fields++;
        field_start = true;
        after_close = false;
        i++;
        continue;
      }
      if ('\r' == c && i + 1 < len && '\n' == data[i + 1]) {
        i += 2;
        line++;
        ended = true;
        continue;
      }
      if ('"' == c) {
        if (field_start) {
          in_quotes = true;
          quoted_any = true;
        } else {
          ok = false; /* bare quote */
        }
      } else if (after_close || '\n' == c) {
        ok = false; /* text after a closing quote, or a lone LF */
        if ('\n' == c)
          line++;
      }
      field_start = false;
      i++;
    }
    if (in_quotes)
      ok = false;
    if (fields != GEN_COLUMNS)
      ok = false;
    if (!valid_utf8 ((const unsigned char *) data + rec_start,
                     (const unsigned char *) data + i))
      ok = false;
    if (ok) {
      st->good++;
      if (line - rec_line > 1)
        st->multiline++;
      if (quoted_any)
        st->quoted++;
    } else {
      if (st->bad < sizeof (st->bad_lines) / sizeof (st->bad_lines[0]))
        st->bad_lines[st->bad] = rec_line;
      st->bad++;
    }
  }
}

SR_TEST (gen_orders_export_with_bad_rows)
{
  const char *state = getenv ("SR_TEST_STATE");
  const char *src = getenv ("SR_SOURCE_DIR");
  char out[1024], header_path[1024], err[4096];
  char *data, *header;
  size_t data_len, header_len;
  json_t *root, *lines;
  struct csv_stats st;
  int rc;

#ifdef SR_SOURCE_DIR
  if (NULL == src)
    src = SR_SOURCE_DIR;
#endif
  if (NULL == state)
    state = "/tmp";
  REQUIRE (NULL != src);
  REQUIRE (0 == mkdir (state, 0700) || EEXIST == errno);
  REQUIRE (snprintf (out, sizeof (out), "%s/gen-orders-%ld.csv", state,
                     (long) getpid ()) < (int) sizeof (out));
  REQUIRE (snprintf (header_path, sizeof (header_path),
                     "%s/tests/data/orders-export-header.csv", src)
           < (int) sizeof (header_path));

  {
    const char *args[] = { "--out", out, "--rows", "1000", "--date",
                           "2025-12-01", "--seed", "42", "--bad-rows", "3",
                           NULL };

    rc = run_generator (args, err, sizeof (err));
  }
  CHECK_INT_EQ (rc, 0);
  CHECK_CONTAINS (err, "\"bad_lines\"");

  header = read_all (header_path, &header_len);
  data = read_all (out, &data_len);
  if (0 != unlink (out))
    perror ("unlink");
  REQUIRE (NULL != header);
  if (NULL == data) {
    free (header);
    REQUIRE (NULL != data);
  }

  /* The header line, byte for byte (CRLF included). */
  CHECK (header_len > 2 && '\r' == header[header_len - 2]
         && '\n' == header[header_len - 1]);
  CHECK (data_len > header_len && 0 == memcmp (data, header, header_len));

  scan_records (data, data_len, header_len, 2, &st);
  CHECK_INT_EQ (st.good, 1000);
  CHECK_INT_EQ (st.bad, 3);
  CHECK (st.multiline > 0);           /* a few notes with a newline */
  CHECK (st.quoted > 100 && st.quoted < 350); /* about 20% */
  CHECK_CONTAINS (data, ",12/01/2025,");

  /* The reported physical line numbers are where the bad records are. */
  root = json_loads (err, JSON_DISABLE_EOF_CHECK, NULL);
  lines = json_object_get (root, "bad_lines");
  CHECK (json_is_array (lines));
  if (json_is_array (lines)) {
    CHECK_INT_EQ (json_array_size (lines), 3);
    for (size_t k = 0; k < json_array_size (lines) && k < st.bad; k++)
      CHECK_INT_EQ (json_integer_value (json_array_get (lines, k)),
                    st.bad_lines[k]);
  }
  json_decref (root);
  free (data);
  free (header);
}

SR_TEST_MAIN (SR_TEST_ENTRY (s3server_signed_api),
              SR_TEST_ENTRY (s3server_two_at_once),
              SR_TEST_ENTRY (gen_orders_export_with_bad_rows))
