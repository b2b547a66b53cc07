# Each hit is filed under the context it runs in (issue 20, item 8):
# 'stats' counts hits per context, and p:, r: and f: hits of the truth
# chain run from a task, from hardirq (an hrtimer) and from softirq (a
# timer_list) land under task, hardirq and softirq.  x86 takes int3 as an
# NMI; its kprobe hits used to count as NMI hits, so they never used the
# cached ORC walker, and a real NMI inside one was taken for recursion.
. /lib/st/lib.sh
truth_load
st_load
specs="p:st_truth_leaf r:st_truth_c f:st_truth_b"
# On x86 a probe at a function's entry is served by ftrace (its __fentry__
# call site); one past that call takes int3.
if [ "$(uname -m)" = x86_64 ]; then
	off=$(printf '0x%x' $(($(entry_off st_truth_leaf) + 5)))
	specs="$specs p:st_truth_leaf+$off"
fi
for spec in $specs; do
	st_ctl "add $spec mode=count" || fail "add $spec"
done
k=$(echo $specs | wc -w)

# ctx_sum NAME: hits under context NAME over every CPU.
ctx_sum() {
	awk -v k="$1" '$2 == "hits" { for (i = 3; i < NF; i += 2) if ($i == k) s += $(i + 1) } END { print s + 0 }' "$ST/stats"
}

check() {
	echo "after $1: task $(ctx_sum task) softirq $(ctx_sum softirq) hardirq $(ctx_sum hardirq) nmi $(ctx_sum nmi)"
	[ "$(ctx_sum task)" = "$2" ] && [ "$(ctx_sum softirq)" = "$3" ] &&
		[ "$(ctx_sum hardirq)" = "$4" ] && [ "$(ctx_sum nmi)" = 0 ] ||
		fail "after $1: expected task $2 softirq $3 hardirq $4 nmi 0"
}
grep ' hits ' "$ST/stats"
check "nothing" 0 0 0
# $k probes, so $k hits a run.
echo 10 >"$TRUTH/trigger" || fail "trigger"
check "10 runs from a task" $((10 * k)) 0 0
echo 5 >"$TRUTH/trigger_irq" || fail "trigger_irq"
check "5 runs from hardirq" $((10 * k)) 0 $((5 * k))
echo 4 >"$TRUTH/trigger_softirq" || fail "trigger_softirq"
check "4 runs from softirq" $((10 * k)) $((4 * k)) $((5 * k))
grep ' hits ' "$ST/stats"
st_unload
