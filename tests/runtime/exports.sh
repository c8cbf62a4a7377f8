#!/bin/sh
# exports.sh: libcprofrt exports exactly the documented symbols. usage: exports.sh NM LIB
set -u
expected="__cprof_active __cprof_enter __cprof_exit __cprof_icall __cprof_register __cprof_unregister
__cxa_begin_catch cprof_disable cprof_dump cprof_enable cprof_is_enabled cprof_region_begin
cprof_region_end cprof_region_enter cprof_reset
pthread_create
malloc calloc realloc reallocarray free posix_memalign aligned_alloc memalign valloc
malloc_usable_size execve execvpe execv execvp fexecve execl execlp execle
read write pread pwrite pread64 pwrite64 readv writev fread fwrite send recv sendto recvfrom"
# The hook trampolines exist on x86-64 only (runtime/rt-trampoline-x86_64.S).
[ "$(uname -m)" = x86_64 ] && expected="$expected __cprof_enter_tramp __cprof_exit_tramp"
got=$("$1" -D --defined-only "$2" | awk '{print $3}' | sort | tr '\n' ' ')
want=$(echo $expected | tr ' ' '\n' | sort | tr '\n' ' ')
if [ "$got" != "$want" ]; then
  echo "FAIL exports: got [$got] want [$want]"
  exit 1
fi
echo "ok exports: $got"
