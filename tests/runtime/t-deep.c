/* t-deep.c: exit() from deep recursion, and 1,000,000-deep recursion on a big thread stack. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-plugin.h"

#define T "\t"
static const char meta[] =
    "cprof-metadata" T "1\n"
    "module" T "t-deep.c" T "/src/deep\n"
    "F" T "0" T "0" T "t-deep.c" T "30" T "5" T "main" T "main" T "-\n"
    "F" T "1" T "1" T "t-deep.c" T "20" T "6" T "rec" T "rec" T "-\n"
    "C" T "1" T "2" T "rec" T "-" T "t-deep.c" T "24" T "12\n"
    "C" T "0" T "3" T "rec" T "-" T "t-deep.c" T "40" T "5\n";

FAKE_MODULE(4, 2, meta)

static int exit_at_bottom;

__attribute__((noinline)) long rec(long n) {
  FAKE_ENTER(1, 1);
  long r = 1;
  if (n > 1) {
    FAKE_COUNT(2);
    r = rec(n - 1) + 1;
  } else if (exit_at_bottom) {
    exit(3);
  }
  FAKE_EXIT(1);
  return r;
}

static void *deep_thread(void *arg) {
  long n = (long)arg;
  int fake_on = __cprof_active;
  if (fake_on)
    fake_counters[3]++;
  long r = rec(n);
  return (void *)r;
}

int main(int argc, char **argv) {
  FAKE_ENTER(0, 0);
  if (argc < 3)
    return 2;
  long n = atol(argv[2]);
  if (strcmp(argv[1], "exit") == 0) {
    exit_at_bottom = 1;
    FAKE_COUNT(3);
    rec(n);
    return 1; /* not reached */
  }
  /* "deep": far deeper than the default 8 MiB stack allows, so use a 1 GiB thread stack. */
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, (size_t)1 << 30);
  pthread_t th;
  void *ret;
  if (pthread_create(&th, &attr, deep_thread, (void *)n) != 0 || pthread_join(th, &ret) != 0)
    return 4;
  printf("depth %ld\n", (long)ret);
  FAKE_EXIT(0);
  return (long)ret == n ? 0 : 5;
}
