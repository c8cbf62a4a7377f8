/* module.cc: the per-TU data instrumented code refers to, and the constructor that registers it.
 *
 * For every TU with at least one instrumented function this emits (doc/ABI.md):
 *
 *   static __thread uint64_t __cprof_counters[N];
 *   static uint8_t __cprof_untimed[F];        // set by the runtime: stop timing function i
 *                                             // (none with no-timing: NULL in the record)
 *   static uint64_t *__cprof_tls (void) { return __cprof_counters; }
 *   static struct __cprof_module __cprof_module
 *     = { 2, N, F, 0, "<metadata>", __cprof_tls, 0, __cprof_untimed };
 *       // the metadata: text (doc/ABI.md), encoded as format 3 by metadata.cc
 *   static void ctor (void) { __cprof_register (&__cprof_module); }  // priority 100
 *   extern void __cprof_unregister (struct __cprof_module *) __attribute__ ((weak));
 *   static void dtor (void) { if (__cprof_unregister) __cprof_unregister (&__cprof_module); }
 *
 * The counter and untimed arrays are created before their sizes are known (the
 * instrumentation pass hands out indexes as it goes); cprof_module_finish gives them their
 * final types and finalizes them.  __cprof_untimed is shared by all threads and written only
 * by the runtime (once per function, 0 -> 1): its address escapes through the module record,
 * so GCC never folds its loads.
 */
#include "cprof-plugin.h"

struct cprof_module_state cprof_mod;

void
cprof_text_printf (struct cprof_text *t, const char *fmt, ...)
{
  va_list ap;
  for (;;)
    {
      size_t room = t->cap - t->len;
      va_start (ap, fmt);
      int n = vsnprintf (t->data ? t->data + t->len : NULL, room, fmt, ap);
      va_end (ap);
      if (n < 0)
	return;
      if ((size_t) n < room)
	{
	  t->len += n;
	  return;
	}
      t->cap = (t->cap + n + 1) * 2;
      t->data = XRESIZEVEC (char, t->data, t->cap);
    }
}

/* Append "\t" and S with tabs and newlines turned into spaces (the metadata is TAB/line based). */
void
cprof_text_field (struct cprof_text *t, const char *s)
{
  cprof_text_printf (t, "\t");
  size_t start = t->len;
  cprof_text_printf (t, "%s", s ? s : "");
  for (size_t i = start; i < t->len; i++)
    if (t->data[i] == '\t' || t->data[i] == '\n' || t->data[i] == '\r')
      t->data[i] = ' ';
}

static tree
build_extern_fn (const char *name, tree type)
{
  tree fn = build_decl (UNKNOWN_LOCATION, FUNCTION_DECL, get_identifier (name), type);
  TREE_PUBLIC (fn) = 1;
  DECL_EXTERNAL (fn) = 1;
  DECL_ARTIFICIAL (fn) = 1;
  /* The hooks never throw: no landing pads around them. */
  TREE_NOTHROW (fn) = 1;
  DECL_VISIBILITY (fn) = VISIBILITY_DEFAULT;
  return fn;
}

static tree
build_static_var (const char *name, tree type)
{
  tree var = build_decl (UNKNOWN_LOCATION, VAR_DECL, get_identifier (name), type);
  TREE_STATIC (var) = 1;
  TREE_PUBLIC (var) = 0;
  DECL_ARTIFICIAL (var) = 1;
  DECL_IGNORED_P (var) = 1;
  TREE_ADDRESSABLE (var) = 1;
  TREE_USED (var) = 1;
  DECL_CONTEXT (var) = NULL_TREE;
  return var;
}

static unsigned long long
tu_tag (void)
{
  const char *s = main_input_filename ? main_input_filename : "";
  unsigned long long h = 1469598103934665603ull;
  for (; *s; s++)
    h = (h ^ (unsigned char) *s) * 1099511628211ull;
  h ^= (unsigned long long) get_random_seed (false) * 0x9e3779b97f4a7c15ull;
  unsigned long long tag = (h >> 32) ^ (h & 0xffffffffull);
  return tag ? tag : 1;
}

void
cprof_module_begin (void)
{
  memset (&cprof_mod.meta, 0, sizeof cprof_mod.meta);
  cprof_mod.num_counters = 0;
  cprof_mod.num_functions = 0;
  cprof_mod.tag = tu_tag ();

  /* Size fixed in cprof_module_finish. */
  cprof_mod.counters
    = build_static_var ("__cprof_counters", build_array_type_nelts (uint64_type_node, 1));
  set_decl_tls_model (cprof_mod.counters, decl_default_tls_model (cprof_mod.counters));
  cprof_mod.untimed
    = build_static_var ("__cprof_untimed", build_array_type_nelts (unsigned_char_type_node, 1));

  /* The runtime defines an int that holds 0 or 1; on a little-endian target the plugin reads
     its low byte, so that the dispatch is one "cmpb $0, mem" instead of a load and a test. */
  tree active_type = BYTES_BIG_ENDIAN ? integer_type_node : unsigned_char_type_node;
  tree active = build_decl (UNKNOWN_LOCATION, VAR_DECL, get_identifier ("__cprof_active"),
			    active_type);
  TREE_PUBLIC (active) = 1;
  DECL_EXTERNAL (active) = 1;
  DECL_ARTIFICIAL (active) = 1;
  TREE_STATIC (active) = 0;
  cprof_mod.active = active;

  tree icall = build_decl (UNKNOWN_LOCATION, VAR_DECL, get_identifier ("__cprof_icall"),
			   integer_type_node);
  TREE_PUBLIC (icall) = 1;
  DECL_EXTERNAL (icall) = 1;
  DECL_ARTIFICIAL (icall) = 1;
  set_decl_tls_model (icall, decl_default_tls_model (icall));
  cprof_mod.icall = icall;

  /* The module record's type is only needed for its address in the hooks: build the
     variable now with a placeholder type, give it the real one at the end. */
  cprof_mod.module = build_static_var ("__cprof_module", ptr_type_node);

  tree hook_type = build_function_type_list (void_type_node, ptr_type_node,
					     uint64_type_node, NULL_TREE);
  cprof_mod.enter_fn = build_extern_fn ("__cprof_enter", hook_type);
  cprof_mod.exit_fn = build_extern_fn ("__cprof_exit", hook_type);
  /* Cold: most calls of a function skip its hooks once CPROF_MIN_TIME stopped timing it, so
     the paths to them are predicted rarely taken, laid out apart, and shrink-wrapping can keep
     the prologue and the saved registers off the path that skips them. */
  for (tree hook : { cprof_mod.enter_fn, cprof_mod.exit_fn })
    {
      DECL_ATTRIBUTES (hook)
	= tree_cons (get_identifier ("cold"), NULL_TREE, DECL_ATTRIBUTES (hook));
      /* No virtual operands: the hooks touch none of the program's memory, so until the
	 prune pass pins them (prune.cc [4]) the optimizers and the IPA analyses see through
	 them as they see through the counters: a load from a parameter after the entry hook
	 is still known to read what the caller passed (ipa-prop's conditions on aggregate
	 contents, which decide inlining), and values stay in registers across them.  Not
	 const or pure: a call with side effects is never deleted or merged. */
      DECL_IS_NOVOPS (hook) = 1;
    }

  /* no-timing says so on the first line: the runtime then leaves the heap alone (CPROF_HEAP). */
  cprof_text_printf (&cprof_mod.meta, "cprof-metadata\t2%s\nmodule",
		     cprof_opts.timing ? "" : "\tno-timing");
  cprof_text_field (&cprof_mod.meta, main_input_filename ? main_input_filename : "<stdin>");
  cprof_text_field (&cprof_mod.meta, get_src_pwd ());
  cprof_text_printf (&cprof_mod.meta, "\n");
}

unsigned
cprof_module_new_counter (void)
{
  return cprof_mod.num_counters++;
}

tree
cprof_module_counter_ref (unsigned index)
{
  return build4 (ARRAY_REF, uint64_type_node, cprof_mod.counters,
		 build_int_cst (integer_type_node, index), NULL_TREE, NULL_TREE);
}

tree
cprof_module_untimed_ref (unsigned fn)
{
  return build4 (ARRAY_REF, unsigned_char_type_node, cprof_mod.untimed,
		 build_int_cst (integer_type_node, fn), NULL_TREE, NULL_TREE);
}

static tree
add_field (tree *chain, const char *name, tree type)
{
  tree f = build_decl (UNKNOWN_LOCATION, FIELD_DECL, get_identifier (name), type);
  DECL_CHAIN (f) = *chain;
  *chain = f;
  return f;
}

/* A variable created during IPA, before the point where the symbol table analyzes new
   variables by itself (IPA_SSA): finalize and analyze it so that it is output. */
static void
define_variable (tree decl)
{
  varpool_node::add (decl);
  varpool_node *node = varpool_node::get (decl);
  if (!node->analyzed)
    node->analyze ();
}

/* static uint64_t *__cprof_tls (void) { return __cprof_counters; } */
static tree
build_tls_accessor (void)
{
  tree ret_type = build_pointer_type (uint64_type_node);
  tree fn = build_decl (UNKNOWN_LOCATION, FUNCTION_DECL, get_identifier ("__cprof_tls"),
			build_function_type_list (ret_type, NULL_TREE));
  tree result = build_decl (UNKNOWN_LOCATION, RESULT_DECL, NULL_TREE, ret_type);
  DECL_ARTIFICIAL (result) = 1;
  DECL_IGNORED_P (result) = 1;
  DECL_CONTEXT (result) = fn;
  DECL_RESULT (fn) = result;

  tree saved_fn = current_function_decl;
  current_function_decl = fn;
  allocate_struct_function (fn, false);
  TREE_STATIC (fn) = 1;
  TREE_USED (fn) = 1;
  TREE_PUBLIC (fn) = 0;
  DECL_ARTIFICIAL (fn) = 1;
  DECL_IGNORED_P (fn) = 1;
  DECL_NO_INSTRUMENT_FUNCTION_ENTRY_EXIT (fn) = 1;
  DECL_UNINLINABLE (fn) = 1;
  DECL_INITIAL (fn) = make_node (BLOCK);
  BLOCK_SUPERCONTEXT (DECL_INITIAL (fn)) = fn;
  TREE_USED (DECL_INITIAL (fn)) = 1;

  tree addr = build_fold_addr_expr (cprof_module_counter_ref (0));
  addr = fold_convert (ret_type, addr);
  DECL_SAVED_TREE (fn) = build1 (RETURN_EXPR, void_type_node,
				 build2 (MODIFY_EXPR, ret_type, result, addr));
  gimplify_function_tree (fn);
  cgraph_node::add_new_function (fn, false);
  set_cfun (NULL);
  current_function_decl = saved_fn;
  return fn;
}

void
cprof_module_finish (void)
{
  if (cprof_mod.num_functions == 0)
    return;

  /* The counters, at their final size. */
  tree counters = cprof_mod.counters;
  TREE_TYPE (counters) = build_array_type_nelts (uint64_type_node, cprof_mod.num_counters);
  relayout_decl (counters);
  define_variable (counters);
  /* With no-timing nothing reads it: the module has none (NULL in the record). */
  tree untimed = cprof_mod.untimed;
  if (cprof_opts.timing)
    {
      TREE_TYPE (untimed)
	= build_array_type_nelts (unsigned_char_type_node, cprof_mod.num_functions);
      relayout_decl (untimed);
      define_variable (untimed);
    }

  /* struct __cprof_module, field for field as runtime/cprof-abi.h. */
  tree type = make_node (RECORD_TYPE);
  tree fields = NULL_TREE;
  tree tls_fn_type = build_pointer_type (build_function_type_list (
    build_pointer_type (uint64_type_node), NULL_TREE));
  tree f_abi = add_field (&fields, "abi_version", uint32_type_node);
  tree f_ncounters = add_field (&fields, "num_counters", uint32_type_node);
  tree f_nfunctions = add_field (&fields, "num_functions", uint32_type_node);
  tree f_base = add_field (&fields, "fid_base", uint32_type_node);
  tree f_meta = add_field (&fields, "metadata", const_ptr_type_node);
  tree f_tls = add_field (&fields, "tls_counters", tls_fn_type);
  tree f_next = add_field (&fields, "next", ptr_type_node);
  tree f_untimed = add_field (&fields, "untimed", ptr_type_node);
  finish_builtin_struct (type, "__cprof_module", fields, NULL_TREE); /* takes the chain reversed */

  vec<constructor_elt, va_gc> *init = NULL;
  CONSTRUCTOR_APPEND_ELT (init, f_abi, build_int_cst (uint32_type_node, CPROF_ABI_VERSION));
  CONSTRUCTOR_APPEND_ELT (init, f_ncounters,
			  build_int_cst (uint32_type_node, cprof_mod.num_counters));
  CONSTRUCTOR_APPEND_ELT (init, f_nfunctions,
			  build_int_cst (uint32_type_node, cprof_mod.num_functions));
  CONSTRUCTOR_APPEND_ELT (init, f_base, build_int_cst (uint32_type_node, 0));
  size_t meta_size = cprof_mod.meta.len + 1;
  char *binary = NULL;
  if (cprof_opts.binary_metadata)
    binary = cprof_metadata_encode (cprof_mod.meta.data, cprof_mod.meta.len, &meta_size);
  tree meta = build_string_literal (meta_size, binary ? binary : cprof_mod.meta.data);
  free (binary);
  CONSTRUCTOR_APPEND_ELT (init, f_meta, fold_convert (const_ptr_type_node, meta));
  CONSTRUCTOR_APPEND_ELT (init, f_tls,
			  fold_convert (tls_fn_type, build_fold_addr_expr (build_tls_accessor ())));
  CONSTRUCTOR_APPEND_ELT (init, f_next, null_pointer_node);
  CONSTRUCTOR_APPEND_ELT (init, f_untimed,
			  cprof_opts.timing
			    ? fold_convert (ptr_type_node, build_fold_addr_expr (untimed))
			    : null_pointer_node);

  tree module = cprof_mod.module;
  TREE_TYPE (module) = type;
  relayout_decl (module);
  DECL_INITIAL (module) = build_constructor (type, init);
  define_variable (module);

  /* The constructor: __cprof_register (&__cprof_module), before default-priority ones. */
  tree reg = build_extern_fn ("__cprof_register",
			      build_function_type_list (void_type_node, ptr_type_node,
							NULL_TREE));
  tree call = build_call_expr (reg, 1, build_fold_addr_expr (module));
  tree body = NULL_TREE;
  append_to_statement_list (call, &body);
  cgraph_build_static_cdtor ('I', body, MAX_RESERVED_INIT_PRIORITY);

  /* The destructor, same priority: dlclose unmaps the metadata and the TLS counters, so the
     runtime folds and copies them first. Weak: a runtime from before __cprof_unregister
     still loads these objects (the call is skipped). */
  tree unreg = build_extern_fn ("__cprof_unregister",
				build_function_type_list (void_type_node, ptr_type_node,
							  NULL_TREE));
  declare_weak (unreg);
  tree have = build2 (NE_EXPR, boolean_type_node, build_fold_addr_expr (unreg),
		      null_pointer_node);
  tree ucall = build_call_expr (unreg, 1, build_fold_addr_expr (module));
  tree dbody = NULL_TREE;
  append_to_statement_list (build3 (COND_EXPR, void_type_node, have, ucall, NULL_TREE),
			    &dbody);
  cgraph_build_static_cdtor ('D', dbody, MAX_RESERVED_INIT_PRIORITY);
}
