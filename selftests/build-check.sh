#!/bin/sh
# Build stacktap.ko for one target with W=1 and sparse (C=1) and report
# any warning as a failed test.  MIPS's arch Makefile hands sparse gcc's
# __ATOMIC_* macros, which sparse predefines itself; scripts/sparse-wrapper
# drops those, and only those.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/cache.sh"
arch=${1:?usage: build-check.sh TARGET (scripts/fetch-sysroot.sh)}

"$top/scripts/fetch-sysroot.sh" "$arch" || { echo "not ok - $arch: sysroot fetched"; exit 1; }
# shellcheck disable=SC1090
. "$DL/sysroot/$arch/sysroot.env"

# One build with both: sparse checks each file as W=1 compiles it.
export ST_KDIR ST_KARCH ST_CROSS ST_CC ST_CHROOT
# shellcheck disable=SC2086
B=$CACHE/build-check/$arch
rm -rf "$B"
mkdir -p "$B"
cp -r "$top/Kbuild" "$top/module" "$top/include" "$B/"
# A prepared tree without vmlinux (scripts/prepare-tree.sh) has no symbol
# versions for modpost: its unresolved symbols are not the module's fault.
modpost=
[ -z "${ST_NO_VMLINUX:-}" ] || modpost=KBUILD_MODPOST_WARN=1
"$top/scripts/kmake.sh" -j"$(nproc)" M="$B" CHECK="$top/scripts/sparse-wrapper" W=1 C=1 $modpost modules >"$B.log" 2>&1
rc=$?
if [ -n "$modpost" ]; then
	grep -v -E '^WARNING: (modpost: "[^"]+" \[.*\] undefined!|modpost: suppressed [0-9]+ unresolved|Module.symvers is missing|Symbol version dump "Module.symvers" is missing|modpost: Symbol info of vmlinux is missing)' \
		"$B.log" >"$B.log.tmp"
	mv "$B.log.tmp" "$B.log"
fi
# kbuild drops C=1 with a warning of its own when sparse will not run.
warnings=$(grep -E -i -c 'warning:|error:|C=1 specified, but' "$B.log")
if [ $rc -eq 0 ] && [ "$warnings" -eq 0 ]; then
	echo "ok - $arch: W=1 C=1 (sparse) build, no warnings"
else
	echo "not ok - $arch: W=1 C=1 (sparse) build, no warnings (exit $rc, $warnings warnings)"
	grep -E -i -A3 'warning:|error:|C=1 specified, but' "$B.log" | head -40 | sed 's/^/# /'
fi
