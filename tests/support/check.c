/*
 * check.c -- runner behind check.h.
 */
#include "check.h"

#include <time.h>

int sr_test_failures_;
int sr_test_skipped_;

static double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

char *
sr_test_slurp (const char *path)
{
  FILE *f = fopen (path, "rb");
  char *data = NULL;
  size_t len = 0;
  size_t cap = 0;

  if (NULL == f)
    return NULL;
  for (;;) {
    size_t got;

    if (cap - len < 4096) {
      char *grown = realloc (data, cap + 65536);

      if (NULL == grown) {
        free (data);
        (void) fclose (f);
        return NULL;
      }
      data = grown;
      cap += 65536;
    }
    got = fread (data + len, 1, cap - len - 1, f);
    len += got;
    if (0 == got)
      break;
  }
  if (0 != ferror (f)) {
    free (data);
    (void) fclose (f);
    return NULL;
  }
  if (0 != fclose (f)) {
    free (data);
    return NULL;
  }
  data[len] = '\0';
  return data;
}

int
sr_test_run (int argc, char **argv, const struct sr_test_case *cases,
             size_t n)
{
  int ran = 0;
  int failed_tests = 0;

  for (size_t i = 0; i < n; i++) {
    if (argc > 1 && 0 != strcmp (argv[1], cases[i].name))
      continue;
    int before = sr_test_failures_;
    double t0 = now_s ();

    fprintf (stderr, "-- %s\n", cases[i].name);
    cases[i].fn ();
    ran++;
    if (sr_test_failures_ != before) {
      failed_tests++;
      fprintf (stderr, "FAIL %s (%.3f s)\n", cases[i].name, now_s () - t0);
    } else {
      fprintf (stderr, "ok   %s (%.3f s)\n", cases[i].name, now_s () - t0);
    }
  }
  if (0 == ran) {
    fprintf (stderr, "no test named %s\n", argc > 1 ? argv[1] : "(any)");
    return 1;
  }
  fprintf (stderr, "%d test(s), %d failed, %d check failure(s)\n", ran,
           failed_tests, sr_test_failures_);
  if (failed_tests > 0)
    return 1;
  return sr_test_skipped_ ? 77 : 0;
}

/* end of check.c */

const char *
sr_test_env_get (void *ctx, const char *name)
{
  const char *const *kv = ctx;

  for (size_t i = 0; NULL != kv[i]; i += 2)
    if (0 == strcmp (kv[i], name))
      return kv[i + 1];
  return NULL;
}
