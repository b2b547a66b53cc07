#!/bin/sh
# How stacktap reaches real machines, each checked in a guest:
#
#   builtin  CONFIG_STACKTAP=y and CONFIG_BONDING=y in a small x86_64 kernel
#	     built from Debian's linux-source-6.1 (cached), booted with
#	     stacktap.probes=register_netdevice: bond0's boot-time record.
#   dt	     arm64 booted with QEMU's device tree plus /chosen/stacktap,
#	     once well-formed and once malformed.
#   dkms     Debian's amd64 headers for the suite's kernel installed on the
#	     host, `make dkms-install`, `dkms build`, and the DKMS-built
#	     stacktap.ko loaded in the x86_64 guest.
#   dkms-6.12, dkms-7.2
#	     the same against trixie's and forky's amd64 headers, in a
#	     chroot of that suite with its DKMS (the host cannot build for
#	     them), and loaded in the x86_64-6.12 or -7.2 guest.
#
#   selftests/deploy-check.sh builtin|dt|dkms|dkms-6.12|dkms-7.2
# Prints TAP lines; exits non-zero on any failure.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/cache.sh"
what=${1:?usage: deploy-check.sh builtin|dt|dkms|dkms-6.12|dkms-7.2}
log=$CACHE/deploy-$what.log
mkdir -p "$CACHE"

case "$what" in
builtin)
	start=$(date +%s)
	if ! image=$("$top/scripts/build-kernel.sh" builtin 2>"$log"); then
		echo "not ok - builtin: kernel with CONFIG_STACKTAP=y built"
		tail -n 30 "$log" | sed 's/^/# /'
		exit 1
	fi
	echo "ok - builtin: kernel with CONFIG_STACKTAP=y built or cached ($(($(date +%s) - start)) s)"
	sed -n 's/^build-kernel.sh: /# /p' "$log"
	ST_VARIANT=builtin ST_KERNEL=$image ST_APPEND="stacktap.probes=no_such_function_xyz,register_netdevice st_halt=reboot" \
		ST_TESTS_DIR=$top/selftests/guest/builtin "$top/selftests/guest.sh" x86_64
	;;
dt)
	rc=0
	for dt in good bad; do
		ST_VARIANT=dt-$dt ST_DT_FRAGMENT=$top/selftests/guest/dt/$dt.dts \
			ST_TESTS_DIR=$top/selftests/guest/dt "$top/selftests/guest.sh" arm64 "dt-$dt" || rc=1
	done
	# The binding is valid dt-schema, the node the guest booted with
	# matches it, and the malformed one does not.
	bind=$top/Documentation/devicetree/bindings
	if dt-doc-validate -u "$bind" "$bind/misc/stacktap.yaml" >"$log" 2>&1 && [ ! -s "$log" ]; then
		echo "ok - dt: the binding is valid dt-schema"
	else
		echo "not ok - dt: the binding is valid dt-schema"
		sed 's/^/# /' "$log"
		rc=1
	fi
	dt-mk-schema -j "$bind" >"$CACHE/deploy-dt-schema.json" 2>>"$log"
	for dt in good bad; do
		dt-validate -s "$CACHE/deploy-dt-schema.json" "$CACHE/build/arm64-dt-$dt/stacktap.dtb" 2>&1 |
			grep ': stacktap: ' >"$log"
		sed 's/^/# /' "$log"
		if { [ $dt = good ] && [ ! -s "$log" ]; } || { [ $dt = bad ] && [ -s "$log" ]; }; then
			echo "ok - dt: dt-validate $( [ $dt = good ] && echo accepts || echo rejects) the $dt node"
		else
			echo "not ok - dt: dt-validate $( [ $dt = good ] && echo accepts || echo rejects) the $dt node"
			rc=1
		fi
	done
	exit $rc
	;;
dkms)
	"$top/scripts/fetch-sysroot.sh" x86_64 >"$log" 2>&1
	# shellcheck disable=SC1090
	. "$DL/sysroot/x86_64/sysroot.env"
	pkg=linux-headers-$ST_KVER
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed'; then
		# The host's own arch: safe to install, unlike foreign headers.
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			"$pkg=$ST_DEBVER" >>"$log" 2>&1 ||
			{ echo "not ok - dkms: $pkg installed on the host"; tail -n 20 "$log" | sed 's/^/# /'; exit 1; }
	fi
	echo "ok - dkms: $pkg installed on the host"
	ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
	make -s -C "$top" dkms-uninstall >>"$log" 2>&1
	if make -s -C "$top" dkms-install >>"$log" 2>&1 &&
	   dkms build -m stacktap -v "$ver" -k "$ST_KVER" >>"$log" 2>&1; then
		ko=$(find "/var/lib/dkms/stacktap/$ver/$ST_KVER" -name stacktap.ko | head -n 1)
	else
		ko=
	fi
	if [ -z "$ko" ]; then
		echo "not ok - dkms: stacktap $ver built by dkms for $ST_KVER"
		tail -n 30 "$log" | sed 's/^/# /'
		find /var/lib/dkms/stacktap -name make.log -exec tail -n 30 {} \; 2>/dev/null | sed 's/^/# /'
		exit 1
	fi
	echo "ok - dkms: stacktap $ver built by dkms for $ST_KVER ($ko)"
	echo "# $(modinfo -F vermagic "$ko")"
	ST_VARIANT=dkms ST_STACKTAP_KO=$ko "$top/selftests/guest.sh" x86_64 01 17
	;;
dkms-6.12|dkms-7.2)
	target=x86_64-${what#dkms-}
	"$top/scripts/fetch-sysroot.sh" "$target" >"$log" 2>&1
	# shellcheck disable=SC1090
	. "$DL/sysroot/$target/sysroot.env"
	export ST_KDIR ST_KARCH ST_CROSS ST_CC ST_CHROOT
	root=$("$top/scripts/suite-chroot.sh" "$ST_CHROOT" 2>>"$log") ||
		{ echo "not ok - $what: $ST_CHROOT chroot made"; tail -n 20 "$log" | sed 's/^/# /'; exit 1; }
	ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
	# The chroot plays a machine of that suite: the kernel's headers at
	# /lib/modules/KVER/build, stacktap's sources where dkms-install puts them.
	mkdir -p "$root/lib/modules/$ST_KVER"
	ln -sfn "$ST_KDIR" "$root/lib/modules/$ST_KVER/build"
	rm -rf "$root/usr/src/stacktap-$ver" "$root/var/lib/dkms/stacktap"
	make -s -C "$top" dkms-install DESTDIR="$root" DKMS_ADD=: >>"$log" 2>&1
	if "$top/scripts/kmake.sh" --run sh -c "dkms add -m stacktap -v $ver &&
	     dkms build -m stacktap -v $ver -k $ST_KVER" >>"$log" 2>&1; then
		ko=$(find "$root/var/lib/dkms/stacktap/$ver/$ST_KVER" -name 'stacktap.ko*' | head -n 1)
	else
		ko=
	fi
	if [ -z "$ko" ]; then
		echo "not ok - $what: stacktap $ver built by $ST_CHROOT's dkms for $ST_KVER"
		tail -n 30 "$log" | sed 's/^/# /'
		find "$root/var/lib/dkms/stacktap" -name make.log -exec tail -n 30 {} \; 2>/dev/null | sed 's/^/# /'
		exit 1
	fi
	echo "ok - $what: stacktap $ver built by $ST_CHROOT's dkms for $ST_KVER"
	# DKMS compresses modules as the kernel's own are.
	case "$ko" in
	*.xz) xz -dc "$ko" >"$CACHE/dkms-$ST_KVER.ko"; ko=$CACHE/dkms-$ST_KVER.ko ;;
	*.zst) zstd -q -dc "$ko" >"$CACHE/dkms-$ST_KVER.ko"; ko=$CACHE/dkms-$ST_KVER.ko ;;
	esac
	echo "# $(modinfo -F vermagic "$ko")"
	ST_VARIANT=$what ST_STACKTAP_KO=$ko "$top/selftests/guest.sh" "$target" 01 17
	;;
*)
	echo "usage: deploy-check.sh builtin|dt|dkms|dkms-6.12|dkms-7.2" >&2
	exit 2
	;;
esac
