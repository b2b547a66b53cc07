# Two kretprobes on one function, stacktap's and a kernel kprobe event's:
# st_truth_c returns to one trampoline twice.  Stacks that walk through
# it (a kprobe on the leaf below) and the r: probe's own still name the
# true callers, never the trampoline.
. /lib/st/lib.sh
truth_load
st_load
st_ctl "add r:st_truth_c" || fail "add r:st_truth_c"
T=/sys/kernel/debug/tracing
# The event goes whatever happens: left behind, it pins st_truth.
cleanup() {
	{
		echo 0 >"$T/events/kprobes/st_twin/enable"
		echo "-:st_twin" >>"$T/kprobe_events"
	} 2>/dev/null
}
trap cleanup EXIT
echo 'r:st_twin st_truth_c' >>"$T/kprobe_events" || fail "kprobe_events: r:st_twin st_truth_c"
echo 1 >"$T/events/kprobes/st_twin/enable" || fail "enable st_twin"
st_ctl "add p:st_truth_leaf" || fail "add p:st_truth_leaf"
echo 300 >"$TRUTH/trigger" || fail "trigger"
st_ctl "del p:st_truth_leaf" || fail "del p:"
st_ctl "del r:st_truth_c" || fail "del r:"
cleanup
cat "$ST/trace" >/tmp/trace
st_unload

ok=0
c_chain="st_truth_c[+]$(entry_off st_truth_c)/ st_truth_b st_truth_a st_truth_trigger_write"
check_truth /tmp/trace p:st_truth_leaf 300 "^st_truth_leaf[+]$ST_F0/" || ok=1
expect /tmp/trace r:st_truth_c 300 "$c_chain" || ok=1
exit $ok
