# A tiny buffer flooded from every CPU: nothing is lost untracked.
# hits = written + dropped, and every written record is read back.  Where
# a ring dropped records, trace says so before the next record it kept:
# "CPU:N [LOST M EVENTS]", and the M add up to the drops.
. /lib/st/lib.sh
truth_load
st_load buffer_kb=4
ncpu=$(ncpus)
st_ctl "add st_truth_leaf" || fail "add"
truth_on_every_cpu 2000
hits=$(awk '{ s += $2 } END { print s + 0 }' "$ST/probes")
misses=$(awk '{ s += $3 } END { print s + 0 }' "$ST/probes")
st_ctl "del st_truth_leaf" || fail "del"
written=$(stats_sum written)
dropped=$(stats_sum dropped)
read=$(trace_records "$ST/trace")
cat "$ST/stats"
echo "hits $hits misses $misses written $written dropped $dropped read $read"
st_unload
[ "$hits" = $((2000 * ncpu)) ] || fail "hits $hits, expected $((2000 * ncpu))"
[ "$misses" = 0 ] || fail "misses $misses"
[ "$read" = "$written" ] || fail "read $read != written $written"
[ "$hits" = $((written + dropped)) ] || fail "hits $hits != written $written + dropped $dropped"
[ "$dropped" -gt 0 ] || fail "a 4 KiB buffer never overflowed"

# The drops show in trace, before each CPU's next record.
st_load buffer_kb=4
st_ctl "add st_truth_leaf" || fail "add"
truth_on_every_cpu 2000
echo >"$ST/trace"
truth_on_every_cpu 1
dropped=$(stats_sum dropped)
lost=$(trace_lost "$ST/trace")
grep '^CPU:' "$ST/trace"
echo "dropped $dropped, marked lost in trace $lost"
[ "$dropped" -gt 0 ] || fail "a 4 KiB buffer never overflowed"
[ "$lost" = "$dropped" ] || fail "trace marks $lost records lost, the rings dropped $dropped"
[ "$(trace_records "$ST/trace")" = "$ncpu" ] || fail "$(trace_records "$ST/trace") records after the flood, expected $ncpu"
stacktapctl --json show >/tmp/show.json || fail "show --json"
# stream --backlog prints the marks and counts only the records.
stacktapctl stream --backlog >/tmp/stream.txt 2>/tmp/stream.err &
streamer=$!
wait_records /tmp/stream.txt "$ncpu"
kill -INT $streamer
wait $streamer
cat /tmp/stream.err
[ "$(trace_lost /tmp/stream.txt)" = "$dropped" ] || fail "stream marks $(trace_lost /tmp/stream.txt) records lost, the rings dropped $dropped"
grep -qx "stacktapctl: stream: $ncpu records printed, $dropped dropped" /tmp/stream.err || fail "stream counted: $(cat /tmp/stream.err)"
[ "$(grep -o '"lost": [0-9]*' /tmp/show.json | awk '{ s += $2 } END { print s + 0 }')" = "$dropped" ] ||
	fail "show --json: lost records do not add up: $(grep -o '"lost": [0-9]*' /tmp/show.json)"
st_unload
