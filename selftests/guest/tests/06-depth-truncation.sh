# Module parameters: depth= bounds each stack and a truncated stack says
# so; out-of-range values and bad probes= specs fail the load cleanly.
. /lib/st/lib.sh
truth_load
st_load depth=3
st_ctl "add st_truth_leaf" || fail "add"
echo 5 >"$TRUTH/trigger"
cat "$ST/trace" >/tmp/trace
st_unload
head -6 /tmp/trace
awk '
/^$/ { n++; if (nf != 3 || last != " => [truncated]" || f3 !~ /^st_truth_b\+/) bad++; nf = 0; next }
/^ => \[truncated\]$/ { last = $0; next }
/^ => / { nf++; if (nf == 3) f3 = $2; last = $0 }
END { exit !(n == 5 && !bad) }' /tmp/trace || fail "records are not 3 frames + [truncated]"
insmod /st/stacktap.ko depth=0 2>/dev/null && fail "depth=0 accepted"
insmod /st/stacktap.ko depth=100000 2>/dev/null && fail "depth=100000 accepted"
insmod /st/stacktap.ko buffer_kb=1 2>/dev/null && fail "buffer_kb=1 accepted"
dmesg | grep -q 'stacktap: depth=100000 is outside 1..256' || fail "no log line for depth=100000"

# A bad spec in probes= fails the load, says why, and leaves no kprobe.
insmod /st/stacktap.ko probes=st_truth_leaf,no_such_symbol_xyz 2>/dev/null &&
	fail "probes= with an unknown symbol accepted"
dmesg | grep -q "stacktap: add 'no_such_symbol_xyz': symbol not found (-2)" ||
	fail "no log line for the bad probes= spec"
grep st_truth_leaf /sys/kernel/debug/kprobes/list && fail "failed load left a kprobe armed"
insmod /st/stacktap.ko 'probes=st_truth_leaf+junk' 2>/dev/null && fail "probes=st_truth_leaf+junk accepted"
exit 0
