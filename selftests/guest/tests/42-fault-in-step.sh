# A fault in a MIPS kprobe's single-step (issue 20, item 1).  The probed
# instruction is get_user()'s load in the truth module, reading a user
# page the writer never touched: it faults, and kprobes give the step up
# without calling stacktap's post-handler, resuming past the load.  The
# softirqs stacktap's pre-handler held must go then (held, they make
# do_page_fault() take the fault for an atomic one, find no fixup and
# oops), and the fault must point back at the load, as x86's kprobes do:
# a fault the kernel serves runs the load again, which hits the probe
# again, and one it cannot serve takes the load's fixup (EFAULT).
# Elsewhere kprobes hold nothing across the step: skipped.
. /lib/st/lib.sh
mips_only "stacktap holds softirqs across single-steps on MIPS only"
truth_load
st_load
cat "$TRUTH/offsets"
off=$(sed -n 's/^uread_load=//p' "$TRUTH/offsets")
[ -n "$off" ] || fail "no get_user() load found in st_truth_uread"
dmesg -c >/dev/null
st_ctl "add p:st_truth_uread+$off" || fail "add p:st_truth_uread+$off"
faulted() { sed -n 's/^kprobe steps recovered [0-9]* faulted \([0-9]*\)$/\1/p' "$ST/stats"; }
total0=$(cat "$TRUTH/uread")
n=$(st_uread "$TRUTH/uread" 20) || fail "st_uread: $n of 20 writes went through"
total=$(($(cat "$TRUTH/uread") - total0))
echo "20 first touches of a page holding 42: the loads read $total in all; $(faulted) single-steps faulted; $(probe_field "p:st_truth_uread+$off" 2) hits"
[ "$(faulted)" = 20 ] || fail "$(faulted) single-steps seen faulting, expected 20"
[ "$total" = 840 ] || fail "the loads read $total in all, not 20 x 42: a faulting load was skipped"
# Each faulting load runs twice: its step faulted, then it ran again.
[ "$(probe_field "p:st_truth_uread+$off" 2)" = 40 ] || fail "p:st_truth_uread+$off hits: $(grep uread "$ST/probes")"
n=$(st_uread "$TRUTH/uread" 5 bad) || fail "st_uread bad: $n of 5 writes got EFAULT"
echo "5 loads from an unmapped page: $n got EFAULT; $(faulted) single-steps faulted in all"
[ "$(faulted)" = 25 ] || fail "$(faulted) single-steps seen faulting, expected 25"
dmesg | grep -E 'scheduling while atomic|sleeping function called' && fail "a softirq-disable count leaked"
st_unload
