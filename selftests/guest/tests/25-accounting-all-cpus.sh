# Accounting under overflow on every CPU at once, for both stores: a 4 KiB
# buffer and a 16-slot table, every CPU running 20 distinct stacks into
# them.  Exactly: hits = written + dropped, read = written, and hits =
# counted + overflow (probe, stats and netlink agree).
. /lib/st/lib.sh
truth_load
st_load buffer_kb=4 stacks_max=16
st_ctl "add st_truth_leaf" || fail "add"
ncpu=$(ncpus)
for c in $(seq 0 $((ncpu - 1))); do
	taskset -c "$c" sh -c "echo 1000 >$TRUTH/trigger_spread" &
done
wait
hits=$((1000 * ncpu))
phits=$(awk '/^p:st_truth_leaf / { print $2 }' "$ST/probes")
poverflow=$(sed -n 's/^p:st_truth_leaf .* overflow=\([0-9]*\).*/\1/p' "$ST/probes")
written=$(stats_sum written)
dropped=$(stats_sum dropped)
read=$(trace_records "$ST/trace")
counted=$(awk '/^@\[/ { s += $2 } END { print s + 0 }' "$ST/stacks")
overflow=$(sed -n 's/^stacks used [0-9]* size 16 overflow \([0-9]*\)$/\1/p' "$ST/stats")
nl_overflow=$(stacktapctl --json stats | grep -o '"overflow": [0-9]*' | awk '{ s += $2 } END { print s + 0 }')
cat "$ST/stats"
echo "$ncpu CPUs, $hits hits: trace written $written + dropped $dropped, read $read; stacks counted $counted + overflow $overflow (netlink $nl_overflow)"
[ "$phits" = $hits ] || fail "the probe counted $phits hits of $hits"
[ "$poverflow" = "$overflow" ] || fail "the probe's overflow $poverflow != stats $overflow"
[ $((written + dropped)) = $hits ] || fail "written $written + dropped $dropped != hits $hits"
[ "$read" = "$written" ] || fail "read $read != written $written"
[ $((counted + overflow)) = $hits ] || fail "counted $counted + overflow $overflow != hits $hits"
[ "$nl_overflow" = "$overflow" ] || fail "netlink overflow $nl_overflow != stats $overflow"
[ "$dropped" -gt 0 ] && [ "$overflow" -gt 0 ] || fail "nothing overflowed"
st_unload
