/*
 * otlp_export.c -- see otlp_export.h.
 *
 * OTEL_EXPORTER_OTLP_HEADERS is "name=value,..." with values
 * percent-encoded (the OpenTelemetry specification's format); names are
 * checked to be header tokens so a value can never inject a header line.
 */
#include "otlp_export.h"
#include "log.h"
#include "mem.h"
#include "version.h"
#include "clock.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sr_otlp_client {
  CURL *curl;
  struct curl_slist *headers;
  char url[1024];
  char safe_url[1024];
  long timeout_ms;
  _Atomic uint64_t deadline_us;        /* 0: none */
};

static int
hexval (int c)
{
  if (isdigit (c))
    return c - '0';
  c = tolower (c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decode @a in (@a n bytes) into @a out; false if malformed or a
 * control character would result. */
static bool
decode (const char *in, size_t n, char *out, size_t outlen)
{
  size_t k = 0;

  for (size_t i = 0; i < n; i++) {
    int c = (unsigned char) in[i];

    if ('%' == c) {
      if (i + 2 >= n || hexval (in[i + 1]) < 0 || hexval (in[i + 2]) < 0)
        return false;
      c = hexval (in[i + 1]) * 16 + hexval (in[i + 2]);
      i += 2;
    }
    if (c < 0x20 || 0x7f == c || k + 1 >= outlen)
      return false;
    out[k++] = (char) c;
  }
  out[k] = '\0';
  return true;
}

static bool
token (const char *p, size_t n)
{
  if (0 == n)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!isalnum ((unsigned char) p[i]) && NULL == strchr ("!#$%&'*+-.^_`|~",
                                                           p[i]))
      return false;
  return true;
}

/* The configured headers, each checked; a bad pair is skipped with a
 * warning that names its position, never its value. */
static struct curl_slist *
headers_of (const char *list)
{
  struct curl_slist *h = curl_slist_append (NULL,
                                            "Content-Type: application/json");
  int pos = 0;

  for (const char *p = list; NULL != h && NULL != p && '\0' != *p; pos++) {
    size_t n = strcspn (p, ",");
    const char *eq = memchr (p, '=', n);
    char name[128], value[1024], line[1200];
    size_t nlen;

    while (n > 0 && ' ' == *p) {
      p++;
      n--;
      eq = memchr (p, '=', n);
    }
    nlen = NULL != eq ? (size_t) (eq - p) : 0;
    while (nlen > 0 && ' ' == p[nlen - 1])
      nlen--;
    if (NULL == eq || !token (p, nlen) || nlen >= sizeof (name)
        || !decode (eq + 1, n - (size_t) (eq + 1 - p), value,
                    sizeof (value))) {
      sr_log (SR_LOG_WARN, "OTEL_EXPORTER_OTLP_HEADERS: pair skipped",
              "{s:i}", "position", pos + 1);
    } else {
      struct curl_slist *more;

      memcpy (name, p, nlen);
      name[nlen] = '\0';
      snprintf (line, sizeof (line), "%s: %s", name, value);
      more = curl_slist_append (h, line);
      if (NULL == more) {
        curl_slist_free_all (h);
        return NULL;
      }
      h = more;
    }
    p += n;
    if (',' == *p)
      p++;
  }
  return h;
}

struct sr_otlp_client *
sr_otlp_client_new (const struct sr_config *cfg)
{
  struct sr_otlp_client *c;

  if (NULL == cfg->otel_traces_endpoint && NULL == cfg->otel_endpoint)
    return NULL;
  c = sr_xcalloc (1, sizeof (*c));
  if (NULL != cfg->otel_traces_endpoint)
    snprintf (c->url, sizeof (c->url), "%s", cfg->otel_traces_endpoint);
  else
    snprintf (c->url, sizeof (c->url), "%s%sv1/traces", cfg->otel_endpoint,
              '/' == cfg->otel_endpoint[strlen (cfg->otel_endpoint) - 1]
              ? "" : "/");
  sr_log_redact_url (c->url, c->safe_url, sizeof (c->safe_url));
  c->timeout_ms = (long) cfg->otel_timeout_ms;
  c->curl = curl_easy_init ();
  c->headers = headers_of (cfg->otel_headers);
  if (NULL == c->curl || NULL == c->headers) {
    sr_otlp_client_free (c);
    return NULL;
  }
  return c;
}

void
sr_otlp_client_free (struct sr_otlp_client *c)
{
  if (NULL == c)
    return;
  if (NULL != c->curl)
    curl_easy_cleanup (c->curl);
  curl_slist_free_all (c->headers);
  free (c);
}

void
sr_otlp_client_deadline (struct sr_otlp_client *c, uint64_t deadline_us)
{
  atomic_store (&c->deadline_us, deadline_us);
}

/* libcurl asks at least once a second, even while nothing moves. */
static int
past_deadline (void *cls, curl_off_t a, curl_off_t b, curl_off_t x,
               curl_off_t y)
{
  struct sr_otlp_client *c = cls;
  uint64_t d = atomic_load (&c->deadline_us);

  (void) a;
  (void) b;
  (void) x;
  (void) y;
  return 0 != d && sr_now_us () >= d;
}

static size_t
discard (char *p, size_t size, size_t n, void *cls)
{
  (void) p;
  (void) cls;
  return size * n;
}

/* Where libcurl is in the body's parts. */
struct upload {
  const struct sr_bytes *parts;
  size_t n_parts;
  size_t at;        /* part */
  size_t off;       /* byte of that part */
};

static size_t
read_parts (char *out, size_t size, size_t n, void *cls)
{
  struct upload *u = cls;
  size_t room = size * n, done = 0;

  while (done < room && u->at < u->n_parts) {
    const struct sr_bytes *p = &u->parts[u->at];
    size_t take = p->n - u->off < room - done ? p->n - u->off : room - done;

    memcpy (out + done, p->p + u->off, take);
    done += take;
    u->off += take;
    if (u->off == p->n) {
      u->at++;
      u->off = 0;
    }
  }
  return done;
}

/* libcurl rewinds to resend the body on a fresh connection when a reused
 * one turned out closed. */
static int
seek_parts (void *cls, curl_off_t offset, int origin)
{
  struct upload *u = cls;
  size_t left;

  if (SEEK_SET != origin || offset < 0)
    return CURL_SEEKFUNC_CANTSEEK;
  left = (size_t) offset;
  for (u->at = 0; u->at < u->n_parts && left >= u->parts[u->at].n; u->at++)
    left -= u->parts[u->at].n;
  if (u->at == u->n_parts && 0 != left)
    return CURL_SEEKFUNC_FAIL;
  u->off = left;
  return CURL_SEEKFUNC_OK;
}

enum sr_status
sr_otlp_client_post (struct sr_otlp_client *c, const struct sr_bytes *parts,
                     size_t n_parts, long *http_status, char *err,
                     size_t errlen)
{
  struct upload u = { .parts = parts, .n_parts = n_parts };
  curl_off_t len = 0;
  CURLcode rc;

  for (size_t i = 0; i < n_parts; i++)
    len += (curl_off_t) parts[i].n;

  *http_status = 0;
  curl_easy_reset (c->curl);
  curl_easy_setopt (c->curl, CURLOPT_URL, c->url);
  curl_easy_setopt (c->curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (c->curl, CURLOPT_TIMEOUT_MS, c->timeout_ms);
  curl_easy_setopt (c->curl, CURLOPT_CONNECTTIMEOUT_MS,
                    c->timeout_ms < 5000 ? c->timeout_ms : 5000L);
  curl_easy_setopt (c->curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt (c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (c->curl, CURLOPT_USERAGENT, "signalroom/" SR_VERSION);
  curl_easy_setopt (c->curl, CURLOPT_HTTPHEADER, c->headers);
  curl_easy_setopt (c->curl, CURLOPT_POST, 1L);
  curl_easy_setopt (c->curl, CURLOPT_READFUNCTION, read_parts);
  curl_easy_setopt (c->curl, CURLOPT_READDATA, &u);
  curl_easy_setopt (c->curl, CURLOPT_SEEKFUNCTION, seek_parts);
  curl_easy_setopt (c->curl, CURLOPT_SEEKDATA, &u);
  curl_easy_setopt (c->curl, CURLOPT_POSTFIELDSIZE_LARGE, len);
  /* A batch leaves in a few large writes instead of 64 KiB ones: fewer
   * system calls here and fewer wake-ups at the collector. */
  curl_easy_setopt (c->curl, CURLOPT_UPLOAD_BUFFERSIZE, 2L * 1024 * 1024);
  curl_easy_setopt (c->curl, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt (c->curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt (c->curl, CURLOPT_XFERINFOFUNCTION, past_deadline);
  curl_easy_setopt (c->curl, CURLOPT_XFERINFODATA, c);
  rc = curl_easy_perform (c->curl);
  curl_easy_getinfo (c->curl, CURLINFO_RESPONSE_CODE, http_status);
  if (CURLE_OK == rc && *http_status >= 200 && *http_status < 300)
    return SR_OK;
  if (CURLE_OK != rc)
    snprintf (err, errlen, "POST %s: %s", c->safe_url,
              curl_easy_strerror (rc));
  else
    snprintf (err, errlen, "POST %s: HTTP %ld", c->safe_url, *http_status);
  return SR_E_UPSTREAM;
}

/* end of otlp_export.c */
