/* report-io.h: the I/O section (profile format 1.2 "io") of the text report and of --json. */
#ifndef CPROF_ANALYZE_REPORT_IO_H
#define CPROF_ANALYZE_REPORT_IO_H

#include <cjson/cJSON.h>

#include "profile.h"
#include "util.h"

/* Prints the section when the profile has "io" (nothing otherwise). 0, or -1 when out of memory. */
int report_io_print(const util_out *o, const profile *p);

/* Adds "io": {"kinds": {...as in the profile}, "functions": [{name, calls, bytes, time_ns}...]}
 * (functions by time, most first) to root when the profile has "io". 0, or -1 out of memory. */
int report_io_json(cJSON *root, const profile *p);

#endif
