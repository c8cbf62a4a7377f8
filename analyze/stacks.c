/* stacks.c: call stacks with self time, derived from the call graph (see stacks.h for the method). */
#include "stacks.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

/* One caller→callee pair with its direct and indirect edges added together (self-calls excluded). */
typedef struct {
    size_t caller, callee;
    uint64_t calls, total_ns;
} pair;

typedef struct {
    const profile *p;
    char **labels;
    pair *pairs;
    size_t npairs;
    size_t *first;            /* pairs of caller f: pairs[first[f] .. first[f + 1]) */
    uint64_t *in_ns, *in_calls, *self_calls;
    bool *on_path, *reached;
    stacks_node *nodes;
    size_t nnodes, cap;
    bool truncated;
} builder;

static int cmp_u64_desc(uint64_t x, uint64_t y)
{
    return (x < y) - (x > y);
}

/* The builder the qsort comparators below read labels from (qsort has no context argument). */
static const builder *sort_ctx;

static int cmp_pair_ids(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    if (x->caller != y->caller) return x->caller < y->caller ? -1 : 1;
    return (x->callee > y->callee) - (x->callee < y->callee);
}

/* Expansion order: by caller, then hottest callee first, then by label. */
static int cmp_pair_hot(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    int c;
    if (x->caller != y->caller) return x->caller < y->caller ? -1 : 1;
    if ((c = cmp_u64_desc(x->total_ns, y->total_ns)) != 0) return c;
    if ((c = cmp_u64_desc(x->calls, y->calls)) != 0) return c;
    if ((c = strcmp(sort_ctx->labels[x->callee], sort_ctx->labels[y->callee])) != 0) return c;
    return (x->callee > y->callee) - (x->callee < y->callee);
}

/* Root order: hottest function first, then by label. */
static int cmp_fn_hot(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    const profile_function *fx = &sort_ctx->p->functions[x], *fy = &sort_ctx->p->functions[y];
    int c;
    if ((c = cmp_u64_desc(fx->total_ns, fy->total_ns)) != 0) return c;
    if ((c = cmp_u64_desc(fx->self_ns, fy->self_ns)) != 0) return c;
    if ((c = cmp_u64_desc(fx->calls, fy->calls)) != 0) return c;
    if ((c = strcmp(sort_ctx->labels[x], sort_ctx->labels[y])) != 0) return c;
    return (x > y) - (x < y);
}

/* Output order: by parent (roots first), then label, then function index. */
static const stacks_node *sort_nodes;
static int cmp_node_out(const void *a, const void *b)
{
    const stacks_node *x = &sort_nodes[*(const size_t *)a], *y = &sort_nodes[*(const size_t *)b];
    int c;
    if (x->parent != y->parent) return x->parent < y->parent ? -1 : 1;
    if ((c = strcmp(sort_ctx->labels[x->fn], sort_ctx->labels[y->fn])) != 0) return c;
    return (x->fn > y->fn) - (x->fn < y->fn);
}

static bool ran(const profile_function *f)
{
    return f->calls > 0 || f->self_ns > 0 || f->total_ns > 0;
}

static int cmp_fn_name(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(sort_ctx->p->functions[x].name, sort_ctx->p->functions[y].name);
    return c != 0 ? c : (x > y) - (x < y);
}

/* labels[f]: the name ("?" when empty), plus " [file:line]" when another function has the same
 * name; ';' becomes ':', control characters and invalid UTF-8 bytes '?', so a label fits every
 * export format.
 * order is scratch space for nfunctions indices. */
static int make_labels(builder *b, size_t *order)
{
    const profile *p = b->p;
    size_t nf = p->nfunctions;
    for (size_t i = 0; i < nf; i++) order[i] = i;
    if (nf > 1) qsort(order, nf, sizeof *order, cmp_fn_name);
    for (size_t k = 0; k < nf; k++) {
        const profile_function *f = &p->functions[order[k]];
        const char *name = *f->name ? f->name : "?";
        bool ambiguous = (k > 0 && strcmp(p->functions[order[k - 1]].name, f->name) == 0) ||
                         (k + 1 < nf && strcmp(p->functions[order[k + 1]].name, f->name) == 0);
        size_t len = strlen(name) + strlen(f->file) + 32;
        char *l = malloc(len);
        if (l == NULL) return -1;
        if (ambiguous) snprintf(l, len, "%s [%s:%" PRIu64 "]", name, *f->file ? f->file : "?", f->line);
        else snprintf(l, len, "%s", name);
        for (char *c = l; *c;) {
            size_t len8 = escape_utf8_len(c);
            if (*c == ';') *c = ':';
            else if (len8 == 0 || (unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
            c += len8 > 1 ? len8 : 1;
        }
        b->labels[order[k]] = l;
    }
    return 0;
}

/* Merges the executed edges of p into pairs, sorted for expansion, and sums what enters each function. */
static void index_pairs(builder *b)
{
    const profile *p = b->p;
    size_t n = 0;
    for (size_t i = 0; i < p->nedges; i++) {
        const profile_edge *e = &p->edges[i];
        if (e->caller_index < 0 || e->callee_index < 0 || (e->calls == 0 && e->total_ns == 0)) continue;
        if (e->caller_index == e->callee_index) {
            b->self_calls[e->callee_index] += e->calls;
            continue;
        }
        b->pairs[n++] = (pair){(size_t)e->caller_index, (size_t)e->callee_index, e->calls, e->total_ns};
    }
    if (n > 1) qsort(b->pairs, n, sizeof *b->pairs, cmp_pair_ids);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m > 0 && b->pairs[m - 1].caller == b->pairs[i].caller && b->pairs[m - 1].callee == b->pairs[i].callee) {
            b->pairs[m - 1].calls += b->pairs[i].calls;
            b->pairs[m - 1].total_ns += b->pairs[i].total_ns;
        } else {
            b->pairs[m++] = b->pairs[i];
        }
    }
    b->npairs = m;
    if (m > 1) qsort(b->pairs, m, sizeof *b->pairs, cmp_pair_hot);
    for (size_t i = 0; i < m; i++) {
        b->in_ns[b->pairs[i].callee] += b->pairs[i].total_ns;
        b->in_calls[b->pairs[i].callee] += b->pairs[i].calls;
    }
    size_t e = 0;
    for (size_t f = 0; f <= p->nfunctions; f++) {
        while (e < m && b->pairs[e].caller < f) e++;
        b->first[f] = e;
    }
}

/* T(g) and the calls of g not made by g itself: the denominators of the shares. */
static uint64_t time_base(const builder *b, size_t g)
{
    uint64_t t = b->p->functions[g].total_ns;
    return t > b->in_ns[g] ? t : b->in_ns[g];
}

static uint64_t calls_base(const builder *b, size_t g)
{
    uint64_t c = b->p->functions[g].calls;
    c = c > b->self_calls[g] ? c - b->self_calls[g] : 0;
    return c > b->in_calls[g] ? c : b->in_calls[g];
}

/* Appends a node; returns its index or -1 when memory ran out. */
static long add_node(builder *b, long parent, size_t fn, size_t depth, double wt, double wc)
{
    if (b->nnodes == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        stacks_node *n = realloc(b->nodes, cap * sizeof *n);
        if (n == NULL) return -1;
        b->nodes = n;
        b->cap = cap;
    }
    b->nodes[b->nnodes] = (stacks_node){.parent = parent, .fn = fn, .depth = depth, .wt = wt, .wc = wc};
    b->reached[fn] = true;
    return (long)b->nnodes++;
}

/* Adds the subtree below node (whose function is on the path while it is expanded). */
static int expand(builder *b, size_t node)
{
    size_t f = b->nodes[node].fn, depth = b->nodes[node].depth;
    int rc = 0;
    if (depth + 1 >= STACKS_MAX_DEPTH) {
        if (b->first[f + 1] > b->first[f]) b->truncated = true;
        b->nodes[node].end = b->nnodes;
        return 0;
    }
    b->on_path[f] = true;
    for (size_t e = b->first[f]; e < b->first[f + 1] && rc == 0; e++) {
        const pair *pr = &b->pairs[e];
        size_t g = pr->callee;
        if (b->on_path[g]) continue;
        if (b->nnodes >= STACKS_MAX_NODES) {
            b->truncated = true;
            break;
        }
        uint64_t tb = time_base(b, g), cb = calls_base(b, g);
        double wt = tb ? b->nodes[node].wt * ((double)pr->total_ns / (double)tb) : 0;
        double wc = cb ? b->nodes[node].wc * ((double)pr->calls / (double)cb) : 0;
        long child = add_node(b, (long)node, g, depth + 1, wt, wc);
        rc = child < 0 ? -1 : expand(b, (size_t)child);
    }
    b->on_path[f] = false;
    b->nodes[node].end = b->nnodes;
    return rc;
}

static int add_root(builder *b, size_t fn, double wt, double wc)
{
    long r = add_node(b, -1, fn, 0, wt, wc);
    return r < 0 ? -1 : expand(b, (size_t)r);
}

/* Roots: functions that ran and that no instrumented function calls, or that were also called from
 * uninstrumented code; then the hottest function of every cycle not reached yet. */
static int add_roots(builder *b, size_t *order)
{
    const profile *p = b->p;
    size_t n = 0;
    for (size_t f = 0; f < p->nfunctions; f++)
        if (ran(&p->functions[f])) order[n++] = f;
    if (n > 1) qsort(order, n, sizeof *order, cmp_fn_hot);
    for (size_t i = 0; i < n; i++) {
        size_t g = order[i];
        double wt = 1, wc = 1;
        if (b->in_ns[g] > 0 || b->in_calls[g] > 0) {
            uint64_t tb = time_base(b, g), cb = calls_base(b, g);
            wt = tb > b->in_ns[g] ? (double)(tb - b->in_ns[g]) / (double)tb : 0;
            wc = cb > b->in_calls[g] ? (double)(cb - b->in_calls[g]) / (double)cb : 0;
        }
        if ((wt > 0 || wc > 0) && add_root(b, g, wt, wc) != 0) return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (!b->reached[order[i]] && add_root(b, order[i], 1, 1) != 0) return -1;
    return 0;
}

/* Emits node i and its subtree into out in output order; idx/start give each node's sorted children. */
static void emit(const stacks_node *in, const size_t *idx, const size_t *start, size_t i, long parent,
                 stacks_node *out, size_t *n)
{
    size_t me = (*n)++;
    out[me] = in[i];
    out[me].parent = parent;
    for (size_t k = start[i + 1]; k < start[i + 2]; k++) emit(in, idx, start, idx[k], (long)me, out, n);
    out[me].end = *n;
}

/* Reorders the nodes so that roots and siblings are sorted by label (the flame-graph convention). */
static int sort_tree(builder *b)
{
    size_t n = b->nnodes;
    size_t *idx = malloc((n + 1) * sizeof *idx), *start = calloc(n + 2, sizeof *start);
    stacks_node *out = malloc((n + 1) * sizeof *out);
    if (idx == NULL || start == NULL || out == NULL) {
        free(idx);
        free(start);
        free(out);
        return -1;
    }
    for (size_t i = 0; i < n; i++) idx[i] = i;
    sort_nodes = b->nodes;
    if (n > 1) qsort(idx, n, sizeof *idx, cmp_node_out);
    /* start[p + 1] .. start[p + 2]: the children of node p in idx; start[0] .. start[1]: the roots. */
    for (size_t i = 0; i < n; i++) start[b->nodes[i].parent + 2]++;
    for (size_t i = 1; i <= n + 1; i++) start[i] += start[i - 1];
    size_t m = 0;
    for (size_t k = start[0]; k < start[1]; k++) emit(b->nodes, idx, start, idx[k], -1, out, &m);
    free(idx);
    free(start);
    free(b->nodes);
    b->nodes = out;
    b->cap = n + 1;
    return 0;
}

/* Divides each function's self time and calls among its nodes (see stacks.h). */
static int distribute(builder *b, stacks *s)
{
    const profile *p = b->p;
    size_t nf = p->nfunctions;
    double *rt = calloc(nf + 1, sizeof *rt), *rc = calloc(nf + 1, sizeof *rc);
    double *ct = calloc(nf + 1, sizeof *ct), *cc = calloc(nf + 1, sizeof *cc);
    size_t *count = calloc(nf + 1, sizeof *count), *seen = calloc(nf + 1, sizeof *seen);
    uint64_t *gave_ns = calloc(nf + 1, sizeof *gave_ns), *gave_calls = calloc(nf + 1, sizeof *gave_calls);
    int status = -1;
    if (!rt || !rc || !ct || !cc || !count || !seen || !gave_ns || !gave_calls) goto done;

    for (size_t i = 0; i < b->nnodes; i++) {
        const stacks_node *n = &b->nodes[i];
        rt[n->fn] += n->wt;
        rc[n->fn] += n->wc;
        count[n->fn]++;
    }
    for (size_t i = 0; i < b->nnodes; i++) {
        stacks_node *n = &b->nodes[i];
        size_t f = n->fn;
        const profile_function *fn = &p->functions[f];
        double by_time = rt[f] > 0 ? n->wt : rc[f] > 0 ? n->wc : 1;
        double by_calls = rc[f] > 0 ? n->wc : rt[f] > 0 ? n->wt : 1;
        double sum_time = rt[f] > 0 ? rt[f] : rc[f] > 0 ? rc[f] : (double)count[f];
        double sum_calls = rc[f] > 0 ? rc[f] : rt[f] > 0 ? rt[f] : (double)count[f];
        ct[f] += by_time;
        cc[f] += by_calls;
        if (++seen[f] == count[f]) {
            n->self_ns = fn->self_ns - gave_ns[f];
            n->calls = fn->calls - gave_calls[f];
        } else {
            long double q = floorl((long double)fn->self_ns * ct[f] / sum_time);
            uint64_t upto = q >= (long double)fn->self_ns ? fn->self_ns : (uint64_t)q;
            n->self_ns = upto > gave_ns[f] ? upto - gave_ns[f] : 0;
            q = floorl((long double)fn->calls * cc[f] / sum_calls);
            upto = q >= (long double)fn->calls ? fn->calls : (uint64_t)q;
            n->calls = upto > gave_calls[f] ? upto - gave_calls[f] : 0;
        }
        gave_ns[f] += n->self_ns;
        gave_calls[f] += n->calls;
        n->total_ns = n->self_ns;
    }
    for (size_t i = b->nnodes; i-- > 0;) {
        const stacks_node *n = &b->nodes[i];
        if (n->parent >= 0) b->nodes[n->parent].total_ns += n->total_ns;
        else s->total_ns += n->total_ns;
    }
    status = 0;
done:
    free(rt);
    free(rc);
    free(ct);
    free(cc);
    free(count);
    free(seen);
    free(gave_ns);
    free(gave_calls);
    return status;
}

int stacks_build(const profile *p, stacks *s)
{
    size_t nf = p->nfunctions;
    builder b = {.p = p};
    size_t *order = NULL;
    int rc = -1;

    memset(s, 0, sizeof *s);
    b.labels = calloc(nf + 1, sizeof *b.labels);
    b.pairs = malloc((p->nedges + 1) * sizeof *b.pairs);
    b.first = calloc(nf + 1, sizeof *b.first);
    b.in_ns = calloc(nf + 1, sizeof *b.in_ns);
    b.in_calls = calloc(nf + 1, sizeof *b.in_calls);
    b.self_calls = calloc(nf + 1, sizeof *b.self_calls);
    b.on_path = calloc(nf + 1, sizeof *b.on_path);
    b.reached = calloc(nf + 1, sizeof *b.reached);
    order = malloc((nf + 1) * sizeof *order);
    if (!b.labels || !b.pairs || !b.first || !b.in_ns || !b.in_calls || !b.self_calls || !b.on_path ||
        !b.reached || !order)
        goto done;
    sort_ctx = &b;
    if (make_labels(&b, order) != 0) goto done;
    index_pairs(&b);
    if (add_roots(&b, order) != 0 || sort_tree(&b) != 0 || distribute(&b, s) != 0) goto done;
    s->nodes = b.nodes;
    s->nnodes = b.nnodes;
    s->labels = b.labels;
    s->nlabels = nf;
    s->truncated = b.truncated;
    b.nodes = NULL;
    b.labels = NULL;
    rc = 0;
done:
    sort_ctx = NULL;
    sort_nodes = NULL;
    if (b.labels != NULL)
        for (size_t i = 0; i < nf; i++) free(b.labels[i]);
    free(b.labels);
    free(b.nodes);
    free(b.pairs);
    free(b.first);
    free(b.in_ns);
    free(b.in_calls);
    free(b.self_calls);
    free(b.on_path);
    free(b.reached);
    free(order);
    if (rc != 0) memset(s, 0, sizeof *s);
    return rc;
}

void stacks_free(stacks *s)
{
    if (s == NULL) return;
    if (s->labels != NULL)
        for (size_t i = 0; i < s->nlabels; i++) free(s->labels[i]);
    free(s->labels);
    free(s->nodes);
    memset(s, 0, sizeof *s);
}
