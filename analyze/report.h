/* report.h: the text report of a loaded profile. */
#ifndef CPROF_ANALYZE_REPORT_H
#define CPROF_ANALYZE_REPORT_H

#include "advice.h"
#include "profile.h"
#include "util.h"

enum { REPORT_BRANCH_MIN_RUNS = 10 }; /* branches that ran less often are too noisy to rank */

/* Writes every section of the report of p (read from path) to o. Returns 0, or -1 when memory
 * ran out (the report is then incomplete). Write errors are left for the caller to check on o->out. */
int report_print(const util_out *o, const char *path, const profile *p);

/* As report_print, with the functions sorted by opts->sort, hotspot classes by opts->threshold and
 * the Recommendations section. opts->filter is only named in the summary: pass a filtered view
 * (advice_view) as p to filter the lists. */
int report_print_with(const util_out *o, const char *path, const profile *p, const advice_opts *opts);

/* What `cprof-analyze [report]` prints for opts: the text report or (--json) the analysis as JSON,
 * of the functions matching opts->filter. Returns -1 when memory ran out. */
int report_run(const util_out *o, const char *path, const profile *p, const advice_opts *opts);

#endif
