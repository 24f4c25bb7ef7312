/*
 * cmd_serve.c -- `signalroom serve`: start-up and shutdown order.
 *
 * Start: block SIGINT/SIGTERM/SIGHUP in this thread before any other
 * thread exists (so all inherit the mask and only this thread receives
 * them, via sigwait), load configuration, build the JWT verifier, start
 * HTTP, start the job pool and the scheduler closed, then the background
 * migrator, which opens them once the schema is current (so they never
 * query tables that do not exist yet).  Stop, in reverse: mark draining
 * (readiness fails, responses say Connection: close), stop the migrator
 * (no opening after that), the scheduler, the jobs, and let in-flight
 * requests finish within SIGNALROOM_SHUTDOWN_GRACE, close.
 */
#include "auth.h"
#include "clock.h"
#include "automigrate.h"
#include "cli.h"
#include "config.h"
#include "datawatch.h"
#include "slack_followup.h"
#include "metrics.h"
#include "metrics_sampler.h"
#include "trace.h"
#include "trace_export.h"
#include "db.h"
#include "http.h"
#include "jobs.h"
#include "runner.h"
#include "scheduler.h"
#include "log.h"
#include "mem.h"
#include "reply_cache.h"
#include "version.h"

#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

static const char usage[] =
  "usage: signalroom serve\n\n"
  "Serve the HTTP API on SIGNALROOM_LISTEN.  Configuration comes from the\n"
  "environment (see README.md).  SIGTERM or SIGINT stops accepting, lets\n"
  "in-flight requests finish within SIGNALROOM_SHUTDOWN_GRACE seconds, and\n"
  "exits 0.\n";

static enum sr_status
build_auth (const struct sr_config *cfg, struct sr_auth **out)
{
  char err[512];
  char *pem = NULL;
  enum sr_status st;

  *out = NULL;
  if (NULL == cfg->jwt_secret && NULL == cfg->jwt_public_key) {
    sr_log (SR_LOG_WARN, "no JWT key configured",
            "{s:s}", "effect",
            "routes that need a token answer 503 until SIGNALROOM_JWT_SECRET "
            "or SIGNALROOM_JWT_PUBLIC_KEY is set");
    return SR_OK;
  }
  if (NULL != cfg->jwt_public_key) {
    /* Read a path here so a bad one is a start-up error naming it. */
    pem = sr_auth_read_pem (cfg->jwt_public_key, err, sizeof (err));
    if (NULL == pem) {
      sr_log (SR_LOG_ERROR, "invalid configuration", "{s:s}", "error", err);
      return SR_E_CONFIG;
    }
  }
  st = sr_auth_new (cfg->jwt_secret, pem, cfg->jwt_algorithm,
                    cfg->jwt_audience, (unsigned int) cfg->jwt_leeway_s, out,
                    err, sizeof (err));
  free (pem);
  if (SR_OK != st)
    sr_log (SR_LOG_ERROR, "invalid configuration", "{s:s}", "error", err);
  return st;
}

/* "host:pid:random": unique per process, readable in the jobs table. */
static void
instance_name (char *out, size_t len)
{
  char host[64] = "host";
  uint32_t r = 0;

  (void) gethostname (host, sizeof (host));
  host[sizeof (host) - 1] = '\0';
  if (sizeof (r) != getrandom (&r, sizeof (r), 0))
    r = (uint32_t) sr_wall_now ();
  snprintf (out, len, "%s:%ld:%08x", host, (long) getpid (), r);
}

/* What the migrator opens once the schema is current. */
struct schema_users {
  const struct sr_config *cfg;
  struct sr_jobs *jobs;
  struct sr_scheduler *sched;
  struct sr_datawatch *watch;   /* started here: its table exists now */
  struct sr_metrics_sampler *sampler;   /* likewise */
  struct sr_slack_followup *followup;   /* likewise, with Slack commands */
  struct sr_app *app;           /* its requests wait for the schema */
};

static void
on_schema_ready (void *cls)
{
  struct schema_users *u = cls;

  atomic_store (&u->app->schema_pending, false);
  sr_jobs_open (u->jobs);
  sr_scheduler_open (u->sched);
  if (NULL == u->watch && SR_OK != sr_datawatch_start (u->cfg, &u->watch))
    sr_log (SR_LOG_ERROR, "cannot start the data version watcher", NULL);
  if (u->cfg->metrics && NULL == u->sampler
      && SR_OK != sr_metrics_sampler_start (u->cfg, &u->sampler))
    sr_log (SR_LOG_ERROR, "cannot start the metrics sampler", NULL);
  if ((NULL != u->cfg->slack_signing_secret
       || u->cfg->slack_intraday_snapshot) && NULL == u->followup
      && SR_OK != sr_slack_followup_start (u->cfg, &u->followup))
    sr_log (SR_LOG_ERROR, "cannot start the slack command follow-up", NULL);
}

/* Tracing on when a collector is configured (and not disabled), with the
 * exporter thread; off otherwise. */
static enum sr_status
start_tracing (const struct sr_config *cfg, struct sr_trace_export **out)
{
  struct sr_trace_settings ts = {
    .enabled = !cfg->otel_disabled && (NULL != cfg->otel_endpoint
                                       || NULL != cfg->otel_traces_endpoint),
    .sampler = cfg->otel_sampler,
    .ratio = strtod (cfg->otel_sampler_arg, NULL),
    .queue_max = cfg->otel_queue_max,
    .batch_max = cfg->otel_batch_max,
  };
  char err[256];
  enum sr_status st = sr_trace_init (&ts, err, sizeof (err));

  if (SR_OK == st)
    st = sr_trace_export_start (cfg, out);
  else
    sr_log (SR_LOG_ERROR, "tracing not started", "{s:s}", "error", err);
  if (SR_OK == st && ts.enabled)   /* the endpoint may carry credentials */
    sr_log (SR_LOG_INFO, "tracing on", "{s:s}", "sampler", cfg->otel_sampler);
  return st;
}

int
sr_cmd_serve (int argc, char **argv)
{
  struct sr_config cfg;
  struct sr_auth *auth = NULL;
  struct sr_http *srv = NULL;
  struct sr_automigrate *am = NULL;
  struct sr_jobs *jobs = NULL;
  struct sr_scheduler *sched = NULL;
  struct sr_trace_export *exporter = NULL;
  struct schema_users users = { 0 };
  char instance[96];
  struct sr_app app;
  sigset_t stop_signals;
  char err[512];
  bool done;
  int rc = sr_cli_no_options (argc, argv, usage, &done);
  int sig = 0;
  unsigned int abandoned;

  if (done)
    return rc;
  sigemptyset (&stop_signals);
  sigaddset (&stop_signals, SIGINT);
  sigaddset (&stop_signals, SIGTERM);
  sigaddset (&stop_signals, SIGHUP);
  pthread_sigmask (SIG_BLOCK, &stop_signals, NULL);
  signal (SIGPIPE, SIG_IGN);

  if (!sr_cli_load_config (&cfg))
    return SR_EXIT_FAIL;
  if (SR_OK != build_auth (&cfg, &auth)) {
    sr_config_clean (&cfg);
    return SR_EXIT_FAIL;
  }
  if (CURLE_OK != curl_global_init (CURL_GLOBAL_DEFAULT)) {
    sr_log (SR_LOG_ERROR, "libcurl initialisation failed", NULL);
    sr_auth_free (auth);
    sr_config_clean (&cfg);
    return SR_EXIT_FAIL;
  }
  sr_db_init (&cfg);
  if (SR_OK != start_tracing (&cfg, &exporter)) {
    curl_global_cleanup ();
    sr_auth_free (auth);
    sr_config_clean (&cfg);
    return SR_EXIT_FAIL;
  }

  memset (&app, 0, sizeof (app));
  app.cfg = &cfg;
  app.auth = auth;
  app.routes = sr_routes;
  app.n_routes = sr_routes_count;
  app.started_at = sr_wall_now ();
  sr_metrics_enable (cfg.metrics);
  sr_metrics_set_build (SR_VERSION, SR_COMMIT);
  app.reset_thread = sr_db_thread_close;
  app.report_cache = sr_reply_cache_new ((size_t) cfg.report_cache_mb
                                         * 1024 * 1024);
  atomic_init (&app.draining, false);
  atomic_init (&app.schema_pending, true);   /* until on_schema_ready */

  if (SR_OK != sr_http_start (&app, &srv, err, sizeof (err))) {
    sr_log (SR_LOG_ERROR, "cannot start HTTP server", "{s:s}", "error", err);
    rc = SR_EXIT_FAIL;
    goto cleanup;
  }
  sr_log (SR_LOG_INFO, "listening",
          "{s:s, s:s, s:i, s:i, s:s, s:s, s:s}", "version", SR_VERSION,
          "host", cfg.listen_host, "port", (int) sr_http_port (srv),
          "http_threads", (int) cfg.http_threads, "database",
          cfg.db_source, "timezone", cfg.timezone, "auth",
          auth ? sr_auth_algorithm (auth) : "unconfigured");
  instance_name (instance, sizeof (instance));
  if (cfg.workers > 0
      && SR_OK != sr_jobs_start (&cfg, instance, sr_runner_execute, &cfg,
                                 &jobs)) {
    (void) sr_http_stop (srv, 0, NULL);
    rc = SR_EXIT_FAIL;
    goto cleanup;
  }
  sr_log (SR_LOG_INFO, "workers started", "{s:s, s:i}", "instance", instance,
          "workers", (int) cfg.workers);
  if (cfg.scheduler && SR_OK != sr_scheduler_start (&cfg, &sched))
    sr_log (SR_LOG_ERROR, "cannot start the scheduler", NULL);
  users.cfg = &cfg;
  users.app = &app;
  users.jobs = jobs;
  users.sched = sched;
  if (SR_OK != sr_automigrate_start (&cfg, on_schema_ready, &users, &am)) {
    sr_log (SR_LOG_ERROR, "cannot start the migration thread", NULL);
    on_schema_ready (&users);
  }

  for (;;) {
    if (0 != sigwait (&stop_signals, &sig))
      continue;
    if (SIGHUP == sig) {
      sr_log (SR_LOG_INFO, "SIGHUP ignored",
              "{s:s}", "why", "configuration is read once, at start");
      continue;
    }
    break;
  }
  sr_log (SR_LOG_INFO, "shutting down", "{s:s, s:i}", "signal",
          SIGTERM == sig ? "SIGTERM" : "SIGINT", "grace_s",
          (int) cfg.shutdown_grace_s);
  atomic_store (&app.draining, true);
  sr_automigrate_stop (am);
  sr_datawatch_stop (users.watch);
  sr_slack_followup_stop (users.followup);
  sr_metrics_sampler_stop (users.sampler);
  sr_scheduler_stop (sched);
  {
    unsigned int handed_back = 0;
    bool joined = sr_jobs_stop (jobs, (unsigned int) cfg.shutdown_grace_s,
                                &handed_back);
    bool http_joined = true;

    jobs = NULL;
    abandoned = sr_http_stop (srv, (unsigned int) cfg.shutdown_grace_s,
                              &http_joined);
    sr_log (abandoned || !joined || !http_joined ? SR_LOG_WARN : SR_LOG_INFO,
            "stopped", "{s:i, s:i}", "requests_cut_off", (int) abandoned,
            "jobs_handed_back", (int) handed_back);
    if (!joined || !http_joined)
      _exit (SR_EXIT_OK);   /* threads still run: leave, touch nothing */
  }
  rc = SR_EXIT_OK;

cleanup:
  (void) sr_jobs_stop (jobs, 0, NULL);
  sr_trace_export_stop (exporter);   /* after the threads that make spans */
  sr_reply_cache_free (app.report_cache);
  sr_db_thread_close ();
  curl_global_cleanup ();
  sr_auth_free (auth);
  sr_config_clean (&cfg);
  return rc;
}

/* end of cmd_serve.c */
