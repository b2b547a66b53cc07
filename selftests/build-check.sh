#!/bin/sh
# Build stacktap.ko for one arch with W=1 and with sparse (C=1) and report
# any warning as a failed test.  MIPS's arch Makefile hands sparse gcc's
# __ATOMIC_* macros, which sparse predefines itself; scripts/sparse-wrapper
# drops those, and only those.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${STACKTAP_CACHE:-$top/.cache}
arch=${1:?usage: build-check.sh x86_64|mips64el|arm64|mipsel|octeon}

"$top/scripts/fetch-sysroot.sh" "$arch" || { echo "not ok - $arch: sysroot fetched"; exit 1; }
# shellcheck disable=SC1090
. "$CACHE/sysroot/$arch/sysroot.env"

for mode in W=1 C=1; do
	B=$CACHE/build-check/$arch-${mode%%=*}
	rm -rf "$B"
	mkdir -p "$B"
	cp -r "$top/Kbuild" "$top/module" "$top/include" "$B/"
	# shellcheck disable=SC2086
	make -C "$ST_KDIR" M="$B" ARCH="$ST_KARCH" CROSS_COMPILE="$ST_CROSS" \
		CHECK="$top/scripts/sparse-wrapper" $mode modules >"$B.log" 2>&1
	rc=$?
	warnings=$(grep -E -i -c 'warning:|error:' "$B.log")
	if [ $rc -eq 0 ] && [ "$warnings" -eq 0 ]; then
		echo "ok - $arch: $mode build, no warnings"
	else
		echo "not ok - $arch: $mode build, no warnings (exit $rc, $warnings warnings)"
		grep -E -i -A3 'warning:|error:' "$B.log" | head -40 | sed 's/^/# /'
	fi
done
