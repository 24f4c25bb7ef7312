/*
 * slack_command.c -- see slack_command.h.  The messages' pieces (money,
 * counts, cut and escaped labels) come from slack_format.c.
 */
#include "slack_command.h"
#include "slack_format.h"
#include "buf.h"
#include "catalog.h"
#include "dates.h"
#include "report_args.h"
#include "report_render.h"
#include "slack_text.h"
#include "store_reports.h"
#include "store_runs.h"
#include "store_slack.h"
#include "store_snapshots.h"
#include "store_sources.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_TOKENS 6
#define TOKEN_MAX 64
#define DATA_MAX (4u * 1024 * 1024) /* one report's rendered data */
#define TOP_STATES 5

static const char usage[] =
  "*/signalroom* commands:\n"
  "- `report [ccw|exp|<brand or advertiser id>] [YYYY-MM-DD|today|"
  "yesterday]`: the daily summary (every brand, yesterday by default)\n"
  "- `leaderboard [brand] [from] [to]`: affiliates ranked by conversions "
  "(one day given: that day; none: the last 30 days)\n"
  "- `states [brand] [from] [to]`: the top and bottom states by revenue\n"
  "- `sync <everflow|redtrack|s3_exports|daily_report|all> [from] [to]`: "
  "queue a run (admins only); its outcome follows here\n"
  "- `status`: freshness and last run of every source, open anomalies, "
  "dead letters\n"
  "- `help`: this list";

/* ---- arguments ---- */

struct args {
  char tok[MAX_TOKENS][TOKEN_MAX];
  size_t n;
  bool too_many;
};

static void
tokenize (const char *text, struct args *a)
{
  const char *p = NULL != text ? text : "";

  memset (a, 0, sizeof (*a));
  while ('\0' != *p) {
    size_t len;

    while (isspace ((unsigned char) *p))
      p++;
    if ('\0' == *p)
      break;
    len = strcspn (p, " \t\r\n");
    if (a->n == MAX_TOKENS || len >= TOKEN_MAX) {
      a->too_many = true;
      return;
    }
    memcpy (a->tok[a->n], p, len);
    a->tok[a->n][len] = '\0';
    a->n++;
    p += len;
  }
}

/* A token meant as a day: today, yesterday, or anything with a '-' or
 * '/' (a brand code or an advertiser id has neither). */
static bool
day_like (const char *t)
{
  return 0 == strcasecmp (t, "today") || 0 == strcasecmp (t, "yesterday")
         || NULL != strpbrk (t, "-/");
}

/* The parameters handed to the report reader. */
struct params {
  const char *names[6];
  const char *values[6];
  size_t n;
};

static void
param_set (struct params *p, const char *name, const char *value)
{
  if (p->n < 6) {
    p->names[p->n] = name;
    p->values[p->n] = value;
    p->n++;
  }
}

static const char *
param_get (void *cls, const char *name)
{
  const struct params *p = cls;

  for (size_t i = 0; i < p->n; i++)
    if (0 == strcmp (p->names[i], name))
      return p->values[i];
  return NULL;
}

/* A brand token as the catalogue spells codes (CCW, EXP). */
static void
brand_upper (char *t)
{
  for (char *p = t; '\0' != *p; p++)
    *p = (char) toupper ((unsigned char) *p);
}

/* The brand and days of "[brand] [day] [day]" (in any order); false
 * with @a msg. */
static bool
split_args (struct args *a, size_t first, size_t max_days, char **brand,
            const char **days, size_t *n_days, char *msg, size_t msglen)
{
  *brand = NULL;
  *n_days = 0;
  for (size_t i = first; i < a->n; i++) {
    if (day_like (a->tok[i])) {
      if (*n_days == max_days) {
        snprintf (msg, msglen, "too many days: give at most %zu", max_days);
        return false;
      }
      for (char *p = a->tok[i]; '\0' != *p; p++)
        *p = (char) tolower ((unsigned char) *p);
      days[(*n_days)++] = a->tok[i];
    } else if (NULL == *brand) {
      brand_upper (a->tok[i]);
      *brand = a->tok[i];
    } else {
      char *esc = sr_slack_escape_dup (a->tok[i]);

      snprintf (msg, msglen, "I did not understand `%s`: expected one "
                "brand and days (YYYY-MM-DD, today or yesterday)", esc);
      free (esc);
      return false;
    }
  }
  return true;
}

/* Run report @a name for one brand; a bad argument or an unknown brand
 * is SR_E_INVALID with @a msg (friendly), anything else a failure. */
static enum sr_status
fetch (PGconn *conn, const struct sr_config *cfg, const char *name,
       struct params *p, struct sr_report_args *a,
       struct sr_report_context *ctx, struct sr_report_result *res,
       char *msg, size_t msglen, char *err, size_t errlen)
{
  const struct sr_report *rep = sr_report_find (name);
  const char *bad = NULL;
  char detail[256];
  enum sr_status st;

  memset (a, 0, sizeof (*a));
  memset (ctx, 0, sizeof (*ctx));
  memset (res, 0, sizeof (*res));
  a->client = cfg->client_id;
  a->timezone = cfg->timezone;
  if (NULL == rep) {
    snprintf (err, errlen, "no report %s", name);
    return SR_E_INTERNAL;
  }
  st = sr_report_args_read (rep, param_get, p, sr_date_today (), a, &bad,
                            detail, sizeof (detail));
  if (SR_OK != st) {
    char *esc = sr_slack_escape_dup (detail);

    snprintf (msg, msglen, "%s.", esc);
    free (esc);
    return SR_E_INVALID;
  }
  st = sr_store_report_fetch (conn, rep, a, ctx, res, err, errlen);
  if (SR_OK == st && !ctx->brand_found) {
    char *esc = sr_slack_escape_dup (param_get (p, "brand"));

    snprintf (msg, msglen, "I don't know the brand `%s`: give a brand code "
              "(ccw, exp, ...) or an Everflow advertiser id.", esc);
    free (esc);
    sr_report_context_clean (ctx);
    sr_report_result_clean (res);
    return SR_E_INVALID;
  }
  return st;
}

/* Every brand's code, or just @a brand. */
static enum sr_status
brands_of (PGconn *conn, const char *brand, json_t **out, char *err,
           size_t errlen)
{
  if (NULL != brand) {
    *out = json_pack ("[s]", brand);
    return NULL != *out ? SR_OK : SR_E_INTERNAL;
  }
  return sr_store_brand_codes (conn, out, err, errlen);
}

static json_t *
usage_reply (const char *why)
{
  char text[2048];

  snprintf (text, sizeof (text), "%s\n%s", why, usage);
  return sr_slack_ephemeral (text);
}

/* ---- report ---- */

static enum sr_status
cmd_report (PGconn *conn, const struct sr_config *cfg, struct args *args,
            json_t **reply, char *err, size_t errlen)
{
  const char *days[1];
  size_t n_days;
  char *brand, msg[512];
  json_t *brands = NULL, *b, *blocks = json_array ();
  struct sr_buf text;
  size_t i;
  enum sr_status st;

  if (!split_args (args, 1, 1, &brand, days, &n_days, msg, sizeof (msg))) {
    json_decref (blocks);
    *reply = usage_reply (msg);
    return SR_OK;
  }
  st = brands_of (conn, brand, &brands, err, errlen);
  sr_buf_init (&text, 8 * SR__SLACK_MSG_MAX);
  json_array_foreach (brands, i, b) {
    struct params p = { 0 };
    struct sr_report_args a;
    struct sr_report_context ctx;
    struct sr_report_result res;
    struct sr_buf data;
    json_t *doc = NULL, *m = NULL;
    char sms[256];

    if (SR_OK != st)
      break;
    param_set (&p, "brand", json_string_value (b));
    if (n_days > 0)
      param_set (&p, "date", days[0]);
    param_set (&p, "top", "10");
    st = fetch (conn, cfg, "daily-summary", &p, &a, &ctx, &res, msg,
                sizeof (msg), err, errlen);
    if (SR_E_INVALID == st) {
      json_decref (brands);
      json_decref (blocks);
      sr_buf_clean (&text);
      *reply = sr_slack_ephemeral (msg);
      return SR_OK;
    }
    if (SR_OK != st)
      break;
    sr_buf_init (&data, DATA_MAX);
    st = sr_report_render_data (sr_report_find ("daily-summary"), &a, &res,
                                &ctx, &data);
    sr_report_result_clean (&res);
    sr_report_context_clean (&ctx);
    if (SR_OK == st && NULL == (doc = json_loads (sr_buf_str (&data), 0,
                                                  NULL)))
      st = SR_E_INTERNAL;
    sr_buf_clean (&data);
    if (SR_OK == st)
      st = sr_slack_daily_message (doc, NULL, &m, sms, sizeof (sms));
    json_decref (doc);
    if (SR_OK != st) {
      snprintf (err, errlen, "daily summary of %s not formatted",
                json_string_value (b));
      break;
    }
    if (i > 0) {
      (void) sr_buf_puts (&text, "\n\n");
      json_array_append_new (blocks, json_pack ("{s:s}", "type", "divider"));
    }
    (void) sr_buf_puts (&text, json_string_value (json_object_get (m,
                                                                   "text")));
    json_array_extend (blocks, json_object_get (m, "blocks"));
    json_decref (m);
  }
  json_decref (brands);
  if (SR_OK == st)
    *reply = json_pack ("{s:s, s:s, s:o}", "response_type", "in_channel",
                        "text", sr_buf_str (&text), "blocks", blocks);
  else
    json_decref (blocks);
  sr_buf_clean (&text);
  return st;
}

/* ---- leaderboard and states ---- */

static const char *
col (const PGresult *r, int row, const char *name)
{
  int c = PQfnumber (r, name);

  return c >= 0 ? PQgetvalue (r, row, c) : "";
}

static void
put_leaderboard (struct sr_buf *out, const struct sr_report_args *a,
                 const PGresult *r)
{
  sr__slack_printf (out, "*Leaderboard %s, %s to %s* (by conversions)", a->brand.code,
           a->from, a->to);
  if (0 == PQntuples (r))
    sr__slack_printf (out, "\nNo affiliate had data in these days.");
  for (int i = 0; i < PQntuples (r); i++) {
    char *esc = sr__slack_esc_cut (col (r, i, "affiliate_label"), SR__SLACK_LABEL_MAX);
    char c[72], cost[72], cpa[72];

    sr__slack_count (strtod (col (r, i, "conversions"), NULL), c, sizeof (c));
    sr__slack_money (strtod (col (r, i, "cost"), NULL), cost, sizeof (cost));
    sr__slack_money (strtod (col (r, i, "cpa"), NULL), cpa, sizeof (cpa));
    sr__slack_printf (out, "\n%s. %s *%s* - %s conv, %s cost, %s CPA",
             col (r, i, "rank"),
             't' == col (r, i, "is_internal")[0] ? ":large_blue_circle:"
             : ":white_circle:", esc, c, cost, cpa);
    free (esc);
  }
}

struct state_row {
  const char *state, *name;
  double revenue;
  long orders;
  const char *approval;
};

static int
by_revenue_desc (const void *x, const void *y)
{
  const struct state_row *a = x, *b = y;

  if (a->revenue != b->revenue)
    return a->revenue < b->revenue ? 1 : -1;
  return strcmp (a->state, b->state);
}

static void
put_state (struct sr_buf *out, size_t rank, const struct state_row *s)
{
  char money[72], orders[72];

  sr__slack_money (s->revenue, money, sizeof (money));
  sr__slack_count ((double) s->orders, orders, sizeof (orders));
  sr__slack_printf (out, "\n%zu. %s (%s) - %s revenue, %s orders, %s%% approved",
           rank, s->state, s->name, money, orders, s->approval);
}

static void
put_states (struct sr_buf *out, const struct sr_report_args *a,
            const PGresult *r)
{
  struct state_row rows[64];
  size_t n = 0, top;

  for (int i = 0; i < PQntuples (r) && n < 64; i++) {
    long orders = strtol (col (r, i, "orders"), NULL, 10);

    if (orders <= 0)
      continue;
    rows[n].state = col (r, i, "state");
    rows[n].name = col (r, i, "state_name");
    rows[n].revenue = strtod (col (r, i, "revenue"), NULL);
    rows[n].orders = orders;
    rows[n].approval = col (r, i, "approval_rate");
    n++;
  }
  qsort (rows, n, sizeof (rows[0]), by_revenue_desc);
  sr__slack_printf (out, "*States %s, %s to %s* (by revenue of NEW orders)",
           a->brand.code, a->from, a->to);
  if (0 == n) {
    sr__slack_printf (out, "\nNo orders with a state in these days.");
    return;
  }
  top = n < TOP_STATES ? n : TOP_STATES;
  sr__slack_printf (out, "\n*Top*");
  for (size_t i = 0; i < top; i++)
    put_state (out, i + 1, &rows[i]);
  /* The bottom: the lowest of those not already in the top, lowest
   * first. */
  if (n > top) {
    size_t bottom = n - top < TOP_STATES ? n - top : TOP_STATES;

    sr__slack_printf (out, "\n*Bottom*");
    for (size_t i = 0; i < bottom; i++)
      put_state (out, n - i, &rows[n - 1 - i]);
  }
}

static enum sr_status
cmd_ranked (PGconn *conn, const struct sr_config *cfg, struct args *args,
            bool states, json_t **reply, char *err, size_t errlen)
{
  const char *days[2];
  size_t n_days, i;
  char *brand, msg[512];
  json_t *brands = NULL, *b;
  struct sr_buf text;
  enum sr_status st;

  if (!split_args (args, 1, 2, &brand, days, &n_days, msg, sizeof (msg))) {
    *reply = usage_reply (msg);
    return SR_OK;
  }
  st = brands_of (conn, brand, &brands, err, errlen);
  sr_buf_init (&text, SR__SLACK_MSG_MAX);
  json_array_foreach (brands, i, b) {
    struct params p = { 0 };
    struct sr_report_args a;
    struct sr_report_context ctx;
    struct sr_report_result res;

    if (SR_OK != st)
      break;
    param_set (&p, "brand", json_string_value (b));
    if (n_days > 0) {
      param_set (&p, "from", days[0]);
      param_set (&p, "to", days[n_days - 1]);
    }
    if (states)
      param_set (&p, "metric", "revenue");
    else
      param_set (&p, "limit", "10");
    st = fetch (conn, cfg, states ? "state-heatmap" : "leaderboard", &p, &a,
                &ctx, &res, msg, sizeof (msg), err, errlen);
    if (SR_E_INVALID == st) {
      json_decref (brands);
      sr_buf_clean (&text);
      *reply = usage_reply (msg);
      return SR_OK;
    }
    if (SR_OK != st)
      break;
    if (i > 0)
      (void) sr_buf_puts (&text, "\n\n");
    if (states)
      put_states (&text, &a, res.rows);
    else
      put_leaderboard (&text, &a, res.rows);
    sr_report_result_clean (&res);
    sr_report_context_clean (&ctx);
  }
  json_decref (brands);
  if (SR_OK == st)
    *reply = sr_slack_ephemeral (sr_buf_str (&text));
  sr_buf_clean (&text);
  return st;
}

/* ---- status ---- */

static enum sr_status
cmd_status (PGconn *conn, json_t **reply, char *err, size_t errlen)
{
  json_t *sources = NULL, *s;
  int64_t anomalies, dead;
  struct sr_buf text;
  size_t i;
  enum sr_status st = sr_store_sources_status (conn, &sources, err, errlen);

  if (SR_OK == st)
    st = sr_store_slack_status_counts (conn, &anomalies, &dead, err,
                                       errlen);
  if (SR_OK != st) {
    json_decref (sources);
    return st;
  }
  sr_buf_init (&text, SR__SLACK_MSG_MAX);
  sr__slack_printf (&text, "*Sources*");
  json_array_foreach (sources, i, s) {
    const json_t *run = json_object_get (s, "last_run");
    char *name = sr_slack_escape_dup (json_string_value (
                                        json_object_get (s, "source")));
    const char *day = json_string_value (json_object_get (s, "last_day"));

    sr__slack_printf (&text, "\n- *%s*: data through %s", name,
             NULL != day ? day : "never");
    if (json_is_object (run)) {
      const char *error = json_string_value (json_object_get (run, "error"));
      char *esc = sr__slack_esc_cut (error, SR__SLACK_ERROR_MAX);

      sr__slack_printf (&text, "; last run %" PRId64 " %s%s%s",
               (int64_t) json_integer_value (json_object_get (run, "id")),
               json_string_value (json_object_get (run, "status")),
               NULL != error ? ": " : "", esc);
      free (esc);
    } else {
      sr__slack_printf (&text, "; no run yet");
    }
    free (name);
  }
  if (anomalies < 0)
    sr__slack_printf (&text, "\n*Open anomalies*: not tracked yet");
  else
    sr__slack_printf (&text, "\n*Open anomalies*: %" PRId64, anomalies);
  sr__slack_printf (&text, "\n*Dead letters*: %" PRId64 "%s", dead,
           dead > 0 ? " (GET /v1/dead-letters)" : "");
  *reply = sr_slack_ephemeral (sr_buf_str (&text));
  sr_buf_clean (&text);
  json_decref (sources);
  return SR_OK;
}

/* ---- sync ---- */

/* Is @a id one of the comma-separated @a list (spaces trimmed)? */
static bool
listed (const char *list, const char *id)
{
  size_t idlen = strlen (id);

  if (NULL == list || 0 == idlen)
    return false;
  for (const char *p = list; '\0' != *p;) {
    size_t len = strcspn (p, ",");
    const char *s = p, *e = p + len;

    while (s < e && isspace ((unsigned char) *s))
      s++;
    while (e > s && isspace ((unsigned char) e[-1]))
      e--;
    if ((size_t) (e - s) == idlen && 0 == memcmp (s, id, idlen))
      return true;
    p += len;
    if (',' == *p)
      p++;
  }
  return false;
}

/* The windows of a run of @a source (or "all"), or false with @a msg. */
static bool
sync_windows (const struct sr_config *cfg, const char *source,
              const char *from, const char *to, json_t *windows, char *msg,
              size_t msglen)
{
  bool any = false;

  for (size_t i = 0; NULL != sr_catalog[i].name; i++) {
    const struct sr_catalog_source *s = &sr_catalog[i];
    char f[SR_DATE_LEN], t[SR_DATE_LEN], missing[256];
    bool all = 0 == strcmp (source, SR_CATALOG_ALL);

    /* "all" loads; the derived daily report has its own schedule. */
    if ((!all && 0 != strcmp (source, s->name)) || (all && s->derived))
      continue;
    if (!sr_catalog_configured (s, cfg, missing, sizeof (missing))) {
      snprintf (msg, msglen, "%s is not configured here (missing %s).",
                s->name, missing);
      return false;
    }
    any = true;
    if (NULL != from)
      json_object_set_new (windows, s->name, json_pack ("[s, s]", from, to));
    else if (sr_catalog_default_window (s, cfg, sr_date_today (), 0, f, t))
      json_object_set_new (windows, s->name, json_pack ("[s, s]", f, t));
    else
      json_object_set_new (windows, s->name, json_pack ("[n, n]"));
  }
  if (!any)
    snprintf (msg, msglen, "I don't know that source: use everflow, "
              "redtrack, s3_exports, daily_report or all.");
  return any;
}

static enum sr_status
cmd_sync (PGconn *conn, const struct sr_config *cfg,
          const struct sr_slack_command *cmd, struct args *args,
          json_t **reply, char *err, size_t errlen)
{
  char from[SR_DATE_LEN], to[SR_DATE_LEN], msg[512], key[64], by[96];
  int32_t f = 0, t = 0;
  struct sr_run_created created;
  json_t *windows;
  enum sr_status st;

  if (!listed (cfg->slack_admin_users, cmd->user_id)
      && !listed (cfg->slack_admin_channels, cmd->channel_id)) {
    *reply = sr_slack_ephemeral (
      "Sorry, starting a sync is for admins only. Ask someone listed in "
      "SLACK_ADMIN_USERS, or use a channel in SLACK_ADMIN_CHANNELS; "
      "`/signalroom status` shows how the sources are doing.");
    return SR_OK;
  }
  if (args->n < 2 || args->n > 4) {
    *reply = usage_reply ("`sync` takes a source and, optionally, the "
                          "first and last day.");
    return SR_OK;
  }
  for (size_t i = 2; i < args->n; i++)
    if (!sr_report_read_day (args->tok[i], sr_date_today (),
                             2 == i ? &f : &t)) {
      char *esc = sr_slack_escape_dup (args->tok[i]);

      snprintf (msg, sizeof (msg), "`%s` is not a day: use YYYY-MM-DD, "
                "today or yesterday.", esc);
      free (esc);
      *reply = sr_slack_ephemeral (msg);
      return SR_OK;
    }
  if (3 == args->n)
    t = f;
  if (args->n > 2 && f > t) {
    *reply = sr_slack_ephemeral ("The first day is after the last one.");
    return SR_OK;
  }
  if (args->n > 2 && t - f + 1 > SR_REPORT_MAX_DAYS) {
    *reply = sr_slack_ephemeral ("That is more than 366 days; sync at most "
                                 "a year at a time.");
    return SR_OK;
  }
  sr_date_format (f, from);
  sr_date_format (t, to);
  windows = json_object ();
  if (!sync_windows (cfg, args->tok[1], args->n > 2 ? from : NULL, to,
                     windows, msg, sizeof (msg))) {
    json_decref (windows);
    *reply = usage_reply (msg);
    return SR_OK;
  }
  /* The command's id as the idempotency key: a follow-up that runs the
   * command again after a crash finds the run, never makes a second. */
  snprintf (key, sizeof (key), "slack-command:%" PRId64, cmd->id);
  snprintf (by, sizeof (by), "slack:%.64s", cmd->user_id);
  st = sr_store_create_run (conn, args->tok[1], windows, false, key,
                            cmd->text, by, NULL, &created, err, errlen);
  json_decref (windows);
  if (SR_OK != st)
    return st;
  if (SR_RUN_OVERLAPS == created.outcome
      || SR_RUN_KEY_REUSED == created.outcome) {
    snprintf (msg, sizeof (msg), "A run of %s for those days is already "
              "active: run %" PRId64 ". Its outcome shows in "
              "`/signalroom status`.", created.source, created.run_id);
    *reply = sr_slack_ephemeral (msg);
    return SR_OK;
  }
  st = sr_store_slack_run_reply (conn, created.run_id, cmd->id,
                                 cmd->response_url, err, errlen);
  if (SR_OK != st)
    return st;
  snprintf (msg, sizeof (msg), ":hourglass_flowing_sand: Queued run %"
            PRId64 " (%s). I will post its outcome here when it ends.",
            created.run_id, args->tok[1]);
  *reply = sr_slack_ephemeral (msg);
  return SR_OK;
}

/* ---- dispatch ---- */

enum sr_status
sr_slack_command_run (PGconn *conn, const struct sr_config *cfg,
                      const struct sr_slack_command *cmd, json_t **reply,
                      char *err, size_t errlen)
{
  struct args args;
  const char *sub;
  enum sr_status st;

  *reply = NULL;
  tokenize (cmd->text, &args);
  if (args.too_many) {
    *reply = usage_reply ("That is more than I can read: at most 6 short "
                          "words.");
    return SR_OK;
  }
  sub = args.n > 0 ? args.tok[0] : "help";
  for (char *p = args.tok[0]; '\0' != *p; p++)
    *p = (char) tolower ((unsigned char) *p);
  if (0 == strcmp (sub, "report"))
    st = cmd_report (conn, cfg, &args, reply, err, errlen);
  else if (0 == strcmp (sub, "leaderboard"))
    st = cmd_ranked (conn, cfg, &args, false, reply, err, errlen);
  else if (0 == strcmp (sub, "states"))
    st = cmd_ranked (conn, cfg, &args, true, reply, err, errlen);
  else if (0 == strcmp (sub, "sync"))
    st = cmd_sync (conn, cfg, cmd, &args, reply, err, errlen);
  else if (0 == strcmp (sub, "status"))
    st = cmd_status (conn, reply, err, errlen);
  else if (0 == strcmp (sub, "help")) {
    *reply = sr_slack_ephemeral (usage);
    st = SR_OK;
  } else {
    char why[256];
    char *esc = sr_slack_escape_dup (sub);

    snprintf (why, sizeof (why), "I don't know `%s`.", esc);
    free (esc);
    *reply = usage_reply (why);
    st = SR_OK;
  }
  if (SR_OK == st && NULL == *reply) {
    snprintf (err, errlen, "slack command: out of memory");
    st = SR_E_INTERNAL;
  }
  if (SR_OK != st) {
    json_decref (*reply);
    *reply = NULL;
  }
  return st;
}

/* end of slack_command.c */
