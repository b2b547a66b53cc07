# rmmod with probes armed and firing on every CPU is clean.
. /lib/st/lib.sh
truth_load
ncpu=$(grep -c ^processor /proc/cpuinfo)
for round in 1 2 3; do
	st_load
	st_ctl "add st_truth_leaf" || fail "add"
	st_ctl "add st_truth_c" || fail "add"
	pids=
	for c in $(seq 0 $((ncpu - 1))); do
		taskset -c "$c" sh -c "while :; do echo 2000 > $TRUTH/trigger; done" &
		pids="$pids $!"
	done
	sleep 1
	hits=$(awk '{ s += $2 } END { print s + 0 }' "$ST/probes")
	rmmod stacktap || fail "rmmod under fire (round $round)"
	kill $pids
	wait 2>/dev/null
	[ "$hits" -gt 0 ] || fail "probes never fired (round $round)"
	echo "round $round: rmmod after $hits hits on $ncpu CPUs"
done
lsmod | grep -q '^stacktap ' && fail "stacktap still loaded"
grep st_truth /sys/kernel/debug/kprobes/list && fail "kprobes left armed after rmmod"
exit 0
