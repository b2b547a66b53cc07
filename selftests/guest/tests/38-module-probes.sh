# Probes on a module's code follow the module (issue 20, item 7), as
# kprobe_events' do: MOD:SYMBOL is accepted before the module loads and
# waits (pending); a probe whose module goes becomes pending, and is
# armed again when the module comes back; list and probes say which.
. /lib/st/lib.sh
lsmod | grep -q '^bonding ' && rmmod bonding
st_load

# Before bonding loads: only MOD:SYMBOL is accepted, and it waits.
stacktapctl add p:bonding:bond_create >/tmp/add || fail "add p:bonding:bond_create before bonding loads"
cat /tmp/add
grep -q 'p:bonding:bond_create (pending: armed when its module loads)' /tmp/add || fail "add did not say the probe is pending"
grep -qx 'p:bonding:bond_create 0 0 pending' "$ST/probes" || fail "probes: $(cat "$ST/probes")"
dmesg | grep -q 'stacktap: p:bonding:bond_create is pending: armed when module bonding loads with bond_create' ||
	fail "the pending probe was not logged"
st_ctl_fails "add bond_create" "No such file or directory"
st_ctl_fails "add f:bonding:bond_create" "Invalid argument"

modprobe bonding || fail "modprobe bonding"
grep -qx 'p:bonding:bond_create 1 0' "$ST/probes" || fail "p:bonding:bond_create not armed and hit by bond0: $(cat "$ST/probes")"
# Plain names of the loaded module's functions, each kind.
for spec in p:bond_create r:bond_create f:bond_create; do
	stacktapctl add $spec >/dev/null || fail "add $spec"
done
stacktapctl list
[ "$(stacktapctl list | awk 'NR > 1 { print $7 }' | sort -u)" = armed ] || fail "not every probe is armed"

# bonding goes: every probe on it waits, none is lost or left dead.
rmmod bonding || fail "rmmod bonding"
cat "$ST/probes"
stacktapctl list
[ "$(grep -c ' pending$' "$ST/probes")" = 4 ] || fail "probes on bonding not pending after rmmod"
[ "$(stacktapctl list | awk 'NR > 1 { print $7 }' | sort -u)" = pending ] || fail "list does not say pending"
stacktapctl --json list | grep -q '"spec": "r:bond_create".*"state": "pending"' || fail "list --json: no pending state"
for spec in p:bonding:bond_create p:bond_create r:bond_create f:bond_create; do
	dmesg | grep -q "stacktap: $spec is pending: module bonding is going, armed again when it loads" ||
		fail "$spec going pending was not logged"
done
st_ctl_fails "add p:bond_create" "File exists"

# bonding comes back: each probe is armed again and sees bond0 created.
modprobe bonding || fail "modprobe bonding again"
cat "$ST/probes"
grep -qx 'p:bonding:bond_create 2 0' "$ST/probes" || fail "p:bonding:bond_create did not count the second bond0"
for spec in p:bond_create r:bond_create f:bond_create; do
	grep -qx "$spec 1 0" "$ST/probes" || fail "$spec not armed again: $(grep "^$spec " "$ST/probes")"
done
cat "$ST/trace" >/tmp/trace
for spec in p:bond_create r:bond_create f:bond_create; do
	awk -v spec="$spec" '$0 ~ (": " spec "( |$)") { rec = 1; n = 0; next }
		rec && /^ => / { f[++n] = $2; next }
		rec && /^$/ { rec = 0; if (f[1] ~ /^bond_create[+]/ && f[2] ~ /^bonding_init[+]|^bond_init_net/) ok = 1 }
		END { exit !ok }' /tmp/trace || fail "no $spec record from bonding's second load starting at bond_create"
done
echo "each probe on bonding, re-armed, recorded bond0's second creation"
# report finds a probe by MOD:SYMBOL as add took it.
stacktapctl report bonding:bond_create >/tmp/report || fail "report bonding:bond_create exited $?"
[ "$(awk '/^@\[p:bonding:bond_create\] / { s += $2 } END { print s + 0 }' /tmp/report)" = 2 ] || fail "report bonding:bond_create: $(head -c 300 /tmp/report)"
stacktapctl reset || fail "reset"
rmmod bonding

# A module named as its file spells it, '-' for '_', by add and report.
truth_load
stacktapctl add p:st-truth:st_truth_leaf >/dev/null || fail "add p:st-truth:st_truth_leaf"
echo 2 >"$TRUTH/trigger" || fail "trigger"
stacktapctl report st-truth:st_truth_leaf >/tmp/report || fail "report st-truth:st_truth_leaf exited $?"
grep -q '^@\[p:st_truth:st_truth_leaf\] 2$' /tmp/report || fail "report st-truth:st_truth_leaf: $(head -c 300 /tmp/report)"
st_unload
