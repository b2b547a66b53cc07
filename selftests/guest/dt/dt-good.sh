# Booted with dt/good.dts: stacktap loaded without probes= arms the probes
# of /chosen/stacktap and takes its buffer-kb; the spec there that cannot
# be armed is logged and skipped.  probes= on insmod wins over the node.
. /lib/st/lib.sh
tr '\0' '\n' </proc/device-tree/chosen/stacktap/probes
truth_load
st_load
cat "$ST/probes"
dmesg | grep 'stacktap:'
grep -qx 'p:register_netdevice 0 0' "$ST/probes" || fail "register_netdevice not armed from the device tree"
grep -qx 'f:bond_create 0 0 pending' "$ST/probes" || fail "f:bond_create not pending"
grep -qx 'r:st_truth_leaf 0 0 maxactive=8' "$ST/probes" || fail "r:st_truth_leaf maxactive=8 not armed"
[ "$(wc -l <"$ST/probes")" = 3 ] || fail "$(wc -l <"$ST/probes") probes armed, expected 3"
dmesg | grep -q "stacktap: add 'p:st_truth_leaf+junk': offset must be decimal or 0x-prefixed hex (-22)" ||
	fail "no log line for the bad spec"
dmesg | grep -q 'stacktap: /chosen/stacktap: armed 3 of 4 probes' || fail "no summary log line"
dmesg | grep -q 'stacktap: /chosen/stacktap: buffer-kb = <64>' || fail "buffer-kb not taken"
modprobe bonding || fail "modprobe bonding"
echo 3 >"$TRUTH/trigger"
cat "$ST/trace" >/tmp/trace
awk '/^[^ ].*: p:register_netdevice$/ { p = 1 } p && /bond_create/ { b = 1 } p && /bonding_init/ { i = 1 } /^$/ { p = 0 }
	END { exit !(b && i) }' /tmp/trace || fail "no register_netdevice <- bond_create <- bonding_init record"
grep -q '^[^ ].*: f:bond_create$' /tmp/trace || fail "no f:bond_create record"
[ "$(grep -c ': r:st_truth_leaf ret=' /tmp/trace)" = 3 ] || fail "r:st_truth_leaf records: $(grep -c ': r:st_truth_leaf ret=' /tmp/trace)"
st_unload
# Parameters win: with probes=, the node's probes are not read.
st_load probes=st_truth_c
[ "$(cat "$ST/probes")" = "p:st_truth_c 0 0" ] || fail "probes= and the device tree both armed: $(cat "$ST/probes")"
st_unload
