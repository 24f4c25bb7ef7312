/*
 * http_guard.c -- see http_guard.h.
 *
 * Connections waiting for a head, and those waiting for a body, sit in
 * one list each.  Every entry of a list got the same timeout when it was
 * appended, so each list is sorted by deadline and the thread only ever
 * looks at list heads: O(1) per connection and per cut, however many
 * connections are open.
 */
#include "http_guard.h"
#include "clock.h"
#include "log.h"
#include "mem.h"
#include "waiter.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

/* Longest the thread sleeps: a deadline set while it sleeps (on an empty
 * list) is honoured at most this late. */
#define TICK_MS 250

enum phase {
  PHASE_HEAD = 0,   /* waiting for a request head (list 0) */
  PHASE_BODY = 1,   /* waiting for a request body (list 1) */
  PHASE_WORK,       /* being answered: no deadline */
  PHASE_CUT         /* shut down by us, closing */
};

struct sr_http_guard_conn {
  struct sr_http_guard_conn *prev;
  struct sr_http_guard_conn *next;
  int fd;
  enum phase phase;
  uint64_t deadline_ms;
};

struct list {
  struct sr_http_guard_conn *head;
  struct sr_http_guard_conn *tail;
};

struct sr_http_guard {
  pthread_mutex_t lock;
  struct list waiting[2];         /* by phase: head, body */
  uint64_t timeout_ms[2];
  size_t open;
  unsigned long cut[2];           /* since the last summary */
  atomic_ulong counters[SR_GUARD_COUNTERS_];   /* since the last summary */
  unsigned long refused_total;    /* guard thread only */
  unsigned int summary_ms;
  struct sr_waiter waiter;
  pthread_t thread;
};

/* ---- lists (lock held) ---- */

static void
unlink_conn (struct sr_http_guard *g, struct sr_http_guard_conn *c)
{
  struct list *l;

  if (PHASE_HEAD != c->phase && PHASE_BODY != c->phase)
    return;
  l = &g->waiting[c->phase];
  if (NULL != c->prev)
    c->prev->next = c->next;
  else
    l->head = c->next;
  if (NULL != c->next)
    c->next->prev = c->prev;
  else
    l->tail = c->prev;
  c->prev = c->next = NULL;
}

static void
enter (struct sr_http_guard *g, struct sr_http_guard_conn *c,
       enum phase phase)
{
  struct list *l;

  unlink_conn (g, c);
  c->phase = phase;
  if (PHASE_HEAD != phase && PHASE_BODY != phase)
    return;
  l = &g->waiting[phase];
  c->deadline_ms = sr_now_ms () + g->timeout_ms[phase];
  c->prev = l->tail;
  c->next = NULL;
  if (NULL != l->tail)
    l->tail->next = c;
  else
    l->head = c;
  l->tail = c;
}

/* Move @a c to @a phase unless we already cut it. */
static void
move (struct sr_http_guard *g, struct sr_http_guard_conn *c,
      enum phase phase)
{
  if (NULL == g || NULL == c)
    return;
  pthread_mutex_lock (&g->lock);
  if (PHASE_CUT != c->phase)
    enter (g, c, phase);
  pthread_mutex_unlock (&g->lock);
}

/* ---- the thread ---- */

/* Shut down every connection past its deadline; @return the earliest
 * deadline still pending (or @a latest). */
static uint64_t
cut_expired (struct sr_http_guard *g, uint64_t now, uint64_t latest)
{
  uint64_t next = latest;

  pthread_mutex_lock (&g->lock);
  for (int k = 0; k < 2; k++) {
    struct sr_http_guard_conn *c;

    while (NULL != (c = g->waiting[k].head) && c->deadline_ms <= now) {
      unlink_conn (g, c);
      c->phase = PHASE_CUT;
      /* MHD sees the hang-up and closes the connection itself; the
       * descriptor stays valid until sr_http_guard_closed(), which needs
       * this lock. */
      (void) shutdown (c->fd, SHUT_RDWR);
      g->cut[k]++;
    }
    if (NULL != c && c->deadline_ms < next)
      next = c->deadline_ms;
  }
  pthread_mutex_unlock (&g->lock);
  return next;
}

static void
summary (struct sr_http_guard *g)
{
  unsigned long n[SR_GUARD_COUNTERS_];
  unsigned long cut_head, cut_body;
  size_t open;
  bool any;

  pthread_mutex_lock (&g->lock);
  cut_head = g->cut[PHASE_HEAD];
  cut_body = g->cut[PHASE_BODY];
  g->cut[PHASE_HEAD] = g->cut[PHASE_BODY] = 0;
  open = g->open;
  pthread_mutex_unlock (&g->lock);
  any = 0 != cut_head || 0 != cut_body;
  for (int i = 0; i < SR_GUARD_COUNTERS_; i++) {
    n[i] = atomic_exchange (&g->counters[i], 0);
    any = any || 0 != n[i];
  }
  if (!any)
    return;
  g->refused_total += n[SR_GUARD_REFUSED_NOT_LOGGED];
  sr_log (SR_LOG_WARN, "http summary",
          "{s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
          "interval_s", (int) (g->summary_ms / 1000),
          "refused_not_logged", (json_int_t) n[SR_GUARD_REFUSED_NOT_LOGGED],
          "refused_not_logged_total", (json_int_t) g->refused_total,
          "library_messages_not_logged",
          (json_int_t) n[SR_GUARD_LIBRARY_NOT_LOGGED],
          "cut_at_header_deadline", (json_int_t) cut_head,
          "cut_at_body_deadline", (json_int_t) cut_body,
          "busy", (json_int_t) n[SR_GUARD_BUSY],
          "open_connections", (json_int_t) open);
}

static void *
guard_thread (void *cls)
{
  struct sr_http_guard *g = cls;
  uint64_t next_summary = sr_now_ms () + g->summary_ms;

  for (;;) {
    uint64_t now = sr_now_ms ();
    uint64_t wake = cut_expired (g, now, now + TICK_MS);

    if (now >= next_summary) {
      summary (g);
      next_summary = now + g->summary_ms;
    }
    if (next_summary < wake)
      wake = next_summary;
    if (sr_waiter_sleep (&g->waiter, wake > now ? wake - now : 1))
      break;
  }
  summary (g);
  return NULL;
}

/* ---- API ---- */

enum sr_status
sr_http_guard_start (unsigned int header_s, unsigned int body_s,
                     unsigned int summary_ms, struct sr_http_guard **out)
{
  struct sr_http_guard *g = sr_xcalloc (1, sizeof (*g));

  *out = NULL;
  pthread_mutex_init (&g->lock, NULL);
  g->timeout_ms[PHASE_HEAD] = (uint64_t) header_s * 1000u;
  g->timeout_ms[PHASE_BODY] = (uint64_t) body_s * 1000u;
  g->summary_ms = summary_ms;
  for (int i = 0; i < SR_GUARD_COUNTERS_; i++)
    atomic_init (&g->counters[i], 0);
  sr_waiter_init (&g->waiter);
  if (0 != pthread_create (&g->thread, NULL, guard_thread, g)) {
    sr_waiter_destroy (&g->waiter);
    pthread_mutex_destroy (&g->lock);
    free (g);
    return SR_E_INTERNAL;
  }
  *out = g;
  return SR_OK;
}

void
sr_http_guard_stop (struct sr_http_guard *g)
{
  if (NULL == g)
    return;
  sr_waiter_stop (&g->waiter);
  pthread_join (g->thread, NULL);
  /* MHD has stopped: every connection reported its close already. */
  sr_waiter_destroy (&g->waiter);
  pthread_mutex_destroy (&g->lock);
  free (g);
}

struct sr_http_guard_conn *
sr_http_guard_opened (struct sr_http_guard *g, int fd)
{
  struct sr_http_guard_conn *c;

  if (NULL == g)
    return NULL;
  c = sr_xcalloc (1, sizeof (*c));
  c->fd = fd;
  c->phase = PHASE_WORK;
  pthread_mutex_lock (&g->lock);
  g->open++;
  enter (g, c, PHASE_HEAD);
  pthread_mutex_unlock (&g->lock);
  return c;
}

void
sr_http_guard_head_in (struct sr_http_guard *g, struct sr_http_guard_conn *c)
{
  move (g, c, PHASE_BODY);
}

void
sr_http_guard_body_in (struct sr_http_guard *g, struct sr_http_guard_conn *c)
{
  move (g, c, PHASE_WORK);
}

void
sr_http_guard_request_done (struct sr_http_guard *g,
                            struct sr_http_guard_conn *c)
{
  move (g, c, PHASE_HEAD);
}

void
sr_http_guard_closed (struct sr_http_guard *g, struct sr_http_guard_conn *c)
{
  if (NULL == g || NULL == c)
    return;
  pthread_mutex_lock (&g->lock);
  unlink_conn (g, c);
  g->open--;
  pthread_mutex_unlock (&g->lock);
  free (c);
}

size_t
sr_http_guard_open (struct sr_http_guard *g)
{
  size_t n;

  if (NULL == g)
    return 0;
  pthread_mutex_lock (&g->lock);
  n = g->open;
  pthread_mutex_unlock (&g->lock);
  return n;
}

void
sr_http_guard_count (struct sr_http_guard *g,
                     enum sr_http_guard_counter which)
{
  if (NULL != g && which < SR_GUARD_COUNTERS_)
    atomic_fetch_add (&g->counters[which], 1);
}

/* end of http_guard.c */
