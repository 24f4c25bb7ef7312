/*
 * order_delta.h -- what one load changed in the daily order counts
 * (reports.order_rollup), summed in memory: minus every kept row a load
 * replaced, plus every row it kept instead.  Unchanged orders cancel out.
 *
 * One key per (product category, dimension, day, value, status), the
 * dimensions of reports.order_dims: total, state, campaign, affiliate,
 * gateway and price tier.  Rows without a day are not counted.
 */
#ifndef SR_ORDER_DELTA_H
#define SR_ORDER_DELTA_H

#include <jansson.h>

#include "status.h"
#include "store_orders.h"

struct sr_order_delta;

/** An empty sum; never NULL (allocation failure aborts, see mem.h). */
struct sr_order_delta *sr_order_delta_new (void);

/** Count @a row once, with @a sign +1 or -1. */
void sr_order_delta_add (struct sr_order_delta *d,
                         const struct sr_order_row *row, int sign);

/**
 * The non-zero sums as reports.orders_delta_apply takes them: a JSON array
 * of {c, d, day, v, s, n, rev, cb, rf}.  @return a new string (free()),
 * or NULL when a value is not UTF-8.
 */
char *sr_order_delta_json (const struct sr_order_delta *d);

void sr_order_delta_free (struct sr_order_delta *d);

#endif /* SR_ORDER_DELTA_H */
