/* export-folded.c: folded stacks ("main;f;g 1234", self ns of the leaf) for flamegraph.pl and inferno. */
#include <inttypes.h>

#include "export.h"
#include "stacks.h"

/* One line per call path with self time, root first, in stacks order (roots and siblings sorted by
 * name). The values add up to the sum of the functions' self times (see stacks.h). */
int export_folded(const profile *p, FILE *out)
{
    stacks s;
    size_t path[STACKS_MAX_DEPTH];
    if (stacks_build(p, &s) != 0) return -1;
    for (size_t i = 0; i < s.nnodes; i++) {
        const stacks_node *n = &s.nodes[i];
        path[n->depth] = n->fn;
        if (n->self_ns == 0) continue;
        for (size_t d = 0; d <= n->depth; d++) {
            if (d > 0) fputc(';', out);
            fputs(s.labels[path[d]], out);
        }
        fprintf(out, " %" PRIu64 "\n", n->self_ns);
    }
    stacks_free(&s);
    return 0;
}
