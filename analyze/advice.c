/* advice.c: hotspot classes, sorting and filtering, rule-based recommendations, the --json analysis. */
#include "advice.h"
#include "report-io.h"

#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "arena.h"
#include "jsonout.h"

void advice_opts_init(advice_opts *o)
{
    o->threshold = ADVICE_THRESHOLD_DEFAULT;
    o->sort = ADVICE_SORT_SELF;
    o->filter = NULL;
    o->json = false;
}

bool advice_parse_percent(const char *s, double *pct)
{
    char *end;
    if (s == NULL || *s == '\0' || *s == '-' || *s == '+' || *s == ' ') return false;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s) return false;
    if (*end == '%') end++;
    if (*end != '\0' || !isfinite(v) || !(v > 0) || v > 100) return false;
    *pct = v;
    return true;
}

/* The value of --name VALUE or --name=VALUE at argv[i]; *used 1 or 2; NULL when missing. */
static const char *opt_value(int argc, char **argv, int i, const char *name, int *used)
{
    size_t n = strlen(name);
    if (strncmp(argv[i], name, n) == 0 && argv[i][n] == '=') {
        *used = 1;
        return argv[i] + n + 1;
    }
    *used = 2;
    return i + 1 < argc ? argv[i + 1] : NULL;
}

static bool is_opt(const char *a, const char *name)
{
    size_t n = strlen(name);
    return strncmp(a, name, n) == 0 && (a[n] == '\0' || a[n] == '=');
}

int advice_parse_option(int argc, char **argv, int i, advice_opts *o, char *err, size_t errlen)
{
    const char *a = argv[i], *v;
    int used;
    if (strcmp(a, "--json") == 0) {
        o->json = true;
        return 1;
    }
    if (is_opt(a, "--threshold")) {
        if ((v = opt_value(argc, argv, i, "--threshold", &used)) == NULL || !advice_parse_percent(v, &o->threshold)) {
            snprintf(err, errlen, "--threshold needs a percentage in (0, 100], like 5 or 2.5%%");
            return -1;
        }
        return used;
    }
    if (is_opt(a, "--sort")) {
        v = opt_value(argc, argv, i, "--sort", &used);
        if (v != NULL && strcmp(v, "self") == 0) o->sort = ADVICE_SORT_SELF;
        else if (v != NULL && strcmp(v, "total") == 0) o->sort = ADVICE_SORT_TOTAL;
        else if (v != NULL && strcmp(v, "calls") == 0) o->sort = ADVICE_SORT_CALLS;
        else {
            snprintf(err, errlen, "--sort needs self, total or calls");
            return -1;
        }
        return used;
    }
    if (is_opt(a, "--filter")) {
        if ((v = opt_value(argc, argv, i, "--filter", &used)) == NULL || *v == '\0') {
            snprintf(err, errlen, "--filter needs a pattern");
            return -1;
        }
        o->filter = v;
        return used;
    }
    return 0;
}

advice_class advice_classify(double share, double t)
{
    if (share >= 4 * t) return ADVICE_CRITICAL;
    if (share >= 2 * t) return ADVICE_HIGH;
    if (share >= t) return ADVICE_MEDIUM;
    return ADVICE_LOW;
}

const char *advice_class_name(advice_class c)
{
    switch (c) {
    case ADVICE_CRITICAL: return "critical";
    case ADVICE_HIGH: return "high";
    case ADVICE_MEDIUM: return "medium";
    case ADVICE_LOW: return "low";
    default: return "-";
    }
}

static double pct(double part, double whole)
{
    return whole > 0 ? 100.0 * part / whole : 0;
}

double advice_function_share(const profile *p, const profile_function *f)
{
    return pct((double)f->self_ns, (double)p->stats.total_runtime_ns);
}

double advice_loop_total(const profile *p)
{
    double all = 0;
    for (size_t i = 0; i < p->nloops; i++) all += (double)p->loops[i].iterations;
    return all;
}

double advice_loop_share(const profile_loop *l, double total)
{
    return pct((double)l->iterations, total);
}

static double branch_runs(const profile_branch *b)
{
    return (double)b->taken + (double)b->not_taken;
}

double advice_branch_total(const profile *p)
{
    double all = 0;
    for (size_t i = 0; i < p->nbranches; i++) all += branch_runs(&p->branches[i]);
    return all;
}

double advice_branch_share(const profile_branch *b, double total)
{
    return pct(branch_runs(b), total);
}

advice_class advice_function_class(const profile *p, const profile_function *f, double threshold)
{
    if (f->timing == PROFILE_TIMING_NONE || f->timing == PROFILE_TIMING_NOT_RUN) return ADVICE_NONE;
    return advice_classify(advice_function_share(p, f), threshold);
}

static int cmp_u64_desc(uint64_t x, uint64_t y)
{
    return (x < y) - (x > y);
}

static advice_sort sort_key; /* qsort has no context argument */

static int cmp_function(const void *a, const void *b)
{
    const profile_function *x = *(const profile_function *const *)a;
    const profile_function *y = *(const profile_function *const *)b;
    int c = 0;
    if (sort_key == ADVICE_SORT_TOTAL) c = cmp_u64_desc(x->total_ns, y->total_ns);
    else if (sort_key == ADVICE_SORT_CALLS) c = cmp_u64_desc(x->calls, y->calls);
    if (c != 0) return c;
    if ((c = cmp_u64_desc(x->self_ns, y->self_ns)) != 0) return c;
    if ((c = cmp_u64_desc(x->total_ns, y->total_ns)) != 0) return c;
    if ((c = cmp_u64_desc(x->calls, y->calls)) != 0) return c;
    return strcmp(x->name, y->name);
}

void advice_sort_functions(const profile_function **rows, size_t n, advice_sort sort)
{
    sort_key = sort;
    if (n > 1) qsort(rows, n, sizeof *rows, cmp_function);
}

const char *advice_sort_title(advice_sort sort)
{
    return sort == ADVICE_SORT_TOTAL ? "inclusive time" : sort == ADVICE_SORT_CALLS ? "calls" : "self time";
}

static bool name_matches(const char *pattern, const char *name)
{
    return fnmatch(pattern, name, 0) == 0;
}

int advice_view(const profile *in, const char *pattern, profile *v)
{
    long *map = NULL;
    *v = *in;
    v->functions = NULL, v->edges = NULL, v->loops = NULL, v->branches = NULL, v->switches = NULL;
    v->nfunctions = v->nedges = v->nloops = v->nbranches = v->nswitches = 0;
    if ((map = malloc((in->nfunctions + 1) * sizeof *map)) == NULL ||
        (v->functions = malloc((in->nfunctions + 1) * sizeof *v->functions)) == NULL ||
        (v->edges = malloc((in->nedges + 1) * sizeof *v->edges)) == NULL ||
        (v->loops = malloc((in->nloops + 1) * sizeof *v->loops)) == NULL ||
        (v->branches = malloc((in->nbranches + 1) * sizeof *v->branches)) == NULL ||
        (v->switches = malloc((in->nswitches + 1) * sizeof *v->switches)) == NULL) {
        free(map);
        advice_view_free(v);
        return -1;
    }
    for (size_t i = 0; i < in->nfunctions; i++) {
        map[i] = -1;
        if (name_matches(pattern, in->functions[i].name)) {
            map[i] = (long)v->nfunctions;
            v->functions[v->nfunctions++] = in->functions[i];
        }
    }
    for (size_t i = 0; i < in->nedges; i++) {
        profile_edge e = in->edges[i];
        bool caller = e.caller_index >= 0 ? map[e.caller_index] >= 0 : name_matches(pattern, e.caller);
        bool callee = e.callee_index >= 0 ? map[e.callee_index] >= 0 : name_matches(pattern, e.callee);
        if (!caller || !callee) continue;
        if (e.caller_index >= 0) e.caller_index = map[e.caller_index];
        if (e.callee_index >= 0) e.callee_index = map[e.callee_index];
        v->edges[v->nedges++] = e;
    }
    for (size_t i = 0; i < in->nloops; i++)
        if (name_matches(pattern, in->loops[i].function)) {
            profile_loop lp = in->loops[i];
            if (lp.function_index >= 0) lp.function_index = map[lp.function_index];
            v->loops[v->nloops++] = lp;
        }
    for (size_t i = 0; i < in->nbranches; i++)
        if (name_matches(pattern, in->branches[i].function)) v->branches[v->nbranches++] = in->branches[i];
    for (size_t i = 0; i < in->nswitches; i++)
        if (name_matches(pattern, in->switches[i].function)) v->switches[v->nswitches++] = in->switches[i];
    free(map);
    return 0;
}

void advice_view_free(profile *v)
{
    free(v->functions);
    free(v->edges);
    free(v->loops);
    free(v->branches);
    free(v->switches);
    v->functions = NULL, v->edges = NULL, v->loops = NULL, v->branches = NULL, v->switches = NULL;
}

/* ---- recommendations ---- */

typedef struct {
    advice_rec *v;
    size_t n, cap;
    bool oom;
} rec_list;

static advice_rec *rec_add(rec_list *l, const char *rule, const char *file, uint64_t line,
                           const char *function, const char *location)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? 2 * l->cap : 8;
        advice_rec *g = realloc(l->v, ncap * sizeof *g);
        if (g == NULL) {
            l->oom = true;
            return NULL;
        }
        l->v = g, l->cap = ncap;
    }
    advice_rec *r = &l->v[l->n++];
    r->rule = rule, r->file = file, r->line = line, r->function = function;
    util_location(r->site, sizeof r->site, location, file, line);
    r->text[0] = '\0';
    return r;
}

/* Loops ordered by (line, file, function), to find the loop on a branch's line. */
static int cmp_loop_line(const void *a, const void *b)
{
    const profile_loop *x = *(const profile_loop *const *)a, *y = *(const profile_loop *const *)b;
    int c;
    if (x->line != y->line) return (x->line > y->line) - (x->line < y->line);
    if ((c = strcmp(x->file, y->file)) != 0) return c;
    return strcmp(x->function, y->function);
}

/* A branch on the same line of the same function as a loop is (very likely) its exit test: it is
 * biased by construction, and __builtin_expect would not help. by_line: the loops sorted by
 * cmp_loop_line. */
static bool is_loop_test(const profile_loop **by_line, size_t n, const profile_branch *b)
{
    profile_loop key = {.file = b->file, .function = b->function, .line = b->line};
    const profile_loop *kp = &key;
    return n > 0 && bsearch(&kp, by_line, n, sizeof *by_line, cmp_loop_line) != NULL;
}

static void rule_branches(const profile *p, rec_list *l)
{
    char a[UTIL_CELL], b2[UTIL_CELL];
    const profile_loop **by_line = malloc((p->nloops + 1) * sizeof *by_line);
    if (by_line == NULL) {
        l->oom = true;
        return;
    }
    for (size_t i = 0; i < p->nloops; i++) by_line[i] = &p->loops[i];
    qsort(by_line, p->nloops, sizeof *by_line, cmp_loop_line);
    for (size_t i = 0; i < p->nbranches; i++) {
        const profile_branch *b = &p->branches[i];
        double runs = branch_runs(b);
        if (runs < ADVICE_BRANCH_MIN_RUNS || b->prediction_rate < ADVICE_BRANCH_MIN_BIAS ||
            is_loop_test(by_line, p->nloops, b))
            continue;
        advice_rec *r = rec_add(l, "branch-bias", b->file, b->line, b->function, b->location);
        if (r == NULL) break;
        bool taken = b->taken >= b->not_taken;
        double rate = 100.0 * b->prediction_rate;
        int digits = 1; /* enough decimals that a rate below 100% does not print as 100 */
        while (digits < 9 && rate < 100 && rate + 0.5 * pow(10, -digits) >= 100) digits++;
        snprintf(r->text, sizeof r->text,
                 "branch in %s is %s %s of %s times (%.*f%%): mark the likely side with "
                 "__builtin_expect(cond, %d), or build with -fprofile-generate / -fprofile-use",
                 *b->function ? b->function : "?", taken ? "true" : "false",
                 util_count(a, taken ? b->taken : b->not_taken), util_count(b2, b->taken + b->not_taken),
                 digits, rate, taken ? 1 : 0);
    }
    free(by_line);
}

static void rule_inline(const profile *p, rec_list *l)
{
    char a[UTIL_CELL], b[UTIL_CELL], c[UTIL_CELL];
    for (size_t i = 0; i < p->nfunctions; i++) {
        const profile_function *f = &p->functions[i];
        if ((double)f->timed_calls < ADVICE_INLINE_MIN_CALLS || (double)f->avg_ns > ADVICE_INLINE_MAX_AVG_NS)
            continue;
        advice_rec *r = rec_add(l, "inline", f->file, f->line, f->name, "");
        if (r == NULL) return;
        snprintf(r->text, sizeof r->text,
                 "%s is called %s times out of line (of %s calls) and takes %s per call on average: "
                 "%s",
                 f->name, util_count(a, f->timed_calls), util_count(b, f->calls), util_duration(c, f->avg_ns),
                 f->is_static ? "declare it static inline"
                              : "make it static inline in a header, or build with -flto so it can be inlined across files");
    }
}

/* Loops by file, function, depth, line, column; equal ones last-in-array first, so that the last
 * of a run of equal sites is the first in the profile. */
static int cmp_loop_nest(const void *a, const void *b)
{
    const profile_loop *x = *(const profile_loop *const *)a, *y = *(const profile_loop *const *)b;
    int c;
    if ((c = strcmp(x->file, y->file)) != 0) return c;
    if ((c = strcmp(x->function, y->function)) != 0) return c;
    if (x->depth != y->depth) return (x->depth > y->depth) - (x->depth < y->depth);
    if (x->line != y->line) return (x->line > y->line) - (x->line < y->line);
    if (x->column != y->column) return (x->column > y->column) - (x->column < y->column);
    return (x < y) - (x > y);
}

/* The loop enclosing l: same function and file, one level out, the nearest one starting at or
 * before l's line (the latest column on that line; the first in the profile among equal sites).
 * NULL when there is none. nest: every loop sorted by cmp_loop_nest, searched in O(log n). */
static const profile_loop *outer_loop(const profile_loop **nest, size_t n, const profile_loop *l)
{
    if (l->depth < 2) return NULL;
    /* The first loop past (file, function, depth - 1, line, any column): its predecessor is it. */
    profile_loop key = {.file = l->file, .function = l->function, .depth = l->depth - 1, .line = l->line,
                        .column = UINT64_MAX};
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const profile_loop *m = nest[mid];
        int c = strcmp(m->file, key.file);
        if (c == 0) c = strcmp(m->function, key.function);
        if (c == 0 && m->depth != key.depth) c = m->depth < key.depth ? -1 : 1;
        if (c == 0 && m->line != key.line) c = m->line < key.line ? -1 : 1;
        if (c <= 0) lo = mid + 1; /* m sorts at or before the key (column UINT64_MAX is the last) */
        else hi = mid;
    }
    if (lo == 0) return NULL;
    const profile_loop *o = nest[lo - 1];
    if (o->depth + 1 != l->depth || strcmp(o->file, l->file) != 0 || strcmp(o->function, l->function) != 0)
        return NULL;
    return o;
}

static void rule_loops(const profile *p, double threshold, rec_list *l)
{
    char a[UTIL_CELL], b[UTIL_CELL], c[UTIL_CELL], loc[256];
    double total = advice_loop_total(p);
    const profile_loop **nest = malloc((p->nloops + 1) * sizeof *nest);
    if (nest == NULL) {
        l->oom = true;
        return;
    }
    for (size_t i = 0; i < p->nloops; i++) nest[i] = &p->loops[i];
    if (p->nloops > 1) qsort(nest, p->nloops, sizeof *nest, cmp_loop_nest);
    for (size_t i = 0; i < p->nloops; i++) {
        const profile_loop *in = &p->loops[i];
        if ((double)in->entries < ADVICE_LOOP_MIN_ENTRIES) continue;
        double trips = (double)in->iterations / (double)in->entries;
        if (trips >= ADVICE_LOOP_MAX_TRIPS) continue;
        const profile_loop *out = outer_loop(nest, p->nloops, in);
        if (out == NULL) continue;
        double share = advice_loop_share(out, total);
        advice_class cls = advice_classify(share, threshold);
        if (cls < ADVICE_MEDIUM) continue;
        advice_rec *r = rec_add(l, "short-inner-loop", in->file, in->line, in->function, in->location);
        if (r == NULL) break;
        snprintf(r->text, sizeof r->text,
                 "loop in %s runs %.2f iterations per entry (%s iterations / %s entries) inside the %s "
                 "loop %s (%s iterations, %.1f%% of all loop iterations): unroll it, fuse it with the "
                 "outer loop or restructure the data so each entry does more work",
                 *in->function ? in->function : "?", trips, util_count(a, in->iterations),
                 util_count(b, in->entries), advice_class_name(cls),
                 util_location(loc, sizeof loc, out->location, out->file, out->line),
                 util_count(c, out->iterations), share);
    }
    free(nest);
}

static void rule_recursion(const profile *p, rec_list *l)
{
    char a[UTIL_CELL], b[UTIL_CELL], c[UTIL_CELL], d[UTIL_CELL];
    uint64_t depth = 0;
    for (size_t i = 0; i < p->nthreads; i++)
        if (p->threads[i].max_depth > depth) depth = p->threads[i].max_depth;
    if (depth == 0) return; /* no stack depth in the profile: no evidence */
    uint64_t *selfc = calloc(p->nfunctions + 1, sizeof *selfc);
    if (selfc == NULL) {
        l->oom = true;
        return;
    }
    for (size_t k = 0; k < p->nedges; k++) {
        const profile_edge *e = &p->edges[k];
        if (e->caller_index >= 0 && e->caller_index == e->callee_index)
            selfc[e->caller_index] = selfc[e->caller_index] + e->calls < selfc[e->caller_index]
                                         ? UINT64_MAX : selfc[e->caller_index] + e->calls;
    }
    for (size_t i = 0; i < p->nfunctions; i++) {
        const profile_function *f = &p->functions[i];
        uint64_t self_calls = selfc[i];
        if (self_calls == 0 || self_calls >= f->calls || (double)f->calls < ADVICE_RECURSION_MIN_CALLS)
            continue;
        /* Nested activations: the inclusive times of all timed calls add up to more than the
         * outermost ones. A tail call closes its caller first, so a recursion GCC turned into a
         * loop does not nest, and its many calls per outside call say nothing about branching. */
        if (f->timed_calls == 0 ||
            (double)f->avg_ns * (double)f->timed_calls < ADVICE_RECURSION_MIN_NESTING * (double)f->total_ns)
            continue;
        uint64_t outside = f->calls - self_calls;
        double per = (double)f->calls / (double)outside;
        if (per < ADVICE_RECURSION_DEPTH_FACTOR * (double)depth) continue;
        advice_rec *r = rec_add(l, "memoize", f->file, f->line, f->name, "");
        if (r == NULL) break;
        snprintf(r->text, sizeof r->text,
                 "%s makes %s calls from %s outside call%s (%.0f per outside call, %s of them recursive) "
                 "while the deepest call stack was %s frames: the recursion branches and its call count "
                 "grows exponentially with the depth; memoize its results (or compute bottom-up)",
                 f->name, util_count(a, f->calls), util_count(b, outside), util_plural(outside), per,
                 util_count(c, self_calls), util_count(d, depth));
    }
    free(selfc);
}

/* The loop of f (by_fn[first[f] .. first[f + 1])) whose iterations best match count allocations
 * (or calls), among those with count >= ADVICE_ALLOC_MIN_PER_ITERATION × iterations: in a nest,
 * the loop that runs about once per allocation carries it. Equal iterations: the first in the
 * source; *twins counts the other loops with exactly those iterations (the profile cannot tell
 * them apart). NULL when no loop fits. */
static const profile_loop *allocating_loop(const profile_loop **by_fn, const size_t *first, size_t f,
                                           double count, size_t *twins)
{
    const profile_loop *best = NULL;
    double best_gap = 0;
    *twins = 0;
    for (size_t k = first[f]; k < first[f + 1]; k++) {
        const profile_loop *lp = by_fn[k];
        if (lp->iterations == 0 || count < ADVICE_ALLOC_MIN_PER_ITERATION * (double)lp->iterations) continue;
        double gap = fabs(log(count / (double)lp->iterations));
        if (best != NULL && lp->iterations == best->iterations) {
            (*twins)++;
            if (lp->line < best->line || (lp->line == best->line && lp->column < best->column)) best = lp;
        } else if (best == NULL || gap < best_gap) {
            best = lp, best_gap = gap, *twins = 0;
        }
    }
    return best;
}

/* " (N other loops of F run as many iterations)" when the site is ambiguous, else "". */
static const char *twins_note(char *buf, size_t len, size_t twins, const char *fn)
{
    if (twins == 0) return "";
    snprintf(buf, len, " (%zu other loop%s of %s run%s as many iterations)", twins, twins == 1 ? "" : "s", fn,
             twins == 1 ? "s" : "");
    return buf;
}

/* Allocations inside a hot loop: a function that holds >= T% of the wall time (inclusive) and
 * either allocates itself about once per iteration of one of its loops (malloc in the loop, or in a
 * callee inlined into it), or calls an allocating function about once per iteration of one of its
 * loops. The allocations of the callee made from this caller are estimated by its share of calls. */
static void rule_allocations(const profile *p, double threshold, rec_list *l)
{
    char a[UTIL_CELL], b[UTIL_CELL], c[UTIL_CELL], d[UTIL_CELL], e2[UTIL_CELL], f2[UTIL_CELL], tw[160];
    size_t twins;
    double runtime = (double)p->stats.total_runtime_ns;
    size_t n = p->nfunctions;
    if (runtime <= 0 || n == 0) return;
    size_t *first = calloc(n + 2, sizeof *first);
    const profile_loop **by_fn = malloc((p->nloops + 1) * sizeof *by_fn);
    if (first == NULL || by_fn == NULL) {
        free(first);
        free(by_fn);
        l->oom = true;
        return;
    }
    /* Loops grouped by function (a counting sort on function_index). */
    for (size_t i = 0; i < p->nloops; i++)
        if (p->loops[i].function_index >= 0) first[p->loops[i].function_index + 2]++;
    for (size_t f = 2; f < n + 2; f++) first[f] += first[f - 1];
    for (size_t i = 0; i < p->nloops; i++)
        if (p->loops[i].function_index >= 0) by_fn[first[p->loops[i].function_index + 1]++] = &p->loops[i];

    for (size_t f = 0; f < n; f++) {
        const profile_function *fn = &p->functions[f];
        double allocs = (double)fn->allocations, share = pct((double)fn->total_ns, runtime);
        if (allocs < ADVICE_ALLOC_MIN_ALLOCATIONS || share < threshold) continue;
        const profile_loop *lp = allocating_loop(by_fn, first, f, allocs, &twins);
        if (lp == NULL) continue;
        advice_rec *r = rec_add(l, "hoist-allocation", lp->file, lp->line, fn->name, lp->location);
        if (r == NULL) goto done;
        snprintf(r->text, sizeof r->text,
                 "loop in %s runs %s iterations (%s entr%s)%s and %s makes %s allocations (%.2f per "
                 "iteration, %s bytes, %s bytes each on average) while it holds %.1f%% of the wall time: "
                 "hoist the allocation out of the loop and reuse the block, or take blocks from a pool",
                 fn->name, util_count(a, lp->iterations), util_count(b, lp->entries),
                 lp->entries == 1 ? "y" : "ies", twins_note(tw, sizeof tw, twins, fn->name), fn->name,
                 util_count(c, fn->allocations), allocs / (double)lp->iterations,
                 util_count(d, fn->allocated_bytes), util_count(e2, fn->allocated_bytes / fn->allocations), share);
    }
    for (size_t k = 0; k < p->nedges; k++) {
        const profile_edge *e = &p->edges[k];
        if (e->caller_index < 0 || e->callee_index < 0 || e->caller_index == e->callee_index) continue;
        const profile_function *fn = &p->functions[e->caller_index], *g = &p->functions[e->callee_index];
        if (g->calls == 0 || g->allocations == 0) continue;
        /* The callee's allocations made from this caller, by its share of the callee's calls. */
        double from_here = (double)g->allocations * ((double)e->calls / (double)g->calls);
        double share = pct((double)fn->total_ns, runtime);
        if (from_here < ADVICE_ALLOC_MIN_ALLOCATIONS || share < threshold) continue;
        const profile_loop *lp = allocating_loop(by_fn, first, (size_t)e->caller_index, (double)e->calls, &twins);
        if (lp == NULL) continue;
        advice_rec *r = rec_add(l, "hoist-allocation", lp->file, lp->line, fn->name, lp->location);
        if (r == NULL) goto done;
        snprintf(r->text, sizeof r->text,
                 "loop in %s runs %s iterations (%s entr%s)%s and calls %s %s times (%.2f per iteration), "
                 "which makes %s allocations in all (%s bytes, %s bytes each on average; about %.0f from "
                 "%s) while %s holds %.1f%% of the wall time: hoist the allocation out of the loop and "
                 "pass the block in, or take blocks from a pool",
                 fn->name, util_count(a, lp->iterations), util_count(b, lp->entries),
                 lp->entries == 1 ? "y" : "ies", twins_note(tw, sizeof tw, twins, fn->name), g->name,
                 util_count(c, e->calls), (double)e->calls / (double)lp->iterations,
                 util_count(d, g->allocations), util_count(e2, g->allocated_bytes),
                 util_count(f2, g->allocated_bytes / g->allocations), from_here, fn->name, fn->name, share);
    }
done:
    free(first);
    free(by_fn);
}

int advice_recommend(const profile *p, double threshold, advice_rec **recs, size_t *n)
{
    rec_list l = {NULL, 0, 0, false};
    rule_recursion(p, &l);
    rule_allocations(p, threshold, &l);
    rule_inline(p, &l);
    rule_loops(p, threshold, &l);
    rule_branches(p, &l);
    if (l.oom) {
        free(l.v);
        *recs = NULL, *n = 0;
        return -1;
    }
    *recs = l.v, *n = l.n;
    return 0;
}

int advice_print(const util_out *o, const profile *p, const advice_opts *opts)
{
    advice_rec *recs;
    size_t n;
    if (advice_recommend(p, opts->threshold, &recs, &n) < 0) return -1;
    fprintf(o->out, "\n%s== Recommendations ==%s\n", o->head, o->reset);
    if (n == 0) fprintf(o->out, "  (none: no rule found enough evidence in this profile)\n");
    for (size_t i = 0; i < n; i++) {
        fprintf(o->out, "  %s", o->bold);
        util_put(o->out, recs[i].site);
        fprintf(o->out, "%s [%s] ", o->reset, recs[i].rule);
        util_put(o->out, recs[i].text);
        fputc('\n', o->out);
    }
    free(recs);
    return 0;
}

/* ---- --json ---- */

static bool add_num(cJSON *o, const char *k, double v)
{
    return cJSON_AddNumberToObject(o, k, v) != NULL;
}

static bool add_str(cJSON *o, const char *k, const char *v)
{
    return cJSON_AddStringToObject(o, k, v) != NULL;
}

static cJSON *json_functions(const profile *p, const advice_opts *opts)
{
    cJSON *arr = cJSON_CreateArray();
    const profile_function **rows = malloc((p->nfunctions + 1) * sizeof *rows);
    size_t n = 0;
    if (arr == NULL || rows == NULL) goto fail;
    for (size_t i = 0; i < p->nfunctions; i++)
        if (p->functions[i].calls > 0) rows[n++] = &p->functions[i];
    advice_sort_functions(rows, n, opts->sort);
    for (size_t i = 0; i < n; i++) {
        const profile_function *f = rows[i];
        cJSON *o = cJSON_CreateObject();
        if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            goto fail;
        }
        if (!add_num(o, "rank", (double)(i + 1)) || !add_str(o, "name", f->name) ||
            !add_str(o, "file", f->file) || !add_num(o, "line", (double)f->line) ||
            !add_str(o, "class", advice_class_name(advice_function_class(p, f, opts->threshold))) ||
            !add_num(o, "self_share_percent", advice_function_share(p, f)) ||
            !add_num(o, "total_share_percent", pct((double)f->total_ns, (double)p->stats.total_runtime_ns)) ||
            !add_num(o, "calls", (double)f->calls) || !add_num(o, "timed_calls", (double)f->timed_calls) ||
            !add_str(o, "timing", profile_timing_name(f->timing)) ||
            !add_num(o, "self_time_ns", (double)f->self_ns) || !add_num(o, "total_time_ns", (double)f->total_ns) ||
            !add_num(o, "avg_time_ns", (double)f->avg_ns) || !add_num(o, "min_time_ns", (double)f->min_ns) ||
            !add_num(o, "max_time_ns", (double)f->max_ns))
            goto fail;
    }
    free(rows);
    return arr;
fail:
    free(rows);
    cJSON_Delete(arr);
    return NULL;
}

static int cmp_loop_ptr(const void *a, const void *b)
{
    const profile_loop *x = *(const profile_loop *const *)a, *y = *(const profile_loop *const *)b;
    int c = cmp_u64_desc(x->iterations, y->iterations);
    return c ? c : cmp_u64_desc(x->entries, y->entries);
}

static cJSON *json_loops(const profile *p, const advice_opts *opts)
{
    cJSON *arr = cJSON_CreateArray();
    const profile_loop **rows = malloc((p->nloops + 1) * sizeof *rows);
    char loc[256];
    double total = advice_loop_total(p);
    if (arr == NULL || rows == NULL) goto fail;
    for (size_t i = 0; i < p->nloops; i++) rows[i] = &p->loops[i];
    qsort(rows, p->nloops, sizeof *rows, cmp_loop_ptr);
    for (size_t i = 0; i < p->nloops; i++) {
        const profile_loop *l = rows[i];
        cJSON *o = cJSON_CreateObject();
        if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            goto fail;
        }
        double share = advice_loop_share(l, total);
        if (!add_str(o, "location", util_location(loc, sizeof loc, l->location, l->file, l->line)) ||
            !add_str(o, "function", l->function) || !add_num(o, "depth", (double)l->depth) ||
            !add_num(o, "iterations", (double)l->iterations) || !add_num(o, "entries", (double)l->entries) ||
            !add_num(o, "avg_trip_count", l->entries ? (double)l->iterations / (double)l->entries : 0) ||
            !add_num(o, "share_percent", share) ||
            !add_str(o, "class", advice_class_name(advice_classify(share, opts->threshold))))
            goto fail;
    }
    free(rows);
    return arr;
fail:
    free(rows);
    cJSON_Delete(arr);
    return NULL;
}

static int cmp_branch_ptr(const void *a, const void *b)
{
    const profile_branch *x = *(const profile_branch *const *)a, *y = *(const profile_branch *const *)b;
    double rx = branch_runs(x), ry = branch_runs(y);
    return (rx < ry) - (rx > ry);
}

static cJSON *json_branches(const profile *p, const advice_opts *opts)
{
    cJSON *arr = cJSON_CreateArray();
    const profile_branch **rows = malloc((p->nbranches + 1) * sizeof *rows);
    char loc[256];
    double total = advice_branch_total(p);
    if (arr == NULL || rows == NULL) goto fail;
    for (size_t i = 0; i < p->nbranches; i++) rows[i] = &p->branches[i];
    qsort(rows, p->nbranches, sizeof *rows, cmp_branch_ptr);
    for (size_t i = 0; i < p->nbranches; i++) {
        const profile_branch *b = rows[i];
        cJSON *o = cJSON_CreateObject();
        if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            goto fail;
        }
        double share = advice_branch_share(b, total);
        if (!add_str(o, "location", util_location(loc, sizeof loc, b->location, b->file, b->line)) ||
            !add_str(o, "function", b->function) || !add_num(o, "taken", (double)b->taken) ||
            !add_num(o, "not_taken", (double)b->not_taken) ||
            !add_num(o, "prediction_rate", b->prediction_rate) || !add_num(o, "share_percent", share) ||
            !add_str(o, "class", advice_class_name(advice_classify(share, opts->threshold))))
            goto fail;
    }
    free(rows);
    return arr;
fail:
    free(rows);
    cJSON_Delete(arr);
    return NULL;
}

int advice_json(FILE *out, const char *path, const profile *p, const advice_opts *opts)
{
    /* The document is built in an arena and streamed: one node per value through malloc, and the
     * whole text in memory for cJSON_Print, made --json need more than 10x the profile's size. */
    arena mem = {NULL};
    arena_json_begin(&mem);
    cJSON *root = cJSON_CreateObject(), *sum, *arr, *thr;
    advice_rec *recs = NULL;
    size_t n = 0;
    int rc = -1;
    if (root == NULL || !add_str(root, "profile", path) || !add_str(root, "version", p->version)) goto done;
    if ((sum = cJSON_AddObjectToObject(root, "summary")) == NULL || !add_str(sum, "binary", p->binary) ||
        !add_str(sum, "command_line", p->command_line) ||
        !add_num(sum, "wall_time_ns", (double)p->stats.total_runtime_ns) ||
        !add_num(sum, "threads", (double)(p->stats.threads ? p->stats.threads : p->nthreads)) ||
        !add_num(sum, "timed_calls", (double)p->stats.timed_calls) ||
        !add_num(sum, "overhead_estimate_ns", (double)p->stats.overhead_estimate_ns) ||
        !add_num(sum, "overhead_estimate_percent", p->stats.overhead_estimate_percent))
        goto done;
    if ((thr = cJSON_AddObjectToObject(root, "classes")) == NULL || !add_num(thr, "threshold_percent", opts->threshold) ||
        !add_num(thr, "critical_from_percent", 4 * opts->threshold) ||
        !add_num(thr, "high_from_percent", 2 * opts->threshold) ||
        !add_num(thr, "medium_from_percent", opts->threshold) ||
        !add_str(root, "sort", opts->sort == ADVICE_SORT_TOTAL ? "total" : opts->sort == ADVICE_SORT_CALLS ? "calls" : "self") ||
        (opts->filter != NULL ? !add_str(root, "filter", opts->filter) : cJSON_AddNullToObject(root, "filter") == NULL))
        goto done;
    if ((arr = json_functions(p, opts)) == NULL || !cJSON_AddItemToObject(root, "functions", arr)) goto done;
    if ((arr = json_loops(p, opts)) == NULL || !cJSON_AddItemToObject(root, "loops", arr)) goto done;
    if ((arr = json_branches(p, opts)) == NULL || !cJSON_AddItemToObject(root, "branches", arr)) goto done;
    if (report_io_json(root, p) < 0) goto done;
    if (advice_recommend(p, opts->threshold, &recs, &n) < 0) goto done;
    if ((arr = cJSON_AddArrayToObject(root, "recommendations")) == NULL) goto done;
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            goto done;
        }
        if (!add_str(o, "rule", recs[i].rule) || !add_str(o, "site", recs[i].site) ||
            !add_str(o, "file", recs[i].file) || !add_num(o, "line", (double)recs[i].line) ||
            !add_str(o, "function", recs[i].function) || !add_str(o, "text", recs[i].text))
            goto done;
    }
    jsonout_print(out, root);
    fputc('\n', out);
    rc = 0;
done:
    free(recs);
    arena_json_end(); /* every cJSON_Delete above was a no-op: the arena holds the tree */
    arena_free(&mem);
    return rc;
}
