/*
 * twilio.c -- see twilio.h.
 */
#include "twilio.h"
#include "mem.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_PAGES_MAX 20

bool
sr_twilio_configured (const struct sr_config *cfg)
{
  return NULL != cfg->twilio_account_sid && NULL != cfg->twilio_auth_token
         && NULL != cfg->twilio_from_number;
}

/* "Authorization: Basic base64(sid:token)" into @a line. */
static bool
basic_auth (const struct sr_config *cfg, char *line, size_t len)
{
  static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                            "0123456789+/";
  char cred[512];
  size_t n, o;
  int w = snprintf (cred, sizeof (cred), "%s:%s", cfg->twilio_account_sid,
                    cfg->twilio_auth_token);

  if (w < 0 || (size_t) w >= sizeof (cred))
    return false;
  n = (size_t) w;
  o = (size_t) snprintf (line, len, "Authorization: Basic ");
  if (o + (n + 2) / 3 * 4 + 1 > len)
    return false;
  for (size_t i = 0; i < n; i += 3) {
    unsigned int v = (unsigned char) cred[i] << 16;

    v |= i + 1 < n ? (unsigned int) (unsigned char) cred[i + 1] << 8 : 0;
    v |= i + 2 < n ? (unsigned char) cred[i + 2] : 0;
    line[o++] = b64[(v >> 18) & 63];
    line[o++] = b64[(v >> 12) & 63];
    line[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
    line[o++] = i + 2 < n ? b64[v & 63] : '=';
  }
  line[o] = '\0';
  explicit_bzero (cred, sizeof (cred));
  return true;
}

void
sr_twilio_send (struct sr_upstream *u, const struct sr_config *cfg,
                const char *to, const char *body, struct sr_delivery *out)
{
  char auth[800], url[800], err[512];
  const char *headers[3] = { auth,
                             "Content-Type: application/x-www-form-urlencoded",
                             NULL };
  struct sr_upstream_stats stats = { 0 };
  struct sr_upstream_response resp;
  char *e_to, *e_from, *e_body, *form = NULL;
  json_t *answer;
  enum sr_status st;

  memset (out, 0, sizeof (*out));
  if (!sr_twilio_configured (cfg) || !basic_auth (cfg, auth, sizeof (auth))) {
    sr_delivery_fail (out, SR_DELIVERY_RETRY, "Twilio is not configured");
    return;
  }
  snprintf (url, sizeof (url), "%s/2010-04-01/Accounts/%s/Messages.json",
            cfg->twilio_base_url, cfg->twilio_account_sid);
  e_to = curl_easy_escape (NULL, to, 0);
  e_from = curl_easy_escape (NULL, cfg->twilio_from_number, 0);
  e_body = curl_easy_escape (NULL, body, 0);
  if (NULL != e_to && NULL != e_from && NULL != e_body) {
    size_t len = strlen (e_to) + strlen (e_from) + strlen (e_body) + 32;

    form = malloc (len);
    if (NULL != form)
      snprintf (form, len, "To=%s&From=%s&Body=%s", e_to, e_from, e_body);
  }
  curl_free (e_to);
  curl_free (e_from);
  curl_free (e_body);
  if (NULL == form) {
    explicit_bzero (auth, sizeof (auth));
    sr_delivery_fail (out, SR_DELIVERY_RETRY, "out of memory");
    return;
  }
  st = sr_delivery_post (u, "twilio", url, false, headers, form, &resp,
                         &stats, err, sizeof (err));
  explicit_bzero (auth, sizeof (auth));
  free (form);
  answer = json_loadb (resp.body.data, resp.body.len, 0, NULL);
  if (SR_OK != st) {
    json_t *code = json_object_get (answer, "code");
    const char *msg = json_string_value (json_object_get (answer, "message"));

    sr_delivery_from_response (out, "twilio Messages", &resp, &stats, err,
                               true);
    if (json_is_integer (code) && 0 != resp.status)
      /* Twilio's own code and words say more than the body excerpt. */
      snprintf (out->error, sizeof (out->error),
                "twilio Messages: HTTP %ld: error %lld: %.300s", resp.status,
                (long long) json_integer_value (code),
                NULL != msg ? msg : "");
  } else if (json_is_string (json_object_get (answer, "sid"))) {
    out->result = SR_DELIVERY_SENT;
    out->response = json_pack ("{s:O}", "sid", json_object_get (answer,
                                                                "sid"));
  } else {
    out->in_doubt = true;
    sr_delivery_fail (out, SR_DELIVERY_RETRY,
                      "twilio Messages: HTTP %ld without a sid", resp.status);
  }
  json_decref (answer);
  sr_upstream_response_clean (&resp);
}

static bool
skipped (const json_t *skip, const char *sid)
{
  size_t i;
  json_t *s;

  json_array_foreach (skip, i, s)
    if (json_is_string (s) && 0 == strcmp (json_string_value (s), sid))
      return true;
  return false;
}

/* Whether @a m is the message looked for. */
static bool
matches (const json_t *m, const struct sr_config *cfg, const char *body,
         time_t since, const json_t *skip)
{
  const char *b = json_string_value (json_object_get (m, "body"));
  const char *from = json_string_value (json_object_get (m, "from"));
  const char *sid = json_string_value (json_object_get (m, "sid"));
  const char *created = json_string_value (json_object_get (m,
                                                            "date_created"));
  time_t when = NULL != created ? curl_getdate (created, NULL) : -1;

  /* date_created has whole seconds: a message created in the second the
   * row was queued counts. */
  return NULL != b && NULL != from && NULL != sid && 0 == strcmp (b, body)
         && 0 == strcmp (from, cfg->twilio_from_number) && when >= since - 1
         && !skipped (skip, sid);
}

enum sr_status
sr_twilio_find (struct sr_upstream *u, const struct sr_config *cfg,
                const char *to, const char *body, time_t since,
                const json_t *skip, bool *found, json_t **response, char *err,
                size_t errlen)
{
  char auth[800], url[1400], day[16];
  const char *headers[2] = { auth, NULL };
  char *e_to;
  char *next = NULL;
  enum sr_status st = SR_OK;
  struct tm tm;

  *found = false;
  *response = NULL;
  if (!sr_twilio_configured (cfg) || !basic_auth (cfg, auth, sizeof (auth))) {
    snprintf (err, errlen, "Twilio is not configured");
    return SR_E_UPSTREAM;
  }
  gmtime_r (&since, &tm);
  strftime (day, sizeof (day), "%Y-%m-%d", &tm);
  e_to = curl_easy_escape (NULL, to, 0);
  if (NULL == e_to) {
    snprintf (err, errlen, "out of memory");
    return SR_E_UPSTREAM;
  }
  /* Twilio filters DateSent by whole UTC days. */
  snprintf (url, sizeof (url), "%s/2010-04-01/Accounts/%s/Messages.json?"
            "To=%s&DateSent%%3E=%s&PageSize=100", cfg->twilio_base_url,
            cfg->twilio_account_sid, e_to, day);
  curl_free (e_to);
  for (int page = 0; page < LIST_PAGES_MAX; page++) {
    json_t *answer = sr_delivery_get_json (u, "twilio", url, headers, err,
                                           errlen), *m;
    const char *np;
    size_t i;

    if (NULL == answer) {
      st = SR_E_UPSTREAM;
      break;
    }
    if (!json_is_array (json_object_get (answer, "messages"))) {
      snprintf (err, errlen, "twilio Messages list: unreadable answer");
      json_decref (answer);
      st = SR_E_UPSTREAM;
      break;
    }
    json_array_foreach (json_object_get (answer, "messages"), i, m) {
      if (matches (m, cfg, body, since, skip)) {
        *found = true;
        *response = json_pack ("{s:O}", "sid", json_object_get (m, "sid"));
        break;
      }
    }
    /* next_page_uri is a path on the same host; anything else is not
     * followed. */
    np = json_string_value (json_object_get (answer, "next_page_uri"));
    free (next);
    next = (!*found && NULL != np && '/' == np[0] && NULL == strchr (np, ' '))
           ? sr_xstrdup (np) : NULL;
    json_decref (answer);
    if (NULL == next)
      break;
    if ((size_t) snprintf (url, sizeof (url), "%s%s", cfg->twilio_base_url,
                           next) >= sizeof (url)) {
      snprintf (err, errlen, "twilio Messages list: next page URL too long");
      st = SR_E_UPSTREAM;
      break;
    }
  }
  free (next);
  explicit_bzero (auth, sizeof (auth));
  return st;
}

/* end of twilio.c */
