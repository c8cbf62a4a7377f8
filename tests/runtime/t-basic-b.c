/* t-basic-b.c: second module of t-basic: cross-module and same-name static resolution. */
#include "fake-plugin.h"

#define T "\t"
static const char meta[] =
    "cprof-metadata" T "1\n"
    "module" T "t-basic-b.c" T "/src/basic\n"
    "F" T "0" T "0" T "t-basic-b.c" T "10" T "6" T "bfunc" T "bfunc" T "-\n"
    "F" T "1" T "1" T "t-basic-b.c" T "5" T "13" T "helper" T "helper" T "s\n"
    "C" T "0" T "2" T "helper" T "s" T "t-basic-b.c" T "12" T "3\n";

FAKE_MODULE(3, 2, meta)

static volatile int sink;

__attribute__((noinline)) static void helper(void) {
  FAKE_ENTER(1, 1);
  sink++;
  FAKE_EXIT(1);
}

__attribute__((noinline)) void bfunc(void) {
  FAKE_ENTER(0, 0);
  FAKE_COUNT(2);
  helper();
  FAKE_EXIT(0);
}
