/* t-rates.c: branches whose counts give prediction rates of every kind (exact halves, thirds,
 * ties at the 15th and 17th digit, counts above 2^53): check.py's "rates" compares each rate's
 * text in the profile with cJSON's ("%1.15g" when it reads back as the same double, else
 * "%1.17g"). The metadata is written at start-up, before the module registers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-plugin.h"

#define NB 3000                  /* branches */
#define NC (1 + 2 * NB)          /* counter 0: main's entry */

static __thread uint64_t counters[NC];
static uint8_t untimed[1];
static uint64_t *tls(void) { return counters; }
static struct __cprof_module module = {CPROF_ABI_VERSION, NC, 1, 0, NULL, tls, 0, untimed};

static uint64_t lcg = 88172645463325252ull;
static uint64_t next(void) {
  lcg ^= lcg << 13;
  lcg ^= lcg >> 7;
  lcg ^= lcg << 17;
  return lcg;
}

int main(void) {
  size_t cap = 256 + (size_t)NB * 64;
  char *meta = malloc(cap), *p = meta;
  p += sprintf(p, "cprof-metadata\t1\nmodule\tt-rates.c\t/src/rates\n"
                  "F\t0\t0\tt-rates.c\t1\t1\tmain\tmain\t-\n");
  for (int b = 0; b < NB; b++)
    p += sprintf(p, "B\t0\t%d\t%d\tt-rates.c\t%d\t1\n", 1 + 2 * b, 2 + 2 * b, 10 + b);
  module.metadata = meta;
  __cprof_register(&module);
  if (!__cprof_active)
    return 0;
  counters[0] = 1;
  for (int b = 0; b < NB; b++) {
    uint64_t t, n;
    switch (b % 6) {
    case 0: t = next() % 1000, n = next() % 1000; break;           /* small */
    case 1: t = next() % 10000000, n = next() % 10000000; break;   /* medium */
    case 2: t = next() >> 11, n = next() >> 11; break;              /* around 2^53 */
    case 3: t = next() >> 2, n = next() >> 2; break;                /* above 2^53 */
    case 4: t = 1 + b, n = b / 2; break;                            /* near-even splits */
    default: t = (uint64_t)1 << (b % 60), n = (next() % 7) + 1; break; /* near 1 */
    }
    counters[1 + 2 * b] = t;
    counters[2 + 2 * b] = n;
  }
  printf("rates done\n");
  return 0;
}
