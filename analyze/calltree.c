/* calltree.c: the call tree printed from the profile's call graph, with recursion folded. */
#include "calltree.h"

#include <stdlib.h>
#include <string.h>

/* An executed call-graph edge with its sort key: by caller, then inclusive time, calls, name. */
typedef struct {
    long caller, callee;
    uint64_t total_ns, calls;
    const char *callee_name;
    bool indirect;
} tree_edge;

/* A candidate root with its sort key: inclusive time, then calls, then name. */
typedef struct {
    size_t fn;
    uint64_t total_ns, calls;
    const char *name;
} tree_root;

typedef struct {
    const util_out *o;
    const profile *p;
    tree_edge *edges;
    size_t nedges;
    size_t *first;            /* edges of function f: edges[first[f] .. first[f + 1]) */
    bool *on_path, *expanded, *reached;
    size_t *stack;            /* for marking reachable functions */
    char prefix[CALLTREE_MAX_DEPTH * 8 + 1];
} tree;

static int cmp_u64_desc(uint64_t x, uint64_t y)
{
    return (x < y) - (x > y);
}

static int cmp_edge(const void *a, const void *b)
{
    const tree_edge *x = a, *y = b;
    int c;
    if (x->caller != y->caller) return x->caller < y->caller ? -1 : 1;
    if ((c = cmp_u64_desc(x->total_ns, y->total_ns)) != 0) return c;
    if ((c = cmp_u64_desc(x->calls, y->calls)) != 0) return c;
    return strcmp(x->callee_name, y->callee_name);
}

static int cmp_root(const void *a, const void *b)
{
    const tree_root *x = a, *y = b;
    int c;
    if ((c = cmp_u64_desc(x->total_ns, y->total_ns)) != 0) return c;
    if ((c = cmp_u64_desc(x->calls, y->calls)) != 0) return c;
    return strcmp(x->name, y->name);
}

/* cmp_root, then the lower function index: the order in which cycle roots are picked. */
static int cmp_root_index(const void *a, const void *b)
{
    int c = cmp_root(a, b);
    const tree_root *x = a, *y = b;
    return c != 0 ? c : (x->fn > y->fn) - (x->fn < y->fn);
}

static bool has_children(const tree *t, long f)
{
    return f >= 0 && t->first[f + 1] > t->first[f];
}

/* Marks everything reachable from f through executed edges. */
static void mark_reachable(tree *t, size_t f)
{
    size_t depth = 0;
    if (t->reached[f]) return;
    t->reached[f] = true;
    t->stack[depth++] = f;
    while (depth > 0) {
        size_t g = t->stack[--depth];
        for (size_t e = t->first[g]; e < t->first[g + 1]; e++) {
            long c = t->edges[e].callee;
            if (c >= 0 && !t->reached[c]) {
                t->reached[c] = true;
                t->stack[depth++] = (size_t)c;
            }
        }
    }
}

/* One tree line: prefix, connector, name, then calls and time; timed is false for inlined callees. */
static void print_node(const tree *t, const char *connector, const char *name, uint64_t calls,
                       bool timed, uint64_t ns, const char *note)
{
    const util_out *o = t->o;
    char cnt[UTIL_CELL], dur[UTIL_CELL];
    fprintf(o->out, "%s%s%s", o->dim, t->prefix, connector);
    fprintf(o->out, "%s%s", o->reset, *connector == '\0' ? o->bold : "");
    util_put(o->out, name);
    fprintf(o->out, "%s  %s call%s", o->reset, util_count(cnt, calls), util_plural(calls));
    if (timed) fprintf(o->out, "  %s", util_duration(dur, ns));
    else fprintf(o->out, "  %sinlined%s", o->warn, o->reset);
    if (note != NULL) fprintf(o->out, "  %s%s%s", o->dim, note, o->reset);
    fputc('\n', o->out);
}

static void expand(tree *t, size_t f, size_t depth)
{
    const util_out *o = t->o;
    size_t begin = t->first[f], n = t->first[f + 1] - begin;
    size_t shown = n < o->top ? n : o->top;
    size_t plen = strlen(t->prefix);

    t->on_path[f] = t->expanded[f] = true;
    if (n > 0 && depth >= CALLTREE_MAX_DEPTH) {
        fprintf(o->out, "%s%s└─ … deeper calls not shown%s\n", o->dim, t->prefix, o->reset);
        shown = n = 0;
    }
    for (size_t i = 0; i < shown; i++) {
        const tree_edge *e = &t->edges[begin + i];
        bool last = i + 1 == n;
        long c = e->callee;
        bool timed = c < 0 ? e->total_ns > 0 : t->p->functions[c].timing != PROFILE_TIMING_NONE;
        const char *note = NULL;
        if (c >= 0 && t->on_path[c]) note = e->indirect ? "(recursive, indirect)" : "(recursive)";
        else if (has_children(t, c) && t->expanded[c]) note = e->indirect ? "(indirect, see above)" : "(see above)";
        else if (e->indirect) note = "(indirect)";
        print_node(t, last ? "└─ " : "├─ ", e->callee_name, e->calls, timed, e->total_ns, note);
        if (has_children(t, c) && !t->on_path[c] && !t->expanded[c]) {
            strcpy(t->prefix + plen, last ? "   " : "│  ");
            expand(t, (size_t)c, depth + 1);
            t->prefix[plen] = '\0';
        }
    }
    if (shown < n) {
        char cnt[UTIL_CELL];
        fprintf(o->out, "%s%s└─ … %s more callee%s%s\n", o->dim, t->prefix, util_count(cnt, n - shown),
                util_plural(n - shown), o->reset);
    }
    t->on_path[f] = false;
}

/* Fills t->edges/first from the executed edges of p. */
static void index_edges(tree *t)
{
    const profile *p = t->p;
    for (size_t i = 0; i < p->nedges; i++) {
        const profile_edge *g = &p->edges[i];
        if (g->caller_index < 0 || g->calls == 0) continue;
        t->edges[t->nedges++] = (tree_edge){g->caller_index, g->callee_index, g->total_ns, g->calls,
                                            g->callee, g->indirect};
    }
    if (t->nedges > 1) qsort(t->edges, t->nedges, sizeof *t->edges, cmp_edge);
    size_t e = 0;
    for (size_t f = 0; f <= p->nfunctions; f++) {
        while (e < t->nedges && (size_t)t->edges[e].caller < f) e++;
        t->first[f] = e;
    }
}

int calltree_print(const util_out *o, const profile *p)
{
    size_t n = p->nfunctions, nroots = 0, nmain = 0;
    tree t = {.o = o, .p = p};
    tree_root *roots = NULL, *cands = NULL;
    bool *has_caller = NULL;
    int rc = -1;

    t.edges = malloc((p->nedges ? p->nedges : 1) * sizeof *t.edges);
    t.first = calloc(n + 1, sizeof *t.first);
    t.on_path = calloc(n + 1, sizeof *t.on_path);
    t.expanded = calloc(n + 1, sizeof *t.expanded);
    t.reached = calloc(n + 1, sizeof *t.reached);
    t.stack = calloc(n + 1, sizeof *t.stack);
    has_caller = calloc(n + 1, sizeof *has_caller);
    roots = calloc(n + 1, sizeof *roots);
    cands = calloc(n + 1, sizeof *cands);
    if (!t.edges || !t.first || !t.on_path || !t.expanded || !t.reached || !t.stack || !has_caller ||
        !roots || !cands)
        goto cleanup;
    index_edges(&t);

    for (size_t e = 0; e < t.nedges; e++)
        if (t.edges[e].callee >= 0 && t.edges[e].callee != t.edges[e].caller)
            has_caller[t.edges[e].callee] = true;
    for (size_t f = 0; f < n; f++)
        if (p->functions[f].calls > 0 && !has_caller[f])
            roots[nroots++] = (tree_root){f, p->functions[f].total_ns, p->functions[f].calls,
                                          p->functions[f].name};
    if (nroots > 1) qsort(roots, nroots, sizeof *roots, cmp_root);
    for (size_t r = 0; r < nroots; r++) mark_reachable(&t, roots[r].fn);
    nmain = nroots;

    /* Cycles entered only from uninstrumented code: start at their hottest function, then at the
     * hottest one still unreached, and so on. Sorted once: a scan per cycle was quadratic. */
    size_t ncand = 0;
    for (size_t f = 0; f < n; f++)
        if (!t.reached[f] && p->functions[f].calls > 0)
            cands[ncand++] = (tree_root){f, p->functions[f].total_ns, p->functions[f].calls, p->functions[f].name};
    if (ncand > 1) qsort(cands, ncand, sizeof *cands, cmp_root_index);
    for (size_t k = 0; k < ncand; k++) {
        if (t.reached[cands[k].fn]) continue;
        roots[nroots++] = cands[k];
        mark_reachable(&t, cands[k].fn);
    }

    if (nroots == 0) fprintf(o->out, "  (no function ran)\n");
    strcpy(t.prefix, "  ");
    for (size_t r = 0; r < nroots && r < o->top; r++) {
        const profile_function *fn = &p->functions[roots[r].fn];
        print_node(&t, "", fn->name, fn->calls, fn->timing != PROFILE_TIMING_NONE, fn->total_ns,
                   r >= nmain ? "(cycle entered from uninstrumented code)" : NULL);
        expand(&t, roots[r].fn, 1);
    }
    if (nroots > o->top) {
        char cnt[UTIL_CELL];
        fprintf(o->out, "%s  … %s more root%s%s\n", o->dim, util_count(cnt, nroots - o->top),
                util_plural(nroots - o->top), o->reset);
    }
    rc = 0;

cleanup:
    free(t.edges);
    free(t.first);
    free(t.on_path);
    free(t.expanded);
    free(t.reached);
    free(t.stack);
    free(has_caller);
    free(roots);
    free(cands);
    return rc;
}
