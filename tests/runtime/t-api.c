/* t-api.c: cprof_dump / cprof_reset / cprof_disable / cprof_enable from the program. */
#include <stdio.h>
#include <stdlib.h>

#include "cprof.h"
#include "fake-plugin.h"

#define T "\t"
static const char meta[] =
    "cprof-metadata" T "1\n"
    "module" T "t-api.c" T "/src/api\n"
    "F" T "0" T "0" T "t-api.c" T "25" T "5" T "main" T "main" T "-\n"
    "F" T "1" T "1" T "t-api.c" T "18" T "6" T "work" T "work" T "-\n"
    "C" T "0" T "2" T "work" T "-" T "t-api.c" T "28" T "5\n";

FAKE_MODULE(3, 2, meta)

static volatile int sink;

__attribute__((noinline)) void work(void) {
  FAKE_ENTER(1, 1);
  sink++;
  FAKE_EXIT(1);
}

/* Not instrumented: the caller of main-like phases, so __cprof_active is re-read per call. */
__attribute__((noinline)) static void phase(int n) {
  int fake_on = __cprof_active;
  for (int i = 0; i < n; i++) {
    if (fake_on)
      fake_counters[2]++;
    work();
  }
}

#define CHECK(cond)                                                                           \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      fprintf(stderr, "t-api: check failed: %s\n", #cond);                                   \
      return 10;                                                                             \
    }                                                                                        \
  } while (0)

/* argv: mid-run dump path, unwritable path, expect_enabled (0 or 1) */
int main(int argc, char **argv) {
  if (argc < 4)
    return 2;
  int enabled = atoi(argv[3]);
  CHECK(cprof_is_enabled() == enabled);
  phase(10);
  CHECK(cprof_dump(argv[1]) == (enabled ? 0 : -1));
  CHECK(cprof_dump(argv[2]) == -1);
  cprof_reset();
  phase(5);
  CHECK(cprof_disable() == 0);
  CHECK(cprof_is_enabled() == 0);
  phase(3);
  CHECK(cprof_enable() == (enabled ? 0 : -1));
  CHECK(cprof_is_enabled() == enabled);
  phase(2);
  return 0;
}
