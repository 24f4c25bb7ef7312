/*
 * catalog.c -- see catalog.h.
 */
#include "catalog.h"

#include <stdio.h>
#include <string.h>

static const char *const everflow_vars[] = { "EVERFLOW_API_KEY", NULL };
static const char *const redtrack_vars[] = { "REDTRACK_API_KEY", NULL };
static const char *const no_vars[] = { NULL };
static const char *const s3_vars[] = { "AWS_ACCESS_KEY_ID",
                                       "AWS_SECRET_ACCESS_KEY",
                                       "S3_BUCKET_NAME", "S3_PREFIXES",
                                       NULL };

const struct sr_catalog_source sr_catalog[] = {
  { .name = "everflow", .required = everflow_vars },
  { .name = "redtrack", .required = redtrack_vars },
  { .name = "s3_exports", .default_everything = true, .required = s3_vars },
  /* Yesterday's daily summaries, from what the others loaded. */
  { .name = "daily_report", .default_days = 1, .lag_days = 1,
    .derived = true, .required = no_vars },
  { .name = NULL },
};

const struct sr_catalog_source *
sr_catalog_find (const char *name)
{
  for (size_t i = 0; NULL != name && NULL != sr_catalog[i].name; i++)
    if (0 == strcmp (sr_catalog[i].name, name))
      return &sr_catalog[i];
  return NULL;
}

/* Whether configuration variable @a name has a value (the option table
 * knows where it lives; non-string options always have one). */
static bool
is_set (const struct sr_config *cfg, const char *name)
{
  size_t n;
  const struct sr_config_option *o = sr_config_options (&n);

  for (size_t i = 0; i < n; i++)
    if (0 == strcmp (o[i].name, name)) {
      if (SR_CFG_STRING != o[i].type)
        return true;
      return NULL != *(char *const *) ((const char *) cfg + o[i].offset);
    }
  return false;
}

bool
sr_catalog_configured (const struct sr_catalog_source *src,
                       const struct sr_config *cfg, char *missing,
                       size_t len)
{
  size_t used = 0;

  missing[0] = '\0';
  for (const char *const *v = src->required; NULL != *v; v++)
    if (!is_set (cfg, *v) && used < len) {
      int n = snprintf (missing + used, len - used, "%s%s", used ? ", " : "",
                        *v);

      used += n > 0 ? (size_t) n : 0;
    }
  return '\0' == missing[0];
}

bool
sr_catalog_default_window (const struct sr_catalog_source *src,
                           const struct sr_config *cfg, int32_t today,
                           unsigned long days, char from[SR_DATE_LEN],
                           char to[SR_DATE_LEN])
{
  if (0 == days && src->default_everything)
    return false;
  if (0 == days)
    days = 0 != src->default_days ? src->default_days : cfg->resync_days;
  today -= (int32_t) src->lag_days;
  sr_date_format (today - (int32_t) days + 1, from);
  sr_date_format (today, to);
  return true;
}

/* end of catalog.c */
