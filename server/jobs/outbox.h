/*
 * outbox.h -- delivers signalroom.notifications (the outbox) exactly once.
 *
 * One deliverer thread per instance, started beside the worker pool, with
 * its own database connection on which it LISTENs to signalroom_outbox
 * (signalroom.enqueue_notification notifies it); where LISTEN is refused
 * (a transaction pooler) it polls every SIGNALROOM_POLL_MS.
 *
 * Each round claims up to SIGNALROOM_OUTBOX_BATCH due rows of the channels
 * this instance is configured for (FOR UPDATE SKIP LOCKED; the row becomes
 * 'sending' under a lease and its attempt is counted, committed before
 * anything is sent), then for each row:
 *   1. in doubt (a lease that ran out while 'sending', or a send that got
 *      no answer)?  Ask the upstream first: Slack's conversations.history
 *      for the message metadata carrying the idempotency key, Twilio's
 *      message list for the body; found: record 'sent'.  A response_url
 *      reply in doubt cannot be asked about: it goes dead, not resent;
 *   2. renew the lease (false: another instance has the row: skip it);
 *   3. send once (no blind repeats inside the HTTP client);
 *   4. record 'sent' with the answer (Slack channel/ts, Twilio sid), or
 *      'retry' with back-off (Retry-After wins), or 'dead' (a permanent
 *      error, or out of attempts) with a dead letter.
 * The record only lands while the lease is ours, and the lease is at
 * least SIGNALROOM_UPSTREAM_TIMEOUT + 5 s, so two instances never both
 * send one row.  signalroom_notifications_total{channel,outcome} counts
 * the outcomes.
 *
 * The outbox starts closed, like the pool (nothing is claimed before the
 * schema is current).  Threading: the functions are for the thread that
 * started it; sr_outbox_open is safe from any thread.
 */
#ifndef SR_OUTBOX_H
#define SR_OUTBOX_H

#include "config.h"
#include "status.h"

struct sr_outbox;

/** Start the deliverer, closed; @a instance names this process in leases. */
enum sr_status sr_outbox_start (const struct sr_config *cfg,
                                const char *instance,
                                struct sr_outbox **out);

/** Let it claim: the schema is current.  NULL-safe, idempotent. */
void sr_outbox_open (struct sr_outbox *ob);

/**
 * Stop: a send in progress is cut off (its row stays in doubt, to be
 * asked about), claimed rows not yet sent are given back, the thread is
 * joined.  NULL-safe.
 */
void sr_outbox_stop (struct sr_outbox *ob);

#endif /* SR_OUTBOX_H */
