/* t-events.c: CPROF_EVENTS software counters per thread and per function. */
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "fake-plugin.h"

#define T "\t"
static const char meta[] =
    "cprof-metadata" T "1\n"
    "module" T "t-events.c" T "/src/events\n"
    "F" T "0" T "0" T "t-events.c" T "60" T "5" T "main" T "main" T "-\n"
    "F" T "1" T "1" T "t-events.c" T "20" T "6" T "spin" T "spin" T "-\n"
    "F" T "2" T "2" T "t-events.c" T "30" T "6" T "touch" T "touch" T "-\n"
    "F" T "3" T "3" T "t-events.c" T "40" T "6" T "nap" T "nap" T "-\n";

FAKE_MODULE(4, 4, meta)

static volatile unsigned long sink;

static unsigned long cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (unsigned long)ts.tv_sec * 1000000000ul + (unsigned long)ts.tv_nsec;
}

/* At least 20 ms of CPU time in this thread. */
NOINLINE void spin(void) {
  FAKE_ENTER(1, 1);
  unsigned long start = cpu_ns();
  while (cpu_ns() - start < 20000000ul)
    for (int i = 0; i < 1000; i++)
      sink += (unsigned long)i;
  FAKE_EXIT(1);
}

/* 256 pages touched for the first time: at least 256 page faults. */
NOINLINE void touch(void) {
  FAKE_ENTER(2, 2);
  long page = sysconf(_SC_PAGESIZE);
  char *p = mmap(NULL, (size_t)page * 256, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                 -1, 0);
  if (p == MAP_FAILED)
    abort();
  for (int i = 0; i < 256; i++)
    p[(long)i * page] = 1;
  munmap(p, (size_t)page * 256);
  FAKE_EXIT(2);
}

/* Five sleeps: at least five context switches. */
NOINLINE void nap(void) {
  FAKE_ENTER(3, 3);
  for (int i = 0; i < 5; i++)
    usleep(2000);
  FAKE_EXIT(3);
}

static void *worker(void *arg) {
  (void)arg;
  spin();
  return NULL;
}

int main(void) {
  FAKE_ENTER(0, 0);
  pthread_t th;
  if (pthread_create(&th, NULL, worker, NULL) != 0)
    abort();
  spin();
  touch();
  nap();
  pthread_join(th, NULL);
  FAKE_EXIT(0);
  return 0;
}
