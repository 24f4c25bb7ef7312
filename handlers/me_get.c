/*
 * me_get.c -- GET /v1/me: who the verified token says the caller is, and
 * what that role may do.  Lets a dashboard or a script check its token.
 */
#include "handlers.h"
#include "reply.h"

enum sr_status
sr_handle_me_get (struct sr_request *req)
{
  const struct sr_principal *p = &req->principal;

  return sr_reply_json_steal (
    req, 200,
    json_pack ("{s:s, s:s, s:I, s:b, s:b}", "role", p->role_name, "sub",
               p->sub, "expires_at", (json_int_t) p->exp, "can_read",
               SR_OK == sr_auth_allows (p, SR_AUTH_AUTHENTICATED),
               "can_write",
               SR_OK == sr_auth_allows (p, SR_AUTH_SERVICE_ROLE)));
}

/* end of me_get.c */
