/*
 * router.c -- path-template matching over the static route table.
 *
 * The table is small (tens of routes), so a linear scan is both the
 * simplest and the fastest option; matching allocates nothing until a
 * route has matched.
 */
#include "router.h"
#include "mem.h"

#include <stdio.h>
#include <string.h>

struct span {
  const char *p;
  size_t len;
};

/* Match @a path against @a tmpl; record {param} spans in @a params. */
static bool
match_template (const char *tmpl, const char *path, struct span *params,
                size_t *n_params)
{
  const char *t = tmpl;
  const char *p = path;

  *n_params = 0;
  while ('\0' != *t && '\0' != *p) {
    size_t tlen;
    size_t plen;

    if ('/' != *t || '/' != *p)
      return false;
    t++;
    p++;
    tlen = strcspn (t, "/");
    plen = strcspn (p, "/");
    if ('{' == t[0] && tlen >= 2 && '}' == t[tlen - 1]) {
      if (0 == plen || *n_params >= SR_PATH_PARAMS_MAX)
        return false;
      params[*n_params].p = p;
      params[*n_params].len = plen;
      (*n_params)++;
    } else if (tlen != plen || 0 != memcmp (t, p, tlen)) {
      return false;
    }
    t += tlen;
    p += plen;
  }
  return '\0' == *t && '\0' == *p;
}

static bool
method_matches (const char *route_method, const char *method)
{
  if (0 == strcmp (route_method, method))
    return true;
  return 0 == strcmp (method, "HEAD") && 0 == strcmp (route_method, "GET");
}

static void
append_allow (char *allow, size_t allowlen, const char *method)
{
  size_t used = strlen (allow);

  if (used + 1 >= allowlen || NULL != strstr (allow, method))
    return;
  snprintf (allow + used, allowlen - used, "%s%s", used ? ", " : "",
            method);
}

enum sr_status
sr_router_match (const struct sr_route *routes, size_t n, const char *method,
                 const char *path, struct sr_request *req,
                 const struct sr_route **out, char *allow, size_t allowlen)
{
  struct span params[SR_PATH_PARAMS_MAX];
  size_t n_params;
  bool path_seen = false;

  if (0 == allowlen)
    return SR_E_INTERNAL;
  allow[0] = '\0';
  *out = NULL;
  for (size_t i = 0; i < n; i++) {
    if (!match_template (routes[i].path, path, params, &n_params))
      continue;
    path_seen = true;
    if (!method_matches (routes[i].method, method)) {
      append_allow (allow, allowlen, routes[i].method);
      if (0 == strcmp (routes[i].method, "GET"))
        append_allow (allow, allowlen, "HEAD");
      continue;
    }
    for (size_t k = 0; k < n_params; k++)
      req->path_params[k] = sr_xstrndup (params[k].p, params[k].len);
    req->n_path_params = n_params;
    *out = &routes[i];
    return SR_OK;
  }
  return path_seen ? SR_E_METHOD : SR_E_NOT_FOUND;
}

int
sr_router_query_index (const struct sr_route *route, const char *name)
{
  if (NULL == route->query)
    return -1;
  for (int i = 0; NULL != route->query[i]; i++)
    if (0 == strcmp (route->query[i], name))
      return i;
  return -1;
}

bool
sr_router_accepts_query (const struct sr_route *route, const char *name)
{
  return sr_router_query_index (route, name) >= 0;
}

/* end of router.c */
