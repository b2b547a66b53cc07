# The benchmark, part 1: no probe, the floor and stacktap.  Writes the
# boot line the table heads each arch with.
#
# Host noise under QEMU moves a case by up to 2x from one minute to the
# next, so the cases a ratio compares run interleaved: each round runs
# baseline, then each floor followed by the stacktap cases it is the
# floor of, and the table takes each ratio per round, then the median.
. /lib/st/bench.lib
echo "@bench arch=$arch base=$base n=$N rounds=$ROUNDS"

# A round's records must all fit (a drop fails the run): N records of up
# to 64 frames, under 640 bytes each, on each CPU.  The module rounds
# buffer_kb up to a power of two.
kb=$((N * 640 / 1024))
[ "$kb" -ge 32768 ] || kb=32768
st_load depth=128 buffer_kb=$kb
for d in $depths; do
	interleave "$d" baseline \
		floor-f stacktap-f stacktap-f-count \
		floor-p stacktap-p \
		floor-r stacktap-r
done

# Two CPUs at once, where there are two: calls per second against one,
# the floors too (whether the probe mechanism itself scales),
# measured back to back.
if [ "$(ncpus)" -ge 2 ]; then
	for sc in floor-f floor-p floor-r stacktap-f stacktap-f-count stacktap-p stacktap-r; do
		arm "$sc"
		measure "$sc" 16 1 scaling
		measure "$sc" 16 2 scaling
		disarm "$sc"
	done
fi
st_unload

# x86_64: the floor with the kernel's own ORC walk, not stacktap's
# cache (stacktap_unwind_x86_orc.c): what the cache saves.
if [ "$arch" = x86_64 ]; then
	for k in f p; do
		for d in $depths; do
			insmod /st/st_floor.ko probe=$k:st_truth_leaf depth=128 kernel_unwinder=1 ||
				fail "insmod st_floor probe=$k: kernel_unwinder=1"
			measure "floor-$k-kernel" "$d"
			rmmod st_floor || fail "rmmod st_floor"
		done
	done
fi
