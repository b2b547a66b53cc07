# The benchmark, part 1: no probe, the floor and stacktap.  Writes the
# boot line the table heads each arch with.
. /lib/st/bench.lib
echo "@bench arch=$arch base=$base n=$N rounds=$ROUNDS"
for d in $depths; do
	measure baseline "$d"
done

# The floor: unwind with stacktap's unwinder, store nothing.
# Loaded afresh per depth: its stats give the frames walked per hit.
for k in f p r; do
	for d in $depths; do
		insmod /st/st_floor.ko probe=$k:st_truth_leaf depth=128 ||
			fail "insmod st_floor probe=$k:"
		measure "floor-$k" "$d"
		rmmod st_floor || fail "rmmod st_floor"
	done
done

# x86_64: the same floor with the kernel's own ORC walk, not stacktap's
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

# stacktap, each kind in trace mode, and f: in count mode.
# A round's records must all fit (measure() fails on a drop): N records
# of up to 64 frames, under 640 bytes each, on each CPU.  The module rounds
# buffer_kb up to a power of two.
kb=$((N * 640 / 1024))
[ "$kb" -ge 32768 ] || kb=32768
st_load depth=128 buffer_kb=$kb
for spec in "f:st_truth_leaf" "p:st_truth_leaf" "r:st_truth_leaf" "f:st_truth_leaf mode=count"; do
	name=stacktap-${spec%%:*}
	case "$spec" in *count*) name=$name-count ;; esac
	st_ctl "add $spec" || fail "add $spec"
	for d in $depths; do
		measure "$name" "$d"
	done
	# Two CPUs at once, where there are two.
	[ "$(ncpus)" -lt 2 ] || measure "$name" 16 2
	st_ctl "del ${spec%% *}" || fail "del $spec"
	echo >"$ST/stacks"
done
st_unload
