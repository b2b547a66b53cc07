#!/bin/sh
# The whole test suite, as `make check` runs it: host unit tests, the
# module's W=1 and sparse builds, the guest suite on every arch, then the
# deployment checks: built into a kernel (x86_64), the device tree
# (arm64) and DKMS (x86_64).
# The last line is "N passed, N failed"; the exit status is non-zero on
# any failure.
#
#   ST_ARCHES="x86_64 mips64el arm64 mipsel"   arches to boot (default: all)
#   ST_BUILD_ONLY="octeon"                     arches only built (default)
#   ST_DEPLOY="builtin dt dkms"                deployment checks (default: all)
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
arches=${ST_ARCHES:-x86_64 mips64el arm64 mipsel}
build_only=${ST_BUILD_ONLY-octeon}
passed=0
failed=0

count() {
	passed=$((passed + $(grep -c '^\(.*: \)\?ok ' "$1" || true)))
	failed=$((failed + $(grep -c '^\(.*: \)\?not ok ' "$1" || true)))
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# section TITLE CMD...: run one part, show its TAP and count it; a part
# that fails without saying "not ok" counts as one failure.
section() {
	title=$1
	shift
	echo "== $title"
	"$@" >"$log" 2>&1
	rc=$?
	cat "$log"
	count "$log"
	if [ $rc -ne 0 ] && ! grep -q 'not ok' "$log"; then
		echo "not ok - $title ran (exit $rc)"
		failed=$((failed + 1))
	fi
}

section "host: probe spec parser" make -s unit
section "host: make install" ./selftests/install-check.sh
for a in $arches $build_only; do
	section "$a: W=1 and sparse build" ./selftests/build-check.sh "$a"
done
for a in $arches; do
	section "$a: guest suite" ./selftests/guest.sh "$a"
done
for d in ${ST_DEPLOY-builtin dt dkms}; do
	case "$d" in
	dt) need=arm64 ;;
	*) need=x86_64 ;;
	esac
	case " $arches " in *" $need "*) ;; *) continue ;; esac
	section "$need: deployment: $d" ./selftests/deploy-check.sh "$d"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
