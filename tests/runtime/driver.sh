#!/bin/sh
# driver.sh: runs one tests/runtime scenario in a private temporary directory.
# usage: driver.sh SCENARIO BUILD_DIR SCHEMA
set -u
scenario=$1 bin=$2 schema=$3
here=$(cd "$(dirname "$0")" && pwd)
check="/usr/bin/python3 $here/check.py $schema"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cprof-rt.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
unset CPROF CPROF_OUTPUT CPROF_SAMPLE CPROF_SAMPLE_CALLS
# The scenarios check every call's timing: none stops timing short functions unless it says so.
export CPROF_MIN_TIME=0

fail() { echo "FAIL $scenario: $*"; for f in err out; do [ -s "$f" ] && sed "s/^/  $f: /" "$f"; done; exit 1; }

# run EXPECTED_STATUS CMD...: runs CMD with stdout/stderr captured in out/err.
run() {
  want=$1; shift
  "$@" >out 2>err
  got=$?
  [ "$got" = "$want" ] || fail "exit status $got, expected $want: $*"
}

lines() { if [ -s "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi; }

case $scenario in
basic)
  CPROF=1 CPROF_OUTPUT=p.json run 0 "$bin/t-basic"
  [ "$(lines err)" = 0 ] || fail "unexpected stderr"
  $check basic p.json || fail "profile"
  [ "$(stat -c %a p.json)" = 600 ] || fail "mode $(stat -c %a p.json), expected 600"
  ls | grep -q tmp && fail "temporary file left behind"
  ;;
threads-join | threads-live | threads-pthread_exit)
  mode=${scenario#threads-}
  CPROF=1 CPROF_OUTPUT=p.json run 0 "$bin/t-threads" "$mode"
  $check threads p.json "$mode" || fail "profile"
  ;;
deep-exit)
  CPROF=1 CPROF_OUTPUT=p.json run 3 "$bin/t-deep" exit 10000
  $check deep_exit p.json 10000 || fail "profile"
  ;;
chunks)
  CPROF=1 CPROF_OUTPUT=p.json run 0 "$bin/t-chunks" mid.json
  grep -q "chunks done" out || fail "output"
  $check chunks mid.json mid || fail "profile of cprof_dump"
  $check chunks p.json final || fail "profile at exit"
  ;;
deep-million)
  CPROF=1 CPROF_OUTPUT=p.json run 0 "$bin/t-deep" deep 1000000
  $check deep p.json 1000000 || fail "profile"
  ;;
longjmp)
  CPROF=1 CPROF_OUTPUT=p.json run 0 "$bin/t-longjmp"
  $check longjmp p.json || fail "profile"
  ;;
catch)
  CPROF=1 CPROF_OUTPUT=p.json run 0 "$bin/t-catch"
  $check catch p.json || fail "profile"
  ;;
fork | fork-pid)
  if [ "$scenario" = fork ]; then out=p.json; else out=p-%p.json; fi
  CPROF=1 CPROF_OUTPUT=$out run 0 "$bin/t-fork"
  parent=$(sed -n 's/^parent \([0-9]*\) child \([0-9]*\)$/\1/p' out)
  child=$(sed -n 's/^parent \([0-9]*\) child \([0-9]*\)$/\2/p' out)
  [ -n "$parent" ] && [ -n "$child" ] || fail "no pids printed"
  if [ "$scenario" = fork ]; then pf=p.json cf=p.json.$child; else pf=p-$parent.json cf=p-$child.json; fi
  [ "$(ls | grep -c json)" = 2 ] || fail "expected 2 profiles: $(ls)"
  $check fork "$pf" parent 1010 || fail "parent profile"
  $check fork "$cf" child 50 "$child" || fail "child profile"
  ;;
env-unset | env-zero)
  if [ "$scenario" = env-zero ]; then export CPROF=0; fi
  CPROF_OUTPUT=p.json run 7 "$bin/t-env" 7
  [ "$(lines err)" = 0 ] || fail "stderr not empty"
  grep -q "active 0" out || fail "__cprof_active set"
  [ -z "$(ls | grep json)" ] || fail "a profile was written"
  run 0 "$bin/t-env"
  [ -z "$(ls | grep json)" ] || fail "a default profile was written"
  ;;
env-invalid)
  for v in yes 2 '' ' 1'; do
    CPROF=$v CPROF_OUTPUT=p.json run 7 "$bin/t-env" 7
    [ "$(lines err)" = 1 ] || fail "CPROF='$v': expected one warning line"
    grep -qx "cprof: ignoring CPROF='$v' (expected 0 or 1); profiling disabled" err ||
      fail "CPROF='$v': warning text"
    grep -q "active 0" out || fail "CPROF='$v': profiling active"
    [ -z "$(ls | grep json)" ] || fail "CPROF='$v': a profile was written"
  done
  ;;
env-unwritable)
  CPROF=1 CPROF_OUTPUT=/nonexistent/dir/p.json run 7 "$bin/t-env" 7
  [ "$(lines err)" = 1 ] || fail "expected one warning line"
  grep -qx "cprof: cannot write profile to '/nonexistent/dir/p.json': No such file or directory" err ||
    fail "warning text"
  mkdir ro && chmod 500 ro
  if [ "$(id -u)" != 0 ]; then
    CPROF=1 CPROF_OUTPUT=ro/p.json run 0 "$bin/t-env"
    grep -qx "cprof: cannot write profile to 'ro/p.json': Permission denied" err || fail "EACCES"
    [ -z "$(ls ro)" ] || fail "files left in ro/"
  fi
  ;;
env-special)
  # a FIFO (like /dev/null or /dev/stdout) is written in place, never renamed over
  mkfifo fifo
  cat fifo >from-fifo &
  reader=$!
  CPROF=1 CPROF_OUTPUT=fifo run 0 "$bin/t-basic"
  wait $reader
  [ -p fifo ] || fail "the FIFO was replaced"
  [ "$(lines err)" = 0 ] || fail "unexpected stderr"
  $check basic from-fifo || fail "profile read from the FIFO"
  [ -z "$(ls | grep '^fifo\.tmp')" ] || fail "temporary file left"
  ;;
env-pid)
  CPROF=1 CPROF_OUTPUT=out-%p-%p.json run 0 "$bin/t-env"
  pid=$(sed -n 's/^pid \([0-9]*\) active 1$/\1/p' out)
  [ -n "$pid" ] || fail "not active"
  $check env "out-$pid-$pid.json" "$pid" || fail "profile"
  CPROF=1 run 0 "$bin/t-env"
  pid=$(sed -n 's/^pid \([0-9]*\) active 1$/\1/p' out)
  $check env profile.json "$pid" || fail "default output profile.json"
  ;;
api)
  CPROF=1 CPROF_OUTPUT=final.json run 0 "$bin/t-api" mid-%p.json /nonexistent/x.json 1
  [ "$(lines err)" = 1 ] || fail "expected one warning (unwritable cprof_dump)"
  grep -qx "cprof: cannot write profile to '/nonexistent/x.json': No such file or directory" err ||
    fail "warning text"
  $check api mid-*.json 10 || fail "mid-run dump"
  $check api final.json 7 || fail "final profile after reset/disable/enable"
  rm -f ./*.json
  run 0 "$bin/t-api" mid.json /nonexistent/x.json 0
  [ "$(lines err)" = 0 ] || fail "stderr without CPROF"
  [ -z "$(ls | grep json)" ] || fail "profile written without CPROF"
  ;;
rates)
  CPROF=1 CPROF_OUTPUT=p.json run 0 "$bin/t-rates"
  [ "$(lines err)" = 0 ] || fail "unexpected stderr"
  $check rates p.json || fail "profile"
  ;;
names)
  CPROF=1 CPROF_OUTPUT=p.json run 0 "$bin/t-names"
  [ "$(lines err)" = 0 ] || fail "unexpected stderr"
  $check names p.json || fail "profile"
  ;;
meta)
  CPROF=1 CPROF_OUTPUT=p.json run 0 "$bin/t-meta"
  [ "$(lines err)" = 1 ] || fail "expected one warning line (refused module)"
  grep -qx "cprof: module ignored (ABI version mismatch; abi 3)" err || fail "warning text"
  $check meta p.json || fail "profile"
  ;;
flow)
  CPROF=1 CPROF_OUTPUT=p.json run 0 "$bin/t-flow"
  [ "$(lines err)" = 1 ] || fail "expected one warning line (the unsolvable graph)"
  grep -qx "cprof: t-flow.c: 1 function(s) counted on a spanning tree could not be solved: their counts read 0" err ||
    fail "warning text"
  $check flow p.json || fail "profile"
  ;;
malloc-exact | malloc-threads)
  mode=${scenario#malloc-}
  CPROF=1 CPROF_OUTPUT=p.json run 0 "$bin/t-malloc" "$mode"
  [ "$(lines err)" = 0 ] || fail "unexpected stderr"
  $check "malloc_$mode" p.json || fail "profile"
  ;;
heap-auto | heap-forced | heap-off | heap-invalid)
  heap=
  case $scenario in heap-forced) heap=1 ;; heap-off) heap=0 ;; heap-invalid) heap=yes ;; esac
  for mode in counts-only mixed; do
    CPROF=1 CPROF_HEAP=$heap CPROF_OUTPUT=p.json run 0 "$bin/t-heap-mode" $mode
    grep -qx "heap-mode $mode done" out || fail "$mode: output"
    if [ "$scenario" = heap-invalid ]; then
      [ "$(lines err)" = 1 ] || fail "$mode: expected one warning line"
      grep -q "^cprof: ignoring CPROF_HEAP='yes'" err || fail "$mode: warning text"
    else
      [ "$(lines err)" = 0 ] || fail "$mode: unexpected stderr"
    fi
    # allocations, reallocations, frees, allocated, freed and live bytes, or none
    case $scenario/$mode in
    heap-off/*) want=none ;;
    heap-forced/*) want=9,2,8,11728,10728,1000 ;;
    */counts-only) want=none ;; # nothing but counts-only modules: the heap is left alone
    */mixed) want=5,1,4,7000,6000,1000 ;; # from the timed module on
    esac
    $check heap_mode p.json $want || fail "$mode: profile"
  done
  ;;
malloc-fork)
  CPROF=1 CPROF_OUTPUT=p.json run 0 "$bin/t-malloc" fork
  [ "$(lines err)" = 0 ] || fail "unexpected stderr"
  child=$(ls | sed -n 's/^p\.json\.\([0-9]*\)$/\1/p')
  [ -n "$child" ] || fail "no child profile: $(ls)"
  $check malloc_fork p.json parent || fail "parent profile"
  $check malloc_fork "p.json.$child" child || fail "child profile"
  ;;
io)
  CPROF=1 CPROF_OUTPUT=p.json run 0 "$bin/t-io"
  [ "$(lines err)" = 0 ] || fail "unexpected stderr"
  $check io p.json || fail "profile"
  analyze=$bin/../../analyze/cprof-analyze
  run 0 "$analyze" --no-color p.json
  grep -q "^== I/O" out || fail "no I/O section in the report"
  grep -Eq "^ +1000 +97.7 KiB .* write_file$" out || fail "write_file row: $(grep write_file out)"
  run 0 "$analyze" --no-color --filter 'write*' p.json
  grep -q "read_file$" out && fail "--filter: read_file listed in the I/O section"
  grep -q "write_file$" out || fail "--filter: write_file missing from the I/O section"
  run 0 "$analyze" --json p.json
  /usr/bin/python3 -c "import json,sys; d=json.load(open('out')); f=d['io']['functions']
assert {x['name']: (x['calls'], x['bytes']) for x in f}['read_file'] == (1001, 100000), f
assert d['io']['kinds']['fwrite']['bytes'] == 40960" || fail "--json io"
  ;;
interval)
  CPROF=1 CPROF_INTERVAL=0.05 CPROF_OUTPUT=p.json run 0 "$bin/t-interval" grow
  [ "$(lines err)" = 0 ] || fail "unexpected stderr"
  $check timeline p.json 50000000 5 grow || fail "profile"
  ;;
interval-invalid)
  for v in abc 0 -1 1e9 ' 0.5' 0.5s; do
    CPROF=1 CPROF_INTERVAL=$v CPROF_OUTPUT=p.json run 0 "$bin/t-interval" dumploop 1
    [ "$(lines err)" = 1 ] || fail "CPROF_INTERVAL='$v': expected one warning line"
    grep -q "^cprof: ignoring CPROF_INTERVAL='$v'" err || fail "CPROF_INTERVAL='$v': warning text"
    $check no_timeline p.json || fail "CPROF_INTERVAL='$v': profile"
  done
  CPROF=1 CPROF_SNAPSHOT=1 CPROF_OUTPUT=p.json run 0 "$bin/t-interval" dumploop 1
  grep -q "^cprof: CPROF_SNAPSHOT=1 needs CPROF_INTERVAL" err || fail "snapshot without interval"
  ;;
snapshot-kill)
  # a process that never exits, killed with SIGKILL: the last periodic snapshot is the profile
  CPROF=1 CPROF_INTERVAL=0.05 CPROF_SNAPSHOT=1 CPROF_OUTPUT=p.json "$bin/t-interval" daemon \
    >out 2>err &
  pid=$!
  n=0
  while [ $n -lt 100 ] && ! [ -s p.json ]; do sleep 0.05; n=$((n + 1)); done
  sleep 0.4
  kill -KILL $pid
  wait $pid
  [ -s p.json ] || fail "no snapshot written"
  $check snapshot p.json 50000000 3 || fail "snapshot profile"
  ;;
dump-kill)
  # SIGKILL at random moments of a dump loop: the file is always a complete profile
  CPROF=1 CPROF_OUTPUT=p.json run 0 "$bin/t-interval" dumploop 1
  $check big p.json || fail "first profile"
  for i in 1 2 3 4 5 6; do
    CPROF=1 CPROF_OUTPUT=p.json "$bin/t-interval" dumploop >out 2>err &
    pid=$!
    sleep "0.$(od -An -N1 -tu1 /dev/urandom | tr -d ' ')"
    kill -KILL $pid
    wait $pid 2>/dev/null
    $check big p.json || fail "profile after SIGKILL $i"
  done
  # temporary files of killed writers are removed by the next complete write to the path
  : >p.json.tmp.2147483646 # no such pid (above any pid_max)
  : >p.json.tmp.2147483645.3
  CPROF=1 CPROF_OUTPUT=p.json run 0 "$bin/t-interval" dumploop 1
  $check big p.json || fail "last profile"
  [ -z "$(ls -A | grep tmp)" ] || fail "stale temporary files: $(ls -A)"
  ;;
merge-sections)
  analyze=$bin/../../analyze/cprof-analyze
  CPROF=1 CPROF_OUTPUT=io1.json run 0 "$bin/t-io"
  CPROF=1 CPROF_OUTPUT=io2.json run 0 "$bin/t-io"
  CPROF=1 CPROF_OUTPUT=m1.json run 0 "$bin/t-malloc" exact
  CPROF=1 CPROF_OUTPUT=m2.json run 0 "$bin/t-malloc" threads
  CPROF=1 CPROF_INTERVAL=0.05 CPROF_OUTPUT=t1.json run 0 "$bin/t-interval" grow
  run 0 "$analyze" merge io1.json io2.json -o io.json
  $check merged io.json io io1.json io2.json || fail "merged io"
  run 0 "$analyze" merge m1.json m1.json m2.json -o m.json
  $check merged m.json memory m1.json m1.json m2.json || fail "merged memory"
  CPROF=1 CPROF_EVENTS=task-clock,page-faults CPROF_OUTPUT=e1.json run 0 "$bin/t-events"
  cp e1.json e2.json
  run 0 "$analyze" merge e1.json e2.json -o e.json
  $check merged e.json events e1.json e2.json || fail "merged events"
  run 0 "$analyze" merge t1.json io1.json -o t.json
  $check merged t.json timeline t1.json io1.json || fail "merged timeline"
  run 0 "$analyze" merge t1.json t1.json -o tt.json
  $check merged tt.json timeline t1.json t1.json || fail "merged timelines"
  ;;
io-signal)
  CPROF=1 CPROF_OUTPUT=p.json run 0 "$bin/t-io" signal
  [ "$(lines err)" = 0 ] || fail "unexpected stderr"
  set -- $(cat out)
  [ "$1" = loop_writes ] || fail "output: $(cat out)"
  $check io_signal p.json "$2" "$4" || fail "profile"
  ;;
io-off)
  run 0 "$bin/t-io"
  [ "$(lines err)" = 0 ] || fail "stderr without CPROF"
  [ -z "$(ls | grep json)" ] || fail "profile written without CPROF"
  ;;
malloc-cpp)
  CPROF=1 CPROF_OUTPUT=p.json run 0 "$bin/t-malloc-cpp"
  $check malloc_cpp p.json || fail "profile"
  ;;
malloc-off)
  for m in exact threads; do
    run 0 "$bin/t-malloc" $m
    [ "$(lines err)" = 0 ] || fail "stderr without CPROF"
  done
  run 0 "$bin/t-malloc-cpp"
  [ -z "$(ls | grep json)" ] || fail "profile written without CPROF"
  ;;
events)
  CPROF=1 CPROF_EVENTS=task-clock,page-faults,context-switches,cycles,bogus CPROF_OUTPUT=p.json \
    run 0 "$bin/t-events"
  [ "$(lines err)" = 1 ] || fail "expected one warning line"
  grep -Eqx "cprof: CPROF_EVENTS: not counted: (cycles \([^)]*\), )?bogus \(unknown event\)" err ||
    fail "warning text"
  if grep -q "cycles (" err; then cycles=0; else cycles=1; fi
  $check events p.json "$cycles" || fail "profile"
  ;;
events-off)
  CPROF=1 CPROF_OUTPUT=p.json run 0 "$bin/t-events"
  [ "$(lines err)" = 0 ] || fail "unexpected stderr"
  $check events_off p.json || fail "profile"
  rm -f p.json
  CPROF_EVENTS=task-clock,bogus CPROF_OUTPUT=p.json run 0 "$bin/t-events"
  [ "$(lines err)" = 0 ] || fail "CPROF_EVENTS without CPROF: stderr"
  [ -z "$(ls | grep json)" ] || fail "profile written without CPROF"
  ;;
sigterm)
  CPROF=1 CPROF_OUTPUT=p.json run 143 sh -c 'exec "$0" term' "$bin/t-life"
  grep -q "not reached" out && fail "SIGTERM did not terminate"
  $check life p.json 7 || fail "profile at SIGTERM"
  ;;
sigint-ignored)
  CPROF=1 CPROF_OUTPUT=p.json run 0 sh -c 'trap "" INT; exec "$0" int-ignored' "$bin/t-life"
  grep -q survived out || fail "an ignored SIGINT killed the program"
  $check life p.json 5 || fail "profile"
  ;;
dump-signal)
  CPROF=1 CPROF_DUMP_SIGNAL=USR1 CPROF_OUTPUT=p.json run 0 "$bin/t-life" usr1
  [ "$(lines err)" = 0 ] || fail "unexpected stderr"
  $check life mid.json 10 || fail "profile at SIGUSR1"
  $check life p.json 20 || fail "final profile"
  CPROF=1 CPROF_DUMP_SIGNAL=BOGUS CPROF_OUTPUT=p.json run 138 "$bin/t-life" usr1
  grep -q "^cprof: ignoring CPROF_DUMP_SIGNAL='BOGUS'" err || fail "warning for a bad signal"
  ;;
exec)
  CPROF=1 CPROF_OUTPUT=p.json run 4 "$bin/t-life" exec
  $check life p.json 6 || fail "profile written before exec"
  rm -f p.json
  CPROF=1 CPROF_OUTPUT=p.json run 0 "$bin/t-life" vfork
  [ "$(ls | grep -c json)" = 1 ] || fail "vfork: expected one profile: $(ls)"
  $check life p.json 5 || fail "vfork: the parent's profile"
  ;;
redact)
  CPROF=1 CPROF_OUTPUT=n.json run 0 "$bin/t-basic"
  CPROF=1 CPROF_REDACT=1 CPROF_OUTPUT=r.json run 0 "$bin/t-basic"
  [ "$(lines err)" = 0 ] || fail "unexpected stderr"
  for word in t-basic fib helper /src/basic; do
    grep -q -- "$word" r.json && fail "'$word' left in the redacted profile"
  done
  $check redact r.json n.json || fail "redacted profile"
  CPROF=1 CPROF_REDACT=yes CPROF_OUTPUT=r.json run 0 "$bin/t-basic"
  grep -qx "cprof: ignoring CPROF_REDACT='yes' (expected 0 or 1); names are not hashed" err ||
    fail "warning for CPROF_REDACT=yes"
  grep -q '"fib"' r.json || fail "CPROF_REDACT=yes hashed names"
  ;;
region)
  CPROF=1 CPROF_OUTPUT=p.json run 0 "$bin/t-region"
  [ "$(lines err)" = 0 ] || fail "unexpected stderr"
  grep -qx "202 1" out || fail "output: $(cat out)"
  $check region p.json || fail "profile"
  ;;
region-off)
  run 0 "$bin/t-region"
  grep -qx "202 0" out || fail "with CPROF unset: $(cat out)"
  [ ! -e profile.json ] || fail "a profile was written"
  ;;
latency)
  CPROF=1 CPROF_OUTPUT=p.json run 0 "$bin/t-latency"
  [ "$(lines err)" = 0 ] || fail "unexpected stderr"
  $check latency p.json || fail "profile"
  ;;
sample)
  CPROF=1 CPROF_SAMPLE_CALLS=10 CPROF_OUTPUT=p.json run 0 "$bin/t-sample"
  [ "$(lines err)" = 0 ] || fail "unexpected stderr"
  $check sample p.json 10 || fail "profile"
  CPROF=1 CPROF_SAMPLE_CALLS=1 CPROF_OUTPUT=p.json run 0 "$bin/t-sample"
  $check sample p.json 1 || fail "profile with CPROF_SAMPLE_CALLS=1"
  ;;
adaptive)
  for n in 1 4; do
    CPROF=1 CPROF_MIN_TIME=1000000000 CPROF_OUTPUT=p.json run 0 "$bin/t-adaptive" $n
    [ "$(lines err)" = 0 ] || fail "unexpected stderr"
    $check adaptive p.json $n 1000000000 || fail "profile, $n thread(s)"
  done
  # CPROF_SAMPLE_CALLS=10: judged at the 128th timed call (1280 calls)
  CPROF=1 CPROF_SAMPLE_CALLS=10 CPROF_MIN_TIME=1000000000 CPROF_OUTPUT=p.json run 0 "$bin/t-adaptive" 1
  $check adaptive p.json 1 1000000000 10 || fail "profile with CPROF_SAMPLE_CALLS=10"
  for v in 0 1; do
    CPROF=1 CPROF_MIN_TIME=$v CPROF_OUTPUT=p.json run 0 "$bin/t-adaptive" 2
    $check adaptive p.json 2 $v || fail "profile with CPROF_MIN_TIME=$v"
  done
  ;;
trampoline)
  for v in "CPROF_MIN_TIME=0" "CPROF_MIN_TIME=0 CPROF_SAMPLE_CALLS=3"; do
    # shellcheck disable=SC2086
    env CPROF=1 $v CPROF_OUTPUT=p.json "$bin/t-trampoline" >out 2>err || { cat out err >&2; fail "$v: exit $?"; }
    [ "$(lines err)" = 0 ] || fail "$v: unexpected stderr"
    grep -Eqx "ok (16|0)" out || fail "$v: $(cat out)"
    # shellcheck disable=SC2086
    $check trampoline p.json "$(cat out)" $v || fail "$v: profile"
  done
  env -u CPROF "$bin/t-trampoline" >out 2>err || fail "CPROF unset: exit $?"
  grep -Eqx "ok (16|0)" out || fail "CPROF unset: $(cat out)"
  ;;
min-time-invalid)
  for v in -1 x 10ns 1e9 2000000000000; do
    CPROF=1 CPROF_MIN_TIME=$v CPROF_OUTPUT=p.json run 0 "$bin/t-adaptive"
    [ "$(lines err)" = 1 ] || fail "CPROF_MIN_TIME=$v: expected one warning line"
    grep -qx "cprof: ignoring CPROF_MIN_TIME='$v' (expected nanoseconds, 0 to 1000000000000); using 1000" err ||
      fail "CPROF_MIN_TIME=$v: warning text"
    grep -q '"min_time_ns":1000[,}]' p.json || fail "CPROF_MIN_TIME=$v: default not used"
  done
  # unset: 1000 ns, or 0 with CPROF_TRACE=1 (a trace shows every call)
  CPROF=1 CPROF_OUTPUT=p.json run 0 env -u CPROF_MIN_TIME "$bin/t-adaptive"
  grep -q '"min_time_ns":1000[,}]' p.json || fail "unset: default"
  CPROF=1 CPROF_TRACE=1 CPROF_OUTPUT=p.json run 0 env -u CPROF_MIN_TIME "$bin/t-adaptive"
  grep -q '"min_time_ns":0[,}]' p.json || fail "CPROF_TRACE=1: every call timed"
  ;;
sample-invalid)
  for v in 0 -3 x 10x; do
    CPROF=1 CPROF_SAMPLE_CALLS=$v CPROF_OUTPUT=p.json run 0 "$bin/t-sample"
    [ "$(lines err)" = 1 ] || fail "CPROF_SAMPLE_CALLS=$v: expected one warning line"
    grep -qx "cprof: ignoring CPROF_SAMPLE_CALLS='$v' (expected a positive integer); every call is timed" err ||
      fail "CPROF_SAMPLE_CALLS=$v: warning text"
    $check sample p.json 1 || fail "CPROF_SAMPLE_CALLS=$v: profile"
  done
  ;;
*)
  fail "unknown scenario"
  ;;
esac
echo "ok $scenario"
