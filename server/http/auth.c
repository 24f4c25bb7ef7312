/*
 * auth.c -- bearer-token (JWT) verification with a pinned algorithm.
 *
 * libjwt 1.10 is used for one thing only: checking the signature.  It
 * trusts the token's own "alg" (so a key meant for RS256 can be fed to
 * HMAC), skips verification entirely when handed a NULL key, and checks no
 * claims.  So everything around the signature happens here:
 *
 *   1. the header value is split and bounded by hand, the JOSE header is
 *      base64url-decoded and parsed with jansson, and its "alg" must equal
 *      the algorithm pinned at start-up -- before libjwt sees a byte;
 *   2. jwt_decode() runs with the configured key (never NULL) and the
 *      algorithm it settled on is compared again, so a parser difference
 *      between us and libjwt cannot slip another algorithm through;
 *   3. the payload is decoded and parsed here too (an object, each claim
 *      once), and exp, nbf, aud and role are checked on that.
 *
 * The struct is immutable after sr_auth_new(), and verification uses only
 * locals, so threads share one verifier without locking.  The token is
 * never logged or copied anywhere that outlives the call.
 */
#include "auth.h"
#include "auth_memo.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <jansson.h>
#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

/* Far above any real access token, and small enough that the decoded JOSE
 * header fits a stack buffer. */
#define AUTH_MAX_TOKEN 8192u

/* A base64url string of n characters decodes to at most 3n/4 bytes. */
#define AUTH_MAX_HEADER_JSON ((AUTH_MAX_TOKEN / 4u) * 3u + 3u)

/* A PEM public key is a few hundred bytes; a file far larger is not one. */
#define AUTH_MAX_PEM_FILE (64 * 1024)

/* RSA below this is breakable by well-funded attackers; refusing it at
 * start-up beats discovering it in an audit. */
#define AUTH_MIN_RSA_BITS 2048

#define ENV_SECRET "SIGNALROOM_JWT_SECRET"
#define ENV_PUBKEY "SIGNALROOM_JWT_PUBLIC_KEY"
#define ENV_ALG "SIGNALROOM_JWT_ALGORITHM"
#define ENV_AUD "SIGNALROOM_JWT_AUDIENCE"

enum key_kind {
  KEY_HMAC,
  KEY_RSA,
  KEY_EC
};

struct alg_info {
  const char *name;         /* as it appears in the JOSE header */
  jwt_alg_t jwt;
  enum key_kind kind;
  int curve_nid;            /* KEY_EC: the one curve the algorithm names */
  size_t min_secret;        /* KEY_HMAC: RFC 7518 3.2, key >= hash size */
};

static const struct alg_info algs[] = {
  { "HS256", JWT_ALG_HS256, KEY_HMAC, 0, 32 },
  { "HS384", JWT_ALG_HS384, KEY_HMAC, 0, 48 },
  { "HS512", JWT_ALG_HS512, KEY_HMAC, 0, 64 },
  { "RS256", JWT_ALG_RS256, KEY_RSA, 0, 0 },
  { "RS384", JWT_ALG_RS384, KEY_RSA, 0, 0 },
  { "RS512", JWT_ALG_RS512, KEY_RSA, 0, 0 },
  { "ES256", JWT_ALG_ES256, KEY_EC, NID_X9_62_prime256v1, 0 },
  { "ES384", JWT_ALG_ES384, KEY_EC, NID_secp384r1, 0 },
  { "ES512", JWT_ALG_ES512, KEY_EC, NID_secp521r1, 0 },
};

#define N_ALGS (sizeof (algs) / sizeof (algs[0]))

struct sr_auth {
  const struct alg_info *alg;
  /* libjwt wants the raw secret for HS* and the PEM text for RS/ES. */
  unsigned char *key;
  size_t key_len;
  char *audience;
  unsigned int leeway_s;
  uint64_t id;                  /* never reused: tells verifiers apart in
                                 * auth_memo.h */
};

static atomic_uint_fast64_t next_verifier_id = 1;

static void
set_err (char *err, size_t errlen, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));

static void
set_err (char *err, size_t errlen, const char *fmt, ...)
{
  va_list ap;

  if (NULL == err || 0 == errlen)
    return;
  va_start (ap, fmt);
  /* Our messages are short constants; a truncated one is still useful, so
   * the return value only needs to be non-negative. */
  if (vsnprintf (err, errlen, fmt, ap) < 0)
    err[0] = '\0';
  va_end (ap);
}

static const struct alg_info *
alg_by_name (const char *name)
{
  for (size_t i = 0; i < N_ALGS; i++)
    if (0 == strcasecmp (name, algs[i].name))
      return &algs[i];
  return NULL;
}

static const struct alg_info *
alg_for_ec_curve (int nid)
{
  for (size_t i = 0; i < N_ALGS; i++)
    if (KEY_EC == algs[i].kind && nid == algs[i].curve_nid)
      return &algs[i];
  return NULL;
}

/* The curve of an EC key as a NID, NID_undef when it has none we know. */
static int
ec_curve_nid (EVP_PKEY *pkey)
{
  char name[80];
  size_t name_len = 0;
  int nid;

  if (1 != EVP_PKEY_get_group_name (pkey, name, sizeof (name), &name_len))
    return NID_undef;
  nid = OBJ_sn2nid (name);
  if (NID_undef == nid)
    nid = EC_curve_nist2nid (name);
  return nid;
}

/*
 * Parse @a pem as a public key and work out which algorithm it fits.
 * With @a pinned set, the key must fit that algorithm instead.
 */
static enum sr_status
check_public_key (const char *pem, const struct alg_info *pinned,
                  const struct alg_info **alg, char *err, size_t errlen)
{
  enum sr_status st = SR_E_CONFIG;
  const struct alg_info *fits = NULL;
  size_t pem_len = strlen (pem);
  BIO *bio;
  EVP_PKEY *pkey = NULL;

  if (pem_len > INT_MAX) {
    set_err (err, errlen, "%s is too long", ENV_PUBKEY);
    return SR_E_CONFIG;
  }
  bio = BIO_new_mem_buf (pem, (int) pem_len);
  if (NULL == bio) {
    set_err (err, errlen, "out of memory reading %s", ENV_PUBKEY);
    return SR_E_INTERNAL;
  }
  pkey = PEM_read_bio_PUBKEY (bio, NULL, NULL, NULL);
  if (NULL == pkey) {
    set_err (err, errlen,
             "%s is not a PEM public key (\"-----BEGIN PUBLIC KEY-----\")",
             ENV_PUBKEY);
    goto done;
  }

  switch (EVP_PKEY_get_base_id (pkey)) {
  case EVP_PKEY_RSA:
    if (EVP_PKEY_get_bits (pkey) < AUTH_MIN_RSA_BITS) {
      set_err (err, errlen, "%s: RSA key of %d bits, at least %d needed",
               ENV_PUBKEY, EVP_PKEY_get_bits (pkey), AUTH_MIN_RSA_BITS);
      goto done;
    }
    /* Any RS* suits an RSA key; derivation picks the common one. */
    fits = (NULL != pinned && KEY_RSA == pinned->kind)
             ? pinned : alg_by_name ("RS256");
    break;
  case EVP_PKEY_EC:
    fits = alg_for_ec_curve (ec_curve_nid (pkey));
    if (NULL == fits) {
      set_err (err, errlen,
               "%s: EC key on an unsupported curve (P-256, P-384 or P-521 "
               "needed)", ENV_PUBKEY);
      goto done;
    }
    break;
  default:
    set_err (err, errlen,
             "%s: unsupported key type (RSA or EC P-256/P-384/P-521 needed)",
             ENV_PUBKEY);
    goto done;
  }

  if (NULL != pinned && pinned != fits) {
    set_err (err, errlen, "%s=%s does not fit the key in %s (which suits "
             "%s)", ENV_ALG, pinned->name, ENV_PUBKEY, fits->name);
    goto done;
  }
  *alg = fits;
  st = SR_OK;

done:
  EVP_PKEY_free (pkey);
  BIO_free (bio);
  /* A failed parse leaves entries on this thread's OpenSSL error queue
   * that would otherwise be blamed on some later, unrelated call. */
  ERR_clear_error ();
  return st;
}

enum sr_status
sr_auth_new (const char *hmac_secret, const char *public_key_pem,
             const char *algorithm, const char *audience,
             unsigned int leeway_s, struct sr_auth **out, char *err,
             size_t errlen)
{
  bool have_secret = NULL != hmac_secret && '\0' != hmac_secret[0];
  bool have_pem = NULL != public_key_pem && '\0' != public_key_pem[0];
  const struct alg_info *pinned = NULL;
  const struct alg_info *alg = NULL;
  const char *key_src;
  struct sr_auth *auth;
  enum sr_status st;

  if (NULL != err && errlen > 0)
    err[0] = '\0';
  if (NULL == out) {
    set_err (err, errlen, "sr_auth_new: no place for the result");
    return SR_E_INTERNAL;
  }
  *out = NULL;

  if (have_secret && have_pem) {
    set_err (err, errlen, "set only one of %s and %s", ENV_SECRET,
             ENV_PUBKEY);
    return SR_E_CONFIG;
  }
  if (!have_secret && !have_pem) {
    set_err (err, errlen, "set %s or %s", ENV_SECRET, ENV_PUBKEY);
    return SR_E_CONFIG;
  }
  if (NULL == audience || '\0' == audience[0]) {
    set_err (err, errlen, "%s must not be empty", ENV_AUD);
    return SR_E_CONFIG;
  }

  if (NULL != algorithm && '\0' != algorithm[0]) {
    pinned = alg_by_name (algorithm);
    if (NULL == pinned) {
      /* The value is not echoed: it is config, but one line must stay one
       * line whatever it contains. */
      set_err (err, errlen, "%s must be one of HS256, HS384, HS512, RS256, "
               "RS384, RS512, ES256, ES384, ES512", ENV_ALG);
      return SR_E_CONFIG;
    }
    if (have_secret && KEY_HMAC != pinned->kind) {
      set_err (err, errlen, "%s=%s needs %s, not %s", ENV_ALG, pinned->name,
               ENV_PUBKEY, ENV_SECRET);
      return SR_E_CONFIG;
    }
    if (have_pem && KEY_HMAC == pinned->kind) {
      set_err (err, errlen, "%s=%s needs %s, not %s", ENV_ALG, pinned->name,
               ENV_SECRET, ENV_PUBKEY);
      return SR_E_CONFIG;
    }
  }

  if (have_secret) {
    alg = NULL != pinned ? pinned : alg_by_name ("HS256");
    if (strlen (hmac_secret) < alg->min_secret) {
      set_err (err, errlen, "%s must be at least %zu bytes for %s (got %zu)",
               ENV_SECRET, alg->min_secret, alg->name, strlen (hmac_secret));
      return SR_E_CONFIG;
    }
    key_src = hmac_secret;
  } else {
    st = check_public_key (public_key_pem, pinned, &alg, err, errlen);
    if (SR_OK != st)
      return st;
    key_src = public_key_pem;
  }

  auth = calloc (1, sizeof (*auth));
  if (NULL == auth) {
    set_err (err, errlen, "out of memory building the JWT verifier");
    return SR_E_INTERNAL;
  }
  auth->alg = alg;
  auth->leeway_s = leeway_s;
  auth->id = atomic_fetch_add (&next_verifier_id, 1);
  auth->key_len = strlen (key_src);
  if (auth->key_len > INT_MAX) {
    /* jwt_decode() takes the length as an int. */
    set_err (err, errlen, "%s is too long", have_secret ? ENV_SECRET
             : ENV_PUBKEY);
    sr_auth_free (auth);
    return SR_E_CONFIG;
  }
  auth->key = malloc (auth->key_len + 1);
  auth->audience = strdup (audience);
  if (NULL == auth->key || NULL == auth->audience) {
    set_err (err, errlen, "out of memory building the JWT verifier");
    sr_auth_free (auth);
    return SR_E_INTERNAL;
  }
  memcpy (auth->key, key_src, auth->key_len + 1);
  *out = auth;
  return SR_OK;
}

void
sr_auth_free (struct sr_auth *auth)
{
  if (NULL == auth)
    return;
  if (NULL != auth->key) {
    /* The HMAC secret signs tokens; do not leave it in freed memory. */
    OPENSSL_cleanse (auth->key, auth->key_len);
    free (auth->key);
  }
  free (auth->audience);
  free (auth);
}

char *
sr_auth_read_pem (const char *value, char *err, size_t errlen)
{
  struct stat st;
  FILE *f;
  char *buf;
  size_t n;

  if (0 == strncmp (value, "-----BEGIN", 10)) {
    buf = strdup (value);
    if (NULL == buf)
      set_err (err, errlen, "out of memory reading %s", ENV_PUBKEY);
    return buf;
  }
  f = fopen (value, "rb");
  if (NULL == f) {
    set_err (err, errlen, "%s is neither PEM text nor a readable file: "
             "%s: %s", ENV_PUBKEY, value, strerror (errno));
    return NULL;
  }
  /* fopen() opens a directory too; reading it then yields nothing, which
   * would pass for "no key configured". */
  if (0 == fstat (fileno (f), &st) && S_ISDIR (st.st_mode)) {
    fclose (f);
    set_err (err, errlen, "%s: %s is a directory, not a PEM file",
             ENV_PUBKEY, value);
    return NULL;
  }
  buf = malloc (AUTH_MAX_PEM_FILE + 1);
  if (NULL == buf) {
    fclose (f);
    set_err (err, errlen, "out of memory reading %s", ENV_PUBKEY);
    return NULL;
  }
  n = fread (buf, 1, AUTH_MAX_PEM_FILE + 1, f);
  if (0 != ferror (f)) {
    set_err (err, errlen, "%s: cannot read %s: %s", ENV_PUBKEY, value,
             strerror (errno));
    n = 0;
  } else if (0 == n) {
    set_err (err, errlen, "%s: %s is empty", ENV_PUBKEY, value);
  } else if (n > AUTH_MAX_PEM_FILE) {
    set_err (err, errlen, "%s: %s is over %d bytes, too large for a PEM "
             "public key", ENV_PUBKEY, value, AUTH_MAX_PEM_FILE);
    n = 0;
  }
  fclose (f);
  if (0 == n) {
    free (buf);
    return NULL;
  }
  buf[n] = '\0';
  return buf;
}

const char *
sr_auth_algorithm (const struct sr_auth *auth)
{
  if (NULL == auth)
    return "";
  return auth->alg->name;
}

/* ------------------------------------------------------------------ */
/* Token parsing                                                       */

/* The 6-bit value of a base64url character, or -1. */
static int
b64url_value (unsigned char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if ('-' == c)
    return 62;
  if ('_' == c)
    return 63;
  return -1;
}

/*
 * Decode unpadded base64url (RFC 7515 section 2).  Rejects a length that
 * no encoder produces and non-zero leftover bits, so that each byte string
 * has exactly one accepted spelling.
 *
 * @return 0 and *out_len, or -1
 */
static int
b64url_decode (const char *src, size_t len, unsigned char *dst, size_t cap,
               size_t *out_len)
{
  size_t full = len / 4, rest = len % 4;
  size_t need = full * 3 + (rest ? rest - 1 : 0);
  size_t o = 0;
  int v[4];

  if (1 == rest || need > cap)
    return -1;
  for (size_t i = 0; i < len; i += 4) {
    size_t n = len - i < 4 ? len - i : 4;
    unsigned long acc = 0;

    for (size_t j = 0; j < n; j++) {
      v[j] = b64url_value ((unsigned char) src[i + j]);
      if (v[j] < 0)
        return -1;
    }
    if (4 == n) {
      acc = ((unsigned long) v[0] << 18) | ((unsigned long) v[1] << 12)
            | ((unsigned long) v[2] << 6) | (unsigned long) v[3];
      dst[o++] = (unsigned char) (acc >> 16);
      dst[o++] = (unsigned char) (acc >> 8);
      dst[o++] = (unsigned char) acc;
    } else if (3 == n) {
      if (0 != (v[2] & 0x3))
        return -1;
      acc = ((unsigned long) v[0] << 10) | ((unsigned long) v[1] << 4)
            | ((unsigned long) v[2] >> 2);
      dst[o++] = (unsigned char) (acc >> 8);
      dst[o++] = (unsigned char) acc;
    } else {
      if (0 != (v[1] & 0xf))
        return -1;
      dst[o++] = (unsigned char) ((v[0] << 2) | (v[1] >> 4));
    }
  }
  *out_len = o;
  return 0;
}

/*
 * Check the shape of a compact JWS: three non-empty base64url segments.
 * @return the length of the header segment, or 0 when malformed
 */
static size_t
split_compact (const char *tok, size_t len)
{
  size_t dots = 0, seg_start = 0, header_len = 0;

  for (size_t i = 0; i <= len; i++) {
    if (i == len || '.' == tok[i]) {
      if (i == seg_start)
        return 0;                         /* empty segment */
      if (0 == dots)
        header_len = i;
      if (i < len && ++dots > 2)
        return 0;
      seg_start = i + 1;
    } else if (b64url_value ((unsigned char) tok[i]) < 0) {
      return 0;
    }
  }
  return 2 == dots ? header_len : 0;
}

/*
 * Check the JOSE header ourselves, before libjwt is involved.
 * @return NULL when acceptable, otherwise the reason
 */
static const char *
check_jose_header (const struct sr_auth *auth, const char *seg, size_t len)
{
  unsigned char buf[AUTH_MAX_HEADER_JSON];
  size_t n = 0;
  json_t *hdr;
  json_t *alg;
  const char *why = NULL;

  if (0 != b64url_decode (seg, len, buf, sizeof (buf), &n))
    return "token header is not base64url";
  /* Duplicate keys are refused: with two "alg" members, which one wins is
   * a parser's choice, and ours and libjwt's must not be able to differ. */
  hdr = json_loadb ((const char *) buf, n, JSON_REJECT_DUPLICATES, NULL);
  if (!json_is_object (hdr)) {
    json_decref (hdr);
    return "token header is not a JSON object";
  }
  alg = json_object_get (hdr, "alg");
  if (!json_is_string (alg)
      || 0 != strcmp (json_string_value (alg), auth->alg->name))
    why = "algorithm not accepted";
  else if (NULL != json_object_get (hdr, "crit"))
    /* RFC 7515 4.1.11: extensions we do not implement must be refused. */
    why = "unsupported critical header";
  json_decref (hdr);
  return why;
}

/* Whether a JSON "aud" value names @a audience. */
static bool
audience_matches (const json_t *aud, const char *audience)
{
  size_t i;
  json_t *item;

  if (json_is_string (aud))
    return 0 == strcmp (json_string_value (aud), audience);
  if (!json_is_array (aud))
    return false;
  json_array_foreach (aud, i, item) {
    if (json_is_string (item)
        && 0 == strcmp (json_string_value (item), audience))
      return true;
  }
  return false;
}

/*
 * The claims, parsed by us from the payload segment (libjwt parses them
 * without complaint when they are an array, a string, or hold a claim
 * twice -- keeping the last -- and then offers them only re-serialized).
 * The signature covers the segment's bytes, whoever decodes them, and our
 * base64url decoder accepts one spelling per byte string.
 *
 * @param[out] out  the claims object on success
 * @return NULL when acceptable, otherwise the reason
 */
static const char *
parse_claims (const char *seg, size_t len, json_t **out)
{
  unsigned char buf[AUTH_MAX_HEADER_JSON];
  json_error_t jerr;
  json_t *claims;
  size_t n = 0;

  *out = NULL;
  if (0 != b64url_decode (seg, len, buf, sizeof (buf), &n))
    return "token payload is not base64url";
  claims = json_loadb ((const char *) buf, n,
                       JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
  if (NULL == claims)
    return json_error_duplicate_key == json_error_code (&jerr)
           ? "token payload has a duplicate claim"
           : "token payload is not a JSON object";
  if (!json_is_object (claims)) {
    json_decref (claims);
    return "token payload is not a JSON object";
  }
  *out = claims;
  return NULL;
}

/*
 * Check the claims of a token whose signature verified and fill @a who.
 * @return NULL when acceptable, otherwise the reason
 */
static const char *
check_claims (const struct sr_auth *auth, const json_t *claims,
              long long now, struct sr_principal *who, long long *not_before,
              long long *expires)
{
  long long leeway = (long long) auth->leeway_s;
  const json_t *exp = json_object_get (claims, "exp");
  const json_t *nbf = json_object_get (claims, "nbf");
  const json_t *role = json_object_get (claims, "role");
  const json_t *sub = json_object_get (claims, "sub");
  const char *role_s;
  long long v;
  int n;

  if (NULL == exp)
    return "token has no exp claim";
  if (!json_is_integer (exp))
    return "exp claim is not an integer";
  v = (long long) json_integer_value (exp);
  /* exp + leeway > now, without overflowing on a hostile exp. */
  if (v <= LLONG_MAX - leeway && v + leeway <= now)
    return "token expired";
  who->exp = v;
  *expires = v <= LLONG_MAX - leeway ? v + leeway : LLONG_MAX;
  *not_before = LLONG_MIN;

  if (NULL != nbf) {
    if (!json_is_integer (nbf))
      return "nbf claim is not an integer";
    v = (long long) json_integer_value (nbf);
    /* nbf - leeway <= now, again overflow-safe. */
    if (v >= LLONG_MIN + leeway && v - leeway > now)
      return "token not yet valid";
    *not_before = v >= LLONG_MIN + leeway ? v - leeway : LLONG_MIN;
  }

  if (!audience_matches (json_object_get (claims, "aud"), auth->audience))
    return "audience mismatch";

  if (!json_is_string (role))
    return "token has no role claim";
  role_s = json_string_value (role);
  /* Compared in full, before the copy below may truncate it. */
  if (0 == strcmp (role_s, "service_role"))
    who->role = SR_ROLE_SERVICE;
  else if (0 == strcmp (role_s, "authenticated"))
    who->role = SR_ROLE_AUTHENTICATED;
  else
    who->role = SR_ROLE_NONE;
  /* role_name is for display and logs; truncation is documented. */
  n = snprintf (who->role_name, sizeof (who->role_name), "%s", role_s);
  if (n < 0)
    who->role_name[0] = '\0';

  if (NULL != sub) {
    /* A truncated subject could name someone else, so unlike role_name it
     * must fit or the token is refused. */
    if (!json_is_string (sub))
      return "sub claim is not a string";
    n = snprintf (who->sub, sizeof (who->sub), "%s", json_string_value (sub));
    if (n < 0 || (size_t) n >= sizeof (who->sub))
      return "sub claim too long";
  }
  return NULL;
}

enum sr_status
sr_auth_verify (const struct sr_auth *auth, const char *header, time_t now,
                struct sr_principal *who, const char **reason)
{
  const char *ignored;
  struct sr_principal p;
  const char *tok;
  const char *payload;
  const char *why;
  size_t tok_len, header_len;
  long long not_before, expires;
  jwt_t *jwt = NULL;
  json_t *claims;
  int rc;

  /* A local, not a static: callers on many threads may all pass NULL. */
  if (NULL == reason)
    reason = &ignored;
  *reason = NULL;
  memset (&p, 0, sizeof (p));
  if (NULL != who)
    *who = p;
  if (NULL == auth) {
    *reason = "authentication is not configured";
    return SR_E_AUTH_UNCONFIGURED;
  }
  if (NULL == who) {
    *reason = "internal error";
    return SR_E_INTERNAL;
  }

  if (NULL == header || '\0' == header[0]) {
    *reason = "missing bearer token";
    return SR_E_UNAUTHENTICATED;
  }
  if (strcspn (header, " ") != 6 || 0 != strncasecmp (header, "Bearer", 6)) {
    *reason = "authorization scheme is not Bearer";
    return SR_E_UNAUTHENTICATED;
  }
  tok = header + 6;
  while (' ' == *tok)
    tok++;
  if ('\0' == *tok) {
    *reason = "empty bearer token";
    return SR_E_UNAUTHENTICATED;
  }
  tok_len = strnlen (tok, AUTH_MAX_TOKEN + 1);
  if (tok_len > AUTH_MAX_TOKEN) {
    *reason = "bearer token too long";
    return SR_E_UNAUTHENTICATED;
  }
  /* The same token this thread verified lately, still inside its exp and
   * nbf window: the same principal. */
  if (sr_auth_memo_find (auth->id, tok, tok_len, (long long) now, who))
    return SR_OK;
  header_len = split_compact (tok, tok_len);
  if (0 == header_len) {
    *reason = "malformed bearer token";
    return SR_E_UNAUTHENTICATED;
  }
  why = check_jose_header (auth, tok, header_len);
  if (NULL != why) {
    *reason = why;
    return SR_E_UNAUTHENTICATED;
  }
  payload = tok + header_len + 1;
  why = parse_claims (payload, strcspn (payload, "."), &claims);
  if (NULL != why) {
    *reason = why;
    return SR_E_UNAUTHENTICATED;
  }

  /* tok is NUL-terminated right after the signature: split_compact()
   * accepted every byte up to strnlen()'s end.  The key is never NULL. */
  rc = jwt_decode (&jwt, tok, auth->key, (int) auth->key_len);
  if (0 != rc || NULL == jwt) {
    jwt_free (jwt);
    json_decref (claims);
    ERR_clear_error ();
    if (ENOMEM == rc) {
      *reason = "out of memory";
      return SR_E_INTERNAL;
    }
    *reason = "signature does not verify";
    return SR_E_UNAUTHENTICATED;
  }
  if (jwt_get_alg (jwt) != auth->alg->jwt) {
    jwt_free (jwt);
    json_decref (claims);
    *reason = "algorithm not accepted";
    return SR_E_UNAUTHENTICATED;
  }
  jwt_free (jwt);
  why = check_claims (auth, claims, (long long) now, &p, &not_before,
                      &expires);
  json_decref (claims);
  if (NULL != why) {
    *reason = why;
    return SR_E_UNAUTHENTICATED;
  }
  sr_auth_memo_keep (auth->id, tok, tok_len, not_before, expires, &p);
  *who = p;
  return SR_OK;
}

enum sr_status
sr_auth_allows (const struct sr_principal *who, enum sr_auth_policy policy)
{
  enum sr_auth_role role = NULL != who ? who->role : SR_ROLE_NONE;

  switch (policy) {
  case SR_AUTH_PUBLIC:
    return SR_OK;
  case SR_AUTH_AUTHENTICATED:
    if (SR_ROLE_AUTHENTICATED == role || SR_ROLE_SERVICE == role)
      return SR_OK;
    return SR_E_FORBIDDEN;
  case SR_AUTH_SERVICE_ROLE:
    if (SR_ROLE_SERVICE == role)
      return SR_OK;
    return SR_E_FORBIDDEN;
  }
  /* An out-of-range policy is a bug; fail closed. */
  return SR_E_FORBIDDEN;
}

bool
sr_auth_bearer_matches (const char *header, const char *token)
{
  size_t want, got;

  if (NULL == header || NULL == token || 0 != strncasecmp (header, "Bearer ", 7))
    return false;
  header += 7;
  want = strlen (token);
  got = strlen (header);
  /* Lengths may differ in time: only the bytes are secret. */
  return got == want && 0 == CRYPTO_memcmp (header, token, want);
}

const char *
sr_auth_policy_name (enum sr_auth_policy policy)
{
  switch (policy) {
  case SR_AUTH_PUBLIC:
    return "public";
  case SR_AUTH_AUTHENTICATED:
    return "authenticated";
  case SR_AUTH_SERVICE_ROLE:
    return "service_role";
  }
  return "unknown";
}

/* end of auth.c */
