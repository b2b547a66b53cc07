#!/bin/sh
# A MIPS Malta kernel tree of another series than Debian 12's 6.1, ready
# for building modules against (modules_prepare): Debian's
# linux-source-5.10 (bullseye) or linux-source-6.12 (bookworm), configured
# from malta_defconfig plus selftests/kernel/malta.config, cross-built
# with the host's gcc-12.  Debian ships no MIPS kernels of these series,
# so stacktap is only built against them, never booted.  Cached in
# $DL/kernel/malta-ARCH-SERIES, keyed by the source's version and the
# fragment; writes a sysroot.env there (ST_NO_VMLINUX: no vmlinux, so
# modpost cannot check symbols) and prints its directory.
#
#   scripts/prepare-tree.sh mips64el|mipsel 5.10|6.12
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/cache.sh"
arch=${1:?usage: prepare-tree.sh mips64el|mipsel 5.10|6.12}
series=${2:?usage: prepare-tree.sh mips64el|mipsel 5.10|6.12}
case "$arch" in
mips64el) cross=mips64el-linux-gnuabi64- width='CONFIG_64BIT=y
CONFIG_CPU_MIPS64_R1=y' ;;
mipsel) cross=mipsel-linux-gnu- width='CONFIG_32BIT=y
CONFIG_CPU_MIPS32_R1=y' ;;
*) echo "prepare-tree.sh: unknown arch '$arch'" >&2; exit 2 ;;
esac
case "$series" in
5.10) suite=bullseye ;;
6.12) suite=bookworm ;;
*) echo "prepare-tree.sh: unknown series '$series'" >&2; exit 2 ;;
esac
pkg=linux-source-$series
ver=$("$top/scripts/apt-suite.sh" "$suite" cache madison "$pkg" | awk -F'|' 'NR == 1 { gsub(/ /, "", $2); print $2 }')
[ -n "$ver" ] || { echo "prepare-tree.sh: no $pkg in $suite's apt lists" >&2; exit 1; }

# The source, once per Debian version.
src=$DL/kernel/linux-$ver
if [ ! -f "$src/.extracted" ]; then
	dl=$DL/kernel/dl
	mkdir -p "$dl"
	fver=$(echo "$ver" | sed 's/:/%3a/')
	deb=$dl/${pkg}_${fver}_all.deb
	[ -f "$deb" ] || (cd "$dl" && "$top/scripts/apt-suite.sh" "$suite" download -q=2 "$pkg=$ver") >&2
	rm -rf "$src"
	mkdir -p "$src"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$pkg.tar.xz" | tar -xJ -C "$src" --strip-components=1
	touch "$src/.extracted"
fi

out=$DL/kernel/malta-$arch-$series
stamp=$( (echo "$ver"; cat "$top/selftests/kernel/malta.config" "$0"; echo "$width") | sha256sum | cut -d' ' -f1)
if [ "$(cat "$out/.stacktap-stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "$out"
	exit 0
fi
rm -rf "$out"
mkdir -p "$out"
kmake() {
	make -C "$src" O="$out" ARCH=mips CROSS_COMPILE="$cross" CC="${cross}gcc-12" "$@" >>"$out/build.log" 2>&1 ||
		{ tail -n 40 "$out/build.log" >&2; echo "prepare-tree.sh: make $* failed" >&2; exit 1; }
}
kmake malta_defconfig
{ cat "$top/selftests/kernel/malta.config"; echo "$width"; } >"$out/fragment.config"
cat "$out/fragment.config" >>"$out/.config"
kmake olddefconfig
missing=$(grep '^CONFIG_' "$out/fragment.config" | while read -r opt; do
	grep -qx "$opt" "$out/.config" || echo "$opt"
done)
[ -z "$missing" ] || { echo "prepare-tree.sh: not in the final config: $missing" >&2; exit 1; }
kmake -j"$(nproc)" modules_prepare
cat >"$out/sysroot.env" <<ENV
ST_ARCH=$arch-$series
ST_KARCH=mips
ST_CROSS=$cross
ST_KVER=$(cat "$out/include/config/kernel.release")
ST_SERIES=$series
ST_DEBVER=$ver
ST_KDIR=$out
ST_CC=gcc-12
ST_CHROOT=
ST_NO_VMLINUX=1
ENV
echo "$stamp" >"$out/.stacktap-stamp"
echo "$out"
