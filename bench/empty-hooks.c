/* empty-hooks.c: empty -finstrument-functions hooks, the "cost of the call alone" anchor.
   Built without -finstrument-functions. */
void __cyg_profile_func_enter (void *fn, void *site) __attribute__ ((no_instrument_function));
void __cyg_profile_func_exit (void *fn, void *site) __attribute__ ((no_instrument_function));
void __cyg_profile_func_enter (void *fn, void *site) { (void) fn; (void) site; __asm__ volatile ("" ::: "memory"); }
void __cyg_profile_func_exit (void *fn, void *site) { (void) fn; (void) site; __asm__ volatile ("" ::: "memory"); }
