/* Calls between TUs go straight to the other TU's instrumented clone (split.cc [6]):
   exact counts, call edges and timing across files, recursion through both of them, a
   call through a pointer, and a callee that is not instrumented (the weak forwarder). */
#include <stdio.h>
#include "cross_tu.h"

int ping (int n) /* mutual recursion with pong in cross_tu_b.c */
{
  return n <= 0 ? 0 : 1 + pong (n - 1);
}

static int twice (int x) { return plain_helper (x) * 2; }

static __attribute__ ((noinline)) int via_pointer (int (*fp) (int))
{
  int s = 0;
  for (int i = 0; i < 7; i++)
    s += fp (i);
  return s;
}

int main (void)
{
  int s = 0;
  for (int i = 0; i < 100; i++) /* @main_loop */
    s += scale (i) + (i % 3 == 0 ? bump (i) : 0);
  s += ping (9);
  s += via_pointer (scale);
  s += twice (4) + twice (5);
  printf ("%d\n", s);
  return 0;
}
