#!/bin/sh
# The benchmark's bpftrace guest root: a Debian bookworm tree made by
# debootstrap with bpftrace installed, in $DL/bench/bookworm-amd64 (scripts/cache.sh).
# The x86_64 bench guest mounts it read-only over virtio-9p and runs
# bpftrace in a chroot there.  Made once (about 500 MB, a few minutes
# from Debian's archive); prints the tree's path.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/cache.sh"
root=$DL/bench/bookworm-amd64
mirror=${ST_DEBIAN_MIRROR:-http://deb.debian.org/debian}

if [ ! -x "$root/usr/bin/bpftrace" ]; then
	[ "$(id -u)" = 0 ] || { echo "make-bench-rootfs.sh: debootstrap needs root" >&2; exit 1; }
	command -v debootstrap >/dev/null ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >&2
	rm -rf "$root.new"
	mkdir -p "$(dirname "$root")"
	debootstrap --variant=minbase --include=bpftrace bookworm "$root.new" "$mirror" >&2
	rm -rf "$root"
	mv "$root.new" "$root"
fi
echo "$root"
