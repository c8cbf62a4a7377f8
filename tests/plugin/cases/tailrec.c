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

/* Early return, a plain self call and a tail self call: every exit must match its own
   entry (GCC must not turn the exit hook into a jump that reports the caller's frame). */
static int visits;
static void split (int lo, int hi)
{
  if (lo >= hi)
    return;
  visits++;
  int mid = (lo + hi) / 2;
  split (lo, mid);
  split (mid + 1, hi);
}

int main (void)
{
  split (0, 99);
  printf ("%ld %d %d\n", sum_to (100000, 0), is_even (1001), visits);
  return 0;
}
