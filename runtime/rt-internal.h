/* rt-internal.h: private types and entry points shared by the libcprofrt sources. */
#ifndef CPROF_RT_INTERNAL_H
#define CPROF_RT_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "cprof-abi.h"

#define CPROF_EXPORT __attribute__((visibility("default")))
#define RT_NOINST __attribute__((no_instrument_function))
#define RT_TLS __attribute__((tls_model("initial-exec")))
#define RT_LIKELY(x) __builtin_expect(!!(x), 1)
#define RT_UNLIKELY(x) __builtin_expect(!!(x), 0)

#define RT_NONE UINT32_MAX
#define RT_UNTIMED UINT64_MAX /* rt_frame.start of a frame opened before a reset or fork */

/* Global function ids: per-thread timing lives in lazily allocated chunks. */
#define RT_FN_CHUNK_BITS 8u
#define RT_FN_CHUNK (1u << RT_FN_CHUNK_BITS)
#define RT_FN_TOP 4096u
#define RT_MAX_FIDS (RT_FN_CHUNK * RT_FN_TOP)

/* Observed call-graph edges per thread: append-only chunks, never moved. */
#define RT_EDGE_CHUNK_BITS 9u
#define RT_EDGE_CHUNK (1u << RT_EDGE_CHUNK_BITS)
#define RT_EDGE_TOP 2048u
#define RT_MAX_EDGES (RT_EDGE_CHUNK * RT_EDGE_TOP)
#define RT_EDGE_INDIRECT 0x80000000u /* flag bit in rt_frame.edge */

/* Registered modules: append-only chunks, readable without the lock. */
#define RT_MOD_CHUNK 256u
#define RT_MOD_TOP 256u
#define RT_MAX_MODULES (RT_MOD_CHUNK * RT_MOD_TOP)
#define RT_FID_REJECTED UINT32_MAX /* fid_base of a module the runtime refused */

/* ---- rt-env.c: configuration and start-up ---------------------------------------------- */

struct rt_config {
  int enabled;          /* CPROF=1 at start-up: the runtime is live */
  char *output;         /* CPROF_OUTPUT or "profile.json", before %p expansion */
  char *binary;         /* /proc/self/exe */
  char **argv;          /* /proc/self/cmdline */
  int argc;
  uint64_t start_ns;    /* runtime init (reset in a fork child) */
  uint64_t hook_cost_ns;
  int forked_child;     /* this process is a fork child: suffix the output path */
  pid_t pid;            /* getpid() at start-up or after fork: a vfork child differs */
  int redact;           /* CPROF_REDACT=1: names are hashed in the profile */
  int heap;             /* CPROF_HEAP: 0 off, 1 on, RT_HEAP_AUTO (unset): rt_mem_module */
};

#define RT_HEAP_AUTO (-1)

extern struct rt_config rt_config;
extern pthread_mutex_t rt_lock; /* modules, thread list, global totals */

void rt_init(void);
void rt_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- rt-clock.c -------------------------------------------------------------------------- */

struct rt_clock {
  int tsc;           /* 1: rt_clock_now reads the TSC */
  uint64_t base_tsc; /* a TSC reading ...                       */
  uint64_t base_ns;  /* ... and CLOCK_MONOTONIC at the same time */
  uint64_t mult;     /* nanoseconds per tick, << 32             */
};
extern struct rt_clock rt_clock;

void rt_clock_init(void);
uint64_t rt_clock_monotonic(void) RT_NOINST;
const char *rt_clock_name(void);

/* Nanoseconds on CLOCK_MONOTONIC's scale; the hooks' hot path. */
static inline RT_NOINST uint64_t rt_clock_now(void) {
#if defined(__x86_64__) || defined(__i386__)
  if (__builtin_expect(rt_clock.tsc, 1)) {
    uint64_t ticks = __builtin_ia32_rdtsc() - rt_clock.base_tsc;
    return rt_clock.base_ns + (uint64_t)(((unsigned __int128)ticks * rt_clock.mult) >> 32);
  }
#endif
  return rt_clock_monotonic();
}

/* ---- rt-module.c: registration ----------------------------------------------------------- */

struct rt_module {
  struct __cprof_module *abi;
  uint32_t index;
  uint32_t fid_base;
  uint32_t num_counters;
  uint32_t num_functions;
  uint64_t *totals; /* counters merged from exited threads (rt_lock) */
  const char *metadata; /* abi->metadata, or the runtime's copy once the module is unloaded */
  uint8_t *untimed;     /* abi->untimed (ABI 2), a copy once unloaded, or NULL: CPROF_MIN_TIME's
                         * decisions, one byte per function */
  int unloaded;         /* __cprof_unregister ran: abi and its TLS must not be touched */
};

int rt_module_register(struct __cprof_module *m);
uint32_t rt_module_count(void);               /* acquire: modules [0, n) are complete */
struct rt_module *rt_module_get(uint32_t index);
uint32_t rt_module_fid_end(uint32_t nmods);   /* first fid after modules [0, nmods) */

/* The calling thread's counters of m, or NULL once m's library was unloaded (dlclose). */
static inline RT_NOINST uint64_t *rt_module_tls(const struct rt_module *m) {
  return __atomic_load_n(&m->unloaded, __ATOMIC_ACQUIRE) ? NULL : m->abi->tls_counters();
}

/* ---- rt-meta.c: metadata text ------------------------------------------------------------ */

struct rt_meta_fn {
  int present;
  const char *name, *linkage, *file;
  uint32_t entry, line, column;
  int is_static;
  int untimed; /* compiled without timing hooks (plugin option skip-leaves) */
  int region;  /* a named region (rt-region.c), not a function */
};

struct rt_meta_loop {
  uint32_t fn, iterations, entries, line, column, depth;
  const char *file;
};

struct rt_meta_branch {
  uint32_t fn, taken, not_taken, line, column;
  const char *file;
};

struct rt_meta_case {
  uint32_t counter;
  const char *label;
};

struct rt_meta_switch {
  uint32_t fn, line, column, ncases;
  const char *file;
  struct rt_meta_case *cases;
};

struct rt_meta_call {
  uint32_t fn, counter, line, column;
  const char *callee;
  int callee_static;
  const char *file;
};

/* A function counted on a spanning tree (record G): edges with counters were counted, the
   others with targets follow from flow conservation; each edge's count adds into its
   targets. */
struct rt_meta_flow_edge {
  uint32_t src, dst;
  uint32_t first_counter, ncounters; /* counted: the sum of these; none when in the tree */
  uint32_t first_target, ntargets;
};

struct rt_meta_graph {
  uint32_t fn, nvertices, nedges;
  struct rt_meta_flow_edge *edges;
  uint32_t *refs; /* counter indexes, by first_counter and first_target */
};

struct rt_meta {
  void *arena;       /* the copies of the text's strings */
  void *graph_arena; /* the graphs' edges and counter indexes */
  const char *source, *directory;
  uint32_t num_functions;
  struct rt_meta_fn *fns;
  struct rt_meta_loop *loops;
  struct rt_meta_branch *branches;
  struct rt_meta_switch *switches;
  struct rt_meta_call *calls;
  struct rt_meta_graph *graphs;
  size_t nloops, nbranches, nswitches, ncalls, ngraphs;
};

/* Counter indexes >= num_counters are stored as RT_NONE. Returns 0 or -1 (out of memory). */
int rt_meta_parse(const char *text, uint32_t num_counters, uint32_t num_functions,
                  struct rt_meta *out);
void rt_meta_free(struct rt_meta *meta);
/* Whether TEXT's first line ("cprof-metadata <version> [flags]") has the flag no-timing. */
int rt_meta_no_timing(const char *text);
/* The bytes of metadata TEXT, its NUL included (format 3 holds NULs: its length is read). */
size_t rt_meta_size(const char *text);
/* Fills the logical counters of COUNTERS (a module's totals) from its G records.  Returns
   the number of graphs that could not be solved (their targets stay as they were), or -1
   when memory ran out. */
int rt_meta_solve(const struct rt_meta *meta, uint64_t *counters, uint32_t num_counters);
/* Frees META's graphs, which nothing reads once solved: the next module's parse reuses their
   pages instead of faulting in new ones. */
void rt_meta_free_graphs(struct rt_meta *meta);

/* ---- rt-malloc.c: heap statistics ------------------------------------------------------- */

#define RT_MEM_HIST 65u   /* bucket 0: size 0; bucket k: sizes in [2^(k-1), 2^k) */
#define RT_MEM_SITES 1024u /* per-thread call-site slots (return addresses) */

struct rt_mem_stats {
  uint64_t allocs, reallocs, frees, alloc_bytes, freed_bytes;
  uint64_t cls[3]; /* small <= 256 B, medium <= 64 KiB, large */
  uint64_t hist[RT_MEM_HIST];
  uint64_t sites_dropped;
};

struct rt_fn_mem {
  uint64_t allocs, reallocs, frees, alloc_bytes, freed_bytes;
};

struct rt_mem_site {
  uintptr_t ra; /* 0: empty */
  uint64_t allocs, bytes;
};

struct rt_mem_snapshot {
  int enabled;
  struct rt_mem_stats total;
  uint64_t peak_bytes;
  struct rt_fn_mem *fn;          /* per fid */
  struct rt_mem_site *sites;     /* merged, sorted by bytes descending */
  size_t nsites;
};

/* Per-thread in-runtime flag: allocations made while it is set are the runtime's own. */
extern RT_TLS __thread int rt_internal;
/* Set while the calling thread is inside the malloc family: a signal handler must not dump. */
extern RT_TLS __thread int rt_in_malloc;
#define RT_INTERNAL_BEGIN() (rt_internal++)
#define RT_INTERNAL_END() (rt_internal--)

struct rt_thread;
void rt_mem_init(void);
/* A module registered (rt_lock held). With CPROF_HEAP unset, the heap is not tracked while every
 * module registered so far was built without timing hooks and no block was tracked yet. */
void rt_mem_module(const struct __cprof_module *m);
void rt_mem_thread_exit(struct rt_thread *t); /* rt_lock held: fold t into the totals */
void rt_mem_thread_free(struct rt_thread *t);
void rt_mem_fork_child(struct rt_thread *self);
/* rt_lock held; threads is the live list. Returns -1 on OOM. */
int rt_mem_snapshot_take(struct rt_mem_snapshot *m, struct rt_thread *threads, uint32_t nfids);
void rt_mem_snapshot_free(struct rt_mem_snapshot *m);

/* ---- rt-events.c: CPROF_EVENTS ---------------------------------------------------------- */

#define RT_EV_MAX 8u

struct rt_events {
  uint32_t n;                 /* requested events, supported or not */
  char *name[RT_EV_MAX];
  int supported[RT_EV_MAX];
  uint32_t type[RT_EV_MAX];
  uint64_t config[RT_EV_MAX];
};
extern struct rt_events rt_events;
extern int rt_events_on; /* at least one supported event: the hooks read counters */

void rt_events_init(void);
void rt_events_thread_open(struct rt_thread *t);
void rt_events_thread_free(struct rt_thread *t);
void rt_events_enter(struct rt_thread *t, uint64_t depth);
void rt_events_exit(struct rt_thread *t, uint64_t depth, uint32_t fid, int outermost);
void rt_events_thread_reset(struct rt_thread *t);
void rt_events_thread_totals(const struct rt_thread *t, uint64_t out[RT_EV_MAX]);
void rt_events_thread_exit(struct rt_thread *t); /* rt_lock held */
void rt_events_reset(void);                      /* rt_lock held */
void rt_events_fork_child(struct rt_thread *self);
uint64_t *rt_events_snapshot(struct rt_thread *live, uint32_t nfids); /* rt_lock held */

/* ---- rt-trace.c: CPROF_TRACE timelines -------------------------------------------------- */

#define RT_TRACE_ENTER 0u
#define RT_TRACE_EXIT 1u
#define RT_TRACE_UNWOUND 2u

struct rt_trace_ev {
  uint64_t t_ns; /* rt_clock_now() */
  uint32_t fid, kind;
};

/* A thread's events, first come first kept: an entry is recorded only while there is room for
 * it, its exit, and the exits of the recorded entries still open, so spans always close. */
struct rt_trace_buf {
  struct rt_trace_ev *ev; /* mmap'ed on the first traced entry; NULL before */
  uint32_t cap, n, open;
  uint64_t dropped;       /* activations not recorded (each an entry and an exit) */
};

struct rt_trace_thread {  /* a thread's events in a snapshot */
  uint32_t thread;
  pid_t tid;
  uint64_t dropped;
  uint32_t n;
  struct rt_trace_ev *ev;
};

struct rt_trace_snapshot {
  struct rt_trace_thread *threads;
  size_t nthreads;
};

extern int rt_trace_on;       /* CPROF_TRACE=1 */
extern uint32_t rt_trace_cap; /* CPROF_TRACE_BUFFER: events per thread */

void rt_trace_init(void);
int rt_trace_alloc(struct rt_trace_buf *b);
void rt_trace_thread_reset(struct rt_trace_buf *b);                    /* owner */
void rt_trace_thread_exit(struct rt_trace_buf *b, uint32_t id, pid_t tid); /* rt_lock held */
void rt_trace_thread_free(struct rt_trace_buf *b);
void rt_trace_reset(void);                                             /* rt_lock held */
struct rt_thread;
int rt_trace_snapshot_take(struct rt_trace_snapshot *s, struct rt_thread *live); /* rt_lock held */
void rt_trace_snapshot_free(struct rt_trace_snapshot *s);

/* Records an entry when there is room; returns whether it did (the frame's traced flag). */
static inline RT_NOINST uint32_t rt_trace_enter(struct rt_trace_buf *b, uint32_t fid,
                                                uint64_t now) {
  if (RT_UNLIKELY(!b->ev) && rt_trace_alloc(b) != 0) {
    b->dropped++;
    return 0;
  }
  if ((uint64_t)b->n + b->open + 2 > b->cap) {
    b->dropped++;
    return 0;
  }
  b->ev[b->n] = (struct rt_trace_ev){now, fid, RT_TRACE_ENTER};
  __atomic_store_n(&b->n, b->n + 1, __ATOMIC_RELEASE); /* a snapshot reads n, then the events */
  b->open++;
  return 1;
}

/* The exit of a recorded entry: its room was kept. */
static inline RT_NOINST void rt_trace_exit(struct rt_trace_buf *b, uint32_t fid, uint64_t now,
                                           int unwound) {
  b->ev[b->n] = (struct rt_trace_ev){now, fid, unwound ? RT_TRACE_UNWOUND : RT_TRACE_EXIT};
  __atomic_store_n(&b->n, b->n + 1, __ATOMIC_RELEASE);
  b->open--;
}

/* ---- timing data (rt-hooks.c writes, rt-merge.c reads) ----------------------------------- */

/* Per-function latency histogram of inclusive call times: bucket 0 holds [0, 16) ns, then
 * 4 buckets per power of two from 16 ns (at most 19% wide), the last one open-ended. */
#define RT_LAT_BUCKETS 128u

static inline RT_NOINST uint32_t rt_lat_bucket(uint64_t ns) {
  if (ns < 16)
    return 0;
  uint32_t msb = 63u ^ (uint32_t)__builtin_clzll(ns); /* x86: one bsr */
  uint32_t b = msb * 4u - 15u + (uint32_t)((ns >> (msb - 2u)) & 3u); /* (msb - 4) * 4 + r + 1 */
  return b < RT_LAT_BUCKETS ? b : RT_LAT_BUCKETS - 1u;
}

/* The smallest time bucket b holds. */
static inline uint64_t rt_lat_bucket_min(uint32_t b) {
  if (b == 0)
    return 0;
  uint32_t msb = (b - 1u) / 4u + 4u, sub = (b - 1u) % 4u;
  return (1ull << msb) + (uint64_t)sub * (1ull << (msb - 2u));
}

struct rt_fn_time {
  uint64_t timed_calls;
  uint64_t total_ns; /* inclusive, outermost activations */
  uint64_t self_ns;
  uint64_t sum_ns;   /* inclusive, every activation */
  uint64_t min_ns, max_ns;
  uint64_t unwound_calls;
  uint32_t depth;    /* open activations (owner thread only) */
  uint32_t reserved; /* CPROF_SAMPLE_CALLS: calls still to skip (owner thread only) */
  uint64_t skipped;  /* CPROF_SAMPLE_CALLS: calls not timed */
  uint64_t lat[RT_LAT_BUCKETS]; /* timed calls by inclusive time (rt_lat_bucket) */
  /* rt-hooks.c's edge cache (owner thread only): the edges from the two callers last seen, each
   * valid when its caller_ep is set (a reset's memset clears them) */
  uint32_t caller_fid[2], caller_edge[2];
  struct rt_edge *caller_ep[2];
};

struct rt_edge {
  uint32_t parent, child;
  uint64_t calls, time_ns;   /* observed direct */
  uint64_t icalls, itime_ns; /* observed indirect */
};

struct rt_frame {
  uint32_t fid;
  uint32_t edge; /* index into the thread's edges | RT_EDGE_INDIRECT, or RT_NONE */
  uintptr_t sp;
  uint64_t start;
  uint64_t child;
  struct rt_fn_time *ft;   /* fid's timing record in the owner's table */
  struct rt_edge *ep;      /* the edge entered by, when edge is not RT_NONE */
  uint32_t traced;         /* CPROF_TRACE recorded this frame's entry: its exit is recorded too */
};

struct rt_stack_chunk {
  struct rt_stack_chunk *prev, *next;
  size_t bytes;
  uint32_t cap;
  struct rt_frame f[];
};

struct rt_thread {
  struct rt_thread *next, *prev; /* live list (rt_lock) */
  uint32_t id;
  pid_t tid;
  pthread_t handle;
  int is_main;
  uint64_t start_ns;

  uint64_t **ctr;         /* tls_counters() of module i for this thread (rt_lock) */
  uint32_t nctr, ctr_cap;
  uint32_t captured_fids; /* owner only: fids of modules whose pointer was captured */

  struct rt_fn_time *fn[RT_FN_TOP];
  struct rt_edge *edge[RT_EDGE_TOP];
  uint32_t nedges;        /* release-stored by the owner */
  uint32_t *edge_index;   /* owner only: open addressing, holds index + 1 */
  uint32_t edge_mask;

  struct rt_stack_chunk *stk;
  uint32_t stk_n;
  struct rt_frame *top;   /* owner only: the innermost frame, NULL when depth is 0 */
  uint64_t depth;

  uint64_t timed_calls, max_depth, unwound_frames, dropped_frames;
  uint32_t gen;           /* rt_reset_gen seen by the owner */
  volatile int in_hook;

  struct rt_trace_buf trace;               /* owner writes, rt-trace.c */
  struct rt_mem_stats mem;                 /* owner writes, rt-malloc.c */
  struct rt_fn_mem *mem_fn[RT_FN_TOP];     /* per-fid allocations, lazily allocated */
  struct rt_mem_site *mem_sites;           /* RT_MEM_SITES slots, lazily allocated */

  int ev_fd[RT_EV_MAX];                    /* rt-events.c: perf counters, -1 when not open */
  uint64_t *ev_stack;                      /* counter values at each open frame's entry */
  uint64_t *ev_fn[RT_FN_TOP];              /* per fid: rt_events.n inclusive counts */
};

/* The innermost open frame's fid, or RT_NONE (owner thread). */
static inline RT_NOINST uint32_t rt_thread_top_fid(const struct rt_thread *t) {
  return t->depth ? t->stk->f[t->stk_n - 1].fid : RT_NONE;
}

extern RT_TLS __thread struct rt_thread *rt_self_tls;
extern uint32_t rt_reset_gen;

/* rt-hooks.c */
extern uint32_t rt_sample; /* CPROF_SAMPLE_CALLS, 1 when every call is timed */
/* CPROF_MIN_TIME: a function whose timed calls (in one thread) average under rt_min_time_ns
 * inclusive, judged at its RT_ADAPT_CALLS-th timed call (RT_ADAPT_CALLS / CPROF_SAMPLE_CALLS, rounded
 * up to a power of two) and every power of two after, stops being timed; 0 times every call.
 * 256 calls make a verdict that later powers of two can still revise (slow first calls only
 * delay it); each short function's calls before it are timed at full hook cost (SQLite's
 * speedtest1 at --size 5: 334,000 of them at 1024, most of its hook time). */
#define RT_ADAPT_CALLS 256
#define RT_MIN_TIME_DEFAULT_NS 1000
extern uint64_t rt_min_time_ns;
/* The module that owns fid (registered, loaded), or NULL. Slow: a scan of the modules. */
struct rt_module *rt_module_of_fid(uint32_t fid);
/* The hooks as the trampolines call them (rt-trampoline-x86_64.S): SP is the instrumented
 * code's stack pointer, as __builtin_dwarf_cfa() is in a called hook. */
void rt_hook_enter_at(struct __cprof_module *m, uint32_t idx, uintptr_t sp);
void rt_hook_exit_at(struct __cprof_module *m, uint32_t idx, uintptr_t sp);
void rt_region_enter(struct __cprof_module *m, uint32_t idx, uintptr_t sp);
struct __cprof_module *rt_region_module(void); /* rt-region.c */
void rt_region_exit(struct __cprof_module *m, uint32_t idx);
void rt_timing_close_all(struct rt_thread *t, uint64_t now);
void rt_timing_reset(struct rt_thread *t, uint64_t now);
void rt_timing_free(struct rt_thread *t);
uint64_t rt_hook_calibrate(void);

/* ---- rt-merge.c: accumulating timing ----------------------------------------------------- */

struct rt_edge_map {
  struct rt_edge *e; /* the edges, e[0, n), in the order they came; room allocated */
  uint32_t *slot;    /* cap slots (a power of two, at most half full): an edge's index + 1, or 0 */
  uint32_t cap, n, room;
};

struct rt_edge *rt_edge_map_get(struct rt_edge_map *map, uint32_t parent, uint32_t child);
const struct rt_edge *rt_edge_map_find(const struct rt_edge_map *map, uint32_t parent,
                                       uint32_t child);
void rt_edge_map_free(struct rt_edge_map *map);
int rt_edge_map_copy(struct rt_edge_map *dst, const struct rt_edge_map *src);
int rt_edge_map_reserve(struct rt_edge_map *map, uint32_t n); /* room for n edges; -1 on OOM */
void rt_fn_time_add(struct rt_fn_time *dst, const struct rt_fn_time *src);
/* Adds a live or exiting thread's timing, but for the chunks of fids that skip (or NULL) marks;
   fids >= nfn are ignored. Returns -1 on OOM. */
int rt_merge_thread(const struct rt_thread *t, struct rt_fn_time *fn, uint32_t nfn,
                    struct rt_edge_map *edges, const uint8_t *skip);
/* The calling thread's open frames as if they were closed (unwound) at now. */
int rt_merge_open_frames(const struct rt_thread *t, uint64_t now, struct rt_fn_time *fn,
                         uint32_t nfn, struct rt_edge_map *edges, uint64_t *closed);

/* ---- rt-thread.c: per-thread records ----------------------------------------------------- */

struct rt_thread_summary {
  uint32_t id;
  pid_t tid;
  char name[16];
  int is_main;
  uint64_t timed_calls, max_depth, unwound_frames, runtime_ns;
  uint64_t events[RT_EV_MAX];
};

struct rt_snapshot {
  uint64_t now;
  uint32_t nmods, nfids;
  struct rt_module **mods;
  uint64_t **counters;        /* merged, per module */
  struct rt_fn_time *fn;      /* merged, per fid: read it with rt_snapshot_fn */
  /* per chunk of RT_FN_CHUNK fids: its records, NULL when no thread timed one of them; the
     chunk of fn, or the snapshotting thread's own when no other thread timed one (not copied) */
  const struct rt_fn_time **fn_chunk;
  size_t fn_mapped;           /* bytes of fn's own mapping (rt_snapshot_take), or 0: calloc */
  struct rt_edge_map edges;   /* merged observed edges */
  struct rt_thread_summary *threads;
  size_t nthreads;
  uint64_t unwound_frames, dropped_frames;
  struct rt_mem_snapshot mem;
  uint64_t *events_fn;        /* per fid: rt_events.n inclusive counts, or NULL */
  struct rt_trace_snapshot trace; /* CPROF_TRACE: every thread's events */
};

/* The merged timing of fid, a zero record when no thread timed a function of its chunk: those
 * pages of fn are never touched (a counts-only build times nothing, and SQLite's table is 2.7 MB
 * of latency histograms). Only the owner-thread fields (depth, reserved, the edge cache) may
 * differ from a merge's. */
static inline const struct rt_fn_time *rt_snapshot_fn(const struct rt_snapshot *s, uint32_t fid) {
  static const struct rt_fn_time zero;
  const struct rt_fn_time *c = fid < s->nfids ? s->fn_chunk[fid >> RT_FN_CHUNK_BITS] : NULL;
  return c ? &c[fid & (RT_FN_CHUNK - 1)] : &zero;
}

void rt_threads_init(void);
struct rt_thread *rt_thread_attach(void);
void rt_thread_capture(struct rt_thread *t);
int rt_snapshot_take(struct rt_snapshot *s);
void rt_snapshot_free(struct rt_snapshot *s);
void rt_threads_reset(void);
void rt_threads_fold_module(struct rt_module *m, uint64_t *own); /* rt_lock held: dlclose */

/* ---- rt-json.c / rt-output.c ------------------------------------------------------------- */

/* Both render a snapshot once: they solve its spanning-tree counts into s->counters (adding into
 * the logical counters), so a second rendering of the same snapshot would add them again. */
char *rt_json_render(const struct rt_snapshot *s);
/* The profile and a newline, streamed to fd; 0, or -1 with errno (ENOMEM or write's). */
int rt_json_write(const struct rt_snapshot *s, int fd);
int rt_output_dump(const char *path);
void rt_output_final(void);
void rt_output_forked(void);
void rt_output_rearm(void); /* an exec failed: the exit-time profile is written again */

/* ---- rt-io.c: I/O interposition ---------------------------------------------------------- */

struct cJSON;
void rt_io_init(void);        /* start-up: resolve the real functions, start counting */
void rt_io_fork_child(void);
int rt_io_json(struct cJSON *root);                   /* "io"; -1 on OOM */
int rt_io_json_fn(struct cJSON *fn_obj, uint32_t fid); /* functions[].io; -1 on OOM */

/* ---- rt-interval.c: CPROF_INTERVAL sampler and periodic snapshots ------------------------ */

void rt_interval_init(void);  /* start-up: parse CPROF_INTERVAL / CPROF_SNAPSHOT, start */
void rt_interval_stop(void);  /* exit: stop and join the sampler before the final dump */
int rt_interval_json(struct cJSON *root);             /* "timeline"; -1 on OOM */
/* Runtime threads (the sampler, the burst thread): never profiled, all signals blocked. */
void rt_cond_init_monotonic(pthread_cond_t *cond);
int rt_spawn_runtime_thread(pthread_t *thread, void *(*fn)(void *)); /* 0 or an errno */
/* Sets *stop under lock, signals cond and joins thread, when *running and not called from it. */
void rt_stop_runtime_thread(pthread_t thread, int *running, pthread_mutex_t *lock,
                            pthread_cond_t *cond, int *stop);
void rt_timespec_add(struct timespec *ts, uint64_t ns);
/* Locks a runtime thread's lock for a dump, or returns -1 after about 20000 yields (a dump from a
 * signal handler that interrupted this very thread's holder of it must not deadlock). */
int rt_mutex_lock_patient(pthread_mutex_t *lock);

/* ---- rt-bursts.c: CPROF_SAMPLE, recording in bursts ----------------------------------------- */

extern uint32_t rt_bursts_rate;   /* CPROF_SAMPLE; 1: recording is always on */
int rt_bursts_parse(void);        /* start-up: CPROF_SAMPLE; -1 (one warning) when invalid */
void rt_bursts_init(void);        /* start-up, last: turn recording on, or start the bursts */
void rt_bursts_stop(void);        /* exit: stop and join the burst thread (recording ends) */
int rt_bursts_set_recording(int on); /* cprof_enable / cprof_disable */
int rt_bursts_recording(void);    /* cprof_is_enabled */
void rt_bursts_totals(uint64_t *count, uint64_t *on_ns); /* bursts so far and their length */

/* ---- rt-signal.c ------------------------------------------------------------------------- */

void rt_signals_init(void);

#endif /* CPROF_RT_INTERNAL_H */
