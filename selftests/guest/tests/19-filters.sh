# Filters: pid=, comm=, cpu= and depth=, the same through probes=, control
# and netlink.  Hits from another process, task name or CPU are counted as
# filtered, not missed, and never recorded.
. /lib/st/lib.sh
truth_load

# pid=, through control: this shell's own writes are recorded, a child's not.
st_load
st_ctl "add st_truth_leaf pid=$$" || fail "add pid="
echo 10 >"$TRUTH/trigger"
sh -c "echo 6 >$TRUTH/trigger"
cat "$ST/probes"
grep -qx "p:st_truth_leaf 10 0 filtered=6 pid=$$" "$ST/probes" || fail "pid=: $(cat "$ST/probes")"
[ "$(trace_records "$ST/trace")" = 10 ] || fail "pid=: $(trace_records "$ST/trace") records"
grep -v '^ => ' "$ST/trace" | grep -v '^$' | grep -v -- "-$$ " && fail "pid=: a record of another process"
st_unload

# comm=, through probes= (quoted: the option follows a space): dd's writes
# are recorded, this shell's are not.  /bin/dd by its path is exec'd.
insmod /st/stacktap.ko 'probes="st_truth_leaf comm=dd"' || fail "insmod with comm="
echo 7 | /bin/dd of="$TRUTH/trigger" 2>/dev/null
echo 4 >"$TRUTH/trigger"
cat "$ST/probes"
grep -qx "p:st_truth_leaf 7 0 filtered=4 comm=dd" "$ST/probes" || fail "comm=: $(cat "$ST/probes")"
[ "$(grep -c '^dd-' "$ST/trace")" = 7 ] || fail "comm=: $(grep -c '^dd-' "$ST/trace") records of dd"
st_unload

# cpu=, through netlink: hits on CPU 0 are recorded, on CPU 1 filtered.
st_load
stacktapctl add "st_truth_leaf cpu=0" || fail "stacktapctl add cpu=0"
taskset -c 0 sh -c "echo 8 >$TRUTH/trigger"
want_filtered=0
if [ "$(ncpus)" -gt 1 ]; then
	taskset -c 1 sh -c "echo 5 >$TRUTH/trigger"
	want_filtered=5
fi
stacktapctl list
stacktapctl --json list >/tmp/list.json
echo "@json list $(tr -d '\n' </tmp/list.json)"
grep -q "\"spec\": \"p:st_truth_leaf\", \"hits\": 8, \"misses\": 0, \"filtered\": $want_filtered, \"overflow\": 0, \"options\": \"cpu=0\"" /tmp/list.json ||
	fail "cpu=: $(cat /tmp/list.json)"
[ "$(awk '/^[^ ].* \[[0-9]+\] / && $0 !~ / \[000\] /' "$ST/trace" | wc -l)" = 0 ] || fail "cpu=: a record from another CPU"
[ "$(trace_records "$ST/trace")" = 8 ] || fail "cpu=: $(trace_records "$ST/trace") records"
st_ctl_fails "add st_truth_c cpu=4095" "Invalid argument"
dmesg | grep -q "cpu= names no possible CPU" || fail "no log line for cpu=4095"
st_unload

# depth=: this probe keeps 3 frames, then marks the stack truncated; more
# than the module's depth= is refused.
st_load depth=16
st_ctl "add st_truth_leaf depth=3" || fail "add depth=3"
echo 3 >"$TRUTH/trigger"
awk '/^ => / { n++ } /^$/ { if (n) print n; n = 0 }' "$ST/trace" | sort -u >/tmp/depths
[ "$(cat /tmp/depths)" = 4 ] || fail "depth=3: records of $(cat /tmp/depths) lines, expected 3 frames + [truncated]"
grep -c '^ => \[truncated\]$' "$ST/stacks" | grep -qx 1 || fail "depth=3: stacks not truncated: $(cat "$ST/stacks")"
grep -q '^@\[p:st_truth_leaf\] 3$' "$ST/stacks" || fail "depth=3: $(cat "$ST/stacks")"
st_ctl_fails "add st_truth_c depth=17" "Numerical result out of range"
st_ctl_fails "add st_truth_c depth=0" "Numerical result out of range"
st_ctl_fails "add st_truth_c pid=1 pid=2" "Invalid argument"
st_ctl_fails "add st_truth_c mode=sometimes" "Invalid argument"
dmesg | grep -q "depth= is deeper than the module's depth= parameter" || fail "no log line for depth=17"
grep st_truth_c /sys/kernel/debug/kprobes/list && fail "a refused probe left a kprobe"
st_unload
