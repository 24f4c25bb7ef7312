/*
 * s3server.c -- see s3server.h.
 */
#include "s3server.h"
#include "harness.h"

#include <curl/curl.h>
#include <errno.h>
#include <ftw.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SR_S3SRV_START_TIMEOUT_S 15.0
#define SR_S3SRV_STOP_TIMEOUT_S 10.0
#define SR_S3SRV_REQUEST_TIMEOUT_S 30L
#define SR_S3SRV_SIGV4 "aws:amz:us-east-1:s3"

static const char *
source_dir (void)
{
  const char *src = getenv ("SR_SOURCE_DIR");

#ifdef SR_SOURCE_DIR
  if (NULL == src)
    src = SR_SOURCE_DIR;
#endif
  return src;
}

/* mkdir -p @a path (it is writable scratch space, so 0700). */
static bool
make_dirs (const char *path)
{
  char buf[512];
  int n = snprintf (buf, sizeof (buf), "%s", path);

  if (n <= 0 || (size_t) n >= sizeof (buf))
    return false;
  for (char *p = buf + 1; *p; p++) {
    if ('/' != *p)
      continue;
    *p = '\0';
    if (0 != mkdir (buf, 0700) && EEXIST != errno)
      return false;
    *p = '/';
  }
  return 0 == mkdir (buf, 0700) || EEXIST == errno;
}

/* A fresh, empty data directory: <state>/s3rver-XXXXXX. */
static bool
make_data_dir (char *out, size_t len)
{
  const char *base = getenv ("SR_TEST_STATE");
  int n;

  if (NULL == base || '\0' == base[0])
    base = getenv ("TMPDIR");
  if (NULL == base || '\0' == base[0])
    base = "/tmp";
  if (!make_dirs (base)) {
    fprintf (stderr, "s3server: cannot create %s: %s\n", base,
             strerror (errno));
    return false;
  }
  n = snprintf (out, len, "%s/s3rver-XXXXXX", base);
  if (n <= 0 || (size_t) n >= len) {
    fprintf (stderr, "s3server: state path too long: %s\n", base);
    return false;
  }
  if (NULL == mkdtemp (out)) {
    fprintf (stderr, "s3server: mkdtemp %s: %s\n", out, strerror (errno));
    out[0] = '\0';
    return false;
  }
  return true;
}

static int
remove_entry (const char *path, const struct stat *st, int flag,
              struct FTW *ftw)
{
  if (0 != remove (path))
    fprintf (stderr, "s3server: remove %s: %s\n", path, strerror (errno));
  return 0; /* go on: remove what can be removed */
}

static void
remove_tree (const char *dir)
{
  if ('\0' == dir[0])
    return;
  if (0 != nftw (dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS)
      && ENOENT != errno)
    fprintf (stderr, "s3server: cannot remove %s: %s\n", dir,
             strerror (errno));
}

/* The port from the server's first stdout line ({"port": N}), or 0. */
static int
read_port (int fd)
{
  json_t *root = sr_th_read_first_json (fd, SR_S3SRV_START_TIMEOUT_S,
                                        "s3server");
  json_t *port = json_object_get (root, "port");
  int n = 0;

  if (json_is_integer (port) && json_integer_value (port) > 0
      && json_integer_value (port) < 65536)
    n = (int) json_integer_value (port);
  json_decref (root);
  return n;
}

bool
sr_s3srv_start (struct sr_s3srv *s, const char *access_key,
                const char *secret_key, const char *bucket)
{
  const char *src = source_dir ();
  char script[1024];
  char modules[1024];
  const char *argv[10];
  size_t n = 0;
  int out_fd;
  int len;

  memset (s, 0, sizeof (*s));
  if (NULL == src) {
    fprintf (stderr, "s3server: SR_SOURCE_DIR is not set\n");
    return false;
  }
  len = snprintf (script, sizeof (script), "%s/tests/upstreams/s3/start-s3.js",
                  src);
  if (len <= 0 || (size_t) len >= sizeof (script))
    return false;
  len = snprintf (modules, sizeof (modules),
                  "%s/tests/upstreams/s3/node_modules/@20minutes/s3rver",
                  src);
  if (len <= 0 || (size_t) len >= sizeof (modules))
    return false;
  if (0 != access (modules, F_OK)) {
    fprintf (stderr, "s3server: %s is missing: run `make install-deps` "
             "(npm ci in tests/upstreams/s3)\n", modules);
    return false;
  }
  if ((NULL == access_key) != (NULL == secret_key)) {
    fprintf (stderr, "s3server: give both keys or neither\n");
    return false;
  }
  if (!make_data_dir (s->dir, sizeof (s->dir)))
    return false;

  argv[n++] = "node";
  /* s3rver encrypts ListObjectsV2 continuation tokens with DES, which
   * OpenSSL 3 keeps in its legacy provider. */
  argv[n++] = "--openssl-legacy-provider";
  argv[n++] = script;
  argv[n++] = s->dir;
  argv[n++] = "0";
  if (NULL != access_key) {
    argv[n++] = access_key;
    argv[n++] = secret_key;
  }
  if (NULL != bucket)
    argv[n++] = bucket;
  argv[n] = NULL;

  s->pid = sr_th_spawn (argv, &out_fd);
  if (s->pid < 0) {
    s->pid = 0;
    remove_tree (s->dir);
    s->dir[0] = '\0';
    return false;
  }
  if (0 == (s->port = read_port (out_fd))) {
    int rc = sr_th_stop_child (s->pid, SIGTERM, SR_S3SRV_STOP_TIMEOUT_S);

    fprintf (stderr, "s3server: server did not start (exit %d; is node on "
             "PATH? SR_TEST_VERBOSE=1 shows its stderr)\n", rc);
    s->pid = 0;
    if (0 != close (out_fd))
      perror ("s3server: close");
    remove_tree (s->dir);
    s->dir[0] = '\0';
    return false;
  }
  /* It prints nothing more on stdout. */
  if (0 != close (out_fd))
    perror ("s3server: close");
  return true;
}

void
sr_s3srv_stop (struct sr_s3srv *s)
{
  if (s->pid > 0) {
    int rc = sr_th_stop_child (s->pid, SIGTERM, SR_S3SRV_STOP_TIMEOUT_S);

    if (0 != rc)
      fprintf (stderr, "s3server: server exited with %d\n", rc);
  }
  remove_tree (s->dir);
  memset (s, 0, sizeof (*s));
}

/* ---- signed requests ---- */

struct body {
  char *data;
  size_t len;
};

struct upload {
  const char *data;
  size_t len;
  size_t off;
};

static size_t
write_body (char *ptr, size_t size, size_t nmemb, void *userdata)
{
  struct body *b = userdata;
  size_t n = size * nmemb;
  char *p = realloc (b->data, b->len + n + 1);

  if (NULL == p)
    return 0; /* curl: write error */
  memcpy (p + b->len, ptr, n);
  b->data = p;
  b->len += n;
  p[b->len] = '\0';
  return n;
}

static size_t
read_upload (char *buffer, size_t size, size_t nitems, void *userdata)
{
  struct upload *u = userdata;
  size_t n = size * nitems;

  if (n > u->len - u->off)
    n = u->len - u->off;
  if (0 == n)
    return 0;
  memcpy (buffer, u->data + u->off, n);
  u->off += n;
  return n;
}

static bool
curl_ready (void)
{
  static bool done;

  if (!done) {
    if (CURLE_OK != curl_global_init (CURL_GLOBAL_DEFAULT)) {
      fprintf (stderr, "s3server: curl_global_init failed\n");
      return false;
    }
    done = true;
  }
  return true;
}

/* Append @a s to @a out (at *@a at), percent-encoding every byte that is
 * not unreserved (RFC 3986) and not '/'. */
static bool
append_encoded (char *out, size_t len, size_t *at, const char *s)
{
  static const char hex[] = "0123456789ABCDEF";

  for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
    bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')
                 || (*p >= '0' && *p <= '9') || '-' == *p || '.' == *p
                 || '_' == *p || '~' == *p || '/' == *p;

    if (*at + (plain ? 1 : 3) >= len)
      return false;
    if (plain) {
      out[(*at)++] = (char) *p;
    } else {
      out[(*at)++] = '%';
      out[(*at)++] = hex[*p >> 4];
      out[(*at)++] = hex[*p & 15];
    }
  }
  out[*at] = '\0';
  return true;
}

static bool
object_target (char *out, size_t len, const char *bucket, const char *key)
{
  size_t at = 0;

  out[0] = '\0';
  return append_encoded (out, len, &at, "/")
         && append_encoded (out, len, &at, bucket)
         && append_encoded (out, len, &at, "/")
         && append_encoded (out, len, &at, key);
}

/* One signed request.  @a up NULL: no body.  @return the status (0: no
 * answer) and, in @a resp, the body. */
static int
request (const struct sr_s3srv *s, const char *method,
         const char *access_key, const char *secret_key, const char *target,
         struct upload *up, struct body *resp)
{
  char url[4096];
  char userpwd[512];
  struct curl_slist *headers = NULL, *h;
  CURL *c;
  CURLcode rc;
  long status = 0;
  int n;
  bool ok = true;

  resp->data = NULL;
  resp->len = 0;
  n = snprintf (url, sizeof (url), "http://127.0.0.1:%d%s", s->port, target);
  if (n <= 0 || (size_t) n >= sizeof (url))
    return 0;
  n = snprintf (userpwd, sizeof (userpwd), "%s:%s", access_key, secret_key);
  if (n <= 0 || (size_t) n >= sizeof (userpwd))
    return 0;
  if (!curl_ready ())
    return 0;
  c = curl_easy_init ();
  if (NULL == c)
    return 0;
  /* libcurl 7.88 does not add this header itself; S3 requires it. */
  h = curl_slist_append (headers, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
  if (NULL == h) {
    curl_easy_cleanup (c);
    return 0;
  }
  headers = h;
  ok = ok && CURLE_OK == curl_easy_setopt (c, CURLOPT_URL, url);
  ok = ok && CURLE_OK == curl_easy_setopt (c, CURLOPT_AWS_SIGV4,
                                           SR_S3SRV_SIGV4);
  ok = ok && CURLE_OK == curl_easy_setopt (c, CURLOPT_USERPWD, userpwd);
  ok = ok && CURLE_OK == curl_easy_setopt (c, CURLOPT_HTTPHEADER, headers);
  ok = ok && CURLE_OK == curl_easy_setopt (c, CURLOPT_NOSIGNAL, 1L);
  ok = ok && CURLE_OK == curl_easy_setopt (c, CURLOPT_TIMEOUT,
                                           SR_S3SRV_REQUEST_TIMEOUT_S);
  ok = ok && CURLE_OK == curl_easy_setopt (c, CURLOPT_WRITEFUNCTION,
                                           write_body);
  ok = ok && CURLE_OK == curl_easy_setopt (c, CURLOPT_WRITEDATA, resp);
  if (NULL != up) {
    ok = ok && CURLE_OK == curl_easy_setopt (c, CURLOPT_UPLOAD, 1L);
    ok = ok && CURLE_OK == curl_easy_setopt (c, CURLOPT_READFUNCTION,
                                             read_upload);
    ok = ok && CURLE_OK == curl_easy_setopt (c, CURLOPT_READDATA, up);
    ok = ok && CURLE_OK == curl_easy_setopt (c, CURLOPT_INFILESIZE_LARGE,
                                             (curl_off_t) up->len);
  }
  if (0 != strcmp (method, "GET") && 0 != strcmp (method, "PUT"))
    ok = ok && CURLE_OK == curl_easy_setopt (c, CURLOPT_CUSTOMREQUEST,
                                             method);
  if (!ok) {
    fprintf (stderr, "s3server: curl_easy_setopt failed\n");
  } else {
    rc = curl_easy_perform (c);
    if (CURLE_OK != rc)
      fprintf (stderr, "s3server: %s %s: %s\n", method, url,
               curl_easy_strerror (rc));
    else if (CURLE_OK != curl_easy_getinfo (c, CURLINFO_RESPONSE_CODE,
                                            &status))
      status = 0;
  }
  curl_easy_cleanup (c);
  curl_slist_free_all (headers);
  if (0 == status) {
    free (resp->data);
    resp->data = NULL;
    resp->len = 0;
  }
  return (int) status;
}

static bool
request_2xx (const struct sr_s3srv *s, const char *method,
             const char *access_key, const char *secret_key,
             const char *bucket, const char *key, struct upload *up)
{
  char target[2048];
  struct body resp;
  int status;

  if (!object_target (target, sizeof (target), bucket, key)) {
    fprintf (stderr, "s3server: key too long: %s\n", key);
    return false;
  }
  status = request (s, method, access_key, secret_key, target, up, &resp);
  if (status < 200 || status > 299)
    fprintf (stderr, "s3server: %s %s -> %d %.600s\n", method, target,
             status, resp.data ? resp.data : "");
  free (resp.data);
  return status >= 200 && status <= 299;
}

bool
sr_s3srv_put (const struct sr_s3srv *s, const char *access_key,
              const char *secret_key, const char *bucket, const char *key,
              const void *data, size_t len)
{
  struct upload up = { .data = data, .len = len, .off = 0 };

  return request_2xx (s, "PUT", access_key, secret_key, bucket, key, &up);
}

bool
sr_s3srv_delete (const struct sr_s3srv *s, const char *access_key,
                 const char *secret_key, const char *bucket,
                 const char *key)
{
  return request_2xx (s, "DELETE", access_key, secret_key, bucket, key,
                      NULL);
}

char *
sr_s3srv_get (const struct sr_s3srv *s, const char *access_key,
              const char *secret_key, const char *target, int *status)
{
  struct body resp;

  *status = request (s, "GET", access_key, secret_key, target, NULL, &resp);
  if (0 == *status)
    return NULL;
  if (NULL == resp.data) {
    resp.data = strdup ("");
    if (NULL == resp.data)
      *status = 0;
  }
  return resp.data;
}

void
sr_s3srv_env (const struct sr_s3srv *s, struct sr_th_env *env,
              const char *access_key, const char *secret_key,
              const char *bucket, const char *prefixes)
{
  char url[64];

  sr_th_env_add (env, "AWS_ACCESS_KEY_ID", access_key);
  sr_th_env_add (env, "AWS_SECRET_ACCESS_KEY", secret_key);
  sr_th_env_add (env, "S3_BUCKET_NAME", bucket);
  sr_th_env_add (env, "S3_PREFIXES", prefixes);
  snprintf (url, sizeof (url), "http://127.0.0.1:%d", s->port);
  sr_th_env_add (env, "S3_ENDPOINT_URL", url);
}
