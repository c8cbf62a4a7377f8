/* t-region.c: named regions: exact counts, nesting, edges, two threads, ends out of order. */
#include <pthread.h>
#include <stdio.h>

#include "cprof.h"
#include "fake-plugin.h"

#define T "\t"
static const char meta[] =
    "cprof-metadata" T "1\n"
    "module" T "t-region.c" T "/src/region\n"
    "F" T "0" T "0" T "t-region.c" T "40" T "5" T "main" T "main" T "-\n"
    "F" T "1" T "1" T "t-region.c" T "20" T "6" T "work" T "work" T "-\n"
    "F" T "2" T "2" T "t-region.c" T "30" T "7" T "thread_fn" T "thread_fn" T "-\n";

FAKE_MODULE(3, 3, meta)

static volatile unsigned long sink;

/* As the plugin does, an empty asm keeps the exit hook from becoming a tail call: the hook
 * must see its caller's frame, or the region around the call would look gone. */
NOINLINE void work(void) {
  FAKE_ENTER(1, 1);
  sink++;
  FAKE_EXIT(1);
  __asm__ volatile("");
}

NOINLINE void *thread_fn(void *arg) {
  FAKE_ENTER(2, 2);
  for (int i = 0; i < 50; i++) {
    CPROF_REGION("thr");
    work();
  }
  FAKE_EXIT(2);
  __asm__ volatile("");
  return arg;
}

int main(void) {
  FAKE_ENTER(0, 0);
  {
    CPROF_REGION("outer");
    {
      CPROF_REGION("inner");
      work();
    }
    for (int i = 0; i < 100; i++) {
      CPROF_REGION("iter");
      work();
    }
  }
  pthread_t t[2];
  for (int i = 0; i < 2; i++)
    pthread_create(&t[i], NULL, thread_fn, NULL);
  for (int i = 0; i < 2; i++)
    pthread_join(t[i], NULL);
  int h = cprof_region_begin("manual");
  work();
  cprof_region_end(h);
  int a = cprof_region_begin("a");
  int b = cprof_region_begin("b");
  cprof_region_end(a); /* closes b too, as unwound */
  cprof_region_end(b); /* no longer open: ignored */
  cprof_region_end(-1);
  printf("%lu %d\n", sink, h >= 0);
  FAKE_EXIT(0);
  return 0;
}
