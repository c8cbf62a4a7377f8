/* A threaded interpreter, as Lua's luaV_execute: computed gotos through a read-only static
   table of label addresses, one through a table of label differences, and one through a
   label address kept in a local.  Each of its bodies jumps through tables of its own
   (plugin/label-tables.cc), the plain one (CPROF unset, and while recording is off) and the
   instrumented one: a table left pointing at the other body's labels would crash.  main
   turns recording off for the first runs, so both bodies run under CPROF=1 too. */
#include <stdio.h>

#include "cprof.h"

enum { OP_ADD, OP_LOOP, OP_DEC_JNZ, OP_DOUBLE, OP_HALT };

/* static, called by run_program only: no dispatch test at all (plugin/split.cc [4]) */
__attribute__((noinline)) static long fold (const unsigned char *ops)
{
  static const void *const table[] = { &&inc, &&twice, &&stop };
  long v = 1;
  goto *table[*ops++];
inc:
  v++;
  goto *table[*ops++];
twice:
  v *= 2;
  goto *table[*ops++];
stop:
  return v;
}

/* extern: keeps its dispatch test (plugin/split.cc [1]) */
__attribute__((noinline)) long run_program (const unsigned char *pc, long acc,
					    const unsigned char *ops)
{
  static const void *const dispatch[] = { &&op_add, &&op_loop, &&op_dec_jnz, &&op_double,
					  &&op_halt };
  static const int from_add[] = { 0, &&op_loop - &&op_add, &&op_dec_jnz - &&op_add,
				  &&op_double - &&op_add, &&op_halt - &&op_add };
  const unsigned char *loop_start = pc;
  long counter = 0;
  void *finish = &&op_halt;

  goto *dispatch[*pc++];
op_add:
  acc += *pc++;
  goto *dispatch[*pc++];
op_loop:
  counter = *pc++;
  loop_start = pc;
  goto *dispatch[*pc++];
op_dec_jnz:
  if (--counter != 0)  /* @jnz */
    pc = loop_start;
  goto *(&&op_add + from_add[*pc++]);
op_double:
  acc *= 2;
  if (*pc == OP_HALT)  /* @last */
    goto *finish;
  goto *dispatch[*pc++];
op_halt:
  return acc + fold (ops);
}

/* Not instrumented: its calls take each function's own test, so cprof_disable holds. */
__attribute__((no_instrument_function)) static long drive (long i)
{
  static const unsigned char program[] = { OP_LOOP, 10, OP_ADD, 1, OP_ADD, 2, OP_DEC_JNZ,
					   OP_DOUBLE, OP_HALT };
  static const unsigned char ops[] = { 0, 1, 0, 1, 2 };
  return run_program (program, i, ops);
}

int main (void)
{
  long total = 0;
  cprof_disable ();
  for (int i = 0; i < 7; i++)
    {
      if (i == 3)
	cprof_enable ();
      total += drive (i);
    }
  printf ("%ld\n", total);
  return 0;
}
