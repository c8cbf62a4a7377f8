/* flamegraph.h: the SVG flame-graph writer shared by --flamegraph, diff --flamegraph and --html. */
#ifndef CPROF_ANALYZE_FLAMEGRAPH_H
#define CPROF_ANALYZE_FLAMEGRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "profile.h"

enum { FLAMEGRAPH_FILL = 32 };    /* room for "rgb(255,255,255)" */
#define FLAMEGRAPH_ALL ((size_t)-1) /* the fn of the "all" frame in the callbacks below */

/* How a flame graph looks. Every field may be 0/NULL for the plain --flamegraph picture. */
typedef struct {
    /* The fill of the frames of function fn (an index into profile.functions, or FLAMEGRAPH_ALL),
     * as an SVG colour in buf. NULL: a stable warm colour per name. */
    void (*fill)(void *ctx, size_t fn, char buf[FLAMEGRAPH_FILL]);
    /* Extra text for the tooltip and the hover line of fn's frames, written with escape_xml
     * (it is called once for an attribute and once for the <title>). NULL: none. */
    void (*note)(void *ctx, FILE *out, size_t fn);
    void *ctx;
    const char *title;   /* NULL: "Flame graph: " and the command line */
    const char *caption; /* the grey line under the title; NULL: the total self time */
    bool embedded;       /* inside an HTML page: no XML prolog or xmlns, element ids prefixed "fg-" */
} flamegraph_style;

/* Writes the flame graph of p's derived stacks (stacks.h) on out. Returns 0, or -1 when memory ran
 * out. The output depends only on p and style. */
int flamegraph_write(const profile *p, FILE *out, const flamegraph_style *style);

/* The differential flame graph of `diff --flamegraph` (diff-flamegraph.c): now's frames, each
 * function coloured by the change of its self time from base (red: slower, blue: faster, deeper
 * for larger changes), with both times in its tooltip. The names label the title. Returns -1
 * when memory ran out. */
int flamegraph_diff_write(const profile *base, const profile *now, const char *base_name, const char *now_name,
                          FILE *out);

#endif
