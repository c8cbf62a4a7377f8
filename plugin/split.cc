/* split.cc: the "cprof-split" pass: moves each instrumented body into a clone of its own.
 *
 * Runs once per TU as a simple IPA pass right after the functions are put into SSA form and
 * before the early inliner.  The instrument pass left every function it could copy with two
 * bodies behind one test (instrument.cc [0]):
 *
 *     f (args)                                 f (args)
 *     {                                        {
 *       on = __cprof_active;                     on = __cprof_active;
 *       if (on != 0)                             if (on != 0)
 *         <instrumented body>          =>          return f.cprof (args);   [1], [2]
 *       else                                     <plain body>
 *         <plain body>                         }
 *     }
 *                                              f.cprof (args)                [1]
 *                                              {
 *                                                <instrumented body>, whose direct calls
 *                                                of g go to g.cprof           [3]
 *                                              }
 *
 *   [1] f.cprof is a local clone of f whose dispatch always takes the instrumented side.
 *       Out of f, the instrumented body no longer shares f's frame: the registers it needs
 *       are no longer saved and restored by every call of the plain body, which with
 *       profiling off runs as the function compiled without cprof, plus one load and one
 *       predictable branch.
 *   [2] The call is never inlined back (it would undo [1]): the clone carries the attribute
 *       CPROF_CLONE_ATTR, and inline-cost.cc [3] marks every call of it from the plain world
 *       as one the inliner cannot inline.  With optimization it is a tail call, and a direct
 *       one, so f's callers know which registers f.cprof leaves alone (IPA-RA) as they know
 *       it of f's plain body.  Its cost is taken out of f's inlining estimates, and it is
 *       predicted as rarely taken as a call of a cold function, so the plain body keeps the
 *       block frequencies it has without cprof.  The plain body does not set __cprof_icall:
 *       the runtime sees f.cprof's entry as a direct call of f from f's caller.  The clone is
 *       not "local", so that GCC keeps the usual calling convention for it.
 *   [3] The instrumented world calls itself directly: no dispatch per call, and a static
 *       function called once is still called once in each world, so GCC inlines it in
 *       both, as it would without cprof.
 *
 *   [4] A function called only from the plain bodies of split functions (static, address
 *       not taken, every caller in this TU) keeps no dispatch: its plain body is reached
 *       from plain code only and its clone from clones only, so with profiling off it costs
 *       nothing, and each world sees it called from where the program calls it (a static
 *       function called once is inlined in both).  Plain code that started before
 *       cprof_enable keeps calling its plain body, as it runs the copies inlined into it.
 *
 *   [5] A threaded interpreter's static table of label addresses stops GCC from versioning
 *       its function (copy_forbidden).  Its plain body has tables of its own already
 *       (label-tables.cc [1]), so the function is versioned with the check lifted, the
 *       original tables are pointed at the clone's labels, and each function deletes the
 *       labels of the side it drops (label-tables.cc [2], [3]).
 *
 *   [6] Across TUs too: a public function's clone gets the hidden global alias "f.cprof",
 *       and a clone's direct call of a function g defined in another TU goes to "g.cprof",
 *       which this TU defines weakly as a forwarder for the case g's own TU has no such
 *       clone (built without cprof, g excluded or kept in one body):
 *
 *           f.cprof.0 (in a.c)              b.c                        a.c (weak, hidden)
 *             call g.cprof   ------->   g.cprof = g.cprof.0      or   g.cprof: jmp g
 *
 *       Without it such a call goes through g's dispatch, which may sit behind the plain
 *       body's prologue (the registers it saves), and an interpreter's calls between its
 *       files pay that on every call (Lua: a tenth of its instructions).  The forwarder
 *       costs one jump where it is used.  The dispatch only ever calls the local clone,
 *       so no symbol resolution can make a loop of it.  Not with -flto (the forwarders are
 *       assembly written at the end of the TU) or the large code models (a jump might not
 *       reach), nor for weak, COMDAT or system-header functions.  A clone's calls between
 *       files then keep the mode they were entered in, as its calls within its file do.
 *
 *   [7] A function another definition may interpose at run time (a default-visibility
 *       function of a shared library built without -fno-semantic-interposition) is called
 *       by its name from the clones too, so that the definition that wins is the one that
 *       runs, profiling on or off; its clone is not exported.
 *
 *   [8] A function reached by its name or address gets its dispatch in front of its prologue
 *       (entry-stub.cc), where GCC would often put it behind the plain body's register saves.
 *
 * Functions that cannot be cloned this way (variadic, returning an aggregate, nested) keep
 * both bodies in one function.
 */
#include "cprof-plugin.h"

namespace {

/* The dispatch test at the end of FUN's first block, or NULL.  *ON_EDGE: its "on" side. */
static gcond *
dispatch_of (function *fun, edge *on_edge)
{
  /* Versioning puts an empty block in front of the clone's body. */
  basic_block first = single_succ (ENTRY_BLOCK_PTR_FOR_FN (fun));
  while (gsi_end_p (gsi_start_nondebug_after_labels_bb (first)) && single_succ_p (first)
	 && single_succ (first) != EXIT_BLOCK_PTR_FOR_FN (fun) && single_pred_p (single_succ (first)))
    first = single_succ (first);
  gcond *cond = safe_dyn_cast<gcond *> (last_stmt (first));
  if (!cond || gimple_cond_code (cond) != NE_EXPR || !integer_zerop (gimple_cond_rhs (cond)))
    return NULL;
  tree on = gimple_cond_lhs (cond);
  if (TREE_CODE (on) != SSA_NAME || SSA_NAME_IS_DEFAULT_DEF (on))
    return NULL;
  gimple *def = SSA_NAME_DEF_STMT (on);
  if (!def || gimple_bb (def) != first || !gimple_assign_single_p (def))
    return NULL;
  tree flag = gimple_assign_rhs1 (def);
  if (TREE_CODE (flag) != VAR_DECL || !DECL_NAME (flag)
      || strcmp (IDENTIFIER_POINTER (DECL_NAME (flag)), "__cprof_active") != 0)
    return NULL;
  edge t, f;
  extract_true_false_edges_from_block (first, &t, &f);
  /* A single-body function's entry guard leads to the entry hook and back: not a dispatch. */
  if (!single_pred_p (t->dest)
      || (single_succ_p (t->dest) && single_succ (t->dest) == f->dest))
    return NULL;
  *on_edge = t;
  return cond;
}

/* The other way out of the dispatch test that E leaves. */
static edge
other_edge (edge e)
{
  return EDGE_SUCC (e->src, EDGE_SUCC (e->src, 0) == e ? 1 : 0);
}

/* [5] Lifts (or puts back) GCC's ban on copying a function with a table of its labels. */
static void
allow_copy (function *fun, bool allow)
{
  fun->has_forced_label_in_static = !allow;
  fun->cannot_be_copied_set = 0;
  fun->cannot_be_copied_reason = NULL;
}

/* Whether NODE can be versioned into its clone; a function with label tables can ([5]): each of
   its two bodies has its own (instrument.cc [0]). */
static bool
clonable_p (cgraph_node *node)
{
  tree decl = node->decl;
  tree type = TREE_TYPE (decl);
  tree ret = TREE_TYPE (type);
  function *fun = DECL_STRUCT_FUNCTION (decl);
  bool tables = fun->has_forced_label_in_static;
  if (tables)
    allow_copy (fun, true);
  bool versionable = tree_versionable_function_p (decl);
  if (tables)
    allow_copy (fun, false);
  return versionable && !stdarg_p (type)
	 && !DECL_STATIC_CHAIN (decl) && !DECL_BY_REFERENCE (DECL_RESULT (decl))
	 && (VOID_TYPE_P (ret) || is_gimple_reg_type (ret));
}

/* [5] Marks in SIDE the blocks of cfun reachable from FROM. */
static void
mark_reachable (basic_block from, sbitmap side)
{
  auto_vec<basic_block> stack;
  stack.safe_push (from);
  bitmap_set_bit (side, from->index);
  while (!stack.is_empty ())
    {
      basic_block bb = stack.pop ();
      edge e;
      edge_iterator ei;
      FOR_EACH_EDGE (e, ei, bb->succs)
	if (!bitmap_bit_p (side, e->dest->index))
	  {
	    bitmap_set_bit (side, e->dest->index);
	    stack.safe_push (e->dest);
	  }
    }
}

/* [5] Before cfun drops the side of its dispatch that DROPPED leads to: the labels there
   that no table names are no longer forced, so that they go with their blocks. */
static void
release_dropped_labels (edge dropped)
{
  if (!cfun->has_forced_label_in_static)
    return;
  auto_sbitmap side (last_basic_block_for_fn (cfun));
  bitmap_clear (side);
  mark_reachable (dropped->dest, side);
  auto_vec<tree> tables;
  cprof_label_tables (current_function_decl, &tables);
  hash_set<tree> named;
  for (unsigned i = 0; i < tables.length (); i++)
    cprof_table_labels (tables[i], &named);
  basic_block bb;
  FOR_EACH_BB_FN (bb, cfun)
    if (bitmap_bit_p (side, bb->index))
      for (gimple_stmt_iterator gsi = gsi_start_bb (bb); !gsi_end_p (gsi); gsi_next (&gsi))
	{
	  glabel *label = dyn_cast<glabel *> (gsi_stmt (gsi));
	  if (!label)
	    break;
	  tree decl = gimple_label_label (label);
	  if (FORCED_LABEL (decl) && !named.contains (decl))
	    FORCED_LABEL (decl) = 0;
	}
}

/* [5] The tables NODE's instrumented body uses now serve CLONE: they name its labels. */
static void
give_tables_to_clone (cgraph_node *node, cgraph_node *clone)
{
  function *fun = DECL_STRUCT_FUNCTION (node->decl);
  edge on;
  dispatch_of (fun, &on);
  push_cfun (fun);
  auto_sbitmap instrumented (last_basic_block_for_fn (fun));
  bitmap_clear (instrumented);
  mark_reachable (on->dest, instrumented);
  pop_cfun ();

  /* Each of the clone's labels is a copy of the one of NODE it has as its origin. */
  hash_map<tree, tree> image;
  basic_block bb;
  FOR_EACH_BB_FN (bb, DECL_STRUCT_FUNCTION (clone->decl))
    for (gimple_stmt_iterator gsi = gsi_start_bb (bb); !gsi_end_p (gsi); gsi_next (&gsi))
      {
	glabel *label = dyn_cast<glabel *> (gsi_stmt (gsi));
	if (!label)
	  break;
	tree decl = gimple_label_label (label);
	if (FORCED_LABEL (decl))
	  image.put (DECL_ORIGIN (decl), decl);
      }

  auto_vec<tree> tables;
  cprof_label_tables (node->decl, &tables);
  for (unsigned i = 0; i < tables.length (); i++)
    {
      hash_set<tree> named;
      cprof_table_labels (tables[i], &named);
      bool on_instrumented_side = true;
      for (hash_set<tree>::iterator it = named.begin (); it != named.end (); ++it)
	{
	  if (DECL_CONTEXT (*it) != node->decl)
	    continue;
	  basic_block where = label_to_block (fun, *it);
	  if (!where || !bitmap_bit_p (instrumented, where->index))
	    on_instrumented_side = false;
	}
      if (on_instrumented_side)
	cprof_map_labels (&DECL_INITIAL (tables[i]), &image);
    }
}

/* [1] NODE's clone f.cprof, or NULL; [5] with the tables of NODE's instrumented body. */
static cgraph_node *
make_clone (cgraph_node *node)
{
  function *fun = DECL_STRUCT_FUNCTION (node->decl);
  bool tables = fun->has_forced_label_in_static;
  if (tables)
    allow_copy (fun, true);
  cgraph_node *clone
    = node->create_version_clone_with_body (vNULL, NULL, NULL, NULL, NULL, "cprof");
  if (tables)
    {
      allow_copy (fun, false);
      if (clone)
	{
	  allow_copy (DECL_STRUCT_FUNCTION (clone->decl), false);
	  give_tables_to_clone (node, clone);
	}
    }
  return clone;
}

/* NODE keeps one side of its dispatch: the instrumented one if INSTRUMENTED ([1], a clone),
   else the plain one ([4]). */
static void
keep_one_side (cgraph_node *node, bool instrumented)
{
  push_cfun (DECL_STRUCT_FUNCTION (node->decl));
  edge on;
  if (gcond *cond = dispatch_of (cfun, &on))
    {
      release_dropped_labels (instrumented ? other_edge (on) : on);
      if (instrumented)
	gimple_cond_make_true (cond);
      else
	gimple_cond_make_false (cond);
      update_stmt (cond);
      cleanup_tree_cfg ();
      if (!instrumented)
	cgraph_edge::rebuild_edges (); /* the call of the clone is gone */
    }
  pop_cfun ();
}

/* [1], [2] Replaces the instrumented side of NODE's dispatch by a call of CLONE. */
static void
call_clone (cgraph_node *node, cgraph_node *clone)
{
  push_cfun (DECL_STRUCT_FUNCTION (node->decl));
  edge on;
  if (!dispatch_of (cfun, &on))
    {
      pop_cfun ();
      return;
    }
  release_dropped_labels (on);
  /* Profile estimation, which runs next, predicts edges without a probability only. */
  edge off = other_edge (on);
  on->probability = profile_probability::uninitialized ();
  off->probability = profile_probability::uninitialized ();
  basic_block call_bb = split_edge (on);
  remove_edge (single_succ_edge (call_bb));
  make_edge (call_bb, EXIT_BLOCK_PTR_FOR_FN (cfun), 0);

  auto_vec<tree> args;
  for (tree parm = DECL_ARGUMENTS (node->decl); parm; parm = DECL_CHAIN (parm))
    args.safe_push (is_gimple_reg (parm) ? get_or_create_ssa_default_def (cfun, parm) : parm);
  /* [2] A direct call, which the inliner is told it cannot inline (inline-cost.cc [3]). */
  location_t loc = DECL_SOURCE_LOCATION (node->decl);
  gcall *call = gimple_build_call_vec (clone->decl, args);
  gimple_set_location (call, loc);
  tree ret_type = TREE_TYPE (TREE_TYPE (node->decl));
  tree value = NULL_TREE;
  if (!VOID_TYPE_P (ret_type))
    {
      value = make_ssa_name (ret_type);
      gimple_call_set_lhs (call, value);
    }
  gimple_stmt_iterator gsi = gsi_start_bb (call_bb);
  /* The jump to the clone is the cold side of f, as likely as a call of a cold function:
     the plain body keeps the frequencies it has without cprof, so GCC's partial inlining
     sees the split points it would see without cprof, and no cheap "header" of its own. */
  gsi_insert_after (&gsi, gimple_build_predict (PRED_COLD_FUNCTION, NOT_TAKEN), GSI_NEW_STMT);
  gsi_insert_after (&gsi, call, GSI_CONTINUE_LINKING);
  gsi_insert_after (&gsi, gimple_build_return (value), GSI_CONTINUE_LINKING);

  delete_unreachable_blocks ();
  free_dominance_info (CDI_DOMINATORS);
  update_ssa (TODO_update_ssa); /* the call's virtual operands */
  if (current_loops)
    loops_state_set (LOOPS_NEED_FIXUP);
  cleanup_tree_cfg ();
  cgraph_edge::rebuild_edges ();
  pop_cfun ();
}

/* [4] Whether every call of NODE is known and made by the plain body of a split function. */
static bool
called_from_plain_bodies_only_p (cgraph_node *node, hash_set<cgraph_node *> *split_set)
{
  /* As cgraph_node::local_p, but a static function kept at -O0 (force_output) qualifies. */
  tree decl = node->decl;
  if (TREE_PUBLIC (decl) || DECL_EXTERNAL (decl) || DECL_PRESERVE_P (decl)
      || DECL_STATIC_CONSTRUCTOR (decl) || DECL_STATIC_DESTRUCTOR (decl) || node->address_taken
      || node->externally_visible || node->ifunc_resolver || node->used_from_other_partition
      || node->has_aliases_p () || !node->callers)
    return false;
  for (cgraph_edge *e = node->callers; e; e = e->next_caller)
    if (!split_set->contains (e->caller))
      return false;
  return true;
}

/* ---- [6] calls between the clones of different TUs ---- */

/* Whether this TU can take part: the forwarders are x86-64 assembly, which LTO's symbol
   tables do not see. */
static bool
cross_tu_p (void)
{
  return !flag_generate_lto && !flag_generate_offload && TARGET_SUPPORTS_ALIASES
	 && CPROF_FORWARDER_TARGET_P ();
}

/* DECL's assembler name with ".cprof" appended (xmalloc'd), or NULL when the name holds a
   character the forwarder's asm would have to quote. */
static char *
clone_symbol (tree decl)
{
  const char *name
    = targetm.strip_name_encoding (IDENTIFIER_POINTER (DECL_ASSEMBLER_NAME (decl)));
  for (const char *c = name; *c; c++)
    if (!ISALNUM (*c) && *c != '_' && *c != '.' && *c != '$')
      return NULL;
  return concat (name, ".cprof", NULL);
}

/* The flags that tell what a call of FROM does, onto TO. */
static void
copy_call_flags (tree to, tree from)
{
  TREE_READONLY (to) = TREE_READONLY (from);
  DECL_PURE_P (to) = DECL_PURE_P (from);
  DECL_LOOPING_CONST_OR_PURE_P (to) = DECL_LOOPING_CONST_OR_PURE_P (from);
  TREE_THIS_VOLATILE (to) = TREE_THIS_VOLATILE (from);
  TREE_NOTHROW (to) = TREE_NOTHROW (from);
  DECL_IS_RETURNS_TWICE (to) = DECL_IS_RETURNS_TWICE (from);
  DECL_IS_MALLOC (to) = DECL_IS_MALLOC (from);
}

/* A hidden function decl named NAME with FROM's type and call flags. */
static tree
hidden_function_decl (tree from, const char *name)
{
  tree decl = build_decl (DECL_SOURCE_LOCATION (from), FUNCTION_DECL, DECL_NAME (from),
			  TREE_TYPE (from));
  SET_DECL_ASSEMBLER_NAME (decl, get_identifier (name));
  TREE_PUBLIC (decl) = 1;
  DECL_ARTIFICIAL (decl) = 1;
  DECL_IGNORED_P (decl) = 1;
  TREE_USED (decl) = 1;
  DECL_VISIBILITY (decl) = VISIBILITY_HIDDEN;
  DECL_VISIBILITY_SPECIFIED (decl) = 1;
  DECL_CONTEXT (decl) = DECL_CONTEXT (from);
  copy_call_flags (decl, from);
  return decl;
}

/* [6] Gives the clone of NODE, a public function, the alias other TUs call; [7] not when
   another definition may interpose NODE. */
static void
export_clone (cgraph_node *node, cgraph_node *clone)
{
  tree decl = node->decl;
  if (!cross_tu_p () || !TREE_PUBLIC (decl) || DECL_EXTERNAL (decl) || DECL_WEAK (decl)
      || DECL_COMDAT (decl) || DECL_ONE_ONLY (decl) || node->ifunc_resolver
      || DECL_IN_SYSTEM_HEADER (decl) || !node->binds_to_current_def_p ())
    return;
  char *name = clone_symbol (decl);
  if (!name)
    return;
  tree alias = hidden_function_decl (clone->decl, name);
  free (name);
  TREE_STATIC (alias) = 1;
  cgraph_node *a = cgraph_node::create_alias (alias, clone->decl);
  a->resolve_alias (clone);
  a->externally_visible = true; /* called from other TUs: never removed */
  cprof_stats.exported++;
}

/* [6] The "callee.cprof" decls calls were redirected to (TREE_VALUE), with their callees
   (TREE_PURPOSE): a GC root, as optimization may delete every call of one. */
static tree forwarders;

static const struct ggc_root_tab forwarder_roots[]
  = { { &forwarders, 1, sizeof (forwarders), &gt_ggc_mx_tree_node, &gt_pch_nx_tree_node },
      LAST_GGC_ROOT_TAB };

/* [6] The decl a clone calls CALLEE by, a function of another TU: "callee.cprof" (its
   weak forwarder is written at the end of the TU if a call of it is left); NULL_TREE to
   keep calling CALLEE. */
static tree
other_tu_clone (tree callee, hash_map<tree, tree> *made)
{
  if (tree *known = made->get (callee))
    return *known;
  cgraph_node *node = cgraph_node::get (callee);
  tree to = NULL_TREE;
  char *name = NULL;
  if (cross_tu_p () && TREE_PUBLIC (callee) && DECL_EXTERNAL (callee) && !DECL_WEAK (callee)
      && (!node || (!node->definition && !node->alias)) && !DECL_IN_SYSTEM_HEADER (callee)
      && !lookup_attribute ("weakref", DECL_ATTRIBUTES (callee))
      && cprof_user_function_p (callee) && (name = clone_symbol (callee)))
    {
      to = hidden_function_decl (callee, name);
      DECL_EXTERNAL (to) = 1;
      forwarders = tree_cons (callee, to, forwarders);
    }
  free (name);
  made->put (callee, to);
  return to;
}

/* [6] Writes, at the end of the TU's assembly, the weak forwarder of each "g.cprof" the
   code calls: "jmp g".  Only the names the output refers to (a call deleted by
   optimization must not leave a reference to g, which may exist nowhere); a strong
   definition (g's clone) wins over it at link time. */
static void
emit_forwarders (void)
{
  const char *p = user_label_prefix;
  for (tree t = forwarders; t; t = TREE_CHAIN (t))
    {
      tree name_id = DECL_ASSEMBLER_NAME (TREE_VALUE (t));
      if (!asm_out_file || !TREE_SYMBOL_REFERENCED (name_id))
	continue;
      const char *name = IDENTIFIER_POINTER (name_id);
      const char *target
	= targetm.strip_name_encoding (IDENTIFIER_POINTER (DECL_ASSEMBLER_NAME (TREE_PURPOSE (t))));
      /* In a COMDAT group of its own name, as a C++ inline function: the link keeps one. */
      fprintf (asm_out_file,
	       "\t.pushsection .text.%s%s,\"axG\",@progbits,%s%s,comdat\n"
	       "\t.weak %s%s\n\t.hidden %s%s\n\t.type %s%s, @function\n"
	       "%s%s:\n\t.cfi_startproc\n%s\tjmp %s%s%s\n\t.cfi_endproc\n"
	       "\t.size %s%s, .-%s%s\n\t.popsection\n",
	       p, name, p, name, p, name, p, name, p, name, p, name,
	       (flag_cf_protection & CF_BRANCH) ? "\tendbr64\n" : "",
	       p, target, flag_pic ? "@PLT" : "", p, name, p, name);
      cprof_stats.forwarded++;
    }
  forwarders = NULL_TREE;
}

/* [3] Direct calls of instrumented functions go to their clones, [7] unless another
   definition may interpose them; [6] so do those of other TUs' functions. */
static void
redirect_calls (cgraph_node *clone, hash_map<tree, tree> *clone_of,
		hash_map<tree, tree> *other_tu)
{
  push_cfun (DECL_STRUCT_FUNCTION (clone->decl));
  basic_block bb;
  FOR_EACH_BB_FN (bb, cfun)
    for (gimple_stmt_iterator gsi = gsi_start_bb (bb); !gsi_end_p (gsi); gsi_next (&gsi))
      if (gcall *call = dyn_cast<gcall *> (gsi_stmt (gsi)))
	{
	  tree callee = gimple_call_fndecl (call);
	  tree *known = callee ? clone_of->get (callee) : NULL;
	  tree to = known ? *known : callee ? other_tu_clone (callee, other_tu) : NULL_TREE;
	  if (to)
	    {
	      gimple_call_set_fndecl (call, to);
	      update_stmt (call);
	    }
	}
  if (need_ssa_update_p (cfun))
    update_ssa (TODO_update_ssa);
  cgraph_edge::rebuild_edges ();
  pop_cfun ();
}

static unsigned int
execute_split (void)
{
  auto_vec<cgraph_node *> nodes;
  cgraph_node *node;
  FOR_EACH_DEFINED_FUNCTION (node)
    {
      if (node->alias || node->thunk || !gimple_has_body_p (node->decl)
	  || !lookup_attribute (CPROF_TOKEN_ATTR, DECL_ATTRIBUTES (node->decl)))
	continue;
      function *fun = DECL_STRUCT_FUNCTION (node->decl);
      edge on;
      if (fun && fun->cfg && dispatch_of (fun, &on) && clonable_p (node))
	nodes.safe_push (node);
    }

  hash_map<tree, tree> clone_of;
  auto_vec<cgraph_node *> clones;
  for (unsigned i = 0; i < nodes.length (); i++)
    {
      cgraph_node *clone = make_clone (nodes[i]);
      if (!clone)
	{
	  nodes.unordered_remove (i--);
	  continue;
	}
      /* Not "local" (which would also make it look never called, and be optimized for
	 size). */
      clone->local = false;
      DECL_ATTRIBUTES (clone->decl) = tree_cons (get_identifier (CPROF_CLONE_ATTR), NULL_TREE,
						 DECL_ATTRIBUTES (clone->decl));
      if (nodes[i]->binds_to_current_def_p ()) /* [7] else called by its name */
	clone_of.put (nodes[i]->decl, clone->decl);
      clones.safe_push (clone);
    }
  hash_map<tree, tree> other_tu;
  for (unsigned i = 0; i < clones.length (); i++)
    {
      keep_one_side (clones[i], true);
      redirect_calls (clones[i], &clone_of, &other_tu);
    }

  /* Once the clones call each other, the callers left to a function are in the plain world:
     a function that only plain bodies of split functions call needs no dispatch [4]. */
  hash_set<cgraph_node *> split_set;
  for (unsigned i = 0; i < nodes.length (); i++)
    split_set.add (nodes[i]);
  for (unsigned i = 0; i < nodes.length (); i++)
    if (called_from_plain_bodies_only_p (nodes[i], &split_set))
      {
	keep_one_side (nodes[i], false); /* its clone is reached from the other clones */
	clones[i]->local = true;
	cprof_stats.undispatched++;
      }
    else
      {
	call_clone (nodes[i], clones[i]);
	export_clone (nodes[i], clones[i]);
	cprof_stub_mark (nodes[i], clones[i]); /* [8] */
      }
  cprof_stats.split = clones.length ();
  return 0;
}

const pass_data split_pass_data = {
  SIMPLE_IPA_PASS,
  "cprof-split",
  OPTGROUP_NONE,
  TV_PLUGIN_RUN,
  PROP_cfg | PROP_ssa,
  0,
  0,
  0,
  0,
};

class split_pass : public simple_ipa_opt_pass {
public:
  split_pass (gcc::context *ctxt) : simple_ipa_opt_pass (split_pass_data, ctxt) {}
  bool gate (function *) final override { return !in_lto_p && !seen_error (); }
  unsigned int execute (function *) final override { return execute_split (); }
};

} /* namespace */

opt_pass *
cprof_make_split_pass (gcc::context *ctxt)
{
  return new split_pass (ctxt);
}

const struct ggc_root_tab *
cprof_split_gc_roots (void)
{
  return forwarder_roots;
}

void
cprof_split_finish_unit (void)
{
  emit_forwarders ();
}
