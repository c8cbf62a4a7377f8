/* report-io.c: the I/O section of the report (format 1.2 "io"), as text and for --json. */
#include "report-io.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum { IO_TOP = 10 }; /* functions listed in the text report */

static uint64_t u64_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? util_u64(v->valuedouble) : 0;
}

typedef struct {
    const cJSON *fn;
    uint64_t calls, bytes, time_ns;
} io_row;

static void io_sum(const cJSON *io, io_row *r)
{
    const cJSON *k;
    cJSON_ArrayForEach(k, io) {
        r->calls += u64_of(k, "calls");
        r->bytes += u64_of(k, "bytes");
        r->time_ns += u64_of(k, "time_ns");
    }
}

static int cmp_row(const void *a, const void *b)
{
    const io_row *x = a, *y = b;
    return (x->time_ns < y->time_ns) - (x->time_ns > y->time_ns);
}

/* The functions with I/O, most time first; *n rows (NULL with *n == 0 when none or OOM). */
static io_row *io_rows(const profile *p, size_t *n)
{
    const cJSON *fns = cJSON_GetObjectItemCaseSensitive(p->root, "functions"), *f;
    size_t cap = (size_t)cJSON_GetArraySize(fns);
    io_row *rows = calloc(cap ? cap : 1, sizeof *rows);
    *n = 0;
    if (rows == NULL) return NULL;
    /* A --filter view keeps a subset of p->functions but shares the document: list only those. */
    bool filtered = p->nfunctions != cap;
    cJSON_ArrayForEach(f, fns) {
        const cJSON *io = cJSON_GetObjectItemCaseSensitive(f, "io");
        if (!cJSON_IsObject(io) || *n >= cap) continue;
        if (filtered) {
            uint64_t id = u64_of(f, "id");
            size_t i = 0;
            while (i < p->nfunctions && p->functions[i].id != id) i++;
            if (i == p->nfunctions) continue;
        }
        rows[*n].fn = f;
        io_sum(io, &rows[*n]);
        (*n)++;
    }
    qsort(rows, *n, sizeof *rows, cmp_row);
    return rows;
}

static const char *fn_name(const cJSON *f)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, "name");
    return cJSON_IsString(v) ? v->valuestring : "?";
}

/* The process totals per kind always cover the whole run (as shares do under --filter). */
int report_io_print(const util_out *o, const profile *p)
{
    const cJSON *io = cJSON_GetObjectItemCaseSensitive(p->root, "io"), *k;
    if (!cJSON_IsObject(io)) return 0;
    char a[UTIL_CELL], b[UTIL_CELL], c[UTIL_CELL], d[UTIL_CELL];
    fprintf(o->out, "\n%s== I/O (calls, bytes transferred, time in the call) ==%s\n", o->head, o->reset);
    fprintf(o->out, "  %-10s %11s %12s %10s %10s\n", "call", "calls", "bytes", "time", "avg");
    cJSON_ArrayForEach(k, io) {
        uint64_t calls = u64_of(k, "calls"), ns = u64_of(k, "time_ns");
        fprintf(o->out, "  %-10s %11s %12s %10s %10s\n", k->string, util_count(a, calls),
                util_bytes(b, u64_of(k, "bytes")), util_duration(c, ns), util_duration(d, calls ? ns / calls : 0));
    }
    size_t n;
    io_row *rows = io_rows(p, &n);
    if (rows == NULL) return -1;
    if (n > 0) fprintf(o->out, "  %sby function (the innermost timed function making the call):%s\n", o->dim, o->reset);
    for (size_t i = 0; i < n && i < IO_TOP; i++) {
        fprintf(o->out, "  %11s %12s %10s  ", util_count(a, rows[i].calls), util_bytes(b, rows[i].bytes),
                util_duration(c, rows[i].time_ns));
        util_put(o->out, fn_name(rows[i].fn));
        fputc('\n', o->out);
    }
    if (n > IO_TOP) fprintf(o->out, "%s  … %zu more functions%s\n", o->dim, n - IO_TOP, o->reset);
    free(rows);
    return 0;
}

int report_io_json(cJSON *root, const profile *p)
{
    const cJSON *io = cJSON_GetObjectItemCaseSensitive(p->root, "io");
    if (!cJSON_IsObject(io)) return 0;
    cJSON *out = cJSON_AddObjectToObject(root, "io"), *arr;
    cJSON *dup = cJSON_Duplicate(io, 1);
    if (out == NULL || dup == NULL || !cJSON_AddItemToObject(out, "kinds", dup)) {
        cJSON_Delete(dup);
        return -1;
    }
    size_t n;
    io_row *rows = io_rows(p, &n);
    if (rows == NULL || (arr = cJSON_AddArrayToObject(out, "functions")) == NULL) {
        free(rows);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        cJSON *e = cJSON_CreateObject();
        if (e == NULL || !cJSON_AddItemToArray(arr, e) || cJSON_AddStringToObject(e, "name", fn_name(rows[i].fn)) == NULL ||
            cJSON_AddNumberToObject(e, "calls", (double)rows[i].calls) == NULL ||
            cJSON_AddNumberToObject(e, "bytes", (double)rows[i].bytes) == NULL ||
            cJSON_AddNumberToObject(e, "time_ns", (double)rows[i].time_ns) == NULL) {
            free(rows);
            return -1;
        }
    }
    free(rows);
    return 0;
}
