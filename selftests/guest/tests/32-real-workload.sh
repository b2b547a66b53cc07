# Stacks of a real workload: probes of all three kinds on hot kernel
# functions (page faults from user and kernel mode, file opens, a
# function that never returns, the timer softirq, slab allocation, wake
# ups from every context) while the guest forks, execs, faults, reads and
# sleeps.  Every stack starts at its probed function, no frame is a
# user-space address or garbage (every one is named kernel text), and no
# frame is a tracer's: an interrupt that struck inside a probe's handler,
# an ftrace or a kretprobe trampoline goes on at the probed function
# (trampolines are the unnamed kernel addresses).
#
# The same again with company: the function graph tracer hooking the
# probed functions and their callers, and (not on MIPS, test 34) the
# kernel's own kprobe events, a second kretprobe on do_sys_openat2 among
# them.
#
# The host checks every frame against the kernel's code and that every
# stack ends at an entry (selftests/tools/st_frames.py, run by guest.sh).
. /lib/st/lib.sh
st_load
# Probe name, and the first frame it must give (an awk regex).
cat >/tmp/probes <<'P'
p:handle_mm_fault ^handle_mm_fault[+]
r:do_sys_openat2 ^do_sys_openat2[+]
f:do_group_exit ^do_group_exit[+]
p:run_timer_softirq ^run_timer_softirq[+]
f:kmem_cache_alloc* ^kmem_cache_alloc[a-z_]*[+]
f:try_to_wake_up ^try_to_wake_up[+]
P
# Rounds of it: make check runs st_workload_rounds= of them (kernel
# command line), for CI's time; each round makes the same stack shapes.
rounds=${st_workload_rounds:-30}
workload() {
	i=0
	while [ $i -lt $rounds ]; do
		ls -l /bin >/dev/null
		sh -c 'cat /proc/self/maps /proc/meminfo >/dev/null; exit 3'
		dd if=/dev/zero of=/tmp/w bs=64k count=8 2>/dev/null
		sleep 0.01
		i=$((i + 1))
	done
	rm -f /tmp/w
}
# probe_workload FILE: stacktap's stacks of the probes under the workload.
probe_workload() {
	while read -r spec f0; do
		st_ctl "add $spec mode=count" || fail "add $spec"
	done </tmp/probes
	workload
	while read -r spec f0; do
		st_ctl "del $spec" || fail "del $spec"
	done </tmp/probes
	cat "$ST/stacks" >"$1"
	cat "$ST/probes"
	grep '^stacks ' "$ST/stats"
	st_ctl clear
}
ip link set lo up 2>/dev/null

# The kernel's entries, where a whole stack ends, on each arch.
ends='^(entry_SYSCALL_64|entry_SYSRETQ|asm_[a-z_]+|ret_from_fork|secondary_startup_64|common_startup_64|x86_64_start_|start_secondary|common_interrupt|el[01]t?_?[0-9a-z_]*|__primary_switched|__secondary_switched|secondary_start_kernel|cpu_startup_entry|ret_from_kernel_thread|handle_sys|sysn32_|syscall_common|handle_int|handle_tlb|tlb_do_page_fault_|handle_ade|handle_cpu|handle_ri|handle_fpe|except_vec|kernel_entry|start_kernel|call_on_irq_stack|do_softirq_own_stack|work_notifysig|work_resched|work_pending|ret_to_user|arch_call_rest_init|load_a[4-7]|loads_done|stack_done|syscall_exit|resume_userspace|restore_all|restore_partial|ret_from_exception)[A-Za-z0-9_.]*[+]'
# Tracer frames: lib.sh's, less the exception entries that page faults
# share with breakpoints (asm_exc_page_fault, arm64's el1h_64_sync), the
# die chain every MIPS page fault calls (notify_die), and ftrace's
# functions that run outside a probe (fork's ftrace_graph_init_task); and
# 5.10's kprobe_flush_task, which every task switch runs (finish_task_switch),
# probe or none, so an interrupt there has it as its real caller.  A frame at its
# function's very end ("f+0x30/0x30") is an interrupted pc at the next
# function's first instruction, which kallsyms names after the one
# before: its name says nothing, and it is counted apart.
tracer='kprobe|ftrace_(caller|call|regs|common|graph_call|graph_caller|graph_func|ops_|stub|epilogue)|_mcount|function_graph_enter|ftrace_return_to_handler|trampoline|rethook|stacktap|st_unwind|st_capture|handle_bp|do_bp|int3|el1_dbg|do_debug_exception|brk_handler|call_break_hook|return_to_handler'
# check_stacks FILE: fails on a stack that is not exact.  The two long
# regexes go into the program as literals: busybox awk compiles a regex
# held in a variable again at every match, which made this check take a
# minute per phase under emulation (a tenth of that with literals).
check_stacks() {
	awk -v probes=/tmp/probes "$(check_stacks_awk | sed "s#TRACER_RE#/$tracer/#; s#ENDS_RE#/$ends/#")" "$1"
}
check_stacks_awk() {
	cat <<'AWK'
	BEGIN { while ((getline l < probes) > 0) { split(l, a, " "); want[a[1]] = a[2]; order[++np] = a[1] } }
	function done_stack() {
		if (!spec) return
		if (control) { skipped[spec]++; spec = ""; return }
		stacks[spec]++; frames[spec] += nf
		if (f[1] !~ want[spec]) { first[spec]++; show("first frame is not " want[spec], 1) }
		for (i = 1; i <= nf; i++) {
			if (f[i] ~ /^[A-Za-z0-9_.$]+[+]0x[0-9a-f]+\/0x[0-9a-f]+( \[[A-Za-z0-9_]+\])?$/) continue
			if (f[i] ~ /^0xffff[0-9a-f]{12}$/ || f[i] ~ /^0x[89a-f][0-9a-f]{7}$/) continue
			badsym[spec]++; show("frame " i " is neither named kernel text nor a kernel address", 1); break
		}
		for (i = 1; i <= nf; i++) {
			if (split(f[i], o, /[+\/ ]/) >= 3 && o[2] == o[3]) { atend[spec]++; continue }
			if (f[i] ~ /^kprobe_flush_task[+]/) continue
			if (f[i] ~ TRACER_RE || f[i] ~ /^0x/) { trac[spec]++; show("frame " i " is a tracer frame", 1); spec = ""; return }
		}
		if (!trunc && f[nf] !~ ENDS_RE) { cut[spec]++; show("ends at " f[nf], 0) }
		split(f[nf], e, "+"); bottom[e[1]] += 1
		spec = ""
	}
	function show(why, fatal) {
		if (fatal) bad = 1
		if (shown[why, spec]++) return
		print "# " spec ": " why ":"
		for (j = 1; j <= nf; j++) print "#  => " f[j]
	}
	/^@\[/ { done_stack(); spec = substr($1, 3, length($1) - 3); nf = 0; control = 0; trunc = 0; next }
	/^ => \[truncated\]$/ { trunc = 1; next }
	/^ => / {
		f[++nf] = $2
		if ($3 != "") f[nf] = f[nf] " " $3
		if ($2 ~ /^(st_control_write|st_nl_[a-z_]+|st_probe_[a-z_]+|st_stacks_write|(un)?register_k(ret)?probes?|[a-z_]*(arm|disarm|disable|enable)_kprobe|(un)?register_ftrace_function)[+]/) control = 1
		next
	}
	END {
		done_stack()
		for (k = 1; k <= np; k++) {
			s = order[k]
			printf "%s: stacks %d, frames %d, user or garbage %d, wrong first %d; with tracer frames %d, cut short %d; through stacktap control %d; frames at a function end %d\n",
				s, stacks[s], frames[s], badsym[s], first[s], trac[s], cut[s], skipped[s], atend[s]
			if (!stacks[s] && s !~ /^f:do_group_exit|^p:run_timer/) { print "# no stacks for " s; bad = 1 }
		}
		printf "bottom frames:"
		for (b in bottom) printf " %s %d", b, bottom[b]
		printf "\n"
		exit bad
	}
AWK
}

probe_workload /tmp/stacks
# For the host: alone, and with company ("with/p:...").
sed 's/^/@stacks /' /tmp/stacks
check_stacks /tmp/stacks || fail "stacks of the real workload are not all exact"

T=/sys/kernel/debug/tracing
kernel_cleanup() {
	echo 0 >"$T/tracing_on"
	echo 0 2>/dev/null >"$T/events/kprobes/enable"
	echo 0 >"$T/options/stacktrace"
	echo 0 >"$T/options/func_stack_trace"
	echo nop >"$T/current_tracer"
	echo >"$T/set_ftrace_filter"
	echo >"$T/kprobe_events"
	echo 0 >"$T/options/sym-offset"
	echo "$buffer_kb" >"$T/buffer_size_kb"
	echo 1 >"$T/tracing_on"
}
buffer_kb=$(sed 's/.*expanded: \([0-9]*\).*/\1/; s/ .*//' "$T/buffer_size_kb")
trap kernel_cleanup EXIT
# The kernel's kprobe events on three of the probed functions.
kernel_kprobes() {
	{
		echo 'p:st_kp_mm handle_mm_fault'
		echo 'r:st_kr_open do_sys_openat2'
		echo 'p:st_kp_timer run_timer_softirq'
	} >"$T/kprobe_events" || fail "kprobe_events"
}

# With company: the graph tracer hooks the probed functions and callers
# of theirs, whose return addresses become return_to_handler; on x86_64
# and arm64 kprobe events sit on three of them, a second kretprobe on
# do_sys_openat2 among them.  Its records overwrite each other unread.
for fn in handle_mm_fault do_sys_openat2 do_group_exit run_timer_softirq 'kmem_cache_alloc*' \
	try_to_wake_up do_filp_open path_openat vfs_read ksys_read do_exit wake_up_process \
	exc_page_fault do_page_fault __do_page_fault do_mem_abort handle_softirqs; do
	echo "$fn" 2>/dev/null >>"$T/set_ftrace_filter"
done
grep -qv '^#' "$T/set_ftrace_filter" || fail "set_ftrace_filter"
echo function_graph >"$T/current_tracer" || fail "function_graph tracer"
case "$(uname -m)" in
mips*) ;;
*)
	kernel_kprobes
	echo 1 >"$T/events/kprobes/enable" ;;
esac
probe_workload /tmp/stacks2
kernel_cleanup
sed 's/^@\[/@[with\//; s/^/@stacks /' /tmp/stacks2
check_stacks /tmp/stacks2 || fail "stacks of the real workload with company are not all exact"
st_unload
# Beside them, on the primary kernels (st_suite=full, or a run by hand).
[ "${st_suite:-full}" = full ] || exit 0

# The kernel's own stack traces of the same functions under the same
# workload, for the host to check the same way (issue 19's side by side):
# kprobe events with the stacktrace option for p: and r:, the function
# tracer with func_stack_trace for f:.  No kprobe events on MIPS, where
# the kernel's own kprobes can lose a single-step and oops (test 34).
echo 1 >"$T/options/sym-offset"
echo 4096 >"$T/buffer_size_kb"
case "$(uname -m)" in
mips*) ;;
*)
	kernel_kprobes
	echo >"$T/trace"
	echo 1 >"$T/options/stacktrace"
	echo 1 >"$T/events/kprobes/enable"
	workload
	echo 0 >"$T/tracing_on"
	cat "$T/trace" >/tmp/ktrace
	kernel_cleanup ;;
esac
: >>/tmp/ktrace
echo 1 >"$T/options/sym-offset"
printf 'do_group_exit\nkmem_cache_alloc*\ntry_to_wake_up\n' >"$T/set_ftrace_filter" || fail "set_ftrace_filter"
echo function >"$T/current_tracer"
echo 1 >"$T/options/func_stack_trace"
echo >"$T/trace"
workload
echo 0 >"$T/tracing_on"
cat "$T/trace" >>/tmp/ktrace
kernel_cleanup
trap - EXIT
# Each event's stack, once per event and stack, named like stacktap's.
awk '
function flush(  i, s) {
	if (key != "" && nf) { s = "@[kernel/" key "]:"; for (i = 1; i <= nf; i++) s = s "\n" f[i]; if (!seen[s]++) print s }
	key = ""; nf = 0
}
/<stack trace>/ { key = ev; nf = 0; next }
/^ => / { if (key != "") f[++nf] = $0; next }
END { flush() }
{
	flush(); ev = ""
	if ($0 ~ /: st_kp_mm: /) ev = "p:handle_mm_fault"
	else if ($0 ~ /: st_kr_open: /) ev = "r:do_sys_openat2"
	else if ($0 ~ /: st_kp_timer: /) ev = "p:run_timer_softirq"
	else if ($0 ~ /: do_group_exit[+ ][^ ]* *<-/) ev = "f:do_group_exit"
	else if ($0 ~ /: kmem_cache_alloc[a-z_]*[+ ][^ ]* *<-/) ev = "f:kmem_cache_alloc*"
	else if ($0 ~ /: try_to_wake_up[+ ][^ ]* *<-/) ev = "f:try_to_wake_up"
}' /tmp/ktrace >/tmp/kstacks
echo "kernel: $(grep -c '<stack trace>' /tmp/ktrace) stack traces, $(grep -c '^@' /tmp/kstacks) unique"
sed 's/^/@kstacks /' /tmp/kstacks
