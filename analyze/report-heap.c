/* report-heap.c: the heap section of the text report (format 1.1 "memory"). */
#include "report-heap.h"

#include <inttypes.h>
#include <stdlib.h>

static uint64_t heap_u64(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? util_u64(v->valuedouble) : 0;
}

static int heap_cmp_fn(const void *a, const void *b)
{
    const profile_function *x = *(const profile_function *const *)a, *y = *(const profile_function *const *)b;
    return (x->allocated_bytes < y->allocated_bytes) - (x->allocated_bytes > y->allocated_bytes);
}

/* The process totals, then the functions (as --filter keeps them) and the call sites that
 * allocated the most bytes. */
int report_heap_print(const util_out *o, const profile *p)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(p->root, "memory");
    if (!cJSON_IsObject(m)) return 0;
    char a[UTIL_CELL], b[UTIL_CELL], c[UTIL_CELL], d[UTIL_CELL], e[UTIL_CELL];
    fprintf(o->out, "\n%s== Heap (the program's malloc family) ==%s\n", o->head, o->reset);
    fprintf(o->out, "  %s allocations, %s reallocations, %s frees; %s requested, peak live %s\n",
            util_count(a, heap_u64(m, "allocations")), util_count(b, heap_u64(m, "reallocations")),
            util_count(c, heap_u64(m, "frees")), util_bytes(d, heap_u64(m, "allocated_bytes")),
            util_bytes(e, heap_u64(m, "peak_live_bytes")));
    fprintf(o->out, "  live when the profile was written (leaks at exit): %s blocks, %s\n",
            util_count(a, heap_u64(m, "live_blocks")), util_bytes(b, heap_u64(m, "live_bytes")));
    const cJSON *cls = cJSON_GetObjectItemCaseSensitive(m, "size_classes");
    fprintf(o->out, "  requests by size: %s small (<= 256 B), %s medium (<= 64 KiB), %s large\n",
            util_count(a, heap_u64(cls, "small")), util_count(b, heap_u64(cls, "medium")),
            util_count(c, heap_u64(cls, "large")));

    const profile_function **fns = malloc((p->nfunctions ? p->nfunctions : 1) * sizeof *fns);
    if (fns == NULL) return -1;
    size_t n = 0;
    for (size_t i = 0; i < p->nfunctions; i++)
        if (p->functions[i].has_memory && p->functions[i].allocations + p->functions[i].reallocations > 0)
            fns[n++] = &p->functions[i];
    qsort(fns, n, sizeof *fns, heap_cmp_fn);
    if (n > 0)
        fprintf(o->out, "  %s%11s %12s %12s  function (the innermost timed one when allocating)%s\n", o->dim,
                "allocations", "bytes", "still live", o->reset);
    for (size_t i = 0; i < n && i < o->top; i++) {
        fprintf(o->out, "  %11s %12s %12s  ", util_count(a, fns[i]->allocations),
                util_bytes(b, fns[i]->allocated_bytes), util_bytes(c, fns[i]->live_bytes));
        util_put(o->out, fns[i]->name);
        fputc('\n', o->out);
    }
    if (n > o->top) fprintf(o->out, "%s  … %zu more functions%s\n", o->dim, n - o->top, o->reset);
    free(fns);

    const cJSON *sites = cJSON_GetObjectItemCaseSensitive(m, "sites"), *s;
    size_t k = 0;
    cJSON_ArrayForEach(s, sites) {
        if (k == 0)
            fprintf(o->out, "  %s%11s %12s  call site (return address in its object)%s\n", o->dim, "allocations",
                    "bytes", o->reset);
        if (k++ >= o->top) continue;
        const cJSON *sym = cJSON_GetObjectItemCaseSensitive(s, "symbol");
        const cJSON *obj = cJSON_GetObjectItemCaseSensitive(s, "object");
        fprintf(o->out, "  %11s %12s  ", util_count(a, heap_u64(s, "allocations")),
                util_bytes(b, heap_u64(s, "allocated_bytes")));
        if (cJSON_IsString(sym) && *sym->valuestring) {
            util_put(o->out, sym->valuestring);
            fprintf(o->out, "+%" PRIu64, heap_u64(s, "symbol_offset"));
        } else {
            util_put(o->out, cJSON_IsString(obj) ? obj->valuestring : "?");
            fprintf(o->out, "+0x%" PRIx64, heap_u64(s, "object_offset"));
        }
        fputc('\n', o->out);
    }
    if (k > o->top) fprintf(o->out, "%s  … %zu more sites%s\n", o->dim, k - o->top, o->reset);
    return 0;
}
