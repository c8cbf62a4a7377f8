/* export.h: the export options of cprof-analyze (--folded, --flamegraph, ...) and their writers. */
#ifndef CPROF_ANALYZE_EXPORT_H
#define CPROF_ANALYZE_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "advice.h"
#include "profile.h"

/* Each writer puts one format of p on out and returns 0, or -1 when memory ran out. Write errors
 * are left for the caller to check on out. The output depends only on p (deterministic). */
int export_callgrind(const profile *p, FILE *out);  /* callgrind format (callgrind_annotate, KCachegrind) */
int export_flamegraph(const profile *p, FILE *out); /* self-contained interactive SVG flame graph */
int export_folded(const profile *p, FILE *out);     /* folded stacks (flamegraph.pl, inferno) */
int export_html(const profile *p, FILE *out);       /* self-contained HTML report with the flame graph */
int export_pprof(const profile *p, FILE *out);      /* gzip-compressed profile.proto (go tool pprof) */
int export_speedscope(const profile *p, FILE *out); /* speedscope's JSON file format */
int export_chrome(const profile *p, FILE *out);     /* Chrome trace events; -2: no trace */

/* export_html with the report options it honours: --threshold (hotspot classes), --sort (the initial
 * order of the functions) and --filter (only matching functions, as in the text report). */
int export_html_with(const profile *p, FILE *out, const advice_opts *opts);

enum { EXPORT_FORMATS = 7 };

/* The files asked for on the command line, by format (NULL: not asked for; "-": stdout). */
typedef struct {
    const char *path[EXPORT_FORMATS];
    const advice_opts *advice; /* the report options, for the formats that honour them; NULL: defaults */
} export_request;

/* If argv[*i] is an export option ("--folded FILE" or "--folded=FILE"), records it in req,
 * moves *i past its argument and returns 1. Returns 0 for any other argument, and -1 with a
 * message in err when the file is missing or a second export asks for stdout. */
int export_option(int argc, char **argv, int *i, export_request *req, char *err, size_t errlen);

/* True when req asks for at least one export. */
bool export_requested(const export_request *req);

/* Writes every export req asks for. A problem is reported on stderr as one line naming the output
 * file; returns 0 when every export was written, -1 otherwise. */
int export_run(const export_request *req, const profile *p);

/* The --help lines of the export options. */
void export_help(FILE *out);

#endif
