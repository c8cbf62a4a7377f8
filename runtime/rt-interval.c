/* rt-interval.c: CPROF_INTERVAL background sampler (RSS, CPU time), CPROF_SNAPSHOT dumps, and the
 * helpers of the runtime's own threads (rt-bursts.c's too). */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "rt-internal.h"

/* The series is bounded: when it is full, every other sample is dropped and the sampler
 * records every second tick from then on, so a daemon keeps an evenly spaced timeline of its
 * whole life in at most IV_CAP samples. */
#define IV_CAP 100000u

struct iv_sample {
  uint64_t t_ns, rss_bytes, cpu_user_ns, cpu_system_ns;
};

static pthread_mutex_t iv_lock = PTHREAD_MUTEX_INITIALIZER; /* series and stop flag */
static pthread_cond_t iv_cond;
static pthread_t iv_thread;
static int iv_running;   /* the sampler thread exists (and must be joined) */
static int iv_stop;      /* iv_lock */
static int iv_snapshot;  /* CPROF_SNAPSHOT=1: dump the profile at every recorded sample */
static uint64_t iv_tick_ns;   /* CPROF_INTERVAL */
static uint64_t iv_stride = 1; /* ticks per recorded sample (doubles at each decimation) */
static uint64_t iv_ticks;
static struct iv_sample *iv_samples; /* IV_CAP slots, mmap'ed: untouched pages cost nothing */
static uint32_t iv_n;                /* iv_lock */

static uint64_t iv_rss_bytes(void) {
  char buf[128];
  int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  unsigned long long size = 0, resident = 0;
  if (sscanf(buf, "%llu %llu", &size, &resident) != 2)
    return 0;
  return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

static uint64_t iv_tv_ns(struct timeval tv) {
  return (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u;
}

static void iv_record(void) {
  struct iv_sample s = {0};
  s.t_ns = rt_clock_now() - rt_config.start_ns;
  s.rss_bytes = iv_rss_bytes();
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) == 0) {
    s.cpu_user_ns = iv_tv_ns(ru.ru_utime);
    s.cpu_system_ns = iv_tv_ns(ru.ru_stime);
  }
  pthread_mutex_lock(&iv_lock);
  if (iv_n == IV_CAP) {
    for (uint32_t i = 0; i < IV_CAP / 2; i++)
      iv_samples[i] = iv_samples[2 * i + 1];
    iv_n = IV_CAP / 2;
    iv_stride *= 2;
  }
  iv_samples[iv_n++] = s;
  pthread_mutex_unlock(&iv_lock);
}

/* Not a profiled thread: it never calls instrumented code and has no rt_thread record. Its own
 * allocations and I/O are the runtime's (rt_internal stays set for its whole life). */
static void *iv_main(void *arg) {
  (void)arg;
  RT_INTERNAL_BEGIN();
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  pthread_mutex_lock(&iv_lock);
  for (;;) {
    rt_timespec_add(&next, iv_tick_ns);
    while (!iv_stop && pthread_cond_timedwait(&iv_cond, &iv_lock, &next) != ETIMEDOUT)
      ;
    if (iv_stop)
      break;
    if (++iv_ticks % iv_stride)
      continue;
    pthread_mutex_unlock(&iv_lock);
    iv_record();
    /* rt_output_dump takes rt_lock, never iv_lock: no lock-order cycle with the exit path. */
    if (iv_snapshot)
      rt_output_dump(NULL);
    pthread_mutex_lock(&iv_lock);
  }
  pthread_mutex_unlock(&iv_lock);
  RT_INTERNAL_END();
  return NULL;
}

/* Fork: only the forking thread survives, so the child has no sampler; its timeline is empty
 * and it writes its profile at exit only (documented). */
static void iv_fork_child(void) {
  pthread_mutex_init(&iv_lock, NULL);
  iv_running = 0;
  iv_stop = 0;
  iv_n = 0;
  iv_ticks = 0;
  iv_stride = 1;
}

static void iv_fork_prepare(void) { pthread_mutex_lock(&iv_lock); }
static void iv_fork_parent(void) { pthread_mutex_unlock(&iv_lock); }

void rt_interval_init(void) {
  const char *v = getenv("CPROF_INTERVAL");
  const char *snap = getenv("CPROF_SNAPSHOT");
  int want_snap = 0;
  if (snap && *snap && strcmp(snap, "0") != 0) {
    if (strcmp(snap, "1") == 0)
      want_snap = 1;
    else
      rt_warn("ignoring CPROF_SNAPSHOT='%s' (expected 0 or 1); no periodic snapshots", snap);
  }
  if (!v || !*v) {
    if (want_snap)
      rt_warn("CPROF_SNAPSHOT=1 needs CPROF_INTERVAL; no periodic snapshots");
    return;
  }
  char *end;
  errno = 0;
  double sec = strtod(v, &end);
  if (*end || errno || !(sec >= 0.001 && sec <= 86400.0) || isspace((unsigned char)*v)) {
    rt_warn("ignoring CPROF_INTERVAL='%s' (expected seconds, 0.001 to 86400); no timeline", v);
    return;
  }
  iv_tick_ns = (uint64_t)(sec * 1e9 + 0.5);
  iv_snapshot = want_snap;
  void *p = mmap(NULL, IV_CAP * sizeof *iv_samples, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    rt_warn("cannot start the CPROF_INTERVAL sampler: %s", strerror(errno));
    return;
  }
  iv_samples = p;
  rt_cond_init_monotonic(&iv_cond);
  int rc = rt_spawn_runtime_thread(&iv_thread, iv_main);
  if (rc != 0) {
    rt_warn("cannot start the CPROF_INTERVAL sampler: %s", strerror(rc));
    return;
  }
  iv_running = 1;
  pthread_atfork(iv_fork_prepare, iv_fork_parent, iv_fork_child);
}

void rt_interval_stop(void) {
  rt_stop_runtime_thread(iv_thread, &iv_running, &iv_lock, &iv_cond, &iv_stop);
}

static int iv_u64(cJSON *o, const char *key, uint64_t v) {
  char buf[24];
  snprintf(buf, sizeof buf, "%" PRIu64, v);
  return cJSON_AddRawToObject(o, key, buf) ? 0 : -1;
}

/* "timeline" when CPROF_INTERVAL is active; -1 on OOM. */
int rt_interval_json(cJSON *root) {
  if (!iv_samples)
    return 0;
  int rc = -1;
  /* The sampler holds iv_lock for microseconds (a decimation for well under a millisecond). */
  if (rt_mutex_lock_patient(&iv_lock) != 0)
    return 0;
  cJSON *o = cJSON_AddObjectToObject(root, "timeline");
  cJSON *arr = o ? cJSON_AddArrayToObject(o, "samples") : NULL;
  if (arr && iv_u64(o, "interval_ns", iv_tick_ns * iv_stride) == 0) {
    rc = 0;
    for (uint32_t i = 0; rc == 0 && i < iv_n; i++) {
      const struct iv_sample *s = &iv_samples[i];
      cJSON *so = cJSON_CreateObject();
      if (!so || !cJSON_AddItemToArray(arr, so) || iv_u64(so, "t_ns", s->t_ns) != 0 ||
          iv_u64(so, "rss_bytes", s->rss_bytes) != 0 ||
          iv_u64(so, "cpu_user_ns", s->cpu_user_ns) != 0 ||
          iv_u64(so, "cpu_system_ns", s->cpu_system_ns) != 0)
        rc = -1;
    }
  }
  pthread_mutex_unlock(&iv_lock);
  return rc;
}

void rt_cond_init_monotonic(pthread_cond_t *cond) {
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(cond, &ca);
  pthread_condattr_destroy(&ca);
}

int rt_spawn_runtime_thread(pthread_t *thread, void *(*fn)(void *)) {
  /* The real pthread_create: rt-thread.c's wrapper would register a profiled thread. */
  int (*create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *) =
    (int (*)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *))dlsym(
      RTLD_NEXT, "pthread_create");
  /* A runtime thread must never run the program's signal handlers: block everything. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int rc = create ? create(thread, NULL, fn, NULL) : EAGAIN;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return rc;
}

void rt_stop_runtime_thread(pthread_t thread, int *running, pthread_mutex_t *lock,
                            pthread_cond_t *cond, int *stop) {
  if (!*running || pthread_equal(pthread_self(), thread))
    return;
  pthread_mutex_lock(lock);
  *stop = 1;
  pthread_cond_signal(cond);
  pthread_mutex_unlock(lock);
  pthread_join(thread, NULL);
  *running = 0;
}

void rt_timespec_add(struct timespec *ts, uint64_t ns) {
  ts->tv_sec += (time_t)(ns / 1000000000u);
  ts->tv_nsec += (long)(ns % 1000000000u);
  if (ts->tv_nsec >= 1000000000L) {
    ts->tv_sec++;
    ts->tv_nsec -= 1000000000L;
  }
}

int rt_mutex_lock_patient(pthread_mutex_t *lock) {
  /* A dump from a signal handler may have interrupted the holder of lock in this very thread
   * (fork's prepare handler): give up rather than deadlock. */
  int tries = 0;
  while (pthread_mutex_trylock(lock) != 0)
    if (++tries > 20000)
      return -1;
    else
      sched_yield();
  return 0;
}
