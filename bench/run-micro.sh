#!/bin/sh
# run-micro.sh: interleaved A/B timing of the micro-benchmarks, as ratios to plain -O2.
# Variants: plain; cprof built in but CPROF unset (disabled); CPROF=1 (counts + timing);
# counts only (-fplugin-arg-cprof-no-timing, CPROF=1). Each round runs every variant once, in
# order, so noise hits all alike; the table gives the median of the per-round ratios and an
# order-statistic 95% confidence interval of that median. With --callgrind, also the
# instruction-count ratio (deterministic) of each variant.
# usage: run-micro.sh PLUGIN RUNTIME_DIR [--rounds N] [--callgrind] [workload...]
set -eu
plugin=$1 rtdir=$2; shift 2
rounds=11 callgrind=0 workloads=""
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --callgrind) callgrind=1; shift ;;
    *) workloads="$workloads $1"; shift ;;
  esac
done
[ -n "$workloads" ] || workloads="calls loops branches allocs threads1 threads8"
src=$(cd "$(dirname "$0")" && pwd)/micro.c
work=$(mktemp -d "${TMPDIR:-/tmp}/cprof-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

gcc -O2 -pthread "$src" -o "$work/plain"
gcc -O2 -pthread -fplugin="$plugin" "$src" -o "$work/cprof" -L"$rtdir" -lcprofrt -Wl,-rpath,"$rtdir"
gcc -O2 -pthread -fplugin="$plugin" -fplugin-arg-cprof-no-timing "$src" -o "$work/counts" \
  -L"$rtdir" -lcprofrt -Wl,-rpath,"$rtdir"

now_ns () { date +%s%N; }
run_variant () { # VARIANT WORKLOAD -> elapsed ns on stdout
  case $1 in
    plain) bin=plain env="-u CPROF" ;;
    disabled) bin=cprof env="-u CPROF" ;;
    enabled) bin=cprof env="CPROF=1" ;;
    counts) bin=counts env="CPROF=1" ;;
  esac
  t0=$(now_ns)
  # shellcheck disable=SC2086
  (cd "$work" && env $env CPROF_OUTPUT="$work/p.json" "./$bin" "$2" >"$work/out.$1")
  t1=$(now_ns)
  echo $((t1 - t0))
}

variants="plain disabled enabled counts"
printf '%-10s %-9s %10s %8s %18s\n' workload variant "median ms" ratio "95% CI of ratio"
for w in $workloads; do
  : >"$work/times"
  r=1
  while [ $r -le "$rounds" ]; do
    for v in $variants; do echo "$v $(run_variant "$v" "$w")" >>"$work/times"; done
    for v in disabled enabled counts; do
      cmp -s "$work/out.plain" "$work/out.$v" || { echo "run-micro: $w/$v printed a different result" >&2; exit 1; }
    done
    r=$((r + 1))
  done
  for v in $variants; do
    awk -v v="$v" -v w="$w" -v n="$rounds" '
      $1 == "plain" { p[++np] = $2 }
      $1 == v { t[++nt] = $2 }
      END {
        for (i = 1; i <= n; i++) { ratio[i] = t[i] / p[i]; tt[i] = t[i] }
        # insertion sorts (n is small)
        for (i = 2; i <= n; i++) for (j = i; j > 1 && ratio[j-1] > ratio[j]; j--) { x = ratio[j]; ratio[j] = ratio[j-1]; ratio[j-1] = x }
        for (i = 2; i <= n; i++) for (j = i; j > 1 && tt[j-1] > tt[j]; j--) { x = tt[j]; tt[j] = tt[j-1]; tt[j-1] = x }
        med = (n % 2) ? ratio[(n+1)/2] : (ratio[n/2] + ratio[n/2+1]) / 2
        mt = (n % 2) ? tt[(n+1)/2] : (tt[n/2] + tt[n/2+1]) / 2
        h = 1.96 * sqrt(n) / 2; lo = int(n/2 - h); hi = int(n/2 + h + 1.999)
        if (lo < 1) lo = 1; if (hi > n) hi = n
        printf "%-10s %-9s %10.1f %8.3f    [%.3f, %.3f]\n", w, v, mt / 1e6, med, ratio[lo], ratio[hi]
      }' "$work/times"
  done
  if [ "$callgrind" = 1 ] && command -v valgrind >/dev/null; then
    for v in $variants; do
      case $v in plain) bin=plain env="-u CPROF" ;; disabled) bin=cprof env="-u CPROF" ;;
                 enabled) bin=cprof env="CPROF=1" ;; counts) bin=counts env="CPROF=1" ;; esac
      # shellcheck disable=SC2086
      (cd "$work" && env $env CPROF_OUTPUT="$work/p.json" valgrind --tool=callgrind \
         --callgrind-out-file="$work/cg.$v" "./$bin" "$w" 0 >/dev/null 2>"$work/cg.err.$v")
      grep -o 'Collected : [0-9]*' "$work/cg.err.$v" | awk -v v="$v" '{print v, $3}' >>"$work/ir.$w" || true
      grep '^summary:' "$work/cg.$v" | awk -v v="$v" '{print v, $2}' >>"$work/ir.$w"
    done
    awk -v w="$w" '$1 == "plain" { p = $2 } { ir[$1] = $2 }
      END { for (v in ir) if (v != "plain") printf "%-10s %-9s Ir ratio %.3f\n", w, v, ir[v] / p }' "$work/ir.$w"
  fi
done
