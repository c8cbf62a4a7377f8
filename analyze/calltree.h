/* calltree.h: the call tree printed from the profile's call graph. */
#ifndef CPROF_ANALYZE_CALLTREE_H
#define CPROF_ANALYZE_CALLTREE_H

#include "profile.h"
#include "util.h"

enum { CALLTREE_MAX_DEPTH = 24 }; /* deeper subtrees are cut with a "…" line */

/* Prints the call tree of p starting at its roots (functions that ran and that no other function
 * calls; if a cycle is never entered from a root, its hottest function becomes a root too).
 * Children are ordered by inclusive time, then calls; at most o->top roots and o->top children per
 * node. A function already on the current path is printed with "(recursive)" and not expanded; one
 * already expanded elsewhere is printed with "(see above)". Returns -1 on allocation failure. */
int calltree_print(const util_out *o, const profile *p);

#endif
