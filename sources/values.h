/*
 * values.h -- reading numbers out of upstream JSON, strictly.
 *
 * Upstream APIs send counts and money as JSON numbers (sometimes ids as
 * strings).  These helpers accept exactly the forms we have seen and say
 * no to everything else, so a wrong type fails the sync instead of
 * becoming a silent 0.
 *
 * Money: jansson decodes a JSON number to a double.  Printing that double
 * with 15 significant digits gives back the decimal the API wrote for
 * every value with at most 15 significant digits (all money amounts), and
 * the text is stored as numeric -- the double never reaches the database.
 * At least two decimals are kept, so amounts read as cents ("20.00").
 */
#ifndef SR_VALUES_H
#define SR_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/** A count: a non-negative integer, or a real with no fraction.  NULL or
 * null gives 0 when @a null_ok. */
bool sr_json_count (const json_t *v, bool null_ok, int64_t *out);

/** Money as decimal text (see above).  NULL or null gives "0.00" when
 * @a null_ok. */
bool sr_json_money (const json_t *v, bool null_ok, char *out, size_t len);

/** Pad decimal text in place to at least two decimals ("20" -> "20.00",
 * "66.6" -> "66.60"); exponent forms are left alone.  @a len is the size
 * of the buffer holding @a s. */
void sr_money_normalize (char *s, size_t len);

/** An id: a JSON integer or a string of digits (optionally signed). */
bool sr_json_id (const json_t *v, int64_t *out);

#endif /* SR_VALUES_H */
