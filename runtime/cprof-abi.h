/* cprof-abi.h: the plugin <-> libcprofrt ABI (version 2; 1 is still accepted), see doc/ABI.md. */
#ifndef CPROF_ABI_H
#define CPROF_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CPROF_ABI_VERSION 2

/* One per instrumented translation unit, emitted by the plugin. */
struct __cprof_module {
  uint32_t abi_version;            /* CPROF_ABI_VERSION                                  */
  uint32_t num_counters;           /* N: size of the TU's __cprof_counters               */
  uint32_t num_functions;          /* F: functions have local ids 0..F-1                 */
  uint32_t fid_base;               /* written by the runtime: global id = fid_base + id  */
  const char *metadata;            /* records, text or format 3: doc/ABI.md              */
  uint64_t *(*tls_counters)(void); /* the calling thread's __cprof_counters              */
  struct __cprof_module *next;     /* runtime-owned: non-NULL once registered            */
  /* Version 2 and later: one byte per function, 0 until the runtime stops timing it
   * (CPROF_MIN_TIME); instrumented code then skips its timing hooks. Absent in version 1;
   * NULL when the TU was compiled with no-timing (it has no timing hooks; its metadata's first
   * line says so). */
  uint8_t *untimed;
};

/* Non-zero when profiling is on; instrumented code loads it once per function entry. */
extern int __cprof_active;

/* Set to 1 by instrumented code right before an indirect call, 0 right after. */
extern __thread int __cprof_icall;

void __cprof_register(struct __cprof_module *module);
/* From the TU destructor (dlclose, exit). Instrumented code references it weakly, so objects
 * built by a newer plugin still load against a runtime without it; ABI version stays 1. */
void __cprof_unregister(struct __cprof_module *module);
void __cprof_enter(struct __cprof_module *module, uint32_t local_fid);
void __cprof_exit(struct __cprof_module *module, uint32_t local_fid);

#ifdef __cplusplus
}
#endif

#endif /* CPROF_ABI_H */
