# With the function graph tracer hooking st_truth_a and st_truth_b, their
# saved return addresses read return_to_handler; stacktap's stack still
# gives the real callers.
. /lib/st/lib.sh
T=/sys/kernel/debug/tracing
[ -d "$T" ] || fail "no tracefs at $T"
truth_load
st_load
echo 'st_truth_a st_truth_b' >"$T/set_ftrace_filter" || fail "set_ftrace_filter"
echo function_graph >"$T/current_tracer" || fail "function_graph"
st_ctl "add p:st_truth_leaf" || fail "add"
echo 20 >"$TRUTH/trigger"
st_ctl "del p:st_truth_leaf"
# The hooks were live: the graph trace holds both functions' calls.
hooked=$(grep -c ' st_truth_b' "$T/trace")
echo nop >"$T/current_tracer"
echo >"$T/set_ftrace_filter"
cat "$ST/trace" >/tmp/trace
st_unload
echo "function_graph traced st_truth_b $hooked times"
[ "$hooked" -ge 20 ] || fail "the graph tracer did not hook st_truth_b"
awk '
/^$/ { n++; if (!(f[1] ~ /^st_truth_leaf[+]/ && f[2] ~ /^st_truth_c[+]/ && f[3] ~ /^st_truth_b[+]/ &&
	f[4] ~ /^st_truth_a[+]/ && f[5] ~ /^st_truth_trigger_write[+]/)) { bad++; if (bad == 1) print "first wrong record:\n" rec }
	if (n == 1) print "first record:\n" rec; nf = 0; rec = ""; next }
{ rec = rec $0 "\n" }
/^ => / { f[++nf] = $2 }
END { printf "records %d, wrong %d\n", n, bad; exit !(n == 20 && !bad) }' /tmp/trace
