#include <stdio.h>
static int helper (int x) { return x + 1; }
int work_a (int n);
int main (void)
{
  int s = 0;
  for (int i = 0; i < 5; i++)  /* @loop_b */
    s += helper (i);
  printf ("%d %d\n", s, work_a (100));
  return 0;
}
