/*
 * routes.c -- the route table: every endpoint signalroom serves.
 *
 * openapi/openapi.yaml documents the same list; test_openapi fails when
 * the two disagree.
 */
#include "handlers.h"

#define KiB 1024u

static const char *const sync_list_query[] = { "source", "status", "date",
                                               "limit", "cursor", NULL };
static const char *const page_query[] = { "limit", "cursor", NULL };

const struct sr_route sr_routes[] = {
  { "GET", "/healthz", sr_handle_healthz_get, SR_AUTH_PUBLIC, NULL, NULL, 0,
    true, "liveness" },
  { "GET", "/readyz", sr_handle_readyz_get, SR_AUTH_PUBLIC, NULL, NULL, 0,
    true, "readiness: database reachable, migrations current" },
  { "GET", "/v1/health", sr_handle_health_get, SR_AUTH_SERVICE_ROLE, NULL,
    NULL, 0, false, "readiness with its details: database, schema" },
  { "GET", "/openapi.yaml", sr_handle_openapi_get, SR_AUTH_PUBLIC, NULL,
    NULL, 0, false, "the API contract" },
  { "GET", "/v1/me", sr_handle_me_get, SR_AUTH_AUTHENTICATED, NULL, NULL, 0,
    false, "the caller's verified identity" },
  { "GET", "/v1/config", sr_handle_config_get, SR_AUTH_SERVICE_ROLE, NULL,
    NULL, 0, false, "effective configuration, secrets masked" },
  { "PUT", "/v1/log-level", sr_handle_log_level_put, SR_AUTH_SERVICE_ROLE,
    NULL, "application/json", 1 * KiB, false,
    "change the log level at run time" },
  { "GET", "/v1/mappings/affiliates", sr_handle_mappings_get,
    SR_AUTH_AUTHENTICATED, NULL, NULL, 0, false,
    "the Redtrack-source -> Everflow-affiliate mapping" },
  { "PUT", "/v1/mappings/affiliates", sr_handle_mappings_put,
    SR_AUTH_SERVICE_ROLE, NULL, "text/csv", 1024 * KiB, false,
    "replace the mapping with an uploaded CSV file" },
  { "POST", "/v1/syncs", sr_handle_syncs_post, SR_AUTH_SERVICE_ROLE, NULL,
    "application/json", 4 * KiB, false, "queue a sync run" },
  { "GET", "/v1/syncs", sr_handle_syncs_list, SR_AUTH_SERVICE_ROLE,
    sync_list_query, NULL, 0, false, "sync runs, newest first" },
  { "GET", "/v1/syncs/{id}", sr_handle_sync_get, SR_AUTH_SERVICE_ROLE, NULL,
    NULL, 0, false, "one sync run" },
  { "POST", "/v1/syncs/{id}/cancel", sr_handle_sync_cancel,
    SR_AUTH_SERVICE_ROLE, NULL, NULL, 0, false, "cancel a sync run" },
  { "GET", "/v1/sources", sr_handle_sources_get, SR_AUTH_SERVICE_ROLE, NULL,
    NULL, 0, false, "sources, configuration and freshness" },
  { "GET", "/v1/dead-letters", sr_handle_dead_letters_get,
    SR_AUTH_SERVICE_ROLE, page_query, NULL, 0, false,
    "jobs that failed for good" },
  { "POST", "/v1/dead-letters/{id}/retry", sr_handle_dead_letter_retry,
    SR_AUTH_SERVICE_ROLE, NULL, NULL, 0, false, "queue a dead job again" },
  { "GET", "/v1/schedules", sr_handle_schedules_get, SR_AUTH_SERVICE_ROLE,
    NULL, NULL, 0, false, "schedules, next firing, recent ticks" },
  { "PATCH", "/v1/schedules/{name}", sr_handle_schedule_patch,
    SR_AUTH_SERVICE_ROLE, NULL, "application/json", 4 * KiB, false,
    "pause, resume or edit a schedule" },
};

const size_t sr_routes_count = sizeof (sr_routes) / sizeof (sr_routes[0]);

/* end of routes.c */
