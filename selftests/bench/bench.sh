#!/bin/sh
# make bench: boot each arch's guest once and run selftests/bench/guest
# there: the truth module's leaf called N times at depths 8..64, bare,
# under the floor (stacktap's unwinder alone), under stacktap's probes and
# under the kernel's own tracers.  Prints a table per arch and writes it
# as JSON to build/bench.json.
#
#   ST_ARCHES="x86_64 mips64el arm64"   arches (default: these)
#   ST_BENCH_N=100000 ST_BENCH_ROUNDS=9 calls per run, runs per median
#   ST_BENCH_BPFTRACE=0                 no bpftrace (its amd64 guest root is
#                                       made by debootstrap the first time)
#   ST_BENCH_PARTS="07"                 only these parts (selftests/bench/guest)
#   ST_BENCH_APPEND="st_bench_mips_kprobes=1"  run kprobe_events on MIPS too
#                                       (it races kprobe_flush_task and may oops)
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
arches=${ST_ARCHES:-x86_64 mips64el arm64}
mkdir -p build
out=build/bench.json
lines=$(mktemp)
trap 'rm -f "$lines"' EXIT
rc=0
for a in $arches; do
	log=build/bench-$a.log
	echo "bench: $a guest (log: $log)" >&2
	# bpftrace runs on amd64, from a bookworm tree shared over virtio-9p.
	mods=
	extra=
	if [ "$a" = x86_64 ] && [ "${ST_BENCH_BPFTRACE:-1}" = 1 ]; then
		if rootfs=$(./scripts/make-bench-rootfs.sh); then
			mods=virtio_pci,9pnet_virtio,9p
			extra="-m 2048 -virtfs local,path=$rootfs,mount_tag=strootfs,security_model=none,readonly=on"
		else
			echo "bench: no bookworm tree, so no bpftrace figures" >&2
		fi
	fi
	# QEMU's TSC fails x86's sync check, so the kernel falls back to the
	# HPET, an emulated MMIO read in every stacktap timestamp that no real
	# machine's TSC clocksource pays (ftrace's clock is the TSC either way).
	append=
	[ "$a" != x86_64 ] || append=tsc=reliable
	ST_GUEST_MODS=$mods ST_QEMU_EXTRA=$extra \
	ST_BENCH=1 ST_VARIANT=bench ST_TESTS_DIR="$top/selftests/bench/guest" \
		ST_APPEND="st_bench_n=${ST_BENCH_N:-100000} st_bench_rounds=${ST_BENCH_ROUNDS:-9} $append ${ST_BENCH_APPEND:-}" \
		./selftests/guest.sh "$a" ${ST_BENCH_PARTS:-} >"$log" 2>&1 || { rc=1; echo "bench: $a failed:" >&2; grep -v '@bench' "$log" | tail -n 30 >&2; }
	grep '@bench' "$log" >>"$lines"
done
python3 selftests/bench/table.py "$out" <"$lines" || rc=1
exit $rc
