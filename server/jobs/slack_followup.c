/*
 * slack_followup.c -- see slack_followup.h.
 */
#include "slack_followup.h"
#include "db.h"
#include "log.h"
#include "mem.h"
#include "slack_command.h"
#include "slack_intraday.h"
#include "store_slack.h"
#include "tx.h"
#include "waiter.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* How long a command is ours while it runs again. */
#define LEASE_S 120

struct sr_slack_followup {
  const struct sr_config *cfg;
  struct sr_waiter wake;
  pthread_t thread;
};

struct finish_tx {
  const struct sr_config *cfg;
  const struct sr_slack_claimed *c;
};

/* The command, its answer queued for the response_url, the row done:
 * all or nothing. */
static enum sr_status
finish_work (void *cls, PGconn *conn, char *err, size_t errlen)
{
  struct finish_tx *t = cls;
  struct sr_slack_command cmd = {
    .id = t->c->id, .user_id = t->c->user_id,
    .channel_id = t->c->channel_id, .text = t->c->text,
    .response_url = t->c->response_url
  };
  json_t *reply = NULL;
  char key[48];
  enum sr_status st = sr_slack_command_run (conn, t->cfg, &cmd, &reply, err,
                                            errlen);

  snprintf (key, sizeof (key), "slack-command:%" PRId64, t->c->id);
  if (SR_OK == st)
    st = sr_store_notify_enqueue (conn, key, "response_url",
                                  t->c->response_url, "command_reply", reply,
                                  false, NULL, err, errlen);
  if (SR_OK == st)
    st = sr_store_slack_command_finish (conn, t->c->id, "done", reply, err,
                                        errlen);
  json_decref (reply);
  return st;
}

/* Finish every deferred command there is; false when the connection
 * failed. */
static bool
drain (struct sr_slack_followup *f, PGconn *conn)
{
  for (;;) {
    struct sr_slack_claimed c;
    struct finish_tx t = { .cfg = f->cfg, .c = &c };
    char err[512];
    bool found;
    enum sr_status st;

    if (sr_waiter_stopping (&f->wake))
      return true;
    st = sr_store_slack_command_claim (conn, LEASE_S, &c, &found, err,
                                       sizeof (err));
    if (SR_OK != st) {
      sr_log (SR_LOG_WARN, "deferred slack commands not read", "{s:s}",
              "error", err);
      return false;
    }
    if (!found)
      return true;
    st = sr_tx_run (conn, "slack_followup", SR_TX_ATTEMPTS, finish_work, &t,
                    err, sizeof (err));
    if (SR_OK == st)
      sr_log (SR_LOG_INFO, "slack command answered through response_url",
              "{s:I}", "command_id", (json_int_t) c.id);
    else
      sr_log (SR_LOG_WARN, "slack command follow-up failed; tried again "
              "after its lease", "{s:I, s:s}", "command_id",
              (json_int_t) c.id, "error", err);
  }
}

static void *
run (void *cls)
{
  struct sr_slack_followup *f = cls;
  unsigned long poll_ms = f->cfg->poll_ms > 0 ? f->cfg->poll_ms : 1000;
  struct sr_slack_intraday intraday = { .hour = -1 };
  PGconn *conn = NULL;

  sr_log_set_context ("job_id", "slack_followup");
  while (!sr_waiter_stopping (&f->wake)) {
    char err[512];

    if (NULL == conn || CONNECTION_OK != PQstatus (conn)) {
      if (NULL != conn)
        PQfinish (conn);
      conn = NULL;
      if (SR_OK != sr_db_connect_as (SR_DB_ROLE_JOB, &conn, err,
                                     sizeof (err))) {
        sr_log (SR_LOG_WARN, "slack follow-up cannot reach the database",
                "{s:s}", "error", err);
        (void) sr_waiter_sleep (&f->wake, poll_ms);
        continue;
      }
    }
    if (NULL != f->cfg->slack_signing_secret && !drain (f, conn)) {
      PQfinish (conn);
      conn = NULL;
    }
    if (NULL != conn && f->cfg->slack_intraday_snapshot
        && SR_OK != sr_slack_intraday_tick (conn, f->cfg, &intraday, err,
                                            sizeof (err)))
      sr_log (SR_LOG_WARN, "intraday snapshot not queued; tried again",
              "{s:s}", "error", err);
    (void) sr_waiter_sleep (&f->wake, poll_ms);
  }
  if (NULL != conn)
    PQfinish (conn);
  sr_log_set_context (NULL, NULL);
  return NULL;
}

enum sr_status
sr_slack_followup_start (const struct sr_config *cfg,
                         struct sr_slack_followup **out)
{
  struct sr_slack_followup *f = sr_xcalloc (1, sizeof (*f));

  f->cfg = cfg;
  sr_waiter_init (&f->wake);
  if (0 != pthread_create (&f->thread, NULL, run, f)) {
    sr_waiter_destroy (&f->wake);
    free (f);
    return SR_E_INTERNAL;
  }
  *out = f;
  return SR_OK;
}

void
sr_slack_followup_stop (struct sr_slack_followup *f)
{
  if (NULL == f)
    return;
  sr_waiter_stop (&f->wake);
  pthread_join (f->thread, NULL);
  sr_waiter_destroy (&f->wake);
  free (f);
}

/* end of slack_followup.c */
