/*
 * store.h -- writing upstream data: one window, one transaction.
 *
 * Every source stores the same way: the rows of a date window are sent as
 * one JSON array parameter to one statement (sql/queries/..._replace_window.sql)
 * that deletes what vanished upstream, updates what changed and inserts
 * what is new, inside a transaction that holds a per-table advisory lock.
 * Either the whole window is replaced or nothing changes.  Row types and
 * their JSON form live with each table (store_everflow.h, ...).
 */
#ifndef SR_STORE_H
#define SR_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "status.h"

struct sr_write_counts {
  uint64_t deleted;
  uint64_t inserted;
  uint64_t updated;
};

/**
 * Run a *_replace_window statement for [from, to] of @a client_id with
 * @a rows (a JSON array, borrowed) under the lock of @a table.
 */
enum sr_status sr_store_replace_window (PGconn *conn, const char *table,
                                        const char *sql, const char *from,
                                        const char *to,
                                        const char *client_id,
                                        const json_t *rows,
                                        struct sr_write_counts *out,
                                        char *err, size_t errlen);

#endif /* SR_STORE_H */
