#!/bin/sh
# make against a target's kernel headers, with the compiler they need:
# the host's, or (ST_CHROOT) inside a chroot of their suite, where $DL
# and this tree appear at the same paths as outside.  The target's
# sysroot.env must be sourced into the environment first.  With --run,
# any command instead of make, in the same place (DKMS, for one).
#
#   scripts/kmake.sh M=DIR [ARGS...] modules
#   scripts/kmake.sh --run CMD [ARGS...]
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/cache.sh"
: "${ST_KDIR:?kmake.sh: source a sysroot.env first}"
if [ "${1:-}" = --run ]; then
	shift
else
	set -- make -C "$ST_KDIR" ARCH="$ST_KARCH" CROSS_COMPILE="$ST_CROSS" ${ST_CC:+CC=$ST_CROSS$ST_CC} "$@"
fi
if [ -z "${ST_CHROOT:-}" ]; then
	exec "$@"
fi
root=$("$top/scripts/suite-chroot.sh" "$ST_CHROOT")
# A mount namespace of its own: the binds vanish with the build.
export DL top CACHE
exec unshare --mount --propagation private sh -c '
	root=$1
	shift
	for d in /dev /proc "$DL" "$top" "$CACHE"; do
		mkdir -p "$root$d"
		mount --rbind "$d" "$root$d"
	done
	exec chroot "$root" env PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"
' kmake "$root" "$@"
