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
unset CPROF CPROF_OUTPUT

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
meta)
  CPROF=1 CPROF_OUTPUT=p.json run 0 "$bin/t-meta"
  [ "$(lines err)" = 1 ] || fail "expected one warning line (refused module)"
  grep -qx "cprof: module ignored (ABI version mismatch; abi 2)" err || fail "warning text"
  $check meta p.json || fail "profile"
  ;;
*)
  fail "unknown scenario"
  ;;
esac
echo "ok $scenario"
