# r: return values as a C caller reads them, and conditions on them.
# st_truth_err returns -EINVAL, 0 or i for run i (i % 3 is 0, 1, 2): the
# trace prints "ret=-22 (EINVAL)", "ret=0" and "ret=2"; show (over
# netlink) prints the same.  Of 30 runs, ret<0 keeps exactly the 10
# failing calls, ret==-22 the same 10, ret!=0 the 20 others than 0, and
# lat>10ms keeps every 50 ms nap and no fast call; what a condition turns
# away counts as filtered, in the records and the stacks alike.  Latency
# histograms per stack and per probe add up to the calls.
. /lib/st/lib.sh
truth_load
st_load

st_ctl "add r:st_truth_err" || fail "add"
echo 6 >"$TRUTH/trigger_err" || fail "trigger_err"
cat "$ST/trace" >/tmp/trace
rets=$(sed -n 's/.*: r:st_truth_err ret=\(.*\) lat=[0-9]*ns$/\1/p' /tmp/trace | paste -s -d'|')
echo "return values: $rets"
[ "$rets" = "-22 (EINVAL)|0|2|-22 (EINVAL)|0|5" ] || fail "return values: $rets"
umount /sys/kernel/debug || fail "umount debugfs"
stacktapctl show >/tmp/show 2>/tmp/show.err || fail "show without debugfs: $(cat /tmp/show.err)"
mount -t debugfs none /sys/kernel/debug || fail "mount debugfs"
cmp -s /tmp/show /tmp/trace || fail "show over netlink differs from trace: $(diff /tmp/show /tmp/trace | head -4)"
# --json: ret a number, errno its name or null, lat_ns a number; the same
# from the debugfs text a reader gets who may not see addresses.
want='-22 "EINVAL"|0 null|2 null|-22 "EINVAL"|0 null|5 null'
json_rets() {
	sed -n 's/.*"spec": "r:st_truth_err", "func": "st_truth_err", "ret": \(-*[0-9]*\), "errno": \([^,]*\), "lat_ns": [1-9][0-9]*, "frames": \[{"symbol": "st_truth_err", .*/\1 \2/p' "$1" |
		paste -s -d'|'
}
stacktapctl --json show >/tmp/show.json || fail "show --json"
[ "$(json_rets /tmp/show.json)" = "$want" ] || fail "show --json return values: $(json_rets /tmp/show.json)"
kptr=$(cat /proc/sys/kernel/kptr_restrict)
echo 2 >/proc/sys/kernel/kptr_restrict
stacktapctl --json show >/tmp/show-text.json
echo "$kptr" >/proc/sys/kernel/kptr_restrict
[ "$(json_rets /tmp/show-text.json)" = "$want" ] || fail "show --json from debugfs, return values: $(json_rets /tmp/show-text.json)"
st_ctl "del r:st_truth_err" || fail "del"

# cond: the option; n: calls of 30 it keeps.
for c in 'ret<0 10' 'ret==-22 10' 'ret!=0 20' 'ret>=2 10' 'lat>10ms 0'; do
	cond=${c% *} n=${c#* }
	st_ctl clear || fail "clear"
	st_ctl "add r:st_truth_err $cond" || fail "add r:st_truth_err $cond"
	echo 30 >"$TRUTH/trigger_err" || fail "trigger_err"
	line=$(grep '^r:st_truth_err ' "$ST/probes")
	st_ctl "del r:st_truth_err" || fail "del ($cond)"
	got=$(trace_records "$ST/trace")
	counted=$(awk '/^@\[r:st_truth_err\] / { n += $2 } END { print n + 0 }' "$ST/stacks")
	echo "$cond: $got records, $counted counted; probes: $line"
	[ "$got" = "$n" ] && [ "$counted" = "$n" ] || fail "$cond kept $got records and counted $counted, want $n"
	[ "$line" = "r:st_truth_err $n 0 filtered=$((30 - n)) $cond" ] || fail "$cond: probes: $line"
	case $cond in
	ret\<0|ret==-22) bad=$(grep ': r:st_truth_err ret=' "$ST/trace" | grep -vc ' ret=-22 (EINVAL) ') ;;
	ret!=0) bad=$(grep -c ': r:st_truth_err ret=0 ' "$ST/trace") ;;
	*) bad=$(grep ': r:st_truth_err ret=' "$ST/trace" | grep -c ' ret=\(-22 (EINVAL)\|0\|1\) ') ;;
	esac
	[ "$bad" = 0 ] || fail "$cond kept $bad calls it should not: $(grep -m3 ': r:' "$ST/trace")"
done

# lat: each nap takes 50 ms; more than 10 ms keeps them all, less none.
for c in 'lat>10ms 3' 'lat<10000us 0'; do
	cond=${c% *} n=${c#* }
	st_ctl clear || fail "clear"
	st_ctl "add r:st_truth_nap $cond" || fail "add r:st_truth_nap $cond"
	echo 3 >"$TRUTH/trigger_nap" || fail "trigger_nap"
	st_ctl "del r:st_truth_nap" || fail "del nap ($cond)"
	got=$(trace_records "$ST/trace")
	echo "nap $cond: $got records"
	[ "$got" = "$n" ] || fail "nap $cond kept $got records, want $n"
done
lats=$(sed -n 's/.*: r:st_truth_nap ret=[0-9]* lat=\([0-9]*\)ns$/\1/p' "$ST/trace")
for l in $lats; do
	[ "$l" -gt 10000000 ] || fail "a nap of $l ns passed lat>10ms"
done

# Latency, aggregated: each r: stack in 'stacks' has its count, min, mean,
# max and a log2 histogram whose counts sum to the stack's count; report
# --latency sums a probe's; the same over netlink.
st_ctl clear || fail "clear"
st_ctl "add r:st_truth_err" || fail "add err"
st_ctl "add r:st_truth_nap" || fail "add nap"
echo 30 >"$TRUTH/trigger_err" || fail "trigger_err"
echo 3 >"$TRUTH/trigger_nap" || fail "trigger_nap"
st_ctl "del r:st_truth_err" || fail "del err"
st_ctl "del r:st_truth_nap" || fail "del nap"
cat "$ST/stacks" >/tmp/lat.stacks
cat /tmp/lat.stacks
# A nap lasts at least 10 ms, the bound of lat>10ms above and of
# --latency --json below: msleep(50) counts jiffies, and the arm64 7.2
# guest under emulation woke from it after 40.5 ms of the monotonic clock
# (twice, one run in a few).
awk 'function check() {
		if (!hdr) return
		if (n != c || h != c || !(min <= mean && mean <= max)) { bad++; print "wrong: " hdr }
		if (hdr ~ /st_truth_nap/) { nap += c; if (min < 10000000) { bad++; print "nap under 10 ms: " min } }
		if (hdr ~ /st_truth_err/) err += c
	}
	/^@\[/ { check(); hdr = $0; c = $2; n = -1; h = 0; next }
	/^ lat: count / { n = $3 + 0; min = $5 + 0; mean = $8 + 0; max = $11 + 0; next }
	/^ \[/ { h += ($1 ~ /\]$/) ? $2 : $3 }
	END { check(); print "latencies: err " err ", nap " nap ", wrong " bad + 0
	      exit !(err == 30 && nap == 3 && !bad) }' /tmp/lat.stacks || fail "stack latencies do not add up"
stacktapctl report --latency st_truth_err >/tmp/lat.err || fail "report --latency"
cat /tmp/lat.err
sed -n 2p /tmp/lat.err | grep -q '^ lat: count 30, min [0-9]* ns, mean [0-9]* ns, max [0-9]* ns$' || fail "report --latency: $(cat /tmp/lat.err)"
stacktapctl --json report --latency st_truth_nap >/tmp/lat.json || fail "report --latency --json"
echo "@json latency $(tr -d '\n' </tmp/lat.json)"
# At least 10 ms, as above.
grep -q '"latency": {"count": 3, "min_ns": [1-9][0-9]\{7\}' /tmp/lat.json || fail "--latency --json: $(cat /tmp/lat.json)"
stacktapctl --json report st_truth_nap >/tmp/lat2.json || fail "report --json"
echo "@json latstacks $(tr -d '\n' </tmp/lat2.json)"
grep -q '"latency": {"count": 3,' /tmp/lat2.json || fail "report --json has no latency: $(head -c 300 /tmp/lat2.json)"
stacktapctl report --latency st_truth_leaf >/dev/null 2>/tmp/lat.no && fail "--latency of a probe without latencies worked"
umount /sys/kernel/debug || fail "umount debugfs"
stacktapctl report >/tmp/lat.nl 2>&1
stacktapctl report --latency st_truth_err >/tmp/lat.err.nl 2>&1
mount -t debugfs none /sys/kernel/debug || fail "mount debugfs"
cmp -s /tmp/lat.nl /tmp/lat.stacks || fail "latencies over netlink differ: $(diff /tmp/lat.nl /tmp/lat.stacks | head -4)"
cmp -s /tmp/lat.err.nl /tmp/lat.err || fail "report --latency over netlink differs: $(diff /tmp/lat.err.nl /tmp/lat.err | head -4)"

# Refusals say why.
for bad in 'p:st_truth_err ret<0' 'r:st_truth_err ret<zero' 'r:st_truth_err lat>1h' 'r:st_truth_err ret<0 ret>1'; do
	st_ctl "add $bad" >/dev/null && fail "add '$bad' was accepted"
done
stacktapctl add 'r:st_truth_err lat>5000s' 2>/tmp/add.err && fail "lat>5000s accepted"
grep -q "lat: at most an hour" /tmp/add.err || fail "lat>5000s: $(cat /tmp/add.err)"
# Canonical in list: hex as decimal, a duration in its largest exact unit.
stacktapctl add 'r:st_truth_err lat>=1500000 ret<=0xffffffffffffffea' >/dev/null || fail "add with two conditions"
stacktapctl list | grep -q ' r:st_truth_err .* ret<=-22 lat>=1500us$' || fail "list: $(stacktapctl list)"
stacktapctl del r:st_truth_err || fail "del"
st_unload
