/* Plugin options: exclusion by name and no_instrument_function. */
#include <stdio.h>

int skipped_by_option (int x) { return x + 1; }
__attribute__ ((no_instrument_function)) int skipped_by_attribute (int x) { return x * 2; }
int kept (int x) { return x - 1; }

int main (void)
{
  int s = 0;
  for (int i = 0; i < 3; i++)
    s += skipped_by_option (i) + skipped_by_attribute (i) + kept (i);
  printf ("%d\n", s);
  return 0;
}
