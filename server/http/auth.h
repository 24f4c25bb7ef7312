/*
 * auth.h -- bearer-token (JWT) verification with a pinned algorithm.
 *
 * A struct sr_auth is built once at start-up from configuration and is
 * immutable afterwards, so any thread may call sr_auth_verify() on it
 * concurrently.  The algorithm is fixed by configuration and compared with
 * the token's header *before* libjwt sees the token: libjwt 1.10 accepts any
 * algorithm its key fits (an HS256 token "signed" with an RSA public key's
 * PEM text would verify) and checks no claims at all, so exp, nbf, aud and
 * role are checked here.  Tokens are never logged; failure reasons are
 * static strings safe to show to the client.
 */
#ifndef SR_AUTH_H
#define SR_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "status.h"

/** What a route requires of its caller. */
enum sr_auth_policy {
  SR_AUTH_PUBLIC = 0,       /* no token needed */
  SR_AUTH_AUTHENTICATED,    /* role authenticated or service_role: read */
  SR_AUTH_SERVICE_ROLE      /* role service_role: everything */
};

/** The role a verified token carries. */
enum sr_auth_role {
  SR_ROLE_NONE = 0,         /* e.g. "anon" or an unknown role */
  SR_ROLE_AUTHENTICATED,
  SR_ROLE_SERVICE
};

/** Who is calling, filled by sr_auth_verify(). */
struct sr_principal {
  enum sr_auth_role role;
  char role_name[32];       /* the "role" claim as sent, truncated */
  char sub[128];            /* the "sub" claim, "" when absent */
  long long exp;            /* the "exp" claim */
};

struct sr_auth;

/**
 * Build a verifier.
 *
 * Exactly one of @a hmac_secret and @a public_key_pem must be non-NULL and
 * non-empty.  @a algorithm pins the accepted "alg": NULL or "" derives it
 * (HS256 for a secret; RS256 for an RSA key, ES256 for a P-256 key,
 * ES384 for P-384, ES512 for P-521).  An HMAC secret shorter than 32 bytes
 * is refused.  The key is parsed here, so a bad PEM fails at start-up.
 *
 * @param audience   required "aud" value (string or one element of an array)
 * @param leeway_s   seconds of clock skew tolerated for exp and nbf
 * @param[out] out   the verifier, to free with sr_auth_free()
 * @param[out] err   on failure, one line naming what is wrong
 * @return SR_OK or SR_E_CONFIG
 */
enum sr_status sr_auth_new (const char *hmac_secret,
                            const char *public_key_pem,
                            const char *algorithm, const char *audience,
                            unsigned int leeway_s, struct sr_auth **out,
                            char *err, size_t errlen);

/** Free @a auth (NULL is fine). */
void sr_auth_free (struct sr_auth *auth);

/**
 * The PEM text SIGNALROOM_JWT_PUBLIC_KEY stands for: @a value itself when
 * it is PEM text, otherwise the contents of the file it names (at most
 * 64 KiB).
 *
 * @param[out] err  on failure, one line naming the variable, the path and
 *                  what is wrong with it (missing, a directory, empty,
 *                  unreadable, too large)
 * @return a new string to free(), or NULL
 */
char *sr_auth_read_pem (const char *value, char *err, size_t errlen);

/** @return the pinned algorithm name, e.g. "HS256" (static storage). */
const char *sr_auth_algorithm (const struct sr_auth *auth);

/**
 * Verify an Authorization header value ("Bearer <jwt>").
 *
 * @param header     the header value; NULL or "" means no credentials
 * @param now        current time (seconds since the epoch)
 * @param[out] who   the principal on success
 * @param[out] reason on failure, a static string for the client
 * @return SR_OK, or SR_E_UNAUTHENTICATED (missing, malformed, wrong
 *         algorithm, bad signature, expired, not yet valid, wrong audience,
 *         missing role claim)
 */
enum sr_status sr_auth_verify (const struct sr_auth *auth,
                               const char *header, time_t now,
                               struct sr_principal *who,
                               const char **reason);

/**
 * Does @a who satisfy @a policy?
 * @return SR_OK or SR_E_FORBIDDEN
 */
enum sr_status sr_auth_allows (const struct sr_principal *who,
                               enum sr_auth_policy policy);

/**
 * Does the Authorization header @a header carry exactly the static bearer
 * token @a token ("Bearer <token>", scheme case-insensitive)?  Compared in
 * constant time, so the answer's timing says nothing about the token.
 */
bool sr_auth_bearer_matches (const char *header, const char *token);

/** @return "public", "authenticated" or "service_role". */
const char *sr_auth_policy_name (enum sr_auth_policy policy);

#endif /* SR_AUTH_H */
