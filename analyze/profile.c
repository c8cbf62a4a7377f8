/* profile.c: reads a cprof JSON profile and checks every field it uses into the structs of profile.h. */
#include "profile.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"

/* State of one load: where the first error goes (every checker returns false after recording it),
 * and where the last member lookup succeeded. */
typedef struct {
    char *err;
    size_t errlen;
    const cJSON *hint_obj, *hint; /* hint: the member of hint_obj found last */
} loader;

static bool load_fail(loader *ld, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool load_fail(loader *ld, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ld->err, ld->errlen, fmt, ap);
    va_end(ap);
    return false;
}

/* "a string", "an array"…: how an unexpected value is named in messages. */
static const char *json_kind(const cJSON *v)
{
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsArray(v)) return "an array";
    if (cJSON_IsObject(v)) return "an object";
    return "an invalid value";
}

/* Copies s into buf for quoting in a message: control bytes become '?', long strings are cut. */
static const char *quotable(char *buf, size_t len, const char *s)
{
    size_t i = 0;
    for (; s[i] != '\0' && i + 1 < len; i++)
        buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
    buf[i] = '\0';
    if (s[i] != '\0' && len > 4) memcpy(buf + len - 4, "...", 4);
    return buf;
}

/* The member key of obj (keys are case-sensitive), NULL when absent. The loader asks for the fields
 * of an object in the order the runtime writes them, so the search starts after the member found
 * last and usually succeeds at once: cJSON_GetObjectItemCaseSensitive from the start made loading
 * quadratic in the number of fields. (With duplicate keys, which one is read is unspecified, as in
 * RFC 8259.) */
static const cJSON *member(loader *ld, const cJSON *obj, const char *key)
{
    const cJSON *start = obj == NULL ? NULL : ld->hint_obj == obj ? ld->hint->next : obj->child;
    if (obj == NULL) return NULL;
    for (const cJSON *c = start; c != NULL; c = c->next)
        if (c->string != NULL && strcmp(c->string, key) == 0) {
            ld->hint_obj = obj, ld->hint = c;
            return c;
        }
    for (const cJSON *c = obj->child; c != start; c = c->next)
        if (c->string != NULL && strcmp(c->string, key) == 0) {
            ld->hint_obj = obj, ld->hint = c;
            return c;
        }
    return NULL;
}

/* where: "functions[3]" or "" at the top level; the message names where.key. */
static bool missing(loader *ld, const char *where, const char *key)
{
    return load_fail(ld, "%s%s\"%s\" is missing", where, *where ? ": " : "", key);
}

static bool wrong_type(loader *ld, const char *where, const char *key, const char *expected, const cJSON *v)
{
    return load_fail(ld, "%s%s\"%s\" must be %s, not %s", where, *where ? ": " : "", key, expected,
                     json_kind(v));
}

/* A non-negative integer that fits uint64_t. Absent: *out = 0, error only if required.
 * present (may be NULL) tells whether the field was there. */
static bool get_u64(loader *ld, const cJSON *obj, const char *where, const char *key, bool required,
                    uint64_t *out, bool *present)
{
    const cJSON *v = member(ld, obj, key);
    *out = 0;
    if (present != NULL) *present = v != NULL;
    if (v == NULL) return required ? missing(ld, where, key) : true;
    if (!cJSON_IsNumber(v)) return wrong_type(ld, where, key, "a non-negative integer", v);
    double d = v->valuedouble;
    /* 18446744073709551616.0 is 2^64, the first double that does not fit. */
    if (!isfinite(d) || d < 0 || d != floor(d) || d >= 18446744073709551616.0)
        return load_fail(ld, "%s%s\"%s\" must be a non-negative integer, not %.17g", where,
                         *where ? ": " : "", key, d);
    *out = (uint64_t)d;
    return true;
}

/* A finite number in [lo, hi]. */
static bool get_double(loader *ld, const cJSON *obj, const char *where, const char *key, double lo,
                       double hi, double *out, bool *present)
{
    const cJSON *v = member(ld, obj, key);
    *out = 0;
    if (present != NULL) *present = v != NULL;
    if (v == NULL) return true;
    if (!cJSON_IsNumber(v)) return wrong_type(ld, where, key, "a number", v);
    double d = v->valuedouble;
    if (!isfinite(d) || d < lo || d > hi)
        return load_fail(ld, "%s%s\"%s\" must be a number in [%g, %g], not %.17g", where,
                         *where ? ": " : "", key, lo, hi, d);
    *out = d;
    return true;
}

/* A string; absent reads as "" (or an error when required). */
static bool get_str(loader *ld, const cJSON *obj, const char *where, const char *key, bool required,
                    const char **out)
{
    const cJSON *v = member(ld, obj, key);
    *out = "";
    if (v == NULL) return required ? missing(ld, where, key) : true;
    if (!cJSON_IsString(v) || v->valuestring == NULL) return wrong_type(ld, where, key, "a string", v);
    *out = v->valuestring;
    return true;
}

static bool get_bool(loader *ld, const cJSON *obj, const char *where, const char *key, bool *out)
{
    const cJSON *v = member(ld, obj, key);
    *out = false;
    if (v == NULL) return true;
    if (!cJSON_IsBool(v)) return wrong_type(ld, where, key, "true or false", v);
    *out = cJSON_IsTrue(v);
    return true;
}

/* The top-level array key: *arr NULL and *n 0 when absent. */
static bool get_array(loader *ld, const cJSON *root, const char *key, const cJSON **arr, size_t *n)
{
    const cJSON *v = member(ld, root, key);
    *arr = NULL;
    *n = 0;
    if (v == NULL) return true;
    if (!cJSON_IsArray(v)) return wrong_type(ld, "", key, "an array", v);
    *arr = v;
    *n = (size_t)cJSON_GetArraySize(v);
    return true;
}

/* calloc for n elements of size; n == 0 yields NULL, which is not an error. */
static bool alloc_array(loader *ld, void *out, size_t n, size_t size)
{
    void *mem = NULL;
    if (n > 0 && (mem = calloc(n, size)) == NULL) return load_fail(ld, "out of memory");
    memcpy(out, &mem, sizeof mem);
    return true;
}

/* Each element of arr must be an object; fills where with "key[i]". */
static bool element(loader *ld, const cJSON *e, const char *key, size_t i, char *where, size_t len)
{
    snprintf(where, len, "%s[%zu]", key, i);
    if (!cJSON_IsObject(e)) return load_fail(ld, "%s: must be an object, not %s", where, json_kind(e));
    return true;
}

static bool load_header(loader *ld, const cJSON *root, profile *p)
{
    char q[48];
    const cJSON *tool = member(ld, root, "tool");
    if (tool == NULL) return load_fail(ld, "not a cprof profile: \"tool\" is missing");
    if (!cJSON_IsString(tool)) return wrong_type(ld, "", "tool", "a string", tool);
    if (strcmp(tool->valuestring, "cprof") != 0)
        return load_fail(ld, "not a cprof profile: \"tool\" is \"%s\", expected \"cprof\"",
                         quotable(q, sizeof q, tool->valuestring));
    p->tool = tool->valuestring;

    if (!get_str(ld, root, "", "version", true, &p->version)) return false;
    /* "MAJOR" or "MAJOR.MINOR[...]": only major 1 is understood; minors only add fields. */
    const char *s = p->version;
    size_t digits = strspn(s, "0123456789");
    bool well_formed = digits > 0 && (s[digits] == '\0' || s[digits] == '.');
    if (!well_formed || digits != 1 || s[0] != '1')
        return load_fail(ld, "unsupported profile version \"%s\" (this analyzer reads version 1.x)",
                         quotable(q, sizeof q, s));

    return get_u64(ld, root, "", "timestamp", false, &p->timestamp, &p->has_timestamp) &&
           get_u64(ld, root, "", "pid", false, &p->pid, &p->has_pid) &&
           get_str(ld, root, "", "binary", false, &p->binary) &&
           get_str(ld, root, "", "command_line", false, &p->command_line) &&
           get_str(ld, root, "", "clock", false, &p->clock);
}

static bool load_argv(loader *ld, const cJSON *root)
{
    const cJSON *argv, *a;
    size_t n, i = 0;
    char where[32];
    if (!get_array(ld, root, "argv", &argv, &n)) return false;
    cJSON_ArrayForEach(a, argv) {
        if (!cJSON_IsString(a)) {
            snprintf(where, sizeof where, "argv[%zu]", i);
            return load_fail(ld, "%s: must be a string, not %s", where, json_kind(a));
        }
        i++;
    }
    return true;
}

static bool load_statistics(loader *ld, const cJSON *root, profile_statistics *st)
{
    const cJSON *s = member(ld, root, "statistics");
    const char *w = "statistics";
    bool has_ns, has_pct;
    if (s == NULL) return true;
    if (!cJSON_IsObject(s)) return wrong_type(ld, "", "statistics", "an object", s);
    if (!get_u64(ld, s, w, "total_runtime_ns", false, &st->total_runtime_ns, &st->has_runtime) ||
        !get_u64(ld, s, w, "timed_calls", false, &st->timed_calls, NULL) ||
        !get_u64(ld, s, w, "hook_cost_ns", false, &st->hook_cost_ns, NULL) ||
        !get_u64(ld, s, w, "overhead_estimate_ns", false, &st->overhead_estimate_ns, &has_ns) ||
        !get_double(ld, s, w, "overhead_estimate_percent", 0, HUGE_VAL, &st->overhead_estimate_percent,
                    &has_pct) ||
        !get_u64(ld, s, w, "modules", false, &st->modules, NULL) ||
        !get_u64(ld, s, w, "threads", false, &st->threads, NULL) ||
        !get_u64(ld, s, w, "unwound_frames", false, &st->unwound_frames, NULL) ||
        !get_u64(ld, s, w, "dropped_frames", false, &st->dropped_frames, NULL))
        return false;
    st->has_overhead = has_ns;
    const cJSON *b = member(ld, s, "bursts");
    if (b != NULL) {
        const char *wb = "statistics.bursts";
        if (!cJSON_IsObject(b)) return wrong_type(ld, w, "bursts", "an object", b);
        if (!get_u64(ld, b, wb, "rate", true, &st->burst_rate, NULL) ||
            !get_u64(ld, b, wb, "count", true, &st->burst_count, NULL) ||
            !get_u64(ld, b, wb, "recorded_ns", true, &st->burst_recorded_ns, NULL))
            return false;
        if (st->burst_rate < 2) return wrong_type(ld, wb, "rate", "an integer of at least 2", member(ld, b, "rate"));
    }
    if (has_ns && !has_pct && st->total_runtime_ns > 0)
        st->overhead_estimate_percent = 100.0 * (double)st->overhead_estimate_ns /
                                        (double)st->total_runtime_ns;
    return true;
}

static const char *const timing_names[] = {"full", "partial", "none", "not_run"};

const char *profile_timing_name(profile_timing t)
{
    return (unsigned)t < sizeof timing_names / sizeof *timing_names ? timing_names[t] : "?";
}

/* The timing the format prescribes for these counts (used when "timing" is absent). */
static profile_timing derived_timing(uint64_t calls, uint64_t timed_calls)
{
    if (calls == 0) return PROFILE_TIMING_NOT_RUN;
    if (timed_calls == 0) return PROFILE_TIMING_NONE;
    return timed_calls >= calls ? PROFILE_TIMING_FULL : PROFILE_TIMING_PARTIAL;
}

/* functions[i].memory: an object of counts, all optional but "allocations". */
static bool load_function_memory(loader *ld, const cJSON *o, const char *w, profile_function *f)
{
    const cJSON *m = member(ld, o, "memory");
    char where[64];
    if (m == NULL) return true;
    if (!cJSON_IsObject(m)) return wrong_type(ld, w, "memory", "an object", m);
    snprintf(where, sizeof where, "%s.memory", w);
    f->has_memory = true;
    return get_u64(ld, m, where, "allocations", true, &f->allocations, NULL) &&
           get_u64(ld, m, where, "reallocations", false, &f->reallocations, NULL) &&
           get_u64(ld, m, where, "frees", false, &f->frees, NULL) &&
           get_u64(ld, m, where, "allocated_bytes", false, &f->allocated_bytes, NULL) &&
           get_u64(ld, m, where, "freed_bytes", false, &f->freed_bytes, NULL) &&
           get_u64(ld, m, where, "live_bytes", false, &f->live_bytes, NULL);
}

static bool load_function(loader *ld, const cJSON *o, const char *w, profile_function *f)
{
    const char *timing;
    bool has_inlined;
    if (!get_u64(ld, o, w, "id", true, &f->id, NULL) ||
        !get_str(ld, o, w, "name", true, &f->name) ||
        !get_str(ld, o, w, "linkage_name", false, &f->linkage_name) ||
        !get_str(ld, o, w, "file", false, &f->file) ||
        !get_u64(ld, o, w, "line", false, &f->line, NULL) ||
        !get_u64(ld, o, w, "column", false, &f->column, NULL) ||
        !get_u64(ld, o, w, "module", false, &f->module, NULL) ||
        !get_bool(ld, o, w, "static", &f->is_static) ||
        !get_u64(ld, o, w, "calls", true, &f->calls, NULL) ||
        !get_u64(ld, o, w, "timed_calls", false, &f->timed_calls, NULL) ||
        !get_u64(ld, o, w, "inlined_calls", false, &f->inlined_calls, &has_inlined) ||
        !get_str(ld, o, w, "timing", false, &timing) ||
        !get_u64(ld, o, w, "total_time_ns", false, &f->total_ns, NULL) ||
        !get_u64(ld, o, w, "self_time_ns", false, &f->self_ns, NULL) ||
        !get_u64(ld, o, w, "avg_time_ns", false, &f->avg_ns, NULL) ||
        !get_u64(ld, o, w, "min_time_ns", false, &f->min_ns, NULL) ||
        !get_u64(ld, o, w, "max_time_ns", false, &f->max_ns, NULL) ||
        !get_u64(ld, o, w, "unwound_calls", false, &f->unwound_calls, NULL) ||
        !load_function_memory(ld, o, w, f))
        return false;
    if (!has_inlined) f->inlined_calls = f->calls > f->timed_calls ? f->calls - f->timed_calls : 0;
    if (*timing == '\0') {
        f->timing = derived_timing(f->calls, f->timed_calls);
        return true;
    }
    if (strcmp(timing, "adaptive") == 0) {
        f->timing = PROFILE_TIMING_PARTIAL; /* its later calls' time is in its callers' */
        f->adaptive = true;
        return true;
    }
    if (strcmp(timing, "skipped") == 0) {
        f->timing = PROFILE_TIMING_NONE; /* its time is in its callers', as if inlined */
        f->untimed_leaf = true;
        return true;
    }
    for (size_t t = 0; t < sizeof timing_names / sizeof *timing_names; t++)
        if (strcmp(timing, timing_names[t]) == 0) {
            f->timing = (profile_timing)t;
            return true;
        }
    char q[48];
    return load_fail(ld, "%s: \"timing\" is \"%s\", expected full, partial, none, skipped, adaptive or not_run", w,
                     quotable(q, sizeof q, timing));
}

/* Function ids in ascending order with their indexes, for resolving call-graph ids. */
typedef struct {
    uint64_t id;
    size_t index;
} id_slot;

typedef struct {
    const profile *p;
    id_slot *by_id;
    size_t *by_name; /* function indexes sorted by name, built when an edge first needs it */
} id_index;

static int cmp_slot(const void *a, const void *b)
{
    uint64_t x = ((const id_slot *)a)->id, y = ((const id_slot *)b)->id;
    return (x > y) - (x < y);
}

static long find_id(const id_index *ix, uint64_t id)
{
    size_t lo = 0, hi = ix->p->nfunctions;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->by_id[mid].id == id) return (long)ix->by_id[mid].index;
        if (ix->by_id[mid].id < id) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

static const profile *name_sort_profile; /* qsort has no context argument */

static int cmp_name_index(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(name_sort_profile->functions[x].name, name_sort_profile->functions[y].name);
    return c != 0 ? c : (x > y) - (x < y);
}

/* The only function called name, -1 if none or several (static functions may share a name).
 * Edges without ids are resolved by name: a binary search, not a scan per edge. */
static bool find_unique_name(loader *ld, id_index *ix, const char *name, long *found)
{
    const profile *p = ix->p;
    *found = -1;
    if (*name == '\0' || p->nfunctions == 0) return true;
    if (ix->by_name == NULL) {
        if ((ix->by_name = malloc(p->nfunctions * sizeof *ix->by_name)) == NULL)
            return load_fail(ld, "out of memory");
        for (size_t i = 0; i < p->nfunctions; i++) ix->by_name[i] = i;
        name_sort_profile = p;
        qsort(ix->by_name, p->nfunctions, sizeof *ix->by_name, cmp_name_index);
    }
    size_t lo = 0, hi = p->nfunctions;
    while (lo < hi) { /* the first name >= name */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(p->functions[ix->by_name[mid]].name, name) < 0) lo = mid + 1;
        else hi = mid;
    }
    if (lo == p->nfunctions || strcmp(p->functions[ix->by_name[lo]].name, name) != 0) return true;
    if (lo + 1 < p->nfunctions && strcmp(p->functions[ix->by_name[lo + 1]].name, name) == 0) return true;
    *found = (long)ix->by_name[lo];
    return true;
}

static bool load_functions(loader *ld, const cJSON *root, profile *p, id_index *ix)
{
    const cJSON *arr, *e;
    char where[48];
    size_t i = 0;
    if (!get_array(ld, root, "functions", &arr, &p->nfunctions) ||
        !alloc_array(ld, &p->functions, p->nfunctions, sizeof *p->functions) ||
        !alloc_array(ld, &ix->by_id, p->nfunctions, sizeof *ix->by_id))
        return false;
    cJSON_ArrayForEach(e, arr) {
        if (!element(ld, e, "functions", i, where, sizeof where) ||
            !load_function(ld, e, where, &p->functions[i]))
            return false;
        ix->by_id[i] = (id_slot){p->functions[i].id, i};
        i++;
    }
    if (p->nfunctions > 1) qsort(ix->by_id, p->nfunctions, sizeof *ix->by_id, cmp_slot);
    for (i = 1; i < p->nfunctions; i++)
        if (ix->by_id[i].id == ix->by_id[i - 1].id) {
            size_t a = ix->by_id[i - 1].index, b = ix->by_id[i].index;
            return load_fail(ld, "functions[%zu]: \"id\" %llu is also the id of functions[%zu]",
                             a > b ? a : b, (unsigned long long)ix->by_id[i].id, a < b ? a : b);
        }
    return true;
}

/* One end of a call-graph edge: by id when "<end>_id" is given (it must exist), else by unique name. */
static bool resolve_end(loader *ld, const cJSON *o, const char *w, const char *end, id_index *ix,
                        const char **name, long *index)
{
    char key[16];
    uint64_t id;
    bool has_id;
    snprintf(key, sizeof key, "%s_id", end);
    const cJSON *idv = member(ld, o, key);
    if (!get_str(ld, o, w, end, false, name)) return false;
    if (idv != NULL && !cJSON_IsNull(idv)) {
        if (!get_u64(ld, o, w, key, false, &id, &has_id)) return false;
        if ((*index = find_id(ix, id)) < 0)
            return load_fail(ld, "%s: \"%s\" %llu names no function", w, key, (unsigned long long)id);
        if (**name == '\0') *name = ix->p->functions[*index].name;
        return true;
    }
    if (**name == '\0') return load_fail(ld, "%s: neither \"%s\" nor \"%s\" is given", w, end, key);
    return find_unique_name(ld, ix, *name, index);
}

static bool load_edges(loader *ld, const cJSON *root, profile *p, id_index *ix)
{
    const cJSON *arr, *e;
    char where[48], q[48];
    const char *kind;
    size_t i = 0;
    if (!get_array(ld, root, "call_graph", &arr, &p->nedges) ||
        !alloc_array(ld, &p->edges, p->nedges, sizeof *p->edges))
        return false;
    cJSON_ArrayForEach(e, arr) {
        profile_edge *g = &p->edges[i];
        if (!element(ld, e, "call_graph", i, where, sizeof where) ||
            !resolve_end(ld, e, where, "caller", ix, &g->caller, &g->caller_index) ||
            !resolve_end(ld, e, where, "callee", ix, &g->callee, &g->callee_index) ||
            !get_u64(ld, e, where, "calls", true, &g->calls, NULL) ||
            !get_u64(ld, e, where, "total_time_ns", false, &g->total_ns, NULL) ||
            !get_str(ld, e, where, "kind", false, &kind))
            return false;
        if (*kind != '\0' && strcmp(kind, "direct") != 0 && strcmp(kind, "indirect") != 0)
            return load_fail(ld, "%s: \"kind\" is \"%s\", expected direct or indirect", where,
                             quotable(q, sizeof q, kind));
        g->indirect = strcmp(kind, "indirect") == 0;
        i++;
    }
    return true;
}

/* location, file, line, column, function: shared by loops, branches and switches. */
static bool load_site(loader *ld, const cJSON *o, const char *w, const char **location,
                      const char **file, uint64_t *line, uint64_t *column, const char **function)
{
    return get_str(ld, o, w, "location", false, location) && get_str(ld, o, w, "file", false, file) &&
           get_u64(ld, o, w, "line", false, line, NULL) &&
           get_u64(ld, o, w, "column", false, column, NULL) &&
           get_str(ld, o, w, "function", false, function);
}

/* The function a site is in: "function_id" when given (an id that names no function leaves it
 * unresolved: sites only add detail), else the only function with that name. */
static bool site_function(loader *ld, const cJSON *o, const char *w, id_index *ix, const char *name,
                          long *index)
{
    uint64_t id;
    bool has_id;
    const cJSON *idv = member(ld, o, "function_id");
    *index = -1;
    if (idv != NULL && !cJSON_IsNull(idv)) {
        if (!get_u64(ld, o, w, "function_id", false, &id, &has_id)) return false;
        *index = find_id(ix, id);
        return true;
    }
    return find_unique_name(ld, ix, name, index);
}

static bool load_loops(loader *ld, const cJSON *root, profile *p, id_index *ix)
{
    const cJSON *arr, *e;
    char where[48];
    size_t i = 0;
    if (!get_array(ld, root, "loops", &arr, &p->nloops) ||
        !alloc_array(ld, &p->loops, p->nloops, sizeof *p->loops))
        return false;
    cJSON_ArrayForEach(e, arr) {
        profile_loop *l = &p->loops[i];
        if (!element(ld, e, "loops", i, where, sizeof where) ||
            !load_site(ld, e, where, &l->location, &l->file, &l->line, &l->column, &l->function) ||
            !get_u64(ld, e, where, "depth", false, &l->depth, NULL) ||
            !get_u64(ld, e, where, "iterations", true, &l->iterations, NULL) ||
            !get_u64(ld, e, where, "entries", true, &l->entries, NULL) ||
            !site_function(ld, e, where, ix, l->function, &l->function_index))
            return false;
        i++;
    }
    return true;
}

static bool load_branches(loader *ld, const cJSON *root, profile *p)
{
    const cJSON *arr, *e;
    char where[48];
    double given;
    size_t i = 0;
    if (!get_array(ld, root, "branches", &arr, &p->nbranches) ||
        !alloc_array(ld, &p->branches, p->nbranches, sizeof *p->branches))
        return false;
    cJSON_ArrayForEach(e, arr) {
        profile_branch *b = &p->branches[i];
        if (!element(ld, e, "branches", i, where, sizeof where) ||
            !load_site(ld, e, where, &b->location, &b->file, &b->line, &b->column, &b->function) ||
            !get_u64(ld, e, where, "taken", true, &b->taken, NULL) ||
            !get_u64(ld, e, where, "not_taken", true, &b->not_taken, NULL) ||
            !get_double(ld, e, where, "prediction_rate", 0, 1, &given, NULL))
            return false;
        /* Recomputed from the exact counts rather than trusting the rounded field. */
        double runs = (double)b->taken + (double)b->not_taken;
        b->prediction_rate = runs > 0 ? (double)(b->taken > b->not_taken ? b->taken : b->not_taken) / runs
                                      : 0;
        i++;
    }
    return true;
}

static bool load_cases(loader *ld, const cJSON *o, const char *w, profile_switch *s)
{
    const cJSON *arr = member(ld, o, "cases"), *e;
    char where[80];
    size_t i = 0;
    if (arr == NULL) return missing(ld, w, "cases");
    if (!cJSON_IsArray(arr)) return wrong_type(ld, w, "cases", "an array", arr);
    s->ncases = (size_t)cJSON_GetArraySize(arr);
    if (!alloc_array(ld, &s->cases, s->ncases, sizeof *s->cases)) return false;
    s->total = 0;
    cJSON_ArrayForEach(e, arr) {
        profile_case *c = &s->cases[i];
        snprintf(where, sizeof where, "%s.cases[%zu]", w, i);
        if (!cJSON_IsObject(e))
            return load_fail(ld, "%s: must be an object, not %s", where, json_kind(e));
        if (!get_str(ld, e, where, "label", true, &c->label) ||
            !get_u64(ld, e, where, "count", true, &c->count, NULL))
            return false;
        s->total = s->total + c->count < s->total ? UINT64_MAX : s->total + c->count;
        i++;
    }
    return true;
}

static bool load_switches(loader *ld, const cJSON *root, profile *p)
{
    const cJSON *arr, *e;
    char where[48];
    uint64_t total;
    size_t i = 0;
    if (!get_array(ld, root, "switches", &arr, &p->nswitches) ||
        !alloc_array(ld, &p->switches, p->nswitches, sizeof *p->switches))
        return false;
    cJSON_ArrayForEach(e, arr) {
        profile_switch *s = &p->switches[i];
        if (!element(ld, e, "switches", i, where, sizeof where) ||
            !load_site(ld, e, where, &s->location, &s->file, &s->line, &s->column, &s->function) ||
            !get_u64(ld, e, where, "total", false, &total, NULL) ||
            !load_cases(ld, e, where, s))
            return false;
        i++;
    }
    return true;
}

static bool load_threads(loader *ld, const cJSON *root, profile *p)
{
    const cJSON *arr, *e;
    char where[48];
    size_t i = 0;
    if (!get_array(ld, root, "threads", &arr, &p->nthreads) ||
        !alloc_array(ld, &p->threads, p->nthreads, sizeof *p->threads))
        return false;
    cJSON_ArrayForEach(e, arr) {
        profile_thread *t = &p->threads[i];
        if (!element(ld, e, "threads", i, where, sizeof where) ||
            !get_u64(ld, e, where, "id", false, &t->id, NULL) ||
            !get_u64(ld, e, where, "tid", false, &t->tid, NULL) ||
            !get_str(ld, e, where, "name", false, &t->name) ||
            !get_bool(ld, e, where, "main", &t->is_main) ||
            !get_u64(ld, e, where, "timed_calls", false, &t->timed_calls, NULL) ||
            !get_u64(ld, e, where, "max_depth", false, &t->max_depth, NULL) ||
            !get_u64(ld, e, where, "unwound_frames", false, &t->unwound_frames, NULL) ||
            !get_u64(ld, e, where, "runtime_ns", false, &t->runtime_ns, NULL))
            return false;
        i++;
    }
    return true;
}

/* JSON white space; strchr alone would also match the terminating NUL. */
static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Describes where cJSON gave up: a truncated file fails inside its last token. */
static void parse_error(loader *ld, const char *text, size_t len, const char *at)
{
    size_t pos = (at != NULL && at >= text && at <= text + len) ? (size_t)(at - text) : len;
    size_t line = 1, col = 1;
    for (size_t i = 0; i < pos; i++) {
        if (text[i] == '\n') line++, col = 1;
        else col++;
    }
    /* cJSON points at the last byte when it ran out of input. Also an unterminated string, or
     * nothing but the failing token left: the input ended too early. */
    size_t last = len;
    while (last > 0 && is_space(text[last - 1])) last--;
    bool at_end = pos + 1 >= last;
    size_t quote = at_end ? len : text[pos] == '"' ? pos : pos > 0 && text[pos - 1] == '"' ? pos - 1 : len;
    if (quote < len) at_end = memchr(text + quote + 1, '"', len - quote - 1) == NULL;
    if (!at_end) {
        size_t rest = pos;
        while (rest < len && !is_space(text[rest]) && strchr(",:[]{}", text[rest]) == NULL) rest++;
        at_end = rest == len;
    }
    if (at_end)
        load_fail(ld, "unexpected end of input at line %zu, column %zu (truncated file?)", line, col);
    else
        load_fail(ld, "invalid JSON at line %zu, column %zu", line, col);
}

int profile_parse(const char *text, size_t len, profile *p, char *err, size_t errlen)
{
    loader ld = {err, errlen, NULL, NULL};
    id_index ix = {p, NULL, NULL};
    const char *end = NULL;
    size_t n = len;

    memset(p, 0, sizeof *p);
    while (n > 0 && is_space(text[n - 1])) n--;
    if (n == 0) {
        load_fail(&ld, len == 0 ? "empty file" : "no JSON in file (only white space)");
        goto fail;
    }
    if (memchr(text, '\0', len) != NULL) {
        load_fail(&ld, "not a text file (contains NUL bytes)");
        goto fail;
    }
    /* Not require_null_terminated: cJSON 1.7.15 then wants the NUL inside len. Checked by hand.
     * The tree goes into an arena: a node per value made malloc and free most of the run time. */
    arena_json_begin(&p->json_mem);
    p->root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    arena_json_end();
    if (p->root == NULL) {
        parse_error(&ld, text, len, end);
        goto fail;
    }
    if (end < text + n) {
        size_t pos = (size_t)(end - text), line = 1, col = 1;
        for (size_t i = 0; i < pos; i++) {
            if (text[i] == '\n') line++, col = 1;
            else col++;
        }
        load_fail(&ld, "unexpected text after the JSON value at line %zu, column %zu", line, col);
        goto fail;
    }
    if (!cJSON_IsObject(p->root)) {
        load_fail(&ld, "not a cprof profile: the top level is %s, not an object", json_kind(p->root));
        goto fail;
    }
    if (!load_header(&ld, p->root, p) || !load_argv(&ld, p->root) ||
        !load_statistics(&ld, p->root, &p->stats) || !load_functions(&ld, p->root, p, &ix) ||
        !load_edges(&ld, p->root, p, &ix) || !load_loops(&ld, p->root, p, &ix) ||
        !load_branches(&ld, p->root, p) || !load_switches(&ld, p->root, p) ||
        !load_threads(&ld, p->root, p))
        goto fail;
    free(ix.by_id);
    free(ix.by_name);
    return 0;

fail:
    free(ix.by_id);
    free(ix.by_name);
    profile_free(p);
    return -1;
}

int profile_load(const char *path, profile *p, char *err, size_t errlen)
{
    loader ld = {err, errlen, NULL, NULL};
    char *text = NULL;
    size_t len = 0, cap = 0;
    int rc = -1;
    FILE *f = fopen(path, "rb");

    memset(p, 0, sizeof *p);
    if (f == NULL) {
        load_fail(&ld, "cannot open: %s", strerror(errno));
        goto done;
    }
    /* A regular file is read into one buffer of its size (plus one byte, to see the end), not
     * grown by doubling, which could hold almost twice the file while copying. */
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uint64_t)st.st_size < SIZE_MAX / 2) {
        cap = (size_t)st.st_size + 1;
        if ((text = malloc(cap)) == NULL) {
            load_fail(&ld, "out of memory reading the file");
            goto done;
        }
    }
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            char *grown = ncap > cap ? realloc(text, ncap) : NULL;
            if (grown == NULL) {
                load_fail(&ld, "out of memory reading the file");
                goto done;
            }
            text = grown, cap = ncap;
        }
        size_t got = fread(text + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    if (ferror(f)) {
        load_fail(&ld, "cannot read: %s", strerror(errno));
        goto done;
    }
    rc = profile_parse(text, len, p, err, errlen);

done:
    if (f != NULL) fclose(f);
    free(text);
    return rc;
}

void profile_free(profile *p)
{
    if (p == NULL) return;
    for (size_t i = 0; i < p->nswitches && p->switches != NULL; i++) free(p->switches[i].cases);
    free(p->functions);
    free(p->edges);
    free(p->loops);
    free(p->branches);
    free(p->switches);
    free(p->threads);
    arena_free(&p->json_mem); /* the whole cJSON tree: its nodes are not malloc'd one by one */
    memset(p, 0, sizeof *p);
}
