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
# Whether it produced a stack at all (MIPS: a stack of zeros or nothing).
if grep -q 'st_truth_r' "$T/trace"; then
	echo "@bench arch=$arch case=ftrace-stack stack=yes"
else
	echo "@bench arch=$arch case=ftrace-stack stack=no"
	grep -v '^#' "$T/trace" | head -n 12 | sed 's/^/# /'
fi
echo nop >"$T/current_tracer"
echo 0 >"$T/options/func_stack_trace"
echo >"$T/set_ftrace_filter"
