/*
 * readiness.h -- the one readiness check behind GET /readyz (public: says
 * only what failed) and GET /v1/health (service_role: says why).
 *
 * Threading: runs on the calling (API pool) thread with its connection
 * (db.h).  A connection that died with a database restart is handled by
 * the HTTP layer, which runs a GET once more on a fresh one, so the first
 * probe after the database returns succeeds.
 */
#ifndef SR_READINESS_H
#define SR_READINESS_H

#include <stdbool.h>

#include "migrate.h"
#include "request.h"
#include "status.h"

struct sr_readiness {
  bool draining;                 /* SIGTERM received */
  enum sr_status db;             /* SR_OK, SR_E_DB_CONN, SR_E_DB, ... */
  char db_error[512];            /* libpq's reason ("" when reachable) */
  char db_host[128], db_port[16], db_name[64], server_version[16];
  double db_ms;                  /* time the check took */
  struct sr_migrate_state schema;/* valid when db == SR_OK */
};

/** Fill @a out for the request's app. */
void sr_readiness_check (const struct sr_request *req,
                         struct sr_readiness *out);

/** @return true when this instance may take traffic. */
bool sr_readiness_ready (const struct sr_readiness *r);

#endif /* SR_READINESS_H */
