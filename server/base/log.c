/*
 * log.c -- JSON-lines logger with thread-local context and secret masking.
 *
 * Lines are assembled with jansson (correct escaping for free), masked, and
 * written with one write(2) under a mutex so lines from different threads
 * never interleave.  Logging is not on any hot path; clarity wins.
 */
#include "log.h"
#include "mem.h"
#include "trace.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAX_SECRETS 48
#define CONTEXT_MAX 128

static atomic_int min_level = SR_LOG_INFO;
static int out_fd = STDERR_FILENO;
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

/* Raw, JSON-escaped and percent-encoded form of each secret: a secret
 * holding a quote or a backslash appears escaped in the serialized line,
 * and one sent in a URL query appears percent-encoded. */
static char *secrets[MAX_SECRETS * 3];
static size_t n_secrets;

static _Thread_local char ctx_key[16];
static _Thread_local char ctx_id[CONTEXT_MAX];

static const char *const level_names[] = { "debug", "info", "warn", "error" };

bool
sr_log_level_parse (const char *s, enum sr_log_level *out)
{
  if (NULL == s)
    return false;
  for (size_t i = 0; i < sizeof (level_names) / sizeof (level_names[0]); i++)
    if (0 == strcasecmp (s, level_names[i])) {
      *out = (enum sr_log_level) i;
      return true;
    }
  if (0 == strcasecmp (s, "warning")) {
    *out = SR_LOG_WARN;
    return true;
  }
  return false;
}

const char *
sr_log_level_name (enum sr_log_level lvl)
{
  if ((unsigned int) lvl > SR_LOG_ERROR)
    return "error";
  return level_names[lvl];
}

void
sr_log_set_level (enum sr_log_level lvl)
{
  atomic_store (&min_level, (int) lvl);
}

enum sr_log_level
sr_log_get_level (void)
{
  return (enum sr_log_level) atomic_load (&min_level);
}

bool
sr_log_enabled (enum sr_log_level lvl)
{
  return (int) lvl >= atomic_load (&min_level);
}

static void
add_secret_form (const char *s)
{
  if (n_secrets >= MAX_SECRETS * 3 || strlen (s) < 4)
    return;
  for (size_t i = 0; i < n_secrets; i++)
    if (0 == strcmp (secrets[i], s))
      return;
  /* Longest first: when one secret contains another, masking the short
   * one first would leave the long one's remainder in the clear. */
  {
    size_t at = n_secrets;
    size_t len = strlen (s);

    while (at > 0 && strlen (secrets[at - 1]) < len) {
      secrets[at] = secrets[at - 1];
      at--;
    }
    secrets[at] = sr_xstrdup (s);
    n_secrets++;
  }
}

/* The percent-encoded form, as the secret appears in a URL query. */
static void
add_url_form (const char *s)
{
  static const char hex[] = "0123456789ABCDEF";
  size_t n = strlen (s);
  char *enc = sr_xmalloc (3 * n + 1);
  size_t o = 0;

  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char) s[i];

    if (('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z')
        || ('0' <= c && c <= '9') || NULL != strchr ("-._~", c)) {
      enc[o++] = (char) c;
    } else {
      enc[o++] = '%';
      enc[o++] = hex[c >> 4];
      enc[o++] = hex[c & 15];
    }
  }
  enc[o] = '\0';
  add_secret_form (enc);
  free (enc);
}

void
sr_log_add_secret (const char *secret)
{
  json_t *js;
  char *dumped;

  if (NULL == secret || strlen (secret) < 4)
    return;
  add_secret_form (secret);
  add_url_form (secret);
  js = json_string (secret);
  if (NULL == js)
    return; /* not UTF-8: it cannot appear in a jansson-built line anyway */
  dumped = json_dumps (js, JSON_ENCODE_ANY);
  json_decref (js);
  if (NULL != dumped) {
    size_t len = strlen (dumped);

    if (len >= 2) {
      dumped[len - 1] = '\0';
      add_secret_form (dumped + 1);
    }
    free (dumped);
  }
}

void
sr_log_clear_secrets (void)
{
  for (size_t i = 0; i < n_secrets; i++)
    free (secrets[i]);
  n_secrets = 0;
}

void
sr_log_set_output (int fd)
{
  out_fd = fd;
}

void
sr_log_set_context (const char *key, const char *id)
{
  if (NULL == id || NULL == key) {
    ctx_key[0] = '\0';
    ctx_id[0] = '\0';
    return;
  }
  snprintf (ctx_key, sizeof (ctx_key), "%s", key);
  snprintf (ctx_id, sizeof (ctx_id), "%s", id);
}

const char *
sr_log_context_id (void)
{
  return ctx_id[0] ? ctx_id : NULL;
}

/* Replace every registered secret in @a line; returns a new string or NULL
 * when nothing matched. */
static char *
mask_secrets (const char *line)
{
  static const char mask[] = "[REDACTED]";
  char *cur = NULL;

  for (size_t i = 0; i < n_secrets; i++) {
    const char *src = cur ? cur : line;
    const char *hit = strstr (src, secrets[i]);
    size_t slen = strlen (secrets[i]);
    size_t cap;
    char *out;
    size_t o = 0;

    if (NULL == hit)
      continue;
    /* The mask is at most 10 bytes and every secret at least 4 long, so
     * the result is below 3x the source length. */
    cap = strlen (src) * 3 + sizeof (mask);
    out = sr_xmalloc (cap);
    while (NULL != hit) {
      memcpy (out + o, src, (size_t) (hit - src));
      o += (size_t) (hit - src);
      memcpy (out + o, mask, sizeof (mask) - 1);
      o += sizeof (mask) - 1;
      src = hit + slen;
      hit = strstr (src, secrets[i]);
    }
    memcpy (out + o, src, strlen (src) + 1);
    free (cur);
    cur = out;
  }
  return cur;
}

bool
sr_log_mask (char *buf, size_t len)
{
  char *masked;

  if (NULL == buf || 0 == len)
    return false;
  masked = mask_secrets (buf);
  if (NULL == masked)
    return false;
  snprintf (buf, len, "%s", masked);
  free (masked);
  return true;
}

static void
format_ts (char *buf, size_t len)
{
  struct timespec ts;
  struct tm tm;
  size_t n;

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  n = strftime (buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf + n, len - n, ".%03dZ", (int) (ts.tv_nsec / 1000000L));
}

void
sr_log (enum sr_log_level lvl, const char *msg, const char *fields, ...)
{
  char ts[40];
  json_t *line;
  char *text;
  char *masked;
  size_t len;

  if (!sr_log_enabled (lvl))
    return;
  format_ts (ts, sizeof (ts));
  line = json_pack ("{s:s, s:s, s:s}", "ts", ts, "level",
                    sr_log_level_name (lvl), "msg", msg ? msg : "");
  if (NULL == line)
    return;
  if (ctx_id[0])
    json_object_set_new (line, ctx_key, json_string (ctx_id));
  {
    char trace_id[33], span_id[17];

    /* a line written inside a span ties to its trace */
    if (sr_trace_log_ids (trace_id, span_id)) {
      json_object_set_new (line, "trace_id", json_string (trace_id));
      json_object_set_new (line, "span_id", json_string (span_id));
    }
  }
  if (NULL != fields) {
    va_list ap;
    json_error_t jerr;
    json_t *extra;

    va_start (ap, fields);
    extra = json_vpack_ex (&jerr, 0, fields, ap);
    va_end (ap);
    if (NULL != extra && json_is_object (extra))
      json_object_update (line, extra);
    else
      json_object_set_new (line, "log_error", json_string (jerr.text));
    json_decref (extra);
  }
  text = json_dumps (line, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref (line);
  if (NULL == text)
    return;
  masked = mask_secrets (text);
  if (NULL != masked) {
    free (text);
    text = masked;
  }
  len = strlen (text);
  text = sr_xrealloc (text, len + 2);
  text[len] = '\n';
  text[len + 1] = '\0';
  pthread_mutex_lock (&write_lock);
  for (size_t off = 0; off < len + 1;) {
    ssize_t w = write (out_fd, text + off, len + 1 - off);

    if (w <= 0)
      break; /* nowhere left to report a failing stderr */
    off += (size_t) w;
  }
  pthread_mutex_unlock (&write_lock);
  free (text);
}

static bool
is_sensitive_param (const char *name, size_t len)
{
  static const char *const names[] = {
    "api_key", "apikey", "token", "access_token", "key", "password",
    "secret", "signature", "X-Amz-Signature", "X-Amz-Credential",
    "X-Amz-Security-Token"
  };

  for (size_t i = 0; i < sizeof (names) / sizeof (names[0]); i++)
    if (strlen (names[i]) == len && 0 == strncasecmp (name, names[i], len))
      return true;
  return false;
}

void
sr_log_redact_url (const char *url, char *out, size_t outlen)
{
  const char *q;
  size_t o = 0;

  if (0 == outlen)
    return;
  out[0] = '\0';
  if (NULL == url)
    return;
  q = strchr (url, '?');
  if (NULL == q) {
    snprintf (out, outlen, "%s", url);
    return;
  }
#define PUT(p, n)                                                          \
  do {                                                                     \
    size_t n_ = (n);                                                       \
    if (o + n_ >= outlen)                                                  \
      n_ = outlen - 1 - o;                                                 \
    memcpy (out + o, (p), n_);                                             \
    o += n_;                                                               \
  } while (0)
  PUT (url, (size_t) (q - url) + 1);
  for (const char *p = q + 1; *p && o + 1 < outlen;) {
    size_t plen = strcspn (p, "&#");
    const char *eq = memchr (p, '=', plen);

    if (NULL != eq && is_sensitive_param (p, (size_t) (eq - p))) {
      PUT (p, (size_t) (eq - p) + 1);
      PUT ("REDACTED", 8);
    } else {
      PUT (p, plen);
    }
    p += plen;
    if ('&' == *p) {
      PUT ("&", 1);
      p++;
    } else if ('#' == *p) {
      PUT (p, strlen (p));
      break;
    }
  }
#undef PUT
  out[o] = '\0';
}

/* end of log.c */
