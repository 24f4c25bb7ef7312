/*
 * s3server.h -- run the local S3 server (@20minutes/s3rver 4.0.4, which
 * verifies SigV4; tests/upstreams/s3) from a C test, and talk to it
 * through the real S3 API signed by libcurl.  See
 * tests/upstreams/s3/README.md for what the server checks.
 *
 * `node` comes from PATH, start-s3.js from SR_SOURCE_DIR (ctest sets it);
 * its packages are installed by `make install-deps`.  The server's request
 * log goes to /dev/null unless SR_TEST_VERBOSE is set.
 */
#ifndef SR_TEST_S3SERVER_H
#define SR_TEST_S3SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct sr_s3srv {
  pid_t pid;
  int port;
  char dir[512];            /* its data directory, removed by stop */
};

/**
 * Start the server on a free port of 127.0.0.1 with a fresh data
 * directory under $SR_TEST_STATE (else $TMPDIR, else /tmp), one key pair
 * and one empty bucket, and wait (poll, 15 s at most) for its port line.
 * s3rver's own S3RVER:S3RVER pair stays valid too.
 * @param access_key, secret_key  NULL: only S3RVER:S3RVER
 * @param bucket  NULL: no bucket
 * @return false with a message on stderr when it did not come up
 */
bool sr_s3srv_start (struct sr_s3srv *s, const char *access_key,
                     const char *secret_key, const char *bucket);

struct sr_th_env;

/** Point a signalroom at @a s: the keys, @a bucket, @a prefixes and the
 * endpoint. */
void sr_s3srv_env (const struct sr_s3srv *s, struct sr_th_env *env,
                   const char *access_key, const char *secret_key,
                   const char *bucket, const char *prefixes);

/** SIGTERM, wait (10 s, then SIGKILL), remove the data directory.  Safe
 * on a zeroed, never-started or stopped @a s. */
void sr_s3srv_stop (struct sr_s3srv *s);

/**
 * PUT @a data as @a key (path-style http://127.0.0.1:port/bucket/key;
 * every byte of @a key but unreserved ones and '/' is percent-encoded),
 * signed with CURLOPT_AWS_SIGV4 "aws:amz:us-east-1:s3" and
 * x-amz-content-sha256: UNSIGNED-PAYLOAD.
 * @return true on a 2xx answer (else the answer goes to stderr)
 */
bool sr_s3srv_put (const struct sr_s3srv *s, const char *access_key,
                   const char *secret_key, const char *bucket,
                   const char *key, const void *data, size_t len);

/** DELETE @a key, signed like sr_s3srv_put().  @return true on 2xx. */
bool sr_s3srv_delete (const struct sr_s3srv *s, const char *access_key,
                      const char *secret_key, const char *bucket,
                      const char *key);

/**
 * Signed GET of @a target, sent exactly as given (libcurl 7.88 signs the
 * query as written: sort it by name and percent-encode the values, e.g.
 * "/bucket?list-type=2&max-keys=1&prefix=orders-create%2F").
 * @param[out] status HTTP status, 0 when there was no answer
 * @return the body (NUL-terminated, caller frees), or NULL when there was
 *         no answer
 */
char *sr_s3srv_get (const struct sr_s3srv *s, const char *access_key,
                    const char *secret_key, const char *target,
                    int *status);

#endif /* SR_TEST_S3SERVER_H */
