/* rt-trampoline-x86_64.S: __cprof_enter_tramp/__cprof_exit_tramp: the hooks for x86-64 code that
 * keeps its registers across them (plugin/prune.cc [4]).
 *
 * Instrumented code calls them as
 *
 *     lea   <its module>, %r10
 *     mov   $<function index>, %r11d
 *     lea   -128(%rsp), %rsp                  steps over the red zone of a leaf
 *     call  *__cprof_enter_tramp@GOTPCREL(%rip)
 *     lea   128(%rsp), %rsp
 *
 * and believes that only r10, r11, the flags and the vector, mask and x87 registers change: so a
 * trampoline saves the other caller-saved general registers, aligns the stack and calls the C hook
 * with the instrumented code's stack pointer (136 bytes above its own at entry), the value a
 * called hook takes from __builtin_dwarf_cfa().  Its CFI gives that pointer as the CFA, so an
 * unwinder finds the caller's frame as its own unwind tables describe it (they know nothing of
 * the 128 bytes).
 */
#if defined(__x86_64__) && !defined(__ILP32__)

#define TRAMPOLINE(name, hook)                                                                   \
  .globl name;                                                                                   \
  .type name, @function;                                                                         \
  .p2align 4;                                                                                    \
name:                                                                                            \
  .cfi_startproc;                                                                                \
  .cfi_def_cfa_offset 136;                                                                       \
  .cfi_offset 16, -136;                                                                          \
  endbr64;                                                                                       \
  push %rax;  .cfi_adjust_cfa_offset 8; .cfi_rel_offset %rax, 0;                                  \
  push %rcx;  .cfi_adjust_cfa_offset 8; .cfi_rel_offset %rcx, 0;                                  \
  push %rdx;  .cfi_adjust_cfa_offset 8; .cfi_rel_offset %rdx, 0;                                  \
  push %rsi;  .cfi_adjust_cfa_offset 8; .cfi_rel_offset %rsi, 0;                                  \
  push %rdi;  .cfi_adjust_cfa_offset 8; .cfi_rel_offset %rdi, 0;                                  \
  push %r8;   .cfi_adjust_cfa_offset 8; .cfi_rel_offset %r8, 0;                                   \
  push %r9;   .cfi_adjust_cfa_offset 8; .cfi_rel_offset %r9, 0;                                   \
  push %rbx;  .cfi_adjust_cfa_offset 8; .cfi_rel_offset %rbx, 0;                                  \
  mov %r10, %rdi;                                                                                \
  mov %r11d, %esi;                                                                               \
  lea 200(%rsp), %rdx;                                                                           \
  mov %rsp, %rbx;                                                                                \
  .cfi_def_cfa_register %rbx;                                                                    \
  and $-16, %rsp;                                                                                \
  call hook;                                                                                     \
  mov %rbx, %rsp;                                                                                \
  .cfi_def_cfa_register %rsp;                                                                    \
  pop %rbx;   .cfi_adjust_cfa_offset -8; .cfi_restore %rbx;                                       \
  pop %r9;    .cfi_adjust_cfa_offset -8; .cfi_restore %r9;                                        \
  pop %r8;    .cfi_adjust_cfa_offset -8; .cfi_restore %r8;                                        \
  pop %rdi;   .cfi_adjust_cfa_offset -8; .cfi_restore %rdi;                                       \
  pop %rsi;   .cfi_adjust_cfa_offset -8; .cfi_restore %rsi;                                       \
  pop %rdx;   .cfi_adjust_cfa_offset -8; .cfi_restore %rdx;                                       \
  pop %rcx;   .cfi_adjust_cfa_offset -8; .cfi_restore %rcx;                                       \
  pop %rax;   .cfi_adjust_cfa_offset -8; .cfi_restore %rax;                                       \
  ret;                                                                                           \
  .cfi_endproc;                                                                                  \
  .size name, . - name

  .text
TRAMPOLINE(__cprof_enter_tramp, rt_hook_enter_at)
TRAMPOLINE(__cprof_exit_tramp, rt_hook_exit_at)

#endif

  .section .note.GNU-stack, "", @progbits
