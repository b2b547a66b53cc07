#!/bin/sh
# Fetch a Debian kernel sysroot for one guest target into the shared
# download cache ($DL, scripts/cache.sh): image and modules, matching
# headers, matching host kbuild, and a static busybox for the initramfs.
# Packages are only downloaded and extracted (dpkg-deb -x), never
# installed.  A target is an arch, for bookworm's 6.1, or ARCH-SERIES for
# another suite's kernel:
#
#   scripts/fetch-sysroot.sh x86_64|x86_64-rt|mips64el|arm64|mipsel|octeon
#   scripts/fetch-sysroot.sh x86_64-5.10|arm64-5.10     bullseye
#   scripts/fetch-sysroot.sh x86_64-6.12|arm64-6.12     trixie
#   scripts/fetch-sysroot.sh x86_64-7.2|arm64-7.2       forky
#   scripts/fetch-sysroot.sh mips64el-5.10|mipsel-5.10|mips64el-6.12|mipsel-6.12
#                            Malta trees for building against only
#
# octeon is mips64el's Octeon flavour, the field reports' board family
# (its pt_regs is 400 bytes, not 304): built against, never booted.
# Suites other than bookworm are read through a private apt configuration
# (scripts/apt-suite.sh); their headers pin a newer compiler than the
# host's, so trixie's and forky's are built in a chroot of that suite
# (scripts/suite-chroot.sh, ST_CHROOT in sysroot.env).  bullseye's pin
# gcc-10, and the host's gcc-12 builds them (ST_CC).
#
# x86_64-debug is not Debian's: scripts/build-kernel.sh builds it from
# Debian's source with KASAN, lockdep, kmemleak and UBSAN
# (selftests/kernel/debug.config); busybox and libmnl are x86_64's.
#
# A sysroot is reused while the apt lists still offer its version.
# Prints nothing but errors; writes $DL/sysroot/<target>/sysroot.env.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/cache.sh"
target=${1:?usage: fetch-sysroot.sh ARCH[-5.10|-6.12|-7.2] (ARCH: x86_64 x86_64-rt mips64el arm64 mipsel octeon)}

if [ "$target" = x86_64-debug ]; then
	"$top/scripts/fetch-sysroot.sh" x86_64
	"$top/scripts/build-kernel.sh" debug >/dev/null
	base=$DL/sysroot/x86_64
	out=$DL/kernel/debug
	root=$DL/sysroot/$target
	kver=$(cat "$out/include/config/kernel.release")
	rm -rf "$root"
	mkdir -p "$root"
	ln -s "$base/usr" "$base/busybox" "$root/"
	ln -s "$out/install/lib" "$root/lib"
	sed -e "s|^ST_ARCH=.*|ST_ARCH=$target|" -e "s|^ST_KVER=.*|ST_KVER=$kver|" \
		-e "s|^ST_KDIR=.*|ST_KDIR=$out|" -e "s|^ST_IMAGE=.*|ST_IMAGE=$out/arch/x86/boot/bzImage|" \
		-e "s|^ST_MODDIR=.*|ST_MODDIR=$root/lib/modules/$kver|" -e "s|^ST_MODROOT=.*|ST_MODROOT=$root|" "$base/sysroot.env" >"$root/sysroot.env"
	exit 0
fi

# MIPS of other series: Malta trees built from Debian's source, to build
# against only (scripts/prepare-tree.sh).
case "$target" in
mips64el-5.10|mipsel-5.10|mips64el-6.12|mipsel-6.12)
	out=$("$top/scripts/prepare-tree.sh" "${target%-*}" "${target##*-}")
	mkdir -p "$DL/sysroot/$target"
	cp "$out/sysroot.env" "$DL/sysroot/$target/"
	exit 0 ;;
esac

# ARCH-SERIES: the suite that ships SERIES; a bare arch is bookworm's 6.1.
case "$target" in
*-5.10|*-6.12|*-7.2) arch=${target%-*} series=${target##*-} ;;
*) arch=$target series=6.1 ;;
esac
case "$arch" in
x86_64)   debarch=amd64;    flavour=amd64;     karch=x86;   cross= ;;
x86_64-rt) debarch=amd64;   flavour=rt-amd64;  karch=x86;   cross= ;;
mips64el) debarch=mips64el; flavour=5kc-malta; karch=mips;  cross=mips64el-linux-gnuabi64- ;;
arm64)    debarch=arm64;    flavour=arm64;     karch=arm64; cross=aarch64-linux-gnu- ;;
mipsel)   debarch=mipsel;   flavour=4kc-malta; karch=mips;  cross=mipsel-linux-gnu- ;;
octeon)   debarch=mips64el; flavour=octeon;    karch=mips;  cross=mips64el-linux-gnuabi64- ;;
*) echo "fetch-sysroot.sh: unknown target '$target'" >&2; exit 2 ;;
esac
# suite, the ABI names' pattern, the host kbuild package (@ is the ABI),
# and how the module is compiled
cc= chroot=
case "$series" in
5.10) suite=bullseye abire='5\.10\.0-[0-9]+'        kbuild=linux-kbuild-5.10 cc=gcc-12 ;;
6.1)  suite=bookworm abire='6\.1\.0-[0-9]+'         kbuild=linux-kbuild-6.1 ;;
6.12) suite=trixie   abire='6\.12\.[0-9]+\+deb13'   kbuild=linux-kbuild-@ chroot=trixie ;;
7.2)  suite=forky    abire='7\.2\.[0-9]+\+deb14'    kbuild=linux-kbuild-@ chroot=forky ;;
esac
case "$series:$debarch" in
6.1:*|*:amd64|*:arm64) ;;
*) echo "fetch-sysroot.sh: Debian's $suite is not served here for $debarch" >&2; exit 2 ;;
esac
apt() { "$top/scripts/apt-suite.sh" "$suite" "$@"; }

# The headers every flavour shares; PREEMPT_RT flavours have their own.
case "$flavour" in rt-*) common=common-rt ;; *) common=common ;; esac

root=$DL/sysroot/$target
debs=$DL/debs/$suite

# libmnl for stacktapctl, of the target arch and of bookworm, like the
# cross libc the host links it with: extracted, never installed.
fetch_libmnl() {
	[ -f "$1/usr/include/libmnl/libmnl.h" ] && return 0
	mkdir -p "$DL/debs/bookworm"
	for p in libmnl0 libmnl-dev; do
		(cd "$DL/debs/bookworm" && apt-get download -q=2 -o APT::Sandbox::User=root "$p:$debarch") >/dev/null
		dpkg-deb -x "$(ls "$DL/debs/bookworm/${p}_"*"_$debarch.deb" | tail -n1)" "$1"
	done
}

# Versions available for a package, newest first.
versions() { apt cache madison "$1" 2>/dev/null | awk -F'|' '{gsub(/ /,"",$2); print $2}' | sort -Vr -u; }
has() { versions "$1" | grep -qx "$2"; }

if [ -f "$root/sysroot.env" ]; then
	# shellcheck disable=SC1091
	old=$(. "$root/sysroot.env" && echo "$ST_KVER $ST_DEBVER")
	if has "linux-headers-${old% *}:$debarch" "${old#* }"; then
		fetch_libmnl "$root"
		exit 0
	fi
fi

# The newest ABI whose image, headers, common headers and host kbuild all
# exist at one version; the Malta ABI can lag the others.
abis=$(apt cache search --names-only "^linux-headers-$abire-$flavour\$" |
	sed -E -n "s/^linux-headers-($abire)-$flavour .*/\1/p" | sort -Vr)
abi= ver=
for a in $abis; do
	for v in $(versions "linux-headers-$a-$flavour:$debarch"); do
		has "linux-headers-$a-$common" "$v" || continue
		has "$(echo "$kbuild" | sed "s/@/$a/"):amd64" "$v" || continue
		abi=$a ver=$v
		break 2
	done
done
[ -n "$abi" ] || { echo "fetch-sysroot.sh: no complete $series $flavour kernel set in $suite's apt lists" >&2; exit 1; }
kbuild=$(echo "$kbuild" | sed "s/@/$abi/")

# forky splits the image package: the image, its modules, and the files
# beside them (config, System.map).
images="linux-image-$abi-$flavour"
[ "$series" != 7.2 ] || images="linux-binary-$abi-$flavour linux-modules-$abi-$flavour linux-base-$abi-$flavour"

mkdir -p "$debs"
tmp=$root.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
for name in $images "linux-headers-$abi-$flavour"; do
	(cd "$debs" && apt download -q=2 "$name:$debarch=$ver") >/dev/null
done
(cd "$debs" && apt download -q=2 "linux-headers-$abi-$common=$ver" "$kbuild:amd64=$ver") >/dev/null
(cd "$DL/debs/bookworm" 2>/dev/null || { mkdir -p "$DL/debs/bookworm" && cd "$DL/debs/bookworm"; }
 apt-get download -q=2 -o APT::Sandbox::User=root "busybox-static:$debarch") >/dev/null
fver=$(echo "$ver" | sed 's/:/%3a/')
for name in $images "linux-headers-$abi-$flavour" "linux-headers-$abi-$common" "$kbuild"; do
	dpkg-deb -x "$(ls "$debs/${name}_${fver}_$debarch.deb" "$debs/${name}_${fver}_all.deb" \
		"$debs/${name}_${fver}_amd64.deb" 2>/dev/null | head -n1)" "$tmp"
done
dpkg-deb -x "$(ls "$DL/debs/bookworm"/busybox-static_*_"$debarch".deb | tail -n1)" "$tmp/busybox"
fetch_libmnl "$tmp"

kver=$abi-$flavour
kdir=$root/usr/src/linux-headers-$kver
# The arch headers' Makefile includes the common tree, and 7.2's names
# its own output directory, by absolute path.
sed -i -e "s|^include /usr/src/|include $root/usr/src/|" \
	-e "s|^KBUILD_OUTPUT=/usr/src/|KBUILD_OUTPUT=$root/usr/src/|" \
	"$tmp/usr/src/linux-headers-$kver/Makefile"
# 7.2's Makefile runs sparse (C=1) only if scripts/checker-valid.sh, which
# Debian's headers leave out, says it parses __typeof_unqual__: the same
# check, so that C=1 is not quietly dropped.
chk=$tmp/usr/src/linux-headers-$abi-common/scripts/checker-valid.sh
if grep -q checker-valid.sh "$tmp/usr/src/linux-headers-$abi-common/Makefile" && [ ! -e "$chk" ]; then
	cat >"$chk" <<'CHK'
#!/bin/sh
# Added by stacktap's fetch-sysroot.sh: prints 1 if the checker "$@" parses
# __typeof_unqual__ without an error.
command -v "$1" >/dev/null || exit 1
f=$(mktemp --suffix=.c)
echo 'static inline int u(const int *q) { __typeof_unqual__(*q) v = *q; return v; }' >"$f"
"$@" "$f" 2>&1 | awk 'BEGIN { c = 1 } /error/ { c = 0 } END { print c }'
rm -f "$f"
CHK
	chmod +x "$chk"
fi
# trixie and later keep modules under /usr/lib.
modroot=
[ -d "$tmp/lib/modules/$kver" ] || modroot=/usr
# forky keeps the image beside its modules.
image=$(ls "$tmp"/boot/vmlinu*-"$kver" "$tmp$modroot/lib/modules/$kver"/vmlinu[xz] 2>/dev/null | head -n1)
[ -n "$image" ] || { echo "fetch-sysroot.sh: no kernel image in the $kver packages" >&2; exit 1; }
depmod -b "$tmp$modroot" "$kver"

cat > "$tmp/sysroot.env" <<ENV
ST_ARCH=$target
ST_DEBARCH=$debarch
ST_KARCH=$karch
ST_CROSS=$cross
ST_KVER=$kver
ST_SERIES=$series
ST_DEBVER=$ver
ST_KDIR=$kdir
ST_IMAGE=$root${image#"$tmp"}
ST_MODROOT=$root$modroot
ST_MODDIR=$root$modroot/lib/modules/$kver
ST_BUSYBOX=$root/busybox/bin/busybox
ST_CC=$cc
ST_CHROOT=$chroot
ENV
rm -rf "$root"
mv "$tmp" "$root"
