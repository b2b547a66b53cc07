#!/bin/sh
# The whole test suite, as `make check` runs it: host unit tests, the
# module's W=1 and sparse build for every target, the guest suite on
# every target, then the deployment checks: built into a kernel (x86_64),
# the device tree (arm64) and DKMS (x86_64 6.1, 6.12 and 7.2).  Each part's wall time is
# printed after its name.
# The last line is "N passed, N failed"; the exit status is non-zero on
# any failure.
#
# The primary kernels, Debian 12's 6.1 on x86_64, mips64el, arm64 and
# mipsel, run the full guest suite; the others (PREEMPT_RT, and 5.10, 6.12
# and 7.2 on x86_64 and arm64) the core suite of selftests/guest/core.
# make check-all (ST_ALL=1) runs the full suite everywhere.
#
#   ST_ARCHES="x86_64 arm64-7.2 ..."  targets to boot (default: all of them)
#   ST_FULL="x86_64 ..."              of those, the ones given the full suite
#   ST_BUILD_ONLY="octeon ..."        targets only built (default: Octeon, MIPS 5.10 and 6.12)
#   ST_DEPLOY="builtin dt dkms ..."   deployment checks (default: all, with
#                                     DKMS also against 6.12 and 7.2)
#   ST_CHURN_SECONDS=90               churn test's budget per guest (check-all: 480)
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
# Ordered so that the two lanes below take about as long: the full suite
# takes 985 s on x86_64, 946 on mips64el, 844 on arm64 and 802 on mipsel
# (the first lane gets x86_64 and mipsel, the second arm64 and
# mips64el); the core suite 110-155 s, four in the first lane, three in
# the second.
primary="x86_64 arm64 mipsel mips64el"
others="x86_64-rt arm64-5.10 x86_64-5.10 arm64-6.12 x86_64-6.12 arm64-7.2 x86_64-7.2"
arches=${ST_ARCHES:-$primary $others}
full=${ST_FULL:-$primary}
[ -z "${ST_ALL:-}" ] || full=$arches
build_only=${ST_BUILD_ONLY-octeon mips64el-5.10 mipsel-5.10 mips64el-6.12 mipsel-6.12}
churn=${ST_CHURN_SECONDS:-90}
[ -z "${ST_ALL:-}" ] || churn=${ST_CHURN_SECONDS:-480}
# Stress loops cut to fit CI's time; check-all runs them whole.
budget="st_unload_rounds=40 st_badinput_stride=4"
[ -z "${ST_ALL:-}" ] || budget="st_unload_rounds=100 st_badinput_stride=1"
core=$(grep -v '^#' selftests/guest/core | tr '\n' ' ')
suite_start=$(date +%s)
passed=0
failed=0

count() {
	passed=$((passed + $(grep '^\(.*: \)\?ok ' "$1" | grep -vc ' # SKIP ' || true)))
	failed=$((failed + $(grep -c '^\(.*: \)\?not ok ' "$1" || true)))
}

log=$(mktemp)
fails=$(mktemp)
trap 'rm -f "$log" "$log".* "$fails"' EXIT

# report TITLE LOG RC SECONDS: show a part's TAP and count it; a part
# that failed without saying "not ok" counts as one failure.
report() {
	echo "== $1 ($4 s)"
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
	t0=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	report "$title" "$log" $rc $(($(date +%s) - t0))
}

# guest TARGET: its guest suite, full or core (st_suite= tells the tests).
guest() {
	case " $full " in
	*" $1 "*) tests= suite=full ;;
	*) tests=$core suite=core ;;
	esac
	# shellcheck disable=SC2086
	ST_APPEND="st_churn_seconds=$churn $budget st_suite=$suite${ST_APPEND:+ $ST_APPEND}" ./selftests/guest.sh "$1" $tests
}

section "host: probe spec parser" make -s unit
section "host: make install" ./selftests/install-check.sh
for a in $arches $build_only; do
	section "$a: W=1 and sparse build" ./selftests/build-check.sh "$a"
done
# Guest suites two at a time, in two lanes that each boot their targets
# in turn (every QEMU keeps one host thread busy, so two fill this 2-core
# machine); the targets alternate between the lanes.  Reports stay in
# order, each with its guest's own wall time.
lane() {
	for t in "$@"; do
		t0=$(date +%s)
		guest "$t" >"$log.$t" 2>&1
		echo "$? $(($(date +%s) - t0))" >"$log.$t.rc"
	done
}
lane1= lane2= i=0
for a in $arches; do
	if [ $((i % 2)) -eq 0 ]; then lane1="$lane1 $a"; else lane2="$lane2 $a"; fi
	i=$((i + 1))
done
# shellcheck disable=SC2086
lane $lane1 &
# shellcheck disable=SC2086
lane $lane2 &
wait
for a in $arches; do
	read -r rc secs <"$log.$a.rc" || { rc=1 secs=0; }
	report "$a: guest suite ($( case " $full " in *" $a "*) echo full ;; *) echo core ;; esac))" "$log.$a" "$rc" "$secs"
done
for d in ${ST_DEPLOY-builtin dt dkms dkms-6.12 dkms-7.2}; do
	case "$d" in
	dt) need=arm64 ;;
	dkms-*) need=x86_64-${d#dkms-} ;;
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
echo "# make check took $(($(date +%s) - suite_start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
