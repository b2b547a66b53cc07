#!/bin/sh
# Install what the build and the guest test bed need on a Debian 12 host.
# Idempotent; run as root (CI is root). Foreign-arch kernel headers are
# never installed here: scripts/fetch-sysroot.sh extracts them instead,
# because apt would replace the host gcc-12 with the target's.
set -eu

arches="mips64el mipsel arm64"
need_update=
for a in $arches; do
	dpkg --print-foreign-architectures | grep -qx "$a" && continue
	[ "$(id -u)" = 0 ] || { echo "setup-host.sh: run as root to add dpkg architecture $a" >&2; exit 1; }
	dpkg --add-architecture "$a"
	need_update=1
done

pkgs="make gcc-12 libc6-dev bc cpio kmod xz-utils zstd sparse
      qemu-system-x86 qemu-system-mips qemu-system-arm
      gcc-12-mips64el-linux-gnuabi64 gcc-12-aarch64-linux-gnu gcc-12-mipsel-linux-gnu
      gcc-mips64el-linux-gnuabi64 gcc-aarch64-linux-gnu gcc-mipsel-linux-gnu
      libc6-dev-mips64el-cross libc6-dev-arm64-cross libc6-dev-mipsel-cross
      libmnl-dev libdw-dev pkg-config python3 curl
      libprotobuf-c-dev protobuf-c-compiler protobuf-compiler python3-protobuf zlib1g-dev chromium
      flex bison libelf-dev libssl-dev device-tree-compiler dt-schema dkms debootstrap"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && [ -z "$need_update" ] && exit 0
[ "$(id -u)" = 0 ] || { echo "setup-host.sh: missing:$missing; run as root (apt-get install)" >&2; exit 1; }
apt-get update -q
[ -z "$missing" ] && exit 0
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
