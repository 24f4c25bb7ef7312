/*
 * stmt_cache.c -- see stmt_cache.h.
 */
#include "stmt_cache.h"
#include "log.h"

#include <inttypes.h>
#include <libpq-events.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* More hot statements than this and the rest run unprepared. */
#define MAX_PREPARED 64

struct stmt_list {
  size_t n;
  char names[MAX_PREPARED][SR_STMT_NAME_LEN];
};

static atomic_bool enabled;
static atomic_flag warned = ATOMIC_FLAG_INIT;

void
sr_stmt_cache_enable (bool on)
{
  atomic_store (&enabled, on);
}

bool
sr_stmt_cache_enabled (void)
{
  return atomic_load (&enabled);
}

void
sr_stmt_cache_pooler_seen (const char *sqlstate)
{
  atomic_store (&enabled, false);
  if (!atomic_flag_test_and_set (&warned))
    sr_log (SR_LOG_WARN, "prepared statements do not last on this database "
            "connection (a transaction pooler?): reads run unprepared from "
            "now on; set SIGNALROOM_DB_PREPARE=false to say so up front",
            "{s:s}", "sqlstate", sqlstate);
}

static int
list_event (PGEventId id, void *info, void *pass)
{
  (void) pass;
  if (PGEVT_CONNRESET == id) {
    /* A reset is a new backend: nothing is prepared there. */
    sr_stmt_cache_forget (((PGEventConnReset *) info)->conn);
  }
  else if (PGEVT_CONNDESTROY == id) {
    PGconn *conn = ((PGEventConnDestroy *) info)->conn;

    free (PQinstanceData (conn, list_event));
  }
  return 1;
}

bool
sr_stmt_cache_attach (PGconn *conn)
{
  struct stmt_list *l = calloc (1, sizeof (*l));

  if (NULL == l)
    return false;
  if (!PQregisterEventProc (conn, list_event, "signalroom-statements", NULL)
      || !PQsetInstanceData (conn, list_event, l)) {
    free (l);
    return false;
  }
  return true;
}

/* Each thread remembers the names it made, by the text's address: a
 * report request names three statements, and hashing their texts each
 * time took 5 % of its CPU (perf, GET /v1/reports/daily-summary under
 * load).  Texts are of static storage (stmt_cache.h), so an address keeps
 * its text.  Direct-mapped; a power of two above the hot statements. */
#define NAME_MEMO 128

struct name_memo {
  const char *sql;
  char name[SR_STMT_NAME_LEN];
};

static __thread struct name_memo memo[NAME_MEMO];

void
sr_stmt_name (const char *sql, char name[SR_STMT_NAME_LEN])
{
  struct name_memo *m
    = &memo[((uintptr_t) sql * 0x9e3779b97f4a7c15u) >> 57 & (NAME_MEMO - 1)];

  if (m->sql != sql) {
    /* FNV-1a, 64 bits: names only need to tell texts apart, not resist
     * an attacker (the texts are the build's own). */
    uint64_t h = 0xcbf29ce484222325u;

    for (const unsigned char *p = (const unsigned char *) sql; '\0' != *p;
         p++)
      h = (h ^ *p) * 0x100000001b3u;
    snprintf (m->name, SR_STMT_NAME_LEN, "sr_%016" PRIx64, h);
    m->sql = sql;
  }
  memcpy (name, m->name, SR_STMT_NAME_LEN);
}

bool
sr_stmt_cache_has (const PGconn *conn, const char *name)
{
  const struct stmt_list *l = PQinstanceData (conn, list_event);

  for (size_t i = 0; NULL != l && i < l->n; i++)
    if (0 == strcmp (l->names[i], name))
      return true;
  return false;
}

bool
sr_stmt_cache_room (const PGconn *conn, size_t more)
{
  const struct stmt_list *l = PQinstanceData (conn, list_event);

  return NULL != l && l->n + more <= MAX_PREPARED;
}

void
sr_stmt_cache_add (PGconn *conn, const char *name)
{
  struct stmt_list *l = PQinstanceData (conn, list_event);

  if (NULL == l || l->n == MAX_PREPARED || sr_stmt_cache_has (conn, name))
    return;
  snprintf (l->names[l->n++], SR_STMT_NAME_LEN, "%s", name);
}

void
sr_stmt_cache_forget (PGconn *conn)
{
  struct stmt_list *l = PQinstanceData (conn, list_event);

  if (NULL != l)
    l->n = 0;
}

/* end of stmt_cache.c */
