/* merge.h: `cprof-analyze merge`: several profiles of processes or runs combined into one. */
#ifndef CPROF_ANALYZE_MERGE_H
#define CPROF_ANALYZE_MERGE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "profile.h"

/* The merge of the n profiles as a new profile document (format 1.0), or NULL with a one-line
 * problem in err; *bad is then the index of the profile at fault (n when none is). */
cJSON *merge_profiles(const profile *ps, size_t n, char *err, size_t errlen, size_t *bad);

/* `cprof-analyze merge A.json B.json ... -o OUT.json`: exit status 0, or 2 on bad input. */
int merge_main(int argc, char **argv);

#endif
