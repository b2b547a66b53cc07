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
#   ST_CHURN_SECONDS=60               churn test's budget per guest (check-all: 480)
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
# Longest first, for the lanes below: the full suite takes about 1000 s
# on mips64el, arm64, x86_64 and mipsel, the core suite 300-400 s on
# arm64 and 230-270 s on x86_64.
primary="mips64el arm64 x86_64 mipsel"
others="arm64-6.12 arm64-5.10 arm64-7.2 x86_64-7.2 x86_64-6.12 x86_64-rt x86_64-5.10"
arches=${ST_ARCHES:-$primary $others}
full=${ST_FULL:-$primary}
[ -z "${ST_ALL:-}" ] || full=$arches
build_only=${ST_BUILD_ONLY-octeon mips64el-5.10 mipsel-5.10 mips64el-6.12 mipsel-6.12}
churn=${ST_CHURN_SECONDS:-60}
[ -z "${ST_ALL:-}" ] || churn=${ST_CHURN_SECONDS:-480}
# Stress loops cut to fit CI's time; check-all runs them whole.
budget="st_unload_rounds=25 st_badinput_stride=4 st_workload_rounds=10"
[ -z "${ST_ALL:-}" ] || budget="st_unload_rounds=100 st_badinput_stride=1 st_workload_rounds=30"
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
details=$(mktemp)
queue=$(mktemp -d)
trap 'rm -rf "$log" "$log".* "$fails" "$details" "$queue"' EXIT

# report TITLE LOG RC SECONDS: show a part's TAP and count it; a part
# that failed without saying "not ok" counts as one failure.
report() {
	echo "== $1 ($4 s)"
	cat "$2"
	count "$2"
	grep '^\(.*: \)\?not ok ' "$2" | sed "s|^|$1: |" >>"$fails"
	# What a failing test said of the first stack it found wrong, for the
	# tail CI keeps (a flake seen once is lost with the lane's log).
	awk 'BEGIN { k = 12 } /not ok / { on = 1; next } /(^|: )ok / { on = 0 }
	     !on { next }
	     /# FAIL/ { print; next }
	     /# (# )?(with\/)?[prf]:[^ ]*: .*:$/ { k = shown++ < 2 ? 0 : 12; if (!k) print; next }
	     /# (# )? => / { if (k++ < 12) print; next }
	     { k = 12 }' "$2" |
		sed "s|^|$1: |" >>"$details"
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

# guest TARGET: its guest suite, full or core (st_suite= tells the tests),
# then the flight recorder's dump on a deliberate crash: an oops after the
# full suite, a panic with no oops after the core suite.
guest() {
	case " $full " in
	*" $1 "*) tests="" suite=full crash=oops ;;
	*) tests=$core suite=core crash=panic ;;
	esac
	# shellcheck disable=SC2086
	ST_CRASH=$crash ST_APPEND="st_churn_seconds=$churn $budget st_suite=$suite${ST_APPEND:+ $ST_APPEND}" \
		./selftests/guest.sh "$1" $tests
}

section "host: probe spec parser" make -s unit
section "host: make install" ./selftests/install-check.sh
for a in $arches $build_only; do
	section "$a: W=1 and sparse build" ./selftests/build-check.sh "$a"
done
# The kernel with stacktap built in (deployment: builtin) compiles at
# nice 19 beside the guests, in the time their QEMUs leave idle; from a
# cold cache it is a 400-600 s build.
kernel_pid=
case " $arches " in *" x86_64 "*)
	case " ${ST_DEPLOY-builtin} " in *" builtin "*)
		(
			t0=$(date +%s)
			nice -n 19 ./scripts/build-kernel.sh builtin >"$log.kernel" 2>&1
			echo "$? $(($(date +%s) - t0))" >"$log.kernel.rc"
		) &
		kernel_pid=$!
	esac
esac
# Guest suites two at a time, in two lanes (every QEMU keeps one host
# thread busy, so two fill this 2-core machine).  A lane that is done
# with a target takes the next one from a queue, full suites first, each
# list longest first, so both end at about the same time.  The queue is
# one file per target; a lane takes one by renaming it, which only one
# can do.  Reports stay in order, each with its guest's own wall time.
i=10
for a in $arches; do
	case " $full " in *" $a "*) i=$((i + 1)); echo "$a" >"$queue/$i" ;; esac
done
for a in $arches; do
	case " $full " in *" $a "*) ;; *) i=$((i + 1)); echo "$a" >"$queue/$i" ;; esac
done
lane() {
	for q in "$queue"/[0-9][0-9]; do
		mv "$q" "$q.$1" 2>/dev/null || continue
		t=$(cat "$q.$1")
		t0=$(date +%s)
		guest "$t" >"$log.$t" 2>&1
		echo "$? $(($(date +%s) - t0))" >"$log.$t.rc"
	done
}
lane 1 &
lane1=$!
lane 2 &
lane2=$!
wait $lane1 $lane2
for a in $arches; do
	read -r rc secs <"$log.$a.rc" || { rc=1 secs=0; }
	report "$a: guest suite ($( case " $full " in *" $a "*) echo full ;; *) echo core ;; esac))" "$log.$a" "$rc" "$secs"
done
if [ -n "$kernel_pid" ]; then
	wait "$kernel_pid"
	read -r rc secs <"$log.kernel.rc" || { rc=1 secs=0; }
	report "x86_64: kernel with stacktap built in, built beside the guests" "$log.kernel" "$rc" "$secs"
fi
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
	tail -n 24 "$details"
	cat "$fails"
fi
echo "# make check took $(($(date +%s) - suite_start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
