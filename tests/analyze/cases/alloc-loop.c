/* alloc-loop.c: allocations in hot loops, for the hoist-allocation rule (test-compare.sh alloc). */
#include <stdlib.h>
#include <string.h>

static volatile long sink;

/* malloc directly in the loop body: the allocations count in scratch itself. */
static long scratch(int n)
{
    long s = 0;
    for (int i = 0; i < n; i++) { /* ALLOC-LOOP-DIRECT */
        unsigned char *buf = malloc(64);
        memset(buf, i & 0xff, 64);
        s += buf[i & 63];
        free(buf);
    }
    return s;
}

struct node {
    struct node *next;
    long value;
};

/* An allocating callee, called once per iteration of build's loop. */
static __attribute__((noinline)) struct node *make_node(long v, struct node *next)
{
    struct node *n = malloc(sizeof *n);
    n->value = v;
    n->next = next;
    return n;
}

static long build(int n)
{
    struct node *list = NULL;
    long s = 0;
    for (int i = 0; i < n; i++) /* ALLOC-LOOP-CALLEE */
        list = make_node(i, list);
    while (list != NULL) {
        struct node *next = list->next;
        s += list->value;
        free(list);
        list = next;
    }
    return s;
}

int main(void)
{
    sink = scratch(100000);
    sink += build(50000);
    return 0;
}
