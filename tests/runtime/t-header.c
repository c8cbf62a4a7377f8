/* t-header.c: cprof.h compiles on its own in C; the API is inert without CPROF=1. */
#include "cprof.h"

static int region_user(void) {
  CPROF_REGION("header.region");
  return cprof_region_begin("header.manual");
}

int main(void) {
  if (cprof_is_enabled() != 0 || cprof_enable() != -1 || cprof_dump(0) != -1)
    return 1;
  int h = region_user();
  if (h != -1)
    return 1;
  cprof_region_end(h);
  cprof_reset();
  return cprof_disable();
}
