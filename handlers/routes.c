/*
 * routes.c -- the route table: every endpoint signalroom serves.
 *
 * openapi/openapi.yaml documents the same list; test_openapi fails when
 * the two disagree.
 */
#include "handlers.h"

#define KiB 1024u

const struct sr_route sr_routes[] = {
  { "GET", "/healthz", sr_handle_healthz_get, SR_AUTH_PUBLIC, NULL, NULL, 0,
    true, "liveness" },
  { "GET", "/readyz", sr_handle_readyz_get, SR_AUTH_PUBLIC, NULL, NULL, 0,
    true, "readiness: database reachable, migrations current" },
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
};

const size_t sr_routes_count = sizeof (sr_routes) / sizeof (sr_routes[0]);

/* end of routes.c */
