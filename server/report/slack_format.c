/*
 * slack_format.c -- see slack_format.h.
 *
 * Layout of the daily summary: the old report's (original-system.md
 * 5.5): a title with the day, "Overall Performance" (conversions, spend,
 * CPA), internal (paid media, spend) and external (affiliates, payout)
 * lines, the top performers marked internal or external, and the legend.
 * Money has thousands separators and cents; a negative amount is
 * "-$5.00" (the old filter's "$-5.00" read badly).
 */
#include "slack_format.h"
#include "slack_text.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *
sr_slack_ephemeral (const char *text)
{
  return json_pack ("{s:s, s:s}", "response_type", "ephemeral", "text",
                    text);
}


/* 1234567.891 -> "1,234,567.89" with @a decimals (0 or 2). */
static void
fmt_grouped (double v, int decimals, char *out, size_t len)
{
  char digits[64], *dot;
  size_t n, lead, o = 0;
  bool neg = v < 0;

  snprintf (digits, sizeof (digits), "%.*f", decimals, fabs (v));
  dot = strchr (digits, '.');
  n = NULL != dot ? (size_t) (dot - digits) : strlen (digits);
  lead = n % 3 ? n % 3 : 3;
  if (neg && 0 != strcmp (digits, "0") && 0 != strcmp (digits, "0.00")
      && o + 1 < len)
    out[o++] = '-';
  for (size_t i = 0; i < n && o + 1 < len; i++) {
    if (i > 0 && (i - lead) % 3 == 0 && i >= lead && o + 1 < len)
      out[o++] = ',';
    out[o++] = digits[i];
  }
  for (const char *p = dot; NULL != p && '\0' != *p && o + 1 < len; p++)
    out[o++] = *p;
  out[o] = '\0';
}

void
sr__slack_money (double v, char *out, size_t len)
{
  char g[64];

  fmt_grouped (v, 2, g, sizeof (g));
  if ('-' == g[0])
    snprintf (out, len, "-$%s", g + 1);
  else
    snprintf (out, len, "$%s", g);
}

/* Conversions: whole numbers as such, fractions (averages) with 2. */
void
sr__slack_count (double v, char *out, size_t len)
{
  fmt_grouped (v, v == floor (v) ? 0 : 2, out, len);
}

static double
num (const json_t *o, const char *key)
{
  return json_number_value (json_object_get (o, key));
}

/* "2025-12-18" -> "Dec 18, 2025" and "12/18". */
static void
fmt_day (const char *ymd, char *longf, size_t llen, char *shortf,
         size_t slen)
{
  static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
                                        "Jun", "Jul", "Aug", "Sep", "Oct",
                                        "Nov", "Dec" };
  int y = 0, m = 0, d = 0;

  if (NULL == ymd || 3 != sscanf (ymd, "%4d-%2d-%2d", &y, &m, &d) || m < 1
      || m > 12) {
    snprintf (longf, llen, "%s", NULL != ymd ? ymd : "?");
    snprintf (shortf, slen, "%s", NULL != ymd ? ymd : "?");
    return;
  }
  snprintf (longf, llen, "%s %02d, %04d", months[m - 1], d, y);
  snprintf (shortf, slen, "%02d/%02d", m, d);
}

/* Append printf output, escaping nothing: callers escape what comes from
 * data before it gets here.  Whole or not at all (a cut could split a
 * UTF-8 sequence, and Slack's JSON must stay valid). */
void
sr__slack_printf (struct sr_buf *b, const char *fmt, ...)
  __attribute__((format (printf, 2, 3)));

void
sr__slack_printf (struct sr_buf *b, const char *fmt, ...)
{
  va_list ap;
  int n;
  char *line;

  va_start (ap, fmt);
  n = vsnprintf (NULL, 0, fmt, ap);
  va_end (ap);
  if (n < 0 || NULL == (line = malloc ((size_t) n + 1)))
    return;
  va_start (ap, fmt);
  vsnprintf (line, (size_t) n + 1, fmt, ap);
  va_end (ap);
  (void) sr_buf_append (b, line, (size_t) n);
  free (line);
}

/* @a s cut to @a max bytes (< @a outlen - 3) at a character boundary,
 * "..." marking a cut, into @a out. */
static void
cut_copy (const char *s, size_t max, char *out, size_t outlen)
{
  size_t len = NULL != s ? strlen (s) : 0;

  if (max + 4 > outlen)
    max = outlen - 4;
  if (len <= max) {
    snprintf (out, outlen, "%s", NULL != s ? s : "");
    return;
  }
  while (max > 0 && 0x80 == ((unsigned char) s[max] & 0xC0))
    max--;                 /* not inside a UTF-8 sequence */
  memcpy (out, s, max);
  memcpy (out + max, "...", 4);
}

/* cut_copy, then escaped: a new string.  Keeps hostile or runaway labels
 * and errors inside Slack's 3000 characters a section. */
char *
sr__slack_esc_cut (const char *s, size_t max)
{
  char cut[512];

  cut_copy (s, max, cut, sizeof (cut));
  return sr_slack_escape_dup (cut);
}

#define SMS_LABEL_MAX 60  /* bytes of the top affiliate in a text */

static json_t *
section (const char *mrkdwn)
{
  return json_pack ("{s:s, s:{s:s, s:s}}", "type", "section", "text", "type",
                    "mrkdwn", "text", mrkdwn);
}

enum sr_status
sr_slack_daily_message (const json_t *data, const char *as_of, json_t **msg,
                        char *sms, size_t smslen)
{
  const json_t *tot = json_object_get (data, "totals");
  const json_t *in = json_object_get (data, "internal");
  const json_t *ex = json_object_get (data, "external");
  const json_t *top = json_object_get (data, "top_affiliates");
  char *brand = sr_slack_escape_dup (json_string_value (
                                       json_object_get (data, "brand")));
  char day[32], md[16], c[72], m1[72], m2[72], title[128];
  struct sr_buf overall, split, perf, all;
  json_t *blocks, *a;
  size_t i;

  *msg = NULL;
  if (!json_is_object (tot) || !json_is_object (in) || !json_is_object (ex)
      || !json_is_array (top)) {
    free (brand);
    return SR_E_INTERNAL;
  }
  fmt_day (json_string_value (json_object_get (data, "date")), day,
           sizeof (day), md, sizeof (md));
  if (NULL == as_of)
    snprintf (title, sizeof (title), "Daily %s Report - %s", brand, day);
  else
    snprintf (title, sizeof (title), "Intraday %s Report - %s, %.5s", brand,
              day, as_of);
  sr_buf_init (&overall, SR__SLACK_MSG_MAX);
  sr_buf_init (&split, SR__SLACK_MSG_MAX);
  sr_buf_init (&perf, SR__SLACK_MSG_MAX);
  sr_buf_init (&all, 3 * SR__SLACK_MSG_MAX);

  sr__slack_count (num (tot, "conversions"), c, sizeof (c));
  sr__slack_money (num (tot, "cost"), m1, sizeof (m1));
  sr__slack_money (num (tot, "cpa"), m2, sizeof (m2));
  sr__slack_printf (&overall, "*Overall Performance*\n> Conversions: *%s*\n"
           "> Spend: *%s*\n> CPA: *%s*", c, m1, m2);
  snprintf (sms, smslen, "%s %s: %s conv, %s spend, %s CPA. Top: ",
            json_string_value (json_object_get (data, "brand")), md, c, m1,
            m2);

  sr__slack_count (num (in, "conversions"), c, sizeof (c));
  sr__slack_money (num (in, "cost"), m1, sizeof (m1));
  sr__slack_money (num (in, "cpa"), m2, sizeof (m2));
  sr__slack_printf (&split, "*Internal (Paid Media)*\n> Conversions: %s | Spend: %s"
           " | CPA: %s\n\n", c, m1, m2);
  sr__slack_count (num (ex, "conversions"), c, sizeof (c));
  sr__slack_money (num (ex, "cost"), m1, sizeof (m1));
  sr__slack_money (num (ex, "cpa"), m2, sizeof (m2));
  sr__slack_printf (&split, "*External (Affiliates)*\n> Conversions: %s | Payout: %s"
           " | CPA: %s", c, m1, m2);

  sr__slack_printf (&perf, "*Top Performers*");
  if (0 == json_array_size (top))
    sr__slack_printf (&perf, "\nNo conversions.");
  json_array_foreach (top, i, a) {
    const char *label = json_string_value (json_object_get (a,
                                                            "affiliate_label"));
    char *esc = sr__slack_esc_cut (label, SR__SLACK_LABEL_MAX);

    sr__slack_count (num (a, "conversions"), c, sizeof (c));
    sr__slack_money (num (a, "cpa"), m2, sizeof (m2));
    sr__slack_printf (&perf, "\n%s *%s* - %s conv @ %s",
             json_is_true (json_object_get (a, "is_internal"))
             ? ":large_blue_circle:" : ":white_circle:", esc, c, m2);
    free (esc);
    if (0 == i) {
      size_t used = strlen (sms);
      char lab[SMS_LABEL_MAX + 4];

      cut_copy (NULL != label ? label : "N/A", SMS_LABEL_MAX, lab,
                sizeof (lab));
      snprintf (sms + used, smslen - used, "%s (%s)", lab, c);
    }
  }
  if (0 == json_array_size (top)) {
    size_t used = strlen (sms);

    snprintf (sms + used, smslen - used, "N/A (0)");
  }

  sr__slack_printf (&all, ":chart_with_upwards_trend: *%s*\n\n%s\n\n---\n\n%s\n\n---"
           "\n\n%s\n\n_:large_blue_circle: Internal | :white_circle: "
           "External_", title, sr_buf_str (&overall), sr_buf_str (&split),
           sr_buf_str (&perf));
  blocks = json_pack ("[{s:s, s:{s:s, s:s}}, o, {s:s}, o, {s:s}, o,"
                      " {s:s, s:[{s:s, s:s}]}]",
                      "type", "header", "text", "type", "plain_text",
                      "text", title,
                      section (sr_buf_str (&overall)), "type", "divider",
                      section (sr_buf_str (&split)), "type", "divider",
                      section (sr_buf_str (&perf)),
                      "type", "context", "elements", "type", "mrkdwn",
                      "text", "_:large_blue_circle: Internal | "
                      ":white_circle: External_");
  if (NULL != blocks)
    *msg = json_pack ("{s:s, s:o}", "text", sr_buf_str (&all), "blocks",
                      blocks);
  sr_buf_clean (&overall);
  sr_buf_clean (&split);
  sr_buf_clean (&perf);
  sr_buf_clean (&all);
  free (brand);
  return NULL != *msg ? SR_OK : SR_E_INTERNAL;
}

/* end of slack_format.c */
