/* rt-api.c: the public control API of include/cprof.h. */
#include "cprof.h"
#include "rt-internal.h"

CPROF_EXPORT int cprof_enable(void) {
  rt_init();
  if (!rt_config.enabled)
    return -1;
  rt_bursts_set_recording(1);
  return 0;
}

CPROF_EXPORT int cprof_disable(void) {
  rt_init();
  rt_bursts_set_recording(0);
  return 0;
}

CPROF_EXPORT int cprof_is_enabled(void) {
  return rt_bursts_recording();
}

CPROF_EXPORT int cprof_dump(const char *path) {
  rt_init();
  if (!rt_config.enabled)
    return -1;
  return rt_output_dump(path);
}

CPROF_EXPORT void cprof_reset(void) {
  rt_init();
  if (rt_config.enabled)
    rt_threads_reset();
}
