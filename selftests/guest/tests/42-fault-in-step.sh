# A fault in a MIPS kprobe's single-step (issue 20, item 1).  The probed
# instruction is get_user()'s load in the truth module, reading a user
# page nobody has touched: it faults, and kprobes give the step up (they
# resume past the load, as they do for every kprobe on MIPS) without
# calling stacktap's post-handler.  The softirqs stacktap's pre-handler
# held must go then: held, they make do_page_fault() take the fault for
# one in atomic context, find no fixup at the moved pc, and oops.
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
n=$(st_uread "$TRUTH/uread" 20) || fail "st_uread: $n of 20 writes"
grep '^kprobe steps' "$ST/stats"
faulted=$(sed -n 's/^kprobe steps recovered [0-9]* faulted \([0-9]*\)$/\1/p' "$ST/stats")
echo "20 first touches of a user page under p:st_truth_uread+$off: $faulted single-steps faulted"
[ "$(probe_field "p:st_truth_uread+$off" 2)" = 20 ] || fail "p:st_truth_uread+$off hits: $(grep uread "$ST/probes")"
[ "$faulted" = 20 ] || fail "$faulted single-steps seen faulting, expected 20"
dmesg | grep -E 'scheduling while atomic|sleeping function called' && fail "a softirq-disable count leaked"
st_unload
