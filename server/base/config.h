/*
 * config.h -- configuration from environment variables.
 *
 * Every variable signalroom reads is one row of the option table in
 * config.c: name, type, default, bounds, whether it is secret, and a one-line
 * description.  sr_config_load() reads and validates all of them once; a
 * bad value stops start-up with one line naming the variable.  After that
 * the struct is read-only and shared by every thread.  The README's
 * configuration table is checked against the option table by a test.
 *
 * Secrets are registered with the logger while loading, so they are masked
 * in every log line from then on.
 */
#ifndef SR_CONFIG_H
#define SR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "log.h"
#include "status.h"

/** Option flags. */
#define SR_CFG_SECRET 0x1u  /* never logged or shown; masked in logs */

enum sr_config_type {
  SR_CFG_STRING,
  SR_CFG_UINT,
  SR_CFG_BOOL
};

/** One row of the option table (exposed for docs and tests). */
struct sr_config_option {
  const char *name;
  enum sr_config_type type;
  const char *default_value;  /* NULL: unset unless given */
  unsigned int flags;
  unsigned long min, max;     /* SR_CFG_UINT bounds */
  size_t offset;              /* of the destination in struct sr_config */
  /* extra validation of the raw string, NULL if none; returns a static
   * explanation on failure */
  const char *(*check) (const char *value);
  const char *description;
};

/** Upper bound of libpq keyword/value pairs we build. */
#define SR_CONFIG_DB_PARAMS 16

struct sr_config {
  /* Database, as NULL-terminated keyword/value arrays for
   * PQconnectdbParams(..., expand_dbname = 1). */
  const char *db_keywords[SR_CONFIG_DB_PARAMS];
  const char *db_values[SR_CONFIG_DB_PARAMS];
  const char *db_source;       /* "DATABASE_URL" or "SUPABASE_DB_*" */

  char *database_url;
  char *supabase_db_host;
  unsigned long supabase_db_port;
  char *supabase_db_name;
  char *supabase_db_user;
  char *supabase_db_password;
  char *supabase_db_sslmode;

  char *listen;                /* host:port as given */
  char *listen_host;           /* parsed */
  unsigned int listen_port;    /* parsed; 0 = pick a free port */
  unsigned long workers;
  unsigned long lease_s;
  unsigned long poll_ms;
  unsigned long retry_base_ms;
  bool listen_notify;
  bool db_prepare;
  bool scheduler;
  unsigned long scheduler_interval_ms;
  unsigned long http_threads;
  unsigned long report_cache_mb;
  char *cors_origins;          /* NULL: CORS off */
  bool metrics;                /* false: nothing counted, no /metrics */
  char *metrics_token;         /* NULL: GET /metrics is public */
  unsigned long metrics_db_interval_s;
  unsigned long max_connections;
  unsigned long http_header_timeout_s;
  unsigned long http_body_timeout_s;
  unsigned long http_keepalive_max;
  unsigned long api_threads;
  unsigned long api_queue;
  unsigned long shutdown_grace_s;
  char *log_level_name;
  enum sr_log_level log_level;
  char *client_id;
  char *timezone;
  bool auto_migrate;

  char *jwt_secret;
  char *jwt_public_key;        /* PEM text, or a path to a PEM file */
  char *jwt_algorithm;
  char *jwt_audience;
  unsigned long jwt_leeway_s;

  /* Upstreams (sources/). */
  char *everflow_api_key;
  char *everflow_base_url;
  unsigned long everflow_timezone_id;
  unsigned long everflow_advertiser_id;   /* 0: every advertiser */
  char *redtrack_api_key;
  char *redtrack_base_url;
  unsigned long redtrack_rpm;
  unsigned long upstream_timeout_s;
  unsigned long upstream_attempts;
  unsigned long upstream_backoff_ms;
  unsigned long resync_days;
  char *internal_affiliates;   /* comma-separated labels */

  /* Notification delivery (sources/slack.c, sources/twilio.c, the
   * outbox in server/jobs/outbox.c). */
  char *slack_bot_token;
  char *slack_api_base_url;
  char *twilio_account_sid;
  char *twilio_auth_token;
  char *twilio_from_number;
  char *twilio_base_url;
  unsigned long outbox_batch;
  unsigned long outbox_lease_s;

  /* S3 (sources/s3_client.c). */
  char *aws_access_key_id;
  char *aws_secret_access_key;
  char *aws_region;
  char *s3_bucket_name;
  char *s3_prefixes;           /* comma-separated */
  char *s3_endpoint_url;       /* NULL: AWS, virtual-hosted style */
  unsigned long s3_list_page_size;
  unsigned long s3_load_concurrency;
  unsigned long s3_rollup_buffer_mb;

  /* Anomaly detection (store_anomalies.h). */
  char *anomaly_mad_threshold;
  unsigned long anomaly_min_change;
  char *anomaly_min_change_share;
  unsigned long anomaly_unmapped_spend;  /* dollars a day */
  char *anomaly_quarantine_rate;

  /* Database time limits (db.c). */
  unsigned long db_statement_timeout_ms;   /* API requests */

  /* Tracing (trace.h), the OpenTelemetry variables. */
  bool otel_disabled;
  char *otel_endpoint;
  char *otel_traces_endpoint;
  char *otel_headers;
  unsigned long otel_timeout_ms;
  char *otel_service_name;
  char *otel_resource_attributes;
  char *otel_sampler;
  char *otel_sampler_arg;
  unsigned long otel_queue_max;
  unsigned long otel_batch_max;
  char *otel_protocol;           /* always "http/json" (checked) */
  char *otel_traces_protocol;
  unsigned long otel_schedule_delay_ms;

  /* Slack slash commands (handlers/slack_commands_post.c). */
  char *slack_signing_secret;  /* NULL: the route answers 503 */
  char *slack_admin_users;     /* comma-separated user ids */
  char *slack_admin_channels;  /* comma-separated channel ids */
  bool slack_intraday_snapshot;
  /* Alerts (sql/migrations/0018_alerts.sql reads them from
   * signalroom.notify_settings, written at start by `serve`). */
  char *slack_channel_id;      /* NULL: no Slack posts */
  char *alert_sms_to;          /* comma-separated E.164 numbers */
  char *report_sms_to;         /* comma-separated E.164 numbers */
  char *alert_remind_hours_text;
  double alert_remind_hours;   /* parsed, > 0 */
  unsigned long alert_sms_after_failures;
  char *alert_sms_quiet_hours; /* "22-7"; NULL: no quiet hours */
  int alert_quiet_from;        /* parsed local hours; -1: none */
  int alert_quiet_to;

  /* Which options came from the environment (index = option row). */
  bool from_env[160];
};

/** Reads one variable; NULL when unset.  @a ctx is passed through. */
typedef const char *(*sr_config_getenv) (void *ctx, const char *name);

/**
 * Read and validate every option.
 *
 * @param getenv_fn  NULL for the process environment
 * @param[out] cfg   filled on success; release with sr_config_clean()
 * @param[out] err   on failure, one line naming the variable
 * @return SR_OK or SR_E_CONFIG
 */
enum sr_status sr_config_load (struct sr_config *cfg,
                               sr_config_getenv getenv_fn, void *ctx,
                               char *err, size_t errlen);

/** Free what sr_config_load() allocated. */
void sr_config_clean (struct sr_config *cfg);

/** @return the option table and its length. */
const struct sr_config_option *sr_config_options (size_t *n);

/**
 * @return a new JSON object describing the effective configuration: each
 *         option's value (secrets as "[set]" or null) and its origin.
 */
json_t *sr_config_to_json (const struct sr_config *cfg);

#endif /* SR_CONFIG_H */
