#!/bin/sh
# make check-debug: the whole guest suite in the debug kernel (KASAN,
# lockdep, kmemleak, DEBUG_ATOMIC_SLEEP, UBSAN; selftests/kernel/debug.config),
# plus kmemleak scans before the first test and after the last rmmod.
# Prints the kernel's build time (cached after the first) and the suite's
# run time; the last line is "N passed, N failed".
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
. ./scripts/cache.sh
. ./selftests/tally.sh
start=$(date +%s)
if ! ./scripts/fetch-sysroot.sh x86_64-debug; then
	echo "not ok - debug kernel built"
	echo "0 passed, 1 failed"
	exit 1
fi
built=$(date +%s)
echo "# debug kernel: $(cat "$DL/kernel/debug/.build-time") when built; ready after $((built - start)) s this run"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
./selftests/guest.sh x86_64-debug "$@" >"$log" 2>&1
rc=$?
cat "$log"
echo "# debug suite ran in $(($(date +%s) - built)) s"
passed=0
failed=0
tally x86_64-debug "$log" "$rc"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
