#!/bin/bash
# test-analyze.sh: drives cprof-analyze and validate-profile.sh over the sample profiles in data/.
# Usage: test-analyze.sh cli|bad-input|report ANALYZER DATA_DIR
#        test-analyze.sh schema VALIDATOR SCHEMA DATA_DIR
# Prints one line per failed assertion and exits 1 if any failed.
set -u
export LC_ALL=C.UTF-8
unset NO_COLOR

. "$(cd "$(dirname "$0")" && pwd)/assert.sh"

# section FILE TITLE-PREFIX: the lines of one report section (after its "== title" line).
section() {
    awk -v t="== $2" 'index($0, t) == 1 { on = 1; next } /^== / { on = 0 } on && NF' "$1"
}

# one_error_line FILE: a usage or input error is exactly one line naming the file.
one_error_line() { # PATH WHAT
    local lines
    lines=$(wc -l <"$err")
    if [ "$lines" -eq 1 ] && head -n1 "$err" | grep -qF -- "cprof-analyze: $1: "; then ok
    else fail "$2: stderr should be one line 'cprof-analyze: $1: …', got $lines line(s): $(head -c 300 "$err")"; fi
    if [ -s "$out" ]; then fail "$2: wrote to stdout on error"; else ok; fi
}

test_cli() {
    run --help;            expect_rc 0 "--help"; contains "$out" "usage: cprof-analyze [--top N] [--no-color] profile.json" "--help"
    run -h;                expect_rc 0 "-h"
    run --version;         expect_rc 0 "--version"; matches "$out" '^cprof-analyze [0-9]+\.[0-9]+' "--version"
    run;                   expect_rc 2 "no argument"; contains "$err" "usage: cprof-analyze" "no argument"
    run --bogus "$data/realistic.json"; expect_rc 2 "unknown option"; contains "$err" "unknown option '--bogus'" "unknown option"
    for n in 0 -1 x 10x 99999999999999999999 ""; do
        run --top "$n" "$data/realistic.json"; expect_rc 2 "--top '$n'"; contains "$err" "usage:" "--top '$n'"
    done
    run "$data/realistic.json" --top; expect_rc 2 "--top without N"
    run "$data/realistic.json" "$data/recursion.json"; expect_rc 2 "two profiles"
    run --top=3 "$data/realistic.json"; expect_rc 0 "--top=3"
    run --top 3 --no-color -- "$data/realistic.json"; expect_rc 0 "-- before the profile"

    run /nonexistent/dir/p.json; expect_rc 2 "missing file"; one_error_line /nonexistent/dir/p.json "missing file"
    contains "$err" "No such file or directory" "missing file"
    run "$data"; expect_rc 2 "directory"; one_error_line "$data" "directory"

    if [ -w /dev/full ]; then
        "$analyzer" "$data/realistic.json" >/dev/full 2>"$tmp/err"; rc=$?
        expect_rc 2 "write error"; contains "$tmp/err" "cannot write the report" "write error"
    fi

    # Colour: only on a terminal, never with NO_COLOR or --no-color. script(1) provides the terminal.
    if command -v script >/dev/null 2>&1; then
        local cmd="'$analyzer' '$data/realistic.json'"
        script -qec "$cmd" /dev/null >"$tmp/tty" 2>&1 </dev/null
        if grep -q $'\033\\[' "$tmp/tty"; then ok; else fail "colour: no ANSI escapes on a terminal"; fi
        NO_COLOR=1 script -qec "$cmd" /dev/null >"$tmp/tty" 2>&1 </dev/null
        if grep -q $'\033\\[' "$tmp/tty"; then fail "colour: ANSI escapes with NO_COLOR set"; else ok; fi
        script -qec "$cmd --no-color" /dev/null >"$tmp/tty" 2>&1 </dev/null
        if grep -q $'\033\\[' "$tmp/tty"; then fail "colour: ANSI escapes with --no-color"; else ok; fi
    else
        echo "SKIP: colour on a terminal (no script(1))"
    fi
}

test_bad_input() {
    local n=0 f
    for f in "$data"/bad-*.json; do
        [ -e "$f" ] || continue
        n=$((n + 1))
        run "$f"; expect_rc 2 "$(basename "$f")"; one_error_line "$f" "$(basename "$f")"
    done
    [ "$n" -ge 20 ] && ok || fail "expected at least 20 bad-*.json samples, found $n"

    printf '{"version": "1.0", "tool": "cprof"}\0{}' >"$tmp/nul.json"
    run "$tmp/nul.json"; expect_rc 2 "NUL byte"; one_error_line "$tmp/nul.json" "NUL byte"
    printf '\n\n  \n' >"$tmp/blank.json"
    run "$tmp/blank.json"; expect_rc 2 "blank file"; one_error_line "$tmp/blank.json" "blank file"
    awk 'BEGIN { for (i = 0; i < 100000; i++) printf "["; }' >"$tmp/deep.json"
    run "$tmp/deep.json"; expect_rc 2 "deep nesting"; one_error_line "$tmp/deep.json" "deep nesting"
    printf '{"version":"1.0","tool":"cprof"}' >"$tmp/bad
name.json"
    run "$tmp/bad
name.json"; expect_rc 0 "newline in the file name"

    # The problem is named precisely.
    run "$data/bad-truncated.json";      contains "$err" "unexpected end of input" "truncated"
    run "$data/bad-not-json.json";       contains "$err" "invalid JSON at line 1, column 1" "not JSON"
    run "$data/bad-version-2.json";      contains "$err" 'unsupported profile version "2.0"' "version 2"
    run "$data/bad-tool.json";           contains "$err" 'not a cprof profile: "tool" is "perf"' "tool"
    run "$data/bad-empty-object.json";   contains "$err" '"tool" is missing' "empty object"
    run "$data/bad-calls-string.json";   contains "$err" 'functions[0]: "calls" must be a non-negative integer, not a string' "calls string"
    run "$data/bad-dangling-callee.json"; contains "$err" 'call_graph[3]: "callee_id" 66 names no function' "dangling id"
}

test_report() {
    local r="$data/realistic.json"
    run "$r"; expect_rc 0 "realistic"
    if [ -s "$err" ]; then fail "realistic: stderr not empty: $(head -c 300 "$err")"; else ok; fi
    if grep -q $'\033' "$out"; then fail "ANSI escapes in piped output"; else ok; fi
    cp "$out" "$tmp/realistic.txt"
    local rep="$tmp/realistic.txt"
    # The whole report, except its first line, which names the profile's path.
    if diff -u <(tail -n +2 "$data/realistic.expected") <(tail -n +2 "$rep") >"$tmp/diff"; then ok
    else fail "realistic report differs from data/realistic.expected:"; head -n 40 "$tmp/diff"; fi

    # Run summary.
    matches "$rep" '^  pid +1234$' "summary pid"
    matches "$rep" "^  command line +\./app 10 'two words'$" "summary command line"
    matches "$rep" '^  timestamp +2025-11-22T04:40:00Z$' "summary timestamp"
    matches "$rep" '^  wall time +123 ms' "summary wall time"
    matches "$rep" '^  threads +2$' "summary threads"
    matches "$rep" '^  timed calls +204$' "summary timed calls"
    matches "$rep" '^  overhead +6\.32 µs \(0\.005122% ' "summary overhead"

    # Functions: ordered by self time; exact counts; inlined markers.
    section "$rep" "Top functions by self time" >"$tmp/fn"
    matches "$tmp/fn" '5\.00 µs +<0\.01% +5\.00 µs +<0\.01% +177 +177 +28 ns +10 ns +4\.00 µs +low +fib +app\.c:3$' "fib line"
    matches "$tmp/fn" ' 1000 +0 +- +- +- +- +square \[inlined\]' "square inlined"
    matches "$tmp/fn" ' 20 +12 .*helper \[partly inlined\]' "helper partly inlined"
    lacks "$tmp/fn" "unused" "function that never ran"
    contains "$tmp/fn" "1 instrumented function never ran." "never-ran note"
    if [ "$(sed -E 's/ +app\.c:[0-9]+$//; s/ \[(partly )?inlined\]$//; s/.* //' "$tmp/fn" | grep -xE 'main|worker_main|classify|helper|callback|fib|square' | tr '\n' ' ')" \
         = "main worker_main classify helper callback fib square " ]; then ok
    else fail "functions not ordered by self time"; cat "$tmp/fn"; fi

    # Functions by inclusive time, whatever --sort says: main, then worker_main (3.00 ms) before
    # classify (200 µs), though square (1000 calls) would lead by calls.
    section "$rep" "Top functions by inclusive time" >"$tmp/incl"
    matches "$tmp/incl" '^ +2\.80 ms +2\.27% +3\.00 ms +2\.43% +1 +1 +3\.00 ms +3\.00 ms +3\.00 ms +low +worker_main +app\.c:36$' "inclusive list: worker_main"
    if [ "$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^(main|worker_main|classify|helper|callback|fib|square)$/) print $i }' "$tmp/incl" | tr '\n' ' ')" \
         = "main worker_main classify helper callback fib square " ]; then ok
    else fail "functions not ordered by inclusive time"; cat "$tmp/incl"; fi
    lacks "$tmp/incl" "never ran" "footnotes only under the first list"
    run --no-color --sort total "$r"; expect_rc 0 "--sort total"
    section "$out" "Top functions by self time" >"$tmp/self2"
    section "$out" "Top functions by inclusive time" >"$tmp/incl2"
    if [ -s "$tmp/self2" ] && [ -s "$tmp/incl2" ]; then ok; else fail "--sort total: both function lists expected"; fi

    # Files: the 7 functions that ran in app.c, their self times and calls summed, and the
    # iterations of its loops (1000 + 1000 + 10).
    section "$rep" "Files" >"$tmp/files"
    matches "$tmp/files" '^ +123 ms +99\.6% +1212 +7 +2010  app\.c$' "files: app.c summed"

    # Call tree.
    section "$rep" "Call tree" >"$tmp/tree"
    matches "$tmp/tree" '^  main  1 call  120 ms$' "tree root main"
    matches "$tmp/tree" '^  ├─ helper  20 calls  24\.0 µs$' "tree helper first (most time)"
    matches "$tmp/tree" '^  ├─ callback  3 calls  9\.00 µs  \(indirect\)$' "tree indirect callback"
    matches "$tmp/tree" '^  └─ fib  1 call  5\.00 µs$' "tree fib"
    matches "$tmp/tree" '^     └─ fib  176 calls  4\.90 µs  \(recursive\)$' "tree fib folded"
    matches "$tmp/tree" '^  └─ square  1000 calls  inlined$' "tree inlined callee"
    lacks "$tmp/tree" "unused" "tree edge that never ran"

    # Loops.
    section "$rep" "Hottest loops" >"$tmp/loops"
    matches "$tmp/loops" '^ +1000 +1 +1000\.0 +1 +critical  app\.c:12 +main$' "loop app.c:12"
    matches "$tmp/loops" '^ +1000 +10 +100\.0 +2 +critical  app\.c:42 +worker_main$' "loop app.c:42"
    contains "$tmp/loops" "1 loop never ran." "loop never ran"

    # Branches: 50/50 among least predictable, not among most biased.
    section "$rep" "Most biased" >"$tmp/biased"
    section "$rep" "Least predictable" >"$tmp/coin"
    matches "$tmp/coin" '^ +1000 +500 +500 +50\.0% +50\.0% +critical  app\.c:13 +main$' "50/50 branch least predictable"
    matches "$tmp/coin" 'app\.c:5 +fib$' "fib branch least predictable"
    lacks "$tmp/biased" "app.c:13" "50/50 branch among biased"
    matches "$tmp/biased" '^ +1001 +1000 +1 +99\.9% +99\.9% +critical  app\.c:12 +main$' "loop branch most biased"
    if [ "$(grep -c 'app\.c' "$tmp/biased")" -eq 3 ]; then ok; else fail "expected 3 biased branches"; fi
    contains "$tmp/coin" "2 branches ran fewer than 10 times." "rare branches"

    # Switches: per-case counts and shares, most frequent first.
    section "$rep" "Switch statements" >"$tmp/sw"
    matches "$tmp/sw" '^  app\.c:20 in classify: 10 executions$' "switch header"
    if [ "$(grep -E '^ +[0-9]+ +[0-9.]+%  ' "$tmp/sw" | awk '{ print $1 "/" $2 "/" $3 }' | tr '\n' ' ')" \
         = "5/50.0%/default 3/30.0%/0 2/20.0%/3...5 " ]; then ok
    else fail "switch cases"; cat "$tmp/sw"; fi
    contains "$tmp/sw" "1 switch never ran." "switch never ran"

    # --top 1 limits every list.
    run --top 1 "$r"; expect_rc 0 "--top 1"
    local s rows
    for s in "Threads" "Top functions by self time" "Top functions by inclusive time" "Files" "Hottest loops" "Most biased" "Least predictable"; do
        rows=$(section "$out" "$s" | grep -vE 'never ran|fewer than' | grep -cE '^ +[0-9-]')
        if [ "$rows" -eq 1 ]; then ok; else fail "--top 1: $rows rows in '$s'"; fi
    done
    section "$out" "Top functions by self time" | grep -qF "… 6 more functions" && ok || fail "--top 1: no '… 6 more functions'"
    section "$out" "Hottest loops" | grep -qF "… 2 more loops" && ok || fail "--top 1: no '… 2 more loops'"
    section "$out" "Switch statements" >"$tmp/sw1"
    contains "$tmp/sw1" "… 2 more cases (5 executions)" "--top 1 switch cases"
    section "$out" "Call tree" >"$tmp/tree1"
    contains "$tmp/tree1" "… 2 more callees" "--top 1 tree children"
    contains "$tmp/tree1" "… 1 more root" "--top 1 tree roots"
    if [ "$(grep -c '─' "$tmp/tree1")" -eq 2 ]; then ok; else fail "--top 1: tree"; cat "$tmp/tree1"; fi

    # Recursion: folded where it recurs, shared subtrees expanded once, unreached cycles shown.
    run "$data/recursion.json"; expect_rc 0 "recursion"
    section "$out" "Call tree" >"$tmp/rtree"
    matches "$tmp/rtree" '^  │  └─ walk  14 calls  280 µs  \(recursive\)$' "walk folded"
    if [ "$(grep -c 'walk' "$tmp/rtree")" -eq 2 ]; then ok; else fail "walk should appear exactly twice"; fi
    matches "$tmp/rtree" '^        └─ is_even  10 calls  80\.0 µs  \(recursive\)$' "mutual recursion folded"
    matches "$tmp/rtree" '^  │  └─ c  1 call  50\.0 µs  \(see above\)$' "shared subtree folded"
    if [ "$(grep -c ' d  ' "$tmp/rtree")" -eq 1 ]; then ok; else fail "d should be printed once"; fi
    matches "$tmp/rtree" '^  ping  4 calls  8\.00 µs  \(cycle entered from uninstrumented code\)$' "unreached cycle root"
    matches "$tmp/rtree" '^     └─ ping  3 calls  3\.00 µs  \(recursive\)$' "unreached cycle folded"

    # A call chain deeper than the tree's depth limit is cut, not printed in full.
    awk 'BEGIN {
        printf "{\"version\": \"1.0\", \"tool\": \"cprof\", \"functions\": ["
        for (i = 0; i < 40; i++) printf "%s{\"id\": %d, \"name\": \"f%d\", \"calls\": 1}", i ? "," : "", i, i
        printf "], \"call_graph\": ["
        for (i = 0; i < 39; i++) printf "%s{\"caller_id\": %d, \"callee_id\": %d, \"calls\": 1}", i ? "," : "", i, i + 1
        print "]}" }' >"$tmp/chain.json"
    run "$tmp/chain.json"; expect_rc 0 "deep call chain"
    section "$out" "Call tree" >"$tmp/chain"
    contains "$tmp/chain" "└─ … deeper calls not shown" "depth limit"
    matches "$tmp/chain" '└─ f23  1 call  inlined$' "chain down to the limit (24 levels)"
    lacks "$tmp/chain" "f24" "chain beyond the limit"

    # Unknown fields and a newer minor version are accepted; absent arrays are empty.
    run "$data/minimal-future.json"; expect_rc 0 "minor version 1.9 with unknown fields"
    contains "$out" "(no loop ran)" "absent loops"
    matches "$out" '^  main  1 call  2\.00 µs$' "minimal tree"

    # Profile text cannot drive the terminal.
    sed 's/"name": "fib"/"name": "\\u001b[31mfib\\u0007"/' "$r" >"$tmp/esc.json"
    run --no-color "$tmp/esc.json"; expect_rc 0 "escape in a name"
    if grep -q $'\033' "$out"; then fail "control characters from the profile reach the terminal"; else ok; fi
    contains "$out" "?[31mfib?" "control characters replaced"
}

test_schema() {
    local f rc name
    "$validator" "$schema" "$data/realistic.json" "$data/recursion.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
    [ "$rc" -eq 0 ] && ok || fail "good samples rejected by the schema: $(head -c 600 "$tmp/err")"

    "$validator" "$schema" "$data/schema-violations.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
    [ "$rc" -eq 1 ] && ok || fail "schema-violations.json: exit $rc, expected 1"
    contains "$tmp/err" "'threads' is a required property" "schema: missing array"
    contains "$tmp/err" "functions[0].timing" "schema: timing not_run with calls > 0"
    contains "$tmp/err" "version: '1.9' is not one of ['1.0', '1.1', '1.2', '1.3', '1.4']" "schema: version"

    # Every malformed sample the schema can express must fail (ids and references it cannot check).
    for f in "$data"/bad-*.json "$data/minimal-future.json"; do
        name=$(basename "$f")
        case "$name" in bad-dangling-callee.json|bad-duplicate-id.json) continue ;; esac
        "$validator" "$schema" "$f" >"$tmp/out" 2>"$tmp/err"; rc=$?
        if [ "$rc" -eq 1 ] && grep -qF "$name" "$tmp/err"; then ok
        else fail "schema accepted $name (exit $rc)"; fi
    done

    # One bad profile among good ones fails the whole run.
    "$validator" "$schema" "$data/realistic.json" "$data/bad-tool.json" >/dev/null 2>&1; rc=$?
    [ "$rc" -eq 1 ] && ok || fail "mixed good and bad: exit $rc"

    "$validator" >/dev/null 2>&1; rc=$?
    [ "$rc" -eq 2 ] && ok || fail "validator without arguments: exit $rc"
    echo '{"type": 5}' >"$tmp/broken-schema.json"
    "$validator" "$tmp/broken-schema.json" "$data/realistic.json" >/dev/null 2>&1; rc=$?
    [ "$rc" -eq 2 ] && ok || fail "broken schema: exit $rc"
}

group=${1:-}
case "$group" in
    cli|bad-input|report)
        [ $# -eq 3 ] || { echo "usage: $0 $group ANALYZER DATA_DIR" >&2; exit 2; }
        analyzer=$2 data=$3 ;;
    schema)
        [ $# -eq 4 ] || { echo "usage: $0 schema VALIDATOR SCHEMA DATA_DIR" >&2; exit 2; }
        validator=$2 schema=$3 data=$4 ;;
    *) echo "usage: $0 cli|bad-input|report|schema ..." >&2; exit 2 ;;
esac
case "$group" in
    cli) test_cli ;;
    bad-input) test_bad_input ;;
    report) test_report ;;
    schema) test_schema ;;
esac
echo "$group: $checked passed, $failed failed"
[ "$failed" -eq 0 ]
