/* t-basic.c: exact counts, timing classes, call graph, loops, branches and switches (module A). */
#include <stdio.h>

#include "fake-plugin.h"

#define T "\t"
static const char meta[] =
    "cprof-metadata" T "1\n"
    "module" T "t-basic.c" T "/src/basic\n"
    "F" T "0" T "0" T "t-basic.c" T "60" T "5" T "main" T "main" T "-\n"
    "F" T "1" T "1" T "t-basic.c" T "20" T "5" T "fib" T "fib" T "-\n"
    "F" T "2" T "2" T "t-basic.c" T "28" T "13" T "helper" T "helper" T "s\n"
    "F" T "3" T "3" T "t-basic.c" T "34" T "13" T "inl" T "inl" T "si\n"
    "F" T "4" T "4" T "t-basic.c" T "38" T "6" T "part" T "part" T "-\n"
    "F" T "5" T "5" T "t-basic.c" T "50" T "6" T "never" T "never" T "-\n"
    "F" T "6" T "6" T "t-basic.c" T "55" T "13" T "cb" T "cb" T "s\n"
    "L" T "0" T "7" T "8" T "t-basic.c" T "70" T "3" T "1\n"
    "B" T "0" T "9" T "10" T "t-basic.c" T "72" T "9\n"
    "S" T "0" T "t-basic.c" T "76" T "5" T "3" T "11" T "0" T "12" T "1...2" T "13" T "default\n"
    "C" T "0" T "14" T "fib" T "-" T "t-basic.c" T "66" T "11\n"
    "C" T "1" T "15" T "fib" T "-" T "t-basic.c" T "24" T "10\n"
    "C" T "1" T "16" T "fib" T "-" T "t-basic.c" T "24" T "23\n"
    "C" T "0" T "17" T "helper" T "s" T "t-basic.c" T "73" T "7\n"
    "C" T "0" T "18" T "bfunc" T "-" T "t-basic.c" T "84" T "7\n"
    "C" T "0" T "19" T "inl" T "si" T "t-basic.c" T "86" T "5\n"
    "C" T "0" T "20" T "part" T "-" T "t-basic.c" T "88" T "5\n"
    "C" T "0" T "21" T "printf" T "-" T "t-basic.c" T "92" T "3\n"
    "C" T "0" T "22" T "never" T "-" T "t-basic.c" T "94" T "5\n"
    "X-future" T "record" T "types" T "are" T "skipped\n";

FAKE_MODULE(23, 7, meta)

void bfunc(void); /* module B */

NOINLINE int fib(int n) {
  FAKE_ENTER(1, 1);
  int r = n;
  if (n >= 2) {
    FAKE_COUNT(15);
    int a = fib(n - 1);
    FAKE_COUNT(16);
    r = a + fib(n - 2);
  }
  FAKE_EXIT(1);
  return r;
}

static volatile unsigned sink;

NOINLINE static void helper(int i) {
  FAKE_ENTER(2, 2);
  sink += (unsigned)i;
  FAKE_EXIT(2);
}

/* "inl" was inlined into main everywhere: its entry counter runs in main's body. */
#define INL(i)                                                                                \
  do {                                                                                       \
    if (fake_on)                                                                             \
      fake_counters[3]++;                                                                    \
    sink ^= (unsigned)(i);                                                                   \
  } while (0)

NOINLINE void part(int timed) {
  if (timed) {
    FAKE_ENTER(4, 4);
    sink++;
    FAKE_EXIT(4);
  } else {
    FAKE_ENTER_UNTIMED(4); /* the inlined copy */
    (void)fake_on;
    sink++;
  }
}

NOINLINE void never(void) {
  FAKE_ENTER(5, 5);
  FAKE_EXIT(5);
}

NOINLINE static void cb(void) {
  FAKE_ENTER(6, 6);
  sink++;
  FAKE_EXIT(6);
}

void (*volatile callback)(void) = cb;

int main(void) {
  FAKE_ENTER(0, 0);
  FAKE_COUNT(14);
  sink += (unsigned)fib(15);
  FAKE_COUNT(8);
  for (int i = 0; i < 1000; i++) {
    FAKE_COUNT(7);
    if (FAKE_BRANCH(i % 4 == 0, 9, 10)) {
      FAKE_COUNT(17);
      helper(i);
    }
    switch (i % 5) {
    case 0:
      FAKE_COUNT(11);
      break;
    case 1:
    case 2:
      FAKE_COUNT(12);
      break;
    default:
      FAKE_COUNT(13);
    }
    if (i < 10) {
      FAKE_COUNT(18);
      bfunc();
      FAKE_COUNT(20);
      part(i < 4);
    }
    FAKE_COUNT(19);
    INL(i);
  }
  for (int i = 0; i < 5; i++)
    FAKE_ICALL(callback());
  FAKE_COUNT(21);
  printf("basic done\n");
  if (sink == 12345)
    never();
  FAKE_EXIT(0);
  return 0;
}
