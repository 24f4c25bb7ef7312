/*
 * handlers.h -- one function per endpoint, one endpoint per file.
 *
 * Each handler reads the request (request.h), does its work through the
 * server's modules, and stages exactly one reply (reply.h).  Auth, query
 * parameters, body size and media type were checked by the HTTP layer
 * from the route table (routes.c) before the handler runs.
 */
#ifndef SR_HANDLERS_H
#define SR_HANDLERS_H

#include "router.h"

enum sr_status sr_handle_healthz_get (struct sr_request *req);
enum sr_status sr_handle_metrics_get (struct sr_request *req);
enum sr_status sr_handle_readyz_get (struct sr_request *req);
enum sr_status sr_handle_health_get (struct sr_request *req);
enum sr_status sr_handle_openapi_get (struct sr_request *req);
enum sr_status sr_handle_me_get (struct sr_request *req);
enum sr_status sr_handle_config_get (struct sr_request *req);
enum sr_status sr_handle_log_level_put (struct sr_request *req);
enum sr_status sr_handle_mappings_get (struct sr_request *req);
enum sr_status sr_handle_mappings_put (struct sr_request *req);
enum sr_status sr_handle_syncs_post (struct sr_request *req);
enum sr_status sr_handle_syncs_get (struct sr_request *req);
enum sr_status sr_handle_sync_get (struct sr_request *req);
enum sr_status sr_handle_sync_cancel_post (struct sr_request *req);
enum sr_status sr_handle_sources_get (struct sr_request *req);
enum sr_status sr_handle_dead_letters_get (struct sr_request *req);
enum sr_status sr_handle_dead_letter_retry_post (struct sr_request *req);
enum sr_status sr_handle_notifications_get (struct sr_request *req);
enum sr_status sr_handle_anomalies_get (struct sr_request *req);
enum sr_status sr_handle_anomaly_ack_post (struct sr_request *req);
enum sr_status sr_handle_schedules_get (struct sr_request *req);
enum sr_status sr_handle_schedule_patch (struct sr_request *req);
enum sr_status sr_handle_reports_get (struct sr_request *req);
enum sr_status sr_handle_report_get (struct sr_request *req);
enum sr_status sr_handle_snapshots_get (struct sr_request *req);
enum sr_status sr_handle_report_get_cached (struct sr_request *req);
enum sr_status sr_handle_slack_commands_post (struct sr_request *req);
enum sr_status sr_handle_slack_commands_post_check (struct sr_request *req);
enum sr_status sr_handle_slack_interactions_post (struct sr_request *req);
enum sr_status sr_handle_slack_interactions_post_check (
  struct sr_request *req);

/** Add "next_at" (null when paused or never) to a schedule object. */
void sr_schedule_add_next (json_t *schedule);

#endif /* SR_HANDLERS_H */
