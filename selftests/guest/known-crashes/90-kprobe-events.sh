# kprobe_events p:st_truth_leaf, enabled and disabled 300 times while
# both CPUs run the truth chain.  stacktap is not loaded.
. /lib/st/lib.sh
truth_load
T=/sys/kernel/debug/tracing
hammer_start trigger
round=1
while [ $round -le 300 ]; do
	echo 'p:stk st_truth_leaf' > $T/kprobe_events || fail "kprobe_events"
	echo 1 > $T/events/kprobes/stk/enable || fail "enable"
	sleep 0.2
	echo 0 > $T/events/kprobes/stk/enable || fail "disable"
	echo > $T/kprobe_events || fail "clear"
	[ $((round % 50)) -eq 0 ] && echo "round $round" > /dev/kmsg
	round=$((round + 1))
done
hammer_stop
echo "done $round"
