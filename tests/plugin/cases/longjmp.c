/* longjmp out of instrumented frames: counts exact, frames closed as unwound. */
#include <setjmp.h>
#include <stdio.h>

static jmp_buf env;
static volatile int sink;

__attribute__ ((noinline)) static void fail_deep (int depth)
{
  if (depth == 0)  /* @jump */
    longjmp (env, 1);
  fail_deep (depth - 1);
  sink++;  /* not a tail call: every frame is left by the longjmp */
}

int main (void)
{
  int caught = 0;
  for (int i = 0; i < 4; i++)  /* @retry */
    {
      if (setjmp (env) == 0)
        fail_deep (10);
      else
        caught++;
    }
  printf ("%d\n", caught);
  return 0;
}
