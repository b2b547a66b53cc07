#!/bin/sh
# make install honours DESTDIR and PREFIX: module, tool, man page and
# completion land where they belong (module built for the x86_64 sysroot).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/cache.sh"
"$top/scripts/fetch-sysroot.sh" x86_64 || { echo "not ok - make install (no sysroot)"; exit 1; }
. "$DL/sysroot/x86_64/sysroot.env"
B=$CACHE/install-check
rm -rf "$B"
mkdir -p "$B/src" "$B/root"
cp -r "$top/Kbuild" "$top/Makefile" "$top/module" "$top/include" "$top/userspace" "$B/src/"
if ! make -s -C "$B/src" KDIR="$ST_KDIR" DESTDIR="$B/root" PREFIX=/usr install >"$B.log" 2>&1; then
	echo "not ok - make install"
	sed 's/^/# /' "$B.log" | tail -n 20
	exit 1
fi
missing=
for f in "lib/modules/$ST_KVER/extra/stacktap.ko" usr/sbin/stacktapctl \
	 usr/share/man/man8/stacktapctl.8 usr/share/bash-completion/completions/stacktapctl; do
	[ -f "$B/root/$f" ] || missing="$missing $f"
done
if [ -n "$missing" ]; then
	echo "not ok - make install (missing:$missing)"
	exit 1
fi
echo "ok - make install puts module, stacktapctl, man page and completion under DESTDIR/PREFIX"
if man -l "$B/root/usr/share/man/man8/stacktapctl.8" >/dev/null 2>&1 || ! command -v man >/dev/null; then
	echo "ok - stacktapctl.8 renders"
else
	echo "not ok - stacktapctl.8 renders"
fi

# The completion offers subcommands, and for del the armed probes' specs
# (from 'stacktapctl list', stood in for here).
got=$(bash -c '
	stacktapctl() { printf "ID   SPEC HITS MISSES\n1    p:register_netdevice 3 0\n2    r:vfs_read 0 0\n"; }
	. "$1"
	COMP_WORDS=(stacktapctl de); COMP_CWORD=1; _stacktapctl; printf "%s " "${COMPREPLY[@]}"; echo
	COMP_WORDS=(stacktapctl del ""); COMP_CWORD=2; _stacktapctl; printf "%s " "${COMPREPLY[@]}"; echo
' _ "$top/userspace/completion/stacktapctl.bash")
if [ "$got" = "$(printf 'del \np:register_netdevice r:vfs_read ')" ]; then
	echo "ok - bash completion: subcommands, and armed probes for del"
else
	echo "not ok - bash completion: subcommands, and armed probes for del"
	echo "# got: $got"
fi
