/* merge-sections.c: merge of the 1.1/1.2 sections: memory, events, io (process and per function),
   latency, timeline. */
#include <stdlib.h>
#include <string.h>

#include "merge.h"

#define MERGE_MEM_SITES 64 /* as many sites as the runtime writes */

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsRaw(v) && v->valuestring) return strtod(v->valuestring, NULL); /* merge.c's exact u64 */
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static cJSON *object_in(cJSON *dst, const char *key)
{
    cJSON *d = cJSON_GetObjectItemCaseSensitive(dst, key);
    return cJSON_IsObject(d) ? d : cJSON_AddObjectToObject(dst, key);
}

/* dst += src, member by member: numbers add, objects recurse, arrays are left to the caller. */
static bool add_tree(cJSON *dst, const cJSON *src)
{
    const cJSON *s;
    cJSON_ArrayForEach(s, src) {
        if (cJSON_IsNumber(s)) {
            cJSON *d = cJSON_GetObjectItemCaseSensitive(dst, s->string);
            if (d == NULL) {
                if (cJSON_AddNumberToObject(dst, s->string, s->valuedouble) == NULL) return false;
            } else if (cJSON_IsNumber(d)) cJSON_SetNumberValue(d, d->valuedouble + s->valuedouble);
        } else if (cJSON_IsObject(s)) {
            cJSON *d = object_in(dst, s->string);
            if (d == NULL || !add_tree(d, s)) return false;
        }
    }
    return true;
}

static int cmp_min_bytes(const void *a, const void *b)
{
    double x = num(*(const cJSON *const *)a, "min_bytes"), y = num(*(const cJSON *const *)b, "min_bytes");
    return (x > y) - (x < y);
}

static int cmp_site_bytes(const void *a, const void *b)
{
    double x = num(*(const cJSON *const *)a, "allocated_bytes"), y = num(*(const cJSON *const *)b, "allocated_bytes");
    return (x < y) - (x > y);
}

/* Array entries that match on key (one or two members) have their counts added. */
static bool merge_keyed(cJSON *dst, const cJSON *src, const char *k1, const char *k2, const char *const *adds)
{
    const cJSON *s;
    cJSON_ArrayForEach(s, src) {
        cJSON *d, *hit = NULL;
        cJSON_ArrayForEach(d, dst) {
            if (cJSON_Compare(cJSON_GetObjectItemCaseSensitive(d, k1), cJSON_GetObjectItemCaseSensitive(s, k1), 1) &&
                (k2 == NULL ||
                 cJSON_Compare(cJSON_GetObjectItemCaseSensitive(d, k2), cJSON_GetObjectItemCaseSensitive(s, k2), 1))) {
                hit = d;
                break;
            }
        }
        if (hit == NULL) {
            cJSON *c = cJSON_Duplicate(s, 1);
            if (c == NULL || !cJSON_AddItemToArray(dst, c)) return false;
            continue;
        }
        for (size_t i = 0; adds[i]; i++) {
            cJSON *v = cJSON_GetObjectItemCaseSensitive(hit, adds[i]);
            if (cJSON_IsNumber(v)) cJSON_SetNumberValue(v, v->valuedouble + num(s, adds[i]));
        }
    }
    return true;
}

/* Sorts the array's items with cmp, keeping at most keep of them. */
static bool sort_array(cJSON *arr, int (*cmp)(const void *, const void *), size_t keep)
{
    size_t n = (size_t)cJSON_GetArraySize(arr);
    cJSON **items = malloc((n ? n : 1) * sizeof *items);
    if (items == NULL) return false;
    for (size_t i = 0; i < n; i++) items[i] = cJSON_DetachItemFromArray(arr, 0);
    qsort(items, n, sizeof *items, cmp);
    for (size_t i = 0; i < n; i++)
        if (i >= keep) cJSON_Delete(items[i]);
        else cJSON_AddItemToArray(arr, items[i]);
    free(items);
    return true;
}

/* memory: counts add; peak_live_bytes is the largest peak (a lower bound of the combined peak:
 * the processes' peaks need not coincide); histogram buckets add; sites merge by
 * (object, object_offset), the 64 with the most bytes are kept; sites_total is the number of
 * distinct sites among those the inputs listed (a lower bound). */
static bool merge_memory(cJSON *out, const profile *ps, size_t n)
{
    cJSON *mem = NULL, *hist = NULL, *sites = NULL;
    double peak = 0;
    for (size_t k = 0; k < n; k++) {
        const cJSON *in = cJSON_GetObjectItemCaseSensitive(ps[k].root, "memory");
        if (!cJSON_IsObject(in)) continue;
        if (mem == NULL) {
            if ((mem = cJSON_AddObjectToObject(out, "memory")) == NULL ||
                (hist = cJSON_AddArrayToObject(mem, "histogram")) == NULL ||
                (sites = cJSON_AddArrayToObject(mem, "sites")) == NULL)
                return false;
        }
        static const char *const hadd[] = {"count", NULL};
        static const char *const sadd[] = {"allocations", "allocated_bytes", NULL};
        if (num(in, "peak_live_bytes") > peak) peak = num(in, "peak_live_bytes");
        if (!add_tree(mem, in) ||
            !merge_keyed(hist, cJSON_GetObjectItemCaseSensitive(in, "histogram"), "min_bytes", NULL, hadd) ||
            !merge_keyed(sites, cJSON_GetObjectItemCaseSensitive(in, "sites"), "object", "object_offset", sadd))
            return false;
    }
    if (mem == NULL) return true;
    cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(mem, "peak_live_bytes"), peak);
    cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(mem, "sites_total"), (double)cJSON_GetArraySize(sites));
    return sort_array(hist, cmp_min_bytes, (size_t)-1) && sort_array(sites, cmp_site_bytes, MERGE_MEM_SITES);
}

/* events (CPROF_EVENTS): one entry per event name, in first-seen order; totals add, supported
 * when any input could count it. threads[].events are not carried over. */
static bool merge_events(cJSON *out, const profile *ps, size_t n)
{
    static const char *const add[] = {"total", NULL};
    cJSON *ev = NULL;
    for (size_t k = 0; k < n; k++) {
        const cJSON *in = cJSON_GetObjectItemCaseSensitive(ps[k].root, "events"), *e;
        if (!cJSON_IsArray(in)) continue;
        if ((ev == NULL && (ev = cJSON_AddArrayToObject(out, "events")) == NULL) || !merge_keyed(ev, in, "name", NULL, add))
            return false;
        cJSON_ArrayForEach(e, in) {
            if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "supported"))) continue;
            cJSON *d;
            cJSON_ArrayForEach(d, ev) {
                if (cJSON_Compare(cJSON_GetObjectItemCaseSensitive(d, "name"), cJSON_GetObjectItemCaseSensitive(e, "name"), 1))
                    cJSON_ReplaceItemInObjectCaseSensitive(d, "supported", cJSON_CreateTrue());
            }
        }
    }
    return true;
}

/* timeline: the series of different processes do not add up. One input with a timeline keeps
 * it as is; with several, the section is left out (documented). */
static bool merge_timeline(cJSON *out, const profile *ps, size_t n)
{
    const cJSON *only = NULL;
    for (size_t k = 0; k < n; k++) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(ps[k].root, "timeline");
        if (!cJSON_IsObject(t)) continue;
        if (only != NULL) return true;
        only = t;
    }
    if (only == NULL) return true;
    cJSON *c = cJSON_Duplicate(only, 1);
    return c != NULL && cJSON_AddItemToObject(out, "timeline", c);
}

static int cmp_min_ns(const void *a, const void *b)
{
    double x = num(*(const cJSON *const *)a, "min_ns"), y = num(*(const cJSON *const *)b, "min_ns");
    return (x > y) - (x < y);
}

/* The time below which a share p of the calls in the histogram fell, interpolated inside its
 * bucket and kept within [lo, hi], as the runtime computes it. */
static double latency_percentile(const cJSON *hist, double calls, double p, double lo, double hi)
{
    double rank = p * calls, seen = 0;
    if (rank < 1) rank = 1;
    rank = (double)(unsigned long long)(rank + 0.999999);
    const cJSON *b;
    cJSON_ArrayForEach(b, hist) {
        double c = num(b, "count");
        if (seen + c < rank) {
            seen += c;
            continue;
        }
        double a = num(b, "min_ns"), z = num(b, "max_ns") + 1;
        if (a < lo) a = lo;
        if (z > hi + 1) z = hi + 1;
        double v = z > a ? a + (double)(unsigned long long)((z - a) * (rank - seen) / c) : a;
        if (z > a && v >= z) v = z - 1; /* z is the next bucket's first value */
        return v > hi ? hi : v < lo ? lo : v;
    }
    return hi;
}

/* functions[].latency: the histograms of the functions that merge into one add bucket by
 * bucket (the runtime's buckets have fixed bounds; the last one ends at the largest maximum),
 * and the percentiles are computed again from the sum. */
static bool merge_latency(cJSON **byid, size_t nout, const profile *ps, size_t n, size_t *const *fmap)
{
    for (size_t k = 0; k < n; k++) {
        const cJSON *in = cJSON_GetObjectItemCaseSensitive(ps[k].root, "functions"), *e;
        size_t j = 0;
        cJSON_ArrayForEach(e, in) {
            size_t id = fmap[k][j++];
            const cJSON *lat = cJSON_GetObjectItemCaseSensitive(e, "latency");
            const cJSON *hist = cJSON_GetObjectItemCaseSensitive(lat, "histogram");
            if (id >= nout || !cJSON_IsArray(hist)) continue;
            cJSON *dl = object_in(byid[id], "latency"), *dh;
            if (dl == NULL) return false;
            dh = cJSON_GetObjectItemCaseSensitive(dl, "histogram");
            if (!cJSON_IsArray(dh) && (dh = cJSON_AddArrayToObject(dl, "histogram")) == NULL) return false;
            static const char *const adds[] = {"count", NULL};
            if (!merge_keyed(dh, hist, "min_ns", NULL, adds)) return false;
            const cJSON *b; /* the open-ended last bucket ends at the largest maximum */
            cJSON_ArrayForEach(b, hist) {
                cJSON *d;
                cJSON_ArrayForEach(d, dh) {
                    cJSON *m = cJSON_GetObjectItemCaseSensitive(d, "max_ns");
                    if (num(d, "min_ns") == num(b, "min_ns") && cJSON_IsNumber(m) && num(b, "max_ns") > m->valuedouble)
                        cJSON_SetNumberValue(m, num(b, "max_ns"));
                }
            }
        }
    }
    for (size_t id = 0; id < nout; id++) {
        cJSON *dl = cJSON_GetObjectItemCaseSensitive(byid[id], "latency");
        cJSON *dh = cJSON_GetObjectItemCaseSensitive(dl, "histogram");
        if (!cJSON_IsArray(dh) || !sort_array(dh, cmp_min_ns, (size_t)-1)) continue;
        double calls = 0, lo = num(byid[id], "min_time_ns"), hi = num(byid[id], "max_time_ns");
        const cJSON *b;
        cJSON_ArrayForEach(b, dh) calls += num(b, "count");
        static const char *const keys[] = {"p50_ns", "p95_ns", "p99_ns"};
        static const double ps_[] = {0.50, 0.95, 0.99};
        for (int q = 0; q < 3; q++) {
            cJSON_DeleteItemFromObjectCaseSensitive(dl, keys[q]);
            if (cJSON_AddNumberToObject(dl, keys[q], latency_percentile(dh, calls, ps_[q], lo, hi)) == NULL)
                return false;
        }
        /* the schema's order: percentiles first */
        cJSON *h = cJSON_DetachItemFromObjectCaseSensitive(dl, "histogram");
        if (h == NULL || !cJSON_AddItemToObject(dl, "histogram", h)) return false;
    }
    return true;
}

bool merge_sections(cJSON *out, const profile *ps, size_t n, size_t *const *fmap)
{
    /* functions[].memory and functions[].io add over the functions that merge into one */
    cJSON *fns = cJSON_GetObjectItemCaseSensitive(out, "functions");
    size_t nout = (size_t)cJSON_GetArraySize(fns), i = 0;
    cJSON **byid = malloc((nout ? nout : 1) * sizeof *byid), *f;
    if (byid == NULL) return false;
    cJSON_ArrayForEach(f, fns) byid[i++] = f;
    bool ok = true;
    for (size_t k = 0; ok && k < n; k++) {
        const cJSON *in = cJSON_GetObjectItemCaseSensitive(ps[k].root, "functions"), *e;
        size_t j = 0;
        cJSON_ArrayForEach(e, in) {
            size_t id = fmap[k][j++];
            static const char *const keys[] = {"memory", "io", "events"};
            for (int s = 0; ok && s < 3; s++) {
                const char *key = keys[s];
                const cJSON *sec = cJSON_GetObjectItemCaseSensitive(e, key);
                cJSON *d;
                if (cJSON_IsObject(sec) && id < nout)
                    ok = (d = object_in(byid[id], key)) != NULL && add_tree(d, sec);
            }
        }
    }
    if (ok) ok = merge_latency(byid, nout, ps, n, fmap);
    free(byid);
    if (!ok) return false;
    /* io: calls, bytes and time add per kind */
    cJSON *io = NULL;
    for (size_t k = 0; k < n; k++) {
        const cJSON *in = cJSON_GetObjectItemCaseSensitive(ps[k].root, "io");
        if (!cJSON_IsObject(in)) continue;
        if ((io == NULL && (io = cJSON_AddObjectToObject(out, "io")) == NULL) || !add_tree(io, in)) return false;
    }
    return merge_memory(out, ps, n) && merge_events(out, ps, n) && merge_timeline(out, ps, n);
}
