# Hits that come while a probe is being armed are filed under that probe:
# every CPU runs the truth chain while st_truth_leaf is added and deleted
# 30 times, with p:register_netdevice (never hit here) added first, so
# that its stacks would be where a not-yet-named probe's hits went.
. /lib/st/lib.sh
truth_load
st_load
st_ctl "add p:register_netdevice mode=count" || fail "add p:register_netdevice"
hammer_start trigger
i=0
while [ $i -lt 30 ]; do
	st_ctl "add p:st_truth_leaf mode=count" || fail "add $i"
	st_ctl "del p:st_truth_leaf" || fail "del $i"
	i=$((i + 1))
done
hammer_stop
cat "$ST/probes"
grep -c '^@\[p:st_truth_leaf\]' "$ST/stacks" >/dev/null || fail "no stacks for p:st_truth_leaf at all"
wrong=$(awk '/^@\[p:register_netdevice\]/ { s += $2 } END { print s + 0 }' "$ST/stacks")
[ "$wrong" = 0 ] || fail "$wrong hits filed under p:register_netdevice: $(grep -A3 '^@\[p:register_netdevice\]' "$ST/stacks" | head -4)"
st_unload
