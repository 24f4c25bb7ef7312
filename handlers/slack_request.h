/*
 * slack_request.h -- what the handlers of Slack's requests share.
 */
#ifndef SR_SLACK_REQUEST_H
#define SR_SLACK_REQUEST_H

#include "request.h"
#include "status.h"

/**
 * Stage the refusal of a request that is not Slack's: no signing secret
 * (503), a missing or non-numeric timestamp (400), a stale one or a bad
 * signature (401).  @return SR_OK (nothing staged) when Slack signed it.
 */
enum sr_status sr_slack_request_refuse_unsigned (struct sr_request *req);

#endif /* SR_SLACK_REQUEST_H */
