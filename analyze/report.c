/* report.c: the text report: run summary, functions, files, call tree, loops, branches, switches. */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"
#include "calltree.h"
#include "report-events.h"
#include "report-heap.h"
#include "report-io.h"

enum { TIME_W = 10, PCT_W = 7, COUNT_W = 11, CLASS_W = 8 };

static int cmp_u64_desc(uint64_t x, uint64_t y)
{
    return (x < y) - (x > y);
}

static void section(const util_out *o, const char *title)
{
    fprintf(o->out, "\n%s== %s ==%s\n", o->head, title, o->reset);
}

/* "  … 3 more loops" after a list cut by --top. */
static void more(const util_out *o, size_t total, size_t shown, const char *what)
{
    char cnt[UTIL_CELL];
    if (total > shown)
        fprintf(o->out, "%s  … %s more %s%s\n", o->dim, util_count(cnt, total - shown), what, o->reset);
}

static void field(const util_out *o, const char *label)
{
    fprintf(o->out, "  %-14s", label);
}

static void print_summary(const util_out *o, const char *path, const profile *p)
{
    const profile_statistics *st = &p->stats;
    char a[UTIL_CELL], b[UTIL_CELL];

    fprintf(o->out, "%scprof profile%s ", o->bold, o->reset);
    util_put(o->out, path);
    fprintf(o->out, "  %s(format ", o->dim);
    util_put(o->out, p->version);
    fprintf(o->out, ")%s\n", o->reset);
    section(o, "Run");
    field(o, "binary");
    util_put(o->out, *p->binary ? p->binary : "?");
    fputc('\n', o->out);
    field(o, "command line");
    util_put(o->out, *p->command_line ? p->command_line : "?");
    fputc('\n', o->out);
    field(o, "pid");
    fprintf(o->out, "%s\n", p->has_pid ? util_count(a, p->pid) : "?");
    field(o, "timestamp");
    fprintf(o->out, "%s\n", p->has_timestamp ? util_iso8601(a, p->timestamp) : "?");
    field(o, "wall time");
    fprintf(o->out, "%s", st->has_runtime ? util_duration(a, st->total_runtime_ns) : "?");
    if (*p->clock) {
        fprintf(o->out, "  %s(", o->dim);
        util_put(o->out, p->clock);
        fprintf(o->out, ")%s", o->reset);
    }
    fputc('\n', o->out);
    field(o, "threads");
    fprintf(o->out, "%s\n", util_count(a, st->threads ? st->threads : p->nthreads));
    field(o, "timed calls");
    fprintf(o->out, "%s\n", util_count(a, st->timed_calls));
    field(o, "overhead");
    if (st->has_overhead)
        fprintf(o->out, "%s (%.4g%% of wall time; %s per timed call), estimated\n",
                util_duration(a, st->overhead_estimate_ns), st->overhead_estimate_percent,
                util_duration(b, st->hook_cost_ns));
    else
        fprintf(o->out, "?\n");
    if (st->burst_rate > 0) {
        field(o, "sampled");
        fprintf(o->out, "%sCPROF_SAMPLE=%" PRIu64 ": recording was on in %s bursts, %s",
                o->warn, st->burst_rate, util_count(a, st->burst_count),
                util_duration(b, st->burst_recorded_ns));
        if (st->total_runtime_ns > 0)
            fprintf(o->out, " (%.2g%% of wall time)",
                    100.0 * (double)st->burst_recorded_ns / (double)st->total_runtime_ns);
        fprintf(o->out, "%s\n", o->reset);
        field(o, "");
        fprintf(o->out, "counts and times are those of the calls that began in a burst, each with all it called;\n");
        field(o, "");
        fprintf(o->out, "times %" PRIu64 " they estimate the whole run's\n", st->burst_rate);
    }
    if (st->unwound_frames > 0 || st->dropped_frames > 0) {
        field(o, "frames");
        fprintf(o->out, "%s unwound (longjmp, exceptions, exit), %s%s dropped%s\n",
                util_count(a, st->unwound_frames), st->dropped_frames ? o->warn : "",
                util_count(b, st->dropped_frames), o->reset);
    }
}

static int cmp_thread(const void *a, const void *b)
{
    const profile_thread *x = *(const profile_thread *const *)a, *y = *(const profile_thread *const *)b;
    return (x->id > y->id) - (x->id < y->id);
}

static int print_threads(const util_out *o, const profile *p)
{
    char a[UTIL_CELL];
    const profile_thread **rows;
    if (p->nthreads == 0) return 0;
    if ((rows = malloc(p->nthreads * sizeof *rows)) == NULL) return -1;
    for (size_t i = 0; i < p->nthreads; i++) rows[i] = &p->threads[i];
    qsort(rows, p->nthreads, sizeof *rows, cmp_thread);

    section(o, "Threads");
    fprintf(o->out, "%s%6s %10s %10s %12s %10s  name%s\n", o->bold, "id", "tid", "runtime", "timed calls",
            "max depth", o->reset);
    size_t shown = p->nthreads < o->top ? p->nthreads : o->top;
    for (size_t i = 0; i < shown; i++) {
        const profile_thread *t = rows[i];
        util_cell(o->out, util_count(a, t->id), 6);
        util_cell(o->out, util_count(a, t->tid), 11);
        util_cell(o->out, util_duration(a, t->runtime_ns), 11);
        util_cell(o->out, util_count(a, t->timed_calls), 13);
        util_cell(o->out, util_count(a, t->max_depth), 11);
        fputs("  ", o->out);
        util_put(o->out, *t->name ? t->name : "?");
        if (t->is_main) fprintf(o->out, " %s(main)%s", o->dim, o->reset);
        fputc('\n', o->out);
    }
    more(o, p->nthreads, shown, "threads");
    free(rows);
    return 0;
}

/* One list of the functions that ran, ordered by sort. notes: also the footnotes ([inlined],
 * never ran), given once under the first list. */
static int print_functions(const util_out *o, const profile *p, const advice_opts *opts, advice_sort sort,
                           bool notes)
{
    char a[UTIL_CELL], loc[256];
    const profile_function **rows;
    size_t n = 0, never = 0;
    bool inlined = false, partial = false, adaptive = false;
    double runtime = (double)p->stats.total_runtime_ns;

    if ((rows = malloc((p->nfunctions ? p->nfunctions : 1) * sizeof *rows)) == NULL) return -1;
    for (size_t i = 0; i < p->nfunctions; i++) {
        if (p->functions[i].calls > 0) rows[n++] = &p->functions[i];
        else never++;
    }
    advice_sort_functions(rows, n, sort);

    char title[64];
    snprintf(title, sizeof title, "Top functions by %s", advice_sort_title(sort));
    section(o, title);
    if (n == 0) fprintf(o->out, "  (no function ran)\n");
    else
        fprintf(o->out, "%s%*s %*s %*s %*s %*s %*s %*s %*s %*s %*s  function%s\n", o->bold, TIME_W, "self",
                PCT_W, "self%", TIME_W, "total", PCT_W, "total%", COUNT_W, "calls", COUNT_W, "timed",
                TIME_W, "avg", TIME_W, "min", TIME_W, "max", CLASS_W, "class", o->reset);
    size_t shown = n < o->top ? n : o->top;
    for (size_t i = 0; i < shown; i++) {
        const profile_function *f = rows[i];
        bool timed = f->timing != PROFILE_TIMING_NONE;
        util_cell(o->out, timed ? util_duration(a, f->self_ns) : "-", TIME_W);
        util_cell(o->out, timed ? util_share(a, (double)f->self_ns, runtime) : "-", PCT_W + 1);
        util_cell(o->out, timed ? util_duration(a, f->total_ns) : "-", TIME_W + 1);
        util_cell(o->out, timed ? util_share(a, (double)f->total_ns, runtime) : "-", PCT_W + 1);
        util_cell(o->out, util_count(a, f->calls), COUNT_W + 1);
        util_cell(o->out, util_count(a, f->timed_calls), COUNT_W + 1);
        util_cell(o->out, timed ? util_duration(a, f->avg_ns) : "-", TIME_W + 1);
        util_cell(o->out, timed ? util_duration(a, f->min_ns) : "-", TIME_W + 1);
        util_cell(o->out, timed ? util_duration(a, f->max_ns) : "-", TIME_W + 1);
        util_cell(o->out, advice_class_name(advice_function_class(p, f, opts->threshold)), CLASS_W + 1);
        fprintf(o->out, "  %s", o->bold);
        util_put(o->out, f->name);
        fprintf(o->out, "%s", o->reset);
        if (f->timing == PROFILE_TIMING_NONE)
            fprintf(o->out, " %s[%s]%s", o->warn, f->untimed_leaf ? "untimed leaf" : "inlined", o->reset);
        if (f->timing == PROFILE_TIMING_PARTIAL)
            fprintf(o->out, " %s[%s]%s", o->warn, f->adaptive ? "short calls" : "partly inlined", o->reset);
        if (*f->file) {
            fprintf(o->out, "  %s", o->dim);
            util_put(o->out, util_location(loc, sizeof loc, "", f->file, f->line));
            fprintf(o->out, "%s", o->reset);
        }
        fputc('\n', o->out);
        inlined |= f->timing == PROFILE_TIMING_NONE;
        partial |= f->timing == PROFILE_TIMING_PARTIAL && !f->adaptive;
        adaptive |= f->adaptive;
    }
    more(o, n, shown, "functions");
    if (!notes) inlined = partial = adaptive = false, never = 0;
    if (inlined)
        fprintf(o->out, "  %s[inlined]%s GCC inlined every call: the counts are exact, the time belongs to the callers.\n",
                o->warn, o->reset);
    if (partial)
        fprintf(o->out, "  %s[partly inlined]%s some calls were inlined: the times cover only the timed calls.\n",
                o->warn, o->reset);
    if (adaptive)
        fprintf(o->out,
                "  %s[short calls]%s timed for its first calls only (their average was under CPROF_MIN_TIME): the\n"
                "                times cover the timed calls, the later calls' time is in their callers' self time.\n",
                o->warn, o->reset);
    if (never > 0)
        fprintf(o->out, "  %s%s instrumented function%s never ran.%s\n", o->dim, util_count(a, never),
                util_plural(never), o->reset);
    free(rows);
    return 0;
}

/* Per source file: the functions defined in it that ran, summed. Self times add up without
 * counting anything twice; inclusive times would not, so they are not summed. */
typedef struct {
    const char *file;
    uint64_t self_ns, calls, loop_iterations;
    size_t functions;
} file_row;

static int cmp_fn_file(const void *a, const void *b)
{
    const profile_function *x = *(const profile_function *const *)a, *y = *(const profile_function *const *)b;
    return strcmp(x->file, y->file);
}

static int cmp_loop_file(const void *a, const void *b)
{
    const profile_loop *x = *(const profile_loop *const *)a, *y = *(const profile_loop *const *)b;
    return strcmp(x->file, y->file);
}

static int cmp_file_row(const void *a, const void *b)
{
    const file_row *x = a, *y = b;
    int c;
    if ((c = cmp_u64_desc(x->self_ns, y->self_ns)) != 0) return c;
    if ((c = cmp_u64_desc(x->calls, y->calls)) != 0) return c;
    return strcmp(x->file, y->file);
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    return a + b < a ? UINT64_MAX : a + b;
}

static int print_files(const util_out *o, const profile *p)
{
    char a[UTIL_CELL];
    const profile_function **fns = malloc((p->nfunctions + 1) * sizeof *fns);
    const profile_loop **lps = malloc((p->nloops + 1) * sizeof *lps);
    file_row *rows = malloc((p->nfunctions + 1) * sizeof *rows);
    size_t nf = 0, nl = 0, n = 0;
    double runtime = (double)p->stats.total_runtime_ns;
    if (fns == NULL || lps == NULL || rows == NULL) {
        free(fns), free(lps), free(rows);
        return -1;
    }
    for (size_t i = 0; i < p->nfunctions; i++)
        if (p->functions[i].calls > 0) fns[nf++] = &p->functions[i];
    for (size_t i = 0; i < p->nloops; i++) lps[nl++] = &p->loops[i];
    if (nf > 1) qsort(fns, nf, sizeof *fns, cmp_fn_file);
    if (nl > 1) qsort(lps, nl, sizeof *lps, cmp_loop_file);
    for (size_t i = 0, k = 0; i < nf; n++) {
        file_row *r = &rows[n];
        *r = (file_row){fns[i]->file, 0, 0, 0, 0};
        for (; i < nf && strcmp(fns[i]->file, r->file) == 0; i++) {
            r->self_ns = add_sat(r->self_ns, fns[i]->timing != PROFILE_TIMING_NONE ? fns[i]->self_ns : 0);
            r->calls = add_sat(r->calls, fns[i]->calls);
            r->functions++;
        }
        while (k < nl && strcmp(lps[k]->file, r->file) < 0) k++;
        for (; k < nl && strcmp(lps[k]->file, r->file) == 0; k++)
            r->loop_iterations = add_sat(r->loop_iterations, lps[k]->iterations);
    }
    if (n > 1) qsort(rows, n, sizeof *rows, cmp_file_row);

    section(o, "Files (functions that ran, summed per source file)");
    if (n == 0) fprintf(o->out, "  (no function ran)\n");
    else
        fprintf(o->out, "%s%*s %*s %*s %*s %*s  file%s\n", o->bold, TIME_W, "self", PCT_W, "self%", COUNT_W,
                "calls", 9, "functions", COUNT_W + 2, "loop iters", o->reset);
    size_t shown = n < o->top ? n : o->top;
    for (size_t i = 0; i < shown; i++) {
        const file_row *r = &rows[i];
        util_cell(o->out, util_duration(a, r->self_ns), TIME_W);
        util_cell(o->out, util_share(a, (double)r->self_ns, runtime), PCT_W + 1);
        util_cell(o->out, util_count(a, r->calls), COUNT_W + 1);
        util_cell(o->out, util_count(a, r->functions), 10);
        util_cell(o->out, util_count(a, r->loop_iterations), COUNT_W + 3);
        fputs("  ", o->out);
        util_put(o->out, *r->file ? r->file : "?");
        fputc('\n', o->out);
    }
    more(o, n, shown, "files");
    free(fns), free(lps), free(rows);
    return 0;
}

static int cmp_loop(const void *a, const void *b)
{
    const profile_loop *x = *(const profile_loop *const *)a, *y = *(const profile_loop *const *)b;
    int c;
    if ((c = cmp_u64_desc(x->iterations, y->iterations)) != 0) return c;
    if ((c = cmp_u64_desc(x->entries, y->entries)) != 0) return c;
    if ((c = strcmp(x->file, y->file)) != 0) return c;
    return (x->line > y->line) - (x->line < y->line);
}

static int print_loops(const util_out *o, const profile *p, double threshold)
{
    double total = advice_loop_total(p);
    char a[UTIL_CELL], loc[256];
    const profile_loop **rows;
    size_t n = 0, never = 0;

    if ((rows = malloc((p->nloops ? p->nloops : 1) * sizeof *rows)) == NULL) return -1;
    for (size_t i = 0; i < p->nloops; i++) {
        if (p->loops[i].iterations > 0 || p->loops[i].entries > 0) rows[n++] = &p->loops[i];
        else never++;
    }
    qsort(rows, n, sizeof *rows, cmp_loop);

    section(o, "Hottest loops");
    if (n == 0) fprintf(o->out, "  (no loop ran)\n");
    else
        fprintf(o->out, "%s%*s %*s %*s %5s %*s  %-24s function%s\n", o->bold, COUNT_W + 2, "iterations",
                COUNT_W, "entries", COUNT_W, "avg/entry", "depth", CLASS_W, "class", "location", o->reset);
    size_t shown = n < o->top ? n : o->top;
    for (size_t i = 0; i < shown; i++) {
        const profile_loop *l = rows[i];
        util_cell(o->out, util_count(a, l->iterations), COUNT_W + 2);
        util_cell(o->out, util_count(a, l->entries), COUNT_W + 1);
        if (l->entries > 0) snprintf(a, sizeof a, "%.1f", (double)l->iterations / (double)l->entries);
        else snprintf(a, sizeof a, "-");
        util_cell(o->out, a, COUNT_W + 1);
        util_cell(o->out, l->depth ? util_count(a, l->depth) : "?", 6);
        util_cell(o->out, advice_class_name(advice_classify(advice_loop_share(l, total), threshold)), CLASS_W + 1);
        fputs("  ", o->out);
        util_cell(o->out, util_location(loc, sizeof loc, l->location, l->file, l->line), -24);
        fputc(' ', o->out);
        util_put(o->out, *l->function ? l->function : "?");
        fputc('\n', o->out);
    }
    more(o, n, shown, "loops");
    if (never > 0)
        fprintf(o->out, "  %s%s loop%s never ran.%s\n", o->dim, util_count(a, never), util_plural(never),
                o->reset);
    free(rows);
    return 0;
}

static uint64_t branch_runs(const profile_branch *b)
{
    return b->taken + b->not_taken < b->taken ? UINT64_MAX : b->taken + b->not_taken;
}

static int cmp_biased(const void *a, const void *b)
{
    const profile_branch *x = *(const profile_branch *const *)a, *y = *(const profile_branch *const *)b;
    if (x->prediction_rate != y->prediction_rate) return x->prediction_rate > y->prediction_rate ? -1 : 1;
    return cmp_u64_desc(branch_runs(x), branch_runs(y));
}

static int cmp_unpredictable(const void *a, const void *b)
{
    const profile_branch *x = *(const profile_branch *const *)a, *y = *(const profile_branch *const *)b;
    if (x->prediction_rate != y->prediction_rate) return x->prediction_rate < y->prediction_rate ? -1 : 1;
    return cmp_u64_desc(branch_runs(x), branch_runs(y));
}

static void print_branch_rows(const util_out *o, const profile *p, const profile_branch **rows, size_t n,
                              double threshold)
{
    double total = advice_branch_total(p);
    char a[UTIL_CELL], loc[256];
    if (n == 0) {
        fprintf(o->out, "  (none)\n");
        return;
    }
    fprintf(o->out, "%s%*s %*s %*s %7s %8s %*s  %-24s function%s\n", o->bold, COUNT_W + 2, "runs", COUNT_W,
            "taken", COUNT_W, "not taken", "taken%", "predict", CLASS_W, "class", "location", o->reset);
    size_t shown = n < o->top ? n : o->top;
    for (size_t i = 0; i < shown; i++) {
        const profile_branch *b = rows[i];
        util_cell(o->out, util_count(a, branch_runs(b)), COUNT_W + 2);
        util_cell(o->out, util_count(a, b->taken), COUNT_W + 1);
        util_cell(o->out, util_count(a, b->not_taken), COUNT_W + 1);
        util_cell(o->out, util_share(a, (double)b->taken, (double)b->taken + (double)b->not_taken), 8);
        util_cell(o->out, util_share(a, b->prediction_rate, 1), 9);
        util_cell(o->out, advice_class_name(advice_classify(advice_branch_share(b, total), threshold)), CLASS_W + 1);
        fputs("  ", o->out);
        util_cell(o->out, util_location(loc, sizeof loc, b->location, b->file, b->line), -24);
        fputc(' ', o->out);
        util_put(o->out, *b->function ? b->function : "?");
        fputc('\n', o->out);
    }
    more(o, n, shown, "branches");
}

/* Branches that ran at least REPORT_BRANCH_MIN_RUNS times split at 75% prediction: the biased ones
 * ranked by prediction rate, the others by closeness to 50/50. */
static int print_branches(const util_out *o, const profile *p, double threshold)
{
    const profile_branch **biased, **coin;
    size_t nb = 0, nc = 0, rare = 0;
    char title[96];
    char a[UTIL_CELL];

    biased = malloc((p->nbranches ? p->nbranches : 1) * sizeof *biased);
    coin = malloc((p->nbranches ? p->nbranches : 1) * sizeof *coin);
    if (biased == NULL || coin == NULL) {
        free(biased);
        free(coin);
        return -1;
    }
    for (size_t i = 0; i < p->nbranches; i++) {
        const profile_branch *b = &p->branches[i];
        if (branch_runs(b) < REPORT_BRANCH_MIN_RUNS) rare++;
        else if (b->prediction_rate >= 0.75) biased[nb++] = b;
        else coin[nc++] = b;
    }
    qsort(biased, nb, sizeof *biased, cmp_biased);
    qsort(coin, nc, sizeof *coin, cmp_unpredictable);

    snprintf(title, sizeof title, "Most biased branches (>= %d runs, predictable >= 75%%)",
             REPORT_BRANCH_MIN_RUNS);
    section(o, title);
    print_branch_rows(o, p, biased, nb, threshold);
    snprintf(title, sizeof title, "Least predictable branches (>= %d runs, predictable < 75%%)",
             REPORT_BRANCH_MIN_RUNS);
    section(o, title);
    print_branch_rows(o, p, coin, nc, threshold);
    if (rare > 0)
        fprintf(o->out, "  %s%s branch%s ran fewer than %d times.%s\n", o->dim, util_count(a, rare),
                rare == 1 ? "" : "es", REPORT_BRANCH_MIN_RUNS, o->reset);
    free(biased);
    free(coin);
    return 0;
}

static int cmp_switch(const void *a, const void *b)
{
    const profile_switch *x = *(const profile_switch *const *)a, *y = *(const profile_switch *const *)b;
    int c;
    if ((c = cmp_u64_desc(x->total, y->total)) != 0) return c;
    if ((c = strcmp(x->file, y->file)) != 0) return c;
    return (x->line > y->line) - (x->line < y->line);
}

static int cmp_case(const void *a, const void *b)
{
    const profile_case *x = *(const profile_case *const *)a, *y = *(const profile_case *const *)b;
    int c = cmp_u64_desc(x->count, y->count);
    return c != 0 ? c : (x > y) - (x < y); /* equal counts keep source order */
}

static int print_switches(const util_out *o, const profile *p)
{
    char a[UTIL_CELL], loc[256];
    const profile_switch **rows;
    const profile_case **cases = NULL;
    size_t n = 0, never = 0, maxcases = 1;

    if ((rows = malloc((p->nswitches ? p->nswitches : 1) * sizeof *rows)) == NULL) return -1;
    for (size_t i = 0; i < p->nswitches; i++) {
        if (p->switches[i].total > 0) rows[n++] = &p->switches[i];
        else never++;
        if (p->switches[i].ncases > maxcases) maxcases = p->switches[i].ncases;
    }
    if ((cases = malloc(maxcases * sizeof *cases)) == NULL) {
        free(rows);
        return -1;
    }
    qsort(rows, n, sizeof *rows, cmp_switch);

    section(o, "Switch statements");
    if (n == 0) fprintf(o->out, "  (no switch ran)\n");
    size_t shown = n < o->top ? n : o->top;
    for (size_t i = 0; i < shown; i++) {
        const profile_switch *s = rows[i];
        fprintf(o->out, "  %s", o->bold);
        util_put(o->out, util_location(loc, sizeof loc, s->location, s->file, s->line));
        fprintf(o->out, "%s in ", o->reset);
        util_put(o->out, *s->function ? s->function : "?");
        fprintf(o->out, ": %s execution%s\n", util_count(a, s->total), util_plural(s->total));
        for (size_t k = 0; k < s->ncases; k++) cases[k] = &s->cases[k];
        qsort(cases, s->ncases, sizeof *cases, cmp_case);
        size_t kshown = s->ncases < o->top ? s->ncases : o->top;
        uint64_t rest = 0;
        for (size_t k = 0; k < kshown; k++) {
            util_cell(o->out, util_count(a, cases[k]->count), COUNT_W + 2);
            util_cell(o->out, util_share(a, (double)cases[k]->count, (double)s->total), 8);
            fputs("  ", o->out);
            util_put(o->out, cases[k]->label);
            fputc('\n', o->out);
        }
        for (size_t k = kshown; k < s->ncases; k++) rest += cases[k]->count;
        if (kshown < s->ncases)
            fprintf(o->out, "%s  … %zu more case%s (%s executions)%s\n", o->dim, s->ncases - kshown,
                    util_plural(s->ncases - kshown), util_count(a, rest), o->reset);
    }
    more(o, n, shown, "switches");
    if (never > 0)
        fprintf(o->out, "  %s%s switch%s never ran.%s\n", o->dim, util_count(a, never),
                never == 1 ? "" : "es", o->reset);
    free(cases);
    free(rows);
    return 0;
}

int report_print_with(const util_out *o, const char *path, const profile *p, const advice_opts *opts)
{
    print_summary(o, path, p);
    if (opts->filter != NULL) {
        fprintf(o->out, "  %-14s", "filter");
        util_put(o->out, opts->filter);
        fprintf(o->out, "  %s(every list below shows only matching functions)%s\n", o->dim, o->reset);
    }
    /* Self time and inclusive time are both always listed: first the --sort order, then the other. */
    advice_sort second = opts->sort == ADVICE_SORT_TOTAL ? ADVICE_SORT_SELF : ADVICE_SORT_TOTAL;
    if (print_threads(o, p) < 0 || print_functions(o, p, opts, opts->sort, true) < 0 ||
        print_functions(o, p, opts, second, false) < 0 || print_files(o, p) < 0)
        return -1;
    section(o, "Call tree (calls, inclusive time)");
    if (calltree_print(o, p) < 0 || print_loops(o, p, opts->threshold) < 0 ||
        print_branches(o, p, opts->threshold) < 0 || print_switches(o, p) < 0 || report_heap_print(o, p) < 0 ||
        report_events_print(o, p) < 0 || report_io_print(o, p) < 0 ||
        advice_print(o, p, opts) < 0)
        return -1;
    return 0;
}

int report_run(const util_out *o, const char *path, const profile *p, const advice_opts *opts)
{
    profile view;
    int rc;
    if (opts->filter != NULL && advice_view(p, opts->filter, &view) < 0) return -1;
    const profile *use = opts->filter != NULL ? &view : p;
    rc = opts->json ? advice_json(o->out, path, use, opts) : report_print_with(o, path, use, opts);
    if (opts->filter != NULL) advice_view_free(&view);
    return rc;
}

int report_print(const util_out *o, const char *path, const profile *p)
{
    advice_opts opts;
    advice_opts_init(&opts);
    return report_print_with(o, path, p, &opts);
}
