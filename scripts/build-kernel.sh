#!/bin/sh
# Build an x86_64 kernel from Debian's linux-source-6.1 (the version of the
# suite's amd64 kernel) with stacktap linked into the tree and the config
# fragment selftests/kernel/NAME.config applied over tinyconfig.  Cached
# in $DL/kernel/NAME (scripts/cache.sh): rebuilt only when the fragment or this script
# changes, or stacktap's sources when the fragment builds it in.  With
# CONFIG_MODULES, the modules are installed under $DL/kernel/NAME/install
# and the build tree serves as the headers for out-of-tree modules.
# Prints the bzImage's path last.
#
#   scripts/build-kernel.sh NAME
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/cache.sh"
name=${1:?usage: build-kernel.sh NAME (selftests/kernel/NAME.config)}
frag=$top/selftests/kernel/$name.config
[ -f "$frag" ] || { echo "build-kernel.sh: no $frag" >&2; exit 1; }

"$top/scripts/fetch-sysroot.sh" x86_64 >&2
# shellcheck disable=SC1090
. "$DL/sysroot/x86_64/sysroot.env"

# The source, once per Debian version.
src=$DL/kernel/linux-$ST_DEBVER
if [ ! -f "$src/.extracted" ]; then
	dl=$DL/kernel/dl
	mkdir -p "$dl"
	deb=$(ls "$dl"/linux-source-6.1_"$ST_DEBVER"_all.deb 2>/dev/null || true)
	if [ -z "$deb" ]; then
		(cd "$dl" && apt-get download "linux-source-6.1=$ST_DEBVER") >&2
		deb=$(ls "$dl"/linux-source-6.1_"$ST_DEBVER"_all.deb)
	fi
	echo "build-kernel.sh: extracting $(basename "$deb")" >&2
	rm -rf "$src" "$dl/x"
	dpkg-deb -x "$deb" "$dl/x"
	mkdir -p "$src"
	tar -xJf "$dl"/x/usr/src/linux-source-6.1.tar.xz -C "$src" --strip-components=1
	rm -rf "$dl/x"
	touch "$src/.extracted"
fi
"$top/scripts/kernel-tree-link.sh" "$src" >&2

out=$DL/kernel/$name
builtin=
grep -qx 'CONFIG_STACKTAP=y' "$frag" && builtin=y
stamp=$( (cat "$frag" "$0"
	[ -z "$builtin" ] || { cat "$top/Kbuild" "$top/Kconfig"; find "$top/module" "$top/include" -type f | sort | xargs cat; }) |
	sha256sum | cut -d' ' -f1)
image=$out/arch/x86/boot/bzImage
if [ -f "$image" ] && [ "$(cat "$out/.stacktap-stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "build-kernel.sh: $name is up to date" >&2
	echo "$image"
	exit 0
fi

mkdir -p "$out"
start=$(date +%s)
kmake() {
	make -C "$src" O="$out" ARCH=x86_64 "$@" >>"$out/build.log" 2>&1 ||
		{ tail -n 40 "$out/build.log" >&2; echo "build-kernel.sh: make $* failed" >&2; exit 1; }
}
: >"$out/build.log"
kmake tinyconfig
cat "$frag" >>"$out/.config"
kmake olddefconfig
# Every option the fragment sets must have survived olddefconfig.
missing=$(grep '^CONFIG_' "$frag" | while read -r opt; do
	grep -qx "$opt" "$out/.config" || echo "$opt"
done)
if [ -n "$missing" ]; then
	echo "build-kernel.sh: not in the final config (dependencies?): $missing" >&2
	exit 1
fi
if grep -qx 'CONFIG_MODULES=y' "$out/.config"; then
	kmake -j"$(nproc)" bzImage modules
	rm -rf "$out/install"
	kmake INSTALL_MOD_PATH="$out/install" modules_install
else
	kmake -j"$(nproc)" bzImage
fi
echo "$stamp" >"$out/.stacktap-stamp"
secs=$(($(date +%s) - start))
echo "$secs s on $(nproc) CPUs" >"$out/.build-time"
echo "build-kernel.sh: built $name in $secs s on $(nproc) CPUs" >&2
echo "$image"
