/* t-threads.c: per-thread counters and timing: joined, still running at exit, pthread_exit. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-plugin.h"

#define T "\t"
static const char meta[] =
    "cprof-metadata" T "1\n"
    "module" T "t-threads.c" T "/src/threads\n"
    "F" T "0" T "0" T "t-threads.c" T "30" T "5" T "main" T "main" T "-\n"
    "F" T "1" T "1" T "t-threads.c" T "20" T "13" T "work" T "work" T "s\n"
    "F" T "2" T "2" T "t-threads.c" T "25" T "13" T "leave" T "leave" T "s\n"
    "L" T "1" T "3" T "4" T "t-threads.c" T "40" T "3" T "1\n"
    "C" T "1" T "5" T "work" T "s" T "t-threads.c" T "41" T "5\n";

FAKE_MODULE(6, 3, meta)

#define NTHREADS 8
#define NCALLS 100000

static volatile unsigned long sink;
static pthread_barrier_t done_barrier;
static pthread_mutex_t park_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t park_cond = PTHREAD_COND_INITIALIZER;
static enum { JOIN, LIVE, PTEXIT } mode;

__attribute__((noinline)) static void work(int i) {
  FAKE_ENTER(1, 1);
  sink += (unsigned long)i;
  FAKE_EXIT(1);
}

__attribute__((noinline)) static void leave(void) {
  FAKE_ENTER(2, 2);
  pthread_exit(NULL); /* the exit hook never runs: the frame is unwound at thread exit */
  FAKE_EXIT(2);
}

/* Not instrumented itself: a thread body that calls instrumented code. */
static void *worker(void *arg) {
  (void)arg;
  int fake_on = __cprof_active;
  if (fake_on)
    fake_counters[4]++;
  for (int i = 0; i < NCALLS; i++) {
    if (fake_on)
      fake_counters[3]++;
    work(i);
  }
  if (mode == PTEXIT)
    leave();
  if (mode == LIVE) {
    pthread_barrier_wait(&done_barrier);
    pthread_mutex_lock(&park_lock);
    for (;;) /* parked until the process exits */
      pthread_cond_wait(&park_cond, &park_lock);
  }
  return NULL;
}

int main(int argc, char **argv) {
  FAKE_ENTER(0, 0);
  const char *m = argc > 1 ? argv[1] : "join";
  mode = strcmp(m, "live") == 0 ? LIVE : strcmp(m, "pthread_exit") == 0 ? PTEXIT : JOIN;
  pthread_t th[NTHREADS];
  pthread_barrier_init(&done_barrier, NULL, NTHREADS + 1);
  for (int i = 0; i < NTHREADS; i++)
    if (pthread_create(&th[i], NULL, worker, NULL) != 0)
      abort();
  if (mode == LIVE) {
    pthread_barrier_wait(&done_barrier);
    exit(0); /* workers are still alive: their counters are read through captured pointers */
  }
  for (int i = 0; i < NTHREADS; i++)
    pthread_join(th[i], NULL);
  printf("threads done\n");
  FAKE_EXIT(0);
  return 0;
}
