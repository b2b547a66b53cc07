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
own="f:irq_work_queue p:irq_work_queue f:copy_from_kernel_nofault p:copy_from_kernel_nofault"
walkers="f:unwind_next_frame p:unwind_next_frame f:__kernel_text_address"
# Under KASAN every slab allocation and free saves a stack through the
# kernel's unwinder, so probes there fire thousands of times a second from
# RCU's callback softirq; armed for the whole run, they stall RCU.  There
# they get a short run of their own below.
if grep -q ' kasan_save_stack$' /proc/kallsyms; then
	kasan=1
else
	kasan=
	own="$own $walkers"
fi
armed=
for spec in $own; do
	if why=$(st_ctl "add $spec mode=count"); then
		armed="$armed $spec"
	else
		echo "$spec refused: $why"
	fi
done
echo "armed on stacktap's own paths:$armed"
[ -n "$armed" ] || fail "no probe on stacktap's own paths could be armed"

# What sysrq-l's backtrace runs, in NMI on x86_64 (nmi_cpu_backtrace()
# itself is notrace); the names differ by arch, so whichever exist.
nmiprobes=
for spec in f:show_regs f:__show_regs f:show_trace_log_lvl f:dump_stack_lvl f:show_stack; do
	st_ctl "add $spec mode=count" >/dev/null && nmiprobes="$nmiprobes $spec"
done
echo "armed on sysrq-l's backtrace path:$nmiprobes"

cat "$ST/trace_pipe" >/tmp/pipe &
reader=$!
truth_on_every_cpu $n
echo $n >"$TRUTH/trigger_irq" || fail "trigger_irq"
echo $n >"$TRUTH/trigger_softirq" || fail "trigger_softirq"
# sysrq-l: an NMI on x86_64, an IPI elsewhere.  Its backtraces are
# expected output, kept off the console.
dmesg -n 1
echo l >/proc/sysrq-trigger
sleep 2
dmesg -n 7
kill $reader
wait $reader 2>/dev/null
cat "$ST/probes"

want=$((n * ncpu + 2 * n))
# A softirq or hardirq run may interrupt stacktap's own trace_pipe reader:
# frames of the module below the interrupt are the true stack there.
TRACER_FRAMES=$(echo "$TRACER_FRAMES" | sed 's/|stacktap|/|/')
check_truth /tmp/pipe p:st_truth_leaf $want "^st_truth_leaf[+]$ST_F0/" ||
	fail "p:st_truth_leaf from task, hardirq and softirq"
grep -q '__hrtimer_run_queues' /tmp/pipe || fail "no record from hardirq"
grep -q 'call_timer_fn' /tmp/pipe || fail "no record from softirq"
for spec in p:st_truth_leaf f:st_truth_c; do
	set -- $(grep "^$spec " "$ST/probes")
	[ "$2" = $want ] && [ "$3" = 0 ] || fail "$spec: $2 hits and $3 misses, expected $want and 0"
done
nmi=0
for spec in $nmiprobes; do
	nmi=$((nmi + $(probe_field "$spec" 2)))
done
echo "hits on sysrq-l's backtrace path: $nmi"
[ -z "$nmiprobes" ] || [ "$nmi" -gt 0 ] || fail "sysrq-l's backtrace never hit$nmiprobes"
grep -B2 -A30 'exc_nmi\|nmi_handle\|ipi_handler\|do_handle_IPI' "$ST/stacks" | head -40

if [ -n "$kasan" ]; then
	walked=
	for spec in $walkers; do
		st_ctl "add $spec mode=count" >/dev/null && walked="$walked $spec"
	done
	echo "KASAN kernel: armed on the kernel's unwinder for a short run:$walked"
	[ -n "$walked" ] || fail "no probe on the kernel's unwinder could be armed"
	before=$(probe_field p:st_truth_leaf 2)
	truth_on_every_cpu 5
	echo 5 >"$TRUTH/trigger_irq" || fail "trigger_irq"
	echo 5 >"$TRUTH/trigger_softirq" || fail "trigger_softirq"
	got=$(($(probe_field p:st_truth_leaf 2) - before))
	grep -E "^(p|f):(unwind_next_frame|__kernel_text_address) " "$ST/probes"
	w=0
	for spec in $walked; do
		w=$((w + $(probe_field "$spec" 2)))
		st_ctl "del $spec" || fail "del $spec"
	done
	want=$((5 * ncpu + 10))
	[ "$got" = $want ] && [ "$(probe_field p:st_truth_leaf 3)" = 0 ] ||
		fail "p:st_truth_leaf beside the unwinder probes: $got hits, expected $want and 0 misses"
	[ "$w" -gt 0 ] || fail "the kernel's unwinder probes never hit"
fi

# The backtraces sysrq-l wrote are no splat; anything else is.
dmesg | grep -E 'WARNING:|BUG:|Oops|general protection|Unable to handle' && fail "splat"
dmesg -c >/dev/null
exit 0
