# probes=register_netdevice,r:register_netdevice,f:bond_create armed at
# load, before bonding exists: modprobe bonding gives all three record
# kinds, each with the stack that created bond0.
. /lib/st/lib.sh
st_load probes=register_netdevice,r:register_netdevice,f:bond_create
cat "$ST/probes"
grep -qx 'f:bond_create 0 0 pending' "$ST/probes" || fail "f:bond_create is not pending before bonding loads"
# Probes armed by probes= are listed over netlink like any other.
stacktapctl list
[ "$(stacktapctl list | awk 'NR > 1 { print $2 $7 }' | tr '\n' ' ')" = \
  "p:register_netdevicearmed r:register_netdevicearmed f:bond_createpending " ] ||
	fail "probes= probes not in PROBE_LIST"
modprobe bonding || fail "modprobe bonding"
cat "$ST/probes"
grep -q '^f:bond_create [0-9]* [0-9]*$' "$ST/probes" || fail "f:bond_create still pending after modprobe"
cat "$ST/trace" >/tmp/trace
st_unload
rmmod bonding

# has KIND FRAMES...: a record of KIND whose frames hold FRAMES in order.
has() {
	awk -v kind="$1" -v names="$2" '
	BEGIN { nn = split(names, name, " ") }
	/^$/ {
		if (hdr == kind) {
			if (first == "") first = rec
			j = 1
			for (i = 1; i <= nf && j <= nn; i++) if (f[i] ~ ("^" name[j] "[+]")) j++
			if (j > nn && (f[1] ~ ("^" name[1] "[+]"))) { found++; if (found == 1) print rec }
		}
		nf = 0; rec = ""; next
	}
	{ rec = rec $0 "\n" }
	/^ => / { f[++nf] = $2; next }
	{ hdr = ""; for (i = 1; i <= NF; i++) if ($i ~ /^[prf]:/) hdr = $i }
	END {
		if (!found) printf "no %s record with %s; the first %s record:\n%s", kind, names, kind, first
		exit !found
	}' /tmp/trace
}
ok=0
has p:register_netdevice "register_netdevice bond_create bonding_init do_one_initcall" || ok=1
has r:register_netdevice "register_netdevice bond_create bonding_init do_one_initcall" || ok=1
grep -q ': r:register_netdevice ret=0 lat=[0-9]*ns$' /tmp/trace || { echo "no r: record with ret=0"; ok=1; }
has f:bond_create "bond_create bonding_init do_one_initcall" || ok=1
exit $ok
