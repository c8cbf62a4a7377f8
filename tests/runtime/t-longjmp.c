/* t-longjmp.c: longjmp out of nested instrumented frames: unwound frames, sane timing. */
#include <setjmp.h>
#include <stdio.h>

#include "fake-plugin.h"

#define T "\t"
static const char meta[] =
    "cprof-metadata" T "1\n"
    "module" T "t-longjmp.c" T "/src/lj\n"
    "F" T "0" T "0" T "t-longjmp.c" T "60" T "5" T "main" T "main" T "-\n"
    "F" T "1" T "1" T "t-longjmp.c" T "40" T "6" T "a" T "a" T "-\n"
    "F" T "2" T "2" T "t-longjmp.c" T "30" T "6" T "b" T "b" T "-\n"
    "F" T "3" T "3" T "t-longjmp.c" T "25" T "6" T "c" T "c" T "-\n"
    "F" T "4" T "4" T "t-longjmp.c" T "20" T "6" T "d" T "d" T "-\n"
    "F" T "5" T "5" T "t-longjmp.c" T "15" T "6" T "e" T "e" T "-\n"
    "C" T "0" T "6" T "a" T "-" T "t-longjmp.c" T "62" T "5\n"
    "C" T "1" T "7" T "b" T "-" T "t-longjmp.c" T "45" T "5\n"
    "C" T "1" T "8" T "e" T "-" T "t-longjmp.c" T "47" T "5\n"
    "C" T "2" T "9" T "c" T "-" T "t-longjmp.c" T "33" T "3\n"
    "C" T "3" T "10" T "d" T "-" T "t-longjmp.c" T "27" T "3\n";

FAKE_MODULE(11, 6, meta)

#define ROUNDS 100

static jmp_buf env;
static volatile int sink;

__attribute__((noinline)) void e(void) {
  FAKE_ENTER(5, 5);
  sink++;
  FAKE_EXIT(5);
}

__attribute__((noinline)) void d(void) {
  FAKE_ENTER(4, 4);
  longjmp(env, 1);
  FAKE_EXIT(4);
}

__attribute__((noinline)) void c(void) {
  FAKE_ENTER(3, 3);
  volatile char pad[64];
  pad[0] = 1;
  FAKE_COUNT(10);
  d();
  sink += pad[0];
  FAKE_EXIT(3);
}

__attribute__((noinline)) void b(void) {
  FAKE_ENTER(2, 2);
  volatile char pad[256]; /* b's frame is larger than e's: e's entry is as deep or shallower */
  pad[0] = 1;
  FAKE_COUNT(9);
  c();
  sink += pad[0];
  FAKE_EXIT(2);
}

__attribute__((noinline)) void a(void) {
  FAKE_ENTER(1, 1);
  if (setjmp(env) == 0) {
    FAKE_COUNT(7);
    b();
  }
  FAKE_COUNT(8);
  e(); /* entering e closes b, c and d as unwound */
  FAKE_EXIT(1);
}

int main(void) {
  FAKE_ENTER(0, 0);
  for (int i = 0; i < ROUNDS; i++) {
    FAKE_COUNT(6);
    a();
  }
  printf("longjmp done\n");
  FAKE_EXIT(0);
  return 0;
}
