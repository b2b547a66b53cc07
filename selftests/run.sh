#!/bin/sh
# The whole test suite, as `make check` runs it: host unit tests, the
# module's W=1 and sparse builds, the guest suite on every arch, then the
# deployment checks: built into a kernel (x86_64), the device tree
# (arm64) and DKMS (x86_64).
# The last line is "N passed, N failed"; the exit status is non-zero on
# any failure.
#
#   ST_ARCHES="x86_64 mips64el arm64 mipsel x86_64-rt"   arches to boot (default: all;
#                                   x86_64-rt is Debian's PREEMPT_RT kernel)
#   ST_BUILD_ONLY="octeon"                     arches only built (default)
#   ST_DEPLOY="builtin dt dkms"                deployment checks (default: all)
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
arches=${ST_ARCHES:-x86_64 mips64el arm64 mipsel x86_64-rt}
build_only=${ST_BUILD_ONLY-octeon}
passed=0
failed=0

count() {
	passed=$((passed + $(grep -c '^\(.*: \)\?ok ' "$1" || true)))
	failed=$((failed + $(grep -c '^\(.*: \)\?not ok ' "$1" || true)))
}

log=$(mktemp)
fails=$(mktemp)
trap 'rm -f "$log" "$log".* "$fails"' EXIT

# report TITLE LOG RC: show a part's TAP and count it; a part that failed
# without saying "not ok" counts as one failure.
report() {
	echo "== $1"
	cat "$2"
	count "$2"
	grep '^\(.*: \)\?not ok ' "$2" | sed "s|^|$1: |" >>"$fails"
	if [ "$3" -ne 0 ] && ! grep -q 'not ok' "$2"; then
		echo "not ok - $1 ran (exit $3)"
		echo "$1: ran (exit $3)" >>"$fails"
		failed=$((failed + 1))
	fi
}

# section TITLE CMD...: run one part and report it.
section() {
	title=$1
	shift
	"$@" >"$log" 2>&1
	report "$title" "$log" $?
}

section "host: probe spec parser" make -s unit
section "host: make install" ./selftests/install-check.sh
for a in $arches $build_only; do
	section "$a: W=1 and sparse build" ./selftests/build-check.sh "$a"
done
# Guest suites two at a time, in the order given: x86_64's QEMU and the
# Malta boards each keep one host thread busy, so a pair fills this 2-core
# machine.  Reports stay in order.
# shellcheck disable=SC2086
set -- $arches
while [ $# -gt 0 ]; do
	a=$1
	b=${2:-}
	./selftests/guest.sh "$a" >"$log.a" 2>&1 &
	pa=$!
	if [ -n "$b" ]; then
		./selftests/guest.sh "$b" >"$log.b" 2>&1 &
		pb=$!
	fi
	wait $pa
	report "$a: guest suite" "$log.a" $?
	shift
	if [ -n "$b" ]; then
		wait $pb
		report "$b: guest suite" "$log.b" $?
		shift
	fi
done
for d in ${ST_DEPLOY-builtin dt dkms}; do
	case "$d" in
	dt) need=arm64 ;;
	*) need=x86_64 ;;
	esac
	case " $arches " in *" $need "*) ;; *) continue ;; esac
	section "$need: deployment: $d" ./selftests/deploy-check.sh "$d"
done

# Name the failures again just above the verdict: CI keeps only the tail.
if [ -s "$fails" ]; then
	echo "== failures"
	cat "$fails"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
