/* CPROF_MIN_TIME: short functions stop being timed at their 256th timed call; their counts
   stay exact, and every exit hook still matches its entry (tail exits included). */
#include <stdio.h>

static volatile int sink;

__attribute__((noinline)) static int leaf (int i)
{
  sink += i;
  return i & 1;
}

/* Returns a call's value: its exit hook sits before that call (tail exit). */
__attribute__((noinline)) static int wrap (int i)
{
  return leaf (i + 1);
}

__attribute__((noinline)) static int fib (int n)
{
  return n < 2 ? n : fib (n - 1) + fib (n - 2);
}

__attribute__((noinline)) static long outer (int n)
{
  long odd = 0;
  for (int i = 0; i < n; i++)  /* @outer_loop */
    odd += leaf (i);
  return odd;
}

int main (void)
{
  long odd = outer (5000);
  for (int i = 0; i < 3000; i++)  /* @wrap_loop */
    odd += wrap (i);
  printf ("%ld %d\n", odd, fib (20));
  return 0;
}
