/* diff.c: `cprof-analyze diff`: per-site changes between runs, Welch's t-test over repeated runs. */
#include "diff.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "advice.h"
#include "flamegraph.h"
#include "profile.h"
#include "stats.h"
#include "util.h"

enum { DIFF_OK = 0, DIFF_REGRESSED = 1, DIFF_BAD = 2, TOP_DEFAULT = 20 };
#define DIFF_ALPHA 0.05

static const char usage_text[] =
    "usage: cprof-analyze diff [--threshold PCT] [--top N] [--no-color] BASE.json NEW.json\n"
    "       cprof-analyze diff BASE.json NEW.json --flamegraph DIFF.svg\n"
    "       cprof-analyze diff [options] BASE1.json BASE2.json... --vs NEW1.json NEW2.json...";

/* ---- matching functions and sites across profiles ---- */

typedef struct {
    const profile *p;
    size_t run; /* index among all profiles */
    size_t i;   /* element index */
} ref;

static int kind_of_sort; /* 0 functions, 1 loops, 2 branches; qsort has no context argument */

static const char *fn_key(const profile_function *f)
{
    return *f->linkage_name ? f->linkage_name : f->name;
}

static void site_of(const ref *r, const char **file, const char **function, uint64_t *line, uint64_t *column)
{
    if (kind_of_sort == 1) {
        const profile_loop *l = &r->p->loops[r->i];
        *file = l->file, *function = l->function, *line = l->line, *column = l->column;
    } else {
        const profile_branch *b = &r->p->branches[r->i];
        *file = b->file, *function = b->function, *line = b->line, *column = b->column;
    }
}

static int cmp_key(const ref *x, const ref *y)
{
    int c;
    if (kind_of_sort == 0) {
        const profile_function *a = &x->p->functions[x->i], *b = &y->p->functions[y->i];
        if ((c = strcmp(fn_key(a), fn_key(b))) != 0) return c;
        if ((c = strcmp(a->file, b->file)) != 0) return c;
        return (int)a->is_static - (int)b->is_static;
    }
    const char *fa, *fb, *na, *nb;
    uint64_t la, lb, ca, cb;
    site_of(x, &fa, &na, &la, &ca);
    site_of(y, &fb, &nb, &lb, &cb);
    if ((c = strcmp(fa, fb)) != 0) return c;
    if (la != lb) return (la > lb) - (la < lb);
    if (ca != cb) return (ca > cb) - (ca < cb);
    return strcmp(na, nb);
}

static int cmp_ref(const void *a, const void *b)
{
    const ref *x = a, *y = b;
    int c = cmp_key(x, y);
    if (c != 0) return c;
    return x->run != y->run ? (x->run > y->run) - (x->run < y->run) : (x->i > y->i) - (x->i < y->i);
}

/* Groups of matching elements: idx[g * nruns + run] is the element of that run, -1 when absent. */
typedef struct {
    size_t ngroups, nruns;
    long *idx;
} match;

static int match_build(const profile *ps, size_t nruns, int kind, match *m)
{
    size_t total = 0, r = 0;
    for (size_t k = 0; k < nruns; k++)
        total += kind == 0 ? ps[k].nfunctions : kind == 1 ? ps[k].nloops : ps[k].nbranches;
    ref *refs = malloc((total + 1) * sizeof *refs);
    m->nruns = nruns, m->ngroups = 0;
    m->idx = malloc((total + 1) * nruns * sizeof *m->idx);
    if (refs == NULL || m->idx == NULL) {
        free(refs);
        free(m->idx);
        m->idx = NULL;
        return -1;
    }
    for (size_t k = 0; k < nruns; k++) {
        size_t cnt = kind == 0 ? ps[k].nfunctions : kind == 1 ? ps[k].nloops : ps[k].nbranches;
        for (size_t i = 0; i < cnt; i++) refs[r++] = (ref){&ps[k], k, i};
    }
    kind_of_sort = kind;
    qsort(refs, total, sizeof *refs, cmp_ref);
    for (size_t s = 0; s < total;) {
        size_t e = s;
        long *row = &m->idx[m->ngroups * nruns];
        for (size_t k = 0; k < nruns; k++) row[k] = -1;
        while (e < total && cmp_key(&refs[s], &refs[e]) == 0) {
            row[refs[e].run] = (long)refs[e].i;
            e++;
        }
        m->ngroups++;
        s = e;
    }
    free(refs);
    return 0;
}

/* ---- output helpers ---- */

static void section(const util_out *o, const char *title)
{
    fprintf(o->out, "\n%s== %s ==%s\n", o->head, title, o->reset);
}

static const char *signed_duration(char buf[UTIL_CELL], double ns)
{
    char t[UTIL_CELL];
    size_t len = strlen(util_duration(t, (uint64_t)fabs(ns)));
    if (len > UTIL_CELL - 2) len = UTIL_CELL - 2;
    buf[0] = ns > 0 ? '+' : ns < 0 ? '-' : ' ';
    memcpy(buf + 1, t, len);
    buf[len + 1] = '\0';
    if (buf[0] == ' ') return buf + 1;
    return buf;
}

static const char *change_pct(char buf[UTIL_CELL], double base, double now)
{
    if (base == now) snprintf(buf, UTIL_CELL, "0%%");
    else if (base == 0) snprintf(buf, UTIL_CELL, "new");
    else snprintf(buf, UTIL_CELL, "%+.1f%%", 100.0 * (now - base) / base);
    return buf;
}

static double share_of(uint64_t part, uint64_t whole)
{
    return whole > 0 ? 100.0 * (double)part / (double)whole : 0;
}

/* ---- two profiles ---- */

typedef struct {
    size_t g;
    double impact;
} site_row;

static int cmp_site_row(const void *x, const void *y)
{
    const site_row *a = x, *b = y;
    if (a->impact != b->impact) return (a->impact < b->impact) - (a->impact > b->impact);
    return (a->g > b->g) - (a->g < b->g);
}

typedef struct {
    size_t g;
    const profile_function *a, *b; /* NULL when absent */
    double self_a, self_b, share_a, share_b, impact;
    const char *verdict;
    bool regressed;
} fn_row;

static int cmp_impact(const void *x, const void *y)
{
    double a = ((const fn_row *)x)->impact, b = ((const fn_row *)y)->impact;
    return (a < b) - (a > b);
}

/* The regression rule of one function: it holds at least the minimum share (the threshold) of the
 * new run, and its share grew by more than threshold percentage points or its self time by more
 * than threshold percent (a function new in the second run counts as grown). */
static const char *verdict_of(double self_a, double self_b, double share_a, double share_b, bool present_a,
                              double t, bool *regressed)
{
    *regressed = false;
    bool grew = share_b - share_a > t || (self_a > 0 ? 100.0 * (self_b - self_a) / self_a > t : self_b > 0);
    bool shrank = share_a - share_b > t || (self_a > 0 && 100.0 * (self_a - self_b) / self_a > t);
    if (share_b >= t && grew) {
        *regressed = true;
        return present_a ? "REGRESSED" : "REGRESSED (new)";
    }
    if (share_a >= t && shrank) return "improved";
    return "";
}

static int diff_two(const util_out *o, const char *pa, const char *pb, const profile *A, const profile *B, double t)
{
    char c1[UTIL_CELL], c2[UTIL_CELL], c3[UTIL_CELL], c4[UTIL_CELL], c5[UTIL_CELL], loc[256];
    profile ps[2] = {*A, *B};
    match fm, lm, bm;
    int status = DIFF_OK;
    size_t nreg = 0;

    if (match_build(ps, 2, 0, &fm) < 0) return -1;
    if (match_build(ps, 2, 1, &lm) < 0) {
        free(fm.idx);
        return -1;
    }
    if (match_build(ps, 2, 2, &bm) < 0) {
        free(fm.idx);
        free(lm.idx);
        return -1;
    }
    fn_row *rows = malloc((fm.ngroups + 1) * sizeof *rows);
    if (rows == NULL) {
        free(fm.idx), free(lm.idx), free(bm.idx);
        return -1;
    }

    fprintf(o->out, "%scprof diff%s ", o->bold, o->reset);
    util_put(o->out, pa);
    fputs(" -> ", o->out);
    util_put(o->out, pb);
    fprintf(o->out, "  %s(regression threshold %g%%)%s\n", o->dim, t, o->reset);
    fprintf(o->out, "  %-14s%s -> %s (%s)\n", "wall time", util_duration(c1, A->stats.total_runtime_ns),
            util_duration(c2, B->stats.total_runtime_ns),
            change_pct(c3, (double)A->stats.total_runtime_ns, (double)B->stats.total_runtime_ns));

    size_t n = 0;
    for (size_t g = 0; g < fm.ngroups; g++) {
        long ia = fm.idx[2 * g], ib = fm.idx[2 * g + 1];
        fn_row *r = &rows[n];
        r->a = ia >= 0 ? &A->functions[ia] : NULL;
        r->b = ib >= 0 ? &B->functions[ib] : NULL;
        r->self_a = r->a ? (double)r->a->self_ns : 0;
        r->self_b = r->b ? (double)r->b->self_ns : 0;
        r->share_a = r->a ? share_of(r->a->self_ns, A->stats.total_runtime_ns) : 0;
        r->share_b = r->b ? share_of(r->b->self_ns, B->stats.total_runtime_ns) : 0;
        uint64_t ca = r->a ? r->a->calls : 0, cb = r->b ? r->b->calls : 0;
        if (r->self_a == r->self_b && ca == cb) continue; /* unchanged */
        r->impact = fabs(r->self_b - r->self_a);
        r->verdict = verdict_of(r->self_a, r->self_b, r->share_a, r->share_b, r->a != NULL, t, &r->regressed);
        if (r->b == NULL) r->verdict = "gone";
        if (r->regressed) nreg++;
        n++;
    }
    qsort(rows, n, sizeof *rows, cmp_impact);
    section(o, "Functions (by change in self time)");
    if (n == 0) fprintf(o->out, "  (no function changed)\n");
    else
        fprintf(o->out, "%s%10s %10s %10s %7s %7s %11s %11s %8s  %-16s function%s\n", o->bold, "Δself", "self",
                "(base)", "share", "(base)", "calls", "(base)", "Δcalls", "verdict", o->reset);
    size_t shown = n < o->top ? n : o->top;
    for (size_t i = 0; i < n; i++) {
        const fn_row *r = &rows[i];
        if (i >= shown && !r->regressed) continue; /* regressions are always listed */
        const profile_function *f = r->b ? r->b : r->a;
        uint64_t ca = r->a ? r->a->calls : 0, cb = r->b ? r->b->calls : 0;
        util_cell(o->out, signed_duration(c1, r->self_b - r->self_a), 10);
        util_cell(o->out, r->b ? util_duration(c2, r->b->self_ns) : "-", 11);
        util_cell(o->out, r->a ? util_duration(c3, r->a->self_ns) : "-", 11);
        snprintf(c4, sizeof c4, "%.2f%%", r->share_b);
        util_cell(o->out, r->b ? c4 : "-", 8);
        snprintf(c5, sizeof c5, "%.2f%%", r->share_a);
        util_cell(o->out, r->a ? c5 : "-", 8);
        util_cell(o->out, r->b ? util_count(c1, cb) : "-", 12);
        util_cell(o->out, r->a ? util_count(c2, ca) : "-", 12);
        util_cell(o->out, change_pct(c3, (double)ca, (double)cb), 9);
        fprintf(o->out, "  %s", r->regressed ? o->warn : "");
        util_cell(o->out, r->verdict, -16);
        fprintf(o->out, "%s ", o->reset);
        util_put(o->out, f->name);
        if (*f->file) {
            fprintf(o->out, "  %s", o->dim);
            util_put(o->out, util_location(loc, sizeof loc, "", f->file, f->line));
            fprintf(o->out, "%s", o->reset);
        }
        fputc('\n', o->out);
    }
    if (n > shown) fprintf(o->out, "%s  … %zu more changed functions%s\n", o->dim, n - shown, o->reset);

    /* Loops and branches: the counts are exact, so any change is real; largest changes first. */
    site_row *sr = malloc((lm.ngroups + bm.ngroups + 1) * sizeof *sr);
    if (sr == NULL) {
        free(rows), free(fm.idx), free(lm.idx), free(bm.idx);
        return -1;
    }
    section(o, "Loops (by change in iterations)");
    size_t nl = 0;
    for (size_t g = 0; g < lm.ngroups; g++) {
        long ia = lm.idx[2 * g], ib = lm.idx[2 * g + 1];
        uint64_t ita = ia >= 0 ? A->loops[ia].iterations : 0, itb = ib >= 0 ? B->loops[ib].iterations : 0;
        uint64_t ea = ia >= 0 ? A->loops[ia].entries : 0, eb = ib >= 0 ? B->loops[ib].entries : 0;
        if (ita != itb || ea != eb) sr[nl++] = (site_row){g, fabs((double)itb - (double)ita)};
    }
    qsort(sr, nl, sizeof *sr, cmp_site_row);
    if (nl == 0) fprintf(o->out, "  (no loop changed)\n");
    else
        fprintf(o->out, "%s%13s %12s %12s %12s %12s  %-24s function%s\n", o->bold, "Δiterations", "iterations",
                "(base)", "entries", "(base)", "location", o->reset);
    for (size_t i = 0; i < nl && i < o->top; i++) {
        size_t g = sr[i].g;
        long ia = lm.idx[2 * g], ib = lm.idx[2 * g + 1];
        uint64_t ita = ia >= 0 ? A->loops[ia].iterations : 0, itb = ib >= 0 ? B->loops[ib].iterations : 0;
        uint64_t ea = ia >= 0 ? A->loops[ia].entries : 0, eb = ib >= 0 ? B->loops[ib].entries : 0;
        const profile_loop *l = ib >= 0 ? &B->loops[ib] : &A->loops[ia];
        snprintf(c1, sizeof c1, "%+.0f", (double)itb - (double)ita);
        util_cell(o->out, c1, 13);
        util_cell(o->out, util_count(c2, itb), 13);
        util_cell(o->out, util_count(c3, ita), 13);
        util_cell(o->out, util_count(c4, eb), 13);
        util_cell(o->out, util_count(c5, ea), 13);
        fputs("  ", o->out);
        util_cell(o->out, util_location(loc, sizeof loc, l->location, l->file, l->line), -24);
        fputc(' ', o->out);
        util_put(o->out, *l->function ? l->function : "?");
        fputc('\n', o->out);
    }
    if (nl > o->top) fprintf(o->out, "%s  … %zu more changed loops%s\n", o->dim, nl - o->top, o->reset);

    section(o, "Branches (by change in executions)");
    size_t nbr = 0;
    for (size_t g = 0; g < bm.ngroups; g++) {
        long ia = bm.idx[2 * g], ib = bm.idx[2 * g + 1];
        double ta = ia >= 0 ? (double)A->branches[ia].taken : 0, na = ia >= 0 ? (double)A->branches[ia].not_taken : 0;
        double tb = ib >= 0 ? (double)B->branches[ib].taken : 0, nbt = ib >= 0 ? (double)B->branches[ib].not_taken : 0;
        if (ta != tb || na != nbt) sr[nbr++] = (site_row){g, fabs(tb - ta) + fabs(nbt - na)};
    }
    qsort(sr, nbr, sizeof *sr, cmp_site_row);
    if (nbr == 0) fprintf(o->out, "  (no branch changed)\n");
    else
        fprintf(o->out, "%s%12s %12s %12s %12s %9s %9s  %-24s function%s\n", o->bold, "taken", "(base)",
                "not taken", "(base)", "predict", "(base)", "location", o->reset);
    for (size_t i = 0; i < nbr && i < o->top; i++) {
        size_t g = sr[i].g;
        long ia = bm.idx[2 * g], ib = bm.idx[2 * g + 1];
        const profile_branch *ba = ia >= 0 ? &A->branches[ia] : NULL, *bb = ib >= 0 ? &B->branches[ib] : NULL;
        const profile_branch *b = bb ? bb : ba;
        util_cell(o->out, bb ? util_count(c1, bb->taken) : "-", 12);
        util_cell(o->out, ba ? util_count(c2, ba->taken) : "-", 13);
        util_cell(o->out, bb ? util_count(c3, bb->not_taken) : "-", 13);
        util_cell(o->out, ba ? util_count(c4, ba->not_taken) : "-", 13);
        util_cell(o->out, bb ? util_share(c5, bb->prediction_rate, 1) : "-", 10);
        util_cell(o->out, ba ? util_share(c1, ba->prediction_rate, 1) : "-", 10);
        fputs("  ", o->out);
        util_cell(o->out, util_location(loc, sizeof loc, b->location, b->file, b->line), -24);
        fputc(' ', o->out);
        util_put(o->out, *b->function ? b->function : "?");
        fputc('\n', o->out);
    }
    if (nbr > o->top) fprintf(o->out, "%s  … %zu more changed branches%s\n", o->dim, nbr - o->top, o->reset);
    free(sr);

    fputc('\n', o->out);
    if (nreg > 0) {
        fprintf(o->out, "%sverdict: %zu function%s regressed beyond %g%%%s\n", o->warn, nreg, util_plural(nreg), t,
                o->reset);
        status = DIFF_REGRESSED;
    } else fprintf(o->out, "verdict: no regression beyond %g%%\n", t);
    free(rows);
    free(fm.idx), free(lm.idx), free(bm.idx);
    return status;
}

/* ---- two sets of runs ---- */

typedef struct {
    const char *name, *file;
    uint64_t line;
    stats_summary a, b;
    stats_welch w;
    double share_a, share_b, impact;
    const char *verdict;
    bool regressed;
} multi_row;

static int cmp_multi(const void *x, const void *y)
{
    double a = ((const multi_row *)x)->impact, b = ((const multi_row *)y)->impact;
    return (a < b) - (a > b);
}

static const char *mean_ci(char *buf, size_t len, const stats_summary *s)
{
    char m[UTIL_CELL], h[UTIL_CELL];
    snprintf(buf, len, "%s ± %s", util_duration(m, (uint64_t)(s->mean + 0.5)),
             util_duration(h, (uint64_t)(s->ci_high - s->mean + 0.5)));
    return buf;
}

static int diff_multi(const util_out *o, const profile *ps, size_t na, size_t nb, double t)
{
    size_t nruns = na + nb;
    match fm;
    char b1[64], b2[64], c[UTIL_CELL], loc[256];
    double *xa = malloc((na + nb) * sizeof *xa), *xb = xa ? xa + na : NULL, *wall = malloc(nruns * sizeof *wall);
    if (xa == NULL || wall == NULL || match_build(ps, nruns, 0, &fm) < 0) {
        free(xa);
        free(wall);
        return -1;
    }
    multi_row *rows = malloc((fm.ngroups + 1) * sizeof *rows);
    if (rows == NULL) {
        free(xa), free(wall), free(fm.idx);
        return -1;
    }
    stats_summary wa, wb;
    stats_welch ww;
    for (size_t k = 0; k < nruns; k++) wall[k] = (double)ps[k].stats.total_runtime_ns;
    stats_summarize(wall, na, &wa);
    stats_summarize(wall + na, nb, &wb);
    stats_welch_test(&wb, &wa, DIFF_ALPHA, &ww);

    fprintf(o->out, "%scprof diff%s %zu base run%s -> %zu new run%s  %s(means with 95%% confidence intervals; "
            "Welch's t-test at p < %.2f; regression threshold %g%%)%s\n",
            o->bold, o->reset, na, util_plural(na), nb, util_plural(nb), o->dim, DIFF_ALPHA, t, o->reset);
    fprintf(o->out, "  %-14s%s -> %s  (%s, p = %.3g, %s)\n", "wall time", mean_ci(b1, sizeof b1, &wa),
            mean_ci(b2, sizeof b2, &wb), change_pct(c, wa.mean, wb.mean), ww.p,
            ww.significant ? "significant" : "not significant");

    size_t n = 0, nreg = 0;
    for (size_t g = 0; g < fm.ngroups; g++) {
        const long *row = &fm.idx[g * nruns];
        multi_row *r = &rows[n];
        double sa = 0, sb = 0;
        const profile_function *any = NULL;
        for (size_t k = 0; k < nruns; k++) {
            const profile_function *f = row[k] >= 0 ? &ps[k].functions[row[k]] : NULL;
            double v = f ? (double)f->self_ns : 0;
            double sh = f ? share_of(f->self_ns, ps[k].stats.total_runtime_ns) : 0;
            if (k < na) xa[k] = v, sa += sh;
            else xb[k - na] = v, sb += sh;
            if (f != NULL && any == NULL) any = f;
        }
        r->name = any->name, r->file = any->file, r->line = any->line;
        r->share_a = sa / (double)na, r->share_b = sb / (double)nb;
        stats_summarize(xa, na, &r->a);
        stats_summarize(xb, nb, &r->b);
        if (r->a.mean == 0 && r->b.mean == 0) continue; /* never timed */
        stats_welch_test(&r->b, &r->a, DIFF_ALPHA, &r->w);
        r->impact = fabs(r->b.mean - r->a.mean);
        r->regressed = false;
        if (r->a.mean == r->b.mean) r->verdict = "unchanged";
        else if (!r->w.significant) r->verdict = "noise";
        else {
            r->verdict = verdict_of(r->a.mean, r->b.mean, r->share_a, r->share_b, r->a.mean > 0, t, &r->regressed);
            if (*r->verdict == '\0') r->verdict = r->b.mean > r->a.mean ? "slower" : "faster";
        }
        if (r->regressed) nreg++;
        n++;
    }
    qsort(rows, n, sizeof *rows, cmp_multi);
    section(o, "Functions: self time, mean ± 95% CI (by change)");
    if (n == 0) fprintf(o->out, "  (no timed function)\n");
    else
        fprintf(o->out, "%s%24s %24s %8s %9s %7s  %-16s function%s\n", o->bold, "new", "base", "change", "p", "share",
                "verdict", o->reset);
    size_t shown = n < o->top ? n : o->top;
    for (size_t i = 0; i < n; i++) {
        const multi_row *r = &rows[i];
        if (i >= shown && !r->regressed) continue;
        util_cell(o->out, mean_ci(b1, sizeof b1, &r->b), 24);
        util_cell(o->out, mean_ci(b2, sizeof b2, &r->a), 25);
        util_cell(o->out, change_pct(c, r->a.mean, r->b.mean), 9);
        snprintf(c, sizeof c, "%.3g", r->w.p);
        util_cell(o->out, c, 10);
        snprintf(c, sizeof c, "%.2f%%", r->share_b);
        util_cell(o->out, c, 8);
        fprintf(o->out, "  %s", r->regressed ? o->warn : "");
        util_cell(o->out, r->verdict, -16);
        fprintf(o->out, "%s ", o->reset);
        util_put(o->out, r->name);
        if (*r->file) {
            fprintf(o->out, "  %s", o->dim);
            util_put(o->out, util_location(loc, sizeof loc, "", r->file, r->line));
            fprintf(o->out, "%s", o->reset);
        }
        fputc('\n', o->out);
    }
    if (n > shown) fprintf(o->out, "%s  … %zu more functions%s\n", o->dim, n - shown, o->reset);
    fputc('\n', o->out);
    if (nreg > 0)
        fprintf(o->out, "%sverdict: %zu function%s significantly regressed beyond %g%%%s\n", o->warn, nreg,
                util_plural(nreg), t, o->reset);
    else fprintf(o->out, "verdict: no significant regression beyond %g%%\n", t);
    free(rows), free(xa), free(wall), free(fm.idx);
    return nreg > 0 ? DIFF_REGRESSED : DIFF_OK;
}

/* ---- command line ---- */

/* diff --flamegraph: the differential flame graph in path ("-": stdout); a problem is one line
 * naming the file, and a file left half-written is removed. Returns DIFF_OK or DIFF_BAD. */
static int write_flamegraph(const char *path, const char *na, const char *nb, const profile *A, const profile *B)
{
    bool to_stdout = strcmp(path, "-") == 0;
    FILE *out = to_stdout ? stdout : fopen(path, "wb");
    const char *problem = NULL;
    if (out == NULL) problem = strerror(errno);
    else if (flamegraph_diff_write(A, B, na, nb, out) != 0) problem = "out of memory";
    else if (fflush(out) != 0 || ferror(out)) problem = strerror(errno ? errno : EIO);
    if (out != NULL && !to_stdout && fclose(out) != 0 && problem == NULL) problem = strerror(errno);
    if (problem == NULL) return DIFF_OK;
    fprintf(stderr, "cprof-analyze: ");
    util_put(stderr, path);
    fprintf(stderr, ": %s\n", problem);
    if (out != NULL && !to_stdout) unlink(path);
    return DIFF_BAD;
}

/* x * k, saturating: a scaled count never wraps. */
static uint64_t mul_sat(uint64_t x, uint64_t k)
{
    return k != 0 && x > UINT64_MAX / k ? UINT64_MAX : x * k;
}

/* A profile recorded in CPROF_SAMPLE=N bursts holds about 1/N of its run's calls and times. Compared
 * with one recorded at another rate (an exact profile is rate 1), each sampled profile's counts and
 * times are multiplied by its rate, so that both sides estimate their whole runs; one warning line
 * per scaled profile says so. Profiles of one rate compare as they are. */
static void scale_to_whole_runs(profile *ps, size_t n, const char **a, size_t na, const char **b)
{
    bool mixed = false;
    for (size_t k = 1; k < n; k++)
        mixed |= ps[k].stats.burst_rate != ps[0].stats.burst_rate;
    if (!mixed) return;
    for (size_t k = 0; k < n; k++) {
        profile *p = &ps[k];
        uint64_t r = p->stats.burst_rate;
        if (r < 2) continue;
        fprintf(stderr, "cprof-analyze: diff: warning: ");
        util_put(stderr, k < na ? a[k] : b[k - na]);
        fprintf(stderr, " was recorded in CPROF_SAMPLE=%" PRIu64 " bursts: its counts and times are multiplied by %"
                PRIu64 " (estimates of the whole run)\n", r, r);
        for (size_t i = 0; i < p->nfunctions; i++) {
            profile_function *f = &p->functions[i];
            f->calls = mul_sat(f->calls, r);
            f->timed_calls = mul_sat(f->timed_calls, r);
            f->inlined_calls = mul_sat(f->inlined_calls, r);
            f->unwound_calls = mul_sat(f->unwound_calls, r);
            f->total_ns = mul_sat(f->total_ns, r);
            f->self_ns = mul_sat(f->self_ns, r);
        }
        for (size_t i = 0; i < p->nedges; i++) {
            p->edges[i].calls = mul_sat(p->edges[i].calls, r);
            p->edges[i].total_ns = mul_sat(p->edges[i].total_ns, r);
        }
        for (size_t i = 0; i < p->nloops; i++) {
            p->loops[i].iterations = mul_sat(p->loops[i].iterations, r);
            p->loops[i].entries = mul_sat(p->loops[i].entries, r);
        }
        for (size_t i = 0; i < p->nbranches; i++) {
            p->branches[i].taken = mul_sat(p->branches[i].taken, r);
            p->branches[i].not_taken = mul_sat(p->branches[i].not_taken, r);
        }
        for (size_t i = 0; i < p->nswitches; i++) {
            profile_switch *sw = &p->switches[i];
            sw->total = mul_sat(sw->total, r);
            for (size_t c = 0; c < sw->ncases; c++) sw->cases[c].count = mul_sat(sw->cases[c].count, r);
        }
        p->stats.timed_calls = mul_sat(p->stats.timed_calls, r);
    }
}

static int usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "cprof-analyze: diff: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s\n", usage_text);
    return DIFF_BAD;
}

static bool parse_top(const char *s, size_t *top)
{
    char *end;
    if (s == NULL || *s < '0' || *s > '9') return false;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < 1 || v > 1000000) return false;
    *top = v;
    return true;
}

int diff_main(int argc, char **argv)
{
    double t = ADVICE_THRESHOLD_DEFAULT;
    size_t top = TOP_DEFAULT, na = 0, nb = 0;
    bool colour = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL, vs = false, options = true;
    const char *flamegraph = NULL; /* --flamegraph FILE */
    const char **a = calloc((size_t)argc + 1, sizeof *a), **b = calloc((size_t)argc + 1, sizeof *b);
    profile *ps = NULL;
    int status = DIFF_BAD;
    char err[512];

    if (a == NULL || b == NULL) {
        free(a), free(b);
        fprintf(stderr, "cprof-analyze: diff: out of memory\n");
        return DIFF_BAD;
    }
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (options && strcmp(s, "--") == 0) options = false;
        else if (options && (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0)) {
            printf("%s\n\n"
                   "Compares per function (self time, share of wall time, calls), loop (iterations, entries) and\n"
                   "branch (taken / not taken), largest changes first. With --vs, each side is a set of runs:\n"
                   "self times are shown as means with 95%% confidence intervals, and a change counts only when\n"
                   "Welch's t-test finds it significant (p < 0.05).\n\n"
                   "A function regressed when it holds at least PCT%% of the new run's wall time and its share grew\n"
                   "by more than PCT percentage points or its self time by more than PCT%%.\n\n"
                   "Profiles recorded at different CPROF_SAMPLE rates (an exact one counts as rate 1) compare as\n"
                   "estimates of their whole runs: a sampled profile's counts and times are multiplied by its rate.\n\n"
                   "  --threshold PCT  the regression bar (default %d%%)\n"
                   "  --flamegraph SVG write a differential flame graph instead of the text (two profiles):\n"
                   "                   NEW's frames, red where self time grew, blue where it shrank\n"
                   "  --vs             separates the base runs from the new runs\n"
                   "  --top N          rows per list (default %d; regressions are always listed)\n"
                   "  --no-color       no ANSI colours\n\n"
                   "Exit status: 0 no regression, 1 a regression beyond the threshold, 2 bad input.\n",
                   usage_text, ADVICE_THRESHOLD_DEFAULT, TOP_DEFAULT);
            free(a), free(b);
            return DIFF_OK;
        } else if (options && strcmp(s, "--vs") == 0) {
            if (vs) {
                free(a), free(b);
                return usage("%s given twice", s);
            }
            vs = true;
        } else if (options && strcmp(s, "--no-color") == 0) colour = false;
        else if (options && (strcmp(s, "--flamegraph") == 0 || strncmp(s, "--flamegraph=", 13) == 0)) {
            flamegraph = s[12] == '=' ? s + 13 : i + 1 < argc ? argv[++i] : NULL;
            if (flamegraph == NULL || *flamegraph == '\0') {
                free(a), free(b);
                return usage("%s needs a file name (or - for stdout)", "--flamegraph");
            }
        }
        else if (options && (strcmp(s, "--threshold") == 0 || strncmp(s, "--threshold=", 12) == 0)) {
            const char *v = s[11] == '=' ? s + 12 : i + 1 < argc ? argv[++i] : NULL;
            if (v == NULL || !advice_parse_percent(v, &t)) {
                free(a), free(b);
                return usage("--threshold needs a percentage in (0, 100], not '%s'", v ? v : "");
            }
        } else if (options && (strcmp(s, "--top") == 0 || strncmp(s, "--top=", 6) == 0)) {
            const char *v = s[5] == '=' ? s + 6 : i + 1 < argc ? argv[++i] : NULL;
            if (!parse_top(v, &top)) {
                free(a), free(b);
                return usage("--top needs a number from 1 to 1000000, not '%s'", v ? v : "");
            }
        } else if (options && s[0] == '-' && s[1] != '\0') {
            free(a), free(b);
            return usage("unknown option '%s'", s);
        } else if (vs) b[nb++] = s;
        else a[na++] = s;
    }
    if (!vs && na == 2) {
        b[nb++] = a[--na];
    } else if (!vs) {
        free(a), free(b);
        return usage("%s", "needs two profiles, or runs on both sides of --vs");
    } else if (na < 2 || nb < 2) {
        free(a), free(b);
        return usage("%s", "--vs needs at least two runs on each side for the t-test");
    }
    if (flamegraph != NULL && vs) {
        free(a), free(b);
        return usage("%s compares two profiles, not sets of runs (--vs)", "--flamegraph");
    }
    size_t n = na + nb;
    if ((ps = calloc(n, sizeof *ps)) == NULL) {
        free(a), free(b);
        fprintf(stderr, "cprof-analyze: diff: out of memory\n");
        return DIFF_BAD;
    }
    for (size_t k = 0; k < n; k++) {
        const char *path = k < na ? a[k] : b[k - na];
        if (profile_load(path, &ps[k], err, sizeof err) != 0) {
            fprintf(stderr, "cprof-analyze: ");
            util_put(stderr, path);
            fprintf(stderr, ": %s\n", err);
            goto done;
        }
    }
    scale_to_whole_runs(ps, n, a, na, b);
    if (flamegraph != NULL) {
        status = write_flamegraph(flamegraph, a[0], b[0], &ps[0], &ps[1]);
        goto done;
    }
    util_out o;
    util_out_init(&o, stdout, top, colour);
    status = vs ? diff_multi(&o, ps, na, nb, t) : diff_two(&o, a[0], b[0], &ps[0], &ps[1], t);
    if (status < 0) {
        fprintf(stderr, "cprof-analyze: diff: out of memory\n");
        status = DIFF_BAD;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "cprof-analyze: diff: cannot write: %s\n", strerror(errno));
        status = DIFF_BAD;
    }
done:
    for (size_t k = 0; k < n; k++) profile_free(&ps[k]);
    free(ps), free(a), free(b);
    return status;
}
