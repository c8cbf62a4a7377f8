/* html-extras.c: the HTML report's sections of optional profile data: heap, events, timeline. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "util.h"

static const cJSON *member(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static const char *json_str(const cJSON *o, const char *key)
{
    const cJSON *v = member(o, key);
    return cJSON_IsString(v) && v->valuestring != NULL ? v->valuestring : "";
}

/* A two-column table of the named counters of obj (key, label, bytes?). */
typedef struct {
    const char *key, *label;
    bool bytes;
} counter;

static void counters(FILE *out, const char *id, const cJSON *obj, const counter *c, size_t n)
{
    char b[32];
    fprintf(out, "<table id=\"%s\"><tbody>\n", id);
    for (size_t i = 0; i < n; i++) {
        uint64_t v = html_json_u64(obj, c[i].key);
        fprintf(out, "<tr><th>%s</th><td class=\"n\" data-k=\"%s\" data-v=\"%" PRIu64 "\">", c[i].label, c[i].key, v);
        if (c[i].bytes) fprintf(out, "%s <span class=\"note\">(%" PRIu64 " bytes)</span>", html_bytes(b, v), v);
        else fprintf(out, "%" PRIu64, v);
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody></table>\n", out);
}

static const counter heap_totals[] = {
    {"allocations", "allocations", false},     {"reallocations", "reallocations", false},
    {"frees", "frees", false},                 {"allocated_bytes", "allocated", true},
    {"freed_bytes", "freed", true},            {"live_blocks", "live blocks (leaks at exit)", false},
    {"live_bytes", "live (leaks at exit)", true}, {"peak_live_bytes", "peak live", true},
};

static const counter size_classes[] = {
    {"small", "small (&lt;= 256 B)", false},
    {"medium", "medium (&lt;= 64 KiB)", false},
    {"large", "large (&gt; 64 KiB)", false},
};

void html_memory(FILE *out, const profile *p, const cJSON *const *fj)
{
    const cJSON *m = member(p->root, "memory"), *e;
    char b1[32], b2[32];
    size_t n = 0;
    if (!cJSON_IsObject(m)) return;
    html_section_begin(out, "memory", "Memory (heap allocations)");
    fputs("<h3>Totals</h3>\n", out);
    counters(out, "memory-totals", m, heap_totals, sizeof heap_totals / sizeof *heap_totals);
    fputs("<h3>Size classes</h3>\n", out);
    counters(out, "memory-classes", member(m, "size_classes"), size_classes, 3);

    const cJSON *hist = member(m, "histogram");
    if (cJSON_IsArray(hist) && cJSON_GetArraySize(hist) > 0) {
        uint64_t max = 1;
        cJSON_ArrayForEach(e, hist) if (html_json_u64(e, "count") > max) max = html_json_u64(e, "count");
        fputs("<h3>Request sizes</h3>\n", out);
        html_table_begin(out, "memory-histogram", "#from|#to|#requests|");
        cJSON_ArrayForEach(e, hist) {
            uint64_t c = html_json_u64(e, "count");
            fputs("<tr>", out);
            html_td_bytes(out, html_json_u64(e, "min_bytes"));
            html_td_bytes(out, html_json_u64(e, "max_bytes"));
            html_td_count(out, c);
            fprintf(out, "<td><svg width=\"200\" height=\"10\"><rect width=\"%.1f\" height=\"10\" fill=\"#5b8dd6\"/>"
                         "</svg></td></tr>\n",
                    200.0 * (double)c / (double)max);
        }
        html_table_end(out);
    }

    const cJSON *sites = member(m, "sites");
    if (cJSON_IsArray(sites) && cJSON_GetArraySize(sites) > 0) {
        fputs("<h3>Allocation sites</h3>\n", out);
        html_table_begin(out, "memory-sites", "return address|object|#offset|symbol|#allocations|#allocated");
        cJSON_ArrayForEach(e, sites) {
            fputs("<tr>", out);
            html_td_text(out, json_str(e, "return_address"));
            html_td_text(out, json_str(e, "object"));
            fprintf(out, "<td class=\"n\" data-v=\"%" PRIu64 "\">0x%" PRIx64 "</td>", html_json_u64(e, "object_offset"),
                    html_json_u64(e, "object_offset"));
            fputs("<td>", out);
            if (*json_str(e, "symbol")) {
                html_text(out, json_str(e, "symbol"));
                fprintf(out, "+0x%" PRIx64, html_json_u64(e, "symbol_offset"));
            }
            fputs("</td>", out);
            html_td_count(out, html_json_u64(e, "allocations"));
            html_td_bytes(out, html_json_u64(e, "allocated_bytes"));
            fputs("</tr>\n", out);
        }
        html_table_end(out);
        fprintf(out, "<p class=\"note\">%" PRIu64 " sites in all; %" PRIu64 " requests without a recorded site.</p>\n",
                html_json_u64(m, "sites_total"), html_json_u64(m, "sites_dropped"));
    }

    /* Per function: the blocks requested while it was the innermost timed frame. */
    for (size_t i = 0; i < p->nfunctions; i++) {
        const cJSON *fm = member(fj[i], "memory");
        if (!cJSON_IsObject(fm)) continue;
        if (n++ == 0) {
            fputs("<h3>Per function</h3>\n", out);
            html_table_begin(out, "memory-functions",
                             "function|#allocations|#reallocations|#frees|#allocated|#freed|#live");
        }
        fputs("<tr>", out);
        html_td_text(out, p->functions[i].name);
        html_td_count(out, html_json_u64(fm, "allocations"));
        html_td_count(out, html_json_u64(fm, "reallocations"));
        html_td_count(out, html_json_u64(fm, "frees"));
        html_td_bytes(out, html_json_u64(fm, "allocated_bytes"));
        html_td_bytes(out, html_json_u64(fm, "freed_bytes"));
        html_td_bytes(out, html_json_u64(fm, "live_bytes"));
        fputs("</tr>\n", out);
    }
    if (n > 0) html_table_end(out);
    fprintf(out, "<p class=\"note\">%s allocated, %s live at the dump.</p>\n",
            html_bytes(b1, html_json_u64(m, "allocated_bytes")), html_bytes(b2, html_json_u64(m, "live_bytes")));
    html_section_end(out);
}

void html_events(FILE *out, const profile *p, const cJSON *const *fj)
{
    const cJSON *events = member(p->root, "events"), *e;
    size_t n = 0, nsupported = 0;
    if (!cJSON_IsArray(events)) return;
    html_section_begin(out, "events", "Hardware and OS events");
    html_table_begin(out, "events-table", "event|supported|#total");
    cJSON_ArrayForEach(e, events) {
        bool ok = cJSON_IsTrue(member(e, "supported"));
        nsupported += ok;
        fputs("<tr>", out);
        html_td_text(out, json_str(e, "name"));
        fprintf(out, "<td>%s</td>", ok ? "yes" : "no");
        if (ok) html_td_count(out, html_json_u64(e, "total"));
        else html_td_dash(out);
        fputs("</tr>\n", out);
    }
    html_table_end(out);

    /* Per thread, for its whole life: one column per supported event. */
    if (nsupported > 0 && p->nthreads > 0) {
        const cJSON *threads = member(p->root, "threads"), *t;
        fputs("<h3>Per thread</h3>\n<table class=\"sortable\" id=\"events-threads\"><thead><tr>"
              "<th class=\"n\">thread</th>", out);
        cJSON_ArrayForEach(e, events) if (cJSON_IsTrue(member(e, "supported"))) {
            fputs("<th class=\"n\">", out);
            html_text(out, json_str(e, "name"));
            fputs("</th>", out);
        }
        fputs("</tr></thead><tbody>\n", out);
        cJSON_ArrayForEach(t, threads) {
            fputs("<tr>", out);
            html_td_count(out, html_json_u64(t, "id"));
            cJSON_ArrayForEach(e, events) if (cJSON_IsTrue(member(e, "supported")))
                html_td_count(out, html_json_u64(member(t, "events"), json_str(e, "name")));
            fputs("</tr>\n", out);
        }
        html_table_end(out);
    }

    /* Per function: inclusive counts of the supported events, one column each. */
    for (size_t i = 0; i < p->nfunctions && nsupported > 0; i++) {
        const cJSON *fe = member(fj[i], "events");
        if (!cJSON_IsObject(fe)) continue;
        if (n++ == 0) {
            fputs("<h3>Per function (inclusive)</h3>\n<table class=\"sortable\" id=\"events-functions\"><thead><tr>"
                  "<th>function</th>",
                  out);
            cJSON_ArrayForEach(e, events) if (cJSON_IsTrue(member(e, "supported"))) {
                fputs("<th class=\"n\">", out);
                html_text(out, json_str(e, "name"));
                fputs("</th>", out);
            }
            fputs("</tr></thead><tbody>\n", out);
        }
        fputs("<tr>", out);
        html_td_text(out, p->functions[i].name);
        cJSON_ArrayForEach(e, events) if (cJSON_IsTrue(member(e, "supported")))
            html_td_count(out, html_json_u64(fe, json_str(e, "name")));
        fputs("</tr>\n", out);
    }
    if (n > 0) html_table_end(out);
    html_section_end(out);
}

/* ---- timeline ---- */

enum { CHART_W = 900, CHART_H = 180, MARGIN_L = 80, MARGIN_R = 20, MARGIN_T = 24, MARGIN_B = 28 };

typedef const char *(*chart_label)(char buf[32], double v);

static const char *label_bytes(char buf[32], double v)
{
    return html_bytes(buf, (uint64_t)(v + 0.5));
}

static const char *label_percent(char buf[32], double v)
{
    snprintf(buf, 32, "%.0f%%", v);
    return buf;
}

static const char *label_seconds(char buf[32], double ns)
{
    char d[UTIL_CELL];
    snprintf(buf, 32, "%s", util_duration(d, (uint64_t)(ns + 0.5)));
    return buf;
}

/* A line chart of y over t (n points, t in ns), with its axes labelled at 0 and the maximum. */
static void chart(FILE *out, const char *id, const char *title, const double *t, const double *y, size_t n,
                  const char *colour, chart_label fmt)
{
    double tmax = 0, ymax = 0;
    double pw = CHART_W - MARGIN_L - MARGIN_R, ph = CHART_H - MARGIN_T - MARGIN_B;
    char a[32], b[32];
    for (size_t i = 0; i < n; i++) {
        if (t[i] > tmax) tmax = t[i];
        if (y[i] > ymax) ymax = y[i];
    }
    if (tmax <= 0) tmax = 1;
    if (ymax <= 0) ymax = 1;
    fprintf(out, "<svg class=\"chart\" id=\"%s\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n", id, CHART_W,
            CHART_H, CHART_W, CHART_H);
    fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"#fafafa\" stroke=\"#ccc\"/>\n",
            MARGIN_L, MARGIN_T, pw, ph);
    fprintf(out, "<text x=\"%d\" y=\"16\" font-size=\"13\" font-weight=\"bold\">%s</text>\n", MARGIN_L, title);
    fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>\n", MARGIN_L - 4,
            MARGIN_T + 10, fmt(a, ymax));
    fprintf(out, "<text x=\"%d\" y=\"%.0f\" font-size=\"11\" text-anchor=\"end\">%s</text>\n", MARGIN_L - 4,
            MARGIN_T + ph, fmt(b, 0));
    fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\">0</text>\n", MARGIN_L, CHART_H - 8);
    fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>\n", CHART_W - MARGIN_R,
            CHART_H - 8, label_seconds(a, tmax));
    fprintf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", colour);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s%.1f,%.1f", i ? " " : "", MARGIN_L + pw * t[i] / tmax, MARGIN_T + ph * (1 - y[i] / ymax));
    fputs("\"/>\n", out);
    for (size_t i = 0; i < n && n <= 1000; i++) /* a hover target per sample */
        fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s: %s</title></circle>\n",
                MARGIN_L + pw * t[i] / tmax, MARGIN_T + ph * (1 - y[i] / ymax), colour, label_seconds(a, t[i]),
                fmt(b, y[i]));
    fputs("</svg>\n", out);
}

void html_timeline(FILE *out, const profile *p)
{
    const cJSON *tl = member(p->root, "timeline"), *samples = member(tl, "samples"), *e;
    size_t n = 0, cap;
    if (!cJSON_IsObject(tl)) return;
    html_section_begin(out, "timeline", "Memory and CPU over time");
    cap = cJSON_IsArray(samples) ? (size_t)cJSON_GetArraySize(samples) : 0;
    double *t = malloc((cap + 1) * 3 * sizeof *t), *rss = t ? t + cap + 1 : NULL, *cpu = t ? rss + cap + 1 : NULL;
    if (t == NULL || cap == 0) {
        fputs("<p class=\"none\">The timeline has no samples.</p>\n", out);
        free(t);
        html_section_end(out);
        return;
    }
    /* CPU: the user + system time of each interval over its length, in percent of one core. */
    double prev_t = 0, prev_cpu = 0;
    cJSON_ArrayForEach(e, samples) {
        double tn = (double)html_json_u64(e, "t_ns");
        double c = (double)html_json_u64(e, "cpu_user_ns") + (double)html_json_u64(e, "cpu_system_ns");
        t[n] = tn;
        rss[n] = (double)html_json_u64(e, "rss_bytes");
        cpu[n] = tn > prev_t && c >= prev_cpu ? 100.0 * (c - prev_cpu) / (tn - prev_t) : 0;
        prev_t = tn, prev_cpu = c;
        n++;
    }
    fprintf(out, "<p class=\"note\">%zu samples, every %s (time since start-up). CPU is user + system time per "
                 "interval, in percent of one core.</p>\n",
            n, label_seconds((char[32]){0}, (double)html_json_u64(tl, "interval_ns")));
    chart(out, "chart-rss", "Resident set size", t, rss, n, "#2e6fbd", label_bytes);
    chart(out, "chart-cpu", "CPU", t, cpu, n, "#c0392b", label_percent);
    free(t);
    html_section_end(out);
}
