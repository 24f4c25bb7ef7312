/*
 * test_core.c -- the small building blocks: UTF-8 validation, the capped
 * buffer, the status table (and its mirror in the OpenAPI Problem schema),
 * and the router (and the route table's mirror in the OpenAPI paths).
 *
 * The YAML is read crudely, line by line, relying on the indentation the
 * document uses; a reformatting of openapi.yaml that breaks the parsing
 * makes these tests fail loudly (they REQUIRE a non-empty result), never
 * pass vacuously.
 */
#include "buf.h"
#include "request.h"
#include "router.h"
#include "status.h"
#include "utf8.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define OPENAPI_PATH SR_SOURCE_DIR "/openapi/openapi.yaml"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */


/* Split @a text in place into lines (without '\n'); returns the count.
 * @a lines receives at most @a max pointers. */
static size_t
split_lines (char *text, char **lines, size_t max)
{
  size_t n = 0;
  char *p = text;

  while ('\0' != *p && n < max) {
    char *nl = strchr (p, '\n');

    lines[n++] = p;
    if (NULL == nl)
      break;
    *nl = '\0';
    if (nl > p && '\r' == nl[-1])
      nl[-1] = '\0';
    p = nl + 1;
  }
  return n;
}

static size_t
indent_of (const char *line)
{
  size_t i = 0;

  while (' ' == line[i])
    i++;
  return i;
}

static bool
starts_with (const char *s, const char *prefix)
{
  return 0 == strncmp (s, prefix, strlen (prefix));
}

static bool
str_in (const char *s, const char *const *list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (0 == strcmp (s, list[i]))
      return true;
  return false;
}

#define MAX_LINES 4096
#define MAX_CODES 128
#define MAX_OPS 64

/* The Problem schema's code enum, from the lines after "          enum:"
 * under "        code:" inside "    Problem:". */
static size_t
openapi_problem_codes (char *text, const char **codes, size_t max)
{
  static char *lines[MAX_LINES];
  size_t n_lines = split_lines (text, lines, MAX_LINES);
  bool in_problem = false;
  bool in_code = false;
  size_t n = 0;

  for (size_t i = 0; i < n_lines; i++) {
    const char *l = lines[i];

    if (0 == strcmp (l, "    Problem:")) {
      in_problem = true;
      continue;
    }
    if (in_problem && '\0' != l[0] && indent_of (l) <= 4) {
      in_problem = false;
      in_code = false;
    }
    if (!in_problem)
      continue;
    if (0 == strcmp (l, "        code:")) {
      in_code = true;
      continue;
    }
    if (in_code && '\0' != l[0] && indent_of (l) <= 8) {
      in_code = false;
      continue;
    }
    if (in_code && 0 == strcmp (l, "          enum:")) {
      for (size_t k = i + 1; k < n_lines; k++) {
        const char *item = lines[k];

        if (!starts_with (item, "            - "))
          break;
        if (n < max)
          codes[n++] = item + strlen ("            - ");
      }
      return n;
    }
  }
  return n;
}

struct api_op {
  char method[16];          /* upper case */
  const char *path;
  const char *x_role;       /* NULL when absent */
  bool has_security;
  bool security_empty;      /* "security: []" */
};

/* Operations under "paths:": "  /path:" at indent 2, "    get:" at 4, and
 * "      x-role: ..." / "      security: ..." at 6. */
static size_t
openapi_operations (char *text, struct api_op *ops, size_t max)
{
  static const char *const methods[] = { "get", "put", "post", "delete",
                                         "patch", "head", "options",
                                         "trace" };
  static char *lines[MAX_LINES];
  size_t n_lines = split_lines (text, lines, MAX_LINES);
  bool in_paths = false;
  char *cur_path = NULL;
  struct api_op *cur_op = NULL;
  size_t n = 0;

  for (size_t i = 0; i < n_lines; i++) {
    char *l = lines[i];
    size_t ind = indent_of (l);
    size_t len = strlen (l);

    if (0 == strcmp (l, "paths:")) {
      in_paths = true;
      continue;
    }
    if (!in_paths || '\0' == l[0])
      continue;
    if (0 == ind)
      break;                  /* the next top-level key */
    if (2 == ind && '/' == l[2] && ':' == l[len - 1]) {
      l[len - 1] = '\0';
      cur_path = l + 2;
      cur_op = NULL;
    } else if (4 == ind && ':' == l[len - 1] && NULL != cur_path) {
      char name[16];
      int w = snprintf (name, sizeof (name), "%.*s", (int) (len - 5), l + 4);

      cur_op = NULL;
      if (w < 0 || (size_t) w >= sizeof (name)
          || !str_in (name, methods, sizeof (methods) / sizeof (methods[0]))
          || n >= max)
        continue;
      cur_op = &ops[n++];
      memset (cur_op, 0, sizeof (*cur_op));
      for (size_t k = 0; '\0' != name[k]; k++)
        cur_op->method[k] = (char) toupper ((unsigned char) name[k]);
      cur_op->path = cur_path;
    } else if (6 == ind && NULL != cur_op) {
      if (starts_with (l + 6, "x-role: ")) {
        cur_op->x_role = l + 6 + strlen ("x-role: ");
      } else if (starts_with (l + 6, "security:")) {
        cur_op->has_security = true;
        cur_op->security_empty = 0 == strcmp (l + 6, "security: []");
      }
    }
  }
  return n;
}

static void
free_params (struct sr_request *req)
{
  for (size_t i = 0; i < SR_PATH_PARAMS_MAX; i++) {
    free (req->path_params[i]);
    req->path_params[i] = NULL;
  }
  req->n_path_params = 0;
}

/* ------------------------------------------------------------------ */
/* UTF-8                                                               */

#define VALID(lit) sr_utf8_valid ((lit), sizeof (lit) - 1)

SR_TEST (test_utf8_valid_forms)
{
  CHECK (sr_utf8_valid ("", 0));
  CHECK (sr_utf8_valid (NULL, 0));
  CHECK (VALID ("plain ASCII, with punctuation ~!"));
  CHECK (VALID ("\x7f"));
  /* 2 bytes: U+0080, U+00E9, U+07FF */
  CHECK (VALID ("\xc2\x80"));
  CHECK (VALID ("caf\xc3\xa9"));
  CHECK (VALID ("\xdf\xbf"));
  /* 3 bytes: U+0800, U+20AC, U+D7FF, U+E000, U+FFFF */
  CHECK (VALID ("\xe0\xa0\x80"));
  CHECK (VALID ("\xe2\x82\xac"));
  CHECK (VALID ("\xed\x9f\xbf"));
  CHECK (VALID ("\xee\x80\x80"));
  CHECK (VALID ("\xef\xbf\xbf"));
  /* 4 bytes: U+10000, U+1F600, U+10FFFF */
  CHECK (VALID ("\xf0\x90\x80\x80"));
  CHECK (VALID ("\xf0\x9f\x98\x80"));
  CHECK (VALID ("\xf4\x8f\xbf\xbf"));
  /* Mixed, and an embedded NUL (valid UTF-8; callers check separately). */
  CHECK (VALID ("a\xc3\xa9" "b\xe2\x82\xac" "c\xf0\x9f\x98\x80" "d"));
  CHECK (VALID ("a\0b"));
  CHECK (VALID ("\0"));
}

SR_TEST (test_utf8_invalid_forms)
{
  /* Overlongs. */
  CHECK (!VALID ("\xc0\x80"));
  CHECK (!VALID ("\xc1\xbf"));
  CHECK (!VALID ("\xe0\x80\x80"));
  CHECK (!VALID ("\xe0\x9f\xbf"));
  CHECK (!VALID ("\xf0\x80\x80\x80"));
  CHECK (!VALID ("\xf0\x8f\xbf\xbf"));
  /* Surrogates U+D800, U+DFFF. */
  CHECK (!VALID ("\xed\xa0\x80"));
  CHECK (!VALID ("\xed\xbf\xbf"));
  /* Above U+10FFFF, and bytes that never occur. */
  CHECK (!VALID ("\xf4\x90\x80\x80"));
  CHECK (!VALID ("\xf5\x80\x80\x80"));
  CHECK (!VALID ("\xf8\x88\x80\x80\x80"));
  CHECK (!VALID ("\xfe"));
  CHECK (!VALID ("\xff"));
  /* Stray continuation bytes. */
  CHECK (!VALID ("\x80"));
  CHECK (!VALID ("\xbf"));
  CHECK (!VALID ("abc\x80"));
  CHECK (!VALID ("\xc3\xa9\xa9"));
  /* A lead byte followed by a non-continuation byte. */
  CHECK (!VALID ("\xc3" "A"));
  CHECK (!VALID ("\xe2\x82" "A"));
  CHECK (!VALID ("\xe2" "A\x82"));
  CHECK (!VALID ("\xf0\x9f\x98" "A"));
  CHECK (!VALID ("\xf0\x9f" "A\x80"));
}

SR_TEST (test_utf8_truncated)
{
  static const char e_acute[] = "\xc3\xa9";
  static const char euro[] = "\xe2\x82\xac";
  static const char smile[] = "\xf0\x9f\x98\x80";

  CHECK (!VALID ("\xc3"));
  CHECK (!VALID ("x\xc3"));
  /* Every proper prefix of a multi-byte sequence is invalid; the length
   * argument, not the NUL, ends the input. */
  CHECK (!sr_utf8_valid (e_acute, 1));
  CHECK (sr_utf8_valid (e_acute, 2));
  for (size_t n = 1; n < 3; n++)
    CHECK (!sr_utf8_valid (euro, n));
  CHECK (sr_utf8_valid (euro, 3));
  for (size_t n = 1; n < 4; n++)
    CHECK (!sr_utf8_valid (smile, n));
  CHECK (sr_utf8_valid (smile, 4));
  /* A valid prefix of a longer invalid string. */
  CHECK (sr_utf8_valid ("ok\xff", 2));
  CHECK (!sr_utf8_valid ("ok\xff", 3));
}

/* ------------------------------------------------------------------ */
/* Buffer                                                              */

SR_TEST (test_buf_cap_exact)
{
  struct sr_buf b;
  char big[40];

  memset (big, 'x', sizeof (big));
  sr_buf_init (&b, 10);
  CHECK_STR_EQ (sr_buf_str (&b), "");
  CHECK_INT_EQ (sr_buf_append (&b, "abcd", 4), SR_OK);
  CHECK_INT_EQ (sr_buf_append (&b, "efghij", 6), SR_OK);
  CHECK_INT_EQ (b.len, 10);
  CHECK_STR_EQ (sr_buf_str (&b), "abcdefghij");
  /* One byte more than max: refused, contents unchanged. */
  CHECK_INT_EQ (sr_buf_append (&b, "k", 1), SR_E_TOO_LARGE);
  CHECK_INT_EQ (b.len, 10);
  CHECK_STR_EQ (sr_buf_str (&b), "abcdefghij");
  CHECK_INT_EQ (sr_buf_puts (&b, "k"), SR_E_TOO_LARGE);
  CHECK_INT_EQ (b.len, 10);
  /* Appending nothing at the cap is fine. */
  CHECK_INT_EQ (sr_buf_append (&b, "", 0), SR_OK);
  CHECK_STR_EQ (sr_buf_str (&b), "abcdefghij");
  sr_buf_clean (&b);

  /* A single append one byte over the cap from empty. */
  sr_buf_init (&b, 10);
  CHECK_INT_EQ (sr_buf_append (&b, big, 11), SR_E_TOO_LARGE);
  CHECK_INT_EQ (b.len, 0);
  CHECK_STR_EQ (sr_buf_str (&b), "");
  CHECK_INT_EQ (sr_buf_append (&b, big, 10), SR_OK);
  CHECK_INT_EQ (b.len, 10);
  sr_buf_clean (&b);

  /* A huge n must not wrap around the check. */
  sr_buf_init (&b, 10);
  CHECK_INT_EQ (sr_buf_append (&b, "ab", 2), SR_OK);
  CHECK_INT_EQ (sr_buf_append (&b, big, (size_t) -1), SR_E_TOO_LARGE);
  CHECK_INT_EQ (b.len, 2);
  CHECK_STR_EQ (sr_buf_str (&b), "ab");
  sr_buf_clean (&b);
}

SR_TEST (test_buf_growth_and_nul)
{
  struct sr_buf b;
  char chunk[100];
  size_t total = 0;

  /* Many appends across several reallocations, larger than the initial
   * allocation; each intermediate state is NUL-terminated and exact. */
  sr_buf_init (&b, 5000);
  for (size_t i = 0; i < 40; i++) {
    memset (chunk, 'a' + (int) (i % 26), sizeof (chunk));
    REQUIRE (SR_OK == sr_buf_append (&b, chunk, sizeof (chunk)));
    total += sizeof (chunk);
    CHECK_INT_EQ (b.len, total);
    CHECK_INT_EQ (strlen (sr_buf_str (&b)), total);
    CHECK ('\0' == b.data[b.len]);
    CHECK (b.cap > b.len);
    CHECK (b.cap <= b.max + 1);
  }
  for (size_t i = 0; i < 40; i++)
    CHECK (b.data[i * 100] == 'a' + (int) (i % 26)
           && b.data[i * 100 + 99] == 'a' + (int) (i % 26));
  sr_buf_clean (&b);
  CHECK (NULL == b.data);
  CHECK_INT_EQ (b.len, 0);

  /* Binary content with NUL bytes keeps its length. */
  sr_buf_init (&b, 16);
  CHECK_INT_EQ (sr_buf_append (&b, "a\0b", 3), SR_OK);
  CHECK_INT_EQ (b.len, 3);
  CHECK (0 == memcmp (b.data, "a\0b", 4));
  sr_buf_clean (&b);
}

SR_TEST (test_buf_reset_steal)
{
  struct sr_buf b;
  char *s;
  size_t len = 99;

  sr_buf_init (&b, 8);
  CHECK_INT_EQ (sr_buf_puts (&b, "12345678"), SR_OK);
  sr_buf_reset (&b);
  CHECK_INT_EQ (b.len, 0);
  CHECK_STR_EQ (sr_buf_str (&b), "");
  CHECK (NULL != b.data);       /* memory kept */
  /* After a reset the full cap is available again. */
  CHECK_INT_EQ (sr_buf_puts (&b, "abcdefgh"), SR_OK);
  CHECK_INT_EQ (sr_buf_puts (&b, "i"), SR_E_TOO_LARGE);

  s = sr_buf_steal (&b, &len);
  REQUIRE (NULL != s);
  CHECK_STR_EQ (s, "abcdefgh");
  CHECK_INT_EQ (len, 8);
  free (s);
  CHECK (NULL == b.data);
  CHECK_INT_EQ (b.len, 0);
  CHECK_STR_EQ (sr_buf_str (&b), "");
  /* The stolen-from buffer is reusable and keeps its ceiling. */
  CHECK_INT_EQ (sr_buf_puts (&b, "xyz"), SR_OK);
  CHECK_STR_EQ (sr_buf_str (&b), "xyz");
  CHECK_INT_EQ (sr_buf_puts (&b, "123456"), SR_E_TOO_LARGE);
  sr_buf_clean (&b);

  /* Stealing from an empty buffer gives "" (never NULL). */
  sr_buf_init (&b, 8);
  len = 99;
  s = sr_buf_steal (&b, &len);
  REQUIRE (NULL != s);
  CHECK_STR_EQ (s, "");
  CHECK_INT_EQ (len, 0);
  free (s);
  s = sr_buf_steal (&b, NULL);
  REQUIRE (NULL != s);
  CHECK_STR_EQ (s, "");
  free (s);
  sr_buf_clean (&b);
}

SR_TEST (test_buf_max_zero)
{
  struct sr_buf b;

  sr_buf_init (&b, 0);
  CHECK_INT_EQ (sr_buf_append (&b, "a", 1), SR_E_TOO_LARGE);
  CHECK_INT_EQ (b.len, 0);
  CHECK_STR_EQ (sr_buf_str (&b), "");
  CHECK_INT_EQ (sr_buf_append (&b, "", 0), SR_OK);
  CHECK_INT_EQ (b.len, 0);
  CHECK_STR_EQ (sr_buf_str (&b), "");
  CHECK_INT_EQ (sr_buf_puts (&b, "x"), SR_E_TOO_LARGE);
  sr_buf_clean (&b);
}

/* ------------------------------------------------------------------ */
/* Status table                                                        */

SR_TEST (test_status_table)
{
  CHECK_INT_EQ (sr_status_http (SR_OK), 200);
  CHECK_STR_EQ (sr_status_code (SR_OK), "ok");
  for (int i = 0; i < SR_STATUS_COUNT_; i++) {
    enum sr_status st = (enum sr_status) i;
    const char *code = sr_status_code (st);
    const char *title = sr_status_title (st);
    unsigned int http = sr_status_http (st);

    REQUIRE (NULL != code && NULL != title);
    CHECK (strlen (code) > 0);
    CHECK (strlen (title) > 0);
    for (const char *p = code; *p; p++)
      CHECK (islower ((unsigned char) *p) || '_' == *p);
    if (SR_OK != st) {
      if (http < 400 || http > 599)
        fprintf (stderr, "status %d (%s) maps to HTTP %u\n", i, code, http);
      CHECK (http >= 400 && http <= 599);
    }
    for (int k = 0; k < i; k++)
      if (0 == strcmp (code, sr_status_code ((enum sr_status) k))) {
        fprintf (stderr, "statuses %d and %d share code %s\n", k, i, code);
        CHECK (false);
      }
  }
  /* Client errors are 4xx, ours 5xx. */
  CHECK_INT_EQ (sr_status_http (SR_E_NOT_FOUND), 404);
  CHECK_INT_EQ (sr_status_http (SR_E_METHOD), 405);
  CHECK_INT_EQ (sr_status_http (SR_E_TOO_LARGE), 413);
  CHECK_INT_EQ (sr_status_http (SR_E_UNAUTHENTICATED), 401);
  CHECK_INT_EQ (sr_status_http (SR_E_FORBIDDEN), 403);
  CHECK_INT_EQ (sr_status_http (SR_E_INTERNAL), 500);
  CHECK_STR_EQ (sr_status_code (SR_E_BAD_JSON), "invalid_json");
  /* Out-of-range values fall back to internal_error, never crash. */
  CHECK_STR_EQ (sr_status_code (SR_STATUS_COUNT_), "internal_error");
  CHECK_INT_EQ (sr_status_http ((enum sr_status) 1000), 500);
}

SR_TEST (test_status_codes_in_openapi)
{
  char *yaml = sr_test_slurp (OPENAPI_PATH);
  const char *codes[MAX_CODES];
  size_t n;

  REQUIRE (NULL != yaml);
  n = openapi_problem_codes (yaml, codes, MAX_CODES);
  REQUIRE (n > 0);
  /* Every error code is documented ... */
  for (int i = 1; i < SR_STATUS_COUNT_; i++) {
    const char *code = sr_status_code ((enum sr_status) i);

    if (!str_in (code, codes, n)) {
      fprintf (stderr, "code %s missing from the Problem enum\n", code);
      CHECK (false);
    }
  }
  /* ... and every documented code exists, once. */
  for (size_t k = 0; k < n; k++) {
    bool found = false;

    for (int i = 1; i < SR_STATUS_COUNT_; i++)
      if (0 == strcmp (codes[k], sr_status_code ((enum sr_status) i)))
        found = true;
    if (!found) {
      fprintf (stderr, "Problem enum lists unknown code %s\n", codes[k]);
      CHECK (false);
    }
    if (str_in (codes[k], codes, k)) {
      fprintf (stderr, "Problem enum lists %s twice\n", codes[k]);
      CHECK (false);
    }
  }
  CHECK_INT_EQ (n, SR_STATUS_COUNT_ - 1);
  free (yaml);
}

/* ------------------------------------------------------------------ */
/* Router                                                              */

static const char *const things_query[] = { "limit", "cursor", NULL };

static const struct sr_route things[] = {
  { .method = "GET", .path = "/things", .policy = SR_AUTH_PUBLIC,
    .query = things_query, .summary = "list" },
  { .method = "POST", .path = "/things", .policy = SR_AUTH_SERVICE_ROLE,
    .body_type = "application/json", .max_body = 1024, .summary = "create" },
  { .method = "GET", .path = "/things/{id}", .policy = SR_AUTH_AUTHENTICATED,
    .summary = "one" },
  { .method = "DELETE", .path = "/things/{id}",
    .policy = SR_AUTH_SERVICE_ROLE, .summary = "remove" },
  { .method = "GET", .path = "/things/{id}/parts/{part}",
    .policy = SR_AUTH_AUTHENTICATED, .summary = "part" },
  { .method = "GET", .path = "/", .policy = SR_AUTH_PUBLIC,
    .summary = "root" },
};

#define N_THINGS (sizeof (things) / sizeof (things[0]))

/* Match against the local table; *idx receives the route's index or -1. */
static enum sr_status
match_things (const char *method, const char *path, struct sr_request *req,
              int *idx, char *allow, size_t allowlen)
{
  const struct sr_route *out = &things[0];
  enum sr_status st;

  memset (req, 0, sizeof (*req));
  st = sr_router_match (things, N_THINGS, method, path, req, &out, allow,
                        allowlen);
  *idx = NULL == out ? -1 : (int) (out - things);
  return st;
}

SR_TEST (test_router_exact_and_params)
{
  struct sr_request req;
  char allow[64];
  int idx;

  CHECK_INT_EQ (match_things ("GET", "/things", &req, &idx, allow,
                              sizeof (allow)), SR_OK);
  CHECK_INT_EQ (idx, 0);
  CHECK_INT_EQ (req.n_path_params, 0);
  free_params (&req);

  CHECK_INT_EQ (match_things ("POST", "/things", &req, &idx, allow,
                              sizeof (allow)), SR_OK);
  CHECK_INT_EQ (idx, 1);
  free_params (&req);

  CHECK_INT_EQ (match_things ("GET", "/", &req, &idx, allow,
                              sizeof (allow)), SR_OK);
  CHECK_INT_EQ (idx, 5);
  free_params (&req);

  CHECK_INT_EQ (match_things ("GET", "/things/42", &req, &idx, allow,
                              sizeof (allow)), SR_OK);
  CHECK_INT_EQ (idx, 2);
  CHECK_INT_EQ (req.n_path_params, 1);
  CHECK_STR_EQ (req.path_params[0], "42");
  CHECK (NULL == req.path_params[1]);
  free_params (&req);

  CHECK_INT_EQ (match_things ("DELETE", "/things/abc-1", &req, &idx, allow,
                              sizeof (allow)), SR_OK);
  CHECK_INT_EQ (idx, 3);
  CHECK_STR_EQ (req.path_params[0], "abc-1");
  free_params (&req);

  CHECK_INT_EQ (match_things ("GET", "/things/a1/parts/caf\xc3\xa9", &req,
                              &idx, allow, sizeof (allow)), SR_OK);
  CHECK_INT_EQ (idx, 4);
  CHECK_INT_EQ (req.n_path_params, 2);
  CHECK_STR_EQ (req.path_params[0], "a1");
  CHECK_STR_EQ (req.path_params[1], "caf\xc3\xa9");
  free_params (&req);

  /* HEAD is served by the GET route. */
  CHECK_INT_EQ (match_things ("HEAD", "/things/7", &req, &idx, allow,
                              sizeof (allow)), SR_OK);
  CHECK_INT_EQ (idx, 2);
  CHECK_STR_EQ (req.path_params[0], "7");
  free_params (&req);
}

SR_TEST (test_router_not_found)
{
  static const char *const paths[] = {
    "/things/", "//things", "/things//", "/things//parts/x",
    "/things/1/parts/", "/things/1/parts", "/things/1/parts/x/",
    "/things/1/parts//x", "/thing", "/thingsx", "/things/1/2", "",
    "things", "//", "/THINGS"
  };
  struct sr_request req;
  char allow[64];
  int idx;

  for (size_t i = 0; i < sizeof (paths) / sizeof (paths[0]); i++) {
    enum sr_status st = match_things ("GET", paths[i], &req, &idx, allow,
                                      sizeof (allow));

    if (SR_E_NOT_FOUND != st)
      fprintf (stderr, "path \"%s\": status %d\n", paths[i], (int) st);
    CHECK_INT_EQ (st, SR_E_NOT_FOUND);
    CHECK_INT_EQ (idx, -1);
    CHECK_INT_EQ (req.n_path_params, 0);
    CHECK (NULL == req.path_params[0]);
    CHECK_STR_EQ (allow, "");
    free_params (&req);
  }
}

SR_TEST (test_router_wrong_method)
{
  struct sr_request req;
  char allow[64];
  char tiny[6];
  int idx;

  CHECK_INT_EQ (match_things ("PUT", "/things", &req, &idx, allow,
                              sizeof (allow)), SR_E_METHOD);
  CHECK_INT_EQ (idx, -1);
  CHECK_STR_EQ (allow, "GET, HEAD, POST");
  CHECK_INT_EQ (req.n_path_params, 0);
  free_params (&req);

  CHECK_INT_EQ (match_things ("PATCH", "/things/9", &req, &idx, allow,
                              sizeof (allow)), SR_E_METHOD);
  CHECK_STR_EQ (allow, "GET, HEAD, DELETE");
  CHECK (NULL == req.path_params[0]);
  free_params (&req);

  CHECK_INT_EQ (match_things ("POST", "/things/9/parts/1", &req, &idx,
                              allow, sizeof (allow)), SR_E_METHOD);
  CHECK_STR_EQ (allow, "GET, HEAD");
  free_params (&req);

  /* The allow list is truncated, still NUL-terminated, never overflows. */
  memset (tiny, 'Z', sizeof (tiny));
  CHECK_INT_EQ (match_things ("PUT", "/things", &req, &idx, tiny, 5),
                SR_E_METHOD);
  CHECK (strlen (tiny) < 5);
  CHECK (0 == strncmp (tiny, "GET, HEAD, POST", strlen (tiny)));
  CHECK ('Z' == tiny[5]);
  free_params (&req);
}

SR_TEST (test_router_accepts_query)
{
  CHECK (sr_router_accepts_query (&things[0], "limit"));
  CHECK (sr_router_accepts_query (&things[0], "cursor"));
  CHECK (!sr_router_accepts_query (&things[0], "LIMIT"));
  CHECK (!sr_router_accepts_query (&things[0], "lim"));
  CHECK (!sr_router_accepts_query (&things[0], "limits"));
  CHECK (!sr_router_accepts_query (&things[0], ""));
  CHECK (!sr_router_accepts_query (&things[1], "limit"));
}

SR_TEST (test_router_real_routes)
{
  struct sr_request req;
  static const char *const missing[] = { "/v1/me/", "/v1//me", "/v1/nope",
                                         "/healthz/", "/v1", "/" };
  const struct sr_route *out = NULL;
  char allow[64];

  memset (&req, 0, sizeof (req));
  CHECK_INT_EQ (sr_router_match (sr_routes, sr_routes_count, "GET",
                                 "/healthz", &req, &out, allow,
                                 sizeof (allow)), SR_OK);
  REQUIRE (NULL != out);
  CHECK_STR_EQ (out->path, "/healthz");
  CHECK_INT_EQ (out->policy, SR_AUTH_PUBLIC);
  CHECK (!sr_router_accepts_query (out, "verbose"));
  free_params (&req);

  memset (&req, 0, sizeof (req));
  CHECK_INT_EQ (sr_router_match (sr_routes, sr_routes_count, "HEAD",
                                 "/readyz", &req, &out, allow,
                                 sizeof (allow)), SR_OK);
  REQUIRE (NULL != out);
  CHECK_STR_EQ (out->path, "/readyz");
  free_params (&req);

  memset (&req, 0, sizeof (req));
  CHECK_INT_EQ (sr_router_match (sr_routes, sr_routes_count, "POST",
                                 "/healthz", &req, &out, allow,
                                 sizeof (allow)), SR_E_METHOD);
  CHECK (NULL == out);
  CHECK_STR_EQ (allow, "GET, HEAD");
  free_params (&req);

  memset (&req, 0, sizeof (req));
  CHECK_INT_EQ (sr_router_match (sr_routes, sr_routes_count, "GET",
                                 "/v1/log-level", &req, &out, allow,
                                 sizeof (allow)), SR_E_METHOD);
  CHECK_STR_EQ (allow, "PUT");
  free_params (&req);

  /* HEAD is only implied by GET: a PUT-only route refuses it. */
  memset (&req, 0, sizeof (req));
  CHECK_INT_EQ (sr_router_match (sr_routes, sr_routes_count, "HEAD",
                                 "/v1/log-level", &req, &out, allow,
                                 sizeof (allow)), SR_E_METHOD);
  CHECK_STR_EQ (allow, "PUT");
  free_params (&req);

  memset (&req, 0, sizeof (req));
  CHECK_INT_EQ (sr_router_match (sr_routes, sr_routes_count, "PUT",
                                 "/v1/log-level", &req, &out, allow,
                                 sizeof (allow)), SR_OK);
  REQUIRE (NULL != out);
  CHECK_INT_EQ (out->policy, SR_AUTH_SERVICE_ROLE);
  CHECK_STR_EQ (out->body_type, "application/json");
  free_params (&req);

  for (size_t i = 0; i < sizeof (missing) / sizeof (missing[0]); i++) {
    memset (&req, 0, sizeof (req));
    CHECK_INT_EQ (sr_router_match (sr_routes, sr_routes_count, "GET",
                                   missing[i], &req, &out, allow,
                                   sizeof (allow)), SR_E_NOT_FOUND);
    CHECK (NULL == out);
    free_params (&req);
  }
}

SR_TEST (test_route_table_sane)
{
  REQUIRE (sr_routes_count > 0);
  for (size_t i = 0; i < sr_routes_count; i++) {
    const struct sr_route *r = &sr_routes[i];

    CHECK (NULL != r->handler);
    CHECK (NULL != r->summary && '\0' != r->summary[0]);
    CHECK ('/' == r->path[0]);
    /* A body type and a body cap come together. */
    CHECK ((NULL == r->body_type) == (0 == r->max_body));
    for (size_t k = 0; k < i; k++)
      if (0 == strcmp (r->method, sr_routes[k].method)
          && 0 == strcmp (r->path, sr_routes[k].path)) {
        fprintf (stderr, "route %s %s listed twice\n", r->method, r->path);
        CHECK (false);
      }
  }
}

SR_TEST (test_routes_match_openapi)
{
  char *yaml = sr_test_slurp (OPENAPI_PATH);
  struct api_op ops[MAX_OPS];
  size_t n;

  REQUIRE (NULL != yaml);
  n = openapi_operations (yaml, ops, MAX_OPS);
  REQUIRE (n > 0);

  for (size_t i = 0; i < sr_routes_count; i++) {
    const struct sr_route *r = &sr_routes[i];
    const struct api_op *op = NULL;

    for (size_t k = 0; k < n; k++)
      if (0 == strcmp (ops[k].method, r->method)
          && 0 == strcmp (ops[k].path, r->path))
        op = &ops[k];
    if (NULL == op) {
      fprintf (stderr, "route %s %s is not in openapi.yaml\n", r->method,
               r->path);
      CHECK (false);
      continue;
    }
    if (SR_AUTH_PUBLIC == r->policy) {
      if (!op->security_empty || NULL != op->x_role)
        fprintf (stderr, "public route %s %s: want security: [] and no "
                 "x-role\n", r->method, r->path);
      CHECK (op->security_empty);
      CHECK (NULL == op->x_role);
    } else {
      const char *want = sr_auth_policy_name (r->policy);

      if (NULL == op->x_role || 0 != strcmp (op->x_role, want))
        fprintf (stderr, "route %s %s: x-role %s, policy %s\n", r->method,
                 r->path, op->x_role ? op->x_role : "(none)", want);
      CHECK_STR_EQ (op->x_role, want);
      CHECK (op->has_security && !op->security_empty);
    }
  }

  for (size_t k = 0; k < n; k++) {
    bool found = false;

    for (size_t i = 0; i < sr_routes_count; i++)
      if (0 == strcmp (ops[k].method, sr_routes[i].method)
          && 0 == strcmp (ops[k].path, sr_routes[i].path))
        found = true;
    if (!found) {
      fprintf (stderr, "openapi.yaml documents %s %s, which has no route\n",
               ops[k].method, ops[k].path);
      CHECK (false);
    }
  }
  CHECK_INT_EQ (n, sr_routes_count);
  free (yaml);
}

SR_TEST_MAIN (SR_TEST_ENTRY (test_utf8_valid_forms),
              SR_TEST_ENTRY (test_utf8_invalid_forms),
              SR_TEST_ENTRY (test_utf8_truncated),
              SR_TEST_ENTRY (test_buf_cap_exact),
              SR_TEST_ENTRY (test_buf_growth_and_nul),
              SR_TEST_ENTRY (test_buf_reset_steal),
              SR_TEST_ENTRY (test_buf_max_zero),
              SR_TEST_ENTRY (test_status_table),
              SR_TEST_ENTRY (test_status_codes_in_openapi),
              SR_TEST_ENTRY (test_router_exact_and_params),
              SR_TEST_ENTRY (test_router_not_found),
              SR_TEST_ENTRY (test_router_wrong_method),
              SR_TEST_ENTRY (test_router_accepts_query),
              SR_TEST_ENTRY (test_router_real_routes),
              SR_TEST_ENTRY (test_route_table_sane),
              SR_TEST_ENTRY (test_routes_match_openapi))
