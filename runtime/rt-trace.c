/* rt-trace.c: CPROF_TRACE: per-thread bounded buffers of entry/exit events, kept for the profile. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "rt-internal.h"

#define TRACE_DEFAULT_CAP 1000000u /* events per thread: 16 MB of address space, touched as used */
#define TRACE_MIN_CAP 16u
#define TRACE_MAX_CAP 100000000u

int rt_trace_on;
uint32_t rt_trace_cap = TRACE_DEFAULT_CAP;

/* Exited threads' buffers, until the profile is written (rt_lock). */
struct trace_done {
  uint32_t thread;
  pid_t tid;
  struct rt_trace_buf buf;
};
static struct trace_done *trace_done;
static size_t trace_ndone, trace_done_cap;

void rt_trace_init(void) {
  const char *on = getenv("CPROF_TRACE");
  if (on && *on && strcmp(on, "0") != 0) {
    if (strcmp(on, "1") == 0)
      rt_trace_on = 1;
    else
      rt_warn("ignoring CPROF_TRACE='%s' (expected 0 or 1); no trace is recorded", on);
  }
  const char *cap = getenv("CPROF_TRACE_BUFFER");
  if (cap && *cap) {
    char *end;
    errno = 0;
    unsigned long long n = strtoull(cap, &end, 10);
    if (errno || *end || cap[0] == '-' || n < TRACE_MIN_CAP || n > TRACE_MAX_CAP)
      rt_warn("ignoring CPROF_TRACE_BUFFER='%s' (expected %u to %u events); using %u", cap,
              TRACE_MIN_CAP, TRACE_MAX_CAP, TRACE_DEFAULT_CAP);
    else
      rt_trace_cap = (uint32_t)n;
  }
}

/* mmap rather than malloc: the runtime's own memory stays out of the program's heap figures,
 * and only the pages the events reach are ever touched. */
int rt_trace_alloc(struct rt_trace_buf *b) {
  void *p = mmap(NULL, (size_t)rt_trace_cap * sizeof *b->ev, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    return -1;
  b->ev = p;
  b->cap = rt_trace_cap;
  b->n = b->open = 0;
  return 0;
}

void rt_trace_thread_reset(struct rt_trace_buf *b) {
  b->n = b->open = 0;
  b->dropped = 0;
}

void rt_trace_thread_free(struct rt_trace_buf *b) {
  if (b->ev)
    munmap(b->ev, (size_t)b->cap * sizeof *b->ev);
  memset(b, 0, sizeof *b);
}

/* The buffer moves to the exited threads' list; the thread record no longer owns it. */
void rt_trace_thread_exit(struct rt_trace_buf *b, uint32_t id, pid_t tid) {
  if (!b->ev && !b->dropped)
    return;
  if (trace_ndone == trace_done_cap) {
    size_t cap = trace_done_cap ? trace_done_cap * 2 : 16;
    struct trace_done *d = realloc(trace_done, cap * sizeof *d);
    if (!d) {
      rt_warn("out of memory: the trace of thread %u is lost", id);
      rt_trace_thread_free(b);
      return;
    }
    trace_done = d;
    trace_done_cap = cap;
  }
  trace_done[trace_ndone++] = (struct trace_done){id, tid, *b};
  memset(b, 0, sizeof *b);
}

void rt_trace_reset(void) {
  for (size_t i = 0; i < trace_ndone; i++)
    rt_trace_thread_free(&trace_done[i].buf);
  trace_ndone = 0;
}

static int trace_copy(struct rt_trace_snapshot *s, uint32_t id, pid_t tid,
                      const struct rt_trace_buf *b) {
  uint32_t n = __atomic_load_n(&b->n, __ATOMIC_ACQUIRE);
  struct rt_trace_thread *t = &s->threads[s->nthreads];
  *t = (struct rt_trace_thread){id, tid, b->dropped, n, NULL};
  if (n && !(t->ev = malloc((size_t)n * sizeof *t->ev)))
    return -1;
  if (n)
    memcpy(t->ev, b->ev, (size_t)n * sizeof *t->ev);
  s->nthreads++;
  return 0;
}

/* Copies every thread's events: exited threads', then the live ones' (a live thread may be
 * adding events: the copy holds those published before the count was read). */
int rt_trace_snapshot_take(struct rt_trace_snapshot *s, struct rt_thread *live) {
  memset(s, 0, sizeof *s);
  if (!rt_trace_on)
    return 0;
  size_t n = trace_ndone;
  for (struct rt_thread *t = live; t; t = t->next)
    n++;
  if (!(s->threads = calloc(n ? n : 1, sizeof *s->threads)))
    return -1;
  for (size_t i = 0; i < trace_ndone; i++)
    if (trace_copy(s, trace_done[i].thread, trace_done[i].tid, &trace_done[i].buf) != 0)
      return -1;
  for (struct rt_thread *t = live; t; t = t->next)
    if ((t->trace.ev || t->trace.dropped) && trace_copy(s, t->id, t->tid, &t->trace) != 0)
      return -1;
  return 0;
}

void rt_trace_snapshot_free(struct rt_trace_snapshot *s) {
  for (size_t i = 0; i < s->nthreads; i++)
    free(s->threads[i].ev);
  free(s->threads);
  memset(s, 0, sizeof *s);
}
