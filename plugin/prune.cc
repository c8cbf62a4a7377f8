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
 *       if (on) __cprof_exit (&m, tok_g)           if (on) ;        <- removed [1]
 *       ...                                        ...
 *       __cprof_exit (&m, tok_f)                   __cprof_exit (&m, tok_f)
 *
 *   [1] a hook whose token is not the function's own came from inlining: delete it, so the
 *       inlined code is not timed (its time belongs to f) and hot loops keep no calls.
 *       Clones (constprop, isra, split parts) inherit the attribute and keep their hooks.
 *       The counters stay, so calls, loops and branches remain exact.
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

static unsigned int
execute_prune (function *fun)
{
  tree attr = lookup_attribute (CPROF_TOKEN_ATTR, DECL_ATTRIBUTES (fun->decl));
  tree own = attr ? TREE_VALUE (TREE_VALUE (attr)) : NULL_TREE;
  bool removed = false;
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
	    gsi_next (&gsi);
	    continue;
	  }
	/* [1] */
	unlink_stmt_vdef (stmt);
	gsi_remove (&gsi, true);
	release_defs (stmt);
	removed = true;
      }
  return removed ? TODO_cleanup_cfg : 0;
}

const pass_data prune_pass_data = {
  GIMPLE_PASS,
  "cprof-prune",
  OPTGROUP_NONE,
  TV_NONE,
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
