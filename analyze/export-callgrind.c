/* export-callgrind.c: the call graph in callgrind format, for callgrind_annotate and KCachegrind. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "export.h"

/* qsort has no context argument: the profile being sorted. */
static const profile *sort_profile;

/* Functions by file, then name, then index; "" files sort first. */
static int cmp_fn(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    const profile_function *fx = &sort_profile->functions[x], *fy = &sort_profile->functions[y];
    int c;
    if ((c = strcmp(fx->file, fy->file)) != 0) return c;
    if ((c = strcmp(fx->name, fy->name)) != 0) return c;
    return (x > y) - (x < y);
}

/* Edges by caller, then callee name, then callee index, direct before indirect. */
static int cmp_edge(const void *a, const void *b)
{
    const profile_edge *x = &sort_profile->edges[*(const size_t *)a];
    const profile_edge *y = &sort_profile->edges[*(const size_t *)b];
    int c;
    if (x->caller_index != y->caller_index) return x->caller_index < y->caller_index ? -1 : 1;
    if ((c = strcmp(sort_profile->functions[x->callee_index].name,
                    sort_profile->functions[y->callee_index].name)) != 0)
        return c;
    if (x->callee_index != y->callee_index) return x->callee_index < y->callee_index ? -1 : 1;
    return (int)x->indirect - (int)y->indirect;
}

static bool ran(const profile_function *f)
{
    return f->calls > 0 || f->self_ns > 0 || f->total_ns > 0;
}

/* Name compression: "(id) name" the first time, "(id)" afterwards. ids are 1-based; 0 = not yet. */
static void put_name(FILE *out, const char *key, size_t *ids, size_t slot, size_t *next, const char *name)
{
    if (ids[slot] != 0) {
        fprintf(out, "%s=(%zu)\n", key, ids[slot]);
        return;
    }
    ids[slot] = ++*next;
    fprintf(out, "%s=(%zu) ", key, ids[slot]);
    escape_line(out, *name ? name : "?");
    fputc('\n', out);
}

/* One "fn=" block per function that ran: its self time at its own line, then one "calls=" pair per
 * executed call-graph edge with the callee's inclusive time from that caller (positions are the
 * functions' first lines; call sites have no line of their own in the profile). Self-calls are left
 * out: a recursive function's nested activations are already inside its own inclusive time. The
 * "ns" event is wall-clock time; summary is the sum of the self times. */
int export_callgrind(const profile *p, FILE *out)
{
    size_t nf = p->nfunctions, n = 0, ne = 0, nfile = 0, nfn = 0;
    size_t *order = malloc((nf + 1) * sizeof *order), *fslot = calloc(nf + 1, sizeof *fslot);
    size_t *edges = malloc((p->nedges + 1) * sizeof *edges), *first = calloc(nf + 2, sizeof *first);
    size_t *file_id = calloc(nf + 1, sizeof *file_id), *fn_id = calloc(nf + 1, sizeof *fn_id);
    uint64_t summary = 0;
    int rc = -1;
    if (!order || !fslot || !edges || !first || !file_id || !fn_id) goto done;

    sort_profile = p;
    for (size_t f = 0; f < nf; f++)
        if (ran(&p->functions[f])) order[n++] = f;
    if (n > 1) qsort(order, n, sizeof *order, cmp_fn);
    /* fslot[f]: the first function in output order with f's file, which names the file's id. */
    for (size_t r = 0; r < n; r++)
        fslot[order[r]] = r > 0 && strcmp(p->functions[order[r - 1]].file, p->functions[order[r]].file) == 0
                              ? fslot[order[r - 1]] : order[r];
    for (size_t i = 0; i < p->nedges; i++) {
        const profile_edge *e = &p->edges[i];
        if (e->caller_index < 0 || e->callee_index < 0 || e->caller_index == e->callee_index) continue;
        if (e->calls == 0 && e->total_ns == 0) continue;
        edges[ne++] = i;
    }
    if (ne > 1) qsort(edges, ne, sizeof *edges, cmp_edge);
    for (size_t i = 0; i < ne; i++) first[p->edges[edges[i]].caller_index + 1]++;
    for (size_t f = 0; f < nf; f++) first[f + 1] += first[f];
    for (size_t r = 0; r < n; r++) summary += p->functions[order[r]].self_ns;

    fprintf(out, "# callgrind format\nversion: 1\ncreator: cprof-analyze\n");
    if (p->has_pid) fprintf(out, "pid: %" PRIu64 "\n", p->pid);
    if (*p->command_line) {
        fprintf(out, "cmd: ");
        escape_line(out, p->command_line);
        fputc('\n', out);
    }
    fprintf(out, "positions: line\nevent: ns : Wall-clock time (ns)\nevents: ns\nsummary: %" PRIu64 "\n",
            summary);
    for (size_t r = 0; r < n; r++) {
        size_t f = order[r];
        const profile_function *fn = &p->functions[f];
        size_t slot = fslot[f];
        fputc('\n', out);
        put_name(out, "fl", file_id, slot, &nfile, fn->file);
        put_name(out, "fn", fn_id, f, &nfn, fn->name);
        fprintf(out, "%" PRIu64 " %" PRIu64 "\n", fn->line, fn->self_ns);
        for (size_t k = first[f]; k < first[f + 1]; k++) {
            const profile_edge *e = &p->edges[edges[k]];
            size_t g = (size_t)e->callee_index;
            const profile_function *callee = &p->functions[g];
            if (!ran(callee)) continue;
            size_t gslot = fslot[g];
            put_name(out, "cfi", file_id, gslot, &nfile, callee->file);
            put_name(out, "cfn", fn_id, g, &nfn, callee->name);
            fprintf(out, "calls=%" PRIu64 " %" PRIu64 "\n%" PRIu64 " %" PRIu64 "\n", e->calls, callee->line,
                    fn->line, e->total_ns);
        }
    }
    rc = 0;
done:
    sort_profile = NULL;
    free(order);
    free(fslot);
    free(edges);
    free(first);
    free(file_id);
    free(fn_id);
    return rc;
}
