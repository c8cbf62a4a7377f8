/* rt-region.c: named regions (CPROF_REGION, cprof_region_begin/end) as a runtime-owned module. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cprof.h"
#include "rt-internal.h"

#define REGION_MAX 1024u /* distinct regions (name, file, line) per process */

/* The module's counters: one entry counter per region, in each thread, like a TU's. */
static RT_TLS __thread uint64_t region_counters[REGION_MAX];
static RT_NOINST uint64_t *region_tls(void) { return region_counters; }

static char region_meta_start[] = "cprof-metadata\t1\nmodule\t<regions>\t\n";
static struct __cprof_module region_module = {CPROF_ABI_VERSION, REGION_MAX, REGION_MAX, 0,
                                              region_meta_start, region_tls, NULL, NULL};

static pthread_mutex_t region_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
  char *name, *file;
  int line;
} region_slot[REGION_MAX];
static uint32_t region_n;
static int region_full_warned;

struct __cprof_module *rt_region_module(void) { return &region_module; }

/* A copy of s fit for a metadata field: no tab or newline. */
static char *region_field(const char *s) {
  char *c = strdup(s ? s : "");
  for (char *p = c; p && *p; p++)
    if (*p == '\t' || *p == '\n' || *p == '\r')
      *p = ' ';
  return c;
}

/* The slot of (name, file, line), made on first use; -1 when the table is full or memory ran
 * out. The metadata text grows by one F record, published whole (a dump may read it at any
 * time; the old texts are kept, a few bytes each). */
static int region_slot_of(const char *name, const char *file, int line) {
  int slot = -1;
  RT_INTERNAL_BEGIN();
  pthread_mutex_lock(&region_lock);
  for (uint32_t i = 0; i < region_n; i++)
    if (region_slot[i].line == line && strcmp(region_slot[i].name, name) == 0 &&
        strcmp(region_slot[i].file, file ? file : "") == 0) {
      slot = (int)i;
      goto out;
    }
  if (region_n == REGION_MAX) {
    if (!region_full_warned++)
      rt_warn("more than %u regions; region '%s' is not recorded", REGION_MAX, name);
    goto out;
  }
  char *n = region_field(name), *f = region_field(file);
  const char *old = __atomic_load_n(&region_module.metadata, __ATOMIC_ACQUIRE);
  size_t len = strlen(old) + (n ? strlen(n) * 2 : 0) + (f ? strlen(f) : 0) + 64;
  char *meta = n && f ? malloc(len) : NULL;
  if (!meta) {
    free(n);
    free(f);
    goto out;
  }
  snprintf(meta, len, "%sF\t%u\t%u\t%s\t%d\t0\t%s\t%s\tr\n", old, region_n, region_n, f,
           line > 0 ? line : 0, n, n);
  region_slot[region_n].name = n;
  region_slot[region_n].file = f;
  region_slot[region_n].line = line;
  slot = (int)region_n++;
  __atomic_store_n(&region_module.metadata, meta, __ATOMIC_RELEASE);
  /* the registered module reads its own pointer to the text */
  for (uint32_t i = 0, n = rt_module_count(); i < n; i++)
    if (rt_module_get(i)->abi == &region_module)
      __atomic_store_n(&rt_module_get(i)->metadata, meta, __ATOMIC_RELEASE);
out:
  pthread_mutex_unlock(&region_lock);
  RT_INTERNAL_END();
  return slot;
}

/* Counts and enters region s from the frame at sp; returns s. */
static RT_NOINST int region_open(int s, uintptr_t sp) {
  if (!__atomic_load_n(&region_module.next, __ATOMIC_ACQUIRE))
    __cprof_register(&region_module);
  region_counters[s]++;
  rt_region_enter(&region_module, (uint32_t)s, sp);
  return s;
}

/* The frame a region lives in is its caller's: this function's CFA is the caller's stack
 * pointer at the call, the address the caller's own hooks record; the region is recorded one
 * byte below it, above anything the caller calls (see rt_region_enter). So each public entry
 * point reads its own CFA, and must not be inlined. */
CPROF_EXPORT RT_NOINST __attribute__((noinline)) int cprof_region_enter(int *slot, const char *name,
                                                                        const char *file, int line) {
  uintptr_t sp = (uintptr_t)__builtin_dwarf_cfa() - 1;
  if (!__atomic_load_n(&__cprof_active, __ATOMIC_ACQUIRE) || !name)
    return -1;
  int s = slot ? __atomic_load_n(slot, __ATOMIC_ACQUIRE) : -1;
  if (s < 0) {
    s = region_slot_of(name, file, line);
    if (s < 0)
      return -1;
    if (slot)
      __atomic_store_n(slot, s, __ATOMIC_RELEASE);
  }
  return region_open(s, sp);
}

/* No call-site cache: the name is looked up every time (CPROF_REGION caches it). */
CPROF_EXPORT RT_NOINST __attribute__((noinline)) int cprof_region_begin(const char *name) {
  uintptr_t sp = (uintptr_t)__builtin_dwarf_cfa() - 1;
  if (!__atomic_load_n(&__cprof_active, __ATOMIC_ACQUIRE) || !name)
    return -1;
  int s = region_slot_of(name, "", 0);
  return s < 0 ? -1 : region_open(s, sp);
}

CPROF_EXPORT RT_NOINST void cprof_region_end(int handle) {
  if (handle < 0 || (uint32_t)handle >= REGION_MAX || !region_module.next)
    return;
  rt_region_exit(&region_module, (uint32_t)handle);
}
