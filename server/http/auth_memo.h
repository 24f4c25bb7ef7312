/*
 * auth_memo.h -- bearer tokens this thread verified lately.
 *
 * Why: a dashboard or script sends the same token with every request, and
 * verifying it (two JSON parses, base64, an HMAC or a signature check)
 * was about a sixth of the CPU of a cached report (measured with perf).
 * A token verified once is remembered with the principal it proved and
 * the window its exp and nbf claims (with the leeway) leave it valid in;
 * inside that window the same token, byte for byte, under the same
 * verifier, gives the same principal without verifying again.  Outside
 * it, or for any other token, sr_auth_verify() does the whole work.
 *
 * Safety: only verified tokens are kept, never refusals.  A lookup
 * compares every kept token of the same length in constant time
 * (CRYPTO_memcmp), so the time a request takes says nothing about the
 * bytes of tokens others sent.  Verifiers are told apart by an id that is
 * never reused, not by address.  Tokens longer than SR_AUTH_MEMO_TOKEN_MAX
 * are not kept.
 *
 * Threads: the memo is per thread (no locks); each thread keeps at most
 * SR_AUTH_MEMO_SLOTS tokens, the oldest replaced first.
 */
#ifndef SR_AUTH_MEMO_H
#define SR_AUTH_MEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"

#define SR_AUTH_MEMO_SLOTS 8
#define SR_AUTH_MEMO_TOKEN_MAX 1024

/**
 * The principal @a tok proved to verifier @a verifier_id, when this thread
 * verified it and @a now is inside its window.
 */
bool sr_auth_memo_find (uint64_t verifier_id, const char *tok, size_t len,
                        long long now, struct sr_principal *who);

/**
 * Remember that @a tok proved @a who to @a verifier_id, valid while
 * @a not_before <= now < @a expires.
 */
void sr_auth_memo_keep (uint64_t verifier_id, const char *tok, size_t len,
                        long long not_before, long long expires,
                        const struct sr_principal *who);

/** Forget everything this thread kept (tests). */
void sr_auth_memo_clear (void);

#endif /* SR_AUTH_MEMO_H */
