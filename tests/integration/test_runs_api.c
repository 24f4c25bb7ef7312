/*
 * test_runs_api.c -- the runs API's promises that need no worker: an
 * `all` run and its child runs, the list's filters and keyset cursor, and
 * every write route refused to a reader's token.
 *
 * The instance runs no workers, so every run stays queued exactly as
 * created and the listing is fully known.
 */
#include "check.h"
#include "harness.h"

#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET "runs-api-secret-0123456789abcdef01234567"

static struct sr_th_server srv;
static char conninfo[1024];
static char *admin, *reader;
static json_int_t ef1, ef2, rt1, all1;
static bool up;

static int
api (const char *token, const char *method, const char *target,
     const char *body, json_t **out)
{
  return sr_th_api (srv.port, token, method, target, body, out);
}

static int
idem_post (const char *key, const char *body, json_t **out)
{
  struct sr_th_response r;
  char headers[2048];
  int status;

  snprintf (headers, sizeof (headers), "Authorization: Bearer %s\r\n"
            "Content-Type: application/json\r\nIdempotency-Key: %s\r\n",
            admin, key);
  *out = NULL;
  if (!sr_th_http (srv.port, "POST", "/v1/syncs", headers, body,
                   strlen (body), &r))
    return -1;
  status = r.status;
  *out = json_loads (r.body, 0, NULL);
  sr_th_response_clean (&r);
  return status;
}

static json_int_t
create (const char *body)
{
  json_t *j;
  json_int_t id = 0;

  CHECK_INT_EQ (api (admin, "POST", "/v1/syncs", body, &j), 202);
  id = json_integer_value (json_object_get (j, "id"));
  json_decref (j);
  CHECK (id > 0);
  return id;
}

SR_TEST (test_start)
{
  struct sr_th_env env = { 0 };

  if (!sr_th_create_db ("sr_runs_api", conninfo, sizeof (conninfo)))
    SR_SKIP ("no PostgreSQL fixture");
  sr_th_env_add (&env, "DATABASE_URL", conninfo);
  sr_th_env_add (&env, "SIGNALROOM_JWT_SECRET", SECRET);
  sr_th_env_add (&env, "SIGNALROOM_WORKERS", "0");
  sr_th_env_add (&env, "SIGNALROOM_SCHEDULER", "false");
  /* Configured (never called: no worker runs anything). */
  sr_th_env_add (&env, "EVERFLOW_API_KEY", "ef-unused-0123456789");
  sr_th_env_add (&env, "REDTRACK_API_KEY", "rt-unused-0123456789");
  sr_th_env_add (&env, "AWS_ACCESS_KEY_ID", "AKIDUNUSED");
  sr_th_env_add (&env, "AWS_SECRET_ACCESS_KEY", "unused-secret-0123456789");
  sr_th_env_add (&env, "S3_BUCKET_NAME", "unused");
  sr_th_env_add (&env, "S3_PREFIXES", "orders-create");
  REQUIRE (sr_th_server_start (&srv, &env));
  admin = sr_th_jwt (SECRET, "service_role", "authenticated", 3600);
  reader = sr_th_jwt (SECRET, "authenticated", "authenticated", 3600);
  /* The migrations run in the background: the first POST may find the
   * schema missing and answer 503; wait for readiness. */
  CHECK (sr_th_await_ready (srv.port, 30));
  ef1 = create ("{\"source\":\"everflow\",\"from\":\"2025-01-01\","
                "\"to\":\"2025-01-02\"}");
  rt1 = create ("{\"source\":\"redtrack\",\"from\":\"2025-01-01\","
                "\"to\":\"2025-01-01\"}");
  ef2 = create ("{\"source\":\"everflow\",\"from\":\"2025-01-03\","
                "\"to\":\"2025-01-03\"}");
  all1 = create ("{\"source\":\"all\",\"from\":\"2025-02-01\","
                 "\"to\":\"2025-02-01\"}");
  up = ef1 > 0 && rt1 > 0 && ef2 > 0 && all1 > 0;
}

/* An `all` run is a parent with one child run per source. */
SR_TEST (test_all_has_a_child_per_source)
{
  char target[64];
  json_t *run, *children;
  const char *seen[3] = { NULL, NULL, NULL };

  REQUIRE (up);
  snprintf (target, sizeof (target), "/v1/syncs/%" JSON_INTEGER_FORMAT,
            all1);
  CHECK_INT_EQ (api (admin, "GET", target, NULL, &run), 200);
  CHECK_STR_EQ (json_string_value (json_object_get (run, "source")), "all");
  CHECK_STR_EQ (json_string_value (json_object_get (run, "status")),
                "queued");
  children = json_object_get (run, "children");
  CHECK_INT_EQ (json_array_size (children), 3);
  for (size_t i = 0; i < json_array_size (children) && i < 3; i++) {
    json_t *c = json_array_get (children, i);

    seen[i] = json_string_value (json_object_get (c, "source"));
    CHECK_STR_EQ (json_string_value (json_object_get (c, "status")),
                  "queued");
    CHECK (json_integer_value (json_object_get (
             json_object_get (c, "jobs"), "total")) >= 1);
    if (0 != strcmp ("s3_exports", seen[i] ? seen[i] : "")) {
      CHECK_STR_EQ (json_string_value (json_object_get (c, "from")),
                    "2025-02-01");
      CHECK_STR_EQ (json_string_value (json_object_get (c, "to")),
                    "2025-02-01");
    }
  }
  {
    char joined[128];

    /* Order-independent: sort the three names. */
    for (int a = 0; a < 3; a++)
      for (int b = a + 1; b < 3; b++)
        if (seen[a] && seen[b] && strcmp (seen[a], seen[b]) > 0) {
          const char *t = seen[a];

          seen[a] = seen[b];
          seen[b] = t;
        }
    snprintf (joined, sizeof (joined), "%s,%s,%s", seen[0] ? seen[0] : "",
              seen[1] ? seen[1] : "", seen[2] ? seen[2] : "");
    CHECK_STR_EQ (joined, "everflow,redtrack,s3_exports");
  }
  json_decref (run);
}

/* The ids of GET @a target's runs, "," joined into @a out. */
static json_t *
list_ids (const char *target, char *out, size_t len)
{
  json_t *page;
  size_t used = 0;

  out[0] = '\0';
  if (200 != api (admin, "GET", target, NULL, &page))
    return NULL;
  for (size_t i = 0; i < json_array_size (json_object_get (page, "runs"));
       i++)
    used += (size_t) snprintf (out + used, len - used, "%s%" JSON_INTEGER_FORMAT,
                               i ? "," : "",
                               json_integer_value (json_object_get (
                                 json_array_get (json_object_get (page,
                                                                  "runs"),
                                                 i), "id")));
  return page;
}

SR_TEST (test_list_filters)
{
  char got[256], want[256];

  REQUIRE (up);
  json_decref (list_ids ("/v1/syncs?source=everflow", got, sizeof (got)));
  snprintf (want, sizeof (want), "%" JSON_INTEGER_FORMAT ",%"
            JSON_INTEGER_FORMAT, ef2, ef1);
  CHECK_STR_EQ (got, want);
  json_decref (list_ids ("/v1/syncs?source=redtrack", got, sizeof (got)));
  snprintf (want, sizeof (want), "%" JSON_INTEGER_FORMAT, rt1);
  CHECK_STR_EQ (got, want);
  /* Child runs are listed inside their parent, not on their own. */
  json_decref (list_ids ("/v1/syncs?source=all", got, sizeof (got)));
  snprintf (want, sizeof (want), "%" JSON_INTEGER_FORMAT, all1);
  CHECK_STR_EQ (got, want);
  json_decref (list_ids ("/v1/syncs?status=succeeded", got, sizeof (got)));
  CHECK_STR_EQ (got, "");
  /* A date inside a window (2025-01-02 is only in ef1's). */
  json_decref (list_ids ("/v1/syncs?date=2025-01-02", got, sizeof (got)));
  snprintf (want, sizeof (want), "%" JSON_INTEGER_FORMAT, ef1);
  CHECK_STR_EQ (got, want);
  json_decref (list_ids ("/v1/syncs?date=2025-01-01&source=redtrack", got,
                         sizeof (got)));
  snprintf (want, sizeof (want), "%" JSON_INTEGER_FORMAT, rt1);
  CHECK_STR_EQ (got, want);
  /* Bad filter values are refused, not ignored. */
  CHECK_INT_EQ (api (admin, "GET", "/v1/syncs?source=nope", NULL, NULL), 400);
  CHECK_INT_EQ (api (admin, "GET", "/v1/syncs?status=done", NULL, NULL), 400);
  CHECK_INT_EQ (api (admin, "GET", "/v1/syncs?date=2025-13-01", NULL, NULL),
                400);
  CHECK_INT_EQ (api (admin, "GET", "/v1/syncs?limit=0", NULL, NULL), 400);
}

/* Following next_cursor one run at a time visits every run once, newest
 * first, and ends with a null cursor. */
SR_TEST (test_cursor_walks_every_run_once)
{
  char target[128], got[64], all[256] = "", want[256];
  size_t used = 0;
  int pages = 0;

  REQUIRE (up);
  snprintf (target, sizeof (target), "/v1/syncs?limit=1");
  for (;;) {
    json_t *page = list_ids (target, got, sizeof (got)), *next;

    REQUIRE (NULL != page);
    pages++;
    if ('\0' != got[0])
      used += (size_t) snprintf (all + used, sizeof (all) - used, "%s%s",
                                 used ? "," : "", got);
    next = json_object_get (page, "next_cursor");
    if (json_is_null (next) || pages > 10) {
      json_decref (page);
      break;
    }
    snprintf (target, sizeof (target), "/v1/syncs?limit=1&cursor=%"
              JSON_INTEGER_FORMAT, json_integer_value (next));
    json_decref (page);
  }
  snprintf (want, sizeof (want), "%" JSON_INTEGER_FORMAT ",%"
            JSON_INTEGER_FORMAT ",%" JSON_INTEGER_FORMAT ",%"
            JSON_INTEGER_FORMAT, all1, ef2, rt1, ef1);
  CHECK_STR_EQ (all, want);
  CHECK (pages >= 4 && pages <= 5);
}

/* One write operation of openapi.yaml, checked once its whole entry was
 * read: a reader's token gets 403.  A public write route (`security: []`:
 * Slack's signed commands) ignores tokens; unsigned, it must refuse too. */
struct write_op {
  char method[16];
  char target[256];
  bool pending, public_route;
};

static void
check_write_op (struct write_op *op, const char *token, int *writes)
{
  int status;

  if (!op->pending)
    return;
  op->pending = false;
  status = api (token, op->method, op->target, "{}", NULL);
  if (op->public_route ? status >= 200 && status < 300 : 403 != status) {
    fprintf (stderr, "%s %s: a reader was not refused (%d)\n", op->method,
             op->target, status);
    CHECK (false);
  }
  (*writes)++;
}

/* Every route that changes something, as openapi.yaml lists them (test_core
 * keeps that list equal to the route table): a reader's token gets 403,
 * and nothing changes. */
SR_TEST (test_write_routes_refused_to_readers)
{
  char *yaml = sr_test_slurp (SR_SOURCE_DIR "/openapi/openapi.yaml");
  char path[256] = "";
  struct write_op op = { .pending = false };
  int writes = 0;

  REQUIRE (up && NULL != yaml);
  for (char *line = strtok (yaml, "\n"); NULL != line;
       line = strtok (NULL, "\n")) {
    char method[16];

    if (op.pending && 0 == strcmp (line, "      security: []"))
      op.public_route = true;
    if (' ' != line[0]) {
      check_write_op (&op, reader, &writes);
      path[0] = '\0';    /* a new top-level section: paths are over */
      continue;
    }
    if (0 == strncmp (line, "  /", 3) && ':' == line[strlen (line) - 1]) {
      check_write_op (&op, reader, &writes);
      snprintf (path, sizeof (path), "%.*s", (int) strlen (line) - 3,
                line + 2);
      continue;
    }
    if (1 != sscanf (line, "    %15[a-z]:", method) || '/' != path[0]
        || 4 != strspn (line, " "))
      continue;
    check_write_op (&op, reader, &writes);
    if (0 == strcmp (method, "get"))
      continue;
    {
      size_t o = 0;

      /* Path parameters become "1": authorisation comes first. */
      for (const char *p = path; *p && o < sizeof (op.target) - 2; p++) {
        if ('{' == *p) {
          op.target[o++] = '1';
          p = strchr (p, '}');
          if (NULL == p)
            break;
          continue;
        }
        op.target[o++] = *p;
      }
      op.target[o] = '\0';
      for (size_t i = 0; i <= strlen (method); i++)
        op.method[i] = (char) (method[i] >= 'a' && method[i] <= 'z'
                               ? method[i] - 32 : method[i]);
      op.pending = true;
      op.public_route = false;
    }
  }
  check_write_op (&op, reader, &writes);
  free (yaml);
  /* syncs, cancel, dead-letter retry, mappings, schedules, log level. */
  CHECK (writes >= 6);
  /* Nothing was queued, cancelled or changed by the attempts. */
  {
    json_t *page = NULL;
    char got[256];

    page = list_ids ("/v1/syncs?status=queued", got, sizeof (got));
    CHECK_INT_EQ (json_array_size (json_object_get (page, "runs")), 4);
    json_decref (page);
  }
}

/* An Idempotency-Key names one request: repeated, it returns the first
 * run; reused for another request, it is refused (422) rather than
 * silently answered with a run the client did not ask for. */
SR_TEST (test_idempotency_key_reuse)
{
  static const char *const first = "{\"source\":\"everflow\",\"from\":"
                                   "\"2025-03-01\",\"to\":\"2025-03-01\"}";
  json_t *a, *b;
  json_int_t id;

  REQUIRE (up);
  CHECK_INT_EQ (idem_post ("key-reuse-1", first, &a), 202);
  id = json_integer_value (json_object_get (a, "id"));
  json_decref (a);
  CHECK_INT_EQ (idem_post ("key-reuse-1", first, &b), 200);
  CHECK_INT_EQ (json_integer_value (json_object_get (b, "id")), id);
  json_decref (b);
  CHECK_INT_EQ (idem_post ("key-reuse-1", "{\"source\":\"everflow\","
                           "\"from\":\"2025-03-02\",\"to\":"
                           "\"2025-03-02\"}", &b), 422);
  CHECK_STR_EQ (json_string_value (json_object_get (b, "code")),
                "idempotency_key_reused");
  CHECK_INT_EQ (json_integer_value (json_object_get (b, "run_id")), id);
  json_decref (b);
  CHECK_INT_EQ (idem_post ("key-reuse-1", "{\"source\":\"everflow\","
                           "\"from\":\"2025-03-01\",\"to\":"
                           "\"2025-03-01\",\"force\":true}", &b), 422);
  json_decref (b);
}

struct racer {
  pthread_t thread;
  int status;
  json_int_t id;
};

static void *
race (void *cls)
{
  struct racer *r = cls;
  json_t *j;

  r->status = idem_post ("key-race-1", "{\"source\":\"redtrack\",\"from\":"
                         "\"2025-04-01\",\"to\":\"2025-04-01\"}", &j);
  r->id = json_integer_value (json_object_get (j, "id"));
  json_decref (j);
  return NULL;
}

/* The same key sent eight times at once makes one run: one 202, seven
 * 200s, one id. */
SR_TEST (test_idempotency_key_concurrent)
{
  struct racer r[8];
  int created = 0, repeated = 0;
  PGconn *pg;
  char want[32];

  REQUIRE (up);
  for (int i = 0; i < 8; i++)
    REQUIRE (0 == pthread_create (&r[i].thread, NULL, race, &r[i]));
  for (int i = 0; i < 8; i++)
    pthread_join (r[i].thread, NULL);
  for (int i = 0; i < 8; i++) {
    created += 202 == r[i].status;
    repeated += 200 == r[i].status;
    CHECK_INT_EQ (r[i].id, r[0].id);
  }
  CHECK_INT_EQ (created, 1);
  CHECK_INT_EQ (repeated, 7);
  pg = sr_th_pg (conninfo);
  snprintf (want, sizeof (want), "1:%" JSON_INTEGER_FORMAT, r[0].id);
  CHECK_STR_EQ (sr_th_pg_value (pg, "SELECT count(*) || ':' || min(id) FROM "
                                "signalroom.runs WHERE idempotency_key = "
                                "'key-race-1'"), want);
  PQfinish (pg);
}

SR_TEST (test_stop)
{
  int code;

  if (up)
    CHECK (sr_th_server_stop (&srv, SIGTERM, 20000, &code, NULL));
  free (admin);
  free (reader);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_start),
              SR_TEST_ENTRY (test_all_has_a_child_per_source),
              SR_TEST_ENTRY (test_list_filters),
              SR_TEST_ENTRY (test_cursor_walks_every_run_once),
              SR_TEST_ENTRY (test_write_routes_refused_to_readers),
              SR_TEST_ENTRY (test_idempotency_key_reuse),
              SR_TEST_ENTRY (test_idempotency_key_concurrent),
              SR_TEST_ENTRY (test_stop))
