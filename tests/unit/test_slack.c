/*
 * test_slack.c -- the pure parts of the Slack commands: Slack's published
 * signing example and what must not verify, form fields read from the
 * raw body, and the daily summary message on a crafted day (figures
 * worked out by hand).
 */
#include "check.h"
#include "form.h"
#include "slack_format.h"
#include "slack_sign.h"
#include "slack_text.h"

#include <stdlib.h>
#include <string.h>

/* upstream-apis.md 4.2, from Slack's documentation. */
#define EX_SECRET "8f742231b10e8888abcd99yyyzzz85a5"
#define EX_TS "1531420618"
#define EX_BODY                                                            \
  "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain="          \
  "testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA" \
  "&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url="   \
  "https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F" \
  "96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121."          \
  "803a0bc887a14d10d2c447fce8b6703c"
#define EX_SIG                                                             \
  "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"

static enum sr_status
verify (const char *ts, const char *sig, const char *body, long now)
{
  char why[256];

  return sr_slack_verify (EX_SECRET, ts, sig, body, strlen (body), now, why,
                          sizeof (why));
}

SR_TEST (test_slack_example_verifies)
{
  CHECK_INT_EQ (verify (EX_TS, EX_SIG, EX_BODY, 1531420618), SR_OK);
  CHECK_INT_EQ (verify (EX_TS, EX_SIG, EX_BODY, 1531420618 + 300), SR_OK);
  CHECK_INT_EQ (verify (EX_TS, EX_SIG, EX_BODY, 1531420618 - 300), SR_OK);
}

SR_TEST (test_what_does_not_verify)
{
  char body[] = EX_BODY, sig[] = EX_SIG;

  body[10] ^= 1;
  CHECK_INT_EQ (verify (EX_TS, EX_SIG, body, 1531420618),
                SR_E_UNAUTHENTICATED);
  sig[20] = '0' == sig[20] ? '1' : '0';
  CHECK_INT_EQ (verify (EX_TS, sig, EX_BODY, 1531420618),
                SR_E_UNAUTHENTICATED);
  CHECK_INT_EQ (verify ("1531420619", EX_SIG, EX_BODY, 1531420619),
                SR_E_UNAUTHENTICATED);
  CHECK_INT_EQ (verify (EX_TS, EX_SIG, EX_BODY, 1531420618 + 301),
                SR_E_UNAUTHENTICATED);
  CHECK_INT_EQ (verify (EX_TS, EX_SIG, EX_BODY, 1531420618 - 301),
                SR_E_UNAUTHENTICATED);
  CHECK_INT_EQ (verify (EX_TS, NULL, EX_BODY, 1531420618),
                SR_E_UNAUTHENTICATED);
  CHECK_INT_EQ (verify (EX_TS, "v0=abc", EX_BODY, 1531420618),
                SR_E_UNAUTHENTICATED);
  CHECK_INT_EQ (verify (NULL, EX_SIG, EX_BODY, 1531420618), SR_E_INVALID);
  CHECK_INT_EQ (verify ("", EX_SIG, EX_BODY, 1531420618), SR_E_INVALID);
  CHECK_INT_EQ (verify ("15314206l8", EX_SIG, EX_BODY, 1531420618),
                SR_E_INVALID);
  CHECK_INT_EQ (verify ("-1531420618", EX_SIG, EX_BODY, 1531420618),
                SR_E_INVALID);
}

SR_TEST (test_form_fields)
{
  const char *b = "user_id=U1&text=report+ccw%20today&empty=&url=https%3A%2F"
                  "%2Fh.example%2Fx&bad=%zz&nul=a%00b&flag";
  char out[64], tiny[4];

  CHECK (sr_form_field (b, strlen (b), "text", out, sizeof (out)));
  CHECK_STR_EQ (out, "report ccw today");
  CHECK (sr_form_field (b, strlen (b), "url", out, sizeof (out)));
  CHECK_STR_EQ (out, "https://h.example/x");
  CHECK (sr_form_field (b, strlen (b), "empty", out, sizeof (out)));
  CHECK_STR_EQ (out, "");
  CHECK (sr_form_field (b, strlen (b), "flag", out, sizeof (out)));
  CHECK (!sr_form_field (b, strlen (b), "user", out, sizeof (out)));
  CHECK (!sr_form_field (b, strlen (b), "bad", out, sizeof (out)));
  CHECK (!sr_form_field (b, strlen (b), "nul", out, sizeof (out)));
  CHECK (!sr_form_field (b, strlen (b), "text", tiny, sizeof (tiny)));
  CHECK_STR_EQ (tiny, "");
  /* Only the given length counts: "U1" without its tail. */
  CHECK (sr_form_field (b, 10, "user_id", out, sizeof (out)));
  CHECK_STR_EQ (out, "U1");
}

SR_TEST (test_escape)
{
  char *s = sr_slack_escape_dup ("<!channel> & <@U1> @Here a@b");

  CHECK_STR_EQ (s, "&lt;!channel&gt; &amp; &lt;@U1&gt; @\xE2\x81\xA0Here a@b");
  free (s);
}

/*
 * 1234567 conversions cost 9876543.21 (CPA 8.00 as the report rounds
 * it); internal 1000.5 conversions (an average can be fractional), a
 * negative external figure, one hostile label.
 */
SR_TEST (test_daily_message_layout)
{
  json_t *data = json_loads (
    "{\"date\":\"2025-12-08\",\"brand\":\"CCW\","
    "\"totals\":{\"conversions\":1234567,\"cost\":9876543.21,\"cpa\":8.0},"
    "\"internal\":{\"conversions\":1000.5,\"cost\":1000,\"cpa\":0.99},"
    "\"external\":{\"conversions\":0,\"cost\":-5,\"cpa\":0},"
    "\"top_affiliates\":[{\"affiliate_label\":\"<x> & y\",\"conversions\":"
    "313,\"cost\":5790.5,\"cpa\":18.5,\"is_internal\":true},"
    "{\"affiliate_label\":\"Blue\",\"conversions\":2,\"cost\":1,\"cpa\":0.5,"
    "\"is_internal\":false}]}", 0, NULL);
  json_t *msg = NULL;
  char sms[256];
  const char *text;

  REQUIRE (NULL != data);
  REQUIRE (SR_OK == sr_slack_daily_message (data, NULL, &msg, sms,
                                              sizeof (sms)));
  text = json_string_value (json_object_get (msg, "text"));
  CHECK_STR_EQ (text,
                ":chart_with_upwards_trend: *Daily CCW Report - Dec 08, 2025*"
                "\n\n*Overall Performance*\n> Conversions: *1,234,567*\n"
                "> Spend: *$9,876,543.21*\n> CPA: *$8.00*\n\n---\n\n"
                "*Internal (Paid Media)*\n> Conversions: 1,000.50 | Spend: "
                "$1,000.00 | CPA: $0.99\n\n*External (Affiliates)*\n> "
                "Conversions: 0 | Payout: -$5.00 | CPA: $0.00\n\n---\n\n"
                "*Top Performers*\n:large_blue_circle: *&lt;x&gt; &amp; y* - "
                "313 conv @ $18.50\n:white_circle: *Blue* - 2 conv @ $0.50\n\n"
                "_:large_blue_circle: Internal | :white_circle: External_");
  CHECK_STR_EQ (sms, "CCW 12/08: 1,234,567 conv, $9,876,543.21 spend, $8.00 "
                "CPA. Top: <x> & y (313)");
  CHECK_INT_EQ (json_array_size (json_object_get (msg, "blocks")), 7);
  CHECK_STR_EQ (json_string_value (json_object_get (json_object_get (
    json_array_get (json_object_get (msg, "blocks"), 0), "text"), "text")),
                "Daily CCW Report - Dec 08, 2025");
  json_decref (msg);
  json_decref (data);
}

/* A runaway label (150 two-byte characters) is cut at a character
 * boundary: 100 bytes in Slack, 60 in the text, valid UTF-8 both. */
SR_TEST (test_long_label_cut)
{
  char label[301], want[200], sms[256];
  json_t *data, *msg = NULL;
  const char *text;

  for (int i = 0; i < 150; i++)
    memcpy (label + 2 * i, "\xC3\xA9", 2);
  label[300] = '\0';
  data = json_pack ("{s:s, s:s, s:{s:i, s:i, s:i}, s:{s:i, s:i, s:i},"
                    " s:{s:i, s:i, s:i}, s:[{s:s, s:i, s:i, s:i, s:b}]}",
                    "date", "2025-12-08", "brand", "EXP",
                    "totals", "conversions", 1, "cost", 1, "cpa", 1,
                    "internal", "conversions", 0, "cost", 0, "cpa", 0,
                    "external", "conversions", 1, "cost", 1, "cpa", 1,
                    "top_affiliates", "affiliate_label", label,
                    "conversions", 1, "cost", 1, "cpa", 1, "is_internal", 0);
  REQUIRE (NULL != data);
  REQUIRE (SR_OK == sr_slack_daily_message (data, NULL, &msg, sms,
                                              sizeof (sms)));
  text = json_string_value (json_object_get (msg, "text"));
  memcpy (want, ":white_circle: *", 16);
  memcpy (want + 16, label, 100);
  snprintf (want + 116, sizeof (want) - 116, "...* - 1 conv @ $1.00");
  CHECK_CONTAINS (text, want);
  snprintf (want, sizeof (want), "Top: %.60s... (1)", label);
  CHECK_CONTAINS (sms, want);
  json_decref (msg);
  json_decref (data);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_slack_example_verifies),
              SR_TEST_ENTRY (test_what_does_not_verify),
              SR_TEST_ENTRY (test_form_fields),
              SR_TEST_ENTRY (test_escape),
              SR_TEST_ENTRY (test_daily_message_layout),
              SR_TEST_ENTRY (test_long_label_cut))
