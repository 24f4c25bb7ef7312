/*
 * tx.c -- see tx.h.
 */
#include "tx.h"
#include "db.h"
#include "log.h"
#include "trace.h"

#include <errno.h>
#include <time.h>

static void
rollback (PGconn *conn)
{
  char ignored[64];

  if (CONNECTION_OK == PQstatus (conn))
    (void) sr_db_run (conn, "rollback", "ROLLBACK", 0, NULL, ignored,
                      sizeof (ignored));
}

/* 10, 20, 40 ms...: enough for the other transaction to finish. */
static void
pause_before (unsigned int attempt)
{
  struct timespec ts = { 0, (long) (10000000L << (attempt < 5 ? attempt : 5)) };

  while (0 != nanosleep (&ts, &ts) && EINTR == errno)
    ;
}

static enum sr_status run_attempts (PGconn *conn, const char *name,
                                    unsigned int attempts, sr_tx_work work,
                                    void *cls, char *err, size_t errlen);

enum sr_status
sr_tx_run (PGconn *conn, const char *name, unsigned int attempts,
           sr_tx_work work, void *cls, char *err, size_t errlen)
{
  enum sr_status st;
  bool traced = NULL != sr_trace_current ();
  struct sr_span span;

  sr_db_note_busy (1, 0);
  if (traced) {   /* its statements are this span's children */
    sr_span_begin (&span, name, SR_SPAN_CLIENT);
    sr_span_set_str (&span, "db.system", "postgresql");
    sr_span_set_str (&span, "db.operation.name", "transaction");
  }
  st = run_attempts (conn, name, attempts, work, cls, err, errlen);
  if (traced) {
    sr_span_set_error (&span, SR_OK != st);
    sr_span_finish (&span);
  }
  sr_db_note_busy (-1, 0);
  return st;
}

static enum sr_status
run_attempts (PGconn *conn, const char *name, unsigned int attempts,
              sr_tx_work work, void *cls, char *err, size_t errlen)
{
  enum sr_status st = SR_E_INTERNAL;

  if (0 == attempts)
    attempts = 1;
  for (unsigned int i = 0; i < attempts; i++) {
    if (i > 0) {
      sr_log (SR_LOG_INFO, "transaction retried", "{s:s, s:i}", "name", name,
              "attempt", (int) i + 1);
      pause_before (i - 1);
    }
    st = sr_db_run (conn, "begin", "BEGIN", 0, NULL, err, errlen);
    if (SR_OK != st)
      return st;
    st = work (cls, conn, err, errlen);
    if (SR_OK == st)
      st = sr_db_run (conn, "commit", "COMMIT", 0, NULL, err, errlen);
    if (SR_OK == st)
      return SR_OK;
    rollback (conn);
    if (SR_E_DB_SOFT != st)
      return st;
  }
  return st;
}

/* end of tx.c */
