#!/bin/sh
# The vmlinux of a target's kernel, from Debian's linux-image-...-dbg
# package: its symbols and code, without its DWARF.  The fidelity check
# (selftests/tools/st_frames.py) reads the kernel's own instructions with
# it.  Cached in the download cache ($DL/vmlinux, scripts/cache.sh) by
# kernel version; the package itself (600-860 MB) is not kept.
#
#   scripts/fetch-vmlinux.sh TARGET     prints the vmlinux's path
#
# Only Debian 12's own kernels (bookworm), the targets the full guest
# suite runs on.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/cache.sh"
target=${1:?usage: fetch-vmlinux.sh TARGET}

"$top/scripts/fetch-sysroot.sh" "$target" >&2
# shellcheck disable=SC1090
. "$DL/sysroot/$target/sysroot.env"
case "$ST_SERIES" in
6.1) ;;
*) echo "fetch-vmlinux.sh: $target: only bookworm's 6.1 kernels are fetched" >&2; exit 2 ;;
esac

out=$DL/vmlinux/$ST_KVER-$ST_DEBVER/vmlinux
if [ ! -s "$out" ]; then
	tmp=$DL/vmlinux/$ST_KVER-$ST_DEBVER.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	pkg=linux-image-$ST_KVER-dbg
	(cd "$tmp" && apt-get download -q=2 -o APT::Sandbox::User=root "$pkg:$ST_DEBARCH=$ST_DEBVER") >&2
	# tar stops reading once vmlinux is out, which dpkg-deb calls a
	# broken pipe; tar fails if vmlinux is not there.
	dpkg-deb --fsys-tarfile "$tmp/${pkg}_"*.deb 2>/dev/null |
		tar -x -C "$tmp" --occurrence=1 "./usr/lib/debug/boot/vmlinux-$ST_KVER"
	"${ST_CROSS}objcopy" --strip-debug "$tmp/usr/lib/debug/boot/vmlinux-$ST_KVER" "$tmp/vmlinux"
	mkdir -p "$(dirname "$out")"
	mv "$tmp/vmlinux" "$out"
	rm -rf "$tmp"
fi
echo "$out"
