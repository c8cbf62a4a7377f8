/* rt-thread.c: per-thread records: creation, pthread_create interposition, exit merge, fork. */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "rt-internal.h"

RT_TLS __thread struct rt_thread *rt_self_tls;
uint32_t rt_reset_gen;

static pthread_key_t thread_key;
static struct rt_thread *thread_live;          /* rt_lock */
static uint32_t thread_next_id = 1;            /* rt_lock; 0 is the main thread */
static struct rt_thread_summary *thread_done;  /* exited threads (rt_lock) */
static size_t thread_ndone, thread_done_cap;
static struct rt_fn_time *thread_gfn;          /* timing of exited threads (rt_lock) */
static uint32_t thread_gfn_cap;
static uint8_t thread_gfn_chunk[RT_FN_TOP]; /* chunks of thread_gfn an exited thread timed */
static struct rt_edge_map thread_gedges;       /* edges of exited threads (rt_lock) */
static uint64_t thread_gunwound, thread_gdropped;

typedef int (*thread_create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
static thread_create_fn thread_real_create;

static thread_create_fn thread_resolve_create(void) {
  thread_create_fn fn = __atomic_load_n(&thread_real_create, __ATOMIC_ACQUIRE);
  if (!fn) {
    fn = (thread_create_fn)dlsym(RTLD_NEXT, "pthread_create");
    __atomic_store_n(&thread_real_create, fn, __ATOMIC_RELEASE);
  }
  return fn;
}

static void thread_name(const struct rt_thread *t, char name[16]) {
  name[0] = '\0';
  if (t == rt_self_tls || !t)
    prctl(PR_GET_NAME, name, 0, 0, 0);
  else if (pthread_getname_np(t->handle, name, 16) != 0)
    name[0] = '\0';
  name[15] = '\0';
}

static void thread_summarize(const struct rt_thread *t, uint64_t now,
                             struct rt_thread_summary *s) {
  s->id = t->id;
  s->tid = t->tid;
  thread_name(t, s->name);
  s->is_main = t->is_main;
  s->timed_calls = __atomic_load_n(&t->timed_calls, __ATOMIC_RELAXED);
  s->max_depth = __atomic_load_n(&t->max_depth, __ATOMIC_RELAXED);
  s->unwound_frames = __atomic_load_n(&t->unwound_frames, __ATOMIC_RELAXED);
  s->runtime_ns = now > t->start_ns ? now - t->start_ns : 0;
  rt_events_thread_totals(t, s->events);
}

/* Records tls_counters() of every module registered since t's last capture (owner thread). */
void rt_thread_capture(struct rt_thread *t) {
  uint32_t n = rt_module_count();
  uint32_t have = __atomic_load_n(&t->nctr, __ATOMIC_RELAXED);
  if (have >= n)
    return;
  RT_INTERNAL_BEGIN();
  uint64_t **ptrs = malloc((n - have) * sizeof *ptrs);
  if (!ptrs) {
    RT_INTERNAL_END();
    return;
  }
  for (uint32_t i = have; i < n; i++)
    ptrs[i - have] = rt_module_tls(rt_module_get(i)); /* must run in t's thread */
  pthread_mutex_lock(&rt_lock);
  if (n > t->ctr_cap) {
    uint32_t cap = t->ctr_cap ? t->ctr_cap : 8;
    while (cap < n)
      cap *= 2;
    uint64_t **p = realloc(t->ctr, cap * sizeof *p);
    if (!p) {
      pthread_mutex_unlock(&rt_lock);
      free(ptrs);
      RT_INTERNAL_END();
      return;
    }
    t->ctr = p;
    t->ctr_cap = cap;
  }
  memcpy(t->ctr + have, ptrs, (n - have) * sizeof *ptrs);
  t->nctr = n;
  pthread_mutex_unlock(&rt_lock);
  free(ptrs);
  t->captured_fids = rt_module_fid_end(n);
  RT_INTERNAL_END();
}

static void thread_free(struct rt_thread *t) {
  rt_timing_free(t);
  rt_mem_thread_free(t);
  rt_events_thread_free(t);
  free(t->ctr);
  free(t);
}

static void thread_unlink(struct rt_thread *t) {
  if (t->prev)
    t->prev->next = t->next;
  else if (thread_live == t)
    thread_live = t->next;
  if (t->next)
    t->next->prev = t->prev;
  t->next = t->prev = NULL;
}

/* Creates the calling thread's record; NULL when profiling is off or memory is short. */
struct rt_thread *rt_thread_attach(void) {
  if (!rt_config.enabled)
    return NULL;
  RT_INTERNAL_BEGIN();
  struct rt_thread *t = calloc(1, sizeof *t);
  if (!t) {
    RT_INTERNAL_END();
    return NULL;
  }
  t->tid = (pid_t)gettid();
  t->handle = pthread_self();
  t->is_main = t->tid == getpid();
  t->start_ns = rt_clock_now();
  t->gen = __atomic_load_n(&rt_reset_gen, __ATOMIC_RELAXED);
  rt_events_thread_open(t);
  pthread_mutex_lock(&rt_lock);
  t->id = t->is_main ? 0 : thread_next_id++;
  t->next = thread_live;
  if (thread_live)
    thread_live->prev = t;
  thread_live = t;
  pthread_mutex_unlock(&rt_lock);
  rt_self_tls = t;
  pthread_setspecific(thread_key, t); /* the destructor merges t at thread exit */
  rt_thread_capture(t);
  RT_INTERNAL_END();
  return t;
}

/* Thread exit (return, pthread_exit or cancellation): fold t into the global totals. */
static void thread_key_dtor(void *arg) {
  struct rt_thread *t = arg;
  if (!t || t != rt_self_tls)
    return;
  uint64_t now = rt_clock_now();
  t->in_hook = 1;
  RT_INTERNAL_BEGIN();
  rt_timing_close_all(t, now);
  uint32_t n = rt_module_count();
  uint64_t **ptrs = calloc(n ? n : 1, sizeof *ptrs);
  for (uint32_t i = 0; ptrs && i < n; i++)
    ptrs[i] = rt_module_tls(rt_module_get(i));
  struct rt_thread_summary sum;
  thread_summarize(t, now, &sum);
  pthread_mutex_lock(&rt_lock);
  for (uint32_t i = 0; i < n; i++) {
    struct rt_module *m = rt_module_get(i);
    uint64_t *c = ptrs ? ptrs[i] : i < t->nctr ? t->ctr[i] : NULL;
    if (!c || m->unloaded) /* unloaded: __cprof_unregister already folded this thread */
      continue;
    for (uint32_t k = 0; k < m->num_counters; k++) {
      m->totals[k] += c[k];
      c[k] = 0; /* merged: code running after this destructor starts from zero */
    }
  }
  uint32_t nfids = rt_module_fid_end(n);
  if (nfids > thread_gfn_cap) {
    struct rt_fn_time *g = realloc(thread_gfn, nfids * sizeof *g);
    if (g) {
      memset(g + thread_gfn_cap, 0, (nfids - thread_gfn_cap) * sizeof *g);
      thread_gfn = g;
      thread_gfn_cap = nfids;
    }
  }
  if (t->gen == __atomic_load_n(&rt_reset_gen, __ATOMIC_RELAXED)) {
    for (uint32_t top = 0; top < RT_FN_TOP && top * RT_FN_CHUNK < thread_gfn_cap; top++)
      thread_gfn_chunk[top] |= t->fn[top] != NULL;
    if (rt_merge_thread(t, thread_gfn, thread_gfn_cap, &thread_gedges, NULL) != 0)
      rt_warn("out of memory while merging thread %u", t->id);
  }
  thread_gunwound += t->unwound_frames;
  thread_gdropped += t->dropped_frames;
  rt_mem_thread_exit(t);
  rt_events_thread_exit(t);
  rt_trace_thread_exit(&t->trace, t->id, t->tid);
  if (thread_ndone == thread_done_cap) {
    size_t cap = thread_done_cap ? thread_done_cap * 2 : 16;
    struct rt_thread_summary *d = realloc(thread_done, cap * sizeof *d);
    if (d) {
      thread_done = d;
      thread_done_cap = cap;
    }
  }
  if (thread_ndone < thread_done_cap)
    thread_done[thread_ndone++] = sum;
  thread_unlink(t);
  rt_self_tls = NULL;
  pthread_mutex_unlock(&rt_lock);
  free(ptrs);
  thread_free(t);
  RT_INTERNAL_END();
}

struct thread_start {
  void *(*fn)(void *);
  void *arg;
};

static void *thread_trampoline(void *p) {
  struct thread_start s = *(struct thread_start *)p;
  free(p);
  if (!rt_self_tls)
    rt_thread_attach();
  return s.fn(s.arg);
}

CPROF_EXPORT int pthread_create(pthread_t *th, const pthread_attr_t *attr,
                                void *(*fn)(void *), void *arg) {
  thread_create_fn real = thread_resolve_create();
  if (!real)
    return EAGAIN;
  RT_INTERNAL_BEGIN();
  struct thread_start *s = rt_config.enabled ? malloc(sizeof *s) : NULL;
  RT_INTERNAL_END();
  if (!s)
    return real(th, attr, fn, arg);
  s->fn = fn;
  s->arg = arg;
  int rc = real(th, attr, thread_trampoline, s);
  if (rc != 0)
    free(s);
  return rc;
}

/* ---- fork -------------------------------------------------------------------------------- */

static void thread_fork_prepare(void) { pthread_mutex_lock(&rt_lock); }
static void thread_fork_parent(void) { pthread_mutex_unlock(&rt_lock); }

/* Only the forking thread survives: the child starts a fresh profile of its own. */
static void thread_fork_child(void) {
  pthread_mutex_init(&rt_lock, NULL);
  RT_INTERNAL_BEGIN();
  uint64_t now = rt_clock_now();
  struct rt_thread *self = rt_self_tls;
  for (struct rt_thread *t = thread_live, *next; t; t = next) {
    next = t->next;
    if (t != self)
      thread_free(t);
  }
  thread_live = self;
  uint32_t n = rt_module_count();
  for (uint32_t i = 0; i < n; i++) {
    struct rt_module *m = rt_module_get(i);
    memset(m->totals, 0, m->num_counters * sizeof *m->totals);
    uint64_t *c = rt_module_tls(m);
    if (c)
      memset(c, 0, m->num_counters * sizeof *c);
  }
  if (thread_gfn)
    memset(thread_gfn, 0, thread_gfn_cap * sizeof *thread_gfn);
  memset(thread_gfn_chunk, 0, sizeof thread_gfn_chunk);
  rt_edge_map_free(&thread_gedges);
  thread_ndone = 0;
  thread_gunwound = thread_gdropped = 0;
  thread_next_id = 1;
  if (self) {
    self->next = self->prev = NULL;
    self->id = 0;
    self->is_main = 1;
    self->tid = (pid_t)gettid();
    self->handle = pthread_self();
    self->start_ns = now;
    rt_timing_reset(self, now);
  }
  rt_mem_fork_child(self);
  rt_events_fork_child(self);
  rt_trace_reset(); /* the parent's exited threads */
  rt_io_fork_child();
  rt_config.start_ns = now;
  rt_output_forked();
  RT_INTERNAL_END();
}

void rt_threads_init(void) {
  if (pthread_key_create(&thread_key, thread_key_dtor) != 0)
    rt_warn("pthread_key_create failed; thread exits will not be merged");
  pthread_atfork(thread_fork_prepare, thread_fork_parent, thread_fork_child);
  thread_resolve_create();
  if (!rt_self_tls)
    rt_thread_attach();
}

/* ---- dlclose ----------------------------------------------------------------------------- */

/* rt_lock held, from the unloading library's destructor: m's TLS blocks are still allocated
 * (glibc frees them after the destructors), so fold every live thread's into m->totals and
 * forget the pointers. own is the calling thread's block. A thread that never captured m's
 * pointer (no timed call since the dlopen) loses the counts it made in m. */
void rt_threads_fold_module(struct rt_module *m, uint64_t *own) {
  struct rt_thread *self = rt_self_tls;
  for (struct rt_thread *t = thread_live; t; t = t->next) {
    uint64_t *c = t == self ? own : m->index < t->nctr ? t->ctr[m->index] : NULL;
    for (uint32_t k = 0; c && k < m->num_counters; k++) {
      m->totals[k] += __atomic_load_n(&c[k], __ATOMIC_RELAXED);
      c[k] = 0;
    }
    if (m->index < t->nctr)
      t->ctr[m->index] = NULL;
  }
  if (!self) /* not a profiled thread (or not yet attached): its block was in no list */
    for (uint32_t k = 0; own && k < m->num_counters; k++) {
      m->totals[k] += own[k];
      own[k] = 0;
    }
}

/* ---- snapshots and reset ----------------------------------------------------------------- */

/* The snapshot's timing table, zero: a mapping of its own when it is large, whose written chunks
 * snapshot_fn_populate faults in with one call each (on these VMs a page fault costs microseconds,
 * and a timed function's record is 1.1 KB: for 10,000 functions the faults were a fifth of the
 * write); calloc otherwise, or where mmap fails. */
static struct rt_fn_time *snapshot_fn_alloc(struct rt_snapshot *s) {
  size_t bytes = (s->nfids ? s->nfids : 1) * sizeof *s->fn;
  if (bytes >= ((size_t)1 << 20)) {
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) {
      s->fn_mapped = bytes;
      return p;
    }
  }
  return calloc(s->nfids ? s->nfids : 1, sizeof *s->fn);
}

/* Makes the pages of fn[lo, hi) present and writable (MADV_POPULATE_WRITE, Linux 5.14); -1 when
 * the table is not a mapping of its own or the kernel cannot. */
static int snapshot_fn_populate(struct rt_snapshot *s, uint32_t lo, uint32_t hi) {
#ifdef MADV_POPULATE_WRITE
  static int unsupported;
  if (!s->fn_mapped || __atomic_load_n(&unsupported, __ATOMIC_RELAXED))
    return -1;
  uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
  uintptr_t a = (uintptr_t)(s->fn + lo) & ~(page - 1);
  uintptr_t b = ((uintptr_t)(s->fn + hi) + page - 1) & ~(page - 1);
  if (madvise((void *)a, b - a, MADV_POPULATE_WRITE) == 0)
    return 0;
  if (errno == EINVAL)
    __atomic_store_n(&unsupported, 1, __ATOMIC_RELAXED);
  return -1;
#else
  (void)s, (void)lo, (void)hi;
  return -1;
#endif
}

/* Marks in open[] the chunks of the fids t is inside of, timed (what rt_merge_open_frames adds). */
static void snapshot_open_chunks(const struct rt_thread *t, uint8_t *open, uint32_t nfids) {
  if (!t->depth)
    return;
  const struct rt_stack_chunk *c = t->stk;
  for (uint32_t n = t->stk_n; c; c = c->prev, n = c ? c->cap : 0)
    for (uint32_t i = 0; i < n; i++)
      if (c->f[i].start != RT_UNTIMED && c->f[i].fid < nfids)
        open[c->f[i].fid >> RT_FN_CHUNK_BITS] = 1;
}

int rt_snapshot_take(struct rt_snapshot *s) {
  memset(s, 0, sizeof *s);
  struct rt_thread *self = rt_self_tls;
  uint32_t n = rt_module_count();
  uint64_t **own = calloc(n ? n : 1, sizeof *own);
  if (!own)
    return -1;
  for (uint32_t i = 0; i < n; i++)
    own[i] = rt_module_tls(rt_module_get(i));

  pthread_mutex_lock(&rt_lock);
  s->now = rt_clock_now();
  s->nmods = n;
  s->nfids = rt_module_fid_end(n);
  s->mods = calloc(n ? n : 1, sizeof *s->mods);
  s->counters = calloc(n ? n : 1, sizeof *s->counters);
  /* Only the chunks some thread timed a function of are written (and read: rt_snapshot_fn), and
   * those are made present before the merges below, which read each slot before writing it: on a
   * fresh mapping that would cost two page faults per page (the zero page, then a copy) instead of
   * one. The rest of the table is never touched. A chunk that only the calling thread timed, and
   * none of whose functions it is inside of (rt_merge_open_frames writes those), is not copied at
   * all: the snapshot reads the thread's own, which does not change while the thread takes and
   * writes it (at exit, that is every chunk of a single-threaded program: 10,000 timed functions
   * are 11 MB of records). */
  uint32_t nchunks = (s->nfids + RT_FN_CHUNK - 1) / RT_FN_CHUNK;
  uint32_t gen = __atomic_load_n(&rt_reset_gen, __ATOMIC_RELAXED);
  s->fn = snapshot_fn_alloc(s);
  s->fn_chunk = calloc(nchunks ? nchunks : 1, sizeof *s->fn_chunk);
  uint8_t *borrowed = calloc(nchunks ? nchunks : 1, 2), *open = borrowed + nchunks;
  size_t nlive = 0;
  for (struct rt_thread *t = thread_live; t; t = t->next)
    nlive++;
  s->threads = calloc(thread_ndone + nlive + 1, sizeof *s->threads);
  int rc = s->mods && s->counters && s->fn && s->fn_chunk && borrowed && s->threads ? 0 : -1;
  int self_merged = rc == 0 && self && self->gen == gen;
  if (self_merged)
    snapshot_open_chunks(self, open, s->nfids);
  for (uint32_t top = 0; rc == 0 && top < nchunks; top++) {
    uint32_t writers = 0;
    const struct rt_thread *writer = NULL;
    for (struct rt_thread *t = thread_live; t; t = t->next)
      if (__atomic_load_n(&t->fn[top], __ATOMIC_ACQUIRE) != NULL) {
        writers++;
        writer = t;
      }
    int gfn = top * RT_FN_CHUNK < thread_gfn_cap && thread_gfn_chunk[top];
    if (!gfn && !writers)
      continue;
    if (!gfn && writers == 1 && writer == self && self_merged && !open[top]) {
      s->fn_chunk[top] = self->fn[top];
      borrowed[top] = 1;
      continue;
    }
    uint32_t lo = top * RT_FN_CHUNK, hi = lo + RT_FN_CHUNK < s->nfids ? lo + RT_FN_CHUNK : s->nfids;
    s->fn_chunk[top] = s->fn + lo;
    if (snapshot_fn_populate(s, lo, hi) == 0)
      continue;
    if (gfn) /* copied from thread_gfn below: written first anyway */
      lo = thread_gfn_cap < hi ? thread_gfn_cap : hi;
    if (lo < hi) /* explicit_bzero: GCC would turn a memset of calloc's memory back into nothing */
      explicit_bzero(s->fn + lo, (hi - lo) * sizeof *s->fn);
  }
  if (rc == 0)
    rc = rt_edge_map_copy(&s->edges, &thread_gedges);
  uint32_t live_edges = 0; /* the largest live thread's: the merges below then seldom grow it */
  for (struct rt_thread *t = thread_live; t; t = t->next) {
    uint32_t ne = __atomic_load_n(&t->nedges, __ATOMIC_ACQUIRE);
    live_edges = ne > live_edges ? ne : live_edges;
  }
  if (rc == 0)
    rc = rt_edge_map_reserve(&s->edges, s->edges.n + live_edges);
  for (uint32_t i = 0; rc == 0 && i < n; i++) {
    struct rt_module *m = rt_module_get(i);
    s->mods[i] = m;
    uint64_t *c = calloc(m->num_counters ? m->num_counters : 1, sizeof *c);
    if (!(s->counters[i] = c)) {
      rc = -1;
      break;
    }
    for (uint32_t k = 0; k < m->num_counters; k++)
      c[k] = m->totals[k] + (own[i] ? own[i][k] : 0);
    for (struct rt_thread *t = thread_live; t; t = t->next) {
      const uint64_t *tc = t != self && i < t->nctr ? t->ctr[i] : NULL;
      for (uint32_t k = 0; tc && k < m->num_counters; k++)
        c[k] += __atomic_load_n(&tc[k], __ATOMIC_RELAXED);
    }
  }
  if (rc == 0)
    rc = rt_mem_snapshot_take(&s->mem, thread_live, s->nfids);
  if (rc == 0)
    rc = rt_trace_snapshot_take(&s->trace, thread_live);
  if (rc == 0 && rt_events_on && !(s->events_fn = rt_events_snapshot(thread_live, s->nfids)))
    rc = -1;
  if (rc == 0) {
    for (uint32_t f = 0; f < s->nfids && f < thread_gfn_cap; f++)
      if (thread_gfn_chunk[f >> RT_FN_CHUNK_BITS])
        s->fn[f] = thread_gfn[f];
    s->unwound_frames = thread_gunwound;
    s->dropped_frames = thread_gdropped;
    memcpy(s->threads, thread_done, thread_ndone * sizeof *s->threads);
    s->nthreads = thread_ndone;
  }
  for (struct rt_thread *t = thread_live; rc == 0 && t; t = t->next) {
    struct rt_thread_summary *sum = &s->threads[s->nthreads++];
    thread_summarize(t, s->now, sum);
    s->unwound_frames += __atomic_load_n(&t->unwound_frames, __ATOMIC_RELAXED);
    s->dropped_frames += __atomic_load_n(&t->dropped_frames, __ATOMIC_RELAXED);
    if (t->gen != gen) {
      sum->timed_calls = sum->max_depth = sum->unwound_frames = 0;
      continue; /* not yet reset by its owner: nothing recorded since cprof_reset() */
    }
    rc = rt_merge_thread(t, s->fn, s->nfids, &s->edges, borrowed);
    if (rc == 0 && t == self) {
      uint64_t closed = 0;
      rc = rt_merge_open_frames(t, s->now, s->fn, s->nfids, &s->edges, &closed);
      sum->timed_calls += closed;
      sum->unwound_frames += closed;
      s->unwound_frames += closed;
    }
  }
  pthread_mutex_unlock(&rt_lock);
  free(own);
  free(borrowed);
  if (rc != 0)
    rt_snapshot_free(s);
  return rc;
}

void rt_snapshot_free(struct rt_snapshot *s) {
  for (uint32_t i = 0; s->counters && i < s->nmods; i++)
    free(s->counters[i]);
  free(s->counters);
  free(s->mods);
  if (s->fn_mapped)
    munmap(s->fn, s->fn_mapped);
  else
    free(s->fn);
  free(s->fn_chunk); /* a borrowed chunk is its thread's */
  free(s->threads);
  rt_edge_map_free(&s->edges);
  rt_mem_snapshot_free(&s->mem);
  rt_trace_snapshot_free(&s->trace);
  free(s->events_fn);
  memset(s, 0, sizeof *s);
}

/* cprof_reset(): counters are zeroed now; other threads drop their timing at their next enter. */
void rt_threads_reset(void) {
  struct rt_thread *self = rt_self_tls;
  uint32_t n = rt_module_count();
  for (uint32_t i = 0; i < n; i++) {
    struct rt_module *m = rt_module_get(i);
    uint64_t *c = rt_module_tls(m);
    if (c)
      memset(c, 0, m->num_counters * sizeof(uint64_t));
  }
  pthread_mutex_lock(&rt_lock);
  __atomic_add_fetch(&rt_reset_gen, 1, __ATOMIC_RELAXED);
  for (uint32_t i = 0; i < n; i++) {
    struct rt_module *m = rt_module_get(i);
    memset(m->totals, 0, m->num_counters * sizeof *m->totals);
    for (struct rt_thread *t = thread_live; t; t = t->next) {
      uint64_t *c = t != self && i < t->nctr ? t->ctr[i] : NULL;
      for (uint32_t k = 0; c && k < m->num_counters; k++)
        __atomic_store_n(&c[k], 0, __ATOMIC_RELAXED);
    }
  }
  if (thread_gfn)
    memset(thread_gfn, 0, thread_gfn_cap * sizeof *thread_gfn);
  memset(thread_gfn_chunk, 0, sizeof thread_gfn_chunk);
  rt_edge_map_free(&thread_gedges);
  for (size_t i = 0; i < thread_ndone; i++)
    thread_done[i].timed_calls = thread_done[i].max_depth = thread_done[i].unwound_frames = 0;
  thread_gunwound = thread_gdropped = 0;
  rt_events_reset();
  rt_trace_reset();
  pthread_mutex_unlock(&rt_lock);
  if (self) {
    self->in_hook = 1;
    rt_timing_reset(self, rt_clock_now());
    self->in_hook = 0;
  }
}
