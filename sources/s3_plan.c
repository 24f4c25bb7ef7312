/*
 * s3_plan.c -- what an S3 run loads: every prefix of S3_PREFIXES listed,
 * each object compared with what was loaded before (signalroom.s3_objects:
 * key and ETag); the new and re-exported ones -- or, with force, every one
 * whose file-name date is in the window -- go on to be loaded.  An
 * unchanged object is never downloaded again.
 */
#include "s3_internal.h"
#include "s3_exports.h"
#include "dates.h"
#include "export_names.h"
#include "store_s3.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
loadable_key (const char *key)
{
  size_t n = strlen (key);

  return (n > 4 && 0 == strcmp (key + n - 4, ".csv"))
         || (n > 7 && 0 == strcmp (key + n - 7, ".csv.gz"));
}

/* Keys already loaded (key -> etag) for one prefix. */
static enum sr_status
known_objects (struct sr_sync_ctx *sync, const char *prefix, json_t **out,
               char *err, size_t errlen)
{
  return sr_store_s3_known (sync->conn, sync->cfg->s3_bucket_name, prefix,
                            out, err, errlen);
}

static enum sr_status
sync_prefix (struct sr_sync_ctx *sync, struct sr_s3 *s3, const char *prefix,
             int32_t from, int32_t to, struct sr__s3_totals *t, sr__s3_object_cb cb,
             void *cb_cls, struct sr_sync_result *res)
{
  char table[SR_IDENT_MAX];
  char list_prefix[512];
  char err[900];
  struct sr_s3_list list = { 0 };
  json_t *known = NULL;
  enum sr_status st;

  if (!sr_export_table_name (prefix, table))
    return sr_sync_fail (res, SR_E_CONFIG, "S3_PREFIXES entry \"%s\" gives "
                         "no usable table name", prefix);
  snprintf (list_prefix, sizeof (list_prefix), "%s%s", prefix,
            '/' == prefix[strlen (prefix) - 1] ? "" : "/");
  st = sr_s3_list (s3, list_prefix,
                   (unsigned int) sync->cfg->s3_list_page_size, &list, &res->http,
                   err, sizeof (err));
  if (SR_OK != st)
    return sr_sync_fail (res, st, "%s", err);
  st = known_objects (sync, prefix, &known, err, sizeof (err));
  if (SR_OK != st) {
    sr_s3_list_clean (&list);
    json_decref (known);
    return sr_sync_fail (res, st, "%s", err);
  }
  for (size_t i = 0; i < list.n; i++) {
    const struct sr_s3_object *obj = &list.items[i];
    const char *seen = json_string_value (json_object_get (known, obj->key));
    int32_t day;
    bool dated = sr_export_file_date (obj->key, &day);

    t->listed++;
    if (!loadable_key (obj->key)) {
      t->ignored++;
      continue;
    }
    if (sync->explicit_window && (!dated || day < from || day > to)) {
      t->outside++;
      continue;
    }
    if (!sync->force && NULL != seen && 0 == strcmp (seen, obj->etag)) {
      t->unchanged++;
      continue;
    }
    cb (cb_cls, prefix, table, obj);
  }
  sr_s3_list_clean (&list);
  json_decref (known);
  return SR_OK;
}

/* Every configured prefix, trimmed, to @a fn; stops at the first error. */
enum sr_status
sr__s3_each_prefix (struct sr_sync_ctx *sync, struct sr_s3 *s3, int32_t f,
             int32_t e, struct sr__s3_totals *t, sr__s3_object_cb cb, void *cls,
             struct sr_sync_result *res)
{
  const char *p = sync->cfg->s3_prefixes;
  enum sr_status st = SR_OK;

  while (SR_OK == st && '\0' != *p) {
    size_t n = strcspn (p, ",");
    char prefix[256];
    size_t a = 0;

    while (a < n && ' ' == p[a])
      a++;
    while (n > a && ' ' == p[n - 1])
      n--;
    if (n > a && n - a < sizeof (prefix)) {
      memcpy (prefix, p + a, n - a);
      prefix[n - a] = '\0';
      st = sync_prefix (sync, s3, prefix, f, e, t, cb, cls, res);
    }
    p += strcspn (p, ",");
    if (',' == *p)
      p++;
  }
  return st;
}

struct plan_cls {
  sr_s3_plan_cb cb;
  void *cls;
  enum sr_status st;
};

static void
plan_cb (void *cls, const char *prefix, const char *table,
         const struct sr_s3_object *obj)
{
  struct plan_cls *pc = cls;
  json_t *meta;

  (void) table;
  if (SR_OK != pc->st)
    return;
  meta = json_pack ("{s:s, s:s, s:I, s:s}", "prefix", prefix, "etag",
                    obj->etag, "size", (json_int_t) obj->size,
                    "last_modified", obj->last_modified);
  pc->st = pc->cb (pc->cls, obj->key, meta);
  json_decref (meta);
}

enum sr_status
sr_s3_exports_plan (struct sr_sync_ctx *sync, const char *from,
                    const char *to, sr_s3_plan_cb cb, void *cls,
                    struct sr_sync_result *res)
{
  struct sr__s3_totals t = { .failures = json_array (),
                      .new_columns = json_object () };
  struct plan_cls pc = { .cb = cb, .cls = cls, .st = SR_OK };
  struct sr_s3 *s3 = sr_s3_new (sync->cfg);
  int32_t f = 0, e = 0;
  enum sr_status st = SR_OK;

  sr_s3_set_stop (s3, sync->stop);
  pthread_mutex_init (&t.lock, NULL);
  if (sync->explicit_window && (!sr_date_parse (from, &f)
                                || !sr_date_parse (to, &e) || f > e))
    st = sr_sync_fail (res, SR_E_INVALID, "invalid window");
  if (SR_OK == st)
    st = sr__s3_each_prefix (sync, s3, f, e, &t, plan_cb, &pc, res);
  if (SR_OK == st)
    st = pc.st;
  res->fetched = t.listed;
  res->details = json_pack ("{s:I, s:I, s:I, s:I}", "listed",
                            (json_int_t) t.listed, "unchanged",
                            (json_int_t) t.unchanged, "outside_window",
                            (json_int_t) t.outside, "ignored",
                            (json_int_t) t.ignored);
  json_decref (t.failures);
  json_decref (t.new_columns);
  pthread_mutex_destroy (&t.lock);
  sr_s3_free (s3);
  return st;
}

/* end of s3_plan.c */
