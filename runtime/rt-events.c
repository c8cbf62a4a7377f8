/* rt-events.c: CPROF_EVENTS: perf_event_open counters per thread, totals per thread and function. */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rt-internal.h"

#define EV_STACK_FRAMES ((size_t)1 << 20) /* deeper frames are not measured */

struct rt_events rt_events;
int rt_events_on;

static const struct {
  const char *name;
  uint32_t type;
  uint64_t config;
} ev_known[] = {
    {"task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK},
    {"cpu-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK},
    {"page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS},
    {"minor-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN},
    {"major-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ},
    {"context-switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES},
    {"cpu-migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS},
    {"cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES},
    {"instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS},
    {"cache-references", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES},
    {"cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES},
    {"branches", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS},
    {"branch-instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS},
    {"branch-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES},
    {"bus-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BUS_CYCLES},
    {"ref-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_REF_CPU_CYCLES},
    {"stalled-cycles-frontend", PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_FRONTEND},
    {"stalled-cycles-backend", PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_BACKEND},
};

/* Exited threads' totals (rt_lock). */
static uint64_t *ev_gfn; /* nfids * n */
static uint32_t ev_gfn_cap;

static int ev_open(uint32_t i) {
  struct perf_event_attr a;
  memset(&a, 0, sizeof a);
  a.size = sizeof a;
  a.type = rt_events.type[i];
  a.config = rt_events.config[i];
  a.exclude_kernel = rt_events.type[i] == PERF_TYPE_HARDWARE;
  a.exclude_hv = 1;
  return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

static uint64_t ev_read(int fd) {
  uint64_t v = 0;
  if (fd < 0 || read(fd, &v, sizeof v) != (ssize_t)sizeof v)
    return 0;
  return v;
}

/* Parses CPROF_EVENTS; unknown or unavailable events get one warning line for all of them. */
void rt_events_init(void) {
  const char *spec = getenv("CPROF_EVENTS");
  if (!spec || !*spec)
    return;
  char *copy = strdup(spec), *save = NULL, bad[512] = "";
  for (char *tok = copy ? strtok_r(copy, ",", &save) : NULL; tok; tok = strtok_r(NULL, ",", &save)) {
    if (rt_events.n == RT_EV_MAX) {
      rt_warn("CPROF_EVENTS: at most %u events; '%s' and later ignored", RT_EV_MAX, tok);
      break;
    }
    uint32_t i = rt_events.n, k = 0;
    while (k < sizeof ev_known / sizeof ev_known[0] && strcmp(ev_known[k].name, tok) != 0)
      k++;
    int dup = 0;
    for (uint32_t d = 0; d < i; d++)
      dup |= strcmp(rt_events.name[d], tok) == 0;
    if (dup || !*tok)
      continue;
    rt_events.name[i] = strdup(tok);
    if (!rt_events.name[i])
      break;
    rt_events.n++;
    const char *why = NULL;
    if (k == sizeof ev_known / sizeof ev_known[0]) {
      why = "unknown event";
    } else {
      rt_events.type[i] = ev_known[k].type;
      rt_events.config[i] = ev_known[k].config;
      int fd = ev_open(i);
      if (fd < 0)
        why = strerror(errno);
      else
        close(fd);
    }
    rt_events.supported[i] = why == NULL;
    if (why) {
      size_t len = strlen(bad);
      snprintf(bad + len, sizeof bad - len, "%s%s (%s)", len ? ", " : "", tok, why);
    }
  }
  free(copy);
  if (*bad)
    rt_warn("CPROF_EVENTS: not counted: %s", bad);
  for (uint32_t i = 0; i < rt_events.n; i++)
    if (rt_events.supported[i])
      rt_events_on = 1;
}

/* The calling thread's counters (at attach, or in a fork child). */
void rt_events_thread_open(struct rt_thread *t) {
  for (uint32_t i = 0; i < RT_EV_MAX; i++)
    t->ev_fd[i] = -1;
  if (!rt_events_on)
    return;
  for (uint32_t i = 0; i < rt_events.n; i++)
    if (rt_events.supported[i])
      t->ev_fd[i] = ev_open(i);
  void *p = mmap(NULL, EV_STACK_FRAMES * rt_events.n * sizeof(uint64_t), PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  t->ev_stack = p == MAP_FAILED ? NULL : p;
}

void rt_events_thread_free(struct rt_thread *t) {
  for (uint32_t i = 0; i < RT_EV_MAX; i++) {
    if (t->ev_fd[i] >= 0)
      close(t->ev_fd[i]);
    t->ev_fd[i] = -1;
  }
  if (t->ev_stack)
    munmap(t->ev_stack, EV_STACK_FRAMES * rt_events.n * sizeof(uint64_t));
  t->ev_stack = NULL;
  for (uint32_t i = 0; i < RT_FN_TOP; i++) {
    free(t->ev_fn[i]);
    t->ev_fn[i] = NULL;
  }
}

/* Frame `depth` (0: outermost) was opened: remember the counter values. */
void rt_events_enter(struct rt_thread *t, uint64_t depth) {
  if (!t->ev_stack || depth >= EV_STACK_FRAMES)
    return;
  uint64_t *v = &t->ev_stack[depth * rt_events.n];
  for (uint32_t i = 0; i < rt_events.n; i++)
    v[i] = ev_read(t->ev_fd[i]);
}

/* Frame `depth` of fid closed; its outermost activation adds the counts to fid. */
void rt_events_exit(struct rt_thread *t, uint64_t depth, uint32_t fid, int outermost) {
  if (!outermost || !t->ev_stack || depth >= EV_STACK_FRAMES || fid >= RT_MAX_FIDS)
    return;
  uint64_t *c = t->ev_fn[fid >> RT_FN_CHUNK_BITS];
  if (!c) {
    RT_INTERNAL_BEGIN();
    c = calloc((size_t)RT_FN_CHUNK * rt_events.n, sizeof *c);
    RT_INTERNAL_END();
    if (!c)
      return;
    __atomic_store_n(&t->ev_fn[fid >> RT_FN_CHUNK_BITS], c, __ATOMIC_RELEASE);
  }
  const uint64_t *v = &t->ev_stack[depth * rt_events.n];
  uint64_t *f = &c[(fid & (RT_FN_CHUNK - 1)) * rt_events.n];
  for (uint32_t i = 0; i < rt_events.n; i++) {
    uint64_t now = ev_read(t->ev_fd[i]);
    f[i] += now > v[i] ? now - v[i] : 0;
  }
}

/* A frame still open from before a reset or fork is not measured: forget its start values. */
void rt_events_thread_reset(struct rt_thread *t) {
  for (uint32_t i = 0; i < RT_FN_TOP; i++)
    if (t->ev_fn[i])
      memset(t->ev_fn[i], 0, (size_t)RT_FN_CHUNK * rt_events.n * sizeof(uint64_t));
}

/* Adds t's per-function totals (rows of rt_events.n values) to fn[nfn]. */
static void ev_merge_fn(const struct rt_thread *t, uint64_t *fn, uint32_t nfn) {
  for (uint32_t top = 0; top < RT_FN_TOP && top * RT_FN_CHUNK < nfn; top++) {
    const uint64_t *c = __atomic_load_n(&t->ev_fn[top], __ATOMIC_ACQUIRE);
    for (uint32_t j = 0; c && j < RT_FN_CHUNK && top * RT_FN_CHUNK + j < nfn; j++)
      for (uint32_t i = 0; i < rt_events.n; i++)
        fn[(size_t)(top * RT_FN_CHUNK + j) * rt_events.n + i] += c[(size_t)j * rt_events.n + i];
  }
}

/* The thread's totals since its counters were opened. */
void rt_events_thread_totals(const struct rt_thread *t, uint64_t out[RT_EV_MAX]) {
  for (uint32_t i = 0; i < RT_EV_MAX; i++)
    out[i] = i < rt_events.n && rt_events.supported[i] ? ev_read(t->ev_fd[i]) : 0;
}

/* rt_lock held, at the thread's exit. */
void rt_events_thread_exit(struct rt_thread *t) {
  if (!rt_events_on)
    return;
  RT_INTERNAL_BEGIN();
  uint32_t nfids = rt_module_fid_end(rt_module_count());
  if (nfids > ev_gfn_cap) {
    uint64_t *g = realloc(ev_gfn, (size_t)nfids * rt_events.n * sizeof *g);
    if (g) {
      memset(g + (size_t)ev_gfn_cap * rt_events.n, 0,
             (size_t)(nfids - ev_gfn_cap) * rt_events.n * sizeof *g);
      ev_gfn = g;
      ev_gfn_cap = nfids;
    }
  }
  if (t->gen == __atomic_load_n(&rt_reset_gen, __ATOMIC_RELAXED))
    ev_merge_fn(t, ev_gfn, ev_gfn_cap);
  RT_INTERNAL_END();
}

void rt_events_reset(void) {
  if (ev_gfn)
    memset(ev_gfn, 0, (size_t)ev_gfn_cap * rt_events.n * sizeof *ev_gfn);
}

/* Fork child: the parent's counters follow the parent's threads; open the child's own. */
void rt_events_fork_child(struct rt_thread *self) {
  if (!rt_events_on)
    return;
  rt_events_reset();
  if (self) {
    rt_events_thread_free(self);
    rt_events_thread_open(self);
  }
}

/* rt_lock held: per-function totals of exited and live threads (rows of rt_events.n). */
uint64_t *rt_events_snapshot(struct rt_thread *live, uint32_t nfids) {
  if (!rt_events_on)
    return NULL;
  uint64_t *fn = calloc((size_t)(nfids ? nfids : 1) * rt_events.n, sizeof *fn);
  if (!fn)
    return NULL;
  for (uint32_t f = 0; f < nfids && f < ev_gfn_cap; f++)
    memcpy(&fn[(size_t)f * rt_events.n], &ev_gfn[(size_t)f * rt_events.n],
           rt_events.n * sizeof *fn);
  uint32_t gen = __atomic_load_n(&rt_reset_gen, __ATOMIC_RELAXED);
  for (struct rt_thread *t = live; t; t = t->next)
    if (t->gen == gen)
      ev_merge_fn(t, fn, nfids);
  return fn;
}
