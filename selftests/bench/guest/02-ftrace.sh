# The benchmark, part 2: the kernel's function tracer with
# func_stack_trace on the same leaf.
. /lib/st/bench.lib
echo 0 >"$T/tracing_on"
echo >"$T/trace"
echo 1 >"$T/tracing_on"
echo st_truth_leaf >"$T/set_ftrace_filter" || fail "set_ftrace_filter"
echo 1 >"$T/options/func_stack_trace"
echo function >"$T/current_tracer"
for d in $depths; do
	measure ftrace-stack "$d"
done
# Whether its stack is right: one call at depth 16 must show the frame
# below the recursion (the bench file's writer).  The first event shows.
echo >"$T/trace"
echo "1 $((16 - base))" >"$TRUTH/bench"
grep -v '^#' "$T/trace" | head -n 24 >/tmp/ftrace.first
sed 's/^/# /' /tmp/ftrace.first
if grep -q 'st_truth_bench_write' /tmp/ftrace.first; then
	echo "@bench arch=$arch case=ftrace-stack stack=yes"
else
	echo "@bench arch=$arch case=ftrace-stack stack=no"
fi
echo nop >"$T/current_tracer"
echo 0 >"$T/options/func_stack_trace"
echo >"$T/set_ftrace_filter"
