/* heap-b.c: the second translation unit of heap.c. */
#include <stdlib.h>

extern void *volatile heap_sink; /* heap.c */

long fill(int n)
{
    long s = 0;
    for (int i = 0; i < n; i++) {
        long *p = calloc(4, sizeof *p);
        p[1] = i;
        s += p[1];
        heap_sink = p;
        free(p);
    }
    return s;
}
