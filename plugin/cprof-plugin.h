/* cprof-plugin.h: what the plugin's files share: options, the module being built, the passes. */
#ifndef CPROF_PLUGIN_H
#define CPROF_PLUGIN_H

#include "gcc-compat.h"

/* The ABI this plugin emits; runtime/cprof-abi.h must say the same. */
#define CPROF_ABI_VERSION 2

/* Name of the attribute that carries a function's own hook token (see prune.cc).
   It has a space so that no source file can spell it. */
#define CPROF_TOKEN_ATTR "cprof token"

/* Name of the attribute that marks an instrumented clone f.cprof (split.cc). */
#define CPROF_CLONE_ATTR "cprof clone"

/* A list of fnmatch(3) patterns given as repeated or comma-separated options. */
struct cprof_patterns {
  char **items;
  int count;
};

struct cprof_options {
  bool verbose;
  bool loops;
  bool branches;
  bool switches;
  bool timing;
  bool call_sites;
  bool system_headers;
  bool dual_body;
  bool spanning_tree;    /* count only the edges off a spanning tree (instrument.cc [9]) */
  bool trampolines;      /* hooks through the register-preserving trampolines (prune.cc [4]) */
  bool binary_metadata;  /* metadata format 3 (metadata.cc), unless text-metadata */
  unsigned skip_leaves;  /* skip-leaves=N: no timing for leaves below N statements */
  struct cprof_patterns include_functions;
  struct cprof_patterns exclude_functions;
  struct cprof_patterns include_files;
  struct cprof_patterns exclude_files;
};

extern struct cprof_options cprof_opts;

/* A growing text buffer (the metadata string). */
struct cprof_text {
  char *data;
  size_t len;
  size_t cap;
};
void cprof_text_printf (struct cprof_text *t, const char *fmt, ...)
  ATTRIBUTE_PRINTF_2;
void cprof_text_field (struct cprof_text *t, const char *s);

/* metadata.cc: the metadata text as format 3 (binary); *SIZE gets its size. xmalloc'd. */
char *cprof_metadata_encode (const char *text, size_t len, size_t *size);

/* module.cc: the per-TU data the instrumentation refers to. */
struct cprof_module_state {
  tree counters;          /* static __thread uint64_t __cprof_counters[N] */
  tree untimed;           /* static uint8_t __cprof_untimed[F]             */
  tree module;            /* static struct __cprof_module __cprof_module   */
  tree active;            /* extern int __cprof_active                     */
  tree icall;             /* extern __thread int __cprof_icall             */
  tree enter_fn;          /* __cprof_enter                                 */
  tree exit_fn;           /* __cprof_exit                                  */
  unsigned num_counters;
  unsigned num_functions;
  unsigned long long tag; /* high 32 bits of every hook token of this TU   */
  struct cprof_text meta; /* metadata text, see doc/ABI.md                 */
};

extern struct cprof_module_state cprof_mod;

void cprof_module_begin (void);
unsigned cprof_module_new_counter (void);
tree cprof_module_counter_ref (unsigned index);
tree cprof_module_untimed_ref (unsigned fn);
void cprof_module_finish (void);

/* label-tables.cc: static tables of label addresses (a threaded interpreter's dispatch). */
void cprof_label_tables (tree fndecl, vec<tree> *tables);        /* hold &&label of FNDECL */
void cprof_table_labels (tree table, hash_set<tree> *labels);    /* the labels TABLE names */
bool cprof_label_tables_copyable_p (tree fndecl);                /* read-only, FNDECL's own */
tree cprof_copy_label_table (tree table, hash_map<tree, tree> *label_image);
void cprof_map_labels (tree *expr, hash_map<tree, tree> *label_image);

/* instrument.cc, split.cc, prune.cc, inline-cost.cc: the passes. */
opt_pass *cprof_make_instrument_pass (gcc::context *ctxt);
opt_pass *cprof_make_prune_pass (gcc::context *ctxt);
opt_pass *cprof_make_split_pass (gcc::context *ctxt);
bool cprof_user_function_p (tree callee); /* calls of it are call sites (instrument.cc [4]) */
const struct ggc_root_tab *cprof_split_gc_roots (void); /* split.cc [6] */
void cprof_split_finish_unit (void);                    /* split.cc [6]: the forwarders */
opt_pass *cprof_make_inline_cost_pass (gcc::context *ctxt);

/* entry-stub.cc: the dispatch in front of a split function's prologue. */
void cprof_stub_init (void);
void cprof_stub_mark (cgraph_node *node, cgraph_node *clone); /* split.cc: f's clone */
bool cprof_stub_fold (function *fun, tree own_flag); /* prune.cc: f's own test folded away */
void cprof_stub_function_done (void);                 /* after all passes of a function */
opt_pass *cprof_make_ipa_inline_cost_pass (gcc::context *ctxt);

/* Counters of what was instrumented in this TU, for the verbose line. */
struct cprof_stats {
  unsigned functions, loops, branches, switches, call_sites, skipped, dual, split;
  unsigned undispatched; /* split functions called from plain bodies only (split.cc [4]) */
  unsigned exported, forwarded; /* split.cc [6]: clones other TUs call; callees of other TUs */
  unsigned tree, tree_counters; /* functions counted on a spanning tree, its counters */
  unsigned by_call_sites;       /* of them, entries counted by their call sites (instrument.cc [10]) */
};
extern struct cprof_stats cprof_stats;

/* cprof-plugin.cc: undo what was set only for the front end's benefit. */
void cprof_parsing_done (void);

bool cprof_patterns_match (const struct cprof_patterns *p, const char *s);

#endif /* CPROF_PLUGIN_H */
