#!/bin/sh
# Host test of the guest init's results port (selftests/guest/results.sh):
# a port whose node exists before its driver answers must not kill init.
# virtio-console's /dev/hvc0 appears when the hvc driver registers, and
# open() fails with ENXIO/ENODEV until the port is set up; a failed
# "exec 3>" ends a non-interactive shell, and PID 1 with it.
#
# Needs root (mknod).  Runs under each shell given, by default the host's
# sh and the x86_64 guest's busybox.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ $# -eq 0 ]; then
	# shellcheck disable=SC1091
	. "$top/scripts/cache.sh"
	"$top/scripts/fetch-sysroot.sh" x86_64 >/dev/null || exit 1
	# shellcheck disable=SC1091
	. "$DL/sysroot/x86_64/sysroot.env"
	set -- /bin/sh "$ST_BUSYBOX sh"
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "ok - init survives a results port that answers late # SKIP needs root (mknod)"
	exit 0
fi
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fails=0
n=0
for sh in "$@"; do
	n=$((n + 1))
	port=$d/port$n
	# Major 0 minor 1 is no driver's: open() fails with ENXIO.
	rm -f "$port"
	mknod "$port" c 0 1
	# The "driver" arrives after 0.5 s: the node turns into /dev/null's.
	(sleep 0.5 && rm -f "$port" && mknod "$port" c 1 3) &
	# shellcheck disable=SC2086,SC2016 # "busybox sh" is two words; $1 is the child's
	out=$($sh -c '. "$1"; results_open "$2" 50; echo written >&3 && echo alive' \
		sh "$top/selftests/guest/results.sh" "$port" 2>&1)
	wait
	if [ "$out" = alive ]; then
		echo "ok - $sh: init survives a results port that answers late"
	else
		echo "not ok - $sh: init survives a results port that answers late (got: $out)"
		fails=$((fails + 1))
	fi
done
[ "$fails" -eq 0 ]
