#!/bin/sh
# entry-stub.sh: a split function reached by its name or address tests the flag in front of
# its prologue and jumps to its clone (plugin/entry-stub.cc), in executables, shared objects
# and with -fcf-protection; without optimization it keeps its dispatch in the body.
# (The counts, and the registers a plain caller keeps across such a call, are checked by the
# "pointers" case.)
# usage: entry-stub.sh PLUGIN CASE_DIR
set -eu
plugin=$1 casedir=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/cprof-stub.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail () { echo "FAIL: $*" >&2; exit 1; }

inc="-I$(cd "$casedir/../../../include" && pwd)"
compile () { # compile NAME FLAGS...: $work/NAME.s
  out=$1; shift
  gcc "$@" $inc -fplugin="$plugin" -S "$casedir/pointers.c" -o "$work/$out.s"
}
start () { # start ASM FUNCTION N: the first N instructions of FUNCTION, one per line
  awk -v fn="$2:" -v n="$3" '$1 == fn { on = 1; next }
                             on && /^\t[a-z]/ { sub(/^\t/, ""); gsub(/\t/, " "); print; if (--n == 0) exit }' "$1"
}
expect_stub () { # expect_stub ASM FUNCTION FIRST...: FUNCTION begins with FIRST, then the jump
  asm=$1 fn=$2; shift 2
  got=$(start "$asm" "$fn" $(($# + 1)))
  want=$(printf '%s\n' "$@" "jne $fn.cprof")
  case "$got" in
    "$want"*) echo "ok: $(basename "$asm" .s): $fn: $(echo "$got" | tr '\n' ';')" ;;
    *) printf 'got:\n%s\nwanted:\n%s...\n' "$got" "$want" >&2; fail "$fn in $asm has no entry stub" ;;
  esac
}

compile exe -O2
for fn in compare mix plain_caller; do
  expect_stub "$work/exe.s" "$fn" 'cmpl $0, __cprof_active(%rip)'
done
# weight, public and called by name only, has one too
expect_stub "$work/exe.s" weight 'cmpl $0, __cprof_active(%rip)'
# The plain body tests the flag no more: the stub is the only test.
n=$(awk '/^compare:/,/\.size\tcompare,/' "$work/exe.s" | grep -c '__cprof_active')
[ "$n" = 1 ] || fail "compare reads the flag $n times, expected once (the stub)"

compile pic -O2 -fPIC
expect_stub "$work/pic.s" mix 'movq __cprof_active@GOTPCREL(%rip), %r11' 'cmpl $0, (%r11)'

compile cet -O2 -fcf-protection=full
expect_stub "$work/cet.s" compare 'endbr64' 'cmpl $0, __cprof_active(%rip)'

compile o0 -O0
first=$(start "$work/o0.s" mix 1)
case "$first" in
  *__cprof_active*) fail "-O0: mix has an entry stub" ;;
  *) echo "ok: -O0: mix starts with '$first': its dispatch stays in the body" ;;
esac
