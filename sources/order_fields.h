/*
 * order_fields.h -- the fields the order reports keep, read out of an
 * export row in C exactly as signalroom.order_export_rows reads them in SQL
 * (sql/migrations/0013): the loader counts orders while the file streams,
 * and test_order_rollup holds the two to the same answers on every edge.
 *
 * All functions are pure and take cells as (pointer, length), as the CSV
 * parser gives them; a missing column is (NULL, 0), which every rule here
 * treats like an empty cell, as the view treats NULL and ''.
 */
#ifndef SR_ORDER_FIELDS_H
#define SR_ORDER_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** A cell without leading and trailing spaces (btrim: spaces only). */
void sr_of_trim (const char **p, size_t *len);

/** signalroom.to_int: trimmed, "-?[0-9]{1,18}". */
bool sr_of_order_id (const char *p, size_t len, int64_t *out);

/** to_order_time(date, time)::date: MM/DD/YYYY of a real calendar day,
 * unless the time is "h:mm AM"-shaped but out of range. */
bool sr_of_order_day (const char *d, size_t dlen, const char *t, size_t tlen,
                      int32_t *day);

/** reports.order_total: trimmed, "-?[0-9]+(.[0-9]+)?" with at most 15
 * integer digits after leading zeros.  On success *p and *len are the
 * trimmed decimal. */
bool sr_of_total (const char **p, size_t *len);

/** A total (as sr_of_total accepts it, or numeric's text output) in cents,
 * rounded half away from zero like numeric's cast to bigint. */
int64_t sr_of_total_cents (const char *total);

/** reports.price_tier of a total, or "unknown" for NULL. */
const char *sr_of_price_tier (const char *total);

/** coalesce(to_flag(v), false): YES, Y, 1 or TRUE in any ASCII case. */
bool sr_of_flag (const char *p, size_t len);

/** The billing state: trimmed, two ASCII letters, upper-cased into
 * @a out; false for anything else. */
bool sr_of_state (const char *p, size_t len, char out[3]);

/** ASCII upper / lower case of @a len bytes, in place. */
void sr_of_ascii_upper (char *s, size_t len);
void sr_of_ascii_lower (char *s, size_t len);

#endif /* SR_ORDER_FIELDS_H */
