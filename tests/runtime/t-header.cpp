// t-header.cpp: cprof.h compiles on its own in C++ and links with C linkage.
#include "cprof.h"

int main() {
  if (cprof_is_enabled() != 0 || cprof_enable() != -1 || cprof_dump(nullptr) != -1)
    return 1;
  cprof_reset();
  return cprof_disable();
}
