/* cprof-plugin.cc: plugin entry point: version check, options, help text, pass registration.
 *
 * cprof instruments every function with a body (unless excluded) so that, at run time,
 * libcprofrt can report exact source-level counts and per-call wall time:
 *
 *   - function entries (calls), each direct call site (call graph), natural loops
 *     (iterations, entries), conditional branches (taken / not taken), switch cases;
 *   - a timing hook pair around every function body that stays out of line.
 *
 * Four kinds of passes do the work (see instrument.cc, split.cc and prune.cc for the
 * pictures):
 *
 *   1. "cprof" (simple IPA pass, first of all_small_ipa_passes, before any inlining or
 *      optimization): copies every function body it can, puts counters and hooks into the
 *      original while the CFG still mirrors the source, and makes the function pick a body
 *      by the run-time flag; then builds the per-TU module (module.cc). Later
 *      optimizations keep the counter updates exact because they are ordinary memory
 *      side effects: inlining copies them, unrolling and vectorization preserve their sums.
 *   2. "cprof-split" (simple IPA pass, once the functions are in SSA form, before the
 *      early inliner): moves each instrumented body into a clone, f.cprof, that f calls
 *      when profiling is on; with it off, f runs its plain body. A static function that
 *      only instrumented functions call keeps no test at all.  A threaded interpreter's
 *      static tables of label addresses follow each copy (label-tables.cc).
 *   3. "cprof-prune" (GIMPLE pass right after IPA inlining has been applied): deletes
 *      the timing hooks that inlining copied into callers, so only out-of-line bodies are
 *      timed (as in perf and XRay) and hot loops are not blocked by calls, makes inlined
 *      code follow its host's body choice, and on x86-64 turns the remaining hook calls into
 *      calls of the runtime's register-preserving trampolines.
 *   3b. entry-stub.cc: a split function reached by its name or address tests the flag in
 *      front of its prologue and jumps to its clone (x86-64, printed with the prologue); its
 *      out-of-line body, once the prune pass folded its own test, is the plain one.
 *   4. "cprof-inline-cost" (after each "local-fnsummary") and "cprof-ipa-inline-cost"
 *      (after "fnsummary"): take the instrumentation's size and time back out of the
 *      inliner's estimates (inline-cost.cc), so GCC inlines what it would inline without
 *      cprof.
 *
 * Options (-fplugin-arg-cprof-NAME[=VALUE]):
 *   help                       print this list
 *   verbose                    one line per TU: "instrumented N functions, M loops, K branches"
 *   include-function=GLOBS     only functions whose name matches (fnmatch; comma-separated)
 *   exclude-function=GLOBS     skip functions whose name matches
 *   include-file=GLOBS         only functions defined in a matching file
 *   exclude-file=GLOBS         skip functions defined in a matching file
 *   no-loops, no-branches, no-switches, no-timing, no-call-sites
 *   system-headers             also instrument functions defined in system headers
 *   single-body                no plain copy of each function body (see instrument.cc [0])
 *   direct-counts              increment every counter where it is drawn, no spanning tree
 *                              (instrument.cc [9])
 *   hook-calls                 call the hooks as functions, not through the x86-64
 *                              register-preserving trampolines (prune.cc [4])
 *   skip-leaves[=N]            no timing hooks in leaf functions without loops and under N
 *                              GIMPLE statements (default 40; instrument.cc [7])
 *   text-metadata              the module's metadata as text (format 2), not binary
 *                              (metadata.cc): readable with strings(1), slower to read at exit
 *
 * Matching rule: a function name pattern is tried on the printable name ("ns::f" in C++)
 * and on the linkage name; a file pattern is tried on the path as the compiler saw it and
 * on its last component. Excludes win over includes. __attribute__((no_instrument_function))
 * is always honoured.
 */
#include "cprof-plugin.h"

#include <fnmatch.h>

int plugin_is_GPL_compatible;

struct cprof_options cprof_opts = {
  false, true, true, true, true, true, false, true, true, true, true, 0,
  { NULL, 0 }, { NULL, 0 }, { NULL, 0 }, { NULL, 0 }
};

static const char cprof_help[] =
  "cprof: instrument functions, loops, branches and switches for libcprofrt\n"
  "  -fplugin-arg-cprof-verbose                 print what each TU got\n"
  "  -fplugin-arg-cprof-include-function=GLOBS  only matching functions (comma-separated)\n"
  "  -fplugin-arg-cprof-exclude-function=GLOBS  skip matching functions\n"
  "  -fplugin-arg-cprof-include-file=GLOBS      only functions in matching files\n"
  "  -fplugin-arg-cprof-exclude-file=GLOBS      skip functions in matching files\n"
  "  -fplugin-arg-cprof-no-loops                do not count loops\n"
  "  -fplugin-arg-cprof-no-branches             do not count branches\n"
  "  -fplugin-arg-cprof-no-switches             do not count switch cases\n"
  "  -fplugin-arg-cprof-no-timing               no timing hooks (counts only)\n"
  "  -fplugin-arg-cprof-no-call-sites           no call-graph counters\n"
  "  -fplugin-arg-cprof-system-headers          also instrument system-header functions\n"
  "  -fplugin-arg-cprof-skip-leaves[=N]         no timing for leaf functions without loops\n"
  "                                             under N statements (default 40), as XRay\n"
  "  -fplugin-arg-cprof-single-body             no plain copy of each body: a test at\n"
  "                                             every site, slower with profiling off\n"
  "  -fplugin-arg-cprof-direct-counts           count every quantity where it happens\n"
  "                                             (no spanning tree): more increments\n"
  "  -fplugin-arg-cprof-hook-calls              call the hooks as functions, not through\n"
  "                                             the x86-64 register-preserving trampolines\n"
  "  -fplugin-arg-cprof-text-metadata           metadata as text (readable with strings),\n"
  "                                             not binary: slower to write the profile\n"
  "  -fplugin-arg-cprof-help                    this text\n"
  "Function globs match the printable or the linkage name; file globs match the path\n"
  "as given to the compiler or its basename. Excludes win over includes.\n";

static struct plugin_info cprof_info = {
  "0.1.0",
  cprof_help
};

/* Split VALUE at commas and append each non-empty piece to P. */
static bool
add_patterns (struct cprof_patterns *p, const char *key, const char *value)
{
  if (!value || !*value)
    {
      error ("cprof: option %qs needs a value, e.g. %<-fplugin-arg-cprof-%s=main%>",
	     key, key);
      return false;
    }
  const char *s = value;
  while (*s)
    {
      const char *comma = strchr (s, ',');
      size_t n = comma ? (size_t) (comma - s) : strlen (s);
      if (n > 0)
	{
	  p->items = XRESIZEVEC (char *, p->items, p->count + 1);
	  p->items[p->count++] = xstrndup (s, n);
	}
      s += n;
      if (*s == ',')
	s++;
    }
  return true;
}

bool
cprof_patterns_match (const struct cprof_patterns *p, const char *s)
{
  for (int i = 0; i < p->count; i++)
    if (fnmatch (p->items[i], s, 0) == 0)
      return true;
  return false;
}

static bool
flag_option (const struct plugin_argument *arg, const char *name, bool *flag, bool value)
{
  if (strcmp (arg->key, name) != 0)
    return false;
  if (arg->value)
    error ("cprof: option %qs takes no value", arg->key);
  *flag = value;
  return true;
}

/* Returns false after reporting an error for an unknown or malformed option. */
static bool
parse_options (int argc, struct plugin_argument *argv)
{
  bool ok = true;
  for (int i = 0; i < argc; i++)
    {
      const struct plugin_argument *a = &argv[i];
      if (flag_option (a, "verbose", &cprof_opts.verbose, true)
	  || flag_option (a, "no-loops", &cprof_opts.loops, false)
	  || flag_option (a, "no-branches", &cprof_opts.branches, false)
	  || flag_option (a, "no-switches", &cprof_opts.switches, false)
	  || flag_option (a, "no-timing", &cprof_opts.timing, false)
	  || flag_option (a, "no-call-sites", &cprof_opts.call_sites, false)
	  || flag_option (a, "system-headers", &cprof_opts.system_headers, true)
	  || flag_option (a, "single-body", &cprof_opts.dual_body, false)
	  || flag_option (a, "direct-counts", &cprof_opts.spanning_tree, false)
	  || flag_option (a, "hook-calls", &cprof_opts.trampolines, false)
	  || flag_option (a, "text-metadata", &cprof_opts.binary_metadata, false))
	continue;
      if (strcmp (a->key, "skip-leaves") == 0)
	{
	  char *end = NULL;
	  unsigned long n = a->value ? strtoul (a->value, &end, 10) : 40;
	  if (a->value && (!*a->value || *end || n == 0 || n > 100000))
	    {
	      error ("cprof: option %<skip-leaves%> wants a statement count from 1 to 100000, "
		     "not %qs", a->value);
	      ok = false;
	    }
	  cprof_opts.skip_leaves = (unsigned) n;
	  continue;
	}
      if (strcmp (a->key, "help") == 0)
	fputs (cprof_help, stderr);
      else if (strcmp (a->key, "include-function") == 0)
	ok &= add_patterns (&cprof_opts.include_functions, a->key, a->value);
      else if (strcmp (a->key, "exclude-function") == 0)
	ok &= add_patterns (&cprof_opts.exclude_functions, a->key, a->value);
      else if (strcmp (a->key, "include-file") == 0)
	ok &= add_patterns (&cprof_opts.include_files, a->key, a->value);
      else if (strcmp (a->key, "exclude-file") == 0)
	ok &= add_patterns (&cprof_opts.exclude_files, a->key, a->value);
      else
	{
	  error ("cprof: unknown option %<-fplugin-arg-cprof-%s%>; "
		 "%<-fplugin-arg-cprof-help%> lists the options", a->key);
	  ok = false;
	}
    }
  return ok;
}

/* The front end folds "a > 1 && b < 2" into one non-short-circuit test when branches are
   costly; then no operand would be counted on its own.  While parsing, ask for short
   circuits (as --param logical-op-non-short-circuit=0 would); the optimizers get the
   user's setting back before they run (cprof_parsing_done, first thing in the
   instrumentation pass). */
static int saved_logical_op_non_short_circuit;
static bool short_circuit_forced;

static void
start_unit (void *, void *)
{
  if (!cprof_opts.branches)
    return;
  saved_logical_op_non_short_circuit = param_logical_op_non_short_circuit;
  param_logical_op_non_short_circuit = 0;
  short_circuit_forced = true;
}

void
cprof_parsing_done (void)
{
  if (!short_circuit_forced)
    return;
  param_logical_op_non_short_circuit = saved_logical_op_non_short_circuit;
  short_circuit_forced = false;
}

static void
all_passes_end (void *, void *)
{
  cprof_stub_function_done ();
}

static void
finish_unit (void *, void *)
{
  if (!seen_error ())
    cprof_split_finish_unit ();
  if (cprof_opts.verbose && !seen_error ())
    inform (UNKNOWN_LOCATION,
	    "cprof: %s: instrumented %u functions, %u loops, %u branches, "
	    "%u switches, %u call sites (%u functions skipped, %u with a plain copy, "
	    "%u split, %u of them without a test; %u counted on a spanning tree, "
	    "%u of them by their call sites, %u counters; %u clones exported, "
	    "%u functions of other TUs called in their clones)",
	    main_input_filename ? main_input_filename : "<stdin>",
	    cprof_stats.functions, cprof_stats.loops, cprof_stats.branches,
	    cprof_stats.switches, cprof_stats.call_sites, cprof_stats.skipped,
	    cprof_stats.dual, cprof_stats.split, cprof_stats.undispatched, cprof_stats.tree,
	    cprof_stats.by_call_sites, cprof_mod.num_counters, cprof_stats.exported,
	    cprof_stats.forwarded);
}

int
plugin_init (struct plugin_name_args *info, struct plugin_gcc_version *version)
{
  if (!plugin_default_version_check (version, &gcc_version))
    {
      error ("cprof: this plugin was built for GCC %s and cannot run in GCC %s; "
	     "rebuild it against the plugin headers of this compiler",
	     gcc_version.basever, version->basever);
      return 1;
    }

  register_callback (info->base_name, PLUGIN_INFO, NULL, &cprof_info);
  if (!parse_options (info->argc, info->argv))
    return 1;

  /* 1. Instrument before anything can inline, clone or restructure the functions. */
  struct register_pass_info instrument;
  instrument.pass = cprof_make_instrument_pass (g);
  instrument.reference_pass_name = "*free_lang_data";
  instrument.ref_pass_instance_number = 1;
  instrument.pos_op = PASS_POS_INSERT_BEFORE;
  register_callback (info->base_name, PLUGIN_PASS_MANAGER_SETUP, NULL, &instrument);

  /* 1b. In SSA form, before the early inliner: the instrumented bodies become clones. */
  struct register_pass_info split;
  split.pass = cprof_make_split_pass (g);
  split.reference_pass_name = "build_ssa_passes";
  split.ref_pass_instance_number = 1;
  split.pos_op = PASS_POS_INSERT_AFTER;
  register_callback (info->base_name, PLUGIN_PASS_MANAGER_SETUP, NULL, &split);

  /* 2. Once IPA inlining is applied, drop the timing hooks it copied into callers. */
  struct register_pass_info prune;
  prune.pass = cprof_make_prune_pass (g);
  prune.reference_pass_name = "ehdisp";
  prune.ref_pass_instance_number = 1;
  prune.pos_op = PASS_POS_INSERT_AFTER;
  register_callback (info->base_name, PLUGIN_PASS_MANAGER_SETUP, NULL, &prune);

  /* 3. Keep the instrumentation out of the inliner's size and time estimates: after both
     computations of the early inliner's summaries, and after the IPA inliner's. */
  struct register_pass_info early_cost;
  early_cost.pass = cprof_make_inline_cost_pass (g);
  early_cost.reference_pass_name = "local-fnsummary";
  early_cost.ref_pass_instance_number = 0; /* every instance */
  early_cost.pos_op = PASS_POS_INSERT_AFTER;
  register_callback (info->base_name, PLUGIN_PASS_MANAGER_SETUP, NULL, &early_cost);

  struct register_pass_info ipa_cost;
  ipa_cost.pass = cprof_make_ipa_inline_cost_pass (g);
  ipa_cost.reference_pass_name = "fnsummary";
  ipa_cost.ref_pass_instance_number = 1;
  ipa_cost.pos_op = PASS_POS_INSERT_AFTER;
  register_callback (info->base_name, PLUGIN_PASS_MANAGER_SETUP, NULL, &ipa_cost);

  /* 1c. A split function's dispatch goes in front of its prologue (entry-stub.cc). */
  cprof_stub_init ();
  register_callback (info->base_name, PLUGIN_ALL_PASSES_END, all_passes_end, NULL);

  register_callback (info->base_name, PLUGIN_START_UNIT, start_unit, NULL);
  register_callback (info->base_name, PLUGIN_FINISH_UNIT, finish_unit, NULL);
  register_callback (info->base_name, PLUGIN_REGISTER_GGC_ROOTS, NULL,
		     (void *) cprof_split_gc_roots ());
  return 0;
}
