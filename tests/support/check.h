/*
 * check.h -- the smallest test runner that does the job.
 *
 * A test binary defines test functions with SR_TEST(name) and lists them in
 * SR_TEST_MAIN(...).  Each CHECK records a failure with file:line and the
 * test goes on, so one run shows every broken expectation; REQUIRE stops
 * the current test.  The binary exits 0 when all passed, 1 otherwise, and
 * 77 (ctest "skipped") only when a test calls SR_SKIP, which the harness
 * never lets happen under ctest (see tests/CMakeLists.txt).
 *
 * Run one test by name: ./test_x name
 */
#ifndef SR_TEST_CHECK_H
#define SR_TEST_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int sr_test_failures_;
extern int sr_test_skipped_;

#define SR_TEST(name) static void name (void)

#define CHECK(cond)                                                        \
  do {                                                                     \
    if (!(cond)) {                                                         \
      fprintf (stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__,    \
               #cond);                                                     \
      sr_test_failures_++;                                                 \
    }                                                                      \
  } while (0)

#define REQUIRE(cond)                                                      \
  do {                                                                     \
    if (!(cond)) {                                                         \
      fprintf (stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__,  \
               #cond);                                                     \
      sr_test_failures_++;                                                 \
      return;                                                              \
    }                                                                      \
  } while (0)

#define CHECK_INT_EQ(a, b)                                                 \
  do {                                                                     \
    long long a_ = (long long) (a), b_ = (long long) (b);                  \
    if (a_ != b_) {                                                        \
      fprintf (stderr, "%s:%d: CHECK failed: %s == %s (%lld != %lld)\n",   \
               __FILE__, __LINE__, #a, #b, a_, b_);                        \
      sr_test_failures_++;                                                 \
    }                                                                      \
  } while (0)

#define CHECK_STR_EQ(a, b)                                                 \
  do {                                                                     \
    const char *a_ = (a), *b_ = (b);                                       \
    if (NULL == a_ || NULL == b_ || 0 != strcmp (a_, b_)) {                \
      fprintf (stderr, "%s:%d: CHECK failed: %s == %s (\"%s\" != \"%s\")\n",\
               __FILE__, __LINE__, #a, #b, a_ ? a_ : "(null)",             \
               b_ ? b_ : "(null)");                                        \
      sr_test_failures_++;                                                 \
    }                                                                      \
  } while (0)

#define CHECK_CONTAINS(hay, needle)                                        \
  do {                                                                     \
    const char *h_ = (hay), *n_ = (needle);                                \
    if (NULL == h_ || NULL == strstr (h_, n_)) {                           \
      fprintf (stderr, "%s:%d: CHECK failed: \"%s\" not in %s (\"%.400s\")\n",\
               __FILE__, __LINE__, n_, #hay, h_ ? h_ : "(null)");          \
      sr_test_failures_++;                                                 \
    }                                                                      \
  } while (0)

#define SR_SKIP(why)                                                       \
  do {                                                                     \
    fprintf (stderr, "SKIP: %s\n", why);                                   \
    sr_test_skipped_ = 1;                                                  \
    return;                                                                \
  } while (0)

struct sr_test_case {
  const char *name;
  void (*fn) (void);
};

#define SR_TEST_ENTRY(fn) { #fn, fn }

/** Whole file as a NUL-terminated string (caller frees), or NULL. */
char *sr_test_slurp (const char *path);

/**
 * A fake environment for sr_config_load(): @a ctx is a NULL-terminated
 * list of name, value pairs.
 */
const char *sr_test_env_get (void *ctx, const char *name);

int sr_test_run (int argc, char **argv, const struct sr_test_case *cases,
                 size_t n);

#define SR_TEST_MAIN(...)                                                  \
  int main (int argc, char **argv)                                         \
  {                                                                        \
    static const struct sr_test_case cases_[] = { __VA_ARGS__ };           \
    return sr_test_run (argc, argv, cases_,                                \
                        sizeof (cases_) / sizeof (cases_[0]));             \
  }

#endif /* SR_TEST_CHECK_H */
