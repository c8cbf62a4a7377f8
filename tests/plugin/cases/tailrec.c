/* Tail recursion that GCC turns into a loop still counts every call, and stays a loop. */
#include <stdio.h>

long sum_to (long n, long acc)
{
  if (n == 0)  /* @base */
    return acc;
  return sum_to (n - 1, acc + n);
}

int is_even (unsigned n);
int is_odd (unsigned n) { return n == 0 ? 0 : is_even (n - 1); }
int is_even (unsigned n) { return n == 0 ? 1 : is_odd (n - 1); }

int main (void)
{
  printf ("%ld %d\n", sum_to (100000, 0), is_even (1001));
  return 0;
}
