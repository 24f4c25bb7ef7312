/*
 * routes.c -- the route table: every endpoint signalroom serves.
 *
 * openapi/openapi.yaml documents the same list; test_openapi fails when
 * the two disagree.
 *
 * SR_ROUTE_NO_DB marks the handlers that never touch the database (nor
 * wait on anything else): they run on the HTTP threads.  Every other
 * route runs on an API thread, so forgetting the flag costs a thread hop,
 * never a frozen server.
 */
#include "handlers.h"
#include "report_args.h"

#define KiB 1024u

static const char *const sync_list_query[] = { "source", "status", "date",
                                               "limit", "cursor", NULL };
static const char *const page_query[] = { "limit", "cursor", NULL };
static const char *const notification_query[] = { "status", "channel", "kind",
                                                  "limit", "cursor", NULL };
static const char *const anomaly_query[] = { "status", "kind", "source",
                                             "brand", "from", "to", "limit",
                                             "cursor", NULL };
static const char *const snapshot_query[] = { "report", "brand", "date",
                                              "from", "to", "latest",
                                              "limit", NULL };

const struct sr_route sr_routes[] = {
  { .method = "GET", .path = "/healthz", .handler = sr_handle_healthz_get,
    .policy = SR_AUTH_PUBLIC, .flags = SR_ROUTE_QUIET | SR_ROUTE_NO_DB,
    .summary = "liveness" },
  { .method = "GET", .path = "/readyz", .handler = sr_handle_readyz_get,
    .policy = SR_AUTH_PUBLIC, .flags = SR_ROUTE_QUIET | SR_ROUTE_ANY_SCHEMA,
    .summary = "readiness: database reachable, migrations current" },
  { .method = "GET", .path = "/v1/health", .handler = sr_handle_health_get,
    .policy = SR_AUTH_SERVICE_ROLE, .flags = SR_ROUTE_ANY_SCHEMA,
    .summary = "readiness with its details: database, schema" },
  { .method = "GET", .path = "/metrics", .handler = sr_handle_metrics_get,
    .policy = SR_AUTH_PUBLIC, .flags = SR_ROUTE_QUIET | SR_ROUTE_NO_DB,
    .summary = "Prometheus metrics (bearer SIGNALROOM_METRICS_TOKEN when "
               "set)" },
  { .method = "GET", .path = "/openapi.yaml",
    .handler = sr_handle_openapi_get, .policy = SR_AUTH_PUBLIC,
    .flags = SR_ROUTE_NO_DB, .summary = "the API contract" },
  { .method = "GET", .path = "/v1/me", .handler = sr_handle_me_get,
    .policy = SR_AUTH_AUTHENTICATED, .flags = SR_ROUTE_NO_DB,
    .summary = "the caller's verified identity" },
  { .method = "GET", .path = "/v1/config", .handler = sr_handle_config_get,
    .policy = SR_AUTH_SERVICE_ROLE, .flags = SR_ROUTE_NO_DB,
    .summary = "effective configuration, secrets masked" },
  { .method = "PUT", .path = "/v1/log-level",
    .handler = sr_handle_log_level_put, .policy = SR_AUTH_SERVICE_ROLE,
    .body_type = "application/json", .max_body = 1 * KiB,
    .flags = SR_ROUTE_NO_DB, .summary = "change the log level at run time" },
  { .method = "GET", .path = "/v1/mappings/affiliates",
    .handler = sr_handle_mappings_get, .policy = SR_AUTH_AUTHENTICATED,
    .summary = "the Redtrack-source -> Everflow-affiliate mapping" },
  { .method = "PUT", .path = "/v1/mappings/affiliates",
    .handler = sr_handle_mappings_put, .policy = SR_AUTH_SERVICE_ROLE,
    .body_type = "text/csv", .max_body = 1024 * KiB,
    .summary = "replace the mapping with an uploaded CSV file" },
  { .method = "POST", .path = "/v1/syncs", .handler = sr_handle_syncs_post,
    .policy = SR_AUTH_SERVICE_ROLE, .body_type = "application/json",
    .max_body = 4 * KiB, .summary = "queue a sync run" },
  { .method = "GET", .path = "/v1/syncs", .handler = sr_handle_syncs_get,
    .policy = SR_AUTH_SERVICE_ROLE, .query = sync_list_query,
    .summary = "sync runs, newest first" },
  { .method = "GET", .path = "/v1/syncs/{id}", .handler = sr_handle_sync_get,
    .policy = SR_AUTH_SERVICE_ROLE, .summary = "one sync run" },
  { .method = "POST", .path = "/v1/syncs/{id}/cancel",
    .handler = sr_handle_sync_cancel_post, .policy = SR_AUTH_SERVICE_ROLE,
    .summary = "cancel a sync run" },
  { .method = "GET", .path = "/v1/sources", .handler = sr_handle_sources_get,
    .policy = SR_AUTH_SERVICE_ROLE,
    .summary = "sources, configuration and freshness" },
  { .method = "GET", .path = "/v1/dead-letters",
    .handler = sr_handle_dead_letters_get, .policy = SR_AUTH_SERVICE_ROLE,
    .query = page_query, .summary = "jobs that failed for good" },
  { .method = "POST", .path = "/v1/dead-letters/{id}/retry",
    .handler = sr_handle_dead_letter_retry_post, .policy = SR_AUTH_SERVICE_ROLE,
    .summary = "queue a dead job again" },
  { .method = "GET", .path = "/v1/notifications",
    .handler = sr_handle_notifications_get, .policy = SR_AUTH_SERVICE_ROLE,
    .query = notification_query,
    .summary = "the notification outbox and delivery state" },
  { .method = "GET", .path = "/v1/anomalies",
    .handler = sr_handle_anomalies_get, .policy = SR_AUTH_AUTHENTICATED,
    .query = anomaly_query, .summary = "anomalies found in the loaded data" },
  { .method = "POST", .path = "/v1/anomalies/{id}/ack",
    .handler = sr_handle_anomaly_ack_post, .policy = SR_AUTH_SERVICE_ROLE,
    .summary = "acknowledge an anomaly" },
  { .method = "GET", .path = "/v1/schedules",
    .handler = sr_handle_schedules_get, .policy = SR_AUTH_SERVICE_ROLE,
    .summary = "schedules, next firing, recent ticks" },
  { .method = "PATCH", .path = "/v1/schedules/{name}",
    .handler = sr_handle_schedule_patch, .policy = SR_AUTH_SERVICE_ROLE,
    .body_type = "application/json", .max_body = 4 * KiB,
    .summary = "pause, resume or edit a schedule" },
  { .method = "GET", .path = "/v1/reports", .handler = sr_handle_reports_get,
    .policy = SR_AUTH_AUTHENTICATED, .flags = SR_ROUTE_NO_DB,
    .summary = "the report catalogue" },
  /* Before /v1/reports/{name}, which would take "snapshots" for a name. */
  { .method = "GET", .path = "/v1/reports/snapshots",
    .handler = sr_handle_snapshots_get, .policy = SR_AUTH_AUTHENTICATED,
    .query = snapshot_query,
    .summary = "stored snapshots of the daily report" },
  { .method = "GET", .path = "/v1/reports/{name}",
    .handler = sr_handle_report_get, .cached = sr_handle_report_get_cached,
    .policy = SR_AUTH_AUTHENTICATED, .query = sr_report_param_names,
    .summary = "one report" },
  /* Public: Slack signs it (checked against the raw body, kept as it
   * came, on the HTTP thread before the API pool, and by the handler). */
  { .method = "POST", .path = "/v1/slack/commands",
    .handler = sr_handle_slack_commands_post,
    .cached = sr_handle_slack_commands_post_check, .policy = SR_AUTH_PUBLIC,
    .body_type = "application/x-www-form-urlencoded", .max_body = 8 * KiB,
    .summary = "a Slack slash command (/signalroom), signed by Slack" },
  { .method = "POST", .path = "/v1/slack/interactions",
    .handler = sr_handle_slack_interactions_post,
    .cached = sr_handle_slack_interactions_post_check,
    .policy = SR_AUTH_PUBLIC,
    .body_type = "application/x-www-form-urlencoded", .max_body = 8 * KiB,
    .summary = "a Slack button click (an anomaly's Acknowledge), signed by "
               "Slack" },
  { .method = "GET", .path = "/v1/reports/orders/{name}",
    .handler = sr_handle_report_get, .cached = sr_handle_report_get_cached,
    .policy = SR_AUTH_AUTHENTICATED, .query = sr_report_param_names,
    .summary = "one order analytic" },
};

const size_t sr_routes_count = sizeof (sr_routes) / sizeof (sr_routes[0]);

/* end of routes.c */
