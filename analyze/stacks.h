/* stacks.h: call stacks with self time, derived from the call graph, for the flame-graph exports. */
#ifndef CPROF_ANALYZE_STACKS_H
#define CPROF_ANALYZE_STACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile.h"

/* The profile records counts and times per function and per caller→callee edge, not per stack.
 * stacks_build reconstructs a tree of call paths from the roots (functions no instrumented function
 * calls) along executed edges, and gives each path a share of its leaf function's self time and calls:
 *
 *   - the share of a path P·g (P ends in f) is w(P) · time(f→g) / T(g), where T(g) is the larger of
 *     g's inclusive time and the sum of the times of its incoming edges; a root's share is 1, and a
 *     function called from uninstrumented code as well keeps (T(g) − incoming) / T(g) as a root path;
 *   - a function already on the path is not expanded again (recursion and cycles end there; its
 *     nested activations are already inside its own time), and self-calls are left out;
 *   - every function's shares are then normalised: its self time and its calls are divided among its
 *     paths in proportion to their shares (by call counts when no path has a time share, e.g. for
 *     inlined callees; evenly when neither is known), with integer rounding that keeps the sums exact.
 *
 * So the self times of all paths add up exactly to the sum of the functions' self times, and the
 * paths of one function carry exactly its calls. Cycles entered only from uninstrumented code start
 * at their hottest function. Paths are cut at STACKS_MAX_DEPTH; expansion stops after
 * STACKS_MAX_NODES nodes (every function that ran still gets at least one path). */
enum { STACKS_MAX_DEPTH = 256, STACKS_MAX_NODES = 200000 };

typedef struct {
    long parent;       /* the caller's node, -1 for a root */
    size_t fn;         /* index into profile.functions */
    size_t depth;      /* 0 for a root */
    size_t end;        /* one past the last node of this subtree (nodes are in preorder) */
    uint64_t self_ns;  /* fn's self time on this path */
    uint64_t total_ns; /* self_ns of this node and of every node below it */
    uint64_t calls;    /* fn's calls on this path */
    double wt, wc;     /* raw shares by time and by calls (before normalisation) */
} stacks_node;

typedef struct {
    stacks_node *nodes;  /* preorder; roots and siblings sorted by label, then function index */
    size_t nnodes;
    char **labels;       /* per function: its name, with " [file:line]" when the name is ambiguous;
                          * valid UTF-8 without ";" or control characters */
    size_t nlabels;      /* = profile.nfunctions */
    uint64_t total_ns;   /* sum of the roots' total_ns = sum of the functions' self_ns */
    bool truncated;      /* a depth or node limit cut some paths */
} stacks;

/* Builds the stacks of p. Returns 0, or -1 when memory ran out (*s is then empty). */
int stacks_build(const profile *p, stacks *s);

/* Releases what stacks_build allocated; NULL-safe. */
void stacks_free(stacks *s);

#endif
