/* rt-hooks.c: __cprof_enter/__cprof_exit: shadow stack, per-thread timing and observed edges. */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "rt-internal.h"

#define HOOK_STACK_CHUNK_BYTES ((size_t)1 << 20)

CPROF_EXPORT RT_TLS __thread int __cprof_icall;

/* ---- shadow stack ------------------------------------------------------------------------ */

static inline RT_NOINST struct rt_frame *hook_top(struct rt_thread *t) {
  return t->top;
}

static RT_NOINST struct rt_frame *hook_push_slow(struct rt_thread *t) {
  struct rt_stack_chunk *c = t->stk ? t->stk->next : NULL;
  if (!c) {
    void *p = mmap(NULL, HOOK_STACK_CHUNK_BYTES, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
      return NULL;
    c = p;
    c->bytes = HOOK_STACK_CHUNK_BYTES;
    c->cap = (uint32_t)((c->bytes - sizeof *c) / sizeof(struct rt_frame));
    c->prev = t->stk;
    c->next = NULL;
    if (t->stk)
      t->stk->next = c;
  }
  t->stk = c;
  t->stk_n = 1;
  return &c->f[0];
}

static inline RT_NOINST struct rt_frame *hook_push(struct rt_thread *t) {
  struct rt_frame *f;
  if (RT_LIKELY(t->stk && t->stk_n < t->stk->cap))
    f = &t->stk->f[t->stk_n++];
  else if (!(f = hook_push_slow(t)))
    return NULL;
  t->depth++;
  t->top = f;
  return f;
}

static inline RT_NOINST void hook_pop(struct rt_thread *t) {
  t->depth--;
  if (--t->stk_n == 0 && t->stk->prev) {
    t->stk = t->stk->prev;
    t->stk_n = t->stk->cap;
  }
  t->top = t->stk_n ? &t->stk->f[t->stk_n - 1] : NULL;
}

/* ---- timing tables ----------------------------------------------------------------------- */

static RT_NOINST struct rt_fn_time *hook_fn_chunk(struct rt_thread *t, uint32_t top) {
  struct rt_fn_time *c = calloc(RT_FN_CHUNK, sizeof *c);
  if (c)
    __atomic_store_n(&t->fn[top], c, __ATOMIC_RELEASE);
  return c;
}

static inline RT_NOINST struct rt_fn_time *hook_fn(struct rt_thread *t, uint32_t fid) {
  struct rt_fn_time *c = t->fn[fid >> RT_FN_CHUNK_BITS];
  if (RT_UNLIKELY(!c) && !(c = hook_fn_chunk(t, fid >> RT_FN_CHUNK_BITS)))
    return NULL;
  return &c[fid & (RT_FN_CHUNK - 1)];
}

static inline uint32_t hook_edge_hash(uint32_t parent, uint32_t child, uint32_t mask) {
  uint64_t k = ((uint64_t)parent << 32 | child) * 0x9E3779B97F4A7C15ull;
  return (uint32_t)(k >> 32) & mask;
}

static RT_NOINST int hook_edge_rehash(struct rt_thread *t) {
  uint32_t cap = t->edge_index ? (t->edge_mask + 1) * 2 : 256;
  uint32_t *idx = calloc(cap, sizeof *idx);
  if (!idx)
    return -1;
  for (uint32_t i = 0; i < t->nedges; i++) {
    struct rt_edge *e = &t->edge[i >> RT_EDGE_CHUNK_BITS][i & (RT_EDGE_CHUNK - 1)];
    uint32_t h = hook_edge_hash(e->parent, e->child, cap - 1);
    while (idx[h])
      h = (h + 1) & (cap - 1);
    idx[h] = i + 1;
  }
  free(t->edge_index);
  t->edge_index = idx;
  t->edge_mask = cap - 1;
  return 0;
}

static RT_NOINST uint32_t hook_edge_new(struct rt_thread *t, uint32_t parent, uint32_t child) {
  uint32_t n = t->nedges;
  if (n >= RT_MAX_EDGES)
    return RT_NONE;
  if ((!t->edge_index || (uint64_t)(n + 1) * 2 > t->edge_mask + 1) && hook_edge_rehash(t) != 0)
    return RT_NONE;
  struct rt_edge *c = t->edge[n >> RT_EDGE_CHUNK_BITS];
  if (!c) {
    if (!(c = calloc(RT_EDGE_CHUNK, sizeof *c)))
      return RT_NONE;
    __atomic_store_n(&t->edge[n >> RT_EDGE_CHUNK_BITS], c, __ATOMIC_RELEASE);
  }
  struct rt_edge *e = &c[n & (RT_EDGE_CHUNK - 1)];
  memset(e, 0, sizeof *e);
  e->parent = parent;
  e->child = child;
  uint32_t h = hook_edge_hash(parent, child, t->edge_mask);
  while (t->edge_index[h])
    h = (h + 1) & t->edge_mask;
  t->edge_index[h] = n + 1;
  __atomic_store_n(&t->nedges, n + 1, __ATOMIC_RELEASE);
  return n;
}

static inline RT_NOINST uint32_t hook_edge(struct rt_thread *t, uint32_t parent, uint32_t child) {
  if (RT_LIKELY(t->edge_index)) {
    uint32_t h = hook_edge_hash(parent, child, t->edge_mask), i;
    while ((i = t->edge_index[h]) != 0) {
      struct rt_edge *e = &t->edge[(i - 1) >> RT_EDGE_CHUNK_BITS][(i - 1) & (RT_EDGE_CHUNK - 1)];
      if (e->parent == parent && e->child == child)
        return i - 1;
      h = (h + 1) & t->edge_mask;
    }
  }
  return hook_edge_new(t, parent, child);
}

static inline struct rt_edge *hook_edge_at(struct rt_thread *t, uint32_t i) {
  return &t->edge[i >> RT_EDGE_CHUNK_BITS][i & (RT_EDGE_CHUNK - 1)];
}

/* ---- activations ------------------------------------------------------------------------- */

#define HOOK_INLINE static inline __attribute__((always_inline)) RT_NOINST

/* ---- CPROF_MIN_TIME: stop timing functions whose calls are too short to time -------------- */

uint64_t rt_min_time_ns = RT_MIN_TIME_DEFAULT_NS;

/* At its 256th, 512th, 1024th, ... timed call in a thread (first slow calls, such as cold
 * caches, only delay the verdict; with CPROF_SAMPLE_CALLS=N, at the first power of two of timed calls
 * that stands for 256 calls and at every power of two after), a function whose timed calls so
 * far averaged under rt_min_time_ns (inclusive) is timed no more, in any thread: its module's
 * untimed byte makes the instrumented code skip both hooks, so a call then costs what counting
 * costs. The activations already open keep their hooks (the code tests the byte once per
 * activation), so the outermost calls of a recursion stay timed. Its later calls' time is its
 * callers' self time, as for an inlined call, and so are the heap blocks and I/O the runtime
 * charges to the innermost timed function; its counts stay exact. At most 40 times per function
 * and thread. */
static RT_NOINST __attribute__((noinline)) void hook_adapt(uint32_t fid,
                                                            const struct rt_fn_time *ft) {
  if (!rt_min_time_ns || ft->sum_ns >= rt_min_time_ns * ft->timed_calls)
    return;
  struct rt_module *m = rt_module_of_fid(fid);
  uint8_t *untimed = m ? __atomic_load_n(&m->untimed, __ATOMIC_ACQUIRE) : NULL;
  if (untimed) /* the code's own array, or the runtime's copy once unloaded */
    __atomic_store_n(&untimed[fid - m->fid_base], 1, __ATOMIC_RELAXED);
}

/* Adds one timed call of incl (self) ns to ft; returns whether CPROF_MIN_TIME judges fid now
 * (hook_adapt reads only the calls and their sum, so the caller may run it after the rest). */
HOOK_INLINE int hook_account(struct rt_fn_time *ft, uint64_t incl, uint64_t self) {
  if (ft->timed_calls == 0 || incl < ft->min_ns)
    ft->min_ns = incl;
  if (incl > ft->max_ns)
    ft->max_ns = incl;
  uint64_t n = ++ft->timed_calls;
  ft->sum_ns += incl;
  ft->self_ns += self;
  ft->lat[rt_lat_bucket(incl)]++;
  if (ft->depth && --ft->depth == 0)
    ft->total_ns += incl;
  return RT_UNLIKELY((n & (n - 1)) == 0) && n * rt_sample >= RT_ADAPT_CALLS;
}

/* The time of a closed frame entered by an edge, on that edge. */
HOOK_INLINE void hook_edge_time(const struct rt_frame *f, uint64_t incl) {
  if (f->edge != RT_NONE) {
    if (f->edge & RT_EDGE_INDIRECT)
      f->ep->itime_ns += incl;
    else
      f->ep->time_ns += incl;
  }
}

/* Closes the top frame at now (a return, or unwound when the frame is known to be gone). */
HOOK_INLINE void hook_close(struct rt_thread *t, uint64_t now, int unwound) {
  struct rt_frame *f = hook_top(t);
  if (RT_UNLIKELY(f->start == RT_UNTIMED)) { /* opened before a reset or fork */
    hook_pop(t);
    return;
  }
  uint64_t incl = now > f->start ? now - f->start : 0;
  uint64_t self = incl > f->child ? incl - f->child : 0;
  uint32_t fid = f->fid;
  struct rt_fn_time *ft = f->ft;
  if (RT_UNLIKELY(f->traced))
    rt_trace_exit(&t->trace, fid, now, unwound);
  hook_edge_time(f, incl);
  hook_pop(t); /* f stays readable: chunks are never unmapped while the thread lives */
  if (hook_account(ft, incl, self))
    hook_adapt(fid, ft);
  if (RT_UNLIKELY(rt_events_on))
    rt_events_exit(t, t->depth, fid, ft->depth == 0);
  t->timed_calls++;
  if (RT_UNLIKELY(unwound)) {
    ft->unwound_calls++;
    t->unwound_frames++;
  }
  if (t->depth)
    hook_top(t)->child += incl;
}

/* Closes the n top frames (n <= depth) at now as unwound: hook_close's work in one pass, with
 * the time each adds to its parent's child time carried in a register; so a longjmp over a
 * deep stack costs a few dozen instructions per frame it closes. */
static RT_NOINST __attribute__((noinline, optimize("no-tree-slp-vectorize"))) void
hook_close_unwound(struct rt_thread *t, uint64_t n, uint64_t now) {
  if (RT_UNLIKELY(rt_events_on)) { /* counter reads need each frame's depth */
    for (; n > 0; n--)
      hook_close(t, now, 1);
    return;
  }
  uint64_t carry = 0, timed = 0;
  while (n > 0) {
    struct rt_stack_chunk *c = t->stk;
    uint32_t k = n < t->stk_n ? (uint32_t)n : t->stk_n, i = t->stk_n - k;
    for (const struct rt_frame *f = &c->f[i + k], *end = &c->f[i]; f-- != end;) {
      if (RT_UNLIKELY(f->start == RT_UNTIMED)) { /* adds nothing to its parent */
        carry = 0;
        continue;
      }
      uint64_t incl = now > f->start ? now - f->start : 0;
      uint64_t child = f->child + carry;
      uint64_t self = incl > child ? incl - child : 0;
      carry = incl;
      struct rt_fn_time *ft = f->ft;
      if (RT_UNLIKELY(f->traced))
        rt_trace_exit(&t->trace, f->fid, now, 1);
      hook_edge_time(f, incl);
      if (hook_account(ft, incl, self))
        hook_adapt(f->fid, ft);
      ft->unwound_calls++;
      timed++;
    }
    n -= k;
    t->depth -= k;
    t->stk_n = i;
    if (i == 0 && c->prev) {
      t->stk = c->prev;
      t->stk_n = t->stk->cap;
    }
    t->top = t->stk_n ? &t->stk->f[t->stk_n - 1] : NULL;
  }
  t->timed_calls += timed;
  t->unwound_frames += timed;
  if (t->depth)
    hook_top(t)->child += carry;
}

/* Frames recorded at a deeper stack address than sp are gone (longjmp), and so is one at the
 * same address unless it is this very function: GCC inlines a recursive function into itself,
 * and each inlined activation enters from the same frame. */
static RT_NOINST __attribute__((noinline)) void hook_unwind_to(struct rt_thread *t, uint32_t fid,
                                                                uintptr_t sp, uint64_t now) {
  uint64_t n = 0;
  const struct rt_stack_chunk *c = t->stk;
  for (uint32_t i = t->stk_n; c; c = c->prev, i = c ? c->cap : 0) {
    while (i > 0) {
      const struct rt_frame *f = &c->f[--i];
      if (!(f->sp < sp || (f->sp == sp && f->fid != fid)))
        goto found;
      n++;
    }
  }
found:
  hook_close_unwound(t, n, now);
}

/* The frames strictly deeper than sp, from the top (longjmp, exceptions). */
static RT_NOINST uint64_t hook_count_deeper(const struct rt_thread *t, uintptr_t sp) {
  uint64_t n = 0;
  const struct rt_stack_chunk *c = t->stk;
  for (uint32_t i = t->stk_n; c; c = c->prev, i = c ? c->cap : 0)
    while (i > 0) {
      if (c->f[--i].sp >= sp)
        return n;
      n++;
    }
  return n;
}

/* Makes the edge parent -> ep (index e) the first entry of ft's cache, the first one second. */
HOOK_INLINE struct rt_edge *hook_edge_promote(struct rt_fn_time *ft, uint32_t parent, uint32_t e,
                                              struct rt_edge *ep) {
  ft->caller_fid[1] = ft->caller_fid[0];
  ft->caller_edge[1] = ft->caller_edge[0];
  ft->caller_ep[1] = ft->caller_ep[0];
  ft->caller_fid[0] = parent;
  ft->caller_edge[0] = e;
  return ft->caller_ep[0] = ep;
}

/* The edge parent -> fid (its index in *index) when neither entry of ft's cache holds it;
 * NULL when the edge table is full. */
static RT_NOINST __attribute__((noinline)) struct rt_edge *
hook_edge_lookup(struct rt_thread *t, uint32_t parent, struct rt_fn_time *ft, uint32_t fid,
                 uint32_t *index) {
  uint32_t e = hook_edge(t, parent, fid);
  if (e == RT_NONE)
    return NULL;
  *index = e;
  return hook_edge_promote(ft, parent, e, hook_edge_at(t, e));
}

/* The edge parent -> fid when it is not in the first entry of ft's cache. */
HOOK_INLINE struct rt_edge *hook_edge_miss(struct rt_thread *t, uint32_t parent,
                                           struct rt_fn_time *ft, uint32_t fid, uint32_t *index) {
  if (ft->caller_ep[1] && ft->caller_fid[1] == parent) {
    *index = ft->caller_edge[1];
    return hook_edge_promote(ft, parent, *index, ft->caller_ep[1]);
  }
  return hook_edge_lookup(t, parent, ft, fid, index);
}

/* The edge parent -> fid through the callee's cache of its last two callers: a callee's cache
 * hits far more often than a caller's would, as an interpreter's dispatch loop calls many
 * functions, each mostly from one or two callers. */
HOOK_INLINE struct rt_edge *hook_edge_from(struct rt_thread *t, uint32_t parent,
                                           struct rt_fn_time *ft, uint32_t fid, uint32_t *index) {
  if (RT_LIKELY(ft->caller_ep[0] && ft->caller_fid[0] == parent)) {
    *index = ft->caller_edge[0];
    return ft->caller_ep[0];
  }
  return hook_edge_miss(t, parent, ft, fid, index);
}

/* Counts a call on the edge ep (index e) that f was entered by, or none when ep is NULL. */
HOOK_INLINE void hook_frame_edge(struct rt_frame *f, struct rt_edge *ep, uint32_t e,
                                 int indirect) {
  if (ep) {
    if (RT_UNLIKELY(indirect))
      ep->icalls++;
    else
      ep->calls++;
    f->edge = e | (indirect ? RT_EDGE_INDIRECT : 0);
    f->ep = ep;
  }
}

/* A frame of fid opened at sp at time now, on no call-graph edge yet. */
HOOK_INLINE void hook_frame_init(struct rt_frame *f, uint32_t fid, uintptr_t sp, uint64_t now,
                                 struct rt_fn_time *ft, uint32_t traced) {
  f->fid = fid;
  f->sp = sp;
  f->start = now;
  f->child = 0;
  f->ft = ft;
  f->edge = RT_NONE;
  f->traced = traced;
}

/* Opens a frame of fid at sp: the frames it no longer nests in are closed already. */
HOOK_INLINE void hook_push_frame(struct rt_thread *t, uint32_t fid, uintptr_t sp, uint64_t now,
                                 int indirect) {
  struct rt_fn_time *ft = hook_fn(t, fid);
  struct rt_frame *parent = t->depth ? hook_top(t) : NULL; /* chunks never move */
  struct rt_frame *f = ft ? hook_push(t) : NULL;
  if (RT_UNLIKELY(!f)) {
    t->dropped_frames++;
    return;
  }
  hook_frame_init(f, fid, sp, now, ft,
                  RT_UNLIKELY(rt_trace_on) ? rt_trace_enter(&t->trace, fid, now) : 0);
  if (parent) {
    uint32_t e = RT_NONE;
    struct rt_edge *ep = hook_edge_from(t, parent->fid, ft, fid, &e);
    hook_frame_edge(f, ep, e, indirect);
  }
  ft->depth++;
  if (RT_UNLIKELY(rt_events_on))
    rt_events_enter(t, t->depth - 1);
  if (t->depth > t->max_depth)
    t->max_depth = t->depth;
}

HOOK_INLINE void hook_enter(struct rt_thread *t, uint32_t fid, uintptr_t sp, uint64_t now,
                            int indirect) {
  if (RT_UNLIKELY(t->depth && (hook_top(t)->sp < sp ||
                               (hook_top(t)->sp == sp && hook_top(t)->fid != fid))))
    hook_unwind_to(t, fid, sp, now);
  hook_push_frame(t, fid, sp, now, indirect);
}

/* Walks the shadow stack from the top: the frames strictly deeper than sp are gone (*ndead of
 * them, *dead the shallowest); returns the first frame at or above sp, or NULL. */
static RT_NOINST const struct rt_frame *hook_find_live(const struct rt_thread *t, uintptr_t sp,
                                                       const struct rt_frame **dead,
                                                       uint64_t *ndead) {
  const struct rt_frame *live = NULL;
  const struct rt_stack_chunk *c = t->stk;
  *dead = NULL;
  *ndead = 0;
  for (uint32_t i = t->stk_n; c && !live; c = c->prev, i = c ? c->cap : 0) {
    while (i > 0) {
      const struct rt_frame *f = &c->f[--i];
      if (f->sp >= sp) {
        live = f;
        break;
      }
      *dead = f;
      (*ndead)++;
    }
  }
  return live;
}

/* The exit of fid from the frame at sp when the top frame is not that one. */
static RT_NOINST __attribute__((noinline)) void hook_exit_slow(struct rt_thread *t, uint32_t fid,
                                                                uintptr_t sp, uint64_t now) {
  /* Frames strictly deeper than sp are gone. The shallowest of them is the returning function
   * itself when GCC turned the exit hook into a tail call (the frame is popped before the
   * jump); otherwise the returning function is the first live frame. */
  uint64_t ndead;
  const struct rt_frame *dead;
  const struct rt_frame *live = hook_find_live(t, sp, &dead, &ndead);
  if (live && live->fid == fid && live->sp == sp) {
    /* a return from the frame that called the hook */
  } else if (dead && dead->fid == fid) {
    ndead--; /* tail-called exit hook */
  }
  hook_close_unwound(t, ndead, now);
  if (t->depth && hook_top(t)->fid == fid)
    hook_close(t, now, 0);
  /* else: an exit without a matching enter is ignored */
}

HOOK_INLINE void hook_exit(struct rt_thread *t, uint32_t fid, uintptr_t sp, uint64_t now) {
  if (RT_LIKELY(t->depth && hook_top(t)->fid == fid && hook_top(t)->sp == sp))
    hook_close(t, now, 0); /* the common case: a return from the frame that called the hook */
  else
    hook_exit_slow(t, fid, sp, now);
}

/* Resolves the calling thread and the module; NULL when the event must be ignored. */
static inline RT_NOINST struct rt_thread *hook_prologue(struct __cprof_module *m, uint32_t idx,
                                                        uint32_t *fid) {
  if (RT_UNLIKELY(!__atomic_load_n(&m->next, __ATOMIC_ACQUIRE))) {
    RT_INTERNAL_BEGIN();
    int rc = rt_module_register(m);
    RT_INTERNAL_END();
    if (rc != 0)
      return NULL;
  }
  if (RT_UNLIKELY(m->fid_base == RT_FID_REJECTED || idx >= m->num_functions))
    return NULL;
  struct rt_thread *t = rt_self_tls;
  if (RT_UNLIKELY(!t) && !(t = rt_thread_attach()))
    return NULL;
  *fid = m->fid_base + idx;
  if (RT_UNLIKELY(*fid >= t->captured_fids))
    rt_thread_capture(t);
  if (RT_UNLIKELY(t->in_hook))
    return NULL; /* a signal handler interrupted a hook of this thread */
  return t;
}

/* ---- CPROF_SAMPLE_CALLS=N: one call in N per function and thread is timed ---------------- */

uint32_t rt_sample = 1;

/* Unsampled calls push no frame and read no clock. */
static RT_NOINST void hook_enter_sampled(struct __cprof_module *m, uint32_t idx, uintptr_t sp,
                                         int indirect) {
  uint32_t fid;
  struct rt_thread *t = hook_prologue(m, idx, &fid);
  if (RT_UNLIKELY(!t)) {
    if (rt_self_tls)
      rt_self_tls->dropped_frames++;
    return;
  }
  t->in_hook = 1;
  if (RT_UNLIKELY(t->gen != __atomic_load_n(&rt_reset_gen, __ATOMIC_RELAXED)))
    rt_timing_reset(t, 0);
  struct rt_fn_time *ft = hook_fn(t, fid);
  if (ft && ft->reserved) { /* reserved: calls left to skip */
    ft->reserved--;
    ft->skipped++;
  } else {
    if (ft)
      ft->reserved = rt_sample - 1;
    hook_enter(t, fid, sp, rt_clock_now(), indirect);
  }
  t->in_hook = 0;
}

/* As hook_exit, but a frame is only closed by an exit at its own stack address (or by the
 * tail-called exit hook): an unsampled activation of the same function must not close it. */
static RT_NOINST void hook_exit_sampled(struct rt_thread *t, uint32_t fid, uintptr_t sp) {
  uint64_t ndead;
  const struct rt_frame *dead;
  const struct rt_frame *live = hook_find_live(t, sp, &dead, &ndead);
  int match = 0;
  if (live && live->fid == fid && live->sp == sp) {
    match = 1;
  } else if (dead && dead->fid == fid) {
    ndead--;
    match = 1;
  }
  if (!ndead && !match)
    return; /* the exit of an unsampled call */
  uint64_t now = rt_clock_now();
  hook_close_unwound(t, ndead, now);
  if (match && t->depth && hook_top(t)->fid == fid)
    hook_close(t, now, 0);
}

/* The hooks' bodies, for the calls (__cprof_enter/__cprof_exit, whose sp is their own CFA) and
 * for the trampolines (rt-trampoline-x86_64.S, which pass the instrumented code's stack pointer). */
static inline __attribute__((always_inline)) void hook_enter_at(struct __cprof_module *m,
                                                                uint32_t idx, uintptr_t sp) {
  if (RT_UNLIKELY(rt_sample > 1)) {
    int icall = __cprof_icall;
    if (icall)
      __cprof_icall = 0;
    hook_enter_sampled(m, idx, sp, icall);
    return;
  }
  uint64_t now = rt_clock_now();
  int indirect = __cprof_icall;
  if (indirect)
    __cprof_icall = 0;
  uint32_t fid;
  struct rt_thread *t = hook_prologue(m, idx, &fid);
  if (RT_UNLIKELY(!t)) {
    if (rt_self_tls)
      rt_self_tls->dropped_frames++;
    return;
  }
  t->in_hook = 1;
  if (RT_UNLIKELY(t->gen != __atomic_load_n(&rt_reset_gen, __ATOMIC_RELAXED)))
    rt_timing_reset(t, now);
  hook_enter(t, fid, sp, now, indirect);
  t->in_hook = 0;
}

static inline __attribute__((always_inline)) void hook_exit_at(struct __cprof_module *m,
                                                               uint32_t idx, uintptr_t sp) {
  if (RT_UNLIKELY(rt_sample > 1)) {
    uint32_t fid;
    struct rt_thread *t = hook_prologue(m, idx, &fid);
    if (RT_UNLIKELY(!t))
      return;
    t->in_hook = 1;
    hook_exit_sampled(t, fid, sp);
    t->in_hook = 0;
    return;
  }
  uint64_t now = rt_clock_now();
  uint32_t fid;
  struct rt_thread *t = hook_prologue(m, idx, &fid);
  if (RT_UNLIKELY(!t))
    return;
  t->in_hook = 1;
  hook_exit(t, fid, sp, now);
  t->in_hook = 0;
}

static void hook_fast_update(void);

static RT_NOINST __attribute__((noinline)) void hook_enter_full(struct __cprof_module *m,
                                                                 uint32_t idx, uintptr_t sp) {
  hook_fast_update();
  hook_enter_at(m, idx, sp);
}

static RT_NOINST __attribute__((noinline)) void hook_exit_full(struct __cprof_module *m,
                                                                uint32_t idx, uintptr_t sp) {
  hook_fast_update();
  hook_exit_at(m, idx, sp);
}

/* ---- the fast paths ---------------------------------------------------------------------- */

/* rt_hook_enter_at and rt_hook_exit_at do the common case in leaf code that needs no
 * callee-saved register and no stack frame: a thread and module already known, every call
 * timed, no trace or counters, the TSC, a frame that nests (enter) or matches the top one (exit)
 * without a chunk boundary. Anything else is handed to hook_enter_full / hook_exit_full before
 * any state changed; the slower work that remains (a new call-graph edge, a CPROF_MIN_TIME
 * verdict) is a tail call that also clears in_hook. */

/* 1 once the run's modes allow the fast paths: set by the full paths when start-up is over (it
 * sets every mode before __cprof_active), and never cleared, as the modes never change. */
static int hook_fast;

static RT_NOINST void hook_fast_update(void) {
  if (RT_UNLIKELY(!hook_fast) && __atomic_load_n(&__cprof_active, __ATOMIC_ACQUIRE)) {
#if defined(__x86_64__) || defined(__i386__)
    int tsc = rt_clock.tsc;
#else
    int tsc = 0; /* hook_fast_now reads the TSC */
#endif
    hook_fast = rt_sample == 1 && tsc && !rt_trace_on && !rt_events_on;
  }
}

static inline RT_NOINST uint64_t hook_fast_now(void) {
#if defined(__x86_64__) || defined(__i386__)
  uint64_t ticks = __builtin_ia32_rdtsc() - rt_clock.base_tsc;
  return rt_clock.base_ns + (uint64_t)(((unsigned __int128)ticks * rt_clock.mult) >> 32);
#else
  return rt_clock_now();
#endif
}

/* The thread of a hook for (m, idx) when the fast paths may run it, or NULL. */
HOOK_INLINE struct rt_thread *hook_fast_thread(const struct __cprof_module *m, uint32_t idx,
                                               uint32_t *fid) {
  struct rt_thread *t = rt_self_tls;
  if (RT_UNLIKELY(!hook_fast || !t || !__atomic_load_n(&m->next, __ATOMIC_ACQUIRE) ||
                  m->fid_base == RT_FID_REJECTED || idx >= m->num_functions))
    return NULL;
  *fid = m->fid_base + idx;
  if (RT_UNLIKELY(*fid >= t->captured_fids || t->in_hook))
    return NULL;
  return t;
}

static RT_NOINST __attribute__((noinline)) void hook_enter_lookup(struct rt_thread *t,
                                                                   struct rt_frame *f,
                                                                   uint32_t parent, int indirect) {
  uint32_t e = RT_NONE;
  struct rt_edge *ep = hook_edge_lookup(t, parent, f->ft, f->fid, &e);
  hook_frame_edge(f, ep, e, indirect);
  t->in_hook = 0;
}

/* The fast enter's edge when the first entry of the callee's cache is another caller's. */
static RT_NOINST __attribute__((noinline)) void hook_enter_edge(struct rt_thread *t,
                                                                 struct rt_frame *f,
                                                                 uint32_t parent, int indirect) {
  struct rt_fn_time *ft = f->ft;
  if (RT_UNLIKELY(!ft->caller_ep[1] || ft->caller_fid[1] != parent))
    return hook_enter_lookup(t, f, parent, indirect);
  uint32_t e = ft->caller_edge[1];
  hook_frame_edge(f, hook_edge_promote(ft, parent, e, ft->caller_ep[1]), e, indirect);
  t->in_hook = 0;
}

static RT_NOINST __attribute__((noinline)) void hook_exit_adapt(struct rt_thread *t,
                                                                 uint32_t fid,
                                                                 const struct rt_fn_time *ft) {
  hook_adapt(fid, ft);
  t->in_hook = 0;
}

RT_NOINST void rt_hook_enter_at(struct __cprof_module *m, uint32_t idx, uintptr_t sp) {
  uint32_t fid;
  struct rt_thread *t = hook_fast_thread(m, idx, &fid);
  if (RT_UNLIKELY(!t))
    return hook_enter_full(m, idx, sp);
  struct rt_fn_time *c = t->fn[fid >> RT_FN_CHUNK_BITS];
  /* with depth > 0, the top frame is the last one in use of the current chunk */
  struct rt_frame *parent = t->top;
  if (RT_UNLIKELY(!c || t->gen != __atomic_load_n(&rt_reset_gen, __ATOMIC_RELAXED) ||
                  !t->depth || t->stk_n >= t->stk->cap || parent->sp < sp ||
                  (parent->sp == sp && parent->fid != fid)))
    return hook_enter_full(m, idx, sp);
  int indirect = __cprof_icall;
  if (indirect)
    __cprof_icall = 0;
  t->in_hook = 1;
  uint64_t now = hook_fast_now();
  struct rt_fn_time *ft = &c[fid & (RT_FN_CHUNK - 1)];
  struct rt_frame *f = parent + 1;
  t->stk_n++;
  uint64_t depth = ++t->depth;
  t->top = f;
  hook_frame_init(f, fid, sp, now, ft, 0);
  ft->depth++;
  if (depth > t->max_depth)
    t->max_depth = depth;
  if (RT_UNLIKELY(!ft->caller_ep[0] || ft->caller_fid[0] != parent->fid))
    return hook_enter_edge(t, f, parent->fid, indirect);
  hook_frame_edge(f, ft->caller_ep[0], ft->caller_edge[0], indirect);
  t->in_hook = 0;
}

/* Not SLP-vectorized: GCC would pack the sum and self additions into a vector, which takes more
 * instructions than the two additions. */
__attribute__((optimize("no-tree-slp-vectorize"))) RT_NOINST void
rt_hook_exit_at(struct __cprof_module *m, uint32_t idx, uintptr_t sp) {
  /* An exit that matches the top frame (its fid at its sp) is the one of the activation whose
   * enter pushed that frame, after every test of hook_prologue on the module passed: only the
   * thread's own state is tested again. stk_n >= 2: the parent is in the same chunk. */
  struct rt_thread *t = rt_self_tls;
  if (RT_UNLIKELY(!hook_fast || !t || t->in_hook || t->stk_n < 2))
    return hook_exit_full(m, idx, sp);
  uint32_t fid = m->fid_base + idx;
  struct rt_frame *f = t->top;
  if (RT_UNLIKELY(f->fid != fid || f->sp != sp || f->start == RT_UNTIMED))
    return hook_exit_full(m, idx, sp);
  t->in_hook = 1;
  uint64_t now = hook_fast_now();
  uint64_t incl = now > f->start ? now - f->start : 0;
  uint64_t self = incl > f->child ? incl - f->child : 0;
  struct rt_fn_time *ft = f->ft;
  hook_edge_time(f, incl);
  t->stk_n--;
  t->depth--;
  t->top = f - 1;
  f[-1].child += incl;
  t->timed_calls++;
  if (RT_UNLIKELY(hook_account(ft, incl, self)))
    return hook_exit_adapt(t, fid, ft);
  t->in_hook = 0;
}

CPROF_EXPORT RT_NOINST void __cprof_enter(struct __cprof_module *m, uint32_t idx) {
  rt_hook_enter_at(m, idx, (uintptr_t)__builtin_dwarf_cfa());
}

CPROF_EXPORT RT_NOINST void __cprof_exit(struct __cprof_module *m, uint32_t idx) {
  rt_hook_exit_at(m, idx, (uintptr_t)__builtin_dwarf_cfa());
}

/* ---- named regions (rt-region.c): frames inside their function's frame --------------------- */

/* A region's frame is recorded at sp, one byte below the address its function's hooks record:
 * the calls that function makes enter deeper, its own exit is shallower (and closes a region
 * left open), and regions nested in the same function share the address (so the same-address
 * rule of hook_enter does not apply to them). */
void rt_region_enter(struct __cprof_module *m, uint32_t idx, uintptr_t sp) {
  uint64_t now = rt_clock_now();
  uint32_t fid;
  struct rt_thread *t = hook_prologue(m, idx, &fid);
  if (RT_UNLIKELY(!t))
    return;
  t->in_hook = 1;
  if (RT_UNLIKELY(t->gen != __atomic_load_n(&rt_reset_gen, __ATOMIC_RELAXED)))
    rt_timing_reset(t, now);
  hook_close_unwound(t, hook_count_deeper(t, sp), now); /* deeper frames are gone (longjmp) */
  hook_push_frame(t, fid, sp, now, 0);
  t->in_hook = 0;
}

/* Closes the innermost open frame of region idx, and the frames opened after it (left without
 * their exit: unwound). A region that is not open is ignored. */
void rt_region_exit(struct __cprof_module *m, uint32_t idx) {
  uint64_t now = rt_clock_now();
  uint32_t fid;
  struct rt_thread *t = hook_prologue(m, idx, &fid);
  if (RT_UNLIKELY(!t))
    return;
  t->in_hook = 1;
  uint64_t above = 0;
  const struct rt_stack_chunk *c = t->stk;
  int found = 0;
  for (uint32_t i = t->stk_n; c && !found; c = c->prev, i = c ? c->cap : 0)
    while (i > 0) {
      if (c->f[--i].fid == fid) {
        found = 1;
        break;
      }
      above++;
    }
  if (found) {
    hook_close_unwound(t, above, now);
    hook_close(t, now, 0);
  }
  t->in_hook = 0;
}

/* C++ catch: every frame deeper than the handler's was unwound by the exception. */
CPROF_EXPORT RT_NOINST void *__cxa_begin_catch(void *exception) {
  static void *(*real)(void *);
  void *(*fn)(void *) = __atomic_load_n(&real, __ATOMIC_ACQUIRE);
  if (!fn) {
    fn = (void *(*)(void *))dlsym(RTLD_NEXT, "__cxa_begin_catch");
    if (!fn) {
      rt_warn("__cxa_begin_catch: no C++ runtime found");
      abort();
    }
    __atomic_store_n(&real, fn, __ATOMIC_RELEASE);
  }
  uintptr_t sp = (uintptr_t)__builtin_dwarf_cfa();
  struct rt_thread *t = rt_self_tls;
  if (t && t->depth && !t->in_hook) {
    uint64_t now = rt_clock_now();
    t->in_hook = 1;
    hook_close_unwound(t, hook_count_deeper(t, sp), now);
    t->in_hook = 0;
  }
  return fn(exception);
}

/* ---- whole-thread operations ------------------------------------------------------------- */

void rt_timing_close_all(struct rt_thread *t, uint64_t now) {
  hook_close_unwound(t, t->depth, now);
}

/* Forgets everything recorded by t (owner thread). Frames still open were entered before the
 * reset: they stay on the shadow stack for reconciliation but are no longer timed. */
void rt_timing_reset(struct rt_thread *t, uint64_t now) {
  (void)now;
  rt_events_thread_reset(t);
  rt_trace_thread_reset(&t->trace);
  for (uint32_t i = 0; i < RT_FN_TOP; i++)
    if (t->fn[i])
      memset(t->fn[i], 0, RT_FN_CHUNK * sizeof *t->fn[i]);
  __atomic_store_n(&t->nedges, 0, __ATOMIC_RELEASE);
  if (t->edge_index)
    memset(t->edge_index, 0, (t->edge_mask + 1) * sizeof *t->edge_index);
  for (struct rt_stack_chunk *c = t->stk; c; c = c->prev) {
    uint32_t n = c == t->stk ? t->stk_n : c->cap;
    for (uint32_t i = 0; i < n; i++) {
      c->f[i].start = RT_UNTIMED;
      c->f[i].child = 0;
      c->f[i].edge = RT_NONE; /* the edges are forgotten (and the callees' caches, above) */
      c->f[i].traced = 0;     /* and so are the events */
    }
  }
  t->timed_calls = t->unwound_frames = t->dropped_frames = 0;
  t->max_depth = 0;
  t->gen = __atomic_load_n(&rt_reset_gen, __ATOMIC_RELAXED);
}

void rt_timing_free(struct rt_thread *t) {
  rt_trace_thread_free(&t->trace);
  for (uint32_t i = 0; i < RT_FN_TOP; i++)
    free(t->fn[i]);
  for (uint32_t i = 0; i < RT_EDGE_TOP; i++)
    free(t->edge[i]);
  free(t->edge_index);
  struct rt_stack_chunk *c = t->stk;
  while (c && c->prev)
    c = c->prev;
  while (c) {
    struct rt_stack_chunk *next = c->next;
    munmap(c, c->bytes);
    c = next;
  }
}

/* ---- calibration ------------------------------------------------------------------------- */

static int hook_cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* Median cost of one enter/exit pair, measured on a throwaway thread record. */
uint64_t rt_hook_calibrate(void) {
  enum { ROUNDS = 5, PAIRS = 2000 };
  struct rt_thread *t = calloc(1, sizeof *t);
  if (!t)
    return 0;
  struct __cprof_module m = {CPROF_ABI_VERSION, 0, 1, 0, "", NULL, &m, NULL};
  t->captured_fids = UINT32_MAX;
  uint64_t cost[ROUNDS];
  for (int r = 0; r < ROUNDS; r++) {
    uint64_t t0 = rt_clock_now();
    for (int i = 0; i < PAIRS; i++) {
      hook_enter(t, 0, (uintptr_t)&m, rt_clock_now(), 0);
      hook_exit(t, 0, (uintptr_t)&m, rt_clock_now());
    }
    cost[r] = (rt_clock_now() - t0) / PAIRS;
  }
  rt_timing_free(t);
  free(t);
  qsort(cost, ROUNDS, sizeof cost[0], hook_cmp_u64);
  return cost[ROUNDS / 2];
}
