/* Static functions that only instrumented code of this file calls directly count no entry
   of their own: their calls are the sum of their call sites' counts (plugin/instrument.cc
   [10]), inlined or not, through chains of such functions.  The ones that cannot be counted
   so (recursive, on a cycle, address taken, called from uninstrumented code) keep their own
   counter.  Every count must come out exact either way. */
#include <stdio.h>

static volatile int sink;

static int square (int x)  /* three call sites in two functions; small: inlined at -O2 */
{
  return x * x;
}

__attribute__((noinline)) static int leaf (int x)  /* the end of a chain */
{
  sink++;
  return x + 1;
}

__attribute__((noinline)) static int middle (int x)  /* called by chain only */
{
  int s = 0;
  for (int i = 0; i < x; i++)  /* @middle_loop */
    s += leaf (i);
  return s;
}

__attribute__((noinline)) static int chain (int x)
{
  return middle (x) + square (x);
}

__attribute__((noinline)) static int fib (int n)  /* calls itself: its own counter */
{
  return n < 2 ? n : fib (n - 1) + fib (n - 2);
}

static int is_odd (int n);
__attribute__((noinline)) static int is_even (int n)  /* a cycle with is_odd */
{
  return n == 0 ? 1 : is_odd (n - 1);
}
__attribute__((noinline)) static int is_odd (int n)
{
  return n == 0 ? 0 : is_even (n - 1);
}

__attribute__((noinline)) static int callback (int x)  /* its address is taken */
{
  return square (x) + 1;
}

__attribute__((noinline)) static int helper (int x)  /* also called by uninstrumented code */
{
  sink++;
  return x * 3;
}

__attribute__((no_instrument_function, noinline)) static int outsider (int x)
{
  return helper (x);
}

int main (void)
{
  int (*volatile fp) (int) = callback;
  long total = 0;
  for (int i = 0; i < 10; i++)
    {
      total += chain (i);          /* chain 10, middle 10, leaf 0+1+..+9 = 45 */
      total += square (i) + square (i + 1);
      total += fp (i);             /* callback 10 (square 10 more) */
      total += helper (i) + outsider (i);  /* helper 20 */
    }
  total += fib (10);               /* 177 */
  total += is_even (7);            /* is_even 4, is_odd 4 */
  printf ("%ld\n", total);
  return 0;
}
