/* rt-module.c: module (translation unit) registration and global function ids. */
#include <dlfcn.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>

#include "rt-internal.h"

static struct rt_module *mod_chunks[RT_MOD_TOP];
static uint32_t mod_count; /* release-stored after the module is complete */
static uint32_t mod_fids;  /* next fid_base (rt_lock) */

/* Registered modules point here: a non-NULL next marks a module as registered. */
static struct __cprof_module mod_list_end;

uint32_t rt_module_count(void) { return __atomic_load_n(&mod_count, __ATOMIC_ACQUIRE); }

struct rt_module *rt_module_get(uint32_t index) {
  return &mod_chunks[index / RT_MOD_CHUNK][index % RT_MOD_CHUNK];
}

uint32_t rt_module_fid_end(uint32_t nmods) {
  uint32_t end = 0;
  for (uint32_t i = 0; i < nmods; i++) {
    struct rt_module *m = rt_module_get(i);
    if (m->fid_base + m->num_functions > end)
      end = m->fid_base + m->num_functions;
  }
  return end;
}

/* Modules get ascending fid ranges in registration order: a binary search. */
struct rt_module *rt_module_of_fid(uint32_t fid) {
  uint32_t lo = 0, hi = rt_module_count();
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    struct rt_module *m = rt_module_get(mid);
    if (fid < m->fid_base)
      hi = mid;
    else if (fid - m->fid_base >= m->num_functions)
      lo = mid + 1;
    else
      return m;
  }
  return NULL;
}

static void mod_reject(struct __cprof_module *m) {
  m->fid_base = RT_FID_REJECTED;
  __atomic_store_n(&m->next, &mod_list_end, __ATOMIC_RELEASE);
}

/* Returns 0 when m is registered (now or before), -1 when it was refused. */
int rt_module_register(struct __cprof_module *m) {
  if (!rt_config.enabled || !m)
    return -1;
  pthread_mutex_lock(&rt_lock);
  if (__atomic_load_n(&m->next, __ATOMIC_ACQUIRE)) {
    int rc = m->fid_base == RT_FID_REJECTED ? -1 : 0;
    pthread_mutex_unlock(&rt_lock);
    return rc;
  }
  const char *why = NULL;
  uint32_t n = mod_count;
  if (m->abi_version != 1 && m->abi_version != CPROF_ABI_VERSION)
    why = "ABI version mismatch";
  else if (!m->tls_counters || (!m->metadata && m->num_functions))
    why = "malformed module descriptor";
  else if (n >= RT_MAX_MODULES || m->num_functions > RT_MAX_FIDS - mod_fids)
    why = "too many modules or functions";
  uint64_t *totals = NULL;
  if (!why && !mod_chunks[n / RT_MOD_CHUNK]) {
    mod_chunks[n / RT_MOD_CHUNK] = calloc(RT_MOD_CHUNK, sizeof(struct rt_module));
    if (!mod_chunks[n / RT_MOD_CHUNK])
      why = "out of memory";
  }
  if (!why && !(totals = calloc(m->num_counters ? m->num_counters : 1, sizeof *totals)))
    why = "out of memory";
  if (why) {
    mod_reject(m);
    pthread_mutex_unlock(&rt_lock);
    rt_warn("module ignored (%s; abi %u)", why, m->abi_version);
    return -1;
  }
  struct rt_module *rm = rt_module_get(n);
  rm->abi = m;
  rm->index = n;
  rm->fid_base = mod_fids;
  rm->num_counters = m->num_counters;
  rm->num_functions = m->num_functions;
  rm->totals = totals;
  rm->metadata = m->metadata;
  rm->untimed = m->abi_version >= 2 ? m->untimed : NULL; /* version 1 ends before it */
  rt_mem_module(m);
  rm->unloaded = 0;
  m->fid_base = mod_fids;
  mod_fids += m->num_functions;
  __atomic_store_n(&m->next, &mod_list_end, __ATOMIC_RELEASE);
  __atomic_store_n(&mod_count, n + 1, __ATOMIC_RELEASE);
  pthread_mutex_unlock(&rt_lock);
  return 0;
}

CPROF_EXPORT RT_NOINST void __cprof_register(struct __cprof_module *m) {
  rt_init();
  RT_INTERNAL_BEGIN();
  int rc = rt_module_register(m);
  RT_INTERNAL_END();
  if (rc != 0)
    return;
  /* The registering thread's copy (this may be a dlopen on a non-main thread). */
  struct rt_thread *t = rt_self_tls ? rt_self_tls : rt_thread_attach();
  if (t)
    rt_thread_capture(t);
}

/* Whether p lies in the main program, which stays mapped until the process ends: its modules
 * are unregistered only at exit, and the profile written after that can still read their
 * metadata where it is (a copy of SQLite's is 3.7 MB, a fifth of the time to write its profile).
 * 0 when unsure (a static program, where dladdr knows nothing). */
static int mod_in_main_program(const void *p) {
  Dl_info info;
  struct link_map *map = NULL;
  if (!p || !dladdr1(p, &info, (void **)&map, RTLD_DL_LINKMAP) || !map)
    return 0;
  return map->l_prev == NULL && map->l_name && map->l_name[0] == '\0';
}

/* The library holding m is being unloaded (its destructor, from dlclose or at exit): keep
 * everything the profile needs from it. Its fids stay reserved; loading it again registers a
 * new module (the static descriptor is fresh again), so each load is its own module entry. */
CPROF_EXPORT RT_NOINST void __cprof_unregister(struct __cprof_module *m) {
  if (!rt_config.enabled || !m || __atomic_load_n(&m->next, __ATOMIC_ACQUIRE) == NULL ||
      m->fid_base == RT_FID_REJECTED)
    return;
  RT_INTERNAL_BEGIN();
  /* The calling thread's block, read before the lock: tls_counters may allocate it. */
  uint64_t *own = m->tls_counters();
  int keep = mod_in_main_program(m->metadata);
  size_t meta_size = m->metadata && !keep ? rt_meta_size(m->metadata) : 0;
  char *meta = meta_size ? malloc(meta_size) : NULL;
  if (meta)
    memcpy(meta, m->metadata, meta_size);
  uint8_t *untimed =
      m->abi_version >= 2 && m->untimed ? malloc(m->num_functions ? m->num_functions : 1) : NULL;
  pthread_mutex_lock(&rt_lock);
  uint32_t n = mod_count;
  for (uint32_t i = 0; i < n; i++) {
    struct rt_module *rm = rt_module_get(i);
    if (rm->abi != m || rm->unloaded)
      continue;
    rt_threads_fold_module(rm, own);
    if (keep) {
      rm->metadata = m->metadata;
    } else if (meta || !m->metadata) {
      rm->metadata = meta;
      meta = NULL;
    } else {
      static const char empty[] = "cprof-metadata\t1\n";
      rm->metadata = empty; /* out of memory: the functions lose their names, not the counts */
    }
    if (untimed) /* CPROF_MIN_TIME's decisions, for the profile ("timing": "adaptive") */
      memcpy(untimed, rm->untimed, m->num_functions);
    __atomic_store_n(&rm->untimed, untimed, __ATOMIC_RELEASE);
    untimed = NULL;
    __atomic_store_n(&rm->unloaded, 1, __ATOMIC_RELEASE);
    break;
  }
  pthread_mutex_unlock(&rt_lock);
  free(meta);
  free(untimed);
  RT_INTERNAL_END();
}
