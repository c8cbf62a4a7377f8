/* skip-leaves: a tiny leaf gets no timing hooks; its counts stay exact. */
#include <stdio.h>

__attribute__((noinline)) static int sq (int x)
{
  return x * x;
}

__attribute__((noinline)) static long sum (int n)
{
  long s = 0;
  for (int i = 0; i < n; i++)  /* @sum_loop */
    s += i;
  return s;
}

__attribute__((noinline)) static int twice_sq (int x)
{
  return 2 * sq (x);
}

int main (void)
{
  long t = 0;
  for (int i = 0; i < 100; i++)
    t += twice_sq (i);
  t += sum (1000);
  printf ("%ld\n", t);
  return 0;
}
