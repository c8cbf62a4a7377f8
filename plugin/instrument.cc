/* instrument.cc: the "cprof" pass: counters and timing hooks in a copy of every function.
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
 * the body is copied [0], and the original (which the sites were collected on) becomes the
 * instrumented body:
 *
 *         ENTRY
 *           |
 *     [1] on = __cprof_active; if (on) ---------------> <the copy: the plain body>
 *           | true
 *         ctr[f]++;
 *     [8] hooked = __cprof_untimed[f] == 0; if (hooked) __cprof_enter (&module, token);
 *         s = 0; i = 0
 *           |
 *     [2] ctr[loop.entries]++
 *           |
 *   +--> [header] if (i < n) ----false----> [3] ctr[br.not_taken]++ ------------+
 *   |        | true                                                          |
 *   |    [3] ctr[br.taken]++ (= loop.iterations: one counter per edge)       |
 *   |        |                                                               |
 *   |     if (i % 2 == 0) -- true/false edges counted as in [3] --           |
 *   |        |                                                               |
 *   |    [4] ctr[callsite f->g]++;   s += g (i)                              |
 *   |        |                                                               |
 *   +---- i++                                                                |
 *                                          [5] [8] if (hooked) __cprof_exit (&module, token)
 *                                                           return s   <-----+
 *
 *   [0] two bodies: with profiling off only the plain copy runs, the code GCC makes of the
 *       function without cprof.  The split pass (split.cc) then moves the instrumented body
 *       into a clone "f.cprof", and the prune pass folds the test in inlined copies.  Labels
 *       whose address is taken are copied too, with the read-only static tables of their
 *       addresses a threaded interpreter dispatches through (label-tables.cc).  A body that
 *       cannot be copied (setjmp, EH, nonlocal labels, asm goto, a written label table) or
 *       with the single-body option stays one body: then every site sits in a block of its
 *       own behind "if (on)".
 *   [1] function entry: the flag is loaded once per activation and picks the body.
 *   [2] loop entries: edges into the loop header from outside the loop.
 *   [3] branch outcomes on the true and false edges of each GIMPLE_COND; loop iterations on
 *       the header's edges into the body (for/while) or at the header (do-while).  Edges
 *       with the same count (edge_counter) share a counter.
 *   [4] call sites of direct calls to user functions (exact call graph, inlined or not);
 *       indirect calls set __cprof_icall around the call instead.
 *   [5] exit hook before every return; before the call itself when the return returns that
 *       call's value, so GCC can still turn it into a tail call or a loop (XRay's tail exit).
 *   [6] switch: every case label (and default) gets a block of its own with its counter.
 *   [7] no hooks, only counters, with the no-timing option, or for a tiny leaf with the
 *       skip-leaves option (metadata flag 'u').
 *   [8] adaptive timing: the runtime stops timing a function whose calls proved too short to
 *       time (CPROF_MIN_TIME) by setting its byte in the TU's __cprof_untimed; from then on
 *       its activations cost a load and a branch more than counting alone.  The local
 *       "hooked" pairs each activation's exit hooks with its entry hook.
 *   [9] in a function without EH edges, setjmp or nonlocal labels, the counters above are
 *       not incremented where drawn: only the edges that close cycles of a spanning tree
 *       (over the flow graph merged along the edges no count is wanted of) are counted,
 *       and the runtime computes the rest (place_tree_counters).  The loop in the picture
 *       then costs one increment per iteration, not three.
 *  [10] a static function that only instrumented functions of this TU call, directly and
 *       outside any cycle of such functions, counts no entry of its own: its entry edge's
 *       count is the sum of its call sites' counts, which the callers' graphs give.  Every
 *       call of it, inlined or not, saves an increment (gcov counts no inlined entry at all).
 *
 * Every function also gets the attribute CPROF_TOKEN_ATTR with its hook token, which the
 * prune pass uses after inlining to keep only each body's own hooks.
 */
#include "cprof-plugin.h"

#include <cxxabi.h>

struct cprof_stats cprof_stats;

namespace {

#define NO_COUNTER (~0u)

/* What a site does. */
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
  tree hooked;           /* this activation called the entry hook [8] */
  bool dual;             /* sites go unguarded into the instrumented body [0] */
  bool timed;            /* gets timing hooks [7] */
  unsigned idx;          /* local function id */
  unsigned long long token;
  location_t loc;
  vec<edge_site> edges;
  vec<stmt_site> stmts;
  vec<gswitch *> switches;
  vec<unsigned> switch_first_counter; /* [9] by switch: its labels' counters from here on */
  hash_map<edge, unsigned> *counter_of_edge; /* counted edges, by canonical edge */
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
   counter in a register across a loop, and vectorization sees an ordinary reduction.
   (Adding the flag's value instead of branching around each counter of a single body was
   measured: more instructions with profiling off, on Lua 1.62x plain against 1.37x.) */
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

/* BB has a single successor D.  Turn it into
     BB: ...; if (FLAG != 0) goto THEN; else goto D;   THEN: <nothing yet>; goto D;
   and return THEN, where the caller puts the guarded statements. */
static basic_block
make_flag_guard (basic_block bb, tree flag)
{
  edge fall = single_succ_edge (bb);
  basic_block dest = fall->dest;
  gcond *cond = gimple_build_cond (NE_EXPR, flag, build_int_cst (TREE_TYPE (flag), 0),
				   NULL_TREE, NULL_TREE);
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

/* The block behind "if (on)" for sites of a single body; BB itself in an instrumented body. */
static basic_block
make_guard (fn_ctx *fn, basic_block bb)
{
  if (fn->dual)
    return bb; /* [0] the whole body runs only when profiling is on */
  return make_flag_guard (bb, fn->on);
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

/* Whether control that enters BB always leaves it by its single successor edge: no call
   (exit, longjmp, a throw) and no asm can take it elsewhere. */
static bool
straight_block_p (basic_block bb)
{
  if (!single_succ_p (bb) || !edge_splittable_p (single_succ_edge (bb))
      || single_succ (bb) == EXIT_BLOCK_PTR_FOR_FN (cfun))
    return false;
  for (gimple_stmt_iterator gsi = gsi_start_bb (bb); !gsi_end_p (gsi); gsi_next (&gsi))
    {
      enum gimple_code code = gimple_code (gsi_stmt (gsi));
      if (code == GIMPLE_CALL || code == GIMPLE_ASM)
	return false;
    }
  return true;
}

/* The counter of edge E's count.  Edges through a straight block with a single predecessor
   all run as often as the first, so they share one counter, placed on the last edge of the
   chain: a loop's entry is then the same counter as the iteration of the loop around it, or
   as the branch outcome that leads to it, and a loop's iteration edge the same counter as
   its header's "true" outcome.  Fewer counters mean fewer instructions and fewer reductions
   that keep loop nests from being interchanged, jammed or vectorized as in a plain build. */
static unsigned
edge_counter (fn_ctx *fn, edge e)
{
  /* The step bound only matters for an unreachable cycle of such blocks. */
  for (int steps = n_basic_blocks_for_fn (cfun);
       steps > 0 && single_pred_p (e->dest) && e->dest != EXIT_BLOCK_PTR_FOR_FN (cfun)
       && straight_block_p (e->dest); steps--)
    e = single_succ_edge (e->dest);
  if (unsigned *known = fn->counter_of_edge->get (e))
    return *known;
  unsigned counter = cprof_module_new_counter ();
  fn->counter_of_edge->put (e, counter);
  add_edge_site (fn, e, ACT_COUNT, counter);
  return counter;
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

  /* A loop entered or iterated along several edges needs a counter of its own, added to on
     each; a single edge's count may be shared with other sites (edge_counter). */
  unsigned entries = NO_COUNTER, iterations = NO_COUNTER;
  unsigned n_entry_edges = 0, n_body_edges = 0;
  FOR_EACH_EDGE (e, ei, header->preds)
    if (!flow_bb_inside_loop_p (loop, e->src))
      n_entry_edges++;
  FOR_EACH_EDGE (e, ei, header->preds)
    if (!flow_bb_inside_loop_p (loop, e->src))
      {
	if (n_entry_edges == 1)
	  entries = edge_counter (fn, e);
	else
	  {
	    if (entries == NO_COUNTER)
	      entries = cprof_module_new_counter ();
	    add_edge_site (fn, e, ACT_COUNT, entries);
	  }
      }
  if (entries == NO_COUNTER)
    entries = cprof_module_new_counter (); /* unreachable loop: stays 0 */

  if (header_exits && loop->num_nodes > 1)
    {
      /* for/while: the header is the exit test; the body starts on its edges inward. */
      FOR_EACH_EDGE (e, ei, header->succs)
	if (starts_body_p (loop, e->dest))
	  n_body_edges++;
      FOR_EACH_EDGE (e, ei, header->succs)
	if (starts_body_p (loop, e->dest))
	  {
	    if (n_body_edges == 1)
	      iterations = edge_counter (fn, e);
	    else
	      {
		if (iterations == NO_COUNTER)
		  iterations = cprof_module_new_counter ();
		add_edge_site (fn, e, ACT_COUNT, iterations);
	      }
	  }
    }
  else
    {
      /* do-while or a header without a test: every execution starts the body. */
      iterations = cprof_module_new_counter ();
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
  unsigned taken = edge_counter (fn, t);
  unsigned not_taken = edge_counter (fn, f);
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

/* [10] The counters of the calls of functions counted by their call sites, handed out before
   any function is instrumented, and by callee the counters of its call sites. */
static hash_map<gimple *, unsigned> *call_site_counter;
static hash_map<tree, vec<unsigned> > *entry_call_sites;

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
	  unsigned *known = call_site_counter ? call_site_counter->get (call) : NULL;
	  unsigned counter = known ? *known : cprof_module_new_counter ();
	  add_stmt_site (fn, call, false, ACT_COUNT, counter);
	  cprof_text_printf (&cprof_mod.meta, "C\t%u\t%u", fn->idx, counter);
	  cprof_text_field (&cprof_mod.meta,
			    IDENTIFIER_POINTER (DECL_ASSEMBLER_NAME (callee)));
	  cprof_text_field (&cprof_mod.meta, callee_flags (callee));
	  put_location (&cprof_mod.meta, gimple_location (call));
	  cprof_text_printf (&cprof_mod.meta, "\n");
	  cprof_stats.call_sites++;
	}
      else if (fn->timed)
	{
	  add_stmt_site (fn, call, false, ACT_ICALL_SET, 0);
	  if (!stmt_ends_bb_p (call))
	    add_stmt_site (fn, call, true, ACT_ICALL_CLEAR, 0);
	}
      return;
    }

  if (greturn *ret = dyn_cast<greturn *> (stmt))
    if (fn->timed)
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

/* ---- counters on a spanning tree of the flow graph [9] ----

   A function without EH edges, setjmp or nonlocal labels counts only a few edges of its flow
   graph, as gcc -fprofile-arcs does (profile.cc, find_spanning_tree).  The counters the other
   records name (F, L, B, C: the "logical" counters) are never incremented: each wanted count
   becomes a target on the edge it is the count of, and the runtime derives the edges'
   counts from the counted ones by flow conservation and adds them into their targets
   (record G, doc/ABI.md).

       ENTRY --------------> [2] a = f (x);    f may not return: the block is cut after it
         ^                    |  \
         |       segment edge |   '-----> fake edge to EXIT (calls that did not return)
         |  (counted after f) v
         |                   [2'] if (a)           wanted: [2']->[3] (taken),
         |                   /       \                     [2']->[4] (not taken)
         |                [3]        [4]
         |                   \       /
         +---- EXIT <------- [5] return

   Vertices: ENTRY (0), EXIT (1), and every block, cut into segments at each call that may
   not return (need_fake_edge_p's test in tree-cfg.cc, less leaf functions, which return
   or end the process).  Edges: the CFG's; one from each segment to the next (counted by
   an increment right after the call: no CFG change); a fake edge to EXIT from before each
   such call and from each block without successors; and EXIT -> ENTRY.
   The ends of edges without a wanted count are merged into groups (in the picture: ENTRY,
   EXIT, [2], [2'] and [5] along EXIT -> ENTRY, the fake and segment edges and the return;
   [3] and [4] with [5]).  A wanted edge between two groups is known once every other edge
   at one of them is (conservation over the group), so wanted edges need counting only
   where they would close a cycle of groups: what is left uncounted is a spanning tree of
   the groups (Kruskal: innermost loops first, then hot before cold, ENTRY's edge last,
   its increment sitting at the flag test at entry [1]).  An edge without a wanted count
   that would put a wanted one on a cycle is counted instead of merged.  In the picture one
   of the two outcomes and ENTRY's edge are counted.  The fake edges put every frame that never
   returned (longjmp, exit, alive across cprof_reset or fork) in EXIT's group, where its
   imbalance cancels, so the wanted counts come out exact.  A call in tail position is not
   cut (a counter after it would keep GCC from making it a jump or a loop): its return
   path, which carries no wanted count (else the function is counted directly), puts it
   in EXIT's group too.  A switch's edges are counted by its label counters ([6]). */

struct flow_edge {
  unsigned src, dst;     /* vertices */
  edge cfg;              /* the CFG edge, or NULL */
  gcall *after_call;     /* a segment edge: counted right after this call */
  greturn *ret;          /* an edge into EXIT: counted right before this return */
  gimple *at_dest;       /* a computed goto's edge: counted before this first statement
			    of its destination, which has no other predecessor */
  bool fake;             /* never counted: a fake edge, EXIT -> ENTRY, or an abnormal edge
			    into a block with other predecessors */
  bool absorber;         /* on the return path of a tail call: in the tree if it can be */
  bool by_switch;        /* out of a counted switch: the sum of its labels' counters */
  const vec<unsigned> *call_sites; /* [10] ENTRY's edge: the sum of these call-site counters */
  bool wanted;           /* its count adds into a logical counter */
  int depth;             /* loop depth */
  double weight;         /* estimated frequency, for the order among the same depth */
  unsigned counter;      /* its physical counter when outside the tree, else NO_COUNTER */
};

struct flow_target {
  unsigned edge_id;
  unsigned counter;      /* logical counter the edge's count adds into */
};

struct flow_graph {
  unsigned nvertices;
  auto_vec<flow_edge> edges;
  auto_vec<flow_target> targets;
  hash_map<edge, unsigned> edge_of_cfg;     /* CFG edge -> flow edge */
  hash_map<gimple *, unsigned> vertex_of;   /* statement with a count before it -> vertex */
  auto_vec<unsigned> segment_entry;         /* vertex -> segment edge into it, or NO_COUNTER */
};

/* Calls the runtime may write a profile from while the caller's frame is live: the exec
   family (rt-signal.c flushes before the image goes) and signals to oneself (a dump
   signal, SIGTERM).  Glibc declares them leaf: they still need their fake edge. */
static bool
runtime_dumps_in_p (tree fndecl)
{
  static const char *const names[] = {
    "execl", "execle", "execlp", "execv", "execve", "execvp", "execvpe", "fexecve",
    "raise", "kill", "killpg", "tgkill", "pthread_kill", "sigqueue", NULL
  };
  if (!DECL_NAME (fndecl))
    return false;
  const char *name = IDENTIFIER_POINTER (DECL_NAME (fndecl));
  for (int i = 0; names[i]; i++)
    if (strcmp (name, names[i]) == 0)
      return true;
  return false;
}

/* Whether control may leave the function from inside CALL other than by its return:
   need_fake_edge_p (tree-cfg.cc), except that leaf functions count as returning. */
static bool
call_may_not_return_p (gcall *call)
{
  if (gimple_call_internal_p (call))
    return false;
  int flags = gimple_call_flags (call);
  tree fndecl = gimple_call_fndecl (call);
  if (fndecl && fndecl_built_in_p (fndecl) && (flags & ECF_NOTHROW)
      && !(flags & ECF_RETURNS_TWICE) && !fndecl_built_in_p (fndecl, BUILT_IN_FORK))
    return false;
  if ((flags & (ECF_CONST | ECF_PURE)) && !(flags & ECF_LOOPING_CONST_OR_PURE))
    return false;
  if ((flags & ECF_LEAF) && !(flags & ECF_RETURNS_TWICE)
      && !(fndecl && runtime_dumps_in_p (fndecl)))
    return false;
  return true;
}

/* Calls in tail position (the value_source walk of collect_return): the return path
   after each into *TAIL_EDGES, the call into *TAIL_CALLS.  Only when GCC may make them
   sibling calls. */
static void
find_tail_calls (hash_set<gimple *> *tail_calls, auto_vec<edge> *tail_edges)
{
  if (!optimize || !flag_optimize_sibling_calls)
    return;
  basic_block rb;
  FOR_EACH_BB_FN (rb, cfun)
    {
      greturn *ret = safe_dyn_cast<greturn *> (last_stmt (rb));
      if (!ret || !single_succ_p (rb))
	continue;
      edge to_exit = single_succ_edge (rb);
      tree value = gimple_return_retval (ret);
      bool clean;
      if (gcall *call = value_source (rb, ret, &value, &clean))
	{
	  tail_calls->add (call);
	  tail_edges->safe_push (to_exit);
	  continue;
	}
      if (!clean)
	continue;
      edge e;
      edge_iterator ei;
      FOR_EACH_EDGE (e, ei, rb->preds)
	{
	  tree pred_value = value;
	  bool pred_clean;
	  if (e->src == ENTRY_BLOCK_PTR_FOR_FN (cfun) || !single_succ_p (e->src))
	    continue;
	  if (gcall *call = value_source (e->src, NULL, &pred_value, &pred_clean))
	    {
	      tail_calls->add (call);
	      tail_edges->safe_push (e);
	      tail_edges->safe_push (to_exit);
	    }
	}
    }
}

/* A guess of each block's frequency (per entry) from the CFG alone: loops run 8 times,
   a loop's exits are taken 8 times less often than its other edges, branches are even. */
static double
edge_share (edge e)
{
  edge o;
  edge_iterator ei;
  double total = 0, mine = 0;
  FOR_EACH_EDGE (o, ei, e->src->succs)
    {
      double w = flow_bb_inside_loop_p (o->src->loop_father, o->dest) ? 8 : 1;
      total += w;
      if (o == e)
	mine = w;
    }
  return total > 0 ? mine / total : 0;
}

static void
estimate_block_weights (double *weight)
{
  int *rpo = XNEWVEC (int, n_basic_blocks_for_fn (cfun));
  int n = pre_and_rev_post_order_compute (NULL, rpo, false);
  int *order = XNEWVEC (int, last_basic_block_for_fn (cfun));
  for (int i = 0; i < last_basic_block_for_fn (cfun); i++)
    {
      order[i] = INT_MAX;
      weight[i] = 0;
    }
  weight[ENTRY_BLOCK] = 1;
  order[ENTRY_BLOCK] = -1;
  for (int i = 0; i < n; i++)
    order[rpo[i]] = i;
  for (int i = 0; i < n; i++)
    {
      basic_block bb = BASIC_BLOCK_FOR_FN (cfun, rpo[i]);
      double w = 0;
      edge e;
      edge_iterator ei;
      FOR_EACH_EDGE (e, ei, bb->preds)
	if (order[e->src->index] < i)
	  w += weight[e->src->index] * edge_share (e);
      if (bb->loop_father && bb->loop_father->header == bb)
	w *= 8;
      weight[bb->index] = w > 1e30 ? 1e30 : w;
    }
  XDELETEVEC (order);
  XDELETEVEC (rpo);
}

static unsigned
flow_add_edge (flow_graph *g, unsigned src, unsigned dst, edge cfg, gcall *after_call,
	       bool fake, int depth, double weight)
{
  flow_edge fe = { src, dst, cfg, after_call, NULL, NULL, fake, false, false, NULL, false,
		    depth, weight, NO_COUNTER };
  g->edges.safe_push (fe);
  return g->edges.length () - 1;
}

static unsigned
flow_new_vertex (flow_graph *g)
{
  g->segment_entry.safe_push (NO_COUNTER);
  return g->nvertices++;
}

/* The graph of the CFG as collected; STMT_TARGETS: the statements counted before. */
static void
build_flow_graph (flow_graph *g, hash_set<gimple *> *stmt_targets)
{
  basic_block bb;
  unsigned nblocks = last_basic_block_for_fn (cfun);
  auto_vec<unsigned> first_of, last_of;
  first_of.safe_grow_cleared (nblocks);
  last_of.safe_grow_cleared (nblocks);
  double *weight = XNEWVEC (double, nblocks);
  estimate_block_weights (weight);
  hash_set<gimple *> tail_calls;
  auto_vec<edge> tail_edges;
  find_tail_calls (&tail_calls, &tail_edges);

  g->nvertices = 0;
  flow_new_vertex (g); /* ENTRY */
  flow_new_vertex (g); /* EXIT */
  flow_add_edge (g, 1, 0, NULL, NULL, true, 0, 0);
  first_of[ENTRY_BLOCK] = last_of[ENTRY_BLOCK] = 0;
  first_of[EXIT_BLOCK] = last_of[EXIT_BLOCK] = 1;
  FOR_EACH_BB_FN (bb, cfun)
    {
      int depth = loop_depth (bb->loop_father);
      unsigned v = flow_new_vertex (g);
      first_of[bb->index] = v;
      for (gimple_stmt_iterator gsi = gsi_start_bb (bb); !gsi_end_p (gsi); gsi_next (&gsi))
	{
	  gimple *stmt = gsi_stmt (gsi);
	  if (stmt_targets->contains (stmt))
	    g->vertex_of.put (stmt, v);
	  gcall *call = dyn_cast<gcall *> (stmt);
	  if (!call || (gimple_call_flags (call) & ECF_NORETURN) || tail_calls.contains (call)
	      || !call_may_not_return_p (call))
	    continue;
	  unsigned next = flow_new_vertex (g);
	  flow_add_edge (g, v, 1, NULL, NULL, true, 0, 0);
	  g->segment_entry[next]
	    = flow_add_edge (g, v, next, NULL, call, false, depth, weight[bb->index]);
	  v = next;
	}
      last_of[bb->index] = v;
      if (EDGE_COUNT (bb->succs) == 0)
	flow_add_edge (g, v, 1, NULL, NULL, true, 0, 0);
    }
  FOR_ALL_BB_FN (bb, cfun)
    {
      edge e;
      edge_iterator ei;
      FOR_EACH_EDGE (e, ei, bb->succs)
	{
	  class loop *common = find_common_loop (e->src->loop_father, e->dest->loop_father);
	  int depth = e->src == ENTRY_BLOCK_PTR_FOR_FN (cfun) ? -1 : loop_depth (common);
	  /* A block cannot be split after its return: that edge is counted before it, and
	     an edge into EXIT without one (none is known) is treated like a fake edge. */
	  greturn *ret = NULL;
	  bool to_exit = e->dest == EXIT_BLOCK_PTR_FOR_FN (cfun);
	  if (to_exit)
	    ret = safe_dyn_cast<greturn *> (last_stmt (e->src));
	  /* A computed goto's edge cannot be split either: it is counted at the top of its
	     destination when nothing else enters there, else it must be in the tree. */
	  gimple *at_dest = NULL;
	  bool abnormal = (e->flags & EDGE_ABNORMAL) != 0;
	  if (abnormal && single_pred_p (e->dest))
	    {
	      gimple_stmt_iterator gsi = gsi_after_labels (e->dest);
	      if (!gsi_end_p (gsi))
		at_dest = gsi_stmt (gsi);
	    }
	  unsigned id = flow_add_edge (g, last_of[e->src->index], first_of[e->dest->index], e,
				       NULL, (to_exit && !ret) || (abnormal && !at_dest), depth,
				       weight[e->src->index] * edge_share (e));
	  g->edges[id].ret = ret;
	  g->edges[id].at_dest = at_dest;
	  g->edge_of_cfg.put (e, id);
	}
    }
  for (unsigned i = 0; i < tail_edges.length (); i++)
    g->edges[*g->edge_of_cfg.get (tail_edges[i])].absorber = true;
  XDELETEVEC (weight);
}

/* Kruskal's order: the edges that cannot be counted first, then innermost and hottest. */
static int
flow_edge_order (const void *pa, const void *pb, void *data)
{
  const flow_graph *g = (const flow_graph *) data;
  const flow_edge *a = &g->edges[*(const unsigned *) pa];
  const flow_edge *b = &g->edges[*(const unsigned *) pb];
  int ra = (a->fake || a->absorber) && !a->wanted ? 0 : a->fake ? 1 : a->at_dest ? 2 : 3;
  int rb = (b->fake || b->absorber) && !b->wanted ? 0 : b->fake ? 1 : b->at_dest ? 2 : 3;
  if (ra != rb)
    return ra - rb;
  if (a->depth != b->depth)
    return b->depth - a->depth;
  if (a->weight != b->weight)
    return a->weight > b->weight ? -1 : 1;
  unsigned ia = *(const unsigned *) pa, ib = *(const unsigned *) pb;
  return ia < ib ? -1 : ia > ib;
}

static unsigned
tree_root (unsigned *parent, unsigned v)
{
  while (parent[v] != v)
    v = parent[v] = parent[parent[v]];
  return v;
}

static void
flow_target_add (flow_graph *g, unsigned edge_id, unsigned counter)
{
  flow_target t = { edge_id, counter };
  g->targets.safe_push (t);
}

static int
flow_target_order (const void *pa, const void *pb)
{
  const flow_target *a = (const flow_target *) pa, *b = (const flow_target *) pb;
  if (a->edge_id != b->edge_id)
    return a->edge_id < b->edge_id ? -1 : 1;
  return a->counter < b->counter ? -1 : a->counter > b->counter;
}

/* [9] Whether the function's counts can come from a spanning tree: no EH edges, and no
   abnormal edges but those of computed gotos (an interpreter's dispatch), which go into
   the tree or are counted where they land.  setjmp and nonlocal gotos are left out. */
static bool
flow_tree_ok_p (void)
{
  if (!cprof_opts.spanning_tree || !current_loops || cfun->calls_setjmp
      || cfun->has_nonlocal_label)
    return false;
  basic_block bb;
  FOR_ALL_BB_FN (bb, cfun)
    {
      edge e;
      edge_iterator ei;
      FOR_EACH_EDGE (e, ei, bb->succs)
	{
	  if (e->flags & EDGE_EH)
	    return false;
	  if (!(e->flags & EDGE_ABNORMAL))
	    continue;
	  ggoto *go = safe_dyn_cast<ggoto *> (last_stmt (bb));
	  if (!go || TREE_CODE (gimple_goto_dest (go)) == LABEL_DECL)
	    return false;
	}
    }
  return true;
}

/* [9] Turns the collected counting sites into targets on the flow graph, counts the edges
   outside its spanning tree instead and writes the G record.  Sets *ENTRY_SITE to the
   counter for ENTRY's edge (apply_entry), NO_COUNTER when that edge is in the tree.
   Returns false, changing nothing, when some edge that cannot be counted is not in the
   tree (then the sites stay as collected). */
static bool
place_tree_counters (fn_ctx *fn, unsigned entry_counter, unsigned *entry_site,
		     const vec<unsigned> *entry_call_sites)
{
  hash_set<gimple *> stmt_targets;
  for (unsigned i = 0; i < fn->stmts.length (); i++)
    if (fn->stmts[i].action == ACT_COUNT)
      stmt_targets.add (fn->stmts[i].stmt);
  flow_graph g;
  build_flow_graph (&g, &stmt_targets);

  /* What each counting site counts becomes a target on an edge. */
  for (unsigned i = 0; i < fn->edges.length (); i++)
    if (fn->edges[i].action == ACT_COUNT)
      flow_target_add (&g, *g.edge_of_cfg.get (fn->edges[i].e), fn->edges[i].counter);
  for (unsigned i = 0; i < fn->stmts.length (); i++)
    {
      stmt_site *site = &fn->stmts[i];
      if (site->action != ACT_COUNT)
	continue;
      /* The count of the segment the statement is in: what flows into it. */
      unsigned v = *g.vertex_of.get (site->stmt);
      if (g.segment_entry[v] != NO_COUNTER)
	flow_target_add (&g, g.segment_entry[v], site->counter);
      else
	{
	  edge e;
	  edge_iterator ei;
	  FOR_EACH_EDGE (e, ei, gimple_bb (site->stmt)->preds)
	    flow_target_add (&g, *g.edge_of_cfg.get (e), site->counter);
	}
    }
  edge entry_edge = single_succ_edge (ENTRY_BLOCK_PTR_FOR_FN (cfun));
  unsigned entry_id = *g.edge_of_cfg.get (entry_edge);
  flow_target_add (&g, entry_id, entry_counter);
  /* [10] Known from the callers: out of the tree at no cost, as a switch's edges below. */
  g.edges[entry_id].call_sites = entry_call_sites;

  /* The return path of a tail call, not cut, takes what a frame left from inside that call
     leaves unbalanced: a wanted count on it would be off (never seen: count directly). */
  for (unsigned i = 0; i < g.targets.length (); i++)
    if (g.edges[g.targets[i].edge_id].absorber)
      return false;

  /* A switch's edges are counted already, by its labels' counters ([6]): they stay out of
     the tree and cost nothing more. */
  auto_vec<flow_target> label_of_edge; /* (flow edge, label number in its function) */
  unsigned nlabels = 0;
  for (unsigned i = 0; i < fn->switches.length (); i++)
    {
      gswitch *sw = fn->switches[i];
      for (unsigned k = 0; k < gimple_switch_num_labels (sw); k++)
	{
	  basic_block target = label_to_block (cfun, CASE_LABEL (gimple_switch_label (sw, k)));
	  edge e = find_edge (gimple_bb (sw), target);
	  if (!e)
	    return false;
	  unsigned id = *g.edge_of_cfg.get (e);
	  g.edges[id].by_switch = true;
	  flow_target pair = { id, nlabels++ };
	  label_of_edge.safe_push (pair);
	}
    }
  for (unsigned i = 0; i < fn->switches.length (); i++)
    {
      edge e;
      edge_iterator ei;
      FOR_EACH_EDGE (e, ei, gimple_bb (fn->switches[i])->succs)
	if (!g.edges[*g.edge_of_cfg.get (e)].by_switch)
	  return false; /* an edge no label names: never seen */
    }

  /* Kruskal, keeping every uncounted wanted edge a bridge of the uncounted edges: then the
     runtime, merging the ends of the uncounted edges without targets into groups, finds
     the wanted ones as a forest between groups.  GROUP: the groups so far; COMPONENT: what
     the uncounted edges connect.  An edge without a target joins two groups at no cost when
     they are in different components, or lies within a group; one between two groups of a
     component would close a cycle through a wanted edge, and is counted.  A wanted edge
     stays uncounted when it joins two components. */
  unsigned ne = g.edges.length ();
  for (unsigned i = 0; i < g.targets.length (); i++)
    g.edges[g.targets[i].edge_id].wanted = true;
  auto_vec<unsigned> group, component;
  group.safe_grow (g.nvertices);
  component.safe_grow (g.nvertices);
  for (unsigned v = 0; v < g.nvertices; v++)
    group[v] = component[v] = v;
  auto_vec<unsigned> order;
  for (unsigned i = 0; i < ne; i++)
    if (!g.edges[i].by_switch && !g.edges[i].call_sites)
      order.safe_push (i);
  order.sort (flow_edge_order, &g);
  auto_vec<unsigned> counted;
  for (unsigned i = 0; i < order.length (); i++)
    {
      flow_edge *fe = &g.edges[order[i]];
      unsigned ga = tree_root (group.address (), fe->src);
      unsigned gb = tree_root (group.address (), fe->dst);
      unsigned ca = tree_root (component.address (), fe->src);
      unsigned cb = tree_root (component.address (), fe->dst);
      if (!fe->wanted && ga == gb)
	continue;
      if (ca != cb)
	{
	  component[ca] = cb;
	  if (!fe->wanted)
	    group[ga] = gb;
	  continue;
	}
      if (fe->fake || fe->absorber)
	return false; /* an edge that cannot be counted closes a cycle: never seen */
      counted.safe_push (order[i]);
    }

  /* The sites that counted directly go; the edges off the tree get theirs. */
  unsigned kept = 0;
  for (unsigned i = 0; i < fn->edges.length (); i++)
    if (fn->edges[i].action != ACT_COUNT)
      fn->edges[kept++] = fn->edges[i];
  fn->edges.truncate (kept);
  kept = 0;
  for (unsigned i = 0; i < fn->stmts.length (); i++)
    if (fn->stmts[i].action != ACT_COUNT)
      fn->stmts[kept++] = fn->stmts[i];
  fn->stmts.truncate (kept);
  /* The labels' counters, in label order (apply_switch takes them from there). */
  unsigned first_label_counter = cprof_mod.num_counters;
  for (unsigned i = 0, k = 0; i < fn->switches.length (); i++)
    {
      fn->switch_first_counter.safe_push (first_label_counter + k);
      k += gimple_switch_num_labels (fn->switches[i]);
    }
  for (unsigned k = 0; k < nlabels; k++)
    {
      cprof_module_new_counter ();
      label_of_edge[k].counter += first_label_counter;
    }
  label_of_edge.qsort (flow_target_order);
  *entry_site = NO_COUNTER;
  for (unsigned i = 0; i < counted.length (); i++)
    {
      flow_edge *fe = &g.edges[counted[i]];
      fe->counter = cprof_module_new_counter ();
      if (fe->after_call)
	add_stmt_site (fn, fe->after_call, true, ACT_COUNT, fe->counter);
      else if (fe->at_dest)
	add_stmt_site (fn, fe->at_dest, false, ACT_COUNT, fe->counter);
      else if (fe->ret)
	add_stmt_site (fn, fe->ret, false, ACT_COUNT, fe->counter);
      else if (counted[i] == entry_id)
	*entry_site = fe->counter;
      else
	add_edge_site (fn, fe->cfg, ACT_COUNT, fe->counter);
      cprof_stats.tree_counters++;
    }

  /* G <fn> <vertices> <edges>, then per edge: <src> <dst> <counter or -> <targets or -> */
  g.targets.qsort (flow_target_order);
  struct cprof_text *t = &cprof_mod.meta;
  cprof_text_printf (t, "G\t%u\t%u\t%u", fn->idx, g.nvertices, ne);
  unsigned next_target = 0, next_label = 0;
  for (unsigned i = 0; i < ne; i++)
    {
      flow_edge *fe = &g.edges[i];
      cprof_text_printf (t, "\t%u\t%u\t", fe->src, fe->dst);
      if (fe->by_switch)
	{
	  /* The sum of the counters of the labels that go there. */
	  bool first = true;
	  for (; next_label < label_of_edge.length () && label_of_edge[next_label].edge_id == i;
	       next_label++)
	    {
	      cprof_text_printf (t, first ? "%u" : "+%u", label_of_edge[next_label].counter);
	      first = false;
	    }
	  cprof_text_printf (t, "\t");
	}
      else if (fe->call_sites)
	{
	  for (unsigned k = 0; k < fe->call_sites->length (); k++)
	    cprof_text_printf (t, k ? "+%u" : "%u", (*fe->call_sites)[k]);
	  cprof_text_printf (t, "\t");
	}
      else if (fe->counter == NO_COUNTER)
	cprof_text_printf (t, "-\t");
      else
	cprof_text_printf (t, "%u\t", fe->counter);
      bool any = false;
      for (; next_target < g.targets.length () && g.targets[next_target].edge_id == i;
	   next_target++)
	{
	  cprof_text_printf (t, any ? ",%u" : "%u", g.targets[next_target].counter);
	  any = true;
	}
      if (!any)
	cprof_text_printf (t, "-");
    }
  cprof_text_printf (t, "\n");
  cprof_stats.tree++;
  return true;
}

/* ---- applying (CFG changes) ---- */

static void
apply_switch (fn_ctx *fn, gswitch *sw, unsigned first_counter)
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

      /* In a function counted on a spanning tree [9], the labels' counters were handed out
	 already: they are the counts of the switch's edges too. */
      unsigned counter
	= first_counter != NO_COUNTER ? first_counter + i : cprof_module_new_counter ();
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

/* Sites go behind "if (on)" (a guard block made on first use, *GUARDED), or straight into
   BB when it is a counter of an instrumented body [0].  An exit hook goes behind
   "if (hooked)" [8], which implies "on": it must be the last site of its block. */
static void
add_site_code (fn_ctx *fn, basic_block bb, basic_block *guarded, enum site_action action,
	       unsigned counter, location_t loc)
{
  gimple_seq seq = NULL;
  build_action_seq (&seq, fn, action, counter, loc);
  if (action == ACT_COUNT && fn->dual)
    {
      append_seq (bb, seq);
      return;
    }
  if (action == ACT_EXIT_HOOK)
    {
      append_seq (make_flag_guard (*guarded ? *guarded : bb, fn->hooked), seq);
      return;
    }
  if (!*guarded)
    *guarded = make_guard (fn, bb);
  append_seq (*guarded, seq);
}

/* The order sites of one edge are applied in: counters of an instrumented body first (they
   go in before any guard ends the block), exit hooks last (their guard ends the block). */
static unsigned
site_pass (fn_ctx *fn, const edge_site *site)
{
  if (site->action == ACT_COUNT && fn->dual)
    return 0;
  return site->action == ACT_EXIT_HOOK ? 2 : 1;
}

static void
apply_edges (fn_ctx *fn)
{
  /* Several sites can share an edge (a loop entry that is also a branch outcome): they
     share one new block and one guard, applied in site_pass order. */
  hash_map<edge, basic_block> block_of_edge;
  for (unsigned i = 0; i < fn->edges.length (); i++)
    if (!block_of_edge.get (fn->edges[i].e))
      block_of_edge.put (fn->edges[i].e, split_edge (fn->edges[i].e));
  hash_map<edge, basic_block> guard_of_edge;
  for (unsigned pass = 0; pass < 3; pass++)
    for (unsigned i = 0; i < fn->edges.length (); i++)
      {
	edge_site *site = &fn->edges[i];
	if (site_pass (fn, site) != pass)
	  continue;
	basic_block *known = guard_of_edge.get (site->e);
	basic_block guarded = known ? *known : NULL;
	add_site_code (fn, *block_of_edge.get (site->e), &guarded, site->action, site->counter,
		       fn->loc);
	if (guarded)
	  guard_of_edge.put (site->e, guarded);
      }
}

static void
apply_stmts (fn_ctx *fn)
{
  /* Counters of an instrumented body go right before their statement; the other sites at
     the same statement and side share one guard block. */
  for (unsigned i = 0; i < fn->stmts.length (); )
    {
      stmt_site *first = &fn->stmts[i];
      location_t loc = gimple_location (first->stmt);
      if (loc == UNKNOWN_LOCATION)
	loc = fn->loc;
      gimple_seq guarded = NULL, exit_hook = NULL;
      unsigned j = i;
      for (; j < fn->stmts.length ()
	     && fn->stmts[j].stmt == first->stmt && fn->stmts[j].after == first->after; j++)
	{
	  stmt_site *site = &fn->stmts[j];
	  if (site->action == ACT_COUNT && fn->dual)
	    {
	      /* After: a call returned ([9]); in the same block, which it does not end. */
	      gimple_seq seq = NULL;
	      build_increment_seq (&seq, site->counter, loc);
	      gimple_stmt_iterator gsi = gsi_for_stmt (site->stmt);
	      if (site->after)
		gsi_insert_seq_after (&gsi, seq, GSI_SAME_STMT);
	      else
		gsi_insert_seq_before (&gsi, seq, GSI_SAME_STMT);
	    }
	  else
	    build_action_seq (site->action == ACT_EXIT_HOOK ? &exit_hook : &guarded, fn,
			      site->action, site->counter, loc);
	}
      if (guarded)
	append_seq (make_guard (fn, block_at_stmt (first->stmt, first->after)), guarded);
      if (exit_hook) /* [8] in a block of its own, nearest the statement */
	append_seq (make_flag_guard (block_at_stmt (first->stmt, first->after), fn->hooked),
		    exit_hook);
      i = j;
    }
}

/* [8] In SITES, which only instrumented activations run, after the entry counter:
   u = __cprof_untimed[fn]; hooked = u == 0;  and in JOIN, which every activation passes once
   after SITES:  if (hooked) __cprof_enter (...);  (a single body's "hooked" starts at 0).
   The runtime sets __cprof_untimed[fn] once the function's calls proved too short to time;
   "hooked" keeps each activation's exit hooks matched with its entry hook. */
static void
apply_timed_entry (fn_ctx *fn, basic_block sites, basic_block join)
{
  tree untimed = create_tmp_var (unsigned_char_type_node, "cprof_on");
  gimple *load = gimple_build_assign (untimed, cprof_module_untimed_ref (fn->idx));
  gimple *test = gimple_build_assign (fn->hooked, EQ_EXPR, untimed,
				      build_int_cst (unsigned_char_type_node, 0));
  gimple_set_location (load, fn->loc);
  gimple_set_location (test, fn->loc);
  gimple_seq seq = NULL;
  gimple_seq_add_stmt (&seq, load);
  gimple_seq_add_stmt (&seq, test);
  append_seq (sites, seq);
  seq = NULL;
  build_hook_seq (&seq, fn, cprof_mod.enter_fn, fn->loc);
  append_seq (make_flag_guard (join, fn->hooked), seq);
}

/* [1]: load the flag, count the call, start the timer.  Done last so that the block
   it creates comes first, dominating every other site. */
static void
apply_entry (fn_ctx *fn, unsigned entry_counter, basic_block plain_first)
{
  basic_block bb = split_edge (single_succ_edge (ENTRY_BLOCK_PTR_FOR_FN (cfun)));
  gimple *load = gimple_build_assign (fn->on, cprof_mod.active);
  gimple_set_location (load, fn->loc);
  gimple_stmt_iterator gsi = gsi_last_bb (bb);
  gsi_insert_after (&gsi, load, GSI_NEW_STMT);

  gimple_seq seq = NULL;
  if (entry_counter != NO_COUNTER) /* [9] ENTRY's edge may be in the spanning tree */
    build_increment_seq (&seq, entry_counter, fn->loc);
  if (!fn->dual)
    {
      /* The guard's join is a block of its own: the first block of the body can be the
	 target of a goto (an interpreter's "goto startfunc"), which must not enter again. */
      basic_block join = split_edge (single_succ_edge (bb));
      basic_block sites = make_guard (fn, bb);
      append_seq (sites, seq);
      if (fn->timed)
	{
	  /* hooked = 0 on the way in; the hook test goes after the guard's join, so that
	     the guard still reads as a single body's to split.cc. */
	  gimple *init = gimple_build_assign (fn->hooked, boolean_false_node);
	  gsi = gsi_for_stmt (load);
	  gsi_insert_after (&gsi, init, GSI_NEW_STMT);
	  apply_timed_entry (fn, sites, join);
	}
      return;
    }
  /* [0] BB: if (on != 0) goto <entry sites, instrumented body>; else goto <plain body>; */
  basic_block sites = split_edge (single_succ_edge (bb));
  append_seq (sites, seq);
  if (fn->timed)
    apply_timed_entry (fn, sites, sites);
  gcond *cond = gimple_build_cond (NE_EXPR, fn->on, build_zero_cst (TREE_TYPE (fn->on)),
				   NULL_TREE, NULL_TREE);
  gimple_set_location (cond, fn->loc);
  gsi = gsi_last_bb (bb);
  gsi_insert_after (&gsi, cond, GSI_NEW_STMT);
  edge on = single_succ_edge (bb);
  on->flags &= ~EDGE_FALLTHRU;
  on->flags |= EDGE_TRUE_VALUE;
  on->probability = profile_probability::even ();
  edge off = make_edge (bb, plain_first, EDGE_FALSE_VALUE);
  off->probability = profile_probability::even ();
}

/* [0] Whether the body can be copied as a whole: no EH edges, no setjmp or nonlocal goto,
   no asm goto.  Labels whose address is taken are copied with the body, and so are the
   static tables holding their addresses when those are read-only and private to the
   function (label-tables.cc [1]); the only abnormal edges left are a computed goto's. */
static bool
dual_body_ok_p (void)
{
  if (cfun->calls_setjmp || cfun->has_nonlocal_label
      || (cfun->eh && cfun->eh->region_tree) || cfun->cannot_be_copied_set || !current_loops)
    return false;
  if (cfun->has_forced_label_in_static && !cprof_label_tables_copyable_p (current_function_decl))
    return false;
  bool taken_labels = false;
  basic_block bb;
  FOR_EACH_BB_FN (bb, cfun)
    {
      edge e;
      edge_iterator ei;
      FOR_EACH_EDGE (e, ei, bb->succs)
	if (e->flags & EDGE_EH)
	  return false;
      for (gimple_stmt_iterator gsi = gsi_start_bb (bb); !gsi_end_p (gsi); gsi_next (&gsi))
	{
	  gimple *stmt = gsi_stmt (gsi);
	  if (glabel *label = dyn_cast<glabel *> (stmt))
	    {
	      if (DECL_NONLOCAL (gimple_label_label (label)))
		return false;
	      taken_labels |= FORCED_LABEL (gimple_label_label (label));
	    }
	  else if (gasm *as = dyn_cast<gasm *> (stmt))
	    {
	      if (gimple_asm_nlabels (as) > 0)
		return false;
	    }
	}
    }
  /* A nested function can hand out the address of one of our labels, which would then
     be the original's in both bodies. */
  cgraph_node *node;
  if (taken_labels)
    FOR_EACH_FUNCTION (node)
      if (decl_function_context (node->decl) == current_function_decl)
	return false;
  return true;
}

/* What a copied statement refers to that the copy has its own of. */
struct copy_images {
  hash_map<tree, tree> ssa;      /* SSA names: the gimplifier's temporaries */
  hash_map<tree, tree> decls;    /* labels whose address is taken, their static tables */
};

/* walk_gimple_op callback: what a copied statement uses becomes the copy's own. */
static tree
rename_copied_ssa (tree *tp, int *walk_subtrees, void *data)
{
  struct walk_stmt_info *wi = (struct walk_stmt_info *) data;
  struct copy_images *image = (struct copy_images *) wi->info;
  if (TREE_CODE (*tp) == SSA_NAME)
    {
      if (tree *fresh = image->ssa.get (*tp))
	*tp = *fresh;
      *walk_subtrees = 0;
    }
  else if (TREE_CODE (*tp) == LABEL_DECL || VAR_P (*tp))
    {
      if (tree *own = image->decls.get (*tp))
	*tp = *own;
      *walk_subtrees = 0;
    }
  else if (TYPE_P (*tp))
    *walk_subtrees = 0;
  return NULL_TREE;
}

/* [0] Copies every block of the body, and every loop with the copies of its blocks (so
   the copy keeps the loops' annotations: ivdep, unroll, safelen).  The copy is the plain
   body; the original, which the collected sites refer to, becomes the instrumented one.
   Returns the copy of the first block.  GCC's copy_bbs would rename the definitions as
   if the function were in SSA form already, so the blocks are copied here: the body has
   no EH (dual_body_ok_p), and in CFG form only a switch names its targets by label, and
   only labels whose address is taken need a copy (with their tables: label-tables.cc
   [1]), for the copy's computed gotos to stay in the copy. */
static basic_block
duplicate_body (void)
{
  basic_block first = single_succ (ENTRY_BLOCK_PTR_FOR_FN (cfun));
  auto_vec<basic_block> bbs;
  basic_block bb;
  FOR_EACH_BB_FN (bb, cfun)
    bbs.safe_push (bb);

  initialize_original_copy_tables ();
  class loop *root = current_loops->tree_root;
  auto_vec<class loop *> top;
  for (class loop *l = root->inner; l; l = l->next)
    top.safe_push (l);
  for (unsigned i = 0; i < top.length (); i++)
    {
      class loop *copy = duplicate_loop (top[i], root);
      duplicate_subloops (top[i], copy);
    }

  hash_map<basic_block, basic_block> copy_of;
  struct copy_images image;
  basic_block after = EXIT_BLOCK_PTR_FOR_FN (cfun)->prev_bb;
  for (unsigned i = 0; i < bbs.length (); i++)
    {
      bb = bbs[i];
      basic_block nb = create_empty_bb (after);
      after = nb;
      nb->count = bb->count;
      class loop *l = bb->loop_father;
      class loop *cl = l == root ? root : get_loop_copy (l);
      add_bb_to_loop (nb, cl);
      if (l != root && l->header == bb)
	cl->header = nb;
      if (l != root && l->latch == bb)
	cl->latch = nb;
      gimple_stmt_iterator to = gsi_start_bb (nb);
      for (gimple_stmt_iterator gsi = gsi_start_bb (bb); !gsi_end_p (gsi); gsi_next (&gsi))
	{
	  gimple *stmt = gsi_stmt (gsi);
	  glabel *label = dyn_cast<glabel *> (stmt);
	  if (label && FORCED_LABEL (gimple_label_label (label)))
	    {
	      tree taken = gimple_label_label (label);
	      tree own = create_artificial_label (DECL_SOURCE_LOCATION (taken));
	      FORCED_LABEL (own) = 1;
	      image.decls.put (taken, own);
	      gsi_insert_after (&to, gimple_build_label (own), GSI_NEW_STMT);
	      continue;
	    }
	  if (label
	      || (gimple_debug_bind_p (stmt)
		  && TREE_CODE (gimple_debug_bind_get_var (stmt)) == LABEL_DECL))
	    continue;
	  gimple *copy = gimple_copy (stmt);
	  tree lhs = gimple_get_lhs (copy);
	  if (lhs && TREE_CODE (lhs) == SSA_NAME)
	    {
	      tree fresh = copy_ssa_name (lhs, copy);
	      gimple_set_lhs (copy, fresh);
	      image.ssa.put (lhs, fresh);
	    }
	  gsi_insert_after (&to, copy, GSI_NEW_STMT);
	}
      copy_of.put (bb, nb);
    }
  if (cfun->has_forced_label_in_static)
    {
      auto_vec<tree> tables;
      cprof_label_tables (current_function_decl, &tables);
      for (unsigned i = 0; i < tables.length (); i++)
	image.decls.put (tables[i], cprof_copy_label_table (tables[i], &image.decls));
    }
  /* The gimplifier's temporaries are SSA names already: each copy defines its own. */
  for (unsigned i = 0; i < bbs.length (); i++)
    for (gimple_stmt_iterator gsi = gsi_start_bb (*copy_of.get (bbs[i])); !gsi_end_p (gsi);
	 gsi_next (&gsi))
      {
	struct walk_stmt_info wi;
	memset (&wi, 0, sizeof wi);
	wi.info = &image;
	walk_gimple_op (gsi_stmt (gsi), rename_copied_ssa, &wi);
      }
  for (unsigned i = 0; i < bbs.length (); i++)
    {
      bb = bbs[i];
      basic_block nb = *copy_of.get (bb);
      edge e;
      edge_iterator ei;
      FOR_EACH_EDGE (e, ei, bb->succs)
	{
	  basic_block *d = copy_of.get (e->dest);
	  edge ne = make_edge (nb, d ? *d : e->dest, e->flags);
	  ne->probability = e->probability;
	}
      if (gswitch *sw = safe_dyn_cast<gswitch *> (last_stmt (nb)))
	for (unsigned k = 0; k < gimple_switch_num_labels (sw); k++)
	  {
	    tree label = gimple_switch_label (sw, k); /* unshared by gimple_copy */
	    basic_block target = *copy_of.get (label_to_block (cfun, CASE_LABEL (label)));
	    CASE_LABEL (label) = gimple_block_label (target);
	  }
    }
  basic_block plain_first = *copy_of.get (first);
  free_original_copy_tables ();
  return plain_first;
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

/* [7] Whether the function is a tiny leaf, not worth a timing hook pair (with -fplugin-arg-
   cprof-skip-leaves): no call but to builtins, no loop, fewer than skip_leaves statements.
   Its time counts in its callers' self time, as if it were inlined; its counts stay exact. */
static bool
tiny_leaf_p (void)
{
  if (!cprof_opts.skip_leaves || (current_loops && number_of_loops (cfun) > 1))
    return false;
  unsigned size = 0;
  basic_block bb;
  FOR_EACH_BB_FN (bb, cfun)
    for (gimple_stmt_iterator gsi = gsi_start_bb (bb); !gsi_end_p (gsi); gsi_next (&gsi))
      {
	gimple *stmt = gsi_stmt (gsi);
	if (is_gimple_debug (stmt) || gimple_code (stmt) == GIMPLE_LABEL)
	  continue;
	if (gcall *call = dyn_cast<gcall *> (stmt))
	  if (!gimple_call_internal_p (call) && !gimple_call_builtin_p (call))
	    return false;
	if (++size >= cprof_opts.skip_leaves)
	  return false;
      }
  return true;
}

static void
instrument_function (cgraph_node *node)
{
  tree decl = node->decl;
  fn_ctx fn;
  fn.idx = cprof_mod.num_functions++;
  fn.token = (cprof_mod.tag << 32) | fn.idx;
  fn.loc = DECL_SOURCE_LOCATION (decl);
  fn.on = create_tmp_var (TREE_TYPE (cprof_mod.active), "cprof_on");
  fn.hooked = NULL_TREE;
  fn.dual = false;
  fn.edges = vNULL;
  fn.stmts = vNULL;
  fn.switches = vNULL;
  fn.switch_first_counter = vNULL;
  hash_map<edge, unsigned> counter_of_edge;
  fn.counter_of_edge = &counter_of_edge;

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
  fn.timed = cprof_opts.timing && !tiny_leaf_p ();
  if (fn.timed)
    fn.hooked = create_tmp_var (boolean_type_node, "cprof_on");
  if (cprof_opts.timing && !fn.timed)
    flags[nf++] = 'u';
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

  /* [9] ...count fewer edges, from which the runtime computes the rest... */
  unsigned entry_site = entry_counter;
  vec<unsigned> *call_sites = entry_call_sites ? entry_call_sites->get (decl) : NULL;
  if (flow_tree_ok_p ()
      && place_tree_counters (&fn, entry_counter, &entry_site, call_sites) && call_sites)
    cprof_stats.by_call_sites++;

  /* [0] ...keep a plain copy of the body for when profiling is off... */
  basic_block plain_first = NULL;
  fn.dual = cprof_opts.dual_body && dual_body_ok_p ();
  if (fn.dual)
    {
      plain_first = duplicate_body ();
      cprof_stats.dual++;
    }

  /* ...then change the original: edges first (their identity survives block splits), the
     entry block last. */
  apply_edges (&fn);
  for (unsigned i = 0; i < fn.switches.length (); i++)
    apply_switch (&fn, fn.switches[i],
		  i < fn.switch_first_counter.length () ? fn.switch_first_counter[i] : NO_COUNTER);
  apply_stmts (&fn);
  apply_entry (&fn, entry_site, plain_first);

  fn.edges.release ();
  fn.stmts.release ();
  fn.switches.release ();
  fn.switch_first_counter.release ();

  free_dominance_info (CDI_DOMINATORS);
  free_dominance_info (CDI_POST_DOMINATORS);
  if (current_loops)
    loops_state_set (LOOPS_NEED_FIXUP);
  cgraph_edge::rebuild_edges ();
  cprof_stats.functions++;
}

/* [10] Whether every call of NODE is a direct call from a function of TODO, not NODE itself,
   and NODE cannot be reached otherwise (static, address never taken, no alias). */
static bool
called_by_instrumented_only_p (cgraph_node *node, hash_set<cgraph_node *> *todo)
{
  tree decl = node->decl;
  if (TREE_PUBLIC (decl) || DECL_EXTERNAL (decl) || DECL_PRESERVE_P (decl)
      || DECL_STATIC_CONSTRUCTOR (decl) || DECL_STATIC_DESTRUCTOR (decl) || node->address_taken
      || node->externally_visible || node->ifunc_resolver || node->has_aliases_p ()
      || !node->callers || !user_function_p (decl))
    return false;
  for (cgraph_edge *e = node->callers; e; e = e->next_caller)
    if (e->caller == node || !todo->contains (e->caller) || !e->call_stmt
	|| gimple_call_fndecl (e->call_stmt) != decl)
      return false;
  return true;
}

/* [10] Picks the functions counted by their call sites, outside any cycle of such functions
   (their counts come from their callers' graphs, which the runtime solves first), and hands out
   the counters of their call sites. */
static void
count_entries_by_call_sites (vec<cgraph_node *> *todo)
{
  if (!cprof_opts.call_sites || !cprof_opts.spanning_tree)
    return;
  hash_set<cgraph_node *> instrumented, chosen;
  for (unsigned i = 0; i < todo->length (); i++)
    instrumented.add ((*todo)[i]);
  for (unsigned i = 0; i < todo->length (); i++)
    if (called_by_instrumented_only_p ((*todo)[i], &instrumented))
      chosen.add ((*todo)[i]);
  /* Kahn's order over the calls among the chosen: what it cannot order is on a cycle, or
     called from one, and counts its entries itself. */
  hash_map<cgraph_node *, unsigned> waiting;
  auto_vec<cgraph_node *> ready;
  for (hash_set<cgraph_node *>::iterator it = chosen.begin (); it != chosen.end (); ++it)
    {
      unsigned n = 0;
      for (cgraph_edge *e = (*it)->callers; e; e = e->next_caller)
	n += chosen.contains (e->caller);
      waiting.put (*it, n);
      if (n == 0)
	ready.safe_push (*it);
    }
  hash_set<cgraph_node *> ordered;
  while (!ready.is_empty ())
    {
      cgraph_node *node = ready.pop ();
      ordered.add (node);
      for (cgraph_edge *e = node->callees; e; e = e->next_callee)
	if (unsigned *n = chosen.contains (e->callee) ? waiting.get (e->callee) : NULL)
	  if (--*n == 0)
	    ready.safe_push (e->callee);
    }
  for (unsigned i = 0; i < todo->length (); i++)
    {
      cgraph_node *node = (*todo)[i];
      if (!ordered.contains (node))
	continue;
      vec<unsigned> counters = vNULL;
      for (cgraph_edge *e = node->callers; e; e = e->next_caller)
	{
	  unsigned c = cprof_module_new_counter ();
	  call_site_counter->put (e->call_stmt, c);
	  counters.safe_push (c);
	}
      entry_call_sites->put (node->decl, counters);
    }
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

  hash_map<gimple *, unsigned> counters_of_calls;
  hash_map<tree, vec<unsigned> > sources;
  call_site_counter = &counters_of_calls;
  entry_call_sites = &sources;
  count_entries_by_call_sites (&todo);

  for (unsigned i = 0; i < todo.length (); i++)
    {
      push_cfun (DECL_STRUCT_FUNCTION (todo[i]->decl));
      instrument_function (todo[i]);
      pop_cfun ();
    }

  for (hash_map<tree, vec<unsigned> >::iterator it = sources.begin (); it != sources.end (); ++it)
    (*it).second.release ();
  call_site_counter = NULL;
  entry_call_sites = NULL;
  cprof_module_finish ();
  return 0;
}

const pass_data instrument_pass_data = {
  SIMPLE_IPA_PASS,
  "cprof",
  OPTGROUP_NONE,
  TV_PLUGIN_RUN,
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

bool
cprof_user_function_p (tree callee)
{
  return user_function_p (callee);
}
