/* heap.c: allocations in two translation units (heap.sh builds heap-b.c with or without timing). */
#include <stdio.h>
#include <stdlib.h>

long fill(int n); /* heap-b.c */

void *volatile heap_sink; /* the blocks escape: GCC may not fold a malloc with its free */

static long churn(int n)
{
    long s = 0;
    for (int i = 0; i < n; i++) {
        long *p = malloc(48);
        p[0] = i;
        s += p[0];
        heap_sink = p;
        free(p);
    }
    return s;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0); /* no stdio buffer among the blocks */
    printf("%ld\n", churn(1000) + fill(500));
    return 0;
}
