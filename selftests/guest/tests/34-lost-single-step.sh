# MIPS takes kprobe breaks with interrupts on, and an RCU callback that
# runs in that window (kprobe_flush_task()) can clear current_kprobe while
# a probe's single-step is pending: kprobes then disown the step's break
# and the kernel oopses ("Break instruction in kernel code"; CI saw it
# with a kernel kretprobe event next to stacktap's r:).  The truth
# module's clobber kprobe does what that callback does at every hit of
# st_truth_c.  stacktap's p: and r: there, armed before it and after it,
# still record every hit, and stacktap finishes every step kprobes lost,
# giving interrupts back on as they were.
# And stacktap's r: joining a kprobe event already on st_truth_c (an
# aggregate then calls no post-handler) leaks no softirq-disable count.
# Elsewhere kprobe handlers run with interrupts off: skipped.
. /lib/st/lib.sh
mips_only "kprobe handlers run with interrupts off on $(uname -m)"
truth_load
st_load
dmesg -c >/dev/null
T=/sys/kernel/debug/tracing
# The event and the clobber go whatever happens: left behind, they pin st_truth.
cleanup() {
	{
		echo 0 >"$T/events/kprobes/st_first/enable"
		echo "-:st_first" >>"$T/kprobe_events"
		echo 0 >"$TRUTH/clobber"
	} 2>/dev/null
}
trap cleanup EXIT
recovered() { sed -n 's/^kprobe steps recovered \([0-9]*\) .*/\1/p' "$ST/stats"; }
arm() { st_ctl "add p:st_truth_c" && st_ctl "add r:st_truth_c" || fail "add p:/r:st_truth_c"; }
disarm() { st_ctl "del p:st_truth_c" && st_ctl "del r:st_truth_c" || fail "del p:/r:st_truth_c"; }
clobber() { echo "$1" >"$TRUTH/clobber" || fail "clobber $1"; }

r0=$(recovered)
# The clobber after stacktap's probes (it runs first), then before them.
arm
clobber 1
echo 200 >"$TRUTH/trigger" || fail "trigger with the clobber after"
clobber 0
disarm
clobber 1
arm
echo 200 >"$TRUTH/trigger" || fail "trigger with the clobber before"
disarm
clobber 0
r1=$(recovered)

# A kprobe event first, stacktap's r: joins it.
echo 'r:st_first st_truth_c' >>"$T/kprobe_events" || fail "kprobe_events: r:st_first st_truth_c"
echo 1 >"$T/events/kprobes/st_first/enable" || fail "enable st_first"
st_ctl "add r:st_truth_c" || fail "add r:st_truth_c after the event"
echo 200 >"$TRUTH/trigger" || fail "trigger after the event"
sleep 0.1
st_ctl "del r:st_truth_c" || fail "del r:st_truth_c"
cleanup
cat "$ST/trace" >/tmp/trace
st_unload

ok=0
c_chain="st_truth_c[+]$(entry_off st_truth_c)/ st_truth_b st_truth_a st_truth_trigger_write"
if [ -z "$r0" ]; then
	echo "stats has no 'kprobe steps recovered' line"
	ok=1
else
	echo "single-steps kprobes lost and stacktap finished: $((r1 - r0)) of 400 hits"
	[ $((r1 - r0)) -eq 400 ] || ok=1
fi
expect /tmp/trace p:st_truth_c 400 "$c_chain" || ok=1
expect /tmp/trace r:st_truth_c 600 "$c_chain" || ok=1
irqs_off=$(cat "$TRUTH/irqs_off")
echo "triggered runs that returned with interrupts off: $irqs_off"
[ "$irqs_off" = 0 ] || ok=1
if dmesg | grep -q 'scheduling while atomic'; then
	echo "a softirq-disable count leaked:"
	dmesg | grep -A3 'scheduling while atomic' | head -5
	ok=1
fi
exit $ok
