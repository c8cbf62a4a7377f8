/* rt-clock.c: the time source of every timing record: the invariant TSC scaled to nanoseconds
   where the CPU has one (about 10 ns a read here, against 27 ns for clock_gettime), else
   CLOCK_MONOTONIC through the vDSO. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <x86intrin.h>
#endif

#include "rt-internal.h"

struct rt_clock rt_clock;

static uint64_t monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

RT_NOINST uint64_t rt_clock_monotonic(void) { return monotonic_ns(); }

#if defined(__x86_64__) || defined(__i386__)
static int invariant_tsc(void) {
  unsigned a, b, c, d;
  if (!__get_cpuid(0x80000000, &a, &b, &c, &d) || a < 0x80000007)
    return 0;
  __get_cpuid(0x80000007, &a, &b, &c, &d);
  return (d >> 8) & 1;
}
#endif

/* Measures the TSC rate against CLOCK_MONOTONIC over about 2 ms; a TSC that does not tick
   steadily (or a CPU without one) leaves the monotonic clock in charge. */
void rt_clock_init(void) {
  rt_clock.tsc = 0;
#if defined(__x86_64__) || defined(__i386__)
  if (getenv("CPROF_CLOCK") && strcmp(getenv("CPROF_CLOCK"), "monotonic") == 0)
    return;
  if (!invariant_tsc())
    return;
  uint64_t ns0 = monotonic_ns(), tsc0 = __rdtsc(), ns1, tsc1;
  do {
    ns1 = monotonic_ns();
    tsc1 = __rdtsc();
  } while (ns1 - ns0 < 2000000);
  if (tsc1 <= tsc0)
    return;
  rt_clock.mult = (uint64_t)(((unsigned __int128)(ns1 - ns0) << 32) / (tsc1 - tsc0));
  rt_clock.base_tsc = tsc1;
  rt_clock.base_ns = ns1;
  rt_clock.tsc = rt_clock.mult != 0;
#endif
}

const char *rt_clock_name(void) {
  return rt_clock.tsc ? "TSC (calibrated against CLOCK_MONOTONIC)" : "CLOCK_MONOTONIC";
}
