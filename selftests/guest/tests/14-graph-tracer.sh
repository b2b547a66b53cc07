# With the function graph tracer hooking st_truth_a and st_truth_b, their
# saved return addresses read return_to_handler; stacktap's stack still
# gives the real callers.
. /lib/st/lib.sh
T=/sys/kernel/debug/tracing
[ -d "$T" ] || fail "no tracefs at $T"
# graph_on FUNCTIONS: the graph tracer on them alone; graph_off undoes it.
graph_on() {
	echo "$1" >"$T/set_ftrace_filter" || fail "set_ftrace_filter"
	echo function_graph >"$T/current_tracer" || fail "function_graph"
}
graph_off() {
	echo nop >"$T/current_tracer"
	echo >"$T/set_ftrace_filter"
}
# graph_done FUNCTION FILE: the tracer off, stacktap's FILE kept as
# /tmp/FILE, stacktap unloaded; FUNCTION must have been hooked 20 times.
graph_done() {
	hooked=$(grep -c " $1" "$T/trace")
	graph_off
	cat "$ST/$2" >"/tmp/$2"
	st_unload
	echo "function_graph traced $1 $hooked times"
	[ "$hooked" -ge 20 ] || fail "the graph tracer did not hook $1"
}
truth_load
st_load
graph_on 'st_truth_a st_truth_b'
st_ctl "add p:st_truth_leaf" || fail "add"
echo 20 >"$TRUTH/trigger"
st_ctl "del p:st_truth_leaf"
# The hooks were live: the graph trace holds both functions' calls.
graph_done st_truth_b trace
awk '
/^$/ { n++; if (!(f[1] ~ /^st_truth_leaf[+]/ && f[2] ~ /^st_truth_c[+]/ && f[3] ~ /^st_truth_b[+]/ &&
	f[4] ~ /^st_truth_a[+]/ && f[5] ~ /^st_truth_trigger_write[+]/)) { bad++; if (bad == 1) print "first wrong record:\n" rec }
	if (n == 1) print "first record:\n" rec; nf = 0; rec = ""; next }
{ rec = rec $0 "\n" }
/^ => / { f[++nf] = $2 }
END { printf "records %d, wrong %d\n", n, bad; exit !(n == 20 && !bad) }' /tmp/trace ||
	fail "stacks under hooked callers are not exact"


# wake_up_process() tail-calls try_to_wake_up(): hooked, it hands the
# graph tracer's hook on in ra, and try_to_wake_up's saved ra reads
# return_to_handler with no entry of its own (f: and MIPS p: run before
# its hook is set).  The tail caller's entry holds its real caller.
st_load
graph_on 'wake_up_process'
st_ctl "add f:try_to_wake_up mode=count" || fail "add f:try_to_wake_up"
st_ctl "add p:try_to_wake_up mode=count" || fail "add p:try_to_wake_up"
i=0
while [ $i -lt 20 ]; do
	sleep 0.01
	i=$((i + 1))
done
st_ctl "del f:try_to_wake_up"
st_ctl "del p:try_to_wake_up"
graph_done wake_up_process stacks
# At least the waker's caller and an entry below try_to_wake_up.
awk '
function done_stack() {
	if (!spec) return
	stacks[spec]++
	if (nf < 3) { bad++; print "short stack for " spec ":"; for (i = 1; i <= nf; i++) print "  " f[i] }
	spec = ""
}
/^@\[/ { done_stack(); spec = substr($1, 3, length($1) - 3); nf = 0; next }
/^ => / { f[++nf] = $2; next }
END {
	done_stack()
	printf "f:try_to_wake_up %d stacks, p:try_to_wake_up %d, short %d\n", stacks["f:try_to_wake_up"], stacks["p:try_to_wake_up"], bad
	exit bad || !stacks["f:try_to_wake_up"] || !stacks["p:try_to_wake_up"]
}' /tmp/stacks || fail "stacks under a hooked tail caller are cut short"

# MIPS hooks a function's saved ra before it pushes the return stack
# entry (prepare_ftrace_return): in between, as at function_graph_enter's
# entry, the saved ra reads return_to_handler and the entry is not there;
# the mcount frame's AT has the real one.
case "$(uname -m)" in
mips*)
	st_load
	graph_on 'st_truth_a st_truth_b'
	st_ctl "add p:function_graph_enter mode=count" || fail "add p:function_graph_enter"
	echo 20 >"$TRUTH/trigger"
	st_ctl "del p:function_graph_enter"
	graph_done st_truth_b stacks
	cat /tmp/stacks
	# Past the tracer's frames: b, a, the trigger (b's hook) or a, the
	# trigger (a's hook).
	awk '
	function done_stack(  i) {
		if (!spec) return
		for (i = 1; i <= nf && f[i] !~ /^st_truth_/; i++)
			;
		if (f[i] ~ /^st_truth_b[+]/ && f[i + 1] ~ /^st_truth_a[+]/ && f[i + 2] ~ /^st_truth_trigger_write[+]/) b += n
		else if (f[i] ~ /^st_truth_a[+]/ && f[i + 1] ~ /^st_truth_trigger_write[+]/) a += n
		else if (i <= nf) { bad++; print "wrong stack:"; for (i = 1; i <= nf; i++) print "  " f[i] }
		spec = ""
	}
	/^@\[/ { done_stack(); spec = substr($1, 3, length($1) - 3); n = $2; nf = 0; next }
	/^ => / { f[++nf] = $2; next }
	END {
		done_stack()
		printf "hooking st_truth_b %d, st_truth_a %d, wrong %d\n", b, a, bad
		exit bad || b != 20 || a != 20
	}' /tmp/stacks || fail "stacks while the graph tracer hooks are not exact" ;;
esac

# x86_64: probes inside return_to_handler, where the hooked functions
# return: at its call of ftrace_return_to_handler() (entry not popped
# yet), just after it (the real return address in rax), and in the
# "call 1f; 1: mov %rdi, (%rsp); jmp" that goes there (in rdi, then in
# the slot).  Each stack goes on at the hooked function's real caller.
# The kernel's unwinder, from the last two, warns (6.12 on).  Where
# they are by its length: 0x40 up to 6.1, 0x50 from 6.12.
[ "$(uname -m)" = x86_64 ] || exit 0
set -- $(grep -A1 ' return_to_handler$' /proc/kallsyms | cut -d' ' -f1)
case $((0x$2 - 0x$1)) in
64) offs='0x10 0x15 0x2b 0x2f' ;;
80) offs='0x28 0x2d 0x47 0x4b' ;;
*) fail "return_to_handler is $((0x$2 - 0x$1)) bytes long: a layout this test does not know" ;;
esac
st_load
graph_on 'st_truth_a st_truth_b'
for o in $offs; do
	st_ctl "add p:return_to_handler+$o mode=count" || fail "add p:return_to_handler+$o"
done
echo 20 >"$TRUTH/trigger"
for o in $offs; do
	st_ctl "del p:return_to_handler+$o"
done
graph_done st_truth_b stacks
cat /tmp/stacks
# From st_truth_b's return: st_truth_a, st_truth_trigger_write; from
# st_truth_a's: st_truth_trigger_write.
awk -v offs="$offs" '
function done_stack() {
	if (!spec) return
	if (f[1] !~ /^return_to_handler[+]/) { bad++; print "first frame of " spec " is " f[1] }
	else if (f[2] ~ /^st_truth_a[+]/ && f[3] ~ /^st_truth_trigger_write[+]/) from_b[spec] += n
	else if (f[2] ~ /^st_truth_trigger_write[+]/) from_a[spec] += n
	else { bad++; print "wrong stack for " spec ":"; for (i = 1; i <= nf; i++) print "  " f[i] }
	spec = ""
}
/^@\[/ { done_stack(); spec = substr($1, 3, length($1) - 3); n = $2; nf = 0; next }
/^ => / { f[++nf] = $2; next }
END {
	done_stack()
	k = split(offs, o, " ")
	for (i = 1; i <= k; i++) {
		s = "p:return_to_handler+" o[i]
		printf "%s: from st_truth_b %d, from st_truth_a %d\n", s, from_b[s], from_a[s]
		if (from_b[s] != 20 || from_a[s] != 20) bad++
	}
	exit bad != 0
}' /tmp/stacks || fail "stacks from inside return_to_handler are not all exact"
