# The field report's comparison, on the same events: the kernel's function
# tracer with func_stack_trace, and a stacktap f: probe, both on the truth
# chain's leaf.  On MIPS the kernel's stack is broken (it ends inside
# mcount.S) and stacktap's is exact; elsewhere stacktap's must be exact.
. /lib/st/lib.sh
T=/sys/kernel/debug/tracing
[ -d "$T" ] || fail "no tracefs at $T"
truth_load
st_load
st_ctl "add f:st_truth_leaf" || fail "add"
echo st_truth_leaf >"$T/set_ftrace_filter" || fail "set_ftrace_filter"
echo function >"$T/current_tracer"
echo 1 >"$T/options/func_stack_trace"
echo >"$T/trace"
echo 5 >"$TRUTH/trigger"
# Read the trace before switching tracers: that clears it.
echo 0 >"$T/tracing_on"
grep -v '^#' "$T/trace" >/tmp/ftrace
echo 0 >"$T/options/func_stack_trace"
echo nop >"$T/current_tracer"
echo >"$T/set_ftrace_filter"
echo 1 >"$T/tracing_on"
st_ctl "del f:st_truth_leaf"
cat "$ST/trace" >/tmp/stacktap
st_unload

echo "---- kernel: function tracer + func_stack_trace (first event)"
awk '/<stack trace>/ { n++ } n == 1 || (n == 0 && /st_truth_leaf/) { print } n == 2 { exit }' /tmp/ftrace
echo "---- stacktap: f:st_truth_leaf (first event)"
awk '/^$/ { exit } { print }' /tmp/stacktap

kernel_events=$(grep -c '<stack trace>' /tmp/ftrace)
kernel_exact=$(grep -c '^ => st_truth_c' /tmp/ftrace)
echo "kernel: $kernel_events stack traces, $kernel_exact reaching st_truth_c"
ok=0
check_truth /tmp/stacktap f:st_truth_leaf 5 '^st_truth_leaf[+]0x[0-9a-f]+/' || ok=1
case "$(uname -m)" in
mips*)
	[ "$kernel_events" = 5 ] || { echo "kernel recorded $kernel_events events, expected 5"; ok=1; }
	[ "$kernel_exact" = 0 ] || { echo "the kernel's MIPS stacks reach the caller now: update this test"; ok=1; } ;;
esac
exit $ok
