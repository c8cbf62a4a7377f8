/* instrument.cc: the "cprof" pass: counters and guarded timing hooks in every function.
 *
 * Runs once per TU as a simple IPA pass before any inlining or optimization, on the
 * lowered CFG (not yet SSA), where blocks and edges still mirror the source. For
 *
 *     int f (int n)                         numbered steps reappear in the code below
 *     {
 *       int s = 0;
 *       for (int i = 0; i < n; i++)
 *         if (i % 2 == 0) s += g (i);
 *       return s;
 *     }
 *
 * the CFG becomes (every "ctr[k]++" and hook sits in its own block behind "if (on)"):
 *
 *         ENTRY
 *           |
 *     [1] on = __cprof_active; if (on) { ctr[f]++; __cprof_enter (&module, token); }
 *           |
 *         s = 0; i = 0
 *           |
 *     [2] if (on) ctr[loop.entries]++
 *           |
 *   +--> [header] if (i < n) ----false----> [3] if (on) ctr[br.not_taken]++ --+
 *   |        | true                                                          |
 *   |    [3] if (on) { ctr[br.taken]++; ctr[loop.iterations]++ }  (2 sites,  |
 *   |        |                                                   1 edge)     |
 *   |     if (i % 2 == 0) -- true/false edges counted as in [3] --           |
 *   |        |                                                               |
 *   |    [4] if (on) ctr[callsite f->g]++;   s += g (i)                      |
 *   |        |                                                               |
 *   +---- i++                                                                |
 *                                                       [5] if (on) __cprof_exit (&module, token)
 *                                                           return s   <-----+
 *
 *   [1] function entry: the flag is loaded once per activation; one predictable branch per
 *       site, and no call at all when profiling is off.
 *   [2] loop entries: edges into the loop header from outside the loop.
 *   [3] branch outcomes on the true and false edges of each GIMPLE_COND; loop iterations on
 *       the header's edges into the body (for/while) or at the header (do-while).
 *   [4] call sites of direct calls to user functions (exact call graph, inlined or not);
 *       indirect calls set __cprof_icall around the call instead.
 *   [5] exit hook before every return; before the call itself when the return returns that
 *       call's value, so GCC can still turn it into a tail call or a loop (XRay's tail exit).
 *   [6] switch: every case label (and default) gets a block of its own with its counter.
 *
 * Every function also gets the attribute CPROF_TOKEN_ATTR with its hook token, which the
 * prune pass uses after inlining to keep only each body's own hooks.
 */
#include "cprof-plugin.h"

#include <cxxabi.h>

struct cprof_stats cprof_stats;

namespace {

/* What a site does, behind its "if (on)". */
enum site_action { ACT_COUNT, ACT_EXIT_HOOK, ACT_ICALL_SET, ACT_ICALL_CLEAR };

/* Code on a CFG edge; sites on the same edge share one guard. */
struct edge_site {
  edge e;
  enum site_action action;
  unsigned counter;
};

struct stmt_site {
  gimple *stmt;
  bool after;
  enum site_action action;
  unsigned counter;
};

struct fn_ctx {
  tree on;               /* local copy of __cprof_active */
  unsigned idx;          /* local function id */
  unsigned long long token;
  location_t loc;
  vec<edge_site> edges;
  vec<stmt_site> stmts;
  vec<gswitch *> switches;
};

/* Source position, with the file name as the compiler saw it. */
static void
put_location (struct cprof_text *t, location_t loc)
{
  expanded_location x = expand_location (loc);
  cprof_text_field (t, x.file ? x.file : "");
  cprof_text_printf (t, "\t%d\t%d", x.line, x.column);
}

/* __cprof_counters[COUNTER]++, as plain loads and stores: GCC's store motion can keep the
   counter in a register across a loop, and vectorization sees an ordinary reduction. */
static void
build_increment_seq (gimple_seq *seq, unsigned counter, location_t loc)
{
  tree ref = cprof_module_counter_ref (counter);
  tree old_val = create_tmp_reg (uint64_type_node, "cprof_c");
  tree new_val = create_tmp_reg (uint64_type_node, "cprof_c");
  gimple *load = gimple_build_assign (old_val, ref);
  gimple *add = gimple_build_assign (new_val, PLUS_EXPR, old_val,
				     build_int_cst (uint64_type_node, 1));
  gimple *store = gimple_build_assign (unshare_expr (ref), new_val);
  gimple_set_location (load, loc);
  gimple_set_location (add, loc);
  gimple_set_location (store, loc);
  gimple_seq_add_stmt (seq, load);
  gimple_seq_add_stmt (seq, add);
  gimple_seq_add_stmt (seq, store);
}

static void
build_hook_seq (gimple_seq *seq, fn_ctx *fn, tree hook, location_t loc)
{
  tree module = build_fold_addr_expr_with_type (cprof_mod.module, ptr_type_node);
  gcall *call = gimple_build_call (hook, 2, module,
				   build_int_cst (uint64_type_node, fn->token));
  gimple_set_location (call, loc);
  gimple_seq_add_stmt (seq, call);
}

static void
build_icall_seq (gimple_seq *seq, int value)
{
  gimple *set = gimple_build_assign (cprof_mod.icall, build_int_cst (integer_type_node, value));
  gimple_seq_add_stmt (seq, set);
}

/* BB is empty but for labels and has a single successor D.  Turn it into
     BB: if (on != 0) goto THEN; else goto D;   THEN: <nothing yet>; goto D;
   and return THEN, where the caller puts the guarded statements. */
static basic_block
make_guard (fn_ctx *fn, basic_block bb)
{
  edge fall = single_succ_edge (bb);
  basic_block dest = fall->dest;
  gcond *cond = gimple_build_cond (NE_EXPR, fn->on, integer_zero_node, NULL_TREE, NULL_TREE);
  gimple_stmt_iterator gsi = gsi_last_bb (bb);
  gsi_insert_after (&gsi, cond, GSI_NEW_STMT);

  basic_block then_bb = create_empty_bb (bb);
  if (current_loops)
    add_bb_to_loop (then_bb, bb->loop_father);
  fall->flags &= ~EDGE_FALLTHRU;
  fall->flags |= EDGE_FALSE_VALUE;
  fall->probability = profile_probability::even ();
  edge taken = make_edge (bb, then_bb, EDGE_TRUE_VALUE);
  taken->probability = profile_probability::even ();
  make_single_succ_edge (then_bb, dest, EDGE_FALLTHRU);
  then_bb->count = bb->count.apply_probability (taken->probability);
  return then_bb;
}

static void
append_seq (basic_block bb, gimple_seq seq)
{
  gimple_stmt_iterator gsi = gsi_last_bb (bb);
  gsi_insert_seq_after (&gsi, seq, GSI_CONTINUE_LINKING);
}

/* An empty block on the way into STMT (or out of it when AFTER). */
static basic_block
block_at_stmt (gimple *stmt, bool after)
{
  basic_block bb = gimple_bb (stmt);
  edge e;
  if (after)
    e = split_block (bb, stmt);
  else
    {
      gimple_stmt_iterator gsi = gsi_for_stmt (stmt);
      gsi_prev_nondebug (&gsi);
      if (gsi_end_p (gsi) || gimple_code (gsi_stmt (gsi)) == GIMPLE_LABEL)
	e = split_block_after_labels (bb);
      else
	e = split_block (bb, gsi_stmt (gsi));
    }
  return split_edge (e);
}

static bool
edge_splittable_p (edge e)
{
  return !(e->flags & (EDGE_ABNORMAL | EDGE_EH));
}

/* ---- collecting sites (no CFG change yet) ---- */

static void
add_edge_site (fn_ctx *fn, edge e, enum site_action action, unsigned counter)
{
  edge_site s = { e, action, counter };
  fn->edges.safe_push (s);
}

static void
add_stmt_site (fn_ctx *fn, gimple *stmt, bool after, enum site_action act, unsigned counter)
{
  stmt_site s = { stmt, after, act, counter };
  fn->stmts.safe_push (s);
}

static location_t
block_location (basic_block bb, location_t fallback)
{
  gimple *last = last_stmt (bb);
  if (last && gimple_code (last) == GIMPLE_COND && gimple_location (last) != UNKNOWN_LOCATION)
    return gimple_location (last);
  for (gimple_stmt_iterator gsi = gsi_start_bb (bb); !gsi_end_p (gsi); gsi_next (&gsi))
    if (gimple_location (gsi_stmt (gsi)) != UNKNOWN_LOCATION)
      return gimple_location (gsi_stmt (gsi));
  return fallback;
}

/* Whether S, a successor of LOOP's header, leads back to the header along normal edges,
   i.e. starts the loop body rather than leaving the loop.  With setjmp, nonlocal or
   computed gotos, abnormal edges make natural loops swallow the code after them, so
   membership alone would call the exit a body edge. */
static bool
starts_body_p (class loop *loop, basic_block s)
{
  if (s == loop->header)
    return true;
  if (!flow_bb_inside_loop_p (loop, s))
    return false;
  auto_bitmap visited;
  auto_vec<basic_block> stack;
  stack.safe_push (s);
  bitmap_set_bit (visited, s->index);
  while (!stack.is_empty ())
    {
      basic_block bb = stack.pop ();
      edge e;
      edge_iterator ei;
      FOR_EACH_EDGE (e, ei, bb->succs)
	{
	  if (e->flags & (EDGE_ABNORMAL | EDGE_EH))
	    continue;
	  if (e->dest == loop->header)
	    return true;
	  if (flow_bb_inside_loop_p (loop, e->dest) && bitmap_set_bit (visited, e->dest->index))
	    stack.safe_push (e->dest);
	}
    }
  return false;
}

/* [2] and [3]: a natural loop's entries and iterations. */
static void
collect_loop (fn_ctx *fn, class loop *loop)
{
  basic_block header = loop->header;
  edge e;
  edge_iterator ei;
  bool header_exits = false;

  FOR_EACH_EDGE (e, ei, header->preds)
    if (!flow_bb_inside_loop_p (loop, e->src) && !edge_splittable_p (e))
      return;
  FOR_EACH_EDGE (e, ei, header->succs)
    {
      if (!starts_body_p (loop, e->dest))
	header_exits = true;
      else if (!edge_splittable_p (e))
	return;
    }

  unsigned iterations = cprof_module_new_counter ();
  unsigned entries = cprof_module_new_counter ();
  FOR_EACH_EDGE (e, ei, header->preds)
    if (!flow_bb_inside_loop_p (loop, e->src))
      add_edge_site (fn, e, ACT_COUNT, entries);

  if (header_exits && loop->num_nodes > 1)
    {
      /* for/while: the header is the exit test; the body starts on its edges inward. */
      FOR_EACH_EDGE (e, ei, header->succs)
	if (starts_body_p (loop, e->dest))
	  add_edge_site (fn, e, ACT_COUNT, iterations);
    }
  else
    {
      /* do-while or a header without a test: every execution starts the body. */
      gimple_stmt_iterator gsi = gsi_after_labels (header);
      if (!gsi_end_p (gsi))
	add_stmt_site (fn, gsi_stmt (gsi), false, ACT_COUNT, iterations);
      else
	add_edge_site (fn, single_succ_edge (header), ACT_COUNT, iterations);
    }

  location_t loc = block_location (header, fn->loc);
  cprof_text_printf (&cprof_mod.meta, "L\t%u\t%u\t%u", fn->idx, iterations, entries);
  put_location (&cprof_mod.meta, loc);
  cprof_text_printf (&cprof_mod.meta, "\t%u\n", loop_depth (loop));
  cprof_stats.loops++;
}

/* [3]: both outcomes of a source condition. */
static void
collect_branch (fn_ctx *fn, gcond *cond)
{
  edge t, f;
  extract_true_false_edges_from_block (gimple_bb (cond), &t, &f);
  if (!edge_splittable_p (t) || !edge_splittable_p (f))
    return;
  location_t loc = gimple_location (cond);
  if (loc == UNKNOWN_LOCATION)
    return;
  unsigned taken = cprof_module_new_counter ();
  unsigned not_taken = cprof_module_new_counter ();
  add_edge_site (fn, t, ACT_COUNT, taken);
  add_edge_site (fn, f, ACT_COUNT, not_taken);
  cprof_text_printf (&cprof_mod.meta, "B\t%u\t%u\t%u", fn->idx, taken, not_taken);
  put_location (&cprof_mod.meta, loc);
  cprof_text_printf (&cprof_mod.meta, "\n");
  cprof_stats.branches++;
}

static const char *
callee_flags (tree callee)
{
  return TREE_PUBLIC (callee) ? "-" : "s";
}

static bool
user_function_p (tree callee)
{
  if (fndecl_built_in_p (callee) || DECL_IS_UNDECLARED_BUILTIN (callee))
    return false;
  if (DECL_ARTIFICIAL (callee))
    return false;
  if (!cprof_opts.system_headers && DECL_IN_SYSTEM_HEADER (callee))
    return false;
  const char *name = IDENTIFIER_POINTER (DECL_NAME (callee));
  return strncmp (name, "__cprof_", 8) != 0 && strncmp (name, "cprof_", 6) != 0;
}

/* Walking backwards from the end of BB (or from before STOP), follow copies into
   *VALUE.  Returns the call that produces *VALUE when only copies separate it from
   the end, or NULL.  Sets *CLEAN when BB holds nothing but copies, labels and debug
   statements in that range. */
static gcall *
value_source (basic_block bb, gimple *stop, tree *value, bool *clean)
{
  gimple_stmt_iterator gsi = stop ? gsi_for_stmt (stop) : gsi_last_bb (bb);
  if (stop)
    gsi_prev (&gsi);
  *clean = true;
  for (; !gsi_end_p (gsi); gsi_prev (&gsi))
    {
      gimple *s = gsi_stmt (gsi);
      if (is_gimple_debug (s) || gimple_code (s) == GIMPLE_LABEL || gimple_code (s) == GIMPLE_NOP)
	continue;
      if (gcall *call = dyn_cast<gcall *> (s))
	{
	  tree lhs = gimple_call_lhs (call);
	  bool feeds = *value ? (lhs && operand_equal_p (lhs, *value, 0)) : !lhs;
	  *clean = false;
	  return (feeds && !gimple_call_internal_p (call)) ? call : NULL;
	}
      if (gimple_assign_single_p (s) && *value
	  && operand_equal_p (gimple_assign_lhs (s), *value, 0)
	  && (TREE_CODE (gimple_assign_rhs1 (s)) == VAR_DECL
	      || TREE_CODE (gimple_assign_rhs1 (s)) == RESULT_DECL))
	{
	  *value = gimple_assign_rhs1 (s);
	  continue;
	}
      *clean = false;
      return NULL;
    }
  return NULL;
}

/* [5] The exit hook for RET.  When the returned value comes straight from a call
   (lowering often leaves "tmp = f (x); goto L; ... L: retval = tmp; return retval;"),
   the hook goes before that call, on that path only, so GCC can still make it a tail
   call or, for self recursion, a loop; every other path gets the hook on its edge
   into the return block.  Without optimization, or when a path cannot be split, the
   hook simply goes before the return. */
static void
collect_return (fn_ctx *fn, greturn *ret)
{
  if (!optimize || !flag_optimize_sibling_calls)
    {
      add_stmt_site (fn, ret, false, ACT_EXIT_HOOK, 0);
      return;
    }
  basic_block rb = gimple_bb (ret);
  tree value = gimple_return_retval (ret);
  bool clean;
  if (gcall *call = value_source (rb, ret, &value, &clean))
    {
      add_stmt_site (fn, call, false, ACT_EXIT_HOOK, 0);
      return;
    }
  edge e;
  edge_iterator ei;
  bool splittable = clean && EDGE_COUNT (rb->preds) > 1;
  FOR_EACH_EDGE (e, ei, rb->preds)
    if (!edge_splittable_p (e) || e->src == ENTRY_BLOCK_PTR_FOR_FN (cfun))
      splittable = false;
  if (!splittable)
    {
      add_stmt_site (fn, ret, false, ACT_EXIT_HOOK, 0);
      return;
    }
  FOR_EACH_EDGE (e, ei, rb->preds)
    {
      tree pred_value = value;
      bool pred_clean;
      gcall *call = single_succ_p (e->src)
		    ? value_source (e->src, NULL, &pred_value, &pred_clean) : NULL;
      if (call)
	add_stmt_site (fn, call, false, ACT_EXIT_HOOK, 0);
      else
	add_edge_site (fn, e, ACT_EXIT_HOOK, 0);
    }
}

/* [4]: call sites, and [5]: returns. */
static void
collect_stmt (fn_ctx *fn, gimple *stmt)
{
  if (gcall *call = dyn_cast<gcall *> (stmt))
    {
      if (gimple_call_internal_p (call) || !cprof_opts.call_sites)
	return;
      tree callee = gimple_call_fndecl (call);
      if (callee)
	{
	  if (!user_function_p (callee))
	    return;
	  unsigned counter = cprof_module_new_counter ();
	  add_stmt_site (fn, call, false, ACT_COUNT, counter);
	  cprof_text_printf (&cprof_mod.meta, "C\t%u\t%u", fn->idx, counter);
	  cprof_text_field (&cprof_mod.meta,
			    IDENTIFIER_POINTER (DECL_ASSEMBLER_NAME (callee)));
	  cprof_text_field (&cprof_mod.meta, callee_flags (callee));
	  put_location (&cprof_mod.meta, gimple_location (call));
	  cprof_text_printf (&cprof_mod.meta, "\n");
	  cprof_stats.call_sites++;
	}
      else if (cprof_opts.timing)
	{
	  add_stmt_site (fn, call, false, ACT_ICALL_SET, 0);
	  if (!stmt_ends_bb_p (call))
	    add_stmt_site (fn, call, true, ACT_ICALL_CLEAR, 0);
	}
      return;
    }

  if (greturn *ret = dyn_cast<greturn *> (stmt))
    if (cprof_opts.timing)
      collect_return (fn, ret);
}

/* [6]: remember the switch; its labels are counted in apply_switch. */
static void
collect_switch (fn_ctx *fn, gswitch *sw)
{
  basic_block bb = gimple_bb (sw);
  edge e;
  edge_iterator ei;
  FOR_EACH_EDGE (e, ei, bb->succs)
    if (!edge_splittable_p (e))
      return;
  fn->switches.safe_push (sw);
  cprof_stats.switches++;
}

static void
print_case_value (struct cprof_text *t, tree value)
{
  char buf[WIDE_INT_PRINT_BUFFER_SIZE];
  print_dec (wi::to_wide (value), buf, TYPE_SIGN (TREE_TYPE (value)));
  cprof_text_printf (t, "%s", buf);
}

/* ---- applying (CFG changes) ---- */

static void
apply_switch (fn_ctx *fn, gswitch *sw)
{
  basic_block bb = gimple_bb (sw);
  unsigned n = gimple_switch_num_labels (sw);
  auto_vec<edge> old_edges;
  edge e;
  edge_iterator ei;
  FOR_EACH_EDGE (e, ei, bb->succs)
    old_edges.safe_push (e);

  cprof_text_printf (&cprof_mod.meta, "S\t%u", fn->idx);
  put_location (&cprof_mod.meta, gimple_location (sw));
  cprof_text_printf (&cprof_mod.meta, "\t%u", n);
  for (unsigned i = 0; i < n; i++)
    {
      tree label = gimple_switch_label (sw, i);
      basic_block target = label_to_block (cfun, CASE_LABEL (label));
      basic_block case_bb = create_empty_bb (bb);
      if (current_loops)
	add_bb_to_loop (case_bb, bb->loop_father);
      CASE_LABEL (label) = gimple_block_label (case_bb);
      make_edge (bb, case_bb, 0);
      make_single_succ_edge (case_bb, target, EDGE_FALLTHRU);

      unsigned counter = cprof_module_new_counter ();
      gimple_seq seq = NULL;
      build_increment_seq (&seq, counter, gimple_location (sw));
      append_seq (make_guard (fn, case_bb), seq);

      cprof_text_printf (&cprof_mod.meta, "\t%u\t", counter);
      if (!CASE_LOW (label))
	cprof_text_printf (&cprof_mod.meta, "default");
      else
	{
	  print_case_value (&cprof_mod.meta, CASE_LOW (label));
	  if (CASE_HIGH (label))
	    {
	      cprof_text_printf (&cprof_mod.meta, "...");
	      print_case_value (&cprof_mod.meta, CASE_HIGH (label));
	    }
	}
    }
  cprof_text_printf (&cprof_mod.meta, "\n");
  for (unsigned i = 0; i < old_edges.length (); i++)
    remove_edge (old_edges[i]);
  /* Probabilities of the new edges are guessed again by the profile pass. */
  FOR_EACH_EDGE (e, ei, bb->succs)
    e->probability = profile_probability::guessed_always ().apply_scale (1, EDGE_COUNT (bb->succs));
}

static void
build_action_seq (gimple_seq *seq, fn_ctx *fn, enum site_action action, unsigned counter,
		  location_t loc)
{
  switch (action)
    {
    case ACT_COUNT:
      build_increment_seq (seq, counter, loc);
      break;
    case ACT_EXIT_HOOK:
      build_hook_seq (seq, fn, cprof_mod.exit_fn, loc);
      {
	/* An empty volatile asm after the call keeps GCC from turning the exit hook itself
	   into a tail call: the runtime matches exits to entries by stack address, and a
	   jump to the hook would report the caller's. */
	gasm *barrier = gimple_build_asm_vec ("", NULL, NULL, NULL, NULL);
	gimple_asm_set_volatile (barrier, true);
	gimple_seq_add_stmt (seq, barrier);
      }
      break;
    case ACT_ICALL_SET:
      build_icall_seq (seq, 1);
      break;
    case ACT_ICALL_CLEAR:
      build_icall_seq (seq, 0);
      break;
    }
}

static void
apply_edges (fn_ctx *fn)
{
  /* Several counters can share an edge (a loop entry that is also a branch outcome):
     they share one guard block. */
  hash_map<edge, basic_block> then_of_edge;
  for (unsigned i = 0; i < fn->edges.length (); i++)
    {
      edge e = fn->edges[i].e;
      basic_block *known = then_of_edge.get (e);
      basic_block then_bb;
      if (known)
	then_bb = *known;
      else
	{
	  then_bb = make_guard (fn, split_edge (e));
	  then_of_edge.put (e, then_bb);
	}
      gimple_seq seq = NULL;
      build_action_seq (&seq, fn, fn->edges[i].action, fn->edges[i].counter, fn->loc);
      append_seq (then_bb, seq);
    }
}

static void
apply_stmts (fn_ctx *fn)
{
  /* Sites at the same statement and side share one guard block. */
  for (unsigned i = 0; i < fn->stmts.length (); )
    {
      stmt_site *first = &fn->stmts[i];
      location_t loc = gimple_location (first->stmt);
      if (loc == UNKNOWN_LOCATION)
	loc = fn->loc;
      basic_block then_bb = make_guard (fn, block_at_stmt (first->stmt, first->after));
      gimple_seq seq = NULL;
      unsigned j = i;
      for (; j < fn->stmts.length ()
	     && fn->stmts[j].stmt == first->stmt && fn->stmts[j].after == first->after; j++)
	build_action_seq (&seq, fn, fn->stmts[j].action, fn->stmts[j].counter, loc);
      append_seq (then_bb, seq);
      i = j;
    }
}

/* [1]: load the flag, count the call, start the timer.  Done last so that the block
   it creates comes first, dominating every other site. */
static void
apply_entry (fn_ctx *fn, unsigned entry_counter)
{
  basic_block bb = split_edge (single_succ_edge (ENTRY_BLOCK_PTR_FOR_FN (cfun)));
  gimple *load = gimple_build_assign (fn->on, cprof_mod.active);
  gimple_set_location (load, fn->loc);
  gimple_stmt_iterator gsi = gsi_last_bb (bb);
  gsi_insert_after (&gsi, load, GSI_NEW_STMT);

  gimple_seq seq = NULL;
  build_increment_seq (&seq, entry_counter, fn->loc);
  if (cprof_opts.timing)
    build_hook_seq (&seq, fn, cprof_mod.enter_fn, fn->loc);
  append_seq (make_guard (fn, bb), seq);
}

/* Functions whose body must not change, or that the user asked to leave alone. */
static bool
skip_function_p (cgraph_node *node, hash_set<tree> *resolvers)
{
  tree decl = node->decl;
  if (node->alias || node->thunk || !gimple_has_body_p (decl))
    return true;
  function *f = DECL_STRUCT_FUNCTION (decl);
  if (!f || !f->cfg)
    return true;
  /* The front ends set DECL_NO_INSTRUMENT_FUNCTION_ENTRY_EXIT on every function when
     -finstrument-functions is off, so the attribute itself is what counts. */
  if (lookup_attribute ("no_instrument_function", DECL_ATTRIBUTES (decl))
      || DECL_ARTIFICIAL (decl))
    return true;
  if (lookup_attribute ("naked", DECL_ATTRIBUTES (decl))
      || lookup_attribute (CPROF_TOKEN_ATTR, DECL_ATTRIBUTES (decl)))
    return true;
  /* ifunc resolvers run while relocations are processed: no TLS, no runtime yet. */
  if (resolvers->contains (decl))
    return true;
  if (!cprof_opts.system_headers && DECL_IN_SYSTEM_HEADER (decl))
    return true;

  const char *file = DECL_SOURCE_FILE (decl);
  const char *base = file ? lbasename (file) : "";
  if (cprof_opts.exclude_files.count
      && (cprof_patterns_match (&cprof_opts.exclude_files, file ? file : "")
	  || cprof_patterns_match (&cprof_opts.exclude_files, base)))
    return true;
  if (cprof_opts.include_files.count
      && !cprof_patterns_match (&cprof_opts.include_files, file ? file : "")
      && !cprof_patterns_match (&cprof_opts.include_files, base))
    return true;
  const char *name = lang_hooks.decl_printable_name (decl, 2);
  const char *asm_name = IDENTIFIER_POINTER (DECL_ASSEMBLER_NAME (decl));
  if (cprof_opts.exclude_functions.count
      && (cprof_patterns_match (&cprof_opts.exclude_functions, name)
	  || cprof_patterns_match (&cprof_opts.exclude_functions, asm_name)))
    return true;
  if (cprof_opts.include_functions.count
      && !cprof_patterns_match (&cprof_opts.include_functions, name)
      && !cprof_patterns_match (&cprof_opts.include_functions, asm_name))
    return true;

  /* __builtin_va_arg_pack only works while the body is inlined verbatim. */
  basic_block bb;
  FOR_EACH_BB_FN (bb, f)
    for (gimple_stmt_iterator gsi = gsi_start_bb (bb); !gsi_end_p (gsi); gsi_next (&gsi))
      if (gcall *call = dyn_cast<gcall *> (gsi_stmt (gsi)))
	if (gimple_call_builtin_p (call, BUILT_IN_VA_ARG_PACK)
	    || gimple_call_builtin_p (call, BUILT_IN_VA_ARG_PACK_LEN))
	  return true;
  return false;
}

/* The name people read: the demangled linkage name in C++ ("ns::f(int)", as perf and
   gprof show it), the identifier in C. */
static void
put_function_name (struct cprof_text *t, tree decl)
{
  const char *asm_name = IDENTIFIER_POINTER (DECL_ASSEMBLER_NAME (decl));
  if (asm_name[0] == '_' && asm_name[1] == 'Z')
    {
      int status = 0;
      char *demangled = abi::__cxa_demangle (asm_name, NULL, NULL, &status);
      if (demangled && status == 0)
	{
	  cprof_text_field (t, demangled);
	  free (demangled);
	  return;
	}
      free (demangled);
    }
  cprof_text_field (t, lang_hooks.decl_printable_name (decl, 1));
}

static void
instrument_function (cgraph_node *node)
{
  tree decl = node->decl;
  fn_ctx fn;
  fn.idx = cprof_mod.num_functions++;
  fn.token = (cprof_mod.tag << 32) | fn.idx;
  fn.loc = DECL_SOURCE_LOCATION (decl);
  fn.on = create_tmp_var (integer_type_node, "cprof_on");
  fn.edges = vNULL;
  fn.stmts = vNULL;
  fn.switches = vNULL;

  unsigned entry_counter = cprof_module_new_counter ();
  cprof_text_printf (&cprof_mod.meta, "F\t%u\t%u", fn.idx, entry_counter);
  put_location (&cprof_mod.meta, fn.loc);
  put_function_name (&cprof_mod.meta, decl);
  cprof_text_field (&cprof_mod.meta, IDENTIFIER_POINTER (DECL_ASSEMBLER_NAME (decl)));
  char flags[8];
  int nf = 0;
  if (!TREE_PUBLIC (decl))
    flags[nf++] = 's';
  if (DECL_DECLARED_INLINE_P (decl))
    flags[nf++] = 'i';
  if (lang_GNU_CXX ())
    flags[nf++] = 'c';
  if (nf == 0)
    flags[nf++] = '-';
  flags[nf] = 0;
  cprof_text_field (&cprof_mod.meta, flags);
  cprof_text_printf (&cprof_mod.meta, "\n");

  DECL_ATTRIBUTES (decl)
    = tree_cons (get_identifier (CPROF_TOKEN_ATTR),
		 build_tree_list (NULL_TREE, build_int_cst (uint64_type_node, fn.token)),
		 DECL_ATTRIBUTES (decl));

  /* Collect every site on the CFG as the source left it... */
  if (cprof_opts.loops)
    {
      if (!current_loops)
	loop_optimizer_init (AVOID_CFG_MODIFICATIONS);
      for (auto loop : loops_list (cfun, 0))
	collect_loop (&fn, loop);
    }
  basic_block bb;
  FOR_EACH_BB_FN (bb, cfun)
    {
      for (gimple_stmt_iterator gsi = gsi_start_bb (bb); !gsi_end_p (gsi); gsi_next (&gsi))
	collect_stmt (&fn, gsi_stmt (gsi));
      gimple *last = last_stmt (bb);
      if (!last)
	continue;
      if (cprof_opts.branches && gimple_code (last) == GIMPLE_COND)
	collect_branch (&fn, as_a<gcond *> (last));
      else if (cprof_opts.switches && gimple_code (last) == GIMPLE_SWITCH)
	collect_switch (&fn, as_a<gswitch *> (last));
    }

  /* ...then change it: edges first (their identity survives block splits), the
     entry block last. */
  apply_edges (&fn);
  for (unsigned i = 0; i < fn.switches.length (); i++)
    apply_switch (&fn, fn.switches[i]);
  apply_stmts (&fn);
  apply_entry (&fn, entry_counter);

  fn.edges.release ();
  fn.stmts.release ();
  fn.switches.release ();

  free_dominance_info (CDI_DOMINATORS);
  free_dominance_info (CDI_POST_DOMINATORS);
  if (current_loops)
    loops_state_set (LOOPS_NEED_FIXUP);
  cgraph_edge::rebuild_edges ();
  cprof_stats.functions++;
}

static unsigned int
execute_instrument (void)
{
  cprof_parsing_done ();
  memset (&cprof_stats, 0, sizeof cprof_stats);
  cprof_module_begin ();

  hash_set<tree> resolvers;
  cgraph_node *node;
  FOR_EACH_FUNCTION (node)
    if (node->ifunc_resolver && node->alias)
      {
	symtab_node *target = node->get_alias_target ();
	if (target)
	  resolvers.add (target->decl);
      }

  auto_vec<cgraph_node *> todo;
  FOR_EACH_DEFINED_FUNCTION (node)
    {
      if (skip_function_p (node, &resolvers))
	{
	  if (!node->alias && !node->thunk && !DECL_ARTIFICIAL (node->decl))
	    cprof_stats.skipped++;
	  continue;
	}
      todo.safe_push (node);
    }

  for (unsigned i = 0; i < todo.length (); i++)
    {
      push_cfun (DECL_STRUCT_FUNCTION (todo[i]->decl));
      instrument_function (todo[i]);
      pop_cfun ();
    }

  cprof_module_finish ();
  return 0;
}

const pass_data instrument_pass_data = {
  SIMPLE_IPA_PASS,
  "cprof",
  OPTGROUP_NONE,
  TV_NONE,
  PROP_cfg,
  0,
  0,
  0,
  0,
};

class instrument_pass : public simple_ipa_opt_pass {
public:
  instrument_pass (gcc::context *ctxt) : simple_ipa_opt_pass (instrument_pass_data, ctxt) {}
  bool gate (function *) final override { return !in_lto_p && !seen_error (); }
  unsigned int execute (function *) final override { return execute_instrument (); }
};

} /* namespace */

opt_pass *
cprof_make_instrument_pass (gcc::context *ctxt)
{
  return new instrument_pass (ctxt);
}
