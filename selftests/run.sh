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

echo "== host: probe spec parser"
if make -s unit >"$log" 2>&1; then :; else echo "not ok - spec parser unit test built and ran" >>"$log"; fi
cat "$log"
count "$log"

echo "== host: make install"
./selftests/install-check.sh >"$log" 2>&1
cat "$log"
count "$log"

for a in $arches $build_only; do
	echo "== $a: W=1 and sparse build"
	./selftests/build-check.sh "$a" >"$log" 2>&1
	cat "$log"
	count "$log"
done

for a in $arches; do
	echo "== $a: guest suite"
	./selftests/guest.sh "$a" >"$log" 2>&1
	rc=$?
	cat "$log"
	count "$log"
	if [ $rc -ne 0 ] && ! grep -q 'not ok' "$log"; then
		echo "not ok - $a: guest suite ran (exit $rc)"
		failed=$((failed + 1))
	fi
done

for d in ${ST_DEPLOY-builtin dt dkms}; do
	case "$d" in
	dt) need=arm64 ;;
	*) need=x86_64 ;;
	esac
	case " $arches " in *" $need "*) ;; *) continue ;; esac
	echo "== $need: deployment: $d"
	./selftests/deploy-check.sh "$d" >"$log" 2>&1
	rc=$?
	cat "$log"
	count "$log"
	if [ $rc -ne 0 ] && ! grep -q 'not ok' "$log"; then
		echo "not ok - deployment $d ran (exit $rc)"
		failed=$((failed + 1))
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
