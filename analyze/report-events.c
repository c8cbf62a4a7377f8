/* report-events.c: the hardware and OS counters section of the text report (format 1.1 "events"). */
#include "report-events.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum { EVENTS_MAX = 8 }; /* as many as the runtime opens */

static double ev_num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* "IPC 1.23"-style ratios derived from two events of the same object, when both are there;
 * returns how many it printed. */
static int ev_derived(FILE *out, const cJSON *values)
{
    int printed = 0;
    static const struct { const char *num, *den, *fmt; double scale; } d[] = {
        {"instructions", "cycles", "IPC %.2f", 1},
        {"cache-misses", "cache-references", "cache miss %.1f%%", 100},
        {"branch-misses", "branches", "branch miss %.2f%%", 100},
    };
    for (size_t i = 0; i < sizeof d / sizeof *d; i++) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(values, d[i].num);
        const cJSON *q = cJSON_GetObjectItemCaseSensitive(values, d[i].den);
        if (cJSON_IsNumber(n) && cJSON_IsNumber(q) && q->valuedouble > 0) {
            printed++;
            if (out == NULL) continue; /* counting only */
            fputs("  ", out);
            fprintf(out, d[i].fmt, d[i].scale * n->valuedouble / q->valuedouble);
        }
    }
    return printed;
}

typedef struct {
    const char *name;
    double value;
    const cJSON *values;
} ev_row;

static int ev_cmp(const void *a, const void *b)
{
    double x = ((const ev_row *)a)->value, y = ((const ev_row *)b)->value;
    return (x < y) - (x > y);
}

/* Totals per event (and what is derived from them), then the functions with the most of the
 * first supported event (inclusive, as the profile records them). */
int report_events_print(const util_out *o, const profile *p)
{
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(p->root, "events"), *e;
    if (!cJSON_IsArray(events) || cJSON_GetArraySize(events) == 0) return 0;
    char a[UTIL_CELL];
    const char *first = NULL;
    cJSON *totals = cJSON_CreateObject();
    if (totals == NULL) return -1;
    fprintf(o->out, "\n%s== Counters (CPROF_EVENTS, whole run) ==%s\n", o->head, o->reset);
    cJSON_ArrayForEach(e, events) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "name");
        if (!cJSON_IsString(name)) continue;
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "supported"))) {
            fprintf(o->out, "  %-20s %s(not supported here)%s\n", name->valuestring, o->dim, o->reset);
            continue;
        }
        if (first == NULL) first = name->valuestring;
        double total = ev_num(e, "total");
        cJSON_AddNumberToObject(totals, name->valuestring, total);
        fprintf(o->out, "  %-20s %15s\n", name->valuestring, util_count(a, util_u64(total)));
    }
    if (ev_derived(NULL, totals) > 0) {
        fputs("  derived:", o->out);
        ev_derived(o->out, totals);
        fputc('\n', o->out);
    }
    cJSON_Delete(totals);
    if (first == NULL) return 0;

    const cJSON *fns = cJSON_GetObjectItemCaseSensitive(p->root, "functions"), *f;
    size_t cap = (size_t)cJSON_GetArraySize(fns), n = 0;
    ev_row *rows = malloc((cap ? cap : 1) * sizeof *rows);
    if (rows == NULL) return -1;
    cJSON_ArrayForEach(f, fns) {
        const cJSON *values = cJSON_GetObjectItemCaseSensitive(f, "events");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(f, "name");
        if (!cJSON_IsObject(values) || !cJSON_IsString(name) || n >= cap) continue;
        /* a --filter view lists only the functions it kept */
        bool kept = p->nfunctions == cap;
        for (size_t i = 0; !kept && i < p->nfunctions; i++)
            kept = p->functions[i].id == util_u64(ev_num(f, "id"));
        if (!kept) continue;
        rows[n++] = (ev_row){name->valuestring, ev_num(values, first), values};
    }
    qsort(rows, n, sizeof *rows, ev_cmp);
    if (n > 0) fprintf(o->out, "  %sby function, inclusive, most %s first:%s\n", o->dim, first, o->reset);
    for (size_t i = 0; i < n && i < o->top; i++) {
        fprintf(o->out, "  %15s  ", util_count(a, util_u64(rows[i].value)));
        util_put(o->out, rows[i].name);
        ev_derived(o->out, rows[i].values);
        fputc('\n', o->out);
    }
    if (n > o->top) fprintf(o->out, "%s  … %zu more functions%s\n", o->dim, n - o->top, o->reset);
    free(rows);
    return 0;
}
