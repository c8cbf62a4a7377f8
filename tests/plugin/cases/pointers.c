/* Calls that reach a split function by its name or its address go through the entry stub in
   front of its prologue (plugin/entry-stub.cc): with profiling on they land in the clone, and
   every count stays exact.  A plain body that turns profiling on and then calls a function
   by name keeps its values in the registers GCC believed that call leaves alone. */
#include <stdio.h>
#include "cprof.h"

__attribute__((noinline)) int weight (int x)
{
  return x * 3 + 1;
}

/* Static, its address taken; its arguments live across calls, so its plain body saves
   registers. */
static int compare (const void *a, const void *b)
{
  int x = *(const int *) a, y = *(const int *) b;
  int wx = weight (x), wy = weight (y);
  return (wx > wy) - (wx < wy);
}

int (*volatile compare_ptr) (const void *, const void *) = compare;

/* Public, a leaf: its plain body touches few registers, its clone's timing hooks r10 and r11. */
__attribute__((noinline)) long mix (long v, long k)
{
  return v * 31 + k;
}

/* Twelve values live across every call of mix: GCC keeps some in registers mix's plain body
   does not touch, unless it is told a call of mix may run the clone. */
static __attribute__((noinline)) long plain_caller (long n)
{
  long a0 = n, a1 = n + 1, a2 = n + 2, a3 = n + 3, a4 = n + 4, a5 = n + 5;
  long a6 = n + 6, a7 = n + 7, a8 = n + 8, a9 = n + 9, a10 = n + 10, a11 = n + 11;
  cprof_enable ();
  for (long i = 0; i < n; i++)  /* @mix_loop */
    {
      long m = mix (i, a0);
      a0 += m & 1; a1 += a0 ^ m; a2 += a1 >> 1; a3 += a2 + i; a4 ^= a3; a5 += a4 & 7;
      a6 += a5 | 1; a7 -= a6 & 3; a8 += a7 >> 2; a9 ^= a8; a10 += a9 & 15; a11 += a10 + m;
    }
  return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
}

long (*volatile plain_caller_ptr) (long) = plain_caller;

int main (void)
{
  int v[64];
  for (int i = 0; i < 64; i++)
    v[i] = (i * 37) % 64;
  int sum = 0;
  for (int i = 0; i + 1 < 64; i++)  /* @ptr_loop */
    sum += compare_ptr (&v[i], &v[i + 1]);
  /* With profiling off, the pointer reaches plain_caller's plain body, which turns it on. */
  cprof_disable ();
  long mixed = plain_caller_ptr (300);
  printf ("%d %d %ld\n", sum, v[10], mixed);
  return 0;
}
