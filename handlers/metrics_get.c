/*
 * metrics_get.c -- GET /metrics: every metric in the Prometheus text
 * format 0.0.4.
 *
 * Runs on the HTTP thread (SR_ROUTE_NO_DB): rendering reads only memory
 * -- the values the database holds were read by the sampler thread at its
 * own pace -- so a stalled database or a busy API pool never hides the
 * metrics that would show it.  Public unless SIGNALROOM_METRICS_TOKEN is
 * set; then that bearer token, compared in constant time.
 */
#include "handlers.h"
#include "app_state.h"
#include "metrics.h"
#include "reply.h"

/* 50 routes x 8 statuses x a dozen families fit many times over. */
#define METRICS_MAX_BYTES (4u * 1024 * 1024)

enum sr_status
sr_handle_metrics_get (struct sr_request *req)
{
  const char *token = req->app->cfg->metrics_token;
  struct sr_buf out;
  char *body;
  size_t len;

  if (!req->app->cfg->metrics)
    return sr_reply_problem (req, SR_E_NOT_FOUND, "metrics are off "
                             "(SIGNALROOM_METRICS=false)");
  if (NULL != token && '\0' != token[0]
      && !sr_auth_bearer_matches (sr_request_header (req, "Authorization"),
                                  token)) {
    sr_reply_header (req, "WWW-Authenticate", "Bearer realm=\"metrics\"");
    return sr_reply_problem (req, SR_E_UNAUTHENTICATED,
                             "GET /metrics needs the metrics bearer token");
  }
  sr_buf_init (&out, METRICS_MAX_BYTES);
  if (SR_OK != sr_metrics_render (&out)) {
    sr_buf_clean (&out);
    return sr_reply_problem (req, SR_E_INTERNAL,
                             "the metrics are over %u bytes",
                             METRICS_MAX_BYTES);
  }
  body = sr_buf_steal (&out, &len);
  sr_reply_header (req, "Cache-Control", "no-store");
  return sr_reply_bytes_steal (req, 200,
                               "text/plain; version=0.0.4; charset=utf-8",
                               body, len);
}

/* end of metrics_get.c */
