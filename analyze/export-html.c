/* export-html.c: the self-contained HTML report (--html): summary, sortable tables, flame graph. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"
#include "escape.h"
#include "export.h"
#include "flamegraph.h"
#include "html.h"
#include "util.h"

/* ---- cells and tables (html.h) ---- */

void html_text(FILE *out, const char *s)
{
    escape_xml(out, s, 0);
}

void html_section_begin(FILE *out, const char *id, const char *title)
{
    fprintf(out, "<section id=\"%s\"><h2>%s</h2>\n", id, title);
}

void html_section_end(FILE *out)
{
    fputs("</section>\n", out);
}

void html_table_begin(FILE *out, const char *id, const char *headers)
{
    fprintf(out, "<table class=\"sortable\" id=\"%s\"><thead><tr>", id);
    for (const char *h = headers; *h;) {
        size_t len = strcspn(h, "|");
        bool num = *h == '#';
        fprintf(out, "<th%s>%.*s</th>", num ? " class=\"n\"" : "", (int)(len - num), h + num);
        h += len + (h[len] == '|');
    }
    fputs("</tr></thead><tbody>\n", out);
}

void html_table_end(FILE *out)
{
    fputs("</tbody></table>\n", out);
}

void html_td_text(FILE *out, const char *s)
{
    fputs("<td>", out);
    html_text(out, s);
    fputs("</td>", out);
}

void html_td_count(FILE *out, uint64_t n)
{
    fprintf(out, "<td class=\"n\" data-v=\"%" PRIu64 "\">%" PRIu64 "</td>", n, n);
}

void html_td_duration(FILE *out, uint64_t ns)
{
    char d[UTIL_CELL];
    fprintf(out, "<td class=\"n\" data-v=\"%" PRIu64 "\">", ns);
    html_text(out, util_duration(d, ns));
    fputs("</td>", out);
}

const char *html_bytes(char buf[32], uint64_t bytes)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024) {
        snprintf(buf, 32, "%" PRIu64 " B", bytes);
        return buf;
    }
    double v = (double)bytes / 1024;
    size_t u = 0;
    while (u + 1 < sizeof units / sizeof *units && v >= 1023.5) v /= 1024, u++;
    snprintf(buf, 32, "%.*f %s", v < 9.995 ? 2 : v < 99.95 ? 1 : 0, v, units[u]);
    return buf;
}

void html_td_bytes(FILE *out, uint64_t bytes)
{
    char b[32];
    fprintf(out, "<td class=\"n\" data-v=\"%" PRIu64 "\" title=\"%" PRIu64 " bytes\">%s</td>", bytes, bytes,
            html_bytes(b, bytes));
}

void html_td_share(FILE *out, double part, double whole)
{
    char s[UTIL_CELL];
    if (whole <= 0) {
        html_td_dash(out);
        return;
    }
    fprintf(out, "<td class=\"n\" data-v=\"%.6g\">", 100.0 * part / whole);
    html_text(out, util_share(s, part, whole));
    fputs("</td>", out);
}

void html_td_dash(FILE *out)
{
    fputs("<td class=\"n\" data-v=\"-1\">-</td>", out);
}

uint64_t html_json_u64(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) ? util_u64(v->valuedouble) : 0;
}

typedef struct {
    uint64_t id;
    const cJSON *obj;
} id_obj;

static int cmp_id(const void *a, const void *b)
{
    uint64_t x = ((const id_obj *)a)->id, y = ((const id_obj *)b)->id;
    return (x > y) - (x < y);
}

const cJSON **html_json_functions(const profile *p)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(p->root, "functions"), *e;
    size_t n = 0, cap = cJSON_IsArray(arr) ? (size_t)cJSON_GetArraySize(arr) : 0;
    const cJSON **fj = calloc(p->nfunctions + 1, sizeof *fj);
    id_obj *ids = malloc((cap + 1) * sizeof *ids);
    if (fj == NULL || ids == NULL) {
        free(fj), free(ids);
        return NULL;
    }
    cJSON_ArrayForEach(e, arr) if (n < cap) ids[n++] = (id_obj){html_json_u64(e, "id"), e};
    qsort(ids, n, sizeof *ids, cmp_id); /* ids are unique: the loader checks */
    for (size_t i = 0; i < p->nfunctions; i++) {
        id_obj key = {p->functions[i].id, NULL}, *hit = n ? bsearch(&key, ids, n, sizeof *ids, cmp_id) : NULL;
        fj[i] = hit != NULL ? hit->obj : NULL;
    }
    free(ids);
    return fj;
}

/* ---- the page ---- */

static const char css[] =
    "body { font: 14px/1.4 system-ui, sans-serif; margin: 0 2em 3em; color: #222; background: #fff; }\n"
    "h1 { font-size: 1.5em; margin: 0.8em 0 0.2em; } h2 { font-size: 1.2em; margin: 1.6em 0 0.4em; "
    "border-bottom: 1px solid #ccc; }\n"
    "nav a { margin-right: 1em; } code, .loc { font-family: ui-monospace, monospace; font-size: 0.92em; }\n"
    "table { border-collapse: collapse; margin: 0.3em 0; }\n"
    "th, td { padding: 2px 8px; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }\n"
    "th { background: #f0f0f0; position: sticky; top: 0; }\n"
    "table.sortable th { cursor: pointer; user-select: none; }\n"
    "th.asc::after { content: ' \\25b2'; } th.desc::after { content: ' \\25bc'; }\n"
    "td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }\n"
    "tbody tr:hover { background: #fafae0; }\n"
    "td.critical { color: #fff; background: #c0392b; } td.high { background: #f5b041; }\n"
    "td.medium { background: #f9e79f; }\n"
    "dl.summary { display: grid; grid-template-columns: max-content auto; gap: 2px 1.5em; }\n"
    "dl.summary dt { color: #666; } dl.summary dd { margin: 0; }\n"
    "svg.flamegraph, svg.chart { max-width: 100%; height: auto; display: block; }\n"
    "ul.tree, ul.tree ul { list-style: none; padding-left: 1.2em; margin: 0; }\n"
    "ul.tree > li { padding-left: 0; } ul.tree summary { cursor: pointer; }\n"
    "ul.tree .calls, ul.tree .time { color: #555; margin-left: 0.6em; } .note { color: #888; }\n"
    "p.none { color: #888; font-style: italic; }\n";

/* Click a header: sort its table by that column (numbers by data-v, the rest as text); a second
 * click reverses. Numbers start in descending order, text in ascending order. */
static const char script[] =
    "<script>\n"
    "(function () {\n"
    "  'use strict';\n"
    "  function key(td) { var v = td.getAttribute('data-v'); return v === null ? td.textContent : Number(v); }\n"
    "  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {\n"
    "    var heads = table.tHead.rows[0].cells;\n"
    "    Array.prototype.forEach.call(heads, function (th, col) {\n"
    "      th.addEventListener('click', function () {\n"
    "        var num = th.classList.contains('n');\n"
    "        var desc = th.classList.contains('desc') ? false : th.classList.contains('asc') ? true : num;\n"
    "        Array.prototype.forEach.call(heads, function (h) { h.classList.remove('asc', 'desc'); });\n"
    "        th.classList.add(desc ? 'desc' : 'asc');\n"
    "        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);\n"
    "        rows.forEach(function (r, i) { r.cprofIndex = i; });\n"
    "        rows.sort(function (a, b) {\n"
    "          var x = key(a.cells[col]), y = key(b.cells[col]);\n"
    "          var c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));\n"
    "          return (desc ? -c : c) || a.cprofIndex - b.cprofIndex;\n"
    "        });\n"
    "        rows.forEach(function (r) { body.appendChild(r); });\n"
    "      });\n"
    "    });\n"
    "  });\n"
    "})();\n"
    "</script>\n";

static void dt(FILE *out, const char *label)
{
    fprintf(out, "<dt>%s</dt><dd>", label);
}

/* The run summary of the text report (report.c), as a definition list. */
static void summary(FILE *out, const profile *p, const advice_opts *o)
{
    const profile_statistics *st = &p->stats;
    char a[UTIL_CELL], b[UTIL_CELL];
    fputs("<dl class=\"summary\">\n", out);
    dt(out, "format");
    html_text(out, p->version);
    fputs("</dd>\n", out);
    dt(out, "binary");
    html_text(out, *p->binary ? p->binary : "?");
    fputs("</dd>\n", out);
    dt(out, "command line");
    fputs("<code>", out);
    html_text(out, *p->command_line ? p->command_line : "?");
    fputs("</code></dd>\n", out);
    dt(out, "pid");
    fprintf(out, "%s</dd>\n", p->has_pid ? util_count(a, p->pid) : "?");
    dt(out, "timestamp");
    fprintf(out, "%s</dd>\n", p->has_timestamp ? util_iso8601(a, p->timestamp) : "?");
    dt(out, "wall time");
    fprintf(out, "<span id=\"wall\" data-v=\"%" PRIu64 "\">%s</span>", st->total_runtime_ns,
            st->has_runtime ? util_duration(a, st->total_runtime_ns) : "?");
    if (*p->clock) {
        fputs(" <span class=\"note\">(", out);
        html_text(out, p->clock);
        fputs(")</span>", out);
    }
    fputs("</dd>\n", out);
    dt(out, "threads");
    fprintf(out, "%s</dd>\n", util_count(a, st->threads ? st->threads : p->nthreads));
    dt(out, "timed calls");
    fprintf(out, "%s</dd>\n", util_count(a, st->timed_calls));
    dt(out, "overhead");
    if (st->has_overhead)
        fprintf(out, "%s (%.4g%% of wall time; %s per timed call), estimated</dd>\n",
                util_duration(a, st->overhead_estimate_ns), st->overhead_estimate_percent,
                util_duration(b, st->hook_cost_ns));
    else
        fputs("?</dd>\n", out);
    if (st->unwound_frames > 0 || st->dropped_frames > 0) {
        dt(out, "frames");
        fprintf(out, "%s unwound (longjmp, exceptions, exit), %s dropped</dd>\n", util_count(a, st->unwound_frames),
                util_count(b, st->dropped_frames));
    }
    dt(out, "hotspot classes");
    fprintf(out, "critical &gt;= %g%%, high &gt;= %g%%, medium &gt;= %g%% of the run</dd>\n", 4 * o->threshold,
            2 * o->threshold, o->threshold);
    if (o->filter != NULL) {
        dt(out, "filter");
        fputs("<code>", out);
        html_text(out, o->filter);
        fputs("</code> (every list shows only matching functions)</dd>\n", out);
    }
    fputs("</dl>\n", out);
}

static void threads(FILE *out, const profile *p)
{
    if (p->nthreads == 0) return;
    html_section_begin(out, "threads", "Threads");
    html_table_begin(out, "threads-table", "#id|#tid|name|#runtime|#timed calls|#max depth");
    for (size_t i = 0; i < p->nthreads; i++) {
        const profile_thread *t = &p->threads[i];
        fputs("<tr>", out);
        html_td_count(out, t->id);
        html_td_count(out, t->tid);
        fputs("<td>", out);
        html_text(out, *t->name ? t->name : "?");
        if (t->is_main) fputs(" <span class=\"note\">(main)</span>", out);
        fputs("</td>", out);
        html_td_duration(out, t->runtime_ns);
        html_td_count(out, t->timed_calls);
        html_td_count(out, t->max_depth);
        fputs("</tr>\n", out);
    }
    html_table_end(out);
    html_section_end(out);
}

static void td_class(FILE *out, advice_class c)
{
    const char *name = advice_class_name(c);
    fprintf(out, "<td class=\"%s\" data-v=\"%d\">%s</td>", name, (int)c, name);
}

static void td_location(FILE *out, const char *location, const char *file, uint64_t line)
{
    char loc[512];
    fputs("<td class=\"loc\">", out);
    html_text(out, util_location(loc, sizeof loc, location, file, line));
    fputs("</td>", out);
}

/* A latency percentile of a function (functions[].latency.KEY) from its JSON, or -1 when none. */
static double latency(const cJSON *fn, const char *key)
{
    const cJSON *lat = cJSON_GetObjectItemCaseSensitive(fn, "latency");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(lat, key);
    return cJSON_IsNumber(v) && v->valuedouble >= 0 ? v->valuedouble : -1;
}

static const char *const percentiles[] = {"p50_ns", "p95_ns", "p99_ns"};

/* Every function that ran, in the report's order, with its numbers and hotspot class. */
static int functions(FILE *out, const profile *p, const advice_opts *o, const cJSON *const *fj)
{
    const profile_function **rows = malloc((p->nfunctions ? p->nfunctions : 1) * sizeof *rows);
    double runtime = (double)p->stats.total_runtime_ns;
    size_t n = 0, never = 0;
    bool has_latency = false;
    char loc[512];
    if (rows == NULL) return -1;
    for (size_t i = 0; i < p->nfunctions; i++) {
        if (p->functions[i].calls > 0) rows[n++] = &p->functions[i];
        else never++;
        if (!has_latency && latency(fj[i], "p50_ns") >= 0) has_latency = true;
    }
    advice_sort_functions(rows, n, o->sort);
    html_section_begin(out, "functions", "Functions");
    if (n == 0) fputs("<p class=\"none\">No function ran.</p>\n", out);
    else {
        html_table_begin(out, "functions-table",
                         has_latency ? "function|location|#calls|#timed|#self|#self %|#total|#total %|#avg|#min|#max|"
                                       "#p50|#p95|#p99|#class"
                                     : "function|location|#calls|#timed|#self|#self %|#total|#total %|#avg|#min|#max|#class");
        for (size_t r = 0; r < n; r++) {
            const profile_function *f = rows[r];
            bool timed = f->timing != PROFILE_TIMING_NONE;
            fputs("<tr>", out);
            fputs("<td>", out);
            html_text(out, f->name);
            if (f->timing == PROFILE_TIMING_NONE) fputs(" <span class=\"note\">[inlined]</span>", out);
            if (f->timing == PROFILE_TIMING_PARTIAL)
                fputs(f->adaptive ? " <span class=\"note\">[short calls]</span>" : " <span class=\"note\">[partly inlined]</span>", out);
            fputs("</td>", out);
            fputs("<td class=\"loc\">", out);
            if (*f->file) html_text(out, util_location(loc, sizeof loc, "", f->file, f->line));
            fputs("</td>", out);
            html_td_count(out, f->calls);
            html_td_count(out, f->timed_calls);
            if (timed) {
                html_td_duration(out, f->self_ns);
                html_td_share(out, (double)f->self_ns, runtime);
                html_td_duration(out, f->total_ns);
                html_td_share(out, (double)f->total_ns, runtime);
                html_td_duration(out, f->avg_ns);
                html_td_duration(out, f->min_ns);
                html_td_duration(out, f->max_ns);
            } else {
                for (int k = 0; k < 7; k++) html_td_dash(out);
            }
            for (size_t k = 0; has_latency && k < 3; k++) {
                double v = latency(fj[f - p->functions], percentiles[k]);
                if (v >= 0) html_td_duration(out, (uint64_t)v);
                else html_td_dash(out);
            }
            td_class(out, advice_function_class(p, f, o->threshold));
            fputs("</tr>\n", out);
        }
        html_table_end(out);
    }
    if (never > 0)
        fprintf(out, "<p class=\"note\">%zu instrumented function%s never ran.</p>\n", never, util_plural(never));
    html_section_end(out);
    free(rows);
    return 0;
}

/* ---- per file ---- */

typedef struct {
    const char *file;
    uint64_t functions, ran, calls, self_ns, loops, iterations, branches, runs;
} file_row;

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static file_row *file_of(file_row *rows, size_t n, const char *file)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(rows[mid].file, file);
        if (c == 0) return &rows[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

static int files(FILE *out, const profile *p)
{
    size_t total = p->nfunctions + p->nloops + p->nbranches, n = 0;
    const char **names = malloc((total ? total : 1) * sizeof *names);
    file_row *rows = calloc(total ? total : 1, sizeof *rows);
    file_row *r;
    if (names == NULL || rows == NULL) {
        free(names);
        free(rows);
        return -1;
    }
    for (size_t i = 0; i < p->nfunctions; i++) names[n++] = p->functions[i].file;
    for (size_t i = 0; i < p->nloops; i++) names[n++] = p->loops[i].file;
    for (size_t i = 0; i < p->nbranches; i++) names[n++] = p->branches[i].file;
    qsort(names, n, sizeof *names, cmp_str_ptr);
    size_t nrows = 0;
    for (size_t i = 0; i < n; i++)
        if (nrows == 0 || strcmp(rows[nrows - 1].file, names[i]) != 0) rows[nrows++].file = names[i];
    for (size_t i = 0; i < p->nfunctions; i++) {
        const profile_function *f = &p->functions[i];
        r = file_of(rows, nrows, f->file);
        r->functions++;
        r->ran += f->calls > 0;
        r->calls += f->calls;
        r->self_ns += f->self_ns;
    }
    for (size_t i = 0; i < p->nloops; i++) {
        r = file_of(rows, nrows, p->loops[i].file);
        r->loops++;
        r->iterations += p->loops[i].iterations;
    }
    for (size_t i = 0; i < p->nbranches; i++) {
        r = file_of(rows, nrows, p->branches[i].file);
        r->branches++;
        r->runs += p->branches[i].taken + p->branches[i].not_taken;
    }
    html_section_begin(out, "files", "Files");
    if (nrows == 0) fputs("<p class=\"none\">No source file.</p>\n", out);
    else {
        html_table_begin(out, "files-table",
                         "file|#functions|#ran|#calls|#self|#self %|#loops|#loop iterations|#branches|#branch runs");
        for (size_t i = 0; i < nrows; i++) {
            r = &rows[i];
            fputs("<tr>", out);
            html_td_text(out, *r->file ? r->file : "?");
            html_td_count(out, r->functions);
            html_td_count(out, r->ran);
            html_td_count(out, r->calls);
            html_td_duration(out, r->self_ns);
            html_td_share(out, (double)r->self_ns, (double)p->stats.total_runtime_ns);
            html_td_count(out, r->loops);
            html_td_count(out, r->iterations);
            html_td_count(out, r->branches);
            html_td_count(out, r->runs);
            fputs("</tr>\n", out);
        }
        html_table_end(out);
    }
    html_section_end(out);
    free(names);
    free(rows);
    return 0;
}

/* ---- loops, branches, switches ---- */

static int cmp_u64_desc(uint64_t x, uint64_t y)
{
    return (x < y) - (x > y);
}

static int cmp_site(const char *fa, uint64_t la, const char *fb, uint64_t lb)
{
    int c = strcmp(fa, fb);
    return c != 0 ? c : (la > lb) - (la < lb);
}

/* The report's orders: loops by iterations, then entries; branches by executions; switches by
 * executions; ties by file and line. */
static int cmp_loop(const void *a, const void *b)
{
    const profile_loop *x = *(const profile_loop *const *)a, *y = *(const profile_loop *const *)b;
    int c;
    if ((c = cmp_u64_desc(x->iterations, y->iterations)) != 0) return c;
    if ((c = cmp_u64_desc(x->entries, y->entries)) != 0) return c;
    return cmp_site(x->file, x->line, y->file, y->line);
}

static int cmp_branch(const void *a, const void *b)
{
    const profile_branch *x = *(const profile_branch *const *)a, *y = *(const profile_branch *const *)b;
    int c = cmp_u64_desc(x->taken + x->not_taken, y->taken + y->not_taken);
    return c != 0 ? c : cmp_site(x->file, x->line, y->file, y->line);
}

static int cmp_switch(const void *a, const void *b)
{
    const profile_switch *x = *(const profile_switch *const *)a, *y = *(const profile_switch *const *)b;
    int c = cmp_u64_desc(x->total, y->total);
    return c != 0 ? c : cmp_site(x->file, x->line, y->file, y->line);
}

/* Pointers to the n elements of size bytes at base, sorted by cmp; NULL when memory ran out. */
static const void **sorted(const void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    const void **v = malloc((n + 1) * sizeof *v);
    if (v == NULL) return NULL;
    for (size_t i = 0; i < n; i++) v[i] = (const char *)base + i * size;
    qsort(v, n, sizeof *v, cmp);
    return v;
}

static int loops(FILE *out, const profile *p, double threshold)
{
    double total = advice_loop_total(p);
    size_t shown = 0;
    const void **order = sorted(p->loops, p->nloops, sizeof *p->loops, cmp_loop);
    if (order == NULL) return -1;
    html_section_begin(out, "loops", "Loops");
    for (size_t i = 0; i < p->nloops; i++) {
        const profile_loop *l = order[i];
        if (l->iterations == 0 && l->entries == 0) continue;
        if (shown++ == 0)
            html_table_begin(out, "loops-table", "location|function|#iterations|#entries|#avg trip count|#depth|#class");
        fputs("<tr>", out);
        td_location(out, l->location, l->file, l->line);
        html_td_text(out, *l->function ? l->function : "?");
        html_td_count(out, l->iterations);
        html_td_count(out, l->entries);
        if (l->entries > 0)
            fprintf(out, "<td class=\"n\" data-v=\"%.6g\">%.1f</td>", (double)l->iterations / (double)l->entries,
                    (double)l->iterations / (double)l->entries);
        else html_td_dash(out);
        html_td_count(out, l->depth);
        td_class(out, advice_classify(advice_loop_share(l, total), threshold));
        fputs("</tr>\n", out);
    }
    if (shown > 0) html_table_end(out);
    else fputs("<p class=\"none\">No loop ran.</p>\n", out);
    if (p->nloops > shown) fprintf(out, "<p class=\"note\">%zu loop%s never ran.</p>\n", p->nloops - shown,
                                   util_plural(p->nloops - shown));
    html_section_end(out);
    free(order);
    return 0;
}

static int branches(FILE *out, const profile *p, double threshold)
{
    double total = advice_branch_total(p);
    size_t shown = 0;
    const void **order = sorted(p->branches, p->nbranches, sizeof *p->branches, cmp_branch);
    if (order == NULL) return -1;
    html_section_begin(out, "branches", "Branches");
    for (size_t i = 0; i < p->nbranches; i++) {
        const profile_branch *b = order[i];
        double runs = (double)b->taken + (double)b->not_taken;
        if (runs == 0) continue;
        if (shown++ == 0)
            html_table_begin(out, "branches-table", "location|function|#runs|#taken|#not taken|#taken %|#bias|#class");
        fputs("<tr>", out);
        td_location(out, b->location, b->file, b->line);
        html_td_text(out, *b->function ? b->function : "?");
        html_td_count(out, b->taken + b->not_taken);
        html_td_count(out, b->taken);
        html_td_count(out, b->not_taken);
        html_td_share(out, (double)b->taken, runs);
        html_td_share(out, b->prediction_rate, 1);
        td_class(out, advice_classify(advice_branch_share(b, total), threshold));
        fputs("</tr>\n", out);
    }
    if (shown > 0) html_table_end(out);
    else fputs("<p class=\"none\">No branch ran.</p>\n", out);
    fputs("<p class=\"note\">Bias: the share of the majority outcome (the prediction rate of a static "
          "predictor).</p>\n",
          out);
    html_section_end(out);
    free(order);
    return 0;
}

static int switches(FILE *out, const profile *p)
{
    size_t shown = 0;
    char pct[UTIL_CELL];
    const void **order = sorted(p->switches, p->nswitches, sizeof *p->switches, cmp_switch);
    if (order == NULL) return -1;
    html_section_begin(out, "switches", "Switches");
    for (size_t i = 0; i < p->nswitches; i++) {
        const profile_switch *s = order[i];
        if (s->total == 0) continue;
        if (shown++ == 0) html_table_begin(out, "switches-table", "location|function|#executions|cases (count, share)");
        fputs("<tr>", out);
        td_location(out, s->location, s->file, s->line);
        html_td_text(out, *s->function ? s->function : "?");
        html_td_count(out, s->total);
        fputs("<td>", out);
        for (size_t k = 0; k < s->ncases; k++) {
            fputs(k ? ", <code>" : "<code>", out);
            html_text(out, s->cases[k].label);
            fprintf(out, "</code>: %" PRIu64 " (%s)", s->cases[k].count,
                    util_share(pct, (double)s->cases[k].count, (double)s->total));
        }
        fputs("</td></tr>\n", out);
    }
    if (shown > 0) html_table_end(out);
    else fputs("<p class=\"none\">No switch ran.</p>\n", out);
    html_section_end(out);
    free(order);
    return 0;
}

static int recommendations(FILE *out, const profile *p, double threshold)
{
    advice_rec *recs;
    size_t n;
    if (advice_recommend(p, threshold, &recs, &n) < 0) return -1;
    html_section_begin(out, "recommendations", "Recommendations");
    if (n == 0) fputs("<p class=\"none\">None: no rule found enough evidence in this profile.</p>\n", out);
    else fputs("<ul>\n", out);
    for (size_t i = 0; i < n; i++) {
        fputs("<li><code>", out);
        html_text(out, recs[i].site);
        fputs("</code> [", out);
        html_text(out, recs[i].rule);
        fputs("] ", out);
        html_text(out, recs[i].text);
        fputs("</li>\n", out);
    }
    if (n > 0) fputs("</ul>\n", out);
    html_section_end(out);
    free(recs);
    return 0;
}

static const struct {
    const char *id, *title;
} nav[] = {
    {"summary", "Summary"}, {"flamegraph", "Flame graph"}, {"functions", "Functions"}, {"files", "Files"},
    {"calltree", "Call tree"}, {"loops", "Loops"}, {"branches", "Branches"}, {"switches", "Switches"},
    {"memory", "Memory"}, {"events", "Events"}, {"timeline", "Timeline"}, {"recommendations", "Recommendations"},
};

/* The page of p (already filtered when o->filter is set). */
static int page(const profile *p, FILE *out, const advice_opts *o, const cJSON *const *fj)
{
    const char *name = *p->command_line ? p->command_line : *p->binary ? p->binary : "profile";
    flamegraph_style fg = {.embedded = true};
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>cprof: ", out);
    html_text(out, name);
    fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>cprof profile: ", css);
    html_text(out, name);
    fputs("</h1>\n<nav>", out);
    for (size_t i = 0; i < sizeof nav / sizeof *nav; i++) {
        const char *id = nav[i].id;
        bool optional = strcmp(id, "memory") == 0 || strcmp(id, "events") == 0 || strcmp(id, "timeline") == 0;
        if (optional && cJSON_GetObjectItemCaseSensitive(p->root, id) == NULL) continue; /* id = the JSON key */
        fprintf(out, "<a href=\"#%s\">%s</a>", id, nav[i].title);
    }
    fputs("</nav>\n", out);
    html_section_begin(out, "summary", "Run");
    summary(out, p, o);
    html_section_end(out);
    html_timeline(out, p);
    html_section_begin(out, "flamegraph", "Flame graph");
    fputs("<p class=\"note\">Hover a frame for its time; click to zoom, click <em>all</em> or <em>Reset zoom</em> "
          "to zoom out; <em>Search</em> highlights matching functions.</p>\n",
          out);
    if (flamegraph_write(p, out, &fg) < 0) return -1;
    html_section_end(out);
    if (functions(out, p, o, fj) < 0 || files(out, p) < 0) return -1;
    threads(out, p);
    html_section_begin(out, "calltree", "Call tree (calls, inclusive time)");
    if (html_calltree(out, p) < 0) return -1;
    html_section_end(out);
    if (loops(out, p, o->threshold) < 0 || branches(out, p, o->threshold) < 0 || switches(out, p) < 0) return -1;
    html_memory(out, p, fj);
    html_events(out, p, fj);
    if (recommendations(out, p, o->threshold) < 0) return -1;
    fputs(script, out);
    fputs("</body>\n</html>\n", out);
    return 0;
}

int export_html_with(const profile *p, FILE *out, const advice_opts *opts)
{
    advice_opts defaults;
    profile view;
    const cJSON **fj;
    int rc = -1;
    if (opts == NULL) {
        advice_opts_init(&defaults);
        opts = &defaults;
    }
    if (opts->filter != NULL && advice_view(p, opts->filter, &view) < 0) return -1;
    if (opts->filter != NULL) p = &view;
    if ((fj = html_json_functions(p)) != NULL) rc = page(p, out, opts, fj);
    free(fj);
    if (opts->filter != NULL) advice_view_free(&view);
    return rc;
}

int export_html(const profile *p, FILE *out)
{
    return export_html_with(p, out, NULL);
}
