/* rt-env.c: start-up: CPROF / CPROF_OUTPUT parsing, process identity, exit-time dump. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt-internal.h"

struct rt_config rt_config;
pthread_mutex_t rt_lock = PTHREAD_MUTEX_INITIALIZER;

CPROF_EXPORT int __cprof_active;

static pthread_once_t rt_init_once = PTHREAD_ONCE_INIT;

void rt_warn(const char *fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  /* One write so that concurrent warnings never interleave within a line. */
  fprintf(stderr, "cprof: %s\n", line);
}

static char *env_read_file(const char *path, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap + 1);
  while (buf) {
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0) {
      free(buf);
      buf = NULL;
      break;
    }
    if (r == 0)
      break;
    n += (size_t)r;
    if (n == cap) {
      char *nb = realloc(buf, cap * 2 + 1);
      if (!nb) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = nb;
      cap *= 2;
    }
  }
  close(fd);
  if (buf) {
    buf[n] = '\0';
    *len = n;
  }
  return buf;
}

static void env_read_identity(void) {
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n < 0)
    n = 0;
  exe[n] = '\0';
  rt_config.binary = strdup(exe);

  size_t len = 0;
  char *cmd = env_read_file("/proc/self/cmdline", &len);
  if (!cmd)
    return;
  int argc = 0;
  for (size_t i = 0; i < len; i++)
    argc += cmd[i] == '\0';
  if (len > 0 && cmd[len - 1] != '\0')
    argc++; /* truncated last argument */
  char **argv = calloc((size_t)argc + 1, sizeof *argv);
  if (!argv) {
    free(cmd);
    return;
  }
  int i = 0;
  for (size_t off = 0; off < len && i < argc; off += strlen(cmd + off) + 1)
    argv[i++] = cmd + off;
  rt_config.argv = argv;
  rt_config.argc = i;
}

static void env_atexit(void) {
  rt_interval_stop(); /* no snapshot may race with (or follow) the final profile */
  rt_bursts_stop();
  rt_output_final();
}

/* CPROF_MIN_TIME=NS: see rt_min_time_ns. */
static void env_read_min_time(void) {
  const char *v = getenv("CPROF_MIN_TIME");
  if (!v || !*v) {
    if (rt_trace_on)
      rt_min_time_ns = 0;
    return;
  }
  char *end;
  errno = 0;
  unsigned long long n = strtoull(v, &end, 10);
  if (*end || errno || *v < '0' || *v > '9' || n > 1000000000000ull)
    rt_warn("ignoring CPROF_MIN_TIME='%s' (expected nanoseconds, 0 to 1000000000000); using %u",
            v, RT_MIN_TIME_DEFAULT_NS);
  else
    rt_min_time_ns = n;
}

static void env_init(void) {
  const char *v = getenv("CPROF");
  if (!v || strcmp(v, "0") == 0)
    return;
  if (strcmp(v, "1") != 0) {
    rt_warn("ignoring CPROF='%s' (expected 0 or 1); profiling disabled", v);
    return;
  }
  const char *out = getenv("CPROF_OUTPUT");
  rt_config.output = strdup(out && *out ? out : "profile.json");
  if (!rt_config.output) {
    rt_warn("out of memory at start-up; profiling disabled");
    return;
  }
  const char *sample = getenv("CPROF_SAMPLE_CALLS");
  if (sample && *sample) {
    char *end;
    unsigned long n = strtoul(sample, &end, 10);
    if (*end || n < 1 || n > UINT32_MAX || *sample == '-' || *sample == '+')
      rt_warn("ignoring CPROF_SAMPLE_CALLS='%s' (expected a positive integer); every call is timed",
              sample);
    else
      rt_sample = (uint32_t)n;
  }
  rt_bursts_parse();
  const char *redact = getenv("CPROF_REDACT");
  if (redact && *redact && strcmp(redact, "0") != 0) {
    if (strcmp(redact, "1") == 0)
      rt_config.redact = 1;
    else
      rt_warn("ignoring CPROF_REDACT='%s' (expected 0 or 1); names are not hashed", redact);
  }
  const char *heap = getenv("CPROF_HEAP");
  rt_config.heap = RT_HEAP_AUTO;
  if (heap && *heap) {
    if (strcmp(heap, "0") == 0 || strcmp(heap, "1") == 0)
      rt_config.heap = heap[0] - '0';
    else
      rt_warn("ignoring CPROF_HEAP='%s' (expected 0 or 1); the heap is tracked unless the program "
              "was built without timing hooks", heap);
  }
  env_read_identity();
  rt_config.pid = getpid();
  rt_clock_init();
  rt_config.hook_cost_ns = rt_hook_calibrate();
  rt_events_init(); /* after calibration, which must not read counters */
  rt_config.start_ns = rt_clock_now(); /* after calibration: not part of the program's run */
  rt_config.enabled = 1;
  rt_threads_init();
  rt_mem_init();
  rt_trace_init();
  env_read_min_time(); /* after rt_trace_init: a trace times every call unless told otherwise */
  rt_io_init();
  if (atexit(env_atexit) != 0)
    rt_warn("cannot register the exit handler; the profile will not be written at exit");
  rt_signals_init();
  rt_bursts_init(); /* recording starts: now, or at the first burst */
  rt_interval_init();
}

static void env_init_internal(void) {
  RT_INTERNAL_BEGIN();
  env_init();
  RT_INTERNAL_END();
}

void rt_init(void) { pthread_once(&rt_init_once, env_init_internal); }

__attribute__((constructor(101))) static void env_ctor(void) { rt_init(); }
