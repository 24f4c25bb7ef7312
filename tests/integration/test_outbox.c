/*
 * test_outbox.c -- the notification outbox is delivered exactly once:
 * through Slack 5xx answers and a 429's Retry-After, a permanent Slack
 * error (dead at once, in both lists, and retried from the dead letters),
 * an instance SIGKILLed between the upstream's accept and its own record
 * (Slack and Twilio: asked, found, not sent again), Twilio's 429 and a
 * bad number, response_url replies (never resent in doubt), two instances
 * sharing 200 rows (and the metric counting them), and SMS held by quiet
 * hours.
 *
 * Real PostgreSQL, real signalroom processes, the Slack/Twilio simulator
 * (tests/upstreams/slack_twilio.py).  Rows are queued the one way
 * producers queue them, signalroom.enqueue_notification, with explicit
 * targets.  Nothing sleeps to synchronise: waits poll the database or the
 * simulator with a deadline.
 */
#include "check.h"
#include "harness.h"
#include "slack_sim.h"

#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET "outbox-secret-0123456789abcdef0123456789"
#define BOT "xoxb-outbox-0000000001-b0tS3cr3tV4lue"
#define SID "AC0000000000000000000000000000beef"
#define TOK "tw1l10-0utb0x-T0k3nS3cr3t"
#define FROM "+15557654321"
#define N_INSTANCES 2

static struct sr_th_server srv[N_INSTANCES];
static bool alive[N_INSTANCES];
static struct sr_slack_sim sim;
static char conninfo[1024];
static PGconn *pg;
static char *token;
static bool up;

static const char *
q (const char *sql)
{
  return sr_th_pg_value (pg, sql);
}

static bool
start_instance (int i)
{
  struct sr_th_env env = { 0 };

  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  sr_th_env_add (&env, "SIGNALROOM_JWT_SECRET", SECRET);
  sr_th_env_add (&env, "SIGNALROOM_WORKERS", "1");
  sr_th_env_add (&env, "SIGNALROOM_POLL_MS", "200");
  sr_th_env_add (&env, "SIGNALROOM_UPSTREAM_BACKOFF_MS", "100");
  /* A short timeout keeps the lease (timeout + 5 s) short for the
   * killed-instance tests. */
  sr_th_env_add (&env, "SIGNALROOM_UPSTREAM_TIMEOUT", "2");
  sr_th_env_add (&env, "SIGNALROOM_OUTBOX_LEASE", "5");
  sr_th_env_add (&env, "SIGNALROOM_SHUTDOWN_GRACE", "2");
  sr_slack_sim_env (&sim, &env, BOT, SID, TOK, FROM);
  alive[i] = sr_th_server_start (&srv[i], &env);
  return alive[i];
}

/* Queue one notification as producers do; @return the rows added. */
static int
enqueue (const char *key, const char *channel, const char *target,
         const char *payload, bool critical)
{
  const char *params[5] = { key, channel, target, payload,
                            critical ? "true" : "false" };
  PGresult *r = PQexecParams (pg, "SELECT signalroom.enqueue_notification("
                              "$1, $2, $3, 'test', $4::jsonb, $5::boolean)",
                              5, NULL, params, NULL, NULL, 0);
  int n = PGRES_TUPLES_OK == PQresultStatus (r)
          ? atoi (PQgetvalue (r, 0, 0)) : -1;

  if (n < 0)
    fprintf (stderr, "enqueue: %s", PQerrorMessage (pg));
  PQclear (r);
  return n;
}

/* Wait until notification @a key has @a status (30 s at most). */
static bool
await_status (const char *key, const char *status)
{
  char sql[512];
  bool ok;

  snprintf (sql, sizeof (sql), "SELECT status = '%s' FROM "
            "signalroom.notifications WHERE idempotency_key = '%s'",
            status, key);
  ok = sr_th_pg_await_true (pg, sql, 30.0);
  if (!ok) {
    snprintf (sql, sizeof (sql), "SELECT status || ' ' || attempts || ' ' "
              "|| coalesce(last_error, '-') FROM signalroom.notifications "
              "WHERE idempotency_key = '%s'", key);
    fprintf (stderr, "notification %s: %s\n", key, q (sql));
  }
  return ok;
}

/* The idempotency key in a recorded Slack message's metadata, or NULL. */
static const char *
slack_key (const json_t *m)
{
  return json_string_value (json_object_get (json_object_get (
           json_object_get (m, "metadata"), "event_payload"), "key"));
}

static const char *
sms_body (const json_t *m)
{
  return json_string_value (json_object_get (m, "body"));
}

/* Messages the simulator's service at @a port holds for which @a field
 * is @a want; the last of them in *@a last (new reference) when not
 * NULL. */
static int
count_where (int port, const char *(*field) (const json_t *),
             const char *want, json_t **last)
{
  json_t *msgs = sr_slack_sim_messages (port), *m;
  size_t i;
  int n = 0;

  if (NULL != last)
    *last = NULL;
  json_array_foreach (msgs, i, m) {
    const char *v = field (m);

    if (NULL != v && 0 == strcmp (v, want)) {
      n++;
      if (NULL != last) {
        json_decref (*last);
        *last = json_incref (m);
      }
    }
  }
  json_decref (msgs);
  return n;
}

static int
slack_count (const char *key, json_t **last)
{
  return count_where (sim.slack_port, slack_key, key, last);
}

static int
sms_count (const char *body, json_t **last)
{
  return count_where (sim.twilio_port, sms_body, body, last);
}

/* The arrival times (monotonic) of the simulator's requests to @a path
 * that were answered @a status, in order; @return how many (at most
 * @a max). */
static size_t
request_times (int port, const char *path, int status, double *out,
               size_t max)
{
  struct sr_th_response r;
  json_t *log, *req;
  size_t i, n = 0;

  if (!sr_th_http (port, "GET", "/_sim/requests", NULL, NULL, 0, &r))
    return 0;
  log = json_loads (r.body, 0, NULL);
  sr_th_response_clean (&r);
  json_array_foreach (json_object_get (log, "requests"), i, req) {
    if (n < max
        && 0 == strcmp (json_string_value (json_object_get (req, "path")),
                        path)
        && json_integer_value (json_object_get (req, "status")) == status)
      out[n++] = json_real_value (json_object_get (req, "t"));
  }
  json_decref (log);
  return n;
}

/* Series @a series ("name{a=\"b\"}") summed over the live instances'
 * /metrics, -1 when an instance did not answer. */
static double
metric_sum (const char *series)
{
  size_t n = strlen (series);
  double sum = 0;

  for (int i = 0; i < N_INSTANCES; i++) {
    struct sr_th_response r;

    if (!alive[i])
      continue;
    if (!sr_th_http (srv[i].port, "GET", "/metrics", NULL, NULL, 0, &r)
        || 200 != r.status) {
      sr_th_response_clean (&r);
      return -1;
    }
    for (const char *p = r.body; NULL != p && '\0' != *p;) {
      if (0 == strncmp (p, series, n) && ' ' == p[n])
        sum += strtod (p + n + 1, NULL);
      p = strchr (p, '\n');
      p = NULL != p ? p + 1 : NULL;
    }
    sr_th_response_clean (&r);
  }
  return sum;
}

static bool
faults (int port, const char *json)
{
  return sr_slack_sim_post (port, "/_sim/faults", json, NULL);
}

SR_TEST (test_start)
{
  struct sr_th_env env = { 0 };
  const char *const argv[] = { "migrate", NULL };

  if (!sr_th_create_db ("sr_outbox", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  REQUIRE (sr_slack_sim_start (&sim, BOT, SID, TOK, NULL));
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  REQUIRE (0 == sr_th_run (&env, argv, NULL, NULL));
  pg = sr_th_pg (conninfo);
  token = sr_th_jwt (SECRET, "service_role", "authenticated", 3600);
  REQUIRE (start_instance (0));
  up = true;
}

/* Three 500s (the post, then two look-ups while the message is in doubt
 * take one each): delivered once, with the Slack answer recorded. */
SR_TEST (test_slack_500_three_times_delivers_once)
{
  json_t *m = NULL;

  REQUIRE (up);
  REQUIRE (faults (sim.slack_port, "{\"faults\":[{\"status\":500,"
                   "\"count\":3}]}"));
  CHECK_INT_EQ (enqueue ("k-500", "slack", "C1",
                         "{\"text\":\"five hundred\"}", false), 1);
  REQUIRE (await_status ("k-500", "sent"));
  CHECK_INT_EQ (slack_count ("k-500", &m), 1);
  CHECK_STR_EQ (json_string_value (json_object_get (m, "text")),
                "five hundred");
  CHECK_STR_EQ (json_string_value (json_object_get (m, "channel")), "C1");
  /* The recorded answer is the message Slack holds. */
  CHECK_STR_EQ (q ("SELECT response->>'ts' FROM signalroom.notifications "
                   "WHERE idempotency_key = 'k-500'"),
                json_string_value (json_object_get (m, "ts")));
  CHECK_STR_EQ (q ("SELECT in_doubt::text || ' ' || (attempts >= 2)::text "
                   "|| ' ' || (sent_at IS NOT NULL)::text FROM "
                   "signalroom.notifications WHERE idempotency_key = "
                   "'k-500'"), "false true true");
  json_decref (m);
  /* A second enqueue of the same key adds nothing. */
  CHECK_INT_EQ (enqueue ("k-500", "slack", "C1", "{\"text\":\"again\"}",
                         false), 0);
}

/* A 429 with Retry-After: 2 is waited out before the next post. */
SR_TEST (test_slack_429_retry_after_waited_out)
{
  double limited[4], posted[8];
  size_t n_limited, n_posted;

  REQUIRE (up);
  REQUIRE (faults (sim.slack_port, "{\"faults\":[{\"status\":429,"
                   "\"retry_after\":2}]}"));
  CHECK_INT_EQ (enqueue ("k-429", "slack", "C1", "{\"text\":\"slow down\"}",
                         false), 1);
  REQUIRE (await_status ("k-429", "sent"));
  CHECK_INT_EQ (slack_count ("k-429", NULL), 1);
  n_limited = request_times (sim.slack_port, "/api/chat.postMessage", 429,
                             limited, 4);
  n_posted = request_times (sim.slack_port, "/api/chat.postMessage", 200,
                            posted, 8);
  REQUIRE (1 == n_limited && n_posted >= 1);
  /* The post after the 429 is the last one answered 200. */
  CHECK (posted[n_posted - 1] - limited[0] >= 2.0);
}

/* ok:false channel_not_found fails for good at once: dead after one
 * attempt, nothing posted, shown in both lists; the dead letter's retry
 * queues it again. */
SR_TEST (test_channel_not_found_dead_at_once)
{
  json_t *page = NULL, *item, *dl;
  char target[64];
  json_int_t id, dead_id = 0;
  size_t i;

  REQUIRE (up);
  REQUIRE (faults (sim.slack_port, "{\"faults\":[{\"ok_false\":"
                   "\"channel_not_found\"}]}"));
  CHECK_INT_EQ (enqueue ("k-dead", "slack", "C404", "{\"text\":\"nowhere\"}",
                         false), 1);
  REQUIRE (await_status ("k-dead", "dead"));
  CHECK_INT_EQ (slack_count ("k-dead", NULL), 0);
  id = atoll (q ("SELECT id FROM signalroom.notifications WHERE "
                 "idempotency_key = 'k-dead'"));
  CHECK_STR_EQ (q ("SELECT attempts FROM signalroom.notifications WHERE "
                   "idempotency_key = 'k-dead'"), "1");
  /* A dead message is no pipeline failure: no alert episode (which would
   * queue a message that may die the same way, for ever). */
  CHECK_STR_EQ (q ("SELECT count(*) FROM signalroom.alert_state WHERE "
                   "source IN ('slack', 'sms', 'response_url')"), "0");

  CHECK_INT_EQ (sr_th_api (srv[0].port, token, "GET",
                           "/v1/notifications?status=dead&channel=slack",
                           NULL, &page), 200);
  item = json_array_get (json_object_get (page, "notifications"), 0);
  CHECK_INT_EQ (json_integer_value (json_object_get (item, "id")), id);
  CHECK_STR_EQ (json_string_value (json_object_get (item, "status")),
                "dead");
  CHECK_CONTAINS (json_string_value (json_object_get (item, "last_error")),
                  "channel_not_found");
  json_decref (page);
  CHECK_INT_EQ (sr_th_api (srv[0].port, token, "GET",
                           "/v1/notifications?status=bogus", NULL, NULL),
                400);

  CHECK_INT_EQ (sr_th_api (srv[0].port, token, "GET", "/v1/dead-letters",
                           NULL, &page), 200);
  json_array_foreach (json_object_get (page, "dead_letters"), i, dl) {
    if (json_integer_value (json_object_get (dl, "notification_id")) == id) {
      dead_id = json_integer_value (json_object_get (dl, "id"));
      CHECK (json_is_null (json_object_get (dl, "job_id")));
      CHECK_CONTAINS (json_string_value (json_object_get (dl, "error")),
                      "channel_not_found");
    }
  }
  json_decref (page);
  REQUIRE (dead_id > 0);

  /* Retried from the dead letters: queued again and delivered. */
  snprintf (target, sizeof (target), "/v1/dead-letters/%" JSON_INTEGER_FORMAT
            "/retry", dead_id);
  CHECK_INT_EQ (sr_th_api (srv[0].port, token, "POST", target, NULL, &page),
                202);
  CHECK_INT_EQ (json_integer_value (json_object_get (page,
                                                     "notification_id")),
                id);
  json_decref (page);
  REQUIRE (await_status ("k-dead", "sent"));
  CHECK_INT_EQ (slack_count ("k-dead", NULL), 1);
  CHECK_INT_EQ (sr_th_api (srv[0].port, token, "POST", target, NULL, NULL),
                409);
}

/* Queue @a key for the service at @a port, which holds it (accept_hang:
 * recorded, never answered); once the simulator has it and the row is
 * 'sending', SIGKILL instance 0 before it can record the answer, let the
 * held request go and start instance 0 again. */
static bool
kill_after_accept (int port, const char *key, const char *channel,
                   const char *target, const char *payload)
{
  json_t *msgs;
  size_t before;
  char sql[256];
  bool ok;
  int code;

  if (!faults (port, "{\"faults\":[{\"accept_hang\":true}]}"))
    return false;
  msgs = sr_slack_sim_messages (port);
  before = json_array_size (msgs);
  json_decref (msgs);
  if (1 != enqueue (key, channel, target, payload, true))
    return false;
  msgs = sr_slack_sim_await_messages (port, before + 1, 20.0);
  ok = json_array_size (msgs) == before + 1;
  json_decref (msgs);
  snprintf (sql, sizeof (sql), "SELECT status FROM signalroom.notifications "
            "WHERE idempotency_key = '%s'", key);
  ok = ok && 0 == strcmp (q (sql), "sending");
  ok = ok && sr_th_server_stop (&srv[0], SIGKILL, 10000, &code, NULL);
  alive[0] = !ok;
  return ok && sr_slack_sim_post (port, "/_sim/release", "", NULL)
         && start_instance (0);
}

/* Killed between Slack's accept and the record: after the restart the
 * row (its lease run out) is asked about, found, recorded -- not sent
 * again. */
SR_TEST (test_killed_after_slack_accept_sends_once)
{
  json_t *m = NULL;

  REQUIRE (up);
  REQUIRE (kill_after_accept (sim.slack_port, "k-kill", "slack", "C1",
                              "{\"text\":\"kill me\"}"));
  REQUIRE (await_status ("k-kill", "sent"));
  CHECK_INT_EQ (slack_count ("k-kill", &m), 1);
  CHECK_STR_EQ (q ("SELECT response->>'ts' FROM signalroom.notifications "
                   "WHERE idempotency_key = 'k-kill'"),
                json_string_value (json_object_get (m, "ts")));
  CHECK_CONTAINS (q ("SELECT last_error FROM signalroom.notifications "
                     "WHERE idempotency_key = 'k-kill'"), "found");
  json_decref (m);
}

/* The same between Twilio's accept and the record. */
SR_TEST (test_killed_after_twilio_accept_sends_once)
{
  json_t *m = NULL;

  REQUIRE (up);
  REQUIRE (kill_after_accept (sim.twilio_port, "k-sms-kill", "sms",
                              "+15550001111", "{\"body\":\"sms kill\"}"));
  REQUIRE (await_status ("k-sms-kill", "sent"));
  CHECK_INT_EQ (sms_count ("sms kill", &m), 1);
  CHECK_STR_EQ (q ("SELECT response->>'sid' FROM signalroom.notifications "
                   "WHERE idempotency_key = 'k-sms-kill'"),
                json_string_value (json_object_get (m, "sid")));
  CHECK_STR_EQ (json_string_value (json_object_get (m, "from")), FROM);
  json_decref (m);
}

/* Twilio: 429 (code 20429) is retried, a 4xx such as a bad number (code
 * 21211) fails for good at once with Twilio's code and message. */
SR_TEST (test_twilio_429_retried_bad_number_dead)
{
  REQUIRE (up);
  REQUIRE (faults (sim.twilio_port, "{\"faults\":[{\"status\":429}]}"));
  CHECK_INT_EQ (enqueue ("k-sms-429", "sms", "+15550003333",
                         "{\"body\":\"after 429\"}", true), 1);
  REQUIRE (await_status ("k-sms-429", "sent"));
  CHECK_INT_EQ (sms_count ("after 429", NULL), 1);
  CHECK_STR_EQ (q ("SELECT attempts FROM signalroom.notifications WHERE "
                   "idempotency_key = 'k-sms-429'"), "2");

  CHECK_INT_EQ (enqueue ("k-sms-bad", "sms", "+1", "{\"body\":\"bad to\"}",
                         true), 1);
  REQUIRE (await_status ("k-sms-bad", "dead"));
  CHECK_STR_EQ (q ("SELECT attempts FROM signalroom.notifications WHERE "
                   "idempotency_key = 'k-sms-bad'"), "1");
  CHECK_CONTAINS (q ("SELECT last_error FROM signalroom.notifications WHERE "
                     "idempotency_key = 'k-sms-bad'"), "error 21211");
  CHECK_INT_EQ (sms_count ("bad to", NULL), 0);
}

/* A response_url reply goes to the URL with no auth; one in doubt is not
 * resent (Slack cannot be asked): it goes dead.  The URL, a credential,
 * is not shown by GET /v1/notifications. */
SR_TEST (test_response_url_once_and_never_resent)
{
  char url[128];
  json_t *page = NULL, *item, *reqs;
  size_t i;
  int answered = 0;

  REQUIRE (up);
  snprintf (url, sizeof (url), "http://127.0.0.1:%d/response/T1/1/ok",
            sim.slack_port);
  CHECK_INT_EQ (enqueue ("k-reply", "response_url", url,
                         "{\"text\":\"done\",\"response_type\":"
                         "\"ephemeral\"}", false), 1);
  REQUIRE (await_status ("k-reply", "sent"));
  CHECK_INT_EQ (sr_th_api (srv[0].port, token, "GET",
                           "/v1/notifications?channel=response_url", NULL,
                           &page), 200);
  item = json_array_get (json_object_get (page, "notifications"), 0);
  CHECK_STR_EQ (json_string_value (json_object_get (item,
                                                    "idempotency_key")),
                "k-reply");
  CHECK (json_is_null (json_object_get (item, "target")));
  json_decref (page);

  snprintf (url, sizeof (url), "http://127.0.0.1:%d/response/T1/2/doubt",
            sim.slack_port);
  REQUIRE (kill_after_accept (sim.slack_port, "k-reply-doubt",
                              "response_url", url,
                              "{\"text\":\"maybe\"}"));
  REQUIRE (await_status ("k-reply-doubt", "dead"));
  CHECK_CONTAINS (q ("SELECT last_error FROM signalroom.notifications "
                     "WHERE idempotency_key = 'k-reply-doubt'"),
                  "not resent");
  /* Each URL got exactly one request that was accepted. */
  reqs = sr_slack_sim_messages (sim.slack_port);
  json_array_foreach (reqs, i, item) {
    const char *id = json_string_value (json_object_get (item,
                                                         "response_url_id"));

    if (NULL != id && 0 == strncmp (id, "T1/", 3)) {
      answered++;
      CHECK_STR_EQ (json_string_value (json_object_get (item, "text")),
                    0 == strcmp (id, "T1/1/ok") ? "done" : "maybe");
    }
  }
  json_decref (reqs);
  CHECK_INT_EQ (answered, 2);
}

/* Two instances, 200 rows queued at once: each delivered exactly once. */
SR_TEST (test_two_instances_200_rows_once_each)
{
  json_t *msgs, *m;
  size_t i;
  int seen[201] = { 0 }, total = 0, dup = 0, missing = 0;

  REQUIRE (up);
  REQUIRE (start_instance (1));
  CHECK_STR_EQ (q ("SELECT sum(signalroom.enqueue_notification('bulk-' || i, "
                   "'slack', 'C2', 'bulk', jsonb_build_object('text', "
                   "'bulk ' || i))) FROM generate_series(1, 200) AS i"),
                "200");
  REQUIRE (sr_th_pg_await_true (pg, "SELECT count(*) = 200 FROM "
                                "signalroom.notifications WHERE kind = 'bulk' "
                                "AND status = 'sent'", 60.0));
  msgs = sr_slack_sim_messages (sim.slack_port);
  json_array_foreach (msgs, i, m) {
    const char *k = slack_key (m);

    if (NULL != k && 0 == strncmp (k, "bulk-", 5)) {
      int n = atoi (k + 5);

      REQUIRE (n >= 1 && n <= 200);
      seen[n]++;
      total++;
    }
  }
  json_decref (msgs);
  for (int n = 1; n <= 200; n++) {
    dup += seen[n] > 1;
    missing += 0 == seen[n];
  }
  CHECK_INT_EQ (total, 200);
  CHECK_INT_EQ (dup, 0);
  CHECK_INT_EQ (missing, 0);
  /* Both instances took part (each records under its own lease; the
   * attempt counts show nobody sent twice). */
  CHECK_STR_EQ (q ("SELECT count(*) FROM signalroom.notifications WHERE "
                   "kind = 'bulk' AND attempts <> 1"), "0");
  /* Counted once each: both instances were last started before these
   * rows, and nothing else went to Slack since.  (The count follows the
   * record, so it is polled for a moment.) */
  {
    const char *series = "signalroom_notifications_total{channel=\"slack\","
                         "outcome=\"sent\"}";
    double t0 = sr_th_now (), v = metric_sum (series);

    while (200 != v && sr_th_now () - t0 < 10) {
      (void) poll (NULL, 0, 50);   /* re-check interval, not a wait */
      v = metric_sum (series);
    }
    CHECK (200 == v);
  }
  /* The list filters by kind and pages by cursor. */
  {
    json_t *page = NULL;
    json_int_t next;
    char target[128];

    CHECK_INT_EQ (sr_th_api (srv[0].port, token, "GET", "/v1/notifications"
                             "?kind=bulk&status=sent&limit=150", NULL,
                             &page), 200);
    CHECK_INT_EQ (json_array_size (json_object_get (page, "notifications")),
                  150);
    next = json_integer_value (json_object_get (page, "next_cursor"));
    json_decref (page);
    REQUIRE (next > 0);
    snprintf (target, sizeof (target), "/v1/notifications?kind=bulk&limit="
              "150&cursor=%" JSON_INTEGER_FORMAT, next);
    CHECK_INT_EQ (sr_th_api (srv[0].port, token, "GET", target, NULL, &page),
                  200);
    CHECK_INT_EQ (json_array_size (json_object_get (page, "notifications")),
                  50);
    json_decref (page);
  }
}

/* Quiet hours hold a non-critical text until they end; a critical one
 * goes at once. */
SR_TEST (test_sms_quiet_hours_wait)
{
  REQUIRE (up);
  /* Quiet from this hour for two hours, in UTC. */
  CHECK_STR_EQ (q ("WITH u AS (UPDATE signalroom.notify_settings SET "
                   "timezone = 'UTC', quiet_from = extract(hour FROM now() "
                   "AT TIME ZONE 'UTC')::int, quiet_to = (extract(hour FROM "
                   "now() AT TIME ZONE 'UTC')::int + 2) % 24 RETURNING 1) "
                   "SELECT count(*) FROM u"), "1");
  CHECK_INT_EQ (enqueue ("k-quiet", "sms", "+15550002222",
                         "{\"body\":\"quiet please\"}", false), 1);
  CHECK_INT_EQ (enqueue ("k-loud", "sms", "+15550002222",
                         "{\"body\":\"wake up\"}", true), 1);
  REQUIRE (await_status ("k-loud", "sent"));
  CHECK_INT_EQ (sms_count ("wake up", NULL), 1);
  /* Queued together, the critical one went: the quiet one waits, due at
   * the end of the quiet hours (at least an hour away). */
  CHECK_STR_EQ (q ("SELECT status || ' ' || attempts || ' ' || (run_after "
                   ">= now() + interval '1 hour')::text FROM "
                   "signalroom.notifications WHERE idempotency_key = "
                   "'k-quiet'"), "queued 0 true");
  CHECK_INT_EQ (sms_count ("quiet please", NULL), 0);
  /* Morning comes: it goes. */
  CHECK_STR_EQ (q ("WITH u AS (UPDATE signalroom.notifications SET "
                   "run_after = now() WHERE idempotency_key = 'k-quiet' "
                   "RETURNING 1) SELECT count(*) FROM u"), "1");
  (void) q ("SELECT pg_notify('signalroom_outbox', '')");
  REQUIRE (await_status ("k-quiet", "sent"));
  CHECK_INT_EQ (sms_count ("quiet please", NULL), 1);
  (void) q ("UPDATE signalroom.notify_settings SET quiet_from = NULL, "
            "quiet_to = NULL RETURNING 1");
}

/* Neither the bot token nor Twilio's auth token nor a response_url (a
 * credential too) reaches a log line. */
SR_TEST (test_no_secret_logged)
{
  REQUIRE (up);
  for (int i = 0; i < N_INSTANCES; i++) {
    char *log;

    if (!alive[i])
      continue;
    log = sr_th_server_log (&srv[i]);
    CHECK (NULL == strstr (log, BOT));
    CHECK (NULL == strstr (log, TOK));
    CHECK (NULL == strstr (log, "/response/T1/"));
    free (log);
  }
}

SR_TEST (test_stop)
{
  int code;

  for (int i = 0; i < N_INSTANCES; i++)
    if (alive[i])
      CHECK (sr_th_server_stop (&srv[i], SIGTERM, 15000, &code, NULL));
  sr_slack_sim_stop (&sim);
  if (NULL != pg)
    PQfinish (pg);
  free (token);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_start),
              SR_TEST_ENTRY (test_slack_500_three_times_delivers_once),
              SR_TEST_ENTRY (test_slack_429_retry_after_waited_out),
              SR_TEST_ENTRY (test_channel_not_found_dead_at_once),
              SR_TEST_ENTRY (test_killed_after_slack_accept_sends_once),
              SR_TEST_ENTRY (test_killed_after_twilio_accept_sends_once),
              SR_TEST_ENTRY (test_twilio_429_retried_bad_number_dead),
              SR_TEST_ENTRY (test_response_url_once_and_never_resent),
              SR_TEST_ENTRY (test_two_instances_200_rows_once_each),
              SR_TEST_ENTRY (test_sms_quiet_hours_wait),
              SR_TEST_ENTRY (test_no_secret_logged),
              SR_TEST_ENTRY (test_stop))
