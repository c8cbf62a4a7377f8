/* report-heap.h: the heap section (profile format 1.1 "memory") of the text report. */
#ifndef CPROF_ANALYZE_REPORT_HEAP_H
#define CPROF_ANALYZE_REPORT_HEAP_H

#include <cjson/cJSON.h>

#include "profile.h"
#include "util.h"

/* Prints the section when the profile has "memory" (nothing otherwise). 0, or -1 out of memory. */
int report_heap_print(const util_out *o, const profile *p);

#endif
