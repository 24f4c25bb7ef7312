/*
 * order_delta.c -- see order_delta.h.  The sums live in a uthash table
 * keyed by the packed key bytes.
 */
#include "order_delta.h"
#include "dates.h"
#include "mem.h"
#include "order_fields.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define uthash_malloc(sz) sr_xmalloc (sz)
#define uthash_free(ptr, sz) free (ptr)
#include <uthash.h>

static const char *const dim_names[] = {
  "total", "state", "campaign", "affiliate", "gateway", "tier"
};
#define N_DIMS (sizeof (dim_names) / sizeof (dim_names[0]))

/* key: dim (1 byte), day (4 bytes), then category, value and status, each
 * NUL-terminated. */
struct sum {
  UT_hash_handle hh;
  int64_t orders, cents, chargebacks, refunds;
  size_t key_len;
  char key[];
};

struct sr_order_delta {
  struct sum *sums;
};

struct sr_order_delta *
sr_order_delta_new (void)
{
  return sr_xcalloc (1, sizeof (struct sr_order_delta));
}

static size_t
pack (char *out, size_t cap, unsigned dim, int32_t day, const char *category,
      const char *value, const char *status)
{
  size_t c = strlen (category) + 1, v = strlen (value) + 1;
  size_t s = strlen (status) + 1, n = 5 + c + v + s;

  if (n > cap)
    return n;
  out[0] = (char) dim;
  memcpy (out + 1, &day, 4);
  memcpy (out + 5, category, c);
  memcpy (out + 5 + c, value, v);
  memcpy (out + 5 + c + v, status, s);
  return n;
}

static void
add_one (struct sr_order_delta *d, unsigned dim, const struct sr_order_row *r,
         const char *value, int sign, int64_t cents)
{
  char local[512];
  char *key = local;
  size_t n = pack (local, sizeof (local), dim, r->day, r->category, value,
                   r->status);
  struct sum *s;

  if (n > sizeof (local)) {
    key = sr_xmalloc (n);
    pack (key, n, dim, r->day, r->category, value, r->status);
  }
  HASH_FIND (hh, d->sums, key, n, s);
  if (NULL == s) {
    s = sr_xcalloc (1, sizeof (*s) + n);
    memcpy (s->key, key, n);
    s->key_len = n;
    HASH_ADD_KEYPTR (hh, d->sums, s->key, s->key_len, s);
  }
  s->orders += sign;
  s->cents += sign * cents;
  s->chargebacks += r->chargeback ? sign : 0;
  s->refunds += r->refunded ? sign : 0;
  if (key != local)
    free (key);
}

void
sr_order_delta_add (struct sr_order_delta *d, const struct sr_order_row *row,
                    int sign)
{
  int64_t cents = NULL == row->total ? 0 : sr_of_total_cents (row->total);
  const char *values[N_DIMS] = {
    "", NULL == row->state ? "" : row->state, row->campaign, row->affiliate,
    row->gateway, sr_of_price_tier (row->total)
  };

  if (!row->has_day)
    return;
  for (unsigned i = 0; i < N_DIMS; i++)
    add_one (d, i, row, values[i], sign, cents);
}

static json_t *
sum_json (const struct sum *s)
{
  const char *category = s->key + 5;
  const char *value = category + strlen (category) + 1;
  const char *status = value + strlen (value) + 1;
  int32_t day;
  char day_text[SR_DATE_LEN], rev[32];
  uint64_t mag = (uint64_t) (s->cents < 0 ? -s->cents : s->cents);

  memcpy (&day, s->key + 1, 4);
  sr_date_format (day, day_text);
  snprintf (rev, sizeof (rev), "%s%" PRIu64 ".%02" PRIu64,
            s->cents < 0 ? "-" : "", mag / 100, mag % 100);
  return json_pack ("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:I, s:I}",
                    "c", category, "d", dim_names[(unsigned char) s->key[0]],
                    "day", day_text, "v", value, "s", status,
                    "n", (json_int_t) s->orders, "rev", rev,
                    "cb", (json_int_t) s->chargebacks,
                    "rf", (json_int_t) s->refunds);
}

char *
sr_order_delta_json (const struct sr_order_delta *d)
{
  json_t *arr = json_array ();
  char *out = NULL;
  bool ok = NULL != arr;

  for (const struct sum *s = d->sums; ok && NULL != s; s = s->hh.next) {
    json_t *o;

    if (0 == s->orders && 0 == s->cents && 0 == s->chargebacks
        && 0 == s->refunds)
      continue;
    o = sum_json (s);
    ok = NULL != o && 0 == json_array_append_new (arr, o);
  }
  if (ok)
    out = json_dumps (arr, JSON_COMPACT);
  json_decref (arr);
  return out;
}

void
sr_order_delta_free (struct sr_order_delta *d)
{
  struct sum *s, *tmp;

  if (NULL == d)
    return;
  HASH_ITER (hh, d->sums, s, tmp) {
    HASH_DEL (d->sums, s);
    free (s);
  }
  free (d);
}

/* end of order_delta.c */
