/*
 * bench_csv.c -- throughput of the CSV parser on Sticky.io-like exports.
 *
 * Generates ~100 MB of order rows in memory (129 columns with the value
 * shapes of the real export: mostly short flags and numbers, names,
 * addresses of which ~21% contain a comma and are quoted, a product
 * description with a comma and an escaped quote, CRLF line ends), then
 * parses it as the S3 loader would: fed in 64 KiB network-sized chunks,
 * and once in 1 MiB chunks.  Reports the best of five runs in MB/s
 * (10^6 bytes).  The floor to beat is PostgreSQL COPY, ~100 MB/s on one
 * core (reference/environment.md section 3); the target is >= 400.
 *
 *   ./tests/bench_csv [megabytes]
 */
#include "clock.h"
#include "csv.h"
#include "status.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define COLUMNS 129

struct gen {
  char *buf;
  size_t len;
  size_t cap;
  uint64_t rng;
};

static uint64_t
rnd (struct gen *g)
{
  g->rng ^= g->rng >> 12;
  g->rng ^= g->rng << 25;
  g->rng ^= g->rng >> 27;
  return g->rng * 0x2545F4914F6CDD1Du;
}

static unsigned int
pick (struct gen *g, unsigned int n)
{
  return (unsigned int) (rnd (g) % n);
}

static void
put (struct gen *g, const char *s, size_t n)
{
  if (g->len + n > g->cap) {
    fprintf (stderr, "generator overflow\n");
    exit (1);
  }
  memcpy (g->buf + g->len, s, n);
  g->len += n;
}

static void
puts_ (struct gen *g, const char *s)
{
  put (g, s, strlen (s));
}

static void
digits (struct gen *g, unsigned int n)
{
  char d[32];

  for (unsigned int i = 0; i < n; i++)
    d[i] = (char) ('0' + pick (g, 10));
  if (n > 0 && '0' == d[0])
    d[0] = '1';
  put (g, d, n);
}

static void
hex (struct gen *g, unsigned int n)
{
  static const char x[] = "0123456789abcdef";
  char d[40];

  for (unsigned int i = 0; i < n; i++)
    d[i] = x[pick (g, 16)];
  put (g, d, n);
}

static void
one_of (struct gen *g, const char *const *v, unsigned int n)
{
  puts_ (g, v[pick (g, n)]);
}

#define ONE_OF(g, ...)                                                     \
  do {                                                                     \
    static const char *const v_[] = { __VA_ARGS__ };                       \
    one_of (g, v_, sizeof (v_) / sizeof (v_[0]));                          \
  } while (0)

/* Person-ish values for one row, shared by billing_* and delivery_*. */
struct person {
  unsigned int first, last, street, city, state;
  unsigned int house, apt;
  char zip[11];
  char phone[12];
};

static const char *const firsts[] = {
  "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael",
  "Linda", "William", "Elizabeth", "David", "Barbara", "Richard", "Susan",
  "Joseph", "Jessica", "Thomas", "Sarah", "Christopher", "Karen"
};
static const char *const lasts[] = {
  "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller",
  "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez",
  "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin"
};
static const char *const streets[] = {
  "Main St", "Oak Avenue", "Pine Road", "Maple Drive", "Cedar Lane",
  "Elm Street", "Washington Blvd", "Lake View Dr", "Hillcrest Rd",
  "Sunset Boulevard"
};
static const char *const cities[] = {
  "Springfield", "Riverside", "Franklin", "Greenville", "Bristol",
  "Clinton", "Fairview", "Salem", "Madison", "Georgetown"
};
static const char *const states[] = {
  "TX", "FL", "CA", "OH", "PA", "GA", "NC", "MI", "AZ", "TN"
};

static void
address (struct gen *g, const struct person *pp)
{
  char tmp[96];
  int n;

  if (pp->apt > 0)
    n = snprintf (tmp, sizeof (tmp), "\"%u %s, Apt %u\"", pp->house,
                  streets[pp->street], pp->apt);
  else
    n = snprintf (tmp, sizeof (tmp), "%u %s", pp->house,
                  streets[pp->street]);
  put (g, tmp, (size_t) n);
}

static void
email (struct gen *g, const struct person *pp)
{
  char tmp[96];
  int n = snprintf (tmp, sizeof (tmp), "%s.%s%u@example.com",
                    firsts[pp->first], lasts[pp->last], pp->house % 100);

  for (int i = 0; i < n; i++)
    if (tmp[i] >= 'A' && tmp[i] <= 'Z')
      tmp[i] = (char) (tmp[i] - 'A' + 'a');
  put (g, tmp, (size_t) n);
}

static void
date (struct gen *g)
{
  char tmp[16];
  int n = snprintf (tmp, sizeof (tmp), "12/%02u/2025", 1 + pick (g, 28));

  put (g, tmp, (size_t) n);
}

static void
timeofday (struct gen *g)
{
  char tmp[16];
  int n = snprintf (tmp, sizeof (tmp), "%02u:%02u %s", 1 + pick (g, 12),
                    pick (g, 60), pick (g, 2) ? "AM" : "PM");

  put (g, tmp, (size_t) n);
}

/* One field of column @a c (1-based, as in original-system.md 3.3). */
static void
field (struct gen *g, unsigned int c, const struct person *pp, bool declined)
{
  unsigned int k = c >= 13 && c <= 22 ? c - 10 : c;   /* delivery = billing */

  switch (k) {
  case 1: digits (g, 7); return;
  case 2: if (pick (g, 3)) puts_ (g, "Recurring Order Processor"); return;
  case 3: puts_ (g, firsts[pp->first]); return;
  case 4: puts_ (g, lasts[pp->last]); return;
  case 5: address (g, pp); return;
  case 6: if (0 == pick (g, 10)) puts_ (g, "Unit 4"); return;
  case 7: puts_ (g, cities[pp->city]); return;
  case 8: puts_ (g, states[pp->state]); return;
  case 9: puts_ (g, pp->zip); return;
  case 10: puts_ (g, "United States of America"); return;
  case 11: puts_ (g, pp->phone); return;
  case 12: email (g, pp); return;
  case 23: ONE_OF (g, "NA", "Free Shipping"); return;
  case 24: case 25: case 26:
    if (0 == pick (g, 4)) puts_ (g, 25 == k ? "First Class Mail" : "FIRST");
    return;
  case 27: case 28: case 32: case 33: case 34: case 42: case 86: case 98:
  case 110: case 119: case 126: case 128:
    puts_ (g, "0");
    return;
  case 29: case 30: case 60: case 62: case 65: case 70: case 81: case 85:
  case 118:
    puts_ (g, "NO");
    return;
  case 31: case 35: case 105: ONE_OF (g, "95", "35", "19", "55", "29");
    return;
  case 36: case 73: date (g); return;
  case 37: timeofday (g); return;
  case 39: case 45: case 57: case 94: digits (g, 3); return;
  case 40: if (pick (g, 4)) digits (g, 6); else puts_ (g, "0"); return;
  case 41: puts_ (g, "2025-11-03"); return;
  case 43: digits (g, 6); puts_ (g, "******"); digits (g, 4); return;
  case 44: digits (g, 4); return;
  case 46: puts_ (g, "merchant-pay-"); digits (g, 3); return;
  case 47: puts_ (g, "0.00"); return;
  case 48: ONE_OF (g, "10.00", "0.00"); return;
  case 49: ONE_OF (g, "0.00", "0.07", "0.25", "0.30"); return;
  case 50: ONE_OF (g, "0.00", "25.00", "30.00"); return;
  case 51: puts_ (g, "CCW*MEMBERSHIP 8885551234"); return;
  case 52: puts_ (g, "(888) 555-1234"); return;
  case 53:
    digits (g, 2); puts_ (g, "."); digits (g, 3); puts_ (g, ".");
    digits (g, 2); puts_ (g, "."); digits (g, 3);
    return;
  case 54: puts_ (g, declined ? "DECLINED" : "NEW"); return;
  case 55: if (declined) puts_ (g, "Insufficient funds"); return;
  case 56: case 72: case 104: case 116: case 120: ONE_OF (g, "YES", "NO");
    return;
  case 58: if (0 == pick (g, 5)) puts_ (g, "Do Not Honor"); return;
  case 66: case 67: puts_ (g, "NA"); return;
  case 74: case 80: puts_ (g, "N/A"); return;
  case 76: if (declined) puts_ (g, "0"); else digits (g, 11); return;
  case 77: if (declined) puts_ (g, "0"); else hex (g, 6); return;
  case 78: puts_ (g, "YES"); return;
  case 79: puts_ (g, "Initial"); return;
  case 91: digits (g, 1 + pick (g, 2)); return;
  case 92: if (pick (g, 2)) hex (g, 24); return;
  case 97: if (pick (g, 2)) digits (g, 7); return;
  case 99: digits (g, 1); return;
  case 100: case 117: if (pick (g, 2)) digits (g, 7); else puts_ (g, "0");
    return;
  case 101: case 113: digits (g, 4); return;
  case 102: case 114:
    ONE_OF (g, "CCW Membership - Monthly", "Concealed Carry Course",
            "CCW Gold Annual Plan");
    return;
  case 106: puts_ (g, "CCW-"); digits (g, 4); return;
  case 107: puts_ (g, "CCW"); return;
  case 108:
    /* The generator of environment.md has a description with a comma and
     * an embedded quote in some rows. */
    if (0 == pick (g, 8))
      puts_ (g, "\"Online course, with \"\"lifetime\"\" access\"");
    return;
  case 109: puts_ (g, "1"); return;
  case 115: date (g); puts_ (g, " "); timeofday (g); return;
  case 121: puts_ (g, "No"); return;
  case 124: ONE_OF (g, "0", "1"); return;
  case 125: if (pick (g, 2)) hex (g, 32); return;
  case 129: digits (g, 1 + pick (g, 2)); return;
  default: return;            /* the many always-empty columns */
  }
}

static void
row (struct gen *g)
{
  struct person pp;
  bool declined = pick (g, 100) < 77;

  pp.first = pick (g, 20);
  pp.last = pick (g, 20);
  pp.street = pick (g, 10);
  pp.city = pick (g, 10);
  pp.state = pick (g, 10);
  pp.house = 100 + pick (g, 9900);
  pp.apt = pick (g, 100) < 21 ? 1 + pick (g, 400) : 0;
  (void) snprintf (pp.zip, sizeof (pp.zip), "%05u", pick (g, 100000));
  (void) snprintf (pp.phone, sizeof (pp.phone), "%u%07u",
                   200 + pick (g, 800), pick (g, 10000000));
  for (unsigned int c = 1; c <= COLUMNS; c++) {
    if (c > 1)
      put (g, ",", 1);
    field (g, c, &pp, declined);
  }
  put (g, "\r\n", 2);
}

struct sink {
  uint64_t fields;
  uint64_t bytes;
  uint64_t wrong;               /* records without 129 fields, bad ones */
};

static enum sr_status
sink_cb (void *cls, enum sr_csv_event ev, const struct sr_csv_record *rec,
         const char *reason)
{
  struct sink *s = cls;

  if (SR_CSV_RECORD != ev || COLUMNS != rec->n_fields) {
    s->wrong++;
    return SR_OK;
  }
  s->fields += rec->n_fields;
  /* Touch every field, as a loader would. */
  for (size_t i = 0; i < rec->n_fields; i++)
    s->bytes += rec->fields[i].len;
  return SR_OK;
}

/* Seconds on the monotonic clock (clock.h's). */
static double
now_s (void)
{
  return (double) sr_now_us () / 1e6;
}

static double
parse (const char *data, size_t len, size_t chunk, struct sink *s)
{
  struct sr_csv *p = sr_csv_new (0, sink_cb, s);
  double t0 = now_s ();

  for (size_t pos = 0; pos < len; pos += chunk) {
    size_t n = len - pos < chunk ? len - pos : chunk;

    if (SR_OK != sr_csv_feed (p, data + pos, n)) {
      fprintf (stderr, "feed failed\n");
      exit (1);
    }
  }
  if (SR_OK != sr_csv_finish (p)) {
    fprintf (stderr, "finish failed\n");
    exit (1);
  }
  t0 = now_s () - t0;
  sr_csv_free (p);
  return t0;
}

int
main (int argc, char **argv)
{
  size_t mb = argc > 1 ? (size_t) strtoul (argv[1], NULL, 10) : 100;
  struct gen g = { NULL, 0, 0, 0x243F6A8885A308D3u };
  static const size_t chunks[] = { 65536, 1 << 20 };
  uint64_t rows = 0;

  if (0 == mb)
    mb = 100;
  g.cap = mb * 1000000 + 8192;
  g.buf = malloc (g.cap);
  if (NULL == g.buf)
    return 1;
  while (g.len < mb * 1000000) {
    row (&g);
    rows++;
  }
  printf ("bench_csv: %" PRIu64 " rows x %d columns, %.1f MB, %.0f B/row\n",
          rows, COLUMNS, (double) g.len / 1e6, (double) g.len / (double) rows);
  for (size_t c = 0; c < sizeof (chunks) / sizeof (chunks[0]); c++) {
    double best = 1e9;
    struct sink s;

    for (int r = 0; r < 5; r++) {
      double t;

      memset (&s, 0, sizeof (s));
      t = parse (g.buf, g.len, chunks[c], &s);
      if (t < best)
        best = t;
    }
    if (0 != s.wrong || s.fields != rows * COLUMNS) {
      fprintf (stderr, "bench_csv: wrong parse (%" PRIu64 " bad)\n", s.wrong);
      return 1;
    }
    printf ("  %7zu-byte chunks: %7.1f MB/s  %9.0f rows/s  (best of 5, "
            "%.3f s)\n", chunks[c], (double) g.len / 1e6 / best,
            (double) rows / best, best);
  }
  free (g.buf);
  return 0;
}
