/* export-speedscope.c: speedscope's JSON file format, one "sampled" profile built from the stacks. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "export.h"
#include "stacks.h"

static const char schema_url[] = "https://www.speedscope.app/file-format-schema.json";

/* The profile's name: the command line, else the binary, else "cprof profile". */
static const char *profile_name(const profile *p)
{
    return *p->command_line ? p->command_line : *p->binary ? p->binary : "cprof profile";
}

/* shared.frames holds the functions that appear in a stack, in order of first appearance; each
 * sample is one call path with self time (frame indices root first), weighted by that time in ns.
 * Samples follow the stacks order, so speedscope's time-order view matches the flame graph. */
int export_speedscope(const profile *p, FILE *out)
{
    stacks s;
    long *frame;
    size_t nframes = 0, path[STACKS_MAX_DEPTH];
    bool first;
    if (stacks_build(p, &s) != 0) return -1;
    if ((frame = malloc((p->nfunctions + 1) * sizeof *frame)) == NULL) {
        stacks_free(&s);
        return -1;
    }
    for (size_t f = 0; f < p->nfunctions; f++) frame[f] = -1;

    fprintf(out, "{\"$schema\":\"%s\",\"exporter\":\"cprof-analyze\",\"name\":", schema_url);
    escape_json(out, profile_name(p));
    fprintf(out, ",\"activeProfileIndex\":0,\"shared\":{\"frames\":[");
    for (size_t i = 0; i < s.nnodes; i++) {
        const profile_function *fn = &p->functions[s.nodes[i].fn];
        if (frame[s.nodes[i].fn] >= 0) continue;
        frame[s.nodes[i].fn] = (long)nframes;
        fprintf(out, "%s{\"name\":", nframes++ ? "," : "");
        escape_json(out, s.labels[s.nodes[i].fn]);
        if (*fn->file) {
            fprintf(out, ",\"file\":");
            escape_json(out, fn->file);
        }
        if (fn->line > 0 && fn->line <= (uint64_t)1 << 53) fprintf(out, ",\"line\":%" PRIu64, fn->line);
        fputc('}', out);
    }
    fprintf(out, "]},\"profiles\":[{\"type\":\"sampled\",\"name\":");
    escape_json(out, profile_name(p));
    fprintf(out, ",\"unit\":\"nanoseconds\",\"startValue\":0,\"endValue\":%" PRIu64 ",\"samples\":[",
            s.total_ns);
    first = true;
    for (size_t i = 0; i < s.nnodes; i++) {
        const stacks_node *n = &s.nodes[i];
        path[n->depth] = n->fn;
        if (n->self_ns == 0) continue;
        fprintf(out, "%s[", first ? "" : ",");
        for (size_t d = 0; d <= n->depth; d++) fprintf(out, "%s%ld", d ? "," : "", frame[path[d]]);
        fputc(']', out);
        first = false;
    }
    fprintf(out, "],\"weights\":[");
    first = true;
    for (size_t i = 0; i < s.nnodes; i++) {
        if (s.nodes[i].self_ns == 0) continue;
        fprintf(out, "%s%" PRIu64, first ? "" : ",", s.nodes[i].self_ns);
        first = false;
    }
    fprintf(out, "]}]}\n");
    free(frame);
    stacks_free(&s);
    return 0;
}
