# The field report's question, answered at load time: who registers bond0?
. /lib/st/lib.sh
st_load probes=register_netdevice
grep -q '^p:register_netdevice ' "$ST/probes" || fail "probes= did not arm register_netdevice"
modprobe bonding || fail "modprobe bonding"
cat "$ST/trace" >/tmp/trace
st_unload
rmmod bonding

awk -v f0="^register_netdevice[+]$(entry_off register_netdevice)/" '
/^$/ {
	if (f[1] ~ f0) {
		c = b = 0
		for (i = 2; i <= nf; i++) {
			if (f[i] ~ /^bond_create\+/ && !c) c = i
			if (f[i] ~ /^bonding_init\+/ && c && !b) b = i
		}
		if (c && b) { found++; if (found == 1) print "bond0 record:\n" rec }
	}
	nf = 0; rec = ""; next
}
{ rec = rec $0 "\n" }
/^ => / { f[++nf] = $2 }
END {
	if (!found) { print "no record with register_netdevice <- bond_create <- bonding_init" }
	exit !found
}' /tmp/trace || { cat /tmp/trace; exit 1; }
