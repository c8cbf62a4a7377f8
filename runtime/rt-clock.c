/* rt-clock.c: the time source of every timing record (CLOCK_MONOTONIC through the vDSO). */
#include <time.h>

#include "rt-internal.h"

RT_NOINST uint64_t rt_clock_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

const char *rt_clock_name(void) { return "CLOCK_MONOTONIC"; }
