# The flight recorder (issue 22, item 6): a full ring that overwrites
# keeps the newest records, one that drops keeps the oldest, by the
# module's overwrite= (changeable while loaded) and by a probe's ring=.
# CPU 0 calls st_truth_args(i, ...) for i = 0..N-1 into a 4 KiB ring, and
# the records read back must be exactly the last (or first) ones, in
# order, their number what stats says was written less what was
# overwritten.  Then both CPUs write while readers read the ring in
# place (writers drop instead of overwriting meanwhile): every CPU's
# records must still follow on, gaps only where [LOST N EVENTS] says,
# and five hits with no reader left must be the last on the ring.
# Last, nested writers: an hrtimer's hits in hardirq inside the task's,
# all overwriting; per CPU the records left must be those written less
# those overwritten.
# (The dump on oops and panic: selftests/guest/crash.sh.)
. /lib/st/lib.sh
truth_load
st_load buffer_kb=4 overwrite=1
P=/sys/module/stacktap/parameters
N=300

[ "$(cat $P/overwrite)" = Y ] || fail "overwrite= reads $(cat $P/overwrite)"
[ "$(cat $P/dump_on_oops)" = 0 ] || fail "dump_on_oops= is on by default"

# cpu0_stat KEY: the key's figure on cpu0's stats line.
cpu0_stat() {
	awk -v k="$1" '$1 == "cpu0" && $2 == "written" {
		for (i = 2; i < NF; i += 2) if ($i == k) print $(i + 1) }' "$ST/stats"
}

# run OPTIONS: a p: probe with OPTIONS on st_truth_args, N calls on CPU 0;
# sets kept (records read back), first and last (their i), and the deltas
# of cpu0's written, dropped and overwritten.
run() {
	echo >"$ST/trace"
	w0=$(cpu0_stat written) d0=$(cpu0_stat dropped) o0=$(cpu0_stat overwritten)
	st_ctl "add p:st_truth_args i=arg1:u32 $1" || fail "add with '$1'"
	taskset -c 0 sh -c "echo $N > $TRUTH/trigger_args" || fail "trigger_args"
	st_ctl "del p:st_truth_args" || fail "del"
	written=$(($(cpu0_stat written) - w0))
	dropped=$(($(cpu0_stat dropped) - d0))
	overwritten=$(($(cpu0_stat overwritten) - o0))
	sed -n 's/.*: p:st_truth_args i=\([0-9]*\)$/\1/p' "$ST/trace" >/tmp/is
	kept=$(wc -l </tmp/is)
	first=$(head -n1 /tmp/is)
	last=$(tail -n1 /tmp/is)
	echo "'$1': $kept records kept, i=$first..$last; written $written dropped $dropped overwritten $overwritten"
	[ "$kept" -gt 4 ] && [ "$kept" -lt $((N / 4)) ] || fail "'$1': $kept records in a 4 KiB ring"
	[ "$kept" = $((last - first + 1)) ] && seq "$first" "$last" | cmp -s - /tmp/is ||
		fail "'$1': the records are not one run of i: $(tr '\n' ' ' </tmp/is)"
	# Nothing read meanwhile: no drops between two records.  (The first
	# may carry the last run's, which came before it.)
	awk '/^CPU:[0-9]+ \[LOST/ { if (n) bad = 1 } /: p:st_truth_args / { n++ }
	     END { exit bad }' "$ST/trace" || fail "'$1': a LOST mark between records"
}

# newest OPTIONS: the ring overwrote, keeping the last records.
newest() {
	run "$1"
	[ "$last" = $((N - 1)) ] || fail "'$1': the last record is i=$last, not $((N - 1))"
	[ "$written" = $N ] && [ "$dropped" = 0 ] || fail "'$1': written $written dropped $dropped of $N"
	[ "$overwritten" = $((N - kept)) ] || fail "'$1': overwritten $overwritten, but $kept of $N are kept"
}

# oldest OPTIONS: the ring dropped, keeping the first records.
oldest() {
	run "$1"
	[ "$first" = 0 ] || fail "'$1': the first record is i=$first, not 0"
	[ "$written" = "$kept" ] && [ "$overwritten" = 0 ] && [ "$dropped" = $((N - kept)) ] ||
		fail "'$1': written $written dropped $dropped overwritten $overwritten, $kept kept"
}

newest ""
# stats over netlink says the same.
stacktapctl --json stats >/tmp/stats.json || fail "stats --json"
echo "@json stats $(tr -d '\n' </tmp/stats.json)"
grep -q "{\"cpu\": 0, .*\"overwritten\": $(cpu0_stat overwritten), " /tmp/stats.json ||
	fail "stats --json: $(cat /tmp/stats.json), debugfs: $(grep '^cpu0 written' "$ST/stats")"
stacktapctl stats | grep -q '^CPU .* OVERWRITTEN ' || fail "stats: $(stacktapctl stats)"
oldest "ring=drop"
# stacktapctl takes ring= as an option of the spec before it.
stacktapctl add p:st_truth_args ring=drop i=arg1:u32 2>/tmp/add.err ||
	fail "stacktapctl add with ring=drop: $(cat /tmp/add.err)"
grep -q '^p:st_truth_args [0-9]* [0-9]* .*ring=drop i=arg1:u32$' "$ST/probes" ||
	fail "probes: $(grep st_truth_args "$ST/probes")"
st_ctl "del p:st_truth_args" || fail "del"
echo 0 >$P/overwrite || fail "overwrite= cannot be changed while loaded"
oldest ""
newest "ring=overwrite"
st_ctl_fails "add p:st_truth_args ring=overwrite mode=count" "Invalid argument"
st_ctl_fails "add p:st_truth_args ring=sometimes" "Invalid argument"

# Readers in place against overwriting writers on every CPU.
echo >"$ST/trace"
cp "$ST/stats" /tmp/stats0
st_ctl "add p:st_truth_args i=arg1:u32 ring=overwrite" || fail "add"
rm -f /tmp/stop
(while [ ! -e /tmp/stop ]; do cat "$ST/trace" >/dev/null; done) &
reader=$!
(while [ ! -e /tmp/stop ]; do cat "$ST/per_cpu/cpu0/trace" >/dev/null; done) &
reader2=$!
on_every_cpu "for k in 1 2 3 4 5 6 7 8 9 10; do echo 100 > $TRUTH/trigger_args; done"
touch /tmp/stop
wait $reader $reader2
# The last hits may have met a reader and been dropped: five more, with
# no reader, must each overwrite, the last reading i=4.
on_every_cpu "echo 5 > $TRUTH/trigger_args"
hits=$(probe_field p:st_truth_args 2)
st_ctl "del p:st_truth_args" || fail "del"
[ "$hits" = $((1005 * $(ncpus))) ] || fail "$hits hits, not $((1005 * $(ncpus)))"
# delta KEY: KEY's sum over the CPUs since /tmp/stats0.
delta() {
	echo $(($(stats_sum "$1") - $(stats_sum "$1" /tmp/stats0)))
}
[ $(($(delta written) + $(delta dropped))) = "$hits" ] ||
	fail "written $(delta written) + dropped $(delta dropped) != $hits hits"
for c in $(seq 0 $(($(ncpus) - 1))); do
	cat "$ST/per_cpu/cpu$c/trace" >/tmp/cpu
	# i runs 0..99 ten times on each CPU, then 0..4: each record follows
	# the one before it, or the LOST mark between them says how many
	# fell out.
	got=$(awk '/^CPU:[0-9]+ \[LOST [0-9]+ EVENTS\]$/ { lost = $3; next }
		/: p:st_truth_args i=/ {
			v = $0; sub(/.* i=/, "", v); v += 0
			if (n && v != (prev + 1 + lost) % 100) { print "after i=" prev ", i=" v " with " lost " lost"; bad = 1 }
			prev = v; n++; lost = 0
		}
		END { if (!bad) print n, prev }' /tmp/cpu)
	echo "cpu$c: $got (records, last i)"
	case "$got" in
	*" 4") ;;
	*) fail "cpu$c: records out of order: $got" ;;
	esac
	n=${got% *}
	# On the ring: every record written since the clear, less the
	# overwritten (the counts run from load: take the differences).
	w=$(($(awk -v c="cpu$c" '$1 == c && $2 == "written" { print $3 - $7 }' "$ST/stats") -
	     $(awk -v c="cpu$c" '$1 == c && $2 == "written" { print $3 - $7 }' /tmp/stats0)))
	grep "^cpu$c written" "$ST/stats"
	[ "$n" -gt 4 ] && [ "$n" = "$w" ] || fail "cpu$c: $n records on the ring, but written less overwritten is $w"
done

# Nested writers: an hrtimer's hits in hardirq inside the task's hits,
# every CPU overwriting its small ring.
echo >"$ST/trace"
cp "$ST/stats" /tmp/stats0
st_ctl "add p:st_truth_leaf ring=overwrite" || fail "add"
hammer_start trigger
# The truth module has one hrtimer: one CPU at a time.
for c in $(seq 0 $(($(ncpus) - 1))); do
	taskset -c "$c" sh -c "for k in $(seq -s ' ' 1 40); do echo 1 > $TRUTH/trigger_irq; done" ||
		fail "trigger_irq on cpu$c"
done
hammer_stop
hits=$(probe_field p:st_truth_leaf 2)
st_ctl "del p:st_truth_leaf" || fail "del"
irq=$(($(awk '$2 == "hits" { s += $8 } END { print s + 0 }' "$ST/stats") -
       $(awk '$2 == "hits" { s += $8 } END { print s + 0 }' /tmp/stats0)))
echo "nested: $hits hits, $irq in hardirq; written $(delta written) dropped $(delta dropped) overwritten $(delta overwritten)"
[ "$irq" -ge $((40 * $(ncpus))) ] || fail "$irq hardirq hits"
[ $(($(delta written) + $(delta dropped))) = "$hits" ] ||
	fail "written $(delta written) + dropped $(delta dropped) != $hits hits"
for c in $(seq 0 $(($(ncpus) - 1))); do
	n=$(trace_records "$ST/per_cpu/cpu$c/trace")
	w=$(($(awk -v c="cpu$c" '$1 == c && $2 == "written" { print $3 - $7 }' "$ST/stats") -
	     $(awk -v c="cpu$c" '$1 == c && $2 == "written" { print $3 - $7 }' /tmp/stats0)))
	[ "$n" -gt 4 ] && [ "$n" = "$w" ] || fail "nested, cpu$c: $n records on the ring, but written less overwritten is $w"
done
