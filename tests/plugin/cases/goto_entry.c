/* A goto back to a label on the function's first statement (an interpreter's "goto startfunc",
   here with and without a computed goto's label table) is not a new call: it neither counts
   nor times the function again. */
#include <stdio.h>

static volatile int sink;

struct state
{
  int depth, acc;
};

__attribute__((noinline)) static int vm (struct state *s, const unsigned char *code)
{
  static const void *const dispatch[] = { &&op_inc, &&op_call, &&op_ret };
  const unsigned char *pc;
startfunc:
  pc = code;
  goto *dispatch[*pc++];
op_inc:
  s->acc++;
  sink++;
  goto *dispatch[*pc++];
op_call:
  if (s->depth < 3)  /* @vm_call */
    {
      s->depth++;
      goto startfunc;
    }
  goto *dispatch[*pc++];
op_ret:
  return s->acc;
}

__attribute__((noinline)) static int again (struct state *s, int n)
{
top:
  s->acc++;
  if (--n > 0)  /* @again_test */
    goto top;
  return s->acc;
}

int main (void)
{
  static const unsigned char program[] = { 0, 0, 1, 2 };
  int r = 0;
  for (int i = 0; i < 10; i++)
    {
      struct state s = { 0, 0 };
      r += vm (&s, program);
      r += again (&s, 4);
    }
  printf ("%d\n", r);
  return 0;
}
