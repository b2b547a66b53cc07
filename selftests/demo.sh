#!/bin/sh
# Boot a guest (x86_64 by default; ARCH=mips64el or arm64 for the others)
# and answer the field report's question there: who registers bond0?
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
arch=${ARCH:-x86_64}
out=$(ST_TESTS_DIR="$top/selftests/guest/demo" "$top/selftests/guest.sh" "$arch" 2>&1)
rc=$?
printf '%s\n' "$out" | sed -n "s/^$arch: # //p" | sed -n '/^# insmod/,$p'
printf '%s\n' "$out" | grep "^$arch: \(not \)\?ok" | grep -v "^$arch: ok"
[ $rc -eq 0 ] && echo "demo: ok ($arch guest)" || echo "demo: FAILED ($arch guest)"
exit $rc
