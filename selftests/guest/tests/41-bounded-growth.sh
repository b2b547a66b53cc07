# Nothing grows without bound (issue 20, item 18): a CPU's ring is
# allocated when the CPU first comes up, not for every possible CPU; a
# deleted probe's name goes with its last stack; a read of stacks costs
# tens of bytes per stack, not a copy of the table; a module reloaded at
# the same place keeps one unloaded range, not one per unload.
. /lib/st/lib.sh
truth_load

names() {
	sed -n "s/^names owners \([0-9]*\) init \([0-9]*\) unloaded \([0-9]*\)$/\\$1/p" "$ST/stats"
}

# Rings: cpu1 down at load has none until it comes up, then keeps it.
on=/sys/devices/system/cpu/cpu1/online
if [ -w $on ]; then
	echo 0 >$on || fail "cpu1 offline"
	st_load buffer_kb=64
	grep '^cpu[0-9]* written' "$ST/stats"
	grep -q '^cpu0 written .* ring 65536$' "$ST/stats" || fail "cpu0 has no 64 KiB ring"
	grep -q '^cpu1 written .* ring 0$' "$ST/stats" || fail "cpu1, offline, got a ring: $(grep '^cpu1 ' "$ST/stats")"
	echo 1 >$on || fail "cpu1 online"
	grep -q '^cpu1 written .* ring 65536$' "$ST/stats" || fail "cpu1 came up without a ring: $(grep '^cpu1 ' "$ST/stats")"
	st_ctl "add st_truth_leaf" || fail "add"
	taskset -c 1 sh -c "echo 3 >$TRUTH/trigger" || fail "trigger on cpu1"
	echo 0 >$on || fail "cpu1 offline again"
	[ "$(trace_records "$ST/per_cpu/cpu1/trace")" = 3 ] || fail "cpu1's records, read while it is down: $(trace_records "$ST/per_cpu/cpu1/trace"), expected 3"
	echo 1 >$on || fail "cpu1 online again"
	st_unload
	echo "cpu1's ring: none while down at load, 64 KiB once up, its records kept while down again"
else
	echo "one CPU, no hotplug: rings not checked"
fi

# Names: ten probes, hit, deleted; their stacks keep the names until a clear.
st_load
globs="st_truth_a st_truth_a* st_truth_[a] s*truth_a st*_a st_t*_a st_tr*_a st_tru*_a st_trut*_a st_truth*_a"
for g in $globs; do
	st_ctl "add f:$g" || fail "add f:$g"
done
echo 1 >"$TRUTH/trigger" || fail "trigger"
for g in $globs; do
	st_ctl "del f:$g" || fail "del f:$g"
done
st_ctl "add p:st_truth_b" || fail "add p:st_truth_b"
st_ctl "del p:st_truth_b" || fail "del p:st_truth_b"
grep '^names' "$ST/stats"
[ "$(grep -c '^@\[f:' "$ST/stacks")" = 10 ] || fail "stacks of deleted probes: $(grep '^@' "$ST/stacks")"
grep -q '^@\[f:st_trut\*_a\] 1$' "$ST/stacks" || fail "a deleted probe's stack lost its name: $(grep '^@' "$ST/stacks")"
[ "$(names 1)" = 10 ] || fail "after a read of stacks, $(names 1) names kept for 10 deleted probes with stacks"
st_ctl clear || fail "clear"
[ "$(names 1)" = 0 ] || fail "after a clear, $(names 1) names kept for no probe"
st_unload
echo "names: 10 kept while their stacks are, none after a clear"

# A read of stacks: 16 opens at depth 256, each holding its snapshot.
st_load depth=256 stacks_max=8192
st_ctl "add f:vfs_*" || fail "add f:vfs_*"
st_ctl "add f:d_*" || fail "add f:d_*"
for i in 1 2 3; do
	ls -lR / >/dev/null 2>&1
	cat /proc/*/stat >/dev/null 2>&1
	echo $i >"$TRUTH/trigger"
done
st_ctl "del f:vfs_*" || fail "del"
st_ctl "del f:d_*" || fail "del"
used=$(sed -n 's/^stacks used \([0-9]*\) .*/\1/p' "$ST/stats")
kb=$(st_openn "$ST/stacks" 16) || fail "st_openn"
# A copy of each stack at depth 256 would take 2 KiB per stack and open.
copy=$((used * 16 * 2080 / 1024))
echo "$used stacks at depth 256: 16 open reads of stacks took $kb KiB; copies would take $copy KiB"
[ "$used" -ge 50 ] || fail "only $used stacks: too few to tell"
[ "$kb" -lt $((copy / 4)) ] || fail "16 open reads of stacks took $kb KiB, a quarter of copying every stack"
st_unload

# Unloaded ranges: st_truth reloaded ten times, with a record of each load.
st_load
bases=
for i in 1 2 3 4 5 6 7 8 9 10; do
	truth_load
	bases="$bases $(cat /sys/module/st_truth/sections/.text)"
	st_ctl "add st_truth_leaf" || fail "add"
	echo 1 >"$TRUTH/trigger" || fail "trigger"
	st_ctl "del st_truth_leaf" || fail "del"
	rmmod st_truth || fail "rmmod st_truth"
done
distinct=$(echo $bases | tr ' ' '\n' | sort -u | wc -l)
echo "st_truth's text at $distinct places over 10 loads; unloaded ranges kept: $(names 3)"
[ "$(names 3)" = "$distinct" ] || fail "$(names 3) unloaded ranges kept for $distinct places"
[ "$(grep -c '^ => 0x[0-9a-f]* \[unloaded\]$' "$ST/trace")" -ge 10 ] || fail "frames of the unloaded loads: $(grep -c unloaded "$ST/trace")"
st_unload
