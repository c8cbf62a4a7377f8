/* t-adaptive.c: CPROF_MIN_TIME: short functions stop being timed, their counts stay exact.
 * usage: t-adaptive [THREADS]   (leaf and alloc run 5000 times, outer 3 times, per thread) */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "fake-plugin.h"

#define T "\t"
static const char meta[] =
    "cprof-metadata" T "1\n"
    "module" T "t-adaptive.c" T "/src/adaptive\n"
    "F" T "0" T "0" T "t-adaptive.c" T "60" T "5" T "main" T "main" T "-\n"
    "F" T "1" T "1" T "t-adaptive.c" T "25" T "6" T "leaf" T "leaf" T "-\n"
    "F" T "2" T "2" T "t-adaptive.c" T "31" T "6" T "alloc" T "alloc" T "-\n"
    "F" T "3" T "3" T "t-adaptive.c" T "40" T "6" T "outer" T "outer" T "-\n"
    "F" T "4" T "4" T "t-adaptive.c" T "50" T "6" T "run" T "run" T "-\n";

FAKE_MODULE(5, 5, meta)

static volatile unsigned sink;

NOINLINE void leaf(unsigned i) { /* short: stops being timed */
  FAKE_ENTER(1, 1);
  sink += i;
  FAKE_EXIT(1);
}

NOINLINE void alloc(unsigned i) { /* short: its blocks go to run once it stops being timed */
  FAKE_ENTER(2, 2);
  char *p = malloc(16 + i % 7);
  sink += p != NULL;
  free(p);
  FAKE_EXIT(2);
}

NOINLINE void outer(void) { /* open across the verdict on leaf: each of its calls stays timed */
  FAKE_ENTER(3, 3);
  for (unsigned i = 0; i < 2500; i++)
    leaf(i);
  FAKE_EXIT(3);
}

static void *run(void *arg) {
  FAKE_ENTER(4, 4);
  (void)arg;
  for (int k = 0; k < 2; k++)
    outer();
  for (unsigned i = 0; i < 5000; i++)
    alloc(i);
  FAKE_EXIT(4);
  return NULL;
}

int main(int argc, char **argv) {
  FAKE_ENTER(0, 0);
  int n = argc > 1 ? atoi(argv[1]) : 1;
  pthread_t th[8];
  for (int i = 0; i < n && i < 8; i++)
    pthread_create(&th[i], NULL, run, NULL);
  for (int i = 0; i < n && i < 8; i++)
    pthread_join(th[i], NULL);
  puts("done");
  FAKE_EXIT(0);
  return 0;
}
