# The benchmark, part 4: kprobe_events with a stacktrace trigger, a
# kretprobe event with one, and kprobe_events with hist:keys=stacktrace.
# Last, because on MIPS the kernel's kprobes race kprobe_flush_task()
# under load (Documentation/stacktap.rst, Known limits) and may take the
# guest down: what the earlier parts printed is kept.
. /lib/st/bench.lib
# Seen: "Break instruction in kernel code" at the single-step slot within
# seconds of kprobe_events + stacktrace on mips64el.  Only when asked.
if [ "${arch#mips}" != "$arch" ] && [ "${st_bench_mips_kprobes:-0}" != 1 ]; then
	echo "@bench arch=$arch case=kprobe-stacktrace skipped=kprobes-race-kprobe_flush_task"
	exit 0
fi
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
