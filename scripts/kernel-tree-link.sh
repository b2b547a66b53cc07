#!/bin/sh
# Link stacktap into a kernel source tree as drivers/misc/stacktap, so that
# CONFIG_STACKTAP=y builds it into the kernel (=m: an in-tree module).  The
# tree keeps symlinks to this repository: edits here are built there.
# Running it again is harmless.
#
#   scripts/kernel-tree-link.sh <kernel source tree>
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
k=${1:?usage: kernel-tree-link.sh <kernel source tree>}
if [ ! -f "$k/Kbuild" ] || [ ! -f "$k/drivers/misc/Kconfig" ]; then
	echo "kernel-tree-link.sh: $k is not a kernel source tree" >&2
	exit 1
fi

dst=$k/drivers/misc/stacktap
rm -rf "$dst"
mkdir "$dst"
for f in Kbuild Kconfig module include; do
	ln -s "$top/$f" "$dst/$f"
done

# drivers/misc/Kconfig ends with the menu's endmenu: source ours inside it.
if ! grep -q 'drivers/misc/stacktap/Kconfig' "$k/drivers/misc/Kconfig"; then
	[ "$(tail -n 1 "$k/drivers/misc/Kconfig")" = endmenu ] ||
		{ echo "kernel-tree-link.sh: drivers/misc/Kconfig does not end with endmenu" >&2; exit 1; }
	sed -i '$i source "drivers/misc/stacktap/Kconfig"' "$k/drivers/misc/Kconfig"
fi
if ! grep -q 'CONFIG_STACKTAP' "$k/drivers/misc/Makefile"; then
	echo 'obj-$(CONFIG_STACKTAP) += stacktap/' >>"$k/drivers/misc/Makefile"
fi
echo "stacktap linked into $dst: enable CONFIG_STACKTAP (Device Drivers > Misc devices)"
