/*
 * s3_client.c -- see s3_client.h.
 *
 * Signing: libcurl 7.88's CURLOPT_AWS_SIGV4 signs what it is given and no
 * more, so three things are done here that later versions do themselves:
 *   - the provider string always names region and service
 *     ("aws:amz:<region>:s3"); left out, libcurl guesses them from the
 *     host name (127.0.0.1 became region "0", service "127");
 *   - every request carries x-amz-content-sha256: UNSIGNED-PAYLOAD, which
 *     S3 requires and libcurl then signs as the payload hash;
 *   - the query is written in canonical form (parameters sorted by name,
 *     values RFC 3986-encoded), because libcurl signs it as written.
 * Keys in paths are encoded per segment, '/' kept, and CURLOPT_PATH_AS_IS
 * stops libcurl from collapsing "." and ".." segments, which are legal in
 * S3 keys and would otherwise be signed and sent as a different key.
 *
 * Transfers: one write callback serves both calls.  A non-2xx body is
 * kept (capped) for the error message; a 2xx body goes to the LIST page
 * buffer or, for GET, through the gzip decoder (when needed) to the
 * caller's sink.  curl's content decoding is off, so the bytes counted
 * are the bytes S3 stored and gzip is undone exactly once, here.
 *
 * Memory: a GET holds one libcurl buffer and one 16 KiB inflate buffer
 * whatever the object's size; a LIST holds one page (capped) and the
 * growing listing.  XML is parsed by libxml2 without network access,
 * without entity substitution, and documents with a DTD are refused, so
 * neither external entities nor entity expansion can be abused.
 */
#include "s3_client.h"
#include "clock.h"
#include "log.h"
#include "mem.h"
#include "upstream.h"
#include "trace.h"
#include "version.h"

#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <zlib.h>

/* One ListObjectsV2 page of 1000 keys of at most 1 KiB each is under
 * 2 MB; anything far beyond that is not S3 talking. */
#define MAX_PAGE (16u * 1024u * 1024u)
/* Enough of an error body for Code and Message. */
#define MAX_ERROR_BODY (64u * 1024u)
#define MAX_KEYS_CAP 1000u
/* As in upstream.c: a Retry-After beyond this fails instead of holding a
 * worker, and backoff never exceeds a minute. */
#define RETRY_AFTER_MAX_S 300

/* The sink's chunk bound is libcurl's write bound (the inflater's output
 * buffer has the same size). */
_Static_assert (SR_S3_MAX_CHUNK == CURL_MAX_WRITE_SIZE,
                "SR_S3_MAX_CHUNK must equal CURL_MAX_WRITE_SIZE");

struct sr_s3 {
  CURL *curl;
  const struct sr_config *cfg;
  char *base;                   /* URL of the bucket, no trailing '/';
                                 * NULL when S3_BUCKET_NAME is unset */
  bool path_style;
  char sigv4[96];
  char user_agent[64];
  struct sr_s3_gunzip *gz;      /* made at the first GET, then reused */
  const atomic_int *stop;       /* borrowed; NULL: never (upstream.h) */
};

struct sr_s3_gunzip {
  z_stream z;
  bool in_member;               /* bytes of an unfinished member were fed */
  uint64_t members;             /* members completed */
  unsigned char out[SR_S3_MAX_CHUNK];
};

/* One request's state.  The first group is set once per request, the
 * rest is reset before every attempt. */
struct xfer {
  CURL *curl;
  struct sr_buf *page;          /* LIST: the 2xx body goes here */
  sr_s3_sink sink;              /* GET: ... or here */
  void *cls;
  struct sr_s3_gunzip *gz;      /* GET: the decoder, when it may be needed */
  bool gunzip_by_name;          /* the key ends in .gz */

  bool started;                 /* the first body byte arrived */
  long status;
  bool gunzip;                  /* decided at the first body byte */
  bool content_gzip;            /* Content-Encoding: gzip */
  bool delivered;               /* a byte reached the caller's sink */
  bool consumer_stopped;        /* ... and the sink said stop */
  enum sr_status stop_st;       /* why the write callback stopped curl */
  char stop_err[256];
  uint64_t bytes_in;            /* 2xx body bytes, as sent by S3 */
  uint64_t bytes_out;           /* bytes passed to the sink */
  struct sr_buf errbody;        /* a non-2xx body */
  char etag[80];
  double retry_after_s;         /* < 0: none */
};

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

/* libxml2 must be initialised once, before threads use it. */
static void
xml_init (void)
{
  xmlInitParser ();
}

/* A new string from a printf format (never NULL: out of memory aborts). */
static char *
xprintf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

static char *
xprintf (const char *fmt, ...)
{
  va_list ap;
  int n;
  char *s;

  va_start (ap, fmt);
  n = vsnprintf (NULL, 0, fmt, ap);
  va_end (ap);
  if (n < 0) {
    sr_log (SR_LOG_ERROR, "vsnprintf failed", NULL);
    abort (); /* only on a bad format: a bug */
  }
  s = sr_xmalloc ((size_t) n + 1);
  va_start (ap, fmt);
  (void) vsnprintf (s, (size_t) n + 1, fmt, ap);
  va_end (ap);
  return s;
}

/* ------------------------------------------------------------------ */
/* Encoding and URLs                                                   */

char *
sr_s3_uri_encode (const char *s, bool keep_slash)
{
  static const char hex[] = "0123456789ABCDEF";
  size_t n = strlen (s);
  char *out;
  size_t o = 0;

  if (n > (SIZE_MAX - 1) / 3) {
    sr_log (SR_LOG_ERROR, "string too long to encode", NULL);
    abort ();
  }
  out = sr_xmalloc (3 * n + 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char) s[i];

    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9') || '-' == c || '_' == c || '.' == c
        || '~' == c || (keep_slash && '/' == c)) {
      out[o++] = (char) c;
    } else {
      out[o++] = '%';
      out[o++] = hex[c >> 4];
      out[o++] = hex[c & 15];
    }
  }
  out[o] = '\0';
  return out;
}

char *
sr_s3_list_query (const char *prefix, unsigned max_keys, const char *token)
{
  /* Sorted by name: continuation-token < list-type < max-keys < prefix. */
  char *p = sr_s3_uri_encode (NULL != prefix ? prefix : "", false);
  char *t = NULL != token ? sr_s3_uri_encode (token, false) : NULL;
  char mk[32] = "";
  char *q;

  if (max_keys > 0)
    snprintf (mk, sizeof (mk), "&max-keys=%u",
              max_keys > MAX_KEYS_CAP ? MAX_KEYS_CAP : max_keys);
  q = xprintf ("%s%s%slist-type=2%s&prefix=%s",
               NULL != t ? "continuation-token=" : "", NULL != t ? t : "",
               NULL != t ? "&" : "", mk, p);
  free (p);
  free (t);
  return q;
}

char *
sr_s3_url (const struct sr_s3 *s3, const char *key, const char *query)
{
  char *k = NULL != key ? sr_s3_uri_encode (key, true) : NULL;
  char *url;

  /* Path-style, the bucket itself is ".../bucket"; virtual-hosted it is
   * the root "/" of the bucket's host. */
  if (NULL != k)
    url = xprintf ("%s/%s%s%s", s3->base, k, NULL != query ? "?" : "",
                   NULL != query ? query : "");
  else
    url = xprintf ("%s%s%s%s", s3->base, s3->path_style ? "" : "/",
                   NULL != query ? "?" : "", NULL != query ? query : "");
  free (k);
  return url;
}

/* ------------------------------------------------------------------ */
/* Client                                                              */

struct sr_s3 *
sr_s3_new (const struct sr_config *cfg)
{
  struct sr_s3 *s3 = sr_xcalloc (1, sizeof (*s3));
  const char *region = NULL != cfg->aws_region ? cfg->aws_region
                       : "us-east-1";

  if (0 != pthread_once (&xml_once, xml_init)) {
    sr_log (SR_LOG_ERROR, "pthread_once failed", NULL);
    abort ();
  }
  s3->cfg = cfg;
  s3->curl = curl_easy_init ();
  if (NULL == s3->curl) {
    sr_log (SR_LOG_ERROR, "curl_easy_init failed", NULL);
    abort (); /* only fails when out of memory: the mem.h policy */
  }
  snprintf (s3->sigv4, sizeof (s3->sigv4), "aws:amz:%s:s3", region);
  snprintf (s3->user_agent, sizeof (s3->user_agent), "signalroom/%s",
            SR_VERSION);
  if (NULL != cfg->s3_bucket_name) {
    char *bucket = sr_s3_uri_encode (cfg->s3_bucket_name, false);

    if (NULL != cfg->s3_endpoint_url) {
      size_t len = strlen (cfg->s3_endpoint_url);

      while (len > 0 && '/' == cfg->s3_endpoint_url[len - 1])
        len--;
      s3->path_style = true;
      s3->base = xprintf ("%.*s/%s", (int) len, cfg->s3_endpoint_url,
                          bucket);
    } else {
      s3->base = xprintf ("https://%s.s3.%s.amazonaws.com", bucket, region);
    }
    free (bucket);
  }
  return s3;
}

void
sr_s3_set_stop (struct sr_s3 *s3, const atomic_int *stop)
{
  s3->stop = stop;
}

void
sr_s3_free (struct sr_s3 *s3)
{
  if (NULL == s3)
    return;
  curl_easy_cleanup (s3->curl);
  sr_s3_gunzip_free (s3->gz);
  free (s3->base);
  free (s3);
}

void
sr_s3_list_clean (struct sr_s3_list *l)
{
  if (NULL == l)
    return;
  for (size_t i = 0; i < l->n; i++)
    free (l->items[i].key);
  free (l->items);
  memset (l, 0, sizeof (*l));
}

static enum sr_status
check_config (const struct sr_s3 *s3, char *err, size_t errlen)
{
  const struct sr_config *cfg = s3->cfg;

  if (NULL == s3->base) {
    snprintf (err, errlen, "s3: S3_BUCKET_NAME is not set");
    return SR_E_CONFIG;
  }
  if (NULL == cfg->aws_access_key_id || NULL == cfg->aws_secret_access_key) {
    snprintf (err, errlen,
              "s3: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must both "
              "be set");
    return SR_E_CONFIG;
  }
  return SR_OK;
}

/* ------------------------------------------------------------------ */
/* gzip                                                                */

struct sr_s3_gunzip *
sr_s3_gunzip_new (void)
{
  struct sr_s3_gunzip *g = sr_xcalloc (1, sizeof (*g));

  /* 16 + MAX_WBITS: a gzip header and trailer (CRC-32, length) are
   * required and checked. */
  if (Z_OK != inflateInit2 (&g->z, 16 + MAX_WBITS)) {
    sr_log (SR_LOG_ERROR, "inflateInit2 failed", NULL);
    abort (); /* out of memory or a zlib version mismatch */
  }
  return g;
}

void
sr_s3_gunzip_reset (struct sr_s3_gunzip *g)
{
  if (Z_OK != inflateReset (&g->z)) {
    sr_log (SR_LOG_ERROR, "inflateReset failed", NULL);
    abort (); /* only on a stream that was never initialised: a bug */
  }
  g->in_member = false;
  g->members = 0;
}

void
sr_s3_gunzip_free (struct sr_s3_gunzip *g)
{
  if (NULL == g)
    return;
  (void) inflateEnd (&g->z);
  free (g);
}

enum sr_status
sr_s3_gunzip_feed (struct sr_s3_gunzip *g, const char *data, size_t len,
                   sr_s3_sink sink, void *cls, char *err, size_t errlen)
{
  const unsigned char *p = (const unsigned char *) data;
  size_t left = len;

  while (left > 0) {
    uInt take = left > UINT_MAX ? UINT_MAX : (uInt) left;
    int rc;

    g->z.next_in = (Bytef *) p;
    g->z.avail_in = take;
    g->in_member = true;
    do {
      size_t produced;

      g->z.next_out = g->out;
      g->z.avail_out = (uInt) sizeof (g->out);
      rc = inflate (&g->z, Z_NO_FLUSH);
      produced = sizeof (g->out) - g->z.avail_out;
      if (Z_OK != rc && Z_STREAM_END != rc && Z_BUF_ERROR != rc) {
        snprintf (err, errlen, "gzip data is corrupt after %" PRIu64
                  " member(s): %s", g->members,
                  NULL != g->z.msg ? g->z.msg : "inflate failed");
        return SR_E_UPSTREAM;
      }
      if (produced > 0) {
        enum sr_status st = sink (cls, (const char *) g->out, produced);

        if (SR_OK != st)
          return st;
      }
      if (Z_STREAM_END == rc) {
        /* A member ended; whatever follows is the next member (gzip
         * files may be concatenations, e.g. appended exports). */
        g->members++;
        if (Z_OK != inflateReset (&g->z)) {
          snprintf (err, errlen, "gzip: inflateReset failed");
          return SR_E_INTERNAL;
        }
        g->in_member = g->z.avail_in > 0;
        continue;
      }
      if (Z_BUF_ERROR == rc)
        break;    /* no progress possible: all input used, output empty */
      /* Z_OK with the output full may have more output pending. */
    } while (g->z.avail_in > 0 || 0 == g->z.avail_out);
    if (g->z.avail_in == take) {
      snprintf (err, errlen, "gzip: inflate made no progress");
      return SR_E_UPSTREAM;
    }
    p += take - g->z.avail_in;
    left -= take - g->z.avail_in;
  }
  return SR_OK;
}

enum sr_status
sr_s3_gunzip_finish (struct sr_s3_gunzip *g, char *err, size_t errlen)
{
  if (g->in_member) {
    snprintf (err, errlen, "gzip data is truncated (it ends inside member "
              "%" PRIu64 ")", g->members + 1);
    return SR_E_UPSTREAM;
  }
  if (0 == g->members) {
    snprintf (err, errlen, "gzip data is empty (no gzip member)");
    return SR_E_UPSTREAM;
  }
  return SR_OK;
}

/* ------------------------------------------------------------------ */
/* XML                                                                 */

/* Parse @a xml; NULL with @a err set when it is not well-formed XML or
 * declares a DTD (S3 never sends one; refusing it rules out entity
 * tricks). */
static xmlDocPtr
parse_xml (const char *xml, size_t len, char *err, size_t errlen)
{
  xmlParserCtxtPtr ctxt;
  xmlDocPtr doc;

  if (len > INT_MAX) {
    snprintf (err, errlen, "XML document over %d bytes", INT_MAX);
    return NULL;
  }
  ctxt = xmlNewParserCtxt ();
  if (NULL == ctxt) {
    sr_log (SR_LOG_ERROR, "xmlNewParserCtxt failed", NULL);
    abort (); /* out of memory: the mem.h policy */
  }
  /* No XML_PARSE_NOENT (entities are not substituted), no DTD loading,
   * no network; errors go to err, not to stderr. */
  doc = xmlCtxtReadMemory (ctxt, xml, (int) len, "s3-response.xml", NULL,
                           XML_PARSE_NONET | XML_PARSE_NOERROR
                           | XML_PARSE_NOWARNING);
  if (NULL == doc) {
    const xmlError *e = xmlCtxtGetLastError (ctxt);
    char msg[160] = "not well-formed";

    if (NULL != e && NULL != e->message) {
      size_t n;

      snprintf (msg, sizeof (msg), "%s", e->message);
      n = strlen (msg);
      while (n > 0 && ('\n' == msg[n - 1] || ' ' == msg[n - 1]))
        msg[--n] = '\0';
    }
    snprintf (err, errlen, "response is not XML: %s (line %d)", msg,
              NULL != e ? e->line : 0);
  } else if (NULL != doc->intSubset || NULL != doc->extSubset) {
    xmlFreeDoc (doc);
    doc = NULL;
    snprintf (err, errlen, "response XML declares a DTD (refused)");
  }
  xmlFreeParserCtxt (ctxt);
  return doc;
}

static bool
is_element (const xmlNode *n, const char *name)
{
  return XML_ELEMENT_NODE == n->type
         && xmlStrEqual (n->name, (const xmlChar *) name);
}

/* The text of @a n (entities and character references decoded), as a
 * new string (never NULL). */
static char *
node_text (const xmlNode *n)
{
  xmlChar *c = xmlNodeGetContent (n);
  char *s;

  if (NULL == c) {
    sr_log (SR_LOG_ERROR, "xmlNodeGetContent failed", NULL);
    abort (); /* only fails when out of memory */
  }
  s = sr_xstrdup ((const char *) c);
  xmlFree (c);
  return s;
}

/* The text of @a n on one line (controls as spaces, cut to @a len). */
static void
node_line (const xmlNode *n, char *out, size_t len)
{
  char *s = node_text (n);

  snprintf (out, len, "%s", s);
  for (char *p = out; *p; p++)
    if ((unsigned char) *p < 0x20 || 0x7f == *p)
      *p = ' ';
  free (s);
}

static enum sr_status
parse_contents (const xmlNode *c, struct sr_s3_object *o, char *err,
                size_t errlen)
{
  bool have_size = false;

  memset (o, 0, sizeof (*o));
  for (const xmlNode *n = c->children; NULL != n; n = n->next) {
    if (is_element (n, "Key")) {
      free (o->key);
      o->key = node_text (n);
    } else if (is_element (n, "ETag")) {
      char *s = node_text (n);
      size_t len = strlen (s);
      const char *v = s;

      if (len >= 2 && '"' == s[0] && '"' == s[len - 1]) {
        v = s + 1;
        len -= 2;
      }
      snprintf (o->etag, sizeof (o->etag), "%.*s", (int) len, v);
      free (s);
    } else if (is_element (n, "Size")) {
      char *s = node_text (n);
      char *end;
      unsigned long long v;

      errno = 0;
      v = strtoull (s, &end, 10);
      if (s[0] < '0' || s[0] > '9' || '\0' != *end || 0 != errno) {
        snprintf (err, errlen, "listing has an object with Size \"%.40s\"",
                  s);
        free (s);
        free (o->key);
        o->key = NULL;
        return SR_E_UPSTREAM;
      }
      o->size = (uint64_t) v;
      have_size = true;
      free (s);
    } else if (is_element (n, "LastModified")) {
      node_line (n, o->last_modified, sizeof (o->last_modified));
    }
  }
  if (NULL == o->key || '\0' == o->key[0] || !have_size) {
    snprintf (err, errlen, "listing has a Contents element without %s",
              NULL == o->key || '\0' == o->key[0] ? "Key" : "Size");
    free (o->key);
    o->key = NULL;
    return SR_E_UPSTREAM;
  }
  return SR_OK;
}

enum sr_status
sr_s3_parse_list (const char *xml, size_t len, struct sr_s3_list *out,
                  bool *truncated, char **next_token, char *err,
                  size_t errlen)
{
  xmlDocPtr doc = parse_xml (xml, len, err, errlen);
  const xmlNode *root;
  enum sr_status st = SR_OK;

  *truncated = false;
  *next_token = NULL;
  if (NULL == doc)
    return SR_E_UPSTREAM;
  root = xmlDocGetRootElement (doc);
  if (NULL == root || !is_element (root, "ListBucketResult")) {
    snprintf (err, errlen, "response is <%s>, not <ListBucketResult>",
              NULL != root ? (const char *) root->name : "nothing");
    xmlFreeDoc (doc);
    return SR_E_UPSTREAM;
  }
  for (const xmlNode *n = root->children; NULL != n && SR_OK == st;
       n = n->next) {
    if (is_element (n, "Contents")) {
      struct sr_s3_object o;

      st = parse_contents (n, &o, err, errlen);
      if (SR_OK != st)
        break;
      if (out->n == out->cap) {
        out->cap = out->cap ? out->cap * 2 : 64;
        out->items = sr_xrealloc (out->items,
                                  out->cap * sizeof (out->items[0]));
      }
      out->items[out->n++] = o;
    } else if (is_element (n, "IsTruncated")) {
      char *s = node_text (n);

      *truncated = 0 == strcmp (s, "true");
      free (s);
    } else if (is_element (n, "NextContinuationToken")) {
      free (*next_token);
      *next_token = node_text (n);
    }
  }
  xmlFreeDoc (doc);
  if (SR_OK != st) {
    free (*next_token);
    *next_token = NULL;
  }
  return st;
}

bool
sr_s3_parse_error (const char *xml, size_t len, char *code, size_t codelen,
                   char *message, size_t msglen)
{
  char ignored[160];
  xmlDocPtr doc;
  const xmlNode *root;

  if (codelen > 0)
    code[0] = '\0';
  if (msglen > 0)
    message[0] = '\0';
  if (0 == len)
    return false;
  doc = parse_xml (xml, len, ignored, sizeof (ignored));
  if (NULL == doc)
    return false;
  root = xmlDocGetRootElement (doc);
  if (NULL == root || !is_element (root, "Error")) {
    xmlFreeDoc (doc);
    return false;
  }
  for (const xmlNode *n = root->children; NULL != n; n = n->next) {
    if (is_element (n, "Code"))
      node_line (n, code, codelen);
    else if (is_element (n, "Message"))
      node_line (n, message, msglen);
  }
  xmlFreeDoc (doc);
  return true;
}

/* ------------------------------------------------------------------ */
/* Transfers                                                           */

/* Passes decoded bytes to the caller's sink, noting that they left. */
static enum sr_status
deliver (void *cls, const char *data, size_t len)
{
  struct xfer *x = cls;
  enum sr_status st;

  x->delivered = true;
  x->bytes_out += len;
  st = x->sink (x->cls, data, len);
  if (SR_OK != st)
    x->consumer_stopped = true;
  return st;
}

static size_t
on_body (char *data, size_t size, size_t nmemb, void *cls)
{
  struct xfer *x = cls;
  size_t n = size * nmemb;
  enum sr_status st;

  if (!x->started) {
    x->started = true;
    if (CURLE_OK != curl_easy_getinfo (x->curl, CURLINFO_RESPONSE_CODE,
                                       &x->status))
      x->status = 0;
    x->gunzip = NULL != x->gz && (x->gunzip_by_name || x->content_gzip);
  }
  if (x->status < 200 || x->status > 299) {
    /* An error document: keep enough of it to explain the error, and
     * stop reading a body that is far too long for one. */
    return SR_OK == sr_buf_append (&x->errbody, data, n) ? n : 0;
  }
  x->bytes_in += n;
  if (NULL != x->page) {
    if (SR_OK != sr_buf_append (x->page, data, n)) {
      x->stop_st = SR_E_UPSTREAM;
      snprintf (x->stop_err, sizeof (x->stop_err),
                "listing page is over %zu bytes", x->page->max);
      return 0;
    }
    return n;
  }
  if (x->gunzip)
    st = sr_s3_gunzip_feed (x->gz, data, n, deliver, x, x->stop_err,
                            sizeof (x->stop_err));
  else
    st = deliver (x, data, n);
  if (SR_OK != st) {
    x->stop_st = st;
    return 0;   /* curl stops with CURLE_WRITE_ERROR */
  }
  return n;
}

/* Value of header line @a h of @a n bytes if it is named @a name (with
 * the colon), trimmed into @a out; false otherwise. */
static bool
header_value (const char *h, size_t n, const char *name, char *out,
              size_t outlen)
{
  size_t nl = strlen (name);
  size_t b, e;

  if (n < nl || 0 != strncasecmp (h, name, nl))
    return false;
  b = nl;
  e = n;
  while (b < e && (' ' == h[b] || '\t' == h[b]))
    b++;
  while (e > b && (' ' == h[e - 1] || '\t' == h[e - 1] || '\r' == h[e - 1]
                   || '\n' == h[e - 1]))
    e--;
  snprintf (out, outlen, "%.*s", (int) (e - b), h + b);
  return true;
}

static size_t
on_header (char *data, size_t size, size_t nmemb, void *cls)
{
  struct xfer *x = cls;
  size_t n = size * nmemb;
  char v[128];

  if (n >= 5 && 0 == strncmp (data, "HTTP/", 5)) {
    /* A new response (after a 100 Continue, say): forget the last. */
    x->etag[0] = '\0';
    x->content_gzip = false;
    x->retry_after_s = -1;
  } else if (header_value (data, n, "ETag:", v, sizeof (v))) {
    size_t len = strlen (v);
    const char *s = v;

    if (len >= 2 && '"' == v[0] && '"' == v[len - 1]) {
      s = v + 1;
      len -= 2;
    }
    snprintf (x->etag, sizeof (x->etag), "%.*s", (int) len, s);
  } else if (header_value (data, n, "Content-Encoding:", v, sizeof (v))) {
    x->content_gzip = NULL != strcasestr (v, "gzip");
  } else if (header_value (data, n, "Retry-After:", v, sizeof (v))) {
    char *end;
    double secs;

    errno = 0;
    secs = strtod (v, &end);
    if (0 == errno && end != v && '\0' == *end && secs >= 0) {
      x->retry_after_s = secs;
    } else {
      time_t when = curl_getdate (v, NULL);   /* an HTTP-date */

      if (when > 0)
        x->retry_after_s = difftime (when, sr_wall_now ()) > 0
                           ? difftime (when, sr_wall_now ()) : 0;
    }
  }
  return n;
}

static bool
retryable_status (long status)
{
  return 408 == status || 429 == status || status >= 500;
}

/* S3 error codes worth another try whatever the HTTP status says
 * (RequestTimeout comes as a 400). */
static bool
retryable_code (const char *code)
{
  static const char *const codes[] = { "SlowDown", "InternalError",
                                       "ServiceUnavailable", "RequestTimeout",
                                       "OperationAborted" };

  for (size_t i = 0; i < sizeof (codes) / sizeof (codes[0]); i++)
    if (0 == strcmp (code, codes[i]))
      return true;
  return false;
}

/* Network trouble is worth another try; a request that can never work
 * (a bad URL, a certificate we do not trust) is not. */
static bool
retryable_curl (CURLcode rc)
{
  switch (rc) {
  case CURLE_UNSUPPORTED_PROTOCOL:
  case CURLE_URL_MALFORMAT:
  case CURLE_NOT_BUILT_IN:
  case CURLE_OUT_OF_MEMORY:
  case CURLE_BAD_FUNCTION_ARGUMENT:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_LOGIN_DENIED:
  case CURLE_WRITE_ERROR:
  case CURLE_ABORTED_BY_CALLBACK:
    return false;
  default:
    return true;
  }
}


static void
setup (struct sr_s3 *s3, const char *url, struct xfer *x,
       struct curl_slist *hdrs)
{
  const struct sr_config *cfg = s3->cfg;
  CURL *h = s3->curl;

  curl_easy_reset (h);
  curl_easy_setopt (h, CURLOPT_URL, url);
  curl_easy_setopt (h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt (h, CURLOPT_PATH_AS_IS, 1L);
  /* Bytes as stored: gzip is undone by us, once, not by libcurl. */
  curl_easy_setopt (h, CURLOPT_HTTP_CONTENT_DECODING, 0L);
  curl_easy_setopt (h, CURLOPT_BUFFERSIZE, (long) SR_S3_MAX_CHUNK);
  curl_easy_setopt (h, CURLOPT_USERAGENT, s3->user_agent);
  curl_easy_setopt (h, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt (h, CURLOPT_AWS_SIGV4, s3->sigv4);
  curl_easy_setopt (h, CURLOPT_USERNAME, cfg->aws_access_key_id);
  curl_easy_setopt (h, CURLOPT_PASSWORD, cfg->aws_secret_access_key);
  curl_easy_setopt (h, CURLOPT_CONNECTTIMEOUT,
                    (long) (cfg->upstream_timeout_s < 10
                            ? cfg->upstream_timeout_s : 10));
  if (NULL != x->page) {
    curl_easy_setopt (h, CURLOPT_TIMEOUT, (long) cfg->upstream_timeout_s);
  } else {
    /* An object may take as long as it takes to stream; what must not
     * happen is a stall.  Under 1 byte/s for the timeout aborts. */
    curl_easy_setopt (h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt (h, CURLOPT_LOW_SPEED_TIME,
                      (long) cfg->upstream_timeout_s);
  }
  curl_easy_setopt (h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (h, CURLOPT_WRITEDATA, x);
  curl_easy_setopt (h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (h, CURLOPT_HEADERDATA, x);
  if (NULL != s3->stop) {
    /* Called about once a second even while nothing arrives: a cancelled
     * job's transfer ends within that. */
    curl_easy_setopt (h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt (h, CURLOPT_XFERINFOFUNCTION, sr_upstream_on_progress);
    curl_easy_setopt (h, CURLOPT_XFERINFODATA, s3->stop);
  }
}

static void
count (struct sr_upstream_stats *stats, unsigned int attempt)
{
  if (NULL == stats)
    return;
  stats->requests++;
  if (attempt > 1)
    stats->retries++;
}

/*
 * Perform one signed GET of @a url with the retry policy.  @a what names
 * the request in messages ("GET bucket/key").  On SR_OK the response was
 * 2xx and its whole body went to the page or the sink.
 */
static enum sr_status
perform (struct sr_s3 *s3, const char *what, const char *url,
         struct xfer *x, struct sr_upstream_stats *stats, char *err,
         size_t errlen)
{
  const struct sr_config *cfg = s3->cfg;
  unsigned int attempts = cfg->upstream_attempts > 0
                          ? (unsigned int) cfg->upstream_attempts : 1;
  struct curl_slist *hdrs;
  enum sr_status st = SR_E_UPSTREAM;
  char why[600] = "";
  unsigned int made = 0;
  bool transient = false;
  struct sr_span span;

  /* S3 requires this header with SigV4, and libcurl 7.88 neither adds it
   * nor signs the payload hash without it. */
  hdrs = curl_slist_append (NULL, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
  if (NULL == hdrs) {
    snprintf (err, errlen, "s3: %s: out of memory building headers", what);
    return SR_E_INTERNAL;
  }
  x->curl = s3->curl;
  sr_buf_init (&x->errbody, MAX_ERROR_BODY);
  for (unsigned int attempt = 1; attempt <= attempts; attempt++) {
    bool retry = false;
    CURLcode rc;
    uint64_t wait_us;

    x->started = false;
    x->status = 0;
    x->gunzip = false;
    x->content_gzip = false;
    x->delivered = false;
    x->consumer_stopped = false;
    x->stop_st = SR_OK;
    x->stop_err[0] = '\0';
    x->bytes_in = 0;
    x->bytes_out = 0;
    x->etag[0] = '\0';
    x->retry_after_s = -1;
    sr_buf_reset (&x->errbody);
    if (NULL != x->page)
      sr_buf_reset (x->page);
    if (NULL != x->gz)
      sr_s3_gunzip_reset (x->gz);
    if (sr_stop_requested (s3->stop)) {
      snprintf (err, errlen, "s3: %s: stopped (the job was cancelled or "
                "lost its lease)", what);
      st = SR_E_UPSTREAM;
      goto out;
    }
    setup (s3, url, x, hdrs);
    made = attempt;
    count (stats, attempt);
    /* the URL carries no key: requests are signed by headers */
    sr_upstream_span_begin (&span, "s3", "GET", url, attempt);
    rc = curl_easy_perform (s3->curl);
    if (CURLE_ABORTED_BY_CALLBACK == rc && sr_stop_requested (s3->stop)) {
      snprintf (err, errlen, "s3: %s: stopped during the transfer (the job "
                "was cancelled or lost its lease)", what);
      st = SR_E_UPSTREAM;
      sr_upstream_span_end (&span, 0, rc, true);
      goto out;
    }
    if (!x->started) {
      /* No body at all: an empty object (which, named .gz, is not valid
       * gzip) or no response. */
      if (CURLE_OK != curl_easy_getinfo (s3->curl, CURLINFO_RESPONSE_CODE,
                                         &x->status))
        x->status = 0;
      x->gunzip = NULL != x->gz && (x->gunzip_by_name || x->content_gzip);
    }
    sr_upstream_note_request ("s3", x->status, attempt);
    sr_upstream_span_end (&span, x->status, rc,
                          x->status < 200 || x->status >= 300);

    if (x->consumer_stopped) {
      snprintf (err, errlen, "s3: %s: stopped by the reader after %" PRIu64
                " bytes", what, x->bytes_out);
      st = x->stop_st;
      goto out;
    }
    if (SR_OK != x->stop_st) {
      snprintf (err, errlen, "s3: %s: %s", what, x->stop_err);
      st = x->stop_st;
      goto out;
    }
    if (x->status >= 200 && x->status <= 299) {
      if (CURLE_OK == rc) {
        if (x->gunzip && SR_OK != sr_s3_gunzip_finish (x->gz, x->stop_err,
                                                       sizeof (x->stop_err)))
        {
          snprintf (err, errlen, "s3: %s: %s", what, x->stop_err);
          st = SR_E_UPSTREAM;
          goto out;
        }
        st = SR_OK;
        goto out;
      }
      /* The body broke off. */
      snprintf (why, sizeof (why), "HTTP %ld, body broke off after %"
                PRIu64 " bytes: %s", x->status, x->bytes_in,
                curl_easy_strerror (rc));
      if (x->delivered) {
        /* The reader has consumed part of the object; a retry would
         * hand it the start again.  It must discard and start over. */
        snprintf (err, errlen, "s3: %s: transfer broke off after %" PRIu64
                  " bytes had been passed on (%s); not retried: discard "
                  "them and fetch the object again", what, x->bytes_out,
                  curl_easy_strerror (rc));
        st = SR_E_UPSTREAM;
        goto out;
      }
      retry = retryable_curl (rc);
    } else if (x->status >= 300) {
      char code[64];
      char message[400];

      if (sr_s3_parse_error (x->errbody.data, x->errbody.len, code,
                             sizeof (code), message, sizeof (message))
          && '\0' != code[0]) {
        snprintf (why, sizeof (why), "HTTP %ld %s: %s", x->status, code,
                  message);
        retry = retryable_status (x->status) || retryable_code (code);
      } else {
        char body[320];

        sr_upstream_excerpt (&x->errbody, body, sizeof (body));
        snprintf (why, sizeof (why), "HTTP %ld%s%s", x->status,
                  '\0' != body[0] ? ": " : "", body);
        retry = retryable_status (x->status);
      }
      if (retry && x->retry_after_s > RETRY_AFTER_MAX_S) {
        snprintf (why + strlen (why), sizeof (why) - strlen (why),
                  " (Retry-After %.0f s: not waiting)", x->retry_after_s);
        retry = false;
      }
    } else if (CURLE_OK != rc) {
      snprintf (why, sizeof (why), "%s", curl_easy_strerror (rc));
      retry = retryable_curl (rc);
    } else {
      snprintf (why, sizeof (why), "unexpected HTTP status %ld", x->status);
      retry = true;
    }
    transient = retry;
    if (!retry || attempt == attempts)
      break;
    wait_us = x->retry_after_s >= 0
              ? (uint64_t) (x->retry_after_s * 1e6)
              : sr_upstream_backoff_us (cfg, attempt);
    sr_log (SR_LOG_WARN, "s3 request failed, retrying",
            "{s:s, s:s, s:i, s:I}", "request", what, "error", why,
            "attempt", (int) attempt, "retry_in_ms",
            (json_int_t) (wait_us / 1000));
    sr_upstream_note_wait ("s3", wait_us);
    if (!sr_sleep_unless_stopped (wait_us, s3->stop)) {
      snprintf (why + strlen (why), sizeof (why) - strlen (why),
                "; stopped while waiting to retry");
      transient = false;
      break;
    }
  }
  if (NULL != stats)
    stats->retryable = transient;   /* a later job attempt may succeed */
  if (made > 1)
    snprintf (err, errlen, "s3: %s: %s (gave up after %u attempts)", what,
              why, made);
  else
    snprintf (err, errlen, "s3: %s: %s", what, why);
  st = SR_E_UPSTREAM;
out:
  sr_buf_clean (&x->errbody);
  curl_slist_free_all (hdrs);
  return st;
}

enum sr_status
sr_s3_list (struct sr_s3 *s3, const char *prefix, unsigned max_keys,
            struct sr_s3_list *out, struct sr_upstream_stats *stats, char *err,
            size_t errlen)
{
  struct sr_buf page;
  char *what;
  char *token = NULL;
  enum sr_status st;
  unsigned int pages = 0;

  memset (out, 0, sizeof (*out));
  if (errlen > 0)
    err[0] = '\0';
  if (NULL == prefix)
    prefix = "";
  st = check_config (s3, err, errlen);
  if (SR_OK != st)
    return st;
  what = xprintf ("LIST %s/%s", s3->cfg->s3_bucket_name, prefix);
  sr_buf_init (&page, MAX_PAGE);
  for (;;) {
    struct xfer x = { .page = &page };
    char *query = sr_s3_list_query (prefix, max_keys, token);
    char *url = sr_s3_url (s3, NULL, query);
    char perr[300];
    bool truncated;
    char *next;

    free (query);
    st = perform (s3, what, url, &x, stats, err, errlen);
    free (url);
    if (SR_OK != st)
      break;
    pages++;
    st = sr_s3_parse_list (sr_buf_str (&page), page.len, out, &truncated,
                           &next, perr, sizeof (perr));
    if (SR_OK != st) {
      snprintf (err, errlen, "s3: %s: page %u: %s", what, pages, perr);
      break;
    }
    if (!truncated) {
      free (next);
      break;
    }
    /* A server that says "more" without a new token would loop us
     * forever. */
    if (NULL == next || '\0' == next[0]
        || (NULL != token && 0 == strcmp (token, next))) {
      snprintf (err, errlen, "s3: %s: page %u is truncated but has no new "
                "NextContinuationToken", what, pages);
      free (next);
      st = SR_E_UPSTREAM;
      break;
    }
    free (token);
    token = next;
  }
  if (SR_OK == st)
    sr_log (SR_LOG_DEBUG, "s3 listing", "{s:s, s:I, s:i}", "request", what,
            "objects", (json_int_t) out->n, "pages", (int) pages);
  else
    sr_s3_list_clean (out);
  free (token);
  free (what);
  sr_buf_clean (&page);
  return st;
}

/* @return true when @a key ends in ".gz" (any case). */
static bool
gz_name (const char *key)
{
  size_t n = strlen (key);

  return n >= 3 && 0 == strcasecmp (key + n - 3, ".gz");
}

enum sr_status
sr_s3_get (struct sr_s3 *s3, const char *key, sr_s3_sink on_data,
           void *cls, char etag_out[80], uint64_t *bytes_in,
           struct sr_upstream_stats *stats, char *err, size_t errlen)
{
  struct xfer x = { .sink = on_data, .cls = cls };
  char *what;
  char *url;
  enum sr_status st;

  if (errlen > 0)
    err[0] = '\0';
  if (NULL != etag_out)
    etag_out[0] = '\0';
  if (NULL != bytes_in)
    *bytes_in = 0;
  st = check_config (s3, err, errlen);
  if (SR_OK != st)
    return st;
  if (NULL == key || '\0' == key[0]) {
    snprintf (err, errlen, "s3: GET with an empty key");
    return SR_E_INVALID;
  }
  /* The decoder is kept for the client's life: a sync reads many files. */
  if (NULL == s3->gz)
    s3->gz = sr_s3_gunzip_new ();
  x.gz = s3->gz;
  x.gunzip_by_name = gz_name (key);
  what = xprintf ("GET %s/%s", s3->cfg->s3_bucket_name, key);
  url = sr_s3_url (s3, key, NULL);
  st = perform (s3, what, url, &x, stats, err, errlen);
  if (NULL != etag_out)
    snprintf (etag_out, 80, "%s", x.etag);
  if (NULL != bytes_in)
    *bytes_in = x.bytes_in;
  if (SR_OK == st)
    sr_log (SR_LOG_DEBUG, "s3 object fetched", "{s:s, s:I, s:I, s:b}",
            "request", what, "bytes_in", (json_int_t) x.bytes_in,
            "bytes_out", (json_int_t) x.bytes_out, "gunzipped",
            (int) x.gunzip);
  free (url);
  free (what);
  return st;
}

/* end of s3_client.c */
