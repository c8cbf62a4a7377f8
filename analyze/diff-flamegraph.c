/* diff-flamegraph.c: the differential flame graph (diff --flamegraph): NEW's frames, red/blue by change. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "flamegraph.h"
#include "util.h"

typedef struct {
    const profile *base, *now;
    long *match;      /* per function of now: the same function in base, -1 when it is new */
    double max_delta; /* the largest |self time change| of now's functions: full saturation */
    uint64_t base_self, now_self;
} diff_ctx;

/* Functions match as in `diff`: by linkage name (the name when it has none), file and static. */
static const char *key_of(const profile_function *f)
{
    return *f->linkage_name ? f->linkage_name : f->name;
}

static int cmp_fn(const void *a, const void *b)
{
    const profile_function *x = *(const profile_function *const *)a, *y = *(const profile_function *const *)b;
    int c;
    if ((c = strcmp(key_of(x), key_of(y))) != 0) return c;
    if ((c = strcmp(x->file, y->file)) != 0) return c;
    return (int)x->is_static - (int)y->is_static;
}

static double delta_of(const diff_ctx *d, size_t fn)
{
    if (fn == FLAMEGRAPH_ALL) return (double)d->now_self - (double)d->base_self;
    long m = d->match[fn];
    return (double)d->now->functions[fn].self_ns - (m >= 0 ? (double)d->base->functions[m].self_ns : 0);
}

/* Brendan Gregg's difffolded palette: from pale pink to red for more time, from pale to deep blue
 * for less, by the change over the largest one; never darker than 80 so the labels stay legible. */
static void fill(void *ctx, size_t fn, char buf[FLAMEGRAPH_FILL])
{
    const diff_ctx *d = ctx;
    double delta = delta_of(d, fn), r = d->max_delta > 0 ? fabs(delta) / d->max_delta : 0;
    unsigned c = (unsigned)(80 + 140 * (1 - (r > 1 ? 1 : r)) + 0.5);
    if (delta > 0) snprintf(buf, FLAMEGRAPH_FILL, "rgb(255,%u,%u)", c, c);
    else if (delta < 0) snprintf(buf, FLAMEGRAPH_FILL, "rgb(%u,%u,255)", c, c);
    else snprintf(buf, FLAMEGRAPH_FILL, "rgb(230,230,230)");
}

static const char *signed_duration(char buf[UTIL_CELL], double ns)
{
    char t[UTIL_CELL];
    snprintf(buf, UTIL_CELL, "%s%s", ns > 0 ? "+" : ns < 0 ? "-" : "", util_duration(t, (uint64_t)fabs(ns)));
    return buf;
}

static void note(void *ctx, FILE *out, size_t fn)
{
    const diff_ctx *d = ctx;
    char a[UTIL_CELL], b[UTIL_CELL], c[UTIL_CELL], text[160];
    double delta = delta_of(d, fn);
    long m = fn == FLAMEGRAPH_ALL ? 0 : d->match[fn];
    uint64_t now = fn == FLAMEGRAPH_ALL ? d->now_self : d->now->functions[fn].self_ns;
    uint64_t base = fn == FLAMEGRAPH_ALL ? d->base_self : m >= 0 ? d->base->functions[m].self_ns : 0;
    if (m < 0)
        snprintf(text, sizeof text, "self time: base - (not in base), new %s, delta %s", util_duration(b, now),
                 signed_duration(c, delta));
    else if (base > 0)
        snprintf(text, sizeof text, "self time: base %s, new %s, delta %s (%+.1f%%)", util_duration(a, base),
                 util_duration(b, now), signed_duration(c, delta), 100.0 * delta / (double)base);
    else
        snprintf(text, sizeof text, "self time: base %s, new %s, delta %s", util_duration(a, base),
                 util_duration(b, now), signed_duration(c, delta));
    escape_xml(out, text, 0);
}

int flamegraph_diff_write(const profile *base, const profile *now, const char *base_name, const char *now_name,
                          FILE *out)
{
    diff_ctx d = {base, now, NULL, 0, 0, 0};
    const profile_function **sorted = malloc((base->nfunctions + 1) * sizeof *sorted);
    char title[512], caption[256], dur[UTIL_CELL];
    bool *seen = calloc(base->nfunctions + 1, sizeof *seen);
    size_t gone = 0;
    uint64_t gone_ns = 0;
    int rc;

    d.match = malloc((now->nfunctions + 1) * sizeof *d.match);
    if (sorted == NULL || seen == NULL || d.match == NULL) {
        free(sorted), free(seen), free(d.match);
        return -1;
    }
    for (size_t i = 0; i < base->nfunctions; i++) {
        sorted[i] = &base->functions[i];
        d.base_self += base->functions[i].self_ns;
    }
    qsort(sorted, base->nfunctions, sizeof *sorted, cmp_fn);
    for (size_t i = 0; i < now->nfunctions; i++) {
        const profile_function *key = &now->functions[i], **hit;
        hit = base->nfunctions ? bsearch(&key, sorted, base->nfunctions, sizeof *sorted, cmp_fn) : NULL;
        d.match[i] = hit != NULL ? (long)(*hit - base->functions) : -1;
        if (hit != NULL) seen[d.match[i]] = true;
        d.now_self += now->functions[i].self_ns;
        if (fabs(delta_of(&d, i)) > d.max_delta) d.max_delta = fabs(delta_of(&d, i));
    }
    for (size_t i = 0; i < base->nfunctions; i++)
        if (!seen[i] && base->functions[i].self_ns > 0) gone++, gone_ns += base->functions[i].self_ns;

    snprintf(title, sizeof title, "Differential flame graph: %s -> %s", base_name, now_name);
    if (gone > 0)
        snprintf(caption, sizeof caption, "widths: new self time; red: slower, blue: faster; %zu function%s only in "
                 "base (%s self) not shown", gone, util_plural(gone), util_duration(dur, gone_ns));
    else
        snprintf(caption, sizeof caption, "widths: new self time; red: slower, blue: faster than base");
    flamegraph_style st = {.fill = fill, .note = note, .ctx = &d, .title = title, .caption = caption};
    rc = flamegraph_write(now, out, &st);
    free(sorted), free(seen), free(d.match);
    return rc;
}
