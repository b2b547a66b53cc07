# control: add, del and clear work; bad input gets the right errno, a log
# line, and no splat.  The debugfs files are root-only.
. /lib/st/lib.sh
truth_load
st_load

for f in trace:600 control:200 probes:400 stats:400; do
	mode=$(stat -c %a "$ST/${f%%:*}")
	[ "$mode" = "${f#*:}" ] || fail "$ST/${f%%:*} has mode $mode, want ${f#*:}"
done

st_ctl "add st_truth_leaf" || fail "add"
grep -qx 'p:st_truth_leaf 0 0' "$ST/probes" || fail "probes: $(cat "$ST/probes")"
echo 10 >"$TRUTH/trigger"
grep -qx 'p:st_truth_leaf 10 0' "$ST/probes" || fail "probes after 10 hits: $(cat "$ST/probes")"
[ "$(trace_records "$ST/trace")" = 10 ] || fail "10 records expected"
st_ctl clear || fail "clear"
[ "$(trace_records "$ST/trace")" = 0 ] || fail "clear left records"
echo 3 >"$TRUTH/trigger"
echo >"$ST/trace"
[ "$(trace_records "$ST/trace")" = 0 ] || fail "echo > trace left records"

st_ctl_fails "add no_such_symbol_xyz" "No such file or directory"
st_ctl_fails "add st_truth_leaf+junk" "Invalid argument"
st_ctl_fails "add st_truth_leaf+" "Invalid argument"
st_ctl_fails "add p:st_truth_leaf" "File exists"
st_ctl_fails "add st_truth_leaf+0" "File exists"
st_ctl_fails "del st_truth_c" "No such file or directory"
st_ctl_fails "del" "Invalid argument"
st_ctl_fails "frobnicate st_truth_c" "Invalid argument"
st_ctl_fails "add f:no_such_function_xyz*" "No such file or directory"
st_ctl_fails "add r:no_such_symbol_xyz" "No such file or directory"
st_ctl_fails "add p:st_truth_*" "Invalid argument"
head -c 4096 /dev/urandom >/tmp/garbage
dd if=/tmp/garbage of="$ST/control" bs=4096 count=1 2>/tmp/dd.err && fail "4 KiB of garbage accepted"
grep -q "Invalid argument" /tmp/dd.err || fail "4 KiB of garbage: $(cat /tmp/dd.err)"
tr -dc 'a-z' </dev/urandom | head -c 150 >/tmp/garbage
st_ctl_fails "add $(cat /tmp/garbage)" "File name too long"

dmesg | grep -q "stacktap: add 'no_such_symbol_xyz': symbol not found (-2)" ||
	fail "no log line for the unknown symbol"
dmesg | grep -q "stacktap: add 'p:st_truth_leaf': probe exists (-17)" ||
	fail "no log line for the duplicate"
dmesg | grep -q "stacktap: add 'f:no_such_function_xyz\*': no traceable function matches (-2)" ||
	fail "no log line for the f: probe that matches nothing"

# Still working after all that.
echo 5 >"$TRUTH/trigger"
grep -qx 'p:st_truth_leaf 18 0' "$ST/probes" || fail "probes: $(cat "$ST/probes")"
st_ctl "del st_truth_leaf" || fail "del"
[ -z "$(cat "$ST/probes")" ] || fail "probe left after del"
echo 5 >"$TRUTH/trigger"
[ "$(trace_records "$ST/trace")" = 5 ] || fail "hits recorded after del"
st_unload
echo "control ok"
