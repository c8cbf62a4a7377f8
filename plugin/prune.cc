/* prune.cc: the "cprof-prune" pass: keep only each out-of-line body's own timing hooks.
 *
 * Runs on every function right after the IPA transforms (inlining, cloning) are applied
 * and before the loop optimizers. The instrument pass gave every function a token
 * (attribute CPROF_TOKEN_ATTR) and passed it to its hooks. When g is inlined into f:
 *
 *   f:  __cprof_enter (&m, tok_f)              f:  __cprof_enter (&m, tok_f)
 *       ...                                        ...
 *       if (on) __cprof_enter (&m, tok_g)  =>      if (on) ;        <- removed [1]
 *       <g's body, counters kept>                  <g's body, counters kept>
 *       if (on) { __cprof_exit (&m, tok_g);        if (on) ;        <- removed [1], [2]
 *                 asm volatile (""); }
 *       ...                                        ...
 *       __cprof_exit (&m, tok_f)                   __cprof_exit (&m, tok_f)
 *
 *   [1] a hook whose token is not the function's own came from inlining: delete it, so the
 *       inlined code is not timed (its time belongs to f) and hot loops keep no calls.
 *       Clones (constprop, isra, split parts) inherit the attribute and keep their hooks.
 *       The counters stay, so calls, loops and branches remain exact.
 *   [2] with an inlined exit hook goes the empty volatile asm after it (it only keeps the
 *       hook from becoming a tail call), so the guard around them is left empty and folds
 *       away instead of inviting loop unswitching on the flag.
 *   [3] an inlined function brings its own "on = __cprof_active; if (on)" dispatch between
 *       its instrumented and its plain body (instrument.cc [0]).  It is made to test the
 *       host's "on" instead, so the optimizers keep only the instrumented copy inside the
 *       host's instrumented body and only the plain copy inside its plain body: inlined
 *       code runs in the mode of the activation it was inlined into.
 *   [4] on x86-64 the hooks that stay become calls the optimizers cannot see, of the
 *       runtime's trampolines (runtime/rt-trampoline-x86_64.S), which preserve every
 *       general register but r10 and r11:
 *
 *         __cprof_enter (&m, tok)   =>   asm volatile ("lea %0, %%r10; mov $tok, %%r11d;
 *                                                       lea -128(%%rsp), %%rsp;
 *                                                       call *__cprof_enter_tramp@GOTPCREL(%%rip);
 *                                                       lea 128(%%rsp), %%rsp"
 *                                          : : "m" (m) : "r10", "r11", "cc", "memory",
 *                                                        vector and x87 registers)
 *
 *       A leaf stays a leaf for the register allocator (so the red zone is stepped over),
 *       keeps no registers saved for hooks it mostly skips, and its callers keep their
 *       values in caller-saved registers across it (IPA-RA) whichever body runs.  The
 *       hooks' vector state is not saved: the asm says it is clobbered.
 *   [5] a split function whose dispatch the entry stub does (entry-stub.cc) has its own
 *       flag folded to 0 here, once inlining is done: its out-of-line body is the plain one.
 */
#include "cprof-plugin.h"

namespace {

static bool
hook_call_p (gimple *stmt)
{
  gcall *call = dyn_cast<gcall *> (stmt);
  if (!call)
    return false;
  tree fn = gimple_call_fndecl (call);
  if (!fn || gimple_call_num_args (call) != 2)
    return false;
  const char *name = IDENTIFIER_POINTER (DECL_ASSEMBLER_NAME (fn));
  return strcmp (name, "__cprof_enter") == 0 || strcmp (name, "__cprof_exit") == 0;
}

/* [4] Adds the register named by FMT and N to an asm's clobbers. */
static void
add_clobber (vec<tree, va_gc> **clobbers, const char *fmt, ...)
{
  char reg[16];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (reg, sizeof reg, fmt, ap);
  va_end (ap);
  vec_safe_push (*clobbers, build_tree_list (NULL_TREE, build_string (strlen (reg) + 1, reg)));
}

/* [4] Replaces the hook call at GSI (__cprof_enter if ENTER) by the asm call of its trampoline. */
static void
lower_to_trampoline (function *fun, gimple_stmt_iterator *gsi, bool enter)
{
  gcall *call = as_a<gcall *> (gsi_stmt (*gsi));
  tree module = gimple_call_arg (call, 0);
  if (TREE_CODE (module) == ADDR_EXPR)
    module = TREE_OPERAND (module, 0);
  unsigned idx = (unsigned) (TREE_INT_CST_LOW (gimple_call_arg (call, 1)) & 0xffffffffu);
  char text[256];
  snprintf (text, sizeof text,
	    "lea\t%%0, %%%%r10\n\tmov\t$%u, %%%%r11d\n\tlea\t-128(%%%%rsp), %%%%rsp\n\t"
	    "call\t*%s@GOTPCREL(%%%%rip)\n\tlea\t128(%%%%rsp), %%%%rsp",
	    idx, enter ? "__cprof_enter_tramp" : "__cprof_exit_tramp");

  vec<tree, va_gc> *inputs = NULL, *clobbers = NULL;
  vec_safe_push (inputs, build_tree_list (build_tree_list (NULL_TREE, build_string (2, "m")),
					  module));
  static const char *const always[] = {
    "r10", "r11", "cc", "memory", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)",
    "st(7)",
  };
  for (const char *reg : always)
    add_clobber (&clobbers, "%s", reg);
  /* The vector registers, and with AVX-512 the upper sixteen and the mask registers. */
  unsigned nvec = CPROF_TARGET_AVX512F_P () ? 32 : 16;
  for (unsigned i = 0; i < nvec; i++)
    add_clobber (&clobbers, "xmm%u", i);
  for (unsigned i = 0; nvec == 32 && i < 8; i++)
    add_clobber (&clobbers, "k%u", i);

  gasm *as = gimple_build_asm_vec (ggc_strdup (text), inputs, NULL, clobbers, NULL);
  gimple_asm_set_volatile (as, true);
  gimple_set_location (as, gimple_location (call));
  if (cgraph_node *node = cgraph_node::get (fun->decl))
    if (cgraph_edge *e = node->get_edge (call))
      cgraph_edge::remove (e);
  /* The hook had no virtual operands (module.cc); the asm clobbers memory, so it gets
     them when the caller renames the virtual operands. */
  gsi_replace (gsi, as, false);
}

/* The empty volatile asm the instrument pass puts after each exit hook. */
static bool
exit_barrier_p (gimple *stmt)
{
  gasm *a = dyn_cast<gasm *> (stmt);
  return a && gimple_asm_volatile_p (a) && gimple_asm_string (a)[0] == 0
	 && gimple_asm_ninputs (a) == 0 && gimple_asm_noutputs (a) == 0
	 && gimple_asm_nclobbers (a) == 0 && gimple_asm_nlabels (a) == 0;
}

/* Whether STMT is "x = __cprof_active": a function's own dispatch or guard flag load. */
static bool
flag_load_p (gimple *stmt)
{
  if (!gimple_assign_single_p (stmt) || TREE_CODE (gimple_assign_lhs (stmt)) != SSA_NAME)
    return false;
  tree rhs = gimple_assign_rhs1 (stmt);
  return TREE_CODE (rhs) == VAR_DECL && DECL_NAME (rhs)
	 && strcmp (IDENTIFIER_POINTER (DECL_NAME (rhs)), "__cprof_active") == 0;
}

/* FUN's own load of the flag, or NULL_TREE.  It is in its first block, or a little later
   (tail recursion turns the entry into a loop header): in the chain of blocks from the
   entry, each the only successor of the one before, through which every path goes. */
static tree
own_flag (function *fun)
{
  basic_block bb = single_succ (ENTRY_BLOCK_PTR_FOR_FN (fun));
  for (int hops = 0; hops < 8; hops++)
    {
      for (gimple_stmt_iterator gsi = gsi_start_bb (bb); !gsi_end_p (gsi); gsi_next (&gsi))
	if (flag_load_p (gsi_stmt (gsi)))
	  return gimple_assign_lhs (gsi_stmt (gsi));
      if (!single_succ_p (bb) || single_succ (bb) == EXIT_BLOCK_PTR_FOR_FN (fun))
	break;
      bb = single_succ (bb);
    }
  return NULL_TREE;
}

/* [3] An inlined body reads the flag again; make it read the host's value OWN instead.
   Returns whether it changed. */
static bool
fold_inlined_dispatch (function *fun, tree own)
{
  if (!own)
    return false;
  bool changed = false;
  basic_block bb;
  FOR_EACH_BB_FN (bb, fun)
    for (gimple_stmt_iterator gsi = gsi_start_bb (bb); !gsi_end_p (gsi);)
      {
	gimple *stmt = gsi_stmt (gsi);
	if (!flag_load_p (stmt) || gimple_assign_lhs (stmt) == own
	    || !useless_type_conversion_p (TREE_TYPE (own), TREE_TYPE (gimple_assign_lhs (stmt))))
	  {
	    gsi_next (&gsi);
	    continue;
	  }
	replace_uses_by (gimple_assign_lhs (stmt), own);
	unlink_stmt_vdef (stmt);
	gsi_remove (&gsi, true);
	release_defs (stmt);
	changed = true;
      }
  return changed;
}

static unsigned int
execute_prune (function *fun)
{
  tree attr = lookup_attribute (CPROF_TOKEN_ATTR, DECL_ATTRIBUTES (fun->decl));
  tree own = attr ? TREE_VALUE (TREE_VALUE (attr)) : NULL_TREE;
  bool removed = false, new_vops = false;
  basic_block bb;

  FOR_EACH_BB_FN (bb, fun)
    for (gimple_stmt_iterator gsi = gsi_start_bb (bb); !gsi_end_p (gsi);)
      {
	gimple *stmt = gsi_stmt (gsi);
	if (!hook_call_p (stmt))
	  {
	    gsi_next (&gsi);
	    continue;
	  }
	tree token = gimple_call_arg (stmt, 1);
	if (own && TREE_CODE (token) == INTEGER_CST && tree_int_cst_equal (token, own))
	  {
	    if (cprof_opts.trampolines && CPROF_TRAMPOLINE_TARGET_P ())
	      {
		/* [4] */
		tree hook = DECL_ASSEMBLER_NAME (gimple_call_fndecl (stmt));
		lower_to_trampoline (fun, &gsi,
				     strcmp (IDENTIFIER_POINTER (hook), "__cprof_enter") == 0);
		new_vops = true;
	      }
	    gsi_next (&gsi);
	    continue;
	  }
	/* [1] */
	unlink_stmt_vdef (stmt);
	gsi_remove (&gsi, true);
	release_defs (stmt);
	removed = true;
	/* [2] */
	gimple_stmt_iterator next = gsi;
	while (!gsi_end_p (next) && is_gimple_debug (gsi_stmt (next)))
	  gsi_next (&next);
	if (!gsi_end_p (next) && exit_barrier_p (gsi_stmt (next)))
	  {
	    gimple *barrier = gsi_stmt (next);
	    unlink_stmt_vdef (barrier);
	    gsi_remove (&next, true);
	    release_defs (barrier);
	    gsi = next;
	  }
      }
  tree own_on = own_flag (fun);
  if (fold_inlined_dispatch (fun, own_on))
    removed = true;
  /* [5] */
  if (cprof_stub_fold (fun, own_on))
    removed = new_vops = true;
  unsigned todo = removed ? TODO_cleanup_cfg : 0;
  if (new_vops) /* the asms [4], [5] clobber memory */
    {
      mark_virtual_operands_for_renaming (fun);
      todo |= TODO_update_ssa_only_virtuals;
    }
  return todo;
}

const pass_data prune_pass_data = {
  GIMPLE_PASS,
  "cprof-prune",
  OPTGROUP_NONE,
  TV_PLUGIN_RUN,
  PROP_cfg | PROP_ssa,
  0,
  0,
  0,
  0,
};

class prune_pass : public gimple_opt_pass {
public:
  prune_pass (gcc::context *ctxt) : gimple_opt_pass (prune_pass_data, ctxt) {}
  unsigned int execute (function *fun) final override { return execute_prune (fun); }
};

} /* namespace */

opt_pass *
cprof_make_prune_pass (gcc::context *ctxt)
{
  return new prune_pass (ctxt);
}
