/* merge.c: `cprof-analyze merge`: counts add, timings combine, sites and call-graph edges matched. */
#include "merge.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* One element of one input: profile k, element i. Sorting these by a key groups the matches. */
typedef struct {
    size_t k, i;
    const profile *p;
} ref;

static const profile_function *ref_fn(const ref *r)
{
    return &r->p->functions[r->i];
}

static const char *fn_key(const profile_function *f)
{
    return *f->linkage_name ? f->linkage_name : f->name;
}

static int cmp_fn_ref(const void *a, const void *b)
{
    const profile_function *x = ref_fn(a), *y = ref_fn(b);
    int c;
    if ((c = strcmp(fn_key(x), fn_key(y))) != 0) return c;
    if ((c = strcmp(x->file, y->file)) != 0) return c;
    if (x->is_static != y->is_static) return x->is_static ? 1 : -1;
    const ref *ra = a, *rb = b;
    return ra->k != rb->k ? (ra->k > rb->k) - (ra->k < rb->k) : (ra->i > rb->i) - (ra->i < rb->i);
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    return a + b < a ? UINT64_MAX : a + b;
}

/* Adds a uint64 member written exactly (not through a double). */
static bool put_u64(cJSON *o, const char *key, uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRIu64, v);
    return cJSON_AddRawToObject(o, key, buf) != NULL;
}

static bool put_str(cJSON *o, const char *key, const char *v)
{
    return cJSON_AddStringToObject(o, key, v) != NULL;
}

static bool put_bool(cJSON *o, const char *key, bool v)
{
    return cJSON_AddBoolToObject(o, key, v) != NULL;
}

/* Id → index of one input's functions, for the sites' "function_id". */
typedef struct {
    uint64_t id;
    size_t index;
} id_slot;

static int cmp_slot(const void *a, const void *b)
{
    uint64_t x = ((const id_slot *)a)->id, y = ((const id_slot *)b)->id;
    return (x > y) - (x < y);
}

/* Everything one merge allocates. */
typedef struct {
    const profile *ps;
    size_t n;
    char *err;
    size_t errlen;
    size_t bad;
    size_t **fmap;    /* fmap[k][i]: merged index of function i of input k */
    size_t **modmap;  /* modmap[k][m]: merged index of module m of input k */
    id_slot **ids;    /* ids[k]: input k's functions by id */
    size_t nmerged;
    cJSON *out;
} merger;

static bool fail(merger *m, size_t k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool fail(merger *m, size_t k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->err, m->errlen, fmt, ap);
    va_end(ap);
    m->bad = k;
    return false;
}

static bool oom(merger *m)
{
    return fail(m, m->n, "out of memory");
}

static void *xcalloc(merger *m, size_t n, size_t size)
{
    void *v = calloc(n ? n : 1, size);
    if (v == NULL) oom(m);
    return v;
}

/* The array member key of input k's JSON tree (NULL when absent). */
static const cJSON *input_array(const merger *m, size_t k, const char *key)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(m->ps[k].root, key);
    return cJSON_IsArray(a) ? a : NULL;
}

static bool merge_modules(merger *m)
{
    cJSON *arr = cJSON_AddArrayToObject(m->out, "modules");
    if (arr == NULL) return oom(m);
    for (size_t k = 0; k < m->n; k++) {
        const cJSON *mods = input_array(m, k, "modules"), *e;
        size_t cnt = mods ? (size_t)cJSON_GetArraySize(mods) : 0, i = 0;
        if ((m->modmap[k] = xcalloc(m, cnt, sizeof **m->modmap)) == NULL) return false;
        cJSON_ArrayForEach(e, mods) {
            const cJSON *src = cJSON_GetObjectItemCaseSensitive(e, "source");
            const cJSON *dir = cJSON_GetObjectItemCaseSensitive(e, "directory");
            const cJSON *fns = cJSON_GetObjectItemCaseSensitive(e, "functions");
            const cJSON *ctr = cJSON_GetObjectItemCaseSensitive(e, "counters");
            if (!cJSON_IsString(src) || !cJSON_IsString(dir) || !cJSON_IsNumber(fns) || !cJSON_IsNumber(ctr) ||
                fns->valuedouble < 0 || ctr->valuedouble < 0)
                return fail(m, k, "modules[%zu]: needs \"source\", \"directory\", \"functions\" and \"counters\"", i);
            size_t j = 0;
            const cJSON *o;
            cJSON_ArrayForEach(o, arr) {
                if (strcmp(cJSON_GetObjectItemCaseSensitive(o, "source")->valuestring, src->valuestring) == 0 &&
                    strcmp(cJSON_GetObjectItemCaseSensitive(o, "directory")->valuestring, dir->valuestring) == 0)
                    break;
                j++;
            }
            if (o == NULL) {
                cJSON *mod = cJSON_CreateObject();
                if (mod == NULL || !cJSON_AddItemToArray(arr, mod)) {
                    cJSON_Delete(mod);
                    return oom(m);
                }
                if (!put_str(mod, "source", src->valuestring) || !put_str(mod, "directory", dir->valuestring) ||
                    !put_u64(mod, "functions", (uint64_t)fns->valuedouble) ||
                    !put_u64(mod, "counters", (uint64_t)ctr->valuedouble))
                    return oom(m);
            }
            m->modmap[k][i++] = j;
        }
    }
    return true;
}

/* The merged index of input k's module number mod; 0 when the input has no such module. */
static size_t module_of(const merger *m, size_t k, uint64_t mod)
{
    const cJSON *mods = input_array(m, k, "modules");
    size_t cnt = mods ? (size_t)cJSON_GetArraySize(mods) : 0;
    return mod < cnt ? m->modmap[k][mod] : 0;
}

static bool emit_function(merger *m, cJSON *arr, const ref *g, size_t ng, size_t id)
{
    const profile_function *f0 = ref_fn(&g[0]);
    uint64_t calls = 0, timed = 0, total = 0, self = 0, unwound = 0, mn = 0, mx = 0;
    double avgsum = 0;
    bool anytimed = false;
    for (size_t j = 0; j < ng; j++) {
        const profile_function *f = ref_fn(&g[j]);
        calls = add_sat(calls, f->calls);
        timed = add_sat(timed, f->timed_calls);
        total = add_sat(total, f->total_ns);
        self = add_sat(self, f->self_ns);
        unwound = add_sat(unwound, f->unwound_calls);
        if (f->timed_calls > 0) {
            mn = !anytimed || f->min_ns < mn ? f->min_ns : mn;
            mx = f->max_ns > mx ? f->max_ns : mx;
            avgsum += (double)f->avg_ns * (double)f->timed_calls;
            anytimed = true;
        }
        m->fmap[g[j].k][g[j].i] = id;
    }
    if (timed > calls) calls = timed; /* never more timed calls than calls */
    const char *timing = calls == 0 ? "not_run" : timed == 0 ? "none" : timed >= calls ? "full" : "partial";
    uint64_t avg = timed > 0 ? (uint64_t)(avgsum / (double)timed + 0.5) : 0;
    cJSON *o = cJSON_CreateObject();
    if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
        cJSON_Delete(o);
        return oom(m);
    }
    if (!put_u64(o, "id", id) || !put_str(o, "name", f0->name) ||
        !put_str(o, "linkage_name", *f0->linkage_name ? f0->linkage_name : f0->name) ||
        !put_str(o, "file", f0->file) || !put_u64(o, "line", f0->line) || !put_u64(o, "column", f0->column) ||
        !put_u64(o, "module", module_of(m, g[0].k, f0->module)) || !put_bool(o, "static", f0->is_static) ||
        !put_u64(o, "calls", calls) || !put_u64(o, "timed_calls", timed) ||
        !put_u64(o, "inlined_calls", calls - timed) || !put_str(o, "timing", timing) ||
        !put_u64(o, "total_time_ns", total) || !put_u64(o, "self_time_ns", self) ||
        !put_u64(o, "avg_time_ns", avg) || !put_u64(o, "min_time_ns", mn) || !put_u64(o, "max_time_ns", mx) ||
        !put_u64(o, "unwound_calls", unwound))
        return oom(m);
    return true;
}

static bool merge_functions(merger *m)
{
    size_t total = 0, r = 0;
    for (size_t k = 0; k < m->n; k++) total += m->ps[k].nfunctions;
    ref *refs = xcalloc(m, total, sizeof *refs);
    cJSON *arr = cJSON_AddArrayToObject(m->out, "functions");
    if (refs == NULL || arr == NULL) {
        free(refs);
        return refs == NULL ? false : oom(m);
    }
    for (size_t k = 0; k < m->n; k++) {
        if ((m->fmap[k] = xcalloc(m, m->ps[k].nfunctions, sizeof **m->fmap)) == NULL ||
            (m->ids[k] = xcalloc(m, m->ps[k].nfunctions, sizeof **m->ids)) == NULL) {
            free(refs);
            return false;
        }
        for (size_t i = 0; i < m->ps[k].nfunctions; i++) {
            refs[r++] = (ref){k, i, &m->ps[k]};
            m->ids[k][i] = (id_slot){m->ps[k].functions[i].id, i};
        }
        qsort(m->ids[k], m->ps[k].nfunctions, sizeof **m->ids, cmp_slot);
    }
    qsort(refs, total, sizeof *refs, cmp_fn_ref);
    for (size_t s = 0; s < total;) {
        size_t e = s + 1;
        const profile_function *a = ref_fn(&refs[s]);
        while (e < total) {
            const profile_function *b = ref_fn(&refs[e]);
            if (strcmp(fn_key(a), fn_key(b)) != 0 || strcmp(a->file, b->file) != 0 || a->is_static != b->is_static)
                break;
            e++;
        }
        if (!emit_function(m, arr, refs + s, e - s, m->nmerged++)) {
            free(refs);
            return false;
        }
        s = e;
    }
    free(refs);
    return true;
}

/* The merged index of the function input k calls id (or, without an id, the one named name). */
static bool site_function(merger *m, size_t k, const cJSON *e, const char *what, size_t i, const char *name,
                          size_t *out)
{
    const cJSON *idv = cJSON_GetObjectItemCaseSensitive(e, "function_id");
    const profile *p = &m->ps[k];
    if (cJSON_IsNumber(idv) && idv->valuedouble >= 0) {
        id_slot key = {(uint64_t)idv->valuedouble, 0};
        id_slot *hit = bsearch(&key, m->ids[k], p->nfunctions, sizeof key, cmp_slot);
        if (hit != NULL) {
            *out = m->fmap[k][hit->index];
            return true;
        }
    }
    long found = -1;
    for (size_t f = 0; f < p->nfunctions; f++)
        if (strcmp(p->functions[f].name, name) == 0) {
            if (found >= 0) {
                found = -2;
                break;
            }
            found = (long)f;
        }
    if (found < 0)
        return fail(m, k, "%s[%zu]: \"function_id\" names no function and \"function\" does not name exactly one",
                    what, i);
    *out = m->fmap[k][found];
    return true;
}

/* A loop, branch or switch of one input, found by file, line, column and function name. */
typedef struct {
    const char *file, *function, *location;
    uint64_t line, column;
    size_t k, i;
    const cJSON *json;
} site_ref;

static int cmp_site(const void *a, const void *b)
{
    const site_ref *x = a, *y = b;
    int c;
    if ((c = strcmp(x->file, y->file)) != 0) return c;
    if (x->line != y->line) return (x->line > y->line) - (x->line < y->line);
    if (x->column != y->column) return (x->column > y->column) - (x->column < y->column);
    if ((c = strcmp(x->function, y->function)) != 0) return c;
    return x->k != y->k ? (x->k > y->k) - (x->k < y->k) : (x->i > y->i) - (x->i < y->i);
}

static bool same_site(const site_ref *x, const site_ref *y)
{
    return strcmp(x->file, y->file) == 0 && x->line == y->line && x->column == y->column &&
           strcmp(x->function, y->function) == 0;
}

enum site_kind { SITE_LOOP, SITE_BRANCH, SITE_SWITCH };

static bool emit_site(merger *m, cJSON *arr, enum site_kind kind, const site_ref *g, size_t ng)
{
    static const char *const names[] = {"loops", "branches", "switches"};
    size_t fid = 0;
    char loc[256];
    if (!site_function(m, g[0].k, g[0].json, names[kind], g[0].i, g[0].function, &fid)) return false;
    cJSON *o = cJSON_CreateObject();
    if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
        cJSON_Delete(o);
        return oom(m);
    }
    if (*g[0].location != '\0') snprintf(loc, sizeof loc, "%s", g[0].location);
    else snprintf(loc, sizeof loc, "%s:%" PRIu64, *g[0].file ? g[0].file : "?", g[0].line);
    if (!put_str(o, "location", loc) || !put_str(o, "file", g[0].file) || !put_u64(o, "line", g[0].line) ||
        !put_u64(o, "column", g[0].column) || !put_str(o, "function", g[0].function) ||
        !put_u64(o, "function_id", fid))
        return oom(m);
    if (kind == SITE_LOOP) {
        uint64_t it = 0, en = 0;
        for (size_t j = 0; j < ng; j++) {
            const profile_loop *l = &m->ps[g[j].k].loops[g[j].i];
            it = add_sat(it, l->iterations);
            en = add_sat(en, l->entries);
        }
        uint64_t depth = m->ps[g[0].k].loops[g[0].i].depth;
        if (!put_u64(o, "depth", depth ? depth : 1) || !put_u64(o, "iterations", it) || !put_u64(o, "entries", en))
            return oom(m);
    } else if (kind == SITE_BRANCH) {
        uint64_t t = 0, nt = 0;
        for (size_t j = 0; j < ng; j++) {
            const profile_branch *b = &m->ps[g[j].k].branches[g[j].i];
            t = add_sat(t, b->taken);
            nt = add_sat(nt, b->not_taken);
        }
        double runs = (double)t + (double)nt;
        if (!put_u64(o, "taken", t) || !put_u64(o, "not_taken", nt) ||
            cJSON_AddNumberToObject(o, "prediction_rate", runs > 0 ? (double)(t > nt ? t : nt) / runs : 0) == NULL)
            return oom(m);
    } else {
        /* Cases by label, in the order they first appear. */
        size_t maxc = 0;
        for (size_t j = 0; j < ng; j++) maxc += m->ps[g[j].k].switches[g[j].i].ncases;
        const char **labels = xcalloc(m, maxc, sizeof *labels);
        uint64_t *counts = xcalloc(m, maxc, sizeof *counts), total = 0;
        size_t nl = 0;
        if (labels == NULL || counts == NULL) {
            free(labels);
            free(counts);
            return false;
        }
        for (size_t j = 0; j < ng; j++) {
            const profile_switch *s = &m->ps[g[j].k].switches[g[j].i];
            for (size_t c = 0; c < s->ncases; c++) {
                size_t x = 0;
                while (x < nl && strcmp(labels[x], s->cases[c].label) != 0) x++;
                if (x == nl) labels[nl++] = s->cases[c].label;
                counts[x] = add_sat(counts[x], s->cases[c].count);
                total = add_sat(total, s->cases[c].count);
            }
        }
        cJSON *cases = NULL;
        bool ok = put_u64(o, "total", total) && (cases = cJSON_AddArrayToObject(o, "cases")) != NULL;
        for (size_t x = 0; ok && x < nl; x++) {
            cJSON *c = cJSON_CreateObject();
            if (c == NULL || !cJSON_AddItemToArray(cases, c)) {
                cJSON_Delete(c);
                ok = false;
                break;
            }
            ok = put_str(c, "label", labels[x]) && put_u64(c, "count", counts[x]);
        }
        free(labels);
        free(counts);
        if (!ok) return oom(m);
    }
    return true;
}

static bool merge_sites(merger *m, enum site_kind kind)
{
    static const char *const names[] = {"loops", "branches", "switches"};
    size_t total = 0, r = 0;
    for (size_t k = 0; k < m->n; k++)
        total += kind == SITE_LOOP ? m->ps[k].nloops : kind == SITE_BRANCH ? m->ps[k].nbranches : m->ps[k].nswitches;
    site_ref *refs = xcalloc(m, total, sizeof *refs);
    cJSON *arr = cJSON_AddArrayToObject(m->out, names[kind]);
    if (refs == NULL || arr == NULL) {
        free(refs);
        return refs == NULL ? false : oom(m);
    }
    for (size_t k = 0; k < m->n; k++) {
        const cJSON *js = input_array(m, k, names[kind]), *e;
        size_t i = 0;
        cJSON_ArrayForEach(e, js) {
            site_ref *s = &refs[r++];
            const profile *p = &m->ps[k];
            s->k = k, s->i = i, s->json = e;
            if (kind == SITE_LOOP) {
                const profile_loop *l = &p->loops[i];
                s->file = l->file, s->function = l->function, s->location = l->location, s->line = l->line,
                s->column = l->column;
            } else if (kind == SITE_BRANCH) {
                const profile_branch *b = &p->branches[i];
                s->file = b->file, s->function = b->function, s->location = b->location, s->line = b->line,
                s->column = b->column;
            } else {
                const profile_switch *w = &p->switches[i];
                s->file = w->file, s->function = w->function, s->location = w->location, s->line = w->line,
                s->column = w->column;
                if (w->ncases == 0) {
                    free(refs);
                    return fail(m, k, "switches[%zu]: no cases", i);
                }
            }
            i++;
        }
    }
    qsort(refs, total, sizeof *refs, cmp_site);
    for (size_t s = 0; s < total;) {
        size_t e = s + 1;
        while (e < total && same_site(&refs[s], &refs[e])) e++;
        if (!emit_site(m, arr, kind, refs + s, e - s)) {
            free(refs);
            return false;
        }
        s = e;
    }
    free(refs);
    return true;
}

/* A call-graph end: the merged index of the function, by the input's resolved index. */
static bool edge_end(merger *m, size_t k, size_t i, long index, const char *name, size_t *out)
{
    if (index < 0)
        return fail(m, k, "call_graph[%zu]: \"%s\" is not one function of the profile (give the *_id fields)", i,
                    name);
    *out = m->fmap[k][index];
    return true;
}

typedef struct {
    size_t caller, callee;
    bool indirect;
    uint64_t calls, total_ns;
} merged_edge;

static int cmp_edge(const void *a, const void *b)
{
    const merged_edge *x = a, *y = b;
    if (x->caller != y->caller) return (x->caller > y->caller) - (x->caller < y->caller);
    if (x->callee != y->callee) return (x->callee > y->callee) - (x->callee < y->callee);
    return (int)x->indirect - (int)y->indirect;
}

static bool merge_edges(merger *m, const cJSON *functions)
{
    size_t total = 0, r = 0;
    for (size_t k = 0; k < m->n; k++) total += m->ps[k].nedges;
    merged_edge *v = xcalloc(m, total, sizeof *v);
    cJSON *arr = cJSON_AddArrayToObject(m->out, "call_graph");
    const cJSON **byid = xcalloc(m, m->nmerged, sizeof *byid), *f;
    bool ok = false;
    if (v == NULL || arr == NULL || byid == NULL) {
        if (arr == NULL) oom(m);
        goto done;
    }
    size_t idx = 0;
    cJSON_ArrayForEach(f, functions) byid[idx++] = f;
    for (size_t k = 0; k < m->n; k++)
        for (size_t i = 0; i < m->ps[k].nedges; i++) {
            const profile_edge *e = &m->ps[k].edges[i];
            merged_edge *x = &v[r++];
            if (!edge_end(m, k, i, e->caller_index, e->caller, &x->caller) ||
                !edge_end(m, k, i, e->callee_index, e->callee, &x->callee))
                goto done;
            x->indirect = e->indirect, x->calls = e->calls, x->total_ns = e->total_ns;
        }
    qsort(v, total, sizeof *v, cmp_edge);
    for (size_t s = 0; s < total;) {
        size_t e = s + 1;
        uint64_t calls = v[s].calls, ns = v[s].total_ns;
        while (e < total && cmp_edge(&v[s], &v[e]) == 0) {
            calls = add_sat(calls, v[e].calls);
            ns = add_sat(ns, v[e].total_ns);
            e++;
        }
        cJSON *o = cJSON_CreateObject();
        if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            oom(m);
            goto done;
        }
        const char *caller = cJSON_GetObjectItemCaseSensitive(byid[v[s].caller], "name")->valuestring;
        const char *callee = cJSON_GetObjectItemCaseSensitive(byid[v[s].callee], "name")->valuestring;
        if (!put_str(o, "caller", caller) || !put_str(o, "callee", callee) || !put_u64(o, "caller_id", v[s].caller) ||
            !put_u64(o, "callee_id", v[s].callee) || !put_u64(o, "calls", calls) || !put_u64(o, "total_time_ns", ns) ||
            !put_str(o, "kind", v[s].indirect ? "indirect" : "direct")) {
            oom(m);
            goto done;
        }
        s = e;
    }
    ok = true;
done:
    free(v);
    free(byid);
    return ok;
}

static bool merge_threads(merger *m, uint64_t *count)
{
    cJSON *arr = cJSON_AddArrayToObject(m->out, "threads");
    uint64_t id = 0;
    if (arr == NULL) return oom(m);
    for (size_t k = 0; k < m->n; k++)
        for (size_t i = 0; i < m->ps[k].nthreads; i++) {
            const profile_thread *t = &m->ps[k].threads[i];
            cJSON *o = cJSON_CreateObject();
            if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
                cJSON_Delete(o);
                return oom(m);
            }
            if (!put_u64(o, "id", id++) || !put_u64(o, "tid", t->tid) || !put_str(o, "name", t->name) ||
                !put_bool(o, "main", t->is_main) || !put_u64(o, "timed_calls", t->timed_calls) ||
                !put_u64(o, "max_depth", t->max_depth) || !put_u64(o, "unwound_frames", t->unwound_frames) ||
                !put_u64(o, "runtime_ns", t->runtime_ns))
                return oom(m);
        }
    *count = id;
    return true;
}

static bool merge_header(merger *m)
{
    const profile *p0 = &m->ps[0];
    uint64_t ts = 0;
    for (size_t k = 0; k < m->n; k++)
        if (m->ps[k].timestamp > ts) ts = m->ps[k].timestamp;
    cJSON *argv = cJSON_CreateArray();
    const cJSON *a0 = input_array(m, 0, "argv"), *a;
    if (argv == NULL) return oom(m);
    cJSON_ArrayForEach(a, a0) {
        cJSON *s = cJSON_CreateString(cJSON_IsString(a) ? a->valuestring : "");
        if (s == NULL || !cJSON_AddItemToArray(argv, s)) {
            cJSON_Delete(s);
            cJSON_Delete(argv);
            return oom(m);
        }
    }
    if (!put_str(m->out, "version", "1.0") || !put_str(m->out, "tool", "cprof") || !put_u64(m->out, "timestamp", ts) ||
        !put_str(m->out, "binary", p0->binary) || !put_u64(m->out, "pid", p0->pid) ||
        !put_str(m->out, "command_line", p0->command_line) || !cJSON_AddItemToObject(m->out, "argv", argv)) {
        if (cJSON_GetObjectItemCaseSensitive(m->out, "argv") != argv) cJSON_Delete(argv);
        return oom(m);
    }
    return put_str(m->out, "clock", *p0->clock ? p0->clock : "CLOCK_MONOTONIC") || oom(m);
}

static bool merge_statistics(merger *m, uint64_t threads)
{
    uint64_t runtime = 0, timed = 0, overhead = 0, unwound = 0, dropped = 0, hook = 0;
    uint64_t bursts = 0, burst_ns = 0, rate = m->ps[0].stats.burst_rate;
    for (size_t k = 0; k < m->n; k++) {
        const profile_statistics *s = &m->ps[k].stats;
        /* A sum of sampled and whole-run counts estimates nothing. */
        if (s->burst_rate != rate)
            return fail(m, k, "recorded with CPROF_SAMPLE=%" PRIu64 ", the first profile with CPROF_SAMPLE=%" PRIu64
                        ": only profiles of one sampling rate can be merged",
                        s->burst_rate ? s->burst_rate : 1, rate ? rate : 1);
        bursts = add_sat(bursts, s->burst_count);
        burst_ns = add_sat(burst_ns, s->burst_recorded_ns);
        runtime = add_sat(runtime, s->total_runtime_ns);
        timed = add_sat(timed, s->timed_calls);
        overhead = add_sat(overhead, s->overhead_estimate_ns);
        unwound = add_sat(unwound, s->unwound_frames);
        dropped = add_sat(dropped, s->dropped_frames);
        if (k == 0) hook = s->hook_cost_ns;
    }
    /* The hook cost that gives the summed overhead for the summed timed calls. */
    if (timed > 0) hook = (uint64_t)((double)overhead / (double)timed + 0.5);
    cJSON *st = cJSON_CreateObject();
    if (st == NULL || !cJSON_AddItemToObject(m->out, "statistics", st)) {
        cJSON_Delete(st);
        return oom(m);
    }
    const cJSON *mods = cJSON_GetObjectItemCaseSensitive(m->out, "modules");
    if (!put_u64(st, "total_runtime_ns", runtime) || !put_u64(st, "timed_calls", timed) ||
        !put_u64(st, "hook_cost_ns", hook) || !put_u64(st, "overhead_estimate_ns", overhead) ||
        cJSON_AddNumberToObject(st, "overhead_estimate_percent",
                                runtime > 0 ? 100.0 * (double)overhead / (double)runtime : 0) == NULL ||
        !put_u64(st, "modules", (uint64_t)cJSON_GetArraySize(mods)) || !put_u64(st, "threads", threads) ||
        !put_u64(st, "unwound_frames", unwound) || !put_u64(st, "dropped_frames", dropped))
        return oom(m);
    if (rate > 0) {
        cJSON *b = cJSON_AddObjectToObject(st, "bursts");
        if (b == NULL || !put_u64(b, "rate", rate) || !put_u64(b, "count", bursts) ||
            !put_u64(b, "recorded_ns", burst_ns))
            return oom(m);
    }
    return true;
}

/* Moves the member key to the end, so the output keeps the order of doc/PROFILE-FORMAT.md. */
static void move_last(cJSON *o, const char *key)
{
    cJSON *item = cJSON_DetachItemFromObjectCaseSensitive(o, key);
    if (item != NULL) cJSON_AddItemToObject(o, key, item);
}

cJSON *merge_profiles(const profile *ps, size_t n, char *err, size_t errlen, size_t *bad)
{
    merger m = {ps, n, err, errlen, n, NULL, NULL, NULL, 0, NULL};
    uint64_t threads = 0;
    bool ok = false;
    if ((m.out = cJSON_CreateObject()) == NULL || (m.fmap = xcalloc(&m, n, sizeof *m.fmap)) == NULL ||
        (m.modmap = xcalloc(&m, n, sizeof *m.modmap)) == NULL || (m.ids = xcalloc(&m, n, sizeof *m.ids)) == NULL) {
        if (m.out == NULL) oom(&m);
        goto done;
    }
    if (!merge_header(&m) || !merge_modules(&m) || !merge_functions(&m) ||
        !merge_edges(&m, cJSON_GetObjectItemCaseSensitive(m.out, "functions")) || !merge_sites(&m, SITE_LOOP) ||
        !merge_sites(&m, SITE_BRANCH) || !merge_sites(&m, SITE_SWITCH) || !merge_threads(&m, &threads) ||
        !merge_statistics(&m, threads))
        goto done;
    if (!merge_sections(m.out, ps, n, m.fmap)) {
        oom(&m);
        goto done;
    }
    /* 1.0 unless a section of a later format was merged */
    if (cJSON_GetObjectItemCaseSensitive(m.out, "memory") || cJSON_GetObjectItemCaseSensitive(m.out, "io") ||
        cJSON_GetObjectItemCaseSensitive(m.out, "timeline") || cJSON_GetObjectItemCaseSensitive(m.out, "events"))
    {
        /* 1.1 made statistics.sample_rate required: the largest CPROF_SAMPLE_CALLS of the inputs.
           The merged file is 1.4: it reads as 1.4 (its timing values are a subset of 1.4's). */
        double rate = 1;
        for (size_t k = 0; k < n; k++) {
            const cJSON *r = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(ps[k].root, "statistics"), "sample_rate");
            if (cJSON_IsNumber(r) && r->valuedouble > rate) rate = r->valuedouble;
        }
        cJSON_ReplaceItemInObjectCaseSensitive(m.out, "version", cJSON_CreateString("1.4"));
        cJSON_AddNumberToObject(cJSON_GetObjectItemCaseSensitive(m.out, "statistics"), "sample_rate", rate);
    }
    if (ps[0].stats.burst_rate > 0) /* statistics.bursts is 1.4's */
        cJSON_ReplaceItemInObjectCaseSensitive(m.out, "version", cJSON_CreateString("1.4"));
    static const char *const order[] = {"modules", "functions", "call_graph", "loops", "branches", "switches", "threads"};
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) move_last(m.out, order[i]);
    ok = true;
done:
    for (size_t k = 0; k < n; k++) {
        if (m.fmap) free(m.fmap[k]);
        if (m.modmap) free(m.modmap[k]);
        if (m.ids) free(m.ids[k]);
    }
    free(m.fmap);
    free(m.modmap);
    free(m.ids);
    *bad = m.bad;
    if (!ok) {
        cJSON_Delete(m.out);
        return NULL;
    }
    return m.out;
}

/* Writes text to path through a temporary file renamed into place ("-" is stdout). */
static int write_atomically(const char *path, const char *text, char *err, size_t errlen)
{
    if (strcmp(path, "-") == 0) {
        if (fputs(text, stdout) == EOF || fflush(stdout) != 0) {
            snprintf(err, errlen, "cannot write: %s", strerror(errno));
            return -1;
        }
        return 0;
    }
    size_t len = strlen(path) + 32;
    char *tmp = malloc(len);
    if (tmp == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(tmp, len, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        snprintf(err, errlen, "cannot create: %s", strerror(errno));
        free(tmp);
        return -1;
    }
    bool ok = fputs(text, f) != EOF;
    int saved = errno;
    if (fclose(f) != 0 && ok) ok = false, saved = errno;
    if (ok && rename(tmp, path) != 0) ok = false, saved = errno;
    if (!ok) {
        snprintf(err, errlen, "cannot write: %s", strerror(saved));
        unlink(tmp);
    }
    free(tmp);
    return ok ? 0 : -1;
}

static int merge_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "cprof-analyze: merge: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nusage: cprof-analyze merge PROFILE.json... -o OUT.json\n");
    return 2;
}

int merge_main(int argc, char **argv)
{
    const char *outpath = NULL;
    const char **paths = calloc((size_t)argc + 1, sizeof *paths);
    size_t n = 0;
    bool options = true;
    int status = 2;
    profile *ps = NULL;
    char err[512];

    if (paths == NULL) {
        fprintf(stderr, "cprof-analyze: merge: out of memory\n");
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options && strcmp(a, "--") == 0) options = false;
        else if (options && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
            printf("usage: cprof-analyze merge PROFILE.json... -o OUT.json\n\n"
                   "Combines the profiles of several processes or runs into one (\"-\" writes to stdout).\n"
                   "Functions match by (linkage_name, file, static); loops, branches and switches by\n"
                   "(file, line, column, function); call-graph edges by (caller, callee, kind). Counts and\n"
                   "times add; min_time_ns is the minimum of the minimums, max_time_ns the maximum of the\n"
                   "maximums, avg_time_ns the average over all timed calls; threads are concatenated.\n"
                   "memory and io add (peak_live_bytes is the largest peak); a timeline is kept only\n"
                   "when a single profile has one.\n");
            free(paths);
            return 0;
        } else if (options && (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0)) {
            if (i + 1 >= argc) {
                free(paths);
                return merge_usage("%s needs a file name", a);
            }
            outpath = argv[++i];
        } else if (options && strncmp(a, "--output=", 9) == 0) outpath = a + 9;
        else if (options && a[0] == '-' && a[1] != '\0') {
            free(paths);
            return merge_usage("unknown option '%s'", a);
        } else paths[n++] = a;
    }
    if (n == 0 || outpath == NULL) {
        free(paths);
        return merge_usage("%s", n == 0 ? "no profiles given" : "no output file given (-o OUT.json)");
    }
    if ((ps = calloc(n, sizeof *ps)) == NULL) {
        fprintf(stderr, "cprof-analyze: merge: out of memory\n");
        free(paths);
        return 2;
    }
    for (size_t k = 0; k < n; k++)
        if (profile_load(paths[k], &ps[k], err, sizeof err) != 0) {
            fprintf(stderr, "cprof-analyze: ");
            util_put(stderr, paths[k]);
            fprintf(stderr, ": %s\n", err);
            goto done;
        }
    size_t bad;
    cJSON *merged = merge_profiles(ps, n, err, sizeof err, &bad);
    if (merged == NULL) {
        fprintf(stderr, "cprof-analyze: ");
        util_put(stderr, bad < n ? paths[bad] : outpath);
        fprintf(stderr, ": %s\n", err);
        goto done;
    }
    char *text = cJSON_Print(merged);
    cJSON_Delete(merged);
    if (text == NULL) {
        fprintf(stderr, "cprof-analyze: merge: out of memory\n");
        goto done;
    }
    size_t tl = strlen(text);
    char *withnl = realloc(text, tl + 2);
    if (withnl != NULL) text = withnl, text[tl] = '\n', text[tl + 1] = '\0';
    if (write_atomically(outpath, text, err, sizeof err) != 0) {
        fprintf(stderr, "cprof-analyze: ");
        util_put(stderr, outpath);
        fprintf(stderr, ": %s\n", err);
    } else status = 0;
    free(text);
done:
    for (size_t k = 0; k < n; k++) profile_free(&ps[k]);
    free(ps);
    free(paths);
    return status;
}
