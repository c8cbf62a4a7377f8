/* Named regions in code built with the plugin: exact counts and edges at every -O level. */
#include <stdio.h>

#include "cprof.h"

__attribute__((noinline)) static long step (long x)
{
  return x * 3 + 1;
}

static long run (int n)
{
  long s = 0;
  CPROF_REGION ("run.all");
  for (int i = 0; i < n; i++)
    {
      CPROF_REGION ("run.iter");
      s += step (i);
    }
  return s;
}

int main (void)
{
  long s = 0;
  for (int k = 0; k < 3; k++)
    s += run (100);
  int h = cprof_region_begin ("manual");
  s += step (7);
  cprof_region_end (h);
  printf ("%ld\n", s);
  return 0;
}
