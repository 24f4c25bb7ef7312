/*
 * auth_memo.c -- see auth_memo.h.
 */
#include "auth_memo.h"

#include <string.h>

#include <openssl/crypto.h>

struct slot {
  uint64_t verifier_id;       /* 0: empty */
  size_t len;
  long long not_before;
  long long expires;
  struct sr_principal who;
  char tok[SR_AUTH_MEMO_TOKEN_MAX];
};

static _Thread_local struct slot slots[SR_AUTH_MEMO_SLOTS];
static _Thread_local unsigned int next_slot;

bool
sr_auth_memo_find (uint64_t verifier_id, const char *tok, size_t len,
                   long long now, struct sr_principal *who)
{
  bool found = false;

  if (0 == verifier_id || len > SR_AUTH_MEMO_TOKEN_MAX)
    return false;
  /* Every slot of the same length is compared, in constant time, hit or
   * not: how long this takes depends on no kept token's bytes. */
  for (unsigned int i = 0; i < SR_AUTH_MEMO_SLOTS; i++) {
    const struct slot *s = &slots[i];

    if (s->verifier_id == verifier_id && s->len == len
        && 0 == CRYPTO_memcmp (s->tok, tok, len) && !found
        && s->not_before <= now && now < s->expires) {
      *who = s->who;
      found = true;
    }
  }
  return found;
}

void
sr_auth_memo_keep (uint64_t verifier_id, const char *tok, size_t len,
                   long long not_before, long long expires,
                   const struct sr_principal *who)
{
  struct slot *s;

  if (0 == verifier_id || len > SR_AUTH_MEMO_TOKEN_MAX)
    return;
  s = &slots[next_slot];
  next_slot = (next_slot + 1) % SR_AUTH_MEMO_SLOTS;
  s->verifier_id = verifier_id;
  s->len = len;
  s->not_before = not_before;
  s->expires = expires;
  s->who = *who;
  memcpy (s->tok, tok, len);
}

void
sr_auth_memo_clear (void)
{
  memset (slots, 0, sizeof (slots));
  next_slot = 0;
}

/* end of auth_memo.c */
