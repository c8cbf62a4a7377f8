/* t-sample.c: CPROF_SAMPLE_CALLS=N times one call in N per function; counts stay exact. */
#include <stdio.h>

#include "fake-plugin.h"

#define T "\t"
static const char meta[] =
    "cprof-metadata" T "1\n"
    "module" T "t-sample.c" T "/src/sample\n"
    "F" T "0" T "0" T "t-sample.c" T "40" T "5" T "main" T "main" T "-\n"
    "F" T "1" T "1" T "t-sample.c" T "20" T "6" T "leaf" T "leaf" T "-\n"
    "F" T "2" T "2" T "t-sample.c" T "30" T "5" T "fib" T "fib" T "-\n"
    "C" T "0" T "3" T "leaf" T "-" T "t-sample.c" T "45" T "5\n";

FAKE_MODULE(4, 3, meta)

static volatile unsigned long sink;

NOINLINE void leaf(void) {
  FAKE_ENTER(1, 1);
  for (int i = 0; i < 200; i++)
    sink += (unsigned long)i;
  FAKE_EXIT(1);
}

NOINLINE int fib(int n) {
  FAKE_ENTER(2, 2);
  int r = n < 2 ? n : fib(n - 1) + fib(n - 2);
  FAKE_EXIT(2);
  return r;
}

int main(void) {
  FAKE_ENTER(0, 0);
  for (int i = 0; i < 1000; i++) {
    FAKE_COUNT(3);
    leaf();
  }
  printf("%d\n", fib(10));
  FAKE_EXIT(0);
  return 0;
}
