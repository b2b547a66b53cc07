# Booted with dt/bad.dts: the malformed properties are logged and ignored,
# the module loads with its defaults and works.
. /lib/st/lib.sh
truth_load
st_load
dmesg | grep 'stacktap:'
dmesg | grep -q 'stacktap: /chosen/stacktap: probes is not a list of strings (-84): no probe armed from it' ||
	fail "no log line for the malformed probes"
dmesg | grep -q 'stacktap: /chosen/stacktap: buffer-kb is not a 32-bit number (-75): using 512' ||
	fail "no log line for the malformed buffer-kb"
[ -z "$(cat "$ST/probes")" ] || fail "probes armed from a malformed node: $(cat "$ST/probes")"
st_ctl "add st_truth_leaf" || fail "add"
echo 4 >"$TRUTH/trigger"
check_truth "$ST/trace" p:st_truth_leaf 4 "^st_truth_leaf[+]$ST_F0/" || fail "records"
st_unload
