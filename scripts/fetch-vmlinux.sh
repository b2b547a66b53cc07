#!/bin/sh
# The vmlinux of a target's kernel, from Debian's linux-image-...-dbg
# package: its symbols and code, without its DWARF.  The fidelity check
# (selftests/tools/st_frames.py) reads the kernel's own instructions with
# it.  With --dwarf, the whole file, DWARF kept ($DL/debuginfo), for
# report -i's symbolization and its check against addr2line.  Cached in
# the download cache ($DL, scripts/cache.sh) by kernel version; the
# package itself (600-860 MB) is not kept.
#
#   scripts/fetch-vmlinux.sh [--dwarf] TARGET     prints the vmlinux's path
#
# Every Debian kernel a guest boots: bookworm's 6.1 (and its PREEMPT_RT
# flavour), bullseye's 5.10, trixie's 6.12 and forky's 7.2.  Malta's
# other series are only built against, and have no guest to check.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/cache.sh"
dwarf=
[ "${1:-}" != --dwarf ] || { dwarf=1; shift; }
target=${1:?usage: fetch-vmlinux.sh [--dwarf] TARGET}

"$top/scripts/fetch-sysroot.sh" "$target" >&2
# shellcheck disable=SC1090
. "$DL/sysroot/$target/sysroot.env"
case "$target:$ST_SERIES" in
mips*-5.10:*|mips*-6.12:*) echo "fetch-vmlinux.sh: $target: built against only, no Debian image" >&2; exit 2 ;;
*:5.10) suite=bullseye ;;
*:6.1) suite=bookworm ;;
*:6.12) suite=trixie ;;
*:7.2) suite=forky ;;
*) echo "fetch-vmlinux.sh: $target: no suite known for $ST_SERIES" >&2; exit 2 ;;
esac

kind=vmlinux
[ -z "$dwarf" ] || kind=debuginfo
out=$DL/$kind/$ST_KVER-$ST_DEBVER/vmlinux
if [ ! -s "$out" ]; then
	tmp=$DL/$kind/$ST_KVER-$ST_DEBVER.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	pkg=linux-image-$ST_KVER-dbg
	(cd "$tmp" && "$top/scripts/apt-suite.sh" "$suite" download -q=2 "$pkg:$ST_DEBARCH=$ST_DEBVER") >&2
	# tar stops reading once vmlinux is out, which dpkg-deb calls a
	# broken pipe; tar fails if vmlinux is not there.
	# Up to 6.12 the file is boot/vmlinux-VER; forky's packages keep it
	# as lib/modules/VER/vmlinux, with boot/'s name a symlink to it.
	f=./usr/lib/debug/boot/vmlinux-$ST_KVER
	[ "$ST_SERIES" != 7.2 ] || f=./usr/lib/debug/lib/modules/$ST_KVER/vmlinux
	dpkg-deb --fsys-tarfile "$tmp/${pkg}_"*.deb 2>/dev/null |
		tar -x -C "$tmp" --occurrence=1 "$f"
	if [ -n "$dwarf" ]; then
		mv "$tmp/$f" "$tmp/vmlinux"
	else
		"${ST_CROSS}objcopy" --strip-debug "$tmp/$f" "$tmp/vmlinux"
	fi
	mkdir -p "$(dirname "$out")"
	mv "$tmp/vmlinux" "$out"
	rm -rf "$tmp"
fi
echo "$out"
