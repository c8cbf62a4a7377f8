/* html-calltree.c: the HTML report's call tree: collapsible <details>, as the text report's tree. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "calltree.h"
#include "html.h"
#include "util.h"

/* Nodes written at most (a dense call graph gives a large tree even with "see above"), and the
 * levels open when the page loads. */
enum { TREE_MAX_NODES = 20000, TREE_OPEN_DEPTH = 3 };

typedef struct {
    long caller, callee;
    uint64_t total_ns, calls;
    const char *callee_name;
    bool indirect;
} tree_edge;

typedef struct {
    FILE *out;
    const profile *p;
    tree_edge *edges;
    size_t nedges, nodes;
    size_t *first; /* edges of function f: edges[first[f] .. first[f + 1]) */
    bool *on_path, *expanded;
} tree;

static int cmp_u64_desc(uint64_t x, uint64_t y)
{
    return (x < y) - (x > y);
}

/* As calltree.c: by caller, then inclusive time, calls, callee name. */
static int cmp_edge(const void *a, const void *b)
{
    const tree_edge *x = a, *y = b;
    int c;
    if (x->caller != y->caller) return x->caller < y->caller ? -1 : 1;
    if ((c = cmp_u64_desc(x->total_ns, y->total_ns)) != 0) return c;
    if ((c = cmp_u64_desc(x->calls, y->calls)) != 0) return c;
    return strcmp(x->callee_name, y->callee_name);
}

static const profile *root_ctx; /* qsort has no context argument */

/* Roots: inclusive time, then calls, then name (as calltree.c). */
static int cmp_root(const void *a, const void *b)
{
    const profile_function *x = &root_ctx->functions[*(const size_t *)a], *y = &root_ctx->functions[*(const size_t *)b];
    int c;
    if ((c = cmp_u64_desc(x->total_ns, y->total_ns)) != 0) return c;
    if ((c = cmp_u64_desc(x->calls, y->calls)) != 0) return c;
    return strcmp(x->name, y->name);
}

/* The summary line of a node: name, calls, inclusive time (or "inlined"), note. */
static void label(tree *t, const char *name, uint64_t calls, bool timed, uint64_t ns, const char *note)
{
    char d[UTIL_CELL];
    fputs("<span class=\"fn\">", t->out);
    html_text(t->out, name);
    fprintf(t->out, "</span><span class=\"calls\">%" PRIu64 " call%s</span>", calls, util_plural(calls));
    if (timed) fprintf(t->out, "<span class=\"time\" data-v=\"%" PRIu64 "\">%s</span>", ns, util_duration(d, ns));
    else fputs("<span class=\"time\">inlined</span>", t->out);
    if (note != NULL) fprintf(t->out, " <span class=\"note\">%s</span>", note);
}

static void expand(tree *t, size_t f, size_t depth);

/* One <li>; a collapsible <details> with fn's callees when open (fn not already on the path or
 * expanded elsewhere, and with callees). */
static void node(tree *t, long fn, const char *name, uint64_t calls, bool timed, uint64_t ns, const char *note,
                 bool open, size_t depth)
{
    t->nodes++;
    if (!open) {
        fputs("<li>", t->out);
        label(t, name, calls, timed, ns, note);
        fputs("</li>\n", t->out);
        return;
    }
    fprintf(t->out, "<li><details%s><summary>", depth < TREE_OPEN_DEPTH ? " open" : "");
    label(t, name, calls, timed, ns, note);
    fputs("</summary>\n<ul>\n", t->out);
    expand(t, (size_t)fn, depth + 1);
    fputs("</ul></details></li>\n", t->out);
}

static void expand(tree *t, size_t f, size_t depth)
{
    size_t begin = t->first[f], end = t->first[f + 1];
    t->on_path[f] = t->expanded[f] = true;
    if (depth > CALLTREE_MAX_DEPTH && end > begin) {
        fputs("<li class=\"note\">… deeper calls not shown</li>\n", t->out);
        end = begin;
    }
    for (size_t i = begin; i < end; i++) {
        const tree_edge *e = &t->edges[i];
        long c = e->callee;
        bool has_children = c >= 0 && t->first[c + 1] > t->first[c];
        bool timed = c < 0 ? e->total_ns > 0 : t->p->functions[c].timing != PROFILE_TIMING_NONE;
        const char *note = NULL;
        if (t->nodes >= TREE_MAX_NODES) {
            fprintf(t->out, "<li class=\"note\">… %zu more callees (the tree is cut at %d nodes)</li>\n", end - i,
                    TREE_MAX_NODES);
            break;
        }
        if (c >= 0 && t->on_path[c]) note = e->indirect ? "(recursive, indirect)" : "(recursive)";
        else if (has_children && t->expanded[c]) note = e->indirect ? "(indirect, see above)" : "(see above)";
        else if (e->indirect) note = "(indirect)";
        node(t, c, e->callee_name, e->calls, timed, e->total_ns, note,
             has_children && !t->on_path[c] && !t->expanded[c], depth);
    }
    t->on_path[f] = false;
}

/* Marks what root reaches through executed edges. */
static void mark_reachable(const tree *t, size_t root, bool *reached, size_t *stack)
{
    size_t depth = 0;
    if (reached[root]) return;
    reached[root] = true;
    stack[depth++] = root;
    while (depth > 0) {
        size_t g = stack[--depth];
        for (size_t e = t->first[g]; e < t->first[g + 1]; e++) {
            long c = t->edges[e].callee;
            if (c >= 0 && !reached[c]) reached[c] = true, stack[depth++] = (size_t)c;
        }
    }
}

int html_calltree(FILE *out, const profile *p)
{
    size_t n = p->nfunctions, nroots = 0;
    tree t = {.out = out, .p = p};
    bool *has_caller = calloc(n + 1, sizeof *has_caller), *reached = calloc(n + 1, sizeof *reached);
    size_t *roots = calloc(n + 1, sizeof *roots), *stack = calloc(n + 1, sizeof *stack);
    int rc = -1;

    t.edges = malloc((p->nedges ? p->nedges : 1) * sizeof *t.edges);
    t.first = calloc(n + 1, sizeof *t.first);
    t.on_path = calloc(n + 1, sizeof *t.on_path);
    t.expanded = calloc(n + 1, sizeof *t.expanded);
    if (!has_caller || !reached || !roots || !stack || !t.edges || !t.first || !t.on_path || !t.expanded)
        goto cleanup;
    for (size_t i = 0; i < p->nedges; i++) {
        const profile_edge *g = &p->edges[i];
        if (g->caller_index < 0 || g->calls == 0) continue;
        t.edges[t.nedges++] = (tree_edge){g->caller_index, g->callee_index, g->total_ns, g->calls, g->callee,
                                          g->indirect};
        if (g->callee_index >= 0 && g->callee_index != g->caller_index) has_caller[g->callee_index] = true;
    }
    if (t.nedges > 1) qsort(t.edges, t.nedges, sizeof *t.edges, cmp_edge);
    for (size_t f = 0, e = 0; f <= n; f++) {
        while (e < t.nedges && (size_t)t.edges[e].caller < f) e++;
        t.first[f] = e;
    }
    for (size_t f = 0; f < n; f++)
        if (p->functions[f].calls > 0 && !has_caller[f]) roots[nroots++] = f;
    root_ctx = p;
    if (nroots > 1) qsort(roots, nroots, sizeof *roots, cmp_root);
    /* Cycles entered only from uninstrumented code start at their hottest unreached function. */
    for (size_t marked = 0;;) {
        for (; marked < nroots; marked++) mark_reachable(&t, roots[marked], reached, stack);
        long best = -1;
        for (size_t f = 0; f < n; f++) {
            size_t b = (size_t)best;
            if (!reached[f] && p->functions[f].calls > 0 && (best < 0 || cmp_root(&f, &b) < 0)) best = (long)f;
        }
        if (best < 0) break;
        roots[nroots++] = (size_t)best;
    }

    if (nroots == 0) fputs("<p class=\"none\">No function ran.</p>\n", out);
    else fputs("<ul class=\"tree\" id=\"calltree-root\">\n", out);
    for (size_t r = 0; r < nroots && t.nodes < TREE_MAX_NODES; r++) {
        const profile_function *fn = &p->functions[roots[r]];
        bool timed = fn->timing != PROFILE_TIMING_NONE;
        if (t.expanded[roots[r]]) continue;
        node(&t, (long)roots[r], fn->name, fn->calls, timed, fn->total_ns,
             has_caller[roots[r]] ? "(cycle entered from uninstrumented code)" : NULL,
             t.first[roots[r] + 1] > t.first[roots[r]], 0);
    }
    if (nroots > 0) fputs("</ul>\n", out);
    rc = 0;

cleanup:
    free(has_caller), free(reached), free(roots), free(stack);
    free(t.edges), free(t.first), free(t.on_path), free(t.expanded);
    return rc;
}
