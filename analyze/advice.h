/* advice.h: hotspot classes, --sort/--filter/--threshold, rule-based recommendations, --json. */
#ifndef CPROF_ANALYZE_ADVICE_H
#define CPROF_ANALYZE_ADVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "profile.h"
#include "util.h"

/* Hotspot classes by share of runtime, with T = --threshold (percent, default 5):
 * critical >= 4T, high >= 2T, medium >= T, low below T. A function's share is its self time over the
 * run's wall time; a loop's share is its iterations over all loop iterations; a branch's share is
 * its executions over all branch executions (the profile times functions, not loops or branches). */
typedef enum { ADVICE_NONE, ADVICE_LOW, ADVICE_MEDIUM, ADVICE_HIGH, ADVICE_CRITICAL } advice_class;

typedef enum { ADVICE_SORT_SELF, ADVICE_SORT_TOTAL, ADVICE_SORT_CALLS } advice_sort;

enum { ADVICE_THRESHOLD_DEFAULT = 5 };

/* The evidence every rule needs before it fires (documented in README.md). */
#define ADVICE_BRANCH_MIN_RUNS 10000.0  /* branch: executions */
#define ADVICE_BRANCH_MIN_BIAS 0.999    /* branch: share of the majority outcome */
#define ADVICE_INLINE_MIN_CALLS 1e6     /* small function: timed (out-of-line) calls */
#define ADVICE_INLINE_MAX_AVG_NS 100.0  /* small function: average inclusive time per call */
#define ADVICE_LOOP_MAX_TRIPS 4.0       /* short loop: average iterations per entry below this */
#define ADVICE_LOOP_MIN_ENTRIES 1000.0  /* short loop: entries */
#define ADVICE_RECURSION_MIN_CALLS 1000.0 /* recursion: calls */
#define ADVICE_RECURSION_DEPTH_FACTOR 4.0 /* recursion: calls per outside call >= this × max depth */
#define ADVICE_RECURSION_MIN_NESTING 1.1  /* recursion: avg × timed calls >= this × total time */
#define ADVICE_ALLOC_MIN_ALLOCATIONS 1000.0 /* allocating loop: allocations in the loop's function */
#define ADVICE_ALLOC_MIN_PER_ITERATION 0.5  /* allocating loop: allocations >= this × iterations */

typedef struct {
    double threshold;   /* percent, > 0 */
    advice_sort sort;
    const char *filter; /* fnmatch pattern on function names, NULL for all */
    bool json;
} advice_opts;

void advice_opts_init(advice_opts *o);

/* Parses the option at argv[i] if it is one of --threshold, --sort, --filter, --json (also in the
 * --opt=value spelling). Returns the number of arguments used (1 or 2), 0 when argv[i] is not one
 * of them, -1 with a message in err when its value is bad. */
int advice_parse_option(int argc, char **argv, int i, advice_opts *o, char *err, size_t errlen);

/* "12.5" or "12.5%": a percentage in (0, 100]. */
bool advice_parse_percent(const char *s, double *pct);

advice_class advice_classify(double share_pct, double threshold);
const char *advice_class_name(advice_class c); /* "critical", …, "low"; "-" for ADVICE_NONE */

/* Shares in percent as described above (0 when the whole is 0). */
double advice_function_share(const profile *p, const profile_function *f);
double advice_loop_total(const profile *p);   /* iterations of all loops */
double advice_branch_total(const profile *p); /* executions of all branches */
double advice_loop_share(const profile_loop *l, double loop_total);
double advice_branch_share(const profile_branch *b, double branch_total);
advice_class advice_function_class(const profile *p, const profile_function *f, double threshold);

/* Orders function pointers by the sort key (descending), ties by self, total, calls, name. */
void advice_sort_functions(const profile_function **rows, size_t n, advice_sort sort);
const char *advice_sort_title(advice_sort sort); /* "self time", "inclusive time", "calls" */

/* A view of in holding only functions whose name matches pattern, the call-graph edges between
 * them and the loops, branches and switches inside them. Strings and switch cases stay shared
 * with in; release with advice_view_free (not profile_free). Returns -1 when memory ran out. */
int advice_view(const profile *in, const char *pattern, profile *view);
void advice_view_free(profile *view);

typedef struct {
    const char *rule;     /* "branch-bias", "inline", "short-inner-loop", "memoize", "hoist-allocation" */
    const char *file, *function;
    uint64_t line;
    char site[256];       /* file:line */
    char text[768];       /* the advice with the numbers that triggered it */
} advice_rec;

/* Every recommendation the profile gives evidence for, most important first. *recs is malloc'd
 * (NULL when there are none). Returns -1 when memory ran out. */
int advice_recommend(const profile *p, double threshold, advice_rec **recs, size_t *n);

/* The "Recommendations" section of the text report. */
int advice_print(const util_out *o, const profile *p, const advice_opts *opts);

/* The analysis as JSON on out: summary, ranked functions with class, loops, branches,
 * recommendations. Returns -1 when memory ran out. */
int advice_json(FILE *out, const char *path, const profile *p, const advice_opts *opts);

#endif
