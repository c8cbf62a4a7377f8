/* Counts on a spanning tree (instrument.cc [9]) stay exact: if/else chains, nested loops, a
   do-while, a switch, a longjmp out of a callee in the middle of a loop, exit() from
   inside a loop two frames down.  Every count below is derived, none counted where it is. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

static jmp_buf env;
static volatile int sink;

__attribute__ ((noinline)) static int leaf (int x) { return x * 3 + 1; }

__attribute__ ((noinline)) static void jumper (int i)
{
  if (i == 3)  /* @jumpif */
    longjmp (env, 1);
  sink += i;
}

/* Left by longjmp in its 4th iteration: the frame never reaches its return. */
__attribute__ ((noinline)) static int walk (int n)
{
  int s = 0;
  for (int i = 0; i < n; i++)  /* @walkloop */
    {
      jumper (i);
      s += leaf (i);
    }
  return s;
}

/* setjmp: counted directly (abnormal edges); it calls the tree-counted walk. */
__attribute__ ((noinline)) static int catcher (int n)
{
  if (setjmp (env) == 0)
    return walk (n);
  return -1;
}

__attribute__ ((noinline)) static int mix (int n)
{
  int s = 0;
  for (int i = 0; i < n; i++)  /* @outer */
    {
      if (i % 3 == 0)  /* @mod3 */
        s += leaf (i);
      else if (i % 3 == 1)  /* @mod3b */
        s -= i;
      else
        s ^= leaf (s);
      for (int j = 0; j < i; j++)  /* @inner */
        if ((i + j) & 1)  /* @odd */
          s++;
      int k = i;
      do { s += k; k /= 2; } while (k > 0);  /* @dowhile */
      switch (i & 3)  /* @switch */
        {
        case 0: s += 1; break;
        case 1: s += leaf (2); break;
        case 2: s -= 5; /* fall through */
        default: s *= 3; break;
        }
    }
  return s;
}

__attribute__ ((noinline)) static void maybe_exit (int i)
{
  if (i == 5)  /* @exitif */
    {
      fflush (stdout);
      exit (3);
    }
  sink++;
}

__attribute__ ((noinline)) static void finish (void)
{
  for (int i = 0; i < 10; i++)  /* @finishloop */
    maybe_exit (i);
  printf ("never\n");
}

int main (void)
{
  int r = 0;
  for (int t = 0; t < 2; t++)  /* @retry */
    r += catcher (10);
  printf ("%d %d\n", r, mix (10));
  finish ();
  return 0;
}
