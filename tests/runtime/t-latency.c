/* t-latency.c: per-function latency histograms: 90 fast calls and 10 calls of about 1 ms. */
#include <stdio.h>
#include <time.h>

#include "fake-plugin.h"

#define T "\t"
static const char meta[] =
    "cprof-metadata" T "1\n"
    "module" T "t-latency.c" T "/src/latency\n"
    "F" T "0" T "0" T "t-latency.c" T "30" T "5" T "main" T "main" T "-\n"
    "F" T "1" T "1" T "t-latency.c" T "20" T "6" T "work" T "work" T "-\n";

FAKE_MODULE(2, 2, meta)

static unsigned long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

NOINLINE void work(int slow) {
  FAKE_ENTER(1, 1);
  if (slow) {
    unsigned long long end = now_ns() + 1000000; /* busy, not asleep: the time is ours */
    while (now_ns() < end)
      ;
  }
  FAKE_EXIT(1);
}

int main(void) {
  FAKE_ENTER(0, 0);
  for (int i = 0; i < 100; i++)
    work(i % 10 == 9);
  puts("done");
  FAKE_EXIT(0);
  return 0;
}
