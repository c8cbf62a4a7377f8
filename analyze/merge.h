/* merge.h: `cprof-analyze merge`: several profiles of processes or runs combined into one. */
#ifndef CPROF_ANALYZE_MERGE_H
#define CPROF_ANALYZE_MERGE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "profile.h"

/* The merge of the n profiles as a new profile document (format 1.0), or NULL with a one-line
 * problem in err; *bad is then the index of the profile at fault (n when none is). */
cJSON *merge_profiles(const profile *ps, size_t n, char *err, size_t errlen, size_t *bad);

/* merge-sections.c: adds the merged memory, io and timeline sections (and functions[].memory,
 * functions[].io) to out, whose functions array is already merged; fmap[k][i] is the merged
 * index of function i of input k. false when memory ran out. */
bool merge_sections(cJSON *out, const profile *ps, size_t n, size_t *const *fmap);

/* `cprof-analyze merge A.json B.json ... -o OUT.json`: exit status 0, or 2 on bad input. */
int merge_main(int argc, char **argv);

#endif
