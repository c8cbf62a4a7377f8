/* exit() from deep inside the call stack still writes the profile. */
#include <stdio.h>
#include <stdlib.h>

__attribute__ ((noinline)) void dive (int depth)
{
  if (depth == 5000)  /* @bottom */
    {
      fflush (stdout);
      exit (3);
    }
  dive (depth + 1);
  printf ("never\n");
}

int main (void)
{
  printf ("diving\n");
  dive (1);
  return 0;
}
