/* t-interval.c: CPROF_INTERVAL timeline, CPROF_SNAPSHOT for a process that never exits, and a
 * big profile dumped in a loop (for SIGKILL during the dump).
 * usage: t-interval grow|daemon|dumploop */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cprof.h"
#include "cprof-abi.h"

/* Many functions, so that the profile is large (~1 MB): the module is built at start-up. */
#define NFN 4000
static __thread uint64_t counters[NFN];
static uint64_t *tls(void) { return counters; }
static struct __cprof_module module = {CPROF_ABI_VERSION, NFN, NFN, 0, NULL, tls, 0, NULL};

__attribute__((constructor)) static void ctor(void) {
  static char meta[NFN * 80 + 64];
  size_t n = (size_t)snprintf(meta, sizeof meta, "cprof-metadata\t1\nmodule\tt-interval.c\t/src/iv\n");
  for (int f = 0; f < NFN; f++)
    n += (size_t)snprintf(meta + n, sizeof meta - n,
                          "F\t%d\t%d\tt-interval.c\t%d\t1\tfunction_%d\tfunction_%d\t-\n", f, f,
                          f + 10, f, f);
  module.metadata = meta;
  __cprof_register(&module);
}

static void call(uint32_t f) {
  if (__cprof_active) {
    counters[f]++;
    __cprof_enter(&module, f);
    __cprof_exit(&module, f);
  }
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "grow";
  if (strcmp(mode, "grow") == 0) {
    /* ~0.6 s: 4 MiB more touched memory every 20 ms, CPU burnt in between */
    double end = now_s() + 0.6;
    volatile uint64_t x = 0;
    while (now_s() < end) {
      char *p = malloc(4u << 20);
      if (p)
        memset(p, 1, 4u << 20); /* leaked on purpose: RSS only grows */
      double slice = now_s() + 0.02;
      while (now_s() < slice)
        for (int i = 0; i < 10000; i++)
          x += (uint64_t)i * i;
      call(0);
    }
    return 0;
  }
  if (strcmp(mode, "daemon") == 0) {
    for (;;) { /* killed by the test */
      for (uint32_t f = 0; f < 100; f++)
        call(f);
      usleep(1000);
    }
  }
  if (strcmp(mode, "dumploop") == 0) {
    for (uint32_t f = 0; f < NFN; f++)
      call(f);
    for (int i = 0; i < (argc > 2 ? atoi(argv[2]) : 1000000); i++)
      if (cprof_dump(NULL) != 0)
        return 1;
    return 0;
  }
  return 2;
}
