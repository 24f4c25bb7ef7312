/*
 * slack_request.c -- see slack_request.h.
 */
#include "slack_request.h"
#include "app_state.h"
#include "clock.h"
#include "reply.h"
#include "slack_sign.h"

enum sr_status
sr_slack_request_refuse_unsigned (struct sr_request *req)
{
  const struct sr_config *cfg = req->app->cfg;
  char why[256];
  enum sr_status st;

  if (NULL == cfg->slack_signing_secret)
    return sr_reply_fail (req, SR_E_UNAVAILABLE, "Slack requests are not "
                          "configured here (SLACK_SIGNING_SECRET)");
  st = sr_slack_verify (cfg->slack_signing_secret,
                        sr_request_header (req, "X-Slack-Request-Timestamp"),
                        sr_request_header (req, "X-Slack-Signature"),
                        sr_buf_str (&req->body), req->body.len,
                        (int64_t) sr_wall_now (), why, sizeof (why));
  return SR_OK == st ? SR_OK : sr_reply_fail (req, st, "%s", why);
}

/* end of slack_request.c */
