/* Inlining, unrolling and vectorization keep the counts exact. */
#include <stdio.h>

static inline int clamp (int v, int lo, int hi)
{
  if (v < lo)  /* @clamp_lo */
    return lo;
  return v > hi ? hi : v;
}

static inline long sum_range (const int *a, int n)
{
  long s = 0;
  for (int i = 0; i < n; i++)  /* @inl_loop */
    s += a[i];
  return s;
}

static int data[1024];

int main (void)
{
  for (int i = 0; i < 1024; i++)  /* @fill */
    data[i] = i * 7 % 13;
  long total = 0;
  total += sum_range (data, 1024);
  total += sum_range (data, 100);
  total += sum_range (data + 3, 17);
  for (int r = 0; r < 3; r++)  /* @rep */
    for (int i = 0; i < 256; i++)  /* @vec */
      data[i] = data[i] * 2 + 1;
  int c = 0;
  for (int i = -5; i < 15; i++)
    c += clamp (i, 0, 9);
  printf ("%ld %d %d\n", total, c, data[5]);
  return 0;
}
