# The function tracer on st_truth_c, on and off 300 times while both
# CPUs run the truth chain.  stacktap is not loaded.
. /lib/st/lib.sh
truth_load
T=/sys/kernel/debug/tracing
hammer_start trigger
echo st_truth_c > $T/set_ftrace_filter || fail filter
round=1
while [ $round -le 300 ]; do
	echo function > $T/current_tracer || fail "function"
	sleep 0.2
	echo nop > $T/current_tracer || fail "nop"
	[ $((round % 25)) -eq 0 ] && echo "round $round" > /dev/kmsg
	round=$((round + 1))
done
hammer_stop
echo "done $round"
