/* t-env.c: environment handling; prints its pid, exits with the status given in argv[1]. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fake-plugin.h"

#define T "\t"
static const char meta[] =
    "cprof-metadata" T "1\n"
    "module" T "t-env.c" T "/src/env\n"
    "F" T "0" T "0" T "t-env.c" T "25" T "5" T "main" T "main" T "-\n"
    "F" T "1" T "1" T "t-env.c" T "18" T "6" T "work" T "work" T "-\n"
    "C" T "0" T "2" T "work" T "-" T "t-env.c" T "28" T "5\n";

FAKE_MODULE(3, 2, meta)

static volatile int sink;

__attribute__((noinline)) void work(void) {
  FAKE_ENTER(1, 1);
  sink++;
  FAKE_EXIT(1);
}

int main(int argc, char **argv) {
  FAKE_ENTER(0, 0);
  for (int i = 0; i < 42; i++) {
    FAKE_COUNT(2);
    work();
  }
  printf("pid %ld active %d\n", (long)getpid(), __cprof_active);
  FAKE_EXIT(0);
  return argc > 1 ? atoi(argv[1]) : 0;
}
