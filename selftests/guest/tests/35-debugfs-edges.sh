# The debugfs front door at its edges (issue 20, items 2, 3, 6, 15, 22):
# seeking a write-only open; a zero-length read of trace_pipe with a record
# pending; "eof" on control ends trace_pipe's readers so that rmmod can go
# on; a task whose name holds a newline and " => " cannot forge a frame,
# and stacktapctl's JSON gives its real name; a refused control command is
# logged whole.
. /lib/st/lib.sh
truth_load
st_load
st_ctl "add st_truth_leaf" || fail "add"
echo 2 >"$TRUTH/trigger"

# 2. dd seeks its output before writing: a write-only open of each file
# that clears on write.  Each used to oops in seq_lseek().
for f in "$ST/trace" "$ST/stacks" "$ST"/per_cpu/cpu0/trace; do
	echo x | dd of="$f" bs=1 seek=1 conv=notrunc 2>/tmp/dd.err
	echo "seek on a write-only open of ${f#$ST/}: dd exited $? $(tail -n1 /tmp/dd.err)"
done
[ "$(trace_records "$ST/trace")" = 0 ] || fail "write to trace after a seek did not clear it"

# 3. read(fd, buf, 0) with a record pending: 0 at once.  It used to spin
# in the kernel, deaf to SIGKILL.
echo 1 >"$TRUTH/trigger"
st_read0 "$ST/trace_pipe" >/tmp/read0 2>&1 &
reader=$!
i=0
while kill -0 $reader 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -0 $reader 2>/dev/null && fail "read(trace_pipe, 0) has not returned in 5 s"
wait $reader || fail "read(trace_pipe, 0): $(cat /tmp/read0)"
cat /tmp/read0
# The record is still there for a real read.
timeout 2 cat "$ST/trace_pipe" >/tmp/pipe
[ "$(trace_records /tmp/pipe)" = 1 ] || fail "trace_pipe held $(trace_records /tmp/pipe) records after read(0), expected 1"

# 6. Readers blocked in trace_pipe hold the module; "eof" ends them.
cat "$ST/trace_pipe" >/tmp/pipe &
reader=$!
stacktapctl stream >/dev/null 2>/tmp/stream.err &
streamer=$!
sleep 1
wait_readers 1
kill -0 $reader && kill -0 $streamer || fail "trace_pipe readers did not block"
rmmod stacktap 2>/dev/null && fail "rmmod went through under a trace_pipe reader"
st_ctl eof || fail "eof"
i=0
while { kill -0 $reader || kill -0 $streamer; } 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -0 $reader 2>/dev/null && fail "cat trace_pipe still runs 5 s after eof"
kill -0 $streamer 2>/dev/null && fail "stacktapctl stream still runs 5 s after eof"
wait $reader || fail "cat trace_pipe exited $? after eof"
wait $streamer || fail "stacktapctl stream exited $? after eof"
echo "after eof: cat and stacktapctl stream ended in $((i * 100)) ms; $(cat /tmp/stream.err)"
grep -q '(the stream was ended: eof)$' /tmp/stream.err || fail "stream's end after eof: $(cat /tmp/stream.err)"
dmesg | grep -q 'stacktap: control: trace_pipe readers get end of file' || fail "eof not logged"
# Text a reader already took from the rings still reaches it after eof.
echo 1 >"$TRUTH/trigger"
exec 3<"$ST/trace_pipe"
dd bs=1 count=1 <&3 >/tmp/pipe1 2>/dev/null
st_ctl eof || fail "eof"
timeout 5 cat <&3 >>/tmp/pipe1
exec 3<&-
[ "$(trace_records /tmp/pipe1)" = 1 ] || fail "a record half read before eof was cut: $(head -c 200 /tmp/pipe1)"
# eof is final: under a stream of hits, a reader that had taken part of a
# record gets the rest of it, then end of file, not the records that come.
hammer_start trigger
exec 3<"$ST/trace_pipe"
dd bs=1 count=1 <&3 >/tmp/pipe2 2>/dev/null
st_ctl eof || fail "eof"
timeout 5 cat <&3 >>/tmp/pipe2
rc=$?
exec 3<&-
hammer_stop
st_ctl clear || fail "clear"
[ $rc = 0 ] || fail "after eof, a reader under a stream of hits still read after 5 s (exit $rc)"
[ "$(trace_records /tmp/pipe2)" = 1 ] || fail "after eof, a reader under a stream of hits got $(trace_records /tmp/pipe2) records, expected the one it had begun"
# A reader that opens after eof blocks as before.
echo 1 >"$TRUTH/trigger"
timeout 2 cat "$ST/trace_pipe" >/tmp/pipe
[ "$(trace_records /tmp/pipe)" = 1 ] || fail "a trace_pipe opened after eof read $(trace_records /tmp/pipe) records, expected 1"
st_unload
echo "rmmod after eof: ok"

# 15. A task names itself "x\n => fake"; glob names hold '['.
st_load
st_ctl "add st_truth_leaf" || fail "add"
st_ctl "add f:st_truth_[a]" || fail "add f:st_truth_[a]"
sh -c "printf 'x\n => fake' >/proc/self/comm; echo 1 >$TRUTH/trigger" || fail "trigger under a forged name"
cat "$ST/trace"
grep -q '^ => fake' "$ST/trace" && fail "a task name added a frame to trace"
check_truth "$ST/trace" p:st_truth_leaf 1 "^st_truth_leaf[+]$ST_F0/" || fail "trace under a forged name"
grep -q '^x\\012\\040=>\\040fake-[0-9]* \[' "$ST/trace" || fail "task name not escaped in trace"
stacktapctl --json show >/tmp/show.json || fail "show --json"
cat /tmp/show.json
grep -q '"comm": "x\\u000a => fake", "tid": [1-9][0-9]*, "tgid": [1-9][0-9]*, "context": "task", "probe_id": [1-9][0-9]*, "spec": "p:st_truth_leaf"' /tmp/show.json ||
	fail "show --json: the p: record's name, pid or probe is wrong"
grep -q '"comm": "x\\u000a => fake", "tid": [1-9][0-9]*, "tgid": [1-9][0-9]*, "context": "task", "probe_id": [1-9][0-9]*, "spec": "f:st_truth_\[a\]", "func": "st_truth_a"' /tmp/show.json ||
	fail "show --json: the glob record's name, pid, probe or fields are wrong"

# 22. A refused command is logged whole.
st_ctl_fails "del st_truth_leaf mode=count" "Invalid argument"
dmesg | grep -q "got 'del st_truth_leaf mode=count'" || fail "refused command not logged whole: $(dmesg | grep 'control: expected' | tail -n1)"
st_unload
