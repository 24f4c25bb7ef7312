/*
 * utf8.h -- strict UTF-8 validation (RFC 3629).
 *
 * Rejects overlong forms, surrogates (U+D800..U+DFFF), code points above
 * U+10FFFF and truncated sequences.  NUL bytes are valid UTF-8; callers
 * that cannot hold them check separately.
 */
#ifndef SR_UTF8_H
#define SR_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/** @return true when the @a len bytes at @a s are valid UTF-8. */
bool sr_utf8_valid (const char *s, size_t len);

#endif /* SR_UTF8_H */
