# Hostile contexts: the truth chain runs from every CPU's tasks, from
# hardirq (an hrtimer) and from softirq (a timer_list), while probes sit
# on functions stacktap's own hit path calls (irq_work_queue to wake
# trace_pipe's reader, copy_from_kernel_nofault in the arm64 and MIPS
# walkers, the x86 ORC unwinder), and an NMI (sysrq-l's backtrace: an NMI
# on x86_64, an IPI elsewhere) lands in a probed function.  Nothing may
# recurse or deadlock: the truth probes record every run exactly, and a
# probe hit from inside stacktap's own handler is counted as a miss.
. /lib/st/lib.sh
truth_load
st_load
n=200
ncpu=$(ncpus)
st_ctl "add p:st_truth_leaf" || fail "add p:st_truth_leaf"
st_ctl "add f:st_truth_c" || fail "add f:st_truth_c"
# Armed before any load runs (see 26-unload-under-fire.sh on x86_64).
armed=
for spec in f:irq_work_queue p:irq_work_queue f:copy_from_kernel_nofault \
	p:copy_from_kernel_nofault f:unwind_next_frame p:unwind_next_frame \
	f:__kernel_text_address f:nmi_cpu_backtrace; do
	if why=$(st_ctl "add $spec mode=count"); then
		armed="$armed $spec"
	else
		echo "$spec refused: $why"
	fi
done
echo "armed on stacktap's own paths:$armed"
case "$armed" in *irq_work_queue*) ;; *) fail "no probe on irq_work_queue" ;; esac

cat "$ST/trace_pipe" >/tmp/pipe &
reader=$!
truth_on_every_cpu $n
echo $n >"$TRUTH/trigger_irq" || fail "trigger_irq"
echo $n >"$TRUTH/trigger_softirq" || fail "trigger_softirq"
# The backtrace is expected output, kept off the console.
dmesg -n 1
echo l >/proc/sysrq-trigger
sleep 2
dmesg -n 7
kill $reader
wait $reader 2>/dev/null
cat "$ST/probes"

want=$((n * ncpu + 2 * n))
check_truth /tmp/pipe p:st_truth_leaf $want '^st_truth_leaf[+]0x0/' ||
	fail "p:st_truth_leaf from task, hardirq and softirq"
grep -q '__hrtimer_run_queues' /tmp/pipe || fail "no record from hardirq"
grep -q 'call_timer_fn' /tmp/pipe || fail "no record from softirq"
for spec in p:st_truth_leaf f:st_truth_c; do
	set -- $(grep "^$spec " "$ST/probes")
	[ "$2" = $want ] && [ "$3" = 0 ] || fail "$spec: $2 hits and $3 misses, expected $want and 0"
done
nmi=$(grep '^f:nmi_cpu_backtrace ' "$ST/probes" | cut -d' ' -f2)
echo "f:nmi_cpu_backtrace hits: ${nmi:-not armed}"
[ -z "$nmi" ] || [ "$nmi" -gt 0 ] || fail "sysrq-l never reached nmi_cpu_backtrace"
grep -A30 '^@\[f:nmi_cpu_backtrace\]' "$ST/stacks" | head -20

# The backtraces sysrq-l wrote are no splat; anything else is.
dmesg | grep -E 'WARNING:|BUG:|Oops|general protection|Unable to handle' && fail "splat"
dmesg -c >/dev/null
exit 0
