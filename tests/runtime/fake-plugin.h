/* fake-plugin.h: hand-written equivalent of what the cprof GCC plugin emits for one TU. */
#ifndef CPROF_FAKE_PLUGIN_H
#define CPROF_FAKE_PLUGIN_H

#include <stdint.h>

#include "cprof-abi.h"

/* Per translation unit, exactly the layout of doc/ABI.md. */
#define FAKE_MODULE(ncounters, nfunctions, metadata)                                          \
  static __thread uint64_t fake_counters[ncounters];                                        \
  static uint8_t fake_untimed[nfunctions];                                                   \
  static uint64_t *fake_tls(void) { return fake_counters; }                                  \
  static struct __cprof_module fake_module = {CPROF_ABI_VERSION, ncounters, nfunctions, 0,  \
                                              metadata, fake_tls, 0, fake_untimed};        \
  __attribute__((constructor)) static void fake_ctor(void) { __cprof_register(&fake_module); }

/* Function entry: load __cprof_active once, count the entry, start timing unless the runtime
 * stopped timing the function (CPROF_MIN_TIME): fake_hooked pairs the exit with the entry. */
#define FAKE_ENTER(fid, entry_counter)                                                        \
  int fake_on = __cprof_active;                                                              \
  volatile int fake_hooked = fake_on && fake_untimed[fid] == 0; /* kept across vfork */      \
  if (fake_on) {                                                                             \
    fake_counters[entry_counter]++;                                                          \
    if (fake_hooked)                                                                         \
      __cprof_enter(&fake_module, fid);                                                      \
  }

/* Entry of a function GCC inlined or cloned: counted, never timed. */
#define FAKE_ENTER_UNTIMED(entry_counter)                                                     \
  int fake_on = __cprof_active, fake_hooked = 0;                                             \
  (void)fake_hooked;                                                                         \
  if (fake_on)                                                                               \
    fake_counters[entry_counter]++

#define FAKE_EXIT(fid)                                                                        \
  do {                                                                                       \
    if (fake_hooked)                                                                         \
      __cprof_exit(&fake_module, fid);                                                       \
  } while (0)

#define FAKE_COUNT(counter)                                                                   \
  do {                                                                                       \
    if (fake_on)                                                                             \
      fake_counters[counter]++;                                                              \
  } while (0)

/* A branch: counts taken / not taken and yields the condition. */
#define FAKE_BRANCH(cond, taken, not_taken)                                                   \
  ((cond) ? (fake_on ? fake_counters[taken]++ : 0, 1)                                       \
          : (fake_on ? fake_counters[not_taken]++ : 0, 0))

#define FAKE_ICALL(call)                                                                      \
  do {                                                                                       \
    if (fake_on)                                                                             \
      __cprof_icall = 1;                                                                     \
    call;                                                                                    \
    if (fake_on)                                                                             \
      __cprof_icall = 0;                                                                     \
  } while (0)

#define NOINLINE __attribute__((noinline, noclone))

#endif /* CPROF_FAKE_PLUGIN_H */
