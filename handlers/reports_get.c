/*
 * reports_get.c -- GET /v1/reports: the report catalogue (name, path,
 * description, parameters, columns), from the table that drives the
 * report routes.
 */
#include "handlers.h"
#include "reply.h"
#include "store_reports.h"

static json_t *
params_of (const struct sr_report *r)
{
  static const struct {
    unsigned int bit;
    const char *names[3];
  } p[] = {
    { SR_REPORT_BRAND, { "brand" } }, { SR_REPORT_DATE, { "date" } },
    { SR_REPORT_RANGE, { "from", "to" } }, { SR_REPORT_TOP, { "top" } },
    { SR_REPORT_SORT, { "sort", "order" } },
    { SR_REPORT_LIMIT, { "limit" } }, { SR_REPORT_METRIC, { "metric" } },
  };
  json_t *out = json_array ();

  for (size_t i = 0; i < sizeof (p) / sizeof (p[0]); i++)
    if (r->params & p[i].bit)
      for (size_t k = 0; k < 3 && NULL != p[i].names[k]; k++)
        json_array_append_new (out, json_string (p[i].names[k]));
  json_array_append_new (out, json_string ("format"));
  return out;
}

static json_t *
choices (const char *const *list)
{
  json_t *out = json_array ();

  for (size_t i = 0; NULL != list && NULL != list[i]; i++)
    json_array_append_new (out, json_string (list[i]));
  return out;
}

enum sr_status
sr_handle_reports_get (struct sr_request *req)
{
  json_t *list = json_array ();

  for (size_t i = 0; i < sr_reports_count; i++) {
    const struct sr_report *r = &sr_reports[i];
    json_t *cols = json_array ();
    json_t *item;

    for (size_t c = 0; c < r->n_columns; c++)
      json_array_append_new (cols, json_pack (
                               "{s:s, s:s, s:s}", "name", r->columns[c].name,
                               "type", sr_report_type_name (r->columns[c].type),
                               "description", r->columns[c].description));
    item = json_pack ("{s:s, s:s+, s:s, s:o, s:o}", "name", r->name, "path",
                      "/v1/reports/", r->name, "description", r->description,
                      "parameters", params_of (r), "columns", cols);
    if (NULL != r->metrics)
      json_object_set_new (item, "metrics", choices (r->metrics));
    if (NULL != r->sorts)
      json_object_set_new (item, "sorts", choices (r->sorts));
    json_array_append_new (list, item);
  }
  return sr_reply_json_steal (req, 200, json_pack ("{s:o}", "reports", list));
}

/* end of reports_get.c */
