/* label-tables.cc: the static tables of label addresses an interpreter dispatches through.
 *
 * A threaded interpreter (Lua's luaV_execute, CPython's ceval) keeps the addresses of its
 * opcode labels in a static table, and jumps through it with a computed goto:
 *
 *     static const void *const disptab[] = { &&L_OP_MOVE, &&L_OP_LOADK, ... };
 *     goto *disptab[GET_OPCODE (i)];
 *
 * GCC copies no function with such a table (tree-inline.cc, copy_forbidden): a copy's jumps
 * would land in the original.  cprof copies these bodies anyway, giving each copy a table
 * of its own:
 *
 *   [1] instrument.cc [0]: the plain copy of the body gets copies of the labels and of each
 *       table, its entries pointing at the copied labels.  Only read-only tables that no
 *       code but the function's own refers to are copied this way; otherwise the function
 *       keeps one body.
 *   [2] split.cc [5]: versioning the function into f.cprof copies the labels again; the
 *       original table, which only the instrumented body used, is pointed at the clone's
 *       labels (found by their DECL_ORIGIN) and serves f.cprof alone.
 *   [3] split.cc [5]: each function then drops the side it does not keep.  Labels there
 *       that no table names stop being "forced", so GCC deletes them with their blocks
 *       rather than moving them into live code, where every computed goto could reach
 *       them.
 */
#include "cprof-plugin.h"

namespace {

struct label_scan {
  tree fndecl;
  bool found;
};

/* walk_tree callback: whether the tree names a label of SCAN->fndecl. */
static tree
find_label_of (tree *tp, int *walk_subtrees, void *data)
{
  struct label_scan *scan = (struct label_scan *) data;
  if (TREE_CODE (*tp) == LABEL_DECL && DECL_CONTEXT (*tp) == scan->fndecl)
    {
      scan->found = true;
      return *tp;
    }
  if (TYPE_P (*tp) || DECL_P (*tp))
    *walk_subtrees = 0;
  return NULL_TREE;
}

/* walk_tree callback: labels found in the map become their images. */
static tree
map_labels (tree *tp, int *walk_subtrees, void *data)
{
  hash_map<tree, tree> *image = (hash_map<tree, tree> *) data;
  if (TREE_CODE (*tp) == LABEL_DECL)
    {
      if (tree *to = image->get (*tp))
	*tp = *to;
      *walk_subtrees = 0;
    }
  else if (TYPE_P (*tp) || DECL_P (*tp))
    *walk_subtrees = 0;
  return NULL_TREE;
}

/* walk_tree callback: adds the labels a table names to the hash_set DATA. */
static tree
collect_labels (tree *tp, int *walk_subtrees, void *data)
{
  if (TREE_CODE (*tp) == LABEL_DECL)
    ((hash_set<tree> *) data)->add (*tp);
  if (TYPE_P (*tp) || DECL_P (*tp))
    *walk_subtrees = 0;
  return NULL_TREE;
}

/* Whether EXPR holds the address of a label of FNDECL. */
static bool
names_label_of_p (tree expr, tree fndecl)
{
  if (!expr || expr == error_mark_node)
    return false;
  struct label_scan scan = { fndecl, false };
  walk_tree_without_duplicates (&expr, find_label_of, &scan);
  return scan.found;
}

} /* namespace */

void
cprof_table_labels (tree table, hash_set<tree> *labels)
{
  walk_tree_without_duplicates (&DECL_INITIAL (table), collect_labels, labels);
}

void
cprof_label_tables (tree fndecl, vec<tree> *tables)
{
  varpool_node *var;
  FOR_EACH_VARIABLE (var)
    if (names_label_of_p (DECL_INITIAL (var->decl), fndecl))
      tables->safe_push (var->decl);
}

/* [1] */
bool
cprof_label_tables_copyable_p (tree fndecl)
{
  auto_vec<tree> tables;
  cprof_label_tables (fndecl, &tables);
  for (unsigned i = 0; i < tables.length (); i++)
    {
      tree table = tables[i];
      /* A written table is state shared by every call: one copy per body would split it. */
      if (!TREE_READONLY (table) || DECL_CONTEXT (table) != fndecl)
	return false;
      varpool_node *node = varpool_node::get (table);
      ipa_ref *ref;
      for (unsigned k = 0; node->iterate_referring (k, ref); k++)
	if (ref->referring->decl != fndecl)
	  return false;
    }
  return true;
}

/* [1] */
tree
cprof_copy_label_table (tree table, hash_map<tree, tree> *label_image)
{
  tree copy = copy_node (table);
  const char *name = DECL_NAME (table) ? IDENTIFIER_POINTER (DECL_NAME (table)) : "labels";
  DECL_NAME (copy) = get_identifier (ACONCAT ((name, ".plain", NULL)));
  SET_DECL_ASSEMBLER_NAME (copy, NULL_TREE); /* made anew from the name and its own uid */
  DECL_ARTIFICIAL (copy) = 1;
  DECL_IGNORED_P (copy) = 1; /* in no lexical block: the debugger sees the original */
  DECL_INITIAL (copy) = unshare_expr (DECL_INITIAL (table));
  cprof_map_labels (&DECL_INITIAL (copy), label_image);
  varpool_node::add (copy);
  varpool_node *node = varpool_node::get (copy);
  if (!node->analyzed)
    node->analyze ();
  return copy;
}

void
cprof_map_labels (tree *expr, hash_map<tree, tree> *label_image)
{
  walk_tree (expr, map_labels, label_image, NULL);
}
