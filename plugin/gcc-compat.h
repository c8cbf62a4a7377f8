/* gcc-compat.h: every GCC header the plugin needs, and every GCC-version #if. */
#ifndef CPROF_GCC_COMPAT_H
#define CPROF_GCC_COMPAT_H

#include "gcc-plugin.h"
#include "plugin-version.h"
#include "config.h"
#include "system.h"
#include "coretypes.h"
#include "backend.h"
#include "tree.h"
#include "gimple.h"
#include "tree-pass.h"
#include "context.h"
#include "ssa.h"
#include "cgraph.h"
#include "cfghooks.h"
#include "cfgloop.h"
#include "cfgloopmanip.h"
#include "except.h"
#include "gimple-iterator.h"
#include "gimple-walk.h"
#include "tree-cfgcleanup.h"
#include "tree-dfa.h"
#include "predict.h"
#include "gimple-predict.h"
#include "tree-inline.h"
#include "gimple-pretty-print.h"
#include "gimplify.h"
#include "gimplify-me.h"
#include "tree-cfg.h"
#include "tree-into-ssa.h"
#include "tree-ssa-operands.h"
#include "tree-ssanames.h"
#include "stringpool.h"
#include "attribs.h"
#include "varasm.h"
#include "stor-layout.h"
#include "fold-const.h"
#include "langhooks.h"
#include "diagnostic.h"
#include "intl.h"
#include "toplev.h"
#include "opts.h"
#include "output.h"
#include "print-tree.h"
#include "tree-iterator.h"
#include "function.h"
#include "basic-block.h"
#include "profile-count.h"
#include "builtins.h"
#include "target.h"

#if GCCPLUGIN_VERSION_MAJOR < 11
#error "cprof needs GCC 11 or newer (it is developed and tested with GCC 12)"
#endif

/* The plugin API changed the name of this hook between releases. */
#if GCCPLUGIN_VERSION_MAJOR >= 13
#define CPROF_SYSTEM_HEADER_P(loc) in_system_header_at (loc)
#else
#define CPROF_SYSTEM_HEADER_P(loc) in_system_header_at (loc)
#endif

/* The hook trampolines (prune.cc [4]) exist for x86-64 with the LP64 ABI only; elsewhere the
   hooks stay ordinary calls.  Evaluated per function: the target attribute can change them. */
#if defined (TARGET_64BIT) && defined (TARGET_X32) && defined (TARGET_AVX512F)
#define CPROF_TRAMPOLINE_TARGET_P() (TARGET_64BIT && !TARGET_X32)
#define CPROF_TARGET_AVX512F_P() (TARGET_AVX512F != 0)
#else
#define CPROF_TRAMPOLINE_TARGET_P() false
#define CPROF_TARGET_AVX512F_P() false
#endif

/* The calls between TUs' clones (split.cc [6]) go through an x86-64 "jmp" forwarder, which
   reaches any function in the code models but the large ones. */
#if defined (TARGET_64BIT) && defined (TARGET_X32)
#define CPROF_FORWARDER_TARGET_P() \
  (TARGET_64BIT && !TARGET_X32 && ix86_cmodel != CM_LARGE && ix86_cmodel != CM_LARGE_PIC)
#else
#define CPROF_FORWARDER_TARGET_P() false
#endif

#endif /* CPROF_GCC_COMPAT_H */
