/* export-flamegraph.c: the interactive SVG flame graph (hover, click to zoom, search); flamegraph.h. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "export.h"
#include "flamegraph.h"
#include "stacks.h"
#include "util.h"

enum { WIDTH = 1200, FRAME_H = 16, FONT = 12, XPAD = 10, TOP = 3 * FONT + 8, BOTTOM = 2 * FONT + 10 };
#define MIN_WIDTH 0.1   /* frames narrower than this many pixels are left out, with their subtree */
#define CHAR_W 0.59     /* average glyph width in units of the font size */

/* FNV-1a of s: picks a stable warm colour per function. */
static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The fill of fn's frames: the style's, or a warm colour from the label (orange for "all"). */
static void fill_of(const flamegraph_style *st, size_t fn, const char *label, char buf[FLAMEGRAPH_FILL])
{
    uint32_t h = hash(label);
    if (st->fill != NULL) st->fill(st->ctx, fn, buf);
    else if (fn == FLAMEGRAPH_ALL) snprintf(buf, FLAMEGRAPH_FILL, "rgb(230,150,60)");
    else snprintf(buf, FLAMEGRAPH_FILL, "rgb(%u,%u,%u)", 205 + h % 50, (h >> 8) % 230, (h >> 16) % 55);
}

static void frame(FILE *out, const flamegraph_style *st, size_t fn, const char *label, const char *file,
                  uint64_t line, uint64_t calls, uint64_t x_ns, uint64_t w_ns, size_t depth, size_t max_depth,
                  uint64_t total)
{
    bool root = fn == FLAMEGRAPH_ALL;
    char fill[FLAMEGRAPH_FILL];
    double scale = (double)(WIDTH - 2 * XPAD) / (double)total;
    double x = XPAD + (double)x_ns * scale, w = (double)w_ns * scale;
    double y = TOP + (double)(max_depth - depth) * FRAME_H;
    char dur[UTIL_CELL], pct[UTIL_CELL];
    size_t fit = w > 3 ? (size_t)((w - 3) / (FONT * CHAR_W)) : 0;

    fprintf(out, "<g class=\"f\" data-x=\"%" PRIu64 "\" data-w=\"%" PRIu64 "\" data-d=\"%zu\" data-c=\"%" PRIu64
                 "\" data-n=\"", x_ns, w_ns, depth, calls);
    escape_xml(out, label, 0);
    if (st->note != NULL) {
        fprintf(out, "\" data-note=\"");
        st->note(st->ctx, out, fn);
    }
    fprintf(out, "\"><title>");
    escape_xml(out, label, 0);
    if (*file) {
        fprintf(out, " (");
        escape_xml(out, file, 0);
        if (line) fprintf(out, ":%" PRIu64, line);
        fputc(')', out);
    }
    fprintf(out, ": ");
    escape_xml(out, util_duration(dur, w_ns), 0);
    fprintf(out, ", ");
    escape_xml(out, util_share(pct, (double)w_ns, (double)total), 0);
    if (!root) fprintf(out, ", %" PRIu64 " call%s", calls, util_plural(calls));
    if (st->note != NULL) {
        fprintf(out, "; ");
        st->note(st->ctx, out, fn);
    }
    fill_of(st, fn, label, fill);
    fprintf(out, "</title><rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%d\" fill=\"%s\" rx=\"2\"/>"
                 "<text x=\"%.2f\" y=\"%.1f\">",
            x, y, w, FRAME_H - 1, fill, x + 3, y + FRAME_H - 4);
    if (fit >= 3) escape_xml(out, label, fit);
    fprintf(out, "</text></g>\n");
}

/* The script: hover shows name/time/share in the details line, a click zooms into a frame (its
 * ancestors stay, full width and faded), "Reset zoom" or a click on "all" zooms out, "Search" or
 * Ctrl-F (or /) highlights the frames whose name matches a regular expression and shows their share. */
static const char script[] =
    "<script type=\"text/ecmascript\"><![CDATA[\n"
    "(function () {\n"
    "'use strict';\n"
    "var W = %d, XPAD = %d, FONT = %d, CHARW = %g, TOTAL = %" PRIu64 ", P = '%s', KEYS = %d;\n"
    "function byId(id) { return document.getElementById(P + id); }\n"
    "var frames = Array.prototype.slice.call(byId('svg').querySelectorAll('g.f'));\n"
    "var details = byId('details'), matched = byId('matched');\n"
    "var unzoomBtn = byId('unzoom'), searchBtn = byId('search');\n"
    "var zoomed = null, term = null;\n"
    "function num(g, k) { return Number(g.getAttribute('data-' + k)); }\n"
    "function fmt(ns) {\n"
    "  var u = [[1e9, 's'], [1e6, 'ms'], [1e3, '\\u00b5s']];\n"
    "  for (var i = 0; i < u.length; i++) if (ns >= u[i][0]) return (ns / u[i][0]).toPrecision(3) + ' ' + u[i][1];\n"
    "  return ns + ' ns';\n"
    "}\n"
    "function pct(ns) { return TOTAL > 0 ? (100 * ns / TOTAL).toFixed(2) + '%%' : '-'; }\n"
    "function label(g, w) {\n"
    "  var n = g.getAttribute('data-n'), fit = Math.floor((w - 3) / (FONT * CHARW));\n"
    "  if (fit < 3) return '';\n"
    "  return n.length <= fit ? n : n.substring(0, fit - 2) + '..';\n"
    "}\n"
    "function place(g, x, w) {\n"
    "  var r = g.querySelector('rect'), t = g.querySelector('text');\n"
    "  r.setAttribute('x', x.toFixed(2)); r.setAttribute('width', w.toFixed(2));\n"
    "  t.setAttribute('x', (x + 3).toFixed(2)); t.textContent = label(g, w);\n"
    "}\n"
    "function zoom(z) {\n"
    "  zoomed = z;\n"
    "  var zx = z ? num(z, 'x') : 0, zw = z ? num(z, 'w') : TOTAL, zd = z ? num(z, 'd') : 0, span = W - 2 * XPAD;\n"
    "  frames.forEach(function (g) {\n"
    "    var x = num(g, 'x'), w = num(g, 'w'), d = num(g, 'd'), show = false;\n"
    "    g.classList.remove('parent');\n"
    "    if (d < zd && x <= zx && x + w >= zx + zw) { show = true; g.classList.add('parent'); place(g, XPAD, span); }\n"
    "    else if (d >= zd && x >= zx && x + w <= zx + zw && zw > 0) {\n"
    "      var nw = w / zw * span;\n"
    "      if (nw >= 0.1) { show = true; place(g, XPAD + (x - zx) / zw * span, nw); }\n"
    "    }\n"
    "    g.style.display = show ? '' : 'none';\n"
    "  });\n"
    "  unzoomBtn.style.opacity = z && zd > 0 ? '1' : '0';\n"
    "  if (term !== null) search(term);\n"
    "}\n"
    "function describe(g) {\n"
    "  var w = num(g, 'w'), c = num(g, 'c');\n"
    "  var note = g.getAttribute('data-note');\n"
    "  return 'Function: ' + g.getAttribute('data-n') + ' (' + fmt(w) + ', ' + pct(w) +\n"
    "    (num(g, 'd') > 0 ? ', ' + c + (c === 1 ? ' call' : ' calls') : '') + ')' + (note ? '; ' + note : '');\n"
    "}\n"
    "function search(t) {\n"
    "  var re;\n"
    "  term = t;\n"
    "  try { re = new RegExp(t); } catch (e) { re = { test: function (s) { return s.indexOf(t) >= 0; } }; }\n"
    "  var ranges = [];\n"
    "  frames.forEach(function (g) {\n"
    "    var r = g.querySelector('rect');\n"
    "    if (!r.hasAttribute('data-fill')) r.setAttribute('data-fill', r.getAttribute('fill'));\n"
    "    var hit = t !== null && t !== '' && num(g, 'd') > 0 && re.test(g.getAttribute('data-n'));\n"
    "    r.setAttribute('fill', hit ? 'rgb(230,0,230)' : r.getAttribute('data-fill'));\n"
    "    if (hit) ranges.push([num(g, 'x'), num(g, 'x') + num(g, 'w')]);\n"
    "  });\n"
    "  ranges.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });\n"
    "  var sum = 0, end = -1;\n"
    "  ranges.forEach(function (r) { if (r[0] >= end) { sum += r[1] - r[0]; end = r[1]; } else if (r[1] > end) { sum += r[1] - end; end = r[1]; } });\n"
    "  matched.textContent = t ? 'Matched: ' + pct(sum) + ' (' + fmt(sum) + ')' : '';\n"
    "  searchBtn.textContent = t ? 'Reset search' : 'Search';\n"
    "  if (!t) term = null;\n"
    "}\n"
    "function ask() {\n"
    "  if (term !== null) { search(null); return; }\n"
    "  var t = window.prompt('Search for (regular expression):', '');\n"
    "  if (t) search(t);\n"
    "}\n"
    "frames.forEach(function (g) {\n"
    "  g.addEventListener('mouseover', function () { details.textContent = describe(g); });\n"
    "  g.addEventListener('mouseout', function () { details.textContent = ' '; });\n"
    "  g.addEventListener('click', function () { zoom(num(g, 'd') > 0 ? g : null); });\n"
    "});\n"
    "unzoomBtn.addEventListener('click', function () { zoom(null); });\n"
    "searchBtn.addEventListener('click', ask);\n"
    "if (KEYS) window.addEventListener('keydown', function (e) {\n"
    "  if ((e.key === 'f' && (e.ctrlKey || e.metaKey)) || (e.key === '/' && !e.ctrlKey)) { e.preventDefault(); ask(); }\n"
    "  else if (e.key === 'Escape') { search(null); zoom(null); }\n"
    "});\n"
    "})();\n"
    "]]></script>\n";

/* The flame graph of the stacks: one frame per call path, wide as its inclusive time, callers
 * below callees, siblings in name order, under an "all" frame for the whole profile. */
int flamegraph_write(const profile *p, FILE *out, const flamegraph_style *st)
{
    stacks s;
    uint64_t *x;
    size_t max_depth = 0, height;
    char dur[UTIL_CELL];
    const char *P = st->embedded ? "fg-" : ""; /* id prefix: an HTML page has ids of its own */
    if (stacks_build(p, &s) != 0) return -1;
    if ((x = calloc(2 * s.nnodes + 1, sizeof *x)) == NULL) {
        stacks_free(&s);
        return -1;
    }
    /* x[i]: left edge of node i in ns; a child starts where its previous sibling ended, and
     * next[i] is where node i's next child starts (nodes are in preorder). */
    uint64_t cursor = 0, *next = x + s.nnodes;
    for (size_t i = 0; i < s.nnodes; i++) {
        const stacks_node *n = &s.nodes[i];
        if (n->parent < 0) {
            x[i] = cursor;
            cursor += n->total_ns;
        } else {
            x[i] = next[n->parent];
            next[n->parent] += n->total_ns;
        }
        next[i] = x[i];
        if (n->total_ns > 0 && n->depth + 1 > max_depth) max_depth = n->depth + 1;
    }
    height = TOP + (max_depth + 1) * FRAME_H + BOTTOM;

    if (!st->embedded)
        fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
                     "<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" id=\"svg\" width=\"%d\" "
                     "height=\"%zu\" viewBox=\"0 0 %d %zu\">\n",
                WIDTH, height, WIDTH, height);
    else /* the HTML parser puts <svg> in the SVG namespace by itself */
        fprintf(out, "<svg id=\"fg-svg\" class=\"flamegraph\" width=\"%d\" height=\"%zu\" viewBox=\"0 0 %d %zu\">\n",
                WIDTH, height, WIDTH, height);
    fprintf(out, "<style>\n"
                 "#%ssvg text { font-family: Verdana, sans-serif; font-size: %dpx; fill: #000; }\n"
                 "#%ssvg g.f text { pointer-events: none; }\n"
                 "#%ssvg g.f:hover rect { stroke: #000; stroke-width: 0.5; cursor: pointer; }\n"
                 "#%ssvg g.parent rect { opacity: 0.5; }\n"
                 "#%stitle { font-size: %dpx; text-anchor: middle; }\n"
                 "#%sunzoom, #%ssearch { cursor: pointer; }\n"
                 "#%ssearch, #%smatched { text-anchor: end; }\n"
                 "</style>\n",
            P, FONT, P, P, P, P, FONT + 5, P, P, P, P);
    fprintf(out, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%zu\" fill=\"#f8f8f0\"/>\n", WIDTH, height);
    fprintf(out, "<text id=\"%stitle\" x=\"%d\" y=\"%d\">", P, WIDTH / 2, FONT + 6);
    if (st->title != NULL) {
        escape_xml(out, st->title, 120);
    } else {
        fprintf(out, "Flame graph: ");
        escape_xml(out, *p->command_line ? p->command_line : *p->binary ? p->binary : "cprof profile", 80);
    }
    fprintf(out, "</text>\n<text id=\"%sunzoom\" x=\"%d\" y=\"%d\" style=\"opacity:0\">Reset zoom</text>\n"
                 "<text id=\"%ssearch\" x=\"%d\" y=\"%d\">Search</text>\n",
            P, XPAD, 2 * FONT + 8, P, WIDTH - XPAD, 2 * FONT + 8);
    fprintf(out, "<text id=\"%sdetails\" x=\"%d\" y=\"%zu\"> </text>\n<text id=\"%smatched\" x=\"%d\" y=\"%zu\"></text>\n",
            P, XPAD, height - FONT, P, WIDTH - XPAD, height - FONT);
    if (s.total_ns == 0) {
        fprintf(out, "<text x=\"%d\" y=\"%d\">No self time was recorded in this profile.</text>\n", XPAD,
                TOP + FRAME_H);
    } else {
        frame(out, st, FLAMEGRAPH_ALL, "all", "", 0, 0, 0, s.total_ns, 0, max_depth, s.total_ns);
        for (size_t i = 0; i < s.nnodes; i++) {
            const stacks_node *n = &s.nodes[i];
            const profile_function *fn = &p->functions[n->fn];
            if ((double)n->total_ns * (WIDTH - 2 * XPAD) < MIN_WIDTH * (double)s.total_ns) {
                i = n->end - 1; /* too narrow to see: skip the subtree */
                continue;
            }
            frame(out, st, n->fn, s.labels[n->fn], fn->file, fn->line, n->calls, x[i], n->total_ns,
                  n->depth + 1, max_depth, s.total_ns);
        }
    }
    if (s.truncated)
        fprintf(out, "<text x=\"%d\" y=\"%d\">Some deep or numerous call paths were cut.</text>\n", XPAD + 100,
                2 * FONT + 8);
    fprintf(out, "<text x=\"%d\" y=\"%d\" style=\"fill:#888; text-anchor:middle\">", WIDTH / 2, 2 * FONT + 8);
    if (st->caption != NULL) {
        escape_xml(out, st->caption, 160);
    } else {
        fprintf(out, "total self time ");
        escape_xml(out, util_duration(dur, s.total_ns), 0);
        fprintf(out, ", stacks derived from the call graph");
    }
    fprintf(out, "</text>\n");
    fprintf(out, script, WIDTH, XPAD, FONT, CHAR_W, s.total_ns, P, !st->embedded);
    fprintf(out, "</svg>\n");
    free(x);
    stacks_free(&s);
    return 0;
}

int export_flamegraph(const profile *p, FILE *out)
{
    flamegraph_style plain = {0};
    return flamegraph_write(p, out, &plain);
}
