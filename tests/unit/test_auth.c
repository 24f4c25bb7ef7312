/*
 * test_auth.c -- the bearer-token verifier against the whole rejection
 * matrix.
 *
 * Tokens are minted with libjwt itself (the same library a client would
 * plausibly use), except the ones no honest library produces -- alg none,
 * duplicate header members, broken base64 -- which are assembled by hand.
 * RSA and EC keys are generated per test so no key material lives in the
 * repository.  Time is a fixed constant, never the clock, so the exp/nbf
 * edges are exact.
 */
#include "auth.h"
#include "auth_memo.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "check.h"

#define NOW 1700000000L
#define AUD "signalroom"
#define LEEWAY 30u

static const char secret[] = "0123456789abcdef0123456789abcdef";   /* 32 */
static const char other_secret[] = "fedcba9876543210fedcba9876543210";

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* What to put in a minted token; the zero value is a good token. */
struct claims {
  long exp;                 /* 0: NOW + 3600 */
  bool no_exp;
  long nbf;
  bool has_nbf;
  const char *aud;          /* NULL: AUD */
  bool no_aud;
  const char *role;         /* NULL: "authenticated" */
  bool no_role;
  const char *sub;          /* NULL: "user-1" */
  bool no_sub;
  const char *extra_json;   /* more claims, via jwt_add_grants_json() */
  const char *headers_json; /* more header members */
};

/* "Bearer <token>", or NULL when minting failed. */
static char *
bearer_of (const char *token)
{
  size_t n = strlen ("Bearer ") + strlen (token) + 1;
  char *h = malloc (n);
  int w;

  if (NULL == h)
    return NULL;
  w = snprintf (h, n, "Bearer %s", token);
  if (w < 0 || (size_t) w >= n) {
    free (h);
    return NULL;
  }
  return h;
}

static char *
mint (jwt_alg_t alg, const void *key, size_t key_len, const struct claims *c)
{
  jwt_t *jwt = NULL;
  char *token = NULL;
  char *header = NULL;
  bool ok;

  if (0 != jwt_new (&jwt))
    return NULL;
  ok = (c->no_exp
        || 0 == jwt_add_grant_int (jwt, "exp", c->exp ? c->exp : NOW + 3600))
       && (!c->has_nbf || 0 == jwt_add_grant_int (jwt, "nbf", c->nbf))
       && (c->no_aud || 0 == jwt_add_grant (jwt, "aud", c->aud ? c->aud : AUD))
       && (c->no_role
           || 0 == jwt_add_grant (jwt, "role",
                                  c->role ? c->role : "authenticated"))
       && (c->no_sub || 0 == jwt_add_grant (jwt, "sub",
                                            c->sub ? c->sub : "user-1"))
       && (NULL == c->extra_json
           || 0 == jwt_add_grants_json (jwt, c->extra_json))
       && (NULL == c->headers_json
           || 0 == jwt_add_headers_json (jwt, c->headers_json))
       && 0 == jwt_set_alg (jwt, alg, key, (int) key_len);
  if (ok)
    token = jwt_encode_str (jwt);
  jwt_free (jwt);
  if (NULL == token)
    return NULL;
  header = bearer_of (token);
  free (token);
  return header;
}

static char *
mint_hs (const struct claims *c)
{
  return mint (JWT_ALG_HS256, secret, strlen (secret), c);
}

static char *
b64url (const void *data, size_t len)
{
  static const char abc[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const unsigned char *p = data;
  char *out = malloc (len / 3 * 4 + 5);
  size_t o = 0, i;

  if (NULL == out)
    return NULL;
  for (i = 0; i + 2 < len; i += 3) {
    out[o++] = abc[p[i] >> 2];
    out[o++] = abc[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
    out[o++] = abc[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)];
    out[o++] = abc[p[i + 2] & 63];
  }
  if (len - i == 1) {
    out[o++] = abc[p[i] >> 2];
    out[o++] = abc[(p[i] & 3) << 4];
  } else if (len - i == 2) {
    out[o++] = abc[p[i] >> 2];
    out[o++] = abc[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
    out[o++] = abc[(p[i + 1] & 15) << 2];
  }
  out[o] = '\0';
  return out;
}

/* "Bearer b64(header).b64(payload).sig", assembled by hand. */
static char *
craft (const char *header_json, const char *payload_json, const char *sig)
{
  char *h = b64url (header_json, strlen (header_json));
  char *p = b64url (payload_json, strlen (payload_json));
  char *out = NULL;
  size_t n;
  int w;

  if (NULL != h && NULL != p) {
    n = strlen (h) + strlen (p) + strlen (sig) + 16;
    out = malloc (n);
    if (NULL != out) {
      w = snprintf (out, n, "Bearer %s.%s.%s", h, p, sig);
      if (w < 0 || (size_t) w >= n) {
        free (out);
        out = NULL;
      }
    }
  }
  free (h);
  free (p);
  return out;
}

/* Like craft(), but with a real HS256 signature under @a secret, so a
 * payload no library would mint still verifies. */
static char *
craft_signed (const char *header_json, const char *payload_json)
{
  char *h = b64url (header_json, strlen (header_json));
  char *p = b64url (payload_json, strlen (payload_json));
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  char *signing = NULL, *sig = NULL, *out = NULL;
  size_t n;

  if (NULL != h && NULL != p) {
    n = strlen (h) + strlen (p) + 2;
    signing = malloc (n);
    if (NULL != signing) {
      snprintf (signing, n, "%s.%s", h, p);
      if (NULL != HMAC (EVP_sha256 (), secret, (int) strlen (secret),
                        (const unsigned char *) signing, strlen (signing),
                        mac, &mac_len))
        sig = b64url (mac, mac_len);
    }
  }
  if (NULL != sig) {
    n = strlen (signing) + strlen (sig) + 16;
    out = malloc (n);
    if (NULL != out)
      snprintf (out, n, "Bearer %s.%s", signing, sig);
  }
  free (h);
  free (p);
  free (signing);
  free (sig);
  return out;
}

/* A valid payload for hand-crafted tokens. */
static const char good_payload[] =
  "{\"aud\":\"" AUD "\",\"exp\":1700003600,\"role\":\"authenticated\","
  "\"sub\":\"user-1\"}";

struct keypair {
  char *pub;                /* SubjectPublicKeyInfo PEM */
  char *priv;               /* PKCS#8 PEM, for libjwt to sign with */
};

static char *
bio_to_string (BIO *bio)
{
  char *data = NULL;
  long n = BIO_get_mem_data (bio, &data);
  char *s;

  if (n <= 0 || NULL == data)
    return NULL;
  s = malloc ((size_t) n + 1);
  if (NULL == s)
    return NULL;
  memcpy (s, data, (size_t) n);
  s[n] = '\0';
  return s;
}

/* @a type EVP_PKEY_RSA (with @a param bits), EVP_PKEY_EC (with @a param a
 * curve NID) or EVP_PKEY_ED25519. */
static bool
gen_key (int type, int param, struct keypair *kp)
{
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id (type, NULL);
  EVP_PKEY *pkey = NULL;
  BIO *pub = BIO_new (BIO_s_mem ());
  BIO *priv = BIO_new (BIO_s_mem ());
  bool ok;

  memset (kp, 0, sizeof (*kp));
  ok = NULL != ctx && NULL != pub && NULL != priv
       && 1 == EVP_PKEY_keygen_init (ctx);
  if (ok && EVP_PKEY_RSA == type)
    ok = 1 == EVP_PKEY_CTX_set_rsa_keygen_bits (ctx, param);
  if (ok && EVP_PKEY_EC == type)
    ok = 1 == EVP_PKEY_CTX_set_ec_paramgen_curve_nid (ctx, param);
  ok = ok && 1 == EVP_PKEY_keygen (ctx, &pkey)
       && 1 == PEM_write_bio_PUBKEY (pub, pkey)
       && 1 == PEM_write_bio_PrivateKey (priv, pkey, NULL, NULL, 0, NULL,
                                         NULL);
  if (ok) {
    kp->pub = bio_to_string (pub);
    kp->priv = bio_to_string (priv);
    ok = NULL != kp->pub && NULL != kp->priv;
  }
  EVP_PKEY_free (pkey);
  EVP_PKEY_CTX_free (ctx);
  BIO_free (pub);
  BIO_free (priv);
  return ok;
}

static void
keypair_free (struct keypair *kp)
{
  free (kp->pub);
  free (kp->priv);
}

static struct sr_auth *
hs_auth (void)
{
  struct sr_auth *a = NULL;
  char err[256];

  if (SR_OK != sr_auth_new (secret, NULL, NULL, AUD, LEEWAY, &a, err,
                            sizeof (err))) {
    fprintf (stderr, "sr_auth_new: %s\n", err);
    return NULL;
  }
  return a;
}

#define EXPECT_REJECT(auth, hdr, why)                                      \
  do {                                                                     \
    struct sr_principal t_who;                                             \
    const char *t_why = NULL;                                              \
    CHECK_INT_EQ (sr_auth_verify ((auth), (hdr), NOW, &t_who, &t_why),     \
                  SR_E_UNAUTHENTICATED);                                   \
    CHECK_STR_EQ (t_why, (why));                                           \
    CHECK_INT_EQ (t_who.role, SR_ROLE_NONE);                               \
  } while (0)

#define EXPECT_ACCEPT(auth, hdr)                                           \
  do {                                                                     \
    struct sr_principal t_who;                                             \
    const char *t_why = NULL;                                              \
    CHECK_INT_EQ (sr_auth_verify ((auth), (hdr), NOW, &t_who, &t_why),     \
                  SR_OK);                                                  \
    if (NULL != t_why)                                                     \
      fprintf (stderr, "  rejected: %s\n", t_why);                         \
  } while (0)

/* Mint with @a c, expect rejection for @a why; frees what it minted. */
#define EXPECT_MINTED_REJECT(auth, c, why)                                 \
  do {                                                                     \
    char *t_hdr = mint_hs (c);                                             \
    CHECK (NULL != t_hdr);                                                 \
    if (NULL != t_hdr)                                                     \
      EXPECT_REJECT ((auth), t_hdr, (why));                                \
    free (t_hdr);                                                          \
  } while (0)

#define EXPECT_MINTED_ACCEPT(auth, c)                                      \
  do {                                                                     \
    char *t_hdr = mint_hs (c);                                             \
    CHECK (NULL != t_hdr);                                                 \
    if (NULL != t_hdr)                                                     \
      EXPECT_ACCEPT ((auth), t_hdr);                                       \
    free (t_hdr);                                                          \
  } while (0)

/* ------------------------------------------------------------------ */
/* Header and token shape                                              */

SR_TEST (test_no_token)
{
  struct sr_auth *a = hs_auth ();
  REQUIRE (NULL != a);

  EXPECT_REJECT (a, NULL, "missing bearer token");
  EXPECT_REJECT (a, "", "missing bearer token");
  sr_auth_free (a);
}

SR_TEST (test_scheme)
{
  struct sr_auth *a = hs_auth ();
  struct claims c = { 0 };
  char *h;
  char buf[2048];
  int n;

  REQUIRE (NULL != a);
  EXPECT_REJECT (a, "garbage", "authorization scheme is not Bearer");
  EXPECT_REJECT (a, "Basic dXNlcjpwYXNz",
                 "authorization scheme is not Bearer");
  EXPECT_REJECT (a, "Bearerx abc.def.ghi",
                 "authorization scheme is not Bearer");
  EXPECT_REJECT (a, "Bearer\tabc.def.ghi",
                 "authorization scheme is not Bearer");
  EXPECT_REJECT (a, " Bearer abc.def.ghi",
                 "authorization scheme is not Bearer");
  EXPECT_REJECT (a, "Bearer", "empty bearer token");
  EXPECT_REJECT (a, "Bearer    ", "empty bearer token");

  /* The scheme is case-insensitive and any number of spaces may follow. */
  h = mint_hs (&c);
  REQUIRE (NULL != h);
  EXPECT_ACCEPT (a, h);
  n = snprintf (buf, sizeof (buf), "bEARER   %s", h + strlen ("Bearer "));
  REQUIRE (n > 0 && (size_t) n < sizeof (buf));
  EXPECT_ACCEPT (a, buf);
  /* Trailing junk makes the signature segment invalid. */
  n = snprintf (buf, sizeof (buf), "%s extra", h);
  REQUIRE (n > 0 && (size_t) n < sizeof (buf));
  EXPECT_REJECT (a, buf, "malformed bearer token");
  free (h);
  sr_auth_free (a);
}

SR_TEST (test_token_too_long)
{
  struct sr_auth *a = hs_auth ();
  size_t n = strlen ("Bearer ") + 8193;
  char *h = malloc (n + 1);

  REQUIRE (NULL != a);
  REQUIRE (NULL != h);
  memcpy (h, "Bearer ", 7);
  memset (h + 7, 'a', n - 7);
  h[n] = '\0';
  EXPECT_REJECT (a, h, "bearer token too long");
  free (h);
  sr_auth_free (a);
}

SR_TEST (test_malformed)
{
  struct sr_auth *a = hs_auth ();
  char *h;

  REQUIRE (NULL != a);
  EXPECT_REJECT (a, "Bearer abc.def", "malformed bearer token");
  EXPECT_REJECT (a, "Bearer abcdef", "malformed bearer token");
  EXPECT_REJECT (a, "Bearer a.b.c.d", "malformed bearer token");
  EXPECT_REJECT (a, "Bearer a..c", "malformed bearer token");
  EXPECT_REJECT (a, "Bearer .b.c", "malformed bearer token");
  EXPECT_REJECT (a, "Bearer a.b.", "malformed bearer token");
  EXPECT_REJECT (a, "Bearer a*b.c.d", "malformed bearer token");
  EXPECT_REJECT (a, "Bearer YWJj.ZGVm.Z2hp=", "malformed bearer token");
  EXPECT_REJECT (a, "Bearer YW+j.ZGVm.Z2hp", "malformed bearer token");

  /* Bad base64: a length no encoder produces, or stray low bits. */
  EXPECT_REJECT (a, "Bearer A.b.c", "token header is not base64url");
  EXPECT_REJECT (a, "Bearer eyJhbGciOiJIUzI1NiJ9x.b.c",
                 "token header is not base64url");
  EXPECT_REJECT (a, "Bearer YR.b.c", "token header is not base64url");

  /* Decodes, but is not a JSON object. */
  EXPECT_REJECT (a, "Bearer YQ.b.c", "token header is not a JSON object");
  h = craft ("[\"alg\",\"HS256\"]", good_payload, "c2ln");
  REQUIRE (NULL != h);
  EXPECT_REJECT (a, h, "token header is not a JSON object");
  free (h);
  /* Two "alg" members: refused rather than guessing which one counts. */
  h = craft ("{\"alg\":\"HS256\",\"alg\":\"none\"}", good_payload, "c2ln");
  REQUIRE (NULL != h);
  EXPECT_REJECT (a, h, "token header is not a JSON object");
  free (h);
  sr_auth_free (a);
}

/* ------------------------------------------------------------------ */
/* Payload shape                                                       */

#define HS_HEADER "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"

SR_TEST (test_signed_payload_shape)
{
  static const char *const not_objects[] = {
    "[1,2]", "\"abc\"", "42", "null", "true", "{\"aud\":", "",
  };
  struct sr_auth *a = hs_auth ();
  char *h;

  REQUIRE (NULL != a);
  /* The signing helper itself is sound. */
  h = craft_signed (HS_HEADER, good_payload);
  REQUIRE (NULL != h);
  EXPECT_ACCEPT (a, h);
  free (h);
  /* A correctly signed payload that is not a JSON object is refused
   * for what it is (not "out of memory", not a bad signature). */
  for (size_t i = 0; i < sizeof (not_objects) / sizeof (not_objects[0]);
       i++) {
    h = craft_signed (HS_HEADER, not_objects[i]);
    REQUIRE (NULL != h);
    if ('\0' == not_objects[i][0])
      EXPECT_REJECT (a, h, "malformed bearer token");
    else
      EXPECT_REJECT (a, h, "token payload is not a JSON object");
    free (h);
  }
  sr_auth_free (a);
}

SR_TEST (test_duplicate_claims)
{
  struct sr_auth *a = hs_auth ();
  char *h;

  REQUIRE (NULL != a);
  /* Which "role" counts would be a parser's choice: refused. */
  h = craft_signed (HS_HEADER,
                    "{\"aud\":\"" AUD "\",\"exp\":1700003600,"
                    "\"role\":\"authenticated\",\"role\":\"service_role\","
                    "\"sub\":\"user-1\"}");
  REQUIRE (NULL != h);
  EXPECT_REJECT (a, h, "token payload has a duplicate claim");
  free (h);
  h = craft_signed (HS_HEADER,
                    "{\"aud\":\"" AUD "\",\"exp\":1,\"exp\":1700003600,"
                    "\"role\":\"authenticated\"}");
  REQUIRE (NULL != h);
  EXPECT_REJECT (a, h, "token payload has a duplicate claim");
  free (h);
  sr_auth_free (a);
}

/* ------------------------------------------------------------------ */
/* Algorithm and signature                                             */

SR_TEST (test_bad_signature)
{
  struct sr_auth *a = hs_auth ();
  struct claims c = { 0 };
  char *h;
  size_t n;

  REQUIRE (NULL != a);
  h = mint (JWT_ALG_HS256, other_secret, strlen (other_secret), &c);
  REQUIRE (NULL != h);
  EXPECT_REJECT (a, h, "signature does not verify");
  free (h);

  /* A flipped character in an otherwise good signature. */
  h = mint_hs (&c);
  REQUIRE (NULL != h);
  n = strlen (h);
  h[n - 2] = 'A' == h[n - 2] ? 'B' : 'A';
  EXPECT_REJECT (a, h, "signature does not verify");
  free (h);

  /* A good header glued to a forged payload. */
  h = craft ("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", good_payload,
             "c2lnbmF0dXJl");
  REQUIRE (NULL != h);
  EXPECT_REJECT (a, h, "signature does not verify");
  free (h);
  sr_auth_free (a);
}

SR_TEST (test_alg_none)
{
  struct sr_auth *a = hs_auth ();
  char *h;

  REQUIRE (NULL != a);
  /* With an empty signature the shape is already wrong... */
  h = craft ("{\"alg\":\"none\"}", good_payload, "");
  REQUIRE (NULL != h);
  EXPECT_REJECT (a, h, "malformed bearer token");
  free (h);
  /* ...and with a fake one, the algorithm is refused before libjwt. */
  h = craft ("{\"alg\":\"none\",\"typ\":\"JWT\"}", good_payload, "ZmFrZQ");
  REQUIRE (NULL != h);
  EXPECT_REJECT (a, h, "algorithm not accepted");
  free (h);
  h = craft ("{\"alg\":\"NONE\"}", good_payload, "ZmFrZQ");
  REQUIRE (NULL != h);
  EXPECT_REJECT (a, h, "algorithm not accepted");
  free (h);
  /* Missing, non-string and wrongly-cased "alg". */
  h = craft ("{\"typ\":\"JWT\"}", good_payload, "ZmFrZQ");
  REQUIRE (NULL != h);
  EXPECT_REJECT (a, h, "algorithm not accepted");
  free (h);
  h = craft ("{\"alg\":null}", good_payload, "ZmFrZQ");
  REQUIRE (NULL != h);
  EXPECT_REJECT (a, h, "algorithm not accepted");
  free (h);
  h = craft ("{\"alg\":\"hs256\"}", good_payload, "ZmFrZQ");
  REQUIRE (NULL != h);
  EXPECT_REJECT (a, h, "algorithm not accepted");
  free (h);
  sr_auth_free (a);
}

SR_TEST (test_other_algorithm)
{
  struct sr_auth *a = hs_auth ();
  struct claims c = { 0 };
  char *h;

  REQUIRE (NULL != a);
  /* Same secret, stronger hash: still not what was pinned. */
  h = mint (JWT_ALG_HS512, secret, strlen (secret), &c);
  REQUIRE (NULL != h);
  EXPECT_REJECT (a, h, "algorithm not accepted");
  free (h);
  sr_auth_free (a);
}

SR_TEST (test_crit_header)
{
  struct sr_auth *a = hs_auth ();
  struct claims c = { .headers_json = "{\"crit\":[\"x-ext\"],\"x-ext\":1}" };
  char *h;

  REQUIRE (NULL != a);
  h = mint_hs (&c);
  REQUIRE (NULL != h);
  EXPECT_REJECT (a, h, "unsupported critical header");
  free (h);
  sr_auth_free (a);
}

/* The classic key-confusion attack: the verifier holds an RSA public key,
 * the attacker knows it too and "signs" an HS256 token with its PEM text
 * as the HMAC secret.  libjwt 1.10 alone would accept that token. */
SR_TEST (test_rs256_key_confusion)
{
  struct keypair kp;
  struct sr_auth *a = NULL;
  struct claims c = { .role = "service_role" };
  char err[256];
  char *h;

  REQUIRE (gen_key (EVP_PKEY_RSA, 2048, &kp));
  CHECK_INT_EQ (sr_auth_new (NULL, kp.pub, "RS256", AUD, LEEWAY, &a, err,
                             sizeof (err)), SR_OK);
  REQUIRE (NULL != a);
  h = mint (JWT_ALG_HS256, kp.pub, strlen (kp.pub), &c);
  REQUIRE (NULL != h);
  EXPECT_REJECT (a, h, "algorithm not accepted");
  free (h);
  /* And the derived pin behaves the same. */
  sr_auth_free (a);
  a = NULL;
  CHECK_INT_EQ (sr_auth_new (NULL, kp.pub, NULL, AUD, LEEWAY, &a, err,
                             sizeof (err)), SR_OK);
  REQUIRE (NULL != a);
  h = mint (JWT_ALG_HS256, kp.pub, strlen (kp.pub), &c);
  REQUIRE (NULL != h);
  EXPECT_REJECT (a, h, "algorithm not accepted");
  free (h);
  sr_auth_free (a);
  keypair_free (&kp);
}

/* ------------------------------------------------------------------ */
/* Claims                                                              */

SR_TEST (test_expiry)
{
  struct sr_auth *a = hs_auth ();

  REQUIRE (NULL != a);
  EXPECT_MINTED_REJECT (a, (&(struct claims) { .exp = NOW - 3600 }),
                        "token expired");
  /* exp + leeway must be strictly after now. */
  EXPECT_MINTED_REJECT (a, (&(struct claims) { .exp = NOW - LEEWAY }),
                        "token expired");
  EXPECT_MINTED_ACCEPT (a, (&(struct claims) { .exp = NOW - LEEWAY + 1 }));
  EXPECT_MINTED_ACCEPT (a, (&(struct claims) { .exp = NOW - 10 }));
  EXPECT_MINTED_ACCEPT (a, (&(struct claims) { .exp = NOW + 1 }));
  sr_auth_free (a);
}

SR_TEST (test_expiry_without_leeway)
{
  struct sr_auth *a = NULL;
  char err[256];

  CHECK_INT_EQ (sr_auth_new (secret, NULL, "HS256", AUD, 0, &a, err,
                             sizeof (err)), SR_OK);
  REQUIRE (NULL != a);
  EXPECT_MINTED_REJECT (a, (&(struct claims) { .exp = NOW }), "token expired");
  EXPECT_MINTED_ACCEPT (a, (&(struct claims) { .exp = NOW + 1 }));
  EXPECT_MINTED_REJECT (a, (&(struct claims) { .has_nbf = true,
                                               .nbf = NOW + 1 }),
                        "token not yet valid");
  EXPECT_MINTED_ACCEPT (a, (&(struct claims) { .has_nbf = true,
                                               .nbf = NOW }));
  sr_auth_free (a);
}

SR_TEST (test_missing_or_bad_exp)
{
  struct sr_auth *a = hs_auth ();

  REQUIRE (NULL != a);
  EXPECT_MINTED_REJECT (a, (&(struct claims) { .no_exp = true }),
                        "token has no exp claim");
  EXPECT_MINTED_REJECT (a, (&(struct claims) {
                              .no_exp = true,
                              .extra_json = "{\"exp\":\"1700003600\"}" }),
                        "exp claim is not an integer");
  EXPECT_MINTED_REJECT (a, (&(struct claims) {
                              .no_exp = true,
                              .extra_json = "{\"exp\":1700003600.5}" }),
                        "exp claim is not an integer");
  /* A huge exp must not overflow into the past. */
  EXPECT_MINTED_ACCEPT (a, (&(struct claims) {
                              .no_exp = true,
                              .extra_json = "{\"exp\":9223372036854775807}"
                            }));
  sr_auth_free (a);
}

SR_TEST (test_not_before)
{
  struct sr_auth *a = hs_auth ();

  REQUIRE (NULL != a);
  EXPECT_MINTED_REJECT (a, (&(struct claims) { .has_nbf = true,
                                               .nbf = NOW + 3000 }),
                        "token not yet valid");
  EXPECT_MINTED_REJECT (a, (&(struct claims) { .has_nbf = true,
                                               .nbf = NOW + LEEWAY + 1 }),
                        "token not yet valid");
  EXPECT_MINTED_ACCEPT (a, (&(struct claims) { .has_nbf = true,
                                               .nbf = NOW + LEEWAY }));
  EXPECT_MINTED_ACCEPT (a, (&(struct claims) { .has_nbf = true,
                                               .nbf = NOW + 10 }));
  EXPECT_MINTED_ACCEPT (a, (&(struct claims) { .has_nbf = true,
                                               .nbf = NOW - 100 }));
  EXPECT_MINTED_REJECT (a, (&(struct claims) {
                              .extra_json = "{\"nbf\":\"soon\"}" }),
                        "nbf claim is not an integer");
  /* A hugely negative nbf must not underflow into the future. */
  EXPECT_MINTED_ACCEPT (a, (&(struct claims) {
                              .extra_json =
                                "{\"nbf\":-9223372036854775807}" }));
  sr_auth_free (a);
}

/* A token verified once is remembered (auth_memo.h): within its exp/nbf
 * window only, under the verifier that checked it only, and for exactly
 * its bytes. */
SR_TEST (test_memo_window_verifier_bytes)
{
  struct sr_auth *a = hs_auth (), *b = NULL;
  struct sr_principal who, again;
  const char *why = NULL;
  char err[256];
  char *h = mint_hs (&(struct claims) { .exp = NOW + 100, .has_nbf = true,
                                        .nbf = NOW - 50,
                                        .role = "service_role",
                                        .sub = "memo-user" });
  size_t len;

  REQUIRE (NULL != a && NULL != h);
  sr_auth_memo_clear ();
  CHECK_INT_EQ (sr_auth_verify (a, h, NOW, &who, &why), SR_OK);
  /* Again (remembered): the same principal. */
  CHECK_INT_EQ (sr_auth_verify (a, h, NOW + 1, &again, &why), SR_OK);
  CHECK_INT_EQ (again.role, SR_ROLE_SERVICE);
  CHECK_STR_EQ (again.sub, "memo-user");
  CHECK_INT_EQ (again.exp, NOW + 100);
  CHECK_STR_EQ (again.role_name, who.role_name);
  /* The window still holds: expired after exp + leeway, not valid before
   * nbf - leeway, however recently it was verified. */
  CHECK_INT_EQ (sr_auth_verify (a, h, NOW + 100 + LEEWAY - 1, &again, &why),
                SR_OK);
  CHECK_INT_EQ (sr_auth_verify (a, h, NOW + 100 + LEEWAY, &again, &why),
                SR_E_UNAUTHENTICATED);
  CHECK_STR_EQ (why, "token expired");
  CHECK_INT_EQ (sr_auth_verify (a, h, NOW - 50 - LEEWAY, &again, &why),
                SR_OK);
  CHECK_INT_EQ (sr_auth_verify (a, h, NOW - 50 - LEEWAY - 1, &again, &why),
                SR_E_UNAUTHENTICATED);
  CHECK_STR_EQ (why, "token not yet valid");
  /* Another verifier (another key), even one built where the first one
   * lived, has never checked this token. */
  sr_auth_free (a);
  CHECK_INT_EQ (sr_auth_new (other_secret, NULL, NULL, AUD, LEEWAY, &b, err,
                             sizeof (err)), SR_OK);
  REQUIRE (NULL != b);
  CHECK_INT_EQ (sr_auth_verify (b, h, NOW, &again, &why),
                SR_E_UNAUTHENTICATED);
  CHECK_STR_EQ (why, "signature does not verify");
  sr_auth_free (b);
  /* One byte of the signature changed: not the remembered token. */
  a = hs_auth ();
  REQUIRE (NULL != a);
  CHECK_INT_EQ (sr_auth_verify (a, h, NOW, &who, &why), SR_OK);
  len = strlen (h);
  h[len - 2] = 'A' == h[len - 2] ? 'B' : 'A';
  CHECK_INT_EQ (sr_auth_verify (a, h, NOW, &again, &why),
                SR_E_UNAUTHENTICATED);
  sr_auth_free (a);
  free (h);
}

SR_TEST (test_audience)
{
  struct sr_auth *a = hs_auth ();

  REQUIRE (NULL != a);
  EXPECT_MINTED_REJECT (a, (&(struct claims) { .aud = "someone-else" }),
                        "audience mismatch");
  EXPECT_MINTED_REJECT (a, (&(struct claims) { .aud = "signalroo" }),
                        "audience mismatch");
  EXPECT_MINTED_REJECT (a, (&(struct claims) { .no_aud = true }),
                        "audience mismatch");
  EXPECT_MINTED_REJECT (a, (&(struct claims) {
                              .no_aud = true,
                              .extra_json = "{\"aud\":[\"a\",\"b\"]}" }),
                        "audience mismatch");
  EXPECT_MINTED_REJECT (a, (&(struct claims) {
                              .no_aud = true,
                              .extra_json = "{\"aud\":[]}" }),
                        "audience mismatch");
  EXPECT_MINTED_REJECT (a, (&(struct claims) {
                              .no_aud = true,
                              .extra_json = "{\"aud\":42}" }),
                        "audience mismatch");
  EXPECT_MINTED_REJECT (a, (&(struct claims) {
                              .no_aud = true,
                              .extra_json = "{\"aud\":[[\"" AUD "\"]]}" }),
                        "audience mismatch");
  EXPECT_MINTED_ACCEPT (a, (&(struct claims) {
                              .no_aud = true,
                              .extra_json = "{\"aud\":[\"a\",\"" AUD "\"]}"
                            }));
  EXPECT_MINTED_ACCEPT (a, (&(struct claims) {
                              .no_aud = true,
                              .extra_json = "{\"aud\":[\"" AUD "\"]}" }));
  sr_auth_free (a);
}

SR_TEST (test_missing_role)
{
  struct sr_auth *a = hs_auth ();

  REQUIRE (NULL != a);
  EXPECT_MINTED_REJECT (a, (&(struct claims) { .no_role = true }),
                        "token has no role claim");
  EXPECT_MINTED_REJECT (a, (&(struct claims) {
                              .no_role = true,
                              .extra_json = "{\"role\":1}" }),
                        "token has no role claim");
  sr_auth_free (a);
}

SR_TEST (test_subject)
{
  struct sr_auth *a = hs_auth ();
  struct claims c = { .no_sub = true };
  struct sr_principal who;
  const char *why = NULL;
  char long_sub[200];
  char json[300];
  char *h;
  int n;

  REQUIRE (NULL != a);
  h = mint_hs (&c);
  REQUIRE (NULL != h);
  CHECK_INT_EQ (sr_auth_verify (a, h, NOW, &who, &why), SR_OK);
  CHECK_STR_EQ (who.sub, "");
  free (h);

  EXPECT_MINTED_REJECT (a, (&(struct claims) {
                              .no_sub = true,
                              .extra_json = "{\"sub\":7}" }),
                        "sub claim is not a string");

  /* Truncating a subject could make it name someone else. */
  memset (long_sub, 'u', sizeof (long_sub) - 1);
  long_sub[sizeof (long_sub) - 1] = '\0';
  c.sub = long_sub;
  c.no_sub = false;
  EXPECT_MINTED_REJECT (a, &c, "sub claim too long");
  /* 127 bytes is the most that fits. */
  long_sub[127] = '\0';
  n = snprintf (json, sizeof (json), "{\"sub\":\"%s\"}", long_sub);
  REQUIRE (n > 0 && (size_t) n < sizeof (json));
  c.no_sub = true;
  c.extra_json = json;
  h = mint_hs (&c);
  REQUIRE (NULL != h);
  CHECK_INT_EQ (sr_auth_verify (a, h, NOW, &who, &why), SR_OK);
  CHECK_STR_EQ (who.sub, long_sub);
  free (h);
  sr_auth_free (a);
}

/* ------------------------------------------------------------------ */
/* Roles and policies                                                  */

SR_TEST (test_role_anon)
{
  struct sr_auth *a = hs_auth ();
  struct claims c = { .role = "anon" };
  struct sr_principal who;
  const char *why = NULL;
  char *h;

  REQUIRE (NULL != a);
  h = mint_hs (&c);
  REQUIRE (NULL != h);
  CHECK_INT_EQ (sr_auth_verify (a, h, NOW, &who, &why), SR_OK);
  CHECK_INT_EQ (who.role, SR_ROLE_NONE);
  CHECK_STR_EQ (who.role_name, "anon");
  CHECK_INT_EQ (sr_auth_allows (&who, SR_AUTH_PUBLIC), SR_OK);
  CHECK_INT_EQ (sr_auth_allows (&who, SR_AUTH_AUTHENTICATED), SR_E_FORBIDDEN);
  CHECK_INT_EQ (sr_auth_allows (&who, SR_AUTH_SERVICE_ROLE), SR_E_FORBIDDEN);
  free (h);
  sr_auth_free (a);
}

SR_TEST (test_role_authenticated)
{
  struct sr_auth *a = hs_auth ();
  struct claims c = { .sub = "8d0f6a2e-user" };
  struct sr_principal who;
  const char *why = "unset";
  char *h;

  REQUIRE (NULL != a);
  h = mint_hs (&c);
  REQUIRE (NULL != h);
  CHECK_INT_EQ (sr_auth_verify (a, h, NOW, &who, &why), SR_OK);
  CHECK (NULL == why);
  CHECK_INT_EQ (who.role, SR_ROLE_AUTHENTICATED);
  CHECK_STR_EQ (who.role_name, "authenticated");
  CHECK_STR_EQ (who.sub, "8d0f6a2e-user");
  CHECK_INT_EQ (who.exp, NOW + 3600);
  CHECK_INT_EQ (sr_auth_allows (&who, SR_AUTH_PUBLIC), SR_OK);
  CHECK_INT_EQ (sr_auth_allows (&who, SR_AUTH_AUTHENTICATED), SR_OK);
  CHECK_INT_EQ (sr_auth_allows (&who, SR_AUTH_SERVICE_ROLE), SR_E_FORBIDDEN);
  free (h);
  sr_auth_free (a);
}

SR_TEST (test_role_service)
{
  struct sr_auth *a = hs_auth ();
  struct claims c = { .role = "service_role" };
  struct sr_principal who;
  const char *why = NULL;
  char *h;

  REQUIRE (NULL != a);
  h = mint_hs (&c);
  REQUIRE (NULL != h);
  CHECK_INT_EQ (sr_auth_verify (a, h, NOW, &who, &why), SR_OK);
  CHECK_INT_EQ (who.role, SR_ROLE_SERVICE);
  CHECK_STR_EQ (who.role_name, "service_role");
  CHECK_INT_EQ (sr_auth_allows (&who, SR_AUTH_PUBLIC), SR_OK);
  CHECK_INT_EQ (sr_auth_allows (&who, SR_AUTH_AUTHENTICATED), SR_OK);
  CHECK_INT_EQ (sr_auth_allows (&who, SR_AUTH_SERVICE_ROLE), SR_OK);
  free (h);
  sr_auth_free (a);
}

SR_TEST (test_role_odd_names)
{
  struct sr_auth *a = hs_auth ();
  struct claims c = {
    .role = "service_role_but_much_longer_than_thirty_one_bytes" };
  struct sr_principal who;
  const char *why = NULL;
  char *h;

  REQUIRE (NULL != a);
  /* Compared in full: a long role that starts like service_role is not
   * service_role, and its display copy is cut to fit. */
  h = mint_hs (&c);
  REQUIRE (NULL != h);
  CHECK_INT_EQ (sr_auth_verify (a, h, NOW, &who, &why), SR_OK);
  CHECK_INT_EQ (who.role, SR_ROLE_NONE);
  CHECK_INT_EQ (strlen (who.role_name), sizeof (who.role_name) - 1);
  CHECK (0 == strncmp (who.role_name, c.role, sizeof (who.role_name) - 1));
  free (h);
  /* Case matters. */
  c.role = "Service_Role";
  h = mint_hs (&c);
  REQUIRE (NULL != h);
  CHECK_INT_EQ (sr_auth_verify (a, h, NOW, &who, &why), SR_OK);
  CHECK_INT_EQ (who.role, SR_ROLE_NONE);
  free (h);
  sr_auth_free (a);
}

SR_TEST (test_allows_and_names)
{
  struct sr_principal who;

  memset (&who, 0, sizeof (who));
  CHECK_INT_EQ (sr_auth_allows (NULL, SR_AUTH_PUBLIC), SR_OK);
  CHECK_INT_EQ (sr_auth_allows (NULL, SR_AUTH_AUTHENTICATED), SR_E_FORBIDDEN);
  CHECK_INT_EQ (sr_auth_allows (NULL, SR_AUTH_SERVICE_ROLE), SR_E_FORBIDDEN);
  CHECK_INT_EQ (sr_auth_allows (&who, SR_AUTH_AUTHENTICATED), SR_E_FORBIDDEN);
  who.role = SR_ROLE_SERVICE;
  CHECK_INT_EQ (sr_auth_allows (&who, (enum sr_auth_policy) 99),
                SR_E_FORBIDDEN);
  CHECK_STR_EQ (sr_auth_policy_name (SR_AUTH_PUBLIC), "public");
  CHECK_STR_EQ (sr_auth_policy_name (SR_AUTH_AUTHENTICATED), "authenticated");
  CHECK_STR_EQ (sr_auth_policy_name (SR_AUTH_SERVICE_ROLE), "service_role");
}

SR_TEST (test_unconfigured)
{
  struct sr_principal who;
  const char *why = NULL;

  CHECK_INT_EQ (sr_auth_verify (NULL, "Bearer a.b.c", NOW, &who, &why),
                SR_E_AUTH_UNCONFIGURED);
  CHECK (NULL != why);
  sr_auth_free (NULL);
}

/* ------------------------------------------------------------------ */
/* Asymmetric keys                                                     */

SR_TEST (test_rs256_happy_path)
{
  struct keypair kp, other;
  struct sr_auth *a = NULL;
  struct claims c = { .role = "service_role", .sub = "svc" };
  struct sr_principal who;
  const char *why = NULL;
  char err[256];
  char *h;

  REQUIRE (gen_key (EVP_PKEY_RSA, 2048, &kp));
  REQUIRE (gen_key (EVP_PKEY_RSA, 2048, &other));
  CHECK_INT_EQ (sr_auth_new (NULL, kp.pub, NULL, AUD, LEEWAY, &a, err,
                             sizeof (err)), SR_OK);
  REQUIRE (NULL != a);
  CHECK_STR_EQ (sr_auth_algorithm (a), "RS256");

  h = mint (JWT_ALG_RS256, kp.priv, strlen (kp.priv), &c);
  REQUIRE (NULL != h);
  CHECK_INT_EQ (sr_auth_verify (a, h, NOW, &who, &why), SR_OK);
  CHECK_INT_EQ (who.role, SR_ROLE_SERVICE);
  CHECK_STR_EQ (who.sub, "svc");
  free (h);

  /* Signed by another key pair. */
  h = mint (JWT_ALG_RS256, other.priv, strlen (other.priv), &c);
  REQUIRE (NULL != h);
  EXPECT_REJECT (a, h, "signature does not verify");
  free (h);
  /* Right key, other RSA digest. */
  h = mint (JWT_ALG_RS512, kp.priv, strlen (kp.priv), &c);
  REQUIRE (NULL != h);
  EXPECT_REJECT (a, h, "algorithm not accepted");
  free (h);
  /* Claims are checked for RS tokens too. */
  c.exp = NOW - 3600;
  h = mint (JWT_ALG_RS256, kp.priv, strlen (kp.priv), &c);
  REQUIRE (NULL != h);
  EXPECT_REJECT (a, h, "token expired");
  free (h);
  sr_auth_free (a);
  keypair_free (&kp);
  keypair_free (&other);
}

SR_TEST (test_es256_happy_path)
{
  struct keypair kp, other;
  struct sr_auth *a = NULL;
  struct claims c = { 0 };
  struct sr_principal who;
  const char *why = NULL;
  char err[256];
  char *h;

  REQUIRE (gen_key (EVP_PKEY_EC, NID_X9_62_prime256v1, &kp));
  REQUIRE (gen_key (EVP_PKEY_EC, NID_X9_62_prime256v1, &other));
  CHECK_INT_EQ (sr_auth_new (NULL, kp.pub, "ES256", AUD, LEEWAY, &a, err,
                             sizeof (err)), SR_OK);
  REQUIRE (NULL != a);
  CHECK_STR_EQ (sr_auth_algorithm (a), "ES256");

  h = mint (JWT_ALG_ES256, kp.priv, strlen (kp.priv), &c);
  REQUIRE (NULL != h);
  CHECK_INT_EQ (sr_auth_verify (a, h, NOW, &who, &why), SR_OK);
  CHECK_INT_EQ (who.role, SR_ROLE_AUTHENTICATED);
  free (h);

  h = mint (JWT_ALG_ES256, other.priv, strlen (other.priv), &c);
  REQUIRE (NULL != h);
  EXPECT_REJECT (a, h, "signature does not verify");
  free (h);
  /* The public key's PEM as an HMAC secret, against an EC pin. */
  h = mint (JWT_ALG_HS256, kp.pub, strlen (kp.pub), &c);
  REQUIRE (NULL != h);
  EXPECT_REJECT (a, h, "algorithm not accepted");
  free (h);
  sr_auth_free (a);
  keypair_free (&kp);
  keypair_free (&other);
}

/* ------------------------------------------------------------------ */
/* Configuration                                                       */

/* Stands in for a stale pointer, to see sr_auth_new() reset *out. */
static char not_an_auth;

#define EXPECT_CONFIG_ERROR(secret_, pem_, alg_, aud_, needle)             \
  do {                                                                     \
    struct sr_auth *t_auth = (struct sr_auth *) (void *) &not_an_auth;     \
    char t_err[256] = "";                                                  \
    CHECK_INT_EQ (sr_auth_new ((secret_), (pem_), (alg_), (aud_), LEEWAY,  \
                               &t_auth, t_err, sizeof (t_err)),            \
                  SR_E_CONFIG);                                            \
    CHECK (NULL == t_auth);                                                \
    CHECK_CONTAINS (t_err, (needle));                                      \
    CHECK (NULL == strchr (t_err, '\n'));                                  \
  } while (0)

#define EXPECT_DERIVED(secret_, pem_, alg_, want)                          \
  do {                                                                     \
    struct sr_auth *t_auth = NULL;                                         \
    char t_err[256] = "";                                                  \
    CHECK_INT_EQ (sr_auth_new ((secret_), (pem_), (alg_), AUD, LEEWAY,     \
                               &t_auth, t_err, sizeof (t_err)), SR_OK);    \
    if (t_err[0])                                                          \
      fprintf (stderr, "  err: %s\n", t_err);                              \
    CHECK (NULL != t_auth);                                                \
    if (NULL != t_auth)                                                    \
      CHECK_STR_EQ (sr_auth_algorithm (t_auth), (want));                   \
    sr_auth_free (t_auth);                                                 \
  } while (0)

SR_TEST (test_config_key_choice)
{
  struct keypair kp;

  REQUIRE (gen_key (EVP_PKEY_EC, NID_X9_62_prime256v1, &kp));
  EXPECT_CONFIG_ERROR (secret, kp.pub, NULL, AUD, "SIGNALROOM_JWT_SECRET");
  EXPECT_CONFIG_ERROR (secret, kp.pub, NULL, AUD,
                       "SIGNALROOM_JWT_PUBLIC_KEY");
  EXPECT_CONFIG_ERROR (NULL, NULL, NULL, AUD, "SIGNALROOM_JWT_SECRET");
  EXPECT_CONFIG_ERROR (NULL, NULL, NULL, AUD, "SIGNALROOM_JWT_PUBLIC_KEY");
  EXPECT_CONFIG_ERROR ("", "", "HS256", AUD, "SIGNALROOM_JWT_SECRET");
  EXPECT_CONFIG_ERROR (secret, NULL, NULL, "", "SIGNALROOM_JWT_AUDIENCE");
  EXPECT_CONFIG_ERROR (secret, NULL, NULL, NULL, "SIGNALROOM_JWT_AUDIENCE");
  keypair_free (&kp);
}

SR_TEST (test_config_secret_length)
{
  EXPECT_CONFIG_ERROR ("short", NULL, NULL, AUD, "SIGNALROOM_JWT_SECRET");
  EXPECT_CONFIG_ERROR ("0123456789abcdef0123456789abcde", NULL, NULL, AUD,
                       "at least 32 bytes");
  EXPECT_DERIVED ("0123456789abcdef0123456789abcdef", NULL, NULL, "HS256");
  /* RFC 7518 3.2: the key is at least as long as the hash output. */
  EXPECT_CONFIG_ERROR (secret, NULL, "HS384", AUD, "at least 48 bytes");
  EXPECT_CONFIG_ERROR (secret, NULL, "HS512", AUD, "at least 64 bytes");
  EXPECT_DERIVED ("0123456789abcdef0123456789abcdef0123456789abcdef"
                  "0123456789abcdef", NULL, "HS512", "HS512");
}

SR_TEST (test_config_bad_pem)
{
  EXPECT_CONFIG_ERROR (NULL, "not a key", NULL, AUD,
                       "SIGNALROOM_JWT_PUBLIC_KEY");
  EXPECT_CONFIG_ERROR (NULL,
                       "-----BEGIN PUBLIC KEY-----\nAAAA\n"
                       "-----END PUBLIC KEY-----\n", NULL, AUD,
                       "SIGNALROOM_JWT_PUBLIC_KEY");
  EXPECT_CONFIG_ERROR (NULL, "garbage", "RS256", AUD,
                       "SIGNALROOM_JWT_PUBLIC_KEY");
}

SR_TEST (test_config_private_key_refused)
{
  struct keypair kp;

  /* A private key where the public one belongs is a mistake worth
   * stopping: it would put signing material on every instance. */
  REQUIRE (gen_key (EVP_PKEY_EC, NID_X9_62_prime256v1, &kp));
  EXPECT_CONFIG_ERROR (NULL, kp.priv, NULL, AUD, "SIGNALROOM_JWT_PUBLIC_KEY");
  keypair_free (&kp);
}

SR_TEST (test_config_algorithm_mismatch)
{
  struct keypair rsa, p384;

  REQUIRE (gen_key (EVP_PKEY_RSA, 2048, &rsa));
  REQUIRE (gen_key (EVP_PKEY_EC, NID_secp384r1, &p384));
  EXPECT_CONFIG_ERROR (NULL, rsa.pub, "HS256", AUD,
                       "SIGNALROOM_JWT_ALGORITHM");
  EXPECT_CONFIG_ERROR (secret, NULL, "RS256", AUD, "SIGNALROOM_JWT_ALGORITHM");
  EXPECT_CONFIG_ERROR (secret, NULL, "ES256", AUD, "SIGNALROOM_JWT_ALGORITHM");
  EXPECT_CONFIG_ERROR (secret, NULL, "none", AUD, "SIGNALROOM_JWT_ALGORITHM");
  EXPECT_CONFIG_ERROR (secret, NULL, "PS256", AUD,
                       "SIGNALROOM_JWT_ALGORITHM");
  EXPECT_CONFIG_ERROR (NULL, rsa.pub, "ES256", AUD,
                       "SIGNALROOM_JWT_ALGORITHM");
  EXPECT_CONFIG_ERROR (NULL, p384.pub, "RS256", AUD,
                       "SIGNALROOM_JWT_ALGORITHM");
  EXPECT_CONFIG_ERROR (NULL, p384.pub, "ES256", AUD,
                       "SIGNALROOM_JWT_ALGORITHM");
  EXPECT_DERIVED (NULL, rsa.pub, "RS384", "RS384");
  EXPECT_DERIVED (NULL, rsa.pub, "rs512", "RS512");
  EXPECT_DERIVED (NULL, p384.pub, "ES384", "ES384");
  EXPECT_DERIVED (secret, NULL, "hs256", "HS256");
  keypair_free (&rsa);
  keypair_free (&p384);
}

SR_TEST (test_config_derived)
{
  struct keypair rsa, p256, p384, p521, ed, small;

  REQUIRE (gen_key (EVP_PKEY_RSA, 2048, &rsa));
  REQUIRE (gen_key (EVP_PKEY_EC, NID_X9_62_prime256v1, &p256));
  REQUIRE (gen_key (EVP_PKEY_EC, NID_secp384r1, &p384));
  REQUIRE (gen_key (EVP_PKEY_EC, NID_secp521r1, &p521));
  REQUIRE (gen_key (EVP_PKEY_ED25519, 0, &ed));
  REQUIRE (gen_key (EVP_PKEY_RSA, 1024, &small));
  EXPECT_DERIVED (secret, NULL, NULL, "HS256");
  EXPECT_DERIVED (secret, NULL, "", "HS256");
  EXPECT_DERIVED (NULL, rsa.pub, NULL, "RS256");
  EXPECT_DERIVED (NULL, p256.pub, NULL, "ES256");
  EXPECT_DERIVED (NULL, p384.pub, NULL, "ES384");
  EXPECT_DERIVED (NULL, p521.pub, "", "ES512");
  EXPECT_CONFIG_ERROR (NULL, ed.pub, NULL, AUD, "unsupported key type");
  EXPECT_CONFIG_ERROR (NULL, small.pub, NULL, AUD, "at least 2048");
  keypair_free (&rsa);
  keypair_free (&p256);
  keypair_free (&p384);
  keypair_free (&p521);
  keypair_free (&ed);
  keypair_free (&small);
}

SR_TEST (test_config_secp256k1_refused)
{
  struct keypair k1;

  /* ES256K is not ES256: same size, different curve. */
  REQUIRE (gen_key (EVP_PKEY_EC, NID_secp256k1, &k1));
  EXPECT_CONFIG_ERROR (NULL, k1.pub, NULL, AUD, "unsupported curve");
  keypair_free (&k1);
}

/* ------------------------------------------------------------------ */
/* SIGNALROOM_JWT_PUBLIC_KEY as a path                                 */

SR_TEST (test_read_pem_paths)
{
  const char *tmp = getenv ("TMPDIR");
  char dir[256];
  char path[300];
  char err[512];
  char *pem;
  FILE *f;

  snprintf (dir, sizeof (dir), "%s/sr-test-auth-XXXXXX",
            NULL != tmp && '\0' != tmp[0] ? tmp : "/tmp");
  REQUIRE (NULL != mkdtemp (dir));
  /* Inline PEM text is returned as it is. */
  pem = sr_auth_read_pem ("-----BEGIN PUBLIC KEY-----\nabc", err,
                          sizeof (err));
  CHECK_STR_EQ (pem, "-----BEGIN PUBLIC KEY-----\nabc");
  free (pem);
  /* A directory opens fine and reads as nothing: say what it is. */
  err[0] = '\0';
  CHECK (NULL == sr_auth_read_pem (dir, err, sizeof (err)));
  CHECK_CONTAINS (err, "SIGNALROOM_JWT_PUBLIC_KEY");
  CHECK_CONTAINS (err, dir);
  CHECK_CONTAINS (err, "is a directory");
  /* An empty file. */
  snprintf (path, sizeof (path), "%s/empty.pem", dir);
  f = fopen (path, "w");
  REQUIRE (NULL != f);
  fclose (f);
  err[0] = '\0';
  CHECK (NULL == sr_auth_read_pem (path, err, sizeof (err)));
  CHECK_CONTAINS (err, path);
  CHECK_CONTAINS (err, "is empty");
  /* A missing file names the OS reason. */
  snprintf (path, sizeof (path), "%s/missing.pem", dir);
  err[0] = '\0';
  CHECK (NULL == sr_auth_read_pem (path, err, sizeof (err)));
  CHECK_CONTAINS (err, path);
  CHECK_CONTAINS (err, "No such file or directory");
  /* A file with a key is read whole. */
  snprintf (path, sizeof (path), "%s/key.pem", dir);
  f = fopen (path, "w");
  REQUIRE (NULL != f);
  fputs ("-----BEGIN PUBLIC KEY-----\n", f);
  fclose (f);
  pem = sr_auth_read_pem (path, err, sizeof (err));
  CHECK_STR_EQ (pem, "-----BEGIN PUBLIC KEY-----\n");
  free (pem);
  CHECK (0 == remove (path));
  snprintf (path, sizeof (path), "%s/empty.pem", dir);
  CHECK (0 == remove (path));
  CHECK (0 == rmdir (dir));
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_no_token),
              SR_TEST_ENTRY (test_scheme),
              SR_TEST_ENTRY (test_token_too_long),
              SR_TEST_ENTRY (test_malformed),
              SR_TEST_ENTRY (test_signed_payload_shape),
              SR_TEST_ENTRY (test_duplicate_claims),
              SR_TEST_ENTRY (test_bad_signature),
              SR_TEST_ENTRY (test_alg_none),
              SR_TEST_ENTRY (test_other_algorithm),
              SR_TEST_ENTRY (test_crit_header),
              SR_TEST_ENTRY (test_rs256_key_confusion),
              SR_TEST_ENTRY (test_expiry),
              SR_TEST_ENTRY (test_expiry_without_leeway),
              SR_TEST_ENTRY (test_missing_or_bad_exp),
              SR_TEST_ENTRY (test_not_before),
              SR_TEST_ENTRY (test_memo_window_verifier_bytes),
              SR_TEST_ENTRY (test_audience),
              SR_TEST_ENTRY (test_missing_role),
              SR_TEST_ENTRY (test_subject),
              SR_TEST_ENTRY (test_role_anon),
              SR_TEST_ENTRY (test_role_authenticated),
              SR_TEST_ENTRY (test_role_service),
              SR_TEST_ENTRY (test_role_odd_names),
              SR_TEST_ENTRY (test_allows_and_names),
              SR_TEST_ENTRY (test_unconfigured),
              SR_TEST_ENTRY (test_rs256_happy_path),
              SR_TEST_ENTRY (test_es256_happy_path),
              SR_TEST_ENTRY (test_config_key_choice),
              SR_TEST_ENTRY (test_config_secret_length),
              SR_TEST_ENTRY (test_config_bad_pem),
              SR_TEST_ENTRY (test_config_private_key_refused),
              SR_TEST_ENTRY (test_config_algorithm_mismatch),
              SR_TEST_ENTRY (test_config_derived),
              SR_TEST_ENTRY (test_config_secp256k1_refused),
              SR_TEST_ENTRY (test_read_pem_paths))
