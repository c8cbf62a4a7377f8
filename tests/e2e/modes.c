/* modes.c: cprof_disable / cprof_enable (tests/e2e/modes.sh). An activation keeps the mode it was
   entered in, and so do its direct calls; a call through a pointer, or of a non-static function
   from plain code, picks the mode again (README, "Inlining follows the run's mode"). */
#include <stdio.h>

#include <cprof.h>

static volatile int sink;

/* Static, called directly from instrumented functions only: no dispatch of its own. */
__attribute__((noinline)) static int inner (int i)
{
  sink += i;
  return i & 1;
}

/* Not static: keeps its dispatch. */
__attribute__((noinline)) int outer_ext (int i)
{
  sink += 2 * i;
  return i & 3;
}

/* Called through a pointer only. */
__attribute__((noinline)) static int by_ptr (int i)
{
  sink -= i;
  return i & 7;
}

int (*volatile call_by_ptr) (int) = by_ptr;

__attribute__((noinline)) static int phase (int n)
{
  int r = 0;
  for (int i = 0; i < n; i++)
    r += inner (i) + outer_ext (i) + call_by_ptr (i);
  return r;
}

/* Entered through a pointer while recording is off, so it runs its plain body; it turns recording
   back on and then calls each kind once. */
__attribute__((noinline)) static int resume (int n)
{
  cprof_enable ();
  return inner (n) + outer_ext (n) + call_by_ptr (n);
}

int (*volatile call_resume) (int) = resume;

int main (void)
{
  int r = phase (10);    /* all recorded */
  cprof_disable ();
  r += phase (7);        /* main's clone calls phase's clone: only the call by pointer is not */
  r += call_resume (1);  /* plain: resume and inner not recorded, outer_ext and by_ptr are */
  r += phase (5);        /* recording again */
  printf ("%d %d\n", r, sink);
  return 0;
}
