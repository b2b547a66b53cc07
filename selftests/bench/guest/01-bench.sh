# The benchmark (make bench), in one boot: the truth module's bench file
# calls st_truth_leaf N times through R levels of st_truth_r on CPU 0,
# timed in the kernel, and each case's ns/call is the median of ROUNDS
# runs.  Prints "@bench KEY=VALUE..." lines for selftests/bench/bench.sh.
# Under emulation only ratios mean anything.
. /lib/st/lib.sh
T=/sys/kernel/debug/tracing
FLOOR=/sys/kernel/debug/st_floor
N=${st_bench_n:-20000}
ROUNDS=${st_bench_rounds:-5}
arch=$(uname -m)
truth_load

# run CPUS R: one run of N calls at recursion R on CPU 0 (CPUS=1) or on
# CPUs 0 and 1 at once (CPUS=2); prints ns per call on CPU 0 and the
# calls per second of all CPUs together.
run() {
	pids=
	for c in $(seq 0 $(($1 - 1))); do
		taskset -c "$c" sh -c "echo $N $2 > $TRUTH/bench" &
		pids="$pids $!"
	done
	# shellcheck disable=SC2086
	wait $pids || fail "bench run"
	awk -v cpus="$1" 'NR == 1 { first = $4 } {
		if ($4 < first) first = $4
		if ($5 > last) last = $5
		calls += $2
		if ($1 == 0) ns = $3 / $2
	} END { printf "%.1f %.0f\n", ns, calls * 1e9 / (last - first) }' "$TRUTH/bench"
}

# measure NAME DEPTH [CPUS]: ROUNDS runs, between which the case's
# records are cleared (stacktap's buffer must never drop: a drop is
# cheaper than a write), and one @bench line with the medians.
measure() {
	for i in $(seq "$ROUNDS"); do
		[ ! -w "$ST/trace" ] || echo >"$ST/trace"
		run "${3:-1}" $(($2 - base))
	done >/tmp/rounds
	dropped=0
	[ ! -r "$ST/stats" ] || dropped=$(stats_sum dropped)
	[ "$dropped" -eq 0 ] || fail "$1: stacktap dropped $dropped records"
	frames=
	[ ! -r "$FLOOR/stats" ] || frames=$(awk '{ printf " frames=%.1f", $2 / $1 }' "$FLOOR/stats")
	echo "@bench arch=$arch case=$1 depth=$2 cpus=${3:-1} ns=$(median 1) rate=$(median 2) rounds=$ROUNDS$frames"
}

# median COLUMN of /tmp/rounds
median() {
	sort -n -k"$1" /tmp/rounds | awk -v c="$1" '{ v[NR] = $c } END { print v[int((NR + 1) / 2)] }'
}

# The frames below the recursion: a stacktap record at R = 0.
st_load depth=128 buffer_kb=32768
st_ctl "add p:st_truth_leaf" || fail "add"
echo "1 0" >"$TRUTH/bench"
st_ctl "del p:st_truth_leaf" || fail "del"
base=$(awk '/^ => / { n++ } /^$/ { exit } END { print n }' "$ST/trace")
cat "$ST/trace" | awk '/^$/ { exit } { print "# " $0 }'
st_unload
[ "$base" -ge 2 ] || fail "no stack at R = 0"
echo "@bench arch=$arch base=$base n=$N rounds=$ROUNDS"
depths=
for d in 8 16 32 64; do
	[ "$d" -lt "$base" ] || depths="$depths $d"
done

for d in $depths; do
	measure baseline "$d"
done

# The floor: unwind with stacktap's unwinder, store nothing.
# Loaded afresh per depth: its stats give the frames walked per hit.
for k in f p; do
	for d in $depths; do
		insmod /st/st_floor.ko probe=$k:st_truth_leaf depth=128 ||
			fail "insmod st_floor probe=$k:"
		measure "floor-$k" "$d"
		rmmod st_floor || fail "rmmod st_floor"
	done
done

# stacktap, each kind in trace mode, and f: in count mode.
st_load depth=128 buffer_kb=32768
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

# The kernel's own, on the same leaf.
echo 0 >"$T/tracing_on"
echo >"$T/trace"
echo 1 >"$T/tracing_on"
echo st_truth_leaf >"$T/set_ftrace_filter" || fail "set_ftrace_filter"
echo 1 >"$T/options/func_stack_trace"
echo function >"$T/current_tracer"
for d in $depths; do
	measure ftrace-stack "$d"
done
# Whether it produced a stack at all (MIPS: a stack of zeros or nothing).
if grep -q 'st_truth_r' "$T/trace"; then
	echo "@bench arch=$arch case=ftrace-stack stack=yes"
else
	echo "@bench arch=$arch case=ftrace-stack stack=no"
	grep -v '^#' "$T/trace" | head -n 12 | sed 's/^/# /'
fi
echo nop >"$T/current_tracer"
echo 0 >"$T/options/func_stack_trace"
echo >"$T/set_ftrace_filter"

kev() {
	echo "$1" >>"$T/kprobe_events" || return 1
	echo "$2" >"$T/events/kprobes/$3/trigger" || return 1
	echo 1 >"$T/events/kprobes/$3/enable"
}
kev_off() {
	echo 0 >"$T/events/kprobes/$1/enable"
	echo "!$2" >"$T/events/kprobes/$1/trigger"
	echo "-:$1" >>"$T/kprobe_events"
}
if kev "p:stb st_truth_leaf" stacktrace stb; then
	for d in $depths; do
		measure kprobe-stacktrace "$d"
	done
	kev_off stb stacktrace
	kev "r:stbr st_truth_leaf" stacktrace stbr || fail "kretprobe event"
	for d in $depths; do
		measure kretprobe-stacktrace "$d"
	done
	kev_off stbr stacktrace
	kev "p:stb st_truth_leaf" "hist:keys=stacktrace" stb || fail "hist trigger"
	for d in $depths; do
		measure kprobe-hist-stacktrace "$d"
	done
	kev_off stb "hist:keys=stacktrace"
else
	echo "@bench arch=$arch case=kprobe-stacktrace unsupported"
fi
echo >"$T/trace"

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
			awk -v n=$((N / 10)) '{ printf "%.1f %.1f %d %d\n", $2 / n / $3, $5 / n / $6, $3, $6 }' "$W"
		done >/tmp/rounds
		echo "@bench arch=$arch case=walk depth=$d stacktap_ns_per_frame=$(median 1) kernel_ns_per_frame=$(median 2) stacktap_frames=$(median 3) kernel_frames=$(median 4)"
	done
	rmmod st_floor
fi
