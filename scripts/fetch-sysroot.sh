#!/bin/sh
# Fetch a Debian 6.1 kernel sysroot for one guest arch into the git-ignored
# cache: image + modules, matching headers, matching host linux-kbuild-6.1,
# and a static busybox for the initramfs.  Packages are only downloaded and
# extracted (dpkg-deb -x), never installed.
#
#   scripts/fetch-sysroot.sh x86_64|mips64el|arm64|mipsel|octeon
#
# octeon is mips64el's Octeon flavour, the field reports' board family
# (its pt_regs is 400 bytes, not 304): built against, never booted.
#
# x86_64-debug is not Debian's: scripts/build-kernel.sh builds it from
# Debian's source with KASAN, lockdep, kmemleak and UBSAN
# (selftests/kernel/debug.config); busybox and libmnl are x86_64's.
#
# Prints nothing but errors; writes $CACHE/sysroot/<arch>/sysroot.env.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${STACKTAP_CACHE:-$top/.cache}
arch=${1:?usage: fetch-sysroot.sh x86_64|x86_64-rt|x86_64-debug|mips64el|arm64|mipsel|octeon}

if [ "$arch" = x86_64-debug ]; then
	"$top/scripts/fetch-sysroot.sh" x86_64
	"$top/scripts/build-kernel.sh" debug >/dev/null
	base=$CACHE/sysroot/x86_64
	out=$CACHE/kernel/debug
	root=$CACHE/sysroot/$arch
	kver=$(cat "$out/include/config/kernel.release")
	rm -rf "$root"
	mkdir -p "$root"
	ln -s "$base/usr" "$base/busybox" "$root/"
	ln -s "$out/install/lib" "$root/lib"
	sed -e "s|^ST_ARCH=.*|ST_ARCH=$arch|" -e "s|^ST_KVER=.*|ST_KVER=$kver|" \
		-e "s|^ST_KDIR=.*|ST_KDIR=$out|" -e "s|^ST_IMAGE=.*|ST_IMAGE=$out/arch/x86/boot/bzImage|" \
		-e "s|^ST_MODDIR=.*|ST_MODDIR=$root/lib/modules/$kver|" "$base/sysroot.env" >"$root/sysroot.env"
	exit 0
fi

case "$arch" in
x86_64)   debarch=amd64;    flavour=amd64;     karch=x86;   cross= ;;
x86_64-rt) debarch=amd64;   flavour=rt-amd64;  karch=x86;   cross= ;;
mips64el) debarch=mips64el; flavour=5kc-malta; karch=mips;  cross=mips64el-linux-gnuabi64- ;;
arm64)    debarch=arm64;    flavour=arm64;     karch=arm64; cross=aarch64-linux-gnu- ;;
mipsel)   debarch=mipsel;   flavour=4kc-malta; karch=mips;  cross=mipsel-linux-gnu- ;;
octeon)   debarch=mips64el; flavour=octeon;    karch=mips;  cross=mips64el-linux-gnuabi64- ;;
*) echo "fetch-sysroot.sh: unknown arch '$arch'" >&2; exit 2 ;;
esac

# The headers every flavour shares; PREEMPT_RT flavours have their own.
case "$flavour" in rt-*) common=common-rt ;; *) common=common ;; esac

root=$CACHE/sysroot/$arch
debs=$CACHE/debs

# libmnl for stacktapctl, of the target arch: extracted, never installed.
fetch_libmnl() {
	[ -f "$1/usr/include/libmnl/libmnl.h" ] && return 0
	mkdir -p "$debs"
	for p in libmnl0 libmnl-dev; do
		(cd "$debs" && apt-get download -q=2 -o APT::Sandbox::User=root "$p:$debarch") >/dev/null
		dpkg-deb -x "$(ls "$debs/${p}_"*"_$debarch.deb" | tail -n1)" "$1"
	done
}

if [ -f "$root/sysroot.env" ]; then
	fetch_libmnl "$root"
	exit 0
fi

# Versions available for a package, newest first.
versions() { apt-cache madison "$1" 2>/dev/null | awk -F'|' '{gsub(/ /,"",$2); print $2}' | sort -Vr -u; }
has() { versions "$1" | grep -qx "$2"; }

# The newest ABI whose image, headers, common headers and host kbuild all
# exist at one version; the Malta ABI can lag the others.
abis=$(apt-cache search --names-only "^linux-image-6\.1\.0-[0-9]+-$flavour\$" |
	sed -n "s/^linux-image-\(6\.1\.0-[0-9]*\)-$flavour .*/\1/p" | sort -Vr)
abi= ver=
for a in $abis; do
	for v in $(versions "linux-image-$a-$flavour:$debarch"); do
		has "linux-headers-$a-$flavour:$debarch" "$v" || continue
		has "linux-headers-$a-$common" "$v" || continue
		has "linux-kbuild-6.1:amd64" "$v" || continue
		abi=$a ver=$v
		break 2
	done
done
[ -n "$abi" ] || { echo "fetch-sysroot.sh: no complete 6.1 $flavour kernel set in the apt lists (run apt-get update)" >&2; exit 1; }

mkdir -p "$debs"
tmp=$root.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
for p in "linux-image-$abi-$flavour:$debarch" "linux-headers-$abi-$flavour:$debarch" \
	 "linux-headers-$abi-$common" "linux-kbuild-6.1:amd64" "busybox-static:$debarch"; do
	name=${p%%:*}
	case "$name" in busybox-static) pv= ;; *) pv="=$ver" ;; esac
	(cd "$debs" && apt-get download -q=2 -o APT::Sandbox::User=root "$p$pv") >/dev/null
done
for name in "linux-image-$abi-$flavour" "linux-headers-$abi-$flavour" "linux-headers-$abi-$common"; do
	dpkg-deb -x "$(ls "$debs/${name}_"*"_$debarch.deb" "$debs/${name}_"*"_all.deb" 2>/dev/null | grep "_$(echo "$ver" | sed 's/:/%3a/')_" | head -n1)" "$tmp"
done
dpkg-deb -x "$(ls "$debs"/linux-kbuild-6.1_*_amd64.deb | grep "_${ver}_" | head -n1)" "$tmp"
dpkg-deb -x "$(ls "$debs"/busybox-static_*_"$debarch".deb | tail -n1)" "$tmp/busybox"
fetch_libmnl "$tmp"

kver=$abi-$flavour
kdir=$root/usr/src/linux-headers-$kver
# The arch headers' Makefile includes the common tree by absolute path.
sed -i "s|^include /usr/src/|include $root/usr/src/|" "$tmp/usr/src/linux-headers-$kver/Makefile"
image=$(ls "$tmp"/boot/vmlinu*-"$kver" | head -n1)
depmod -b "$tmp" "$kver"

cat > "$tmp/sysroot.env" <<ENV
ST_ARCH=$arch
ST_DEBARCH=$debarch
ST_KARCH=$karch
ST_CROSS=$cross
ST_KVER=$kver
ST_DEBVER=$ver
ST_KDIR=$kdir
ST_IMAGE=$root/boot/$(basename "$image")
ST_MODDIR=$root/lib/modules/$kver
ST_BUSYBOX=$root/busybox/bin/busybox
ENV
rm -rf "$root"
mv "$tmp" "$root"
