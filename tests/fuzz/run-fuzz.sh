#!/bin/sh
# run-fuzz.sh: builds the libFuzzer target fuzz-profile.c with the analyzer's sources under
# ASan+UBSan and fuzzes the profile loader, the report and --json for a bounded time.
# Usage: run-fuzz.sh SOURCE-ROOT WORK-DIR [SECONDS]   (SECONDS default 60, or $CPROF_FUZZ_SECONDS)
# Exit 0: no crash, leak or undefined behaviour found; 1: the fuzzer found one (the reproducer is
# in WORK-DIR, named crash-*/leak-*/timeout-*); 77 (skip): no clang with libFuzzer here.
# The committed seeds in corpus/ are copied, so the corpus the fuzzer grows stays in WORK-DIR.
set -u
src=${1:?usage: run-fuzz.sh SOURCE-ROOT WORK-DIR [SECONDS]}
work=${2:?usage: run-fuzz.sh SOURCE-ROOT WORK-DIR [SECONDS]}
seconds=${3:-${CPROF_FUZZ_SECONDS:-60}}
cc=${CPROF_FUZZ_CC:-}
if [ -z "$cc" ]; then
    for c in clang clang-14 clang-15 clang-16; do
        command -v "$c" > /dev/null 2>&1 && { cc=$c; break; }
    done
fi
[ -n "$cc" ] || { echo "SKIP: no clang (apt-get install clang libclang-rt-14-dev)"; exit 77; }
mkdir -p "$work/corpus" || exit 2
flags="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
probe=$work/probe.c
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; return (int)(n & 0); }' > "$probe"
# shellcheck disable=SC2086
if ! "$cc" $flags -o "$work/probe" "$probe" > "$work/probe.log" 2>&1; then
    echo "SKIP: $cc cannot link -fsanitize=fuzzer (apt-get install libclang-rt-14-dev)"
    exit 77
fi
sources=$(ls "$src"/analyze/*.c | grep -v '/main\.c$')
# shellcheck disable=SC2086
"$cc" $flags -std=gnu11 -I"$src/analyze" -DCPROF_VERSION='"fuzz"' -o "$work/fuzz-profile" \
    "$src/tests/fuzz/fuzz-profile.c" $sources -lcjson -lz -lm || { echo "FAIL: cannot build the fuzz target"; exit 1; }
cp "$src"/tests/fuzz/corpus/* "$work/corpus/"
rm -f "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*
echo "fuzzing for $seconds s with $cc"
cd "$work" || exit 2
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
    ./fuzz-profile -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -dict="$src/tests/fuzz/profile.dict" -print_final_stats=1 corpus > fuzz.log 2>&1
rc=$?
tail -n 15 fuzz.log
if [ "$rc" -ne 0 ]; then
    echo "FAIL: the fuzzer stopped with status $rc; reproducers: $(ls "$work" | grep -E '^(crash|leak|timeout|oom)-' | tr '\n' ' ')"
    exit 1
fi
grep -q '^stat::number_of_executed_units' fuzz.log || { echo "FAIL: the fuzzer did not run"; exit 1; }
echo "PASS: $(grep '^stat::number_of_executed_units' fuzz.log | awk '{ print $2 }') inputs in $seconds s, no crash"
exit 0
