/*
 * config.c -- the option table and its loader.
 *
 * Adding a variable: add a field to struct sr_config, a row below, and a
 * row to the README table (test_config fails until both agree).
 */
#include "config.h"
#include "mem.h"
#include "utf8.h"

#include <ctype.h>
#include <errno.h>
#include <libpq-fe.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>
#include <sys/stat.h>

#define OFF(field) offsetof (struct sr_config, field)

static const char *check_client_id (const char *v);
static const char *check_timezone (const char *v);
static const char *check_log_level (const char *v);
static const char *check_listen (const char *v);
static const char *check_sslmode (const char *v);
static const char *check_base_url (const char *v);
static const char *check_affiliate_list (const char *v);
static const char *check_region (const char *v);
static const char *check_bucket (const char *v);
static const char *check_prefix_list (const char *v);
static const char *check_sampler (const char *v);
static const char *check_otlp_protocol (const char *v);
static const char *check_ratio (const char *v);
static const char *check_origin_list (const char *v);
static const char *check_phone_list (const char *v);
static const char *check_remind_hours (const char *v);
static const char *check_quiet_hours (const char *v);
static const char *check_slack_channel (const char *v);
static const char *check_twilio_sid (const char *v);
static const char *check_positive (const char *v);

static const struct sr_config_option options[] = {
  { "DATABASE_URL", SR_CFG_STRING, NULL, SR_CFG_SECRET, 0, 0,
    OFF (database_url), NULL,
    "PostgreSQL connection URI or key=value string. Takes precedence over "
    "the SUPABASE_DB_* variables." },
  { "SUPABASE_DB_HOST", SR_CFG_STRING, NULL, 0, 0, 0,
    OFF (supabase_db_host), NULL,
    "Database host, used when DATABASE_URL is unset (the old system's "
    "variables)." },
  { "SUPABASE_DB_PORT", SR_CFG_UINT, "5432", 0, 1, 65535,
    OFF (supabase_db_port), NULL,
    "Database port (6543 is Supabase's transaction pooler)." },
  { "SUPABASE_DB_NAME", SR_CFG_STRING, "postgres", 0, 0, 0,
    OFF (supabase_db_name), NULL, "Database name." },
  { "SUPABASE_DB_USER", SR_CFG_STRING, "postgres", 0, 0, 0,
    OFF (supabase_db_user), NULL,
    "Database user (`postgres.<project-ref>` on Supabase's pooler)." },
  { "SUPABASE_DB_PASSWORD", SR_CFG_STRING, NULL, SR_CFG_SECRET, 0, 0,
    OFF (supabase_db_password), NULL, "Database password." },
  { "SUPABASE_DB_SSLMODE", SR_CFG_STRING, "require", 0, 0, 0,
    OFF (supabase_db_sslmode), check_sslmode,
    "libpq sslmode for the SUPABASE_DB_* connection." },
  { "SIGNALROOM_LISTEN", SR_CFG_STRING, "127.0.0.1:8080", 0, 0, 0,
    OFF (listen), check_listen,
    "HTTP listen address, `host:port` or `[v6]:port`; port 0 picks a free "
    "port (logged)." },
  { "SIGNALROOM_WORKERS", SR_CFG_UINT, "2", 0, 0, 64, OFF (workers), NULL,
    "Ingestion worker threads." },
  { "SIGNALROOM_LEASE_SECONDS", SR_CFG_UINT, "60", 0, 3, 3600, OFF (lease_s),
    NULL,
    "Seconds a claimed job stays leased without a heartbeat; after that any "
    "instance may take it over." },
  { "SIGNALROOM_POLL_MS", SR_CFG_UINT, "1000", 0, 10, 60000, OFF (poll_ms),
    NULL,
    "How often idle workers look for due jobs when no notification came "
    "(LISTEN/NOTIFY wakes them at once where available)." },
  { "SIGNALROOM_LISTEN_NOTIFY", SR_CFG_BOOL, "true", 0, 0, 0,
    OFF (listen_notify), NULL,
    "Wake idle workers with LISTEN/NOTIFY; false: polling only (set it "
    "behind a transaction pooler, which cannot hold a LISTEN)." },
  { "SIGNALROOM_DB_PREPARE", SR_CFG_BOOL, "true", 0, 0, 0, OFF (db_prepare),
    NULL,
    "Prepare the hot reads (reports) once per database connection; false: "
    "every statement unnamed (set it behind a transaction pooler; the "
    "first sign of one also turns preparing off, with a warning)." },
  { "SIGNALROOM_RETRY_BASE_MS", SR_CFG_UINT, "1000", 0, 1, 60000,
    OFF (retry_base_ms), NULL,
    "First delay before a failed job is tried again; it doubles per "
    "attempt up to 5 minutes, plus jitter.  Retry-After wins." },
  { "SIGNALROOM_SCHEDULER", SR_CFG_BOOL, "true", 0, 0, 0, OFF (scheduler),
    NULL,
    "`serve` fires the stored schedules (every instance may; each tick fires "
    "once)." },
  { "SIGNALROOM_SCHEDULER_INTERVAL_MS", SR_CFG_UINT, "10000", 0, 100, 600000,
    OFF (scheduler_interval_ms), NULL,
    "How often the scheduler looks for due ticks." },
  { "SIGNALROOM_HTTP_THREADS", SR_CFG_UINT, "0", 0, 0, 64,
    OFF (http_threads), NULL,
    "HTTP server threads; 0: one per CPU (more only add switching: they "
    "never wait, the API threads do)." },
  { "SIGNALROOM_MAX_CONNECTIONS", SR_CFG_UINT, "2048", 0, 1, 100000,
    OFF (max_connections), NULL,
    "Concurrent HTTP connections accepted (the open-file limit is raised "
    "to fit at start)." },
  { "SIGNALROOM_HTTP_HEADER_TIMEOUT", SR_CFG_UINT, "10", 0, 1, 600,
    OFF (http_header_timeout_s), NULL,
    "Seconds a client has to send a whole request head, counted from its "
    "connection or its previous response; slower (or silent) connections "
    "are closed.  Also the idle limit while a body or response is in "
    "transfer." },
  { "SIGNALROOM_HTTP_BODY_TIMEOUT", SR_CFG_UINT, "60", 0, 1, 3600,
    OFF (http_body_timeout_s), NULL,
    "Seconds a request body may take to arrive once its head is in." },
  { "SIGNALROOM_HTTP_KEEPALIVE_MAX", SR_CFG_UINT, "128", 0, 0, 100000,
    OFF (http_keepalive_max), NULL,
    "Responses keep the connection open only while at most this many "
    "connections are open (a reused connection holds 64 KiB)." },
  { "SIGNALROOM_REPORT_CACHE_MB", SR_CFG_UINT, "64", 0, 0, 65536,
    OFF (report_cache_mb), NULL,
    "Memory for rendered reports kept between loads (0: no cache); a "
    "load's commit makes every instance drop what it changed." },
  { "SIGNALROOM_METRICS", SR_CFG_BOOL, "true", 0, 0, 0, OFF (metrics),
    NULL, "false: nothing is counted and `GET /metrics` answers 404 (to "
    "measure what counting costs)." },
  { "SIGNALROOM_METRICS_TOKEN", SR_CFG_STRING, NULL, SR_CFG_SECRET, 0, 0,
    OFF (metrics_token), NULL,
    "Bearer token `GET /metrics` requires (`Authorization: Bearer ...`); "
    "unset: the metrics are public." },
  { "SIGNALROOM_METRICS_DB_INTERVAL", SR_CFG_UINT, "15", 0, 1, 3600,
    OFF (metrics_db_interval_s), NULL,
    "Seconds between reads of the metrics the database holds (queue, "
    "freshness, runs): one read per instance per interval, however many "
    "scrapers ask." },
  { "SIGNALROOM_API_THREADS", SR_CFG_UINT, "0", 0, 0, 64,
    OFF (api_threads), NULL,
    "Threads that run requests needing the database, each with its own "
    "connection; HTTP threads never wait on the database.  0: one per CPU "
    "when the database is on this machine (a socket or loopback address: "
    "it needs the same cores), else 4." },
  { "SIGNALROOM_API_QUEUE", SR_CFG_UINT, "64", 0, 1, 10000,
    OFF (api_queue), NULL,
    "Database requests that may wait for an API thread; beyond that 503 "
    "`server_busy` with `Retry-After`." },
  { "SIGNALROOM_SHUTDOWN_GRACE", SR_CFG_UINT, "10", 0, 0, 3600,
    OFF (shutdown_grace_s), NULL,
    "Seconds in-flight work may take to finish after SIGTERM." },
  { "LOG_LEVEL", SR_CFG_STRING, "info", 0, 0, 0, OFF (log_level_name),
    check_log_level, "`debug`, `info`, `warn` or `error`." },
  { "SIGNALROOM_CLIENT_ID", SR_CFG_STRING, "713", 0, 0, 0, OFF (client_id),
    check_client_id, "Client id stamped on every row (`_client_id`)." },
  { "SIGNALROOM_TIMEZONE", SR_CFG_STRING, "America/New_York", 0, 0, 0,
    OFF (timezone), check_timezone,
    "Reporting and scheduling time zone (IANA name)." },
  { "SIGNALROOM_AUTO_MIGRATE", SR_CFG_BOOL, "true", 0, 0, 0,
    OFF (auto_migrate), NULL,
    "`serve` applies pending migrations at start (retrying until the "
    "database is reachable)." },
  { "SIGNALROOM_JWT_SECRET", SR_CFG_STRING, NULL, SR_CFG_SECRET, 0, 0,
    OFF (jwt_secret), NULL,
    "HS256 secret (a Supabase project's JWT secret, at least 32 bytes)." },
  { "SIGNALROOM_JWT_PUBLIC_KEY", SR_CFG_STRING, NULL, 0, 0, 0,
    OFF (jwt_public_key), NULL,
    "PEM public key (the text, or a path to a file) for RS256/ES256 tokens."
  },
  { "SIGNALROOM_JWT_ALGORITHM", SR_CFG_STRING, NULL, 0, 0, 0,
    OFF (jwt_algorithm), NULL,
    "Pinned JWT algorithm; derived from the key when unset." },
  { "SIGNALROOM_JWT_AUDIENCE", SR_CFG_STRING, "authenticated", 0, 0, 0,
    OFF (jwt_audience), NULL, "Required `aud` claim." },
  { "SIGNALROOM_CORS_ORIGINS", SR_CFG_STRING, NULL, 0, 0, 0,
    OFF (cors_origins), check_origin_list,
    "Browser origins allowed to call the API directly "
    "(`https://app.example.com,https://x.retool.com`, or `*`); unset: no "
    "CORS headers.  Preflights are answered without a token." },
  { "SIGNALROOM_JWT_LEEWAY", SR_CFG_UINT, "30", 0, 0, 600,
    OFF (jwt_leeway_s), NULL, "Seconds of clock skew allowed on exp/nbf." },
  { "EVERFLOW_API_KEY", SR_CFG_STRING, NULL, SR_CFG_SECRET, 0, 0,
    OFF (everflow_api_key), NULL,
    "Everflow network API key (sent as `X-Eflow-API-Key`)." },
  { "EVERFLOW_BASE_URL", SR_CFG_STRING, "https://api.eflow.team", 0, 0, 0,
    OFF (everflow_base_url), check_base_url, "Everflow API base URL." },
  { "EVERFLOW_TIMEZONE_ID", SR_CFG_UINT, "80", 0, 1, 1000,
    OFF (everflow_timezone_id), NULL,
    "Everflow's id of the reporting time zone (80 = America/New_York, "
    "67 = UTC); must name the same zone as SIGNALROOM_TIMEZONE." },
  { "EVERFLOW_ADVERTISER_ID", SR_CFG_UINT, "0", 0, 0, 2147483647,
    OFF (everflow_advertiser_id), NULL,
    "Sync only this Everflow advertiser (its rows alone are replaced); 0 "
    "syncs every advertiser." },
  { "REDTRACK_API_KEY", SR_CFG_STRING, NULL, SR_CFG_SECRET, 0, 0,
    OFF (redtrack_api_key), NULL,
    "Redtrack API key (sent as the `api_key` query parameter; redacted "
    "from logs)." },
  { "REDTRACK_BASE_URL", SR_CFG_STRING, "https://api.redtrack.io", 0, 0, 0,
    OFF (redtrack_base_url), check_base_url, "Redtrack API base URL." },
  { "REDTRACK_REQUESTS_PER_MINUTE", SR_CFG_UINT, "20", 0, 1, 6000,
    OFF (redtrack_rpm), NULL,
    "Pace of Redtrack requests (its documented limit is 20 per minute)." },
  { "SIGNALROOM_UPSTREAM_TIMEOUT", SR_CFG_UINT, "60", 0, 1, 600,
    OFF (upstream_timeout_s), NULL,
    "Seconds one upstream HTTP request may take." },
  { "SIGNALROOM_UPSTREAM_ATTEMPTS", SR_CFG_UINT, "4", 0, 1, 10,
    OFF (upstream_attempts), NULL,
    "Tries per upstream request on 429, 5xx, timeouts and network errors "
    "(backoff 1 s doubling, `Retry-After` honoured)." },
  { "SIGNALROOM_UPSTREAM_BACKOFF_MS", SR_CFG_UINT, "1000", 0, 1, 60000,
    OFF (upstream_backoff_ms), NULL,
    "First retry delay in milliseconds; it doubles per attempt (max 60 s), "
    "plus up to 25% jitter." },
  { "SIGNALROOM_RESYNC_DAYS", SR_CFG_UINT, "3", 0, 1, 90,
    OFF (resync_days), NULL,
    "Days a default (scheduled) Everflow/Redtrack sync re-pulls: today and "
    "the days before it, in the reporting time zone." },
  { "SIGNALROOM_INTERNAL_AFFILIATES", SR_CFG_STRING,
    "G2 - Meta,G2 - Google,SB - Meta,SB - Google", 0, 0, 0,
    OFF (internal_affiliates), check_affiliate_list,
    "Comma-separated Everflow affiliate labels whose cost is Redtrack spend "
    "(compared after trimming spaces)." },
  { "SLACK_BOT_TOKEN", SR_CFG_STRING, NULL, SR_CFG_SECRET, 0, 0,
    OFF (slack_bot_token), NULL,
    "Slack bot token (`xoxb-...`) the outbox posts with (`chat.postMessage`"
    ", `conversations.history`); unset: Slack messages wait in the outbox." },
  { "SLACK_API_BASE_URL", SR_CFG_STRING, "https://slack.com/api", 0, 0, 0,
    OFF (slack_api_base_url), check_base_url, "Slack Web API base URL." },
  { "TWILIO_ACCOUNT_SID", SR_CFG_STRING, NULL, 0, 0, 0,
    OFF (twilio_account_sid), check_twilio_sid,
    "Twilio account SID (`AC...`); with the token and the sender, SMS are "
    "sent; unset: texts wait in the outbox." },
  { "TWILIO_AUTH_TOKEN", SR_CFG_STRING, NULL, SR_CFG_SECRET, 0, 0,
    OFF (twilio_auth_token), NULL, "Twilio auth token (basic auth)." },
  { "TWILIO_FROM_NUMBER", SR_CFG_STRING, NULL, 0, 0, 0,
    OFF (twilio_from_number), NULL,
    "The sending number (E.164, e.g. `+15550100`)." },
  { "TWILIO_BASE_URL", SR_CFG_STRING, "https://api.twilio.com", 0, 0, 0,
    OFF (twilio_base_url), check_base_url, "Twilio API base URL." },
  { "SIGNALROOM_OUTBOX_BATCH", SR_CFG_UINT, "20", 0, 1, 500,
    OFF (outbox_batch), NULL,
    "Notifications one instance claims at a time." },
  { "SIGNALROOM_OUTBOX_LEASE", SR_CFG_UINT, "120", 0, 5, 3600,
    OFF (outbox_lease_s), NULL,
    "Seconds a claimed notification stays this instance's before another "
    "may take it (and first asks the upstream whether it arrived); never "
    "less than SIGNALROOM_UPSTREAM_TIMEOUT + 5." },
  { "AWS_ACCESS_KEY_ID", SR_CFG_STRING, NULL, SR_CFG_SECRET, 0, 0,
    OFF (aws_access_key_id), NULL,
    "AWS access key id for S3 (requests are signed with SigV4)." },
  { "AWS_SECRET_ACCESS_KEY", SR_CFG_STRING, NULL, SR_CFG_SECRET, 0, 0,
    OFF (aws_secret_access_key), NULL, "AWS secret access key for S3." },
  { "AWS_REGION", SR_CFG_STRING, "us-east-1", 0, 0, 0, OFF (aws_region),
    check_region,
    "Region of the S3 bucket: signed into every request, and part of the "
    "AWS endpoint's host name." },
  { "S3_BUCKET_NAME", SR_CFG_STRING, NULL, 0, 0, 0, OFF (s3_bucket_name),
    check_bucket, "S3 bucket holding the order exports." },
  { "S3_PREFIXES", SR_CFG_STRING, NULL, 0, 0, 0, OFF (s3_prefixes),
    check_prefix_list,
    "Comma-separated key prefixes to load (trimmed, empty ones dropped), "
    "e.g. `orders-create,orders-update,prospects-create`." },
  { "S3_ENDPOINT_URL", SR_CFG_STRING, NULL, 0, 0, 0, OFF (s3_endpoint_url),
    check_base_url,
    "S3-compatible endpoint, addressed path-style "
    "(`http://host:port/BUCKET/KEY`); unset: AWS, virtual-hosted style "
    "(`https://BUCKET.s3.REGION.amazonaws.com/KEY`)." },
  { "S3_LIST_PAGE_SIZE", SR_CFG_UINT, "1000", 0, 1, 1000,
    OFF (s3_list_page_size), NULL,
    "Keys per ListObjectsV2 page (S3's maximum, 1000, is the default)." },
  { "S3_LOAD_CONCURRENCY", SR_CFG_UINT, "2", 0, 1, 16,
    OFF (s3_load_concurrency), NULL,
    "Objects loaded at once, each on its own database connection (one "
    "PostgreSQL backend forms one COPY's rows)." },
  { "S3_ROLLUP_BUFFER_MB", SR_CFG_UINT, "32", 0, 0, 1024,
    OFF (s3_rollup_buffer_mb), NULL,
    "Memory one object's load may use to count its orders for the reports "
    "while it streams (about 120 bytes an order). A larger object is "
    "counted by the database instead: the same figures, more slowly. 0 "
    "always leaves it to the database." },
  { "OTEL_SDK_DISABLED", SR_CFG_BOOL, "false", 0, 0, 0, OFF (otel_disabled),
    NULL, "true: no tracing at all, whatever else is set." },
  { "OTEL_EXPORTER_OTLP_ENDPOINT", SR_CFG_STRING, NULL, 0, 0, 0,
    OFF (otel_endpoint), check_base_url,
    "OTLP/HTTP collector base URL; spans go to `<it>/v1/traces`.  Unset "
    "(and no traces endpoint): tracing off." },
  { "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", SR_CFG_STRING, NULL, 0, 0, 0,
    OFF (otel_traces_endpoint), check_base_url,
    "Full URL spans are posted to (wins over the base endpoint)." },
  { "OTEL_EXPORTER_OTLP_PROTOCOL", SR_CFG_STRING, "http/json", 0, 0, 0,
    OFF (otel_protocol), check_otlp_protocol,
    "Only `http/json` (OTLP/HTTP with JSON bodies); `grpc` and "
    "`http/protobuf` are refused at start rather than sent to a collector "
    "that cannot read them." },
  { "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", SR_CFG_STRING, NULL, 0, 0, 0,
    OFF (otel_traces_protocol), check_otlp_protocol,
    "Like `OTEL_EXPORTER_OTLP_PROTOCOL`, for traces." },
  { "OTEL_EXPORTER_OTLP_HEADERS", SR_CFG_STRING, NULL, SR_CFG_SECRET, 0, 0,
    OFF (otel_headers), NULL,
    "Headers sent with every export, `name=value,name2=value2` (e.g. an "
    "API key); never logged." },
  { "OTEL_EXPORTER_OTLP_TIMEOUT", SR_CFG_UINT, "10000", 0, 100, 600000,
    OFF (otel_timeout_ms), NULL,
    "Milliseconds one export may take; a slower collector loses that "
    "batch (counted), never a request's time." },
  { "OTEL_SERVICE_NAME", SR_CFG_STRING, NULL, 0, 0, 0,
    OFF (otel_service_name), NULL,
    "`service.name` of the spans (wins over OTEL_RESOURCE_ATTRIBUTES; "
    "default `signalroom`)." },
  { "OTEL_RESOURCE_ATTRIBUTES", SR_CFG_STRING, NULL, 0, 0, 0,
    OFF (otel_resource_attributes), NULL,
    "More resource attributes, `key=value,key2=value2` (e.g. "
    "`deployment.environment=prod`)." },
  { "OTEL_TRACES_SAMPLER", SR_CFG_STRING, "parentbased_always_on", 0, 0, 0,
    OFF (otel_sampler), check_sampler,
    "`always_on`, `always_off`, `traceidratio`, `parentbased_always_on`, "
    "`parentbased_always_off` or `parentbased_traceidratio`." },
  { "OTEL_TRACES_SAMPLER_ARG", SR_CFG_STRING, "1.0", 0, 0, 0,
    OFF (otel_sampler_arg), check_ratio,
    "The ratio of the `traceidratio` samplers, 0 to 1." },
  { "OTEL_BSP_MAX_QUEUE_SIZE", SR_CFG_UINT, "2048", 0, 16, 65536,
    OFF (otel_queue_max), NULL,
    "Finished spans waiting for export; beyond that new spans are dropped "
    "and counted (`signalroom_otel_spans_dropped_total`)." },
  { "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", SR_CFG_UINT, "512", 0, 1, 2048,
    OFF (otel_batch_max), NULL,
    "Spans per export request; a full batch is sent at once (at most the "
    "queue size)." },
  { "OTEL_BSP_SCHEDULE_DELAY", SR_CFG_UINT, "5000", 0, 1, 600000,
    OFF (otel_schedule_delay_ms), NULL,
    "Milliseconds the exporter waits for a batch to fill before it sends "
    "what it has." },
  { "ANOMALY_MAD_THRESHOLD", SR_CFG_STRING, "3.5", 0, 0, 0,
    OFF (anomaly_mad_threshold), check_positive,
    "A day's conversions, cost, revenue or orders alert when they are "
    "further from the median of the four previous same weekdays than this "
    "many robust standard deviations (1.4826 x the median absolute "
    "deviation)." },
  { "ANOMALY_MIN_CHANGE", SR_CFG_UINT, "10", 0, 0, 1000000000,
    OFF (anomaly_min_change), NULL,
    "Smallest distance from that median that alerts, in the metric's unit "
    "(conversions, dollars, orders), so small numbers do not." },
  { "ANOMALY_MIN_CHANGE_SHARE", SR_CFG_STRING, "0.2", 0, 0, 0,
    OFF (anomaly_min_change_share), check_ratio,
    "Smallest distance from that median that alerts, as a share of the "
    "median (0 to 1): four points often have a median absolute deviation "
    "near 0, and ordinary movement must not alert then." },
  { "ANOMALY_UNMAPPED_SPEND", SR_CFG_UINT, "100", 0, 0, 1000000000,
    OFF (anomaly_unmapped_spend), NULL,
    "Redtrack spend a day may leave unmapped (dollars) before it alerts." },
  { "ANOMALY_QUARANTINE_RATE", SR_CFG_STRING, "0.05", 0, 0, 0,
    OFF (anomaly_quarantine_rate), check_ratio,
    "Share of an order export's rows that may be quarantined before it "
    "alerts (0 to 1)." },
  { "SIGNALROOM_DB_STATEMENT_TIMEOUT_MS", SR_CFG_UINT, "5000", 0, 100,
    600000, OFF (db_statement_timeout_ms), NULL,
    "Longest an API request's SQL statement, or its wait for a lock, may "
    "take; then it answers 503 `database_timeout`. Jobs, loads and "
    "migrations have their own limits (see Runs, jobs and schedules)." },
  { "SLACK_SIGNING_SECRET", SR_CFG_STRING, NULL, SR_CFG_SECRET, 0, 0,
    OFF (slack_signing_secret), NULL,
    "Slack app's signing secret: `POST /v1/slack/commands` verifies every "
    "request with it; unset: that route answers 503." },
  { "SLACK_ADMIN_USERS", SR_CFG_STRING, NULL, 0, 0, 0,
    OFF (slack_admin_users), NULL,
    "Comma-separated Slack user ids (`U0123ABC`) allowed to run "
    "`/signalroom sync`." },
  { "SLACK_ADMIN_CHANNELS", SR_CFG_STRING, NULL, 0, 0, 0,
    OFF (slack_admin_channels), NULL,
    "Comma-separated Slack channel ids where anyone may run "
    "`/signalroom sync`." },
  { "SLACK_INTRADAY_SNAPSHOT", SR_CFG_BOOL, "false", 0, 0, 0,
    OFF (slack_intraday_snapshot), NULL,
    "Post each brand's daily summary of today so far to the Slack channel "
    "once an hour, 7:00 to 23:59 in SIGNALROOM_TIMEZONE (replaces the "
    "legacy hourly report)." },
  { "SLACK_CHANNEL_ID", SR_CFG_STRING, NULL, 0, 0, 0,
    OFF (slack_channel_id), check_slack_channel,
    "Slack channel id (`C...`) alerts and reports are posted to; unset: "
    "nothing is posted to Slack." },
  { "ALERT_SMS_TO", SR_CFG_STRING, NULL, 0, 0, 0, OFF (alert_sms_to),
    check_phone_list,
    "Comma-separated E.164 numbers (`+15551230000`) that get the critical "
    "alert texts; unset: no alert SMS." },
  { "REPORT_SMS_TO", SR_CFG_STRING, NULL, 0, 0, 0, OFF (report_sms_to),
    check_phone_list,
    "Comma-separated E.164 numbers that get the one-line daily summary "
    "text; unset: none." },
  { "ALERT_REMIND_HOURS", SR_CFG_STRING, "4", 0, 0, 0,
    OFF (alert_remind_hours_text), check_remind_hours,
    "While a source keeps failing, at most one reminder every this many "
    "hours (fractions allowed, e.g. `0.5`)." },
  { "ALERT_SMS_AFTER_FAILURES", SR_CFG_UINT, "3", 0, 0, 1000,
    OFF (alert_sms_after_failures), NULL,
    "A source failing more than this many consecutive runs texts "
    "ALERT_SMS_TO once per failure episode." },
  { "ALERT_SMS_QUIET_HOURS", SR_CFG_STRING, NULL, 0, 0, 0,
    OFF (alert_sms_quiet_hours), check_quiet_hours,
    "`from-to` local hours (0-23, in SIGNALROOM_TIMEZONE), e.g. `22-7`: "
    "texts that are not critical wait until `to`; unset: no quiet hours." },
};

#define N_OPTIONS (sizeof (options) / sizeof (options[0]))

_Static_assert (N_OPTIONS <= 160, "grow sr_config.from_env");

const struct sr_config_option *
sr_config_options (size_t *n)
{
  *n = N_OPTIONS;
  return options;
}

static const char *
check_client_id (const char *v)
{
  size_t len = strlen (v);

  if (0 == len || len > 64)
    return "must be 1 to 64 characters";
  for (size_t i = 0; i < len; i++)
    if (!isalnum ((unsigned char) v[i]) && '_' != v[i] && '-' != v[i])
      return "may hold only letters, digits, '_' and '-'";
  return NULL;
}

static const char *
check_timezone (const char *v)
{
  const char *dir = getenv ("TZDIR");
  char path[512];
  struct stat st;

  if (0 == strlen (v) || strlen (v) > 64)
    return "must be an IANA time zone name such as America/New_York";
  for (const char *p = v; *p; p++)
    if (!isalnum ((unsigned char) *p) && NULL == strchr ("_/+-", *p))
      return "must be an IANA time zone name such as America/New_York";
  if ('/' == v[0] || NULL != strstr (v, ".."))
    return "must be an IANA time zone name such as America/New_York";
  if (NULL == dir || '\0' == dir[0])
    dir = "/usr/share/zoneinfo";
  if ((size_t) snprintf (path, sizeof (path), "%s/%s", dir, v)
      >= sizeof (path))
    return "is too long";
  if (0 != stat (path, &st) || !S_ISREG (st.st_mode))
    return "is not a time zone known to this system's tz database";
  {
    /* Other files live in the zoneinfo directory (leapseconds, tzdata.zi):
     * a zone is a compiled TZif file. */
    FILE *f = fopen (path, "rb");
    char magic[4] = { 0 };
    bool tzif = NULL != f && 4 == fread (magic, 1, 4, f)
                && 0 == memcmp (magic, "TZif", 4);

    if (NULL != f)
      fclose (f);
    if (!tzif)
      return "is not a time zone known to this system's tz database";
  }
  return NULL;
}

static const char *
check_log_level (const char *v)
{
  enum sr_log_level lvl;

  return sr_log_level_parse (v, &lvl) ? NULL
         : "must be debug, info, warn or error";
}

static const char *
check_sslmode (const char *v)
{
  static const char *const modes[] = { "disable", "allow", "prefer",
                                       "require", "verify-ca",
                                       "verify-full" };

  for (size_t i = 0; i < sizeof (modes) / sizeof (modes[0]); i++)
    if (0 == strcmp (v, modes[i]))
      return NULL;
  return "must be a libpq sslmode (disable, prefer, require, verify-ca, "
         "verify-full)";
}

static const char *
check_base_url (const char *v)
{
  if (0 != strncmp (v, "https://", 8) && 0 != strncmp (v, "http://", 7))
    return "must start with https:// (or http:// for a local simulator)";
  if (strlen (v) > 512 || NULL != strpbrk (v, " ?#\"'<>"))
    return "must be a plain base URL without query or spaces";
  return NULL;
}

/* The SID becomes a path segment of every Twilio URL: letters and
 * digits only, so it cannot add a segment or a query. */
static const char *
check_twilio_sid (const char *v)
{
  size_t n = strlen (v);

  if (n < 2 || n > 64 || strspn (v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijkl"
                                    "mnopqrstuvwxyz0123456789") != n)
    return "must be 2-64 letters and digits (e.g. AC0123...)";
  return NULL;
}

static const char *
check_sampler (const char *v)
{
  static const char *const known[] = {
    "always_on", "always_off", "traceidratio", "parentbased_always_on",
    "parentbased_always_off", "parentbased_traceidratio"
  };

  for (size_t i = 0; i < sizeof (known) / sizeof (known[0]); i++)
    if (0 == strcmp (v, known[i]))
      return NULL;
  return "must be always_on, always_off, traceidratio, "
         "parentbased_always_on, parentbased_always_off or "
         "parentbased_traceidratio";
}

/* Debian has no protobuf or gRPC C library we would want in the request
 * path, so spans go as OTLP/HTTP JSON only; a collector told to expect
 * anything else would drop every export, so that is a start-up error. */
static const char *
check_otlp_protocol (const char *v)
{
  if (0 == strcmp (v, "http/json"))
    return NULL;
  return "must be http/json (signalroom exports OTLP/HTTP JSON; grpc and "
         "http/protobuf are not supported)";
}

static const char *
check_ratio (const char *v)
{
  char *end = NULL;
  double r = strtod (v, &end);

  if (end == v || '\0' != *end || !(r >= 0 && r <= 1))
    return "must be a number from 0 to 1";
  return NULL;
}

/* A number above 0 (a threshold bound into SQL as text). */
static const char *
check_positive (const char *v)
{
  char *end = NULL;
  double r = strtod (v, &end);

  if (end == v || '\0' != *end || !(r > 0 && r <= 1000))
    return "must be a number above 0 (at most 1000)";
  return NULL;
}

static const char *
check_affiliate_list (const char *v)
{
  bool any = false;

  for (const char *p = v; *p;) {
    size_t n = strcspn (p, ",");
    size_t a = 0;

    while (a < n && isspace ((unsigned char) p[a]))
      a++;
    if (a == n)
      return "has an empty label (labels are comma-separated)";
    if (n > 200)
      return "has a label over 200 characters";
    any = true;
    p += n;
    if (',' == *p)
      p++;
  }
  return any ? NULL : "must name at least one label";
}

/* "*" or a comma-separated list of scheme://host[:port] (no path). */
static const char *
check_origin_list (const char *v)
{
  if (0 == strcmp (v, "*"))
    return NULL;
  for (const char *p = v; *p;) {
    size_t n = strcspn (p, ",");
    const char *host;

    if (0 == strncmp (p, "https://", 8))
      host = p + 8;
    else if (0 == strncmp (p, "http://", 7))
      host = p + 7;
    else
      return "must list origins like https://app.example.com (or be *)";
    if (host >= p + n || n > 253 || NULL != memchr (host, '/', (size_t) (p + n - host))
        || NULL != memchr (p, ' ', n))
      return "has an origin with a path, a space or no host";
    p += n;
    if (',' == *p)
      p++;
  }
  return NULL;
}

static const char *
check_region (const char *v)
{
  size_t len = strlen (v);

  /* It becomes part of a host name and of the signing scope. */
  if (0 == len || len > 32)
    return "must be an AWS region name such as us-east-1";
  for (size_t i = 0; i < len; i++)
    if (!islower ((unsigned char) v[i]) && !isdigit ((unsigned char) v[i])
        && '-' != v[i])
      return "must be an AWS region name such as us-east-1";
  return NULL;
}

static const char *
check_bucket (const char *v)
{
  size_t len = strlen (v);

  /* Today's rules are 3-63 of [a-z0-9.-]; older us-east-1 buckets may
   * also have capitals and '_' (up to 255).  Never '/', '?' or '%'. */
  if (len < 3 || len > 255)
    return "must be an S3 bucket name (3 to 255 characters)";
  for (size_t i = 0; i < len; i++)
    if (!isalnum ((unsigned char) v[i]) && NULL == strchr (".-_", v[i]))
      return "may hold only letters, digits, '.', '-' and '_'";
  return NULL;
}

static const char *
check_prefix_list (const char *v)
{
  bool any = false;

  for (const char *p = v; *p;) {
    size_t n = strcspn (p, ",");
    size_t a = 0;

    while (a < n && isspace ((unsigned char) p[a]))
      a++;
    if (a < n)
      any = true;
    if (n > 1024)
      return "has a prefix over 1024 bytes (S3's key limit)";
    for (size_t i = 0; i < n; i++)
      if ((unsigned char) p[i] < 0x20 || 0x7f == p[i])
        return "has a control character";
    p += n;
    if (',' == *p)
      p++;
  }
  return any ? NULL : "must name at least one prefix";
}

/* Slack ids are short upper-case words (C0AAAA111); anything else is a
 * typo that would only show as channel_not_found at the first alert. */
static const char *
check_slack_channel (const char *v)
{
  size_t len = strlen (v);

  if (len < 2 || len > 32)
    return "must be a Slack channel id such as C0AAAA111";
  for (size_t i = 0; i < len; i++)
    if (!isupper ((unsigned char) v[i]) && !isdigit ((unsigned char) v[i]))
      return "must be a Slack channel id such as C0AAAA111";
  return NULL;
}

/* E.164: '+', then 8 to 15 digits, the first not 0.  The explanation
 * names the bad number (one buffer per thread: the loader's). */
static const char *
check_phone_list (const char *v)
{
  static _Thread_local char why[96];

  for (const char *p = v;;) {
    size_t n = strcspn (p, ",");
    size_t a = 0, b = n;
    size_t digits;
    bool ok;

    while (a < b && isspace ((unsigned char) p[a]))
      a++;
    while (b > a && isspace ((unsigned char) p[b - 1]))
      b--;
    digits = b - a > 0 ? b - a - 1 : 0;
    ok = b > a && '+' == p[a] && digits >= 8 && digits <= 15
         && '0' != p[a + 1];
    for (size_t i = a + 1; ok && i < b; i++)
      ok = isdigit ((unsigned char) p[i]);
    if (!ok) {
      if (b == a)
        return "has an empty number (numbers are comma-separated)";
      snprintf (why, sizeof (why), "has \"%.*s\", not an E.164 number "
                "(+ and 8 to 15 digits)", (int) (b - a > 20 ? 20 : b - a),
                p + a);
      return why;
    }
    p += n;
    if ('\0' == *p)
      return NULL;
    p++;
  }
}

/* Hours, fractions allowed: digits with at most one '.', > 0, at most a
 * month (strtod alone would also take "inf", "nan" and hex). */
static const char *
check_remind_hours (const char *v)
{
  double h;
  size_t dots = 0;

  for (const char *p = v; *p; p++) {
    if ('.' == *p)
      dots++;
    else if (!isdigit ((unsigned char) *p))
      return "must be a number of hours greater than 0, e.g. 4 or 0.5";
  }
  h = strtod (v, NULL);
  if (dots > 1 || !(h > 0) || h > 720)
    return "must be a number of hours greater than 0 (at most 720)";
  return NULL;
}

/* "from-to", local hours 0-23; from == to would be quiet all day. */
static bool
parse_quiet_hours (const char *v, int *from, int *to)
{
  int f = 0, t = 0;
  const char *p = v;
  int nf = 0, nt = 0;

  for (; isdigit ((unsigned char) *p) && nf < 2; p++, nf++)
    f = f * 10 + (*p - '0');
  if ('-' != *p++)
    return false;
  for (; isdigit ((unsigned char) *p) && nt < 2; p++, nt++)
    t = t * 10 + (*p - '0');
  if (0 == nf || 0 == nt || '\0' != *p || f > 23 || t > 23 || f == t)
    return false;
  *from = f;
  *to = t;
  return true;
}

static const char *
check_quiet_hours (const char *v)
{
  int f, t;

  return parse_quiet_hours (v, &f, &t) ? NULL
         : "must be from-to in hours 0-23 (e.g. 22-7), from and to differing";
}

/* Split "host:port" / "[v6]:port"; on success @a host is allocated. */
static const char *
split_listen (const char *v, char **host, unsigned int *port)
{
  const char *colon;
  const char *h;
  size_t hlen;
  char *end;
  unsigned long p;

  if ('[' == v[0]) {
    const char *close = strchr (v, ']');

    if (NULL == close || ':' != close[1])
      return "must be host:port or [ipv6]:port";
    h = v + 1;
    hlen = (size_t) (close - h);
    colon = close + 1;
  } else {
    colon = strrchr (v, ':');
    if (NULL == colon || colon == v)
      return "must be host:port or [ipv6]:port";
    h = v;
    hlen = (size_t) (colon - v);
  }
  if (0 == hlen || hlen > 255)
    return "has an empty or oversized host";
  errno = 0;
  p = strtoul (colon + 1, &end, 10);
  if (!isdigit ((unsigned char) colon[1]) || '\0' != *end || 0 != errno
      || p > 65535)
    return "has a port that is not a number from 0 to 65535";
  if (NULL != host)
    *host = sr_xstrndup (h, hlen);
  if (NULL != port)
    *port = (unsigned int) p;
  return NULL;
}

static const char *
check_listen (const char *v)
{
  return split_listen (v, NULL, NULL);
}

static const char *
parse_uint (const char *v, unsigned long min, unsigned long max,
            unsigned long *out)
{
  char *end;
  unsigned long long x;

  errno = 0;
  if (!isdigit ((unsigned char) v[0]))
    return "must be a non-negative integer";
  x = strtoull (v, &end, 10);
  if ('\0' != *end || 0 != errno)
    return "must be a non-negative integer";
  if (x < min || x > max)
    return "is out of range";
  *out = (unsigned long) x;
  return NULL;
}

static const char *
parse_bool (const char *v, bool *out)
{
  static const char *const yes[] = { "1", "true", "yes", "on" };
  static const char *const no[] = { "0", "false", "no", "off" };

  for (size_t i = 0; i < 4; i++) {
    if (0 == strcasecmp (v, yes[i])) {
      *out = true;
      return NULL;
    }
    if (0 == strcasecmp (v, no[i])) {
      *out = false;
      return NULL;
    }
  }
  return "must be true or false";
}

static const char *
env_getter (void *ctx, const char *name)
{
  (void) ctx;
  return getenv (name);
}

static enum sr_status
fail (char *err, size_t errlen, const char *name, const char *why,
      const char *value, bool secret)
{
  if (NULL != value && !secret && strlen (value) <= 80)
    snprintf (err, errlen, "%s=\"%s\" %s", name, value, why);
  else
    snprintf (err, errlen, "%s %s", name, why);
  return SR_E_CONFIG;
}

/* Build the libpq keyword/value arrays from either source. */

/* A port list ("5432" or "5432,6543" for several hosts) and sslmode, the
 * options whose typos would otherwise surface only as failed connects. */
static bool
db_option_valid (const char *keyword, const char *val, char *err,
                 size_t errlen)
{
  static const char *const modes[] = { "disable", "allow", "prefer",
                                       "require", "verify-ca",
                                       "verify-full" };

  if (0 == strcmp (keyword, "port")) {
    for (const char *p = val; ; p++) {
      size_t n = strcspn (p, ",");
      unsigned long v = 0;
      bool ok = n <= 5;

      /* An empty item means the default port, as in libpq. */
      for (size_t i = 0; ok && i < n; i++) {
        ok = p[i] >= '0' && p[i] <= '9';
        v = v * 10 + (unsigned long) (p[i] - '0');
      }
      if (!ok || (n > 0 && (v < 1 || v > 65535))) {
        snprintf (err, errlen, "DATABASE_URL: port \"%.*s\" is not a "
                  "number from 1 to 65535", (int) (n > 16 ? 16 : n), p);
        return false;
      }
      p += n;
      if ('\0' == *p)
        return true;
    }
  }
  if (0 == strcmp (keyword, "sslmode")) {
    for (size_t i = 0; i < sizeof (modes) / sizeof (modes[0]); i++)
      if (0 == strcmp (val, modes[i]))
        return true;
    snprintf (err, errlen, "DATABASE_URL: sslmode \"%.20s\" is not one of "
              "disable, allow, prefer, require, verify-ca, verify-full", val);
    return false;
  }
  return true;
}

/* Cores to use, 1 to 64. */
static unsigned long
online_cpus (void)
{
  long cpus = sysconf (_SC_NPROCESSORS_ONLN);

  return cpus < 1 ? 1 : cpus > 64 ? 64 : (unsigned long) cpus;
}

/* Whether one host of a libpq host list is this machine: a socket
 * directory (or abstract socket), or a loopback name or address. */
static bool
host_is_local (const char *h, size_t len)
{
  static const char *const loopback[] = { "localhost", "127.0.0.1", "::1" };

  if (0 == len || '/' == h[0] || '@' == h[0])
    return true;
  for (size_t i = 0; i < sizeof (loopback) / sizeof (loopback[0]); i++)
    if (strlen (loopback[i]) == len && 0 == strncmp (h, loopback[i], len))
      return true;
  return false;
}

/* Whether every host the connection may use is this machine (no host at
 * all: libpq's default socket). */
static bool
database_is_local (const struct sr_config *cfg)
{
  const char *hosts = NULL;
  PQconninfoOption *parsed = NULL;
  bool local = true;

  for (size_t i = 0; i < SR_CONFIG_DB_PARAMS && cfg->db_keywords[i]; i++)
    if (0 == strcmp (cfg->db_keywords[i], "host"))
      hosts = cfg->db_values[i];
  if (NULL != cfg->database_url
      && NULL != (parsed = PQconninfoParse (cfg->database_url, NULL)))
    for (PQconninfoOption *o = parsed; NULL != o->keyword; o++)
      if ((0 == strcmp (o->keyword, "host")
           || 0 == strcmp (o->keyword, "hostaddr")) && NULL != o->val)
        hosts = o->val;
  if (NULL == hosts)
    hosts = getenv ("PGHOST");
  for (const char *h = hosts; local && NULL != h && '\0' != *h;) {
    size_t len = strcspn (h, ",");

    local = host_is_local (h, len);
    h += len + (',' == h[len]);
  }
  PQconninfoFree (parsed);
  return local;
}

static enum sr_status
build_db_params (struct sr_config *cfg, char *err, size_t errlen)
{
  size_t n = 0;

#define KV(k, v)                                                           \
  do {                                                                     \
    cfg->db_keywords[n] = (k);                                             \
    cfg->db_values[n] = (v);                                               \
    n++;                                                                   \
  } while (0)
  /* Defaults first: with expand_dbname, values expanded from a URI
   * override keywords that come before it. */
  KV ("connect_timeout", "5");
  KV ("application_name", "signalroom");
  /* A peer that vanished (host down, network cut) is noticed within about
   * a minute instead of the kernel's two hours; a DATABASE_URL that sets
   * its own keepalives wins, as it comes later. */
  KV ("keepalives", "1");
  KV ("keepalives_idle", "30");
  KV ("keepalives_interval", "10");
  KV ("keepalives_count", "3");
  KV ("tcp_user_timeout", "60000");
  if (NULL != cfg->database_url) {
    char *perr = NULL;
    PQconninfoOption *parsed = PQconninfoParse (cfg->database_url, &perr);

    if (NULL == parsed) {
      /* libpq's message may quote parts of the string (the password):
       * name the variable only. */
      PQfreemem (perr);
      snprintf (err, errlen,
                "DATABASE_URL is not a valid PostgreSQL connection URI or "
                "key=value string");
      return SR_E_CONFIG;
    }
    for (PQconninfoOption *o = parsed; NULL != o->keyword; o++)
      if (0 == strcmp (o->keyword, "password") && NULL != o->val)
        sr_log_add_secret (o->val);
    /* libpq checks these only when connecting, and `serve` retries
     * connections for ever: a typo would look like a database outage. */
    for (PQconninfoOption *o = parsed; NULL != o->keyword; o++)
      if (NULL != o->val && !db_option_valid (o->keyword, o->val, err,
                                              errlen)) {
        PQconninfoFree (parsed);
        return SR_E_CONFIG;
      }
    PQconninfoFree (parsed);
    KV ("dbname", cfg->database_url);
    cfg->db_source = "DATABASE_URL";
  } else if (NULL != cfg->supabase_db_host) {
    char port[8];

    if (NULL == cfg->supabase_db_password) {
      snprintf (err, errlen,
                "SUPABASE_DB_PASSWORD is not set (required with "
                "SUPABASE_DB_HOST)");
      return SR_E_CONFIG;
    }
    snprintf (port, sizeof (port), "%lu", cfg->supabase_db_port);
    KV ("host", cfg->supabase_db_host);
    KV ("port", sr_xstrdup (port));
    KV ("dbname", cfg->supabase_db_name);
    KV ("user", cfg->supabase_db_user);
    KV ("password", cfg->supabase_db_password);
    KV ("sslmode", cfg->supabase_db_sslmode);
    cfg->db_source = "SUPABASE_DB_*";
  } else {
    snprintf (err, errlen,
              "DATABASE_URL is not set (nor SUPABASE_DB_HOST and "
              "SUPABASE_DB_PASSWORD)");
    return SR_E_CONFIG;
  }
  KV (NULL, NULL);
#undef KV
  return SR_OK;
}

enum sr_status
sr_config_load (struct sr_config *cfg, sr_config_getenv getenv_fn, void *ctx,
                char *err, size_t errlen)
{
  enum sr_status st;

  memset (cfg, 0, sizeof (*cfg));
  if (NULL == getenv_fn)
    getenv_fn = env_getter;
  for (size_t i = 0; i < N_OPTIONS; i++) {
    const struct sr_config_option *o = &options[i];
    const char *v = getenv_fn (ctx, o->name);
    const char *why = NULL;
    bool secret = 0 != (o->flags & SR_CFG_SECRET);
    char *dst = (char *) cfg + o->offset;

    if (NULL != v && '\0' == v[0])
      v = NULL;   /* an empty variable means "unset" */
    cfg->from_env[i] = NULL != v;
    if (NULL == v)
      v = o->default_value;
    if (NULL == v)
      continue;
    if (secret)
      sr_log_add_secret (v);
    if (!sr_utf8_valid (v, strlen (v))) {
      sr_config_clean (cfg);
      return fail (err, errlen, o->name, "is not valid UTF-8", NULL, true);
    }
    if (NULL != o->check)
      why = o->check (v);
    if (NULL == why) {
      switch (o->type) {
      case SR_CFG_STRING:
        *(char **) dst = sr_xstrdup (v);
        break;
      case SR_CFG_UINT:
        why = parse_uint (v, o->min, o->max, (unsigned long *) dst);
        break;
      case SR_CFG_BOOL:
        why = parse_bool (v, (bool *) dst);
        break;
      }
    }
    if (NULL != why) {
      sr_config_clean (cfg);
      return fail (err, errlen, o->name, why, v, secret);
    }
  }
  (void) sr_log_level_parse (cfg->log_level_name, &cfg->log_level);
  (void) split_listen (cfg->listen, &cfg->listen_host, &cfg->listen_port);
  if (0 == cfg->http_threads)
    cfg->http_threads = online_cpus ();
  st = build_db_params (cfg, err, errlen);
  if (SR_OK != st) {
    sr_config_clean (cfg);
    return st;
  }
  if (0 == cfg->api_threads)
    cfg->api_threads = database_is_local (cfg) ? online_cpus () : 4;
  {
    /* Everflow's own ids: the epoch it returns for a day is local midnight
     * in the zone the id names, and we turn it into a date in
     * SIGNALROOM_TIMEZONE; the two must agree. */
    static const struct { unsigned long id; const char *zone; } known[] = {
      { 80, "America/New_York" }, { 67, "UTC" } };

    for (size_t i = 0; i < sizeof (known) / sizeof (known[0]); i++)
      if (known[i].id == cfg->everflow_timezone_id
          && 0 != strcmp (known[i].zone, cfg->timezone)
          && !(67 == known[i].id && 0 == strcmp (cfg->timezone, "Etc/UTC"))) {
        snprintf (err, errlen,
                  "EVERFLOW_TIMEZONE_ID=%lu is %s but SIGNALROOM_TIMEZONE is "
                  "%s; set both to the same zone", known[i].id,
                  known[i].zone, cfg->timezone);
        sr_config_clean (cfg);
        return SR_E_CONFIG;
      }
  }
  cfg->alert_remind_hours = strtod (cfg->alert_remind_hours_text, NULL);
  cfg->alert_quiet_from = cfg->alert_quiet_to = -1;
  if (NULL != cfg->alert_sms_quiet_hours)
    (void) parse_quiet_hours (cfg->alert_sms_quiet_hours,
                              &cfg->alert_quiet_from, &cfg->alert_quiet_to);
  if (NULL != cfg->jwt_secret && NULL != cfg->jwt_public_key) {
    snprintf (err, errlen,
              "SIGNALROOM_JWT_SECRET and SIGNALROOM_JWT_PUBLIC_KEY are both "
              "set; configure exactly one");
    sr_config_clean (cfg);
    return SR_E_CONFIG;
  }
  return SR_OK;
}

void
sr_config_clean (struct sr_config *cfg)
{
  for (size_t i = 0; i < N_OPTIONS; i++)
    if (SR_CFG_STRING == options[i].type) {
      char **p = (char **) ((char *) cfg + options[i].offset);

      free (*p);
      *p = NULL;
    }
  free (cfg->listen_host);
  cfg->listen_host = NULL;
  for (size_t i = 0; i < SR_CONFIG_DB_PARAMS && cfg->db_keywords[i]; i++)
    if (0 == strcmp (cfg->db_keywords[i], "port")) {
      free ((char *) cfg->db_values[i]);
      cfg->db_values[i] = NULL;
    }
  memset (cfg->db_keywords, 0, sizeof (cfg->db_keywords));
}

json_t *
sr_config_to_json (const struct sr_config *cfg)
{
  json_t *obj = json_object ();

  for (size_t i = 0; i < N_OPTIONS; i++) {
    const struct sr_config_option *o = &options[i];
    const char *src = (const char *) cfg + o->offset;
    json_t *val = json_null ();

    switch (o->type) {
    case SR_CFG_STRING: {
      const char *s = *(char *const *) src;

      if (NULL != s)
        val = json_string ((o->flags & SR_CFG_SECRET) ? "[set]" : s);
      break;
    }
    case SR_CFG_UINT:
      val = json_integer ((json_int_t) * (const unsigned long *) src);
      break;
    case SR_CFG_BOOL:
      val = json_boolean (*(const bool *) src);
      break;
    }
    json_object_set_new (obj, o->name,
                         json_pack ("{s:o, s:s}", "value", val, "origin",
                                    cfg->from_env[i] ? "environment"
                                    : "default"));
  }
  return obj;
}

/* end of config.c */
