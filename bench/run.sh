#!/bin/bash
# run.sh: cprof's overhead on real programs (Lua, SQLite speedtest1, zlib), against the usual anchors.
#
# usage: bench/run.sh PLUGIN RUNTIME_DIR [--quick] [--runs N] [--uftrace-runs N] [--no-callgrind]
#                     [--workloads "lua sqlite zlib"] [--variants "plain cprof counts ..."] [--output FILE]
#
#  * Sources come from Debian source packages (scripts/fetch-debian-source.sh), cached in
#    $CPROF_BENCH_CACHE (default ~/.cache/cprof/bench); nothing third-party is ever committed.
#    SQLite's amalgamation is generated once (`./configure --disable-tcl && make sqlite3.c`), which needs
#    tclsh: as root the script installs the `tcl` package when it is missing, otherwise it stops and says so.
#    As root it also installs uftrace and valgrind when they are missing; otherwise their columns are skipped.
#  * Every C file of each workload is built in each variant: plain -O2; cprof (disabled: CPROF unset;
#    default: CPROF=1; every call timed: CPROF=1 CPROF_MIN_TIME=0; skip-leaves: -fplugin-arg-cprof-skip-leaves,
#    CPROF=1; CPROF_SAMPLE=100 on the default build; counts only: -fplugin-arg-cprof-no-timing); -finstrument-functions with empty hooks;
#    -pg; -fprofile-arcs; -fprofile-arcs -fprofile-update=atomic; and `uftrace record` of the -pg build.
#  * Each round runs every variant once (the starting variant rotates every round), so slow phases of a
#    noisy machine hit all variants alike. The table gives, per variant, the median of the per-round ratios
#    to plain -O2 and an order-statistic 95% confidence interval of that median. Every run's output is
#    compared with plain -O2's: a wrong result stops the benchmark.
#  * callgrind instruction counts (one run per variant, smaller input) are the noise-free measure. Runs
#    with CPROF=1 under valgrind get CPROF_MIN_TIME scaled by valgrind's measured slowdown of plain -O2.
#  * Also (not with --quick): compile time of sqlite3.c with the plugin, gcov, single-body and the plugin's
#    two bodies with no sites but entries, against plain -O2; size of the JSON profile and the time to
#    write it at exit (Lua, SQLite).
#  * Writes bench/RESULTS.md (or --output FILE) and prints the tables.
set -eu

me=run.sh
die() { printf '%s: error: %s\n' "$me" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "$me" "$*" >&2; }

usage() { sed -n '3,5p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 2 ] || usage
plugin=$1 rtdir=$2
shift 2
[ -f "$plugin" ] || die "plugin '$plugin' not found (build it: meson setup B && meson compile -C B; use B/plugin/cprof.so)"
[ -d "$rtdir" ] && ls "$rtdir"/libcprofrt.so >/dev/null 2>&1 || die "no libcprofrt.so in '$rtdir'"
plugin=$(realpath "$plugin")
rtdir=$(realpath "$rtdir")

bench=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench")
runs=30 uf_runs=5 callgrind=1 workloads="lua sqlite zlib" quick=0 only_variants=""
output=$bench/RESULTS.md
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1; runs=5; shift ;;
    --runs) runs=$2; shift 2 ;;
    --uftrace-runs) uf_runs=$2; shift 2 ;;
    --no-callgrind) callgrind=0; shift ;;
    --workloads) workloads=$2; shift 2 ;;
    --output) output=$2; shift 2 ;;
    --variants) only_variants=$2; shift 2 ;;
    *) usage ;;
  esac
done
has_workload() { case " $workloads " in *" $1 "*) return 0 ;; esac; return 1; }
case $runs in ''|*[!0-9]*) die "--runs wants a number" ;; esac
[ "$runs" -ge 3 ] || die "--runs must be at least 3"
[ "$uf_runs" -le "$runs" ] || uf_runs=$runs

# Input sizes: timed runs take about 1-2 s each with plain -O2; callgrind runs use smaller inputs.
LUA_SCALE=${LUA_SCALE:-70}   LUA_SCALE_CG=${LUA_SCALE_CG:-4}
SQL_SIZE=${SQL_SIZE:-60}     SQL_SIZE_CG=${SQL_SIZE_CG:-5}
ZLIB_MB=${ZLIB_MB:-50}       ZLIB_MB_CG=${ZLIB_MB_CG:-3}

cache=${CPROF_BENCH_CACHE:-${HOME:?set HOME or CPROF_BENCH_CACHE}/.cache/cprof/bench}
mkdir -p "$cache/src"
work=$(mktemp -d "${TMPDIR:-/tmp}/cprof-bench.XXXXXX")
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
jobs=$(nproc 2>/dev/null || echo 2)
# uftrace writes about 200 MB per second of traced Lua: keep it in memory when /dev/shm exists.
ufdata=$work/uftrace.data
[ -d /dev/shm ] && [ -w /dev/shm ] && ufdata=/dev/shm/cprof-bench-uftrace.$$
cleanup() { rm -rf "$work" "$ufdata"; }

for tool in gcc awk realpath; do command -v $tool >/dev/null || die "'$tool' is required"; done
# as root, a missing tool is installed (Debian's packages); otherwise what needs it is skipped
want_tool() { # COMMAND PACKAGE -> 0 when COMMAND is there now
  command -v "$1" >/dev/null && return 0
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || return 1
  note "installing $2"
  apt-get install -y -qq "$2" >/dev/null 2>&1 || { note "apt-get install $2 failed"; return 1; }
  command -v "$1" >/dev/null
}
have_uftrace=0
case " ${only_variants:-uftrace} " in *" uftrace "*) want_tool uftrace uftrace && have_uftrace=1 ;; esac
have_valgrind=0
[ "$callgrind" = 1 ] && want_tool valgrind valgrind && have_valgrind=1
[ "$callgrind" = 1 ] && [ "$have_valgrind" = 0 ] && { note "valgrind not installed: no instruction counts"; callgrind=0; }
[ "$have_uftrace" = 0 ] && [ -z "$only_variants" ] && note "uftrace not installed (apt-get install uftrace): its column is skipped"

# ---- sources --------------------------------------------------------------------------------
fetch() { # PKG -> $cache/src/PKG
  local rc=0
  sh "$root/scripts/fetch-debian-source.sh" "$1" "$cache/src/$1" || rc=$?
  case $rc in
    0) ;;
    77) die "cannot download the '$1' source package without root; run this once as root, or set CPROF_BENCH_CACHE to a filled cache" ;;
    *) die "fetching the '$1' source package failed" ;;
  esac
}
for w in $workloads; do
  case $w in
    lua) fetch lua5.4 ;;
    sqlite) fetch sqlite3 ;;
    zlib) fetch zlib ;;
    *) die "unknown workload '$w' (lua, sqlite, zlib)" ;;
  esac
done

amalg=$cache/sqlite-amalgamation
if has_workload sqlite &&
   ! { [ -f "$amalg/stamp" ] && cmp -s "$amalg/stamp" "$cache/src/sqlite3/.cprof-fetched"; }; then
  want_tool tclsh tcl ||
    die "generating SQLite's amalgamation needs tclsh: run 'apt-get install tcl' as root (or run this script once as root)"
  note "generating sqlite3.c (once; cached in $amalg)"
  cp -r "$cache/src/sqlite3" "$work/sqlite-gen"
  (cd "$work/sqlite-gen" && ./configure --disable-tcl >"$work/sqlite-gen.log" 2>&1 &&
     make -j"$jobs" sqlite3.c >>"$work/sqlite-gen.log" 2>&1) ||
    { tail -20 "$work/sqlite-gen.log" >&2; die "generating sqlite3.c failed (log above)"; }
  rm -rf "$amalg.tmp"; mkdir -p "$amalg.tmp"
  cp "$work/sqlite-gen/sqlite3.c" "$work/sqlite-gen/sqlite3.h" "$work/sqlite-gen/test/speedtest1.c" "$amalg.tmp/"
  cp "$cache/src/sqlite3/.cprof-fetched" "$amalg.tmp/stamp"
  rm -rf "$amalg" "$work/sqlite-gen"; mv "$amalg.tmp" "$amalg"
fi

# Debian's luaconf.h includes a generated header.
mkdir -p "$work/luainc"
echo '#define DEB_HOST_MULTIARCH "x86_64-linux-gnu"' >"$work/luainc/lua5.4-deb-multiarch.h"

sources() { # WORKLOAD -> the C files, one a line
  case $1 in
    lua) ls "$cache/src/lua5.4/src"/*.c | grep -v '/luac\.c$' ;;
    sqlite) printf '%s\n' "$amalg/sqlite3.c" "$amalg/speedtest1.c" ;;
    zlib) for f in adler32 compress crc32 deflate gzclose gzlib gzread gzwrite infback inffast inflate \
                 inftrees trees uncompr zutil; do echo "$cache/src/zlib/$f.c"; done
          echo "$bench/zbench.c" ;;
  esac
}
wl_cflags() {
  case $1 in
    lua) echo "-DLUA_USE_LINUX -I$work/luainc" ;;
    sqlite) echo "-I$amalg" ;;
    zlib) echo "-I$cache/src/zlib -D_LARGEFILE64_SOURCE=1" ;;
  esac
}
wl_libs() { case $1 in lua) echo "-lm -ldl" ;; sqlite) echo "-lpthread -ldl -lm" ;; zlib) echo "" ;; esac; }
wl_bin() { case $1 in lua) echo lua ;; sqlite) echo speedtest1 ;; zlib) echo zbench ;; esac; }
wl_args() { # WORKLOAD [cg] -> arguments
  local l=$LUA_SCALE s=$SQL_SIZE z=$ZLIB_MB
  [ -n "${2:-}" ] && { l=$LUA_SCALE_CG s=$SQL_SIZE_CG z=$ZLIB_MB_CG; }
  case $1 in
    lua) echo "$bench/bench.lua $l" ;;
    sqlite) echo "--memdb --verify --size $s" ;;
    zlib) echo "$z" ;;
  esac
}
# Output with run-dependent parts (speedtest1's per-test times) removed.
normalize() { sed -E 's/ *[0-9]+\.[0-9]+s$//' "$1"; }

# ---- variants -------------------------------------------------------------------------------
variants="plain disabled cprof timeall leaves sample counts finstr pg gcov gcovatomic"
[ "$have_uftrace" = 1 ] && variants="$variants uftrace"
if [ -n "$only_variants" ]; then # a subset (plain is always run: it is the reference)
  keep="plain"
  for v in $variants; do
    case " $only_variants " in *" $v "*) [ "$v" != plain ] && keep="$keep $v" ;; esac
  done
  variants=$keep
  case " $variants " in *" uftrace "*) ;; *) have_uftrace=0 ;; esac # not asked for: no uftrace pairs
fi
label() {
  case $1 in
    plain) echo "plain -O2" ;; disabled) echo "cprof disabled" ;; cprof) echo "cprof default" ;;
    timeall) echo "cprof, every call timed (CPROF_MIN_TIME=0)" ;;
    leaves) echo "cprof skip-leaves" ;; sample) echo "cprof CPROF_SAMPLE=100" ;;
    counts) echo "cprof counts only" ;; finstr) echo "-finstrument-functions (empty hooks)" ;;
    pg) echo "gprof -pg" ;; gcov) echo "gcov -fprofile-arcs" ;; gcovatomic) echo "gcov atomic" ;;
    uftrace) echo "uftrace record (-pg build)" ;;
  esac
}
build_of() { case $1 in cprof|timeall|sample) echo disabled ;; uftrace) echo pg ;; *) echo "$1" ;; esac; }
v_cflags() {
  case $1 in
    plain) echo "-O2" ;;
    disabled) echo "-O2 -fplugin=$plugin" ;;
    counts) echo "-O2 -fplugin=$plugin -fplugin-arg-cprof-no-timing" ;;
    leaves) echo "-O2 -fplugin=$plugin -fplugin-arg-cprof-skip-leaves" ;;
    finstr) echo "-O2 -finstrument-functions" ;;
    pg) echo "-O2 -pg" ;;
    gcov) echo "-O2 -fprofile-arcs" ;;
    gcovatomic) echo "-O2 -fprofile-arcs -fprofile-update=atomic" ;;
  esac
}
v_ldflags() {
  case $1 in
    disabled|counts|leaves) echo "-L$rtdir -lcprofrt -Wl,-rpath,$rtdir" ;;
    finstr) echo "$work/empty-hooks.o" ;;
    pg) echo "-pg" ;;
    gcov|gcovatomic) echo "-fprofile-arcs" ;;
    *) echo "" ;;
  esac
}
builds=""
for b in plain disabled leaves counts finstr pg gcov gcovatomic; do
  for v in $variants; do [ "$(build_of "$v")" = "$b" ] && { builds="$builds $b"; break; }; done
done
gcc -O2 -c "$bench/empty-hooks.c" -o "$work/empty-hooks.o"
gcc -O2 -shared -fPIC "$bench/exit-timer.c" -o "$work/exit-timer.so" -ldl

build() { # WORKLOAD BUILD
  local w=$1 b=$2 d=$work/build/$1/$2
  mkdir -p "$d"
  local t0=$EPOCHREALTIME
  # shellcheck disable=SC2046
  sources "$w" | xargs -P "$jobs" -I{} sh -c \
    'f=$1; shift; o=$(basename "$f" .c).o; exec gcc "$@" -w -c "$f" -o "'"$d"'/$o"' sh {} \
    $(v_cflags "$b") $(wl_cflags "$w") 2>"$d/build.log" ||
    { tail -20 "$d/build.log" >&2; die "building $w ($b) failed"; }
  echo "btime $w $b $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", (b - a) * 1e9 }')" >>"$results"
  # shellcheck disable=SC2046
  gcc "$d"/*.o -o "$d/$(wl_bin "$w")" $(v_ldflags "$b") $(wl_libs "$w") 2>>"$d/build.log" ||
    { tail -20 "$d/build.log" >&2; die "linking $w ($b) failed"; }
}

# ---- running --------------------------------------------------------------------------------
run_cmd() { # WORKLOAD VARIANT [cg|small] -> runs it in $work/run/VARIANT, stdout to $work/out
  # cg: under callgrind, on the smaller input; small: the smaller input, natively.
  local w=$1 v=$2 mode=${3:-} b d bin
  b=$(build_of "$v")
  bin=$work/build/$w/$b/$(wl_bin "$w")
  d=$work/run/$w/$v
  mkdir -p "$d"
  local pre=""
  case $v in
    cprof|counts|leaves) export CPROF=1 CPROF_OUTPUT="$d/profile.json" ;;
    sample) export CPROF=1 CPROF_SAMPLE=100 CPROF_OUTPUT="$d/profile.json" ;;
    timeall) export CPROF=1 CPROF_MIN_TIME=0 CPROF_OUTPUT="$d/profile.json" ;;
    *) unset CPROF CPROF_OUTPUT ;;
  esac
  # Under callgrind every clock reading runs valgrind_slowdown times slower: the CPROF_MIN_TIME
  # cut-off is scaled alike so that the same functions stop being timed as in a native run.
  if [ "$mode" = cg ] && [ "${CPROF:-}" = 1 ] && [ "$v" != timeall ]; then
    export CPROF_MIN_TIME=$((1000 * valgrind_slowdown))
  fi
  [ "$v" = uftrace ] && { rm -rf "$ufdata"; pre="uftrace record --no-libcall -d $ufdata"; }
  [ "$mode" = cg ] && pre="valgrind --tool=callgrind --callgrind-out-file=$d/cg.out"
  # shellcheck disable=SC2046,SC2086
  if ! (cd "$d" && exec $pre "$bin" $(wl_args "$w" $mode) >"$work/out" 2>"$work/err"); then
    unset CPROF CPROF_OUTPUT CPROF_SAMPLE CPROF_SAMPLE_CALLS CPROF_MIN_TIME
    [ "$v" = uftrace ] && { rm -rf "$ufdata"; return 1; }   # the anchor failing is a result, not an error
    # gprof's ITIMER_PROF may kill a -pg program under valgrind while gmon.out is written at exit
    [ "$v" = pg ] && [ "$mode" = cg ] && grep -q 'SIGPROF' "$work/err" && return 1
    tail -20 "$work/err" >&2; die "$w ($v) failed"
  fi
  [ "$v" = uftrace ] && rm -rf "$ufdata"
  unset CPROF CPROF_OUTPUT CPROF_SAMPLE CPROF_SAMPLE_CALLS CPROF_MIN_TIME
}

check_output() { # WORKLOAD VARIANT: compares $work/out with the plain reference
  normalize "$work/out" >"$work/out.norm"
  if ! cmp -s "$work/ref.$1" "$work/out.norm"; then
    diff "$work/ref.$1" "$work/out.norm" | head -20 >&2
    die "$1 ($2) printed a different result from plain -O2: a wrong result never passes as fast"
  fi
}

# Statistics: TIMES file lines "round variant ns". Median of the per-round ratio to plain and an
# order-statistic 95% CI of the median (ranks n/2 -+ 0.98 sqrt(n), the normal approximation to the binomial).
stats() { # TIMESFILE VARIANT -> "n median_ms ratio lo hi"
  awk -v v="$2" '
    $2 == "plain" { p[$1] = $3 }
    $2 == v { t[$1] = $3 }
    END {
      n = 0
      for (r in t) if (r in p) { n++; ratio[n] = t[r] / p[r]; tt[n] = t[r] }
      for (i = 2; i <= n; i++) for (j = i; j > 1 && ratio[j-1] > ratio[j]; j--) { x = ratio[j]; ratio[j] = ratio[j-1]; ratio[j-1] = x }
      for (i = 2; i <= n; i++) for (j = i; j > 1 && tt[j-1] > tt[j]; j--) { x = tt[j]; tt[j] = tt[j-1]; tt[j-1] = x }
      med = (n % 2) ? ratio[(n+1)/2] : (ratio[n/2] + ratio[n/2+1]) / 2
      mt = (n % 2) ? tt[(n+1)/2] : (tt[n/2] + tt[n/2+1]) / 2
      h = 0.98 * sqrt(n); lo = int(n/2 - h); hi = int(n/2 + 1 + h + 0.999)
      if (lo < 1) lo = 1; if (hi > n) hi = n
      printf "%d %.1f %.3f %.3f %.3f\n", n, mt / 1e6, med, ratio[lo], ratio[hi]
    }' "$1"
}

# ---- compile time -----------------------------------------------------------------------------
# sqlite3.c alone, one compile at a time, in interleaved rounds: plain -O2, the plugin's default, gcov,
# and two that say what the plugin's figure is made of: single-body (no plain copy: a test at every
# site) and the two bodies with every kind of site off (entry counts only: the cost of the copy).
results=$work/results; : >"$results"   # lines: KEY WORKLOAD VARIANT VALUE...
ct_variants="plain disabled gcov single entryonly"
ct_cflags() {
  case $1 in
    single) echo "-O2 -fplugin=$plugin -fplugin-arg-cprof-single-body" ;;
    entryonly) echo "-O2 -fplugin=$plugin -fplugin-arg-cprof-no-timing -fplugin-arg-cprof-no-loops" \
                    "-fplugin-arg-cprof-no-branches -fplugin-arg-cprof-no-switches -fplugin-arg-cprof-no-call-sites" ;;
    *) v_cflags "$1" ;;
  esac
}
ct_label() {
  case $1 in
    disabled) echo "-fplugin=cprof (default)" ;; gcov) echo "gcov -fprofile-arcs" ;;
    single) echo "-fplugin=cprof, single-body" ;;
    entryonly) echo "-fplugin=cprof, entry counts only (no-timing, no-loops, no-branches, no-switches, no-call-sites)" ;;
  esac
}
if [ "$quick" = 0 ] && has_workload sqlite; then
  rounds=3
  note "compile time: sqlite3.c, $rounds interleaved round(s) of: $ct_variants"
  for i in $(seq "$rounds"); do
    for v in $ct_variants; do
      t0=$(date +%s%N)
      # shellcheck disable=SC2046
      gcc $(ct_cflags $v) -w -c "$amalg/sqlite3.c" -o "$work/ct.o"
      t1=$(date +%s%N)
      echo "$i $v $((t1 - t0))" >>"$work/ctimes"
    done
  done
  echo "compileplain sqlite $(stats "$work/ctimes" plain)" >>"$results"
  for v in $ct_variants; do
    [ "$v" = plain ] || echo "compile sqlite $v $(stats "$work/ctimes" $v)" >>"$results"
  done
fi

# ---- build, check, time -----------------------------------------------------------------------
for w in $workloads; do
  note "$w: building $(sources "$w" | wc -l) C files in $(echo $builds | wc -w) variants"
  for b in $builds; do build "$w" "$b"; done
  for b in $builds; do
    # .text only: the metadata strings in .rodata are read at exit, never on the hot path
    sz=$(size -A "$work/build/$w/$b/$(wl_bin "$w")" | awk '$1 == ".text" { print $2 }')
    echo "text $w $b $sz" >>"$results"
  done

  run_cmd "$w" plain
  normalize "$work/out" >"$work/ref.$w"
  note "$w: plain output: $(tail -1 "$work/ref.$w")"

  note "$w: $runs interleaved rounds of: $(echo $variants | sed 's/ uftrace//')"
  times=$work/times.$w; : >"$times"
  set -- $variants
  nv=$#
  for r in $(seq "$runs"); do
    # rotate the order every round
    k=$(( (r - 1) % nv )); order=""
    i=0; for v in $variants; do [ $i -ge $k ] && order="$order $v"; i=$((i + 1)); done
    i=0; for v in $variants; do [ $i -lt $k ] && order="$order $v"; i=$((i + 1)); done
    for v in $order; do
      [ "$v" = uftrace ] && continue
      t0=$EPOCHREALTIME
      run_cmd "$w" "$v"
      t1=$EPOCHREALTIME
      check_output "$w" "$v"
      echo "$r $v $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", (b - a) * 1e9 }')" >>"$times"
    done
    printf '.' >&2
  done
  echo >&2
  for v in $variants; do
    [ "$v" = uftrace ] && continue
    echo "time $w $v $(stats "$times" "$v")" >>"$results"
  done

  # uftrace writes its trace at a rate that makes the full input take minutes per run: it is timed on
  # the callgrind (smaller) input, paired with plain -O2 on that same input.
  if [ "$have_uftrace" = 1 ]; then
    note "$w: uftrace record --no-libcall (-pg build), $uf_runs pairs on the smaller input"
    run_cmd "$w" plain small; normalize "$work/out" >"$work/ref.$w.cg"
    uft=$work/times.uf.$w; : >"$uft"; ufok=1
    for r in $(seq "$uf_runs"); do
      t0=$EPOCHREALTIME; run_cmd "$w" plain small; t1=$EPOCHREALTIME
      echo "$r plain $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", (b - a) * 1e9 }')" >>"$uft"
      t0=$EPOCHREALTIME
      if ! run_cmd "$w" uftrace small; then
        note "$w: uftrace failed: $(grep -v '^WARN' "$work/err" | tail -1)"; ufok=0; break
      fi
      t1=$EPOCHREALTIME
      normalize "$work/out" | cmp -s - "$work/ref.$w.cg" || { note "$w: uftrace changed the output"; ufok=0; break; }
      echo "$r uftrace $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", (b - a) * 1e9 }')" >>"$uft"
      printf '.' >&2
    done
    echo >&2
    if [ "$ufok" = 1 ]; then echo "time $w uftrace $(stats "$uft" uftrace)" >>"$results"
    else echo "time $w uftrace failed" >>"$results"; fi
  fi

  if [ "$callgrind" = 1 ]; then
    note "$w: callgrind instruction counts (smaller input)"
    valgrind_slowdown=1   # plain -O2 on the smaller input, natively and under callgrind
    wl_args_save=$LUA_SCALE/$SQL_SIZE/$ZLIB_MB
    LUA_SCALE=$LUA_SCALE_CG SQL_SIZE=$SQL_SIZE_CG ZLIB_MB=$ZLIB_MB_CG
    t0=$EPOCHREALTIME; run_cmd "$w" plain; t1=$EPOCHREALTIME
    IFS=/ read -r LUA_SCALE SQL_SIZE ZLIB_MB <<EOF_ARGS
$wl_args_save
EOF_ARGS
    t2=$EPOCHREALTIME; run_cmd "$w" plain cg; t3=$EPOCHREALTIME
    valgrind_slowdown=$(awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN { s = (d - c) / (b - a); printf "%d", s < 1 ? 1 : s }')
    echo "cgslow $w $valgrind_slowdown" >>"$results"
    normalize "$work/out" >"$work/ref.$w.cg"
    for v in $variants; do
      [ "$v" = uftrace ] && continue
      if run_cmd "$w" "$v" cg; then
        normalize "$work/out" | cmp -s - "$work/ref.$w.cg" || die "$w ($v) printed a different result under callgrind"
      else
        note "$w ($v): killed by SIGPROF in gprof's exit handler under valgrind; instructions up to then are counted"
      fi
      ir=$(grep -o 'Collected : [0-9]*' "$work/err" | awk '{ print $3 }')
      echo "ir $w $v $ir" >>"$results"
    done
  fi

  # The profile: its size and the time to write it at exit (cprof default, full input).
  if [ "$w" != zlib ] && case " $variants " in *" cprof "*) true ;; *) false ;; esac; then
    : >"$work/exit-ns"
    for i in 1 2 3; do
      export CPROF_BENCH_EXIT_TIMER=$work/exit-ns LD_PRELOAD=$work/exit-timer.so
      run_cmd "$w" cprof
      unset CPROF_BENCH_EXIT_TIMER LD_PRELOAD
    done
    p=$work/run/$w/cprof/profile.json
    wns=$(sort -n "$work/exit-ns" | awk '{ a[NR] = $1 } END { print (NR ? a[int((NR + 1) / 2)] : "NA") }')
    echo "profile $w cprof $(stat -c %s "$p") $wns" >>"$results"
  fi
  rm -rf "$work/run/$w"
done

# ---- report -----------------------------------------------------------------------------------
note "writing $output"
{
  echo "# cprof benchmark results"
  echo
  echo "Generated by \`bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC')$([ "$quick" = 1 ] && echo ' with --quick')."
  echo "Ratios are to plain \`gcc -O2\` (1.00 = no overhead); lower is better."
  echo
  echo "## Machine"
  echo
  echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //') ($(nproc) CPUs online, flags: $(grep -m1 '^flags' /proc/cpuinfo | grep -o -w -e constant_tsc -e nonstop_tsc -e hypervisor | tr '\n' ' '| sed 's/ $//'))"
  echo "- Memory: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "- Kernel: $(uname -sr)"
  echo "- Compiler: $(gcc --version | head -1)"
  echo "- valgrind: $(valgrind --version 2>/dev/null || echo absent); uftrace: $(uftrace --version 2>/dev/null | head -1 || echo absent)"
  echo "- Runs per variant: $runs (uftrace: $uf_runs), interleaved with a rotating start; inputs: Lua bench.lua scale $LUA_SCALE, speedtest1 --memdb --verify --size $SQL_SIZE, zlib ${ZLIB_MB} MB"
  echo "- callgrind inputs: Lua scale $LUA_SCALE_CG, speedtest1 --size $SQL_SIZE_CG, zlib $ZLIB_MB_CG MB"
  echo
  echo "## Wall time: median of paired ratios to plain -O2, [95% CI]"
  echo
  printf '| variant |'; for w in $workloads; do printf ' %s |' "$w"; done; printf ' geomean |\n'
  printf '|---|'; for w in $workloads; do printf -- '---|'; done; printf -- '---|\n'
  for v in $variants; do
    printf '| %s |' "$(label "$v")"
    for w in $workloads; do
      awk -v w="$w" -v v="$v" '$1 == "time" && $2 == w && $3 == v {
        if ($4 == "failed") printf " crashed |"; else if (v == "plain") printf " %s ms |", $5;
        else printf " %.2f [%.2f, %.2f] |", $6, $7, $8 }' "$results"
    done
    awk -v v="$v" -v nw="$(echo $workloads | wc -w)" '$1 == "time" && $3 == v && $4 != "failed" { s += log($6); n++ }
      END { if (v == "plain") printf " 1.00 |\n"; else if (n == nw) printf " %.3f |\n", exp(s / n); else printf " - |\n" }' "$results"
  done
  echo
  echo "Plain -O2's row gives its median wall time. CI: order-statistic interval of the median of the per-round ratios."
  [ "$have_uftrace" = 1 ] && echo "uftrace ('uftrace record --no-libcall' of the -pg build) runs $uf_runs pairs on the smaller callgrind input: at the full input it writes gigabytes of trace per run. Without --no-libcall it crashes on Lua's longjmp; gprof's SIGPROF timer can kill the -pg program under it (then: crashed)."
  if [ "$callgrind" = 1 ]; then
    echo
    echo "## callgrind instruction-count ratio to plain -O2 (one run, smaller input)"
    echo
    echo "valgrind runs plain -O2 $(awk '$1 == "cgslow" { printf "%s%sx (%s)", sep, $3, $2; sep = ", " }' "$results") slower than natively; the runs with CPROF=1 get CPROF_MIN_TIME scaled by that factor, so that the same functions stop being timed as in the native runs."
    echo
    printf '| variant |'; for w in $workloads; do printf ' %s |' "$w"; done; printf ' geomean |\n'
    printf '|---|'; for w in $workloads; do printf -- '---|'; done; printf -- '---|\n'
    for v in $variants; do
      [ "$v" = uftrace ] && continue
      printf '| %s |' "$(label "$v")"
      for w in $workloads; do
        awk -v w="$w" -v v="$v" '$1 == "ir" && $2 == w && $3 == "plain" { p = $4 } $1 == "ir" && $2 == w && $3 == v { t = $4 }
          END { if (v == "plain") printf " %.0fM Ir |", t / 1e6; else printf " %.3f |", t / p }' "$results"
      done
      awk -v v="$v" '$1 == "ir" && $3 == "plain" { p[$2] = $4 } $1 == "ir" && $3 == v { t[$2] = $4 }
        END { n = 0; for (w in t) { s += log(t[w] / p[w]); n++ } printf " %.3f |\n", n ? exp(s / n) : 0 }' "$results"
    done
  fi
  echo
  echo "## Code size (bytes of the linked program's .text section, ratio to plain)"
  echo
  printf '| build |'; for w in $workloads; do printf ' %s |' "$w"; done; printf '\n'
  printf '|---|'; for w in $workloads; do printf -- '---|'; done; printf '\n'
  for b in $builds; do
    printf '| %s |' "$(label "$b" | sed 's/cprof disabled/cprof (default build)/')"
    for w in $workloads; do
      awk -v w="$w" -v b="$b" '$1 == "text" && $2 == w && $3 == "plain" { p = $4 } $1 == "text" && $2 == w && $3 == b { t = $4 }
        END { printf " %d (%.2f) |", t, t / p }' "$results"
    done
    printf '\n'
  done
  echo
  echo "## Build time of each workload (wall, all C files, $jobs parallel jobs; ratio to plain)"
  echo
  printf '| build |'; for w in $workloads; do printf ' %s |' "$w"; done; printf '\n'
  printf '|---|'; for w in $workloads; do printf -- '---|'; done; printf '\n'
  for b in $builds; do
    printf '| %s |' "$(label "$b" | sed 's/cprof disabled/cprof (default build)/')"
    for w in $workloads; do
      awk -v w="$w" -v b="$b" '$1 == "btime" && $2 == w && $3 == "plain" { p = $4 } $1 == "btime" && $2 == w && $3 == b { t = $4 }
        END { printf " %.1f s (%.2f) |", t / 1e9, t / p }' "$results"
    done
    printf '\n'
  done
  if has_workload sqlite; then
    echo
    echo "SQLite's build time is dominated by sqlite3.c (8.6 MB), so its column is the compile-time ratio of sqlite3.c."
  fi
  if grep -q '^compile ' "$results"; then
    echo
    echo "## Compile time of sqlite3.c (gcc -O2 -c)"
    echo
    awk '$1 == "compileplain" { printf "- plain -O2: %.1f s (median of %d)\n", $4 / 1000, $3 }' "$results"
    while read -r key _ v _ ms ratio lo hi; do
      if [ "$key" = compile ]; then
        echo "- $(ct_label "$v"): $(awk -v ms="$ms" 'BEGIN { printf "%.1f", ms / 1000 }') s, median ratio **$ratio** [$lo, $hi]"
      fi
    done <"$results"
    # what the default build's extra time is made of, from the two bodies with no sites but entries
    awk '$1 == "compile" && $3 == "entryonly" { e = $6 } $1 == "compile" && $3 == "disabled" { d = $6 }
      END {
        if (!e || !d) exit
        printf "\nThe two bodies with every kind of site off take %.2fx plain -O2, the default build %.2fx: ", e, d
        print (e - 1 > d - e) ? "most of the extra time is the plain copy of each function, which keeps profiling off at plain speed." \
                              : "most of the extra time is the instrumentation, not the plain copy of each function."
      }' "$results"
  fi
  if grep -q '^profile ' "$results"; then
    echo
    echo "## The profile written at exit (cprof default)"
    echo
    echo "| workload | JSON size | time to write it (snapshot + render + write, median of 3) |"
    echo "|---|---|---|"
    awk '$1 == "profile" { printf "| %s | %.2f MB | %s |\n", $2, $4 / 1e6, ($5 == "NA" ? "not measured" : sprintf("%.1f ms", $5 / 1e6)) }' "$results"
  fi
  echo
  echo "## Targets (issue 5)"
  echo
  echo "cprof disabled <= 1.02x geomean (no workload above 1.05x, Ir <= 1.03); cprof default <= 1.15x and below"
  echo "-finstrument-functions and gprof on Lua and SQLite, below gcov-atomic and uftrace everywhere; counts only"
  echo "<= gcov; compile time <= 1.10x; profile written in < 50 ms for 10,000 functions and < 10 MB."
} >"$output.tmp"
mv "$output.tmp" "$output"
cat "$output"
