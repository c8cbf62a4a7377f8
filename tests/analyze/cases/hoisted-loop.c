/* hoisted-loop.c: the same work as alloc-loop.c with the allocations hoisted out of the loops:
 * the hoist-allocation rule must stay silent (test-compare.sh alloc). */
#include <stdlib.h>
#include <string.h>

static volatile long sink;

static long scratch(int n)
{
    long s = 0;
    unsigned char *buf = malloc(64);
    for (int i = 0; i < n; i++) {
        memset(buf, i & 0xff, 64);
        s += buf[i & 63];
    }
    free(buf);
    return s;
}

struct node {
    long next;
    long value;
};

/* One array for every node: the pool the advice asks for. */
static long build(int n)
{
    struct node *pool = malloc((size_t)n * sizeof *pool);
    long s = 0;
    for (int i = 0; i < n; i++) {
        pool[i].value = i;
        pool[i].next = i - 1;
    }
    for (long k = n - 1; k >= 0; k = pool[k].next) s += pool[k].value;
    free(pool);
    return s;
}

int main(void)
{
    sink = scratch(100000);
    sink += build(50000);
    return 0;
}
