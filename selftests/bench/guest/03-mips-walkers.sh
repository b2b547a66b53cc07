# The benchmark, part 3: MIPS only.
. /lib/st/bench.lib
# MIPS: the two walkers frame for frame on the same stack (st_floor's
# walk_mips), ns per frame; the kernel's gives up early where it cannot
# follow, so frames are reported too.
if [ "${arch#mips}" != "$arch" ]; then
	insmod /st/st_floor.ko probe=f:st_truth_leaf || fail "insmod st_floor"
	W=$FLOOR/walk_mips
	echo "1 0" >"$W" || fail "walk_mips"
	wbase=$(awk '{ print $3 }' "$W")
	for d in 8 16 32 64; do
		[ "$d" -ge "$wbase" ] || continue
		for i in $(seq "$ROUNDS"); do
			echo "$((N / 10)) $((d - wbase))" >"$W" || fail "walk_mips $d"
			awk -v n=$((N / 10)) '{ printf "%.1f %.1f %d %d %.1f\n", $2 / n / $3, $5 / n / $6, $3, $6, $8 / n }' "$W"
		done >/tmp/rounds
		echo "@bench arch=$arch case=walk depth=$d stacktap_ns_per_frame=$(median 1) kernel_ns_per_frame=$(median 2) stacktap_frames=$(median 3) kernel_frames=$(median 4) stacktap_setup_ns=$(median 5)"
	done
	rmmod st_floor
fi
