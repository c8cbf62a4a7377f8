/* entry-stub.cc: a split function's dispatch, moved in front of its prologue.
 *
 * A split function f picks its body by the flag (split.cc [1]):
 *
 *     f:  push %r14; push %rbx; ...            f:  cmpl $0, __cprof_active(%rip)   [1]
 *         cmpb $0, __cprof_active(%rip)            jne  f.cprof.0                   [1]
 *         jne  .Lon                       =>       push %r14; push %rbx; ...       [2]
 *         <plain body>                             <plain body>
 *     .Lon:                                        ...
 *         pop ...; pop %r14
 *         jmp  f.cprof.0
 *
 * GCC often puts the test behind the plain body's prologue (its arguments are copied into the
 * registers it saves), so a call that reaches f's symbol with profiling on (through a pointer,
 * from another TU's plain code, from code cprof does not instrument) paid the saves and
 * restores: SQLite's comparators and page getters are called that way, and at speedtest1
 * --size 20 these dispatches were 130M instructions of a counts-only run, as much as all
 * that it ran above gcov's.  With the test in front, such a call costs two instructions in
 * either mode.
 *
 *   [1] split.cc names the clone f jumps to (cprof_stub_mark) for a function that stays
 *       reachable by its name or address (public or address taken), on x86-64 outside the
 *       large code models and LTO; the clone is then always output (force_output, which also
 *       keeps its signature: GCC cannot see the jump).  The stub is printed as the start of
 *       f's prologue (TARGET_ASM_FUNCTION_PROLOGUE), with an endbr64 first where
 *       -fcf-protection wants one on every indirect branch target.
 *   [2] The prune pass, once inlining is done, folds f's own flag to 0 in its out-of-line
 *       body (cprof_stub_fold): the stub alone dispatches, and the body is the plain one.
 *       A body whose own flag load is not found keeps its dispatch and gets no stub.
 *   [3] What GCC learns from compiling f's plain body must also hold for the clone a call
 *       of f may run: f's clobbered registers (IPA-RA) and incoming stack alignment are
 *       reset to the ABI's once f is compiled, and an empty asm that clobbers memory at its
 *       start keeps the late analyses from finding f pure or const.
 */
#include "cprof-plugin.h"

#include "rtl.h" /* struct cgraph_rtl_info */

namespace {

/* Name of the attribute split.cc puts on f: (DECL_ASSEMBLER_NAME of f . clone decl). */
#define STUB_ATTR "cprof stub"
/* Name of the attribute the prune pass adds once f's own dispatch is gone ([2]). */
#define STUBBED_ATTR "cprof stubbed"

/* The clone that attribute NAME of DECL names, when DECL is the function it was put on
   (GCC's clones of f copy its attributes). */
static tree
stub_clone (tree decl, const char *name)
{
  tree attr = lookup_attribute (name, DECL_ATTRIBUTES (decl));
  if (!attr)
    return NULL_TREE;
  tree v = TREE_VALUE (attr);
  return TREE_PURPOSE (v) == DECL_ASSEMBLER_NAME (decl) ? TREE_VALUE (v) : NULL_TREE;
}

static void
add_attr (tree decl, const char *name, tree clone)
{
  tree v = build_tree_list (DECL_ASSEMBLER_NAME (decl), clone);
  DECL_ATTRIBUTES (decl) = tree_cons (get_identifier (name), v, DECL_ATTRIBUTES (decl));
}

/* [1] */
static void (*gcc_function_prologue) (FILE *);

static void
print_stub (FILE *file)
{
  tree clone = current_function_decl ? stub_clone (current_function_decl, STUBBED_ATTR)
				     : NULL_TREE;
  if (clone)
    {
      if (flag_cf_protection & CF_BRANCH)
	fputs ("\tendbr64\n", file);
      if (flag_pic && !flag_pie)
	{
	  /* A shared object reaches the runtime's flag through the GOT; r11 is free at entry. */
	  fputs ("\tmovq\t", file);
	  assemble_name (file, "__cprof_active");
	  fputs ("@GOTPCREL(%rip), %r11\n\tcmpl\t$0, (%r11)\n", file);
	}
      else
	{
	  fputs ("\tcmpl\t$0, ", file);
	  assemble_name (file, "__cprof_active");
	  fputs ("(%rip)\n", file);
	}
      fputs ("\tjne\t", file);
      assemble_name (file, IDENTIFIER_POINTER (DECL_ASSEMBLER_NAME (clone)));
      fputc ('\n', file);
    }
  gcc_function_prologue (file);
}

} /* namespace */

void
cprof_stub_mark (cgraph_node *node, cgraph_node *clone)
{
  tree decl = node->decl;
  if (!optimize || flag_generate_lto || flag_generate_offload || !CPROF_FORWARDER_TARGET_P ()
      || DECL_WEAK (decl) || DECL_COMDAT (decl) || DECL_ONE_ONLY (decl) || node->ifunc_resolver
      || !(TREE_PUBLIC (decl) || node->address_taken))
    return;
  /* The stub changes the flags (and r11 in a shared object) before any prologue. */
  static const char *const own_entry[] = { "naked", "interrupt", "no_caller_saved_registers" };
  for (const char *attr : own_entry)
    if (lookup_attribute (attr, DECL_ATTRIBUTES (decl)))
      return;
  clone->force_output = 1;
  add_attr (decl, STUB_ATTR, clone->decl);
}

bool
cprof_stub_fold (function *fun, tree own_flag)
{
  tree clone = stub_clone (fun->decl, STUB_ATTR);
  if (!clone || !own_flag)
    return false;
  /* [2] */
  gimple *load = SSA_NAME_DEF_STMT (own_flag);
  replace_uses_by (own_flag, build_zero_cst (TREE_TYPE (own_flag)));
  gimple_stmt_iterator gsi = gsi_for_stmt (load);
  unlink_stmt_vdef (load);
  gsi_remove (&gsi, true);
  release_defs (load);
  /* [3] */
  vec<tree, va_gc> *clobbers = NULL;
  vec_safe_push (clobbers, build_tree_list (NULL_TREE, build_string (7, "memory")));
  gasm *barrier = gimple_build_asm_vec ("", NULL, NULL, clobbers, NULL);
  gimple_asm_set_volatile (barrier, true);
  /* On the entry edge: the first block can be a loop header (tail recursion). */
  gsi_insert_on_edge_immediate (single_succ_edge (ENTRY_BLOCK_PTR_FOR_FN (fun)), barrier);
  mark_virtual_operands_for_renaming (fun); /* the caller renames them */
  /* The calls of clones that only the folded tests led to go, with their call graph edges. */
  cleanup_tree_cfg ();
  cgraph_edge::rebuild_edges ();
  add_attr (fun->decl, STUBBED_ATTR, clone);
  return true;
}

void
cprof_stub_function_done (void)
{
  /* [3] */
  if (!current_function_decl || !stub_clone (current_function_decl, STUBBED_ATTR))
    return;
  if (cgraph_rtl_info *info = cgraph_node::rtl_info (current_function_decl))
    {
      SET_HARD_REG_SET (info->function_used_regs);
      info->preferred_incoming_stack_boundary = 0; /* unknown: callers align as the ABI says */
    }
}

void
cprof_stub_init (void)
{
  gcc_function_prologue = targetm.asm_out.function_prologue;
  targetm.asm_out.function_prologue = print_stub;
}
