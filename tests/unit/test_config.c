/*
 * test_config.c -- the option table against the README, and the loader
 * against a fake environment.
 *
 * sr_config_load() reads variables through a getenv callback; the tests
 * give it a small name=value table, so the process environment is never
 * touched.  Every failing load must return SR_E_CONFIG with an error line
 * naming the variable at fault.  Secrets registered with the logger while
 * loading are forgotten at the end of each test.
 */
#include "config.h"
#include "log.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define README_PATH SR_SOURCE_DIR "/README.md"
#define GOOD_URL "postgresql://app@db.example:5432/app"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */


static enum sr_status
load (struct sr_config *cfg, const char *const *kv, char *err,
      size_t errlen)
{
  err[0] = '\0';
  return sr_config_load (cfg, sr_test_env_get, (void *) kv, err, errlen);
}

/* Loading @a kv must fail with SR_E_CONFIG naming @a name; the error line
 * is left in @a err. */
static void
expect_fail_at (const char *file, int line, const char *const *kv,
                const char *name, char *err, size_t errlen)
{
  struct sr_config cfg;
  enum sr_status st = load (&cfg, kv, err, errlen);

  if (SR_E_CONFIG != st || NULL == strstr (err, name)) {
    fprintf (stderr, "%s:%d: expected a failure naming %s, got status %d "
             "and \"%s\"\n", file, line, name, (int) st, err);
    sr_test_failures_++;
  }
  sr_config_clean (&cfg);
}

#define EXPECT_FAIL(kv, name, err)                                         \
  expect_fail_at (__FILE__, __LINE__, (kv), (name), (err), sizeof (err))

/* Loading @a kv must succeed; @a cfg is left loaded. */
static bool
expect_ok_at (const char *file, int line, struct sr_config *cfg,
              const char *const *kv)
{
  char err[256];
  enum sr_status st = load (cfg, kv, err, sizeof (err));

  if (SR_OK != st) {
    fprintf (stderr, "%s:%d: expected success, got status %d and \"%s\"\n",
             file, line, (int) st, err);
    sr_test_failures_++;
    return false;
  }
  return true;
}

#define EXPECT_OK(cfg, kv) expect_ok_at (__FILE__, __LINE__, (cfg), (kv))

/* The libpq value for @a keyword, or NULL; checks NULL termination. */
static const char *
db_param (const struct sr_config *cfg, const char *keyword)
{
  const char *found = NULL;
  size_t i;

  for (i = 0; i < SR_CONFIG_DB_PARAMS && NULL != cfg->db_keywords[i]; i++)
    if (0 == strcmp (cfg->db_keywords[i], keyword))
      found = cfg->db_values[i];
  if (i >= SR_CONFIG_DB_PARAMS)
    return NULL;                /* not NULL-terminated: never acceptable */
  return found;
}

static long
option_index (const char *name)
{
  size_t n;
  const struct sr_config_option *opts = sr_config_options (&n);

  for (size_t i = 0; i < n; i++)
    if (0 == strcmp (opts[i].name, name))
      return (long) i;
  return -1;
}

static bool
from_env (const struct sr_config *cfg, const char *name)
{
  long i = option_index (name);

  return i >= 0 && cfg->from_env[i];
}

/* ------------------------------------------------------------------ */
/* README                                                              */

#define MAX_ROWS 160

struct readme_row {
  char *name;
  char *def;                    /* NULL for "—" */
};

/* Trim spaces at both ends of [s, e) in place; returns the start. */
static char *
trim (char *s, char *e)
{
  while (s < e && ' ' == *s)
    s++;
  while (e > s && ' ' == e[-1])
    e--;
  *e = '\0';
  return s;
}

/* "`x`" -> "x" in place; NULL when not back-quoted. */
static char *
unquote (char *cell)
{
  size_t len = strlen (cell);

  if (len < 2 || '`' != cell[0] || '`' != cell[len - 1])
    return NULL;
  cell[len - 1] = '\0';
  return cell + 1;
}

/* Parse the table between the markers.  Returns the row count, or -1 when
 * a line in the table cannot be read. */
static long
readme_rows (char *text, struct readme_row *rows, size_t max)
{
  char *begin = strstr (text, "<!-- config-table:begin -->");
  char *end = strstr (text, "<!-- config-table:end -->");
  char *first;
  char *next;
  size_t n = 0;

  if (NULL == begin || NULL == end || end < begin)
    return -1;
  *end = '\0';
  first = strchr (begin, '\n');
  for (char *line = NULL == first ? NULL : first + 1;
       NULL != line && '\0' != *line; line = next) {
    char *nl = strchr (line, '\n');
    char *bar1, *bar2, *bar3;
    char *name, *def;

    next = NULL == nl ? NULL : nl + 1;
    if (NULL != nl)
      *nl = '\0';
    if ('\0' == line[0])
      continue;
    if (0 == strncmp (line, "| Variable ", 11) || 0 == strncmp (line, "|---",
                                                                 4))
      continue;
    bar1 = strchr (line, '|');
    bar2 = NULL == bar1 ? NULL : strchr (bar1 + 1, '|');
    bar3 = NULL == bar2 ? NULL : strchr (bar2 + 1, '|');
    if (line != bar1 || NULL == bar3 || n >= max) {
      fprintf (stderr, "README table: cannot read \"%s\"\n", line);
      return -1;
    }
    name = unquote (trim (bar1 + 1, bar2));
    def = trim (bar2 + 1, bar3);
    if (NULL == name) {
      fprintf (stderr, "README table: name not in backquotes: %s\n", line);
      return -1;
    }
    if (0 == strcmp (def, "\xe2\x80\x94")) {      /* em dash */
      def = NULL;
    } else {
      def = unquote (def);
      if (NULL == def) {
        fprintf (stderr, "README table: default not in backquotes nor "
                 "\xe2\x80\x94 in: %s\n", line);
        return -1;
      }
    }
    rows[n].name = name;
    rows[n].def = def;
    n++;
  }
  return (long) n;
}

SR_TEST (test_readme_matches_options)
{
  char *text = sr_test_slurp (README_PATH);
  struct readme_row rows[MAX_ROWS];
  long n_rows;
  size_t n_opts;
  const struct sr_config_option *opts = sr_config_options (&n_opts);

  REQUIRE (NULL != text);
  n_rows = readme_rows (text, rows, MAX_ROWS);
  CHECK (n_rows > 0);
  if (n_rows <= 0) {
    free (text);
    return;
  }
  CHECK_INT_EQ (n_rows, n_opts);
  for (size_t i = 0; i < (size_t) n_rows || i < n_opts; i++) {
    const char *rname = i < (size_t) n_rows ? rows[i].name : "(none)";
    const char *oname = i < n_opts ? opts[i].name : "(none)";

    if (0 != strcmp (rname, oname)) {
      fprintf (stderr, "row %zu: README has %s, the option table %s\n", i,
               rname, oname);
      CHECK (false);
      continue;
    }
    {
      const char *rdef = rows[i].def;
      const char *odef = opts[i].default_value;

      if ((NULL == rdef) != (NULL == odef)
          || (NULL != rdef && 0 != strcmp (rdef, odef))) {
        fprintf (stderr, "%s: README default %s, option default %s\n",
                 oname, rdef ? rdef : "(none)", odef ? odef : "(none)");
        CHECK (false);
      }
    }
  }
  free (text);
}

SR_TEST (test_option_table_sane)
{
  size_t n;
  const struct sr_config_option *opts = sr_config_options (&n);

  REQUIRE (n > 0 && n <= 160);
  for (size_t i = 0; i < n; i++) {
    CHECK (NULL != opts[i].name && '\0' != opts[i].name[0]);
    CHECK (NULL != opts[i].description && '\0' != opts[i].description[0]);
    for (size_t k = 0; k < i; k++)
      CHECK (0 != strcmp (opts[i].name, opts[k].name));
    if (SR_CFG_UINT == opts[i].type)
      CHECK (opts[i].min <= opts[i].max);
    /* Secrets never have defaults. */
    if (0 != (opts[i].flags & SR_CFG_SECRET))
      CHECK (NULL == opts[i].default_value);
  }
}

/* ------------------------------------------------------------------ */
/* Loading                                                             */

static unsigned long
cpus (void)
{
  long n = sysconf (_SC_NPROCESSORS_ONLN);

  return n < 1 ? 1 : n > 64 ? 64 : (unsigned long) n;
}

/* SIGNALROOM_API_THREADS=0: one per CPU when every database host is this
 * machine (it needs the same cores), else 4; a number set wins. */
SR_TEST (test_api_threads_follow_the_database)
{
  static const struct {
    const char *name, *value, *threads;
    bool local;
  } cases[] = {
    { "DATABASE_URL", "host=/var/run/postgresql dbname=app", NULL, true },
    { "DATABASE_URL", "postgresql://app@localhost/app", NULL, true },
    { "DATABASE_URL", "postgresql://app@[::1]:5433/app", NULL, true },
    { "DATABASE_URL", "host=127.0.0.1,localhost dbname=app", NULL, true },
    { "DATABASE_URL", "host=10.0.0.5,localhost dbname=app", NULL, false },
    { "DATABASE_URL", GOOD_URL, NULL, false },
    { "SUPABASE_DB_HOST", "aws-0-us-east-1.pooler.supabase.com", NULL,
      false },
    { "DATABASE_URL", "host=/tmp dbname=app", "3", true },
  };

  for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++) {
    const char *const env[] = {
      cases[i].name, cases[i].value, "SUPABASE_DB_PASSWORD", "pw",
      "SIGNALROOM_API_THREADS", cases[i].threads ? cases[i].threads : "0",
      NULL };
    struct sr_config cfg;

    if (EXPECT_OK (&cfg, env)) {
      unsigned long want = NULL != cases[i].threads ? 3
                           : cases[i].local ? cpus () : 4;

      if (want != cfg.api_threads)
        fprintf (stderr, "%s=%s\n", cases[i].name, cases[i].value);
      CHECK_INT_EQ (cfg.api_threads, want);
      sr_config_clean (&cfg);
    }
  }
}

SR_TEST (test_defaults)
{
  static const char *const env[] = { "DATABASE_URL", GOOD_URL, NULL };
  struct sr_config cfg;

  if (EXPECT_OK (&cfg, env)) {
    CHECK_STR_EQ (cfg.listen, "127.0.0.1:8080");
    CHECK_STR_EQ (cfg.listen_host, "127.0.0.1");
    CHECK_INT_EQ (cfg.listen_port, 8080);
    CHECK_INT_EQ (cfg.workers, 2);
    /* 0 by default: one per CPU (at most 64). */
    CHECK_INT_EQ (cfg.http_threads, cpus ());
    /* A database elsewhere: 4 API threads. */
    CHECK_INT_EQ (cfg.api_threads, 4);
    CHECK_INT_EQ (cfg.max_connections, 2048);
    CHECK_INT_EQ (cfg.shutdown_grace_s, 10);
    CHECK_STR_EQ (cfg.log_level_name, "info");
    CHECK_INT_EQ (cfg.log_level, SR_LOG_INFO);
    CHECK_STR_EQ (cfg.client_id, "713");
    CHECK_STR_EQ (cfg.timezone, "America/New_York");
    CHECK (cfg.auto_migrate);
    CHECK (NULL == cfg.jwt_secret);
    CHECK (NULL == cfg.jwt_public_key);
    CHECK (NULL == cfg.jwt_algorithm);
    CHECK_STR_EQ (cfg.jwt_audience, "authenticated");
    CHECK_INT_EQ (cfg.jwt_leeway_s, 30);
    CHECK_INT_EQ (cfg.supabase_db_port, 5432);
    CHECK_STR_EQ (cfg.supabase_db_name, "postgres");
    CHECK_STR_EQ (cfg.supabase_db_user, "postgres");
    CHECK_STR_EQ (cfg.supabase_db_sslmode, "require");
    CHECK (NULL == cfg.supabase_db_host);
    CHECK (NULL == cfg.supabase_db_password);
    CHECK (from_env (&cfg, "DATABASE_URL"));
    CHECK (!from_env (&cfg, "SIGNALROOM_WORKERS"));
    CHECK (!from_env (&cfg, "LOG_LEVEL"));
  }
  sr_config_clean (&cfg);
  /* Cleaning twice is harmless. */
  sr_config_clean (&cfg);
  sr_log_clear_secrets ();
}

SR_TEST (test_database_url)
{
  static const char *const uri[] = {
    "DATABASE_URL", "postgresql://app:pw1234@db.example:6543/app"
    "?sslmode=require", NULL };
  static const char *const kv[] = {
    "DATABASE_URL", "host=db.example port=5432 dbname=app user=app "
    "password=pw1234", NULL };
  /* DATABASE_URL takes precedence over SUPABASE_DB_*. */
  static const char *const both[] = {
    "DATABASE_URL", GOOD_URL, "SUPABASE_DB_HOST", "other.example",
    "SUPABASE_DB_PASSWORD", "ignored-pw", NULL };
  struct sr_config cfg;

  if (EXPECT_OK (&cfg, uri)) {
    CHECK_STR_EQ (cfg.db_source, "DATABASE_URL");
    CHECK_STR_EQ (cfg.database_url, uri[1]);
    CHECK_STR_EQ (db_param (&cfg, "dbname"), uri[1]);
    CHECK (NULL == db_param (&cfg, "host"));
    CHECK (NULL == db_param (&cfg, "password"));
  }
  sr_config_clean (&cfg);

  if (EXPECT_OK (&cfg, kv)) {
    CHECK_STR_EQ (cfg.db_source, "DATABASE_URL");
    CHECK_STR_EQ (db_param (&cfg, "dbname"), kv[1]);
  }
  sr_config_clean (&cfg);

  if (EXPECT_OK (&cfg, both)) {
    CHECK_STR_EQ (cfg.db_source, "DATABASE_URL");
    CHECK_STR_EQ (db_param (&cfg, "dbname"), GOOD_URL);
    CHECK (NULL == db_param (&cfg, "host"));
    CHECK (NULL == db_param (&cfg, "password"));
  }
  sr_config_clean (&cfg);
  sr_log_clear_secrets ();
}

SR_TEST (test_supabase_variables)
{
  static const char *const env[] = {
    "SUPABASE_DB_HOST", "aws-0-us-east-1.pooler.supabase.com",
    "SUPABASE_DB_PORT", "6543",
    "SUPABASE_DB_USER", "postgres.abcdefghij",
    "SUPABASE_DB_PASSWORD", "sb-pass-word-1", NULL };
  static const char *const minimal[] = {
    "SUPABASE_DB_HOST", "db.local", "SUPABASE_DB_PASSWORD", "pw-pw-pw",
    NULL };
  static const char *const bad_mode[] = {
    "SUPABASE_DB_HOST", "db.local", "SUPABASE_DB_PASSWORD", "pw-pw-pw",
    "SUPABASE_DB_SSLMODE", "sometimes", NULL };
  static const char *const bad_port[] = {
    "SUPABASE_DB_HOST", "db.local", "SUPABASE_DB_PASSWORD", "pw-pw-pw",
    "SUPABASE_DB_PORT", "0", NULL };
  static const char *const no_pw[] = { "SUPABASE_DB_HOST", "db.local",
                                       NULL };
  struct sr_config cfg;
  char err[256];

  if (EXPECT_OK (&cfg, env)) {
    CHECK_STR_EQ (cfg.db_source, "SUPABASE_DB_*");
    CHECK_STR_EQ (db_param (&cfg, "host"),
                  "aws-0-us-east-1.pooler.supabase.com");
    CHECK_STR_EQ (db_param (&cfg, "port"), "6543");
    CHECK_STR_EQ (db_param (&cfg, "dbname"), "postgres");
    CHECK_STR_EQ (db_param (&cfg, "user"), "postgres.abcdefghij");
    CHECK_STR_EQ (db_param (&cfg, "password"), "sb-pass-word-1");
    CHECK_STR_EQ (db_param (&cfg, "sslmode"), "require");
    CHECK (NULL == cfg.database_url);
  }
  sr_config_clean (&cfg);

  if (EXPECT_OK (&cfg, minimal)) {
    CHECK_STR_EQ (db_param (&cfg, "host"), "db.local");
    CHECK_STR_EQ (db_param (&cfg, "port"), "5432");
    CHECK_STR_EQ (db_param (&cfg, "dbname"), "postgres");
    CHECK_STR_EQ (db_param (&cfg, "user"), "postgres");
    CHECK_STR_EQ (db_param (&cfg, "password"), "pw-pw-pw");
    CHECK_STR_EQ (db_param (&cfg, "sslmode"), "require");
  }
  sr_config_clean (&cfg);

  EXPECT_FAIL (no_pw, "SUPABASE_DB_PASSWORD", err);
  EXPECT_FAIL (bad_mode, "SUPABASE_DB_SSLMODE", err);
  EXPECT_FAIL (bad_port, "SUPABASE_DB_PORT", err);
  sr_log_clear_secrets ();
}

SR_TEST (test_no_database)
{
  static const char *const nothing[] = { NULL };
  static const char *const only_pw[] = { "SUPABASE_DB_PASSWORD", "pw-pw-pw",
                                         NULL };
  char err[256];

  EXPECT_FAIL (nothing, "DATABASE_URL", err);
  EXPECT_FAIL (only_pw, "DATABASE_URL", err);
  sr_log_clear_secrets ();
}

SR_TEST (test_invalid_database_url)
{
  static const char *const uri_param[] = {
    "DATABASE_URL",
    "postgresql://alice:Pa55w0rd-XYZ@db.example:5432/app?nosuchoption=1",
    NULL };
  static const char *const uri_v6[] = {
    "DATABASE_URL", "postgresql://alice:Pa55w0rd-XYZ@[::1/app", NULL };
  static const char *const uri_pct[] = {
    "DATABASE_URL", "postgresql://alice:Pa55w0rd-XYZ%zz@db.example/app",
    NULL };
  static const char *const kv[] = {
    "DATABASE_URL", "host=db.example password=Pa55w0rd-XYZ bogus", NULL };
  static const char *const kv_quote[] = {
    "DATABASE_URL", "host=db.example password='Pa55w0rd-XYZ", NULL };
  const char *const *cases[] = { uri_param, uri_v6, uri_pct, kv, kv_quote };
  char err[512];

  for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++) {
    EXPECT_FAIL (cases[i], "DATABASE_URL", err);
    if (NULL != strstr (err, "Pa55w0rd")) {
      fprintf (stderr, "case %zu: password in \"%s\"\n", i, err);
      CHECK (false);
    }
    CHECK (NULL == strstr (err, "alice"));
    CHECK (NULL == strstr (err, "db.example"));
  }
  sr_log_clear_secrets ();
}

/* Options libpq would only refuse when connecting, for ever, in `serve`'s
 * retry loop: refused at start instead, with the variable named. */
SR_TEST (test_database_url_options_checked_at_start)
{
  static const struct {
    const char *url;
    const char *msg;
  } bad[] = {
    { "postgresql://app:Pa55w0rd-XYZ@db.example:54x2/app", "port \"54x2\"" },
    { "postgresql://app:Pa55w0rd-XYZ@db.example:0/app", "port \"0\"" },
    { "host=db.example port=70000 password=Pa55w0rd-XYZ", "port \"70000\"" },
    { "host=a,b port=5432,six password=Pa55w0rd-XYZ", "port \"six\"" },
    { "postgresql://app:Pa55w0rd-XYZ@db.example/app?sslmode=requir",
      "sslmode \"requir\"" },
  };
  static const char *const good[] = {
    "host=a,b port=5432,6543 password=Pa55w0rd-XYZ",
    "host=a,b port=5432, password=Pa55w0rd-XYZ",
    "postgresql://app@db.example:6543/app?sslmode=verify-full",
  };
  struct sr_config cfg;
  char err[256];

  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
    const char *const env[] = { "DATABASE_URL", bad[i].url, NULL };

    EXPECT_FAIL (env, "DATABASE_URL", err);
    CHECK_CONTAINS (err, bad[i].msg);
    CHECK (NULL == strstr (err, "Pa55w0rd"));
  }
  for (size_t i = 0; i < sizeof (good) / sizeof (good[0]); i++) {
    const char *const env[] = { "DATABASE_URL", good[i], NULL };

    if (EXPECT_OK (&cfg, env))
      sr_config_clean (&cfg);
  }
  sr_log_clear_secrets ();
}

SR_TEST (test_uint_options)
{
  static const char *const bad[] = { "abc", "-1", "65", "1e3", " 2", "2 ",
                                     "+2", "0x10", "99999999999999999999" };
  struct sr_config cfg;
  char err[256];

  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
    const char *env[] = { "DATABASE_URL", GOOD_URL, "SIGNALROOM_WORKERS",
                          bad[i], NULL };

    EXPECT_FAIL (env, "SIGNALROOM_WORKERS", err);
  }
  /* The bounds themselves are accepted. */
  {
    static const char *const lo[] = { "DATABASE_URL", GOOD_URL,
                                      "SIGNALROOM_WORKERS", "0", NULL };
    static const char *const hi[] = { "DATABASE_URL", GOOD_URL,
                                      "SIGNALROOM_WORKERS", "64",
                                      "SIGNALROOM_JWT_LEEWAY", "600", NULL };

    if (EXPECT_OK (&cfg, lo)) {
      CHECK_INT_EQ (cfg.workers, 0);
      CHECK (from_env (&cfg, "SIGNALROOM_WORKERS"));
    }
    sr_config_clean (&cfg);
    if (EXPECT_OK (&cfg, hi)) {
      CHECK_INT_EQ (cfg.workers, 64);
      CHECK_INT_EQ (cfg.jwt_leeway_s, 600);
    }
    sr_config_clean (&cfg);
  }
  /* A minimum of 1 is enforced where there is one. */
  {
    static const char *const zero[] = { "DATABASE_URL", GOOD_URL,
                                        "SIGNALROOM_POLL_MS", "0",
                                        NULL };
    static const char *const leeway[] = { "DATABASE_URL", GOOD_URL,
                                          "SIGNALROOM_JWT_LEEWAY", "601",
                                          NULL };

    EXPECT_FAIL (zero, "SIGNALROOM_POLL_MS", err);
    EXPECT_FAIL (leeway, "SIGNALROOM_JWT_LEEWAY", err);
  }
  sr_log_clear_secrets ();
}

SR_TEST (test_listen)
{
  static const char *const bad[] = { "8080", "host:", "host:99999",
                                     "[::1]8080", ":8080", "[::1]:",
                                     "[]:80", "host:80x", "host:-1",
                                     "host:+80", "[::1" };
  static const struct {
    const char *v;
    const char *host;
    unsigned int port;
  } good[] = {
    { "127.0.0.1:0", "127.0.0.1", 0 },
    { "[::1]:9000", "::1", 9000 },
    { "0.0.0.0:8080", "0.0.0.0", 8080 },
    { "localhost:65535", "localhost", 65535 },
  };
  struct sr_config cfg;
  char err[256];

  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
    const char *env[] = { "DATABASE_URL", GOOD_URL, "SIGNALROOM_LISTEN",
                          bad[i], NULL };

    EXPECT_FAIL (env, "SIGNALROOM_LISTEN", err);
  }
  for (size_t i = 0; i < sizeof (good) / sizeof (good[0]); i++) {
    const char *env[] = { "DATABASE_URL", GOOD_URL, "SIGNALROOM_LISTEN",
                          good[i].v, NULL };

    if (EXPECT_OK (&cfg, env)) {
      CHECK_STR_EQ (cfg.listen, good[i].v);
      CHECK_STR_EQ (cfg.listen_host, good[i].host);
      CHECK_INT_EQ (cfg.listen_port, good[i].port);
    }
    sr_config_clean (&cfg);
  }
  sr_log_clear_secrets ();
}

SR_TEST (test_log_level_option)
{
  static const char *const bad[] = { "DATABASE_URL", GOOD_URL, "LOG_LEVEL",
                                     "verbose", NULL };
  static const char *const warning[] = { "DATABASE_URL", GOOD_URL,
                                         "LOG_LEVEL", "WARNING", NULL };
  static const char *const debug[] = { "DATABASE_URL", GOOD_URL,
                                       "LOG_LEVEL", "debug", NULL };
  struct sr_config cfg;
  char err[256];

  EXPECT_FAIL (bad, "LOG_LEVEL", err);
  CHECK_CONTAINS (err, "verbose");        /* not a secret: value shown */
  if (EXPECT_OK (&cfg, warning))
    CHECK_INT_EQ (cfg.log_level, SR_LOG_WARN);
  sr_config_clean (&cfg);
  if (EXPECT_OK (&cfg, debug))
    CHECK_INT_EQ (cfg.log_level, SR_LOG_DEBUG);
  sr_config_clean (&cfg);
  sr_log_clear_secrets ();
}

SR_TEST (test_timezone)
{
  static const char *const bad[] = { "Mars/Olympus", "../etc/passwd",
                                     "America/../../etc/passwd",
                                     "/etc/passwd", "/UTC", "America",
                                     "America/New York", "x;y" };
  static const char *const ok[] = { "DATABASE_URL", GOOD_URL,
                                    "SIGNALROOM_TIMEZONE",
                                    "America/New_York", NULL };
  static const char *const utc[] = { "DATABASE_URL", GOOD_URL,
                                     "SIGNALROOM_TIMEZONE", "UTC",
                                     "EVERFLOW_TIMEZONE_ID", "67", NULL };
  /* Everflow's zone id 80 is New York: a report in UTC would file its
   * epochs under the wrong days. */
  static const char *const mismatch[] = { "DATABASE_URL", GOOD_URL,
                                          "SIGNALROOM_TIMEZONE", "UTC",
                                          NULL };
  struct sr_config cfg;
  char err[256];

  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
    const char *env[] = { "DATABASE_URL", GOOD_URL, "SIGNALROOM_TIMEZONE",
                          bad[i], NULL };

    EXPECT_FAIL (env, "SIGNALROOM_TIMEZONE", err);
  }
  if (EXPECT_OK (&cfg, ok)) {
    CHECK_STR_EQ (cfg.timezone, "America/New_York");
    CHECK (from_env (&cfg, "SIGNALROOM_TIMEZONE"));
  }
  sr_config_clean (&cfg);
  if (EXPECT_OK (&cfg, utc))
    CHECK_STR_EQ (cfg.timezone, "UTC");
  sr_config_clean (&cfg);
  EXPECT_FAIL (mismatch, "EVERFLOW_TIMEZONE_ID", err);
  sr_log_clear_secrets ();
}

/* The tz database directory also holds data files that are not zones
 * ("leapseconds", "tzdata.zi", "zone.tab"); the ones whose names pass the
 * character filter must still be refused. */
SR_TEST (test_timezone_not_a_zone_file)
{
  static const char *const env[] = { "DATABASE_URL", GOOD_URL,
                                     "SIGNALROOM_TIMEZONE", "leapseconds",
                                     NULL };
  char err[256];

  EXPECT_FAIL (env, "SIGNALROOM_TIMEZONE", err);
  sr_log_clear_secrets ();
}

SR_TEST (test_client_id)
{
  static const char *const bad[] = { "my client", "a/b", "x\"y",
                                     "caf\xc3\xa9" };
  static const char *const ok[] = { "DATABASE_URL", GOOD_URL,
                                    "SIGNALROOM_CLIENT_ID", "acme_01-b",
                                    NULL };
  char too_long[66];
  char max_len[65];
  struct sr_config cfg;
  char err[256];

  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
    const char *env[] = { "DATABASE_URL", GOOD_URL, "SIGNALROOM_CLIENT_ID",
                          bad[i], NULL };

    EXPECT_FAIL (env, "SIGNALROOM_CLIENT_ID", err);
  }
  memset (too_long, 'a', sizeof (too_long) - 1);
  too_long[sizeof (too_long) - 1] = '\0';
  memset (max_len, 'a', sizeof (max_len) - 1);
  max_len[sizeof (max_len) - 1] = '\0';
  {
    const char *env[] = { "DATABASE_URL", GOOD_URL, "SIGNALROOM_CLIENT_ID",
                          too_long, NULL };

    EXPECT_FAIL (env, "SIGNALROOM_CLIENT_ID", err);
  }
  {
    const char *env[] = { "DATABASE_URL", GOOD_URL, "SIGNALROOM_CLIENT_ID",
                          max_len, NULL };

    if (EXPECT_OK (&cfg, env))
      CHECK_STR_EQ (cfg.client_id, max_len);
    sr_config_clean (&cfg);
  }
  if (EXPECT_OK (&cfg, ok))
    CHECK_STR_EQ (cfg.client_id, "acme_01-b");
  sr_config_clean (&cfg);
  sr_log_clear_secrets ();
}

SR_TEST (test_cors_origins)
{
  static const char *const bad[] = { "dash.example.com",
                                     "https://dash.example.com/app",
                                     "https://a.example.com, https://b.test",
                                     "https://", "ftp://x.test", "*,https://a.test" };
  static const char *const good[] = { "*", "https://a.test",
                                      "https://a.test,http://localhost:3000" };
  struct sr_config cfg;
  char err[256];

  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
    const char *env[] = { "DATABASE_URL", GOOD_URL,
                          "SIGNALROOM_CORS_ORIGINS", bad[i], NULL };

    EXPECT_FAIL (env, "SIGNALROOM_CORS_ORIGINS", err);
  }
  for (size_t i = 0; i < sizeof (good) / sizeof (good[0]); i++) {
    const char *env[] = { "DATABASE_URL", GOOD_URL,
                          "SIGNALROOM_CORS_ORIGINS", good[i], NULL };

    if (EXPECT_OK (&cfg, env))
      CHECK_STR_EQ (cfg.cors_origins, good[i]);
    sr_config_clean (&cfg);
  }
  sr_log_clear_secrets ();
}

SR_TEST (test_otlp_protocol)
{
  static const char *const names[] = { "OTEL_EXPORTER_OTLP_PROTOCOL",
                                       "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL" };
  static const char *const bad[] = { "grpc", "http/protobuf", "HTTP/JSON",
                                     "http/json " };
  struct sr_config cfg;
  char err[256];

  for (size_t n = 0; n < 2; n++) {
    const char *env[] = { "DATABASE_URL", GOOD_URL, names[n], "http/json",
                          NULL };

    for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
      const char *benv[] = { "DATABASE_URL", GOOD_URL, names[n], bad[i],
                             NULL };

      EXPECT_FAIL (benv, names[n], err);
      CHECK (NULL != strstr (err, "http/json"));
    }
    if (EXPECT_OK (&cfg, env))
      CHECK_STR_EQ (n == 0 ? cfg.otel_protocol : cfg.otel_traces_protocol,
                    "http/json");
    sr_config_clean (&cfg);
  }
  sr_log_clear_secrets ();
}

SR_TEST (test_auto_migrate)
{
  static const struct {
    const char *v;
    bool want;
  } good[] = {
    { "off", false }, { "false", false }, { "0", false }, { "NO", false },
    { "on", true }, { "TRUE", true }, { "1", true }, { "yes", true },
  };
  static const char *const bad[] = { "maybe", "2", "offf", "y" };
  struct sr_config cfg;
  char err[256];

  for (size_t i = 0; i < sizeof (good) / sizeof (good[0]); i++) {
    const char *env[] = { "DATABASE_URL", GOOD_URL,
                          "SIGNALROOM_AUTO_MIGRATE", good[i].v, NULL };

    if (EXPECT_OK (&cfg, env)) {
      if (cfg.auto_migrate != good[i].want)
        fprintf (stderr, "SIGNALROOM_AUTO_MIGRATE=%s\n", good[i].v);
      CHECK (cfg.auto_migrate == good[i].want);
    }
    sr_config_clean (&cfg);
  }
  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
    const char *env[] = { "DATABASE_URL", GOOD_URL,
                          "SIGNALROOM_AUTO_MIGRATE", bad[i], NULL };

    EXPECT_FAIL (env, "SIGNALROOM_AUTO_MIGRATE", err);
  }
  sr_log_clear_secrets ();
}

SR_TEST (test_jwt_key_exclusive)
{
  static const char *const both[] = {
    "DATABASE_URL", GOOD_URL,
    "SIGNALROOM_JWT_SECRET", "0123456789abcdef0123456789abcdef",
    "SIGNALROOM_JWT_PUBLIC_KEY", "/etc/signalroom/jwt.pem", NULL };
  static const char *const secret_only[] = {
    "DATABASE_URL", GOOD_URL,
    "SIGNALROOM_JWT_SECRET", "0123456789abcdef0123456789abcdef", NULL };
  static const char *const key_only[] = {
    "DATABASE_URL", GOOD_URL,
    "SIGNALROOM_JWT_PUBLIC_KEY", "/etc/signalroom/jwt.pem", NULL };
  struct sr_config cfg;
  char err[256];

  EXPECT_FAIL (both, "SIGNALROOM_JWT_SECRET", err);
  CHECK_CONTAINS (err, "SIGNALROOM_JWT_PUBLIC_KEY");
  CHECK (NULL == strstr (err, "0123456789abcdef"));
  if (EXPECT_OK (&cfg, secret_only))
    CHECK_STR_EQ (cfg.jwt_secret, "0123456789abcdef0123456789abcdef");
  sr_config_clean (&cfg);
  if (EXPECT_OK (&cfg, key_only))
    CHECK_STR_EQ (cfg.jwt_public_key, "/etc/signalroom/jwt.pem");
  sr_config_clean (&cfg);
  sr_log_clear_secrets ();
}

SR_TEST (test_empty_is_unset)
{
  static const char *const env[] = {
    "DATABASE_URL", "", "SUPABASE_DB_HOST", "db.local",
    "SUPABASE_DB_PASSWORD", "pw-pw-pw", "SIGNALROOM_WORKERS", "",
    "LOG_LEVEL", "", "SIGNALROOM_LISTEN", "", "SIGNALROOM_JWT_SECRET", "",
    "SIGNALROOM_JWT_PUBLIC_KEY", "some-key", "SIGNALROOM_AUTO_MIGRATE", "",
    NULL };
  static const char *const only_empty_url[] = { "DATABASE_URL", "", NULL };
  static const char *const empty_pw[] = { "SUPABASE_DB_HOST", "db.local",
                                          "SUPABASE_DB_PASSWORD", "", NULL };
  struct sr_config cfg;
  char err[256];

  if (EXPECT_OK (&cfg, env)) {
    CHECK_STR_EQ (cfg.db_source, "SUPABASE_DB_*");
    CHECK (NULL == cfg.database_url);
    CHECK (!from_env (&cfg, "DATABASE_URL"));
    CHECK_INT_EQ (cfg.workers, 2);
    CHECK (!from_env (&cfg, "SIGNALROOM_WORKERS"));
    CHECK_INT_EQ (cfg.log_level, SR_LOG_INFO);
    CHECK_STR_EQ (cfg.listen_host, "127.0.0.1");
    CHECK (NULL == cfg.jwt_secret);
    CHECK (cfg.auto_migrate);
    CHECK (from_env (&cfg, "SUPABASE_DB_HOST"));
  }
  sr_config_clean (&cfg);
  EXPECT_FAIL (only_empty_url, "DATABASE_URL", err);
  EXPECT_FAIL (empty_pw, "SUPABASE_DB_PASSWORD", err);
  sr_log_clear_secrets ();
}

/* The member @a name of the to_json object, checked for shape. */
static json_t *
json_option (json_t *root, const char *name)
{
  json_t *o = json_object_get (root, name);

  if (NULL == o || !json_is_object (o) || NULL == json_object_get (o,
                                                                   "value")
      || !json_is_string (json_object_get (o, "origin"))) {
    fprintf (stderr, "option %s missing or malformed in the dump\n", name);
    return NULL;
  }
  return o;
}

SR_TEST (test_to_json)
{
  static const char url[] =
    "postgresql://app:pw-Very-Secret-1@db.example/app";
  static const char jwt[] = "jwt-secret-0123456789abcdef0123456789";
  static const char *const env[] = {
    "DATABASE_URL", url, "SIGNALROOM_JWT_SECRET", jwt,
    "SUPABASE_DB_PASSWORD", "sb-Secret-Pw-77", "LOG_LEVEL", "debug",
    "SIGNALROOM_WORKERS", "5", NULL };
  struct sr_config cfg;
  json_t *root;
  json_t *o;
  char *dump;
  size_t n_opts;

  (void) sr_config_options (&n_opts);
  if (!EXPECT_OK (&cfg, env)) {
    sr_config_clean (&cfg);
    sr_log_clear_secrets ();
    return;
  }
  root = sr_config_to_json (&cfg);
  REQUIRE (NULL != root);
  CHECK_INT_EQ (json_object_size (root), n_opts);

  if (NULL != (o = json_option (root, "DATABASE_URL"))) {
    CHECK_STR_EQ (json_string_value (json_object_get (o, "value")), "[set]");
    CHECK_STR_EQ (json_string_value (json_object_get (o, "origin")),
                  "environment");
  } else {
    CHECK (false);
  }
  if (NULL != (o = json_option (root, "SIGNALROOM_JWT_SECRET")))
    CHECK_STR_EQ (json_string_value (json_object_get (o, "value")), "[set]");
  else
    CHECK (false);
  if (NULL != (o = json_option (root, "SUPABASE_DB_PASSWORD")))
    CHECK_STR_EQ (json_string_value (json_object_get (o, "value")), "[set]");
  else
    CHECK (false);
  if (NULL != (o = json_option (root, "SUPABASE_DB_HOST"))) {
    CHECK (json_is_null (json_object_get (o, "value")));
    CHECK_STR_EQ (json_string_value (json_object_get (o, "origin")),
                  "default");
  } else {
    CHECK (false);
  }
  if (NULL != (o = json_option (root, "LOG_LEVEL"))) {
    CHECK_STR_EQ (json_string_value (json_object_get (o, "value")), "debug");
    CHECK_STR_EQ (json_string_value (json_object_get (o, "origin")),
                  "environment");
  } else {
    CHECK (false);
  }
  if (NULL != (o = json_option (root, "SIGNALROOM_WORKERS"))) {
    CHECK_INT_EQ (json_integer_value (json_object_get (o, "value")), 5);
    CHECK_STR_EQ (json_string_value (json_object_get (o, "origin")),
                  "environment");
  } else {
    CHECK (false);
  }
  if (NULL != (o = json_option (root, "SIGNALROOM_HTTP_THREADS"))) {
    /* 0 by default: one thread per CPU. */
    long cpus = sysconf (_SC_NPROCESSORS_ONLN);

    CHECK_INT_EQ (json_integer_value (json_object_get (o, "value")),
                  cpus < 1 ? 1 : cpus > 64 ? 64 : cpus);
    CHECK_STR_EQ (json_string_value (json_object_get (o, "origin")),
                  "default");
  } else {
    CHECK (false);
  }
  if (NULL != (o = json_option (root, "SIGNALROOM_AUTO_MIGRATE"))) {
    CHECK (json_is_true (json_object_get (o, "value")));
    CHECK_STR_EQ (json_string_value (json_object_get (o, "origin")),
                  "default");
  } else {
    CHECK (false);
  }
  if (NULL != (o = json_option (root, "SIGNALROOM_TIMEZONE")))
    CHECK_STR_EQ (json_string_value (json_object_get (o, "value")),
                  "America/New_York");
  else
    CHECK (false);

  dump = json_dumps (root, JSON_COMPACT);
  REQUIRE (NULL != dump);
  CHECK (NULL == strstr (dump, "pw-Very-Secret-1"));
  CHECK (NULL == strstr (dump, "db.example"));
  CHECK (NULL == strstr (dump, jwt));
  CHECK (NULL == strstr (dump, "0123456789abcdef"));
  CHECK (NULL == strstr (dump, "sb-Secret-Pw-77"));
  free (dump);
  json_decref (root);
  sr_config_clean (&cfg);
  sr_log_clear_secrets ();
}

/* A value that is not UTF-8 (a Latin-1 environment) is either refused by
 * the loader, naming the variable, or shown by sr_config_to_json(); it
 * must not make the option vanish from the dump. */
SR_TEST (test_to_json_non_utf8)
{
  static const char *const env[] = { "DATABASE_URL", GOOD_URL,
                                     "SIGNALROOM_JWT_AUDIENCE",
                                     "caf\xe9", NULL };
  struct sr_config cfg;
  char err[256];
  size_t n_opts;
  enum sr_status st = load (&cfg, env, err, sizeof (err));

  (void) sr_config_options (&n_opts);
  if (SR_OK != st) {
    CHECK_INT_EQ (st, SR_E_CONFIG);
    CHECK_CONTAINS (err, "SIGNALROOM_JWT_AUDIENCE");
  } else {
    json_t *root = sr_config_to_json (&cfg);

    REQUIRE (NULL != root);
    if (NULL == json_object_get (root, "SIGNALROOM_JWT_AUDIENCE"))
      fprintf (stderr, "SIGNALROOM_JWT_AUDIENCE missing from the dump\n");
    CHECK (NULL != json_option (root, "SIGNALROOM_JWT_AUDIENCE"));
    CHECK_INT_EQ (json_object_size (root), n_opts);
    json_decref (root);
  }
  sr_config_clean (&cfg);
  sr_log_clear_secrets ();
}

/* Loading registers every secret (and a DATABASE_URL's password) with the
 * logger: a line that echoes one shows [REDACTED]. */
SR_TEST (test_secrets_reach_logger)
{
  static const char *const env[] = {
    "DATABASE_URL", "postgresql://app:url-pw-4242@db.example/app",
    "SUPABASE_DB_PASSWORD", "sb-Secret-Pw-77",
    "SIGNALROOM_JWT_SECRET", "jwt-secret-0123456789abcdef0123456789",
    NULL };
  char path[] = "/tmp/sr_test_config_XXXXXX";
  struct sr_config cfg;
  char text[2048];
  ssize_t got;
  int fd;

  sr_log_clear_secrets ();
  if (!EXPECT_OK (&cfg, env)) {
    sr_config_clean (&cfg);
    sr_log_clear_secrets ();
    return;
  }
  fd = mkstemp (path);
  REQUIRE (fd >= 0);
  CHECK (0 == unlink (path));
  sr_log_set_output (fd);
  sr_log (SR_LOG_ERROR, "libpq said", "{s:s, s:s, s:s}", "a",
          "password authentication failed: url-pw-4242", "b",
          "sb-Secret-Pw-77", "c", "jwt-secret-0123456789abcdef0123456789");
  sr_log_set_output (2);
  memset (text, 0, sizeof (text));
  CHECK (0 == lseek (fd, 0, SEEK_SET));
  got = read (fd, text, sizeof (text) - 1);
  CHECK (got > 0);
  CHECK (0 == close (fd));
  CHECK_CONTAINS (text, "[REDACTED]");
  CHECK_CONTAINS (text, "libpq said");
  CHECK (NULL == strstr (text, "url-pw-4242"));
  CHECK (NULL == strstr (text, "sb-Secret-Pw-77"));
  CHECK (NULL == strstr (text, "jwt-secret"));
  sr_config_clean (&cfg);
  sr_log_clear_secrets ();
}

/* The alert options: E.164 lists naming the bad number, fractional
 * reminder hours, quiet hours as from-to. */
SR_TEST (test_alert_options)
{
  static const struct { const char *name, *v, *named; } bad[] = {
    { "ALERT_SMS_TO", "+15551230001,5551230002", "\"5551230002\"" },
    { "ALERT_SMS_TO", "+15551230001,,+15551230002", "empty number" },
    { "REPORT_SMS_TO", "+1555123000a", "\"+1555123000a\"" },
    { "REPORT_SMS_TO", "+0555123000", "\"+0555123000\"" },
    { "ALERT_SMS_TO", "+1234567", "\"+1234567\"" },
    { "ALERT_REMIND_HOURS", "0", NULL },
    { "ALERT_REMIND_HOURS", "-1", NULL },
    { "ALERT_REMIND_HOURS", "inf", NULL },
    { "ALERT_REMIND_HOURS", "1.5.1", NULL },
    { "ALERT_SMS_QUIET_HOURS", "22", NULL },
    { "ALERT_SMS_QUIET_HOURS", "24-7", NULL },
    { "ALERT_SMS_QUIET_HOURS", "7-7", NULL },
    { "ALERT_SMS_QUIET_HOURS", "22-7x", NULL },
    { "SLACK_CHANNEL_ID", "#reporting", NULL },
  };
  struct sr_config cfg;
  char err[256];

  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
    const char *env[] = { "DATABASE_URL", GOOD_URL, bad[i].name, bad[i].v,
                          NULL };

    EXPECT_FAIL (env, bad[i].name, err);
    if (NULL != bad[i].named)
      CHECK_CONTAINS (err, bad[i].named);
  }
  {
    const char *env[] = { "DATABASE_URL", GOOD_URL, NULL };

    if (EXPECT_OK (&cfg, env)) {
      CHECK (4.0 == cfg.alert_remind_hours);
      CHECK_INT_EQ (cfg.alert_sms_after_failures, 3);
      CHECK_INT_EQ (cfg.alert_quiet_from, -1);
      CHECK (NULL == cfg.alert_sms_to && NULL == cfg.slack_channel_id);
    }
    sr_config_clean (&cfg);
  }
  {
    const char *env[] = { "DATABASE_URL", GOOD_URL,
                          "ALERT_SMS_TO", " +15551230001 ,+447700900123",
                          "ALERT_REMIND_HOURS", "0.25",
                          "ALERT_SMS_QUIET_HOURS", "22-7",
                          "SLACK_CHANNEL_ID", "C0AAAA111", NULL };

    if (EXPECT_OK (&cfg, env)) {
      CHECK (0.25 == cfg.alert_remind_hours);
      CHECK_INT_EQ (cfg.alert_quiet_from, 22);
      CHECK_INT_EQ (cfg.alert_quiet_to, 7);
      CHECK_STR_EQ (cfg.slack_channel_id, "C0AAAA111");
    }
    sr_config_clean (&cfg);
  }
  sr_log_clear_secrets ();
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_readme_matches_options),
              SR_TEST_ENTRY (test_option_table_sane),
              SR_TEST_ENTRY (test_defaults),
              SR_TEST_ENTRY (test_api_threads_follow_the_database),
              SR_TEST_ENTRY (test_database_url),
              SR_TEST_ENTRY (test_supabase_variables),
              SR_TEST_ENTRY (test_no_database),
              SR_TEST_ENTRY (test_invalid_database_url),
              SR_TEST_ENTRY (test_database_url_options_checked_at_start),
              SR_TEST_ENTRY (test_uint_options),
              SR_TEST_ENTRY (test_listen),
              SR_TEST_ENTRY (test_log_level_option),
              SR_TEST_ENTRY (test_timezone),
              SR_TEST_ENTRY (test_timezone_not_a_zone_file),
              SR_TEST_ENTRY (test_client_id),
              SR_TEST_ENTRY (test_cors_origins),
              SR_TEST_ENTRY (test_otlp_protocol),
              SR_TEST_ENTRY (test_auto_migrate),
              SR_TEST_ENTRY (test_jwt_key_exclusive),
              SR_TEST_ENTRY (test_empty_is_unset),
              SR_TEST_ENTRY (test_to_json),
              SR_TEST_ENTRY (test_to_json_non_utf8),
              SR_TEST_ENTRY (test_secrets_reach_logger),
              SR_TEST_ENTRY (test_alert_options))
