/*
 * openapi_get.c -- GET /openapi.yaml: the contract, embedded at build time
 * from openapi/openapi.yaml so it always matches this binary.
 */
#include "openapi_embedded.h"
#include "handlers.h"
#include "reply.h"

enum sr_status
sr_handle_openapi_get (struct sr_request *req)
{
  return sr_reply_text (req, 200, "application/yaml", sr_openapi_yaml,
                        sr_openapi_yaml_len);
}

/* end of openapi_get.c */
