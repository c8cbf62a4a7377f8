/* annotate.h: `cprof-analyze annotate`: the source listing with counts, as in gcov's .gcov files. */
#ifndef CPROF_ANALYZE_ANNOTATE_H
#define CPROF_ANALYZE_ANNOTATE_H

#include <stdbool.h>
#include <stdio.h>

#include "profile.h"
#include "util.h"

/* Writes the annotated listing of the source file named file in the profile, read from source,
 * to o. Returns 0, or -1 when memory ran out. */
int annotate_file(const util_out *o, const profile *p, const char *file, FILE *source, const char *shown_as);

/* `cprof-analyze annotate [--source-dir DIR]... [--no-color] PROFILE.json [SOURCE]`. Exit status 0
 * when at least one file was annotated, 2 otherwise (bad profile, no source found). */
int annotate_main(int argc, char **argv);

#endif
