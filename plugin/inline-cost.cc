/* inline-cost.cc: keeps the instrumentation out of GCC's inlining decisions.
 *
 * The counters and guarded hooks make every function look bigger to the inliner: a small
 * predicate such as "is_word_char" would stop being inlined, and the program would be
 * slower with cprof built in even when profiling is off.  After GCC estimates a function's
 * size and time, these passes take back what the instrumentation added:
 *
 *   [1] after "local-fnsummary" (the summaries the early inliner uses), per function;
 *   [2] after "fnsummary" computes the summaries for the IPA inliner (an IPA pass whose
 *       summary generator runs right after GCC's, before LTO streams them).
 *
 * The instrumentation's statements are recognized by what they touch: __cprof_active,
 * __cprof_counters, __cprof_icall, __cprof_untimed, the cprof_on / cprof_c temporaries (the
 * "hooked" flag is a cprof_on too), and the empty volatile asm after an exit hook; and so is every statement reached only through the "on"
 * side of a flag test: the instrumented body (or the call of its clone, split.cc) and the
 * guard blocks of a single body.  Their estimated size and time are taken out of the
 * function's size/time table, spread over its entries in proportion to their size (the
 * table keeps no record of which block went where; the sum, which is what an inlining
 * decision without known arguments reads, is exact).  Hook call edges get zero cost.
 *
 *   [3] a call of an instrumented clone from the plain world (f's dispatch, split.cc [2],
 *       and its copies inlined elsewhere) is marked as one that cannot be inlined, before
 *       each inliner runs: the marks do not survive the rebuilding of the call graph edges.
 *       Calls between clones stay inlinable, so the instrumented world inlines as the plain
 *       one does.
 */
#include "cprof-plugin.h"

#include "alloc-pool.h"
#include "symbol-summary.h"
#include "ipa-prop.h"
#include "ipa-fnsummary.h"
#include "tree-inline.h"

namespace {

/* Whether T (a declaration or an SSA name of one) is NAME, or the temporary "NAME.N"
   that create_tmp_var made from that prefix. */
static bool
named_p (tree t, const char *name)
{
  if (!t)
    return false;
  tree ident;
  if (TREE_CODE (t) == SSA_NAME)
    ident = SSA_NAME_IDENTIFIER (t); /* temporaries become anonymous SSA names */
  else
    ident = DECL_P (t) ? DECL_NAME (t) : NULL_TREE;
  if (!ident)
    return false;
  const char *id = IDENTIFIER_POINTER (ident);
  size_t n = strlen (name);
  return strncmp (id, name, n) == 0 && (id[n] == 0 || id[n] == '.');
}

static bool
cprof_data_p (tree ref)
{
  if (!ref)
    return false;
  tree base = get_base_address (ref);
  if (base && TREE_CODE (base) == MEM_REF && TREE_CODE (TREE_OPERAND (base, 0)) == ADDR_EXPR)
    base = TREE_OPERAND (TREE_OPERAND (base, 0), 0);
  return named_p (base, "__cprof_counters") || named_p (base, "__cprof_active")
	 || named_p (base, "__cprof_icall") || named_p (base, "__cprof_untimed");
}

static bool
hook_decl_p (tree fn)
{
  if (!fn || !DECL_NAME (fn))
    return false;
  const char *name = IDENTIFIER_POINTER (DECL_NAME (fn));
  return strcmp (name, "__cprof_enter") == 0 || strcmp (name, "__cprof_exit") == 0;
}

/* Whether STMT belongs to the instrumentation (hook calls excepted: see adjust_function). */
static bool
instrumentation_stmt_p (gimple *stmt)
{
  switch (gimple_code (stmt))
    {
    case GIMPLE_ASSIGN:
      return cprof_data_p (gimple_assign_lhs (stmt)) || cprof_data_p (gimple_assign_rhs1 (stmt))
	     || named_p (gimple_assign_lhs (stmt), "cprof_c")
	     || named_p (gimple_assign_lhs (stmt), "cprof_on");
    case GIMPLE_COND:
      return named_p (gimple_cond_lhs (stmt), "cprof_on");
    case GIMPLE_ASM:
      {
	gasm *as = as_a<gasm *> (stmt);
	return gimple_asm_volatile_p (as) && gimple_asm_string (as)[0] == 0
	       && gimple_asm_ninputs (as) == 0 && gimple_asm_noutputs (as) == 0
	       && gimple_asm_nclobbers (as) == 0 && gimple_asm_nlabels (as) == 0;
      }
    default:
      return false;
    }
}

/* The blocks of every instrumented body: those only reached through the "on" side of a
   function's dispatch "if (cprof_on != 0)" (instrument.cc [0]), its own or one that early
   inlining brought in.  A guard block of a single-body function is such a region too. */
static void
instrumented_region (function *fun, bitmap region)
{
  bool had_doms = dom_info_available_p (fun, CDI_DOMINATORS);
  bool any = false;
  basic_block bb;
  FOR_EACH_BB_FN (bb, fun)
    {
      gcond *cond = safe_dyn_cast<gcond *> (last_stmt (bb));
      if (!cond || gimple_cond_code (cond) != NE_EXPR || !integer_zerop (gimple_cond_rhs (cond))
	  || !named_p (gimple_cond_lhs (cond), "cprof_on"))
	continue;
      edge t, f;
      extract_true_false_edges_from_block (bb, &t, &f);
      if (!single_pred_p (t->dest))
	continue;
      if (!any && !had_doms)
	calculate_dominance_info (CDI_DOMINATORS);
      any = true;
      auto_vec<basic_block> blocks = get_all_dominated_blocks (CDI_DOMINATORS, t->dest);
      for (unsigned i = 0; i < blocks.length (); i++)
	bitmap_set_bit (region, blocks[i]->index);
    }
  if (any && !had_doms)
    free_dominance_info (CDI_DOMINATORS);
}

static void
adjust_function (cgraph_node *node, function *fun)
{
  ipa_fn_summary *info = ipa_fn_summaries ? ipa_fn_summaries->get (node) : NULL;
  ipa_size_summary *size_info = ipa_size_summaries ? ipa_size_summaries->get (node) : NULL;
  if (!info || !size_info || info->size_time_table.is_empty () || !fun->cfg)
    return;

  auto_bitmap region;
  instrumented_region (fun, region);

  int size = 0;
  sreal time = 0;
  profile_count entry = ENTRY_BLOCK_PTR_FOR_FN (fun)->count;
  basic_block bb;
  FOR_EACH_BB_FN (bb, fun)
    {
      sreal freq = entry.nonzero_p () ? bb->count.to_sreal_scale (entry) : sreal (1);
      bool all = bitmap_bit_p (region, bb->index);
      for (gimple_stmt_iterator gsi = gsi_start_bb (bb); !gsi_end_p (gsi); gsi_next (&gsi))
	{
	  gimple *stmt = gsi_stmt (gsi);
	  if (all ? !is_gimple_call (stmt) : instrumentation_stmt_p (stmt))
	    {
	      size += estimate_num_insns (stmt, &eni_size_weights);
	      time += freq * estimate_num_insns (stmt, &eni_time_weights);
	    }
	}
    }

  /* Calls are costed through their edges: the hooks', and every call of the instrumented
     body, cost nothing. */
  bool hooks = false;
  for (cgraph_edge *e = node->callees; e; e = e->next_callee)
    if (hook_decl_p (e->callee->decl)
	|| (e->call_stmt && gimple_bb (e->call_stmt)
	    && bitmap_bit_p (region, gimple_bb (e->call_stmt)->index)))
      if (ipa_call_summary *es = ipa_call_summaries->get (e))
	{
	  es->call_stmt_size = 0;
	  es->call_stmt_time = 0;
	  hooks = true;
	}
  for (cgraph_edge *e = node->indirect_calls; e; e = e->next_callee)
    if (e->call_stmt && gimple_bb (e->call_stmt)
	&& bitmap_bit_p (region, gimple_bb (e->call_stmt)->index))
      if (ipa_call_summary *es = ipa_call_summaries->get (e))
	{
	  es->call_stmt_size = 0;
	  es->call_stmt_time = 0;
	  hooks = true;
	}
  if (size == 0 && !hooks)
    return;

  /* Spread the reduction over the entries, largest share first, never below zero. */
  int total_size = 0;
  sreal total_time = 0;
  size_time_entry *e;
  unsigned i;
  FOR_EACH_VEC_ELT (info->size_time_table, i, e)
    {
      total_size += e->size;
      total_time += e->time;
    }
  int size_left = MIN (size * ipa_fn_summary::size_scale, total_size);
  sreal time_left = time < total_time ? time : total_time;
  FOR_EACH_VEC_ELT (info->size_time_table, i, e)
    {
      if (total_size > 0)
	{
	  int cut = (int) ((int64_t) e->size * MIN (size * ipa_fn_summary::size_scale, total_size)
			   / total_size);
	  cut = MIN (cut, size_left);
	  e->size -= cut;
	  size_left -= cut;
	}
      if (total_time > 0)
	{
	  sreal cut = e->time * (time_left / total_time);
	  e->time = e->time > cut ? e->time - cut : sreal (0);
	}
    }
  FOR_EACH_VEC_ELT (info->size_time_table, i, e)
    if (size_left > 0)
      {
	int cut = MIN (e->size, size_left);
	e->size -= cut;
	size_left -= cut;
      }
  ipa_update_overall_fn_summary (node);
  size_info->self_size = MAX (1, size_info->self_size - size);
}

static bool
clone_p (cgraph_node *node)
{
  return node && lookup_attribute (CPROF_CLONE_ATTR, DECL_ATTRIBUTES (node->decl));
}

/* [3] */
static void
forbid_inlining_clones (cgraph_node *node)
{
  if (clone_p (node))
    return;
  for (cgraph_edge *e = node->callees; e; e = e->next_callee)
    if (e->inline_failed && clone_p (e->callee->ultimate_alias_target ())
	/* always_inline: a call left out of line is an error; f becomes one function
	   with both bodies again, as a function that cannot be split. */
	&& !DECL_DISREGARD_INLINE_LIMITS (e->callee->ultimate_alias_target ()->decl))
      {
	e->inline_failed = CIF_UNSPECIFIED; /* a final reason: never retried */
	e->call_stmt_cannot_inline_p = true;
      }
}

/* [1] */
static unsigned int
execute_local (function *fun)
{
  cgraph_node *node = cgraph_node::get (fun->decl);
  if (node)
    {
      forbid_inlining_clones (node);
      adjust_function (node, fun);
    }
  return 0;
}

/* [2] */
static void
adjust_all_summaries (void)
{
  cgraph_node *node;
  FOR_EACH_DEFINED_FUNCTION (node)
    {
      if (node->alias || node->thunk || !gimple_has_body_p (node->decl))
	continue;
      function *fun = DECL_STRUCT_FUNCTION (node->decl);
      if (!fun)
	continue;
      forbid_inlining_clones (node);
      push_cfun (fun);
      adjust_function (node, fun);
      pop_cfun ();
    }
}

const pass_data local_pass_data = {
  GIMPLE_PASS, "cprof-inline-cost", OPTGROUP_NONE, TV_PLUGIN_RUN, PROP_cfg | PROP_ssa, 0, 0, 0, 0,
};

class local_pass : public gimple_opt_pass {
public:
  local_pass (gcc::context *ctxt) : gimple_opt_pass (local_pass_data, ctxt) {}
  opt_pass *clone () final override { return new local_pass (m_ctxt); }
  bool gate (function *) final override { return optimize > 0; }
  unsigned int execute (function *fun) final override { return execute_local (fun); }
};

const pass_data ipa_pass_data = {
  IPA_PASS, "cprof-ipa-inline-cost", OPTGROUP_NONE, TV_PLUGIN_RUN, 0, 0, 0, 0, 0,
};

class ipa_pass : public ipa_opt_pass_d {
public:
  ipa_pass (gcc::context *ctxt)
    : ipa_opt_pass_d (ipa_pass_data, ctxt, adjust_all_summaries, NULL, NULL, NULL, NULL, NULL, 0,
		      NULL, NULL)
  {
  }
  bool gate (function *) final override { return optimize > 0 && !in_lto_p; }
  unsigned int execute (function *) final override { return 0; }
};

} /* namespace */

opt_pass *
cprof_make_inline_cost_pass (gcc::context *ctxt)
{
  return new local_pass (ctxt);
}

opt_pass *
cprof_make_ipa_inline_cost_pass (gcc::context *ctxt)
{
  return new ipa_pass (ctxt);
}
