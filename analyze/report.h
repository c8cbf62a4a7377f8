/* report.h: the text report of a loaded profile. */
#ifndef CPROF_ANALYZE_REPORT_H
#define CPROF_ANALYZE_REPORT_H

#include "profile.h"
#include "util.h"

enum { REPORT_BRANCH_MIN_RUNS = 10 }; /* branches that ran less often are too noisy to rank */

/* Writes every section of the report of p (read from path) to o. Returns 0, or -1 when memory
 * ran out (the report is then incomplete). Write errors are left for the caller to check on o->out. */
int report_print(const util_out *o, const char *path, const profile *p);

#endif
