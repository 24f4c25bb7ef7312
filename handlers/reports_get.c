/*
 * reports_get.c -- GET /v1/reports: the report catalogue (name, path,
 * description, parameters, columns), from the table that drives the
 * report routes.
 */
#include "handlers.h"
#include "reply.h"
#include "report_args.h"
#include "store_reports.h"

static json_t *
params_of (const struct sr_report *r)
{
  json_t *out = json_array ();

  for (size_t i = 0; NULL != sr_report_param_names[i]; i++)
    if (sr_report_takes (r, sr_report_param_names[i]))
      json_array_append_new (out, json_string (sr_report_param_names[i]));
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
