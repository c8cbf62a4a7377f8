/* t-heap-mode.c: CPROF_HEAP unset tracks the heap unless every module was built without timing
 * hooks (their metadata says no-timing); a module with them turns the tracking on, and blocks allocated before
 * stay correct to free and resize. usage: t-heap-mode counts-only|mixed */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake-plugin.h"

#define T "\t"
static const char counts_meta[] =
    "cprof-metadata" T "2" T "no-timing\n"
    "module" T "t-heap-mode.c" T "/src/heap\n"
    "F" T "0" T "0" T "t-heap-mode.c" T "20" T "5" T "main" T "main" T "-\n";
static __thread uint64_t counts_counters[1];
static uint64_t *counts_tls(void) { return counts_counters; }
/* What the plugin emits with no-timing: no untimed array, and the flag on the first line. */
static struct __cprof_module counts_module = {CPROF_ABI_VERSION, 1, 1, 0, counts_meta,
                                              counts_tls, 0, NULL};
__attribute__((constructor)) static void counts_ctor(void) { __cprof_register(&counts_module); }

static const char timed_meta[] =
    "cprof-metadata" T "1\n"
    "module" T "t-heap-mode-timed.c" T "/src/heap\n"
    "F" T "0" T "0" T "t-heap-mode-timed.c" T "40" T "5" T "timed" T "timed" T "-\n";
static __thread uint64_t timed_counters[1];
static uint8_t timed_untimed[1];
static uint64_t *timed_tls(void) { return timed_counters; }
static struct __cprof_module timed_module = {CPROF_ABI_VERSION, 1, 1, 0, timed_meta, timed_tls, 0,
                                             timed_untimed};

static void check(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "t-heap-mode: check failed: %s\n", what);
    _exit(99);
  }
}

/* A block of n bytes filled with c; checked by full(). */
static char *block(size_t n, int c) {
  char *p = malloc(n);
  check(p != NULL, "malloc");
  memset(p, c, n);
  return p;
}

static int full(const char *p, size_t n, int c) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != (char)c)
      return 0;
  return 1;
}

int main(int argc, char **argv) {
  int mixed = argc > 1 && strcmp(argv[1], "mixed") == 0;
  setvbuf(stdout, NULL, _IONBF, 0); /* no buffer of stdio's among the counted blocks */
  counts_counters[0]++;
  /* before: 3 blocks; one stays, one is resized, one freed after the switch */
  char *keep = block(100, 'k'), *grow = block(200, 'g'), *late = block(300, 'l');
  check(malloc_usable_size(keep) >= 100, "usable size of an untracked block");
  void *al = NULL;
  check(posix_memalign(&al, 64, 128) == 0 && ((uintptr_t)al & 63) == 0, "posix_memalign");
  if (mixed)
    __cprof_register(&timed_module); /* as a dlopen of a library built with timing would */
  /* after: 5 allocations of 1000 bytes, one realloc to 2000 of a tracked block, 4 frees */
  char *t[5];
  for (int i = 0; i < 5; i++)
    t[i] = block(1000, 'a' + i);
  t[0] = realloc(t[0], 2000);
  check(t[0] && full(t[0], 1000, 'a'), "realloc of a new block");
  grow = realloc(grow, 4000); /* a block from before: stays as it was (tracked or not) */
  check(grow && full(grow, 200, 'g'), "realloc of an old block");
  check(malloc_usable_size(t[1]) >= 1000, "usable size of a new block");
  for (int i = 1; i < 5; i++)
    check(full(t[i], 1000, 'a' + i), "contents");
  for (int i = 0; i < 4; i++)
    free(t[i]);
  free(late);
  free(grow);
  free(al);
  check(full(keep, 100, 'k'), "old contents");
  free(keep);
  printf("heap-mode %s done\n", mixed ? "mixed" : "counts-only");
  return 0;
}
