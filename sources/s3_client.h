/*
 * s3_client.h -- the two Amazon S3 calls signalroom needs: ListObjectsV2
 * and a streamed GetObject, signed with AWS Signature V4 by libcurl.
 *
 * Ownership and threading: one struct sr_s3 wraps one libcurl easy handle
 * (connections are kept alive between calls) and belongs to one thread;
 * make one per worker.  It borrows the configuration, which must outlive
 * it.  Listings and the strings in them are owned by the caller
 * (sr_s3_list_clean).
 *
 * Addressing: with S3_ENDPOINT_URL set, requests go path-style to
 * <endpoint>/<bucket>/<key> (local S3-compatible servers); without it,
 * virtual-hosted style to https://<bucket>.s3.<region>.amazonaws.com/<key>,
 * AWS's default.  Either way the request is signed for region AWS_REGION,
 * service "s3".
 *
 * Retries follow the upstream policy (upstream.h): network errors,
 * timeouts, 408, 429, 5xx and S3's SlowDown/InternalError/RequestTimeout
 * are retried (SIGNALROOM_UPSTREAM_ATTEMPTS in all, backoff from
 * SIGNALROOM_UPSTREAM_BACKOFF_MS doubling with jitter, Retry-After
 * honoured); S3's other errors (AccessDenied, NoSuchKey,
 * SignatureDoesNotMatch, ...) fail at once with a message such as
 *   s3: GET bucket/key: HTTP 403 SignatureDoesNotMatch: <S3's Message>
 * A GET is retried only while nothing has reached the caller's sink.
 *
 * Never logged: the secret key and the Authorization header.  The access
 * key and secret are registered as secrets by the configuration, so they
 * are masked in every log line anyway.
 */
#ifndef SR_S3_CLIENT_H
#define SR_S3_CLIENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "upstream_stats.h"
#include "status.h"

struct sr_s3;

/** One object of a listing. */
struct sr_s3_object {
  char *key;                  /* as stored (XML entities decoded) */
  char etag[80];              /* without the quotes; "" when absent */
  uint64_t size;
  char last_modified[32];     /* as S3 wrote it: 2025-11-02T06:00:41.000Z */
};

struct sr_s3_list {
  struct sr_s3_object *items; /* in S3's order: ascending UTF-8 keys */
  size_t n;
  size_t cap;
};

/**
 * Receives a GET's body, in order, in chunks of at most
 * SR_S3_MAX_CHUNK bytes.  Any status other than SR_OK stops the transfer,
 * and sr_s3_get() returns that status.
 */
typedef enum sr_status (*sr_s3_sink) (void *cls, const char *data,
                                      size_t len);

/** The most bytes one sink call receives (libcurl's CURL_MAX_WRITE_SIZE,
 * also the size of the inflater's output buffer). */
#define SR_S3_MAX_CHUNK 16384u

/** A client for this thread (never NULL: out of memory aborts). */
struct sr_s3 *sr_s3_new (const struct sr_config *cfg);

void sr_s3_free (struct sr_s3 *s3);

/** Watch @a stop (borrowed; NULL: never): no request starts once it is
 * non-zero, a transfer in progress aborts, back-off waits end early. */
void sr_s3_set_stop (struct sr_s3 *s3, const atomic_int *stop);

/**
 * List every object under @a prefix (ListObjectsV2), following
 * IsTruncated/NextContinuationToken until the listing is complete.
 *
 * @param prefix    "" for the whole bucket; taken literally (no '/' added)
 * @param max_keys  page size, 0 for S3's default (1000, also the cap)
 * @param[out] out  filled on SR_OK; empty on failure.  Release with
 *                  sr_s3_list_clean()
 * @param[in,out] stats  requests and retries are counted here (may be NULL)
 * @param[out] err  on failure, one line
 * @return SR_OK, SR_E_UPSTREAM (S3 refused or gave up), SR_E_CONFIG
 *         (bucket or credentials missing)
 */
enum sr_status sr_s3_list (struct sr_s3 *s3, const char *prefix,
                           unsigned max_keys, struct sr_s3_list *out,
                           struct sr_upstream_stats *stats, char *err,
                           size_t errlen);

void sr_s3_list_clean (struct sr_s3_list *l);

/**
 * Stream object @a key to @a on_data.  Nothing holds the whole object.
 * A key ending in ".gz" (or an object stored with Content-Encoding: gzip)
 * is gunzipped on the fly, all gzip members of it, so @a on_data always
 * sees the plain bytes.
 *
 * Once a byte has reached @a on_data the transfer is never retried: a
 * broken connection then fails with an error saying so, and the caller
 * discards what it got (and may retry the whole object).
 *
 * @param[out] etag_out  the response's ETag without quotes (may be NULL)
 * @param[out] bytes_in  bytes received from S3, i.e. compressed for a .gz
 *                       (may be NULL)
 * @param[in,out] stats  requests and retries are counted here (may be NULL)
 * @return SR_OK; @a on_data's status when it stopped the transfer;
 *         SR_E_UPSTREAM (S3 refused, gave up, or the gzip data is
 *         corrupt); SR_E_CONFIG
 */
enum sr_status sr_s3_get (struct sr_s3 *s3, const char *key,
                          sr_s3_sink on_data, void *cls, char etag_out[80],
                          uint64_t *bytes_in, struct sr_upstream_stats *stats,
                          char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* Building blocks, exposed for the unit tests.                        */

/**
 * RFC 3986 percent-encoding (uppercase hex) of everything but
 * A-Z a-z 0-9 - _ . ~ and, when @a keep_slash, '/'.
 * @return a new string (caller frees)
 */
char *sr_s3_uri_encode (const char *s, bool keep_slash);

/**
 * The ListObjectsV2 query, parameters sorted by name and values encoded,
 * which is the canonical form SigV4 signs (libcurl 7.88 signs the query
 * as written).  @a token NULL for the first page; @a max_keys 0 to leave
 * it out.  @return a new string without the '?' (caller frees)
 */
char *sr_s3_list_query (const char *prefix, unsigned max_keys,
                        const char *token);

/**
 * The URL of @a key (NULL: the bucket itself) followed by "?" @a query
 * when @a query is not NULL.  @return a new string (caller frees)
 */
char *sr_s3_url (const struct sr_s3 *s3, const char *key,
                 const char *query);

/**
 * Parse one ListBucketResult page, appending its objects to @a out.
 * @param[out] truncated   IsTruncated
 * @param[out] next_token  NextContinuationToken (caller frees), or NULL
 * @return SR_OK or SR_E_UPSTREAM (not a ListBucketResult, a DTD, a bad
 *         Size) with @a err set
 */
enum sr_status sr_s3_parse_list (const char *xml, size_t len,
                                 struct sr_s3_list *out, bool *truncated,
                                 char **next_token, char *err,
                                 size_t errlen);

/**
 * Read Code and Message from an S3 <Error> document.
 * @return false when @a xml is not one (both outputs then "")
 */
bool sr_s3_parse_error (const char *xml, size_t len, char *code,
                        size_t codelen, char *message, size_t msglen);

/** A streaming gzip decoder (any number of members). */
struct sr_s3_gunzip;

struct sr_s3_gunzip *sr_s3_gunzip_new (void);

/** Forget everything fed so far (for a new transfer). */
void sr_s3_gunzip_reset (struct sr_s3_gunzip *g);

/**
 * Decode @a len compressed bytes, passing the output to @a sink in chunks
 * of at most SR_S3_MAX_CHUNK bytes.
 * @return SR_OK; the sink's status when it failed (@a err untouched);
 *         SR_E_UPSTREAM when the data is not valid gzip
 */
enum sr_status sr_s3_gunzip_feed (struct sr_s3_gunzip *g, const char *data,
                                  size_t len, sr_s3_sink sink, void *cls,
                                  char *err, size_t errlen);

/**
 * The input is complete.  @return SR_OK, or SR_E_UPSTREAM when it ended
 * inside a member or held no member at all
 */
enum sr_status sr_s3_gunzip_finish (struct sr_s3_gunzip *g, char *err,
                                    size_t errlen);

void sr_s3_gunzip_free (struct sr_s3_gunzip *g);

#endif /* SR_S3_CLIENT_H */
