/* Exact counts for the basic constructs: calls, loops, branches, switch cases. */
#include <stdio.h>

int fib (int n) { return n < 2 ? n : fib (n - 1) + fib (n - 2); }

static int classify (int c)
{
  switch (c) {  /* @switch */
  case 0: return 10;
  case 1: case 3: return 20;
  case 5 ... 7: return 30;
  default: return -1;
  }
}

int main (void)
{
  long sum = 0;
  int even = 0, odd = 0, big = 0, both = 0, k = 0;
  for (int i = 0; i < 1000; i++)  /* @for1000 */
    sum += i;
  for (int i = 0; i < 100; i++)
    if (i % 2 == 0)  /* @evenodd */
      even++;
    else
      odd++;
  for (int x = 0; x < 10; x++)
    if (x > 7)  /* @gt7 */
      big++;
  do { k++; } while (k < 5);  /* @dowhile */
  for (int a = 0; a < 4; a++)
    for (int b = 0; b < 5; b++)  /* @inner */
      if (a > 1 && b < 2)  /* @and */
        both++;
  for (int i = 0; i < 10; i++)
    sum += classify (i);
  printf ("%d %ld %d %d %d %d %d\n", fib (10), sum, even, odd, big, both, k);
  return 0;
}
