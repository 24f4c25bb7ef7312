/*
 * slack_sign.c -- see slack_sign.h.
 */
#include "slack_sign.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define SIG_HEX_LEN (3 + 2 * 32)   /* "v0=" and 32 bytes in hex */

/* HMAC-SHA256 over "v0:<ts>:<body>", written as "v0=<hex>" into @a out.
 * One-shot HMAC() (HMAC_CTX is deprecated in OpenSSL 3): the message is
 * assembled first; the route caps the body at 8 KiB. */
static enum sr_status
expected (const char *secret, const char *ts, const char *body, size_t len,
          char out[SIG_HEX_LEN + 1])
{
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  size_t tlen = strlen (ts), n = 3 + tlen + 1 + len;
  unsigned char *msg = malloc (n);
  bool ok;

  if (NULL == msg)
    return SR_E_INTERNAL;
  memcpy (msg, "v0:", 3);
  memcpy (msg + 3, ts, tlen);
  msg[3 + tlen] = ':';
  if (len > 0)
    memcpy (msg + 4 + tlen, body, len);
  ok = NULL != HMAC (EVP_sha256 (), secret, (int) strlen (secret), msg, n,
                     mac, &mac_len) && 32 == mac_len;
  free (msg);
  if (!ok)
    return SR_E_INTERNAL;
  memcpy (out, "v0=", 3);
  for (unsigned int i = 0; i < mac_len; i++)
    snprintf (out + 3 + 2 * i, 3, "%02x", mac[i]);
  return SR_OK;
}

enum sr_status
sr_slack_verify (const char *secret, const char *timestamp,
                 const char *signature, const char *body, size_t body_len,
                 int64_t now, char *why, size_t whylen)
{
  char want[SIG_HEX_LEN + 1];
  long long ts;
  char *end;

  if (NULL == timestamp || '\0' == *timestamp) {
    snprintf (why, whylen, "X-Slack-Request-Timestamp is missing");
    return SR_E_INVALID;
  }
  for (const char *p = timestamp; '\0' != *p; p++)
    if (!isdigit ((unsigned char) *p) || p - timestamp > 18) {
      snprintf (why, whylen, "X-Slack-Request-Timestamp is not a number "
                "of seconds");
      return SR_E_INVALID;
    }
  errno = 0;
  ts = strtoll (timestamp, &end, 10);
  if (0 != errno || '\0' != *end) {
    snprintf (why, whylen, "X-Slack-Request-Timestamp is not a number of "
              "seconds");
    return SR_E_INVALID;
  }
  if (ts > now + SR_SLACK_MAX_SKEW_S || ts < now - SR_SLACK_MAX_SKEW_S) {
    snprintf (why, whylen, "the request's timestamp is more than %d s "
              "away from our clock", SR_SLACK_MAX_SKEW_S);
    return SR_E_UNAUTHENTICATED;
  }
  if (NULL == signature || SIG_HEX_LEN != strlen (signature)) {
    snprintf (why, whylen, "X-Slack-Signature is missing or not v0");
    return SR_E_UNAUTHENTICATED;
  }
  if (SR_OK != expected (secret, timestamp, body, body_len, want)) {
    snprintf (why, whylen, "the signature could not be computed");
    return SR_E_INTERNAL;
  }
  if (0 != CRYPTO_memcmp (want, signature, SIG_HEX_LEN)) {
    snprintf (why, whylen, "X-Slack-Signature does not match the body");
    return SR_E_UNAUTHENTICATED;
  }
  return SR_OK;
}

void
sr_slack_body_key (const char *body, size_t body_len, char out[65])
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;

  out[0] = '\0';
  if (1 != EVP_Digest (body, body_len, md, &md_len, EVP_sha256 (), NULL))
    return;
  for (unsigned int i = 0; i < md_len && i < 32; i++)
    snprintf (out + 2 * i, 3, "%02x", md[i]);
}

/* end of slack_sign.c */
