/*
 * test_slack_twilio_sim.c -- the Slack and Twilio simulator
 * (tests/upstreams/slack_twilio.py) behaves as its README documents:
 * Slack's bot-token and Twilio's basic-auth refusals, each validation
 * rule of chat.postMessage, response_url and Messages.json, SMS segments,
 * response_url's use limit, every fault kind, the per-channel rate limit,
 * a request log and stderr without secrets, reset, and a prompt SIGTERM
 * with requests held.
 *
 * Every test starts its own simulator through tests/support/slack_sim.h.
 * Nothing sleeps to synchronise: waits poll the control API or a socket.
 */
#include "check.h"
#include "harness.h"
#include "rawhttp.h"
#include "slack_sim.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Made-up credentials, distinctive enough to grep logs for. */
#define BOT "xoxb-0000000001-0000000002-b0tS3cr3tV4lue"
#define SID "AC00000000000000000000000000000001"
#define TOK "tw1l10T0k3nS3cr3t"

#define JSON_CT "Content-Type: application/json; charset=utf-8\r\n"
#define FORM_CT "Content-Type: application/x-www-form-urlencoded\r\n"
#define AUTH "Authorization: Bearer " BOT "\r\n"
#define POST_MESSAGE "/api/chat.postMessage"
#define MESSAGES_PATH "/2010-04-01/Accounts/" SID "/Messages.json"

/* ---- helpers ---- */

struct reply {
  int status;                 /* 0: no answer */
  json_t *json;               /* the body parsed, or NULL */
  char retry_after[32];       /* "" when absent */
  char content_type[128];
  char www_authenticate[128];
};

static void
reply_clean (struct reply *r)
{
  json_decref (r->json);
  r->json = NULL;
}

static void
copy_header (const struct sr_th_response *resp, const char *name, char *out,
             size_t len)
{
  const char *v = sr_th_header (resp, name);

  snprintf (out, len, "%s", NULL != v ? v : "");
}

/* One request; @a headers "Name: v\r\n"... or NULL. */
static int
call (int port, const char *method, const char *path, const char *headers,
      const char *body, struct reply *r)
{
  struct sr_th_response resp;

  memset (r, 0, sizeof (*r));
  if (!sr_th_http (port, method, path, headers, body,
                   NULL != body ? strlen (body) : 0, &resp)) {
    sr_th_response_clean (&resp);
    return 0;
  }
  r->status = resp.status;
  if (NULL != resp.body)
    r->json = json_loadb (resp.body, resp.body_len, 0, NULL);
  copy_header (&resp, "Retry-After", r->retry_after, sizeof (r->retry_after));
  copy_header (&resp, "Content-Type", r->content_type,
               sizeof (r->content_type));
  copy_header (&resp, "WWW-Authenticate", r->www_authenticate,
               sizeof (r->www_authenticate));
  sr_th_response_clean (&resp);
  return r->status;
}

static const char *
jstr (const json_t *obj, const char *key)
{
  return json_string_value (json_object_get (obj, key));
}

/* jstr(), or "" when @a key is not a string. */
static const char *
jstr0 (const json_t *obj, const char *key)
{
  const char *v = jstr (obj, key);

  return NULL != v ? v : "";
}

static long long
jint (const json_t *obj, const char *key)
{
  return json_integer_value (json_object_get (obj, key));
}

/*
 * POST @a body to chat.postMessage with @a headers: "ok" for an ok:true
 * answer, Slack's error name for ok:false, "HTTP <n>" for another status
 * (static buffer).
 */
static const char *
slack_result (const struct sr_slack_sim *s, const char *headers,
              const char *body)
{
  static char out[128];
  struct reply r;

  call (s->slack_port, "POST", POST_MESSAGE, headers, body, &r);
  if (200 != r.status)
    snprintf (out, sizeof (out), "HTTP %d", r.status);
  else if (json_is_true (json_object_get (r.json, "ok")))
    snprintf (out, sizeof (out), "ok");
  else
    snprintf (out, sizeof (out), "%s", jstr0 (r.json, "error"));
  reply_clean (&r);
  return out;
}

static const char *
slack_json (const struct sr_slack_sim *s, const char *body)
{
  return slack_result (s, AUTH JSON_CT, body);
}

/* "Authorization: Basic base64(user:password)\r\n" into @a out. */
static void
basic_auth (const char *user, const char *password, char *out, size_t len)
{
  static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char plain[256];
  size_t n = (size_t) snprintf (plain, sizeof (plain), "%s:%s", user,
                                password);
  size_t o = (size_t) snprintf (out, len, "Authorization: Basic ");

  for (size_t i = 0; i < n && o + 5 < len; i += 3) {
    unsigned v = (unsigned char) plain[i] << 16;

    if (i + 1 < n)
      v |= (unsigned char) plain[i + 1] << 8;
    if (i + 2 < n)
      v |= (unsigned char) plain[i + 2];
    out[o++] = b64[(v >> 18) & 63];
    out[o++] = b64[(v >> 12) & 63];
    out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
    out[o++] = i + 2 < n ? b64[v & 63] : '=';
  }
  snprintf (out + o, len - o, "\r\n");
}

/* Append @a value percent-encoded (form style) to @a out at *@a n. */
static void
form_append (char *out, size_t cap, size_t *n, const char *name,
             const char *value)
{
  static const char hex[] = "0123456789ABCDEF";

  if (NULL == value)
    return;
  *n += (size_t) snprintf (out + *n, cap - *n, "%s%s=", *n ? "&" : "", name);
  for (const unsigned char *p = (const unsigned char *) value; *p; p++) {
    if (*n + 4 >= cap)
      abort ();
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
        || (*p >= '0' && *p <= '9') || NULL != strchr ("-._~", *p))
      out[(*n)++] = (char) *p;
    else {
      out[(*n)++] = '%';
      out[(*n)++] = hex[*p >> 4];
      out[(*n)++] = hex[*p & 15];
    }
  }
  out[*n] = '\0';
}

/* A form body of To, From, Body (NULL ones left out; caller frees). */
static char *
sms_form (const char *to, const char *from, const char *text)
{
  size_t cap = 64 + 3 * (strlen (to ? to : "") + strlen (from ? from : "")
                         + strlen (text ? text : ""));
  char *out = malloc (cap);
  size_t n = 0;

  if (NULL == out)
    abort ();
  out[0] = '\0';
  form_append (out, cap, &n, "To", to);
  form_append (out, cap, &n, "From", from);
  form_append (out, cap, &n, "Body", text);
  return out;
}

/* POST @a form to Messages.json with the right credentials. */
static int
twilio_send (const struct sr_slack_sim *s, const char *form, struct reply *r)
{
  char headers[512];
  size_t n;

  basic_auth (SID, TOK, headers, sizeof (headers));
  n = strlen (headers);
  snprintf (headers + n, sizeof (headers) - n, FORM_CT);
  return call (s->twilio_port, "POST", MESSAGES_PATH, headers, form, r);
}

/* Twilio's error code for an SMS (To, From, Body), or the HTTP status of
 * a success (201). */
static long long
twilio_result (const struct sr_slack_sim *s, const char *to, const char *from,
               const char *text)
{
  char *form = sms_form (to, from, text);
  struct reply r;
  long long out;

  twilio_send (s, form, &r);
  out = r.status >= 400 ? jint (r.json, "code") : r.status;
  if (r.status >= 400 && jint (r.json, "status") != r.status)
    out = -1; /* the error body must repeat the status */
  reply_clean (&r);
  free (form);
  return out;
}

/* The segments Twilio reports for @a text ("num_segments" as a number),
 * -1 when it was not accepted. */
static int
segments_of (const struct sr_slack_sim *s, const char *text)
{
  char *form = sms_form ("+15551230000", "+15557654321", text);
  struct reply r;
  int n = -1;

  if (201 == twilio_send (s, form, &r) && NULL != jstr (r.json, "num_segments"))
    n = atoi (jstr (r.json, "num_segments"));
  reply_clean (&r);
  free (form);
  return n;
}

/* @a unit repeated @a times (caller frees). */
static char *
repeat (const char *unit, size_t times)
{
  size_t len = strlen (unit);
  char *out = malloc (len * times + 1);

  if (NULL == out)
    abort ();
  for (size_t i = 0; i < times; i++)
    memcpy (out + i * len, unit, len);
  out[len * times] = '\0';
  return out;
}

/* printf into a new string (caller frees). */
static char *
fmt (const char *format, ...) __attribute__ ((format (printf, 1, 2)));

static char *
fmt (const char *format, ...)
{
  va_list ap;
  char *out = NULL;

  va_start (ap, format);
  if (vasprintf (&out, format, ap) < 0)
    abort ();
  va_end (ap);
  return out;
}

static size_t
message_count (int port)
{
  json_t *m = sr_slack_sim_messages (port);
  size_t n = NULL == m ? (size_t) -1 : json_array_size (m);

  json_decref (m);
  return n;
}

static bool
queue_faults (int port, const char *json)
{
  return sr_slack_sim_post (port, "/_sim/faults", json, NULL);
}

/* Wait until the service on @a port has logged @a n API requests. */
static bool
await_requests (int port, int n)
{
  double deadline = sr_th_now () + 10.0;

  while (sr_slack_sim_request_count (port) < n) {
    if (sr_th_now () > deadline)
      return false;
    (void) poll (NULL, 0, 10);
  }
  return true;
}

/* A raw POST on its own connection, its answer left unread: -1 or the
 * socket. */
static int
post_async (int port, const char *path, const char *headers, const char *body)
{
  char head[1024];
  int fd = sr_rh_connect (port);

  snprintf (head, sizeof (head), "POST %s HTTP/1.1\r\nHost: x\r\n%s"
            "Content-Length: %zu\r\nConnection: close\r\n\r\n", path,
            headers, strlen (body));
  if (fd >= 0 && (!sr_rh_send (fd, head, strlen (head))
                  || !sr_rh_send (fd, body, strlen (body)))) {
    close (fd);
    fd = -1;
  }
  return fd;
}

/* True when @a fd has something to read (or EOF) within @a ms. */
static bool
readable_within (int fd, int ms)
{
  struct pollfd p = { .fd = fd, .events = POLLIN };

  return poll (&p, 1, ms) > 0;
}

/* Read everything from @a fd until EOF or 10 s (caller frees). */
static char *
read_all (int fd)
{
  double deadline = sr_th_now () + 10.0;
  size_t cap = 1 << 20, got = 0;
  char *buf = malloc (cap + 1);

  if (NULL == buf)
    return NULL;
  while (sr_th_now () < deadline) {
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int rc = poll (&p, 1, 100);
    ssize_t n;

    if (rc < 0 && EINTR != errno)
      break;
    if (rc <= 0)
      continue;
    n = read (fd, buf + got, cap - got);
    if (n < 0 && EINTR == errno)
      continue;
    if (n <= 0 || (got += (size_t) n) == cap)
      break;
  }
  buf[got] = '\0';
  return buf;
}

static bool
start (struct sr_slack_sim *s)
{
  return sr_slack_sim_start (s, BOT, SID, TOK, NULL);
}

/* ---- start, stop ---- */

SR_TEST (test_start_and_stop)
{
  struct sr_slack_sim s;

  REQUIRE (start (&s));
  CHECK (s.pid > 0);
  CHECK (s.slack_port > 0);
  CHECK (s.twilio_port > 0);
  CHECK (s.slack_port != s.twilio_port);
  CHECK_INT_EQ (message_count (s.slack_port), 0);
  CHECK_INT_EQ (message_count (s.twilio_port), 0);
  CHECK_INT_EQ (sr_slack_sim_request_count (s.slack_port), 0);
  CHECK_INT_EQ (sr_slack_sim_stop_status (&s, SIGTERM), 0);
  CHECK_INT_EQ (sr_slack_sim_stop_status (&s, SIGTERM), -1);
  sr_slack_sim_stop (&s); /* harmless twice */
  /* Without a credential it never prints its ports, and start says so. */
  CHECK (!sr_slack_sim_start (&s, BOT, SID, NULL, NULL));
  CHECK_INT_EQ (s.pid, 0);
  CHECK (!sr_slack_sim_start (&s, BOT, SID, TOK,
                              (const char *[]){ "--no-such-flag", NULL }));
  CHECK_INT_EQ (s.pid, 0);
}

/* ---- Slack: authentication ---- */

SR_TEST (test_slack_auth)
{
  struct sr_slack_sim s;
  const char *msg = "{\"channel\":\"C0AAAA111\",\"text\":\"hello\"}";
  struct reply r;

  REQUIRE (start (&s));
  /* Slack answers 200 with ok:false, whatever is wrong. */
  CHECK_STR_EQ (slack_result (&s, JSON_CT, msg), "not_authed");
  CHECK_STR_EQ (slack_result (&s, JSON_CT "Authorization: Bearer \r\n", msg),
                "not_authed");
  CHECK_STR_EQ (slack_result (&s, JSON_CT "Authorization: Bearer xoxb-wrong\r\n",
                              msg), "invalid_auth");
  CHECK_STR_EQ (slack_result (&s, JSON_CT "Authorization: Bearer " BOT "x\r\n",
                              msg), "invalid_auth");
  CHECK_STR_EQ (slack_result (&s, JSON_CT "Authorization: Basic " BOT "\r\n",
                              msg), "invalid_auth");
  /* The token as a form field is not enough: the header is required. */
  CHECK_STR_EQ (slack_result (&s, FORM_CT,
                              "token=" BOT "&channel=C0AAAA111&text=hi"),
                "not_authed");
  CHECK_INT_EQ (message_count (s.slack_port), 0);
  /* The scheme in any case. */
  CHECK_STR_EQ (slack_result (&s, JSON_CT "authorization: bearer " BOT "\r\n",
                              msg), "ok");
  CHECK_INT_EQ (message_count (s.slack_port), 1);

  /* auth.test */
  CHECK_INT_EQ (call (s.slack_port, "POST", "/api/auth.test", AUTH, "", &r),
                200);
  CHECK (json_is_true (json_object_get (r.json, "ok")));
  CHECK (NULL != jstr (r.json, "team_id"));
  CHECK (NULL != jstr (r.json, "user_id"));
  CHECK (NULL != jstr (r.json, "team"));
  CHECK (NULL != jstr (r.json, "user"));
  reply_clean (&r);
  CHECK_INT_EQ (call (s.slack_port, "POST", "/api/auth.test",
                      "Authorization: Bearer nope\r\n", "", &r), 200);
  CHECK_STR_EQ (jstr (r.json, "error"), "invalid_auth");
  reply_clean (&r);
  CHECK_INT_EQ (call (s.slack_port, "POST", "/api/auth.test", NULL, "", &r),
                200);
  CHECK_STR_EQ (jstr (r.json, "error"), "not_authed");
  reply_clean (&r);
  /* Unknown methods and paths. */
  CHECK_INT_EQ (call (s.slack_port, "POST", "/api/chat.nothing", AUTH, "", &r),
                404);
  CHECK_STR_EQ (jstr (r.json, "error"), "unknown_method");
  reply_clean (&r);
  CHECK_INT_EQ (call (s.slack_port, "GET", POST_MESSAGE, AUTH, NULL, &r), 405);
  reply_clean (&r);
  CHECK_INT_EQ (sr_slack_sim_request_count (s.slack_port), 12);
  sr_slack_sim_stop (&s);
}

/* ---- Slack: chat.postMessage rules ---- */

SR_TEST (test_slack_validation)
{
  struct sr_slack_sim s;
  char *text, *body, *blocks;

  REQUIRE (start (&s));
  /* channel */
  CHECK_STR_EQ (slack_json (&s, "{\"text\":\"hi\"}"), "channel_not_found");
  CHECK_STR_EQ (slack_json (&s, "{\"channel\":\"\",\"text\":\"hi\"}"),
                "channel_not_found");
  CHECK_STR_EQ (slack_json (&s, "{\"channel\":7,\"text\":\"hi\"}"),
                "invalid_arguments");
  REQUIRE (sr_slack_sim_post (s.slack_port, "/_sim/config",
                              "{\"channels\":[\"C0AAAA111\"]}", NULL));
  CHECK_STR_EQ (slack_json (&s, "{\"channel\":\"C0BBBB222\",\"text\":\"hi\"}"),
                "channel_not_found");
  CHECK_STR_EQ (slack_json (&s, "{\"channel\":\"C0AAAA111\",\"text\":\"hi\"}"),
                "ok");
  REQUIRE (sr_slack_sim_post (s.slack_port, "/_sim/config",
                              "{\"channels\":null}", NULL));
  CHECK_STR_EQ (slack_json (&s, "{\"channel\":\"C0BBBB222\",\"text\":\"hi\"}"),
                "ok");

  /* text or blocks */
  CHECK_STR_EQ (slack_json (&s, "{\"channel\":\"C1\"}"), "no_text");
  CHECK_STR_EQ (slack_json (&s, "{\"channel\":\"C1\",\"text\":\"\"}"),
                "no_text");
  CHECK_STR_EQ (slack_json (&s, "{\"channel\":\"C1\",\"blocks\":[]}"),
                "no_text");
  CHECK_STR_EQ (slack_json (&s, "{\"channel\":\"C1\",\"text\":5}"),
                "invalid_arguments");
  CHECK_STR_EQ (slack_json (&s, "{\"channel\":\"C1\","
                            "\"blocks\":[{\"type\":\"divider\"}]}"), "ok");

  /* 40,000 characters of text (not bytes: "é" is two) */
  text = repeat ("\xc3\xa9", 40000);
  body = fmt ("{\"channel\":\"C1\",\"text\":\"%s\"}", text);
  CHECK_STR_EQ (slack_json (&s, body), "ok");
  free (body);
  body = fmt ("{\"channel\":\"C1\",\"text\":\"%sx\"}", text);
  CHECK_STR_EQ (slack_json (&s, body), "msg_too_long");
  free (body);
  free (text);

  /* blocks: an array of at most 50 objects with a type */
  CHECK_STR_EQ (slack_json (&s, "{\"channel\":\"C1\",\"text\":\"t\","
                            "\"blocks\":{\"type\":\"divider\"}}"),
                "invalid_blocks");
  CHECK_STR_EQ (slack_json (&s, "{\"channel\":\"C1\",\"text\":\"t\","
                            "\"blocks\":[1]}"), "invalid_blocks");
  CHECK_STR_EQ (slack_json (&s, "{\"channel\":\"C1\",\"text\":\"t\","
                            "\"blocks\":[{\"text\":\"x\"}]}"), "invalid_blocks");
  CHECK_STR_EQ (slack_json (&s, "{\"channel\":\"C1\",\"text\":\"t\","
                            "\"blocks\":[{\"type\":\"\"}]}"), "invalid_blocks");
  CHECK_STR_EQ (slack_json (&s, "{\"channel\":\"C1\",\"text\":\"t\","
                            "\"blocks\":[{\"type\":7}]}"), "invalid_blocks");
  blocks = repeat ("{\"type\":\"divider\"},", 50);
  blocks[strlen (blocks) - 1] = '\0';
  body = fmt ("{\"channel\":\"C1\",\"text\":\"t\",\"blocks\":[%s]}", blocks);
  CHECK_STR_EQ (slack_json (&s, body), "ok");
  free (body);
  body = fmt ("{\"channel\":\"C1\",\"text\":\"t\",\"blocks\":[%s,"
              "{\"type\":\"divider\"}]}", blocks);
  CHECK_STR_EQ (slack_json (&s, body), "invalid_blocks");
  free (body);
  free (blocks);
  /* Block Kit's text limits: section 3000, header 150 */
  text = repeat ("s", 3000);
  body = fmt ("{\"channel\":\"C1\",\"blocks\":[{\"type\":\"section\",\"text\":"
              "{\"type\":\"mrkdwn\",\"text\":\"%s\"}}]}", text);
  CHECK_STR_EQ (slack_json (&s, body), "ok");
  free (body);
  body = fmt ("{\"channel\":\"C1\",\"blocks\":[{\"type\":\"section\",\"text\":"
              "{\"type\":\"mrkdwn\",\"text\":\"%s!\"}}]}", text);
  CHECK_STR_EQ (slack_json (&s, body), "invalid_blocks");
  free (body);
  free (text);
  text = repeat ("h", 150);
  body = fmt ("{\"channel\":\"C1\",\"blocks\":[{\"type\":\"header\",\"text\":"
              "{\"type\":\"plain_text\",\"text\":\"%s\"}}]}", text);
  CHECK_STR_EQ (slack_json (&s, body), "ok");
  free (body);
  body = fmt ("{\"channel\":\"C1\",\"blocks\":[{\"type\":\"header\",\"text\":"
              "{\"type\":\"plain_text\",\"text\":\"%s!\"}}]}", text);
  CHECK_STR_EQ (slack_json (&s, body), "invalid_blocks");
  free (body);
  free (text);

  /* Bodies: form-encoded (blocks as JSON text), JSON, anything else. */
  CHECK_STR_EQ (slack_result (&s, AUTH FORM_CT, "channel=C1&text=hello%20form"),
                "ok");
  CHECK_STR_EQ (slack_result (&s, AUTH FORM_CT, "channel=C1&blocks="
                              "%5B%7B%22type%22%3A%22divider%22%7D%5D"), "ok");
  CHECK_STR_EQ (slack_result (&s, AUTH FORM_CT, "channel=C1&blocks=divider"),
                "invalid_blocks");
  CHECK_STR_EQ (slack_result (&s, AUTH FORM_CT, "channel=C1&text="),
                "no_text");
  CHECK_STR_EQ (slack_result (&s, AUTH "Content-Type: text/xml\r\n",
                              "<channel>C1</channel>"), "invalid_post_type");
  CHECK_STR_EQ (slack_json (&s, "{\"channel\":"), "invalid_json");
  CHECK_STR_EQ (slack_json (&s, "[\"C1\",\"hi\"]"), "json_not_object");

  /* Every accepted message, as sent, in order. */
  {
    json_t *m = sr_slack_sim_messages (s.slack_port);
    json_t *last;

    REQUIRE (NULL != m);
    CHECK_INT_EQ (json_array_size (m), 9);
    CHECK_STR_EQ (jstr (json_array_get (m, 0), "channel"), "C0AAAA111");
    last = json_array_get (m, 7);
    CHECK_STR_EQ (jstr (last, "text"), "hello form");
    CHECK_STR_EQ (jstr (last, "via"), "chat.postMessage");
    last = json_array_get (m, 8);
    CHECK_STR_EQ (jstr (json_array_get (json_object_get (last, "blocks"), 0),
                        "type"), "divider");
    json_decref (m);
  }
  sr_slack_sim_stop (&s);
}

SR_TEST (test_slack_answer_and_record)
{
  struct sr_slack_sim s;
  struct reply r;
  char ts1[64] = "", ts2[64] = "";
  json_t *m, *rec;

  REQUIRE (start (&s));
  CHECK_INT_EQ (call (s.slack_port, "POST", POST_MESSAGE, AUTH JSON_CT,
                      "{\"channel\":\"C0AAAA111\",\"text\":\"Daily report\","
                      "\"blocks\":[{\"type\":\"header\",\"text\":{\"type\":"
                      "\"plain_text\",\"text\":\"Daily\"}}],"
                      "\"thread_ts\":\"1762066800.000100\","
                      "\"unfurl_links\":false}", &r), 200);
  CHECK (json_is_true (json_object_get (r.json, "ok")));
  CHECK_STR_EQ (jstr (r.json, "channel"), "C0AAAA111");
  CHECK_CONTAINS (r.content_type, "application/json");
  CHECK (NULL == json_object_get (r.json, "response_metadata"));
  snprintf (ts1, sizeof (ts1), "%s", jstr0 (r.json, "ts"));
  CHECK_STR_EQ (jstr (json_object_get (r.json, "message"), "text"),
                "Daily report");
  CHECK_STR_EQ (jstr (json_object_get (r.json, "message"), "ts"), ts1);
  CHECK_STR_EQ (jstr (json_object_get (r.json, "message"), "thread_ts"),
                "1762066800.000100");
  reply_clean (&r);
  /* JSON without a charset: accepted with Slack's warning. */
  CHECK_INT_EQ (call (s.slack_port, "POST", POST_MESSAGE,
                      AUTH "Content-Type: application/json\r\n",
                      "{\"channel\":\"C0AAAA111\",\"text\":\"second\"}", &r),
                200);
  CHECK (json_is_true (json_object_get (r.json, "ok")));
  CHECK_STR_EQ (json_string_value (json_array_get (json_object_get (
                  json_object_get (r.json, "response_metadata"), "warnings"),
                  0)), "missing_charset");
  snprintf (ts2, sizeof (ts2), "%s", jstr0 (r.json, "ts"));
  reply_clean (&r);
  /* ts: "<seconds>.<6 digits>", unique and increasing */
  {
    unsigned long long s1 = 0, s2 = 0, u1 = 0, u2 = 0;
    int n1 = 0, n2 = 0;

    CHECK (2 == sscanf (ts1, "%llu.%llu%n", &s1, &u1, &n1));
    CHECK (2 == sscanf (ts2, "%llu.%llu%n", &s2, &u2, &n2));
    CHECK (NULL != strchr (ts1, '.') && 6 == strlen (strchr (ts1, '.') + 1)
           && 6 == strspn (strchr (ts1, '.') + 1, "0123456789"));
    CHECK_INT_EQ ((size_t) n1, strlen (ts1));
    CHECK_INT_EQ ((size_t) n2, strlen (ts2));
    CHECK (s1 > 1600000000ULL);
    CHECK (s2 > s1 || (s2 == s1 && u2 > u1));
  }
  m = sr_slack_sim_await_messages (s.slack_port, 2, 5.0);
  REQUIRE (NULL != m);
  CHECK_INT_EQ (json_array_size (m), 2);
  rec = json_array_get (m, 0);
  CHECK_STR_EQ (jstr (rec, "via"), "chat.postMessage");
  CHECK_STR_EQ (jstr (rec, "channel"), "C0AAAA111");
  CHECK_STR_EQ (jstr (rec, "text"), "Daily report");
  CHECK_STR_EQ (jstr (rec, "ts"), ts1);
  CHECK_STR_EQ (jstr (rec, "thread_ts"), "1762066800.000100");
  CHECK_STR_EQ (jstr (json_array_get (json_object_get (rec, "blocks"), 0),
                      "type"), "header");
  CHECK (json_is_null (json_object_get (rec, "response_url_id")));
  CHECK (json_is_false (json_object_get (json_object_get (rec, "other"),
                                         "unfurl_links")));
  CHECK (json_is_real (json_object_get (rec, "t")));
  CHECK_STR_EQ (jstr (json_array_get (m, 1), "ts"), ts2);
  json_decref (m);
  sr_slack_sim_stop (&s);
}

/* ---- Slack: response_url ---- */

SR_TEST (test_response_url)
{
  struct sr_slack_sim s;
  struct reply r;
  json_t *m;
  static const char *bad[] = {
    "not json",
    "[\"text\"]",
    "{\"foo\":1}",
    "{\"text\":\"\"}",
    "{\"text\":5}",
    "{\"text\":\"x\",\"response_type\":\"everyone\"}",
    "{\"text\":\"x\",\"replace_original\":\"yes\"}",
    "{\"blocks\":[{\"no\":\"type\"}]}",
  };

  REQUIRE (start (&s));
  /* Refused payloads: 400 invalid_payload, and they use nothing up. */
  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
    CHECK_INT_EQ (call (s.slack_port, "POST", "/response/T1/123/abc", JSON_CT,
                        bad[i], &r), 400);
    CHECK_STR_EQ (jstr (r.json, "error"), "invalid_payload");
    reply_clean (&r);
  }
  /* No authentication: the URL is the credential.  Five uses ... */
  for (int i = 0; i < 5; i++) {
    char body[128];

    snprintf (body, sizeof (body), "{\"text\":\"step %d\",\"response_type\":"
              "\"%s\",\"replace_original\":%s}", i,
              i % 2 ? "in_channel" : "ephemeral", i ? "true" : "false");
    CHECK_INT_EQ (call (s.slack_port, "POST", "/response/T1/123/abc", JSON_CT,
                        body, &r), 200);
    CHECK (json_is_true (json_object_get (r.json, "ok")));
    reply_clean (&r);
  }
  /* ... then the URL is used up, whatever is sent. */
  CHECK_INT_EQ (call (s.slack_port, "POST", "/response/T1/123/abc", JSON_CT,
                      "{\"text\":\"sixth\"}", &r), 404);
  CHECK_STR_EQ (jstr (r.json, "error"), "used_url");
  reply_clean (&r);
  CHECK_INT_EQ (call (s.slack_port, "POST", "/response/T1/123/abc", JSON_CT,
                      "junk", &r), 404);
  reply_clean (&r);
  /* Another id has its own five; blocks alone, delete_original alone. */
  CHECK_INT_EQ (call (s.slack_port, "POST", "/response/T1/456/def", JSON_CT,
                      "{\"blocks\":[{\"type\":\"divider\"}]}", &r), 200);
  reply_clean (&r);
  CHECK_INT_EQ (call (s.slack_port, "POST", "/response/T1/456/def", JSON_CT,
                      "{\"delete_original\":true}", &r), 200);
  reply_clean (&r);

  m = sr_slack_sim_messages (s.slack_port);
  REQUIRE (NULL != m);
  CHECK_INT_EQ (json_array_size (m), 7);
  CHECK_STR_EQ (jstr (json_array_get (m, 0), "via"), "response_url");
  CHECK_STR_EQ (jstr (json_array_get (m, 0), "response_url_id"), "T1/123/abc");
  CHECK_STR_EQ (jstr (json_array_get (m, 0), "text"), "step 0");
  CHECK_STR_EQ (jstr (json_array_get (m, 0), "response_type"), "ephemeral");
  CHECK (json_is_false (json_object_get (json_array_get (m, 0),
                                         "replace_original")));
  CHECK_STR_EQ (jstr (json_array_get (m, 4), "text"), "step 4");
  CHECK_STR_EQ (jstr (json_array_get (m, 3), "response_type"), "in_channel");
  CHECK (json_is_true (json_object_get (json_array_get (m, 4),
                                        "replace_original")));
  CHECK_STR_EQ (jstr (json_array_get (m, 5), "response_url_id"), "T1/456/def");
  CHECK (json_is_true (json_object_get (json_array_get (m, 6),
                                        "delete_original")));
  json_decref (m);
  /* GET is not how response_url works. */
  CHECK_INT_EQ (call (s.slack_port, "GET", "/response/T1/789/ghi", NULL, NULL,
                      &r), 405);
  reply_clean (&r);
  sr_slack_sim_stop (&s);
}

/* ---- Twilio ---- */

SR_TEST (test_twilio_auth)
{
  struct sr_slack_sim s;
  char *form = sms_form ("+15551230000", "+15557654321", "hello");
  char headers[512];
  struct reply r;

  REQUIRE (NULL != form);
  REQUIRE (start (&s));
  /* No credentials */
  CHECK_INT_EQ (call (s.twilio_port, "POST", MESSAGES_PATH, FORM_CT, form, &r),
                401);
  CHECK_INT_EQ (jint (r.json, "code"), 20003);
  CHECK_INT_EQ (jint (r.json, "status"), 401);
  CHECK_STR_EQ (jstr (r.json, "message"), "Authenticate");
  CHECK_STR_EQ (jstr (r.json, "more_info"),
                "https://www.twilio.com/docs/errors/20003");
  CHECK_CONTAINS (r.www_authenticate, "Basic");
  reply_clean (&r);
  /* Wrong token, wrong SID, a Bearer token, right credentials for a path
   * of another account. */
  basic_auth (SID, "wrong", headers, sizeof (headers));
  strcat (headers, FORM_CT);
  CHECK_INT_EQ (call (s.twilio_port, "POST", MESSAGES_PATH, headers, form, &r),
                401);
  CHECK_INT_EQ (jint (r.json, "code"), 20003);
  reply_clean (&r);
  basic_auth ("AC00000000000000000000000000000002", TOK, headers,
              sizeof (headers));
  strcat (headers, FORM_CT);
  CHECK_INT_EQ (call (s.twilio_port, "POST", MESSAGES_PATH, headers, form, &r),
                401);
  reply_clean (&r);
  CHECK_INT_EQ (call (s.twilio_port, "POST", MESSAGES_PATH,
                      "Authorization: Bearer " TOK "\r\n" FORM_CT, form, &r),
                401);
  reply_clean (&r);
  basic_auth (SID, TOK, headers, sizeof (headers));
  strcat (headers, FORM_CT);
  CHECK_INT_EQ (call (s.twilio_port, "POST", "/2010-04-01/Accounts/"
                      "AC00000000000000000000000000000002/Messages.json",
                      headers, form, &r), 401);
  reply_clean (&r);
  CHECK_INT_EQ (message_count (s.twilio_port), 0);
  /* Right: 201 */
  CHECK_INT_EQ (call (s.twilio_port, "POST", MESSAGES_PATH, headers, form, &r),
                201);
  reply_clean (&r);
  CHECK_INT_EQ (message_count (s.twilio_port), 1);
  /* Other paths and methods, Twilio's way. */
  CHECK_INT_EQ (call (s.twilio_port, "POST", "/2010-04-01/Accounts/" SID
                      "/Calls.json", headers, form, &r), 404);
  CHECK_INT_EQ (jint (r.json, "code"), 20404);
  reply_clean (&r);
  CHECK_INT_EQ (call (s.twilio_port, "DELETE", MESSAGES_PATH, headers, NULL,
                      &r), 405);
  CHECK_INT_EQ (jint (r.json, "code"), 20004);
  reply_clean (&r);
  CHECK_INT_EQ (sr_slack_sim_request_count (s.twilio_port), 8);
  free (form);
  sr_slack_sim_stop (&s);
}

SR_TEST (test_twilio_validation)
{
  struct sr_slack_sim s;
  const char *to = "+15551230000", *from = "+15557654321";
  char *text;

  REQUIRE (start (&s));
  /* To: required, E.164 */
  CHECK_INT_EQ (twilio_result (&s, NULL, from, "hi"), 21604);
  CHECK_INT_EQ (twilio_result (&s, "", from, "hi"), 21604);
  CHECK_INT_EQ (twilio_result (&s, "5551230000", from, "hi"), 21211);
  CHECK_INT_EQ (twilio_result (&s, "+05551230000", from, "hi"), 21211);
  CHECK_INT_EQ (twilio_result (&s, "+1 555 123 0000", from, "hi"), 21211);
  CHECK_INT_EQ (twilio_result (&s, "+1", from, "hi"), 21211);
  CHECK_INT_EQ (twilio_result (&s, "+1234567890123456", from, "hi"), 21211);
  CHECK_INT_EQ (twilio_result (&s, "+123456789012345", from, "hi"), 201);
  CHECK_INT_EQ (twilio_result (&s, "+12", from, "hi"), 201);
  /* Arabic-Indic digits are not [0-9] */
  CHECK_INT_EQ (twilio_result (&s, "+1\xd9\xa1\xd9\xa2\xd9\xa3", from, "hi"),
                21211);
  /* From: required, E.164 */
  CHECK_INT_EQ (twilio_result (&s, to, NULL, "hi"), 21603);
  CHECK_INT_EQ (twilio_result (&s, to, "SIGNALRM", "hi"), 21212);
  /* Body: required, at most 1600 characters (not bytes) */
  CHECK_INT_EQ (twilio_result (&s, to, from, NULL), 21602);
  CHECK_INT_EQ (twilio_result (&s, to, from, ""), 21602);
  text = repeat ("\xd0\xb6", 1600); /* Cyrillic zhe, two bytes each */
  CHECK_INT_EQ (twilio_result (&s, to, from, text), 201);
  free (text);
  text = repeat ("a", 1601);
  CHECK_INT_EQ (twilio_result (&s, to, from, text), 21617);
  free (text);
  /* A JSON body is not how Twilio takes parameters: no To. */
  {
    struct reply r;
    char headers[512];

    basic_auth (SID, TOK, headers, sizeof (headers));
    strcat (headers, JSON_CT);
    CHECK_INT_EQ (call (s.twilio_port, "POST", MESSAGES_PATH, headers,
                        "{\"To\":\"+15551230000\",\"From\":\"+15557654321\","
                        "\"Body\":\"hi\"}", &r), 400);
    CHECK_INT_EQ (jint (r.json, "code"), 21604);
    reply_clean (&r);
  }
  CHECK_INT_EQ (message_count (s.twilio_port), 3);
  sr_slack_sim_stop (&s);
}

SR_TEST (test_twilio_message_resource)
{
  struct sr_slack_sim s;
  char *form = sms_form ("+15551230000", "+15557654321",
                         "CCW down: 3 failed runs");
  struct reply r;
  char sid[64] = "";
  json_t *m, *rec;

  REQUIRE (start (&s));
  CHECK_INT_EQ (twilio_send (&s, form, &r), 201);
  free (form);
  REQUIRE (NULL != r.json);
  snprintf (sid, sizeof (sid), "%s", jstr0 (r.json, "sid"));
  CHECK_INT_EQ (strlen (sid), 34);
  CHECK (0 == strncmp (sid, "SM", 2));
  CHECK_INT_EQ (strspn (sid + 2, "0123456789abcdef"), 32);
  CHECK_STR_EQ (jstr (r.json, "account_sid"), SID);
  CHECK_STR_EQ (jstr (r.json, "status"), "queued");
  CHECK_STR_EQ (jstr (r.json, "to"), "+15551230000");
  CHECK_STR_EQ (jstr (r.json, "from"), "+15557654321");
  CHECK_STR_EQ (jstr (r.json, "body"), "CCW down: 3 failed runs");
  CHECK_STR_EQ (jstr (r.json, "num_segments"), "1");
  CHECK_STR_EQ (jstr (r.json, "direction"), "outbound-api");
  CHECK (json_is_null (json_object_get (r.json, "error_code")));
  /* RFC 2822: "Sun, 02 Nov 2025 12:00:00 +0000" */
  {
    const char *d = jstr (r.json, "date_created");
    char wd[8], mon[8], zone[8];
    int day, year, hh, mm, ss;

    REQUIRE (NULL != d);
    CHECK_INT_EQ (sscanf (d, "%3s, %2d %3s %4d %2d:%2d:%2d %5s", wd, &day, mon,
                          &year, &hh, &mm, &ss, zone), 8);
    CHECK_INT_EQ (strlen (d), 31);
    CHECK_STR_EQ (zone, "+0000");
  }
  reply_clean (&r);
  /* Another message has another sid. */
  form = sms_form ("+15551230000", "+15557654321", "second");
  CHECK_INT_EQ (twilio_send (&s, form, &r), 201);
  free (form);
  CHECK_INT_EQ (strlen (jstr0 (r.json, "sid")), 34);
  CHECK (0 != strcmp (jstr0 (r.json, "sid"), sid));
  reply_clean (&r);
  m = sr_slack_sim_await_messages (s.twilio_port, 2, 5.0);
  REQUIRE (NULL != m);
  CHECK_INT_EQ (json_array_size (m), 2);
  rec = json_array_get (m, 0);
  CHECK_STR_EQ (jstr (rec, "sid"), sid);
  CHECK_STR_EQ (jstr (rec, "to"), "+15551230000");
  CHECK_STR_EQ (jstr (rec, "from"), "+15557654321");
  CHECK_STR_EQ (jstr (rec, "body"), "CCW down: 3 failed runs");
  CHECK_INT_EQ (jint (rec, "segments"), 1);
  CHECK_STR_EQ (jstr (rec, "encoding"), "GSM-7");
  json_decref (m);
  sr_slack_sim_stop (&s);
}

SR_TEST (test_twilio_segments)
{
  struct sr_slack_sim s;
  char *text, *a;

  REQUIRE (start (&s));
  /* GSM-7: 160 in one, then 153 per segment */
  text = repeat ("a", 160);
  CHECK_INT_EQ (segments_of (&s, text), 1);
  free (text);
  text = repeat ("a", 161);
  CHECK_INT_EQ (segments_of (&s, text), 2);
  free (text);
  text = repeat ("a", 306);
  CHECK_INT_EQ (segments_of (&s, text), 2);
  free (text);
  text = repeat ("a", 307);
  CHECK_INT_EQ (segments_of (&s, text), 3);
  free (text);
  text = repeat ("a", 1600);
  CHECK_INT_EQ (segments_of (&s, text), 11);
  free (text);
  /* GSM-7 beyond ASCII ("é", "Ä", "Ω" are in the basic set) */
  text = repeat ("\xc3\xa9\xc3\x84\xce\xa9\xc2\xa3", 40); /* é Ä Ω £ */
  CHECK_INT_EQ (segments_of (&s, text), 1);
  free (text);
  /* The extension table ("€", "{", ...) costs two septets each ... */
  text = repeat ("\xe2\x82\xac", 80);
  CHECK_INT_EQ (segments_of (&s, text), 1);
  free (text);
  text = repeat ("{", 81);
  CHECK_INT_EQ (segments_of (&s, text), 2);
  free (text);
  /* ... and never straddles two segments: 152 + 2 + 152 septets make
   * three segments, not ceil(306 / 153) = 2. */
  a = repeat ("a", 152);
  text = fmt ("%s\xe2\x82\xac%s", a, a);
  CHECK_INT_EQ (segments_of (&s, text), 3);
  free (text);
  free (a);
  /* UCS-2: one character outside GSM-7 makes it all UCS-2, 70 then 67 */
  text = repeat ("\xd0\xb6", 70);
  CHECK_INT_EQ (segments_of (&s, text), 1);
  free (text);
  text = repeat ("\xd0\xb6", 71);
  CHECK_INT_EQ (segments_of (&s, text), 2);
  free (text);
  a = repeat ("a", 70);
  text = fmt ("%s\xe2\x80\x99", a); /* a smart quote */
  CHECK_INT_EQ (segments_of (&s, text), 2);
  free (text);
  free (a);
  /* An emoji is two UTF-16 units and stays whole. */
  text = repeat ("\xf0\x9f\x98\x80", 35);
  CHECK_INT_EQ (segments_of (&s, text), 1);
  free (text);
  text = repeat ("\xf0\x9f\x98\x80", 67); /* 134 units: 33 + 33 + 1 pairs */
  CHECK_INT_EQ (segments_of (&s, text), 3);
  free (text);
  {
    json_t *m = sr_slack_sim_messages (s.twilio_port);

    CHECK_INT_EQ (jint (json_array_get (m, 1), "segments"), 2);
    CHECK_STR_EQ (jstr (json_array_get (m, 1), "encoding"), "GSM-7");
    CHECK_INT_EQ (jint (json_array_get (m, 10), "segments"), 2);
    CHECK_STR_EQ (jstr (json_array_get (m, 10), "encoding"), "UCS-2");
    json_decref (m);
  }
  sr_slack_sim_stop (&s);
}

/* ---- faults ---- */

SR_TEST (test_fault_status)
{
  struct sr_slack_sim s;
  const char *msg = "{\"channel\":\"C1\",\"text\":\"hi\"}";
  char *form = sms_form ("+15551230000", "+15557654321", "hi");
  struct reply r;
  json_t *log;

  REQUIRE (start (&s));
  REQUIRE (queue_faults (s.slack_port, "{\"faults\":[{\"status\":429,"
                         "\"retry_after\":7,\"count\":2},{\"status\":500},"
                         "{\"status\":503,\"count\":1},{\"status\":429}]}"));
  /* The control API is never faulted. */
  CHECK_INT_EQ (message_count (s.slack_port), 0);
  for (int i = 0; i < 2; i++) {
    CHECK_INT_EQ (call (s.slack_port, "POST", POST_MESSAGE, AUTH JSON_CT, msg,
                        &r), 429);
    CHECK_STR_EQ (r.retry_after, "7");
    CHECK_STR_EQ (jstr (r.json, "error"), "ratelimited");
    reply_clean (&r);
  }
  CHECK_INT_EQ (call (s.slack_port, "POST", POST_MESSAGE, AUTH JSON_CT, msg,
                      &r), 500);
  reply_clean (&r);
  CHECK_INT_EQ (call (s.slack_port, "POST", POST_MESSAGE, AUTH JSON_CT, msg,
                      &r), 503);
  CHECK_STR_EQ (r.retry_after, "");
  reply_clean (&r);
  /* Slack's 429 always says when to come back (1 s unless told). */
  CHECK_INT_EQ (call (s.slack_port, "POST", POST_MESSAGE, AUTH JSON_CT, msg,
                      &r), 429);
  CHECK_STR_EQ (r.retry_after, "1");
  reply_clean (&r);
  CHECK_STR_EQ (slack_json (&s, msg), "ok");
  CHECK_INT_EQ (message_count (s.slack_port), 1);
  /* Faults are per service, and apply to response_url too. */
  CHECK_INT_EQ (sr_slack_sim_request_count (s.twilio_port), 0);
  REQUIRE (queue_faults (s.slack_port, "{\"faults\":[{\"status\":503}]}"));
  CHECK_INT_EQ (call (s.slack_port, "POST", "/response/x", JSON_CT,
                      "{\"text\":\"a\"}", &r), 503);
  reply_clean (&r);

  /* Twilio: its error shape, 20429 for 429 */
  REQUIRE (queue_faults (s.twilio_port, "{\"faults\":[{\"status\":429},"
                         "{\"status\":503,\"retry_after\":2},"
                         "{\"status\":500}]}"));
  CHECK_INT_EQ (twilio_send (&s, form, &r), 429);
  CHECK_INT_EQ (jint (r.json, "code"), 20429);
  CHECK_INT_EQ (jint (r.json, "status"), 429);
  reply_clean (&r);
  CHECK_INT_EQ (twilio_send (&s, form, &r), 503);
  CHECK_INT_EQ (jint (r.json, "code"), 20503);
  CHECK_STR_EQ (r.retry_after, "2");
  reply_clean (&r);
  CHECK_INT_EQ (twilio_send (&s, form, &r), 500);
  CHECK_INT_EQ (jint (r.json, "code"), 20500);
  reply_clean (&r);
  CHECK_INT_EQ (message_count (s.twilio_port), 0);
  CHECK_INT_EQ (twilio_send (&s, form, &r), 201);
  reply_clean (&r);
  CHECK_INT_EQ (message_count (s.twilio_port), 1);

  /* Every request is logged, faulted ones with their status. */
  {
    struct sr_th_response resp;

    REQUIRE (sr_th_http (s.slack_port, "GET", "/_sim/requests", NULL, NULL, 0,
                         &resp));
    log = json_loadb (resp.body, resp.body_len, 0, NULL);
    sr_th_response_clean (&resp);
  }
  REQUIRE (NULL != log);
  CHECK_INT_EQ (jint (log, "count"), 7);
  {
    static const int want[] = { 429, 429, 500, 503, 429, 200, 503 };
    json_t *reqs = json_object_get (log, "requests");

    for (size_t i = 0; i < 7; i++) {
      json_t *e = json_array_get (reqs, i);

      CHECK_INT_EQ (jint (e, "status"), want[i]);
      CHECK_STR_EQ (jstr (e, "method"), "POST");
      CHECK (json_is_real (json_object_get (e, "t")));
    }
    CHECK_STR_EQ (jstr (json_array_get (reqs, 6), "path"), "/response/x");
  }
  json_decref (log);
  /* Bad faults are refused whole. */
  {
    int status;

    CHECK (!sr_slack_sim_post (s.slack_port, "/_sim/faults",
                               "{\"faults\":[{\"status\":503},{\"status\":99}]}",
                               &status));
    CHECK_INT_EQ (status, 400);
    CHECK (!sr_slack_sim_post (s.slack_port, "/_sim/faults",
                               "{\"faults\":[{\"status\":503,\"close\":true}]}",
                               &status));
    CHECK (!sr_slack_sim_post (s.slack_port, "/_sim/faults",
                               "{\"faults\":[{\"retry_after\":3}]}", &status));
    CHECK (!sr_slack_sim_post (s.twilio_port, "/_sim/faults",
                               "{\"faults\":[{\"ok_false\":\"ratelimited\"}]}",
                               &status));
    CHECK_INT_EQ (status, 400);
    CHECK_STR_EQ (slack_json (&s, msg), "ok");
  }
  free (form);
  sr_slack_sim_stop (&s);
}

SR_TEST (test_fault_ok_false)
{
  struct sr_slack_sim s;
  const char *msg = "{\"channel\":\"C1\",\"text\":\"hi\"}";

  REQUIRE (start (&s));
  REQUIRE (queue_faults (s.slack_port, "{\"faults\":[{\"ok_false\":"
                         "\"ratelimited\",\"count\":2},{\"ok_false\":"
                         "\"fatal_error\"},{\"ok_false\":\"not_in_channel\"}]}"));
  CHECK_STR_EQ (slack_json (&s, msg), "ratelimited");
  CHECK_STR_EQ (slack_json (&s, msg), "ratelimited");
  CHECK_STR_EQ (slack_json (&s, msg), "fatal_error");
  CHECK_STR_EQ (slack_json (&s, msg), "not_in_channel");
  CHECK_INT_EQ (message_count (s.slack_port), 0);
  CHECK_STR_EQ (slack_json (&s, msg), "ok");
  CHECK_INT_EQ (message_count (s.slack_port), 1);
  CHECK_INT_EQ (sr_slack_sim_request_count (s.slack_port), 5);
  sr_slack_sim_stop (&s);
}

SR_TEST (test_fault_delay)
{
  struct sr_slack_sim s;
  char *form = sms_form ("+15551230000", "+15557654321", "slow");
  struct reply r;
  double t0;

  REQUIRE (start (&s));
  REQUIRE (queue_faults (s.slack_port, "{\"faults\":[{\"delay_ms\":400},"
                         "{\"delay_ms\":300,\"status\":503}]}"));
  t0 = sr_th_now ();
  CHECK_STR_EQ (slack_json (&s, "{\"channel\":\"C1\",\"text\":\"slow\"}"), "ok");
  CHECK (sr_th_now () - t0 >= 0.4);
  t0 = sr_th_now ();
  CHECK_INT_EQ (call (s.slack_port, "POST", POST_MESSAGE, AUTH JSON_CT,
                      "{\"channel\":\"C1\",\"text\":\"x\"}", &r), 503);
  reply_clean (&r);
  CHECK (sr_th_now () - t0 >= 0.3);
  REQUIRE (queue_faults (s.twilio_port, "{\"faults\":[{\"delay_ms\":400}]}"));
  t0 = sr_th_now ();
  CHECK_INT_EQ (twilio_send (&s, form, &r), 201);
  reply_clean (&r);
  CHECK (sr_th_now () - t0 >= 0.4);
  CHECK_INT_EQ (message_count (s.slack_port), 1);
  CHECK_INT_EQ (message_count (s.twilio_port), 1);
  free (form);
  sr_slack_sim_stop (&s);
}

SR_TEST (test_fault_hang_release_reset)
{
  struct sr_slack_sim s;
  struct sr_th_response resp;
  char *rest = NULL;
  size_t len = 99;
  int fd;

  REQUIRE (start (&s));
  REQUIRE (queue_faults (s.slack_port, "{\"faults\":[{\"hang\":true,"
                         "\"count\":2}]}"));
  fd = post_async (s.slack_port, POST_MESSAGE, AUTH JSON_CT,
                   "{\"channel\":\"C1\",\"text\":\"held\"}");
  REQUIRE (fd >= 0);
  REQUIRE (await_requests (s.slack_port, 1));
  /* Held: no answer, and the control API still answers. */
  CHECK (!readable_within (fd, 300));
  CHECK_INT_EQ (message_count (s.slack_port), 0);
  CHECK (sr_slack_sim_post (s.slack_port, "/_sim/release", "", NULL));
  /* Released: handled normally. */
  CHECK_INT_EQ (sr_rh_read_one (fd, 5000, &resp), 200);
  CHECK_CONTAINS (resp.body, "\"ok\":true");
  sr_th_response_clean (&resp);
  close (fd);
  CHECK_INT_EQ (message_count (s.slack_port), 1);

  /* A reset drops a held request: the connection closes unanswered. */
  fd = post_async (s.slack_port, POST_MESSAGE, AUTH JSON_CT,
                   "{\"channel\":\"C1\",\"text\":\"dropped\"}");
  REQUIRE (fd >= 0);
  REQUIRE (await_requests (s.slack_port, 2));
  CHECK (sr_slack_sim_post (s.slack_port, "/_sim/reset", "", NULL));
  CHECK (sr_rh_read_to_close (fd, 5000, &rest, &len));
  CHECK_INT_EQ (len, 0);
  free (rest);
  close (fd);
  CHECK_INT_EQ (message_count (s.slack_port), 0);
  sr_slack_sim_stop (&s);
}

SR_TEST (test_fault_close)
{
  struct sr_slack_sim s;
  char *form = sms_form ("+15551230000", "+15557654321", "closed");
  char *rest = NULL;
  size_t len = 99;
  struct reply r;
  int fd;

  REQUIRE (start (&s));
  REQUIRE (queue_faults (s.slack_port, "{\"faults\":[{\"close\":true}]}"));
  REQUIRE (queue_faults (s.twilio_port, "{\"faults\":[{\"close\":true}]}"));
  fd = post_async (s.slack_port, POST_MESSAGE, AUTH JSON_CT,
                   "{\"channel\":\"C1\",\"text\":\"x\"}");
  REQUIRE (fd >= 0);
  CHECK (sr_rh_read_to_close (fd, 5000, &rest, &len));
  CHECK_INT_EQ (len, 0);
  free (rest);
  close (fd);
  /* the harness's client: no response at all */
  CHECK_INT_EQ (twilio_send (&s, form, &r), 0);
  reply_clean (&r);
  CHECK_INT_EQ (message_count (s.slack_port), 0);
  CHECK_INT_EQ (message_count (s.twilio_port), 0);
  CHECK_INT_EQ (twilio_send (&s, form, &r), 201);
  reply_clean (&r);
  CHECK_STR_EQ (slack_json (&s, "{\"channel\":\"C1\",\"text\":\"x\"}"), "ok");
  {
    char *log = NULL;
    struct sr_th_response resp;

    REQUIRE (sr_th_http (s.twilio_port, "GET", "/_sim/requests", NULL, NULL, 0,
                         &resp));
    log = resp.body;
    CHECK_CONTAINS (log, "\"count\":2");
    CHECK_CONTAINS (log, "\"status\":0");
    CHECK_CONTAINS (log, "\"status\":201");
    sr_th_response_clean (&resp);
  }
  free (form);
  sr_slack_sim_stop (&s);
}

/* ---- the rate limit ---- */

SR_TEST (test_rate_limit)
{
  struct sr_slack_sim s;
  const char *c1 = "{\"channel\":\"C1\",\"text\":\"hi\"}";
  struct reply r;
  double t0;
  int status;

  REQUIRE (start (&s));
  /* Off by default. */
  for (int i = 0; i < 8; i++)
    CHECK_STR_EQ (slack_json (&s, c1), "ok");
  REQUIRE (sr_slack_sim_post (s.slack_port, "/_sim/config",
                              "{\"per_channel_per_s\":0.2,\"burst\":2}", NULL));
  /* A burst of two, then 429 with Retry-After (a token every 5 s). */
  CHECK_STR_EQ (slack_json (&s, c1), "ok");
  CHECK_STR_EQ (slack_json (&s, c1), "ok");
  CHECK_INT_EQ (call (s.slack_port, "POST", POST_MESSAGE, AUTH JSON_CT, c1, &r),
                429);
  CHECK_STR_EQ (jstr (r.json, "error"), "ratelimited");
  CHECK (atoi (r.retry_after) >= 4 && atoi (r.retry_after) <= 5);
  reply_clean (&r);
  /* Per channel: another one has its own burst. */
  CHECK_STR_EQ (slack_json (&s, "{\"channel\":\"C2\",\"text\":\"hi\"}"), "ok");
  CHECK_INT_EQ (message_count (s.slack_port), 11);

  /* One a second: the next one comes through about a second later. */
  REQUIRE (sr_slack_sim_post (s.slack_port, "/_sim/config",
                              "{\"per_channel_per_s\":1,\"burst\":1}", NULL));
  CHECK_STR_EQ (slack_json (&s, c1), "ok");
  t0 = sr_th_now ();
  CHECK_INT_EQ (call (s.slack_port, "POST", POST_MESSAGE, AUTH JSON_CT, c1, &r),
                429);
  CHECK_STR_EQ (r.retry_after, "1");
  reply_clean (&r);
  while (0 != strcmp (slack_json (&s, c1), "ok") && sr_th_now () - t0 < 5.0)
    (void) poll (NULL, 0, 50);
  CHECK (sr_th_now () - t0 >= 0.8);
  CHECK (sr_th_now () - t0 < 5.0);
  /* response_url is not rate limited. */
  for (int i = 0; i < 3; i++) {
    CHECK_INT_EQ (call (s.slack_port, "POST", "/response/r1", JSON_CT,
                        "{\"text\":\"x\"}", &r), 200);
    reply_clean (&r);
  }

  /* The config: read back, bad values refused, reset turns it off. */
  CHECK_INT_EQ (call (s.slack_port, "GET", "/_sim/config", NULL, NULL, &r),
                200);
  CHECK_INT_EQ (jint (r.json, "burst"), 1);
  reply_clean (&r);
  CHECK (!sr_slack_sim_post (s.slack_port, "/_sim/config", "{\"burst\":0}",
                             &status));
  CHECK_INT_EQ (status, 400);
  CHECK (!sr_slack_sim_post (s.slack_port, "/_sim/config",
                             "{\"per_channel_per_s\":-1}", &status));
  CHECK (!sr_slack_sim_post (s.slack_port, "/_sim/config",
                             "{\"per_second\":1}", &status));
  CHECK_INT_EQ (status, 400);
  CHECK (!sr_slack_sim_post (s.twilio_port, "/_sim/config",
                             "{\"burst\":2}", &status));
  CHECK_INT_EQ (status, 404);
  CHECK (sr_slack_sim_post (s.slack_port, "/_sim/reset", "", NULL));
  for (int i = 0; i < 3; i++)
    CHECK_STR_EQ (slack_json (&s, c1), "ok");
  sr_slack_sim_stop (&s);
}

/* ---- the request log, stderr, reset, stopping ---- */

SR_TEST (test_no_secret_logged)
{
  struct sr_slack_sim s;
  const char *verbose = getenv ("SR_TEST_VERBOSE");
  char *form = sms_form ("+15551230000", "+15557654321", "hi");
  char auth[512], bad_auth[512];
  int logpipe[2], saved_stderr;
  struct reply r;
  char *log;
  bool up;

  /* The simulator's stderr goes to a pipe this test reads. */
  REQUIRE (0 == pipe2 (logpipe, O_CLOEXEC));
  saved_stderr = dup (STDERR_FILENO);
  REQUIRE (saved_stderr >= 0);
  REQUIRE (dup2 (logpipe[1], STDERR_FILENO) >= 0);
  if (NULL == verbose)
    setenv ("SR_TEST_VERBOSE", "1", 1);
  up = start (&s);
  if (NULL == verbose)
    unsetenv ("SR_TEST_VERBOSE");
  REQUIRE (dup2 (saved_stderr, STDERR_FILENO) >= 0);
  close (saved_stderr);
  close (logpipe[1]);
  if (!up)
    close (logpipe[0]);
  REQUIRE (up);

  CHECK_STR_EQ (slack_json (&s, "{\"channel\":\"C1\",\"text\":\"hi\"}"), "ok");
  CHECK_STR_EQ (slack_result (&s, JSON_CT "Authorization: Bearer "
                              "xoxb-n0pe-v4lue\r\n",
                              "{\"channel\":\"C1\",\"text\":\"hi\"}"),
                "invalid_auth");
  CHECK_STR_EQ (slack_result (&s, FORM_CT "Authorization: Bearer " BOT "\r\n",
                              "token=" BOT "&channel=C1&text=hi"), "ok");
  CHECK_INT_EQ (call (s.slack_port, "POST", POST_MESSAGE "?token=" BOT,
                      JSON_CT, "{\"channel\":\"C1\",\"text\":\"q\"}", &r), 200);
  reply_clean (&r);
  CHECK_INT_EQ (twilio_send (&s, form, &r), 201);
  reply_clean (&r);
  basic_auth (SID, "n0pe-tw1l10", bad_auth, sizeof (bad_auth));
  strcat (bad_auth, FORM_CT);
  CHECK_INT_EQ (call (s.twilio_port, "POST", MESSAGES_PATH, bad_auth, form, &r),
                401);
  reply_clean (&r);
  basic_auth (SID, TOK, auth, sizeof (auth));

  /* The request logs: method, path, status, time; no credential. */
  for (int i = 0; i < 2; i++) {
    struct sr_th_response resp;
    int port = i ? s.twilio_port : s.slack_port;

    REQUIRE (sr_th_http (port, "GET", "/_sim/requests", NULL, NULL, 0, &resp));
    CHECK_CONTAINS (resp.body, "\"method\":\"POST\"");
    CHECK_CONTAINS (resp.body, "\"status\":");
    CHECK_CONTAINS (resp.body, "\"t\":");
    CHECK_CONTAINS (resp.body, "\"path\":");
    CHECK (NULL == strstr (resp.body, BOT));
    CHECK (NULL == strstr (resp.body, "n0pe"));
    CHECK (NULL == strstr (resp.body, TOK));
    CHECK (NULL == strstr (resp.body, auth + strlen ("Authorization: Basic ")
                                      + 8));
    CHECK (NULL == strcasestr (resp.body, "authorization"));
    CHECK (NULL == strcasestr (resp.body, "token"));
    sr_th_response_clean (&resp);
  }
  /* A recorded message keeps other arguments, but never a token. */
  {
    json_t *m = sr_slack_sim_messages (s.slack_port);
    char *dump = json_dumps (m, 0);

    CHECK (NULL != dump && NULL == strstr (dump, BOT));
    free (dump);
    json_decref (m);
  }
  CHECK_INT_EQ (sr_slack_sim_stop_status (&s, SIGTERM), 0);

  /* stderr: one line per API request, no credential anywhere. */
  log = read_all (logpipe[0]);
  close (logpipe[0]);
  REQUIRE (NULL != log);
  CHECK_CONTAINS (log, "slack POST /api/chat.postMessage 200");
  CHECK_CONTAINS (log, "slack POST /api/chat.postMessage 200 invalid_auth");
  CHECK_CONTAINS (log, "twilio POST " MESSAGES_PATH " 201");
  CHECK_CONTAINS (log, "twilio POST " MESSAGES_PATH " 401 20003");
  CHECK (NULL == strstr (log, BOT));
  CHECK (NULL == strstr (log, "b0tS3cr3t"));
  CHECK (NULL == strstr (log, "n0pe"));
  CHECK (NULL == strstr (log, TOK));
  CHECK (NULL == strstr (log, auth + strlen ("Authorization: Basic ") + 8));
  {
    size_t lines = 0;

    for (const char *p = strstr (log, " POST /"); NULL != p;
         p = strstr (p + 1, " POST /"))
      lines++;
    CHECK_INT_EQ (lines, 6);
  }
  free (log);
  free (form);
}

SR_TEST (test_reset)
{
  struct sr_slack_sim s;
  char *form = sms_form ("+15551230000", "+15557654321", "hi");
  struct reply r;

  REQUIRE (start (&s));
  CHECK_STR_EQ (slack_json (&s, "{\"channel\":\"C1\",\"text\":\"a\"}"), "ok");
  for (int i = 0; i < 5; i++) {
    CHECK_INT_EQ (call (s.slack_port, "POST", "/response/once", JSON_CT,
                        "{\"text\":\"x\"}", &r), 200);
    reply_clean (&r);
  }
  CHECK_INT_EQ (twilio_send (&s, form, &r), 201);
  reply_clean (&r);
  REQUIRE (sr_slack_sim_post (s.slack_port, "/_sim/config",
                              "{\"per_channel_per_s\":0.1,\"burst\":1,"
                              "\"channels\":[\"C9\"]}", NULL));
  REQUIRE (queue_faults (s.slack_port, "{\"faults\":[{\"status\":500,"
                         "\"count\":5}]}"));
  REQUIRE (queue_faults (s.twilio_port, "{\"faults\":[{\"status\":500}]}"));

  CHECK (sr_slack_sim_post (s.slack_port, "/_sim/reset", "", NULL));
  CHECK_INT_EQ (message_count (s.slack_port), 0);
  CHECK_INT_EQ (sr_slack_sim_request_count (s.slack_port), 0);
  CHECK_INT_EQ (call (s.slack_port, "GET", "/_sim/faults", NULL, NULL, &r), 200);
  CHECK_INT_EQ (json_array_size (json_object_get (r.json, "faults")), 0);
  reply_clean (&r);
  CHECK_INT_EQ (call (s.slack_port, "GET", "/_sim/config", NULL, NULL, &r),
                200);
  CHECK_INT_EQ (jint (r.json, "per_channel_per_s"), 0);
  CHECK (json_is_null (json_object_get (r.json, "channels")));
  reply_clean (&r);
  /* The other service is not touched by this one's reset ... */
  CHECK_INT_EQ (message_count (s.twilio_port), 1);
  CHECK_INT_EQ (call (s.twilio_port, "GET", "/_sim/faults", NULL, NULL, &r),
                200);
  CHECK_INT_EQ (json_array_size (json_object_get (r.json, "faults")), 1);
  reply_clean (&r);
  /* ... and the Slack side works as new: rate, channels, response_url. */
  CHECK_STR_EQ (slack_json (&s, "{\"channel\":\"C1\",\"text\":\"a\"}"), "ok");
  CHECK_STR_EQ (slack_json (&s, "{\"channel\":\"C1\",\"text\":\"b\"}"), "ok");
  CHECK_INT_EQ (call (s.slack_port, "POST", "/response/once", JSON_CT,
                      "{\"text\":\"again\"}", &r), 200);
  reply_clean (&r);
  CHECK (sr_slack_sim_post (s.twilio_port, "/_sim/reset", "", NULL));
  CHECK_INT_EQ (message_count (s.twilio_port), 0);
  CHECK_INT_EQ (twilio_send (&s, form, &r), 201);
  reply_clean (&r);
  CHECK_INT_EQ (sr_slack_sim_request_count (s.twilio_port), 1);
  free (form);
  sr_slack_sim_stop (&s);
}

SR_TEST (test_sigterm_with_hung_requests)
{
  struct sr_slack_sim s;
  char *form = sms_form ("+15551230000", "+15557654321", "held");
  char auth[512];
  int fds[2];
  double t0;

  REQUIRE (start (&s));
  REQUIRE (queue_faults (s.slack_port, "{\"faults\":[{\"hang\":true}]}"));
  REQUIRE (queue_faults (s.twilio_port, "{\"faults\":[{\"hang\":true}]}"));
  basic_auth (SID, TOK, auth, sizeof (auth));
  strcat (auth, FORM_CT);
  fds[0] = post_async (s.slack_port, POST_MESSAGE, AUTH JSON_CT,
                       "{\"channel\":\"C1\",\"text\":\"held\"}");
  fds[1] = post_async (s.twilio_port, MESSAGES_PATH, auth, form);
  REQUIRE (fds[0] >= 0 && fds[1] >= 0);
  REQUIRE (await_requests (s.slack_port, 1));
  REQUIRE (await_requests (s.twilio_port, 1));
  t0 = sr_th_now ();
  CHECK_INT_EQ (sr_slack_sim_stop_status (&s, SIGTERM), 0);
  CHECK (sr_th_now () - t0 < 3.0);
  for (int i = 0; i < 2; i++) {
    char *rest = NULL;
    size_t len = 99;

    CHECK (sr_rh_read_to_close (fds[i], 5000, &rest, &len));
    CHECK_INT_EQ (len, 0);
    free (rest);
    close (fds[i]);
  }
  free (form);
}

SR_TEST (test_await_messages)
{
  struct sr_slack_sim s;
  json_t *m;
  double t0;
  int fd;

  REQUIRE (start (&s));
  /* Nothing comes: an empty array after the timeout. */
  t0 = sr_th_now ();
  m = sr_slack_sim_await_messages (s.slack_port, 1, 0.3);
  REQUIRE (NULL != m);
  CHECK_INT_EQ (json_array_size (m), 0);
  CHECK (sr_th_now () - t0 >= 0.3);
  json_decref (m);
  /* A message still on its way (delayed) is waited for. */
  REQUIRE (queue_faults (s.slack_port, "{\"faults\":[{\"delay_ms\":300}]}"));
  fd = post_async (s.slack_port, POST_MESSAGE, AUTH JSON_CT,
                   "{\"channel\":\"C1\",\"text\":\"late\"}");
  REQUIRE (fd >= 0);
  m = sr_slack_sim_await_messages (s.slack_port, 1, 10.0);
  REQUIRE (NULL != m);
  CHECK_INT_EQ (json_array_size (m), 1);
  CHECK_STR_EQ (jstr (json_array_get (m, 0), "text"), "late");
  json_decref (m);
  close (fd);
  /* A simulator that is gone: NULL. */
  {
    int port = s.slack_port;

    sr_slack_sim_stop (&s);
    CHECK (NULL == sr_slack_sim_await_messages (port, 1, 0.2));
    CHECK_INT_EQ (sr_slack_sim_request_count (port), -1);
  }
}

/* A GET of Slack's conversations.history with @a query ("" for none). */
static int
history (const struct sr_slack_sim *s, const char *headers, const char *query,
         struct reply *r)
{
  char path[512];

  snprintf (path, sizeof (path), "/api/conversations.history?%s", query);
  return call (s->slack_port, "GET", path, headers, NULL, r);
}

/* chat.postMessage's metadata is validated, recorded and returned, and
 * conversations.history lists a channel's messages newest first, after
 * oldest, in pages, with the metadata only when asked for. */
SR_TEST (test_slack_metadata_and_history)
{
  struct sr_slack_sim s;
  struct reply r;
  json_t *msgs;
  char ts[3][32], query[256];
  const char *cursor;

  REQUIRE (start (&s));
  CHECK_STR_EQ (slack_json (&s, "{\"channel\":\"C1\",\"text\":\"x\","
                            "\"metadata\":{\"event_type\":\"e\"}}"),
                "invalid_metadata_format");
  CHECK_STR_EQ (slack_json (&s, "{\"channel\":\"C1\",\"text\":\"x\","
                            "\"metadata\":\"no\"}"),
                "invalid_metadata_format");
  for (int i = 0; i < 3; i++) {
    char *body = fmt ("{\"channel\":\"C1\",\"text\":\"m%d\"%s}", i,
                      1 == i ? ",\"metadata\":{\"event_type\":\"sig\","
                               "\"event_payload\":{\"key\":\"k1\"}}" : "");

    CHECK_INT_EQ (call (s.slack_port, "POST", POST_MESSAGE, AUTH JSON_CT,
                        body, &r), 200);
    snprintf (ts[i], sizeof (ts[i]), "%s", jstr0 (r.json, "ts"));
    if (1 == i)
      CHECK_STR_EQ (jstr0 (json_object_get (json_object_get (r.json,
                                                             "message"),
                                            "metadata"), "event_type"),
                    "sig");
    reply_clean (&r);
    free (body);
  }
  CHECK_STR_EQ (slack_json (&s, "{\"channel\":\"C2\",\"text\":\"other\"}"),
                "ok");
  msgs = sr_slack_sim_messages (s.slack_port);
  CHECK_STR_EQ (jstr0 (json_object_get (json_object_get (json_array_get (
                  msgs, 1), "metadata"), "event_payload"), "key"), "k1");
  CHECK (json_is_null (json_object_get (json_array_get (msgs, 0),
                                        "metadata")));
  json_decref (msgs);

  /* Auth and arguments. */
  CHECK_INT_EQ (history (&s, NULL, "channel=C1", &r), 200);
  CHECK_STR_EQ (jstr0 (r.json, "error"), "not_authed");
  reply_clean (&r);
  CHECK_INT_EQ (history (&s, AUTH, "", &r), 200);
  CHECK_STR_EQ (jstr0 (r.json, "error"), "channel_not_found");
  reply_clean (&r);

  /* Page 1 of 2: the two newest of C1, metadata included. */
  CHECK_INT_EQ (history (&s, AUTH, "channel=C1&limit=2&oldest=0"
                         "&include_all_metadata=true", &r), 200);
  CHECK (json_is_true (json_object_get (r.json, "ok")));
  CHECK (json_is_true (json_object_get (r.json, "has_more")));
  msgs = json_object_get (r.json, "messages");
  CHECK_INT_EQ (json_array_size (msgs), 2);
  CHECK_STR_EQ (jstr0 (json_array_get (msgs, 0), "ts"), ts[2]);
  CHECK_STR_EQ (jstr0 (json_array_get (msgs, 1), "ts"), ts[1]);
  CHECK_STR_EQ (jstr0 (json_object_get (json_object_get (json_array_get (
                  msgs, 1), "metadata"), "event_payload"), "key"), "k1");
  cursor = jstr0 (json_object_get (r.json, "response_metadata"),
                  "next_cursor");
  REQUIRE ('\0' != cursor[0]);
  snprintf (query, sizeof (query), "channel=C1&limit=2&cursor=%s", cursor);
  reply_clean (&r);
  /* Page 2: the oldest; no more. */
  CHECK_INT_EQ (history (&s, AUTH, query, &r), 200);
  msgs = json_object_get (r.json, "messages");
  CHECK_INT_EQ (json_array_size (msgs), 1);
  CHECK_STR_EQ (jstr0 (json_array_get (msgs, 0), "ts"), ts[0]);
  CHECK (json_is_false (json_object_get (r.json, "has_more")));
  CHECK_STR_EQ (jstr0 (json_object_get (r.json, "response_metadata"),
                       "next_cursor"), "");
  reply_clean (&r);
  /* Without include_all_metadata no metadata; oldest excludes its own ts. */
  snprintf (query, sizeof (query), "channel=C1&oldest=%s", ts[0]);
  CHECK_INT_EQ (history (&s, AUTH, query, &r), 200);
  msgs = json_object_get (r.json, "messages");
  CHECK_INT_EQ (json_array_size (msgs), 2);
  CHECK (NULL == json_object_get (json_array_get (msgs, 1), "metadata"));
  reply_clean (&r);
  CHECK_INT_EQ (history (&s, AUTH, "channel=C1&cursor=%21%21", &r), 200);
  CHECK_STR_EQ (jstr0 (r.json, "error"), "invalid_cursor");
  reply_clean (&r);
  sr_slack_sim_stop (&s);
}

/* GET Messages.json lists the messages sent, newest first, filtered by
 * To, From and DateSent, in pages that next_page_uri leads through. */
SR_TEST (test_twilio_list)
{
  struct sr_slack_sim s;
  struct reply r;
  char auth[256], path[512], today[16], tomorrow[16], yesterday[16];
  const char *next;
  json_t *msgs;
  time_t now = time (NULL);
  struct tm tm;

  REQUIRE (start (&s));
  basic_auth (SID, TOK, auth, sizeof (auth));
  gmtime_r (&now, &tm);
  strftime (today, sizeof (today), "%Y-%m-%d", &tm);
  now += 86400;
  gmtime_r (&now, &tm);
  strftime (tomorrow, sizeof (tomorrow), "%Y-%m-%d", &tm);
  now -= 2 * 86400;
  gmtime_r (&now, &tm);
  strftime (yesterday, sizeof (yesterday), "%Y-%m-%d", &tm);
  CHECK_INT_EQ (twilio_result (&s, "+15550000001", "+15557654321", "one"),
                201);
  CHECK_INT_EQ (twilio_result (&s, "+15550000002", "+15557654321", "two"),
                201);
  CHECK_INT_EQ (twilio_result (&s, "+15550000001", "+15557654321", "three"),
                201);
  CHECK_INT_EQ (call (s.twilio_port, "GET", MESSAGES_PATH, NULL, NULL, &r),
                401);
  reply_clean (&r);
  CHECK_INT_EQ (call (s.twilio_port, "GET", MESSAGES_PATH "?To=%2B15550000001",
                      auth, NULL, &r), 200);
  msgs = json_object_get (r.json, "messages");
  CHECK_INT_EQ (json_array_size (msgs), 2);
  CHECK_STR_EQ (jstr0 (json_array_get (msgs, 0), "body"), "three");
  CHECK_STR_EQ (jstr0 (json_array_get (msgs, 1), "body"), "one");
  CHECK_STR_EQ (jstr0 (json_array_get (msgs, 1), "from"), "+15557654321");
  CHECK_STR_EQ (jstr0 (json_array_get (msgs, 1), "date_sent"),
                jstr0 (json_array_get (msgs, 1), "date_created"));
  CHECK (json_is_null (json_object_get (r.json, "next_page_uri")));
  reply_clean (&r);
  /* Pages of one: next_page_uri leads to the second. */
  CHECK_INT_EQ (call (s.twilio_port, "GET", MESSAGES_PATH
                      "?To=%2B15550000001&PageSize=1", auth, NULL, &r), 200);
  CHECK_STR_EQ (jstr0 (json_array_get (json_object_get (r.json, "messages"),
                                       0), "body"), "three");
  next = jstr0 (r.json, "next_page_uri");
  REQUIRE ('/' == next[0]);
  snprintf (path, sizeof (path), "%s", next);
  reply_clean (&r);
  CHECK_INT_EQ (call (s.twilio_port, "GET", path, auth, NULL, &r), 200);
  CHECK_STR_EQ (jstr0 (json_array_get (json_object_get (r.json, "messages"),
                                       0), "body"), "one");
  CHECK (json_is_null (json_object_get (r.json, "next_page_uri")));
  reply_clean (&r);
  /* DateSent bounds (UTC days) and From. */
  snprintf (path, sizeof (path), MESSAGES_PATH "?DateSent%%3E=%s", today);
  CHECK_INT_EQ (call (s.twilio_port, "GET", path, auth, NULL, &r), 200);
  CHECK_INT_EQ (json_array_size (json_object_get (r.json, "messages")), 3);
  reply_clean (&r);
  snprintf (path, sizeof (path), MESSAGES_PATH "?DateSent%%3E=%s", tomorrow);
  CHECK_INT_EQ (call (s.twilio_port, "GET", path, auth, NULL, &r), 200);
  CHECK_INT_EQ (json_array_size (json_object_get (r.json, "messages")), 0);
  reply_clean (&r);
  snprintf (path, sizeof (path), MESSAGES_PATH "?DateSent%%3C=%s", yesterday);
  CHECK_INT_EQ (call (s.twilio_port, "GET", path, auth, NULL, &r), 200);
  CHECK_INT_EQ (json_array_size (json_object_get (r.json, "messages")), 0);
  reply_clean (&r);
  CHECK_INT_EQ (call (s.twilio_port, "GET", MESSAGES_PATH "?From=%2B1555",
                      auth, NULL, &r), 200);
  CHECK_INT_EQ (json_array_size (json_object_get (r.json, "messages")), 0);
  reply_clean (&r);
  CHECK_INT_EQ (call (s.twilio_port, "GET", MESSAGES_PATH "?PageSize=0",
                      auth, NULL, &r), 400);
  reply_clean (&r);
  sr_slack_sim_stop (&s);
}

/* accept_hang: the message is recorded, then no answer ever comes (the
 * connection closes unanswered on release) -- the window in which a
 * caller can die between the upstream's accept and its own record. */
SR_TEST (test_fault_accept_hang)
{
  struct sr_slack_sim s;
  char *form = sms_form ("+15551230000", "+15557654321", "accepted");
  char auth[256], headers[512];
  char *rest = NULL;
  size_t len = 99;
  json_t *msgs;
  int fd[2];

  REQUIRE (start (&s));
  basic_auth (SID, TOK, auth, sizeof (auth));
  snprintf (headers, sizeof (headers), "%s" FORM_CT, auth);
  REQUIRE (queue_faults (s.slack_port, "{\"faults\":[{\"accept_hang\":"
                         "true}]}"));
  REQUIRE (queue_faults (s.twilio_port, "{\"faults\":[{\"accept_hang\":"
                         "true}]}"));
  fd[0] = post_async (s.slack_port, POST_MESSAGE, AUTH JSON_CT,
                      "{\"channel\":\"C1\",\"text\":\"accepted\"}");
  fd[1] = post_async (s.twilio_port, MESSAGES_PATH, headers, form);
  REQUIRE (fd[0] >= 0 && fd[1] >= 0);
  msgs = sr_slack_sim_await_messages (s.slack_port, 1, 10.0);
  CHECK_INT_EQ (json_array_size (msgs), 1);
  CHECK_STR_EQ (jstr0 (json_array_get (msgs, 0), "text"), "accepted");
  json_decref (msgs);
  msgs = sr_slack_sim_await_messages (s.twilio_port, 1, 10.0);
  CHECK_INT_EQ (json_array_size (msgs), 1);
  CHECK_STR_EQ (jstr0 (json_array_get (msgs, 0), "body"), "accepted");
  json_decref (msgs);
  /* Recorded, yet unanswered. */
  CHECK (!readable_within (fd[0], 300));
  CHECK (!readable_within (fd[1], 50));
  CHECK (sr_slack_sim_post (s.slack_port, "/_sim/release", "", NULL));
  CHECK (sr_slack_sim_post (s.twilio_port, "/_sim/release", "", NULL));
  for (int i = 0; i < 2; i++) {
    CHECK (sr_rh_read_to_close (fd[i], 5000, &rest, &len));
    CHECK_INT_EQ (len, 0);
    free (rest);
    rest = NULL;
    close (fd[i]);
  }
  /* The next request is answered as usual. */
  CHECK_STR_EQ (slack_json (&s, "{\"channel\":\"C1\",\"text\":\"x\"}"), "ok");
  free (form);
  sr_slack_sim_stop (&s);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_start_and_stop),
              SR_TEST_ENTRY (test_slack_auth),
              SR_TEST_ENTRY (test_slack_validation),
              SR_TEST_ENTRY (test_slack_answer_and_record),
              SR_TEST_ENTRY (test_response_url),
              SR_TEST_ENTRY (test_twilio_auth),
              SR_TEST_ENTRY (test_twilio_validation),
              SR_TEST_ENTRY (test_twilio_message_resource),
              SR_TEST_ENTRY (test_twilio_segments),
              SR_TEST_ENTRY (test_fault_status),
              SR_TEST_ENTRY (test_fault_ok_false),
              SR_TEST_ENTRY (test_fault_delay),
              SR_TEST_ENTRY (test_fault_hang_release_reset),
              SR_TEST_ENTRY (test_fault_close),
              SR_TEST_ENTRY (test_rate_limit),
              SR_TEST_ENTRY (test_no_secret_logged),
              SR_TEST_ENTRY (test_reset),
              SR_TEST_ENTRY (test_sigterm_with_hung_requests),
              SR_TEST_ENTRY (test_await_messages),
              SR_TEST_ENTRY (test_slack_metadata_and_history),
              SR_TEST_ENTRY (test_twilio_list),
              SR_TEST_ENTRY (test_fault_accept_hang))
