/*
 * slack_sign.h -- Slack's request signing (v0): the signature is
 * "v0=" + hex(HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + raw
 * body)), sent in X-Slack-Signature with the timestamp in
 * X-Slack-Request-Timestamp.  HMAC-SHA256 is OpenSSL's (HMAC() with
 * EVP_sha256(), the library this layer already links for JWTs); the
 * comparison is CRYPTO_memcmp, constant time.  Threading: pure.
 */
#ifndef SR_SLACK_SIGN_H
#define SR_SLACK_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/** Seconds a request's timestamp may be away from our clock (Slack's
 * SDKs use the same replay window). */
#define SR_SLACK_MAX_SKEW_S 300

/**
 * Verify a request.
 * @param timestamp  X-Slack-Request-Timestamp, or NULL
 * @param signature  X-Slack-Signature, or NULL
 * @param now        our clock, Unix seconds
 * @param[out] why   on failure, what was wrong (never the secret)
 * @return SR_OK; SR_E_INVALID (400) for a missing or non-numeric
 *         timestamp; SR_E_UNAUTHENTICATED (401) for a timestamp more than
 *         SR_SLACK_MAX_SKEW_S away, or a missing or wrong signature
 */
enum sr_status sr_slack_verify (const char *secret, const char *timestamp,
                                const char *signature, const char *body,
                                size_t body_len, int64_t now, char *why,
                                size_t whylen);

/** The hex SHA-256 of @a body: the key a command is remembered by, so a
 * retry of the same body is recognised. */
void sr_slack_body_key (const char *body, size_t body_len, char out[65]);

#endif /* SR_SLACK_SIGN_H */
