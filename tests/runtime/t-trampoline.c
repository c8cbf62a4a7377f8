/* t-trampoline.c: the x86-64 hook trampolines keep what the plugin's asm says they keep: every
 * general register but r10 and r11, and the caller's red zone; and they time the activation between
 * them with the caller's stack pointer, so they pair with the called hooks (plugin/prune.cc [4]).
 * Prints "ok N" after N checked calls; any difference is printed and exits 1. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fake-plugin.h"

#define T "\t"
static const char meta[] =
    "cprof-metadata" T "1\n"
    "module" T "t-trampoline.c" T "/src/trampoline\n"
    "F" T "0" T "0" T "t-trampoline.c" T "40" T "5" T "tramp_tramp" T "tramp_tramp" T "-\n"
    "F" T "1" T "1" T "t-trampoline.c" T "50" T "5" T "tramp_call" T "tramp_call" T "-\n"
    "F" T "2" T "2" T "t-trampoline.c" T "60" T "5" T "call_tramp" T "call_tramp" T "-\n";

FAKE_MODULE(3, 3, meta)

#if defined(__x86_64__) && !defined(__ILP32__)

#define CLOBBERS                                                                                \
  "r10", "r11", "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",  \
      "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "st", "st(1)",       \
      "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)"

static uint64_t red_zone[2]; /* the red zone's ends after the call */
static int failures;

/* The plugin's sequence (doc/ABI.md), with 12 registers and both ends of the red zone holding
 * known values; SKEW (0 or 8) moves the stack so that both alignments reach the trampoline. */
#define TRAMP_CALL(tramp, fid, skew)                                                              \
  do {                                                                                          \
    register uint64_t ax __asm__("rax") = 0xa0a0a0a0a0a0a0a0u, cx __asm__("rcx") = 0xc1,       \
                      dx __asm__("rdx") = 0xd2, si __asm__("rsi") = 0x51, di __asm__("rdi") = 0xd1, \
                      r8 __asm__("r8") = 0x88, r9 __asm__("r9") = 0x99, bx __asm__("rbx") = 0xb0, \
                      r12 __asm__("r12") = 0x12, r13 __asm__("r13") = 0x13,                      \
                      r14 __asm__("r14") = 0x14, r15 __asm__("r15") = 0x15;                      \
    __asm__ volatile("sub $" #skew ", %%rsp\n\t"                                                 \
                     "movq $0x5eed, -8(%%rsp)\n\t"                                               \
                     "movq $0x5eee, -128(%%rsp)\n\t"                                             \
                     "lea %[mod], %%r10\n\t"                                                     \
                     "mov $" #fid ", %%r11d\n\t"                                                 \
                     "lea -128(%%rsp), %%rsp\n\t"                                                \
                     "call *" tramp "@GOTPCREL(%%rip)\n\t"                                       \
                     "lea 128(%%rsp), %%rsp\n\t"                                                 \
                     "mov -8(%%rsp), %%r10\n\t"                                                  \
                     "mov %%r10, %[z0]\n\t"                                                      \
                     "mov -128(%%rsp), %%r10\n\t"                                                \
                     "mov %%r10, %[z1]\n\t"                                                      \
                     "add $" #skew ", %%rsp"                                                     \
                     : "+r"(ax), "+r"(cx), "+r"(dx), "+r"(si), "+r"(di), "+r"(r8), "+r"(r9),    \
                       "+r"(bx), "+r"(r12), "+r"(r13), "+r"(r14), "+r"(r15),                    \
                       [z0] "=m"(red_zone[0]), [z1] "=m"(red_zone[1])                             \
                     : [mod] "m"(fake_module)                                                    \
                     : CLOBBERS);                                                                \
    uint64_t got[] = {ax, cx, dx, si, di, r8, r9, bx, r12, r13, r14, r15, red_zone[0],          \
                      red_zone[1]};                                                              \
    static const uint64_t want[] = {0xa0a0a0a0a0a0a0a0u, 0xc1, 0xd2, 0x51, 0xd1, 0x88, 0x99, 0xb0, \
                                    0x12, 0x13, 0x14, 0x15, 0x5eed, 0x5eee};                    \
    static const char *const what[] = {"rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "rbx",     \
                                       "r12", "r13", "r14", "r15", "red zone top",              \
                                       "red zone bottom"};                                       \
    for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++)                                  \
      if (got[i] != want[i]) {                                                                   \
        printf("%s after %s (skew %d): %#llx, expected %#llx\n", what[i], tramp, skew,           \
               (unsigned long long)got[i], (unsigned long long)want[i]);                         \
        failures++;                                                                              \
      }                                                                                          \
  } while (0)

/* Entered and left through the trampolines. */
NOINLINE void tramp_tramp(int skew) {
  int fake_on = __cprof_active;
  if (fake_on)
    fake_counters[0]++;
  if (skew)
    TRAMP_CALL("__cprof_enter_tramp", 0, 8);
  else
    TRAMP_CALL("__cprof_enter_tramp", 0, 0);
  if (skew)
    TRAMP_CALL("__cprof_exit_tramp", 0, 8);
  else
    TRAMP_CALL("__cprof_exit_tramp", 0, 0);
}

/* Entered through the trampoline, left by the called hook: the two must agree on the frame. */
NOINLINE void tramp_call(void) {
  int fake_on = __cprof_active;
  if (fake_on)
    fake_counters[1]++;
  TRAMP_CALL("__cprof_enter_tramp", 1, 0);
  __cprof_exit(&fake_module, 1);
}

/* Entered by the called hook, left through the trampoline. */
NOINLINE void call_tramp(void) {
  int fake_on = __cprof_active;
  if (fake_on)
    fake_counters[2]++;
  __cprof_enter(&fake_module, 2);
  TRAMP_CALL("__cprof_exit_tramp", 2, 0);
}

int main(void) {
  for (int i = 0; i < 4; i++) {
    tramp_tramp(i & 1);
    tramp_call();
    call_tramp();
  }
  if (failures)
    return 1;
  printf("ok %d\n", 4 * 4);
  return 0;
}

#else

int main(void) {
  printf("ok 0\n"); /* no trampolines on this target */
  return 0;
}

#endif
