#!/bin/sh
# make check-churn: the guest suite's churn test (28) with no time limit,
# so every arch does all 10 000 add/del cycles under load.  Too slow for
# make check on the 2-CPU guests (Documentation/testing.rst has the times).
# The last line is "N passed, N failed".
#
#   ST_ARCHES="x86_64 mips64el arm64 mipsel x86_64-rt"   arches (default: all)
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
. ./selftests/tally.sh
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for arch in ${ST_ARCHES:-x86_64 mips64el arm64 mipsel x86_64-rt}; do
	start=$(date +%s)
	ST_VARIANT=churn ST_APPEND=st_churn_seconds=0 ST_GUEST_TIMEOUT=10800 \
		./selftests/guest.sh "$arch" 28 >"$log" 2>&1
	rc=$?
	cat "$log"
	echo "# $arch: $(($(date +%s) - start)) s"
	tally "$arch" "$log" "$rc"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
