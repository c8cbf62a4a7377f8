/* rt-malloc.c: malloc-family interposition: heap statistics per thread, function and call site. */
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#if defined(__GLIBC__) && defined(__has_include)
#if __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h> /* glibc 2.32 */
#define MEM_HAVE_SINGLE_THREADED 1
#endif
#endif

#include "rt-internal.h"

/* A tracked block is preceded by a header; tag == (uintptr_t)user ^ mem_key marks it. The word
 * just before any pointer glibc's malloc returns is the chunk's size field, so reading it is safe
 * for untracked blocks too (those allocated before start-up or by the runtime itself). */
struct mem_hdr {
  uint64_t size;   /* requested bytes */
  uint32_t fid;    /* innermost timed function at allocation, or RT_NONE */
  uint32_t offset; /* user pointer - real block */
  uint32_t epoch;  /* mem_epoch at allocation: blocks from before a fork are not counted */
  uint32_t pad;    /* never read */
  uint64_t tag;
};
#define MEM_HDR ((size_t)sizeof(struct mem_hdr)) /* 32: keeps malloc's 16-byte alignment */

RT_TLS __thread int rt_internal;
RT_TLS __thread int rt_in_malloc;

static int mem_track;      /* CPROF=1: allocations get headers and are counted */
static int mem_headers;    /* some block got a header: frees and reallocs look for one */
static int mem_slow_free;  /* mem_track, mem_headers, or the bootstrap buffer was used */
static int mem_saw_timed;  /* CPROF_HEAP unset: a module with timing hooks registered */
static pthread_mutex_t mem_mode_lock = PTHREAD_MUTEX_INITIALIZER; /* mem_headers vs rt_mem_module */
static uintptr_t mem_key;
static uint32_t mem_epoch = 1;

static uint64_t mem_live, mem_peak; /* process-wide live bytes (atomics) */

/* Exited threads and threads without a record (rt_lock, or atomics for the orphans). */
static struct rt_mem_stats mem_gone, mem_orphan;
static struct rt_fn_mem *mem_gfn;
static uint32_t mem_gfn_cap;
static struct rt_mem_site *mem_gsites; /* open addressing, RT_MEM_SITES * 8 slots */
static uint64_t mem_gsites_dropped;

/* ---- forwarding to the next definitions (libc), with a bootstrap buffer for dlsym ---------- */

static void *mem_boot_malloc(size_t n);
static void *mem_boot_calloc(size_t n, size_t m);
static void *mem_boot_realloc(void *p, size_t n);
static void mem_boot_free(void *p);
static int mem_boot_posix_memalign(void **out, size_t align, size_t n);
static void *mem_boot_memalign(size_t align, size_t n);
static void *mem_boot_aligned_alloc(size_t align, size_t n);
static void *mem_boot_valloc(size_t n);
static size_t mem_boot_usable(void *p);

static struct {
  void *(*malloc)(size_t);
  void *(*calloc)(size_t, size_t);
  void *(*realloc)(void *, size_t);
  void (*free)(void *);
  int (*posix_memalign)(void **, size_t, size_t);
  void *(*memalign)(size_t, size_t);
  void *(*aligned_alloc)(size_t, size_t);
  void *(*valloc)(size_t);
  size_t (*usable)(void *);
} mem_real = {mem_boot_malloc,    mem_boot_calloc,        mem_boot_realloc,
              mem_boot_free,      mem_boot_posix_memalign, mem_boot_memalign,
              mem_boot_aligned_alloc, mem_boot_valloc,    mem_boot_usable};

#define MEM_BOOT_BYTES (64u * 1024u)
static _Alignas(64) char mem_boot_buf[MEM_BOOT_BYTES];
static size_t mem_boot_used;
static int mem_resolving, mem_resolved;

static int mem_is_boot(const void *p) {
  return (const char *)p >= mem_boot_buf && (const char *)p < mem_boot_buf + MEM_BOOT_BYTES;
}

/* Bump allocation, 16-byte aligned, size stored in the 16 bytes before the block; never freed. */
static void *mem_boot_alloc(size_t align, size_t n) {
  if (align < 16)
    align = 16;
  __atomic_store_n(&mem_slow_free, 1, __ATOMIC_RELAXED);
  size_t used = __atomic_load_n(&mem_boot_used, __ATOMIC_RELAXED), start;
  do {
    start = (used + 16 + align - 1) & ~(align - 1);
    if (n > MEM_BOOT_BYTES || start + n > MEM_BOOT_BYTES)
      return NULL;
  } while (!__atomic_compare_exchange_n(&mem_boot_used, &used, start + n, 0, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED));
  *(size_t *)(mem_boot_buf + start - 16) = n;
  return mem_boot_buf + start;
}

static size_t mem_boot_size(const void *p) { return *(const size_t *)((const char *)p - 16); }

/* Resolves the next definitions; allocations made meanwhile (by dlsym) use the bootstrap buffer.
 * Returns 0 when the real functions are usable. */
static int mem_resolve(void) {
  if (__atomic_load_n(&mem_resolved, __ATOMIC_ACQUIRE))
    return 0;
  if (__atomic_load_n(&mem_resolving, __ATOMIC_ACQUIRE))
    return -1;
  __atomic_store_n(&mem_resolving, 1, __ATOMIC_RELEASE);
  void *f[9] = {dlsym(RTLD_NEXT, "malloc"),        dlsym(RTLD_NEXT, "calloc"),
                dlsym(RTLD_NEXT, "realloc"),       dlsym(RTLD_NEXT, "free"),
                dlsym(RTLD_NEXT, "posix_memalign"), dlsym(RTLD_NEXT, "memalign"),
                dlsym(RTLD_NEXT, "aligned_alloc"), dlsym(RTLD_NEXT, "valloc"),
                dlsym(RTLD_NEXT, "malloc_usable_size")};
  for (int i = 0; i < 9; i++)
    if (!f[i])
      abort(); /* no allocator after libcprofrt: nothing sensible can run */
  mem_real.calloc = (void *(*)(size_t, size_t))f[1];
  mem_real.realloc = (void *(*)(void *, size_t))f[2];
  mem_real.free = (void (*)(void *))f[3];
  mem_real.posix_memalign = (int (*)(void **, size_t, size_t))f[4];
  mem_real.memalign = (void *(*)(size_t, size_t))f[5];
  mem_real.aligned_alloc = (void *(*)(size_t, size_t))f[6];
  mem_real.valloc = (void *(*)(size_t))f[7];
  mem_real.usable = (size_t(*)(void *))f[8];
  __atomic_store_n(&mem_real.malloc, (void *(*)(size_t))f[0], __ATOMIC_RELEASE);
  __atomic_store_n(&mem_resolved, 1, __ATOMIC_RELEASE);
  return 0;
}

static void *mem_boot_malloc(size_t n) {
  return mem_resolve() == 0 ? mem_real.malloc(n) : mem_boot_alloc(16, n);
}
static void *mem_boot_calloc(size_t n, size_t m) {
  if (mem_resolve() == 0)
    return mem_real.calloc(n, m);
  size_t b;
  return __builtin_mul_overflow(n, m, &b) ? NULL : mem_boot_alloc(16, b);
}
static void *mem_boot_realloc(void *p, size_t n) {
  if (mem_resolve() == 0)
    return mem_real.realloc(p, n);
  void *q = mem_boot_alloc(16, n);
  if (q && p)
    memcpy(q, p, mem_boot_size(p) < n ? mem_boot_size(p) : n);
  return q;
}
static void mem_boot_free(void *p) {
  if (p && !mem_is_boot(p) && mem_resolve() == 0)
    mem_real.free(p);
}
static int mem_boot_posix_memalign(void **out, size_t align, size_t n) {
  if (mem_resolve() == 0)
    return mem_real.posix_memalign(out, align, n);
  return (*out = mem_boot_alloc(align, n)) ? 0 : ENOMEM;
}
static void *mem_boot_memalign(size_t align, size_t n) {
  return mem_resolve() == 0 ? mem_real.memalign(align, n) : mem_boot_alloc(align, n);
}
static void *mem_boot_aligned_alloc(size_t align, size_t n) {
  return mem_resolve() == 0 ? mem_real.aligned_alloc(align, n) : mem_boot_alloc(align, n);
}
static void *mem_boot_valloc(size_t n) {
  return mem_resolve() == 0 ? mem_real.valloc(n) : mem_boot_alloc(4096, n);
}
static size_t mem_boot_usable(void *p) {
  return mem_resolve() == 0 ? mem_real.usable(p) : 0;
}

/* ---- accounting (the calling thread's record; atomics only for threads without one) ------- */

/* The hot path is flattened into the interposed functions: every call level costs a prologue
 * and spills, which used to be most of the runtime's instructions per allocation. */
#define MEM_HOT static inline __attribute__((always_inline))
#define MEM_COLD static __attribute__((noinline, cold))

/* Process-wide live bytes and their peak. While the process has never had a second thread
 * (glibc's __libc_single_threaded), nothing else can touch them, so plain loads and stores give
 * exactly the values the atomics would, without a locked instruction (and a CAS for the peak) on
 * every call. glibc clears the flag in pthread_create before the new thread exists, so each
 * thread's later updates are ordered after the plain ones. Trade-off: a signal handler that
 * allocates while the interrupted code is between the load and the store of an update would
 * make the totals lose that handler's change; glibc's own single-threaded malloc takes no lock
 * either, so such a handler is not safe without the runtime anyway. Without the flag (another
 * libc) the atomics are always used. */
#ifdef MEM_HAVE_SINGLE_THREADED
#define MEM_SINGLE_THREADED() RT_LIKELY(__libc_single_threaded)
#else
#define MEM_SINGLE_THREADED() 0
#endif

static void mem_peak_update(uint64_t live) {
  uint64_t peak = __atomic_load_n(&mem_peak, __ATOMIC_RELAXED);
  while (live > peak &&
         !__atomic_compare_exchange_n(&mem_peak, &peak, live, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
    ;
}

MEM_HOT void mem_live_add(uint64_t n) {
  if (MEM_SINGLE_THREADED()) {
    uint64_t live = __atomic_load_n(&mem_live, __ATOMIC_RELAXED) + n;
    __atomic_store_n(&mem_live, live, __ATOMIC_RELAXED);
    if (live > __atomic_load_n(&mem_peak, __ATOMIC_RELAXED))
      __atomic_store_n(&mem_peak, live, __ATOMIC_RELAXED);
    return;
  }
  mem_peak_update(__atomic_add_fetch(&mem_live, n, __ATOMIC_RELAXED));
}

MEM_HOT void mem_live_sub(uint64_t n) {
  if (MEM_SINGLE_THREADED())
    __atomic_store_n(&mem_live, __atomic_load_n(&mem_live, __ATOMIC_RELAXED) - n,
                     __ATOMIC_RELAXED);
  else
    __atomic_sub_fetch(&mem_live, n, __ATOMIC_RELAXED);
}

static void mem_orphan_add(uint64_t *field, uint64_t v) {
  __atomic_fetch_add(field, v, __ATOMIC_RELAXED);
}

/* The bit length of n (0 for 0) without a branch: every counted request is a block that was
 * allocated, so n < 2^63 and 2n + 1 does not wrap (if it did, the bucket would be wrong, but
 * still in range). */
static inline unsigned mem_bucket(uint64_t n) {
  return 63u - (unsigned)__builtin_clzll(2 * n + 1);
}

/* fid < RT_MAX_FIDS. Allocates the thread's chunk for fid; NULL when memory is short. */
MEM_COLD struct rt_fn_mem *mem_fn_chunk(struct rt_thread *t, uint32_t fid) {
  RT_INTERNAL_BEGIN();
  struct rt_fn_mem *c = mem_real.calloc(RT_FN_CHUNK, sizeof *c);
  RT_INTERNAL_END();
  if (!c)
    return NULL;
  __atomic_store_n(&t->mem_fn[fid >> RT_FN_CHUNK_BITS], c, __ATOMIC_RELEASE);
  return &c[fid & (RT_FN_CHUNK - 1)];
}

/* fid < RT_MAX_FIDS (so not RT_NONE): its record in t, or NULL when memory is short. */
MEM_HOT struct rt_fn_mem *mem_fn(struct rt_thread *t, uint32_t fid) {
  struct rt_fn_mem *c = t->mem_fn[fid >> RT_FN_CHUNK_BITS];
  if (RT_UNLIKELY(!c))
    return mem_fn_chunk(t, fid);
  return &c[fid & (RT_FN_CHUNK - 1)];
}

static inline uint32_t mem_site_hash(uintptr_t ra, uint32_t mask) {
  return (uint32_t)(((uint64_t)ra * 0x9E3779B97F4A7C15ull) >> 40) & mask;
}

/* The whole probe (and the table's first allocation); mem_site tries the home slot first. */
MEM_COLD void mem_site_probe(struct rt_thread *t, uintptr_t ra, uint64_t n) {
  if (!t->mem_sites) {
    RT_INTERNAL_BEGIN();
    struct rt_mem_site *s = mem_real.calloc(RT_MEM_SITES, sizeof *s);
    RT_INTERNAL_END();
    if (!s) {
      t->mem.sites_dropped++;
      return;
    }
    __atomic_store_n(&t->mem_sites, s, __ATOMIC_RELEASE);
  }
  uint32_t h = mem_site_hash(ra, RT_MEM_SITES - 1);
  for (uint32_t probe = 0; probe < 16; probe++, h = (h + 1) & (RT_MEM_SITES - 1)) {
    struct rt_mem_site *s = &t->mem_sites[h];
    if (s->ra == ra || s->ra == 0) {
      s->allocs++;
      s->bytes += n;
      if (s->ra == 0)
        __atomic_store_n(&s->ra, ra, __ATOMIC_RELEASE);
      return;
    }
  }
  t->mem.sites_dropped++;
}

MEM_HOT void mem_site(struct rt_thread *t, uintptr_t ra, uint64_t n) {
  struct rt_mem_site *tab = t->mem_sites;
  if (RT_LIKELY(tab)) {
    struct rt_mem_site *s = &tab[mem_site_hash(ra, RT_MEM_SITES - 1)];
    if (RT_LIKELY(s->ra == ra)) { /* the probe would stop here too */
      s->allocs++;
      s->bytes += n;
      return;
    }
  }
  mem_site_probe(t, ra, n);
}

MEM_COLD void mem_orphan_alloc(uint64_t n, int realloc_) {
  mem_orphan_add(realloc_ ? &mem_orphan.reallocs : &mem_orphan.allocs, 1);
  mem_orphan_add(&mem_orphan.alloc_bytes, n);
  mem_orphan_add(&mem_orphan.cls[(n > 256) + (n > 65536)], 1);
  mem_orphan_add(&mem_orphan.hist[mem_bucket(n)], 1);
}

MEM_COLD void mem_orphan_free(uint64_t size, int realloc_) {
  if (!realloc_)
    mem_orphan_add(&mem_orphan.frees, 1);
  mem_orphan_add(&mem_orphan.freed_bytes, size);
}

/* The counts of t (not NULL) but the call site for a request of n bytes; returns the fid. */
MEM_HOT uint32_t mem_count_alloc(struct rt_thread *t, uint64_t n, int realloc_) {
  struct rt_mem_stats *st = &t->mem;
  if (realloc_)
    st->reallocs++;
  else
    st->allocs++;
  st->alloc_bytes += n;
  if (RT_LIKELY(n <= 256)) /* size classes: small <= 256 B, medium <= 64 KiB, large */
    st->cls[0]++;
  else
    st->cls[n <= 65536 ? 1 : 2]++;
  st->hist[mem_bucket(n)]++;
  uint32_t fid = rt_thread_top_fid(t);
  if (fid < RT_MAX_FIDS) { /* a larger fid is recorded but has no record, like RT_NONE */
    struct rt_fn_mem *fm = mem_fn(t, fid);
    if (RT_LIKELY(fm)) {
      if (realloc_)
        fm->reallocs++;
      else
        fm->allocs++;
      fm->alloc_bytes += n;
    }
  }
  return fid;
}

/* A request for n bytes (a new block, or a realloc's new size); returns the fid to record. */
MEM_HOT uint32_t mem_account_alloc(struct rt_thread *t, uint64_t n, uintptr_t ra, int realloc_) {
  uint32_t fid = RT_NONE;
  if (RT_LIKELY(t)) {
    fid = mem_count_alloc(t, n, realloc_);
    mem_site(t, ra, n);
  } else {
    mem_orphan_alloc(n, realloc_);
  }
  mem_live_add(n);
  return fid;
}

/* The bytes of a block going away; a realloc's old size counts as freed but not as a free. */
MEM_HOT void mem_account_free(struct rt_thread *t, uint64_t size, uint32_t fid, int realloc_) {
  if (RT_LIKELY(t)) {
    t->mem.frees += !realloc_;
    t->mem.freed_bytes += size;
    if (fid < RT_MAX_FIDS) {
      struct rt_fn_mem *fm = mem_fn(t, fid);
      if (RT_LIKELY(fm)) {
        fm->frees += !realloc_;
        fm->freed_bytes += size;
      }
    }
  } else {
    mem_orphan_free(size, realloc_);
  }
  mem_live_sub(size);
}

/* ---- tracked blocks ---------------------------------------------------------------------- */

MEM_HOT struct mem_hdr *mem_hdr_of(void *p) {
  struct mem_hdr *h = (struct mem_hdr *)((char *)p - MEM_HDR);
  return h->tag == ((uintptr_t)p ^ mem_key) ? h : NULL;
}

/* The first header: from now on every free looks for one (rt_mem_module may no longer turn the
 * slow free path off). */
MEM_COLD void mem_first_header(void) {
  pthread_mutex_lock(&mem_mode_lock);
  __atomic_store_n(&mem_headers, 1, __ATOMIC_RELEASE);
  __atomic_store_n(&mem_slow_free, 1, __ATOMIC_RELEASE);
  pthread_mutex_unlock(&mem_mode_lock);
}

MEM_HOT void *mem_finish(char *base, size_t offset, size_t n, uint32_t fid) {
  if (RT_UNLIKELY(!__atomic_load_n(&mem_headers, __ATOMIC_RELAXED)))
    mem_first_header();
  char *p = base + offset;
  struct mem_hdr *h = (struct mem_hdr *)(p - MEM_HDR);
  h->size = n;
  h->fid = fid;
  h->offset = (uint32_t)offset;
  h->epoch = __atomic_load_n(&mem_epoch, __ATOMIC_RELAXED);
  h->tag = (uintptr_t)p ^ mem_key;
  return p;
}

/* The program's request when it is not the runtime's own (rt_internal) or made inside a hook. */
MEM_HOT int mem_own(const struct rt_thread *t) { return !rt_internal && !(t && t->in_hook); }

/* Whether a new block is counted: one of the program's, and with CPROF_SAMPLE=N allocated while
 * the thread records (in a burst, or inside an activation that began in one and is still on its
 * shadow stack), so that the heap is sampled with the calls and costs nothing between bursts.
 * A counted block stays counted until it is freed. */
MEM_HOT int mem_counts_new(const struct rt_thread *t) {
  if (!mem_own(t))
    return 0;
  return RT_LIKELY(rt_bursts_rate < 2) || __atomic_load_n(&__cprof_active, __ATOMIC_RELAXED) ||
         (t && t->depth);
}

/* align: 0 for malloc alignment, else a power of two > 16. zero: calloc. */
MEM_HOT void *mem_alloc_in(size_t align, size_t n, int zero, uintptr_t ra) {
  struct rt_thread *t = rt_self_tls;
  if (RT_UNLIKELY(!mem_counts_new(t)))
    return zero ? mem_real.calloc(1, n) : align ? mem_real.memalign(align, n) : mem_real.malloc(n);
  size_t offset = align ? align : MEM_HDR, total;
  if (RT_UNLIKELY(__builtin_add_overflow(n, offset, &total) || offset > UINT32_MAX)) {
    errno = ENOMEM;
    return NULL;
  }
  char *base = zero ? mem_real.calloc(1, total)
               : align ? mem_real.memalign(align, total)
                       : mem_real.malloc(total);
  if (RT_UNLIKELY(!base))
    return NULL;
  return mem_finish(base, offset, n, mem_account_alloc(t, n, ra, 0));
}

/* p: not NULL, not in the bootstrap buffer. */
MEM_HOT void mem_free_in(void *p) {
  struct mem_hdr *h = mem_headers ? mem_hdr_of(p) : NULL;
  if (!h) {
    mem_real.free(p);
    return;
  }
  if (RT_LIKELY(h->epoch == __atomic_load_n(&mem_epoch, __ATOMIC_RELAXED)))
    mem_account_free(rt_self_tls, h->size, h->fid, 0);
  h->tag = 0; /* a double free is not mistaken for a live block */
  mem_real.free((char *)p - h->offset);
}

/* The slow paths, out of line; each counts rt_in_malloc, which tells signal handlers not to
 * dump (it nests). The interposed functions reach them by a tail call, so that the disabled
 * path saves no registers. */
static __attribute__((noinline)) void *mem_alloc(size_t align, size_t n, int zero,
                                                 uintptr_t ra) {
  rt_in_malloc++;
  void *p = mem_alloc_in(align, n, zero, ra);
  rt_in_malloc--;
  return p;
}

/* The end of mem_malloc and mem_calloc for base, a block of n + MEM_HDR bytes: counts it and
 * leaves the malloc family. */
MEM_COLD void *mem_alloc_done_slow(char *base, size_t n, uintptr_t ra) {
  void *p = mem_finish(base, MEM_HDR, n, mem_account_alloc(rt_self_tls, n, ra, 0));
  rt_in_malloc--;
  return p;
}

/* mem_alloc_done_slow in the common case. Everything is checked before anything is counted:
 * whatever needs a call (a thread's first chunk or site slot, a probe, a thread without a record,
 * the atomics) goes to the slow version whole, so that the common case makes no call and saves
 * no registers. */
static __attribute__((noinline)) void *mem_alloc_done(char *base, size_t n, uintptr_t ra) {
  struct rt_thread *t = rt_self_tls;
  if (RT_UNLIKELY(!t || !MEM_SINGLE_THREADED()))
    return mem_alloc_done_slow(base, n, ra);
  uint32_t fid = rt_thread_top_fid(t);
  struct rt_fn_mem *fm = NULL;
  if (fid < RT_MAX_FIDS) {
    struct rt_fn_mem *c = t->mem_fn[fid >> RT_FN_CHUNK_BITS];
    if (RT_UNLIKELY(!c))
      return mem_alloc_done_slow(base, n, ra);
    fm = &c[fid & (RT_FN_CHUNK - 1)];
  }
  struct rt_mem_site *s = t->mem_sites;
  if (RT_UNLIKELY(!s || (s += mem_site_hash(ra, RT_MEM_SITES - 1))->ra != ra))
    return mem_alloc_done_slow(base, n, ra);
  /* As mem_account_alloc(t, n, ra, 0). */
  /* The site's two counts are updated in different blocks: side by side GCC pairs them in an
   * SSE add that costs more instructions than it saves. */
  struct rt_mem_stats *st = &t->mem;
  s->allocs++;
  st->allocs++;
  st->alloc_bytes += n;
  if (RT_LIKELY(n <= 256))
    st->cls[0]++;
  else
    st->cls[n <= 65536 ? 1 : 2]++;
  st->hist[mem_bucket(n)]++;
  if (fm) {
    fm->allocs++;
    fm->alloc_bytes += n;
  }
  s->bytes += n;
  mem_live_add(n);
  void *p = mem_finish(base, MEM_HDR, n, fid);
  rt_in_malloc--;
  return p;
}

/* mem_alloc(0, n, zero, ra) for malloc and calloc, the common requests: only n and ra are live
 * across the call, and mem_alloc_done (a tail call) leaves the malloc family. */
MEM_HOT void *mem_plain(size_t n, int zero, uintptr_t ra) {
  rt_in_malloc++;
  struct rt_thread *t = rt_self_tls;
  void *p;
  if (RT_UNLIKELY(!mem_counts_new(t))) {
    p = zero ? mem_real.calloc(1, n) : mem_real.malloc(n);
  } else if (RT_UNLIKELY(n > SIZE_MAX - MEM_HDR)) {
    errno = ENOMEM;
    p = NULL;
  } else {
    char *base = zero ? mem_real.calloc(1, n + MEM_HDR) : mem_real.malloc(n + MEM_HDR);
    if (RT_LIKELY(base))
      return mem_alloc_done(base, n, ra);
    p = NULL;
  }
  rt_in_malloc--;
  return p;
}

static __attribute__((noinline)) void *mem_malloc(size_t n, uintptr_t ra) {
  return mem_plain(n, 0, ra);
}

static __attribute__((noinline)) void *mem_calloc(size_t n, uintptr_t ra) {
  return mem_plain(n, 1, ra);
}

/* The rest of mem_free for a counted block h of p. */
MEM_COLD void mem_free_slow(void *p, struct mem_hdr *h) {
  mem_account_free(rt_self_tls, h->size, h->fid, 0);
  h->tag = 0;
  mem_real.free((char *)p - h->offset);
  rt_in_malloc--;
}

/* p: not NULL (free(NULL) does nothing, with or without the runtime). The header is tested
 * before the bootstrap buffer: a bootstrap block is preceded by its size and a zero word, which
 * no tag equals (the key is odd, blocks are aligned). As in mem_alloc_done, whatever needs a
 * call but the real free goes to mem_free_slow. */
static __attribute__((noinline)) void mem_free(void *p) {
  rt_in_malloc++;
  struct mem_hdr *h = RT_LIKELY(mem_headers) ? mem_hdr_of(p) : NULL;
  if (RT_UNLIKELY(!h)) {
    if (!mem_is_boot(p))
      mem_real.free(p);
    rt_in_malloc--;
    return;
  }
  if (RT_LIKELY(h->epoch == __atomic_load_n(&mem_epoch, __ATOMIC_RELAXED))) {
    struct rt_thread *t = rt_self_tls;
    if (RT_UNLIKELY(!t || !MEM_SINGLE_THREADED())) {
      mem_free_slow(p, h);
      return;
    }
    uint32_t fid = h->fid;
    uint64_t size = h->size;
    struct rt_fn_mem *fm = NULL;
    if (fid < RT_MAX_FIDS) {
      struct rt_fn_mem *c = t->mem_fn[fid >> RT_FN_CHUNK_BITS];
      if (RT_UNLIKELY(!c)) {
        mem_free_slow(p, h);
        return;
      }
      fm = &c[fid & (RT_FN_CHUNK - 1)];
    }
    /* As mem_account_free(t, size, fid, 0). */
    t->mem.frees++;
    t->mem.freed_bytes += size;
    if (fm) {
      fm->frees++;
      fm->freed_bytes += size;
    }
    mem_live_sub(size);
  }
  h->tag = 0; /* a double free is not mistaken for a live block */
  mem_real.free((char *)p - h->offset);
  rt_in_malloc--;
}

/* A bootstrap-buffer block: copied to a new one; the buffer is never reused. */
MEM_COLD void *mem_realloc_boot(void *p, size_t n, uintptr_t ra) {
  void *q = mem_track ? mem_alloc_in(0, n, 0, ra) : mem_real.malloc(n);
  if (q)
    memcpy(q, p, mem_boot_size(p) < n ? mem_boot_size(p) : n);
  return q;
}

/* A tracked block, in the cases mem_realloc_in leaves: a new size of 0 or too large, an
 * over-aligned block, one inherited over a fork, or a request of the runtime's own. */
MEM_COLD void *mem_realloc_hdr(void *p, struct mem_hdr *h, size_t n, uintptr_t ra) {
  if (n == 0) { /* glibc: frees the block and returns NULL */
    mem_free_in(p);
    return NULL;
  }
  struct rt_thread *t = rt_self_tls;
  int own = mem_own(t);
  size_t total;
  if (__builtin_add_overflow(n, (size_t)MEM_HDR, &total)) {
    errno = ENOMEM;
    return NULL;
  }
  struct mem_hdr old = *h;
  int counted = old.epoch == __atomic_load_n(&mem_epoch, __ATOMIC_RELAXED);
  char *base;
  if (old.offset == MEM_HDR) {
    h->tag = 0;
    base = mem_real.realloc((char *)p - MEM_HDR, total);
    if (!base) {
      h->tag = (uintptr_t)p ^ mem_key;
      return NULL;
    }
  } else { /* an over-aligned block: move it to a plain one */
    if (!(base = mem_real.malloc(total)))
      return NULL;
    memcpy(base + MEM_HDR, p, old.size < n ? old.size : n);
    h->tag = 0;
    mem_real.free((char *)p - old.offset);
  }
  if (counted)
    mem_account_free(t, old.size, old.fid, 1);
  uint32_t fid = mem_account_alloc(own ? t : NULL, n, ra, counted);
  if (!own)
    fid = RT_NONE;
  return mem_finish(base, MEM_HDR, n, fid);
}

/* p: not NULL. The header is tested first, as in mem_free. */
MEM_HOT void *mem_realloc_in(void *p, size_t n, uintptr_t ra) {
  struct mem_hdr *h = mem_headers ? mem_hdr_of(p) : NULL;
  if (!h)
    return mem_is_boot(p) ? mem_realloc_boot(p, n, ra)
                          : mem_real.realloc(p, n); /* an untracked block stays untracked */
  /* The common case, as mem_realloc_hdr would do it: a plain block of this process resized by
   * the program to a non-zero size. */
  struct rt_thread *t = rt_self_tls;
  if (RT_UNLIKELY(n == 0 || n > SIZE_MAX - MEM_HDR || h->offset != MEM_HDR ||
                  h->epoch != __atomic_load_n(&mem_epoch, __ATOMIC_RELAXED) || !mem_own(t)))
    return mem_realloc_hdr(p, h, n, ra);
  uint64_t old_size = h->size;
  uint32_t old_fid = h->fid;
  h->tag = 0;
  char *base = mem_real.realloc((char *)p - MEM_HDR, n + MEM_HDR);
  if (RT_UNLIKELY(!base)) {
    h->tag = (uintptr_t)p ^ mem_key;
    return NULL;
  }
  mem_account_free(t, old_size, old_fid, 1);
  return mem_finish(base, MEM_HDR, n, mem_account_alloc(t, n, ra, 1));
}

static __attribute__((noinline)) void *mem_realloc(void *p, size_t n, uintptr_t ra) {
  rt_in_malloc++;
  void *q = p ? mem_realloc_in(p, n, ra) : mem_real.malloc(n);
  rt_in_malloc--;
  return q;
}

static int mem_pow2(size_t a) { return a && (a & (a - 1)) == 0; }

/* ---- the interposed functions: one predictable branch when profiling is off --------------- */

#define MEM_RA ((uintptr_t)__builtin_return_address(0))

CPROF_EXPORT RT_NOINST void *malloc(size_t n) {
  if (RT_UNLIKELY(mem_track))
    return mem_malloc(n, MEM_RA);
  return mem_real.malloc(n);
}

CPROF_EXPORT RT_NOINST void *calloc(size_t n, size_t m) {
  if (RT_UNLIKELY(mem_track)) {
    size_t b;
    if (__builtin_mul_overflow(n, m, &b)) {
      errno = ENOMEM;
      return NULL;
    }
    return mem_calloc(b, MEM_RA);
  }
  return mem_real.calloc(n, m);
}

CPROF_EXPORT RT_NOINST void *realloc(void *p, size_t n) {
  if (RT_UNLIKELY(mem_slow_free)) /* realloc(NULL, n) is malloc(n) */
    return !p && mem_track ? mem_malloc(n, MEM_RA) : mem_realloc(p, n, MEM_RA);
  return mem_real.realloc(p, n);
}

CPROF_EXPORT RT_NOINST void *reallocarray(void *p, size_t n, size_t m) {
  size_t b;
  if (__builtin_mul_overflow(n, m, &b)) {
    errno = ENOMEM;
    return NULL;
  }
  if (RT_UNLIKELY(mem_slow_free))
    return !p && mem_track ? mem_malloc(b, MEM_RA) : mem_realloc(p, b, MEM_RA);
  return mem_real.realloc(p, b);
}

CPROF_EXPORT RT_NOINST void free(void *p) {
  if (RT_UNLIKELY(mem_slow_free)) {
    if (p)
      mem_free(p);
    return;
  }
  mem_real.free(p);
}

CPROF_EXPORT RT_NOINST int posix_memalign(void **out, size_t align, size_t n) {
  if (RT_UNLIKELY(mem_track) && mem_pow2(align) && align % sizeof(void *) == 0) {
    void *p = mem_alloc(align > 16 ? align : 0, n, 0, MEM_RA);
    if (!p)
      return ENOMEM;
    *out = p;
    return 0;
  }
  return mem_real.posix_memalign(out, align, n);
}

CPROF_EXPORT RT_NOINST void *aligned_alloc(size_t align, size_t n) {
  if (RT_UNLIKELY(mem_track) && mem_pow2(align))
    return mem_alloc(align > 16 ? align : 0, n, 0, MEM_RA);
  return mem_real.aligned_alloc(align, n);
}

CPROF_EXPORT RT_NOINST void *memalign(size_t align, size_t n) {
  if (RT_UNLIKELY(mem_track) && mem_pow2(align))
    return mem_alloc(align > 16 ? align : 0, n, 0, MEM_RA);
  return mem_real.memalign(align, n);
}

CPROF_EXPORT RT_NOINST void *valloc(size_t n) {
  if (RT_UNLIKELY(mem_track))
    return mem_alloc((size_t)sysconf(_SC_PAGESIZE), n, 0, MEM_RA);
  return mem_real.valloc(n);
}

/* Must agree with the headers: a tracked block's usable size excludes its header. */
CPROF_EXPORT RT_NOINST size_t malloc_usable_size(void *p) {
  if (RT_UNLIKELY(mem_slow_free) && p) {
    if (mem_is_boot(p))
      return mem_boot_size(p);
    struct mem_hdr *h = mem_headers ? mem_hdr_of(p) : NULL;
    if (h)
      return mem_real.usable((char *)p - h->offset) - h->offset;
  }
  return mem_real.usable(p);
}

/* ---- start-up, threads, fork, snapshots -------------------------------------------------- */

void rt_mem_init(void) {
  mem_resolve();
  const unsigned char *r = (const unsigned char *)getauxval(AT_RANDOM);
  uintptr_t key = (uintptr_t)&mem_key * 0x9E3779B97F4A7C15ull ^ (uintptr_t)rt_clock_now();
  if (r)
    memcpy(&key, r + 8, sizeof key);
  mem_key = key | 1;
  if (rt_config.heap == 0)
    return;
  __atomic_store_n(&mem_slow_free, 1, __ATOMIC_RELEASE);
  __atomic_store_n(&mem_track, 1, __ATOMIC_RELEASE);
}

/* CPROF_HEAP unset. A module built with the plugin option no-timing says so on the first line of
 * its metadata: while every module registered so far says so, the program runs, as under gcov,
 * with the malloc family untouched (no header on its blocks, nothing counted); a module with
 * timing hooks turns the tracking on for good. The runtime's own module of named regions and
 * modules without functions do not count. Turning the tracking off is only safe before the first
 * header (its block must be freed through the header path): mem_first_header and this take
 * mem_mode_lock. */
void rt_mem_module(const struct __cprof_module *m) {
  if (rt_config.heap != RT_HEAP_AUTO || !rt_config.enabled || m->num_functions == 0 ||
      m == rt_region_module())
    return;
  int counts_only = rt_meta_no_timing(m->metadata);
  pthread_mutex_lock(&mem_mode_lock);
  if (!counts_only) {
    mem_saw_timed = 1;
    __atomic_store_n(&mem_slow_free, 1, __ATOMIC_RELEASE);
    __atomic_store_n(&mem_track, 1, __ATOMIC_RELEASE);
  } else if (!mem_saw_timed && !__atomic_load_n(&mem_headers, __ATOMIC_ACQUIRE)) {
    __atomic_store_n(&mem_track, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&mem_slow_free, __atomic_load_n(&mem_boot_used, __ATOMIC_RELAXED) != 0,
                     __ATOMIC_RELEASE);
  }
  pthread_mutex_unlock(&mem_mode_lock);
}

static void mem_stats_add(struct rt_mem_stats *d, const struct rt_mem_stats *s) {
  d->allocs += s->allocs;
  d->reallocs += s->reallocs;
  d->frees += s->frees;
  d->alloc_bytes += s->alloc_bytes;
  d->freed_bytes += s->freed_bytes;
  for (int i = 0; i < 3; i++)
    d->cls[i] += s->cls[i];
  for (unsigned i = 0; i < RT_MEM_HIST; i++)
    d->hist[i] += s->hist[i];
  d->sites_dropped += s->sites_dropped;
}

static void mem_fn_add(struct rt_fn_mem *d, const struct rt_fn_mem *s) {
  d->allocs += s->allocs;
  d->reallocs += s->reallocs;
  d->frees += s->frees;
  d->alloc_bytes += s->alloc_bytes;
  d->freed_bytes += s->freed_bytes;
}

/* Adds (ra, allocs, bytes) to a table of cap slots (a power of two); -1 when it is full. */
static int mem_site_merge(struct rt_mem_site *tab, uint32_t cap, const struct rt_mem_site *s) {
  uint32_t h = mem_site_hash(s->ra, cap - 1);
  for (uint32_t i = 0; i < cap; i++, h = (h + 1) & (cap - 1)) {
    if (tab[h].ra == s->ra || tab[h].ra == 0) {
      tab[h].ra = s->ra;
      tab[h].allocs += s->allocs;
      tab[h].bytes += s->bytes;
      return 0;
    }
  }
  return -1;
}

#define MEM_GSITES (RT_MEM_SITES * 8u)

static void mem_merge_thread(const struct rt_thread *t, struct rt_mem_stats *st,
                             struct rt_fn_mem *fn, uint32_t nfn, struct rt_mem_site *sites,
                             uint64_t *dropped) {
  struct rt_mem_stats v = t->mem;
  mem_stats_add(st, &v);
  for (uint32_t top = 0; fn && top < RT_FN_TOP && top * RT_FN_CHUNK < nfn; top++) {
    const struct rt_fn_mem *c = __atomic_load_n(&t->mem_fn[top], __ATOMIC_ACQUIRE);
    for (uint32_t j = 0; c && j < RT_FN_CHUNK && top * RT_FN_CHUNK + j < nfn; j++) {
      struct rt_fn_mem one = c[j];
      mem_fn_add(&fn[top * RT_FN_CHUNK + j], &one);
    }
  }
  const struct rt_mem_site *s = __atomic_load_n(&t->mem_sites, __ATOMIC_ACQUIRE);
  for (uint32_t i = 0; s && sites && i < RT_MEM_SITES; i++) {
    struct rt_mem_site one = s[i];
    if (__atomic_load_n(&s[i].ra, __ATOMIC_ACQUIRE) && mem_site_merge(sites, MEM_GSITES, &one))
      *dropped += one.allocs;
  }
}

void rt_mem_thread_exit(struct rt_thread *t) {
  if (!mem_track)
    return;
  RT_INTERNAL_BEGIN();
  uint32_t nfids = rt_module_fid_end(rt_module_count());
  if (nfids > mem_gfn_cap) {
    struct rt_fn_mem *g = mem_real.realloc(mem_gfn, nfids * sizeof *g);
    if (g) {
      memset(g + mem_gfn_cap, 0, (nfids - mem_gfn_cap) * sizeof *g);
      mem_gfn = g;
      mem_gfn_cap = nfids;
    }
  }
  if (!mem_gsites)
    mem_gsites = mem_real.calloc(MEM_GSITES, sizeof *mem_gsites);
  mem_merge_thread(t, &mem_gone, mem_gfn, mem_gfn_cap, mem_gsites, &mem_gsites_dropped);
  memset(&t->mem, 0, sizeof t->mem);
  RT_INTERNAL_END();
}

void rt_mem_thread_free(struct rt_thread *t) {
  for (uint32_t i = 0; i < RT_FN_TOP; i++) {
    free(t->mem_fn[i]);
    t->mem_fn[i] = NULL;
  }
  free(t->mem_sites);
  t->mem_sites = NULL;
}

/* The child counts from zero; blocks inherited from the parent are no longer counted. */
void rt_mem_fork_child(struct rt_thread *self) {
  pthread_mutex_init(&mem_mode_lock, NULL); /* another thread may have held it at the fork */
  if (!mem_track)
    return;
  __atomic_add_fetch(&mem_epoch, 1, __ATOMIC_RELAXED);
  mem_live = mem_peak = 0;
  memset(&mem_gone, 0, sizeof mem_gone);
  memset(&mem_orphan, 0, sizeof mem_orphan);
  if (mem_gfn)
    memset(mem_gfn, 0, mem_gfn_cap * sizeof *mem_gfn);
  if (mem_gsites)
    memset(mem_gsites, 0, MEM_GSITES * sizeof *mem_gsites);
  mem_gsites_dropped = 0;
  if (self) {
    memset(&self->mem, 0, sizeof self->mem);
    for (uint32_t i = 0; i < RT_FN_TOP; i++)
      if (self->mem_fn[i])
        memset(self->mem_fn[i], 0, RT_FN_CHUNK * sizeof *self->mem_fn[i]);
    if (self->mem_sites)
      memset(self->mem_sites, 0, RT_MEM_SITES * sizeof *self->mem_sites);
  }
}

static int mem_cmp_site(const void *a, const void *b) {
  const struct rt_mem_site *x = a, *y = b;
  if (x->bytes != y->bytes)
    return x->bytes > y->bytes ? -1 : 1;
  return x->ra < y->ra ? -1 : x->ra > y->ra;
}

int rt_mem_snapshot_take(struct rt_mem_snapshot *m, struct rt_thread *threads, uint32_t nfids) {
  memset(m, 0, sizeof *m);
  if (!mem_track)
    return 0;
  m->enabled = 1;
  m->fn = calloc(nfids ? nfids : 1, sizeof *m->fn);
  struct rt_mem_site *tab = calloc(MEM_GSITES, sizeof *tab);
  if (!m->fn || !tab) {
    free(tab);
    rt_mem_snapshot_free(m);
    return -1;
  }
  mem_stats_add(&m->total, &mem_gone);
  struct rt_mem_stats orphan = mem_orphan; /* relaxed counts, like the counters */
  mem_stats_add(&m->total, &orphan);
  for (uint32_t f = 0; f < nfids && f < mem_gfn_cap; f++)
    m->fn[f] = mem_gfn[f];
  uint64_t dropped = mem_gsites_dropped;
  for (uint32_t i = 0; mem_gsites && i < MEM_GSITES; i++)
    if (mem_gsites[i].ra)
      mem_site_merge(tab, MEM_GSITES, &mem_gsites[i]);
  for (struct rt_thread *t = threads; t; t = t->next)
    mem_merge_thread(t, &m->total, m->fn, nfids, tab, &dropped);
  m->total.sites_dropped += dropped;
  size_t n = 0;
  for (uint32_t i = 0; i < MEM_GSITES; i++)
    if (tab[i].ra)
      tab[n++] = tab[i];
  qsort(tab, n, sizeof *tab, mem_cmp_site);
  m->sites = tab;
  m->nsites = n;
  m->peak_bytes = __atomic_load_n(&mem_peak, __ATOMIC_RELAXED);
  return 0;
}

void rt_mem_snapshot_free(struct rt_mem_snapshot *m) {
  free(m->fn);
  free(m->sites);
  memset(m, 0, sizeof *m);
}
