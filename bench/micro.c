/* micro.c: micro-benchmarks of the instrumentation's cost: calls, loops, branches, allocations,
   threads.
   usage: micro calls|loops|branches|allocs|threads1|threads8 [scale]  (prints a checksum so work
   is not elided) */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fib (int n) { return n < 2 ? n : fib (n - 1) + fib (n - 2); }

static long loops (int scale)
{
  static int a[4096];
  long s = 0;
  for (int r = 0; r < 40000 * scale; r++)
    for (int i = 0; i < 4096; i++)
      {
        a[i] += i ^ r;
        s += a[i] & 7;
      }
  return s;
}

static long branches (int scale)
{
  unsigned x = 12345;
  long taken = 0;
  for (long i = 0; i < 200000000L * scale; i++)
    {
      x = x * 1103515245u + 12345u;
      if ((x >> 16) & 1)
        taken++;
      else if ((x >> 17) & 3)
        taken += 2;
    }
  return taken;
}

/* Allocation-heavy: short-lived blocks of mixed sizes, as a parser or an interpreter makes. */
static long allocs (int scale)
{
  void *live[64] = { 0 };
  long s = 0;
  for (long i = 0; i < 80000000L * scale; i++)
    {
      int slot = (int) (i * 7 & 63);
      free (live[slot]);
      size_t n = 16 + (size_t) ((i * 2654435761u) >> 20 & 1023);
      char *p = malloc (n);
      p[0] = (char) i;
      s += p[0] + (long) n;
      live[slot] = p;
    }
  for (int k = 0; k < 64; k++)
    free (live[k]);
  return s;
}

__attribute__ ((noinline)) static long leaf (long x) { return x * 3 + 1; }

static void *counter_thread (void *arg)
{
  long n = (long) arg, s = 0;
  for (long i = 0; i < n; i++)
    s += leaf (i);
  return (void *) s;
}

static long threads (int scale, int nthreads)
{
  pthread_t t[8];
  long s = 0;
  for (int i = 0; i < nthreads; i++)
    pthread_create (&t[i], NULL, counter_thread, (void *) (20000000L * scale));
  for (int i = 0; i < nthreads; i++)
    {
      void *r;
      pthread_join (t[i], &r);
      s += (long) r;
    }
  return s;
}

int main (int argc, char **argv)
{
  const char *what = argc > 1 ? argv[1] : "calls";
  int scale = argc > 2 ? atoi (argv[2]) : 1;
  long r;
  if (!strcmp (what, "calls"))
    r = fib (34 + scale);
  else if (!strcmp (what, "loops"))
    r = loops (scale);
  else if (!strcmp (what, "branches"))
    r = branches (scale);
  else if (!strcmp (what, "allocs"))
    r = allocs (scale);
  else if (!strcmp (what, "threads1"))
    r = threads (scale, 1);
  else if (!strcmp (what, "threads8"))
    r = threads (scale, 8);
  else
    {
      fprintf (stderr, "micro: unknown workload '%s'\n", what);
      return 2;
    }
  printf ("%ld\n", r);
  return 0;
}
