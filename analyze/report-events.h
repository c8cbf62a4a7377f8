/* report-events.h: the counters section (profile format 1.1 "events") of the text report. */
#ifndef CPROF_ANALYZE_REPORT_EVENTS_H
#define CPROF_ANALYZE_REPORT_EVENTS_H

#include <cjson/cJSON.h>

#include "profile.h"
#include "util.h"

/* Prints the section when the profile has "events" (nothing otherwise). 0, or -1 out of memory. */
int report_events_print(const util_out *o, const profile *p);

#endif
