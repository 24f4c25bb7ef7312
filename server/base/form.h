/*
 * form.h -- fields of an application/x-www-form-urlencoded body (what
 * Slack posts), read from the raw bytes without changing them (the
 * signature covers the raw body).  Threading: pure functions.
 */
#ifndef SR_FORM_H
#define SR_FORM_H

#include <stdbool.h>
#include <stddef.h>

/**
 * Decode field @a name of @a body (@a len bytes) into @a out ('+' is a
 * space, %XX a byte).  A field given twice: the first counts.
 * @return false when the field is absent, malformed (a bad %XX or a NUL
 *         byte) or longer than @a outlen - 1 bytes (then @a out is "")
 */
bool sr_form_field (const char *body, size_t len, const char *name,
                    char *out, size_t outlen);

#endif /* SR_FORM_H */
