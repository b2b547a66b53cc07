# Unload under fire, 100 rounds: every CPU runs the probed chain, two
# tasks sleep inside a kretprobed function, and a reader follows the
# records: a plain blocking cat of trace_pipe in odd rounds, stacktapctl
# stream (netlink) in even ones.  While cat holds the file, rmmod is
# refused: an open file pins its module, as for any module.  A netlink
# stream pins nothing: rmmod goes ahead and the stream ends by itself,
# told so.  rmmod must succeed with the sleepers' kretprobe instances
# still pending, and the sleepers must return normally through the
# kretprobe trampoline.
. /lib/st/lib.sh
truth_load
# make check runs st_unload_rounds= of them (kernel command line), for
# CI's time; check-all and a run by hand all 100.
rounds=${st_unload_rounds:-${ST_UNLOAD_ROUNDS:-100}}
ncpu=$(ncpus)
specs="p:st_truth_leaf f:st_truth_c r:st_truth_nap"

hammer_start trigger

# wait_for CMD: up to 10 s for CMD to succeed.
wait_for() {
	i=0
	until eval "$1"; do
		i=$((i + 1))
		[ $i -lt 100 ] || return 1
		sleep 0.1
	done
}

refused=0
clean=0
pending=0
naps=0
streamed=0
round=1
while [ $round -le "$rounds" ]; do
	st_load
	for spec in $specs; do
		st_ctl "add $spec" >/dev/null || fail "add $spec (round $round)"
	done
	if [ $((round % 2)) -eq 0 ]; then
		stacktapctl stream >/tmp/stream.out 2>/tmp/stream.err &
		reader=$!
	else
		cat "$ST/trace_pipe" >/dev/null &
		reader=$!
		wait_for "ls -l /proc/$reader/fd 2>/dev/null | grep -q trace_pipe" ||
			fail "reader never opened trace_pipe (round $round)"
	fi
	# The sleepers nap (50 ms each) until told to stop after rmmod, so
	# some are inside st_truth_nap then however slow the kernel is.
	rm -f /tmp/nap.stop /tmp/nap.count.*
	sleepers=
	for s in 1 2; do
		sh -c "n=0
			while [ ! -e /tmp/nap.stop ]; do
				echo 1 > $TRUTH/trigger_nap || exit 1
				n=\$((n + 1))
			done
			echo \$n > /tmp/nap.count.$s" &
		sleepers="$sleepers $!"
	done
	wait_for '[ "$(cat $TRUTH/napping)" -gt 0 ]' || fail "no task napping (round $round)"
	wait_for '[ "$(stats_sum written)" -gt 0 ]' || fail "no record written (round $round)"

	if [ $((round % 2)) -eq 1 ]; then
		rmmod stacktap 2>/tmp/rmmod.err && fail "rmmod succeeded while trace_pipe was open (round $round)"
		[ $round -eq 1 ] && echo "rmmod with a reader: $(cat /tmp/rmmod.err)"
		lsmod | grep -q '^stacktap ' || fail "stacktap gone after a refused rmmod (round $round)"
		refused=$((refused + 1))
		kill -TERM $reader
		wait $reader 2>/dev/null
	else
		wait_for '[ -s /tmp/stream.out ]' || fail "stream printed nothing (round $round): $(cat /tmp/stream.err)"
	fi

	inside=$(cat "$TRUTH/napping")
	rmmod stacktap || fail "rmmod under fire with $inside tasks in r:st_truth_nap (round $round)"
	if [ $((round % 2)) -eq 0 ]; then
		wait_for "! kill -0 $reader 2>/dev/null" || fail "stream still runs 10 s after rmmod (round $round)"
		wait $reader || fail "stream exited $? after rmmod (round $round): $(cat /tmp/stream.err)"
		grep -q 'records printed, [0-9]* dropped (stacktap was unloaded)$' /tmp/stream.err ||
			fail "stream's end after rmmod (round $round): $(cat /tmp/stream.err)"
		n=$(sed -n 's/.*stream: \([0-9]*\) records printed.*/\1/p' /tmp/stream.err)
		streamed=$((streamed + n))
	fi
	pending=$((pending + inside))
	clean=$((clean + 1))
	touch /tmp/nap.stop
	for s in $sleepers; do
		wait "$s" || fail "a task sleeping in r:st_truth_nap failed after rmmod (round $round)"
	done
	naps=$((naps + $(cat /tmp/nap.count.1) + $(cat /tmp/nap.count.2)))
	round=$((round + 1))
done
hammer_stop

lsmod | grep -q '^stacktap ' && fail "stacktap still loaded"
grep st_truth /sys/kernel/debug/kprobes/list && fail "kprobes left armed after rmmod"
grep -q st_truth /sys/kernel/debug/tracing/enabled_functions 2>/dev/null &&
	fail "ftrace still calls into st_truth functions"
echo "unload under fire ($specs): $clean/$rounds clean on $ncpu CPUs; rmmod refused while trace_pipe open $refused/$(((rounds + 1) / 2))"
echo "tasks inside r:st_truth_nap at rmmod: $pending in all; $naps naps returned normally; streams printed $streamed records and ended at rmmod"
[ "$clean" -eq "$rounds" ] && [ "$refused" -eq $(((rounds + 1) / 2)) ] && [ "$pending" -gt 0 ]
