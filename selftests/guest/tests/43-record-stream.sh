# The record stream over netlink: two stacktapctl streams each get every
# record; a stream sees only records written after it started unless it
# asks for the backlog; stream, record and probe set-up work with debugfs
# unmounted; a recording holds the records, probes, modules and names,
# and report -i reads it back.  The recording goes to the host (@recording)
# for report -i with Debian's debug files, checked against addr2line.
. /lib/st/lib.sh
truth_load
st_load
st_ctl "add st_truth_leaf" || fail "add"

# Two streams at once: each gets all 20 records.
stacktapctl --json stream >/tmp/s1.json 2>/tmp/s1.err &
s1=$!
stacktapctl --json stream >/tmp/s2.json 2>/tmp/s2.err &
s2=$!
wait_readers 2
echo 20 >"$TRUTH/trigger" || fail "trigger"
wait_lines /tmp/s1.json 20
wait_lines /tmp/s2.json 20
kill -INT $s1 $s2
wait $s1 || fail "stream 1 exited $?: $(cat /tmp/s1.err)"
wait $s2 || fail "stream 2 exited $?: $(cat /tmp/s2.err)"
cat /tmp/s1.err /tmp/s2.err
for s in 1 2; do
	n=$(grep -c "\"spec\": \"p:st_truth_leaf\", \"func\": \"st_truth_leaf\", \"frames\": \[{\"symbol\": \"st_truth_leaf\", \"offset\": $((ST_F0)), [^}]*}, {\"symbol\": \"st_truth_c\", [^}]*}, {\"symbol\": \"st_truth_b\", [^}]*}, {\"symbol\": \"st_truth_a\", " /tmp/s$s.json)
	[ "$n" = 20 ] || fail "stream $s got $n exact records of 20: $(head -c 400 /tmp/s$s.json)"
	grep -qx "stacktapctl: stream: 20 records printed, 0 dropped" /tmp/s$s.err || fail "stream $s summary: $(cat /tmp/s$s.err)"
done
# The same records, time and task alike (each CPU's in order; CPUs may
# interleave differently).
sort /tmp/s1.json >/tmp/s1.sorted
sort /tmp/s2.json >/tmp/s2.sorted
cmp -s /tmp/s1.sorted /tmp/s2.sorted || fail "the two streams differ: $(diff /tmp/s1.sorted /tmp/s2.sorted | head -5)"
echo "@json stream [$(head -n 2 /tmp/s1.json | paste -s -d,)]"

# A late stream sees no old record; --backlog sees the buffers' 20 first.
stacktapctl --json stream >/tmp/late.json 2>/tmp/late.err &
late=$!
stacktapctl --json stream --backlog >/tmp/back.json 2>/tmp/back.err &
back=$!
wait_readers 2
echo 3 >"$TRUTH/trigger" || fail "trigger"
wait_lines /tmp/late.json 3
wait_lines /tmp/back.json 23
kill -INT $late $back
wait $late || fail "late stream exited $?: $(cat /tmp/late.err)"
wait $back || fail "--backlog stream exited $?: $(cat /tmp/back.err)"
wait_readers 0
[ "$(wc -l </tmp/late.json)" = 3 ] || fail "a late stream printed $(wc -l </tmp/late.json) records, expected the 3 new ones"
[ "$(wc -l </tmp/back.json)" = 23 ] || fail "stream --backlog printed $(wc -l </tmp/back.json) records, expected 20 old and 3 new"
sort /tmp/back.json | grep -F -x -f /tmp/s1.sorted | cmp -s - /tmp/s1.sorted || fail "--backlog's old records are not the streams' 20"

# With debugfs unmounted: set-up, a stream and a recording.
st_ctl clear || fail "clear"
echo 10 >"$TRUTH/trigger" || fail "trigger"
umount /sys/kernel/debug || fail "umount debugfs"
stacktapctl add 'r:st_truth_leaf' >/dev/null || fail "add r: without debugfs"
stacktapctl list | grep -q '^[0-9].* r:st_truth_leaf ' || fail "list without debugfs: $(stacktapctl list)"
stacktapctl del r:st_truth_leaf || fail "del without debugfs"
stacktapctl stream --backlog >/tmp/nodbg.txt 2>/tmp/nodbg.err &
nodbg=$!
stacktapctl record -o /tmp/rec.stk --backlog --count 10 2>/tmp/rec.err ||
	fail "record without debugfs: $(cat /tmp/rec.err)"
cat /tmp/rec.err
wait_records /tmp/nodbg.txt 10
kill -INT $nodbg
wait $nodbg
# show: the buffers' records, over netlink, oldest first.
stacktapctl show >/tmp/nodbg-show.txt 2>/tmp/nodbg-show.err || fail "show without debugfs: $(cat /tmp/nodbg-show.err)"
stacktapctl --json show >/tmp/nodbg-show.json || fail "show --json without debugfs"
# report: the counted stacks over netlink (STACKS_GET), named by the kernel.
stacktapctl report >/tmp/nodbg-report.txt 2>/tmp/nodbg-report.err || fail "report without debugfs: $(cat /tmp/nodbg-report.err)"
stacktapctl --json report st_truth_leaf >/tmp/nodbg-report.json || fail "report --json without debugfs"
stacktapctl report --folded >/tmp/nodbg-report.folded || fail "report --folded without debugfs"
# Raw addresses: refused, as for a stream, to those who may not see them.
# A refused record leaves the file it was to replace as it was, and makes
# none where there was none.  (kptr_restrict goes back before any check.)
cp /tmp/rec.stk /tmp/keep.stk
rm -f /tmp/none.stk
kptr=$(cat /proc/sys/kernel/kptr_restrict)
echo 2 >/proc/sys/kernel/kptr_restrict
stacktapctl report >/dev/null 2>/tmp/nodbg-kptr.err
rep_rc=$?
stacktapctl record -o /tmp/keep.stk --count 1 2>/tmp/keep.err
rec_rc=$?
stacktapctl record -o /tmp/none.stk --count 1 2>/dev/null
echo "$kptr" >/proc/sys/kernel/kptr_restrict
cat /tmp/keep.err
[ $rep_rc != 0 ] || fail "report without debugfs at kptr_restrict 2 worked"
[ $rec_rc != 0 ] || fail "record at kptr_restrict 2 worked"
grep -q 'hides kernel addresses' /tmp/keep.err || fail "record at kptr_restrict 2: $(cat /tmp/keep.err)"
cmp -s /tmp/rec.stk /tmp/keep.stk || fail "a refused record changed the file it was to write ($(wc -c </tmp/keep.stk) bytes, was $(wc -c </tmp/rec.stk))"
[ ! -e /tmp/none.stk ] || fail "a refused record left a file behind"
grep -q '^stacktapctl: report: kernel addresses are hidden' /tmp/nodbg-kptr.err || fail "report at kptr_restrict 2: $(cat /tmp/nodbg-kptr.err)"
mount -t debugfs none /sys/kernel/debug || fail "mount debugfs"
head -n 6 /tmp/nodbg-report.txt
cmp -s /tmp/nodbg-report.txt "$ST/stacks" || fail "report without debugfs is not stacks: $(diff /tmp/nodbg-report.txt "$ST/stacks" | head -5)"
awk '/^@\[p:st_truth_leaf\] / { n += $2 } END { exit n != 10 }' /tmp/nodbg-report.txt || fail "report without debugfs counts: $(head -3 /tmp/nodbg-report.txt)"
grep -q '"spec": "p:st_truth_leaf", "count": 10, "frames": \[{"symbol": "st_truth_leaf", ' /tmp/nodbg-report.json || fail "report --json without debugfs: $(head -c 300 /tmp/nodbg-report.json)"
grep -q ';st_truth_a_\[st_truth\];st_truth_b_\[st_truth\];st_truth_c_\[st_truth\];st_truth_leaf_\[st_truth\] 10$' /tmp/nodbg-report.folded || fail "report --folded without debugfs: $(cat /tmp/nodbg-report.folded)"
check_truth /tmp/nodbg-show.txt p:st_truth_leaf 10 "^st_truth_leaf[+]$ST_F0/" || fail "show without debugfs"
cmp -s /tmp/nodbg-show.txt "$ST/trace" || fail "show without debugfs is not trace: $(diff /tmp/nodbg-show.txt "$ST/trace" | head -5)"
echo "@json show $(tr -d '\n' </tmp/nodbg-show.json)"
check_truth /tmp/nodbg.txt p:st_truth_leaf 10 "^st_truth_leaf[+]$ST_F0/" || fail "stream without debugfs"
grep -qx 'stacktapctl: record: 10 records written to /tmp/rec.stk, 0 lost' /tmp/rec.err || fail "record: $(cat /tmp/rec.err)"

# report -i: the 10 records are one stack (one task, one path), counted 10,
# named as the kernel named them.
stacktapctl report -i /tmp/rec.stk >/tmp/rep.txt 2>/tmp/rep.err || fail "report -i: $(cat /tmp/rep.err)"
cat /tmp/rep.err
head -n 8 /tmp/rep.txt
awk '/^@\[p:st_truth_leaf\] / { n += $2 } END { exit n != 10 }' /tmp/rep.txt || fail "report -i counts: $(head -3 /tmp/rep.txt)"
sed -n 2,5p /tmp/rep.txt | awk '{ print $2 }' | sed 's/+.*//' | paste -s -d' ' | grep -qx 'st_truth_leaf st_truth_c st_truth_b st_truth_a' ||
	fail "report -i frames: $(head -6 /tmp/rep.txt)"
stacktapctl --json report -i /tmp/rec.stk p:st_truth_leaf >/tmp/rep.json 2>/dev/null || fail "report -i --json"
echo "@json reportfile $(cat /tmp/rep.json | tr -d '\n')"
# A file that is no recording is refused, and says what it wants.
stacktapctl report -i /etc/passwd 2>/tmp/bad.err && fail "report -i of /etc/passwd succeeded"
grep -q 'is no stacktap recording' /tmp/bad.err || fail "report -i of a non-recording: $(cat /tmp/bad.err)"

# diff: a second recording with 4 of the same path and 6 through
# st_truth_d; the first path's count changed 10 -> 4, the second is new.
st_ctl clear || fail "clear"
echo 4 >"$TRUTH/trigger" || fail "trigger"
echo 6 >"$TRUTH/trigger_alt" || fail "trigger_alt"
stacktapctl record -o /tmp/rec2.stk --backlog --count 10 2>/dev/null || fail "second record"
stacktapctl diff /tmp/rec.stk /tmp/rec2.stk >/tmp/diff.txt 2>/tmp/diff.err || fail "diff: $(cat /tmp/diff.err)"
cat /tmp/diff.txt /tmp/diff.err
m=_\\[st_truth]
grep -Eq "^changed +10 +4 +-6  p:st_truth_leaf  .*;st_truth_a$m;st_truth_b$m;st_truth_c$m;st_truth_leaf$m\$" /tmp/diff.txt ||
	fail "diff: no 'changed 10 4' line for the a-b-c path"
grep -Eq "^new +0 +6 +\+6  p:st_truth_leaf  .*;st_truth_d$m;st_truth_c$m;st_truth_leaf$m\$" /tmp/diff.txt ||
	fail "diff: no 'new 0 6' line for the d-c path"
[ "$(grep -c '^changed\|^new\|^gone' /tmp/diff.txt)" = 2 ] || fail "diff: $(grep -c '^changed\|^new\|^gone' /tmp/diff.txt) stacks differ, expected 2"
stacktapctl --json diff /tmp/rec.stk /tmp/rec2.stk >/tmp/diff.json 2>/dev/null || fail "diff --json"
echo "@json diff $(tr -d '\n' </tmp/diff.json)"
# A recording against itself: nothing differs.
[ "$(stacktapctl diff /tmp/rec.stk /tmp/rec.stk 2>/dev/null | wc -l)" = 1 ] || fail "diff of a recording with itself"
# --folded: "stack A B", the differential flame graph's input.
stacktapctl diff --folded /tmp/rec.stk /tmp/rec2.stk 2>/dev/null | grep -Eq ";st_truth_leaf$m 10 4\$" ||
	fail "diff --folded: $(stacktapctl diff --folded /tmp/rec.stk /tmp/rec2.stk 2>&1)"

# SYMBOLIZE names any address it is given, so it needs what reading
# /proc/kallsyms's addresses needs: kptr_restrict 2 refuses it.
addr=$(grep ' [Tt] vfs_write$' /proc/kallsyms | cut -d' ' -f1)
[ "$(st_symbolize "$addr")" = ok ] || fail "SYMBOLIZE of vfs_write: $(st_symbolize "$addr")"
kptr=$(cat /proc/sys/kernel/kptr_restrict)
echo 2 >/proc/sys/kernel/kptr_restrict
out=$(st_symbolize "$addr")
echo "$kptr" >/proc/sys/kernel/kptr_restrict
echo "SYMBOLIZE with kptr_restrict 2: $out"
case $out in
"Operation not permitted: kernel addresses are hidden"*) ;;
*) fail "SYMBOLIZE with kptr_restrict 2: $out" ;;
esac

# Records of 64-bit fields are 8-byte aligned in the messages: MIPS counts
# the kernel's unaligned stores it had to emulate.
unaligned=/sys/kernel/debug/mips/unaligned_instructions
if [ -r $unaligned ]; then
	st_ctl clear || fail "clear"
	echo 20 >"$TRUTH/trigger" || fail "trigger"
	u0=$(cat $unaligned)
	stacktapctl record -o /tmp/rec3.stk --backlog --count 20 2>/dev/null || fail "third record"
	u1=$(cat $unaligned)
	echo "unaligned accesses emulated while 20 records were sent: $((u1 - u0))"
	[ "$u1" = "$u0" ] || fail "sending 20 records took $((u1 - u0)) unaligned accesses"
fi

# SIGINT while records pour in: stream stops cleanly, whatever it waits on.
hammer_start trigger
stacktapctl stream >/dev/null 2>/tmp/busy.err &
busy=$!
wait_readers 1
sleep 2
kill -INT $busy
wait $busy || fail "stream under a flood exited $? on SIGINT: $(cat /tmp/busy.err)"
hammer_stop
cat /tmp/busy.err

# show without debugfs is a snapshot: it frees nothing, even from a ring
# more than half full that a stream would free.
st_unload
st_load buffer_kb=4
st_ctl "add st_truth_leaf" || fail "add"
echo 40 >"$TRUTH/trigger" || fail "trigger"
umount /sys/kernel/debug || fail "umount debugfs"
n1=$(stacktapctl show | grep -c '^ => st_truth_leaf+')
n2=$(stacktapctl show | grep -c '^ => st_truth_leaf+')
mount -t debugfs none /sys/kernel/debug || fail "mount debugfs"
n3=$(trace_records "$ST/trace")
echo "show without debugfs, twice: $n1 then $n2 records; trace holds $n3"
[ "$n1" -gt 0 ] && [ "$n1" = "$n2" ] && [ "$n2" = "$n3" ] || fail "show freed records: $n1, then $n2, trace $n3"

# report over netlink when the stacks take several dump messages (every
# st_truth function down 1 to 20 recursions: some 60 stacks of up to 30
# frames, over 8 KiB; the probe gone before reading so nothing moves), and
# when there are none.
st_ctl clear || fail "clear"
st_ctl "add f:st_truth_* mode=count" || fail "add f:st_truth_*"
echo 40 >"$TRUTH/trigger_spread" || fail "trigger_spread"
st_ctl "del f:st_truth_*" || fail "del f:st_truth_*"
cat "$ST/stacks" >/tmp/many.want
n=$(grep -c '^@\[' /tmp/many.want)
umount /sys/kernel/debug || fail "umount debugfs"
stacktapctl report >/tmp/many.txt 2>&1
many_rc=$?
stacktapctl clear
clear_rc=$?
stacktapctl report >/tmp/empty.txt 2>&1
empty_rc=$?
mount -t debugfs none /sys/kernel/debug || fail "mount debugfs"
[ "$clear_rc" = 0 ] || fail "clear over netlink"
[ "$empty_rc" = 0 ] || fail "report of no stacks over netlink: $(cat /tmp/empty.txt)"
echo "f:st_truth_*: $n stacks, $(grep -c '^ => ' /tmp/many.want) frames, $(wc -c </tmp/many.txt) bytes over netlink"
[ "$many_rc" = 0 ] || fail "report of $n stacks over netlink: $(tail -2 /tmp/many.txt)"
[ "$(grep -c '^ => ' /tmp/many.want)" -ge 1024 ] || fail "f:st_truth_* gave only $n stacks, too few to span dump messages"
cmp -s /tmp/many.txt /tmp/many.want || fail "report of $n stacks over netlink is not stacks: $(diff /tmp/many.txt /tmp/many.want | head -4)"
[ ! -s /tmp/empty.txt ] || fail "report of no stacks: $(cat /tmp/empty.txt)"

# For the host: report -i with debug files, against addr2line; the second
# recording's flame graph in a browser.
base64 /tmp/rec.stk | sed 's/^/@recording /'
base64 /tmp/rec2.stk | sed 's/^/@recording2 /'
