#!/bin/sh
# A chroot of a Debian suite with the compiler its kernel headers pin, for
# building modules against kernels the host's gcc-12 cannot build for
# (trixie's gcc-14 and forky's gcc-16, and forky's kbuild tools need its
# glibc), and for DKMS against them.  Made once with debootstrap into $DL/chroot/SUITE, remade when
# this script changes.  Prints the chroot's path.
#
#   scripts/suite-chroot.sh trixie|forky
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/cache.sh"
suite=${1:?usage: suite-chroot.sh trixie|forky}
case "$suite" in
trixie) gcc=gcc-14 ;;
forky) gcc=gcc-16 ;;
*) echo "suite-chroot.sh: no chroot for '$suite'" >&2; exit 2 ;;
esac
pkgs=make,$gcc,$gcc-aarch64-linux-gnu,binutils-aarch64-linux-gnu,libc6-dev,libelf-dev,bc,kmod,xz-utils,dwarves,sparse,dkms
root=$DL/chroot/$suite
stamp=$(echo "$suite $pkgs" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$root/.stacktap-stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "$root"
	exit 0
fi

command -v debootstrap >/dev/null || { echo "suite-chroot.sh: needs debootstrap (make setup)" >&2; exit 1; }
# bookworm's debootstrap has no script for suites after trixie: sid's
# fits them all.
script=/usr/share/debootstrap/scripts/$suite
[ -f "$script" ] || script=/usr/share/debootstrap/scripts/sid
rm -rf "$root.tmp"
mkdir -p "$DL/chroot"
debootstrap --variant=minbase --arch=amd64 --include="$pkgs" "$suite" "$root.tmp" \
	http://deb.debian.org/debian "$script" >"$root.log" 2>&1 ||
	{ tail -n 20 "$root.log" >&2; echo "suite-chroot.sh: debootstrap $suite failed" >&2; exit 1; }
rm -rf "$root.tmp/var/cache/apt/archives"/*.deb
echo "$stamp" >"$root.tmp/.stacktap-stamp"
rm -rf "$root"
mv "$root.tmp" "$root"
echo "$root"
