# assert.sh: the assertion helpers shared by the analyzer's test scripts (sourced, not run).
# Sets failed/checked and a temporary directory $tmp removed at exit; run() calls $analyzer.
failed=0 checked=0
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
ok() { checked=$((checked + 1)); }

# run ARGS...: runs the analyzer; sets rc, out (stdout file), err (stderr file).
run() {
    "$analyzer" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    out="$tmp/out" err="$tmp/err"
}

expect_rc() { # WANT WHAT
    if [ "$rc" -eq "$1" ]; then ok; else fail "$2: exit status $rc, expected $1 (stderr: $(head -c 300 "$err"))"; fi
}

# contains / lacks / matches FILE PATTERN WHAT
contains() { if grep -qF -- "$2" "$1"; then ok; else fail "$3: no '$2' in output"; fi; }
lacks() { if grep -qF -- "$2" "$1"; then fail "$3: unexpected '$2' in output"; else ok; fi; }
matches() { if grep -qE -- "$2" "$1"; then ok; else fail "$3: no line matches /$2/"; fi; }
