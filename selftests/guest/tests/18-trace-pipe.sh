# trace_pipe: a reader blocks until a hit arrives, from task or hardirq
# context, and gets each record once; what it consumed is gone from
# trace_pipe and stays in trace until cleared.  stacktapctl stream (the
# netlink record stream) follows new records and exits cleanly on SIGINT
# with its counts.
. /lib/st/lib.sh
truth_load
st_load
st_ctl "add st_truth_leaf" || fail "add"

cat "$ST/trace_pipe" >/tmp/pipe &
reader=$!
sleep 1
[ -s /tmp/pipe ] && fail "trace_pipe gave data before any hit"
kill -0 $reader || fail "trace_pipe reader did not block"
echo "reader blocked in $(cat /proc/$reader/wchan 2>/dev/null)"
echo 1 >"$TRUTH/trigger" || fail "trigger"
wait_records /tmp/pipe 1
[ "$(trace_records /tmp/pipe)" = 1 ] || fail "reader not woken by one hit"
echo 5 >"$TRUTH/trigger" || fail "trigger"
wait_records /tmp/pipe 6
# A hit from hardirq (an hrtimer) wakes it too.
echo 1 >"$TRUTH/trigger_irq" || fail "trigger_irq"
wait_records /tmp/pipe 7
kill $reader
wait $reader 2>/dev/null
check_truth /tmp/pipe p:st_truth_leaf 7 "^st_truth_leaf[+]$ST_F0/" || fail "trace_pipe records"
# Consumed: nothing left in trace_pipe, but all 7 still in trace.
timeout 2 cat "$ST/trace_pipe" >/tmp/pipe2
[ -s /tmp/pipe2 ] && fail "trace_pipe delivered a record twice: $(head -3 /tmp/pipe2)"
[ "$(trace_records "$ST/trace")" = 7 ] || fail "trace holds $(trace_records "$ST/trace") records, expected 7"
# per_cpu/cpuN/trace together hold exactly the records of trace.
n=0
for f in "$ST"/per_cpu/cpu*/trace; do
	n=$((n + $(trace_records "$f")))
done
[ $n = 7 ] || fail "per_cpu traces hold $n records, expected 7"
st_ctl clear || fail "clear"
[ "$(trace_records "$ST/trace")" = 0 ] || fail "trace after clear"

# stacktapctl stream --json: one object per record, a summary on SIGINT.
# It sleeps in poll() on its netlink socket.
stacktapctl --json stream >/tmp/stream.json 2>/tmp/stream.err &
streamer=$!
wait_readers 1
echo 4 >"$TRUTH/trigger" || fail "trigger"
i=0
while [ "$(wc -l </tmp/stream.json)" -lt 4 ] && [ $i -lt 200 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -INT $streamer
wait $streamer
rc=$?
cat /tmp/stream.err
[ $rc = 0 ] || fail "stream exited $rc on SIGINT"
[ "$(wc -l </tmp/stream.json)" = 4 ] || fail "stream printed $(wc -l </tmp/stream.json) lines, expected 4"
grep -qx 'stacktapctl: stream: 4 records printed, 0 dropped' /tmp/stream.err || fail "stream summary: $(cat /tmp/stream.err)"
grep -c "\"spec\": \"p:st_truth_leaf\", \"func\": \"st_truth_leaf\", \"frames\": \[{\"symbol\": \"st_truth_leaf\", \"offset\": $((ST_F0)), " /tmp/stream.json | grep -qx 4 ||
	fail "stream --json records: $(head -c 300 /tmp/stream.json)"
echo "@json stream [$(paste -s -d, /tmp/stream.json)]"
st_unload

# With a 4 KiB buffer, trace_pipe frees what it delivered once the buffer
# is half full, so a stream outlasts the buffer: more records stream
# through than the buffer holds, every record written is delivered, and
# the rest are counted as dropped.  The hits come in 100 bursts of 20 with
# pauses between: one burst of 2000 takes a few ms, and on a guest whose
# vCPUs share one QEMU thread the reader may get no CPU in that time.
st_load buffer_kb=4
st_ctl "add st_truth_leaf" || fail "add"
echo 2000 >"$TRUTH/trigger" || fail "trigger"
held=$(stats_sum written)
dropped0=$(stats_sum dropped)
st_ctl clear || fail "clear"
cat "$ST/trace_pipe" >/tmp/pipe3 &
reader=$!
sleep 1
for i in $(seq 100); do
	echo 20 >"$TRUTH/trigger" || fail "trigger"
	sleep 0.05
done
written=$(($(stats_sum written) - held))
dropped=$(($(stats_sum dropped) - dropped0))
wait_records /tmp/pipe3 "$written"
kill $reader
wait $reader 2>/dev/null
delivered=$(trace_records /tmp/pipe3)
echo "without a reader the buffer held $held records; with one, of 2000 hits: written $written, dropped $dropped, delivered $delivered"
[ $((written + dropped)) = 2000 ] || fail "written $written + dropped $dropped != 2000"
[ "$delivered" = "$written" ] || fail "delivered $delivered != written $written"
[ "$delivered" -gt "$held" ] || fail "only $delivered records streamed through a buffer that holds $held"
st_unload
