/*
 * outbox.c -- see outbox.h.
 */
#include "outbox.h"
#include "db.h"
#include "log.h"
#include "mem.h"
#include "metrics.h"
#include "slack.h"
#include "store_outbox.h"
#include "twilio.h"
#include "upstream.h"
#include "waiter.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLOSED_WAIT_MS 60000
#define NOTIFY_SLICE_MS 250
#define DB_BACKOFF_MAX_MS 30000

struct sr_outbox {
  const struct sr_config *cfg;
  char owner[128];
  unsigned int lease_s;
  char channels[64];          /* PostgreSQL array text */
  struct sr_waiter wake;      /* kicked on open; stopped on stop */
  atomic_bool open;
  atomic_int stop;            /* for the HTTP client: cut a send short */
  pthread_t thread;
  bool have_thread;
};

static bool
stopping (struct sr_outbox *ob)
{
  return sr_waiter_stopping (&ob->wake);
}

static void
count (const char *channel, const char *outcome)
{
  sr_metric_add (&sr_m_notifications, (const char *[]) { channel, outcome },
                 1);
}

/* A connection listening to signalroom_outbox when it can; reopened with
 * back-off.  *listening says whether notifications will come. */
static PGconn *
ensure_conn (struct sr_outbox *ob, PGconn *conn, bool *listening)
{
  unsigned long backoff = 500;

  while (!stopping (ob)) {
    char err[512];
    PGresult *r;

    if (NULL != conn && CONNECTION_OK == PQstatus (conn))
      return conn;
    if (NULL != conn)
      PQfinish (conn);
    conn = NULL;
    if (SR_OK == sr_db_connect_as (SR_DB_ROLE_JOB, &conn, err,
                                   sizeof (err))) {
      r = PQexec (conn, "LISTEN signalroom_outbox");
      *listening = PGRES_COMMAND_OK == PQresultStatus (r);
      PQclear (r);
      if (!*listening)
        sr_log (SR_LOG_INFO, "outbox: LISTEN unavailable, polling only", NULL);
      return conn;
    }
    sr_log (SR_LOG_WARN, "outbox cannot reach the database", "{s:s}",
            "error", err);
    (void) sr_waiter_sleep (&ob->wake, backoff);
    backoff = backoff >= DB_BACKOFF_MAX_MS / 2 ? DB_BACKOFF_MAX_MS
                                               : backoff * 2;
  }
  return conn;
}

/* Wait up to poll_ms for a notification (or stop).  Notifications that
 * arrived during earlier statements are already queued in libpq: those
 * end the wait at once. */
static void
await_work (struct sr_outbox *ob, PGconn *conn, bool listening)
{
  unsigned long left = ob->cfg->poll_ms;

  if (!listening) {
    (void) sr_waiter_sleep (&ob->wake, left);
    return;
  }
  for (PGnotify *n = PQnotifies (conn); NULL != n; n = PQnotifies (conn)) {
    PQfreemem (n);
    left = 0;
  }
  while (left > 0 && !stopping (ob)) {
    unsigned long slice = left < NOTIFY_SLICE_MS ? left : NOTIFY_SLICE_MS;

    if (0 != sr_db_wait_notify (conn, (int) slice))
      return;       /* a notification, or a broken connection to reopen */
    left -= slice;
  }
}

/* Record @a outcome of @a row and count it. */
static void
finish (struct sr_outbox *ob, PGconn *conn, const struct sr_outbox_row *row,
        const char *outcome, const char *error, const json_t *response,
        double retry_s, bool in_doubt, const char *metric_outcome)
{
  char err[512];
  bool ours = false;

  if (SR_OK != sr_store_outbox_finish (conn, row->id, ob->owner, outcome,
                                       error, response, retry_s, in_doubt,
                                       &ours, err, sizeof (err))) {
    /* The row stays 'sending' under our lease: when it runs out, whoever
     * claims it asks the upstream before sending again. */
    sr_log (SR_LOG_ERROR, "outbox: cannot record a delivery",
            "{s:I, s:s, s:s}", "notification_id", (json_int_t) row->id,
            "outcome", outcome, "error", err);
    return;
  }
  if (!ours) {
    sr_log (SR_LOG_WARN, "outbox: lease lost before the record",
            "{s:I, s:s}", "notification_id", (json_int_t) row->id,
            "outcome", outcome);
    return;
  }
  count (row->channel, metric_outcome);
  sr_log (0 == strcmp (outcome, "sent") ? SR_LOG_INFO : SR_LOG_WARN,
          "notification delivery", "{s:I, s:s, s:s, s:s, s:i, s:s?}",
          "notification_id", (json_int_t) row->id, "channel", row->channel,
          "kind", row->kind, "outcome", metric_outcome, "attempt",
          row->attempts, "error", error);
}

/* Ask the upstream whether @a row's message arrived.  @return SR_OK with
 * *found, or a failure in @a err (then nobody can tell yet). */
static enum sr_status
ask (struct sr_outbox *ob, PGconn *conn, struct sr_upstream *u,
     const struct sr_outbox_row *row, bool *found, json_t **response,
     char *err, size_t errlen)
{
  if (0 == strcmp (row->channel, "slack"))
    /* A second of slack: Slack's ts and our created_at come from
     * different clocks. */
    return sr_slack_find (u, ob->cfg, row->target, row->key,
                          row->created_at - 1.0, found, response, err,
                          errlen);
  {
    const char *body = json_string_value (json_object_get (row->payload,
                                                           "body"));
    json_t *skip = NULL;
    enum sr_status st = sr_store_outbox_known_sids (conn, row->id, &skip, err,
                                                    errlen);

    if (SR_OK == st)
      st = sr_twilio_find (u, ob->cfg, row->target, NULL != body ? body : "",
                           (time_t) row->created_at, skip, found, response,
                           err, errlen);
    json_decref (skip);
    return st;
  }
}

static void
send_one (struct sr_outbox *ob, struct sr_upstream *u,
          const struct sr_outbox_row *row, struct sr_delivery *d)
{
  if (0 == strcmp (row->channel, "slack")) {
    sr_slack_post (u, ob->cfg, row->target, row->payload, row->key, d);
  } else if (0 == strcmp (row->channel, "sms")) {
    const char *body = json_string_value (json_object_get (row->payload,
                                                           "body"));

    if (NULL == body || '\0' == body[0]) {
      memset (d, 0, sizeof (*d));
      sr_delivery_fail (d, SR_DELIVERY_PERMANENT, "payload has no body");
    } else {
      sr_twilio_send (u, ob->cfg, row->target, body, d);
    }
  } else {
    sr_slack_reply (u, row->target, row->payload, d);
  }
}

static void
deliver (struct sr_outbox *ob, PGconn *conn, struct sr_upstream *u,
         const struct sr_outbox_row *row)
{
  struct sr_delivery d;
  char err[512];
  bool ours = false;

  if (NULL == row->payload) {
    finish (ob, conn, row, "dead", "payload is not JSON", NULL, 0, false,
            "dead");
    return;
  }
  if (row->in_doubt) {
    bool found = false;
    json_t *response = NULL;

    if (0 == strcmp (row->channel, "response_url")) {
      finish (ob, conn, row, "dead", "response_url reply in doubt (an "
              "instance stopped between sending and recording it): not "
              "resent, Slack cannot say whether it arrived", NULL, 0, true,
              "dead");
      return;
    }
    if (SR_OK != ask (ob, conn, u, row, &found, &response, err,
                      sizeof (err))) {
      char why[600];
      bool last = row->attempts >= row->max_attempts;

      /* Asking again later is safe; sending blind is not.  Out of
       * attempts it stops here, dead and still in doubt. */
      snprintf (why, sizeof (why), "in doubt, and the upstream could not "
                "say whether it arrived: %s", err);
      finish (ob, conn, row, last ? "dead" : "retry", why, NULL,
              (double) sr_upstream_backoff_us (ob->cfg,
                                               (unsigned int) row->attempts)
              / 1e6, true, last ? "dead" : "retry");
      return;
    }
    if (found) {
      finish (ob, conn, row, "sent", "in doubt: found at the upstream, not "
              "sent again", response, 0, false, "found");
      json_decref (response);
      return;
    }
  }
  if (row->attempts > row->max_attempts) {
    finish (ob, conn, row, "dead", "out of attempts", NULL, 0, false, "dead");
    return;
  }
  /* Asking may have taken a while: the send gets a whole lease. */
  if (SR_OK != sr_store_outbox_renew (conn, row->id, ob->owner, ob->lease_s,
                                      &ours, err, sizeof (err)) || !ours)
    return;       /* not ours, or unknown: whoever holds it decides */
  send_one (ob, u, row, &d);
  if (SR_DELIVERY_SENT == d.result) {
    finish (ob, conn, row, "sent", NULL, d.response, 0, false, "sent");
  } else if (SR_DELIVERY_RETRY == d.result
             && row->attempts < row->max_attempts) {
    double backoff = (double) sr_upstream_backoff_us (
                       ob->cfg, (unsigned int) row->attempts) / 1e6;

    finish (ob, conn, row, "retry", d.error, NULL,
            d.retry_after_s > backoff ? d.retry_after_s : backoff, d.in_doubt,
            "retry");
  } else {
    finish (ob, conn, row, "dead", d.error, NULL, 0, d.in_doubt, "dead");
  }
  sr_delivery_clean (&d);
}

/* Give rows claimed but not sent back to the queue (at stop). */
static void
give_back (struct sr_outbox *ob, PGconn *conn,
           const struct sr_outbox_row *rows, size_t from, size_t n)
{
  for (size_t i = from; i < n; i++) {
    char err[512];
    bool ours;

    (void) sr_store_outbox_finish (conn, rows[i].id, ob->owner, "retry",
                                   "given back at shutdown", NULL, 0,
                                   rows[i].in_doubt, &ours, err,
                                   sizeof (err));
  }
}

static void *
run (void *cls)
{
  struct sr_outbox *ob = cls;
  struct sr_upstream *u = sr_upstream_new (ob->cfg);
  PGconn *conn = NULL;
  bool listening = false;

  sr_upstream_set_stop (u, &ob->stop);
  while (!stopping (ob)) {
    struct sr_outbox_row *rows = NULL;
    size_t n = 0, i;
    char err[512];

    if (!atomic_load (&ob->open)) {
      uint64_t seen = sr_waiter_kicks (&ob->wake);

      if (!atomic_load (&ob->open))
        (void) sr_waiter_sleep_for_kick (&ob->wake, CLOSED_WAIT_MS, seen);
      continue;
    }
    conn = ensure_conn (ob, conn, &listening);
    if (stopping (ob))
      break;
    if (SR_OK != sr_store_outbox_claim (conn, ob->owner, ob->lease_s,
                                        (unsigned int) ob->cfg->outbox_batch,
                                        ob->channels, &rows, &n, err,
                                        sizeof (err))) {
      sr_log (SR_LOG_WARN, "outbox: claim failed", "{s:s}", "error", err);
      (void) sr_waiter_sleep (&ob->wake, 1000);
      continue;
    }
    for (i = 0; i < n && !stopping (ob); i++)
      deliver (ob, conn, u, &rows[i]);
    give_back (ob, conn, rows, i, n);
    sr_store_outbox_rows_free (rows, n);
    if (0 == n)
      await_work (ob, conn, listening);
  }
  if (NULL != conn)
    PQfinish (conn);
  sr_upstream_free (u);
  return NULL;
}

enum sr_status
sr_outbox_start (const struct sr_config *cfg, const char *instance,
                 struct sr_outbox **out)
{
  struct sr_outbox *ob = sr_xcalloc (1, sizeof (*ob));
  unsigned long min_lease = cfg->upstream_timeout_s + 5;

  ob->cfg = cfg;
  snprintf (ob->owner, sizeof (ob->owner), "%s:outbox", instance);
  ob->lease_s = (unsigned int) (cfg->outbox_lease_s > min_lease
                                ? cfg->outbox_lease_s : min_lease);
  /* Only what this instance can send is claimed: the rest waits for an
   * instance that can (or for the configuration). */
  snprintf (ob->channels, sizeof (ob->channels), "{response_url%s%s}",
            NULL != cfg->slack_bot_token ? ",slack" : "",
            sr_twilio_configured (cfg) ? ",sms" : "");
  sr_waiter_init (&ob->wake);
  atomic_init (&ob->open, false);
  atomic_init (&ob->stop, 0);
  ob->have_thread = 0 == pthread_create (&ob->thread, NULL, run, ob);
  if (!ob->have_thread) {
    sr_log (SR_LOG_ERROR, "cannot start the outbox thread", NULL);
    sr_outbox_stop (ob);
    return SR_E_INTERNAL;
  }
  *out = ob;
  return SR_OK;
}

void
sr_outbox_open (struct sr_outbox *ob)
{
  if (NULL == ob)
    return;
  atomic_store (&ob->open, true);
  sr_waiter_kick (&ob->wake);
}

void
sr_outbox_stop (struct sr_outbox *ob)
{
  if (NULL == ob)
    return;
  sr_waiter_stop (&ob->wake);
  atomic_store (&ob->stop, 1);
  if (ob->have_thread)
    pthread_join (ob->thread, NULL);
  sr_waiter_destroy (&ob->wake);
  free (ob);
}

/* end of outbox.c */
