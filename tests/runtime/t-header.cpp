// t-header.cpp: cprof.h compiles on its own in C++ and links with C linkage.
#include "cprof.h"

static int region_user() {
  CPROF_REGION("header.region");
  return cprof_region_begin("header.manual");
}

int main() {
  if (cprof_is_enabled() != 0 || cprof_enable() != -1 || cprof_dump(nullptr) != -1)
    return 1;
  int h = region_user();
  if (h != -1)
    return 1;
  cprof_region_end(h);
  cprof_reset();
  return cprof_disable();
}
