# "clear" while every CPU hits a probe, and the timer softirq another:
# no hit is turned away as overflow (the table is nearly empty), and the
# stacks after the last clear are exactly the hits made after it.
. /lib/st/lib.sh
truth_load
st_load
st_ctl "add st_truth_leaf mode=count" || fail "add st_truth_leaf"
# Hits from interrupt context too, where the kernel has the function.
irq=
grep -q ' run_timer_softirq$' /proc/kallsyms && irq=p:run_timer_softirq
[ -z "$irq" ] || st_ctl "add $irq mode=count" || fail "add $irq"
hammer_start trigger
i=0
while [ $i -lt 40 ]; do
	st_ctl clear || fail "clear $i"
	sleep 0.05
	i=$((i + 1))
done
hammer_stop
grep '^stacks ' "$ST/stats"
cat "$ST/probes"
overflow=$(sed -n 's/^stacks used [0-9]* size [0-9]* overflow \([0-9]*\)$/\1/p' "$ST/stats")
[ "$overflow" = 0 ] || fail "$overflow hits counted as overflow across 40 clears of a near-empty table"
grep -q 'overflow=' "$ST/probes" && fail "a probe counted overflow: $(grep overflow= "$ST/probes")"
[ -n "$irq" ] && [ "$(probe_field "$irq" 2)" = 0 ] && fail "$irq never hit"

# After a clear, the stacks are the hits since: 250 of the truth chain.
[ -z "$irq" ] || st_ctl "del $irq" || fail "del $irq"
st_ctl clear || fail "last clear"
echo 250 >"$TRUTH/trigger" || fail "trigger"
counted=$(awk '/^@\[p:st_truth_leaf\]/ { s += $2 } END { print s + 0 }' "$ST/stacks")
[ "$counted" = 250 ] || fail "stacks count $counted hits after the last clear, expected 250"
grep -q '^stacks used 1 ' "$ST/stats" || fail "stats after the last clear: $(grep '^stacks ' "$ST/stats")"
st_unload
