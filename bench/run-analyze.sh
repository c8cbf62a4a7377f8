#!/bin/sh
# run-analyze.sh: times cprof-analyze on a generated ~50 MB profile of 100k functions (median wall
# time of several runs, peak RSS), for the text report, for --json, and for the report of the same
# profile whose call graph names functions without ids.
# Usage: run-analyze.sh CPROF-ANALYZE [--runs N] [--functions N] [--keep DIR] [--timeout SECONDS]
# A run that takes longer than the timeout (default 120 s) is stopped, and its measurement reported
# as over the timeout.
# Targets (issue "cprof-analyze"): under 2 s, and peak RSS under 10x the file size. Prints one line
# per measurement and "target met" / "target MISSED"; exit 0 either way (benchmarks assert nothing),
# 2 on a usage error or when a tool is missing.
set -eu
PYTHON=/usr/bin/python3
analyze=${1:?usage: run-analyze.sh CPROF-ANALYZE [--runs N] [--functions N] [--keep DIR]}
shift
runs=5 functions=100000 keep= limit=120
while [ $# -gt 0 ]; do
    case $1 in
    --runs) runs=$2; shift 2 ;;
    --functions) functions=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    --timeout) limit=$2; shift 2 ;;
    *) echo "run-analyze.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
for tool in "$PYTHON" /usr/bin/time; do
    [ -x "$tool" ] || { echo "run-analyze.sh: $tool is needed" >&2; exit 2; }
done
here=$(cd "$(dirname "$0")" && pwd)
dir=${keep:-$(mktemp -d)}
mkdir -p "$dir"
[ -n "$keep" ] || trap 'rm -rf "$dir"' EXIT

profile=$dir/big.json
"$PYTHON" "$here/gen-profile.py" "$profile" "$functions"
bytes=$(wc -c < "$profile")
echo "profile: $functions functions, $bytes bytes ($(awk -v b="$bytes" 'BEGIN { printf "%.1f MB", b / 1e6 }'))"
echo "machine: $(nproc) CPUs, $(awk '/model name/ { sub(/.*: /, ""); print; exit }' /proc/cpuinfo)"

# measure LABEL ARGS...: median wall seconds and the largest peak RSS over $runs runs.
measure() {
    label=$1
    shift
    : > "$dir/times"
    i=0
    while [ "$i" -lt "$runs" ]; do
        # timeout inside time: time's rusage covers the analyzer, and a stopped run leaves nothing behind.
        if ! /usr/bin/time -f '%e %M' -o "$dir/one" timeout "$limit" "$analyze" "$@" "$profile" > /dev/null; then
            printf '%-12s over the %s s timeout: target MISSED\n' "$label" "$limit"
            return 0
        fi
        cat "$dir/one" >> "$dir/times"
        i=$((i + 1))
    done
    sort -n "$dir/times" | awk -v label="$label" -v bytes="$bytes" -v runs="$runs" '
        { t[NR] = $1; if ($2 > rss) rss = $2 }
        END {
            med = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
            ratio = rss * 1024 / bytes
            printf "%-12s median %.2f s of %d runs (min %.2f, max %.2f), peak RSS %.0f MB = %.1fx the file: %s\n",
                label, med, runs, t[1], t[NR], rss / 1024, ratio,
                (med < 2 && ratio < 10) ? "target met" : "target MISSED"
        }'
}
measure "report" --no-color
measure "--json" --json
# The same call graph by names only (as older or hand-made profiles give it): each edge is then
# resolved by name, which used to be a scan of all functions per edge.
sed -E 's/,"caller_id":[0-9]+,"callee_id":[0-9]+//' "$dir/big.json" > "$dir/names.json"
profile=$dir/names.json
bytes=$(wc -c < "$profile")
measure "names-only" --no-color
