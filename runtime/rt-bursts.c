/* rt-bursts.c: CPROF_SAMPLE=N, recording in bursts that cover one N-th of the run. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rt-internal.h"

/* Statistical profiling at the cost of the disabled build. A background thread turns
 * __cprof_active on for a burst of BURST_NS, then off for (N-1) bursts on average:
 *
 *     __cprof_active  _|‾|________________|‾|___________|‾|__________________ ...
 *                      <-> BURST_NS        <-- gap: (N-1)*BURST_NS * U[0.5, 1.5) -->
 *
 * 1. While the flag is off every function runs its plain body (the cost of the disabled build).
 * 2. A call that tests the flag while it is on (a call through a pointer or of a non-static
 *    function, a new thread) runs the instrumented body, and so does everything it calls directly,
 *    until it returns: each such activation is recorded whole, with exact counts and times. As its
 *    start is equally likely at any moment, an activation is recorded with probability 1/N
 *    whatever its length, so the recorded work is one N-th of the run on average and counts times
 *    N estimate the run's; an activation that spans the whole run (main) is missed unless a burst
 *    catches its start.
 * 3. The gaps are random so that a program with a period of its own is not sampled in phase.
 *
 * cprof_disable() holds the flag off until cprof_enable(); the bursts then go on. The thread is
 * the runtime's, as rt-interval.c's: it runs no instrumented code and takes no signals. A fork
 * child starts its own. */

#define BURST_NS 1000000u /* 1 ms: well above timer slack, short against any program's phases */

uint32_t rt_bursts_rate = 1; /* CPROF_SAMPLE; 1: no bursts, recording is always on */

static pthread_mutex_t bursts_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bursts_cond;
static pthread_t bursts_thread;
static int bursts_running; /* the thread exists (and must be joined) */
static int bursts_stop;    /* bursts_lock */
static int bursts_paused;  /* written under bursts_lock: cprof_disable() */
static uint64_t bursts_count, bursts_on_ns; /* bursts_lock: recorded so far */
static uint64_t bursts_rng;

static uint64_t bursts_random(void) { /* xorshift64* */
  bursts_rng ^= bursts_rng >> 12;
  bursts_rng ^= bursts_rng << 25;
  bursts_rng ^= bursts_rng >> 27;
  return bursts_rng * 2685821657736338717ull;
}

/* Waits until the deadline or a stop; bursts_lock held. Returns 1 on stop. */
static int bursts_wait(const struct timespec *deadline) {
  while (!bursts_stop && pthread_cond_timedwait(&bursts_cond, &bursts_lock, deadline) != ETIMEDOUT)
    ;
  return bursts_stop;
}

static void *bursts_main(void *arg) {
  (void)arg;
  RT_INTERNAL_BEGIN();
  uint64_t gap_mean = (uint64_t)(rt_bursts_rate - 1) * BURST_NS;
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  pthread_mutex_lock(&bursts_lock);
  for (;;) {
    /* [3] a random gap; the first one too, so a run's start is no likelier to be recorded */
    rt_timespec_add(&t, gap_mean / 2 + bursts_random() % (gap_mean + 1));
    if (bursts_wait(&t))
      break;
    if (bursts_paused) {
      clock_gettime(CLOCK_MONOTONIC, &t);
      continue;
    }
    /* [2] a burst; its length is measured, as timer slack can stretch it */
    struct timespec on;
    clock_gettime(CLOCK_MONOTONIC, &on);
    __atomic_store_n(&__cprof_active, 1, __ATOMIC_RELEASE);
    t = on;
    rt_timespec_add(&t, BURST_NS);
    int stop = bursts_wait(&t);
    if (!bursts_paused) /* [1] cprof_disable() already cleared it otherwise */
      __atomic_store_n(&__cprof_active, 0, __ATOMIC_RELEASE);
    clock_gettime(CLOCK_MONOTONIC, &t);
    bursts_count++;
    bursts_on_ns += (uint64_t)(t.tv_sec - on.tv_sec) * 1000000000u + (uint64_t)t.tv_nsec -
                    (uint64_t)on.tv_nsec;
    if (stop)
      break;
  }
  pthread_mutex_unlock(&bursts_lock);
  RT_INTERNAL_END();
  return NULL;
}

static int bursts_start(void) {
  rt_cond_init_monotonic(&bursts_cond);
  int rc = rt_spawn_runtime_thread(&bursts_thread, bursts_main);
  if (rc != 0) {
    rt_warn("cannot start the CPROF_SAMPLE thread: %s; nothing is recorded", strerror(rc));
    return -1;
  }
  bursts_running = 1;
  return 0;
}

static void bursts_fork_prepare(void) { pthread_mutex_lock(&bursts_lock); }
static void bursts_fork_parent(void) { pthread_mutex_unlock(&bursts_lock); }

/* The child has no burst thread and may have forked inside a burst: it starts afresh. */
static void bursts_fork_child(void) {
  pthread_mutex_init(&bursts_lock, NULL);
  bursts_running = 0;
  bursts_stop = 0;
  bursts_count = 0;
  bursts_on_ns = 0;
  bursts_rng ^= (uint64_t)getpid() << 32;
  if (!bursts_paused)
    __atomic_store_n(&__cprof_active, 0, __ATOMIC_RELEASE);
  bursts_start();
}

int rt_bursts_parse(void) {
  const char *v = getenv("CPROF_SAMPLE");
  if (!v || !*v)
    return 0;
  char *end;
  errno = 0;
  unsigned long long n = strtoull(v, &end, 10);
  if (*end || errno || *v < '0' || *v > '9' || n < 1 || n > 1000000) {
    rt_warn("ignoring CPROF_SAMPLE='%s' (expected an integer from 1 to 1000000); everything is "
            "recorded", v);
    return -1;
  }
  rt_bursts_rate = (uint32_t)n;
  return 0;
}

void rt_bursts_init(void) {
  if (rt_bursts_rate <= 1) {
    __atomic_store_n(&__cprof_active, 1, __ATOMIC_RELEASE);
    return;
  }
  bursts_rng = rt_clock_now() ^ ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15ull;
  if (bursts_start() == 0)
    pthread_atfork(bursts_fork_prepare, bursts_fork_parent, bursts_fork_child);
}

void rt_bursts_stop(void) {
  rt_stop_runtime_thread(bursts_thread, &bursts_running, &bursts_lock, &bursts_cond, &bursts_stop);
}

int rt_bursts_set_recording(int on) {
  if (rt_bursts_rate <= 1) {
    __atomic_store_n(&__cprof_active, on != 0, __ATOMIC_RELEASE);
    return on != 0;
  }
  pthread_mutex_lock(&bursts_lock);
  __atomic_store_n(&bursts_paused, !on, __ATOMIC_RELEASE); /* cprof_is_enabled reads it unlocked */
  if (!on)
    __atomic_store_n(&__cprof_active, 0, __ATOMIC_RELEASE);
  pthread_mutex_unlock(&bursts_lock);
  return on != 0;
}

int rt_bursts_recording(void) {
  if (rt_bursts_rate <= 1)
    return __atomic_load_n(&__cprof_active, __ATOMIC_ACQUIRE) != 0;
  return !__atomic_load_n(&bursts_paused, __ATOMIC_ACQUIRE);
}

void rt_bursts_totals(uint64_t *count, uint64_t *on_ns) {
  *count = *on_ns = 0;
  if (rt_bursts_rate <= 1)
    return;
  if (rt_mutex_lock_patient(&bursts_lock) != 0)
    return;
  *count = bursts_count;
  *on_ns = bursts_on_ns;
  pthread_mutex_unlock(&bursts_lock);
}
